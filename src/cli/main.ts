#!/usr/bin/env node
// The tcptrace executable: binds runCli to the real process (argv, stdio, signals, exit code).
// Must not contain logic: everything testable lives in run-cli.ts.

import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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
    writeBytes: (chunk: Uint8Array) => {
      stream.write(chunk);
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

/** Linux interface index -> name, read once from /sys/class/net; empty elsewhere (SLL2 names then print as "?"). */
function linuxInterfaces(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const name of readdirSync('/sys/class/net')) {
      const index = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
      if (Number.isInteger(index)) names.set(index, name);
    }
  } catch {
    // Not Linux, or /sys not mounted.
  }
  return names;
}

let interfaces: Map<number, string> | null = null;

const code = await runCli(process.argv.slice(2), {
  stdout: processStream(process.stdout),
  stderr: processStream(process.stderr),
  stdin: process.stdin,
  env: process.env,
  readTextFile: (path) => readFile(path, 'utf8'),
  signal: controller.signal,
  interfaceName: (ifIndex) => (interfaces ??= linuxInterfaces()).get(ifIndex),
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
