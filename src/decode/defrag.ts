// IP reassembly of fragmented TCP datagrams (IPv4: RFC 791 §3.2; IPv6: RFC 8200 §4.5), as Wireshark does with its
// defaults ip.defragment and ipv6.defragment: the TCP segment is analysed once, in the frame of the fragment that
// completes its datagram. Keeps fragment bytes only until their datagram completes, expires or is pushed out; it
// reads nothing beyond the IP header fields the decoder already found, and never throws on packet content.

import type { CaptureRecord } from '../types.js';
import { LinkType } from '../types.js';
import type { Packet } from './packet.js';
import type { FragmentIp, Ip6ExtNote, OuterIpNote } from './notes.js';
import { decodePacket } from './decode-frame.js';
import { EtherType } from './link.js';

/** Datagrams under reassembly at once: beyond it the oldest is dropped (a fragment flood must not grow memory). */
const DEFAULT_MAX_DATAGRAMS = 256;
/** Capture seconds a datagram waits for its missing fragments (Linux net.ipv4.ipfrag_time). */
const DEFAULT_TIMEOUT_SEC = 30;
/** The most a datagram's fragmentable part can reach (a 16-bit length and the 13-bit offset in 8-byte units). */
const MAX_PAYLOAD_BYTES = 65535;
const IPV6_FRAGMENT_HEADER = 44;

interface Pending {
  key: string;
  version: 4 | 6;
  /**
   * The reassembled datagram's header, from the first fragment (offset 0) once seen: IPv4, that fragment's header;
   * IPv6, its fixed header with the fragment header's next header (the extension headers before the fragment header
   * are left out: the analysis reads none of them).
   */
  header: Uint8Array | null;
  /** Each fragment's bytes (copies), in arrival order; the datagram is built from them once covered. */
  pieces: { start: number; bytes: Uint8Array }[];
  /** Which payload bytes some fragment holds: sorted, disjoint [start, end) pairs. */
  ranges: number[];
  /** Payload length, from the first fragment with more-fragments clear (as Wireshark keeps the first); -1 before. */
  totalBytes: number;
  /** The first frames of the datagram (at most MAX_LISTED_FRAMES), and how many fragments it had in all. */
  frames: number[];
  fragments: number;
  firstSec: number;
}

/** What the fragment that completes a datagram gives: the datagram decoded whole, and the frames it came in. */
export interface Reassembled {
  packet: Packet;
  /** The first frames (at most MAX_LISTED_FRAMES) of the `fragments` it was made of. */
  frames: readonly number[];
  fragments: number;
}

/** Frames of a datagram remembered for its annotation; the count goes on. */
const MAX_LISTED_FRAMES = 16;
/**
 * Fragments one datagram may gather: 8,192 is how many distinct 8-byte pieces 64 KiB holds, so more are duplicates
 * (a flood): the datagram is dropped, and its memory with it.
 */
const MAX_FRAGMENTS_PER_DATAGRAM = 8192;

/**
 * True for a packet the defragmenter takes: an IPv4 or IPv6 fragment (first or later) of a datagram that carries
 * TCP, or (IPv4) may carry it through a tunnel: IP-in-IP, GRE, UDP (VXLAN; a later fragment does not say its ports).
 */
export function isTcpFragment(packet: Packet): boolean {
  const ip = packet.ip;
  if (ip === null || !(ip.moreFragments || ip.fragOffset > 0)) return false;
  if (ip.version === 4) return IPV4_MAY_CARRY_TCP.has(ip.headerProtocol) && ip.headerLen >= 20 && ip.capEnd - ip.headerOffset >= ip.headerLen;
  // A later IPv6 fragment names only the header that follows the fragment header: TCP, or an extension header (in
  // the fragmentable part) that TCP may follow.
  return IPV6_MAY_CARRY_TCP.has(ip.protocol) && fragmentHeaderAt(packet) >= 0;
}

/**
 * Whether the capture holds all of this fragment's payload. packet-ip.c and packet-ipv6.c reassemble only such
 * fragments (tvb_bytes_exist over the payload); a first fragment cut by the snapshot length is dissected as it
 * is, with its TCP header but no segment length (pinfo->fragmented), and a later one is shown as data.
 */
export function fragmentWhollyCaptured(ip: FragmentIp): boolean {
  const declaredEnd = ip.version === 4 ? ip.headerOffset + ip.headerLen + ip.payloadLen : ip.headerOffset + 40 + ip.lengthField;
  return ip.capEnd >= declaredEnd;
}

/** TCP, and what carries it in a tunnel: IPv4 (4), IPv6 (41), GRE (47), UDP (17, VXLAN). */
const IPV4_MAY_CARRY_TCP: ReadonlySet<number> = new Set([6, 4, 41, 47, 17]);

/**
 * The fragment facts the defragmenter takes for this packet: its own IP when it is such a fragment, or an outer
 * IPv4 header that is the first fragment of a tunnel's datagram (the tunnel was decoded for the packet line, as
 * tcpdump prints it, but tshark analyses the TCP inside only once the outer datagram is whole). Null otherwise.
 */
export function fragmentIpOf(packet: Packet): FragmentIp | null {
  return isTcpFragment(packet) ? packet.ip : outerFragmentOf(packet);
}

/** The outer IPv4 header that is a first fragment around this packet's tunnel (OuterIpNote.fragment), or null. */
export function outerFragmentOf(packet: Packet): FragmentIp | null {
  const notes = packet.linkNotes;
  for (let i = 0; i < notes.length; i++) {
    const note = notes[i]!;
    if (note.kind === 'ip-outer' && (note as OuterIpNote).fragment !== null) return (note as OuterIpNote).fragment;
  }
  return null;
}

/** TCP, and the IPv6 extension headers that can come between a fragment header and it (RFC 8200 §4.1, AH). */
const IPV6_MAY_CARRY_TCP: ReadonlySet<number> = new Set([6, 0, 43, 60, 51, 135, 139, 140, 253, 254]);

/** Offset in record.data of an IPv6 packet's fragment header (from its extension-header note), or -1. */
function fragmentHeaderAt(packet: Packet): number {
  const notes = packet.linkNotes;
  const ip = packet.ip!;
  for (let i = ip.noteIndex; i < notes.length; i++) {
    const note = notes[i]!;
    if (note.kind !== 'ip6-ext' || (note as Ip6ExtNote).nextHeader !== IPV6_FRAGMENT_HEADER) continue;
    const header = (note as Ip6ExtNote).header;
    const at = header.byteOffset - packet.record.data.byteOffset;
    return header.buffer === packet.record.data.buffer && header.length === 8 ? at : -1;
  }
  return -1;
}

/** The VLAN ID of an Ethernet frame's last 802.1Q/802.1ad tag (Wireshark's pinfo->vlan_id: each tag dissected
 *  sets it), 0 without one. Read again here, for fragments only, rather than kept for every packet. */
function ethernetVlanId(record: CaptureRecord): number {
  if (record.linkType !== LinkType.ETHERNET) return 0;
  const data = record.data;
  const end = Math.min(data.length, record.capLen);
  let id = 0;
  let at = 12;
  while (at + 4 <= end) {
    const type = (data[at]! << 8) | data[at + 1]!;
    if (type !== EtherType.VLAN && type !== EtherType.QINQ && type !== EtherType.VLAN_9100 && type !== EtherType.VLAN_9200) break;
    id = ((data[at + 2]! << 8) | data[at + 3]!) & 0x0fff;
    at += 4;
  }
  return id;
}

export class IpDefragmenter {
  private readonly pending = new Map<string, Pending>();
  private readonly maxDatagrams: number;
  private readonly timeoutSec: number;
  /** Datagrams dropped before they completed (timeout, the cap, oversize): their bytes reach TCP as a gap, if at all. */
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
   * null. Where fragments overlap, the one with the lower offset gives the bytes (earlier arrival on a tie), as
   * Wireshark's reassembly builds the datagram from its fragments sorted by offset.
   */
  add(packet: Packet, ip: FragmentIp = packet.ip!): Reassembled | null {
    const record = packet.record;
    const data = record.data;
    const nowSec = record.tsSec + record.tsNsec * 1e-9;
    this.expire(nowSec);
    const at = ip.headerOffset;
    // Where this fragment's share of the datagram starts and ends, as declared and as captured.
    let from: number;
    let declaredEnd: number;
    let key: string;
    if (ip.version === 4) {
      // RFC 791: source, destination, protocol and identification name the datagram. packet-ip.c also keys on the
      // frame's VLAN (pinfo->vlan_id in its fragment id): the same datagram id on two VLANs is two datagrams
      // (checked with tshark 4.0.17; packet-ipv6.c does not, nor does this for IPv6).
      from = at + ip.headerLen;
      declaredEnd = from + ip.payloadLen;
      key = `4:${ip.id}:${data[at + 9]}:${ethernetVlanId(record)}:`;
      for (let i = 12; i < 20; i++) key += `${data[at + i]},`;
    } else {
      // RFC 8200 §4.5: source, destination and the fragment header's identification.
      const fragAt = fragmentHeaderAt(packet);
      from = fragAt + 8;
      declaredEnd = at + 40 + ip.lengthField;
      key = `6:${ip.id}:`;
      for (let i = 8; i < 40; i++) key += `${data[at + i]},`;
    }
    // packet-ip.c adds a fragment only when it carries payload: an empty one neither fills nor ends a datagram.
    if (declaredEnd <= from) return null;
    const start = ip.fragOffset;
    let p = this.pending.get(key);
    if (p === undefined) {
      if (this.pending.size >= this.maxDatagrams) {
        // Full: a first fragment pushes out the oldest datagram; a later one (whose first may be long gone) does not
        // take another's place, or a burst just over the cap would push out every datagram in turn.
        if (start !== 0) {
          this.dropped++;
          return null;
        }
        this.dropOldest();
      }
      p = { key, version: ip.version, header: null, pieces: [], ranges: [], totalBytes: -1, frames: [], fragments: 0, firstSec: nowSec };
      this.pending.set(key, p);
    }
    if (++p.fragments > MAX_FRAGMENTS_PER_DATAGRAM) {
      this.pending.delete(key);
      this.dropped++;
      return null;
    }
    if (p.frames.length < MAX_LISTED_FRAMES) p.frames.push(record.index);
    // The fragment's payload as captured: a fragment cut by the snapshot length adds only what was captured.
    const end = Math.min(ip.capEnd, declaredEnd);
    const length = Math.max(0, end - from);
    if (start === 0 && p.header === null) p.header = wholeHeader(data, at, ip.version, ip.version === 4 ? from : from - 8);
    if (!ip.moreFragments && p.totalBytes === -1) p.totalBytes = start + (declaredEnd - from);
    if (length > 0 && start < MAX_PAYLOAD_BYTES) {
      const bytes = data.slice(from, from + Math.min(length, MAX_PAYLOAD_BYTES - start));
      p.pieces.push({ start, bytes });
      p.ranges = addRange(p.ranges, start, start + bytes.length);
    }
    if (p.header === null || p.totalBytes < 0 || !covered(p.ranges, p.totalBytes)) return null;
    this.pending.delete(key);
    if ((p.version === 4 ? p.header.length : 0) + p.totalBytes > 65535) {
      // Longer than a length field can say (RFC 791, RFC 8200 §4.5; the "ping of death"): no host accepts it.
      this.dropped++;
      return null;
    }
    return { packet: decodeWhole(p, record), frames: p.frames, fragments: p.fragments };
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

/** The ranges with [start, end) added (sorted, disjoint, merged). */
function addRange(ranges: readonly number[], start: number, end: number): number[] {
  const merged: number[] = [];
  let placed = false;
  for (let i = 0; i < ranges.length; i += 2) {
    if (!placed && start < ranges[i]!) {
      merged.push(start, end);
      placed = true;
    }
    merged.push(ranges[i]!, ranges[i + 1]!);
  }
  if (!placed) merged.push(start, end);
  const out: number[] = [];
  for (let i = 0; i < merged.length; i += 2) {
    if (out.length > 0 && merged[i]! <= out[out.length - 1]!) out[out.length - 1] = Math.max(out[out.length - 1]!, merged[i + 1]!);
    else out.push(merged[i]!, merged[i + 1]!);
  }
  return out;
}

/** True when [0, total) is filled. */
function covered(ranges: readonly number[], total: number): boolean {
  return ranges.length >= 2 && ranges[0] === 0 && ranges[1]! >= total;
}

/** The whole datagram's header: IPv4, the first fragment's; IPv6, the fixed header with the fragment's next header. */
function wholeHeader(data: Uint8Array, at: number, version: 4 | 6, fragAtOrEnd: number): Uint8Array {
  if (version === 4) return data.slice(at, fragAtOrEnd);
  const header = data.slice(at, at + 40);
  header[6] = data[fragAtOrEnd]!;
  return header;
}

/** The datagram as one raw IP record: its header with the lengths and (IPv4) the fragment field made whole. */
function decodeWhole(p: Pending, last: CaptureRecord): Packet {
  const header = p.header!;
  const bytes = new Uint8Array(header.length + p.totalBytes);
  bytes.set(header, 0);
  // Fragments by offset (a stable sort keeps arrival order on a tie); each adds what lies past those before it.
  const pieces = p.pieces.slice().sort((a, b) => a.start - b.start);
  let filled = 0;
  for (const piece of pieces) {
    const pieceEnd = Math.min(piece.start + piece.bytes.length, p.totalBytes);
    if (pieceEnd <= filled) continue;
    bytes.set(piece.bytes.subarray(filled - piece.start, pieceEnd - piece.start), header.length + filled);
    filled = pieceEnd;
  }
  if (p.version === 4) {
    const total = bytes.length;
    bytes[2] = (total >> 8) & 0xff;
    bytes[3] = total & 0xff;
    // Keep DF, clear MF and the offset.
    bytes[6] &= 0x40;
    bytes[7] = 0;
  } else {
    bytes[4] = (p.totalBytes >> 8) & 0xff;
    bytes[5] = p.totalBytes & 0xff;
  }
  return decodePacket({
    index: last.index, tsSec: last.tsSec, tsNsec: last.tsNsec, capLen: bytes.length, origLen: bytes.length,
    linkType: LinkType.RAW, interfaceId: last.interfaceId, data: bytes,
  });
}
