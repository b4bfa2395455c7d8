// Analysis flag bits (packet-tcp.c TCP_A_* values, so the port reads like the original) and the annotation code each
// one is reported under. Constants only; the public code strings themselves live in src/types.ts Codes.

import { Codes, type AnnotationCode } from '../types.js';

/** Bits of TcpPacketResult.analysis, the TCP_A_* values of packet-tcp.c. */
export const Analysis = {
  RETRANSMISSION: 0x0001,
  LOST_SEGMENT: 0x0002,
  ACK_LOST_SEGMENT: 0x0004,
  KEEP_ALIVE: 0x0008,
  DUP_ACK: 0x0010,
  ZERO_WINDOW: 0x0020,
  ZERO_WINDOW_PROBE: 0x0040,
  ZERO_WINDOW_PROBE_ACK: 0x0080,
  KEEP_ALIVE_ACK: 0x0100,
  OUT_OF_ORDER: 0x0200,
  FAST_RETRANSMISSION: 0x0400,
  WINDOW_UPDATE: 0x0800,
  WINDOW_FULL: 0x1000,
  REUSED_PORTS: 0x2000,
  SPURIOUS_RETRANSMISSION: 0x4000,
} as const;

/** Any kind of retransmission: Wireshark's tcp.analysis.retransmission field is set for all three (see below). */
export const ANY_RETRANSMISSION =
  Analysis.RETRANSMISSION | Analysis.FAST_RETRANSMISSION | Analysis.SPURIOUS_RETRANSMISSION;

/** The tcp stage's code beyond the tcp.analysis.* flags of Codes (Wireshark's tcp.analysis.zero_window_probe_ack). */
export const TcpCodes = {
  ZERO_WINDOW_PROBE_ACK: Codes.ZERO_WINDOW_PROBE_ACK,
} as const;

/**
 * Flag bit -> annotation code, in the order packet-tcp.c tcp_print_sequence_number_analysis prints them (reused
 * ports, retransmissions, out-of-order, lost, window, keep-alive, duplicate ACK, zero window). The RETRANSMISSION
 * entry stands for ANY_RETRANSMISSION: packet-tcp.c adds ei_tcp_analysis_retransmission for fast and spurious
 * retransmissions as well, so tshark's tcp.analysis.retransmission is set on them; we emit both codes likewise.
 */
export const ANALYSIS_CODES: ReadonlyArray<readonly [number, AnnotationCode]> = [
  [Analysis.REUSED_PORTS, Codes.PORT_REUSE],
  [ANY_RETRANSMISSION, Codes.RETRANSMISSION],
  [Analysis.FAST_RETRANSMISSION, Codes.FAST_RETRANSMISSION],
  [Analysis.SPURIOUS_RETRANSMISSION, Codes.SPURIOUS_RETRANSMISSION],
  [Analysis.OUT_OF_ORDER, Codes.OUT_OF_ORDER],
  [Analysis.LOST_SEGMENT, Codes.LOST_SEGMENT],
  [Analysis.ACK_LOST_SEGMENT, Codes.ACK_LOST_SEGMENT],
  [Analysis.WINDOW_UPDATE, Codes.WINDOW_UPDATE],
  [Analysis.WINDOW_FULL, Codes.WINDOW_FULL],
  [Analysis.KEEP_ALIVE, Codes.KEEP_ALIVE],
  [Analysis.KEEP_ALIVE_ACK, Codes.KEEP_ALIVE_ACK],
  [Analysis.DUP_ACK, Codes.DUP_ACK],
  [Analysis.ZERO_WINDOW_PROBE, Codes.ZERO_WINDOW_PROBE],
  [Analysis.ZERO_WINDOW, Codes.ZERO_WINDOW],
  [Analysis.ZERO_WINDOW_PROBE_ACK, TcpCodes.ZERO_WINDOW_PROBE_ACK],
];

/** Codes for the flags set in `analysis`, in display order (allocates; for tests and JSON, not the hot path). */
export function analysisCodes(analysis: number): AnnotationCode[] {
  const codes: AnnotationCode[] = [];
  for (const [bit, code] of ANALYSIS_CODES) if (analysis & bit) codes.push(code);
  return codes;
}
