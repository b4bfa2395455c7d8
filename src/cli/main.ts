#!/usr/bin/env node
// The tcptrace executable: binds runCli to the real process (argv, stdio, signals, exit code).
// Must not contain logic: everything testable lives in run-cli.ts.

import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { runCli, type CliStream } from './run-cli.js';
import { heapGuard, releaseYoungGenerationCap } from './heap-guard.js';
import { ExitCode } from './args.js';
import { interfaceName } from './interfaces.js';
import { standardInput } from '../capture/open.js';
import type { ShardDone, ShardMessage, ShardRequest, ShardRunner } from './shards.js';

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
  // A read of an idle stdin is abandoned by the abort (mergedBatches); it must not keep the process from exiting
  // once the tables are printed.
  (process.stdin as { unref?: () => void }).unref?.();
});

/**
 * Output queued for a slow reader beyond which the run waits (CliStream.drained). Writes to a pipe are asynchronous
 * in Node on POSIX: without a wait, everything a slower reader had not taken yet was queued in memory (the benchmark
 * capture's NDJSON piped into a reader that starts 15 s late: 846 MB). A few MB let the reader work while the next chunk
 * is analysed; files and terminals are written synchronously and never queue.
 */
const OUTPUT_QUEUE_LIMIT_BYTES = 4 * 1024 * 1024;

/** A process stream for runCli; drained() waits for 'drain' once the queue passes OUTPUT_QUEUE_LIMIT_BYTES. */
function processStream(stream: NodeJS.WriteStream): CliStream {
  return {
    write: (text: string) => {
      stream.write(text);
    },
    writeBytes: (chunk: Uint8Array, taken: () => void) => {
      // The callback comes once the stream is done with the chunk, written or failed (then the error handler ends the
      // run): either way the sink may fill it again. A file, a terminal, or a pipe with room takes the bytes before
      // write() returns (nothing queued), but calls back only on the next tick: the sink refills the chunk at once
      // then, instead of taking a new one for each 128 KiB printed until the run next waits (the table at the end of
      // --summary: 20 MB more at the peak). `taken` is idempotent.
      stream.write(chunk, () => taken());
      if (stream.writableLength === 0) taken();
    },
    drained: () => {
      if (stream.writableLength <= OUTPUT_QUEUE_LIMIT_BYTES) return undefined;
      // 'drain' comes once the queue is empty; a stream that fails or closes instead settles the wait too (its own
      // handlers say why and end the process).
      return new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          stream.off('error', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
        stream.on('error', done);
      });
    },
    isTTY: stream.isTTY === true,
    columns: stream.columns,
  };
}

// A closed pipe (tcptrace … | head) is a normal way to stop reading output, not an error: exit 0, or the run's own
// code when it is already known (a failed check piped to another command still fails). Any other write error (a
// full disk) is one line and its own exit code, never a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  process.stderr.write(`tcptrace: cannot write the output: ${err.message}\n`);
  process.exit(ExitCode.OUTPUT);
});


/** A --jobs shard on a worker thread (shard-worker.ts); V8 flags set above apply to it too. */
function startShard(request: ShardRequest, onMessage: (message: ShardMessage) => void): ShardRunner {
  releaseYoungGenerationCap();
  const worker = new Worker(new URL('./shard-worker.js', import.meta.url), { workerData: request, stdout: true, stderr: true });
  const done = new Promise<ShardDone>((resolve, reject) => {
    worker.on('message', (m: ShardMessage | ShardDone | { type: 'error'; message: string }) => {
      if (m.type === 'rows' || m.type === 'lines') onMessage(m);
      else if (m.type === 'done') resolve(m);
      else reject(new Error(m.message));
    });
    worker.on('error', reject);
    worker.on('exit', (exitCode) => reject(new Error(`thread ended early (exit code ${exitCode})`)));
  });
  // A failure is read through `done` by whoever awaits it; until then it must not count as unhandled.
  done.catch(() => {});
  let lastPrinted = 0;
  return {
    done,
    abort: () => worker.postMessage('abort'),
    stop: () => void worker.terminate(),
    // Told after each merged batch (a few hundred messages for a capture of a million packets).
    printed: (upTo) => {
      if (upTo === lastPrinted) return;
      lastPrinted = upTo;
      worker.postMessage({ printed: upTo });
    },
  };
}

const guard = heapGuard();
const code = await runCli(process.argv.slice(2), {
  stdout: processStream(process.stdout),
  stderr: processStream(process.stderr),
  stdin: standardInput(),
  env: process.env,
  readTextFile: (path) => readFile(path, 'utf8'),
  signal: controller.signal,
  afterBatch: guard,
  whilePrinting: guard === undefined ? undefined : () => guard(false, true),
  startShard,
  interfaceName,
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
