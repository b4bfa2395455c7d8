// The kinds of LinkNote the decoders emit, typed, in the order tcpdump prints them on the packet line.
// Facts only (numbers and byte views): the wording belongs to src/render/packet-line.ts.

import type { LinkNote } from './packet.js';

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): tcpdump prints the interface name and direction. */
export interface Sll2Note extends LinkNote {
  kind: 'sll2';
  ifIndex: number;
  /** sll2_pkttype: 0 host (In), 1 broadcast (B), 2 multicast (M), 3 other host (P), 4 outgoing (Out). */
  packetType: number;
}

/** A VLAN tag inside a Linux cooked frame: tcpdump prints "ethertype <name>, " for it even without -e. */
export interface SllVlanNote extends LinkNote {
  kind: 'sll-vlan';
  etherType: number;
}

/** A radiotap header (LINKTYPE_IEEE802_11_RADIOTAP), printed field by field before the 802.11 payload. */
export interface RadiotapNote extends LinkNote {
  kind: 'radiotap';
  /** The whole radiotap header, a view (it_len bytes). */
  header: Uint8Array;
}

/** A PPPoE session or discovery header (RFC 2516 §4). */
export interface PppoeNote extends LinkNote {
  kind: 'pppoe';
  version: number;
  type: number;
  code: number;
  sessionId: number;
  lengthField: number;
  /** Bytes after the PPPoE header on the wire (tcpdump's comparison for "[len X > Y!]"). */
  lengthAvail: number;
}

/** An IP header that carries another IP datagram (IP-in-IP, 6in4, 4in6, or an IPsec tunnel). */
export interface OuterIpNote extends LinkNote {
  kind: 'ip-outer';
  version: 4 | 6;
  src: Uint8Array;
  dst: Uint8Array;
  /** The protocol / next-header field of this header itself. */
  headerProtocol: number;
  /** Bytes the datagram claims beyond the frame (tcpdump's "truncated-ip - N bytes missing!"), 0 if none. */
  missing: number;
  /**
   * An IPv4 header that is the first fragment of its datagram (tcpdump prints the tunnel inside it, unreassembled):
   * its facts, for the reassembly of the whole datagram before the tunnel is analysed, as tshark does. Else null.
   */
  fragment: FragmentIp | null;
}

/** The facts of an IP header that IpDefragmenter reads (an IpInfo has them all). */
export interface FragmentIp {
  version: 4 | 6;
  headerOffset: number;
  headerLen: number;
  payloadLen: number;
  lengthField: number;
  id: number;
  fragOffset: number;
  moreFragments: boolean;
  capEnd: number;
  headerProtocol: number;
}

/** A GRE header (RFC 2784, RFC 2890 key and sequence number; version 1 is PPTP's, RFC 2637). */
export interface GreNote extends LinkNote {
  kind: 'gre';
  /** The captured part of the header, a view (cut where the capture or the header ends). */
  header: Uint8Array;
  /** Bytes from the GRE header to the end of the datagram (tcpdump's `length` in gre_print). */
  length: number;
  /** Whether the payload was decoded as a tunnel (IPv4, IPv6, Ethernet, MPLS); when false the line stops here. */
  tunnel: boolean;
}

/** A VXLAN header (RFC 7348 §5) and the UDP ports that carried it. */
export interface VxlanNote extends LinkNote {
  kind: 'vxlan';
  /** The outer addresses, views; printed with the ports when the outer header's protocol field is UDP. */
  src: Uint8Array;
  dst: Uint8Array;
  withAddresses: boolean;
  srcPort: number;
  dstPort: number;
  flags: number;
  vni: number;
}

/** An MPLS label stack (RFC 3032 §2.1). */
export interface MplsNote extends LinkNote {
  kind: 'mpls';
  /** The complete label entries captured, a view (4 bytes each). */
  stack: Uint8Array;
  /** 4 or 6 when tcpdump's print-mpls.c guess found IP after the stack, 0 otherwise. */
  payload: number;
}

/** An IPsec Authentication Header (RFC 4302 §2). */
export interface AhNote extends LinkNote {
  kind: 'ah';
  /** The captured part of the header, a view: at most (payload length + 2) * 4 bytes. */
  header: Uint8Array;
  /** The header length the AH says it has, (ah_len + 2) * 4. */
  headerLen: number;
}

/** An IPv6 extension header walked (RFC 8200 §4): hop-by-hop 0, routing 43, fragment 44, destination 60. */
export interface Ip6ExtNote extends LinkNote {
  kind: 'ip6-ext';
  nextHeader: number;
  /** The extension header, a view (its captured part). */
  header: Uint8Array;
  /** For fragment headers: the fragment's payload length as tcpdump computes it (IPv6 payload length minus
   *  the headers before the fragment's payload); negative when the headers claim more than the payload length. */
  fragPayloadLen: number;
}

/** IP payload compression (RFC 3173): tcpdump prints the CPI and stops. */
export interface IpcompNote extends LinkNote {
  kind: 'ipcomp';
  cpi: number;
  /** The protocol of the compressed payload (RFC 3173 §2.2), -1 when not captured. */
  nextHeader: number;
}

/** The capture ends inside a header: tcpdump prints " [|protocol]" and stops. */
export interface TruncNote extends LinkNote {
  kind: 'trunc';
  /** tcpdump's protocol name for the layer cut: 'ether', 'vlan', 'sll', 'ip', 'ip6', 'ah', 'hbhopt', ... */
  protocol: string;
  /** True when the IPv4 printer had already printed its "IP " word (version read, header cut). */
  afterIpWord: boolean;
  /**
   * Offset in record.data of an IP header the capture cut (its version read), when its protocol field may still be
   * there: a cut TCP packet is still a TCP packet of the timeline (isTcpPacket), as tcpdump prints it (`IP  [|ip]`).
   */
  headerOffset?: number;
}

/** An IP header whose version nibble is not the one the link layer announced. */
export interface IpVersionNote extends LinkNote {
  kind: 'ip-version';
  /** 4 or 6 as announced by the link layer; 0 for raw IP links that dispatch on the nibble. */
  expected: number;
  version: number;
  /** Offset of the header in record.data. */
  offset: number;
}

/** Fewer bytes on the wire than a minimal IP header (tcpdump's "truncated-ip N" / "truncated-ip6 N"). */
export interface IpShortNote extends LinkNote {
  kind: 'ip-short';
  version: 4 | 6;
  wireLen: number;
}

/** An IPv6 extension-header chain tcpdump rejects ("[The Hop-by-Hop Options header ...] (invalid)"). */
export interface Ip6InvalidNote extends LinkNote {
  kind: 'ip6-invalid';
  reason: 'hbh-repeated' | 'hbh-not-first' | 'no-jumbo' | 'routing-type' | 'routing-length' | 'mobility';
}

/** A frame that is not IP (ARP, LLDP, an unsupported link type): the renderer prints a short summary. */
export interface NonIpNote extends LinkNote {
  kind: 'non-ip';
  linkType: number;
  /** The EtherType / PPP protocol / address family the link layer carries, or -1. */
  etherType: number;
  /** Bytes on the wire after the link header. */
  wireLen: number;
  /** Offset in record.data of the bytes after the link header (-1 when unknown). */
  offset: number;
  /** Why it is not decoded further: 'ethertype', 'llc', 'linktype', 'af', '802.11', 'pppoe', 'arcnet', 'nflog'. */
  what: string;
}

/** A jumbo datagram (RFC 2675) longer than the frame: tcpdump's "truncated-ip6 - N bytes missing!". */
export interface IpMissingNote extends LinkNote {
  kind: 'ip-missing';
  missing: number;
}

/** tcpdump stops printing here without any marker (an IPv6 first fragment with nothing captured after it). */
export interface StopNote extends LinkNote {
  kind: 'stop';
}

export type AnyNote =
  | Sll2Note | SllVlanNote | RadiotapNote | PppoeNote | OuterIpNote | GreNote | VxlanNote | MplsNote | AhNote | Ip6ExtNote | IpcompNote | TruncNote
  | IpVersionNote | IpShortNote | Ip6InvalidNote | NonIpNote | StopNote | IpMissingNote;
