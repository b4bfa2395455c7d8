// Per-connection results as plain JSON-able data with a stable key order (summarize), and how a connection ended.
// Reads a Connection; never changes it and never decides analysis.

import type { CloseReason, Connection, RoleRule } from './connection.js';
import type { Endpoint, TcpState } from './endpoint.js';
import { formatAddr } from './flow-key.js';

export interface EndpointAddress {
  addr: string;
  port: number;
}

/** A value per side: client (originator) and server (responder). */
export interface PerSide<T> {
  client: T;
  server: T;
}

export interface RttStats {
  samples: number;
  minUs: number;
  avgUs: number;
  maxUs: number;
}

export interface ConnectionSummary {
  id: number;
  client: EndpointAddress;
  server: EndpointAddress;
  midstream: boolean;
  roleRule: RoleRule;
  /** One socket connected to itself: client and server are the same address and port (Connection.selfConnect). */
  selfConnect: boolean;
  state: PerSide<TcpState>;
  closeReason: CloseReason;
  closedFirstBy: 'client' | 'server' | null;
  /** Capture time of the first packet: seconds since the epoch and nanoseconds within the second. */
  startSec: number;
  startNsec: number;
  /** First to last packet, µs (fractional when the capture has ns resolution). */
  durationUs: number;
  /** Packets and payload bytes sent by each side. */
  packets: PerSide<number>;
  payloadBytes: PerSide<number>;
  /** Payload bytes of segments flagged as retransmissions (any kind), by sender. */
  retransmittedBytes: PerSide<number>;
  /** Client's SYN to the ACK that completed the handshake, µs; null when the handshake was not seen. */
  handshakeRttUs: number | null;
  /** Data sent by this side to the peer's ACK that ends it exactly (Karn's rule: retransmitted data not sampled). */
  ackRttUs: PerSide<RttStats | null>;
  /** From each side's SYN options; null when not seen or not offered. */
  mssBytes: PerSide<number | null>;
  windowScale: PerSide<number | null>;
  sackPermitted: PerSide<boolean>;
  /** Longest time between two consecutive packets of the connection, µs. */
  idleMaxUs: number;
  /**
   * Zeek conn.log style history: uppercase for the client (originator), lowercase for the server, in order of
   * first occurrence.
   *   S  SYN without ACK            H  SYN-ACK                    A  pure ACK (no payload, SYN, FIN or RST)
   *   D  payload                    F  FIN                        R  RST
   *   Q  SYN together with FIN or RST                             I  FIN and RST together (inconsistent)
   *   T  retransmission (any tcp.retransmission)                  W  zero window advertised (tcp.zero-window)
   *   G  content gap (tcp.lost-segment: previous segment not captured)
   *   ^  the first packet was the server's (roles inferred, or a SYN-ACK first)
   * S H A D F R Q I appear at most once per side; T W G again at the 10th, 100th, … occurrence, as Zeek does.
   */
  history: string;
}

/** How the connection ended (see CloseReason for the order of the rules). */
export function closeReason(conn: Connection): CloseReason {
  const [client, server] = conn.ends;
  if (conn.refused) return 'refused';
  if (conn.resetBy === 0) return 'rst-client';
  if (conn.resetBy === 1) return 'rst-server';
  if (client.finSent && server.finSent) {
    if (conn.simultaneousClose) return 'fin-simultaneous';
    return conn.closedFirstBy === 1 ? 'fin-server-first' : 'fin-client-first';
  }
  if (client.finSent || server.finSent) return 'half-closed';
  // A socket connected to itself answers its own SYN: its "server" sends nothing of its own. Past its handshake, it
  // was answered (by itself); a SYN alone is still a SYN without answer.
  const selfAnswered = conn.selfConnect && client.state !== 'SYN_SENT' && client.state !== 'SYN_RECEIVED';
  if (server.packets === 0 && client.synSeen && client.payloadBytes === 0 && !conn.midstream && !selfAnswered) return 'no-answer';
  return 'open';
}

function rttStats(ep: Endpoint): RttStats | null {
  if (ep.rttSamples === 0) return null;
  return {
    samples: ep.rttSamples,
    minUs: ep.rttMinNs / 1000,
    avgUs: ep.rttSumNs / ep.rttSamples / 1000,
    maxUs: ep.rttMaxNs / 1000,
  };
}

/** Plain data for one connection; keys always in this order. */
export function summarize(conn: Connection): ConnectionSummary {
  const [client, server] = conn.ends;
  return {
    id: conn.id,
    client: { addr: formatAddr(conn.clientAddr), port: conn.clientPort },
    server: { addr: formatAddr(conn.serverAddr), port: conn.serverPort },
    midstream: conn.midstream,
    roleRule: conn.roleRule,
    selfConnect: conn.selfConnect,
    state: { client: client.state, server: server.state },
    closeReason: closeReason(conn),
    closedFirstBy: conn.closedFirstBy === -1 ? null : conn.closedFirstBy === 0 ? 'client' : 'server',
    // A sub-second field read out of range (a µs pcap's >= 1e6) is carried into the seconds: these are a time.
    startSec: conn.startSec + Math.floor(conn.startNsec / 1e9),
    startNsec: conn.startNsec % 1e9,
    durationUs: (conn.latestNs - conn.earliestNs) / 1000,
    packets: { client: client.packets, server: server.packets },
    payloadBytes: { client: client.payloadBytes, server: server.payloadBytes },
    retransmittedBytes: { client: client.retransmittedBytes, server: server.retransmittedBytes },
    handshakeRttUs: conn.handshakeRttNs < 0 ? null : conn.handshakeRttNs / 1000,
    ackRttUs: { client: rttStats(client), server: rttStats(server) },
    mssBytes: { client: client.mssBytes < 0 ? null : client.mssBytes, server: server.mssBytes < 0 ? null : server.mssBytes },
    windowScale: {
      client: client.windowScaleOffered < 0 ? null : client.windowScaleOffered,
      server: server.windowScaleOffered < 0 ? null : server.windowScaleOffered,
    },
    sackPermitted: { client: client.sackPermitted, server: server.sackPermitted },
    idleMaxUs: conn.idleMaxNs / 1000,
    history: conn.history,
  };
}
