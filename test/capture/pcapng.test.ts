// pcapng reading: byte literals, sections and interfaces, timestamp resolutions against a BigInt oracle, packet block
// kinds, skipped blocks, and every kind of damage. Section numbers refer to draft-ietf-opsawg-pcapng-02.
// Inputs are built in memory (no files); nothing here depends on tshark being installed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCaptureSync } from '../../src/capture/index.js';
import { concat, pcapng, pcapngBlock, type PcapngBlockSpec } from '../helpers/pcap-writer.js';
import { captureError, hex, plain } from './support.js';

/** Seconds and nanoseconds (truncated) of a raw timestamp, computed with BigInt only. */
function oracle(ts: bigint, base: 2 | 10, exponent: number, offsetSec: bigint): { tsSec: number; tsNsec: number } {
  const unitsPerSec = BigInt(base) ** BigInt(exponent);
  return {
    tsSec: Number(ts / unitsPerSec + offsetSec),
    tsNsec: Number(((ts % unitsPerSec) * 1_000_000_000n) / unitsPerSec),
  };
}

const SHB_LE = pcapngBlock({ type: 'shb' }, true);
const IDB_LE = pcapngBlock({ type: 'idb' }, true);
const EPB_LE = pcapngBlock({ type: 'epb', ts: 1_000_000n, data: [1, 2, 3, 4] }, true);
/** A section with one interface and one good record: damage appended after it starts at this offset. */
const GOOD = concat(SHB_LE, IDB_LE, EPB_LE);

/** A block header and trailer with arbitrary (possibly wrong) lengths, little-endian. */
function rawBlock(type: number, lenField: number, totalBytes: number, trailer = lenField): Uint8Array {
  const out = new Uint8Array(Math.max(totalBytes, 12));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, lenField, true);
  dv.setUint32(out.length - 4, trailer, true);
  return out;
}

describe('pcapng byte literals', () => {
  it('reads a little-endian SHB, IDB and EPB with the default microsecond resolution', () => {
    const bytes = hex(`
      0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000
      01000000 14000000 0100 0000 00000000 14000000
      06000000 24000000 00000000 240a0600 40222018 04000000 3c000000 deadbeef 24000000
    `);
    const { records, info, warnings } = readCaptureSync(bytes);
    expect(warnings).toEqual([]);
    expect(records.map(plain)).toEqual([
      {
        index: 1,
        tsSec: 1_700_000_000,
        tsNsec: 123_456_000,
        capLen: 4,
        origLen: 60,
        linkType: 1,
        interfaceId: 0,
        data: [0xde, 0xad, 0xbe, 0xef],
      },
    ]);
    expect(info).toEqual({
      format: 'pcapng',
      byteOrder: 'le',
      tsPrecision: 'us',
      snapLen: 0,
      linkType: 1,
      versionMajor: 1,
      versionMinor: 0,
      sectionCount: 1,
      interfaces: [
        { section: 0, id: 0, linkType: 1, snapLen: 0, tsResolution: { base: 10, exponent: 6 }, tsOffsetSec: 0 },
      ],
    });
  });

  it('reads a big-endian section with if_tsresol 9 and a timestamp above 2^53', () => {
    const bytes = hex(`
      0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c
      00000001 00000020 0065 0000 0000ffff 0009 0001 09000000 00000000 00000020
      00000006 00000024 00000000 17979cfe 3d85cd15 00000002 00000002 cafe0000 00000024
    `);
    const { records, info } = readCaptureSync(bytes);
    expect(info?.byteOrder).toBe('be');
    expect(info?.tsPrecision).toBe('ns');
    expect(info?.interfaces[0].tsResolution).toEqual({ base: 10, exponent: 9 });
    expect(records.map(plain)).toEqual([
      { index: 1, tsSec: 1_700_000_000, tsNsec: 123_456_789, capLen: 2, origLen: 2, linkType: 101, interfaceId: 0, data: [0xca, 0xfe] },
    ]);
  });
});

describe('pcapng sections and interfaces', () => {
  it('restarts interface ids in every section, and follows each section byte order (§4.1, §4.2)', () => {
    const bytes = pcapng([
      { type: 'shb', le: true },
      { type: 'idb', linkType: 1, name: 'eth0', snapLen: 65535 },
      { type: 'idb', linkType: 101, tsresol: 9, tsoffset: -3600 },
      { type: 'epb', interfaceId: 1, ts: 1_700_000_000_000_000_001n, data: [1] },
      { type: 'epb', interfaceId: 0, ts: 1_700_000_000_500_000n, data: [2, 2] },
      { type: 'shb', le: false },
      { type: 'idb', linkType: 113, tsresol: 3 },
      { type: 'epb', interfaceId: 0, ts: 1_700_000_000_250n, data: [3, 3, 3] },
      { type: 'spb', data: [4, 4, 4, 4] },
    ]);
    const { records, info, warnings } = readCaptureSync(bytes);
    expect(warnings).toEqual([]);
    expect(records.map((r) => [r.index, r.interfaceId, r.linkType, r.tsSec, r.tsNsec, Array.from(r.data)])).toEqual([
      [1, 1, 101, 1_699_996_400, 1, [1]],
      [2, 0, 1, 1_700_000_000, 500_000_000, [2, 2]],
      [3, 0, 113, 1_700_000_000, 250_000_000, [3, 3, 3]],
      [4, 0, 113, 0, 0, [4, 4, 4, 4]],
    ]);
    expect(info?.sectionCount).toBe(2);
    expect(info?.byteOrder).toBe('le');
    expect(info?.linkType).toBe(1);
    expect(info?.snapLen).toBe(65535);
    expect(info?.interfaces).toEqual([
      { section: 0, id: 0, linkType: 1, snapLen: 65535, tsResolution: { base: 10, exponent: 6 }, tsOffsetSec: 0, name: 'eth0' },
      { section: 0, id: 1, linkType: 101, snapLen: 0, tsResolution: { base: 10, exponent: 9 }, tsOffsetSec: -3600 },
      { section: 1, id: 0, linkType: 113, snapLen: 0, tsResolution: { base: 10, exponent: 3 }, tsOffsetSec: 0 },
    ]);
  });

  it('accepts an IDB that follows packets of earlier interfaces', () => {
    const { records } = readCaptureSync(
      pcapng([
        { type: 'idb', linkType: 1 },
        { type: 'epb', data: [1] },
        { type: 'idb', linkType: 228 },
        { type: 'epb', interfaceId: 1, data: [2] },
      ]),
    );
    expect(records.map((r) => r.linkType)).toEqual([1, 228]);
  });

  it('skips NRB, ISB, DSB, custom and unknown blocks, numbering only packet records', () => {
    const skipped: PcapngBlockSpec[] = [
      { type: 'raw', blockType: 4, body: [0, 0, 0, 0] },
      { type: 'raw', blockType: 5, body: new Array(20).fill(1) },
      { type: 'raw', blockType: 0x0a, body: [1, 2, 3, 4, 5] },
      { type: 'raw', blockType: 0x00000bad, body: [9, 9, 9, 9] },
      { type: 'raw', blockType: 0x40000bad },
      { type: 'raw', blockType: 0x12345678, body: new Array(64).fill(0xff) },
    ];
    const { records, warnings } = readCaptureSync(
      pcapng([{ type: 'idb' }, ...skipped, { type: 'epb', data: [1] }, ...skipped, { type: 'epb', data: [2] }, ...skipped]),
    );
    expect(warnings).toEqual([]);
    expect(records.map((r) => [r.index, r.data[0]])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('reads the obsolete Packet Block (Appendix A)', () => {
    const { records } = readCaptureSync(
      pcapng([
        { type: 'idb' },
        { type: 'idb', linkType: 101, tsresol: 3 },
        { type: 'pb', interfaceId: 1, ts: 1_500n, data: [7, 8, 9], origLen: 40 },
      ]),
    );
    expect(records.map(plain)).toEqual([
      { index: 1, tsSec: 1, tsNsec: 500_000_000, capLen: 3, origLen: 40, linkType: 101, interfaceId: 1, data: [7, 8, 9] },
    ]);
  });

  it('gives an SPB the first interface and caplen = min(origLen, snaplen, block room) (§4.4)', () => {
    const data20 = Array.from({ length: 20 }, (_, i) => i);
    const clamped = readCaptureSync(pcapng([{ type: 'idb', snapLen: 8, linkType: 101 }, { type: 'spb', data: data20 }]));
    expect(clamped.records.map(plain)).toEqual([
      { index: 1, tsSec: 0, tsNsec: 0, capLen: 8, origLen: 20, linkType: 101, interfaceId: 0, data: data20.slice(0, 8) },
    ]);
    const cut = readCaptureSync(pcapng([{ type: 'idb' }, { type: 'spb', data: data20.slice(0, 12), origLen: 1514 }]));
    expect([cut.records[0].capLen, cut.records[0].origLen]).toEqual([12, 1514]);
    const exact = readCaptureSync(pcapng([{ type: 'idb' }, { type: 'spb', data: [1, 2, 3, 4, 5] }]));
    expect(Array.from(exact.records[0].data)).toEqual([1, 2, 3, 4, 5]);
    // The block cannot say how much of its padded room is packet: a cut 5-byte packet reads as 8 bytes, as in Wireshark.
    const padded = readCaptureSync(pcapng([{ type: 'idb' }, { type: 'spb', data: [1, 2, 3, 4, 5], origLen: 100 }]));
    expect(padded.records[0].capLen).toBe(8);
  });

  it('reports an IDB option that runs past its block and keeps the options before it', () => {
    const idb = pcapngBlock(
      {
        type: 'idb',
        tsresol: 3,
        options: [{ code: 3, value: [1, 2, 3, 4] }],
      },
      true,
    );
    // Options start at byte 16: if_tsresol (4 + 4 bytes), then option 3 whose length field is at byte 26.
    new DataView(idb.buffer).setUint16(26, 200, true);
    const { records, warnings, info } = readCaptureSync(concat(SHB_LE, idb, pcapngBlock({ type: 'epb', ts: 2_000n, data: [1] }, true)));
    expect(records[0].tsSec).toBe(2);
    expect(info?.interfaces[0].tsResolution).toEqual({ base: 10, exponent: 3 });
    expect(warnings.map((w) => [w.code, w.frame, w.offset])).toEqual([['capture.bad-option', 1, 28]]);
  });

  it('warns once when an EPB caplen exceeds its original length', () => {
    const { records, warnings } = readCaptureSync(
      pcapng([
        { type: 'idb' },
        { type: 'epb', data: [1, 2, 3, 4], origLen: 2 },
        { type: 'epb', data: [1, 2, 3, 4], origLen: 2 },
      ]),
    );
    expect(records).toHaveLength(2);
    expect(warnings.map((w) => w.code)).toEqual(['capture.caplen-exceeds-origlen']);
  });

  it('keeps an EPB longer than its interface\'s snapshot length, and says so once (libpcap refuses the file there)', () => {
    const data = Array.from({ length: 54 }, (_, i) => i);
    const { records, warnings } = readCaptureSync(
      pcapng([{ type: 'idb', snapLen: 40 }, { type: 'epb', data }, { type: 'epb', data: data.slice(0, 30) }, { type: 'epb', data }]),
    );
    expect(records.map((r) => r.capLen)).toEqual([54, 30, 54]);
    expect(warnings.map((w) => [w.code, w.frame])).toEqual([['capture.beyond-snaplen', 1]]);
    expect(warnings[0]!.message).toContain('more than its interface\'s snapshot length (40); kept as read');
  });
});

describe('pcapng timestamps (§4.2 if_tsresol, if_tsoffset)', () => {
  const resolutions: Array<[number, 2 | 10, number]> = [
    [0, 10, 0],
    [3, 10, 3],
    [6, 10, 6],
    [9, 10, 9],
    [12, 10, 12],
    [19, 10, 19],
    [0x80 | 10, 2, 10],
    [0x80 | 20, 2, 20],
    [0x80 | 30, 2, 30],
    [0x80 | 64, 2, 64],
  ];

  function readOne(tsresol: number, ts: bigint, tsoffset: bigint): { tsSec: number; tsNsec: number } {
    const { records } = readCaptureSync(pcapng([{ type: 'idb', tsresol, tsoffset }, { type: 'epb', ts, data: [] }]));
    return { tsSec: records[0].tsSec, tsNsec: records[0].tsNsec };
  }

  it.each(resolutions)('if_tsresol byte %i matches the BigInt oracle at edge values', (raw, base, exponent) => {
    const unitsPerSec = BigInt(base) ** BigInt(exponent);
    const edges = [0n, 1n, unitsPerSec - 1n, unitsPerSec, (1n << 52n) - 1n, 1n << 52n, (1n << 53n) + 1n, (1n << 63n) - 1n];
    for (const ts of edges) {
      if (ts >= 1n << 64n || ts / unitsPerSec >= 1n << 53n) continue;
      expect(readOne(raw, ts, 0n), `ts ${ts}`).toEqual(oracle(ts, base, exponent, 0n));
    }
  });

  it('keeps nanoseconds exact for 64-bit values at 10^-9 (above 2^53)', () => {
    const ts = 18_446_744_073_709_551_615n;
    expect(readOne(9, ts, 0n)).toEqual({ tsSec: 18_446_744_073, tsNsec: 709_551_615 });
    expect(readOne(9, 1_700_000_000_999_999_999n, -1n)).toEqual({ tsSec: 1_699_999_999, tsNsec: 999_999_999 });
  });

  it('matches the BigInt oracle for any 64-bit timestamp, resolution and offset (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...resolutions),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: -(1n << 31n), max: 1n << 31n }),
        ([raw, base, exponent], ts, offset) => {
          fc.pre(ts / BigInt(base) ** BigInt(exponent) < 1n << 53n);
          expect(readOne(raw, ts, offset)).toEqual(oracle(ts, base, exponent, offset));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('damaged pcapng files', () => {
  const damage: Array<[string, Uint8Array]> = [
    ['a block length below 12', rawBlock(5, 8, 12)],
    ['a block length that is not a multiple of 4', rawBlock(5, 34, 36)],
    ['a block length above 256 MiB', rawBlock(5, 0x10000004, 16)],
    ['an EPB length below its fixed part', rawBlock(6, 28, 28)],
    ['a trailer length that differs', rawBlock(5, 16, 16, 20)],
    ['an EPB caplen beyond its block', pcapngBlock({ type: 'epb', data: [1, 2, 3, 4], capLen: 100 }, true)],
    ['an EPB for an undefined interface', pcapngBlock({ type: 'epb', interfaceId: 5, data: [1] }, true)],
    ['an SPB in a section without IDB', concat(SHB_LE, pcapngBlock({ type: 'spb', data: [1] }, true))],
    ['a later SHB with a bad byte-order magic', hex('0a0d0d0a 1c000000 11223344 0100 0000 ffffffffffffffff 1c000000')],
    ['a later SHB of version 2', pcapngBlock({ type: 'shb', versionMajor: 2 }, true)],
  ];

  it.each(damage)('stops at %s, keeping the records before it', (_what, bad) => {
    const bytes = concat(GOOD, bad, EPB_LE);
    const { records, warnings } = readCaptureSync(bytes);
    expect(records.map((r) => r.index)).toEqual([1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'capture.corrupt', frame: 2 });
    expect(warnings[0].message).toMatch(/^capture damaged at frame 2 \(byte offset \d+\): /);
    expect(warnings[0].offset).toBeGreaterThanOrEqual(GOOD.length);
  });

  it.each(damage)('throws E_BAD_BLOCK for %s before any record', (_what, bad) => {
    const bytes = concat(SHB_LE, IDB_LE, bad, EPB_LE);
    const err = captureError(() => readCaptureSync(bytes), 'E_BAD_BLOCK');
    expect(err.offset).toBeGreaterThanOrEqual(SHB_LE.length + IDB_LE.length);
  });

  it('rejects a first SHB with a bad byte-order magic (E_BAD_MAGIC)', () => {
    captureError(() => readCaptureSync(hex('0a0d0d0a 1c000000 11223344 0100 0000 ffffffffffffffff 1c000000')), 'E_BAD_MAGIC');
  });

  it('rejects a first section of version 2 (E_UNSUPPORTED_VERSION)', () => {
    const err = captureError(() => readCaptureSync(pcapng([{ type: 'shb', versionMajor: 2, versionMinor: 1 }])), 'E_UNSUPPORTED_VERSION');
    expect(err.message).toContain('2.1');
  });

  it('rejects a first SHB with an impossible length (E_BAD_BLOCK)', () => {
    captureError(() => readCaptureSync(hex('0a0d0d0a 0a000000 4d3c2b1a 0100 0000')), 'E_BAD_BLOCK');
    captureError(() => readCaptureSync(hex('0a0d0d0a 18000000 4d3c2b1a 0100 0000 ffffffffffffffff')), 'E_BAD_BLOCK');
  });

  it('throws E_TRUNCATED_HEADER for a file cut inside its first SHB', () => {
    for (const len of [4, 8, 12, 20, 27]) {
      const err = captureError(() => readCaptureSync(SHB_LE.subarray(0, len)), 'E_TRUNCATED_HEADER');
      expect(err.message).toContain(`only ${len} present`);
      expect(err.message).toContain(len < 12 ? 'needs at least 28 bytes' : 'needs 28 bytes');
    }
  });

  it('warns about a final packet block cut short', () => {
    const last = pcapngBlock({ type: 'epb', data: new Array(100).fill(1) }, true);
    const { records, warnings } = readCaptureSync(concat(GOOD, last.subarray(0, 50)));
    expect(records).toHaveLength(1);
    expect(warnings).toEqual([
      { code: 'capture.truncated-record', frame: 2, offset: GOOD.length, message: 'file cut short: record 2 needs 132 bytes, only 50 present' },
    ]);
  });

  it('warns about a final non-packet block, or block header, cut short', () => {
    const isb = pcapngBlock({ type: 'raw', blockType: 5, body: new Array(20).fill(0) }, true);
    expect(readCaptureSync(concat(GOOD, isb.subarray(0, 16))).warnings[0].message).toBe(
      'file cut short: block of type 0x00000005 needs 32 bytes, only 16 present',
    );
    expect(readCaptureSync(concat(GOOD, isb.subarray(0, 5))).warnings[0].message).toBe(
      'file cut short: a block header needs 12 bytes, only 5 present',
    );
  });
});
