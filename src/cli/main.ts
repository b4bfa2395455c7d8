#!/usr/bin/env node
// The tcptrace executable: binds runCli to the real process (argv, stdio, signals, exit code).
// Must not contain logic: everything testable lives in run-cli.ts.

import { readFile } from 'node:fs/promises';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { runCli, type CliStream } from './run-cli.js';

/**
 * V8 "pretenures" an allocation site once most of its objects survived a young collection: later objects from it are
 * made in the old generation directly. Here the sites that make per-connection and per-exchange state qualify early,
 * and the state of short connections then dies in the old generation, which only mark-compacts clear: on the
 * benchmark capture one run in two went into that mode (36 mark-compacts instead of 9, scavenges three times slower,
 * 12.3 s instead of 7.7 s for --summary). Off, every run takes the fast path (7.0 +- 0.4 s over 10 runs). Set before
 * anything is allocated by the analysis; the library leaves the choice to its host.
 */
try {
  setFlagsFromString('--no-allocation-site-pretenuring');
} catch {
  // A Node without the flag: the analysis is the same, only its garbage collection may vary.
}

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
 * times the live data before collecting it. Once the heap has grown to twice what the last major collection left
 * (and past 64 MB), this asks for one (gc() with execution 'async' runs it from a task, still a full stop-the-world
 * mark-compact, as --trace-gc shows). Measured with --summary on the benchmark capture (1.5 M packets), pretenuring
 * off: no guard 6.6-7.1 s / 318-348 MB; this 7.1-7.4 s / 235-248 MB (1.5x instead of 2x: 8.2-8.9 s / 206-218 MB;
 * V8's own --heap-growing-percent=30 instead of a guard: 7.7-8.2 s / 235 MB). Memory is what a user with a capture
 * of many gigabytes runs out of, so the executable pays the time; the library leaves the heap to its host.
 */
function heapGuard(): (() => void) | undefined {
  let collect: ((options: { type: 'major'; execution: 'async' }) => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as typeof collect;
  } catch {
    return undefined;
  }
  if (typeof collect !== 'function') return undefined;
  const floorBytes = 64 * 1024 * 1024;
  let limitBytes = floorBytes;
  let requested = false;
  let majorDone = false;
  // Any major collection (V8's own or the one requested here) sets the next limit from what it left.
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorDone = true;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    const used = getHeapStatistics().used_heap_size;
    if (majorDone) {
      majorDone = false;
      requested = false;
      limitBytes = Math.max(floorBytes, 2 * used);
    }
    if (!requested && used >= limitBytes) {
      requested = true;
      collect({ type: 'major', execution: 'async' });
    }
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
