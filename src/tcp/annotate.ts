// Wording of the tcp stage's annotations: durations, sides, and one line per analysis flag. Called only when an
// annotation is emitted, so building strings here is fine; nothing here decides whether a flag applies.

import { formatDurationUs } from '../duration.js';
import type { Annotation } from '../types.js';
import { Codes, TcpFlag } from '../types.js';
import { Analysis, ANALYSIS_CODES, ANY_RETRANSMISSION, TcpCodes } from './codes.js';
import type { SegmentAnalysis } from './checks.js';
import type { Connection } from './connection.js';
import type { Endpoint } from './endpoint.js';

export const SIDE_NAME = ['client', 'server'] as const;

/** "412 µs", "70.1 ms", "2.345 s": three significant-ish digits, unit named. */
export function formatDurationNs(ns: number): string {
  if (ns < 0 || !Number.isFinite(ns)) return '?';
  if (ns < 10_000) return `${(ns / 1000).toFixed(1)} µs`;
  if (ns < 1_000_000) return `${Math.round(ns / 1000)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(1)} ms`;
  return `${(ns / 1_000_000_000).toFixed(3)} s`;
}

/** A handshake RTT as the connection table prints it (formatDurationUs): the same value reads the same in both. */
export function formatRttNs(ns: number): string {
  return formatDurationUs(ns / 1000);
}

/** Everything the analysis lines need to know about the packet, filled by the tracker. */
export interface FlagContext {
  conn: Connection;
  side: 0 | 1;
  sender: Endpoint;
  receiver: Endpoint;
  relSeq: number;
  relAck: number;
  segLen: number;
  /** TcpFlag bits of the segment. */
  tcpFlags: number;
  /** Raw window of this segment and the sender's previous one. */
  window: number;
  previousWindow: number;
  detail: SegmentAnalysis;
}

/** "120 bytes at relative seq 1:121", "its SYN (relative seq 0)", "its FIN (relative seq 5)". */
function describeSegment(c: FlagContext): string {
  if (c.segLen > 0) return `${c.segLen} bytes at relative seq ${c.relSeq}:${(c.relSeq + c.segLen) >>> 0}`;
  const syn = (c.tcpFlags & TcpFlag.SYN) !== 0;
  const fin = (c.tcpFlags & TcpFlag.FIN) !== 0;
  const what = syn ? ((c.tcpFlags & TcpFlag.ACK) !== 0 ? 'its SYN-ACK' : 'its SYN') : fin ? 'its FIN' : 'an empty segment';
  return `${what} (relative seq ${c.relSeq})`;
}

/**
 * pushAnalysisAnnotations without the words (TcpTrackerOptions.texts off): the same codes in the same order, each
 * with an empty text. A test compares the two on every fixture.
 */
export function pushAnalysisCodes(flags: number, out: Annotation[]): void {
  // ANALYSIS_CODES is packet-tcp.c's print order, which pushAnalysisAnnotations follows; REUSED_PORTS is the tracker's.
  for (let i = 0; i < ANALYSIS_CODES.length; i++) {
    const entry = ANALYSIS_CODES[i]!;
    if ((flags & entry[0]) !== 0 && entry[0] !== Analysis.REUSED_PORTS) out.push({ code: entry[1], text: '' });
  }
}

/**
 * Appends one annotation per analysis flag set, in packet-tcp.c's print order (see ANALYSIS_CODES). REUSED_PORTS is
 * left to the tracker, which says it with the connection-life lines before these.
 */
export function pushAnalysisAnnotations(flags: number, c: FlagContext, out: Annotation[]): void {
  const who = SIDE_NAME[c.side];
  const peer = SIDE_NAME[1 - c.side];
  const range = describeSegment(c);
  if (flags & ANY_RETRANSMISSION) {
    const d = c.detail;
    // packet-tcp.c's RTO reference (tcp.analysis.rto_frame): the first segment still unacknowledged, or, with none, the
    // frame that set the next expected sequence number. Not always a segment waiting for its ACK, so not called one.
    const ref = d.rtoFrame !== 0 ? `, RTO ${formatDurationNs(d.rtoNs)} from frame ${d.rtoFrame} (as tshark's tcp.analysis.rto_frame)` : '';
    out.push({ code: Codes.RETRANSMISSION, text: `retransmission by ${who}: ${range}${ref}` });
  }
  if (flags & Analysis.FAST_RETRANSMISSION) {
    out.push({ code: Codes.FAST_RETRANSMISSION,
      text: `fast retransmission: the ${peer} sent ${c.receiver.dupAckNum} duplicate ACKs asking for relative seq ${c.relSeq}` });
  }
  if (flags & Analysis.SPURIOUS_RETRANSMISSION) {
    out.push({ code: Codes.SPURIOUS_RETRANSMISSION,
      text: `spurious retransmission: the ${peer} had already acknowledged these bytes` });
  }
  if (flags & Analysis.OUT_OF_ORDER) {
    out.push({ code: Codes.OUT_OF_ORDER,
      text: `out-of-order: ${range} arrives after higher sequence numbers from the ${who}` });
  }
  if (flags & Analysis.LOST_SEGMENT) {
    // Just past a FIN the capture lacks (TcpTracker.inferFin): that FIN is what is missing, not bytes.
    const sender = c.sender;
    const finRel = sender.finInferred ? (sender.finSeq - sender.baseSeq) >>> 0 : -1;
    out.push({ code: Codes.LOST_SEGMENT, text: finRel !== -1 && ((finRel + 1) >>> 0) === c.relSeq
      ? `previous segment not captured: the ${who}'s FIN (relative seq ${finRel}), shown by the ${peer}'s ACK`
      : `previous segment not captured: ${who}'s bytes before relative seq ${c.relSeq} are missing` });
  }
  if (flags & Analysis.ACK_LOST_SEGMENT) {
    const receiver = c.receiver;
    const finAck = receiver.finInferred ? (receiver.finSeq + 1 - receiver.baseSeq) >>> 0 : -1;
    out.push({ code: Codes.ACK_LOST_SEGMENT, text: finAck === c.relAck
      ? `ACKed unseen segment: ack ${c.relAck} covers the ${peer}'s FIN, which the capture does not contain`
      : `ACKed unseen segment: ack ${c.relAck} covers ${peer} data the capture does not contain` });
  }
  if (flags & Analysis.WINDOW_UPDATE) {
    out.push({ code: Codes.WINDOW_UPDATE, text: `window update: ${who} window ${c.previousWindow} → ${c.window} (unscaled)` });
  }
  if (flags & Analysis.WINDOW_FULL) {
    out.push({ code: Codes.WINDOW_FULL, text: `window full: this segment fills the ${peer}'s advertised receive window` });
  }
  if (flags & Analysis.KEEP_ALIVE) {
    out.push({ code: Codes.KEEP_ALIVE, text: `keep-alive from ${who} (one byte below the next sequence number)` });
  }
  if (flags & Analysis.KEEP_ALIVE_ACK) {
    out.push({ code: Codes.KEEP_ALIVE_ACK, text: `keep-alive ACK from ${who}` });
  }
  if (flags & Analysis.DUP_ACK) {
    out.push({ code: Codes.DUP_ACK, text: `dup ack #${c.detail.dupAckNum} of frame ${c.detail.dupAckFrame}` });
  }
  if (flags & Analysis.ZERO_WINDOW_PROBE) {
    out.push({ code: Codes.ZERO_WINDOW_PROBE, text: `zero window probe: ${who} sends 1 byte into the ${peer}'s closed window` });
  }
  if (flags & Analysis.ZERO_WINDOW) {
    out.push({ code: Codes.ZERO_WINDOW, text: `zero window: ${who} cannot receive more data for now` });
  }
  if (flags & Analysis.ZERO_WINDOW_PROBE_ACK) {
    out.push({ code: TcpCodes.ZERO_WINDOW_PROBE_ACK, text: `zero window probe ACK: ${who}'s window is still closed` });
  }
}
