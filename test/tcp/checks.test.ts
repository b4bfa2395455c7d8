// The Wireshark analysis port on bare FlowAnalysis state: each predicate, the precedence packet-tcp.c gives them,
// and the quirks kept for parity (0 means "unset", guint32 dupacknum, unsigned time deltas, the unacked cap).

import { describe, expect, test } from 'vitest';
import { TcpFlag } from '../../src/types.js';
import { Analysis } from '../../src/tcp/codes.js';
import {
  analyzeSegment, isDuplicateAck, isKeepAlive, isLostSegment, isWindowFull, isZeroWindow, isZeroWindowProbe,
  newSegmentAnalysis, type Segment,
} from '../../src/tcp/checks.js';
import { Endpoint, WS_NONE } from '../../src/tcp/endpoint.js';
import { MAX_UNACKED_SEGMENTS } from '../../src/tcp/unacked.js';

const A = TcpFlag.ACK;
const MS = 1_000_000;

function seg(p: Partial<Segment>): Segment {
  return { frame: 1, timeNs: 0, seq: 0, ack: 0, segLen: 0, flags: A, window: 1000, mptcpOps: 0, ...p };
}

/** Two directions after a handshake: fwd sent up to 1001, rev up to 5001, both acknowledged. */
function pair(): { fwd: Endpoint; rev: Endpoint } {
  const fwd = new Endpoint();
  const rev = new Endpoint();
  fwd.nextSeq = 1001;
  fwd.maxSeqToBeAcked = 1001;
  fwd.lastAck = 5001;
  fwd.window = 1000;
  fwd.lastAckTimeNs = 0;
  fwd.nextSeqTimeNs = 0;
  rev.nextSeq = 5001;
  rev.maxSeqToBeAcked = 5001;
  rev.lastAck = 1001;
  rev.window = 1000;
  rev.lastAckTimeNs = 0;
  rev.nextSeqTimeNs = 0;
  return { fwd, rev };
}

function flagsOf(fwd: Endpoint, rev: Endpoint, s: Segment, firstRttNs = 0): number {
  return analyzeSegment(fwd, rev, firstRttNs, s, newSegmentAnalysis());
}

describe('predicates', () => {
  test('zero window probe needs 1 byte at nextSeq and a closed peer window', () => {
    const { fwd, rev } = pair();
    expect(isZeroWindowProbe(fwd, rev, seg({ seq: 1001, segLen: 1 }))).toBe(false);
    rev.window = 0;
    expect(isZeroWindowProbe(fwd, rev, seg({ seq: 1001, segLen: 1 }))).toBe(true);
    expect(isZeroWindowProbe(fwd, rev, seg({ seq: 1001, segLen: 2 }))).toBe(false);
  });

  test('zero window ignores SYN, FIN and RST segments', () => {
    expect(isZeroWindow(seg({ window: 0 }))).toBe(true);
    expect(isZeroWindow(seg({ window: 0, flags: A | TcpFlag.FIN }))).toBe(false);
    expect(isZeroWindow(seg({ window: 0, flags: TcpFlag.RST }))).toBe(false);
  });

  test('lost segment: beyond nextSeq, not on RST, and never while nextSeq is 0 (packet-tcp.c "unset")', () => {
    const { fwd } = pair();
    expect(isLostSegment(fwd, seg({ seq: 1002 }))).toBe(true);
    expect(isLostSegment(fwd, seg({ seq: 1002, flags: TcpFlag.RST }))).toBe(false);
    fwd.nextSeq = 0;
    expect(isLostSegment(fwd, seg({ seq: 5 }))).toBe(false);
  });

  test('keep-alive: 0 or 1 byte at nextSeq - 1, wrapping below 0', () => {
    const { fwd } = pair();
    expect(isKeepAlive(fwd, seg({ seq: 1000 }))).toBe(true);
    expect(isKeepAlive(fwd, seg({ seq: 1000, segLen: 1 }))).toBe(true);
    expect(isKeepAlive(fwd, seg({ seq: 1000, segLen: 2 }))).toBe(false);
    fwd.nextSeq = 0;
    expect(isKeepAlive(fwd, seg({ seq: 0xffffffff }))).toBe(true);
  });

  test('duplicate ACK: same seq, ack and non-zero window, no data', () => {
    const { fwd } = pair();
    expect(isDuplicateAck(fwd, seg({ seq: 1001, ack: 5001 }))).toBe(true);
    expect(isDuplicateAck(fwd, seg({ seq: 1001, ack: 5001, window: 999 }))).toBe(false);
    expect(isDuplicateAck(fwd, seg({ seq: 1001, ack: 5001, segLen: 1 }))).toBe(false);
  });

  test('window full uses the peer scale, except right after its SYN (issue 14690)', () => {
    const { rev } = pair();
    rev.winScale = 2;
    rev.window = 250;
    rev.lastAck = 1;
    expect(isWindowFull(rev, seg({ seq: 1, segLen: 999 }))).toBe(false);
    expect(isWindowFull(rev, seg({ seq: 1, segLen: 1000 }))).toBe(true);
    rev.isFirstAck = true;
    expect(isWindowFull(rev, seg({ seq: 1, segLen: 1000 }))).toBe(false);
    expect(isWindowFull(rev, seg({ seq: 1, segLen: 250 }))).toBe(true);
    rev.isFirstAck = false;
    rev.winScale = WS_NONE;
    expect(isWindowFull(rev, seg({ seq: 1, segLen: 250 }))).toBe(true);
    rev.winScale = -1;
    expect(isWindowFull(rev, seg({ seq: 1, segLen: 250 }))).toBe(false);
  });
});

describe('analyzeSegment precedence', () => {
  test('a zero window probe is nothing else, and does not move nextSeq', () => {
    const { fwd, rev } = pair();
    rev.window = 0;
    const f = flagsOf(fwd, rev, seg({ seq: 1001, ack: 5001, segLen: 1, window: 0 }));
    expect(f).toBe(Analysis.ZERO_WINDOW_PROBE);
    expect(fwd.nextSeq).toBe(1001);
  });

  test('a keep-alive with one byte is not a retransmission', () => {
    const { fwd, rev } = pair();
    expect(flagsOf(fwd, rev, seg({ seq: 1000, ack: 5001, segLen: 1 }))).toBe(Analysis.KEEP_ALIVE);
  });

  test('more than one byte from nextSeq - 1 is new data after a probe, not a retransmission', () => {
    const { fwd, rev } = pair();
    rev.lastAck = 0;
    expect(flagsOf(fwd, rev, seg({ seq: 1000, ack: 5001, segLen: 100, timeNs: 10 * MS }))).toBe(0);
  });

  test('spurious beats fast retransmission and out-of-order', () => {
    const { fwd, rev } = pair();
    rev.dupAckNum = 3;
    expect(flagsOf(fwd, rev, seg({ seq: 900, ack: 5001, segLen: 100, timeNs: 1 }))).toBe(Analysis.SPURIOUS_RETRANSMISSION);
  });

  test('fast retransmission beats out-of-order; 20 ms window after the last duplicate ACK', () => {
    const make = () => {
      const { fwd, rev } = pair();
      fwd.nextSeq = 3001;
      rev.lastAck = 1001;
      rev.dupAckNum = 2;
      rev.lastAckTimeNs = 100 * MS;
      fwd.nextSeqTimeNs = 100 * MS;
      return { fwd, rev };
    };
    let p = make();
    expect(flagsOf(p.fwd, p.rev, seg({ seq: 1001, ack: 5001, segLen: 1000, timeNs: 101 * MS }))).toBe(Analysis.FAST_RETRANSMISSION);
    p = make();
    expect(flagsOf(p.fwd, p.rev, seg({ seq: 1001, ack: 5001, segLen: 1000, timeNs: 121 * MS }))).toBe(Analysis.RETRANSMISSION);
    p = make();
    p.rev.dupAckNum = -1;
    expect(flagsOf(p.fwd, p.rev, seg({ seq: 1001, ack: 5001, segLen: 1000, timeNs: 101 * MS }))).toBe(Analysis.FAST_RETRANSMISSION);
    p = make();
    p.rev.dupAckNum = 1;
    expect(flagsOf(p.fwd, p.rev, seg({ seq: 1001, ack: 5001, segLen: 1000, timeNs: 101 * MS }))).toBe(Analysis.OUT_OF_ORDER);
  });

  test('out-of-order threshold: 3 ms without an RTT, the handshake RTT with one, unlimited when negative', () => {
    const make = () => {
      const { fwd, rev } = pair();
      fwd.nextSeq = 3001;
      fwd.nextSeqTimeNs = 100 * MS;
      rev.lastAck = 0;
      return { fwd, rev };
    };
    const late = seg({ seq: 1001, ack: 5001, segLen: 1000, timeNs: 104 * MS });
    let p = make();
    expect(flagsOf(p.fwd, p.rev, late)).toBe(Analysis.RETRANSMISSION);
    p = make();
    expect(flagsOf(p.fwd, p.rev, late, 10 * MS)).toBe(Analysis.OUT_OF_ORDER);
    p = make();
    expect(flagsOf(p.fwd, p.rev, seg({ ...late, timeNs: 10_000 * MS }), -1 * MS)).toBe(Analysis.OUT_OF_ORDER);
    p = make();
    // Capture time running backwards makes packet-tcp.c's unsigned delta huge: never "close".
    expect(flagsOf(p.fwd, p.rev, seg({ ...late, timeNs: 99 * MS }), 10 * MS)).toBe(Analysis.RETRANSMISSION);
  });

  test('a segment that exactly fills the gap below nextSeq is a retransmission, not out-of-order', () => {
    const { fwd, rev } = pair();
    fwd.nextSeq = 2001;
    fwd.nextSeqTimeNs = 0;
    rev.lastAck = 0;
    expect(flagsOf(fwd, rev, seg({ seq: 1001, ack: 5001, segLen: 1000, timeNs: 1 * MS }))).toBe(Analysis.RETRANSMISSION);
  });

  test('duplicate ACK numbering, reset when the ack moves, restarted at #1 after an unseen-segment ACK', () => {
    const { fwd, rev } = pair();
    const out = newSegmentAnalysis();
    const dup = (frame: number) => analyzeSegment(fwd, rev, 0, seg({ frame, seq: 1001, ack: 5001 }), out);
    fwd.lastNonDupAckFrame = 7;
    expect(dup(8)).toBe(Analysis.DUP_ACK);
    expect([out.dupAckNum, out.dupAckFrame]).toEqual([1, 7]);
    dup(9);
    expect(out.dupAckNum).toBe(2);
    analyzeSegment(fwd, rev, 0, seg({ frame: 10, seq: 1001, ack: 5001 + 0 }), out);
    expect(out.dupAckNum).toBe(3);
    fwd.dupAckNum = -1;
    dup(11);
    expect(out.dupAckNum).toBe(1);
    analyzeSegment(fwd, rev, 0, seg({ frame: 12, seq: 1001, ack: 5001 }), out);
    expect(out.dupAckNum).toBe(2);
  });

  test('ACKed unseen segment is said once while the peer stays stalled', () => {
    const { fwd, rev } = pair();
    const out = newSegmentAnalysis();
    expect(analyzeSegment(fwd, rev, 0, seg({ seq: 1001, ack: 6001 }), out)).toBe(Analysis.ACK_LOST_SEGMENT);
    expect(rev.maxSeqToBeAcked).toBe(5001);
    expect(rev.dupAckNum).toBe(-1);
    expect(analyzeSegment(fwd, rev, 0, seg({ seq: 1001, ack: 6001 }), out) & Analysis.ACK_LOST_SEGMENT).toBe(0);
  });

  test('after the unacked cap, SYN and FIN no longer count a sequence number (packet-tcp.c side effect)', () => {
    const { fwd, rev } = pair();
    const out = newSegmentAnalysis();
    let seq = 1001;
    for (let i = 0; i < MAX_UNACKED_SEGMENTS; i++) {
      analyzeSegment(fwd, rev, 0, seg({ seq, ack: 5001, segLen: 1, timeNs: i }), out);
      seq++;
    }
    expect(fwd.unacked.count).toBe(MAX_UNACKED_SEGMENTS);
    analyzeSegment(fwd, rev, 0, seg({ seq, ack: 5001, flags: A | TcpFlag.FIN, timeNs: 1e9 }), out);
    expect(fwd.nextSeq).toBe(seq);
    analyzeSegment(rev, fwd, 0, seg({ seq: 5001, ack: seq }), out);
    expect(fwd.unacked.count).toBe(0);
  });
});
