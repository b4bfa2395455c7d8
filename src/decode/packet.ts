// The decoded form of one capture record: what the link, IP and TCP layers say, as plain data.
// Shape only; decode-frame.ts fills it. Byte fields are views into the record's data, never copies.

import type { CaptureRecord, PacketProblem } from '../types.js';

/**
 * Something the link or tunnel layers contribute to tcpdump's packet line before the IP part
 * (SLL2's "ifb0 Out ", radiotap's "…us tsft 11.0 Mb/s … ", PPPoE's "PPPoE [ses 0xdde5] ", IPsec "AH(…): ").
 * The decoder records the facts; src/render/packet-line.ts owns the wording.
 */
export interface LinkNote {
  kind: string;
  [field: string]: unknown;
}

export interface IpInfo {
  version: 4 | 6;
  /** 4 or 16 bytes, a view. */
  src: Uint8Array;
  /** 4 or 16 bytes, a view: the destination field, or the final destination an IPv6 routing header with segments
   *  left names (as Wireshark's conversations key it; packet lines print the field, as tcpdump does). */
  dst: Uint8Array;
  /** Offset of the IP header in record.data. */
  headerOffset: number;
  /** IPv4 IHL*4, or 40 + extension headers walked for IPv6. */
  headerLen: number;
  /** Transport bytes according to the IP header (IPv4 total length - IHL, IPv6 payload length - ext headers),
   *  less any AH header walked (RFC 4302). */
  payloadLen: number;
  /** Next protocol number after extension headers (6 for TCP). */
  protocol: number;
  ttl: number;
  /** IPv4 identification / IPv6 fragment id, 0 when none. */
  id: number;
  /** Fragment offset in bytes; >0 means a non-first fragment (never decoded as TCP). */
  fragOffset: number;
  moreFragments: boolean;
  /** IPv4 total length field / IPv6 payload length field as read, for tcpdump's "bad-len" wording. */
  lengthField: number;
  /** Bytes from the IP header to the end of the frame on the wire (tcpdump's `length` argument to ip_print):
   *  less than the datagram's length means "truncated-ip - N bytes missing!". */
  wireLen: number;
  /** Offset in record.data where the captured bytes of this datagram end: the capture end, cut to the
   *  datagram's length (Ethernet padding and trailers excluded), as tcpdump's nd_push_snaplen does. */
  capEnd: number;
  /** IPv4 type-of-service / IPv6 traffic class byte (ECN in the low two bits, RFC 3168 §5). */
  tos: number;
  /** IPv4 DF bit (RFC 791); false for IPv6. */
  dontFragment: boolean;
  /** The protocol / next-header field of the IP header itself; differs from `protocol` when an AH or IPv6
   *  extension headers sit in between (tcpdump then prints the ports without the addresses). */
  headerProtocol: number;
  /** Index in linkNotes of the first note that belongs to this datagram (its AH / extension headers): the
   *  notes before it are printed before the "IP"/"IP6" word, the ones from it on after the addresses. */
  noteIndex: number;
}

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit values as JS numbers (0..2^32-1). */
  seq: number;
  ack: number;
  /** Header length in bytes (data offset * 4), as read even when invalid. */
  headerLen: number;
  /** Flag bits, see TcpFlag in types.ts (9 bits). */
  flags: number;
  window: number;
  checksum: number;
  urgentPtr: number;
  /** Option bytes as captured (may be shorter than headerLen-20 when the capture cut them). */
  options: Uint8Array;
  /** Payload bytes as captured (a view; may be shorter than payloadLen on a snaplen-truncated packet). */
  payload: Uint8Array;
  /** Payload length on the wire: IP payload length - TCP header length (never negative; 0 when invalid). */
  payloadLen: number;
  /** Offset of the TCP header in record.data. */
  offset: number;
  /** Bytes of the segment (header and payload) that were captured, up to ip.capEnd. Below 20 the fields
   *  after the ports are 0 and the packet carries a `truncated` problem (tcpdump prints `[|tcp]`). */
  capturedLen: number;
  /** Transport bytes according to the IP layer (tcpdump's `length` in tcp_print): header + payload. */
  segmentLen: number;
  /** Options read once at decode time (RFC 9293 §3.2, RFC 7323, RFC 2018); -1 / false / null when absent
   *  or malformed. Options after a malformed one are not read, as tcpdump stops there too. */
  mss: number;
  windowScale: number;
  sackPermitted: boolean;
  tsVal: number;
  tsEcr: number;
  /** SACK blocks as absolute [left0, right0, left1, right1, ...]; null when the segment has none. */
  sackBlocks: number[] | null;
}

export interface Packet {
  record: CaptureRecord;
  /** Link and tunnel facts for the packet line; empty for plain Ethernet/raw IP/loopback. */
  linkNotes: LinkNote[];
  /** Null when the frame carries no IP we could read (ARP, unsupported link type, too short). */
  ip: IpInfo | null;
  /** Null when the IP payload is not TCP, is a non-first fragment, or the TCP header is cut before the ports. */
  tcp: TcpHeader | null;
  /** The first thing wrong with the packet, or null. */
  problem: PacketProblem | null;
}
