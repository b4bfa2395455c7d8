// stream.gap at the Analyzer: bytes a direction will never have get an annotation numbered as the tracker numbers
// sequence numbers (tcp.lost-segment's relative seq, tshark's), also on a capture that begins mid-stream, and a gap
// that becomes certain only at the end (no ACK passed it) still counts in the connection's record.

import { describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze.js';
import type { ConnectionReport } from '../src/report.js';
import { Codes, TcpFlag } from '../src/types.js';
import { etherIpv4Tcp, record } from './helpers/packet-builder.js';

const C = { src: '10.0.0.1', dst: '10.0.0.2' };
const S = { src: '10.0.0.2', dst: '10.0.0.1' };
const PA = TcpFlag.PSH | TcpFlag.ACK;

function analyse(frames: { ip: typeof C; seq: number; ack: number; flags: number; len?: number; c2s: boolean }[]) {
  const reports: ConnectionReport[] = [];
  const analyzer = new Analyzer({ onConnection: (c) => reports.push(c), keepConnections: false });
  const gaps = frames.map((f, i) => {
    const frame = etherIpv4Tcp(f.ip, {
      srcPort: f.c2s ? 40000 : 80, dstPort: f.c2s ? 80 : 40000, seq: f.seq, ack: f.ack, flags: f.flags,
      payload: new Uint8Array(f.len ?? 0).fill(0x61),
    });
    const ev = analyzer.push(record(frame, { index: i + 1, tsSec: 1_700_000_000 + i }));
    return ev.annotations.filter((a) => a.code === Codes.GAP).map((a) => a.text);
  });
  analyzer.finish();
  return { gaps, reports };
}

describe('stream.gap', () => {
  it('numbers a gap as the tracker does on a capture that begins mid-stream (base from the peer\'s ACK)', () => {
    // The server speaks first (seq 5001, acking 1001): the client's base is 1000. The client's bytes 1101:1111 are
    // captured, 1111:1121 are not, 1121:1131 are; the server's ACK passes them all.
    const { gaps } = analyse([
      { ip: S, seq: 5001, ack: 1001, flags: PA, len: 10, c2s: false },
      { ip: C, seq: 1101, ack: 5011, flags: PA, len: 10, c2s: true },
      { ip: C, seq: 1121, ack: 5011, flags: PA, len: 10, c2s: true },
      { ip: S, seq: 5011, ack: 1131, flags: TcpFlag.ACK, c2s: false },
    ]);
    // tcpdump -S less the base, and tshark's relative numbers: 111:121.
    expect(gaps.flat()).toEqual(["client's stream: relative seq 111:121 (10 bytes) missing"]);
  });

  it('a gap certain only at the end (a one-sided capture: the FIN fixes the length, no ACK passed it) is counted', () => {
    const { reports } = analyse([
      { ip: C, seq: 1000, ack: 0, flags: TcpFlag.SYN, c2s: true },
      { ip: C, seq: 1011, ack: 5001, flags: PA, len: 10, c2s: true },
      { ip: C, seq: 1021, ack: 5001, flags: TcpFlag.FIN | TcpFlag.ACK, c2s: true },
    ]);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.annotationCounts[Codes.GAP]).toBe(1);
  });

  it('bytes a retransmission fills before any ACK passes them are no gap', () => {
    const { gaps, reports } = analyse([
      { ip: C, seq: 1000, ack: 0, flags: TcpFlag.SYN, c2s: true },
      { ip: S, seq: 5000, ack: 1001, flags: TcpFlag.SYN | TcpFlag.ACK, c2s: false },
      { ip: C, seq: 1001, ack: 5001, flags: TcpFlag.ACK, c2s: true },
      { ip: C, seq: 1011, ack: 5001, flags: PA, len: 10, c2s: true },
      { ip: C, seq: 1001, ack: 5001, flags: PA, len: 10, c2s: true },
      { ip: S, seq: 5001, ack: 1021, flags: TcpFlag.ACK, c2s: false },
    ]);
    expect(gaps.flat()).toEqual([]);
    expect(reports[0]!.annotationCounts[Codes.GAP]).toBeUndefined();
  });
});
