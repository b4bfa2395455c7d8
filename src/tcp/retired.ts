// Closed connections whose owner is done with them (reported), kept only so that their TIME_WAIT stragglers still
// find them: every field packed into typed arrays (struct of arrays), about 700 bytes a connection instead of the
// 2 KB of a Connection, its two Endpoints and their boxed numbers. Storage only: it neither analyses nor decides
// when a connection retires or expires (the tracker does); revive() gives back a Connection equal in every field.

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

// Number fields (Float64Array, exact for any value a field holds: sequence numbers, frames, ns, -1, Infinity).
const N_ID = 0;
const N_CLIENT_PORT = 1;
const N_SERVER_PORT = 2;
const N_START_SEC = 3;
const N_START_NSEC = 4;
const N_START_NS = 5;
const N_FIRST_FRAME = 6;
const N_LAST_NS = 7;
const N_LAST_FRAME = 8;
const N_IDLE_MAX_NS = 9;
const N_HANDSHAKE_RTT_NS = 10;
const N_LAST_SYN_NS = 11;
const N_CLIENT_SYN_NS = 12;
const N_FIRST_RTT_NS = 13;
const N_HASH = 14;
const N_TOKEN = 15;
const N_EARLIEST_NS = 16;
const N_LATEST_NS = 17;
const N_CLIENT_SYN_COUNT = 18;
const N_CLIENT_FIRST_SYN_NS = 19;
const N_CONN = 20;
/** Endpoint number fields, at N_CONN + side * N_END. */
const N_END = 30;
const N_STRIDE = N_CONN + 2 * N_END;

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
  private readonly numChunks: Float64Array[] = [];
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
    const n = this.numChunks[chunk]!;
    const s = this.smallChunks[chunk]!;
    const addrs = this.addrChunks[chunk]!;
    const at = (slot & CHUNK_MASK) * N_STRIDE;
    const st = (slot & CHUNK_MASK) * S_STRIDE;
    const token = this.nextToken++;
    n[at + N_ID] = conn.id;
    n[at + N_CLIENT_PORT] = conn.clientPort;
    n[at + N_SERVER_PORT] = conn.serverPort;
    n[at + N_START_SEC] = conn.startSec;
    n[at + N_START_NSEC] = conn.startNsec;
    n[at + N_START_NS] = conn.startNs;
    n[at + N_FIRST_FRAME] = conn.firstFrame;
    n[at + N_LAST_NS] = conn.lastNs;
    n[at + N_LAST_FRAME] = conn.lastFrame;
    n[at + N_IDLE_MAX_NS] = conn.idleMaxNs;
    n[at + N_HANDSHAKE_RTT_NS] = conn.handshakeRttNs;
    n[at + N_LAST_SYN_NS] = conn.lastSynNs;
    n[at + N_CLIENT_SYN_NS] = conn.clientSynNs;
    n[at + N_CLIENT_SYN_COUNT] = conn.clientSynCount;
    n[at + N_CLIENT_FIRST_SYN_NS] = conn.clientFirstSynNs;
    n[at + N_FIRST_RTT_NS] = conn.firstRttNs;
    n[at + N_HASH] = conn.hash;
    n[at + N_TOKEN] = token;
    n[at + N_EARLIEST_NS] = conn.earliestNs;
    n[at + N_LATEST_NS] = conn.latestNs;
    s[st + S_ADDR_LEN] = conn.addrLen;
    s[st + S_MIDSTREAM] = conn.midstream ? 1 : 0;
    s[st + S_ROLE_RULE] = ROLE_RULES.indexOf(conn.roleRule);
    s[st + S_LAST_SYN_SEEN] = conn.lastSynSeen ? 1 : 0;
    s[st + S_REFUSED] = conn.refused ? 1 : 0;
    s[st + S_RESET_BY] = conn.resetBy;
    s[st + S_CLOSED_FIRST_BY] = conn.closedFirstBy;
    s[st + S_SIMULTANEOUS_CLOSE] = conn.simultaneousClose ? 1 : 0;
    s[st + S_REPORTED] = conn.reported ? 1 : 0;
    s[st + S_HALF_CLOSE_NOTED] = conn.halfCloseNoted ? 1 : 0;
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
      packEndpoint(ep, n, at + N_CONN + side * N_END, s, st + S_CONN + side * S_END);
      if (ep.unacked.count !== 0) this.unacked.set(slot * 2 + side, ep.unacked);
      if (ep.holes !== null) this.holes.set(slot * 2 + side, ep.holes);
    }
    // Hash chain and retirement order.
    const head = this.heads.get(conn.hash);
    this.chain[slot] = head ?? -1;
    this.heads.set(conn.hash, slot);
    this.pushFifo(slot, token);
    this.pushDue(conn.lastNs, slot, token);
    this.dueNs = -Infinity;
  }

  /** The retired connection of a packet whose addresses lie in place in `bytes`, or -1; sets foundDir. */
  lookupAt(hash: number, bytes: Uint8Array, len: number, srcAt: number, sport: number, dstAt: number, dport: number): number {
    for (let slot = this.heads.get(hash) ?? -1; slot !== -1; slot = this.chain[slot]!) {
      const chunk = slot >> CHUNK_SHIFT;
      const i = slot & CHUNK_MASK;
      if (this.smallChunks[chunk]![i * S_STRIDE + S_ADDR_LEN] !== len) continue;
      const n = this.numChunks[chunk]!;
      const cport = n[i * N_STRIDE + N_CLIENT_PORT];
      const sport2 = n[i * N_STRIDE + N_SERVER_PORT];
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
      const n = this.numChunks[chunk]!;
      const cport = n[i * N_STRIDE + N_CLIENT_PORT];
      const sport2 = n[i * N_STRIDE + N_SERVER_PORT];
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
    return this.num(slot, N_LAST_NS);
  }

  /** The slot's connection id. */
  id(slot: number): number {
    return this.num(slot, N_ID);
  }

  private num(slot: number, field: number): number {
    return this.numChunks[slot >> CHUNK_SHIFT]![(slot & CHUNK_MASK) * N_STRIDE + field]!;
  }

  /** Takes the slot's connection out, as a Connection equal in every field to the one retired. */
  revive(slot: number): Connection {
    const chunk = slot >> CHUNK_SHIFT;
    const n = this.numChunks[chunk]!;
    const s = this.smallChunks[chunk]!;
    const addrs = this.addrChunks[chunk]!;
    const at = (slot & CHUNK_MASK) * N_STRIDE;
    const st = (slot & CHUNK_MASK) * S_STRIDE;
    const len = s[st + S_ADDR_LEN]!;
    const a = (slot & CHUNK_MASK) * ADDR_STRIDE;
    const conn = new Connection(
      n[at + N_ID]!, addrs.subarray(a, a + len), n[at + N_CLIENT_PORT]!, addrs.subarray(a + 16, a + 16 + len),
      n[at + N_SERVER_PORT]!, s[st + S_MIDSTREAM] === 1, ROLE_RULES[s[st + S_ROLE_RULE]!]!, n[at + N_START_SEC]!,
      n[at + N_START_NSEC]!, n[at + N_START_NS]!, n[at + N_FIRST_FRAME]!,
    );
    conn.lastNs = n[at + N_LAST_NS]!;
    conn.earliestNs = n[at + N_EARLIEST_NS]!;
    conn.latestNs = n[at + N_LATEST_NS]!;
    conn.lastFrame = n[at + N_LAST_FRAME]!;
    conn.idleMaxNs = n[at + N_IDLE_MAX_NS]!;
    conn.handshakeRttNs = n[at + N_HANDSHAKE_RTT_NS]!;
    conn.lastSynNs = n[at + N_LAST_SYN_NS]!;
    conn.clientSynNs = n[at + N_CLIENT_SYN_NS]!;
    conn.clientSynCount = n[at + N_CLIENT_SYN_COUNT]!;
    conn.clientFirstSynNs = n[at + N_CLIENT_FIRST_SYN_NS]!;
    conn.firstRttNs = n[at + N_FIRST_RTT_NS]!;
    conn.hash = n[at + N_HASH]!;
    conn.lastSynSeen = s[st + S_LAST_SYN_SEEN] === 1;
    conn.refused = s[st + S_REFUSED] === 1;
    conn.resetBy = s[st + S_RESET_BY] as Direction | -1;
    conn.closedFirstBy = s[st + S_CLOSED_FIRST_BY] as Direction | -1;
    conn.simultaneousClose = s[st + S_SIMULTANEOUS_CLOSE] === 1;
    conn.reported = s[st + S_REPORTED] === 1;
    conn.halfCloseNoted = s[st + S_HALF_CLOSE_NOTED] === 1;
    conn.mptcpOps = s[st + S_MPTCP_OPS]!;
    conn.closed = true;
    conn.history = this.histories[slot]!;
    for (let side = 0; side < 2; side++) {
      const ep = conn.ends[side]!;
      unpackEndpoint(ep, n, at + N_CONN + side * N_END, s, st + S_CONN + side * S_END);
      const queue = this.unacked.get(slot * 2 + side);
      if (queue !== undefined) ep.unacked = queue;
      const holes = this.holes.size === 0 ? undefined : this.holes.get(slot * 2 + side);
      if (holes !== undefined) {
        ep.holes = holes;
        ep.holeFrom = holes[0]!;
      }
    }
    this.remove(slot);
    return conn;
  }

  /** Forgets the slot's connection (its TIME_WAIT ended, or room was needed). */
  remove(slot: number): void {
    const hash = this.num(slot, N_HASH);
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
    this.numChunks[slot >> CHUNK_SHIFT]![(slot & CHUNK_MASK) * N_STRIDE + N_TOKEN] = 0;
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
  expire(nowNs: number, timeWaitNs: number): void {
    if (nowNs < this.dueNs) return;
    for (;;) {
      const top = this.dueTop();
      if (top === -1 || nowNs - this.dueLastNs[0]! < timeWaitNs) break;
      this.popDue();
      this.remove(top);
    }
    // Order entries of connections gone meanwhile are dropped from the front (the rest when they reach it).
    this.oldest();
    const top = this.dueTop();
    this.dueNs = top === -1 ? Infinity : this.dueLastNs[0]! + timeWaitNs;
  }

  /** The slot retired longest ago that is still here, or -1 (stale order entries are dropped on the way). */
  oldest(): number {
    while (this.fifoCount > 0) {
      const i = this.fifoHead;
      const slot = this.fifoSlots[i]!;
      if (this.num(slot, N_TOKEN) === this.fifoTokens[i]) return slot;
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
    this.numChunks.length = 0;
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
      if (this.num(slot, N_TOKEN) === this.dueTokens[0]) return slot;
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
      if (this.dueLastNs[parent]! <= lastNs) break;
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
      if (child + 1 < last && this.dueLastNs[child + 1]! < this.dueLastNs[child]!) child++;
      if (this.dueLastNs[child]! >= key) break;
      this.moveDue(child, i);
      i = child;
    }
    this.dueLastNs[i] = key;
    this.dueSlots[i] = slot;
    this.dueTokens[i] = token;
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
    this.numChunks.push(new Float64Array(CHUNK_SLOTS * N_STRIDE));
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

// Endpoint layout: the order of the writes in packEndpoint is the order of the reads in unpackEndpoint.
function packEndpoint(ep: Endpoint, n: Float64Array, at: number, s: Int16Array, st: number): void {
  n[at] = ep.baseSeq;
  n[at + 1] = ep.isn;
  n[at + 2] = ep.mssBytes;
  n[at + 3] = ep.rcvNxt;
  n[at + 4] = ep.rcvWindowBytes;
  n[at + 5] = ep.finSeq;
  n[at + 6] = ep.finFrame;
  n[at + 7] = ep.packets;
  n[at + 8] = ep.payloadBytes;
  n[at + 9] = ep.retransmittedBytes;
  n[at + 10] = ep.rttSamples;
  n[at + 11] = ep.rttSumNs;
  n[at + 12] = ep.rttMinNs;
  n[at + 13] = ep.rttMaxNs;
  n[at + 14] = ep.retransmissionCount;
  n[at + 15] = ep.zeroWindowCount;
  n[at + 16] = ep.gapCount;
  n[at + 17] = ep.nextSeq;
  n[at + 18] = ep.nextSeqFrame;
  n[at + 19] = ep.nextSeqTimeNs;
  n[at + 20] = ep.maxSeqToBeAcked;
  n[at + 21] = ep.lastAck;
  n[at + 22] = ep.lastAckTimeNs;
  n[at + 23] = ep.window;
  n[at + 24] = ep.lastSegmentFlags;
  n[at + 25] = ep.dupAckNum;
  n[at + 26] = ep.lastNonDupAckFrame;
  n[at + 27] = ep.seenEnd;
  n[at + 28] = ep.finAck;
  n[at + 29] = ep.finAckedFrame;
  s[st] = STATES.indexOf(ep.state);
  s[st + 1] = ep.baseSet ? 1 : 0;
  s[st + 2] = ep.synSeen ? 1 : 0;
  s[st + 3] = ep.windowScaleOffered;
  s[st + 4] = ep.sackPermitted ? 1 : 0;
  s[st + 5] = ep.rcvNxtKnown ? 1 : 0;
  s[st + 6] = (ep.finSent ? 1 : 0) | (ep.peerFinPending ? 2 : 0) | (ep.finHeld ? 4 : 0) | (ep.seenEndKnown ? 8 : 0);
  s[st + 7] = ep.historySeen;
  s[st + 8] = ep.dataSeen ? 1 : 0;
  s[st + 9] = ep.winScale;
  s[st + 10] = ep.isFirstAck ? 1 : 0;
  s[st + 11] = ep.mptcpOps;
}

function unpackEndpoint(ep: Endpoint, n: Float64Array, at: number, s: Int16Array, st: number): void {
  ep.baseSeq = n[at]!;
  ep.isn = n[at + 1]!;
  ep.mssBytes = n[at + 2]!;
  ep.rcvNxt = n[at + 3]!;
  ep.rcvWindowBytes = n[at + 4]!;
  ep.finSeq = n[at + 5]!;
  ep.finFrame = n[at + 6]!;
  ep.packets = n[at + 7]!;
  ep.payloadBytes = n[at + 8]!;
  ep.retransmittedBytes = n[at + 9]!;
  ep.rttSamples = n[at + 10]!;
  ep.rttSumNs = n[at + 11]!;
  ep.rttMinNs = n[at + 12]!;
  ep.rttMaxNs = n[at + 13]!;
  ep.retransmissionCount = n[at + 14]!;
  ep.zeroWindowCount = n[at + 15]!;
  ep.gapCount = n[at + 16]!;
  ep.nextSeq = n[at + 17]!;
  ep.nextSeqFrame = n[at + 18]!;
  ep.nextSeqTimeNs = n[at + 19]!;
  ep.maxSeqToBeAcked = n[at + 20]!;
  ep.lastAck = n[at + 21]!;
  ep.lastAckTimeNs = n[at + 22]!;
  ep.window = n[at + 23]!;
  ep.lastSegmentFlags = n[at + 24]!;
  ep.dupAckNum = n[at + 25]!;
  ep.lastNonDupAckFrame = n[at + 26]!;
  ep.seenEnd = n[at + 27]!;
  ep.finAck = n[at + 28]!;
  ep.finAckedFrame = n[at + 29]!;
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
  ep.historySeen = s[st + 7]!;
  ep.dataSeen = s[st + 8] === 1;
  ep.winScale = s[st + 9]!;
  ep.isFirstAck = s[st + 10] === 1;
  ep.mptcpOps = s[st + 11]!;
}
