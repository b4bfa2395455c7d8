// Link-layer decoding: finds where the network layer starts in a capture record for every link type we know,
// records tcpdump-visible link facts as notes (SLL2, radiotap, PPPoE, MPLS labels); never parses IP and never throws.

import { LinkType } from '../types.js';
import { be16, be32, le16, le32, u8 } from './bytes.js';
import { addNote, setProblem } from './common.js';
import type {
  MplsNote, NonIpNote, PppoeNote, RadiotapNote, Sll2Note, SllVlanNote, TruncNote,
} from './notes.js';
import type { Packet } from './packet.js';
import { RT_FLAG_DATAPAD, RT_FLAG_FCS, RT_FLAGS, walkRadiotap } from './radiotap.js';

/** What follows the link layer. */
export const NET_NONE = -1;
/** Raw IP: the version nibble decides (tcpdump's ipN_print). */
export const NET_IP_ANY = 0;
export const NET_IPV4 = 4;
export const NET_IPV6 = 6;

/** Where the network layer starts. One shared instance: read it before decoding the next record. */
export interface LinkResult {
  net: number;
  /** Offset of the network header in record.data. */
  offset: number;
  /** Bytes from `offset` to the end of the frame on the wire, as tcpdump passes `length` down. */
  wireLen: number;
  /** Captured bytes end here (a link layer may cut it: 802.3 length field, radiotap FCS). */
  capEnd: number;
}

const result: LinkResult = { net: NET_NONE, offset: 0, wireLen: 0, capEnd: 0 };

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  VLAN_9100: 0x9100,
  VLAN_9200: 0x9200,
  IPV6: 0x86dd,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  PPPOE_DISCOVERY2: 0x3c12,
  PPPOE_SESSION2: 0x3c13,
  JUMBO: 0x8870,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
} as const;

/** DLT_IEEE802_11 (105), the bare 802.11 link type PPI may carry. */
const LINKTYPE_IEEE802_11 = 105;
/** DLT_PPP_ETHER (51): PPPoE without Ethernet. */
const LINKTYPE_PPP_ETHER = 51;
/** DLT_RAW as Linux libpcap numbers it (12), and LINKTYPE_RAW's own number 101. */
const LINKTYPE_DLT_RAW = 12;

/** The length/type values at or below this are 802.3 lengths (IEEE 802.3 §3.2.6). */
const MAX_ETHERNET_LENGTH = 1500;

function done(net: number, offset: number, wireLen: number, capEnd: number): LinkResult {
  result.net = net;
  result.offset = offset;
  result.wireLen = wireLen;
  result.capEnd = capEnd;
  return result;
}

function truncated(packet: Packet, protocol: string): LinkResult {
  const note: TruncNote = { kind: 'trunc', protocol, afterIpWord: false };
  addNote(packet, note);
  setProblem(packet, 'truncated', 'link', `capture ends inside the ${protocol} header`);
  return done(NET_NONE, 0, 0, 0);
}

function nonIp(packet: Packet, etherType: number, wireLen: number, what: string, offset = -1): LinkResult {
  const note: NonIpNote = { kind: 'non-ip', linkType: packet.record.linkType, etherType, wireLen, offset, what };
  addNote(packet, note);
  // etherType -1: no EtherType at all (an LLC frame, a link type this decoder does not read).
  const which = etherType >= 0 ? `${what} 0x${etherType.toString(16)}` : what === 'linktype' ? `link type ${packet.record.linkType}` : what;
  setProblem(packet, 'unsupported', 'link', `not IP (${which})`);
  return done(NET_NONE, 0, 0, 0);
}

/** Decodes the link layer of packet.record; notes and problems go on the packet. */
export function decodeLink(packet: Packet): LinkResult {
  const rec = packet.record;
  const data = rec.data;
  const capEnd = Math.min(rec.capLen, data.length);
  const wireLen = Math.max(rec.origLen, capEnd);
  return decodeLinkType(packet, rec.linkType, data, 0, wireLen, capEnd);
}

function decodeLinkType(
  packet: Packet, linkType: number, data: Uint8Array, off: number, wireLen: number, capEnd: number,
): LinkResult {
  switch (linkType) {
    case LinkType.ETHERNET:
      return decodeEthernet(packet, data, off, wireLen, capEnd);
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
    case LINKTYPE_DLT_RAW:
      // tcpdump's raw_if_print hands all three to ipN_print, which dispatches on the version nibble.
      return done(NET_IP_ANY, off, wireLen, capEnd);
    case LinkType.NULL:
    case LinkType.LOOP:
      return decodeNull(packet, data, off, wireLen, capEnd);
    case LinkType.LINUX_SLL:
      return decodeSll(packet, data, off, wireLen, capEnd);
    case LinkType.LINUX_SLL2:
      return decodeSll2(packet, data, off, wireLen, capEnd);
    case LinkType.IEEE802_11_RADIOTAP:
      return decodeRadiotap(packet, data, off, wireLen, capEnd);
    case LINKTYPE_IEEE802_11:
      return decode80211(packet, data, off, wireLen, capEnd, false, 0);
    case LinkType.PPI:
      return decodePpi(packet, data, off, wireLen, capEnd);
    case LinkType.NFLOG:
      return decodeNflog(packet, data, off, wireLen, capEnd);
    case LinkType.ARCNET_LINUX:
      return decodeArcnet(packet, data, off, wireLen, capEnd);
    case LINKTYPE_PPP_ETHER:
      return decodePppoe(packet, data, off, wireLen, capEnd);
    default:
      return nonIp(packet, -1, wireLen, 'linktype');
  }
}

/** Ethernet II / 802.3, with any number of 802.1Q / 802.1ad tags (tcpdump print-ether.c). Also the frame a
 *  tunnel carries (VXLAN, GRE transparent Ethernet bridging): without -e tcpdump prints nothing of it either. */
export function decodeEthernet(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 14) return truncated(packet, 'ether');
  let type = be16(data, off + 12, capEnd);
  off += 14;
  wireLen -= 14;
  while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.VLAN_9100 || type === EtherType.VLAN_9200) {
    if (capEnd - off < 4 || wireLen < 4) return truncated(packet, 'vlan');
    type = be16(data, off + 2, capEnd);
    off += 4;
    wireLen -= 4;
  }
  if (type <= MAX_ETHERNET_LENGTH) {
    // An 802.3 length: it bounds the payload (and so cuts Ethernet padding), then LLC follows.
    if (type < wireLen) {
      wireLen = type;
      capEnd = Math.min(capEnd, off + type);
    }
    return decodeLlc(packet, data, off, wireLen, capEnd);
  }
  if (type === EtherType.JUMBO) return decodeLlc(packet, data, off, wireLen, capEnd);
  return decodeEtherType(packet, type, data, off, wireLen, capEnd);
}

function decodeEtherType(
  packet: Packet, type: number, data: Uint8Array, off: number, wireLen: number, capEnd: number,
): LinkResult {
  switch (type) {
    case EtherType.IPV4:
      return done(NET_IPV4, off, wireLen, capEnd);
    case EtherType.IPV6:
      return done(NET_IPV6, off, wireLen, capEnd);
    case EtherType.PPPOE_SESSION:
    case EtherType.PPPOE_SESSION2:
    case EtherType.PPPOE_DISCOVERY:
    case EtherType.PPPOE_DISCOVERY2:
      return decodePppoe(packet, data, off, wireLen, capEnd);
    case EtherType.MPLS:
    case EtherType.MPLS_MULTICAST:
      return decodeMpls(packet, data, off, wireLen, capEnd);
    default:
      return nonIp(packet, type, wireLen, 'ethertype', off);
  }
}

/** The bottom-of-stack bit of a label entry (RFC 3032 §2.1). */
const MPLS_BOTTOM_OF_STACK = 0x100;

/**
 * An MPLS label stack (RFC 3032 §2.1), then what tcpdump's print-mpls.c guesses follows it: the IPv4 explicit and
 * implicit null labels (0, 3) mean IPv4 and the IPv6 explicit null label (2) IPv6; otherwise a first byte
 * 0x45-0x4f is IPv4 and 0x60-0x6f IPv6 (MPLS itself does not say).
 */
export function decodeMpls(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  const start = off;
  let entry = 0;
  do {
    // A stack cut by the capture (or shorter than its 4-byte entries) ends here: no TCP line follows either way.
    if (capEnd - off < 4 || wireLen < 4) {
      const cut: MplsNote = { kind: 'mpls', stack: data.subarray(start, off), payload: 0 };
      addNote(packet, cut);
      return truncated(packet, 'mpls');
    }
    entry = be32(data, off, capEnd);
    off += 4;
    wireLen -= 4;
  } while ((entry & MPLS_BOTTOM_OF_STACK) === 0);
  const label = entry >>> 12;
  let payload = 0;
  if (label === 0 || label === 3) payload = 4;
  else if (label === 2) payload = 6;
  else {
    const first = u8(data, off, capEnd);
    if (first < 0) {
      const cut: MplsNote = { kind: 'mpls', stack: data.subarray(start, off), payload: 0 };
      addNote(packet, cut);
      return truncated(packet, 'mpls');
    }
    if (first >= 0x45 && first <= 0x4f) payload = 4;
    else if (first >= 0x60 && first <= 0x6f) payload = 6;
  }
  const note: MplsNote = { kind: 'mpls', stack: data.subarray(start, off), payload };
  addNote(packet, note);
  if (payload === 4) return done(NET_IPV4, off, wireLen, capEnd);
  if (payload === 6) return done(NET_IPV6, off, wireLen, capEnd);
  return nonIp(packet, -1, wireLen, 'mpls', off);
}

/** IEEE 802.2 LLC, and SNAP with an EtherType (RFC 1042); tcpdump print-llc.c. */
function decodeLlc(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 3 || wireLen < 3) return truncated(packet, 'llc');
  const dsapField = data[off];
  const ssapField = data[off + 1];
  let control = data[off + 2];
  let hdrLen = 3;
  if ((control & 3) !== 3) {
    if (capEnd - off < 4 || wireLen < 4) return truncated(packet, 'llc');
    control = data[off + 2] | (data[off + 3] << 8);
    hdrLen = 4;
  }
  if (dsapField === 0xff && ssapField === 0xff) return nonIp(packet, -1, wireLen, 'llc');
  const dsap = dsapField & ~1;
  const ssap = ssapField & ~1;
  off += hdrLen;
  wireLen -= hdrLen;
  if (dsap === 0xaa && ssap === 0xaa && control === 3) {
    if (capEnd - off < 5 || wireLen < 5) return truncated(packet, 'snap');
    const oui = (data[off] << 16) | (data[off + 1] << 8) | data[off + 2];
    const type = be16(data, off + 3, capEnd);
    if (oui === 0 || oui === 0xf8) return decodeEtherType(packet, type, data, off + 5, wireLen - 5, capEnd);
    return nonIp(packet, type, wireLen, 'snap');
  }
  if (dsap === 0x06 && ssap === 0x06 && control === 3) return done(NET_IPV4, off, wireLen, capEnd);
  return nonIp(packet, -1, wireLen, 'llc');
}

/** BSD loopback (LINKTYPE_NULL and LINKTYPE_LOOP): a 4-byte address family in either byte order
 *  (tcpdump print-null.c swaps it when the upper half is set). */
function decodeNull(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 4) return truncated(packet, 'null');
  let family = le32(data, off, capEnd);
  if ((family & 0xffff0000) !== 0) {
    family = ((family & 0xff) << 24 | (family & 0xff00) << 8 | (family >>> 8) & 0xff00 | family >>> 24) >>> 0;
  }
  off += 4;
  wireLen -= 4;
  switch (family) {
    case 2:
      return done(NET_IPV4, off, wireLen, capEnd);
    case 24: // BSD
    case 28: // FreeBSD
    case 30: // Darwin
      return done(NET_IPV6, off, wireLen, capEnd);
    default:
      return nonIp(packet, family, wireLen, 'af', off);
  }
}

/** Linux cooked capture v1 (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html); prints nothing without -e. */
function decodeSll(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 16) return truncated(packet, 'sll');
  const haType = be16(data, off + 2, capEnd);
  const protocol = be16(data, off + 14, capEnd);
  off += 16;
  wireLen -= 16;
  if (haType === 803) return decodeRadiotap(packet, data, off, wireLen, capEnd);
  return decodeCookedProtocol(packet, protocol, data, off, wireLen, capEnd);
}

/** Linux cooked capture v2: tcpdump prints the interface name (if_indextoname on the reading machine) and
 *  the direction before anything else (print-sll.c). */
function decodeSll2(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 20) return truncated(packet, 'sll2');
  const note: Sll2Note = {
    kind: 'sll2', ifIndex: ((data[off + 4] << 24) | (data[off + 5] << 16) | (data[off + 6] << 8) | data[off + 7]) >>> 0,
    packetType: data[off + 10],
  };
  addNote(packet, note);
  const protocol = be16(data, off, capEnd);
  const haType = be16(data, off + 8, capEnd);
  off += 20;
  wireLen -= 20;
  if (haType === 803) return decodeRadiotap(packet, data, off, wireLen, capEnd);
  return decodeCookedProtocol(packet, protocol, data, off, wireLen, capEnd);
}

/** The protocol field of SLL/SLL2: an EtherType, or 1 (802.3 IPX) / 4 (802.2 LLC) below 1536. */
function decodeCookedProtocol(
  packet: Packet, protocol: number, data: Uint8Array, off: number, wireLen: number, capEnd: number,
): LinkResult {
  for (;;) {
    if (protocol <= MAX_ETHERNET_LENGTH) {
      if (protocol === 4) return decodeLlc(packet, data, off, wireLen, capEnd);
      return nonIp(packet, protocol, wireLen, 'sll-protocol');
    }
    if (protocol !== EtherType.VLAN) return decodeEtherType(packet, protocol, data, off, wireLen, capEnd);
    if (capEnd - off < 4) return truncated(packet, 'vlan');
    protocol = be16(data, off + 2, capEnd);
    // tcpdump prints "ethertype <name>, " for a VLAN-tagged cooked frame even without -e.
    if (protocol <= MAX_ETHERNET_LENGTH) protocol = 4;
    const vlan: SllVlanNote = { kind: 'sll-vlan', etherType: protocol };
    addNote(packet, vlan);
    off += 4;
    wireLen -= 4;
  }
}

/** Radiotap (LINKTYPE_IEEE802_11_RADIOTAP): the header's flags say whether an FCS ends the frame and whether
 *  the 802.11 header is padded to 4 bytes; the renderer prints the fields from the note. */
function decodeRadiotap(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 8) return truncated(packet, '802.11_radio');
  const len = le16(data, off + 2, capEnd);
  if (len < 8 || capEnd - off < len) return truncated(packet, '802.11_radio');
  const header = data.subarray(off, off + len);
  const note: RadiotapNote = { kind: 'radiotap', header };
  addNote(packet, note);
  let flags = 0;
  walkRadiotap(header, (bit, at) => {
    if (bit === RT_FLAGS) flags = header[at];
  });
  const fcsLen = flags & RT_FLAG_FCS ? 4 : 0;
  return decode80211(packet, data, off + len, wireLen - len, capEnd, (flags & RT_FLAG_DATAPAD) !== 0, fcsLen);
}

/** IEEE 802.11 data frames carrying LLC/SNAP (IEEE 802.11-2020 §9.2.4.1); management and control frames and
 *  protected data are not IP. */
function decode80211(
  packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number, pad: boolean, fcsLen: number,
): LinkResult {
  if (wireLen < fcsLen) return truncated(packet, '802.11');
  wireLen -= fcsLen;
  if (capEnd - off > wireLen) capEnd = off + wireLen;
  if (capEnd - off < 2) return truncated(packet, '802.11');
  const fc = data[off] | (data[off + 1] << 8);
  const type = (fc >> 2) & 3;
  const subtype = (fc >> 4) & 0xf;
  if (type !== 2) return nonIp(packet, fc, wireLen, '802.11');
  let hdrLen = (fc & 0x0300) === 0x0300 ? 30 : 24;
  if (subtype & 0x08) hdrLen += 2;
  if (pad) hdrLen = (hdrLen + 3) & ~3;
  if (capEnd - off < hdrLen) return truncated(packet, '802.11');
  if (subtype & 0x04) return nonIp(packet, fc, wireLen, '802.11');
  if (fc & 0x4000) return nonIp(packet, fc, wireLen, '802.11');
  return decodeLlc(packet, data, off + hdrLen, wireLen - hdrLen, capEnd);
}

/** PPI (LINKTYPE_PPI): a little-endian header naming the DLT of the frame that follows (print-ppi.c). */
function decodePpi(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 8) return truncated(packet, 'ppi');
  const len = le16(data, off + 2, capEnd);
  if (len < 8 || len > 65532) return nonIp(packet, -1, wireLen, 'ppi');
  if (capEnd - off < len) return truncated(packet, 'ppi');
  const dlt = le32(data, off + 4, capEnd);
  off += len;
  wireLen -= len;
  switch (dlt) {
    case LinkType.ETHERNET:
    case LINKTYPE_IEEE802_11:
    case LinkType.IEEE802_11_RADIOTAP:
    case LINKTYPE_DLT_RAW:
    case LinkType.NULL:
      return decodeLinkType(packet, dlt, data, off, wireLen, capEnd);
    default:
      return nonIp(packet, dlt, wireLen, 'ppi');
  }
}

/** NFLOG (LINKTYPE_NFLOG): host-order (little-endian) TLVs; the payload TLV (type 9) holds the IP datagram. */
function decodeNflog(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 4) return truncated(packet, 'nflog');
  const family = data[off];
  if (data[off + 1] !== 0) return nonIp(packet, data[off + 1], wireLen, 'nflog');
  off += 4;
  wireLen -= 4;
  while (wireLen > 0) {
    if (capEnd - off < 4) return truncated(packet, 'nflog');
    let size = le16(data, off, capEnd);
    if (size % 4 !== 0) size += 4 - (size % 4);
    if (size < 4 || capEnd - off < size) return truncated(packet, 'nflog');
    if (le16(data, off + 2, capEnd) === 9) {
      off += 4;
      wireLen -= 4;
      break;
    }
    off += size;
    wireLen -= size;
  }
  if (wireLen < 0) wireLen = 0;
  if (family === 2) return done(NET_IPV4, off, wireLen, capEnd);
  if (family === 10) return done(NET_IPV6, off, wireLen, capEnd);
  return nonIp(packet, family, wireLen, 'nflog');
}

/** Linux ARCNET (LINKTYPE_ARCNET_LINUX): 5-byte header for the old types, 8 bytes otherwise (print-arcnet.c). */
function decodeArcnet(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (capEnd - off < 5) return truncated(packet, 'arcnet_linux');
  const arcType = data[off + 4];
  let hdrLen = 8;
  if (arcType === 240 || arcType === 241 || arcType === 0x80) hdrLen = 5;
  else if (capEnd - off < 8) return truncated(packet, 'arcnet_linux');
  off += hdrLen;
  wireLen -= hdrLen;
  if (arcType === 240 || arcType === 212) return done(NET_IPV4, off, wireLen, capEnd);
  if (arcType === 0xc4) return done(NET_IPV6, off, wireLen, capEnd);
  if (arcType === 241 || arcType === 213 || arcType === 214) return nonIp(packet, EtherType.ARP, wireLen, 'ethertype', off);
  return nonIp(packet, arcType, wireLen, 'arcnet', off);
}

/** PPPoE (RFC 2516): session frames carry PPP (RFC 1661), whose protocol 0x21 / 0x57 is IPv4 / IPv6. */
function decodePppoe(packet: Packet, data: Uint8Array, off: number, wireLen: number, capEnd: number): LinkResult {
  if (wireLen < 6) return nonIp(packet, -1, wireLen, 'pppoe');
  if (capEnd - off < 6) return truncated(packet, 'pppoe');
  let length = wireLen - 6;
  const lengthField = be16(data, off + 4, capEnd);
  const note: PppoeNote = {
    kind: 'pppoe', version: data[off] >> 4, type: data[off] & 0xf, code: data[off + 1],
    sessionId: be16(data, off + 2, capEnd), lengthField, lengthAvail: length,
  };
  addNote(packet, note);
  if (note.code !== 0) return nonIp(packet, note.code, length, 'pppoe');
  if (lengthField < length) length = lengthField;
  off += 6;
  // PPP (RFC 1661 §2), with address/control and protocol-field compression (RFC 1661 §6.5, §6.6).
  if (length < 2) return truncated(packet, 'ppp');
  const first = be16(data, off, capEnd);
  if (first < 0) return truncated(packet, 'ppp');
  if (first === 0xff03 || first === 0x0003 || first === 0x0103) {
    off += 2;
    length -= 2;
  }
  if (length < 2) return truncated(packet, 'ppp');
  const b = u8(data, off, capEnd);
  if (b < 0) return truncated(packet, 'ppp');
  let proto: number;
  if (b % 2) {
    proto = b;
    off += 1;
    length -= 1;
  } else {
    proto = be16(data, off, capEnd);
    if (proto < 0) return truncated(packet, 'ppp');
    off += 2;
    length -= 2;
  }
  if (proto === 0x21 || proto === 0x2f || proto === EtherType.IPV4) return done(NET_IPV4, off, length, capEnd);
  if (proto === 0x57 || proto === EtherType.IPV6) return done(NET_IPV6, off, length, capEnd);
  return nonIp(packet, proto, length, 'ppp');
}
