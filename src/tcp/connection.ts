// One TCP connection (a 4-tuple for one lifetime): its two endpoints, roles and how they were decided, timing and
// close bookkeeping. Data only: the tracker is the one writer; summary.ts turns it into plain JSON.

import type { Direction } from '../types.js';
import { Endpoint } from './endpoint.js';
import { formatEndpoint } from './flow-key.js';

/**
 * How the client/server roles were decided (see TcpTracker's class comment for the order of the rules):
 * 'syn' the client sent the first segment, a SYN without ACK; 'syn-ack' the first segment was a SYN-ACK, whose
 * sender is the server; 'known-server-port' one port was seen earlier in this capture as a server's (a SYN went to
 * it); 'lower-port' the lower port is the server's (well-known and registered ports lie below the ephemeral range,
 * RFC 6335 §6); 'first-sender' equal ports, so the first packet's sender is the client.
 */
export type RoleRule = 'syn' | 'syn-ack' | 'known-server-port' | 'lower-port' | 'first-sender';

/**
 * How the connection ended, decided in this order: 'refused' the server answered the SYN with a RST; 'rst-client' /
 * 'rst-server' a RST ended it (even after a FIN: who closed first is in closedFirstBy); 'fin-simultaneous' both sent
 * FIN before seeing the other's (RFC 9293 §3.6 simultaneous close); 'fin-client-first' / 'fin-server-first' both
 * sent FIN; 'half-closed' only one side sent FIN; 'no-answer' only the client's SYN(s) were seen; 'open' none of
 * these by the end of the capture.
 */
export type CloseReason =
  | 'refused'
  | 'rst-client'
  | 'rst-server'
  | 'fin-simultaneous'
  | 'fin-client-first'
  | 'fin-server-first'
  | 'half-closed'
  | 'no-answer'
  | 'open';

/** Why a connection left the tracker: its TIME_WAIT ran out, the table was full, a new SYN reused its ports, the
 *  capture ended. */
export type EvictReason = 'time-wait' | 'limit' | 'reused' | 'end';

export class Connection {
  /** 0, 1, 2, … in order of first packet, as tshark numbers tcp.stream. */
  readonly id: number;
  /** Client address bytes then server address bytes (one allocation per connection; 4 or 16 bytes each). */
  readonly addrs: Uint8Array;
  readonly addrLen: 4 | 16;
  readonly clientPort: number;
  readonly serverPort: number;
  /** Indexed by Direction: ends[C2S] is the client (sender of C2S packets), ends[S2C] the server. */
  readonly ends: readonly [Endpoint, Endpoint];
  /**
   * One socket connected to itself: both ends are the same address and port (a client given, or bound to, the port it
   * connects to, with no listener there: its SYN comes back to it, a simultaneous open with itself, RFC 9293 §3.5).
   * Every segment is sent and received by that one socket; its state is `ends[0]`'s, and `ends[1]` mirrors it.
   */
  readonly selfConnect: boolean;
  /** True when the capture does not start with the client's SYN (roles inferred by roleRule). */
  midstream: boolean;
  readonly roleRule: RoleRule;

  // Timing. Absolute start for the summary; everything else in ns since the tracker's first packet.
  readonly startSec: number;
  readonly startNsec: number;
  readonly startNs: number;
  readonly firstFrame: number;
  lastNs: number;
  /**
   * The earliest and latest packet times seen (ns since the tracker's first packet): the duration spans them, so a
   * merged capture whose clock steps back within a connection never gives a negative duration (Wireshark's
   * conversation table takes the same min and max).
   */
  earliestNs: number;
  latestNs: number;
  lastFrame: number;
  idleMaxNs = 0;
  /** Client SYN to the ACK that made both sides ESTABLISHED; -1 when not seen. */
  handshakeRttNs = -1;
  /** Time of the most recent SYN without ACK from either side (packet-tcp.c ts_mru_syn). */
  lastSynNs = 0;
  lastSynSeen = false;
  /** Time of the client's most recent SYN, for handshakeRttNs; -1 until one is seen. */
  clientSynNs = -1;
  /**
   * SYNs the client sent (retransmissions included) since the server last answered with something else than a
   * SYN-ACK: past one, which of them the SYN-ACK answers is ambiguous (Karn).
   */
  clientSynCount = 0;
  /** Time of the first of those SYNs; -1 until one is seen. */
  clientFirstSynNs = -1;
  /** packet-tcp.c ts_first_rtt: most recent SYN to the first ACK without SYN; 0 while unknown (as there). */
  firstRttNs = 0;

  // Closing.
  refused = false;
  /** Side whose RST moved the connection to RESET, or -1. */
  resetBy: Direction | -1 = -1;
  /** Side that sent the first FIN, or the first RST that ended the connection, whichever came first; -1 if none. */
  closedFirstBy: Direction | -1 = -1;
  simultaneousClose = false;
  /** Both endpoints are in a terminal state (TIME_WAIT, CLOSED after use, RESET). */
  closed = false;
  /** Zeek-style history, see summary.ts for the letters. */
  history = '';

  // Tracker internals: hash chain, recency list, TIME_WAIT queue.
  /** @internal */ hash = 0;
  /** @internal */ hashNext: Connection | null = null;
  /** @internal */ lruPrev: Connection | null = null;
  /** @internal */ lruNext: Connection | null = null;
  /** @internal When the connection was put at the front of the recency list (ns since the first packet). */
  listedNs = 0;
  /** @internal */ closedNext: Connection | null = null;
  /** @internal */ closedPrev: Connection | null = null;
  /** @internal */ closedQueuedNs = 0;
  /** @internal */ inClosedQueue = false;
  /** False once the tracker has evicted it (onEvict called) or retired it (TcpTracker.retire). */
  live = true;
  /**
   * Set by the tracker's owner once it has reported the connection (the analyzer, at close plus a few seconds): its
   * late packets (TIME_WAIT stragglers) are still analysed, and must not start a second report.
   */
  reported = false;
  /**
   * The tracker's owner's per-connection state (the analyzer's reassembly and HTTP pipeline), opaque here: kept on
   * the connection so that finding it costs no map lookup per packet. Null when it has none.
   */
  owner: object | null = null;
  /**
   * @internal The server's SYN-ACK made the client ESTABLISHED (RFC 9293 §3.10.7.3) while the server is still
   * SYN_RECEIVED: the handshake's third step (said with its RTT) is the client's next ACK.
   */
  awaitingThirdAck = false;
  /** @internal Set once the half-close data note was emitted, so it is said once. */
  halfCloseNoted = false;
  /**
   * @internal The MPTCP option types (RFC 8684 subtypes 0 to 7, one bit each) seen on this connection, either
   * direction: packet-tcp.c's mp_operations, which lets a duplicate ACK pass unflagged once per change (checks.ts).
   */
  mptcpOps = 0;

  /** Copies the addresses (the packet's bytes are views into a capture buffer that will be reused). */
  constructor(
    id: number, clientAddr: Uint8Array, clientPort: number, serverAddr: Uint8Array, serverPort: number,
    midstream: boolean, roleRule: RoleRule, startSec: number, startNsec: number, startNs: number, frame: number,
  ) {
    this.id = id;
    this.addrLen = clientAddr.length === 16 ? 16 : 4;
    this.addrs = new Uint8Array(this.addrLen * 2);
    this.addrs.set(clientAddr.subarray(0, this.addrLen), 0);
    this.addrs.set(serverAddr.subarray(0, this.addrLen), this.addrLen);
    this.clientPort = clientPort;
    this.serverPort = serverPort;
    let same = clientPort === serverPort;
    for (let i = 0; same && i < this.addrLen; i++) same = this.addrs[i] === this.addrs[this.addrLen + i];
    this.selfConnect = same;
    this.ends = [new Endpoint(), new Endpoint()];
    this.midstream = midstream;
    this.roleRule = roleRule;
    this.startSec = startSec;
    this.startNsec = startNsec;
    this.startNs = startNs;
    this.lastNs = startNs;
    this.earliestNs = startNs;
    this.latestNs = startNs;
    this.firstFrame = frame;
    this.lastFrame = frame;
  }

  /**
   * The client's address bytes, a copy. Not a subarray view: V8 keeps a typed array of 64 bytes or less inside the
   * heap object until something asks for its buffer, and a view does; addrs then gets an ArrayBuffer and an
   * external backing store for the rest of its life, about 350 bytes more per connection (a fifth of one kept through
   * TIME_WAIT). A copy of 4 or 16 bytes is cheap and dies young.
   */
  get clientAddr(): Uint8Array {
    return this.addrs.slice(0, this.addrLen);
  }

  /** The server's address bytes, a copy (see clientAddr). */
  get serverAddr(): Uint8Array {
    return this.addrs.slice(this.addrLen);
  }

  /** "10.0.0.1:5000" of the client (side 0) or server (side 1); builds a string, for annotation text only. */
  endpointText(side: Direction): string {
    return side === 0 ? formatEndpoint(this.clientAddr, this.clientPort) : formatEndpoint(this.serverAddr, this.serverPort);
  }
}
