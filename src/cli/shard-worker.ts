// A worker thread of `tcptrace --jobs N` (--summary or the timeline): runs runShard for the shard it is given and posts
// its rows, lines and result to the main thread. Prints nothing: the main thread prints, warnings and errors too.

import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type CliStream } from './run-cli.js';
import { heapGuard } from './heap-guard.js';
import { interfaceName } from './interfaces.js';
import type { ShardRequest } from './shards.js';

const port = parentPort!;
const controller = new AbortController();
let printedListener: ((upTo: number) => void) | null = null;
port.on('message', (m: unknown) => {
  if (m === 'abort') controller.abort();
  else if (typeof m === 'object' && m !== null && 'printed' in m) printedListener?.((m as { printed: number }).printed);
});

const silent: CliStream = { write: () => {} };
try {
  const done = await runShard(
    workerData as ShardRequest,
    {
      stdout: silent,
      stderr: silent,
      stdin: (async function* () {})(),
      env: process.env,
      readTextFile: (path) => readFile(path, 'utf8'),
      signal: controller.signal,
      interfaceName,
      // A share of the connections lives here: a share of the main thread's 64 MB floor (2 threads: 252 instead of
      // 275 MB peak on the benchmark capture, same time). The young generation is not capped here: the growth factor
      // that caps it is one flag for the whole process, and the first shard to reach the cap would freeze the others'
      // wherever they are.
      afterBatch: heapGuard(Math.max(16, 64 / (workerData as ShardRequest).count) * 1024 * 1024, Infinity),
    },
    // A batch's bytes move to the main thread instead of being copied.
    (message) => port.postMessage(message, message.type === 'lines' ? [message.bytes.buffer as ArrayBuffer] : []),
    (listener) => {
      printedListener = listener;
    },
  );
  port.postMessage(done);
} catch (err) {
  port.postMessage({ type: 'error', message: (err as Error)?.message ?? String(err) });
}
// The listener above would keep the thread alive: the main thread ends it once it has the result.
