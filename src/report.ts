// The public shapes of analysis results: packet events, connection reports, the whole report.
// These are the JSON contract (schema/tcptrace.schema.json): add fields at the end, never rename; bump SCHEMA_VERSION on breaks.

import type { Annotation, Direction } from './types.js';
import type { CaptureWarningCodeName } from './capture/errors.js';
import type { Packet } from './decode/packet.js';
import type { ConnectionSummary } from './tcp/summary.js';
import type { HttpExchange, HttpSummary } from './http/types.js';

export const SCHEMA_VERSION = 1;

/** The numbers tcpdump prints for a packet (its own relative numbering, or absolute with -S). */
export interface DisplaySeq {
  /** Whether seq/ack below are relative (tcpdump prints absolute values on the packet that sets its base). */
  relative: boolean;
  seq: number;
  ack: number;
  /** Bases tcpdump subtracts from SACK block edges (0 when absolute). */
  sackBase: number;
}

/** One analysed packet. `packet` holds views into the capture buffer: render or copy before the next batch. */
export interface PacketEvent {
  frame: number;
  /** The record as captured, decoded: what tcpdump prints for it. */
  packet: Packet;
  /**
   * The packet the TCP analysis took: `packet` itself, except in the frame of the IPv4 fragment that completed a
   * datagram, where it is that datagram made whole (as Wireshark shows the reassembled TCP segment in that frame).
   * Its TCP header is present whenever conn >= 0.
   */
  segment: Packet;
  /**
   * Connection id; -1 for a packet that joins no connection (not TCP, a TCP header cut before its window, an IP
   * fragment whose datagram is not yet whole); -2 (FOREIGN_CONNECTION) for a packet of another shard's connection
   * when AnalyzerOptions.shard is set.
   */
  conn: number;
  /** 0 client→server, 1 server→client, -1 when not TCP. */
  dir: Direction | -1;
  display: DisplaySeq;
  /** Sequence and acknowledgement numbers relative to each direction's ISN (Wireshark's convention). */
  relSeq: number;
  relAck: number;
  /** Read-only: events without annotations share one frozen empty list. */
  annotations: readonly Annotation[];
}

/** Everything known about one connection once it is over (closed and expired, or the capture ended). */
export interface ConnectionReport {
  tcp: ConnectionSummary;
  http: HttpSummary;
  exchanges: readonly HttpExchange[];
  /**
   * How many annotations of each code this connection's packets carried (a packet can carry several of one code: four
   * pipelined requests in one segment are four http.request). Packets outside any connection are not counted.
   */
  annotationCounts: Record<string, number>;
}

export interface CaptureWarningReport {
  /** 'capture.corrupt' says the capture was damaged partway: what came before it was analysed, nothing after. */
  code: CaptureWarningCodeName;
  frame: number;
  message: string;
}

export interface ReportStats {
  records: number;
  tcpPackets: number;
  /** Records that were not TCP over IP (ARP, UDP, unsupported link types…). */
  otherPackets: number;
  /** Records with a decode problem, by kind. */
  truncated: number;
  invalid: number;
  unsupported: number;
  connections: number;
  /** Connections evicted early because the tracked-connection cap was reached. */
  evictedByCap: number;
  /** Times a direction's out-of-order buffer reached its cap and its lowest hole was declared a gap. */
  bufferCapGaps: number;
  /** Capture time of the first and last records: whole seconds, and the nanoseconds within them (the capture's
   *  span is last - first in both). */
  firstTsSec: number | null;
  lastTsSec: number | null;
  firstTsNsec: number | null;
  lastTsNsec: number | null;
}

export interface Report {
  schemaVersion: number;
  stats: ReportStats;
  connections: ConnectionReport[];
  warnings: CaptureWarningReport[];
}
