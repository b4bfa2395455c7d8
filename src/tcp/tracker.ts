// Connection tracking: maps each TCP packet to its connection (one per 4-tuple and lifetime, tshark's tcp.stream
// rules), runs Wireshark's analysis, moves both endpoints through RFC 9293 states and writes the annotations.
// Synchronous and O(1) per packet; it allocates only when a connection is created or an annotation is emitted.

import type { Annotation, Direction } from '../types.js';
import { Codes, TcpFlag } from '../types.js';
import type { Packet, TcpHeader } from '../decode/packet.js';
import { Analysis, ANY_RETRANSMISSION } from './codes.js';
import { analyzeSegment, newSegmentAnalysis, type Segment } from './checks.js';
import { Connection, type EvictReason, type RoleRule } from './connection.js';
import { RetiredConnections } from './retired.js';
import { WS_NONE, WS_UNKNOWN, type Endpoint, type TcpState } from './endpoint.js';
import { flowHash, flowHashAt, packedFlowDirection, packedFlowDirectionAt } from './flow-key.js';
import { DecodedIp } from '../decode/views.js';
import { OPTION_WALK_THROWS, wiresharkOptionWalk } from '../decode/tcp-options.js';
import { outerFragmentOf } from '../decode/defrag.js';
import { TCP_FIELDS_TO_WINDOW } from '../decode/tcp.js';
import { formatDurationNs, formatRttNs, pushAnalysisAnnotations, pushAnalysisCodes, SIDE_NAME, type FlagContext } from './annotate.js';
import { seqDiff, seqGeq, seqGt, seqLeq, seqLt } from './seq.js';

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;

export interface TcpTrackerOptions {
  /** Called exactly once per connection when it leaves the tracker (also for every live one in finish()). */
  onEvict?: (conn: Connection, reason: EvictReason) => void;
  /** 2*MSL: how long a closed connection stays after its last packet, in capture time (default 60 s). */
  timeWaitSec?: number;
  /** A packet after at least this much silence in its connection gets a 'tcp.idle' note (default 10 s). */
  idleAnnotateSec?: number;
  /** Most connections kept at once; beyond it the least recently active is evicted (default 1_000_000; see
   *  TcpTracker on how "least recently active" is kept without per-packet list work). */
  maxConnections?: number;
  /**
   * Word the annotations (default true). Off, each annotation still comes with its code, in the same number and
   * order, and an empty text: for callers that only count codes (tables, checks), the wording is most of the cost of
   * an annotation (addresses and durations formatted, strings joined): about 8% of a --summary run.
   */
  texts?: boolean;
  /**
   * Analyse only the connections of one shard of `count` (count > 1): a packet of another shard advances the clock
   * (TIME_WAIT expiry) and is then left alone (result.conn null, result.foreign true). Shards are whole connections:
   * both directions of a 4-tuple hash alike. See ShardFacts for what a merge of the shards must check.
   */
  shard?: { index: number; count: number };
  /**
   * The owner's say on whether one unseen sequence number just past `side`'s stream may be read as its FIN (see
   * TcpTracker.inferFin); false keeps it a lost byte. The analyzer says false when HTTP in that direction is one byte
   * short of a body's end: that sequence number is then the body's last byte.
   */
  mayInferFin?: (conn: Connection, side: Direction) => boolean;
  /**
   * The frame of an earlier ACK of the same unseen sequence number that the owner held undecided (Analyzer.holdAck),
   * or 0: a FIN inferred later was sent before that ACK, which acknowledged it. Its finFrame and finAckedFrame are
   * then that frame (HTTP's verdict tells a half-close before the last response by it).
   */
  finShownAt?: (conn: Connection, side: Direction) => number;
}

/**
 * What a sharded tracker knows that a merge of shards needs to prove that the shards together analysed the capture
 * as one tracker would have. Two things cross connections: the cap on tracked connections (a shard that never
 * reached its share of it proves the whole never reached it) and the ports known as servers, which decide the roles
 * of a connection whose handshake was not captured (create()'s rule 2). A shard sees only its own connections'
 * SYNs, so for that decision it also counts another shard's SYN or SYN-ACK as marking its port (an over-estimate:
 * such a packet marks only if it opens its connection); the merge checks every such decision against the ports the
 * shards really marked, and by which packet.
 */
export interface ShardFacts {
  /** Connections this shard evicted or forgot to make room (the cap acted), and the packet index of the first time. */
  capActions: number;
  firstCapFrame: number;
  /** Per port, the first packet index at which this shard's connections marked it as a server port (0: never). */
  serverPortFrames: Float64Array;
  /** The same marks as a list in the order they were made (ports, packet indexes), for a merge that streams. */
  markPorts: number[];
  markFrames: number[];
  /** Midstream creations: packet index, ports, and whether each port counted as a known server port (bit 0 src, 1 dst). */
  roleFrames: number[];
  rolePorts: number[];
  roleKnown: number[];
}

/**
 * Stands for a connection id in the annotation texts of a shard (the port reuse note): a C0 control character, which
 * no other annotation or packet line contains (texts from the capture are escaped).
 */
export const SHARD_ID_PLACEHOLDER = '\u0002';

/**
 * The shard (0 .. count-1) of a connection from its flow hash (flowHash, 30 bits): the top bits, so that the low bits
 * the connection table buckets by stay evenly spread within each shard.
 */
export function shardOfFlow(hash: number, count: number): number {
  return Math.floor((hash * count) / 0x40000000);
}

/** What push() says about one packet. The same object is reused for every packet: copy what you keep. */
export interface TcpPacketResult {
  /** The packet's connection, or null when the packet has no TCP header. */
  conn: Connection | null;
  /** conn.id, or -1. */
  connId: number;
  /** C2S (0) when the client sent it, S2C (1) when the server did. */
  direction: Direction;
  /** This packet opened the connection (first packet with this id). */
  isNew: boolean;
  /** Sequence number relative to the sender's base (Wireshark's relative tcp.seq). */
  relSeq: number;
  /** Acknowledgment relative to the receiver's base (Wireshark's tcp.ack), or -1 when the ACK flag is clear. */
  relAck: number;
  /** Payload bytes on the wire (IP payload length, bounded by the frame's wire length, - TCP header length). */
  segLen: number;
  /** Analysis bits (codes.ts Analysis), Wireshark's tcp.analysis.* for this packet. */
  analysis: number;
  /** With Analysis.DUP_ACK: the duplicate's number and the frame it repeats, as Wireshark counts them; else 0. */
  dupAckNum: number;
  dupAckFrame: number;
  /** The packet belongs to another shard (TcpTrackerOptions.shard): conn is null and nothing was analysed. */
  foreign: boolean;
  /**
   * A RST its receiver takes (or one after both sides closed): the connection's streams end with it. False for a RST
   * that does not count (outside the window, not at RCV.NXT, in SYN-SENT without the SYN's ACK): its receiver drops
   * the whole segment, and the streams go on. Meaningless for a packet without RST.
   */
  rstCounted: boolean;
  /**
   * The receiver's FIN that the capture lacks, as this packet's ACK shows it (absolute sequence number), or -1: the
   * ACK covers exactly one sequence number past everything the receiver sent, while the connection is closing. The
   * receiver's states move as if the FIN had been seen, and its stream ends there (see TcpTracker.inferFin).
   */
  inferredFinSeq: number;
  /**
   * Its receiver drops the whole segment (a FIN outside the receive window, RFC 9293 §3.10.7.4): no state change, and
   * the streams go on as if it had not come.
   */
  segmentDropped: boolean;
}

// Events of one packet, collected while processing and worded at the end.
const EV_SYN = 1 << 0;
const EV_SIMULTANEOUS_SYN = 1 << 1;
const EV_SYN_ACK = 1 << 2;
const EV_SIMULTANEOUS_SYN_ACK = 1 << 3;
const EV_LATE_SYN = 1 << 4;
const EV_ESTABLISHED = 1 << 5;
const EV_RST = 1 << 6;
const EV_REFUSED = 1 << 7;
const EV_RST_AFTER_CLOSE = 1 << 8;
const EV_CLOSED = 1 << 9;
const EV_FIRST_DATA = 1 << 10;
const EV_SYN_DATA = 1 << 11;
const EV_HALF_CLOSE_DATA = 1 << 12;
const EV_RST_DATA = 1 << 13;
const EV_MIDSTREAM = 1 << 14;
const EV_LIMIT = 1 << 15;
const EV_PORT_REUSE = 1 << 16;
const EV_SYN_ACK_NEW_ISN = 1 << 17;
const EV_IDLE = 1 << 18;
const EV_RST_IGNORED = 1 << 19;
const EV_FIN_HELD = 1 << 20;
const EV_RST_CHALLENGED = 1 << 21;
const EV_RST_SYN_SENT_REPLY = 1 << 22;
const EV_DATA_PAST_INFERRED_FIN = 1 << 23;
const EV_FIN_OUTSIDE_WINDOW = 1 << 24;
const EV_SYN_FIN_HELD = 1 << 25;
const EV_SELF_SYN = 1 << 26;
const EV_FIN_NO_ACK_HELD = 1 << 27;

const MAX_CHANGES = 8;

// Zeek history letters (summary.ts documents them): bit per letter for "said once" letters.
const H_SYN = 1;
const H_SYN_ACK = 2;
const H_ACK = 4;
const H_DATA = 8;
const H_FIN = 16;
const H_RST = 32;
const H_MULTI = 64;
const H_INCONSISTENT = 128;

/** States of an endpoint that received its peer's FIN and has not closed yet (Linux's tcp_reset_check set). */
function hasPeerFin(s: TcpState): boolean {
  return s === 'CLOSE_WAIT' || s === 'LAST_ACK' || s === 'CLOSING';
}

/** States in which RFC 5961 §3.2 judges a RST by RCV.NXT (synchronized; TIME_WAIT takes any in-window RST). */
function isSynchronizedForRst(s: TcpState): boolean {
  return s === 'ESTABLISHED' || s === 'FIN_WAIT_1' || s === 'FIN_WAIT_2' || s === 'CLOSE_WAIT' || s === 'CLOSING' || s === 'LAST_ACK';
}

/**
 * A FIN segment its receiver P would not accept (RFC 9293 §3.10.7.4; Linux tcp_sequence): it ends before RCV.NXT
 * (all old), or starts past RCV.NXT + RCV.WND. Judged only where P's window is known (its scaling decided by the
 * handshake: an unscaled reading of a scaled window would reject good FINs) and P is synchronized with no FIN of E's
 * taken yet.
 */
function finOutsideWindow(E: Endpoint, P: Endpoint, seq: number, segLen: number): boolean {
  if (!P.rcvNxtKnown || P.winScale === WS_UNKNOWN) return false;
  if (P.state !== 'ESTABLISHED' && P.state !== 'FIN_WAIT_1' && P.state !== 'FIN_WAIT_2') return false;
  const endSeq = (seq + segLen + 1) >>> 0;
  if (seqLt(endSeq, P.rcvNxt)) return true;
  // Ahead of the window only when it also jumps past all the sender was seen to send: a FIN that follows its data
  // is judged as that data was (taken), whatever P's last ACK in the capture said (the capture may lack the ACKs
  // that opened the window).
  return seqGt(seq, (P.rcvNxt + P.rcvWindowBytes) >>> 0) && (!E.seenEndKnown || seqGt(seq, E.seenEnd));
}

function isTerminal(s: TcpState): boolean {
  return s === 'TIME_WAIT' || s === 'CLOSED' || s === 'RESET';
}

/**
 * Tracks TCP connections packet by packet.
 *
 * Connections: one per 4-tuple and lifetime. As in packet-tcp.c (dissect_tcp, Wireshark 4.0), a SYN without ACK
 * whose sequence number differs from its sender's base sequence number starts a new connection on the same ports
 * (port reuse); a repeated SYN with the same ISN stays in the connection. Ids count from 0 in order of first packet.
 * Unlike tshark, which never forgets, a connection leaves the table 2*MSL after it closed (or when the table is
 * full); a later non-SYN packet on its ports then starts a new, midstream connection. Once its owner has reported a
 * closed connection (retire()), the rest of its TIME_WAIT is spent packed in typed arrays (RetiredConnections); a
 * straggler brings back an equal Connection for its one packet, so what is said about it does not change.
 *
 * Roles: the sender of a SYN without ACK is the client. A connection whose first packet is anything else is
 * `midstream`, and its roles come from the first rule that decides:
 *  1. a SYN-ACK first: its sender is the server (midstream is cleared if the client's SYN shows up after it);
 *  2. exactly one of the two ports was seen earlier in this capture as the target of a SYN: that side is the server;
 *  3. the lower port is the server's (well-known and registered ports sit below the ephemeral range, RFC 6335 §6);
 *  4. equal ports: the first packet's sender is the client.
 *
 * States are what the capture point can tell (RFC 9293 §3.3.2). The capture point is taken to sit between the
 * endpoints and every packet seen to be delivered, so a packet moves its sender (what it sent) and its receiver
 * (what it received). The one exception is the SYN-ACK: the client is shown ESTABLISHED with its ACK (handshake 3/3),
 * the evidence that it got the SYN-ACK, so both sides become ESTABLISHED together; an opener's ACK whose SYN-ACK was
 * not captured implies it. A midstream connection starts with both sides ESTABLISHED (assumed). A FIN that arrives
 * after missing bytes is held by its receiver until they arrive or it acknowledges the FIN (RFC 9293 §3.10.7.4). A RST
 * counts only when its receiver would accept it (RFC 9293 §3.10.7: in SYN-SENT it must acknowledge the SYN, in a
 * synchronized state its sequence number must lie in the receive window, and at RCV.NXT as RFC 5961 §3.2 has it;
 * elsewhere in the window it changes nothing); others are annotated and change nothing.
 * Every change goes through setState().
 */
export class TcpTracker {
  private readonly onEvict: ((conn: Connection, reason: EvictReason) => void) | null;
  private readonly mayInferFin: ((conn: Connection, side: Direction) => boolean) | null;
  private readonly finShownAt: ((conn: Connection, side: Direction) => number) | null;
  private readonly timeWaitNs: number;
  private readonly idleAnnotateNs: number;
  private readonly maxConnections: number;
  private readonly texts: boolean;

  private readonly table = new Map<number, Connection>();
  private liveCount = 0;
  private nextId = 0;
  private lruHead: Connection | null = null;
  private lruTail: Connection | null = null;
  private closedHead: Connection | null = null;
  private closedTail: Connection | null = null;
  /** Closed connections their owner is done with (retire()), packed until their TIME_WAIT ends. */
  private readonly retired = new RetiredConnections();
  /** A retired connection this packet brought back; it is packed again once the packet is processed. */
  private revived: Connection | null = null;
  /** Ports that received a SYN earlier in the capture (role rule 2). */
  private readonly serverPorts = new Uint8Array(65536);
  /** With shards: this tracker's shard, how many there are, and what the merge must check (ShardFacts). */
  private readonly shardIndex: number;
  private readonly shardCount: number;
  /** Ports another shard's SYN (destination) or SYN-ACK (source) may have marked; null without shards. */
  private readonly foreignServerPorts: Uint8Array | null;
  private readonly facts: ShardFacts | null;

  private started = false;
  private baseSec = 0;
  private foundDir: Direction = 0;

  private readonly result: TcpPacketResult = {
    conn: null, connId: -1, direction: 0, isNew: false, relSeq: 0, relAck: -1, segLen: 0, analysis: 0,
    dupAckNum: 0, dupAckFrame: 0, foreign: false, rstCounted: false, inferredFinSeq: -1, segmentDropped: false,
  };
  private readonly segment: Segment = { frame: 0, timeNs: 0, seq: 0, ack: 0, segLen: 0, flags: 0, window: 0, mptcpOps: 0 };
  private readonly detail = newSegmentAnalysis();
  private readonly flagContext: FlagContext;

  // State changes of the current packet (setState records them for the annotations).
  private nChanges = 0;
  private readonly changeSide = new Int8Array(MAX_CHANGES);
  private readonly changeFrom: TcpState[] = new Array<TcpState>(MAX_CHANGES).fill('CLOSED');
  private readonly changeTo: TcpState[] = new Array<TcpState>(MAX_CHANGES).fill('CLOSED');
  private readonly changeWhy: (string | null)[] = new Array<string | null>(MAX_CHANGES).fill(null);
  private events = 0;
  private limitVictimId = -1;
  private limitVictimLastNs = 0;
  private limitVictimRetired = false;
  /** The victim was closed and its report still to come (parked: see retire()). */
  private limitVictimParked = false;
  private stateBeforeRst: TcpState = 'CLOSED';
  private idleGapNs = 0;
  private rstIgnoredWhy = '';
  /** This packet, a SYN-ACK, made its receiver ESTABLISHED (said in the handshake line). */
  private synAckEstablished = false;
  /** This packet's RST counted (TcpPacketResult.rstCounted). */
  private rstTaken = false;
  /** EV_FIN_HELD: the relative range missing before the FIN. EV_RST_CHALLENGED: the receiver's RCV.NXT, relative. */
  private heldFromRel = 0;
  private heldToRel = 0;
  private rstExpectedRel = 0;

  constructor(options: TcpTrackerOptions = {}) {
    this.onEvict = options.onEvict ?? null;
    this.mayInferFin = options.mayInferFin ?? null;
    this.finShownAt = options.finShownAt ?? null;
    this.timeWaitNs = (options.timeWaitSec ?? 60) * 1e9;
    this.idleAnnotateNs = (options.idleAnnotateSec ?? 10) * 1e9;
    this.maxConnections = Math.max(1, options.maxConnections ?? 1_000_000);
    this.texts = options.texts !== false;
    const count = options.shard?.count ?? 1;
    this.shardCount = count > 1 ? count : 1;
    this.shardIndex = count > 1 ? options.shard!.index : 0;
    this.foreignServerPorts = count > 1 ? new Uint8Array(65536) : null;
    this.facts =
      count > 1
        ? {
            capActions: 0, firstCapFrame: 0, serverPortFrames: new Float64Array(65536), markPorts: [], markFrames: [],
            roleFrames: [], rolePorts: [], roleKnown: [],
          }
        : null;
    this.flagContext = {
      conn: null as unknown as Connection, side: 0, sender: null as unknown as Endpoint,
      receiver: null as unknown as Endpoint, relSeq: 0, relAck: 0, segLen: 0, tcpFlags: 0, window: 0,
      previousWindow: 0,
      detail: this.detail,
    };
  }

  /** Number of connections currently tracked, retired ones (see retire()) included. */
  get size(): number {
    return this.liveCount + this.retired.size;
  }

  /** Of size, the retired connections: closed, reported, kept packed only for their stragglers. */
  get retiredSize(): number {
    return this.retired.size;
  }

  /**
   * The owner keeps nothing of this closed connection: the tracker keeps only what its TIME_WAIT stragglers need to be
   * analysed as before, packed (RetiredConnections, about a fifth of the memory), and no longer lists it in
   * connections(). A straggler brings back an equal Connection for its push() (result.conn), with `reported` as it
   * was, packed again after that packet; ports reused by a new SYN then evict that one as usual. A connection retired
   * before its report (`reported` false) is parked: the owner reads it back with parkedConnection() when it reports it,
   * then calls markReported(); until then every way the tracker forgets it (TIME_WAIT over, the table cap, ports
   * reused, the end of the capture) still hands it to onEvict first. Does nothing, and returns false, for a connection
   * that is not closed, no longer tracked, or still has an owner.
   */
  retire(conn: Connection): boolean {
    if (!conn.live || !conn.closed || conn.owner !== null) return false;
    this.unlink(conn);
    if (conn.inClosedQueue) {
      if (conn.closedPrev !== null) conn.closedPrev.closedNext = conn.closedNext;
      else this.closedHead = conn.closedNext;
      if (conn.closedNext !== null) conn.closedNext.closedPrev = conn.closedPrev;
      else this.closedTail = conn.closedPrev;
      conn.closedPrev = null;
      conn.closedNext = null;
      conn.inClosedQueue = false;
    }
    this.retired.add(conn);
    return true;
  }

  /** A parked connection (retired before its report) as it is now, or null when the tracker no longer has it. */
  parkedConnection(id: number): Connection | null {
    const slot = this.retired.parkedSlot(id);
    return slot === -1 ? null : this.retired.view(slot);
  }

  /** The owner reported the parked connection `id`: it stays for its stragglers only (nothing if not parked). */
  markReported(id: number): void {
    const slot = this.retired.parkedSlot(id);
    if (slot !== -1) this.retired.markReported(slot);
  }

  /** A parked connection whose TIME_WAIT ended: handed over as evict(…, 'time-wait') would. */
  private readonly parkedTimeWaitOver = (conn: Connection): void => {
    for (const ep of conn.ends) if (ep.state === 'TIME_WAIT') ep.state = 'CLOSED';
    if (this.onEvict !== null) this.onEvict(conn, 'time-wait');
  };

  /** A parked connection dropped for room (the table cap). */
  private readonly parkedForRoom = (conn: Connection): void => {
    if (this.onEvict !== null) this.onEvict(conn, 'limit');
  };

  /** The live connections, in eviction order (roughly least recently active first); retired ones are not listed. */
  *connections(): IterableIterator<Connection> {
    for (let c = this.lruTail; c !== null; c = c.lruPrev) yield c;
  }

  /** EV_ESTABLISHED: the client's and the server's states when the handshake completed. */
  private handshakeClientState: TcpState = 'CLOSED';
  private handshakeServerState: TcpState = 'CLOSED';

  /** The current packet is stamped exactly 0.000000000 (epoch zero): see afterAnalysis. */
  private atEpoch = false;

  /**
   * Processes one packet: finds or creates its connection, analyses it, updates states, appends this packet's
   * annotations to `out` in display order. Packets without a TCP header return conn null and touch nothing.
   */
  push(packet: Packet, out: Annotation[]): TcpPacketResult {
    const r = this.result;
    const ip = packet.ip;
    const tcp = packet.tcp;
    r.analysis = 0;
    r.dupAckNum = 0;
    r.dupAckFrame = 0;
    r.isNew = false;
    r.foreign = false;
    r.inferredFinSeq = -1;
    r.segmentDropped = false;
    // A header cut before its window (16 bytes) has no trustworthy seq, ack or flags: packet-tcp.c throws on it
    // before the conversation lookup, so tshark assigns it no tcp.stream. Cut at 16 to 19 bytes (before the
    // checksum) it is tracked and analysed, its flags not shown (headerCut below), as Wireshark 4.0 does.
    if (ip === null || tcp === null || tcp.capturedLen < TCP_FIELDS_TO_WINDOW) return this.noConnection(false);
    const rec = packet.record;
    if (!this.started) {
      this.started = true;
      this.baseSec = rec.tsSec;
    }
    const nowNs = (rec.tsSec - this.baseSec) * 1e9 + rec.tsNsec;
    this.atEpoch = rec.tsSec === 0 && rec.tsNsec === 0;
    if (this.closedHead !== null) this.expire(nowNs);
    if (this.retired.size !== 0) this.retired.expire(nowNs, this.timeWaitNs, this.parkedTimeWaitOver);

    const flags = tcp.flags;
    const seq = tcp.seq;
    const ack = tcp.ack;
    this.events = 0;
    this.nChanges = 0;
    this.synAckEstablished = false;
    this.rstTaken = false;
    this.limitVictimId = -1;
    let extraFlags = 0;

    let hash: number;
    let conn: Connection | null;
    const addrLen = ip.version === 4 ? 4 : 16;
    if (ip instanceof DecodedIp && ip.dstOffset + addrLen <= ip.bytes.length && ip.srcOffset + addrLen <= ip.bytes.length) {
      // Addresses read in place: no views made on the per-packet path.
      const bytes = ip.bytes;
      const srcAt = ip.srcOffset;
      const dstAt = ip.dstOffset;
      hash = flowHashAt(bytes, addrLen, srcAt, tcp.srcPort, dstAt, tcp.dstPort);
      if (this.shardCount !== 1 && shardOfFlow(hash, this.shardCount) !== this.shardIndex) {
        return this.foreign(tcp.flags, tcp.srcPort, tcp.dstPort, tcp.srcPort === tcp.dstPort && sameBytes(bytes, srcAt, dstAt, addrLen));
      }
      conn = this.lookupAt(hash, bytes, addrLen, srcAt, tcp.srcPort, dstAt, tcp.dstPort);
      if (conn === null && this.retired.size !== 0) {
        conn = this.revive(this.retired.lookupAt(hash, bytes, addrLen, srcAt, tcp.srcPort, dstAt, tcp.dstPort), nowNs);
      }
    } else {
      hash = flowHash(ip.src, tcp.srcPort, ip.dst, tcp.dstPort);
      if (this.shardCount !== 1 && shardOfFlow(hash, this.shardCount) !== this.shardIndex) {
        return this.foreign(tcp.flags, tcp.srcPort, tcp.dstPort, isSelfTuple(packet));
      }
      conn = this.lookup(hash, ip.src, tcp.srcPort, ip.dst, tcp.dstPort);
      if (conn === null && this.retired.size !== 0) {
        conn = this.revive(this.retired.lookup(hash, ip.src, tcp.srcPort, ip.dst, tcp.dstPort), nowNs);
      }
    }
    let dir = this.foundDir;
    if (conn !== null && (flags & (SYN | ACK)) === SYN) {
      const fwd = conn.ends[dir];
      if (fwd.baseSet) {
        if (seq !== fwd.baseSeq) {
          // packet-tcp.c dissect_tcp: a SYN with another ISN starts a new conversation (TCP_A_REUSED_PORTS).
          this.evict(conn, 'reused');
          conn = null;
          extraFlags |= Analysis.REUSED_PORTS;
          this.events |= EV_PORT_REUSE;
        } else {
          // packet-tcp.c (issue 17616): a repeated SYN restores nextseq, which a RST may have moved.
          fwd.nextSeq = fwd.maxSeqToBeAcked;
        }
      }
    }
    if (conn === null) {
      conn = this.create(hash, packet, nowNs);
      dir = this.foundDir;
      r.isNew = true;
    }

    const E = conn.ends[dir];
    const P = conn.ends[dir === 0 ? 1 : 0];

    // packet-tcp.c: a SYN-ACK with another ISN than its sender's base moves the base (issue 16944).
    if ((flags & (SYN | ACK)) === (SYN | ACK) && E.baseSet && seq !== E.baseSeq) {
      E.baseSeq = seq;
      extraFlags |= Analysis.REUSED_PORTS;
      this.events |= EV_SYN_ACK_NEW_ISN;
    }

    // Segment length as packet-tcp.c computes it: the TCP bytes the IP layer reports (its length, but no more than
    // the frame had on the wire) minus the TCP header; unknown when the header claims more than that.
    const wireBytes = ip.wireLen - (tcp.offset - ip.headerOffset);
    const reportedLen = tcp.segmentLen < wireBytes ? tcp.segmentLen : wireBytes;
    // packet-tcp.c does not know the length of a segment handed over as an IP fragment (pinfo->fragmented: a first
    // fragment the capture cut, which is not reassembled, or a tunnel inside one), and analyses no sequence numbers.
    const haveSegLen = reportedLen >= tcp.headerLen && !ip.moreFragments && ip.fragOffset === 0 &&
      (packet.linkNotes.length === 0 || outerFragmentOf(packet) === null);
    const segLen = haveSegLen ? reportedLen - tcp.headerLen : 0;
    // packet-tcp.c analyses a header shorter than 20 bytes, then stops: no flags shown, no SYN or option handling.
    const bogusHeader = tcp.headerLen < 20;
    // A header the capture cut inside its options is analysed too, but the option dissector throws before the
    // flags are printed (and before verify_tcp_window_scaling), so tshark shows none for it.
    // So does an option Wireshark's dissector throws on (wiresharkOptionThrows: a SACK or MPTCP option too short).
    // A cut inside the options throws only where the option walk reaches it: a length below 2 ends the walk first.
    const optionWalk = tcp.headerLen > 20
      ? wiresharkOptionWalk(packet.record.data, tcp.offset + 20, tcp.headerLen - 20, tcp.capturedLen - 20)
      : tcp.capturedLen < tcp.headerLen ? OPTION_WALK_THROWS : 0;
    const headerCut = optionWalk === OPTION_WALK_THROWS;
    let analysis = 0;
    if (haveSegLen) {
      if (!E.baseSet) {
        E.baseSeq = (flags & SYN) !== 0 ? seq : (seq - 1) >>> 0;
        E.baseSet = true;
      }
      if (!P.baseSet && (flags & ACK) !== 0) {
        P.baseSeq = (ack - 1) >>> 0;
        P.baseSet = true;
      }
      const s = this.segment;
      s.frame = rec.index;
      s.timeNs = nowNs;
      s.seq = seq;
      s.ack = ack;
      s.segLen = segLen;
      s.flags = flags;
      s.window = tcp.window;
      s.mptcpOps = conn.mptcpOps;
      const previousWindow = E.window;
      analysis = analyzeSegment(E, P, conn.firstRttNs, s, this.detail);
      this.flagContext.previousWindow = previousWindow;
      if (bogusHeader) analysis = 0;
      else this.afterAnalysis(conn, E, P, flags, nowNs, tcp, !headerCut);
      // The options are dissected after the analysis: this packet's MPTCP types count from the next segment on.
      if (!headerCut && !bogusHeader) conn.mptcpOps |= optionWalk;
      if (headerCut) analysis = 0;
    }
    // A header longer than its segment: no sequence analysis, but the SYN's time and the first RTT still count.
    if (!haveSegLen && !bogusHeader) this.noteSynTiming(conn, E, flags, nowNs);
    if (!haveSegLen || bogusHeader) {
      const d = this.detail;
      d.rttNs = -1;
      d.dupAckNum = 0;
      d.dupAckFrame = 0;
    }
    analysis |= extraFlags;

    r.conn = conn;
    r.connId = conn.id;
    r.direction = dir;
    r.segLen = segLen;
    // packet-tcp.c makes numbers relative only for segments whose length it knows.
    r.relSeq = haveSegLen ? (seq - E.baseSeq) >>> 0 : seq;
    r.relAck = (flags & ACK) === 0 ? -1 : haveSegLen ? (ack - P.baseSeq) >>> 0 : ack;
    r.analysis = analysis;
    r.dupAckNum = this.detail.dupAckNum;
    r.dupAckFrame = this.detail.dupAckFrame;

    // Counters.
    E.packets++;
    E.payloadBytes += segLen;
    if (analysis & ANY_RETRANSMISSION) E.retransmittedBytes += segLen;
    const rttNs = this.detail.rttNs;
    if (rttNs >= 0) {
      P.rttSamples++;
      P.rttSumNs += rttNs;
      if (rttNs < P.rttMinNs) P.rttMinNs = rttNs;
      if (rttNs > P.rttMaxNs) P.rttMaxNs = rttNs;
    }
    const gapNs = nowNs - conn.lastNs;
    if (gapNs > conn.idleMaxNs) conn.idleMaxNs = gapNs;
    if (gapNs >= this.idleAnnotateNs) {
      this.events |= EV_IDLE;
      this.idleGapNs = gapNs;
    }
    conn.lastNs = nowNs;
    if (nowNs > conn.latestNs) conn.latestNs = nowNs;
    else if (nowNs < conn.earliestNs) conn.earliestNs = nowNs;
    conn.lastFrame = rec.index;

    if (haveSegLen && !bogusHeader) {
      this.advanceStates(conn, dir, E, P, flags, seq, ack, segLen, tcp.window, nowNs);
      this.recordHistory(conn, dir, E, flags, segLen, analysis);
      r.rstCounted = this.rstTaken;
    } else {
      // Not analysed (no segment length): the RST ends the streams as it always did.
      r.rstCounted = (flags & RST) !== 0;
    }
    if (!conn.closed && isTerminal(E.state) && isTerminal(P.state) && (E.synSeen || P.synSeen || conn.midstream)) {
      conn.closed = true;
      // Through TIME_WAIT the connection only waits for stragglers: its segment rings go (most are empty by now).
      E.unacked.release();
      P.unacked.release();
      if (!conn.refused && conn.resetBy === -1) this.events |= EV_CLOSED;
      this.enqueueClosed(conn, nowNs);
    }

    if (this.events !== 0 || this.nChanges !== 0) this.emitLife(conn, dir, segLen, r.relSeq, out);
    if ((analysis & ~Analysis.REUSED_PORTS) !== 0) {
      const c = this.flagContext;
      c.conn = conn;
      c.side = dir;
      c.sender = E;
      c.receiver = P;
      c.relSeq = r.relSeq;
      c.relAck = r.relAck;
      c.segLen = segLen;
      c.tcpFlags = flags;
      c.window = tcp.window;
      if (this.texts) pushAnalysisAnnotations(analysis, c, out);
      else pushAnalysisCodes(analysis, out);
    }
    if (this.revived !== null) {
      // Packed again at once: a straggler needs no more than the packet that brought it back.
      const back = this.revived;
      this.revived = null;
      this.retire(back);
    }
    return r;
  }

  /** End of capture: hands every live connection to onEvict (reason 'end'), in id order, and empties the tracker. */
  finish(): void {
    const steps = this.finishing();
    while (steps.next().done !== true) {
      // Each step handed one connection over.
    }
  }

  /** finish() one connection at a time: yields after handing each over (Analyzer.finishing). */
  *finishing(): Generator<void, void, undefined> {
    const live: Connection[] = [];
    for (let c = this.lruHead; c !== null; c = c.lruNext) live.push(c);
    // Parked connections (closed, not reported yet) are handed over too, in the same id order as the live ones.
    for (const [, slot] of this.retired.parkedEntries()) live.push(this.retired.view(slot));
    live.sort((a, b) => a.id - b.id);
    for (const c of live) {
      if (c.live) this.evict(c, 'end');
      else if (this.onEvict !== null) this.onEvict(c, 'end');
      yield;
    }
    this.retired.clear();
  }

  // ---- per-packet steps ------------------------------------------------------------------------------------

  /** packet-tcp.c bookkeeping that follows the analysis: SYN time, first RTT, is_first_ack, window scaling. */
  private afterAnalysis(
    conn: Connection, E: Endpoint, P: Endpoint, flags: number, nowNs: number, tcp: TcpHeader, verifyScaling: boolean,
  ): void {
    this.noteSynTiming(conn, E, flags, nowNs);
    if ((flags & SYN) === 0) {
      // RFC 7323 §2.2 makes Window Scale valid on SYNs only, but packet-tcp.c (dissect_tcpopt_wscale,
      // pdu_store_window_scale_option) stores it from any segment whose options it dissects: the direction's shift
      // changes from its next segment on (window full tests the peer's raw window with the shift of the moment).
      // The offered shift of the summary stays the SYN's.
      if (tcp.windowScale >= 0 && verifyScaling) E.winScale = tcp.windowScale > 14 ? 14 : tcp.windowScale;
      return;
    }
    // MSS and SACK permitted count on SYNs only (RFC 9293 §3.7.1, RFC 2018 §2).
    if (tcp.mss >= 0) E.mssBytes = tcp.mss;
    if (tcp.sackPermitted) E.sackPermitted = true;
    if (tcp.windowScale >= 0) {
      // RFC 7323 §2.3: a shift above 14 is used as 14 (packet-tcp.c dissect_tcpopt_wscale clamps it too).
      const shift = tcp.windowScale > 14 ? 14 : tcp.windowScale;
      E.windowScaleOffered = shift;
      E.winScale = shift;
    }
    // packet-tcp.c verify_tcp_window_scaling.
    if (!verifyScaling) return;
    if (E.winScale === WS_UNKNOWN) {
      E.winScale = WS_NONE;
      P.winScale = WS_NONE;
    } else if ((flags & ACK) !== 0 && P.winScale === WS_NONE) {
      E.winScale = WS_NONE;
    }
  }

  /**
   * The SYN's time, the first RTT (the first ACK after it) and each side's first-ACK mark. packet-tcp.c dissect_tcp
   * keeps them for every header of 20 bytes or more, whether or not the segment length is known (a header longer than
   * the IP payload), before and apart from the sequence analysis.
   */
  private noteSynTiming(conn: Connection, E: Endpoint, flags: number, nowNs: number): void {
    // The server answered the client's SYNs so far with something else than a SYN-ACK (the ACK of a connection it
    // still has on these ports, a RST): a SYN-ACK to come answers a later SYN, not those, so they leave Karn's rule.
    // Only before the server's SYN-ACK (its state as before this packet, still CLOSED): after it, its data or ACKs
    // say nothing about which SYN the SYN-ACK answered.
    if ((flags & SYN) === 0 && conn.clientSynCount !== 0 && E === conn.ends[1] && conn.ends[0].state === 'SYN_SENT'
      && conn.ends[1].state === 'CLOSED') {
      conn.clientSynCount = 0;
    }
    if ((flags & SYN) !== 0) {
      if ((flags & ACK) === 0) {
        conn.lastSynNs = nowNs;
        // packet-tcp.c keeps the SYN's absolute time and tests it with nstime_is_zero(): a SYN stamped 0.000000000
        // (synthetic captures) counts as no SYN, so no first RTT comes from it.
        conn.lastSynSeen = !this.atEpoch;
        if (E === conn.ends[0]) {
          conn.clientSynNs = nowNs;
          if (conn.clientSynCount++ === 0) conn.clientFirstSynNs = nowNs;
        }
      }
      E.isFirstAck = true;
    } else if ((flags & ACK) !== 0) {
      if (conn.lastSynSeen && conn.firstRttNs === 0) conn.firstRttNs = nowNs - conn.lastSynNs;
      E.isFirstAck = false;
    }
  }

  /** RFC 9293 state changes this packet causes at its sender E and its receiver P. */
  private advanceStates(
    conn: Connection, dir: Direction, E: Endpoint, P: Endpoint, flags: number, seq: number, ack: number,
    segLen: number, window: number, nowNs: number,
  ): void {
    const side = dir;
    const peer: Direction = dir === 0 ? 1 : 0;
    // A fresh endpoint has taken no part yet (as opposed to CLOSED again after LAST_ACK).
    const senderFresh = E.state === 'CLOSED' && !E.synSeen && !E.finSent && !E.dataSeen;
    if (conn.selfConnect) {
      this.advanceSelf(conn, E, P, flags, seq, ack, segLen, nowNs);
      return;
    }
    if ((flags & SYN) !== 0 && !E.synSeen) {
      E.synSeen = true;
      E.isn = seq;
      forgetStream(E);
    } else if ((flags & (SYN | ACK)) === (SYN | ACK) && seq !== E.isn) {
      E.isn = seq;
      forgetStream(E);
    }

    if ((flags & RST) !== 0) {
      this.reset(conn, side, senderFresh, E, P, flags, seq, ack, segLen);
      return;
    }
    // RFC 9293 §3.10.7.4, first check: a segment outside the receive window is not acceptable; the receiver answers
    // with an ACK and drops it, FIN, ACK field and all. Checked for a first FIN (a FIN taken wrongly closes the
    // connection: a stray FIN of an earlier incarnation of the ports, a forged one), as Linux's tcp_sequence does.
    if ((flags & (FIN | SYN)) === FIN && !E.finSent && finOutsideWindow(E, P, seq, segLen)) {
      this.events |= EV_FIN_OUTSIDE_WINDOW;
      this.result.segmentDropped = true;
      return;
    }
    // What E had acknowledged before this segment: an earlier ACK may already cover the peer's FIN (the capture
    // can carry E's segments out of order).
    const ackedPeerFinBefore = E.rcvNxtKnown && P.finSent && seqGeq(E.rcvNxt, (P.finSeq + 1) >>> 0);
    if ((flags & ACK) !== 0) {
      E.rcvNxtKnown = true;
      E.rcvNxt = ack;
      // Windows in SYN segments are never scaled (RFC 7323 §2.2). A shift (at most 14, so below 2^31): `2 **` is a
      // floating-point power on every ACK.
      E.rcvWindowBytes = (flags & SYN) !== 0 || E.winScale < 0 ? window : window << E.winScale;
      // E has what it acknowledges: a hole in P's stream below the ACK is filled at E, whatever the capture saw.
      if (P.holeFrom !== -1 && seqGt(ack, P.holeFrom)) ackHoles(P, ack);
      else if (!P.finSent && P.seenEndKnown && P.holeFrom === -1 && ack === ((P.seenEnd + 1) >>> 0) &&
        (P.state === 'ESTABLISHED' || P.state === 'CLOSE_WAIT') &&
        ((flags & FIN) !== 0 || E.state === 'FIN_WAIT_1' || E.state === 'FIN_WAIT_2') &&
        (this.mayInferFin === null || this.mayInferFin(conn, peer))) {
        this.inferFin(conn, side, E, P);
      }
    }
    // Whether this segment's bytes reach past all E had sent (not a retransmission, a keep-alive's byte, or a hole
    // filled): the half-close note below is about new data.
    const newData = segLen > 0 && (!E.seenEndKnown || seqGt((seq + segLen) >>> 0, E.seenEnd));
    if (segLen > 0 || (flags & (SYN | FIN)) !== 0) {
      const end = (seq + segLen + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0)) >>> 0;
      // Nearly every segment: in order with nothing missing (the rest, out of line: the hot path stays small).
      if (seq === E.seenEnd && E.holeFrom === -1 && E.seenEndKnown) E.seenEnd = end;
      else noteStream(E, seq, end, P.rcvNxtKnown ? P.rcvNxt : -1);
    }
    // A FIN held out of order is taken once nothing is missing before it (RFC 9293 §3.10.7.4: the held segment is
    // processed when RCV.NXT reaches it): the bytes arrived (E's own stream), or E's ACK passed them (P's).
    if (P.finHeld || E.finHeld) this.heldFinDue(conn, side, E, P);

    if ((flags & SYN) !== 0) {
      if ((flags & ACK) === 0) {
        if (senderFresh) {
          this.events |= P.state === 'SYN_SENT' ? EV_SIMULTANEOUS_SYN : EV_SYN;
          this.setState(conn, side, 'SYN_SENT', null);
        } else if (conn.midstream && conn.roleRule === 'syn-ack' && side === 0) {
          // RFC 9293 allows reordering: the SYN arrives after the SYN-ACK that answers it.
          conn.midstream = false;
          this.events |= EV_LATE_SYN;
        }
      } else if (senderFresh) {
        this.events |= EV_SYN_ACK;
        this.setState(conn, side, 'SYN_RECEIVED', null);
      } else if (E.state === 'SYN_SENT') {
        // RFC 9293 §3.5 figure 7: simultaneous open, each side answers the other's SYN with SYN-ACK.
        this.events |= EV_SIMULTANEOUS_SYN_ACK;
        this.setState(conn, side, 'SYN_RECEIVED', null);
      } else if (E.state === 'ESTABLISHED' && P.state === 'SYN_RECEIVED' && E.synSeen && P.synSeen) {
        // The second SYN-ACK of a simultaneous open, from the side the first one made ESTABLISHED.
        this.events |= EV_SIMULTANEOUS_SYN_ACK;
      }
      // RFC 9293 §3.10.7.3 (SYN-SENT) and §3.10.7.4 (SYN-RECEIVED): a SYN-ACK that acknowledges the receiver's SYN
      // makes it ESTABLISHED on arrival (figure 6, line 3: the client is ESTABLISHED before it sends the third
      // segment), as a FIN moves its receiver at the FIN. Said in the handshake's own line (no reason of its own).
      // Acceptable: past the ISN and not past what the receiver sent (its SYN's data too: TCP Fast Open, RFC 7413).
      if ((P.state === 'SYN_SENT' || P.state === 'SYN_RECEIVED') && P.synSeen && seqGt(ack, P.isn) && seqLeq(ack, P.nextSeq)) {
        this.setState(conn, peer, 'ESTABLISHED', null);
        this.synAckEstablished = true;
        if (E.state === 'ESTABLISHED') {
          // The second SYN-ACK of a simultaneous open: both sides are now ESTABLISHED.
          this.handshakeComplete(conn, nowNs);
        } else if (side === 1 && E.state === 'SYN_RECEIVED') {
          // The textbook SYN-ACK: the handshake completes at the client's ACK of it (its third step, with the RTT).
          conn.awaitingThirdAck = true;
        }
      } else if (side === 1 && E.state === 'SYN_RECEIVED' && P.finSent && P.synSeen && (P.state === 'FIN_WAIT_1' || P.state === 'FIN_WAIT_2') &&
        seqGt(ack, P.isn) && seqLeq(ack, (P.finSeq + 1) >>> 0)) {
        // The client's SYN carried its FIN: past ESTABLISHED already, its next ACK is still the handshake's third step.
        conn.awaitingThirdAck = true;
      }
      if (segLen > 0) this.events |= EV_SYN_DATA;
    }

    if ((flags & (ACK | SYN)) === ACK) {
      const wasEstablished = E.state === 'ESTABLISHED' && P.state === 'ESTABLISHED';
      // The sender's ACK of the peer's SYN shows it has completed its side of the handshake.
      if (E.state === 'SYN_SENT' && (!P.synSeen || seqGt(ack, P.isn))) {
        this.setState(conn, side, 'ESTABLISHED', null);
        // An ACK from the opener proves a SYN-ACK the capture missed (one-sided captures): the peer got this far.
        if (P.state === 'CLOSED' && !P.synSeen && P.packets === 0) {
          this.setState(conn, peer, 'ESTABLISHED', 'assumed: its SYN-ACK was not captured');
        }
      } else if (E.state === 'SYN_RECEIVED') {
        this.setState(conn, side, 'ESTABLISHED', null);
      }
      // Receiving an ACK of its SYN completes the peer's side (RFC 9293 §3.10.7.4, SYN-RECEIVED).
      if (P.state === 'SYN_RECEIVED' && seqGt(ack, P.isn)) this.setState(conn, peer, 'ESTABLISHED', null);
      if (E.state === 'ESTABLISHED' && P.state === 'ESTABLISHED') {
        // The client was ESTABLISHED at the SYN-ACK: the handshake's third step is its ACK (or data) acknowledging it.
        // A server segment before that (data, an ACK) shows the server had the ACK, and completes its side silently:
        // the step and the RTT wait for the client's ACK, as before the client's own state followed the SYN-ACK.
        const third = conn.awaitingThirdAck && side === 0;
        if (third) conn.awaitingThirdAck = false;
        if (third || (!wasEstablished && !conn.awaitingThirdAck)) this.handshakeComplete(conn, nowNs);
      } else if (conn.awaitingThirdAck && side === 0 && E.state !== 'RESET' && E.state !== 'CLOSED' && seqGt(ack, P.isn)) {
        // The client's first ACK after a server that did not wait for it (TCP Fast Open, RFC 7413 §4.2: data, even its
        // FIN, before the handshake's third segment), or of a client whose SYN carried its FIN: still the third step,
        // and its RTT, with the states moved on.
        conn.awaitingThirdAck = false;
        this.handshakeComplete(conn, nowNs);
      }
    }

    // A FIN that came on P's SYN or without ACK, held by E (finHeldForAck): E's ACK covering it shows E took it; before
    // E's own FIN.
    if (E.finHeldForAck && (flags & ACK) !== 0 && P.finSent && seqGeq(ack, (P.finSeq + 1) >>> 0)) {
      E.finHeldForAck = false;
      this.deliverFin(conn, side, E, peer, true, (P.historySeen & H_MULTI) !== 0 ? ', sent on its SYN; this ACK covers it' : ', sent without ACK; this ACK covers it');
    }

    // A FIN still on its way (the FINs crossed): it reaches P before this later segment of E (segments arrive in the
    // order sent), and E shows it received P's when its ACK covers it.
    if (P.peerFinPending) this.receivePendingFin(conn, peer, P, side);
    if (E.peerFinPending && (flags & ACK) !== 0 && seqGeq(ack, (P.finSeq + 1) >>> 0)) this.receivePendingFin(conn, side, E, peer);

    if ((flags & ACK) !== 0 && P.finSent && seqGeq(ack, (P.finSeq + 1) >>> 0)) {
      if (P.finAckedFrame === 0) P.finAckedFrame = conn.lastFrame;
      // RFC 9293 §3.10.7.4: the ACK of a FIN moves its sender on.
      if (P.state === 'FIN_WAIT_1') this.setState(conn, peer, 'FIN_WAIT_2', 'its FIN acknowledged');
      else if (P.state === 'CLOSING') this.setState(conn, peer, 'TIME_WAIT', 'its FIN acknowledged');
      else if (P.state === 'LAST_ACK') this.setState(conn, peer, 'CLOSED', 'its FIN acknowledged');
    }

    if (segLen > 0 && (flags & SYN) === 0) {
      if (!E.dataSeen) this.events |= EV_FIRST_DATA;
      // A half-close shows when E sends new data after receiving P's FIN; data whose ACK does not cover that FIN was
      // sent before it arrived (the FINs may yet cross), and bytes sent again (a retransmission, a keep-alive's byte
      // below SND.NXT) were sent before it too.
      const sawPeerFin = ackedPeerFinBefore || ((flags & ACK) !== 0 && P.finSent && seqGeq(ack, (P.finSeq + 1) >>> 0));
      if (E.state === 'CLOSE_WAIT' && sawPeerFin && newData && !conn.halfCloseNoted) {
        conn.halfCloseNoted = true;
        this.events |= EV_HALF_CLOSE_DATA;
      }
    }
    if (segLen > 0) E.dataSeen = true;
    // Both SYNs acknowledged without the handshake said (a simultaneous open whose SYN carried a FIN: that side is
    // past ESTABLISHED before the rules above look): it completed here.
    if (conn.handshakeRttNs < 0 && conn.clientSynNs >= 0 && E.synSeen && P.synSeen && (flags & ACK) !== 0 &&
      seqGt(ack, P.isn) && P.rcvNxtKnown && seqGt(P.rcvNxt, E.isn) && !isTerminal(E.state) && !isTerminal(P.state) &&
      (this.events & EV_ESTABLISHED) === 0 && !conn.awaitingThirdAck) {
      this.handshakeComplete(conn, nowNs);
    }
    // Data past a FIN that was inferred (inferFin): that sequence number was a data byte the capture lacks, not a FIN.
    // The states stay as inferred (their annotations are out); this says so, once.
    if (segLen > 0 && E.finInferred && !E.pastInferredFinNoted && seqGt((seq + segLen) >>> 0, E.finSeq)) {
      E.pastInferredFinNoted = true;
      this.events |= EV_DATA_PAST_INFERRED_FIN;
    }

    if ((flags & FIN) !== 0 && !E.finSent) {
      E.finSent = true;
      E.finSeq = (seq + segLen + ((flags & SYN) !== 0 ? 1 : 0)) >>> 0;
      E.finFrame = conn.lastFrame;
      E.finAck = (flags & ACK) !== 0 ? ack : -1;
      if (conn.closedFirstBy === -1) conn.closedFirstBy = side;
      const first = !P.finSent;
      // E was shown in CLOSE_WAIT when P's FIN passed the capture point; a FIN whose ACK does not cover P's shows E had
      // not received it yet: the FINs crossed (RFC 9293 §3.6 figure 13), and E closes actively after all.
      const crossed = E.state === 'CLOSE_WAIT' && P.finSent && (flags & ACK) !== 0 && !seqGeq(ack, (P.finSeq + 1) >>> 0) &&
        !ackedPeerFinBefore;
      if (crossed) {
        E.peerFinPending = true;
        this.setState(conn, side, 'FIN_WAIT_1',
          `sent FIN before the ${SIDE_NAME[peer]}'s reached it: its ACK does not cover that FIN, so the FINs crossed`);
      } else if (E.state === 'CLOSE_WAIT') this.setState(conn, side, 'LAST_ACK', 'sent FIN');
      else if (!isTerminal(E.state)) this.setState(conn, side, 'FIN_WAIT_1', first ? 'sent FIN, closes first' : 'sent FIN');
      if (E.holeFrom !== -1 && !isTerminal(P.state)) {
        // Bytes before the FIN are missing (lost before the capture point, or still to come out of order): P holds
        // it (RFC 9293 §3.10.7.4, SHLD-31), and its own later ACKs show it still waiting.
        P.finHeld = true;
        this.events |= EV_FIN_HELD;
        this.heldFromRel = (E.holeFrom - E.baseSeq) >>> 0;
        this.heldToRel = (E.holes![1]! - E.baseSeq) >>> 0;
      } else if ((flags & (SYN | ACK)) === SYN && (P.state === 'SYN_SENT' || P.state === 'SYN_RECEIVED' ||
        (P.state === 'CLOSED' && !P.synSeen && !P.finSent && !P.dataSeen))) {
        // A FIN on a SYN reaches a side not synchronized yet, and stacks differ on it: RFC 9293 §3.10.7.2 (LISTEN)
        // leaves it to SYN-RECEIVED, whose fifth step drops a segment without ACK; §3.10.7.3 (SYN-SENT) queues it
        // until ESTABLISHED; Linux drops a SYN+FIN whole; 4.4BSD takes the FIN at once (SYN_RECEIVED → CLOSE_WAIT).
        // A SYN+FIN that repeats the SYN at a side already SYN_RECEIVED is a segment without ACK there: dropped by
        // §3.10.7.4's fifth step, unless that side's ACK later shows it took the FIN.
        // So it is taken only when the receiver's ACK covers it (a retransmitted FIN is the same sequence number).
        P.finHeldForAck = true;
        this.events |= EV_SYN_FIN_HELD;
      } else if ((flags & (SYN | ACK)) === 0 && (P.state === 'SYN_RECEIVED' || P.state === 'ESTABLISHED' ||
        P.state === 'FIN_WAIT_1' || P.state === 'FIN_WAIT_2')) {
        // A FIN without ACK (a FIN or Xmas scan, a crafted segment): RFC 9293 §3.10.7.4's fifth step drops a segment
        // whose ACK bit is off in every synchronized state, as Linux does; taken only once the receiver's ACK covers it.
        P.finHeldForAck = true;
        this.events |= EV_FIN_NO_ACK_HELD;
      } else {
        this.deliverFin(conn, peer, P, side, false);
      }
    }
  }

  /**
   * A socket connected to itself (Connection.selfConnect): each segment it sends, it receives. Its SYN comes back as a
   * SYN (SYN_SENT → SYN_RECEIVED, RFC 9293 §3.10.7.3), its SYN-ACK as the ACK of that SYN (ESTABLISHED, §3.10.7.4), its
   * FIN as a FIN that crossed its own (FIN_WAIT_1 → CLOSING: a simultaneous close with itself, figure 13), the ACK of
   * that FIN as its FIN acknowledged (TIME_WAIT). Linux on loopback does exactly this. The state is S's (ends[0]); the
   * other end mirrors it, silently, so that the connection closes and reports as one socket.
   */
  private advanceSelf(
    conn: Connection, S: Endpoint, M: Endpoint, flags: number, seq: number, ack: number, segLen: number, nowNs: number,
  ): void {
    // Fresh: nothing of it seen yet (a capture that starts at its SYN).
    const fresh = S.state === 'CLOSED' && !S.synSeen && !S.dataSeen && !S.finSent;
    if ((flags & SYN) !== 0 && !S.synSeen) {
      S.synSeen = true;
      S.isn = seq;
    }
    if (segLen > 0) {
      if ((flags & SYN) !== 0) this.events |= EV_SYN_DATA;
      else if (!S.dataSeen) this.events |= EV_FIRST_DATA;
      S.dataSeen = true;
    }
    if ((flags & RST) !== 0) {
      this.stateBeforeRst = S.state;
      this.events |= EV_RST;
      if (!isTerminal(S.state) || fresh) {
        this.rstTaken = true;
        if (conn.resetBy === -1) conn.resetBy = 0;
        if (conn.closedFirstBy === -1) conn.closedFirstBy = 0;
        this.setState(conn, 0, 'RESET', null);
      }
    } else {
      // Before ESTABLISHED: its SYN_SENT may be assumed (a capture that starts at its SYN-ACK).
      const opening = S.state === 'SYN_SENT' || S.state === 'SYN_RECEIVED';
      if ((flags & (SYN | ACK)) === SYN) {
        if (fresh) {
          this.events |= EV_SELF_SYN;
          this.setState(conn, 0, 'SYN_SENT', null);
          this.setState(conn, 0, 'SYN_RECEIVED', 'received its own SYN: a simultaneous open with itself');
        }
      } else if ((flags & (SYN | ACK)) === (SYN | ACK)) {
        // Its SYN-ACK acknowledges its own SYN (the same ISN; its data too, with TCP Fast Open): receiving it
        // completes the handshake. Also past ESTABLISHED already (its SYN carried its FIN), once.
        if ((opening || fresh) && seqGt(ack, S.isn)) {
          this.setState(conn, 0, 'ESTABLISHED', null);
          M.state = S.state;
          this.handshakeComplete(conn, nowNs);
        } else if (S.synSeen && S.finSent && conn.handshakeRttNs < 0 && !isTerminal(S.state) && seqGt(ack, S.isn)) {
          this.handshakeComplete(conn, nowNs);
        }
      } else if ((flags & ACK) !== 0 && (opening || fresh)) {
        if (S.state === 'SYN_RECEIVED' && seqGt(ack, S.isn)) {
          // Its SYN-ACK was not captured; this ACK of its SYN shows the handshake done.
          this.setState(conn, 0, 'ESTABLISHED', 'its SYN acknowledged: its SYN-ACK was not captured');
          M.state = S.state;
          this.handshakeComplete(conn, nowNs);
        } else if (!S.synSeen) {
          this.setState(conn, 0, 'ESTABLISHED', 'assumed: its handshake was not captured');
        }
      }
      if ((flags & FIN) !== 0 && !S.finSent) {
        S.finSent = true;
        S.finSeq = (seq + segLen + ((flags & SYN) !== 0 ? 1 : 0)) >>> 0;
        S.finFrame = conn.lastFrame;
        S.finAck = (flags & ACK) !== 0 ? ack : -1;
        if (conn.closedFirstBy === -1) conn.closedFirstBy = 0;
        // The close reads as the simultaneous close it is: both "ends" sent (and received) this one FIN.
        M.finSent = true;
        M.finSeq = S.finSeq;
        M.finFrame = S.finFrame;
        M.finAck = S.finAck;
        conn.simultaneousClose = true;
        if (!isTerminal(S.state)) {
          this.setState(conn, 0, 'FIN_WAIT_1', 'sent FIN');
          this.setState(conn, 0, 'CLOSING', 'received its own FIN');
        }
      }
      if ((flags & ACK) !== 0 && S.finSent && seqGeq(ack, (S.finSeq + 1) >>> 0)) {
        if (S.finAckedFrame === 0) {
          S.finAckedFrame = conn.lastFrame;
          M.finAckedFrame = conn.lastFrame;
        }
        if (S.state === 'CLOSING') this.setState(conn, 0, 'TIME_WAIT', 'its FIN acknowledged, by itself');
      }
    }
    M.state = S.state;
    M.synSeen = S.synSeen;
    M.isn = S.isn;
  }

  /**
   * P's FIN, not captured, shown by E's ACK: it covers exactly one sequence number past all P sent, and the connection
   * is closing (E sends its own FIN with this ACK, or had sent it). One sequence number is a FIN or a single data
   * byte; while closing it is the FIN (a lost 1-byte segment then would be a lone keystroke or window probe, and the
   * owner rules out a body's last byte: TcpTrackerOptions.mayInferFin). Read as
   * a byte, the close read wrong: the other side "closed first", the closer half-closed, a 1-byte gap ended its
   * stream, and HTTP said its parsing stopped there. Wireshark flags the ACK (tcp.analysis.ack_lost_segment), and so
   * does checks.ts, unchanged: this moves only the states and the stream's end.
   */
  private inferFin(conn: Connection, side: Direction, E: Endpoint, P: Endpoint): void {
    const peer: Direction = side === 0 ? 1 : 0;
    const shownFrame = this.finShownAt === null ? 0 : this.finShownAt(conn, peer);
    P.finSent = true;
    P.finInferred = true;
    P.finSeq = P.seenEnd;
    P.finFrame = shownFrame > 0 ? shownFrame : conn.lastFrame;
    if (shownFrame > 0) P.finAckedFrame = shownFrame;
    // Unknown: the FIN's own ACK field was not captured.
    P.finAck = -1;
    P.seenEnd = (P.seenEnd + 1) >>> 0;
    if (conn.closedFirstBy === -1) conn.closedFirstBy = peer;
    const sent = shownFrame > 0
      ? `sent a FIN the capture lacks, as the ${SIDE_NAME[side]}'s ACKs show from frame ${shownFrame} on`
      : `sent a FIN the capture lacks, as the ${SIDE_NAME[side]}'s ACK shows`;
    if (P.state === 'CLOSE_WAIT') {
      this.setState(conn, peer, 'LAST_ACK', sent);
      // P had E's FIN: its own FIN acknowledged it (every segment after a FIN's arrival does), so E's FIN_WAIT_1
      // ended there, before that FIN reached E (not a simultaneous close).
      if (E.state === 'FIN_WAIT_1') {
        if (E.finAckedFrame === 0) E.finAckedFrame = conn.lastFrame;
        this.setState(conn, side, 'FIN_WAIT_2', `its FIN acknowledged by the ${SIDE_NAME[peer]}'s`);
      }
    } else {
      this.setState(conn, peer, 'FIN_WAIT_1', E.finSent ? sent : `${sent}; closes first`);
    }
    this.deliverFin(conn, side, E, peer, false);
    this.result.inferredFinSeq = P.finSeq;
  }

  /** Delivers a held FIN whose missing bytes are in now (out of advanceStates' line: rare). */
  private heldFinDue(conn: Connection, side: Direction, E: Endpoint, P: Endpoint): void {
    const peer: Direction = side === 0 ? 1 : 0;
    if (P.finHeld && E.holeFrom === -1) this.deliverFin(conn, peer, P, side, true);
    if (E.finHeld && P.holeFrom === -1) this.deliverFin(conn, side, E, peer, true);
  }

  /**
   * E's FIN reaches its receiver R (now, or `late`, once held: by default until the bytes before it arrived; heldWhy
   * names another hold in the state line): RFC 9293 §3.10.7.4, eighth.
   */
  private deliverFin(conn: Connection, rSide: Direction, R: Endpoint, finSender: Direction, late: boolean, heldWhy?: string): void {
    R.finHeld = false;
    const closer = SIDE_NAME[finSender];
    const held = heldWhy !== undefined ? heldWhy : late ? ', held until the bytes before it arrived' : '';
    if (R.state === 'FIN_WAIT_1') {
      conn.simultaneousClose = true;
      this.setState(conn, rSide, 'CLOSING', `simultaneous close${held}`);
    } else if (R.state === 'FIN_WAIT_2') {
      this.setState(conn, rSide, 'TIME_WAIT', `got the ${closer}'s FIN${held}`);
    } else if (!isTerminal(R.state) && R.state !== 'CLOSE_WAIT' && R.state !== 'LAST_ACK' && R.state !== 'CLOSING' &&
      // RFC 9293 §3.10.7.3: in SYN-SENT a segment without SYN or RST is dropped, its FIN too. Only for a SYN_SENT
      // seen (its SYN captured): one assumed at a capture that began with the SYN-ACK has moved on unseen.
      (R.state !== 'SYN_SENT' || !R.synSeen)) {
      this.setState(conn, rSide, 'CLOSE_WAIT', late ? `got the ${closer}'s FIN${held}` : `${closer} closed first`);
    }
  }

  /** The FIN `ep` had not yet received when it sent its own (peerFinPending) reaches it: RFC 9293 §3.10.7.4. */
  private receivePendingFin(conn: Connection, side: Direction, ep: Endpoint, finSender: Direction): void {
    ep.peerFinPending = false;
    const why = `got the ${SIDE_NAME[finSender]}'s FIN`;
    if (ep.state === 'FIN_WAIT_1') this.setState(conn, side, 'CLOSING', why);
    else if (ep.state === 'FIN_WAIT_2') this.setState(conn, side, 'TIME_WAIT', why);
  }

  /** A RST from E (RFC 9293 §3.10.7: an acceptable RST aborts the connection in any state). */
  private reset(
    conn: Connection, side: Direction, senderFresh: boolean, E: Endpoint, P: Endpoint, flags: number, seq: number,
    ack: number, segLen: number,
  ): void {
    const peer: Direction = side === 0 ? 1 : 0;
    if (segLen > 0) this.events |= EV_RST_DATA;
    this.stateBeforeRst = E.state;
    if (E.state === 'SYN_SENT' && E.synSeen && (flags & ACK) === 0 && P.rcvNxtKnown && seq === P.rcvNxt &&
        P.rcvNxt !== ((E.isn + 1) >>> 0)) {
      // RFC 9293 §3.10.7.3 (and §3.5.2 rule 2): in SYN-SENT, an ACK that does not acknowledge the SYN is answered by
      // <SEQ=SEG.ACK><CTL=RST> and the opener stays in SYN-SENT, its SYN retransmitted. It answers what the peer still
      // had on these ports (a stale connection's challenge ACK, RFC 5961 §4), not this connection.
      this.events |= EV_RST_SYN_SENT_REPLY;
      // Its sequence number is the peer's RCV.NXT (the ACK it answers): a peer that sent that ACK from SYN-RECEIVED
      // (a SYN-ACK that acknowledged another SYN) takes it and goes back to LISTEN (RFC 9293 §3.10.7.4).
      if (P.state === 'SYN_RECEIVED') {
        this.rstTaken = true;
        this.setState(conn, peer, 'RESET', 'its SYN-ACK answered by RST');
      }
      return;
    }
    if (P.state === 'SYN_SENT' && P.synSeen &&
        ((flags & ACK) === 0 || !seqGt(ack, P.isn) || !seqLeq(ack, P.nextSeq))) {
      // RFC 9293 §3.10.7.3: in SYN-SENT a RST counts only if it acknowledges the SYN; this one is dropped.
      this.events |= EV_RST_IGNORED;
      this.rstIgnoredWhy = 'its ACK does not acknowledge the SYN (RFC 9293 §3.10.7.3)';
      return;
    }
    if (P.rcvNxtKnown && !isTerminal(P.state) && P.state !== 'SYN_SENT') {
      // RFC 9293 §3.10.7.4 (and RFC 5961 §3): in a synchronized state a RST counts only inside the receive window.
      const windowBytes = P.rcvWindowBytes > 1 ? P.rcvWindowBytes : 1;
      // Linux takes one just below: RCV.NXT - 1 once the peer's FIN was received (tcp_validate_incoming's
      // tcp_reset_check), the sequence number of a RST answering data that crossed that FIN.
      const belowAfterFin = seq === ((P.rcvNxt - 1) >>> 0) && hasPeerFin(P.state);
      if (!belowAfterFin && (!seqGeq(seq, P.rcvNxt) || seqDiff(seq, P.rcvNxt) >= windowBytes)) {
        this.events |= EV_RST_IGNORED;
        this.rstIgnoredWhy = `its sequence number is outside the ${SIDE_NAME[peer]}'s receive window (RFC 9293 §3.10.7.4)`;
        return;
      }
    }
    if (isSynchronizedForRst(P.state) && (E.seenEndKnown || P.rcvNxtKnown)) {
      // RFC 5961 §3.2, which Linux, the BSDs, macOS and Windows implement: a RST inside the window resets only at
      // exactly RCV.NXT; elsewhere it is answered by a challenge ACK and the connection stays. RCV.NXT is what the
      // receiver had in order (the capture point's view: every segment seen taken as delivered) or acknowledged.
      // Linux also takes RCV.NXT-1 after a FIN was received, and the right edge of what arrived out of order
      // (tcp_validate_incoming, tcp_reset_check).
      let expected = E.seenEndKnown ? (E.holeFrom !== -1 ? E.holeFrom : E.seenEnd) : P.rcvNxt;
      if (P.rcvNxtKnown && seqGt(P.rcvNxt, expected)) expected = P.rcvNxt;
      const accepted = seq === expected || (E.seenEndKnown && seq === E.seenEnd) ||
        (seq === ((expected - 1) >>> 0) && hasPeerFin(P.state));
      if (!accepted) {
        // No state changes, its sender's neither: a RST injected by a third party (what RFC 5961 guards against)
        // leaves the sender talking; a real one from an endpoint that lost data in flight is followed, once the
        // challenge ACK arrives, by its RST at RCV.NXT, which counts.
        this.events |= EV_RST_CHALLENGED;
        this.rstExpectedRel = (expected - E.baseSeq) >>> 0;
        return;
      }
    }
    if (P.state === 'SYN_SENT' && senderFresh && (flags & SYN) === 0) {
      // RFC 9293 §3.10.7.1: a SYN to a CLOSED port is answered by RST; the opener's connection is refused.
      conn.refused = true;
      if (conn.closedFirstBy === -1) conn.closedFirstBy = side;
      this.rstTaken = true;
      this.events |= EV_REFUSED;
      this.setState(conn, peer, 'RESET', null);
      return;
    }
    this.rstTaken = true;
    if (isTerminal(E.state) && isTerminal(P.state)) {
      this.events |= EV_RST_AFTER_CLOSE;
      // RFC 9293 §3.10.7.4, TIME-WAIT: a RST ends it (the CLOSED state). Linux (tcp_timewait_state_process) takes
      // only one at exactly RCV.NXT, unless tcp_rfc1337 is set; any other is dropped.
      if (P.state === 'TIME_WAIT' && P.rcvNxtKnown && seq === P.rcvNxt) {
        this.setState(conn, peer, 'CLOSED', 'TIME_WAIT ended by the RST, RFC 9293 §3.10.7.4');
      }
      return;
    }
    if (conn.resetBy === -1) conn.resetBy = side;
    if (conn.closedFirstBy === -1) conn.closedFirstBy = side;
    this.events |= EV_RST;
    if (!isTerminal(E.state) || E.state === 'TIME_WAIT') this.setState(conn, side, 'RESET', null);
    if (!isTerminal(P.state) || P.state === 'TIME_WAIT') this.setState(conn, peer, 'RESET', null);
  }

  /** Both sides ESTABLISHED by the handshake: its last step is said here, with the RTT from the client's SYN. */
  private handshakeComplete(conn: Connection, nowNs: number): void {
    this.events |= EV_ESTABLISHED;
    // Whatever completed it (the second SYN-ACK of a simultaneous open too), no later ACK is its third step.
    conn.awaitingThirdAck = false;
    // The states when it completed (the same packet may move them on: a FIN with the ACK is said after).
    this.handshakeClientState = conn.ends[0].state;
    this.handshakeServerState = conn.ends[1].state;
    if (conn.handshakeRttNs < 0 && conn.clientSynNs >= 0) conn.handshakeRttNs = nowNs - conn.clientSynNs;
  }

  /** The one place an endpoint's state changes; records the change for this packet's annotations. */
  private setState(conn: Connection, side: Direction, to: TcpState, why: string | null): void {
    const ep = conn.ends[side];
    if (ep.state === to) return;
    const n = this.nChanges;
    if (n < MAX_CHANGES) {
      this.changeSide[n] = side;
      this.changeFrom[n] = ep.state;
      this.changeTo[n] = to;
      this.changeWhy[n] = why;
      this.nChanges = n + 1;
    }
    ep.state = to;
  }

  /** Zeek-style history (summary.ts documents the letters): uppercase for the client, lowercase for the server. */
  private recordHistory(conn: Connection, dir: Direction, E: Endpoint, flags: number, segLen: number, analysis: number): void {
    let bits = 0;
    if ((flags & SYN) !== 0) {
      bits |= (flags & ACK) !== 0 ? H_SYN_ACK : H_SYN;
      if ((flags & (FIN | RST)) !== 0) bits |= H_MULTI;
    }
    if ((flags & FIN) !== 0) bits |= H_FIN;
    if ((flags & RST) !== 0) bits |= H_RST;
    if ((flags & (FIN | RST)) === (FIN | RST)) bits |= H_INCONSISTENT;
    if (segLen > 0) bits |= H_DATA;
    else if ((flags & (ACK | SYN | FIN | RST)) === ACK) bits |= H_ACK;
    const fresh = bits & ~E.historySeen;
    if (fresh !== 0) {
      E.historySeen |= fresh;
      let letters = '';
      if (fresh & H_SYN) letters += 'S';
      if (fresh & H_SYN_ACK) letters += 'H';
      if (fresh & H_MULTI) letters += 'Q';
      if (fresh & H_INCONSISTENT) letters += 'I';
      if (fresh & H_ACK) letters += 'A';
      if (fresh & H_DATA) letters += 'D';
      if (fresh & H_FIN) letters += 'F';
      if (fresh & H_RST) letters += 'R';
      conn.history += dir === 0 ? letters : letters.toLowerCase();
    }
    if (analysis !== 0) {
      // T, W, G repeat at the 1st, 10th, 100th, … occurrence, as Zeek scales them.
      if (analysis & ANY_RETRANSMISSION) {
        if (isPowerOfTen(++E.retransmissionCount)) conn.history += dir === 0 ? 'T' : 't';
      }
      if (analysis & Analysis.ZERO_WINDOW) {
        if (isPowerOfTen(++E.zeroWindowCount)) conn.history += dir === 0 ? 'W' : 'w';
      }
      if (analysis & Analysis.LOST_SEGMENT) {
        if (isPowerOfTen(++E.gapCount)) conn.history += dir === 0 ? 'G' : 'g';
      }
    }
  }

  /** Words the connection-life events and state changes of this packet. */
  private emitLife(conn: Connection, dir: Direction, segLen: number, relSeq: number, out: Annotation[]): void {
    const ev = this.events;
    // Without texts (nobody prints them) every annotation is still made, with its code and an empty text: the
    // per-code counts stay the same, and the strings (addresses, durations) cost nothing.
    const words = this.texts;
    const who = conn.selfConnect ? 'socket' : SIDE_NAME[dir];
    const peerName = SIDE_NAME[dir === 0 ? 1 : 0];
    if (ev & EV_LIMIT) {
      const what = this.limitVictimRetired ? 'forgot closed connection' : 'evicted connection';
      const rest = this.limitVictimRetired ? ' (in TIME_WAIT, already reported)' : this.limitVictimParked ? ' (closed, reported now)' : '';
      out.push({ code: Codes.LIMIT,
        text: words ? `connection table full (${this.maxConnections}): ${what} ${this.limitVictimId}${rest}, idle ${formatDurationNs(conn.lastNs - this.limitVictimLastNs)}` : '' });
    }
    if (ev & EV_IDLE) {
      out.push({ code: Codes.IDLE, text: words ? `connection idle for ${formatDurationNs(this.idleGapNs)} before this packet` : '' });
    }
    if (ev & EV_PORT_REUSE) {
      // A shard knows only its own ids: the merge writes the capture's id in place of the placeholder.
      const id = this.facts === null ? String(conn.id) : SHARD_ID_PLACEHOLDER;
      out.push({ code: Codes.PORT_REUSE, text: words ? `port reuse: a SYN with a new ISN on the ports of an earlier connection starts connection ${id}` : '' });
    }
    if (ev & EV_SYN_ACK_NEW_ISN) {
      out.push({ code: Codes.PORT_REUSE, text: words ? `port reuse: ${who}'s SYN-ACK carries another ISN than before on these ports` : '' });
    }
    if (ev & EV_MIDSTREAM) out.push({ code: Codes.MIDSTREAM, text: words ? midstreamText(conn) : '' });
    if (ev & EV_SYN) {
      out.push({ code: Codes.HANDSHAKE,
        text: words ? `handshake 1/3: ${who} ${conn.endpointText(dir)} opens (SYN) to ${conn.endpointText(dir === 0 ? 1 : 0)}, ${who} SYN_SENT` : '' });
    }
    if (ev & EV_SELF_SYN) {
      out.push({ code: Codes.HANDSHAKE, text: words
        ? `self-connect: ${conn.endpointText(0)} opens (SYN) to itself; with no listener on its own port its SYN comes back to it, a simultaneous open with itself (RFC 9293 §3.5): client and server are one socket`
        : '' });
    }
    if (ev & EV_LATE_SYN) {
      out.push({ code: Codes.HANDSHAKE, text: words ? `handshake 1/3 arrives after 2/3 (reordered): client SYN` : '' });
    }
    if (ev & EV_SIMULTANEOUS_SYN) {
      out.push({ code: Codes.HANDSHAKE, text: words ? `simultaneous open: ${who} sends its own SYN, ${who} SYN_SENT` : '' });
    }
    const peerEstablished = this.synAckEstablished ? `, ${peerName} ESTABLISHED` : '';
    if (ev & EV_SYN_ACK) {
      out.push({ code: Codes.HANDSHAKE,
        text: words ? `handshake 2/3 (SYN-ACK): ${who} ${conn.endpointText(dir)} accepts, ${who} SYN_RECEIVED${peerEstablished}` : '' });
    }
    if (ev & EV_SIMULTANEOUS_SYN_ACK) {
      const sender = conn.ends[dir].state === 'SYN_RECEIVED' ? `, ${who} SYN_RECEIVED` : '';
      out.push({ code: Codes.HANDSHAKE, text: words ? `simultaneous open: ${who} answers the ${peerName}'s SYN (SYN-ACK)${sender}${peerEstablished}` : '' });
    }
    if (ev & EV_ESTABLISHED) {
      // After a retransmitted SYN the SYN-ACK may answer an earlier copy (Karn's rule, RFC 6298 §3): the figure is
      // measured from the last one, as tshark's tcp.analysis.initial_rtt is, and may be short of the path's RTT.
      // Copies of one SYN the capture holds twice (two interfaces, NFLOG hooks) are not retransmissions: the note is
      // for copies further apart than the RTT measured, where the earlier one would make it at least twice as long.
      const karn = conn.clientSynCount > 1 && conn.clientSynNs - conn.clientFirstSynNs > conn.handshakeRttNs
        ? ` from the last of ${conn.clientSynCount} SYNs (the SYN-ACK may answer an earlier one)` : '';
      const rtt = words && conn.handshakeRttNs >= 0 ? `, RTT ${formatRttNs(conn.handshakeRttNs)}${karn}` : '';
      // The textbook three steps: the client's SYN, the server's SYN-ACK, this ACK (no server SYN of its own).
      const server = conn.ends[1].historySeen;
      const textbook = (conn.ends[0].historySeen & H_SYN) !== 0 && (server & H_SYN) === 0 && (server & H_SYN_ACK) !== 0;
      const step = textbook ? 'handshake 3/3 (ACK)' : 'handshake complete';
      const client = this.handshakeClientState;
      const serverState = this.handshakeServerState;
      const states = client === 'ESTABLISHED' && serverState === 'ESTABLISHED'
        ? 'both ESTABLISHED' : `states already past it: client ${client}, server ${serverState}`;
      out.push({ code: Codes.HANDSHAKE, text: !words ? ''
        : conn.selfConnect
          ? `handshake complete with itself${(conn.ends[0].historySeen & H_SYN_ACK) !== 0 ? ' (its own SYN-ACK received)' : ''}${rtt}, socket ${client}`
          : `${step}${rtt}, ${states}` });
    }
    if (ev & EV_REFUSED) {
      out.push({ code: Codes.REFUSED,
        text: words ? `connection refused: ${who} ${conn.endpointText(dir)} answers the SYN with RST, ${peerName} SYN_SENT → RESET` : '' });
    }
    if (ev & EV_RST) out.push({ code: Codes.RST, text: words ? this.resetText(conn, dir) : '' });
    if (ev & EV_RST_IGNORED) {
      out.push({ code: Codes.RST, text: words ? `RST from ${who} does not count: ${this.rstIgnoredWhy}; no state change` : '' });
    }
    if (ev & EV_RST_SYN_SENT_REPLY) {
      out.push({ code: Codes.RST, text: words
        ? `RST from ${who} in SYN_SENT answers the ${peerName}'s ACK, which does not acknowledge its SYN (RFC 9293 §3.10.7.3): ${who} stays SYN_SENT; the RST is for what the ${peerName} still had on these ports`
        : '' });
    }
    if (ev & EV_RST_CHALLENGED) {
      out.push({ code: Codes.RST, text: words
        ? `RST from ${who} does not count: relative seq ${relSeq} is not the ${peerName}'s next expected ${this.rstExpectedRel} (RFC 5961 §3.2: it answers with a challenge ACK); no state change`
        : '' });
    }
    if (ev & EV_FIN_OUTSIDE_WINDOW) {
      const P = conn.ends[dir === 0 ? 1 : 0];
      out.push({ code: Codes.STATE, text: words
        ? `FIN from ${who} does not count: relative seq ${relSeq} is outside the ${peerName}'s receive window (${P.rcvWindowBytes} bytes from ${(P.rcvNxt - conn.ends[dir].baseSeq) >>> 0}; RFC 9293 §3.10.7.4: the ${peerName} drops the segment and answers with an ACK); no state change`
        : '' });
    }
    if (ev & EV_RST_AFTER_CLOSE) {
      const changed = this.nChanges > 0 ? '' : ' (no state change)';
      out.push({ code: Codes.RST, text: words ? `reset by ${who} after the connection closed${changed}` : '' });
    }
    this.emitStateLines(conn, dir, out);
    if (ev & EV_FIN_HELD) {
      out.push({ code: Codes.STATE, text: words
        ? `${who}'s FIN arrives before bytes it follows (relative seq ${this.heldFromRel}:${this.heldToRel} missing): the ${peerName} holds it until they arrive (RFC 9293 §3.10.7.4), ${peerName} stays ${conn.ends[dir === 0 ? 1 : 0].state}`
        : '' });
    }
    if (ev & EV_SYN_FIN_HELD) {
      out.push({ code: Codes.STATE, text: words
        ? `${who}'s SYN carries a FIN: stacks differ on taking it (RFC 9293 §3.10.7.2, §3.10.7.3; Linux drops the segment), so the ${peerName} is taken to have it once its ACK covers it`
        : '' });
    }
    if (ev & EV_FIN_NO_ACK_HELD) {
      out.push({ code: Codes.STATE, text: words
        ? `${who}'s FIN comes without ACK: a receiver drops such a segment (RFC 9293 §3.10.7.4, fifth step; Linux), so the ${peerName} is taken to have it once its ACK covers it`
        : '' });
    }
    if (ev & EV_CLOSED) {
      const first = !words || conn.closedFirstBy === -1 ? '' : conn.simultaneousClose ? 'simultaneous close; ' : `${SIDE_NAME[conn.closedFirstBy]} closed first; `;
      out.push({ code: Codes.CLOSE, text: !words ? ''
        : conn.selfConnect ? `connection closed (the socket closed with itself; socket ${conn.ends[0].state})`
        : `connection closed (${first}client ${conn.ends[0].state}, server ${conn.ends[1].state})` });
    }
    if (ev & EV_SYN_DATA) {
      out.push({ code: Codes.DATA, text: words ? `SYN carries ${segLen} bytes of data (TCP Fast Open, RFC 7413)` : '' });
    }
    if (ev & EV_FIRST_DATA) {
      out.push({ code: Codes.DATA, text: words ? `first data from ${who}: ${segLen} bytes, relative seq ${relSeq}:${(relSeq + segLen) >>> 0}` : '' });
    }
    if (ev & EV_HALF_CLOSE_DATA) {
      out.push({ code: Codes.DATA, text: words ? `half-close: ${who} still sends data after the ${peerName}'s FIN` : '' });
    }
    if (ev & EV_RST_DATA) {
      out.push({ code: Codes.DATA, text: words ? `RST carries ${segLen} bytes (RFC 9293 §3.5.3 diagnostic data)` : '' });
    }
    if (ev & EV_DATA_PAST_INFERRED_FIN) {
      const E = conn.ends[dir];
      out.push({ code: Codes.DATA, text: words
        ? `${who} sends data past the FIN inferred from the ACK in frame ${E.finFrame} (relative seq ${(E.finSeq - E.baseSeq) >>> 0}): that sequence number was a data byte the capture lacks, not a FIN; the states stay as inferred`
        : '' });
    }
  }

  /** One 'tcp.state' line per endpoint whose changes were not already told by a handshake or reset line. */
  private emitStateLines(conn: Connection, dir: Direction, out: Annotation[]): void {
    // Sender first, then receiver; several changes of one side join into one chain.
    const words = this.texts;
    for (let pass = 0; pass < 2; pass++) {
      const side = pass === 0 ? dir : dir === 0 ? 1 : 0;
      let chain = '';
      let why = '';
      for (let i = 0; i < this.nChanges; i++) {
        if (this.changeSide[i] !== side || this.changeWhy[i] === null) continue;
        if (!words) {
          chain = '-';
          break;
        }
        chain = chain === '' ? `${this.changeFrom[i]} → ${this.changeTo[i]}` : `${chain} → ${this.changeTo[i]}`;
        why = why === '' ? this.changeWhy[i]! : `${why}, then ${this.changeWhy[i]}`;
      }
      if (chain !== '') out.push({ code: Codes.STATE, text: words ? `${conn.selfConnect ? 'socket' : SIDE_NAME[side]} ${chain} (${why})` : '' });
    }
  }

  private resetText(conn: Connection, dir: Direction): string {
    if (conn.selfConnect) {
      const result = this.nChanges > 0 ? 'socket RESET' : 'no state change';
      return `reset by the socket, sent to itself, in ${this.stateBeforeRst}: ${result}`;
    }
    const who = SIDE_NAME[dir];
    const assumed = conn.midstream && this.stateBeforeRst === 'ESTABLISHED' ? ' (assumed)' : '';
    let changed = 0;
    for (let i = 0; i < this.nChanges; i++) if (this.changeTo[i] === 'RESET') changed |= 1 << this.changeSide[i];
    const result = changed === 3 ? 'both RESET' : changed === 0 ? 'no state change'
      : `${SIDE_NAME[changed === 1 ? 0 : 1]} RESET`;
    // An endpoint already RESET sends another RST: the first one was not taken (RFC 5961 §3.2), this one may be.
    const when = this.stateBeforeRst === 'RESET' ? ' again' : ` in ${this.stateBeforeRst}${assumed}`;
    return `reset by ${who}${when}, ${result}`;
  }

  // ---- table, recency list, TIME_WAIT queue ------------------------------------------------------------------

  private lookup(hash: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number): Connection | null {
    for (let c = this.table.get(hash) ?? null; c !== null; c = c.hashNext) {
      const d = packedFlowDirection(c.addrs, c.addrLen, c.clientPort, c.serverPort, src, sport, dst, dport);
      if (d >= 0) {
        this.foundDir = d as Direction;
        return c;
      }
    }
    return null;
  }

  private lookupAt(hash: number, bytes: Uint8Array, len: number, srcAt: number, sport: number, dstAt: number, dport: number): Connection | null {
    for (let c = this.table.get(hash) ?? null; c !== null; c = c.hashNext) {
      const d = packedFlowDirectionAt(c.addrs, c.addrLen, c.clientPort, c.serverPort, bytes, len, srcAt, sport, dstAt, dport);
      if (d >= 0) {
        this.foundDir = d as Direction;
        return c;
      }
    }
    return null;
  }

  /** Another shard's packet: only the SYN or SYN-ACK that may mark a server port is noted (ShardFacts). */
  private foreign(flags: number, srcPort: number, dstPort: number, selfTuple: boolean): TcpPacketResult {
    const synAck = flags & (SYN | ACK);
    // As create() marks them: a socket connected to itself marks no port.
    if (selfTuple) return this.noConnection(true);
    if (synAck === SYN) this.foreignServerPorts![dstPort] = 1;
    else if (synAck === (SYN | ACK)) this.foreignServerPorts![srcPort] = 1;
    return this.noConnection(true);
  }

  /** The result for a packet that joins no connection here (no usable TCP header, or another shard's). */
  private noConnection(foreign: boolean): TcpPacketResult {
    const r = this.result;
    r.conn = null;
    r.connId = -1;
    r.direction = 0;
    r.relSeq = 0;
    r.relAck = -1;
    r.segLen = 0;
    r.foreign = foreign;
    return r;
  }

  private markServerPort(port: number, frame: number): void {
    if (this.facts !== null && this.serverPorts[port] === 0) {
      this.facts.serverPortFrames[port] = frame;
      this.facts.markPorts.push(port);
      this.facts.markFrames.push(frame);
    }
    this.serverPorts[port] = 1;
  }

  private noteCapAction(frame: number): void {
    const facts = this.facts!;
    if (facts.capActions++ === 0) facts.firstCapFrame = frame;
  }

  /** With shards, what a merge must check (ShardFacts); null without. */
  get shardFacts(): ShardFacts | null {
    return this.facts;
  }

  private create(hash: number, packet: Packet, nowNs: number): Connection {
    const ip = packet.ip!;
    const tcp = packet.tcp!;
    const flags = tcp.flags;
    if (this.liveCount + this.retired.size >= this.maxConnections) {
      // A reported retired connection is the cheapest to lose: closed and reported, it only waits for stragglers
      // (the one reported longest ago first). Else the least recently active of the rest, open or parked (closed,
      // its report to come: reported now), as --max-connections says; a parked one counts by its last packet, as it
      // would in the recency list if it were kept whole.
      const reported = this.retired.size !== 0 ? this.retired.oldest() : -1;
      if (reported !== -1) {
        this.noteLimitVictim(this.retired.id(reported), this.retired.lastNs(reported), true, false, packet);
        this.retired.remove(reported);
      } else {
        const parked = this.retired.size !== 0 ? this.retired.earliestDue() : -1;
        const live = this.lruTail !== null ? this.leastRecentlyActive() : null;
        const parkedFirst = parked !== -1 && (live === null || this.retired.lastNs(parked) < live.lastNs
          || (this.retired.lastNs(parked) === live.lastNs && this.retired.lastFrame(parked) < live.lastFrame));
        if (parkedFirst) {
          this.noteLimitVictim(this.retired.id(parked), this.retired.lastNs(parked), false, true, packet);
          this.retired.forget(parked, this.parkedForRoom);
        } else if (live !== null) {
          this.noteLimitVictim(live.id, live.lastNs, false, false, packet);
          this.evict(live, 'limit');
        }
      }
    }
    let rule: RoleRule;
    let srcIsClient: boolean;
    if ((flags & (SYN | ACK)) === SYN) {
      rule = 'syn';
      srcIsClient = true;
    } else if ((flags & (SYN | ACK)) === (SYN | ACK)) {
      rule = 'syn-ack';
      // A socket connected to itself sent its SYN-ACK to itself: one side, the one every packet of it is seen from.
      srcIsClient = isSelfTuple(packet);
    } else {
      let srcKnown = this.serverPorts[tcp.srcPort] !== 0;
      let dstKnown = this.serverPorts[tcp.dstPort] !== 0;
      const facts = this.facts;
      if (facts !== null) {
        srcKnown ||= this.foreignServerPorts![tcp.srcPort] !== 0;
        dstKnown ||= this.foreignServerPorts![tcp.dstPort] !== 0;
        facts.roleFrames.push(packet.record.index);
        facts.rolePorts.push(tcp.srcPort * 65536 + tcp.dstPort);
        facts.roleKnown.push((srcKnown ? 1 : 0) | (dstKnown ? 2 : 0));
      }
      if (srcKnown !== dstKnown) {
        rule = 'known-server-port';
        srcIsClient = dstKnown;
      } else if (tcp.srcPort !== tcp.dstPort) {
        rule = 'lower-port';
        srcIsClient = tcp.srcPort > tcp.dstPort;
      } else {
        rule = 'first-sender';
        srcIsClient = true;
      }
    }
    const rec = packet.record;
    const src = ip.src;
    const dst = ip.dst;
    const conn = srcIsClient
      ? new Connection(this.nextId++, src, tcp.srcPort, dst, tcp.dstPort, rule !== 'syn', rule, rec.tsSec, rec.tsNsec, nowNs, rec.index)
      : new Connection(this.nextId++, dst, tcp.dstPort, src, tcp.srcPort, rule !== 'syn', rule, rec.tsSec, rec.tsNsec, nowNs, rec.index);
    conn.hash = hash;
    conn.hashNext = this.table.get(hash) ?? null;
    this.table.set(hash, conn);
    this.liveCount++;
    this.pushFront(conn, nowNs);
    this.foundDir = srcIsClient ? 0 : 1;
    if (!srcIsClient) conn.history = '^';
    // A socket connected to itself says nothing of which of its ports serves: its port is an ephemeral one, most often.
    const self = conn.selfConnect;
    if (rule === 'syn') {
      if (!self) this.markServerPort(tcp.dstPort, rec.index);
    } else if (rule === 'syn-ack') {
      if (!self) this.markServerPort(tcp.srcPort, rec.index);
      // The SYN-ACK implies the client's SYN.
      this.setState(conn, 0, 'SYN_SENT', null);
      this.events |= EV_MIDSTREAM;
    } else {
      this.setState(conn, 0, 'ESTABLISHED', null);
      this.setState(conn, 1, 'ESTABLISHED', null);
      this.events |= EV_MIDSTREAM;
    }
    return conn;
  }

  /** Puts a connection at the front of the recency list, remembering when. */
  private pushFront(conn: Connection, nowNs: number): void {
    conn.listedNs = nowNs;
    conn.lruPrev = null;
    conn.lruNext = this.lruHead;
    if (this.lruHead !== null) this.lruHead.lruPrev = conn;
    this.lruHead = conn;
    if (this.lruTail === null) this.lruTail = conn;
  }

  /**
   * The connection to evict when the table is full. Packets do not reorder the recency list (that would touch two
   * neighbouring connections per packet); instead, as in the CLOCK / second-chance scheme, a tail connection that
   * saw traffic since it was listed goes back to the front, and the first one that did not is the victim.
   * Amortized O(1): a connection moves once per period of activity.
   */
  /** The table cap's victim, for this packet's annotation (emitLife) and the shards' check (noteCapAction). */
  private noteLimitVictim(id: number, lastNs: number, retired: boolean, parked: boolean, packet: Packet): void {
    this.limitVictimId = id;
    this.limitVictimLastNs = lastNs;
    this.limitVictimRetired = retired;
    this.limitVictimParked = parked;
    this.events |= EV_LIMIT;
    if (this.facts !== null) this.noteCapAction(packet.record.index);
  }

  private leastRecentlyActive(): Connection {
    for (;;) {
      const tail = this.lruTail!;
      if (tail.lastNs <= tail.listedNs || tail === this.lruHead) return tail;
      this.lruTail = tail.lruPrev;
      this.lruTail!.lruNext = null;
      this.pushFront(tail, tail.lastNs);
    }
  }

  private evict(conn: Connection, reason: EvictReason): void {
    if (!conn.live) return;
    this.unlink(conn);
    if (reason === 'time-wait') {
      // RFC 9293 §3.6: TIME_WAIT ends after 2*MSL; no packet marks it, so no annotation.
      for (const ep of conn.ends) if (ep.state === 'TIME_WAIT') ep.state = 'CLOSED';
    }
    if (this.onEvict !== null) this.onEvict(conn, reason);
  }

  /** Takes a connection out of the hash table and the recency list; it is no longer live. */
  private unlink(conn: Connection): void {
    conn.live = false;
    const head = this.table.get(conn.hash)!;
    if (head === conn) {
      if (conn.hashNext === null) this.table.delete(conn.hash);
      else this.table.set(conn.hash, conn.hashNext);
    } else {
      let c = head;
      while (c.hashNext !== conn) c = c.hashNext!;
      c.hashNext = conn.hashNext;
    }
    conn.hashNext = null;
    // Unlink from the recency list.
    if (conn.lruPrev !== null) conn.lruPrev.lruNext = conn.lruNext;
    else this.lruHead = conn.lruNext;
    if (conn.lruNext !== null) conn.lruNext.lruPrev = conn.lruPrev;
    else this.lruTail = conn.lruPrev;
    conn.lruPrev = null;
    conn.lruNext = null;
    this.liveCount--;
  }

  /**
   * Brings back the retired connection in `slot` (-1: none) for this packet, unless its TIME_WAIT is over (the
   * queue in RetiredConnections.expire is in order of retirement, not of last packet, so a due one may still be
   * there): then it is forgotten, as evict(…, 'time-wait') would have, and the packet starts a new connection.
   */
  private revive(slot: number, nowNs: number): Connection | null {
    if (slot < 0) return null;
    if (nowNs - this.retired.lastNs(slot) >= this.timeWaitNs) {
      this.retired.forget(slot, this.parkedTimeWaitOver);
      return null;
    }
    this.foundDir = this.retired.foundDir;
    const conn = this.retired.revive(slot);
    conn.hashNext = this.table.get(conn.hash) ?? null;
    this.table.set(conn.hash, conn);
    this.liveCount++;
    this.pushFront(conn, nowNs);
    this.revived = conn;
    return conn;
  }

  /**
   * Queues a closed connection by time. Capture time can go back (merged or edited captures): the queue stays in order
   * of time, so that the walk in expire(), which stops at the first entry not due, lets no due one wait behind a later
   * one (a connection that closed at a time earlier than the one queued before it used to outlive its TIME_WAIT).
   * Appending is the rule; the walk back from the tail only happens when time went back.
   */
  private enqueueClosed(conn: Connection, nowNs: number): void {
    if (conn.inClosedQueue) return;
    conn.inClosedQueue = true;
    conn.closedQueuedNs = nowNs;
    let after = this.closedTail;
    while (after !== null && after.closedQueuedNs > nowNs) after = after.closedPrev;
    conn.closedPrev = after;
    conn.closedNext = after === null ? this.closedHead : after.closedNext;
    if (after === null) this.closedHead = conn;
    else after.closedNext = conn;
    if (conn.closedNext === null) this.closedTail = conn;
    else conn.closedNext.closedPrev = conn;
  }

  /** Evicts closed connections whose last packet is 2*MSL old (amortized O(1): each entry is looked at once per
   *  enqueue, and re-queued only after it saw traffic). */
  private expire(nowNs: number): void {
    for (let c = this.closedHead; c !== null && nowNs - c.closedQueuedNs >= this.timeWaitNs; c = this.closedHead) {
      this.closedHead = c.closedNext;
      if (this.closedHead === null) this.closedTail = null;
      else this.closedHead.closedPrev = null;
      c.closedNext = null;
      c.inClosedQueue = false;
      if (!c.live) continue;
      if (nowNs - c.lastNs >= this.timeWaitNs) this.evict(c, 'time-wait');
      else this.enqueueClosed(c, c.lastNs);
    }
  }
}

/** A packet from an address and port to the same address and port (a socket connected to itself); reads views. */
function isSelfTuple(packet: Packet): boolean {
  const ip = packet.ip!;
  const tcp = packet.tcp!;
  if (tcp.srcPort !== tcp.dstPort) return false;
  const src = ip.src;
  const dst = ip.dst;
  return src.length === dst.length && sameBytes(src, 0, 0, src.length, dst);
}

/** Whether `len` bytes at `a` in `x` equal those at `b` in `y` (default: x). */
function sameBytes(x: Uint8Array, a: number, b: number, len: number, y: Uint8Array = x): boolean {
  for (let i = 0; i < len; i++) if (x[a + i] !== y[b + i]) return false;
  return true;
}

function isPowerOfTen(n: number): boolean {
  return n === 1 || n === 10 || n === 100 || n === 1000 || n === 10000 || n === 100000 || n === 1000000;
}

function midstreamText(conn: Connection): string {
  const server = conn.endpointText(1);
  const client = conn.endpointText(0);
  if (conn.selfConnect) {
    return conn.roleRule === 'syn-ack'
      ? `capture starts at the SYN-ACK of a socket connected to itself (${client} at both ends): its SYN was not captured`
      : `capture starts mid-connection of a socket connected to itself (${client} at both ends); assumed ESTABLISHED`;
  }
  switch (conn.roleRule) {
    case 'syn-ack':
      return `capture starts at the SYN-ACK (the client's SYN not seen): server ${server} sent it; client ${client} assumed SYN_SENT`;
    case 'known-server-port':
      return `capture starts mid-connection; roles inferred: server ${server} (its port took a SYN earlier), client ${client}; both assumed ESTABLISHED`;
    case 'lower-port':
      return `capture starts mid-connection; roles inferred: server ${server} (lower port), client ${client}; both assumed ESTABLISHED`;
    default:
      return `capture starts mid-connection; roles inferred: client ${client} sent first (equal ports), server ${server}; both assumed ESTABLISHED`;
  }
}

/** A SYN (a first one, or a SYN-ACK with a new ISN) starts ep's sequence space over: what was seen before is moot. */
function forgetStream(ep: Endpoint): void {
  ep.seenEndKnown = false;
  setHoles(ep, null);
}

/** At most this many missing ranges are kept per direction; past it the last one grows to cover the new one. */
const MAX_HOLES = 16;

function setHoles(ep: Endpoint, holes: number[] | null): void {
  ep.holes = holes !== null && holes.length > 0 ? holes : null;
  ep.holeFrom = ep.holes === null ? -1 : ep.holes[0]!;
}

/**
 * Notes a segment of ep's stream (sequence numbers seq up to end, its SYN and FIN counted; data, SYN or FIN only):
 * opens a missing range when it starts beyond what was seen and the peer (`peerAck`, its last ACK, -1 unknown) has
 * not acknowledged the bytes between, and takes what it carries out of the missing ranges (Endpoint.holes).
 */
function noteStream(ep: Endpoint, seq: number, end: number, peerAck: number): void {
  if (seq === ep.seenEnd && ep.holeFrom === -1 && ep.seenEndKnown) {
    ep.seenEnd = end;
    return;
  }
  if (!ep.seenEndKnown) {
    ep.seenEndKnown = true;
    ep.seenEnd = end;
    return;
  }
  let holes = ep.holes;
  if (holes !== null && seqLt(seq, ep.seenEnd)) holes = withoutRange(holes, seq, end);
  if (seqGt(seq, ep.seenEnd)) {
    // What the peer acknowledged it has, seen or not: missing only beyond its ACK.
    const from = peerAck >= 0 && seqGt(peerAck, ep.seenEnd) ? peerAck : ep.seenEnd;
    if (seqLt(from, seq)) {
      holes = holes === null ? [] : holes.slice();
      if (holes.length >= 2 * MAX_HOLES) holes[holes.length - 1] = seq;
      else holes.push(from, seq);
    }
  }
  if (holes !== ep.holes) setHoles(ep, holes);
  if (seqGt(end, ep.seenEnd)) ep.seenEnd = end;
}

/** The missing ranges without [from, to): a segment filled some of them (any part, from either side). */
function withoutRange(holes: number[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < holes.length; i += 2) {
    const a = holes[i]!;
    const b = holes[i + 1]!;
    if (seqLeq(to, a) || seqGeq(from, b)) {
      out.push(a, b);
      continue;
    }
    if (seqLt(a, from)) out.push(a, from);
    if (seqGt(b, to)) out.push(to, b);
  }
  return out;
}

/** The peer acknowledged everything below `ack`: missing ranges below it are filled at the receiver. */
function ackHoles(ep: Endpoint, ack: number): void {
  const holes = ep.holes!;
  const out: number[] = [];
  for (let i = 0; i < holes.length; i += 2) {
    const a = holes[i]!;
    const b = holes[i + 1]!;
    if (seqGeq(ack, b)) continue;
    out.push(seqGt(ack, a) ? ack : a, b);
  }
  setHoles(ep, out);
}
