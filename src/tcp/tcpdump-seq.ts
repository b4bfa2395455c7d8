// tcpdump's relative sequence numbering (print-tcp.c tcp_seq_hash), computed for the renderer to print.
// Reproduces tcpdump's quirks on purpose (base set by ACK packets, absolute on SYN); it is not TCP analysis.

import { tcpdumpRejectsRecord } from '../decode/common.js';
import type { Packet } from '../decode/packet.js';

/** The numbers tcpdump prints for one packet. Structurally the same as report.ts DisplaySeq. */
export interface TcpdumpSeqView {
  /** False when tcpdump prints the raw numbers (no ACK flag, -S, or the packet that sets the base). */
  relative: boolean;
  seq: number;
  ack: number;
  /** Subtracted (mod 2^32) from each SACK block edge before printing; 0 when absolute. */
  sackBase: number;
}

const TH_SYN = 0x02;
const TH_ACK = 0x10;

/** memcmp of two `len`-byte runs of `data`. */
function compareAt(data: Uint8Array, a: number, b: number, len: number): number {
  for (let i = 0; i < len; i++) {
    if (data[a + i] !== data[b + i]) return data[a + i] - data[b + i];
  }
  return 0;
}

/** `len` bytes of `stored` at `storedAt` equal those of `data` at `at`. */
function sameAt(stored: Uint8Array, storedAt: number, data: Uint8Array, at: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (stored[storedAt + i] !== data[at + i]) return false;
  return true;
}

/**
 * One instance per capture. Call apply() for every TCP packet in capture order (it updates tcpdump's table
 * exactly when tcpdump would); it writes into the caller's reusable view and allocates only for a new
 * conversation.
 */
/** Conversations per chunk of the table's arrays (fixed chunks: no doubling copy, no reserve twice the need). */
const CHUNK_SHIFT = 12;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
// Per conversation, in `words` (Uint32Array, stride WORDS): canonical-order ports (first << 16) | second, tcpdump's
// th->seq and th->ack (the bases subtracted in the canonical direction), the IP version, the key's hash.
const W_PORT = 0;
const W_SEQ = 1;
const W_ACK = 2;
const W_VERSION = 3;
const W_HASH = 4;
const WORDS = 5;
/** Canonical-order source then destination address, 16 bytes each (IPv4 uses the first 4 of each). */
const ADDR_BYTES = 32;

/**
 * One instance per capture. Call apply() for every TCP packet in capture order (it updates tcpdump's table
 * exactly when tcpdump would); it writes into the caller's reusable view and allocates nothing per packet.
 */
export class TcpdumpSeq {
  private readonly absolute: boolean;
  /**
   * tcpdump never forgets a conversation (print-tcp.c tcp_seq_hash entries are never freed), and a packet with ACK
   * on the ports of one closed long ago is printed relative to the old bases; so this table grows with the distinct
   * 4-tuples of the capture, not with the open connections. It is kept small for that: 60 bytes a conversation in
   * typed arrays (a hash table of chained indices), where objects with copied addresses took about 300.
   * tcpdump hashes 919 buckets on the ports alone; keys are unique, so which entry of a bucket matched never
   * depended on the bucket's order, and a full-key hash finds the same entry.
   */
  private readonly words: Uint32Array[] = [];
  private readonly addrs: Uint8Array[] = [];
  /** Next conversation in the same bucket, or -1. */
  private next = new Int32Array(0);
  /** First conversation of each bucket (a power of two of them), or -1. */
  private buckets = new Int32Array(1024).fill(-1);
  private count = 0;

  constructor(opts: { absolute?: boolean } = {}) {
    this.absolute = opts.absolute === true;
  }

  /** Conversations remembered (distinct 4-tuples seen with ACK). */
  get size(): number {
    return this.count;
  }

  /** Fills `out` with what tcpdump prints for this packet's seq, ack and SACK edges. */
  apply(packet: Packet, out: TcpdumpSeqView): TcpdumpSeqView {
    const tcp = packet.tcp;
    const ip = packet.ip;
    out.relative = false;
    out.sackBase = 0;
    if (tcp === null || ip === null) {
      out.seq = 0;
      out.ack = 0;
      return out;
    }
    out.seq = tcp.seq;
    out.ack = tcp.ack;
    // tcpdump reaches its table only with a whole fixed header and a header length of at least 20
    // (a too-long header length is checked after the table is updated), and only for ACK packets.
    if (this.absolute || tcp.capturedLen < 20 || tcp.headerLen < 20 || (tcp.flags & TH_ACK) === 0) return out;
    // A record whose header tcpdump refuses never reaches its printers, nor their table.
    if (tcpdumpRejectsRecord(packet.record.capLen, packet.record.origLen)) return out;
    // print-ip.c ip_print stops before the TCP printer on an IPv4 header it cannot pass ("truncated-ip", "bad-hlen",
    // "bad-len", a header the capture cut): such a packet, a TSO send with total length 0 among them, never reaches
    // tcpdump's table, though the analysis (as Wireshark's) still takes its segment.
    if (ip.version === 4 && (ip.wireLen < 20 || ip.headerLen < 20 || ip.lengthField < ip.headerLen || ip.fragOffset > 0 ||
      ip.capEnd - ip.headerOffset < ip.headerLen)) {
      return out;
    }

    // Addresses are compared in place (record.data).
    const data = packet.record.data;
    const version = ip.version;
    const addrLen = version === 4 ? 4 : 16;
    const srcAt = ip.headerOffset + (version === 4 ? 12 : 8);
    const dstAt = srcAt + addrLen;
    const sport = tcp.srcPort;
    const dport = tcp.dstPort;
    let rev = false;
    if (sport > dport) rev = true;
    else if (sport === dport && compareAt(data, srcAt, dstAt, addrLen) > 0) rev = true;
    const keySrcAt = rev ? dstAt : srcAt;
    const keyDstAt = rev ? srcAt : dstAt;
    const port = rev ? ((dport << 16) | sport) >>> 0 : ((sport << 16) | dport) >>> 0;
    let hash = Math.imul(port ^ (version << 28), 0x9e3779b1);
    for (let i = 0; i < addrLen; i++) hash = Math.imul(hash ^ data[keySrcAt + i], 0x01000193);
    for (let i = 0; i < addrLen; i++) hash = Math.imul(hash ^ data[keyDstAt + i], 0x01000193);
    hash = (hash ^ (hash >>> 16)) >>> 0;
    let conv = -1;
    for (let c = this.buckets[hash & (this.buckets.length - 1)]!; c !== -1; c = this.next[c]!) {
      const w = this.words[c >> CHUNK_SHIFT]!;
      const at = (c & CHUNK_MASK) * WORDS;
      if (w[at + W_PORT] !== port || w[at + W_VERSION] !== version) continue;
      const a = this.addrs[c >> CHUNK_SHIFT]!;
      const aAt = (c & CHUNK_MASK) * ADDR_BYTES;
      if (sameAt(a, aAt, data, keySrcAt, addrLen) && sameAt(a, aAt + 16, data, keyDstAt, addrLen)) {
        conv = c;
        break;
      }
    }
    const seq = tcp.seq;
    const ack = tcp.ack;
    if (conv === -1 || (tcp.flags & TH_SYN) !== 0) {
      // New conversation, or a SYN restarting one: this packet sets the bases and prints absolute numbers.
      if (conv === -1) conv = this.add(hash, port, version, data, keySrcAt, keyDstAt, addrLen);
      const w = this.words[conv >> CHUNK_SHIFT]!;
      const at = (conv & CHUNK_MASK) * WORDS;
      if (rev) {
        w[at + W_ACK] = seq;
        w[at + W_SEQ] = (ack - 1) >>> 0;
      } else {
        w[at + W_SEQ] = seq;
        w[at + W_ACK] = (ack - 1) >>> 0;
      }
      out.sackBase = rev ? w[at + W_SEQ]! : w[at + W_ACK]!;
    } else {
      const w = this.words[conv >> CHUNK_SHIFT]!;
      const at = (conv & CHUNK_MASK) * WORDS;
      const baseSeq = w[at + W_SEQ]!;
      const baseAck = w[at + W_ACK]!;
      out.relative = true;
      if (rev) {
        out.seq = (seq - baseAck) >>> 0;
        out.ack = (ack - baseSeq) >>> 0;
      } else {
        out.seq = (seq - baseSeq) >>> 0;
        out.ack = (ack - baseAck) >>> 0;
      }
      out.sackBase = rev ? baseSeq : baseAck;
    }
    return out;
  }

  private add(hash: number, port: number, version: number, data: Uint8Array, srcAt: number, dstAt: number, addrLen: number): number {
    const c = this.count++;
    if ((c & CHUNK_MASK) === 0) {
      this.words.push(new Uint32Array(CHUNK * WORDS));
      this.addrs.push(new Uint8Array(CHUNK * ADDR_BYTES));
      const next = new Int32Array(this.next.length + CHUNK);
      next.set(this.next);
      this.next = next;
    }
    const w = this.words[c >> CHUNK_SHIFT]!;
    const at = (c & CHUNK_MASK) * WORDS;
    w[at + W_PORT] = port;
    w[at + W_VERSION] = version;
    w[at + W_HASH] = hash;
    const a = this.addrs[c >> CHUNK_SHIFT]!;
    const aAt = (c & CHUNK_MASK) * ADDR_BYTES;
    for (let i = 0; i < addrLen; i++) {
      a[aAt + i] = data[srcAt + i]!;
      a[aAt + 16 + i] = data[dstAt + i]!;
    }
    // Two buckets per conversation at most: chains stay short.
    if (this.count > this.buckets.length * 2) this.rehash(this.buckets.length * 4);
    const b = hash & (this.buckets.length - 1);
    this.next[c] = this.buckets[b]!;
    this.buckets[b] = c;
    return c;
  }

  private rehash(size: number): void {
    const buckets = new Int32Array(size).fill(-1);
    for (let c = this.count - 2; c >= 0; c--) {
      const b = this.words[c >> CHUNK_SHIFT]![(c & CHUNK_MASK) * WORDS + W_HASH]! & (size - 1);
      this.next[c] = buckets[b]!;
      buckets[b] = c;
    }
    this.buckets = buckets;
  }

  /** For a packet that is TCP by protocol number but has no decodable header: tcpdump prints no numbers. */
  noteNonTcp(out: TcpdumpSeqView): TcpdumpSeqView {
    out.relative = false;
    out.seq = 0;
    out.ack = 0;
    out.sackBase = 0;
    return out;
  }
}

/** A fresh view to reuse across packets. */
export function newSeqView(): TcpdumpSeqView {
  return { relative: false, seq: 0, ack: 0, sackBase: 0 };
}
