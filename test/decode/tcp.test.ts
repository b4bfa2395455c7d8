// TCP header and options: all nine flags, header length, payload length from IP, the option summary,
// and how truncated or contradictory headers are reported.

import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/decode-frame.js';
import { listTcpOptions, TcpOpt } from '../../src/decode/tcp-options.js';
import { TcpFlag } from '../../src/types.js';
import { etherIpv4Tcp, opt, record } from '../helpers/packet-builder.js';

const decode = (frame: Uint8Array, snapLen?: number) => decodePacket(record(frame, { snapLen }));

describe('TCP header', () => {
  it('reads ports, numbers, window, checksum, urgent pointer', () => {
    const p = decode(etherIpv4Tcp({}, { srcPort: 443, dstPort: 51000, seq: 0xfffffff0, ack: 0x80000001, window: 512, urgent: 9, flags: 0x30, payload: 'hi' }));
    expect(p.tcp).toMatchObject({
      srcPort: 443, dstPort: 51000, seq: 0xfffffff0, ack: 0x80000001, window: 512, urgentPtr: 9, headerLen: 20,
      payloadLen: 2, segmentLen: 22, capturedLen: 22, offset: 34,
    });
    expect(p.tcp?.checksum).not.toBe(0);
    expect([...p.tcp!.payload]).toEqual([0x68, 0x69]);
  });

  it('keeps all nine flag bits, AE included (RFC 9293 §3.1)', () => {
    const p = decode(etherIpv4Tcp({}, { flags: 0x1ff }));
    expect(p.tcp?.flags).toBe(0x1ff);
    const all = Object.values(TcpFlag).reduce((a, b) => a | b, 0);
    expect(all).toBe(0x1ff);
  });

  it('reports a header length below 20 or beyond the segment as invalid', () => {
    const short = decode(etherIpv4Tcp({}, { flags: 2, dataOffsetWords: 4 }));
    expect(short.tcp?.headerLen).toBe(16);
    expect(short.problem).toMatchObject({ kind: 'invalid', layer: 'tcp' });
    const long = decode(etherIpv4Tcp({}, { flags: 2, dataOffsetWords: 15 }));
    expect(long.tcp?.headerLen).toBe(60);
    expect(long.tcp?.payloadLen).toBe(0);
    expect(long.problem).toMatchObject({ kind: 'invalid', layer: 'tcp' });
  });

  it('keeps the ports when the capture ends inside the fixed header, nothing before the ports', () => {
    const p = decode(etherIpv4Tcp({}, { srcPort: 1, dstPort: 2 }), 34 + 6);
    expect(p.tcp).toMatchObject({ srcPort: 1, dstPort: 2, capturedLen: 6, seq: 0 });
    expect(p.problem).toMatchObject({ kind: 'truncated', layer: 'tcp' });
    const q = decode(etherIpv4Tcp({}, {}), 34 + 3);
    expect(q.tcp).toBeNull();
    expect(q.problem).toMatchObject({ kind: 'truncated', layer: 'tcp' });
  });

  it('payload is a view cut at the capture, payloadLen is from the IP length', () => {
    const frame = etherIpv4Tcp({}, { flags: 0x18, payload: 'x'.repeat(100) });
    const p = decode(frame, 34 + 20 + 10);
    expect(p.tcp?.payload.length).toBe(10);
    expect(p.tcp?.payloadLen).toBe(100);
    expect(p.tcp?.payload.buffer).toBe(p.record.data.buffer);
    expect(p.problem).toMatchObject({ kind: 'truncated', layer: 'tcp' });
  });
});

describe('TCP option summary', () => {
  it('reads MSS, window scale, SACK-permitted and timestamps', () => {
    const p = decode(etherIpv4Tcp({}, { flags: 2, options: [...opt.mss(1460), ...opt.sackOk(), ...opt.ts(100, 0), ...opt.nop(), ...opt.wscale(7)] }));
    expect(p.tcp).toMatchObject({ mss: 1460, windowScale: 7, sackPermitted: true, tsVal: 100, tsEcr: 0, sackBlocks: null });
    expect(p.problem).toBeNull();
  });

  it('reads SACK blocks as absolute edges', () => {
    const p = decode(etherIpv4Tcp({}, { options: [...opt.nop(), ...opt.nop(), ...opt.sack([[10, 20], [0xfffffff0, 5]])] }));
    expect(p.tcp?.sackBlocks).toEqual([10, 20, 0xfffffff0, 5]);
  });

  it('absent options read as -1 / false / null', () => {
    expect(decode(etherIpv4Tcp({}, {})).tcp).toMatchObject({ mss: -1, windowScale: -1, sackPermitted: false, tsVal: -1, tsEcr: -1, sackBlocks: null });
  });

  it('stops at EOL and reports malformed and truncated options', () => {
    const eol = decode(etherIpv4Tcp({}, { options: [...opt.eol(), ...opt.mss(1)] }));
    expect(eol.tcp?.mss).toBe(-1);
    expect(eol.problem).toBeNull();
    const bad = decode(etherIpv4Tcp({}, { options: [...opt.mss(536), 8, 1, 0, 0] }));
    expect(bad.tcp?.mss).toBe(536);
    expect(bad.problem).toMatchObject({ kind: 'invalid', layer: 'tcp-options' });
    const wrongLen = decode(etherIpv4Tcp({}, { options: [2, 6, 5, 0xb4, 0, 0, 0, 0] }));
    expect(wrongLen.tcp?.mss).toBe(-1);
    expect(wrongLen.problem).toMatchObject({ kind: 'invalid', layer: 'tcp-options' });
    const cut = decode(etherIpv4Tcp({}, { options: [...opt.ts(1, 2), ...opt.nop(), ...opt.nop()] }), 34 + 25);
    expect(cut.tcp?.tsVal).toBe(-1);
    expect(cut.problem).toMatchObject({ kind: 'truncated', layer: 'tcp-options' });
  });

  it('listTcpOptions lists kinds, lengths and data views', () => {
    const list = listTcpOptions(Uint8Array.from([...opt.mss(1400), ...opt.nop(), ...opt.tfo([1, 2, 3, 4]), ...opt.eol(), 9]), 14);
    expect(list.map((o) => [o.kind, o.len, [...o.data]])).toEqual([
      [TcpOpt.MSS, 4, [0x05, 0x78]], [TcpOpt.NOP, 1, []], [TcpOpt.FASTOPEN, 6, [1, 2, 3, 4]], [TcpOpt.EOL, 1, []],
    ]);
  });
});
