// readCaptureBatches: paths, Node streams and async iterables give the same records as readCaptureSync, one batch
// per chunk; I/O failures become E_READ. Files go to a fresh temporary directory, never into the checkout.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CaptureError,
  readCaptureBatches,
  readCaptureSync,
  type CaptureSource,
  type CaptureSummary,
  type ReadCaptureOptions,
} from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/types.js';
import { concat, pcap, pcapng } from '../helpers/pcap-writer.js';
import { plain } from './support.js';

const CAPTURE = pcap(Array.from({ length: 40 }, (_, i) => ({ data: new Array(10 + i).fill(i), tsSec: i, tsFrac: i })));
const CAPTURE_NG = pcapng([{ type: 'idb', tsresol: 9 }, ...Array.from({ length: 20 }, (_, i) => ({ type: 'epb' as const, ts: BigInt(i) * 1_000_000_001n, data: [i, i] }))]);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tcptrace-capture-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(
  source: CaptureSource,
  opts?: ReadCaptureOptions,
): Promise<{ batches: CaptureRecord[][]; summary: CaptureSummary }> {
  const gen = readCaptureBatches(source, opts);
  const batches: CaptureRecord[][] = [];
  for (;;) {
    const step = await gen.next();
    if (step.done === true) return { batches, summary: step.value };
    batches.push(step.value);
  }
}

async function errorOf(source: CaptureSource): Promise<CaptureError> {
  try {
    await collect(source);
  } catch (err) {
    expect(err).toBeInstanceOf(CaptureError);
    return err as CaptureError;
  }
  throw new Error('expected a CaptureError');
}

describe('readCaptureBatches', () => {
  it('reads a path in chunks of chunkBytes, one batch per chunk, with progress', async () => {
    const file = path.join(dir, 'a.pcap');
    await writeFile(file, CAPTURE);
    const progress: Array<[number, number | null]> = [];
    const { batches, summary } = await collect(file, { chunkBytes: 100, onProgress: (bytes, total) => progress.push([bytes, total]) });
    expect(batches.length).toBeGreaterThan(5);
    expect(batches.flat().map(plain)).toEqual(readCaptureSync(CAPTURE).records.map(plain));
    expect(progress.at(-1)).toEqual([CAPTURE.length, CAPTURE.length]);
    expect(progress.length).toBe(Math.ceil(CAPTURE.length / 100));
    expect(summary).toMatchObject({ stopped: false, recordCount: 40, bytesConsumed: CAPTURE.length, warnings: [] });
    expect(summary.info?.format).toBe('pcap');
  });

  it('reads a Node readable stream and an async iterable of chunks', async () => {
    const pieces = [CAPTURE_NG.slice(0, 50), CAPTURE_NG.slice(50, 51), CAPTURE_NG.slice(51)];
    const fromStream = await collect(Readable.from(pieces.map((p) => Buffer.from(p))));
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (const p of pieces) yield p;
    }
    const fromIterable = await collect(chunks());
    const expected = readCaptureSync(CAPTURE_NG).records.map(plain);
    expect(fromStream.batches.flat().map(plain)).toEqual(expected);
    expect(fromIterable.batches.flat().map(plain)).toEqual(expected);
    expect(fromIterable.summary.info?.format).toBe('pcapng');
  });

  it('stops reading at mid-file corruption and says so in the summary', async () => {
    const damaged = concat(CAPTURE, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), CAPTURE.subarray(24));
    const file = path.join(dir, 'damaged.pcap');
    await writeFile(file, damaged);
    const { batches, summary } = await collect(file, { chunkBytes: 64 });
    expect(batches.flat()).toHaveLength(40);
    expect(summary.stopped).toBe(true);
    expect(summary.warnings.map((w) => w.code)).toEqual(['capture.corrupt']);
    expect(summary.bytesConsumed).toBeLessThan(damaged.length);
  });

  it('reports a truncated final record in the summary', async () => {
    const { summary } = await collect(Readable.from([Buffer.from(CAPTURE.subarray(0, CAPTURE.length - 3))]));
    expect(summary.recordCount).toBe(39);
    expect(summary.warnings.map((w) => w.code)).toEqual(['capture.truncated-record']);
  });

  it('closes the file when the consumer stops early', async () => {
    const file = path.join(dir, 'early.pcap');
    await writeFile(file, CAPTURE);
    let batches = 0;
    for await (const batch of readCaptureBatches(file, { chunkBytes: 64 })) {
      batches += batch.length > 0 ? 1 : 0;
      break;
    }
    expect(batches).toBe(1);
    await rm(file);
  });

  it('throws E_READ for a missing file or a directory', async () => {
    const missing = await errorOf(path.join(dir, 'nope.pcap'));
    expect(missing.code).toBe('E_READ');
    expect(missing.message).toContain('no such file');
    const sub = path.join(dir, 'sub');
    await mkdir(sub);
    const isDir = await errorOf(sub);
    expect(isDir.code).toBe('E_READ');
    expect(isDir.message).toContain('directory');
  });

  it('throws E_READ for a stream that delivers text or fails', async () => {
    const text = Readable.from(['not bytes']);
    expect((await errorOf(text)).code).toBe('E_READ');
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('device gone'), { code: 'EIO' }));
      },
    });
    const err = await errorOf(failing);
    expect(err.code).toBe('E_READ');
    expect(err.message).toContain('EIO');
  });

  it('passes container errors through (E_BAD_MAGIC, E_EMPTY)', async () => {
    const file = path.join(dir, 'notes.txt');
    await writeFile(file, 'hello, not a capture');
    expect((await errorOf(file)).code).toBe('E_BAD_MAGIC');
    const empty = path.join(dir, 'empty.pcap');
    await writeFile(empty, new Uint8Array(0));
    expect((await errorOf(empty)).code).toBe('E_EMPTY');
  });
});
