// Throughput of the capture reader on a large synthetic capture; runs only with TCPTRACE_BENCH=1 (it is slow).
// Prints records/s and MB/s; asserts nothing about speed (machines differ), only that every record was read.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureReader, readCaptureBatches } from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/types.js';
import { concat, pcap, pcapng, type PcapRecordSpec } from '../helpers/pcap-writer.js';

/** Records per run, a multiple of the 10 000-record block the synthetic file repeats. */
const RECORDS = Math.max(1, Math.round(Number(process.env.TCPTRACE_BENCH_RECORDS ?? 2_000_000) / 10_000)) * 10_000;
const CHUNK_BYTES = 1 << 20;

/** Frame sizes of a bulk TCP transfer: full segments, ACKs, a few mid-size ones (mean 676 bytes). */
const BULK_SIZES = [1514, 66, 66, 1514, 590, 66, 1514, 66];
/** Frame sizes of ACK-only traffic: the most records per byte. */
const ACK_SIZES = [66];

/**
 * A synthetic capture cycling through `sizes`: one block of records is
 * built with the writer, then repeated, since building millions of records one by one would dominate the run.
 */
function synthetic(format: 'pcap' | 'pcapng', count: number, sizes: readonly number[] = BULK_SIZES): Uint8Array {
  const block = 10_000;
  const recs: PcapRecordSpec[] = [];
  for (let i = 0; i < block; i++) recs.push({ data: new Uint8Array(sizes[i % sizes.length]).fill(0xab), tsSec: 1_700_000_000 + i, tsFrac: i });
  const header = format === 'pcap' ? 24 : 28 + 32; // pcapng: SHB, then the IDB with its if_tsresol option
  const file =
    format === 'pcap'
      ? pcap(recs)
      : pcapng([
          { type: 'idb', tsresol: 6 },
          ...recs.map((r) => ({ type: 'epb' as const, ts: BigInt(r.tsSec ?? 0) * 1_000_000n + BigInt(r.tsFrac ?? 0), data: r.data })),
        ]);
  const body = file.subarray(header);
  const pieces: Uint8Array[] = [file.subarray(0, header)];
  for (let n = 0; n < count; n += block) pieces.push(body);
  return concat(...pieces);
}

describe.runIf(process.env.TCPTRACE_BENCH === '1')('capture reader throughput', () => {
  for (const [format, mix, sizes] of [
    ['pcap', 'bulk', BULK_SIZES],
    ['pcapng', 'bulk', BULK_SIZES],
    ['pcap', 'ack', ACK_SIZES],
    ['pcapng', 'ack', ACK_SIZES],
  ] as const) {
    it(`${format} ${mix}: ${RECORDS} records in ${CHUNK_BYTES}-byte chunks`, () => {
      const file = synthetic(format, RECORDS, sizes);
      let best = Infinity;
      for (let round = 0; round < 5; round++) {
        const reader = new CaptureReader();
        let count = 0;
        const t0 = process.hrtime.bigint();
        for (let at = 0; at < file.length; at += CHUNK_BYTES) {
          const batch: CaptureRecord[] = [];
          reader.push(file.subarray(at, at + CHUNK_BYTES), batch);
          count += batch.length;
        }
        reader.end();
        const sec = Number(process.hrtime.bigint() - t0) / 1e9;
        expect(count).toBe(RECORDS);
        best = Math.min(best, sec);
      }
      const mb = file.length / 1e6;
      console.log(
        `${format} ${mix} in memory: ${RECORDS} records, ${mb.toFixed(0)} MB in ${(best * 1000).toFixed(0)} ms: ` +
          `${(RECORDS / best / 1e6).toFixed(2)} M records/s, ${(mb / best).toFixed(0)} MB/s (best of 5)`,
      );
    });
  }

  it(`pcap file through readCaptureBatches: ${RECORDS} records`, async () => {
    const file = synthetic('pcap', RECORDS);
    const dir = await mkdtemp(path.join(tmpdir(), 'tcptrace-bench-'));
    const name = path.join(dir, 'bench.pcap');
    try {
      await writeFile(name, file);
      let best = Infinity;
      for (let round = 0; round < 3; round++) {
        let count = 0;
        const t0 = process.hrtime.bigint();
        for await (const batch of readCaptureBatches(name)) count += batch.length;
        const sec = Number(process.hrtime.bigint() - t0) / 1e9;
        expect(count).toBe(RECORDS);
        best = Math.min(best, sec);
      }
      const mb = file.length / 1e6;
      console.log(
        `pcap file: ${RECORDS} records, ${mb.toFixed(0)} MB in ${(best * 1000).toFixed(0)} ms: ` +
          `${(RECORDS / best / 1e6).toFixed(2)} M records/s, ${(mb / best).toFixed(0)} MB/s (best of 3, page cache warm)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
