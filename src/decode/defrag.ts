// IPv4 reassembly of fragmented TCP datagrams (RFC 791 §3.2), as Wireshark's packet-ip.c does with its default
// ip.defragment: the TCP segment is analysed once, in the frame of the fragment that completes its datagram.
// Keeps fragment bytes only until their datagram completes, expires or is pushed out; it decodes nothing itself
// beyond the IPv4 header fields the decoder already read, and never throws on packet content.

import type { CaptureRecord } from '../types.js';
import { LinkType } from '../types.js';
import type { Packet } from './packet.js';
import { decodePacket } from './decode-frame.js';

/** Datagrams under reassembly at once: beyond it the oldest is dropped (a fragment flood must not grow memory). */
const DEFAULT_MAX_DATAGRAMS = 256;
/** Capture seconds a datagram waits for its missing fragments (Linux net.ipv4.ipfrag_time). */
const DEFAULT_TIMEOUT_SEC = 30;
/** The most an IPv4 datagram's payload can reach (a 16-bit total length less the minimum header). */
const MAX_PAYLOAD_BYTES = 65535 - 20;

interface Pending {
  key: string;
  /** The first fragment's IP header (offset 0), once seen: the reassembled datagram's header. */
  header: Uint8Array | null;
  /** Payload bytes, grown as fragments arrive; `ranges` says which are filled (sorted, disjoint, [start, end)). */
  payload: Uint8Array;
  ranges: number[];
  /** Payload length, known from the last fragment (more-fragments clear); -1 before it. */
  totalBytes: number;
  frames: number[];
  firstSec: number;
}

/** What the fragment that completes a datagram gives: the datagram decoded whole, and the frames it came in. */
export interface Reassembled {
  packet: Packet;
  frames: readonly number[];
}

/** True for a packet the defragmenter takes: an IPv4 fragment (first or later) of a TCP datagram. */
export function isTcpFragment(packet: Packet): boolean {
  const ip = packet.ip;
  return ip !== null && ip.version === 4 && ip.headerProtocol === 6 && (ip.moreFragments || ip.fragOffset > 0) &&
    ip.headerLen >= 20 && ip.capEnd - ip.headerOffset >= ip.headerLen;
}

export class Ipv4Defragmenter {
  private readonly pending = new Map<string, Pending>();
  private readonly maxDatagrams: number;
  private readonly timeoutSec: number;
  /** Datagrams dropped before they completed (timeout or the cap): their bytes reach TCP as a gap, if at all. */
  dropped = 0;

  constructor(opts: { maxDatagrams?: number; timeoutSec?: number } = {}) {
    this.maxDatagrams = Math.max(1, opts.maxDatagrams ?? DEFAULT_MAX_DATAGRAMS);
    this.timeoutSec = opts.timeoutSec ?? DEFAULT_TIMEOUT_SEC;
  }

  /** Datagrams waiting for fragments. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Takes one fragment (isTcpFragment). Returns the reassembled datagram when this fragment completes it, else
   * null. Overlapping bytes keep their first copy, as the stream reassembler does.
   */
  add(packet: Packet): Reassembled | null {
    const ip = packet.ip!;
    const record = packet.record;
    const data = record.data;
    const nowSec = record.tsSec + record.tsNsec * 1e-9;
    this.expire(nowSec);
    const at = ip.headerOffset;
    // RFC 791: source, destination, protocol and identification name the datagram.
    let key = `${ip.id}:`;
    for (let i = 12; i < 20; i++) key += `${data[at + i]},`;
    let p = this.pending.get(key);
    if (p === undefined) {
      if (this.pending.size >= this.maxDatagrams) this.dropOldest();
      p = { key, header: null, payload: new Uint8Array(0), ranges: [], totalBytes: -1, frames: [], firstSec: nowSec };
      this.pending.set(key, p);
    }
    p.frames.push(record.index);
    const start = ip.fragOffset;
    // The fragment's payload as captured: a fragment cut by the snapshot length adds only what was captured.
    const from = at + ip.headerLen;
    const end = Math.min(ip.capEnd, at + ip.headerLen + ip.payloadLen);
    const length = Math.max(0, end - from);
    if (start === 0 && p.header === null) p.header = data.slice(at, from);
    if (!ip.moreFragments) {
      const total = start + ip.payloadLen;
      if (p.totalBytes === -1 || total < p.totalBytes) p.totalBytes = total;
    }
    if (length > 0 && start < MAX_PAYLOAD_BYTES) this.fill(p, start, data.subarray(from, from + Math.min(length, MAX_PAYLOAD_BYTES - start)));
    if (p.header === null || p.totalBytes < 0 || !covered(p.ranges, p.totalBytes)) return null;
    this.pending.delete(key);
    if (p.header.length + p.totalBytes > 65535) {
      // Longer than a total length can say (RFC 791; the "ping of death"): not a datagram any host accepts.
      this.dropped++;
      return null;
    }
    return { packet: decodeWhole(p, record), frames: p.frames };
  }

  private fill(p: Pending, start: number, bytes: Uint8Array): void {
    const end = start + bytes.length;
    if (end > p.payload.length) {
      const grown = new Uint8Array(Math.min(MAX_PAYLOAD_BYTES, Math.max(end, p.payload.length * 2)));
      grown.set(p.payload);
      p.payload = grown;
    }
    // Copy only what no earlier fragment filled (first copy wins), then merge the ranges.
    let pos = start;
    const r = p.ranges;
    for (let i = 0; i < r.length && pos < end; i += 2) {
      if (r[i + 1]! <= pos) continue;
      if (r[i]! > pos) p.payload.set(bytes.subarray(pos - start, Math.min(end, r[i]!) - start), pos);
      pos = Math.max(pos, r[i + 1]!);
    }
    if (pos < end) p.payload.set(bytes.subarray(pos - start), pos);
    const merged: number[] = [];
    let placed = false;
    for (let i = 0; i < r.length; i += 2) {
      if (!placed && start < r[i]!) {
        merged.push(start, end);
        placed = true;
      }
      merged.push(r[i]!, r[i + 1]!);
    }
    if (!placed) merged.push(start, end);
    const out: number[] = [];
    for (let i = 0; i < merged.length; i += 2) {
      if (out.length > 0 && merged[i]! <= out[out.length - 1]!) out[out.length - 1] = Math.max(out[out.length - 1]!, merged[i + 1]!);
      else out.push(merged[i]!, merged[i + 1]!);
    }
    p.ranges = out;
  }

  private expire(nowSec: number): void {
    for (const p of this.pending.values()) {
      // Insertion order is arrival order: the first still within its time ends the walk.
      if (nowSec - p.firstSec < this.timeoutSec) break;
      this.pending.delete(p.key);
      this.dropped++;
    }
  }

  private dropOldest(): void {
    for (const key of this.pending.keys()) {
      this.pending.delete(key);
      this.dropped++;
      return;
    }
  }
}

/** True when [0, total) is filled. */
function covered(ranges: readonly number[], total: number): boolean {
  return ranges.length >= 2 && ranges[0] === 0 && ranges[1]! >= total;
}

/** The datagram as one raw IPv4 record: the first fragment's header with its lengths and fragment field made whole. */
function decodeWhole(p: Pending, last: CaptureRecord): Packet {
  const header = p.header!;
  const bytes = new Uint8Array(header.length + p.totalBytes);
  bytes.set(header, 0);
  bytes.set(p.payload.subarray(0, p.totalBytes), header.length);
  const total = bytes.length;
  bytes[2] = (total >> 8) & 0xff;
  bytes[3] = total & 0xff;
  // Keep DF, clear MF and the offset.
  bytes[6] &= 0x40;
  bytes[7] = 0;
  return decodePacket({
    index: last.index, tsSec: last.tsSec, tsNsec: last.tsNsec, capLen: total, origLen: total,
    linkType: LinkType.RAW, interfaceId: last.interfaceId, data: bytes,
  });
}
