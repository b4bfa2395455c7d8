// Tunnels inside IP: GRE (RFC 2784/2890) and VXLAN (RFC 7348). The outer datagram becomes an 'ip-outer' note and
// the inner one the packet's IP, as tshark keys the connection on it; never throws, never copies bytes.

import { be16, be32, u8 } from './bytes.js';
import { addNote, insertNote, setProblem } from './common.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeEthernet, decodeMpls, EtherType, NET_IPV4, NET_IPV6, type LinkResult } from './link.js';
import type { GreNote, OuterIpNote, VxlanNote } from './notes.js';
import type { IpInfo, Packet } from './packet.js';

/** Tunnels nest at most this deep; deeper nesting is reported as unsupported rather than recursed into. */
const MAX_TUNNEL_DEPTH = 8;

/** RFC 7348 §5: the IANA port (see decodeVxlan for the other port). */
export const VXLAN_PORT = 4789;
const VXLAN_HEADER_LEN = 8;
const UDP_HEADER_LEN = 8;

/** GRE flag bits (RFC 2784 §2.1, RFC 2890 §2; R and the version field from RFC 1701). */
const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_VERSION = 0x0007;
const GRE_ACK = 0x0080;
/** RFC 1701 §3.1 transparent Ethernet bridging. */
const GRE_PROTO_TEB = 0x6558;

/**
 * Turns `ip` into an 'ip-outer' note (kept at its place among the notes, before its own AH notes) so that the
 * inner datagram can become the packet's IP. False when tunnels nest too deep.
 */
export function enterTunnel(packet: Packet, ip: IpInfo, depth: number): boolean {
  if (depth >= MAX_TUNNEL_DEPTH) {
    setProblem(packet, 'unsupported', 'ip', 'tunnels nested too deep');
    return false;
  }
  const claimed = ip.version === 4 ? ip.lengthField : ip.lengthField === 0 ? 0 : ip.lengthField + 40;
  const outer: OuterIpNote = {
    kind: 'ip-outer', version: ip.version, src: ip.src, dst: destinationField(packet, ip), headerProtocol: ip.headerProtocol,
    missing: claimed > ip.wireLen ? claimed - ip.wireLen : 0,
    fragment: ip.version === 4 && (ip.moreFragments || ip.fragOffset > 0) ? {
      version: 4, headerOffset: ip.headerOffset, headerLen: ip.headerLen, payloadLen: ip.payloadLen, lengthField: ip.lengthField,
      id: ip.id, fragOffset: ip.fragOffset, moreFragments: ip.moreFragments, capEnd: ip.capEnd, headerProtocol: ip.headerProtocol,
    } : null,
  };
  insertNote(packet, ip.noteIndex, outer);
  packet.ip = null;
  return true;
}

/**
 * The ports tcpdump 4.99.3's udp_print hands to another printer before VXLAN's, as the source port of a datagram to
 * 4789 and as the destination port of one from 4789 (measured: a VXLAN datagram for every port, 1 to 65535, each
 * way; the lists differ where print-udp.c tests only one side). 53 -> 4789 is DNS; 40000 -> 4789 is VXLAN.
 */
const SRC_PORTS_BEFORE_VXLAN: ReadonlySet<number> = new Set([
  53, 67, 68, 69, 88, 123, 161, 162, 496, 500, 514, 520, 521, 525, 546, 547, 646, 654, 698, 701, 750, 921, 1589, 1645,
  1646, 1700, 1701, 1812, 1813, 2103, 2104, 3503, 3799, 4500, 5060, 5353, 5359, 6343, 6696, 6697, 7000, 7001, 7002,
  7003, 7004, 7005, 7006, 7007, 7008, 7009, 7500, 8231, 8472, 8500, 12222, 12223, 49152,
]);
const DST_PORTS_BEFORE_VXLAN: ReadonlySet<number> = new Set([
  53, 67, 68, 69, 88, 123, 161, 162, 496, 500, 514, 520, 521, 525, 546, 547, 646, 654, 698, 701, 750, 921, 1589, 1645,
  1646, 1700, 1701, 1812, 1813, 1985, 2103, 2104, 3456, 3503, 3784, 3785, 3799, 4500, 4567, 4784, 5060, 5353, 5359,
  6343, 6696, 6697, 6784, 7000, 7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008, 7009, 7500, 8231, 8472, 8500, 12222,
  12223,
]);

/**
 * The destination field of the header, which tcpdump prints: not ip.dst, which for IPv6 with a routing header that
 * still has segments to visit is the final destination (the connection's address, as Wireshark keys it), as in
 * SRv6 encapsulation (RFC 8986 H.Encaps: an outer IPv6 header with an SRH around the tunnelled packet).
 */
function destinationField(packet: Packet, ip: IpInfo): Uint8Array {
  return ip.version === 6 ? packet.record.data.subarray(ip.headerOffset + 24, ip.headerOffset + 40) : ip.dst;
}

/** Decodes the datagram a tunnel's link layer leads to (a LinkResult from decodeEthernet or decodeMpls). */
function decodeInnerNet(packet: Packet, link: LinkResult, depth: number): void {
  if (link.net === NET_IPV4) decodeIpv4(packet, link.offset, link.wireLen, link.capEnd, depth + 1);
  else if (link.net === NET_IPV6) decodeIpv6(packet, link.offset, link.wireLen, link.capEnd, depth + 1);
}

/**
 * GRE version 0 (tcpdump print-gre.c gre_print_0): checksum and offset, key, sequence number, and a routing field
 * only when it is the empty list's terminator (RFC 1701 §2.1; RFC 2784 dropped routing). The payload is decoded
 * for IPv4, IPv6, transparent Ethernet bridging and MPLS; anything else (and version 1, PPTP's PPP) stays GRE.
 */
export function decodeGre(packet: Packet, ip: IpInfo, off: number, length: number, capEnd: number, depth: number): void {
  const data = packet.record.data;
  const flags = be16(data, off, capEnd);
  let headerLen = 4;
  if (flags >= 0) {
    // Version 1 (RFC 2637 §4.1) has no checksum field and may have an acknowledgment number; the renderer words
    // its header from this view.
    const version = flags & GRE_VERSION;
    if (version === 0 && flags & (GRE_CHECKSUM | GRE_ROUTING)) headerLen += 4;
    if (flags & GRE_KEY) headerLen += 4;
    if (flags & GRE_SEQUENCE) headerLen += 4;
    if (version === 1 && flags & GRE_ACK) headerLen += 4;
  }
  const cutEnd = Math.min(capEnd, off + headerLen);
  const note: GreNote = { kind: 'gre', header: data.subarray(off, Math.max(off, cutEnd)), length, tunnel: false };
  const protocol = be16(data, off + 2, capEnd);
  let supported = flags >= 0 && (flags & GRE_VERSION) === 0 && length >= headerLen && capEnd - off >= headerLen;
  if (supported && flags & GRE_ROUTING) {
    // Only an empty routing list (its 4-byte terminator: address family 0, length 0) is walked.
    const af = be16(data, off + headerLen, capEnd);
    const sreLen = u8(data, off + headerLen + 3, capEnd);
    supported = af === 0 && sreLen === 0 && length >= headerLen + 4;
    if (supported) {
      headerLen += 4;
      note.header = data.subarray(off, off + headerLen);
    }
  }
  if (supported) {
    supported = protocol === EtherType.IPV4 || protocol === EtherType.IPV6 || protocol === GRE_PROTO_TEB ||
      protocol === EtherType.MPLS || protocol === EtherType.MPLS_MULTICAST;
  }
  if (!supported || !enterTunnel(packet, ip, depth)) {
    addNote(packet, note);
    if (flags < 0 || capEnd - off < headerLen) setProblem(packet, 'truncated', 'gre', 'capture ends inside the GRE header');
    else if (length < headerLen) setProblem(packet, 'invalid', 'gre', `GRE header of ${headerLen} bytes in a ${length}-byte payload`);
    else setProblem(packet, 'unsupported', 'gre', `GRE payload not decoded (version ${flags & GRE_VERSION}, protocol 0x${protocol.toString(16)})`);
    return;
  }
  note.tunnel = true;
  addNote(packet, note);
  const inner = off + headerLen;
  const innerLen = length - headerLen;
  switch (protocol) {
    case EtherType.IPV4:
      decodeIpv4(packet, inner, innerLen, capEnd, depth + 1);
      return;
    case EtherType.IPV6:
      decodeIpv6(packet, inner, innerLen, capEnd, depth + 1);
      return;
    case GRE_PROTO_TEB:
      decodeInnerNet(packet, decodeEthernet(packet, data, inner, innerLen, capEnd), depth);
      return;
    default:
      decodeInnerNet(packet, decodeMpls(packet, data, inner, innerLen, capEnd), depth);
  }
}

/**
 * UDP to or from port 4789 carrying VXLAN (tcpdump print-udp.c hands it to print-vxlan.c, which prints the inner
 * Ethernet frame on the next line). True when it was taken as a tunnel; false leaves the datagram plain UDP.
 */
export function decodeVxlan(packet: Packet, ip: IpInfo, off: number, length: number, capEnd: number, depth: number): boolean {
  const data = packet.record.data;
  if (length < UDP_HEADER_LEN || capEnd - off < UDP_HEADER_LEN + VXLAN_HEADER_LEN) return false;
  const srcPort = be16(data, off, capEnd);
  const dstPort = be16(data, off + 2, capEnd);
  const udpLen = be16(data, off + 4, capEnd);
  // tcpdump's udp_print tests other ports (DNS, NTP, RADIUS, ...) before VXLAN's: the other port decides.
  if (dstPort === VXLAN_PORT ? SRC_PORTS_BEFORE_VXLAN.has(srcPort) : srcPort !== VXLAN_PORT || DST_PORTS_BEFORE_VXLAN.has(dstPort)) {
    return false;
  }
  // print-udp.c: the UDP length bounds the payload when it is the shorter of the two.
  if (udpLen < UDP_HEADER_LEN) return false;
  const payloadLen = Math.min(udpLen, length) - UDP_HEADER_LEN;
  if (payloadLen < VXLAN_HEADER_LEN) return false;
  // A UDP length shorter than the bytes captured after it: tcpdump's ether_print calls the inner frame invalid
  // ("[length L < caplen C] (invalid)") and tshark's TCP inside it is malformed, in no tcp.stream. Plain UDP here.
  if (udpLen < Math.min(length, capEnd - off)) return false;
  const withAddresses = ip.headerProtocol === 17;
  const src = ip.src;
  const dst = destinationField(packet, ip);
  if (!enterTunnel(packet, ip, depth)) return true;
  const at = off + UDP_HEADER_LEN;
  const note: VxlanNote = {
    kind: 'vxlan', src, dst, withAddresses, srcPort, dstPort, flags: data[at], vni: be32(data, at + 4, capEnd) >>> 8,
  };
  addNote(packet, note);
  const inner = at + VXLAN_HEADER_LEN;
  decodeInnerNet(packet, decodeEthernet(packet, data, inner, payloadLen - VXLAN_HEADER_LEN, capEnd), depth);
  return true;
}
