// The capture opener: reads a file path, '-' (stdin) or any byte stream and yields record batches, one per chunk.
// The only capture file that touches Node APIs (fs, process.stdin); it never awaits per packet.

import { createReadStream, fstatSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { CaptureRecord } from '../types.js';
import { CaptureError, type CaptureWarning } from './errors.js';
import { CaptureReader } from './reader.js';
import type { CaptureInfo } from './state.js';

/** A path ('-' is stdin), a Node readable stream, or any async iterable of byte chunks. */
/**
 * What a capture is read from: a file path ('-' for stdin), the whole capture's bytes (a Uint8Array or Buffer),
 * a byte stream (a Node Readable, a web ReadableStream) or any async iterable of byte chunks.
 */
export type CaptureSource = string | Uint8Array | AsyncIterable<Uint8Array> | { [Symbol.asyncIterator](): AsyncIterator<Uint8Array | string> };

export interface ReadCaptureOptions {
  /** Read size for a path source (default 1 MiB): each read becomes one batch. */
  chunkBytes?: number;
  /** Called after every chunk with the bytes read so far and the file size (null when unknown, e.g. stdin). */
  onProgress?(bytes: number, total: number | null): void;
  /**
   * For a file path: read every chunk into one reused buffer instead of a fresh one per read. Each batch's records
   * then view bytes that the next read overwrites, so the caller must be done with a batch (and must not have kept
   * any record or view of it) before asking for the next. Fresh buffers are freed only by a later garbage
   * collection, so a long capture leaves megabytes of dead read buffers waiting on the collector.
   */
  reuseBuffer?: boolean;
  /** How messages name a source that is not a path (default 'stream'), e.g. 'stdin'. */
  name?: string;
}

/** What the generator returns when the input is exhausted (or reading stopped at corruption). */
export interface CaptureSummary {
  info: CaptureInfo | null;
  warnings: CaptureWarning[];
  /** True when reading stopped at mid-file corruption (see the 'capture.corrupt' warning). */
  stopped: boolean;
  recordCount: number;
  bytesConsumed: number;
}

const DEFAULT_CHUNK_BYTES = 1 << 20;

/**
 * The error to report for input `name`: a CaptureError naming the input in what the reader found wrong with it (with
 * several captures, which one was empty?); read errors name it already, and an anonymous stream has no name.
 */
function named(name: string, err: unknown): CaptureError {
  if (!(err instanceof CaptureError)) return readError(name, err);
  if (err.code === 'E_READ' || name === 'stream') return err;
  return new CaptureError(err.code, `${name}: ${err.message}`, { offset: err.offset, cause: err });
}

/**
 * Reads a capture and yields its records in batches, one batch per input chunk (never one per packet). Throws
 * CaptureError: E_READ when the input cannot be read, the other codes when it is not a usable capture.
 */
export async function* readCaptureBatches(
  source: CaptureSource,
  opts: ReadCaptureOptions = {},
): AsyncGenerator<CaptureRecord[], CaptureSummary, undefined> {
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw Object.assign(new RangeError(`ReadCaptureOptions.chunkBytes must be a positive integer, got ${String(chunkBytes)}`), { code: 'ERR_OUT_OF_RANGE' });
  }
  const onProgress = opts.onProgress;
  let name = opts.name ?? 'stream';
  let total: number | null = null;
  let chunks: AsyncIterable<Uint8Array | string>;
  let owned: { destroy(): void } | null = null;
  if (typeof source === 'string') {
    name = source === '-' ? 'stdin' : source;
    if (source === '-') {
      chunks = standardInput();
    } else {
      try {
        const stats = await stat(source);
        if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
        total = stats.isFile() ? stats.size : null;
      } catch (err) {
        throw readError(name, err);
      }
      if (opts.reuseBuffer === true) {
        const handle = await open(source, 'r').catch((err: unknown) => {
          throw readError(name, err);
        });
        owned = { destroy: () => void handle.close().catch(() => undefined) };
        chunks = chunksInto(handle, new Uint8Array(chunkBytes), new Uint8Array(chunkBytes));
      } else {
        const stream = createReadStream(source, { highWaterMark: chunkBytes });
        owned = stream;
        chunks = stream;
      }
    }
  } else if (source instanceof Uint8Array) {
    // The capture's bytes, whole (iterating a Uint8Array would give numbers, not chunks), handed over in views of
    // chunkBytes as a file is read: one chunk of the whole capture made one batch of every record, and a caller of
    // analyze() one array of every event (1.3 KB a packet held at once, whatever it kept).
    total = source.length;
    chunks = (async function* () {
      for (let at = 0; at < source.length; at += chunkBytes) yield source.subarray(at, Math.min(source.length, at + chunkBytes));
    })();
  } else if (source !== null && typeof source === 'object' && Symbol.asyncIterator in source) {
    chunks = source as AsyncIterable<Uint8Array | string>;
  } else {
    throw new CaptureError(
      'E_READ',
      `cannot read capture from ${source === null ? 'null' : typeof source}: give a file path, '-' for stdin, the capture's bytes (Uint8Array), or a byte stream`,
    );
  }

  const reader = new CaptureReader();
  try {
    for await (const chunk of chunks) {
      if (typeof chunk === 'string') {
        throw new CaptureError(
          'E_READ',
          `cannot read capture '${name}': the stream delivers text, not bytes; do not call setEncoding() on it`,
        );
      }
      const batch: CaptureRecord[] = [];
      reader.push(chunk, batch);
      if (onProgress !== undefined) onProgress(reader.bytesConsumed, total);
      if (batch.length > 0) yield batch;
      if (reader.stopped) break;
    }
  } catch (err) {
    throw named(name, err);
  } finally {
    if (owned !== null) owned.destroy();
  }
  try {
    reader.end();
  } catch (err) {
    throw named(name, err);
  }
  return {
    info: reader.info,
    warnings: reader.warnings,
    stopped: reader.stopped,
    recordCount: reader.recordCount,
    bytesConsumed: reader.bytesConsumed,
  };
}

/**
 * Reads a file chunk by chunk into two buffers in turn, yielding a view of the bytes read each time. The next read is
 * already under way while the caller works on the current chunk (the read itself runs on libuv's thread pool):
 * awaiting each read after the batch left the main thread idle for 17% of a run. A buffer is refilled only once the
 * caller has asked for the chunk after the one it holds, which is the reuseBuffer contract.
 */
async function* chunksInto(handle: FileHandle, current: Uint8Array, spare: Uint8Array): AsyncGenerator<Uint8Array> {
  let pending = handle.read(current, 0, current.length, null);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const filled = current;
      current = spare;
      spare = filled;
      pending = handle.read(current, 0, current.length, null);
      yield filled.subarray(0, bytesRead);
    }
  } finally {
    // Let a read still in flight settle before the handle is closed (its failure no longer matters).
    await pending.catch(() => undefined);
  }
}

/**
 * The process's standard input as capture chunks. A directory given as stdin (`tcptrace - < /tmp`) reads as no bytes
 * in Node, which said "empty capture": it fails as a directory path does (EISDIR), when it is read, not before.
 */
export function standardInput(): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      let isDirectory = false;
      try {
        isDirectory = fstatSync(0).isDirectory();
      } catch {
        // No descriptor 0 to look at: the stream says what it can.
      }
      if (isDirectory) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      return (process.stdin as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    },
  };
}

/** One line for an I/O failure, with the errno code when there is one. */
function readError(name: string, err: unknown): CaptureError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const hints: Record<string, string> = {
    ENOENT: 'no such file; check the path',
    EACCES: 'permission denied; check the file permissions',
    EPERM: 'permission denied; check the file permissions',
    EISDIR: 'it is a directory; give a capture file',
  };
  const detail = hints[code] ?? `${code === '' ? '' : `${code} `}${err instanceof Error ? err.message : String(err)}`;
  return new CaptureError('E_READ', `cannot read capture '${name}': ${detail}`, { cause: err });
}
