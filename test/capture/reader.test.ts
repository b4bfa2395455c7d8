// The chunk reader: format sniffing and its errors, identical results however the input is cut into chunks,
// views versus copies of packet data, and a fuzz test that nothing but CaptureError ever escapes.
// Format details belong in pcap.test.ts and pcapng.test.ts, not here.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureError, CaptureReader, readCaptureSync } from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/types.js';
import { concat, pcap, pcapng, pcapngBlock } from '../helpers/pcap-writer.js';
import { captureError, hex, readSplit, type ReadResult } from './support.js';

const bytesOf = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

const PCAP_LE = pcap([
  { data: bytesOf(17, 1), tsSec: 100, tsFrac: 1, origLen: 60 },
  { data: [], tsSec: 101, tsFrac: 2 },
  { data: bytesOf(1, 3), tsSec: 102, tsFrac: 999_999 },
  { data: bytesOf(64, 4), tsSec: 103, tsFrac: 1_000_000 },
  { data: bytesOf(3, 5), tsSec: 104, tsFrac: 5, origLen: 2 },
]);
const PCAP_BE_NS = pcap(
  [
    { data: bytesOf(9, 6), tsSec: 1, tsFrac: 999_999_999 },
    { data: bytesOf(40, 7), tsSec: 2, tsFrac: 0 },
  ],
  { le: false, nano: true },
);
const PCAPNG = pcapng([
  { type: 'shb', options: [{ code: 4, value: [0x74, 0x65, 0x73, 0x74] }] },
  { type: 'idb', linkType: 1, name: 'eth0' },
  { type: 'raw', blockType: 4, body: bytesOf(10, 8) },
  { type: 'idb', linkType: 101, tsresol: 9, tsoffset: 7 },
  { type: 'epb', interfaceId: 1, ts: 1_700_000_000_123_456_789n, data: bytesOf(33, 9) },
  { type: 'spb', data: bytesOf(8, 10) },
  { type: 'pb', interfaceId: 0, ts: 5_000_001n, data: bytesOf(2, 11) },
  { type: 'raw', blockType: 5, body: bytesOf(24, 12) },
  { type: 'shb', le: false },
  { type: 'idb', linkType: 113, tsresol: 0x80 | 20 },
  { type: 'epb', ts: 3n << 20n, data: bytesOf(5, 13), origLen: 1514 },
  { type: 'epb', data: [], origLen: 0 },
]);
/** Damaged at record 3 (caplen beyond 256 MiB). */
const PCAP_CORRUPT = concat(pcap([{ data: bytesOf(5, 1) }, { data: bytesOf(7, 2) }]), hex('00000000 00000000 ffffff7f 10000000 01020304'));
const PCAPNG_CORRUPT = concat(PCAPNG, hex('05000000 22000000 00000000'));
const PCAP_TRUNCATED = PCAP_LE.subarray(0, PCAP_LE.length - 30);
const PCAPNG_TRUNCATED = PCAPNG.subarray(0, PCAPNG.length - 6);

const SAMPLES: Array<[string, Uint8Array]> = [
  ['pcap LE µs', PCAP_LE],
  ['pcap BE ns', PCAP_BE_NS],
  ['pcapng, two sections', PCAPNG],
  ['pcap damaged mid-file', PCAP_CORRUPT],
  ['pcapng damaged mid-file', PCAPNG_CORRUPT],
  ['pcap cut short', PCAP_TRUNCATED],
  ['pcapng cut short', PCAPNG_TRUNCATED],
];

/** The read result, or the error code and message when the read throws. */
function outcome(bytes: Uint8Array, cuts: readonly number[]): ReadResult | { error: string; message: string } {
  try {
    return readSplit(bytes, cuts);
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    return { error: err.code, message: err.message };
  }
}

describe('sniffing and container errors', () => {
  it('throws E_EMPTY for no bytes at all', () => {
    captureError(() => readCaptureSync(new Uint8Array(0)), 'E_EMPTY');
    const reader = new CaptureReader();
    reader.push(new Uint8Array(0), []);
    captureError(() => reader.end(), 'E_EMPTY');
  });

  it('throws E_BAD_MAGIC from push() as soon as four foreign bytes arrive', () => {
    const reader = new CaptureReader();
    reader.push(hex('dead'), []);
    const err = captureError(() => reader.push(hex('beef 00000000'), []), 'E_BAD_MAGIC');
    expect(err.message).toMatch(/^not a pcap or pcapng file: it starts with de ad be ef; /);
  });

  it('names common non-capture inputs', () => {
    expect(captureError(() => readCaptureSync(hex('1f8b0800 00000000')), 'E_BAD_MAGIC').message).toContain('gunzip');
    expect(captureError(() => readCaptureSync(hex('28b52ffd 00')), 'E_BAD_MAGIC').message).toContain('zstd');
    expect(captureError(() => readCaptureSync(new TextEncoder().encode('12:00:01.000000 IP 10.0.0.1 > ')), 'E_BAD_MAGIC').message).toContain(
      'text',
    );
  });

  it('tells a short start of a magic number (truncated) from foreign bytes', () => {
    captureError(() => readCaptureSync(hex('d4c3')), 'E_TRUNCATED_HEADER');
    captureError(() => readCaptureSync(hex('0a0d0d')), 'E_TRUNCATED_HEADER');
    captureError(() => readCaptureSync(hex('a1')), 'E_TRUNCATED_HEADER');
    captureError(() => readCaptureSync(hex('0001')), 'E_BAD_MAGIC');
    expect(captureError(() => readCaptureSync(hex('1f8b')), 'E_BAD_MAGIC').message).toContain('gzip');
  });

  it('sniffs pcapng regardless of the file name (content decides)', () => {
    expect(readCaptureSync(PCAPNG).info?.format).toBe('pcapng');
    expect(readCaptureSync(PCAP_LE).info?.format).toBe('pcap');
  });
});

describe('chunking never changes the result', () => {
  it.each(SAMPLES)('%s: split into two chunks at every byte offset', (_name, bytes) => {
    const whole = outcome(bytes, []);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(outcome(bytes, [cut]), `cut at ${cut}`).toEqual(whole);
    }
  });

  it.each(SAMPLES)('%s: one byte at a time', (_name, bytes) => {
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(outcome(bytes, cuts)).toEqual(outcome(bytes, []));
  });

  it('gives the expected records for the samples (so the comparisons above are not vacuous)', () => {
    const le = readSplit(PCAP_LE, []);
    expect(le.records.map((r) => [r.index, r.capLen, r.tsNsec])).toEqual([
      [1, 17, 1000],
      [2, 0, 2000],
      [3, 1, 999_999_000],
      [4, 64, 1_000_000_000],
      [5, 3, 5000],
    ]);
    expect(le.warnings.map((w) => w.code)).toEqual(['capture.bad-timestamp', 'capture.caplen-exceeds-origlen']);
    const ng = readSplit(PCAPNG, []);
    expect(ng.records.map((r) => [r.index, r.linkType, r.interfaceId, r.tsSec, r.tsNsec, r.capLen])).toEqual([
      [1, 101, 1, 1_700_000_007, 123_456_789, 33],
      [2, 1, 0, 0, 0, 8],
      [3, 1, 0, 5, 1000, 2],
      [4, 113, 0, 3, 0, 5],
      [5, 113, 0, 0, 0, 0],
    ]);
    expect(readSplit(PCAP_CORRUPT, []).stopped).toBe(true);
    expect(readSplit(PCAPNG_CORRUPT, []).records).toHaveLength(5);
    expect(readSplit(PCAP_TRUNCATED, []).warnings.map((w) => w.code)).toContain('capture.truncated-record');
    expect(readSplit(PCAPNG_TRUNCATED, []).warnings.map((w) => w.code)).toEqual(['capture.truncated-record']);
  });

  it('holds for container errors too (E_TRUNCATED_HEADER, E_BAD_BLOCK, E_BAD_MAGIC)', () => {
    const inputs = [
      PCAPNG.subarray(0, 20),
      concat(pcap([]), hex('00000000 00000000 ffffff7f 10000000')),
      hex('0a0d0d0a 1c000000 11223344 0100 0000 ffffffffffffffff 1c000000'),
      hex('7f454c46 02010100'),
    ];
    for (const bytes of inputs) {
      const whole = outcome(bytes, []);
      expect(whole).toHaveProperty('error');
      for (let cut = 0; cut <= bytes.length; cut++) expect(outcome(bytes, [cut])).toEqual(whole);
    }
  });

  it('holds for random chunkings (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(fc.nat(), { maxLength: 12 }), ([, bytes], raw) => {
        const cuts = [...new Set(raw.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
        expect(outcome(bytes, cuts)).toEqual(outcome(bytes, []));
      }),
      { numRuns: 300 },
    );
  });
});

describe('packet data: views, copies and chunk types', () => {
  it('gives views of the chunk for records inside it', () => {
    const chunk = PCAP_LE.slice();
    const out: CaptureRecord[] = [];
    const reader = new CaptureReader();
    reader.push(chunk, out);
    expect(out[0].data.buffer).toBe(chunk.buffer);
    expect(out[0].data.byteOffset).toBe(24 + 16);
    expect(out[3].data.buffer).toBe(chunk.buffer);
  });

  it('copies only a record that straddles two chunks, and never reuses that copy', () => {
    const bytes = PCAP_LE.slice();
    const cut = 24 + 16 + 8; // inside record 1's data
    const first = bytes.slice(0, cut);
    const second = bytes.slice(cut);
    const out: CaptureRecord[] = [];
    const reader = new CaptureReader();
    reader.push(first, out);
    expect(out).toEqual([]);
    reader.push(second, out);
    expect(out[0].data.buffer).not.toBe(first.buffer);
    expect(out[0].data.buffer).not.toBe(second.buffer);
    expect(out[1].data.buffer).toBe(second.buffer);
    const copy = Array.from(out[0].data);
    // Another straddling record must not land in the first one's buffer.
    const more = pcap([{ data: bytesOf(50, 99) }]).subarray(24);
    reader.push(more.slice(0, 30), out);
    reader.push(more.slice(30), out);
    expect(Array.from(out[0].data)).toEqual(copy);
    expect(Array.from(out[5].data)).toEqual(bytesOf(50, 99));
  });

  it('turns Buffer chunks into plain Uint8Array views without copying', () => {
    const buf = Buffer.from(PCAP_LE);
    const out: CaptureRecord[] = [];
    const reader = new CaptureReader();
    reader.push(buf, out);
    expect(out[0].data.constructor).toBe(Uint8Array);
    expect(out[0].data.buffer).toBe(buf.buffer);
  });
});

describe('reader state', () => {
  it('tracks info, bytesConsumed and recordCount as chunks arrive', () => {
    const reader = new CaptureReader();
    const out: CaptureRecord[] = [];
    expect(reader.info).toBeNull();
    reader.push(PCAP_LE.subarray(0, 10), out);
    expect(reader.info).toBeNull();
    reader.push(PCAP_LE.subarray(10, 60), out);
    expect(reader.info?.format).toBe('pcap');
    expect(reader.bytesConsumed).toBe(60);
    expect(reader.recordCount).toBe(1);
    reader.push(PCAP_LE.subarray(60), out);
    reader.end();
    expect(reader.recordCount).toBe(5);
    expect(reader.bytesConsumed).toBe(PCAP_LE.length);
  });

  it('ignores bytes after corruption (still counting them) and after end()', () => {
    const reader = new CaptureReader();
    const out: CaptureRecord[] = [];
    reader.push(PCAP_CORRUPT, out);
    expect(reader.stopped).toBe(true);
    reader.push(pcap([{ data: [1] }]).subarray(24), out);
    expect(out).toHaveLength(2);
    expect(reader.bytesConsumed).toBe(PCAP_CORRUPT.length + 17);
    reader.end();
    reader.end();
    expect(reader.warnings.map((w) => w.code)).toEqual(['capture.corrupt']);

    const done = new CaptureReader();
    done.push(PCAP_LE, []);
    done.end();
    const late: CaptureRecord[] = [];
    done.push(pcap([{ data: [1] }]).subarray(24), late);
    expect(late).toEqual([]);
  });

  it('handles a pcapng that switches byte order between sections across chunk cuts', () => {
    const second = pcapng([{ type: 'shb', le: false }, { type: 'idb' }, { type: 'epb', data: [9] }]);
    const bytes = concat(PCAPNG, second);
    const whole = readSplit(bytes, []);
    expect(whole.records.at(-1)?.data).toEqual([9]);
    expect(whole.info?.sectionCount).toBe(3);
    expect(readSplit(bytes, [PCAPNG.length + 2, PCAPNG.length + 9])).toEqual(whole);
  });
});

describe('fuzz: damaged input never throws anything but CaptureError, and chunking still does not matter', () => {
  const bases = [PCAP_LE, PCAP_BE_NS, PCAPNG, concat(pcapngBlock({ type: 'shb' }, true), pcapngBlock({ type: 'idb' }, true))];
  it('survives random byte changes and cuts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 5 }),
        (base, edits, cutAt, rawCuts) => {
          const bytes = base.slice(0, Math.max(1, base.length - (cutAt % 8 === 0 ? cutAt % base.length : 0)));
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const whole = outcome(bytes, []);
          if (!('error' in whole)) {
            whole.records.forEach((r, i) => {
              expect(r.index).toBe(i + 1);
              expect(r.data.length).toBe(r.capLen);
            });
          }
          const cuts = [...new Set(rawCuts.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
          expect(outcome(bytes, cuts)).toEqual(whole);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
