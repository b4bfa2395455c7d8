#!/usr/bin/env node
// The tcptrace executable: binds runCli to the real process (argv, stdio, signals, exit code).
// Must not contain logic: everything testable lives in run-cli.ts.

import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

/**
 * Keeps the heap near what is live. Per-connection state (parsers, reassemblers, exchanges) lives for seconds of
 * capture, so V8 promotes it to the old generation, where it dies; V8 then lets the old generation grow to several
 * times the live data before collecting it: 310 MB of heap for 70 MB live on the benchmark capture (443 MB RSS).
 * A full collection once the heap has doubled since the last one (and passed 64 MB) keeps the peak near twice the
 * live data, which follows the open connections, for a few percent of the run time. Only the executable does this.
 */
function heapGuard(): (() => void) | undefined {
  let collect: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
  if (typeof collect !== 'function') return undefined;
  const floorBytes = 64 * 1024 * 1024;
  let limitBytes = floorBytes;
  return () => {
    if (getHeapStatistics().used_heap_size < limitBytes) return;
    collect();
    limitBytes = Math.max(floorBytes, 1.5 * getHeapStatistics().used_heap_size);
  };
}

const code = await runCli(process.argv.slice(2), {
  stdout: processStream(process.stdout),
  stderr: processStream(process.stderr),
  stdin: process.stdin,
  env: process.env,
  readTextFile: (path) => readFile(path, 'utf8'),
  signal: controller.signal,
  afterBatch: heapGuard(),
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
