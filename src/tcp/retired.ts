// Closed connections kept only so that their TIME_WAIT stragglers still find them: every field packed into typed
// arrays (struct of arrays), about 520 bytes a connection instead of the 2.5 KB of a Connection, its two Endpoints and
// their boxed numbers. Reported ones, and parked ones (closed, their report still to come: `reported` false), which
// the owner asks for by id. Storage only: it neither analyses nor decides when a connection retires or expires (the
// tracker does); revive() and view() give back a Connection equal in every field.

import type { Direction } from '../types.js';
import { Connection, type RoleRule } from './connection.js';
import type { Endpoint, TcpState } from './endpoint.js';
import { packedEquals, packedEqualsAt } from './flow-key.js';
import type { UnackedQueue } from './unacked.js';

const STATES: readonly TcpState[] = [
  'CLOSED', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK',
  'TIME_WAIT', 'RESET',
];
const ROLE_RULES: readonly RoleRule[] = ['syn', 'syn-ack', 'known-server-port', 'lower-port', 'first-sender'];

// Number fields. Times in ns, byte counts and the slot's token can pass 2^32 or be fractional: they live in a Float64Array
// (F_). The rest are small integers most of the time (ports, ids, frames, sequence numbers, counts, -1 for "none"):
// they live in a Uint32Array (U_) as value + 1, with any other value (beyond 2^32 - 3, fractional, -0) kept exactly
// in a side map behind the mark U_ESCAPED. Half the bytes of an all-Float64 layout for those fields, and revive()
// still gives back every field as it was.
const F_START_NS = 0;
const F_LAST_NS = 1;
const F_IDLE_MAX_NS = 2;
const F_HANDSHAKE_RTT_NS = 3;
const F_LAST_SYN_NS = 4;
const F_CLIENT_SYN_NS = 5;
const F_FIRST_RTT_NS = 6;
const F_TOKEN = 7;
const F_EARLIEST_NS = 8;
const F_LATEST_NS = 9;
const F_CLIENT_FIRST_SYN_NS = 10;
const F_CONN = 11;
/** Endpoint Float64 fields, at F_CONN + side * F_END. */
const F_END = 7;
const F_STRIDE = F_CONN + 2 * F_END;

const U_ID = 0;
const U_CLIENT_PORT = 1;
const U_SERVER_PORT = 2;
const U_START_SEC = 3;
const U_START_NSEC = 4;
const U_FIRST_FRAME = 5;
const U_LAST_FRAME = 6;
const U_HASH = 7;
const U_CLIENT_SYN_COUNT = 8;
const U_CONN = 9;
/** Endpoint Uint32 fields, at U_CONN + side * U_END. */
const U_END = 23;
const U_STRIDE = U_CONN + 2 * U_END;
/** A Uint32 field whose value is in RetiredConnections.escaped. */
const U_ESCAPED = 0xffffffff;

// Small fields (Int16Array: booleans, enums, -1..255).
const S_ADDR_LEN = 0;
const S_MIDSTREAM = 1;
const S_ROLE_RULE = 2;
const S_LAST_SYN_SEEN = 3;
const S_REFUSED = 4;
const S_RESET_BY = 5;
const S_CLOSED_FIRST_BY = 6;
const S_SIMULTANEOUS_CLOSE = 7;
const S_REPORTED = 8;
/** Bit 0 halfCloseNoted, bit 1 awaitingThirdAck. */
const S_HALF_CLOSE_NOTED = 9;
const S_MPTCP_OPS = 10;
const S_CONN = 11;
const S_END = 12;
const S_STRIDE = S_CONN + 2 * S_END;

/** Client address bytes then server address bytes, 16 each (IPv4 uses the first 4 of each). */
const ADDR_STRIDE = 32;

/**
 * Slots per chunk. The fields live in fixed chunks rather than one array doubled as it fills: doubling reserved up to
 * twice what was used (36 MB of numbers for the 33,000 connections of the benchmark capture's last minute) and
 * copied it all each time.
 */
const CHUNK_SHIFT = 10;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SLOTS - 1;

/** Histories repeat (most connections read "ShADadFf"): one string per distinct history, up to this many. */
const MAX_INTERNED_HISTORIES = 4096;

export class RetiredConnections {
  private capacity = 0;
  private readonly floatChunks: Float64Array[] = [];
  private readonly uintChunks: Uint32Array[] = [];
  /** Values of U_ fields that Uint32 + 1 cannot hold, by escapeKey. */
  private readonly escaped = new Map<number, number>();
  private readonly smallChunks: Int16Array[] = [];
  private readonly addrChunks: Uint8Array[] = [];
  private readonly internedHistories = new Map<string, string>();
  /** Next slot in the hash chain, or in the free list; -1 ends either. */
  private chain = new Int32Array(0);
  private readonly histories: string[] = [];
  /** Unacknowledged segments a closed connection still had (rare: a RST or the capture cut them off), by slot*2+side. */
  private readonly unacked = new Map<number, UnackedQueue>();
  /** The ranges a closed connection's stream still missed (Endpoint.holes; rare), by slot*2+side. */
  private readonly holes = new Map<number, number[]>();
  private readonly heads = new Map<number, number>();
  /** Parked connections (not reported yet) by id: their slots. */
  private readonly parked = new Map<number, number>();
  private freeHead = -1;
  private count = 0;
  private nextToken = 1;

  // Retirement order: a ring of (slot, token); an entry whose token the slot no longer holds was revived or dropped.
  private fifoSlots = new Int32Array(0);
  private fifoTokens = new Float64Array(0);
  private fifoHead = 0;
  private fifoCount = 0;
  // End of TIME_WAIT order: a min-heap of (last packet ns, slot, token); stale entries are dropped when on top.
  private dueLastNs = new Float64Array(0);
  private dueSlots = new Int32Array(0);
  private dueTokens = new Float64Array(0);
  private dueCount = 0;
  /** Capture time (ns) before which expire() has nothing to do: the oldest one's end of TIME_WAIT, as last computed;
   *  -Infinity (after an add or a remove) asks for a look. Spares the per-packet call its queue walk. */
  private dueNs = Infinity;

  /** Direction of the last lookup's match: 0 when the packet runs client to server. */
  foundDir: Direction = 0;

  get size(): number {
    return this.count;
  }

  /** Packs a closed connection (its Endpoints' unacked queues are kept as they are when not empty). */
  add(conn: Connection): void {
    if (this.freeHead === -1) this.grow();
    const slot = this.freeHead;
    this.freeHead = this.chain[slot]!;
    this.count++;
    const chunk = slot >> CHUNK_SHIFT;
    const f = this.floatChunks[chunk]!;
    const u = this.uintChunks[chunk]!;
    const s = this.smallChunks[chunk]!;
    const addrs = this.addrChunks[chunk]!;
    const fa = (slot & CHUNK_MASK) * F_STRIDE;
    const ua = (slot & CHUNK_MASK) * U_STRIDE;
    const st = (slot & CHUNK_MASK) * S_STRIDE;
    const token = this.nextToken++;
    const esc = this.escaped;
    const ub = chunk * CHUNK_SLOTS * U_STRIDE;
    putU(u, ua + U_ID, conn.id, esc, ub);
    putU(u, ua + U_CLIENT_PORT, conn.clientPort, esc, ub);
    putU(u, ua + U_SERVER_PORT, conn.serverPort, esc, ub);
    putU(u, ua + U_START_SEC, conn.startSec, esc, ub);
    putU(u, ua + U_START_NSEC, conn.startNsec, esc, ub);
    putU(u, ua + U_FIRST_FRAME, conn.firstFrame, esc, ub);
    putU(u, ua + U_LAST_FRAME, conn.lastFrame, esc, ub);
    putU(u, ua + U_HASH, conn.hash, esc, ub);
    putU(u, ua + U_CLIENT_SYN_COUNT, conn.clientSynCount, esc, ub);
    f[fa + F_START_NS] = conn.startNs;
    f[fa + F_LAST_NS] = conn.lastNs;
    f[fa + F_IDLE_MAX_NS] = conn.idleMaxNs;
    f[fa + F_HANDSHAKE_RTT_NS] = conn.handshakeRttNs;
    f[fa + F_LAST_SYN_NS] = conn.lastSynNs;
    f[fa + F_CLIENT_SYN_NS] = conn.clientSynNs;
    f[fa + F_CLIENT_FIRST_SYN_NS] = conn.clientFirstSynNs;
    f[fa + F_FIRST_RTT_NS] = conn.firstRttNs;
    f[fa + F_TOKEN] = token;
    f[fa + F_EARLIEST_NS] = conn.earliestNs;
    f[fa + F_LATEST_NS] = conn.latestNs;
    s[st + S_ADDR_LEN] = conn.addrLen;
    s[st + S_MIDSTREAM] = conn.midstream ? 1 : 0;
    s[st + S_ROLE_RULE] = ROLE_RULES.indexOf(conn.roleRule);
    s[st + S_LAST_SYN_SEEN] = conn.lastSynSeen ? 1 : 0;
    s[st + S_REFUSED] = conn.refused ? 1 : 0;
    s[st + S_RESET_BY] = conn.resetBy;
    s[st + S_CLOSED_FIRST_BY] = conn.closedFirstBy;
    s[st + S_SIMULTANEOUS_CLOSE] = conn.simultaneousClose ? 1 : 0;
    s[st + S_REPORTED] = conn.reported ? 1 : 0;
    if (!conn.reported) this.parked.set(conn.id, slot);
    s[st + S_HALF_CLOSE_NOTED] = (conn.halfCloseNoted ? 1 : 0) | (conn.awaitingThirdAck ? 2 : 0);
    s[st + S_MPTCP_OPS] = conn.mptcpOps;
    const len = conn.addrLen;
    const a = (slot & CHUNK_MASK) * ADDR_STRIDE;
    for (let i = 0; i < len; i++) {
      addrs[a + i] = conn.addrs[i]!;
      addrs[a + 16 + i] = conn.addrs[len + i]!;
    }
    this.histories[slot] = this.intern(conn.history);
    for (let side = 0; side < 2; side++) {
      const ep = conn.ends[side]!;
      packEndpoint(ep, f, fa + F_CONN + side * F_END, u, ua + U_CONN + side * U_END, esc, ub, s, st + S_CONN + side * S_END);
      if (ep.unacked.count !== 0) this.unacked.set(slot * 2 + side, ep.unacked);
      if (ep.holes !== null) this.holes.set(slot * 2 + side, ep.holes);
    }
    // Hash chain and retirement order.
    const head = this.heads.get(conn.hash);
    this.chain[slot] = head ?? -1;
    this.heads.set(conn.hash, slot);
    // The order of retirement (oldest(), which the table cap takes first) holds reported connections only: a parked
    // one joins it at markReported().
    if (conn.reported) this.pushFifo(slot, token);
    this.pushDue(conn.lastNs, slot, token);
    this.dueNs = -Infinity;
  }

  /** The retired connection of a packet whose addresses lie in place in `bytes`, or -1; sets foundDir. */
  lookupAt(hash: number, bytes: Uint8Array, len: number, srcAt: number, sport: number, dstAt: number, dport: number): number {
    for (let slot = this.heads.get(hash) ?? -1; slot !== -1; slot = this.chain[slot]!) {
      const chunk = slot >> CHUNK_SHIFT;
      const i = slot & CHUNK_MASK;
      if (this.smallChunks[chunk]![i * S_STRIDE + S_ADDR_LEN] !== len) continue;
      const u = this.uintChunks[chunk]!;
      const cport = u[i * U_STRIDE + U_CLIENT_PORT]! - 1;
      const sport2 = u[i * U_STRIDE + U_SERVER_PORT]! - 1;
      const addrs = this.addrChunks[chunk]!;
      const a = i * ADDR_STRIDE;
      if (sport === cport && dport === sport2 && packedEqualsAt(addrs, a, bytes, srcAt, len) && packedEqualsAt(addrs, a + 16, bytes, dstAt, len)) {
        this.foundDir = 0;
        return slot;
      }
      if (sport === sport2 && dport === cport && packedEqualsAt(addrs, a + 16, bytes, srcAt, len) && packedEqualsAt(addrs, a, bytes, dstAt, len)) {
        this.foundDir = 1;
        return slot;
      }
    }
    return -1;
  }

  /** lookupAt for address arrays. */
  lookup(hash: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number): number {
    for (let slot = this.heads.get(hash) ?? -1; slot !== -1; slot = this.chain[slot]!) {
      const chunk = slot >> CHUNK_SHIFT;
      const i = slot & CHUNK_MASK;
      const len = this.smallChunks[chunk]![i * S_STRIDE + S_ADDR_LEN];
      if (src.length !== len || dst.length !== len) continue;
      const u = this.uintChunks[chunk]!;
      const cport = u[i * U_STRIDE + U_CLIENT_PORT]! - 1;
      const sport2 = u[i * U_STRIDE + U_SERVER_PORT]! - 1;
      const addrs = this.addrChunks[chunk]!;
      const a = i * ADDR_STRIDE;
      if (sport === cport && dport === sport2 && packedEquals(addrs, a, src) && packedEquals(addrs, a + 16, dst)) {
        this.foundDir = 0;
        return slot;
      }
      if (sport === sport2 && dport === cport && packedEquals(addrs, a + 16, src) && packedEquals(addrs, a, dst)) {
        this.foundDir = 1;
        return slot;
      }
    }
    return -1;
  }

  /** Capture time (ns since the tracker's first packet) of the slot's connection's last packet. */
  lastNs(slot: number): number {
    return this.float(slot, F_LAST_NS);
  }

  /** The slot's connection's last frame. */
  lastFrame(slot: number): number {
    return this.uint(slot, U_LAST_FRAME);
  }

  /**
   * The slot whose TIME_WAIT ends first (the earliest last packet; ties in order of retirement), or -1. When oldest()
   * finds no reported connection, every retired one is parked, and this is the least recently active of them.
   */
  earliestDue(): number {
    return this.dueTop();
  }

  /** The slot's connection id. */
  id(slot: number): number {
    return this.uint(slot, U_ID);
  }

  private float(slot: number, field: number): number {
    return this.floatChunks[slot >> CHUNK_SHIFT]![(slot & CHUNK_MASK) * F_STRIDE + field]!;
  }

  private uint(slot: number, field: number): number {
    const chunk = slot >> CHUNK_SHIFT;
    return getU(this.uintChunks[chunk]!, (slot & CHUNK_MASK) * U_STRIDE + field, this.escaped, chunk * CHUNK_SLOTS * U_STRIDE);
  }

  /** Takes the slot's connection out, as a Connection equal in every field to the one retired. */
  revive(slot: number): Connection {
    const conn = this.view(slot);
    this.remove(slot);
    conn.live = true;
    return conn;
  }

  /** The slot of the parked (not yet reported) connection with this id, or -1. */
  parkedSlot(id: number): number {
    return this.parked.get(id) ?? -1;
  }

  /** Whether the slot's connection was retired reported (false: parked). */
  isReported(slot: number): boolean {
    return this.smallChunks[slot >> CHUNK_SHIFT]![(slot & CHUNK_MASK) * S_STRIDE + S_REPORTED] === 1;
  }

  /**
   * The parked connection in `slot` is reported now: it stays, as any retired one, for its stragglers, and takes its
   * place in the order of retirement from now (a new token), as a connection kept whole until its report and retired
   * then did: the table cap forgets reported connections in the order they were reported.
   */
  markReported(slot: number): void {
    if (this.isReported(slot)) return;
    this.parked.delete(this.id(slot));
    this.smallChunks[slot >> CHUNK_SHIFT]![(slot & CHUNK_MASK) * S_STRIDE + S_REPORTED] = 1;
    const token = this.nextToken++;
    this.floatChunks[slot >> CHUNK_SHIFT]![(slot & CHUNK_MASK) * F_STRIDE + F_TOKEN] = token;
    this.pushFifo(slot, token);
    this.pushDue(this.lastNs(slot), slot, token);
    this.dueNs = -Infinity;
  }

  /** The ids of the parked connections, with their slots. */
  parkedEntries(): IterableIterator<[number, number]> {
    return this.parked.entries();
  }

  /**
   * A Connection equal in every field to the one in `slot`, which stays packed (a copy: changes to it are not kept).
   * Its unacked queues and missing ranges are the packed connection's own.
   */
  view(slot: number): Connection {
    const chunk = slot >> CHUNK_SHIFT;
    const f = this.floatChunks[chunk]!;
    const u = this.uintChunks[chunk]!;
    const s = this.smallChunks[chunk]!;
    const addrs = this.addrChunks[chunk]!;
    const fa = (slot & CHUNK_MASK) * F_STRIDE;
    const ua = (slot & CHUNK_MASK) * U_STRIDE;
    const st = (slot & CHUNK_MASK) * S_STRIDE;
    const esc = this.escaped;
    const ub = chunk * CHUNK_SLOTS * U_STRIDE;
    const len = s[st + S_ADDR_LEN]!;
    const a = (slot & CHUNK_MASK) * ADDR_STRIDE;
    const conn = new Connection(
      getU(u, ua + U_ID, esc, ub), addrs.subarray(a, a + len), getU(u, ua + U_CLIENT_PORT, esc, ub),
      addrs.subarray(a + 16, a + 16 + len), getU(u, ua + U_SERVER_PORT, esc, ub), s[st + S_MIDSTREAM] === 1,
      ROLE_RULES[s[st + S_ROLE_RULE]!]!, getU(u, ua + U_START_SEC, esc, ub), getU(u, ua + U_START_NSEC, esc, ub),
      f[fa + F_START_NS]!, getU(u, ua + U_FIRST_FRAME, esc, ub),
    );
    conn.lastNs = f[fa + F_LAST_NS]!;
    conn.earliestNs = f[fa + F_EARLIEST_NS]!;
    conn.latestNs = f[fa + F_LATEST_NS]!;
    conn.lastFrame = getU(u, ua + U_LAST_FRAME, esc, ub);
    conn.idleMaxNs = f[fa + F_IDLE_MAX_NS]!;
    conn.handshakeRttNs = f[fa + F_HANDSHAKE_RTT_NS]!;
    conn.lastSynNs = f[fa + F_LAST_SYN_NS]!;
    conn.clientSynNs = f[fa + F_CLIENT_SYN_NS]!;
    conn.clientSynCount = getU(u, ua + U_CLIENT_SYN_COUNT, esc, ub);
    conn.clientFirstSynNs = f[fa + F_CLIENT_FIRST_SYN_NS]!;
    conn.firstRttNs = f[fa + F_FIRST_RTT_NS]!;
    conn.hash = getU(u, ua + U_HASH, esc, ub);
    conn.lastSynSeen = s[st + S_LAST_SYN_SEEN] === 1;
    conn.refused = s[st + S_REFUSED] === 1;
    conn.resetBy = s[st + S_RESET_BY] as Direction | -1;
    conn.closedFirstBy = s[st + S_CLOSED_FIRST_BY] as Direction | -1;
    conn.simultaneousClose = s[st + S_SIMULTANEOUS_CLOSE] === 1;
    conn.reported = s[st + S_REPORTED] === 1;
    conn.halfCloseNoted = (s[st + S_HALF_CLOSE_NOTED]! & 1) !== 0;
    conn.awaitingThirdAck = (s[st + S_HALF_CLOSE_NOTED]! & 2) !== 0;
    conn.mptcpOps = s[st + S_MPTCP_OPS]!;
    conn.closed = true;
    conn.history = this.histories[slot]!;
    for (let side = 0; side < 2; side++) {
      const ep = conn.ends[side]!;
      unpackEndpoint(ep, f, fa + F_CONN + side * F_END, u, ua + U_CONN + side * U_END, esc, ub, s, st + S_CONN + side * S_END);
      const queue = this.unacked.get(slot * 2 + side);
      if (queue !== undefined) ep.unacked = queue;
      const holes = this.holes.size === 0 ? undefined : this.holes.get(slot * 2 + side);
      if (holes !== undefined) {
        ep.holes = holes;
        ep.holeFrom = holes[0]!;
      }
    }
    // Not in the tracker's tables (revive() puts it back there).
    conn.live = false;
    return conn;
  }

  /**
   * Forgets the slot's connection (its TIME_WAIT ended, or room was needed); a parked one is first handed to onParked
   * as a Connection, for its report.
   */
  forget(slot: number, onParked: ((conn: Connection) => void) | null): void {
    if (onParked === null || this.isReported(slot)) {
      this.remove(slot);
      return;
    }
    const conn = this.view(slot);
    this.remove(slot);
    onParked(conn);
  }

  /** Forgets the slot's connection, parked or not. */
  remove(slot: number): void {
    if (!this.isReported(slot)) this.parked.delete(this.id(slot));
    const hash = this.uint(slot, U_HASH);
    const head = this.heads.get(hash)!;
    if (head === slot) {
      const next = this.chain[slot]!;
      if (next === -1) this.heads.delete(hash);
      else this.heads.set(hash, next);
    } else {
      let c = head;
      while (this.chain[c] !== slot) c = this.chain[c]!;
      this.chain[c] = this.chain[slot]!;
    }
    this.floatChunks[slot >> CHUNK_SHIFT]![(slot & CHUNK_MASK) * F_STRIDE + F_TOKEN] = 0;
    if (this.escaped.size !== 0) {
      const first = slot * U_STRIDE;
      for (let i = 0; i < U_STRIDE; i++) this.escaped.delete(first + i);
    }
    this.histories[slot] = '';
    this.unacked.delete(slot * 2);
    this.unacked.delete(slot * 2 + 1);
    if (this.holes.size !== 0) {
      this.holes.delete(slot * 2);
      this.holes.delete(slot * 2 + 1);
    }
    this.chain[slot] = this.freeHead;
    this.freeHead = slot;
    this.count--;
    this.dueNs = -Infinity;
  }

  /**
   * Forgets every connection whose last packet is at least timeWaitNs before nowNs, whatever its place in the order
   * of retirement: a straggler between a close and its report moves the last packet of a connection retired early
   * past that of one retired after it, and a walk from the oldest retired one, stopping at the first still waiting,
   * kept the later one beyond its TIME_WAIT (counted against the connection cap for up to reportAfterCloseSec more).
   */
  expire(nowNs: number, timeWaitNs: number, onParked: ((conn: Connection) => void) | null = null): void {
    if (nowNs < this.dueNs) return;
    for (;;) {
      const top = this.dueTop();
      if (top === -1 || nowNs - this.dueLastNs[0]! < timeWaitNs) break;
      this.popDue();
      this.forget(top, onParked);
    }
    // Order entries of connections gone meanwhile are dropped from the front (the rest when they reach it).
    this.oldest();
    const top = this.dueTop();
    this.dueNs = top === -1 ? Infinity : this.dueLastNs[0]! + timeWaitNs;
  }

  /** The reported slot retired longest ago that is still here, or -1 (stale order entries are dropped on the way). */
  oldest(): number {
    while (this.fifoCount > 0) {
      const i = this.fifoHead;
      const slot = this.fifoSlots[i]!;
      if (this.float(slot, F_TOKEN) === this.fifoTokens[i]) return slot;
      this.popFifo();
    }
    return -1;
  }

  /**
   * Forgets everything (end of capture) and gives the storage back: what a run prints after the capture (the tables)
   * should not sit on 20 MB of typed arrays (33,000 connections of the benchmark capture's last minute).
   */
  clear(): void {
    this.capacity = 0;
    this.floatChunks.length = 0;
    this.uintChunks.length = 0;
    this.escaped.clear();
    this.holes.clear();
    this.parked.clear();
    this.smallChunks.length = 0;
    this.addrChunks.length = 0;
    this.internedHistories.clear();
    this.chain = new Int32Array(0);
    this.histories.length = 0;
    this.unacked.clear();
    this.heads.clear();
    this.freeHead = -1;
    this.count = 0;
    this.fifoSlots = new Int32Array(0);
    this.fifoTokens = new Float64Array(0);
    this.fifoCount = 0;
    this.fifoHead = 0;
    this.dueLastNs = new Float64Array(0);
    this.dueSlots = new Int32Array(0);
    this.dueTokens = new Float64Array(0);
    this.dueCount = 0;
    this.dueNs = Infinity;
  }

  /** The slot whose TIME_WAIT ends first, or -1 (entries of slots removed or revived meanwhile are dropped). */
  private dueTop(): number {
    while (this.dueCount > 0) {
      const slot = this.dueSlots[0]!;
      if (this.float(slot, F_TOKEN) === this.dueTokens[0]) return slot;
      this.popDue();
    }
    return -1;
  }

  /** A binary min-heap on the last packet's time (ns), with the slot and its token. */
  private pushDue(lastNs: number, slot: number, token: number): void {
    if (this.dueCount === this.dueSlots.length) {
      const cap = Math.max(64, this.dueSlots.length * 2);
      const keys = new Float64Array(cap);
      const slots = new Int32Array(cap);
      const tokens = new Float64Array(cap);
      keys.set(this.dueLastNs);
      slots.set(this.dueSlots);
      tokens.set(this.dueTokens);
      this.dueLastNs = keys;
      this.dueSlots = slots;
      this.dueTokens = tokens;
    }
    let i = this.dueCount++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.dueAfter(parent, lastNs, token)) break;
      this.moveDue(parent, i);
      i = parent;
    }
    this.dueLastNs[i] = lastNs;
    this.dueSlots[i] = slot;
    this.dueTokens[i] = token;
  }

  private popDue(): void {
    const last = --this.dueCount;
    if (last === 0) return;
    const key = this.dueLastNs[last]!;
    const slot = this.dueSlots[last]!;
    const token = this.dueTokens[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.dueAfter(child, this.dueLastNs[child + 1]!, this.dueTokens[child + 1]!)) child++;
      if (this.dueAfter(child, key, token)) break;
      this.moveDue(child, i);
      i = child;
    }
    this.dueLastNs[i] = key;
    this.dueSlots[i] = slot;
    this.dueTokens[i] = token;
  }

  /**
   * Whether heap entry i comes after (lastNs, token): by last packet, then by token, which follows the order of
   * retirement. Connections whose last packets are at the same time then end their TIME_WAIT in the order they
   * closed, as in the tracker's queue of closed connections, whatever the heap's shape.
   */
  private dueAfter(i: number, lastNs: number, token: number): boolean {
    const t = this.dueLastNs[i]!;
    return t > lastNs || (t === lastNs && this.dueTokens[i]! > token);
  }

  private moveDue(from: number, to: number): void {
    this.dueLastNs[to] = this.dueLastNs[from]!;
    this.dueSlots[to] = this.dueSlots[from]!;
    this.dueTokens[to] = this.dueTokens[from]!;
  }

  private popFifo(): void {
    this.fifoHead = this.fifoHead + 1 === this.fifoSlots.length ? 0 : this.fifoHead + 1;
    this.fifoCount--;
  }

  private pushFifo(slot: number, token: number): void {
    if (this.fifoCount === this.fifoSlots.length) {
      const cap = Math.max(64, this.fifoSlots.length * 2);
      const slots = new Int32Array(cap);
      const tokens = new Float64Array(cap);
      for (let i = 0; i < this.fifoCount; i++) {
        const j = (this.fifoHead + i) % this.fifoSlots.length;
        slots[i] = this.fifoSlots[j]!;
        tokens[i] = this.fifoTokens[j]!;
      }
      this.fifoSlots = slots;
      this.fifoTokens = tokens;
      this.fifoHead = 0;
    }
    let i = this.fifoHead + this.fifoCount;
    if (i >= this.fifoSlots.length) i -= this.fifoSlots.length;
    this.fifoSlots[i] = slot;
    this.fifoTokens[i] = token;
    this.fifoCount++;
  }

  /** Adds one chunk of free slots (the chain, 4 bytes a slot, still doubles). */
  private grow(): void {
    const old = this.capacity;
    const cap = old + CHUNK_SLOTS;
    this.floatChunks.push(new Float64Array(CHUNK_SLOTS * F_STRIDE));
    this.uintChunks.push(new Uint32Array(CHUNK_SLOTS * U_STRIDE));
    this.smallChunks.push(new Int16Array(CHUNK_SLOTS * S_STRIDE));
    this.addrChunks.push(new Uint8Array(CHUNK_SLOTS * ADDR_STRIDE));
    if (this.chain.length < cap) {
      const chain = new Int32Array(Math.max(cap, this.chain.length * 2));
      chain.set(this.chain);
      this.chain = chain;
    }
    // The new slots form the free list, lowest first.
    for (let i = old; i < cap; i++) this.chain[i] = i + 1 < cap ? i + 1 : -1;
    this.freeHead = old;
    this.capacity = cap;
  }

  private intern(history: string): string {
    const known = this.internedHistories.get(history);
    if (known !== undefined) return known;
    if (this.internedHistories.size < MAX_INTERNED_HISTORIES) this.internedHistories.set(history, history);
    return history;
  }
}

/**
 * Stores v in u[i] as v + 1 when that fits below U_ESCAPED, and otherwise (beyond 2^32 - 3, fractional, negative
 * beyond -1, -0, NaN) in escaped under base + i: index base + i is slot * U_STRIDE + field across the chunks.
 */
function putU(u: Uint32Array, i: number, v: number, escaped: Map<number, number>, base: number): void {
  if (v >= -1 && v < U_ESCAPED - 1 && Math.floor(v) === v && !Object.is(v, -0)) {
    u[i] = v + 1;
  } else {
    u[i] = U_ESCAPED;
    escaped.set(base + i, v);
  }
}

function getU(u: Uint32Array, i: number, escaped: Map<number, number>, base: number): number {
  const stored = u[i]!;
  return stored !== U_ESCAPED ? stored - 1 : escaped.get(base + i)!;
}

// Endpoint layout: the order of the writes in packEndpoint is the order of the reads in unpackEndpoint.
function packEndpoint(
  ep: Endpoint, f: Float64Array, fa: number, u: Uint32Array, ua: number, esc: Map<number, number>, ub: number,
  s: Int16Array, st: number,
): void {
  f[fa] = ep.payloadBytes;
  f[fa + 1] = ep.retransmittedBytes;
  f[fa + 2] = ep.rttSumNs;
  f[fa + 3] = ep.rttMinNs;
  f[fa + 4] = ep.rttMaxNs;
  f[fa + 5] = ep.nextSeqTimeNs;
  f[fa + 6] = ep.lastAckTimeNs;
  putU(u, ua, ep.baseSeq, esc, ub);
  putU(u, ua + 1, ep.isn, esc, ub);
  putU(u, ua + 2, ep.mssBytes, esc, ub);
  putU(u, ua + 3, ep.rcvNxt, esc, ub);
  putU(u, ua + 4, ep.rcvWindowBytes, esc, ub);
  putU(u, ua + 5, ep.finSeq, esc, ub);
  putU(u, ua + 6, ep.finFrame, esc, ub);
  putU(u, ua + 7, ep.packets, esc, ub);
  putU(u, ua + 8, ep.rttSamples, esc, ub);
  putU(u, ua + 9, ep.retransmissionCount, esc, ub);
  putU(u, ua + 10, ep.zeroWindowCount, esc, ub);
  putU(u, ua + 11, ep.gapCount, esc, ub);
  putU(u, ua + 12, ep.nextSeq, esc, ub);
  putU(u, ua + 13, ep.nextSeqFrame, esc, ub);
  putU(u, ua + 14, ep.maxSeqToBeAcked, esc, ub);
  putU(u, ua + 15, ep.lastAck, esc, ub);
  putU(u, ua + 16, ep.window, esc, ub);
  putU(u, ua + 17, ep.lastSegmentFlags, esc, ub);
  putU(u, ua + 18, ep.dupAckNum, esc, ub);
  putU(u, ua + 19, ep.lastNonDupAckFrame, esc, ub);
  putU(u, ua + 20, ep.seenEnd, esc, ub);
  putU(u, ua + 21, ep.finAck, esc, ub);
  putU(u, ua + 22, ep.finAckedFrame, esc, ub);
  s[st] = STATES.indexOf(ep.state);
  s[st + 1] = ep.baseSet ? 1 : 0;
  s[st + 2] = ep.synSeen ? 1 : 0;
  s[st + 3] = ep.windowScaleOffered;
  s[st + 4] = ep.sackPermitted ? 1 : 0;
  s[st + 5] = ep.rcvNxtKnown ? 1 : 0;
  s[st + 6] = (ep.finSent ? 1 : 0) | (ep.peerFinPending ? 2 : 0) | (ep.finHeld ? 4 : 0) | (ep.seenEndKnown ? 8 : 0) |
    (ep.finInferred ? 16 : 0) | (ep.pastInferredFinNoted ? 32 : 0) | (ep.finHeldForAck ? 64 : 0);
  s[st + 7] = ep.historySeen;
  s[st + 8] = ep.dataSeen ? 1 : 0;
  s[st + 9] = ep.winScale;
  s[st + 10] = ep.isFirstAck ? 1 : 0;
  s[st + 11] = ep.mptcpOps;
}

function unpackEndpoint(
  ep: Endpoint, f: Float64Array, fa: number, u: Uint32Array, ua: number, esc: Map<number, number>, ub: number,
  s: Int16Array, st: number,
): void {
  ep.payloadBytes = f[fa]!;
  ep.retransmittedBytes = f[fa + 1]!;
  ep.rttSumNs = f[fa + 2]!;
  ep.rttMinNs = f[fa + 3]!;
  ep.rttMaxNs = f[fa + 4]!;
  ep.nextSeqTimeNs = f[fa + 5]!;
  ep.lastAckTimeNs = f[fa + 6]!;
  ep.baseSeq = getU(u, ua, esc, ub);
  ep.isn = getU(u, ua + 1, esc, ub);
  ep.mssBytes = getU(u, ua + 2, esc, ub);
  ep.rcvNxt = getU(u, ua + 3, esc, ub);
  ep.rcvWindowBytes = getU(u, ua + 4, esc, ub);
  ep.finSeq = getU(u, ua + 5, esc, ub);
  ep.finFrame = getU(u, ua + 6, esc, ub);
  ep.packets = getU(u, ua + 7, esc, ub);
  ep.rttSamples = getU(u, ua + 8, esc, ub);
  ep.retransmissionCount = getU(u, ua + 9, esc, ub);
  ep.zeroWindowCount = getU(u, ua + 10, esc, ub);
  ep.gapCount = getU(u, ua + 11, esc, ub);
  ep.nextSeq = getU(u, ua + 12, esc, ub);
  ep.nextSeqFrame = getU(u, ua + 13, esc, ub);
  ep.maxSeqToBeAcked = getU(u, ua + 14, esc, ub);
  ep.lastAck = getU(u, ua + 15, esc, ub);
  ep.window = getU(u, ua + 16, esc, ub);
  ep.lastSegmentFlags = getU(u, ua + 17, esc, ub);
  ep.dupAckNum = getU(u, ua + 18, esc, ub);
  ep.lastNonDupAckFrame = getU(u, ua + 19, esc, ub);
  ep.seenEnd = getU(u, ua + 20, esc, ub);
  ep.finAck = getU(u, ua + 21, esc, ub);
  ep.finAckedFrame = getU(u, ua + 22, esc, ub);
  ep.state = STATES[s[st]!]!;
  ep.baseSet = s[st + 1] === 1;
  ep.synSeen = s[st + 2] === 1;
  ep.windowScaleOffered = s[st + 3]!;
  ep.sackPermitted = s[st + 4] === 1;
  ep.rcvNxtKnown = s[st + 5] === 1;
  ep.finSent = (s[st + 6]! & 1) !== 0;
  ep.peerFinPending = (s[st + 6]! & 2) !== 0;
  ep.finHeld = (s[st + 6]! & 4) !== 0;
  ep.seenEndKnown = (s[st + 6]! & 8) !== 0;
  ep.finInferred = (s[st + 6]! & 16) !== 0;
  ep.pastInferredFinNoted = (s[st + 6]! & 32) !== 0;
  ep.finHeldForAck = (s[st + 6]! & 64) !== 0;
  ep.historySeen = s[st + 7]!;
  ep.dataSeen = s[st + 8] === 1;
  ep.winScale = s[st + 9]!;
  ep.isFirstAck = s[st + 10] === 1;
  ep.mptcpOps = s[st + 11]!;
}
