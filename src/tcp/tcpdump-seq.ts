// tcpdump's relative sequence numbering (print-tcp.c tcp_seq_hash), computed for the renderer to print.
// Reproduces tcpdump's quirks on purpose (base set by ACK packets, absolute on SYN); it is not TCP analysis.

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

interface Conversation {
  version: number;
  /** Canonical-order addresses (copies: the record's bytes do not outlive its batch). */
  src: Uint8Array;
  dst: Uint8Array;
  /** Canonical-order ports, (first << 16) | second. */
  port: number;
  /** tcpdump's th->seq and th->ack: the bases subtracted in the canonical direction. */
  seq: number;
  ack: number;
  /** The next conversation whose key has the same hash. */
  next: Conversation | null;
}

/** memcmp of two `len`-byte runs of `data`. */
function compareAt(data: Uint8Array, a: number, b: number, len: number): number {
  for (let i = 0; i < len; i++) {
    if (data[a + i] !== data[b + i]) return data[a + i] - data[b + i];
  }
  return 0;
}

function sameAt(stored: Uint8Array, data: Uint8Array, at: number): boolean {
  for (let i = 0; i < stored.length; i++) if (stored[i] !== data[at + i]) return false;
  return true;
}

/**
 * One instance per capture. Call apply() for every TCP packet in capture order (it updates tcpdump's table
 * exactly when tcpdump would); it writes into the caller's reusable view and allocates only for a new
 * conversation.
 */
export class TcpdumpSeq {
  private readonly absolute: boolean;
  /**
   * Conversations by a hash of their key, chained. tcpdump keeps 919 buckets (TSEQ_HASHSIZE) hashed on the ports
   * alone and never forgets a conversation, so a capture of 33,000 connections to one server port scanned lists of
   * dozens per packet (and twice that on a capture twice as long). Keys are unique, so the order of a bucket never
   * decided which entry matched: a full-key hash finds the same entry.
   */
  private readonly table = new Map<number, Conversation>();

  constructor(opts: { absolute?: boolean } = {}) {
    this.absolute = opts.absolute === true;
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

    // Addresses are compared in place (record.data), so a packet of a known conversation allocates nothing.
    const data = packet.record.data;
    const addrLen = ip.version === 4 ? 4 : 16;
    const srcAt = ip.headerOffset + (ip.version === 4 ? 12 : 8);
    const dstAt = srcAt + addrLen;
    const sport = tcp.srcPort;
    const dport = tcp.dstPort;
    let rev = false;
    if (sport > dport) rev = true;
    else if (sport === dport && compareAt(data, srcAt, dstAt, addrLen) > 0) rev = true;
    const keySrcAt = rev ? dstAt : srcAt;
    const keyDstAt = rev ? srcAt : dstAt;
    const port = rev ? ((dport << 16) | sport) >>> 0 : ((sport << 16) | dport) >>> 0;
    let hash = Math.imul(port ^ (ip.version << 28), 0x9e3779b1);
    for (let i = 0; i < addrLen; i++) hash = Math.imul(hash ^ data[keySrcAt + i], 0x01000193);
    for (let i = 0; i < addrLen; i++) hash = Math.imul(hash ^ data[keyDstAt + i], 0x01000193);
    hash = (hash ^ (hash >>> 16)) & 0x3fffffff;
    const first = this.table.get(hash);
    let conv: Conversation | undefined;
    for (let c = first ?? null; c !== null; c = c.next) {
      if (c.port === port && c.version === ip.version && sameAt(c.src, data, keySrcAt) && sameAt(c.dst, data, keyDstAt)) {
        conv = c;
        break;
      }
    }
    const seq = tcp.seq;
    const ack = tcp.ack;
    if (conv === undefined || (tcp.flags & TH_SYN) !== 0) {
      // New conversation, or a SYN restarting one: this packet sets the bases and prints absolute numbers.
      if (conv === undefined) {
        conv = {
          version: ip.version, src: data.slice(keySrcAt, keySrcAt + addrLen), dst: data.slice(keyDstAt, keyDstAt + addrLen),
          port, seq: 0, ack: 0, next: first ?? null,
        };
        this.table.set(hash, conv);
      }
      if (rev) {
        conv.ack = seq;
        conv.seq = (ack - 1) >>> 0;
      } else {
        conv.seq = seq;
        conv.ack = (ack - 1) >>> 0;
      }
    } else {
      out.relative = true;
      if (rev) {
        out.seq = (seq - conv.ack) >>> 0;
        out.ack = (ack - conv.seq) >>> 0;
      } else {
        out.seq = (seq - conv.seq) >>> 0;
        out.ack = (ack - conv.ack) >>> 0;
      }
    }
    out.sackBase = rev ? conv.seq : conv.ack;
    return out;
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
