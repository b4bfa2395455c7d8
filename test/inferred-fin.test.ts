// A FIN the capture lacks, shown by the ACK that covers it (TcpTracker.inferFin), through the whole Analyzer: the
// stream ends at it instead of reporting a 1-byte gap, HTTP names the side that really closed first, and the report
// says the same. Before, the lost FIN read as a lost byte: the server "closed first", the client half-closed, a gap
// ended the client's stream and HTTP said its parsing stopped there.

import { describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze.js';
import type { ConnectionReport } from '../src/report.js';
import { Codes, TcpFlag } from '../src/types.js';
import { ascii, etherIpv4Tcp, record } from './helpers/packet-builder.js';

const C = { src: '10.0.0.1', dst: '10.0.0.2' };
const S = { src: '10.0.0.2', dst: '10.0.0.1' };
const { SYN, ACK, FIN, PSH } = TcpFlag;
const REQUEST = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';

/** `lostTail`: the response's last bytes are not in the capture (sent, and acknowledged, but lost before it). */
function analyse(closing: { c2s: boolean; seq: number; ack: number; flags: number; payload?: string }[], lostTail = 0) {
  const reports: ConnectionReport[] = [];
  const analyzer = new Analyzer({ onConnection: (c) => reports.push(c), keepConnections: false });
  const req = REQUEST.length;
  const resp = RESPONSE.length;
  const frames = [
    { c2s: true, seq: 100, ack: 0, flags: SYN },
    { c2s: false, seq: 500, ack: 101, flags: SYN | ACK },
    { c2s: true, seq: 101, ack: 501, flags: ACK },
    { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: REQUEST },
    { c2s: false, seq: 501, ack: 101 + req, flags: PSH | ACK, payload: RESPONSE.slice(0, RESPONSE.length - lostTail) },
    ...closing.map((f) => ({ ...f, seq: f.seq + (f.c2s ? 101 + req : 501 + resp), ack: f.ack + (f.c2s ? 501 + resp : 101 + req) })),
  ];
  const codes = frames.map((f, i) => {
    const frame = etherIpv4Tcp(f.c2s ? C : S, {
      srcPort: f.c2s ? 40000 : 80, dstPort: f.c2s ? 80 : 40000, seq: f.seq, ack: f.ack, flags: f.flags,
      payload: 'payload' in f && f.payload !== undefined ? ascii(f.payload) : new Uint8Array(0),
    });
    return analyzer.push(record(frame, { index: i + 1, tsSec: 1_700_000_000, tsNsec: i * 1_000_000 })).annotations.map((a) => a.code);
  });
  analyzer.finish();
  return { codes: codes.slice(5), report: reports[0]! };
}

describe('a FIN the capture lacks', () => {
  it('the client\'s, answered by the server\'s FIN-ACK: the client closed, and nothing of its stream is missing', () => {
    // Offsets past the request (client) and the response (server): the client's FIN at 0 is not in the capture.
    const { codes, report } = analyse([
      { c2s: false, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: true, seq: 1, ack: 1, flags: ACK },
    ]);
    expect(codes[0]).toEqual([Codes.STATE, Codes.STATE, Codes.ACK_LOST_SEGMENT]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-client-first');
    expect(report.tcp.closedFirstBy).toBe('client');
    expect(report.http.closedBy).toBe('client');
    expect(report.http.closeKind).toBe('client-close');
    expect(report.http.parseStopped).toEqual([]);
    expect(report.http.unparsedBytes).toBe(0);
    expect(report.annotationCounts[Codes.GAP]).toBeUndefined();
    expect(report.exchanges.map((x) => [x.requestState, x.responseState])).toEqual([['complete', 'complete']]);
  });

  it('the client\'s, after the server closed first: the server closed, the close is not simultaneous', () => {
    const { codes, report } = analyse([
      { c2s: false, seq: 0, ack: 0, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.http.closedBy).toBe('server');
    expect(report.http.closeKind).toBe('idle-close');
    expect(report.http.parseStopped).toEqual([]);
  });

  it('not where HTTP waits for exactly one more body byte: that sequence number is the byte, not a FIN', () => {
    // The response's last body byte is lost; the client, which had it, closes with FIN-ACK covering it.
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: 0, flags: FIN | ACK },
      { c2s: false, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: true, seq: 1, ack: 1, flags: ACK },
    ], 1);
    expect(codes[0]).toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-client-first');
    expect(report.http.closedBy).toBe('client');
    expect(report.exchanges[0]!.responseState).toBe('complete');
    expect(report.exchanges[0]!.responseBodyMissingBytes).toBe(1);
  });

  it('not a lone ACK of one more sequence number on an open connection: that stays a lost byte', () => {
    const { codes, report } = analyse([{ c2s: false, seq: 0, ack: 1, flags: ACK }]);
    expect(codes[0]).toContain(Codes.ACK_LOST_SEGMENT);
    expect(report.tcp.closeReason).toBe('open');
    expect(report.annotationCounts[Codes.GAP]).toBe(1);
  });

  it('not where an earlier ACK made it a body\'s last byte: the acker\'s FIN with the same ACK does not make it a FIN', () => {
    // The response's last body byte is lost; the client acknowledges it at once (a bare ACK: a gap, the response
    // complete but for it), then closes with the same ACK. Read again at the FIN, that byte was the server's FIN: the
    // server "closed first".
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: 0, flags: ACK },
      { c2s: true, seq: 0, ack: 0, flags: FIN | ACK },
      { c2s: false, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: true, seq: 1, ack: 1, flags: ACK },
    ], 1);
    expect(codes[0]).toContain(Codes.GAP);
    expect(codes[1]).not.toContain(Codes.ACK_LOST_SEGMENT);
    expect(report.tcp.closeReason).toBe('fin-client-first');
    expect(report.tcp.closedFirstBy).toBe('client');
    expect(report.http.closedBy).toBe('client');
    expect(report.exchanges[0]!.responseState).toBe('complete');
    expect(report.exchanges[0]!.responseBodyMissingBytes).toBe(1);
  });

  it('a bare ACK of a body\'s last byte, then the acker\'s next request with the same ACK: no FIN, keep-alive', () => {
    const next = 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n';
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: 0, flags: ACK },
      { c2s: true, seq: 0, ack: 0, flags: PSH | ACK, payload: next },
      { c2s: false, seq: 0, ack: next.length, flags: PSH | ACK, payload: RESPONSE },
    ], 1);
    expect(codes.flat()).not.toContain(Codes.STATE);
    expect(report.tcp.closeReason).toBe('open');
    expect(report.exchanges.map((x) => x.responseState)).toEqual(['complete', 'complete']);
    expect(report.http.pipelinedRequests).toBe(0);
  });

  it('a body\'s last byte lost before bytes the capture has: the number past them is the server\'s FIN, not that byte', () => {
    // A chunked response: its last data byte is lost, the chunk's end and the last chunk are captured. HTTP waits for
    // one byte (in the hole); the client's bare ACK and then its FIN acknowledge everything and the FIN the capture lacks.
    const reports: ConnectionReport[] = [];
    const analyzer = new Analyzer({ onConnection: (c) => reports.push(c), keepConnections: false });
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nh';
    const tail = '\r\n0\r\n\r\n';
    const req = REQUEST.length;
    const end = 501 + head.length + 1 + tail.length;
    const frames = [
      { c2s: true, seq: 100, ack: 0, flags: SYN },
      { c2s: false, seq: 500, ack: 101, flags: SYN | ACK },
      { c2s: true, seq: 101, ack: 501, flags: ACK },
      { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: REQUEST },
      { c2s: false, seq: 501, ack: 101 + req, flags: PSH | ACK, payload: head },
      { c2s: false, seq: 501 + head.length + 1, ack: 101 + req, flags: PSH | ACK, payload: tail },
      { c2s: true, seq: 101 + req, ack: end + 1, flags: ACK },
      { c2s: true, seq: 101 + req, ack: end + 1, flags: FIN | ACK },
      { c2s: false, seq: end + 1, ack: 102 + req, flags: ACK },
    ];
    frames.forEach((f, i) => {
      const frame = etherIpv4Tcp(f.c2s ? C : S, {
        srcPort: f.c2s ? 40000 : 80, dstPort: f.c2s ? 80 : 40000, seq: f.seq, ack: f.ack, flags: f.flags,
        payload: f.payload !== undefined ? ascii(f.payload) : new Uint8Array(0),
      });
      analyzer.push(record(frame, { index: i + 1, tsSec: 1_700_000_000, tsNsec: i * 1_000_000 }));
    });
    analyzer.finish();
    const report = reports[0]!;
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.tcp.closedFirstBy).toBe('server');
    expect(report.http.closedBy).toBe('server');
  });
});

