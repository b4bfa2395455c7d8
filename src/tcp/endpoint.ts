// One side of a connection as the capture point sees it: its RFC 9293 state, what Wireshark's per-flow analysis
// keeps (packet-tcp.c tcp_flow_t / tcp_analyze_seq_flow_info_t), and its counters. Data only; tracker.ts changes it.

import { UnackedQueue } from './unacked.js';

/** RFC 9293 §3.3.2 states, plus RESET (the connection was aborted by a RST sent or received by this endpoint). */
export type TcpState =
  | 'CLOSED'
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT'
  | 'RESET';

/** Window scale as packet-tcp.c tracks it: a shift 0..14 once known, or one of these. */
export const WS_UNKNOWN = -1;
export const WS_NONE = -2;

/**
 * Wireshark's sequence-analysis view of one direction. Sequence numbers are absolute (packet-tcp.c analyses raw
 * values and treats 0 as "not seen yet" for nextSeq, maxSeqToBeAcked and lastAck; we keep that quirk for parity).
 */
export interface FlowAnalysis {
  /** Sequence number following the highest byte (or SYN/FIN) sent; 0 until a segment is seen. */
  nextSeq: number;
  nextSeqFrame: number;
  /** Capture time of the segment that set nextSeq, ns since the tracker's first packet; -Infinity before. */
  nextSeqTimeNs: number;
  /** Highest contiguous sequence number; an ACK above it acknowledges something not captured. */
  maxSeqToBeAcked: number;
  /** The acknowledgment field of this direction's previous segment (whatever the ACK flag said). */
  lastAck: number;
  lastAckTimeNs: number;
  /** Raw window field of the previous segment; 0xFFFFFFFF before the first. */
  window: number;
  /** WS_UNKNOWN, WS_NONE, or the shift count this side announced. */
  winScale: number;
  /** True from this side's SYN until its first ACK without SYN (packet-tcp.c is_first_ack, issue 14690). */
  isFirstAck: boolean;
  /** Analysis flags of this direction's previous segment. */
  lastSegmentFlags: number;
  /** Duplicate ACK counter; -1 after an "ACKed unseen segment" so the next duplicate counts as #1. */
  dupAckNum: number;
  /** Frame whose ACK the duplicates repeat. */
  lastNonDupAckFrame: number;
  /** The connection's MPTCP option types (Segment.mptcpOps) when this direction's previous segment was analysed. */
  mptcpOps: number;
  unacked: UnackedQueue;
}

export class Endpoint implements FlowAnalysis {
  state: TcpState = 'CLOSED';

  // Relative sequence numbers, packet-tcp.c style: the base is the SYN's sequence number, or seq - 1 of the first
  // segment when no SYN was seen, or ack - 1 of the peer's first ACK if that comes first.
  baseSeq = 0;
  baseSet = false;

  // What this side announced in its SYN (or SYN-ACK): -1 / false when absent or not seen.
  synSeen = false;
  isn = 0;
  mssBytes = -1;
  windowScaleOffered = -1;
  sackPermitted = false;

  // What this side last acknowledged and offered (RCV.NXT and RCV.WND, scaled), to judge a peer's RST.
  rcvNxtKnown = false;
  rcvNxt = 0;
  rcvWindowBytes = 0;

  // FIN bookkeeping (RFC 9293 §3.6): the sequence number of this side's FIN, once sent.
  finSent = false;
  finSeq = 0;
  /** The packet index of this side's first FIN (0 before it). */
  finFrame = 0;
  /** The acknowledgment number its first FIN carried (what of the peer's stream it had when it closed); -1 without. */
  finAck = -1;
  /**
   * The FIN was not captured: the peer's ACK covered it (TcpTracker.inferFin), at finFrame (the first such ACK: one the
   * owner held undecided comes before the one inferred at, TcpTrackerOptions.finShownAt), which may also carry the
   * peer's own FIN; this one came first.
   */
  finInferred = false;
  /** Data past an inferred FIN was seen and annotated (TcpTracker: once per endpoint). */
  pastInferredFinNoted = false;
  /** The packet index at which the peer first acknowledged this side's FIN (0 before). */
  finAckedFrame = 0;
  /**
   * This side sent its FIN before the peer's FIN reached it (their FINs crossed, RFC 9293 §3.6 figure 13): the
   * peer's FIN, seen earlier at the capture point, is still on its way here. It arrives before any later segment of
   * the peer (in order), or is shown received when this side acknowledges it.
   */
  peerFinPending = false;
  /**
   * The peer's FIN reached this side out of order, bytes before it still missing (the peer's holeFrom): held, as RFC
   * 9293 §3.10.7.4 holds a segment beyond RCV.NXT (SHLD-31), and taken once they arrive or this side acknowledges it.
   */
  finHeld = false;
  /**
   * The peer's FIN came where this side need not take it: on the peer's SYN while this side was not synchronized
   * (SYN+FIN, a scanner's or a crafted segment; stacks differ: RFC 9293 §3.10.7.2 leaves it to SYN-RECEIVED, which
   * drops a segment without ACK; §3.10.7.3 queues it until ESTABLISHED; Linux drops the SYN+FIN; 4.4BSD takes it), or
   * without the ACK flag (§3.10.7.4's fifth step drops such a segment; so does Linux). Taken once this side's ACK
   * covers it.
   */
  finHeldForAck = false;
  /**
   * This side's stream as the capture showed it: the sequence number after the highest byte, SYN or FIN sent (data,
   * SYN or FIN segments only: a probe's sequence number is below SND.NXT), once one was seen; and the ranges of it not
   * seen yet, [from, to) pairs in order (null without any), opened by a segment beyond seenEnd that the peer had not
   * acknowledged, narrowed by the bytes that fill them and by the peer's ACKs. holeFrom mirrors the first range's start
   * (-1 without one). They say what the receiver's RCV.NXT is, for a FIN (held) and a RST (RFC 5961 §3.2).
   */
  seenEndKnown = false;
  seenEnd = 0;
  holeFrom = -1;
  holes: number[] | null = null;

  // Counters for the summary.
  packets = 0;
  payloadBytes = 0;
  retransmittedBytes = 0;
  rttSamples = 0;
  rttSumNs = 0;
  rttMinNs = Infinity;
  rttMaxNs = 0;
  /** Zeek-style history letters already recorded (bit per letter) and repeat counters for T, W, G. */
  historySeen = 0;
  retransmissionCount = 0;
  zeroWindowCount = 0;
  gapCount = 0;
  dataSeen = false;

  // FlowAnalysis
  nextSeq = 0;
  nextSeqFrame = 0;
  nextSeqTimeNs = -Infinity;
  maxSeqToBeAcked = 0;
  lastAck = 0;
  lastAckTimeNs = -Infinity;
  window = 0xffffffff;
  winScale = WS_UNKNOWN;
  isFirstAck = false;
  lastSegmentFlags = 0;
  dupAckNum = 0;
  lastNonDupAckFrame = 0;
  mptcpOps = 0;
  unacked = new UnackedQueue();
}
