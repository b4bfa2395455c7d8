// Several captures merge by timestamp into one record sequence, renumbered, stable on ties (as mergecap).
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { mergedBatches } from '../../src/capture/merge.js';
import { pcap } from '../helpers/pcap-writer.js';
import type { CaptureRecord } from '../../src/types.js';

async function collect(sources: Uint8Array[]): Promise<{ records: CaptureRecord[]; damaged: boolean; warnings: number }> {
  const gen = mergedBatches(sources.map((bytes, i) => ({ name: `f${i}`, source: Readable.from([bytes]) })));
  const records: CaptureRecord[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { records, damaged: next.value.damaged, warnings: next.value.warnings.length };
    records.push(...next.value.records);
  }
}

const rec = (tsSec: number, tsFrac: number, tag: number) => ({ data: [tag], tsSec, tsFrac });

describe('mergedBatches', () => {
  it('passes a single capture through with its own frame numbers', async () => {
    const { records } = await collect([pcap([rec(10, 5, 1), rec(9, 0, 2)])]);
    expect(records.map((r) => [r.index, r.data[0]])).toEqual([[1, 1], [2, 2]]);
  });

  it('interleaves rotated files by timestamp and renumbers frames in merged order', async () => {
    const a = pcap([rec(1, 0, 0xa1), rec(3, 0, 0xa2), rec(5, 0, 0xa3)]);
    const b = pcap([rec(2, 0, 0xb1), rec(4, 0, 0xb2)], { nano: true });
    const { records } = await collect([b, a]);
    expect(records.map((r) => r.data[0])).toEqual([0xa1, 0xb1, 0xa2, 0xb2, 0xa3]);
    expect(records.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('puts the later source first on equal timestamps, as mergecap 4.0, and compares nanoseconds', async () => {
    const a = pcap([rec(1, 500, 1), rec(1, 999, 2)]);
    const b = pcap([rec(1, 500, 3), rec(1, 600, 4)]);
    const { records } = await collect([a, b]);
    expect(records.map((r) => r.data[0])).toEqual([3, 1, 4, 2]);
    // Three sources tied: last to first.
    const three = await collect([pcap([rec(1, 0, 1)]), pcap([rec(1, 0, 2)]), pcap([rec(1, 0, 3)])]);
    expect(three.records.map((r) => r.data[0])).toEqual([3, 2, 1]);
  });

  it('reports a truncated source with its name and still merges what it has', async () => {
    const whole = pcap([rec(1, 0, 1), rec(2, 0, 2)]);
    const cut = whole.subarray(0, whole.length - 1);
    const { records, warnings } = await collect([cut, pcap([rec(1, 5, 9)])]);
    expect(records.map((r) => r.data[0])).toEqual([1, 9]);
    expect(warnings).toBe(1);
  });
});
