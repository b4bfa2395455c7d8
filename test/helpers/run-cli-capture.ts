// Runs runCli in-process with captured stdout/stderr, for golden and scenario tests (TZ is pinned by vitest config).
// Test-only helper: never used by the package itself.
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { runCli, runShard, type CliIo } from '../../src/cli/run-cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * With `inProcessShards`, --jobs shards run as runShard in this thread (interleaved at each read) instead of worker
 * threads: the same messages and merge, visible to coverage and debuggers.
 */
export async function runCliCaptured(
  argv: string[],
  opts: {
    stdin?: Uint8Array;
    env?: Record<string, string>;
    inProcessShards?: boolean;
    onShard?: () => void;
    /** The shard of this index fails (as a thread that dies) after delivering this many messages. */
    crashShard?: { index: number; afterMessages: number };
    /** CliIo.afterBatch, called with what stdout holds so far. */
    afterBatch?: (inputDone: boolean, stdoutSoFar: string) => void;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const shardIo: CliIo = {
    stdout: { write: () => {} },
    stderr: { write: () => {} },
    stdin: Readable.from([]),
    env: {},
    readTextFile: (p) => readFile(p, 'utf8'),
    interfaceName: (i) => (i === 1 ? 'lo' : undefined),
  };
  const code = await runCli(argv, {
    startShard: opts.inProcessShards
      ? (request, onRows) => {
          opts.onShard?.();
          const controller = new AbortController();
          const crash = opts.crashShard?.index === request.index ? opts.crashShard.afterMessages : Infinity;
          let sent = 0;
          let crashed!: (err: Error) => void;
          const dies = new Promise<never>((_, reject) => {
            crashed = reject;
          });
          // Through a structured clone, as a worker's messages are. A crashed shard's messages keep coming for a
          // while, as a terminated worker's queued messages do.
          const done = Promise.race([
            runShard(request, { ...shardIo, signal: controller.signal }, (m) => {
              onRows(structuredClone(m));
              if (++sent === crash) crashed(new Error('thread ended early (exit code 1)'));
            }).then((d) => structuredClone(d)),
            dies,
          ]);
          done.catch(() => {});
          return { done, abort: () => controller.abort(), stop: () => controller.abort() };
        }
      : undefined,
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    afterBatch: opts.afterBatch ? (inputDone) => opts.afterBatch!(inputDone === true, stdout) : undefined,
    stdin: Readable.from(opts.stdin ? [opts.stdin] : []),
    env: opts.env ?? {},
    readTextFile: (p) => readFile(p, 'utf8'),
    // Goldens must not depend on this machine's interfaces: index 1 is the loopback on every Linux host.
    interfaceName: (i) => (i === 1 ? 'lo' : undefined),
    fileSize: (p) => {
      try {
        const st = statSync(p);
        return st.isFile() ? st.size : null;
      } catch {
        return null;
      }
    },
  });
  return { code, stdout, stderr };
}
