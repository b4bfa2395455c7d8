// A FIN the capture lacks, shown by the ACK that covers it (TcpTracker.inferFin), through the whole Analyzer: the
// stream ends at it instead of reporting a 1-byte gap, HTTP names the side that really closed first, and the report
// says the same. Before, the lost FIN read as a lost byte: the server "closed first", the client half-closed, a gap
// ended the client's stream and HTTP said its parsing stopped there.

import { describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze.js';
import type { ConnectionReport } from '../src/report.js';
import { Codes, TcpFlag } from '../src/types.js';
import { ascii, etherIpv4Tcp, record } from './helpers/packet-builder.js';

const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

const C = { src: '10.0.0.1', dst: '10.0.0.2' };
const S = { src: '10.0.0.2', dst: '10.0.0.1' };
const { SYN, ACK, FIN, PSH } = TcpFlag;
const REQUEST = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi';

interface Frame { c2s: boolean; seq: number; ack: number; flags: number; payload?: string; options?: number[] }

/** The client's SYN (ISN 100), the server's SYN-ACK (ISN 500), the client's ACK. */
const HANDSHAKE: readonly Frame[] = [
  { c2s: true, seq: 100, ack: 0, flags: SYN },
  { c2s: false, seq: 500, ack: 101, flags: SYN | ACK },
  { c2s: true, seq: 101, ack: 501, flags: ACK },
];

/** Pushes the frames (absolute numbers) through one Analyzer: each frame's annotation codes and notes, and the report. */
function analyseFrames(frames: Frame[]) {
  const reports: ConnectionReport[] = [];
  const analyzer = new Analyzer({ onConnection: (c) => reports.push(c), keepConnections: false });
  const notes: { code: string; text: string }[][] = [];
  const codes = frames.map((f, i) => {
    const frame = etherIpv4Tcp(f.c2s ? C : S, {
      srcPort: f.c2s ? 40000 : 80, dstPort: f.c2s ? 80 : 40000, seq: f.seq, ack: f.ack, flags: f.flags,
      payload: f.payload !== undefined ? ascii(f.payload) : new Uint8Array(0),
      options: f.options,
    });
    const annotations = analyzer.push(record(frame, { index: i + 1, tsSec: 1_700_000_000, tsNsec: i * 1_000_000 })).annotations;
    notes.push(annotations.map((a) => ({ code: a.code, text: a.text })));
    return annotations.map((a) => a.code);
  });
  analyzer.finish();
  return { codes, notes, report: reports[0]! };
}

/**
 * A handshake, REQUEST and `response`, then `closing`, numbered from the client's and the server's next sequence
 * numbers (offsets; 0 is the number after all that side sent). `lostTail`: the response's last bytes are not in the
 * capture (sent, and acknowledged, but lost before it). Codes and notes are those of the closing frames.
 */
function analyse(closing: Frame[], lostTail = 0, response = RESPONSE) {
  const req = REQUEST.length;
  const resp = response.length;
  const { codes, notes, report } = analyseFrames([
    ...HANDSHAKE,
    { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: REQUEST },
    { c2s: false, seq: 501, ack: 101 + req, flags: PSH | ACK, payload: response.slice(0, response.length - lostTail) },
    ...closing.map((f) => ({ ...f, seq: f.seq + (f.c2s ? 101 + req : 501 + resp), ack: f.ack + (f.c2s ? 501 + resp : 101 + req) })),
  ]);
  return { codes: codes.slice(5), notes: notes.slice(5), report };
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

  it('not a lone ACK of one more sequence number at the capture\'s end: neither a FIN nor a lost byte, said as such', () => {
    const { codes, report } = analyse([{ c2s: false, seq: 0, ack: 1, flags: ACK }]);
    expect(codes[0]).toContain(Codes.ACK_LOST_SEGMENT);
    // Held undecided at the ACK, and nothing followed to tell a FIN from a byte: no FIN is inferred (the connection is
    // open at the end), and no byte is counted lost (no gap, HTTP's parsing did not stop); the verdict says what the
    // ACK left open. (Before, the byte was assumed: "1 gap", "parsing stopped: 1 bytes missing".)
    expect(codes[0]).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('open');
    expect(report.annotationCounts[Codes.GAP]).toBeUndefined();
    expect(report.http.parseStopped).toHaveLength(0);
    expect(report.annotationCounts[Codes.HTTP_STOPPED]).toBeUndefined();
    expect(report.exchanges[0]!.responseState).toBe('complete');
    expect(report.http.reason).toContain(
      'the server acknowledged one sequence number past all the client sent (frame 6): the client\'s FIN or one more byte, which the capture lacks; nothing after it told which');
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
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nh';
    const tail = '\r\n0\r\n\r\n';
    const req = REQUEST.length;
    const end = 501 + head.length + 1 + tail.length;
    const { report } = analyseFrames([
      ...HANDSHAKE,
      { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: REQUEST },
      { c2s: false, seq: 501, ack: 101 + req, flags: PSH | ACK, payload: head },
      { c2s: false, seq: 501 + head.length + 1, ack: 101 + req, flags: PSH | ACK, payload: tail },
      { c2s: true, seq: 101 + req, ack: end + 1, flags: ACK },
      { c2s: true, seq: 101 + req, ack: end + 1, flags: FIN | ACK },
      { c2s: false, seq: end + 1, ack: 102 + req, flags: ACK },
    ]);
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.tcp.closedFirstBy).toBe('server');
    expect(report.http.closedBy).toBe('server');
  });
});

// An ACK of one sequence number past all the server sent, without a FIN of its own (and not of a body's last byte): that
// number is its FIN or a last byte, both lost from the capture. Analyzer.settleHeld holds the ACK undecided until what
// follows tells; taken at once, it declared a 1-byte gap and stopped HTTP's parse, which the FIN inferred at the
// client's own FIN could not take back (real-fin-lost-bare-ack.pcap: "1 gap" and "parsing stopped" in its verdict).
describe('a bare ACK of one more sequence number, held undecided', () => {
  const bareAck = { c2s: true, seq: 0, ack: 1, flags: ACK };

  it('then the acker\'s FIN with the same ACK: it was the server\'s FIN, with no gap and no parse stopped', () => {
    const { codes, report } = analyse([
      bareAck,
      { c2s: true, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ]);
    // Wireshark's flag stays on the ACK (tcp.analysis.ack_lost_segment): the capture lacks what it covers.
    expect(codes[0]).toEqual([Codes.ACK_LOST_SEGMENT]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(codes.flat()).not.toContain(Codes.HTTP_STOPPED);
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.tcp.closedFirstBy).toBe('server');
    expect(report.http.closedBy).toBe('server');
    expect(report.http.parseStopped).toEqual([]);
    expect(report.annotationCounts[Codes.GAP]).toBeUndefined();
  });

  it('repeated by the acker (a window update) before its FIN: still held, still the FIN', () => {
    const { codes, report } = analyse([
      bareAck,
      bareAck,
      { c2s: true, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.http.parseStopped).toEqual([]);
  });

  it('then the server sends on past it: a byte, its gap said there with the ACK that showed it', () => {
    const { codes, notes, report } = analyse([
      bareAck,
      { c2s: false, seq: 1, ack: 0, flags: PSH | ACK, payload: RESPONSE },
    ]);
    expect(codes[0]).not.toContain(Codes.GAP);
    const gap = notes[1]!.find((n) => n.code === Codes.GAP);
    expect(gap?.text).toBe('server\'s stream: relative seq 41:42 (1 byte) missing (acknowledged in frame 6: the server sent on past it, so a byte, not its FIN)');
    // The gap reaches HTTP before the segment's bytes, as at the ACK: a loss between messages, then a resync.
    expect(codes[1]!.indexOf(Codes.GAP)).toBeLessThan(codes[1]!.indexOf(Codes.HTTP_STOPPED));
    expect(report.annotationCounts[Codes.GAP]).toBe(1);
  });

  it('then the acker\'s own data: still held (it says nothing of the number), then settled by what follows', () => {
    // The client reuses the connection while the server's last number is undecided (a request after a server FIN the
    // capture lost is the keep-alive race); the server's answer after it makes it a byte.
    const next = 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n';
    const { codes, notes, report } = analyse([
      bareAck,
      { c2s: true, seq: 0, ack: 1, flags: PSH | ACK, payload: next },
      { c2s: false, seq: 1, ack: next.length, flags: PSH | ACK, payload: RESPONSE },
    ]);
    expect(codes[1]).not.toContain(Codes.GAP);
    expect(codes[1]).toContain(Codes.HTTP_REQUEST);
    const gap = notes[2]!.find((n) => n.code === Codes.GAP);
    expect(gap?.text).toMatch(/\(acknowledged in frame 6: the server sent on past it, so a byte, not its FIN\)$/);
    expect(codes[2]!.indexOf(Codes.GAP)).toBeLessThan(codes[2]!.indexOf(Codes.HTTP_RESPONSE));
    // The byte could not hold a response: the one after it answers request 2.
    expect(report.exchanges.map((x) => [x.requestState, x.responseState])).toEqual([['complete', 'complete'], ['complete', 'complete']]);
    expect(report.annotationCounts[Codes.GAP]).toBe(1);
  });

  it('the client\'s FIN lost after its request (a half-close): the response after the server\'s bare ACK keeps it held', () => {
    // HTTP/1.0 client that half-closes after its request (nc -N): the server acknowledges the FIN at once, answers,
    // then closes with the same ACK, where the tracker infers the client's FIN.
    const request = 'GET / HTTP/1.0\r\n\r\n';
    const response = 'HTTP/1.0 200 OK\r\n\r\nhello';
    const req = request.length;
    const { codes, report } = analyseFrames([
      ...HANDSHAKE,
      { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: request },
      { c2s: false, seq: 501, ack: 102 + req, flags: ACK },
      { c2s: false, seq: 501, ack: 102 + req, flags: PSH | ACK, payload: response },
      { c2s: false, seq: 501 + response.length, ack: 102 + req, flags: FIN | ACK },
      { c2s: true, seq: 102 + req, ack: 502 + response.length, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(codes.flat()).not.toContain(Codes.HTTP_STOPPED);
    expect(report.tcp.closeReason).toBe('fin-client-first');
    expect(report.tcp.closedFirstBy).toBe('client');
    expect(report.http.parseStopped).toEqual([]);
    expect(report.exchanges.map((x) => [x.requestState, x.responseState, x.responseBodyBytes])).toEqual([['complete', 'complete', 5]]);
    // The FIN was sent before the server's bare ACK (frame 5) acknowledged it, so before the response: as when seen.
    expect(report.http.reason).toBe('HTTP/1.0 short: 1 request; client half-closed before the last response, server closed after it ' +
      '(announced: yes, body delimited by close)');
  });

  it('the client\'s FIN lost, the whole response in the segment that acknowledges it: the half-close still comes first', () => {
    // The FIN is dated half a frame before that segment: the server had it before it sent the response.
    const request = 'GET / HTTP/1.0\r\n\r\n';
    const response = 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello';
    const req = request.length;
    const { report } = analyseFrames([
      ...HANDSHAKE,
      { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: request },
      { c2s: false, seq: 501, ack: 102 + req, flags: PSH | ACK, payload: response },
      { c2s: false, seq: 501 + response.length, ack: 102 + req, flags: FIN | ACK },
      { c2s: true, seq: 102 + req, ack: 502 + response.length, flags: ACK },
    ]);
    expect(report.annotationCounts[Codes.GAP]).toBeUndefined();
    expect(report.http.reason).toBe('HTTP/1.0 short: 1 request; client half-closed before the last response, server closed after it ' +
      '(announced: yes, HTTP/1.0 without keep-alive)');
  });

  it('the keep-alive race: the server\'s FIN lost, the client\'s next request acknowledges it: a closed connection reused', () => {
    const next = 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n';
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: 1, flags: PSH | ACK, payload: next },
      { c2s: true, seq: next.length, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: next.length + 1, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closedFirstBy).toBe('server');
    // As with the server's FIN captured: request 2 went out after the client's TCP had that FIN.
    expect(report.http.closeKind).toBe('idle-close');
    expect(report.http.reason).toContain('a closed connection reused');
  });

  it('not when the ACK already SACKs bytes after the number: a byte at once, never a FIN later', () => {
    const after = 501 + RESPONSE.length + 2;
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: 1, flags: ACK, options: [1, 1, 5, 10, ...be32(after), ...be32(after + 4)] },
      { c2s: true, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ]);
    expect(codes[0]).toContain(Codes.GAP);
    expect(report.tcp.closedFirstBy).toBe('client');
    expect(report.tcp.closeReason).toBe('half-closed');
  });

  it('then the acker\'s SACK of bytes after it: a byte', () => {
    // The server's stream starts at 501 + the response: a block from 2 past its end on.
    const after = 501 + RESPONSE.length + 2;
    const sack = [1, 1, 5, 10, ...be32(after), ...be32(after + 4)];
    const { codes, notes } = analyse([
      bareAck,
      { c2s: true, seq: 0, ack: 1, flags: ACK, options: sack },
    ]);
    expect(codes[0]).not.toContain(Codes.GAP);
    expect(notes[1]!.find((n) => n.code === Codes.GAP)?.text).toMatch(/the server sent on past it, so a byte, not its FIN\)$/);
  });

  it('then the acker\'s SACK of bytes after it, then its FIN with the same ACK: still a byte, not the server\'s FIN', () => {
    const after = 501 + RESPONSE.length + 2;
    const { notes, report } = analyse([
      bareAck,
      { c2s: true, seq: 0, ack: 1, flags: ACK, options: [1, 1, 5, 10, ...be32(after), ...be32(after + 4)] },
      { c2s: true, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ]);
    expect(notes.flat().some((n) => n.text.includes('sent a FIN the capture lacks'))).toBe(false);
    expect(report.tcp.closedFirstBy).toBe('client');
    expect(report.annotationCounts[Codes.GAP]).toBe(1);
  });

  it('then a keep-alive of the acker\'s (one byte below its next) or a window update: still held, then the FIN', () => {
    const { codes, report } = analyse([
      bareAck,
      { c2s: true, seq: -1, ack: 1, flags: ACK, payload: '\0' },
      { c2s: true, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-server-first');
  });

  it('then the server\'s segment that covers it: brought in, no gap', () => {
    // A stray line end between messages (RFC 9112 §2.2 lets a recipient skip it), then the server's FIN after it.
    const { codes, report } = analyse([
      bareAck,
      { c2s: false, seq: 0, ack: 0, flags: PSH | ACK, payload: '\n' },
      { c2s: false, seq: 1, ack: 0, flags: FIN | ACK },
      { c2s: true, seq: 0, ack: 2, flags: FIN | ACK },
      { c2s: false, seq: 2, ack: 1, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.annotationCounts[Codes.GAP]).toBeUndefined();
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.http.parseStopped).toEqual([]);
  });

  it('then the server\'s FIN at that number, sent again: no gap', () => {
    const { codes, report } = analyse([
      bareAck,
      { c2s: false, seq: 0, ack: 0, flags: FIN | ACK },
      { c2s: true, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.http.parseStopped).toEqual([]);
  });

  it('a response that only the close ends, its FIN lost: the body ends at the FIN inferred, whole', () => {
    // Before, the held number became the body's last byte, missing: the response "cut" by a 1-byte gap.
    const closeDelimited = 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhi';
    const { codes, report } = analyse([
      bareAck,
      { c2s: true, seq: 0, ack: 1, flags: FIN | ACK },
      { c2s: false, seq: 1, ack: 1, flags: ACK },
    ], 0, closeDelimited);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.exchanges.map((x) => [x.responseState, x.responseBodyBytes, x.responseBodyMissingBytes])).toEqual([['complete', 2, 0]]);
    expect(report.http.closedBy).toBe('server');
    expect(report.http.parseStopped).toEqual([]);
  });

  it('a server that sent nothing before its lost FIN: unanswered, no gap', () => {
    const req = REQUEST.length;
    const { codes, report } = analyseFrames([
      ...HANDSHAKE,
      { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: REQUEST },
      { c2s: true, seq: 101 + req, ack: 502, flags: ACK },
      { c2s: true, seq: 101 + req, ack: 502, flags: FIN | ACK },
      { c2s: false, seq: 502, ack: 102 + req, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.http.closedBy).toBe('server');
    expect(report.http.closeKind).toBe('unanswered');
    expect(report.http.parseStopped).toEqual([]);
  });

  it('inside a body two bytes short, held too: the acker\'s FIN makes it the server\'s FIN, the response cut by it', () => {
    // The client acknowledges one number past the server's bytes: the server's FIN (it closed mid-response), or one of
    // the two body bytes still to come. The client's FIN with the same ACK makes it the FIN.
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: -1, flags: ACK },
      { c2s: true, seq: 0, ack: -1, flags: FIN | ACK },
      { c2s: false, seq: -1, ack: 1, flags: ACK },
    ], 2);
    expect(codes[0]).toEqual([Codes.ACK_LOST_SEGMENT]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closedFirstBy).toBe('server');
    expect(report.exchanges.map((x) => [x.responseState, x.responseBodyBytes])).toEqual([['incomplete', 0]]);
    expect(report.http.closeKind).toBe('mid-response');
  });

  it('inside a message, then the acker\'s next request: a byte of that message, its gap before the request', () => {
    // The last LF of a header section is lost; the client's next request acknowledges it: the client had the whole
    // response, so the request follows it (not pipelined behind it, as a number still held made it look).
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    const next = 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n';
    const { codes, notes, report } = analyse([
      { c2s: true, seq: 0, ack: 0, flags: PSH | ACK, payload: next },
      { c2s: false, seq: 0, ack: next.length, flags: PSH | ACK, payload: response },
    ], 1, response);
    expect(codes[0]!.indexOf(Codes.GAP)).toBeGreaterThanOrEqual(0);
    expect(codes[0]!.indexOf(Codes.GAP)).toBeLessThan(codes[0]!.indexOf(Codes.HTTP_REQUEST));
    expect(notes[0]!.find((n) => n.code === Codes.GAP)?.text).toBe('server\'s stream: relative seq 38:39 (1 byte) missing');
    expect(codes.flat()).not.toContain(Codes.HTTP_PIPELINED);
    expect(report.exchanges.map((x) => x.order)).toEqual(['first', 'undetermined']);
  });

  it('inside a message, held at a bare ACK, then the acker\'s next request: settled as a byte there, before the request', () => {
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    const next = 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n';
    const { codes, notes, report } = analyse([
      { c2s: true, seq: 0, ack: 0, flags: ACK },
      { c2s: true, seq: 0, ack: 0, flags: PSH | ACK, payload: next },
      { c2s: false, seq: 0, ack: next.length, flags: PSH | ACK, payload: response },
    ], 1, response);
    expect(codes[0]).not.toContain(Codes.GAP);
    expect(codes[1]!.indexOf(Codes.GAP)).toBeLessThan(codes[1]!.indexOf(Codes.HTTP_REQUEST));
    expect(notes[1]!.find((n) => n.code === Codes.GAP)?.text).toMatch(/\(acknowledged in frame 6: the client sent on while the server's message head still lacked it, so a byte of it, not a FIN\)$/);
    expect(report.exchanges.map((x) => x.order)).toEqual(['first', 'undetermined']);
  });

  it('inside a body, then a keep-alive of the acker\'s: still held, then its FIN makes it the server\'s (closed mid-response)', () => {
    // Five body bytes of ten came, then the server's FIN, lost; the client's bare ACK, a keep-alive (its last byte
    // again), then its FIN.
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789';
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: -4, flags: ACK },
      { c2s: true, seq: -1, ack: -4, flags: ACK, payload: '\0' },
      { c2s: true, seq: 0, ack: -4, flags: FIN | ACK },
      { c2s: false, seq: -4, ack: 1, flags: ACK },
    ], 5, response);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-server-first');
    expect(report.http.closeKind).toBe('mid-response');
    expect(report.http.closedBy).toBe('server');
  });

  it('a request body cut short, the client\'s FIN lost, the server\'s early answer acknowledging it: the client closed', () => {
    // An upload the client gave up (RFC 9110 §15.5.14: a server may answer before the body ends): the answer is data,
    // but the request's body is no head one byte short, so the number stays the client's FIN, inferred at the server's.
    const upload = 'POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n' + 'b'.repeat(50);
    const answer = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
    const u = upload.length;
    const { codes, report } = analyseFrames([
      ...HANDSHAKE,
      { c2s: true, seq: 101, ack: 501, flags: PSH | ACK, payload: upload },
      { c2s: false, seq: 501, ack: 102 + u, flags: PSH | ACK, payload: answer },
      { c2s: false, seq: 501 + answer.length, ack: 102 + u, flags: FIN | ACK },
      { c2s: true, seq: 102 + u, ack: 502 + answer.length, flags: ACK },
    ]);
    expect(codes.flat()).not.toContain(Codes.GAP);
    expect(report.tcp.closeReason).toBe('fin-client-first');
    expect(report.exchanges[0]!.requestState).toBe('incomplete');
    expect(report.http.reason).toContain('client half-closed before the last response');
  });

  it('inside a body, then the server sends on: the number was a body byte, skipped as one', () => {
    const { codes, report } = analyse([
      { c2s: true, seq: 0, ack: -1, flags: ACK },
      { c2s: false, seq: -1, ack: 0, flags: PSH | ACK, payload: 'i' },
    ], 2);
    expect(codes[0]).not.toContain(Codes.GAP);
    expect(codes[1]).toContain(Codes.GAP);
    expect(report.exchanges.map((x) => [x.responseState, x.responseBodyMissingBytes])).toEqual([['complete', 1]]);
  });
});
