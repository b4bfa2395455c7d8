// A RST the TCP analysis does not take (RFC 5961 §3.2 off RCV.NXT, outside the window, in SYN-SENT without the SYN's
// ACK) is dropped whole by its receiver: the connection's streams, and HTTP on them, go on as if it had not been sent.
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../src/analyze.js';
import { TcpFlag } from '../src/types.js';
import { etherIpv4Tcp, record } from './helpers/packet-builder.js';

const C = { src: '10.0.0.1', dst: '10.0.0.2' };
const S = { src: '10.0.0.2', dst: '10.0.0.1' };
const { SYN, ACK, FIN, RST, PSH } = TcpFlag;
const CISN = 1000;
const SISN = 5000;

/** Client-to-server (c) and server-to-client (s) segments; seq/ack absolute. */
function c(seq: number, ack: number, flags: number, payload = '') {
  return etherIpv4Tcp(C, { srcPort: 40000, dstPort: 80, seq, ack, flags, payload });
}
function s(seq: number, ack: number, flags: number, payload = '') {
  return etherIpv4Tcp(S, { srcPort: 80, dstPort: 40000, seq, ack, flags, payload });
}

function analyse(frames: Uint8Array[]) {
  const analyzer = new Analyzer();
  const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1, tsSec: 1_700_000_000 + i })));
  return { events, report: analyzer.finish() };
}

const GET_A = 'GET /a HTTP/1.1\r\nHost: h\r\n\r\n';
const GET_B = 'GET /b HTTP/1.1\r\nHost: h\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx';

describe('a RST that does not count', () => {
  test('off RCV.NXT (RFC 5961 §3.2): HTTP goes on, the connection closes with FINs', () => {
    const a = GET_A.length;
    const b = GET_B.length;
    const o = OK.length;
    const { events, report } = analyse([
      c(CISN, 0, SYN), s(SISN, CISN + 1, SYN | ACK), c(CISN + 1, SISN + 1, ACK),
      c(CISN + 1, SISN + 1, PSH | ACK, GET_A), s(SISN + 1, CISN + 1 + a, PSH | ACK, OK),
      // An injected RST, 500 bytes ahead of the server's RCV.NXT: challenged, dropped.
      c(CISN + 501 + a, 0, RST),
      s(SISN + 1 + o, CISN + 1 + a, ACK),
      c(CISN + 1 + a, SISN + 1 + o, PSH | ACK, GET_B), s(SISN + 1 + o, CISN + 1 + a + b, PSH | ACK, OK),
      c(CISN + 1 + a + b, SISN + 1 + 2 * o, FIN | ACK), s(SISN + 1 + 2 * o, CISN + 2 + a + b, FIN | ACK),
      c(CISN + 2 + a + b, SISN + 2 + 2 * o, ACK),
    ]);
    expect(events[5]!.annotations.map((x) => x.text)).toEqual([
      "RST from client does not count: relative seq 529 is not the server's next expected 29 (RFC 5961 §3.2: it answers with a challenge ACK); no state change",
    ]);
    const conn = report.connections[0]!;
    expect(conn.http.requests).toBe(2);
    expect(conn.http.responses).toBe(2);
    expect(conn.tcp.closeReason).toBe('fin-client-first');
  });

  test('in SYN-SENT without the SYN\'s ACK (RFC 9293 §3.10.7.3): the exchange after it is seen', () => {
    const a = GET_A.length;
    const o = OK.length;
    const { report } = analyse([
      c(CISN, 0, SYN), s(7777, 4242, RST | ACK),
      s(SISN, CISN + 1, SYN | ACK), c(CISN + 1, SISN + 1, ACK),
      c(CISN + 1, SISN + 1, PSH | ACK, GET_A), s(SISN + 1, CISN + 1 + a, PSH | ACK, OK),
      c(CISN + 1 + a, SISN + 1 + o, FIN | ACK), s(SISN + 1 + o, CISN + 2 + a, FIN | ACK), c(CISN + 2 + a, SISN + 2 + o, ACK),
    ]);
    const conn = report.connections[0]!;
    expect(conn.http.mode).toBe('short');
    expect(conn.http.requests).toBe(1);
  });
});

// The same for a FIN outside the receive window (RFC 9293 §3.10.7.4): taken, it closed the client's stream a megabyte
// ahead (a phantom gap of that size, HTTP cut there) and closed an open connection.
describe('a FIN outside the receive window', () => {
  test('is dropped whole: no gap, HTTP goes on, the connection is not closed by it', () => {
    const a = GET_A.length;
    const b = GET_B.length;
    const o = OK.length;
    const { events, report } = analyse([
      c(CISN, 0, SYN), s(SISN, CISN + 1, SYN | ACK), c(CISN + 1, SISN + 1, ACK),
      c(CISN + 1, SISN + 1, PSH | ACK, GET_A), s(SISN + 1, CISN + 1 + a, PSH | ACK, OK),
      // A stray FIN a megabyte ahead of the server's RCV.NXT (window 65535): dropped, the server answers with an ACK.
      c(CISN + 1_000_001 + a, SISN + 1 + o, FIN | ACK), s(SISN + 1 + o, CISN + 1 + a, ACK),
      c(CISN + 1 + a, SISN + 1 + o, PSH | ACK, GET_B), s(SISN + 1 + o, CISN + 1 + a + b, PSH | ACK, OK),
    ]);
    expect(events[5]!.annotations.map((x) => x.code)).toContain('tcp.state');
    expect(events[5]!.annotations.some((x) => x.text.startsWith('FIN from client does not count'))).toBe(true);
    const conn = report.connections[0]!;
    expect(conn.tcp.closeReason).toBe('open');
    expect(conn.annotationCounts['stream.gap']).toBeUndefined();
    expect(conn.http.requests).toBe(2);
    expect(conn.http.responses).toBe(2);
    expect(conn.http.parseStopped).toHaveLength(0);
  });
});
