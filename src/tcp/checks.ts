// Wireshark 4.0's TCP sequence analysis (packet-tcp.c tcp_analyze_sequence_number), reimplemented: pure predicates
// over the two directions' FlowAnalysis plus one function that applies them in Wireshark's order and updates state.
// It decides the tcp.analysis.* flags only; connection state and annotation text belong to tracker.ts.

import { TcpFlag } from '../types.js';
import { Analysis, ANY_RETRANSMISSION } from './codes.js';
import type { FlowAnalysis } from './endpoint.js';
import { MAX_UNACKED_SEGMENTS, type AckSample } from './unacked.js';
import { seqGt, seqLeq, seqLt } from './seq.js';

const SYN = TcpFlag.SYN;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;
const ACK = TcpFlag.ACK;
const SYN_FIN_RST = SYN | FIN | RST;

/** packet-tcp.c: a fast retransmission follows the second duplicate ACK within 20 ms. */
export const FAST_RETRANSMISSION_WINDOW_NS = 20_000_000;
/** packet-tcp.c: out-of-order threshold when no handshake RTT is known yet (3 ms). */
export const DEFAULT_OOO_THRESHOLD_NS = 3_000_000;

/** The facts about one segment the analysis needs (absolute sequence numbers, raw window). */
export interface Segment {
  frame: number;
  /** Capture time, ns since the tracker's first packet. */
  timeNs: number;
  seq: number;
  ack: number;
  /** TCP payload length on the wire (IP payload length - TCP header length). */
  segLen: number;
  /** TcpFlag bits. */
  flags: number;
  /** Raw window field, not scaled. */
  window: number;
  /** The connection's MPTCP option types so far (Connection.mptcpOps), this segment's own not yet included. */
  mptcpOps: number;
}

/** What analyzeSegment reports besides the flag bits (reused object; fields overwritten on every call). */
export interface SegmentAnalysis extends AckSample {
  /** Duplicate ACK number as Wireshark counts it, and the frame it duplicates; 0 when not a duplicate ACK. */
  dupAckNum: number;
  dupAckFrame: number;
  /** For a retransmission: the frame Wireshark uses as the RTO reference (oldest unacknowledged), and its time. */
  rtoFrame: number;
  rtoNs: number;
}

export function newSegmentAnalysis(): SegmentAnalysis {
  return { rttNs: -1, frame: 0, dupAckNum: 0, dupAckFrame: 0, rtoFrame: 0, rtoNs: 0 };
}

/** Unsigned time difference as packet-tcp.c computes it: a negative delta wraps to a huge guint64, never "short". */
function within(deltaNs: number, limitNs: number): boolean {
  return deltaNs >= 0 && deltaNs < limitNs;
}

/**
 * a < b as packet-tcp.c compares two guint64 nanosecond values that may have been negative (capture time running
 * backwards): a negative value wraps to above every non-negative one, and two negative ones keep their order.
 */
function unsignedLess(a: number, b: number): boolean {
  if (a >= 0) return b < 0 || a < b;
  return b < 0 && a < b;
}

/** ZERO WINDOW PROBE: one byte at the next expected sequence number while the peer advertises a zero window. */
export function isZeroWindowProbe(fwd: FlowAnalysis, rev: FlowAnalysis, s: Segment): boolean {
  return s.segLen === 1 && s.seq === fwd.nextSeq && rev.window === 0;
}

/** ZERO WINDOW: window 0 on a segment without SYN, FIN or RST. */
export function isZeroWindow(s: Segment): boolean {
  return s.window === 0 && (s.flags & SYN_FIN_RST) === 0;
}

/** LOST SEGMENT ("previous segment not captured"): the segment starts beyond nextSeq (RST segments excepted). */
export function isLostSegment(fwd: FlowAnalysis, s: Segment): boolean {
  return fwd.nextSeq !== 0 && seqGt(s.seq, fwd.nextSeq) && (s.flags & RST) === 0;
}

/** KEEP ALIVE: 0 or 1 byte starting one byte before nextSeq, no SYN/FIN/RST. */
export function isKeepAlive(fwd: FlowAnalysis, s: Segment): boolean {
  return (s.segLen === 0 || s.segLen === 1) && s.seq === ((fwd.nextSeq - 1) >>> 0) && (s.flags & SYN_FIN_RST) === 0;
}

/** A bare ACK that repeats this direction's previous seq and ack (shared by window update, dup ACK and friends). */
function repeatsLastAck(fwd: FlowAnalysis, s: Segment): boolean {
  return s.segLen === 0 && s.seq === fwd.nextSeq && s.ack === fwd.lastAck && (s.flags & SYN_FIN_RST) === 0;
}

/** WINDOW UPDATE: a bare repeat of the previous ACK with a different, non-zero window. */
export function isWindowUpdate(fwd: FlowAnalysis, s: Segment): boolean {
  return s.window !== 0 && s.window !== fwd.window && repeatsLastAck(fwd, s);
}

/**
 * WINDOW FULL: data ending exactly at the right edge of the window the peer advertised (lastAck + scaled window).
 * Only when the peer's scaling is known (its SYN was seen); the first ACK after a SYN is not scaled (issue 14690).
 */
export function isWindowFull(rev: FlowAnalysis, s: Segment): boolean {
  if (s.segLen === 0 || rev.winScale === -1 || (s.flags & SYN_FIN_RST) !== 0) return false;
  const shift = rev.isFirstAck || rev.winScale === -2 ? 0 : rev.winScale;
  const rightEdge = (rev.lastAck + ((rev.window << shift) >>> 0)) >>> 0;
  return ((s.seq + s.segLen) >>> 0) === rightEdge;
}

/** KEEP ALIVE ACK: a bare repeat of the previous ACK, same window, answering a keep-alive. */
export function isKeepAliveAck(fwd: FlowAnalysis, rev: FlowAnalysis, s: Segment): boolean {
  return s.window !== 0 && s.window === fwd.window && repeatsLastAck(fwd, s) &&
    (rev.lastSegmentFlags & Analysis.KEEP_ALIVE) !== 0;
}

/** ZERO WINDOW PROBE ACK: a bare repeat of the previous zero-window ACK, answering a zero window probe. */
export function isZeroWindowProbeAck(fwd: FlowAnalysis, rev: FlowAnalysis, s: Segment): boolean {
  return s.window === 0 && fwd.window === 0 && repeatsLastAck(fwd, s) &&
    (rev.lastSegmentFlags & Analysis.ZERO_WINDOW_PROBE) !== 0;
}

/** DUPLICATE ACK: a bare repeat of the previous ACK with the same non-zero window. */
export function isDuplicateAck(fwd: FlowAnalysis, s: Segment): boolean {
  return s.window !== 0 && s.window === fwd.window && repeatsLastAck(fwd, s);
}

/**
 * Runs Wireshark's analysis for one segment sent in direction `fwd` (the peer's side is `rev`), updates both as
 * packet-tcp.c does, and returns the Analysis bits. `firstRttNs` is the connection's handshake RTT as packet-tcp.c
 * measures it (0 while unknown), the out-of-order threshold.
 */
export function analyzeSegment(
  fwd: FlowAnalysis, rev: FlowAnalysis, firstRttNs: number, s: Segment, out: SegmentAnalysis,
): number {
  const { seq, ack, segLen, timeNs } = s;
  const synOrFin = (s.flags & (SYN | FIN)) !== 0;
  let flags = 0;
  out.dupAckNum = 0;
  out.dupAckFrame = 0;
  out.rtoFrame = 0;
  out.rtoNs = 0;

  // The checks about this direction alone; the first three matches end it early, as packet-tcp.c's goto does.
  forward: {
    if (isZeroWindowProbe(fwd, rev, s)) { flags |= Analysis.ZERO_WINDOW_PROBE; break forward; }
    if (isZeroWindow(s)) flags |= Analysis.ZERO_WINDOW;
    if (isLostSegment(fwd, s)) flags |= Analysis.LOST_SEGMENT;
    if (isKeepAlive(fwd, s)) flags |= Analysis.KEEP_ALIVE;
    if (isWindowUpdate(fwd, s)) flags |= Analysis.WINDOW_UPDATE;
    if (isWindowFull(rev, s)) flags |= Analysis.WINDOW_FULL;
    if (isKeepAliveAck(fwd, rev, s)) { flags |= Analysis.KEEP_ALIVE_ACK; break forward; }
    if (isZeroWindowProbeAck(fwd, rev, s)) { flags |= Analysis.ZERO_WINDOW_PROBE_ACK; break forward; }
    // packet-tcp.c: MPTCP tolerates duplicate ACKs (RFC 8684), so the first one after the connection's set of MPTCP
    // option types changed is neither flagged nor counted (mp_operations). Measured with tshark 4.0.17: once
    // per change, whichever segment of the direction comes next takes the new set.
    if (isDuplicateAck(fwd, s) && s.mptcpOps === fwd.mptcpOps) {
      fwd.dupAckNum = fwd.dupAckNum === -1 ? 1 : fwd.dupAckNum + 1;
      flags |= Analysis.DUP_ACK;
      out.dupAckNum = fwd.dupAckNum;
      out.dupAckFrame = fwd.lastNonDupAckFrame;
    }
  }
  fwd.mptcpOps = s.mptcpOps;
  if (ack !== fwd.lastAck) {
    fwd.lastNonDupAckFrame = s.frame;
    fwd.dupAckNum = 0;
  }

  // ACKED LOST SEGMENT: the ACK covers more than the peer has been seen to send contiguously.
  if (rev.maxSeqToBeAcked !== 0 && seqGt(ack, rev.maxSeqToBeAcked) && (s.flags & ACK) !== 0) {
    if (seqLt(rev.maxSeqToBeAcked, rev.nextSeq)) {
      rev.maxSeqToBeAcked = rev.nextSeq;
      flags |= Analysis.ACK_LOST_SEGMENT;
    } else {
      // packet-tcp.c: report a stalled peer's repeated ACKs of the same unseen data once only.
      if (rev.dupAckNum === 0) flags |= Analysis.ACK_LOST_SEGMENT;
      rev.dupAckNum = -1;
    }
  }

  // RETRANSMISSION / FAST RETRANSMISSION / SPURIOUS / OUT-OF-ORDER, for segments that occupy sequence space.
  if (segLen > 0 || synOrFin) {
    kind: {
      if (flags & Analysis.KEEP_ALIVE) break kind;
      let notAdvanced = fwd.nextSeq !== 0 && seqLt(seq, fwd.nextSeq);
      // One byte below nextSeq with more than one byte of data: new data after a zero window probe.
      if (segLen > 1 && ((fwd.nextSeq - 1) >>> 0) === seq) notAdvanced = false;
      if (segLen > 0 && rev.lastAck !== 0 && seqLeq((seq + segLen) >>> 0, rev.lastAck)) {
        flags |= Analysis.SPURIOUS_RETRANSMISSION;
        break kind;
      }
      // tcp_fastrt_precedence (default TRUE): fast retransmission is tested before out-of-order. dupacknum is a
      // guint32 in packet-tcp.h, so the -1 left by an "ACKed unseen segment" compares as >= 2 there too.
      if (notAdvanced && (rev.dupAckNum >= 2 || rev.dupAckNum === -1) && rev.lastAck === seq &&
          within(timeNs - rev.lastAckTimeNs, FAST_RETRANSMISSION_WINDOW_NS)) {
        flags |= Analysis.FAST_RETRANSMISSION;
        break kind;
      }
      // packet-tcp.c compares the time since the highest segment with the first RTT as two guint64: a negative RTT
      // (capture time ran backwards) wraps to above any positive delta, a negative delta below a larger negative RTT.
      const oooThresholdNs = firstRttNs === 0 ? DEFAULT_OOO_THRESHOLD_NS : firstRttNs;
      if (notAdvanced && unsignedLess(timeNs - fwd.nextSeqTimeNs, oooThresholdNs) &&
          fwd.nextSeq !== ((seq + segLen + (synOrFin ? 1 : 0)) >>> 0)) {
        flags |= Analysis.OUT_OF_ORDER;
        break kind;
      }
      if (notAdvanced) {
        flags |= Analysis.RETRANSMISSION;
        const oldest = fwd.unacked.oldestFrame();
        out.rtoFrame = oldest !== 0 ? oldest : fwd.nextSeqFrame;
        out.rtoNs = timeNs - (oldest !== 0 ? fwd.unacked.oldestTimeNs() : fwd.nextSeqTimeNs);
      }
    }
  }

  // Record the segment; SYN and FIN count one sequence number, but only while Wireshark still records segments.
  let nextSeq = (seq + segLen) >>> 0;
  if ((segLen > 0 || synOrFin) && fwd.unacked.count < MAX_UNACKED_SEGMENTS) {
    if (synOrFin) nextSeq = (nextSeq + 1) >>> 0;
    fwd.unacked.push(nextSeq, s.frame, timeNs, (flags & ANY_RETRANSMISSION) !== 0);
  }
  const probe = (flags & Analysis.ZERO_WINDOW_PROBE) !== 0;
  if ((seqGt(nextSeq, fwd.nextSeq) || fwd.nextSeq === 0) && !probe) {
    fwd.nextSeq = nextSeq;
    fwd.nextSeqFrame = s.frame;
    fwd.nextSeqTimeNs = timeNs;
  }
  if ((seq === fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked === 0) && !probe) fwd.maxSeqToBeAcked = fwd.nextSeq;

  fwd.window = s.window;
  fwd.lastAck = ack;
  fwd.lastAckTimeNs = timeNs;
  fwd.lastSegmentFlags = flags;

  // packet-tcp.c walks the peer's list with the raw ack field even when the ACK flag is clear; we only let real
  // ACKs remove segments, so a RST or SYN with a stray ack value cannot spoil the RTT samples.
  if ((s.flags & ACK) !== 0) rev.unacked.ack(ack, timeNs, out);
  else { out.rttNs = -1; out.frame = 0; }
  return flags;
}
