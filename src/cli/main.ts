#!/usr/bin/env node
// The tcptrace executable: binds runCli to the real process (argv, stdio, signals, exit code).
// Must not contain logic: everything testable lives in run-cli.ts.

import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { runCli, type CliStream } from './run-cli.js';

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  // First Ctrl-C: stop reading and print the tables for what was read. Second: leave at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});

/** Writes to a process stream, respecting back-pressure lost only at exit (stdout to a pipe is async in Node). */
function processStream(stream: NodeJS.WriteStream): CliStream {
  return {
    write: (text: string) => {
      stream.write(text);
    },
    isTTY: stream.isTTY === true,
    columns: stream.columns,
  };
}

// A closed pipe (tcptrace … | head) is a normal way to stop reading output, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const code = await runCli(process.argv.slice(2), {
  stdout: processStream(process.stdout),
  stderr: processStream(process.stderr),
  stdin: process.stdin,
  env: process.env,
  readTextFile: (path) => readFile(path, 'utf8'),
  signal: controller.signal,
  fileSize: (path) => {
    try {
      const s = statSync(path);
      return s.isFile() ? s.size : null;
    } catch {
      return null;
    }
  },
});
process.exitCode = interrupted && code === 0 ? 130 : code;
