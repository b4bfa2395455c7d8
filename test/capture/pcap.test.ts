// Classic pcap reading: hand-written byte literals first, then writer-built variants, odd records and damage.
// Each test names the draft-ietf-opsawg-pcap or libpcap behaviour it pins; inputs are built in memory, no files.

import { describe, expect, it } from 'vitest';
import { CaptureReader, readCaptureSync } from '../../src/capture/index.js';
import type { CaptureRecord } from '../../src/types.js';
import { concat, pcap } from '../helpers/pcap-writer.js';
import { captureError, hex, plain } from './support.js';

describe('pcap byte literals', () => {
  it('reads a little-endian microsecond file', () => {
    const bytes = hex(`
      d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
      00f15365 40e20100 04000000 3c000000 deadbeef
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
      format: 'pcap',
      byteOrder: 'le',
      tsPrecision: 'us',
      snapLen: 65535,
      linkType: 1,
      versionMajor: 2,
      versionMinor: 4,
      variant: 'standard',
      sectionCount: 1,
      interfaces: [
        { section: 0, id: 0, linkType: 1, snapLen: 65535, tsResolution: { base: 10, exponent: 6 }, tsOffsetSec: 0 },
      ],
    });
  });

  it('reads a big-endian nanosecond file', () => {
    const bytes = hex(`
      a1b23c4d 0002 0004 00000000 00000000 00040000 00000065
      6553f100 3b9ac9ff 00000002 00000002 cafe
      6553f101 00000000 00000000 00000040
    `);
    const { records, info } = readCaptureSync(bytes);
    expect(info?.byteOrder).toBe('be');
    expect(info?.tsPrecision).toBe('ns');
    expect(info?.linkType).toBe(101);
    expect(info?.snapLen).toBe(262144);
    expect(records.map(plain)).toEqual([
      { index: 1, tsSec: 1_700_000_000, tsNsec: 999_999_999, capLen: 2, origLen: 2, linkType: 101, interfaceId: 0, data: [0xca, 0xfe] },
      { index: 2, tsSec: 1_700_000_001, tsNsec: 0, capLen: 0, origLen: 64, linkType: 101, interfaceId: 0, data: [] },
    ]);
  });

  it('masks the FCS bits out of the link-type field (draft-ietf-opsawg-pcap §4)', () => {
    // P bit set, FCS len 2 (16-bit words), reserved bits set too: the link type is still the low 16 bits.
    const bytes = hex(`d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01007f24`);
    const { info } = readCaptureSync(bytes);
    expect(info?.linkType).toBe(1);
    expect(info?.fcsLenBytes).toBe(4);
  });

  it('reads a header-only file as zero records', () => {
    const { records, warnings } = readCaptureSync(pcap([]));
    expect(records).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('pcap variants built with the writer', () => {
  const specs = [
    { data: [1, 2, 3], tsSec: 10, tsFrac: 5, origLen: 3 },
    { data: [], tsSec: 11, tsFrac: 0, origLen: 1514 },
    { data: Array.from({ length: 300 }, (_, i) => i & 0xff), tsSec: 4_294_967_295, tsFrac: 999_999, origLen: 1500 },
  ];
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      it(`${le ? 'little' : 'big'}-endian, ${nano ? 'nanosecond' : 'microsecond'}`, () => {
        const { records, info, warnings } = readCaptureSync(pcap(specs, { le, nano, linkType: 113, snapLen: 1500 }));
        expect(warnings).toEqual([]);
        expect(info?.byteOrder).toBe(le ? 'le' : 'be');
        expect(info?.tsPrecision).toBe(nano ? 'ns' : 'us');
        expect(records.map(plain)).toEqual(
          specs.map((s, i) => ({
            index: i + 1,
            tsSec: s.tsSec,
            tsNsec: nano ? s.tsFrac : s.tsFrac * 1000,
            capLen: s.data.length,
            origLen: s.origLen,
            linkType: 113,
            interfaceId: 0,
            data: s.data,
          })),
        );
      });
    }
  }

  it('reads the Kuznetzov modified format (magic a1b2cd34, 24-byte record headers)', () => {
    for (const le of [true, false]) {
      const { records, info } = readCaptureSync(pcap(specs, { le, modified: true }));
      expect(info?.variant).toBe('modified');
      expect(records.map((r) => Array.from(r.data))).toEqual(specs.map((s) => s.data));
      expect(records[2].tsNsec).toBe(999_999_000);
    }
  });

  it('swaps caplen and len before version 2.3, and in 2.3 only when caplen > len (libpcap sf-pcap.c)', () => {
    const recs = [{ data: [1, 2], origLen: 60 }];
    for (const [major, minor] of [
      [2, 2],
      [2, 0],
      [543, 0],
    ]) {
      const r = readCaptureSync(pcap(recs, { versionMajor: major, versionMinor: minor, swapLengths: true })).records;
      expect([r[0].capLen, r[0].origLen, r[0].data.length]).toEqual([2, 60, 2]);
    }
    const swapped23 = readCaptureSync(pcap(recs, { versionMinor: 3, swapLengths: true })).records;
    expect([swapped23[0].capLen, swapped23[0].origLen]).toEqual([2, 60]);
    const normal23 = readCaptureSync(pcap(recs, { versionMinor: 3 })).records;
    expect([normal23[0].capLen, normal23[0].origLen]).toEqual([2, 60]);
  });
});

describe('odd pcap records are kept and reported once', () => {
  it('keeps a microsecond field >= 1e6 as read (tsNsec >= 1e9) with one capture.bad-timestamp warning', () => {
    const bytes = pcap([
      { data: [1], tsSec: 5, tsFrac: 999_999 },
      { data: [2], tsSec: 5, tsFrac: 1_000_000 },
      { data: [3], tsSec: 5, tsFrac: 0x80000000 },
    ]);
    const { records, warnings } = readCaptureSync(bytes);
    expect(records.map((r) => r.tsNsec)).toEqual([999_999_000, 1_000_000_000, 2_147_483_648_000]);
    expect(records.map((r) => r.tsSec)).toEqual([5, 5, 5]);
    expect(warnings).toEqual([
      {
        code: 'capture.bad-timestamp',
        frame: 2,
        offset: 24 + 17,
        message: 'record 2 has 1000000 microseconds in its sub-second field (must be below 1000000); kept as read, as tcpdump does',
      },
    ]);
  });

  it('keeps a nanosecond field >= 1e9 as read', () => {
    const { records, warnings } = readCaptureSync(pcap([{ data: [1], tsFrac: 1_000_000_000 }], { nano: true }));
    expect(records[0].tsNsec).toBe(1_000_000_000);
    expect(warnings.map((w) => w.code)).toEqual(['capture.bad-timestamp']);
  });

  it('keeps a record whose caplen exceeds its length by a plausible amount', () => {
    const { records, warnings } = readCaptureSync(
      pcap([
        { data: [1, 2, 3, 4], origLen: 2 },
        { data: [5, 6, 7], origLen: 1 },
      ]),
    );
    expect(records.map((r) => [r.capLen, r.origLen])).toEqual([
      [4, 2],
      [3, 1],
    ]);
    expect(warnings.map((w) => [w.code, w.frame])).toEqual([['capture.caplen-exceeds-origlen', 1]]);
  });

  it('cuts a record longer than the file\'s snapshot length to it, as libpcap does (tcpdump prints what is left)', () => {
    const data = Array.from({ length: 54 }, (_, i) => i);
    const cut = readCaptureSync(pcap([{ data }, { data: data.slice(0, 30) }, { data }], { snapLen: 40 }));
    expect(cut.records.map((r) => [r.capLen, r.origLen, r.data.length, r.data[39]])).toEqual([[40, 54, 40, 39], [30, 30, 30, undefined], [40, 54, 40, 39]]);
    expect(cut.warnings.map((w) => [w.code, w.frame])).toEqual([['capture.beyond-snaplen', 1]]);
    // A snapshot length of 0, or above the link type's maximum, is that maximum (pcap_adjust_snapshot).
    for (const snapLen of [0, 0x7fffffff]) {
      const whole = readCaptureSync(pcap([{ data }], { snapLen }));
      expect([whole.records[0]!.capLen, whole.warnings.length]).toEqual([54, 0]);
    }
  });

  it('treats a snaplen-cut record (caplen < len) as normal', () => {
    const { records, warnings } = readCaptureSync(pcap([{ data: [1, 2], origLen: 1514 }], { snapLen: 2 }));
    expect(records[0].capLen).toBe(2);
    expect(warnings).toEqual([]);
  });
});

describe('damaged pcap files', () => {
  const good = [
    { data: [1, 2, 3, 4], tsSec: 1 },
    { data: [5, 6], tsSec: 2 },
  ];
  /** Byte offset of record 3 in pcap(good + ...). */
  const third = 24 + (16 + 4) + (16 + 2);

  it('stops at a record header claiming more than 256 MiB, keeping the records before it', () => {
    const bytes = pcap([...good, { data: [9], capLen: 0x7fffffff }, { data: [7] }]);
    const { records, warnings } = readCaptureSync(bytes);
    expect(records.map((r) => r.index)).toEqual([1, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'capture.corrupt', frame: 3, offset: third });
    expect(warnings[0].message).toContain('frame 3');
    expect(warnings[0].message).toContain(`byte offset ${third}`);
  });

  it('stops at a caplen beyond both the packet length and the snaplen', () => {
    const bytes = pcap([...good, { data: [9], capLen: 300_000, origLen: 60 }], { snapLen: 65535 });
    const reader = readCaptureSync(bytes);
    expect(reader.records).toHaveLength(2);
    expect(reader.warnings.map((w) => w.code)).toEqual(['capture.corrupt']);
  });

  // libpcap (sf-pcap.c pcap_next_packet) refuses a record longer than max_snaplen_for_dlt(), whatever its wire length:
  // garbage appended to a good capture reads so, and was a mere "file cut short" (exit 0).
  it('stops at a caplen beyond the link type\'s maximum (262144 for Ethernet) even within the packet length', () => {
    for (const origLen of [300_000, 400_000]) {
      const bytes = pcap([...good, { data: [9], capLen: 300_000, origLen }], { snapLen: 65535 });
      const reader = readCaptureSync(bytes);
      expect(reader.records).toHaveLength(2);
      expect(reader.warnings.map((w) => w.code)).toEqual(['capture.corrupt']);
      expect(reader.warnings[0]!.message).toContain('record header claims 300000 captured bytes, more than any capture of link type 1 holds (262144');
    }
    // At the maximum it is a record (cut to the file's snapshot length, as libpcap does).
    const atMax = readCaptureSync(pcap([...good, { data: new Array(262_144).fill(0), origLen: 262_144 }], { snapLen: 65535 }));
    expect(atMax.records.map((r) => r.capLen)).toEqual([4, 2, 65535]);
  });

  it('says stopped on the reader', () => {
    const reader = new CaptureReader();
    const out: CaptureRecord[] = [];
    reader.push(pcap([...good, { data: [9], capLen: 0xffffffff }]), out);
    expect(reader.stopped).toBe(true);
    reader.end();
    expect(out).toHaveLength(2);
  });

  it('throws E_BAD_BLOCK when the very first record is damaged (nothing usable)', () => {
    const err = captureError(() => readCaptureSync(pcap([{ data: [9], capLen: 0x10000001 }])), 'E_BAD_BLOCK');
    expect(err.offset).toBe(24);
    expect(err.message).toMatch(/^damaged capture: /);
  });

  it('warns about a final record cut inside its data', () => {
    const whole = pcap([...good, { data: new Array(100).fill(7) }]);
    const bytes = whole.subarray(0, third + 16 + 34);
    const { records, warnings } = readCaptureSync(bytes);
    expect(records).toHaveLength(2);
    expect(warnings).toEqual([
      {
        code: 'capture.truncated-record',
        frame: 3,
        offset: third,
        message: 'file cut short: record 3 needs 116 bytes, only 50 present',
      },
    ]);
  });

  it('warns about a final record cut inside its header', () => {
    const bytes = concat(pcap(good), new Uint8Array(5));
    const { records, warnings } = readCaptureSync(bytes);
    expect(records).toHaveLength(2);
    expect(warnings[0].message).toBe('file cut short: record 3 needs 16 bytes of record header, only 5 present');
  });

  it('rejects pcap versions other than 2.x (E_UNSUPPORTED_VERSION)', () => {
    for (const [major, minor] of [
      [1, 0],
      [3, 0],
      [543, 1],
    ]) {
      const err = captureError(() => readCaptureSync(pcap(good, { versionMajor: major, versionMinor: minor })), 'E_UNSUPPORTED_VERSION');
      expect(err.message).toContain(`${major}.${minor}`);
    }
  });

  it('throws E_TRUNCATED_HEADER for a file cut inside its 24-byte header', () => {
    const header = pcap([]);
    for (const len of [4, 10, 23]) {
      const err = captureError(() => readCaptureSync(header.subarray(0, len)), 'E_TRUNCATED_HEADER');
      expect(err.message).toContain(`only ${len} present`);
    }
  });
});
