// IPv6 decoding (RFC 8200): the fixed header, then hop-by-hop, routing, fragment and destination-options
// headers walked in tcpdump print-ip6.c's order, with a cap on the chain; never throws.

import { be16, be32, u8 } from './bytes.js';
import { addNote, setProblem } from './common.js';
import { demuxIp, IpProto } from './ip-demux.js';
import type { IpMissingNote, Ip6ExtNote, Ip6InvalidNote, IpShortNote, IpVersionNote, StopNote, TruncNote } from './notes.js';
import type { Packet } from './packet.js';
import { takeIp } from './views.js';

export const IPV6_HEADER_LEN = 40;

/** More extension headers than this in one datagram is treated as hostile and not walked further. */
const MAX_EXTENSION_HEADERS = 32;

/** RFC 2675 Jumbo Payload option type. */
const IP6OPT_JUMBO = 0xc2;

function trunc(packet: Packet, protocol: string, headerOffset?: number): void {
  const note: TruncNote = { kind: 'trunc', protocol, afterIpWord: false, headerOffset };
  addNote(packet, note);
  setProblem(packet, 'truncated', protocol, `capture ends inside the ${protocol} header`);
}

function invalid(packet: Packet, reason: Ip6InvalidNote['reason']): void {
  const note: Ip6InvalidNote = { kind: 'ip6-invalid', reason };
  addNote(packet, note);
  setProblem(packet, 'invalid', 'ipv6', `extension headers rejected (${reason})`);
}

/**
 * The upper-layer protocol after the extension header `nh` at `cur`, skipping headers without judging them
 * (tcpdump stops at a chain it rejects; tshark and the analysis still want to know the payload is TCP).
 */
function upperProtocol(data: Uint8Array, nh: number, cur: number, end: number): number {
  for (let count = 0; count <= MAX_EXTENSION_HEADERS; count++) {
    if (nh !== IpProto.HOPOPTS && nh !== IpProto.DSTOPTS && nh !== IpProto.ROUTING && nh !== IpProto.FRAGMENT) return nh;
    const next = u8(data, cur, end);
    const lenByte = u8(data, cur + 1, end);
    if (next < 0 || lenByte < 0) return nh;
    cur += nh === IpProto.FRAGMENT ? 8 : (lenByte + 1) * 8;
    nh = next;
  }
  return nh;
}

/**
 * Walks hop-by-hop / destination options the way tcpdump's ip6_opt_process does (it stops on a malformed
 * option). Returns the jumbo payload length found (RFC 2675), 0 when none, or -1 when the options are malformed.
 */
function scanOptions(data: Uint8Array, start: number, end: number, payloadLenField: number): number {
  let jumbo = 0;
  let i = start;
  while (i < end) {
    const type = data[i];
    let optLen: number;
    if (type === 0) optLen = 1;
    else if (i + 1 < end) optLen = data[i + 1] + 2;
    else return -1;
    if (i + optLen > end) return -1;
    if (type === 1 && end - i < 2) return -1;
    if (type === 5 && (end - i < 4 || data[i + 1] !== 2)) return -1;
    if (type === IP6OPT_JUMBO) {
      if (end - i < 6 || data[i + 1] !== 4) return -1;
      const value = be32(data, i + 2, end);
      if (jumbo === 0 && payloadLenField === 0 && value >= 65536) jumbo = value;
    }
    if (type === 0xc9 && (end - i < 18 || data[i + 1] < 16)) return -1;
    if (type !== 0 && type !== 1 && type !== 5 && type !== IP6OPT_JUMBO && type !== 0xc9 && end - i < 2) return -1;
    i += optLen;
  }
  return jumbo;
}

/** Decodes the IPv6 datagram at `off`; `wireLen` is tcpdump's `length` (bytes on the wire from here). */
export function decodeIpv6(
  packet: Packet, off: number, wireLen: number, capEnd: number, depth: number,
): void {
  const data = packet.record.data;
  if (capEnd - off < IPV6_HEADER_LEN) return trunc(packet, 'ip6', off);
  if (wireLen < IPV6_HEADER_LEN) {
    const note: IpShortNote = { kind: 'ip-short', version: 6, wireLen };
    addNote(packet, note);
    setProblem(packet, 'invalid', 'ipv6', `frame holds ${wireLen} bytes, less than an IPv6 header`);
    return;
  }
  const version = data[off] >> 4;
  if (version !== 6) {
    const note: IpVersionNote = { kind: 'ip-version', expected: 6, version, offset: off };
    addNote(packet, note);
    setProblem(packet, 'invalid', 'ipv6', `IP version ${version} where IPv6 was announced`);
    return;
  }
  const payloadLenField = be16(data, off + 4, capEnd);
  // tcpdump: a zero payload length means "maybe jumbo": walk the headers over what the frame holds.
  let len = payloadLenField !== 0 ? payloadLenField + IPV6_HEADER_LEN : wireLen + IPV6_HEADER_LEN;
  const firstNext = data[off + 6];
  const ip = takeIp().set(
    data, 6, off, IPV6_HEADER_LEN, 0, firstNext, data[off + 7], 0, 0, false, payloadLenField, wireLen,
    Math.min(capEnd, off + len), ((data[off] & 0x0f) << 4) | (data[off + 1] >> 4), false, firstNext,
    packet.linkNotes.length,
  );
  packet.ip = ip;
  if (payloadLenField !== 0 && wireLen < len) {
    setProblem(packet, 'truncated', 'ipv6', `${len - wireLen} bytes of the datagram are missing`);
  }
  let nh = firstNext;
  let prev = 255;
  let cur = off;
  let advance = IPV6_HEADER_LEN;
  let totalAdvance = 0;
  let foundExt = false;
  let foundHbh = false;
  let jumbo = 0;
  for (let count = 0; cur < ip.capEnd && advance > 0; count++) {
    if (count > MAX_EXTENSION_HEADERS) {
      setProblem(packet, 'unsupported', 'ipv6', 'extension header chain too long');
      return;
    }
    if (len < advance) return trunc(packet, 'ip6');
    cur += advance;
    len -= advance;
    totalAdvance += advance;
    ip.headerLen = totalAdvance;
    switch (nh) {
      case IpProto.HOPOPTS:
      case IpProto.DSTOPTS: {
        const isHbh = nh === IpProto.HOPOPTS;
        if (isHbh && (foundHbh || prev !== 255)) {
          ip.protocol = upperProtocol(data, nh, cur, ip.capEnd);
          return invalid(packet, foundHbh ? 'hbh-repeated' : 'hbh-not-first');
        }
        const lenByte = u8(data, cur + 1, ip.capEnd);
        if (lenByte < 0) return trunc(packet, isHbh ? 'hbhopt' : 'dstopt');
        const extLen = (lenByte + 1) * 8;
        if (cur + extLen > ip.capEnd) return trunc(packet, isHbh ? 'hbhopt' : 'dstopt');
        const note: Ip6ExtNote = { kind: 'ip6-ext', nextHeader: nh, header: data.subarray(cur, cur + extLen), fragPayloadLen: 0 };
        addNote(packet, note);
        if (isHbh) {
          const found = scanOptions(data, cur + 2, cur + extLen, payloadLenField);
          if (payloadLenField === 0 && found <= 0) {
            ip.protocol = upperProtocol(data, data[cur], cur + extLen, ip.capEnd);
            return invalid(packet, 'no-jumbo');
          }
          if (found < 0) return trunc(packet, 'hbhopt');
          jumbo = found;
          foundHbh = true;
        }
        foundExt = true;
        advance = extLen;
        break;
      }
      case IpProto.FRAGMENT: {
        const offFlags = be16(data, cur + 2, ip.capEnd);
        if (offFlags < 0) return trunc(packet, 'frag6');
        const note: Ip6ExtNote = {
          kind: 'ip6-ext', nextHeader: nh, header: data.subarray(cur, Math.min(cur + 8, ip.capEnd)),
          fragPayloadLen: IPV6_HEADER_LEN + payloadLenField - (cur - off) - 8,
        };
        addNote(packet, note);
        ip.fragOffset = offFlags & 0xfff8;
        ip.moreFragments = (offFlags & 1) !== 0;
        ip.id = be32(data, cur + 4, ip.capEnd);
        if (ip.id < 0) ip.id = 0;
        if (ip.fragOffset !== 0 || ip.capEnd <= cur + 8) {
          ip.protocol = data[cur];
          ip.payloadLen = len;
          if (ip.fragOffset === 0) {
            const stop: StopNote = { kind: 'stop' };
            addNote(packet, stop);
          }
          return;
        }
        foundExt = true;
        advance = 8;
        break;
      }
      case IpProto.ROUTING: {
        const lenByte = u8(data, cur + 1, ip.capEnd);
        if (u8(data, cur, ip.capEnd) < 0) return trunc(packet, 'ip6');
        if (lenByte < 0) return trunc(packet, 'rt6');
        const type = u8(data, cur + 2, ip.capEnd);
        const extLen = (lenByte + 1) * 8;
        const note: Ip6ExtNote = {
          kind: 'ip6-ext', nextHeader: nh, header: data.subarray(cur, Math.min(cur + extLen, ip.capEnd)), fragPayloadLen: 0,
        };
        addNote(packet, note);
        if (type !== 0 && type !== 2 && type !== 4) {
          if (type < 0) return trunc(packet, 'rt6');
          ip.protocol = upperProtocol(data, nh, cur, ip.capEnd);
          return invalid(packet, 'routing-type');
        }
        if (lenByte % 2 === 1) {
          ip.protocol = upperProtocol(data, nh, cur, ip.capEnd);
          return invalid(packet, 'routing-length');
        }
        // The renderer prints every address: all of them must have been captured.
        if (cur + 8 + (lenByte >> 1) * 16 > ip.capEnd) {
          setProblem(packet, 'truncated', 'rt6', 'capture ends inside the routing header');
          return;
        }
        // Segments still to visit: the datagram's final destination is in the header, not the destination field.
        // packet-ipv6.c makes it the packet's destination, so tshark's tcp.stream joins both directions of an SRv6
        // path (RFC 8754 §2: Segment List[0] is the last segment; RFC 5095's type 0: the last address listed;
        // RFC 6275 §6.4's type 2: the mobile node's home address, its only address).
        if (data[cur + 3] > 0 && lenByte >= 2) {
          ip.finalDstOffset = type === 0 ? cur + 8 + ((lenByte >> 1) - 1) * 16 : cur + 8;
        }
        foundExt = true;
        advance = extLen;
        break;
      }
      case IpProto.MOBILITY:
      case IpProto.MOBILITY_OLD:
        return invalid(packet, 'mobility');
      default: {
        if (jumbo > 0) {
          len = jumbo + IPV6_HEADER_LEN;
          if (len < totalAdvance) return trunc(packet, 'ip6');
          if (wireLen < len) {
            const note: IpMissingNote = { kind: 'ip-missing', missing: len - wireLen };
            addNote(packet, note);
            setProblem(packet, 'truncated', 'ipv6', `${len - wireLen} bytes of the datagram are missing`);
          }
          ip.capEnd = Math.min(capEnd, off + len);
          len -= totalAdvance;
        } else if (payloadLenField === 0) {
          if (foundExt) return trunc(packet, 'ip6');
          len = 0;
          ip.capEnd = Math.min(capEnd, off + IPV6_HEADER_LEN);
        }
        demuxIp(packet, ip, nh, cur, len, ip.capEnd, depth);
        return;
      }
    }
    prev = nh;
    nh = data[cur];
  }
}
