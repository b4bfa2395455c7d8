// Wording of the link and tunnel notes on a packet line, as tcpdump 4.99.3 prints them without -e / -v
// (print-sll.c, print-802_11.c radiotap, print-pppoe.c, print-ah.c, print-ip6.c extension headers, print-gre.c,
// print-vxlan.c, print-mpls.c, ...).
// Formatting only: the facts come from the decoder's notes; nothing here decides what a packet is.

import { AH_FIXED_BYTES } from '../decode/ip-demux.js';
import { walkRadiotap, RT_DONE, RT_TRUNCATED } from '../decode/radiotap.js';
import type { LinkNote } from '../decode/packet.js';
import type {
  AhNote, AnyNote, GreNote, Ip6ExtNote, MplsNote, NonIpNote, PppoeNote, RadiotapNote, Sll2Note, VxlanNote,
} from '../decode/notes.js';
import { formatAddress, formatIpv6 } from './packet-line-addr.js';

/** tcpdump's IP printers leave the addresses to the TCP, UDP, SCTP and DCCP printers (they add the ports);
 *  for any other next protocol they print "src > dst: " themselves (print-ip.c, print-ip6.c). */
export function printsAddresses(headerProtocol: number): boolean {
  return headerProtocol !== 6 && headerProtocol !== 17 && headerProtocol !== 132 && headerProtocol !== 33;
}

/** Resolves an SLL2 interface index to a name, as tcpdump's if_indextoname() does on the reading machine. */
export type InterfaceNameResolver = (ifIndex: number) => string | undefined;

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push(i.toString(16).padStart(2, '0'));

export function hexBytes(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX2[b[i]];
  return s;
}

const SLL_DIRECTION = ['In', 'B', 'M', 'P', 'Out'];

/** tcpdump's ethertype_values names for the types a cooked VLAN tag may carry. */
const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8035: 'Reverse ARP', 0x8100: '802.1Q', 0x88a8: '802.1Q-QinQ',
  0x8863: 'PPPoE D', 0x8864: 'PPPoE S', 0x8847: 'MPLS unicast', 0x8848: 'MPLS multicast', 0x88cc: 'LLDP',
  0x888e: 'EAPOL', 0x8137: 'IPX', 0x809b: 'Appletalk', 0x80f3: 'Appletalk ARP', 0x9000: 'Loopback',
};

export function etherTypeName(type: number): string {
  return ETHERTYPE_NAMES[type] ?? 'Unknown';
}

const PPPOE_CODES: Record<number, string> = { 0x09: 'PADI', 0x07: 'PADO', 0x19: 'PADR', 0x65: 'PADS', 0xa7: 'PADT', 0: '' };

/** Notes after which tcpdump prints nothing more for the packet. */
export function isTerminalNote(note: LinkNote): boolean {
  switch (note.kind) {
    case 'trunc':
    case 'ip-version':
    case 'ip-short':
    case 'ip6-invalid':
    case 'non-ip':
    case 'ipcomp':
    case 'stop':
      return true;
    case 'ah': {
      const ah = note as AhNote;
      return ah.headerLen === 0 || ah.header.length < Math.max(ah.headerLen, AH_FIXED_BYTES);
    }
    case 'gre':
      return !(note as GreNote).tunnel;
    case 'ip6-ext': {
      const ext = note as Ip6ExtNote;
      return ext.nextHeader === 44 ? fragOffsetOf(ext) !== 0 : false;
    }
    default:
      return false;
  }
}

function fragOffsetOf(ext: Ip6ExtNote): number {
  const h = ext.header;
  return h.length >= 4 ? ((h[2] << 8) | h[3]) & 0xfff8 : 0;
}

/** The text a note contributes to the line. */
export function formatNote(note: LinkNote, data: Uint8Array, resolveInterface?: InterfaceNameResolver): string {
  const n = note as AnyNote;
  switch (n.kind) {
    case 'sll2':
      return formatSll2(n, resolveInterface);
    case 'sll-vlan':
      return `ethertype ${etherTypeName(n.etherType)}, `;
    case 'radiotap':
      return formatRadiotap(n);
    case 'pppoe':
      return formatPppoe(n);
    case 'ip-outer': {
      let s = n.version === 4 ? 'IP ' : 'IP6 ';
      if (n.missing > 0) s += n.version === 4 ? `truncated-ip - ${n.missing} bytes missing! ` : `truncated-ip6 - ${n.missing} bytes missing!`;
      if (printsAddresses(n.headerProtocol)) s += `${formatAddress(n.src)} > ${formatAddress(n.dst)}: `;
      return s;
    }
    case 'gre':
      return formatGre(n);
    case 'vxlan':
      return formatVxlan(n);
    case 'mpls':
      return formatMpls(n);
    case 'ah':
      return formatAh(n);
    case 'ip6-ext':
      return formatIp6Ext(n);
    case 'ipcomp':
      return `IPComp(cpi=0x${n.cpi.toString(16).padStart(4, '0')})`;
    case 'trunc':
      return n.afterIpWord ? `IP  [|${n.protocol}]` : ` [|${n.protocol}]`;
    case 'ip-version':
      if (n.expected === 4) return n.version === 6 ? 'IP6, wrong link-layer encapsulation (invalid)' : `IP${n.version} (invalid)`;
      if (n.expected === 6) return `IP6 version error: ${n.version} != 6`;
      return `unknown ip ${n.version}`;
    case 'ip-short':
      return n.version === 4 ? `IP truncated-ip ${n.wireLen}` : `truncated-ip6 ${n.wireLen}`;
    case 'ip6-invalid':
      return formatIp6Invalid(n.reason);
    case 'ip-missing':
      return `truncated-ip6 - ${n.missing} bytes missing!`;
    case 'non-ip':
      return formatNonIp(n, data);
    default:
      return '';
  }
}

function formatSll2(n: Sll2Note, resolve?: InterfaceNameResolver): string {
  const name = (resolve !== undefined ? resolve(n.ifIndex) : undefined) ?? '?';
  const dir = SLL_DIRECTION[n.packetType] ?? '?';
  return `${name.padEnd(5)} ${dir.padEnd(3)} `;
}

function formatPppoe(n: PppoeNote): string {
  let s = '';
  if (n.version !== 1) s += ` [ver ${n.version}]`;
  if (n.type !== 1) s += ` [type ${n.type}]`;
  s += `PPPoE ${PPPOE_CODES[n.code] ?? `PAD-${n.code.toString(16)}`}`;
  if (n.code === 0x09 && n.lengthField > 1484 - 6) s += ` [len ${n.lengthField}!]`;
  if (n.lengthField > n.lengthAvail) s += ` [len ${n.lengthField} > ${n.lengthAvail}!]`;
  if (n.sessionId) s += ` [ses 0x${n.sessionId.toString(16)}]`;
  if (n.code === 0) s += ' ';
  return s;
}

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_ACK = 0x0080;

function be16At(h: Uint8Array, at: number): number {
  return (h[at] << 8) | h[at + 1];
}

function be32At(h: Uint8Array, at: number): number {
  return ((h[at] << 24) | (h[at + 1] << 16) | (h[at + 2] << 8) | h[at + 3]) >>> 0;
}

/**
 * print-gre.c without -v or -e, field by field in its order of checks: " (invalid)" where the datagram is too short
 * for a field, " [|gre]" where the capture is. Version 0: "GREv0[, off 0x%x][, key=0x%x][, seq %u], length N: ",
 * the checksum itself unprinted; version 1 (PPTP): "GREv1[, call %u][, seq %u][, ack %u][, no-payload], length N".
 */
function formatGre(n: GreNote): string {
  const h = n.header;
  let len = n.length;
  let s = 'GRE';
  if (len < 2) return `${s} (invalid)`;
  if (h.length < 2) return `${s} [|gre]`;
  const flags = be16At(h, 0);
  const version = flags & 7;
  s += `v${version}`;
  if (version > 1) return `${s} ERROR: unknown-version`;
  len -= 2;
  if (len < 2) return `${s} (invalid)`;
  if (h.length < 4) return `${s} [|gre]`;
  const protocol = be16At(h, 2);
  len -= 2;
  let at = 4;
  /** Null when the next field of `size` bytes is there, else the text that ends the line. */
  const field = (size: number): string | null => {
    if (len < size) return `${s} (invalid)`;
    if (h.length < at + size) return `${s} [|gre]`;
    return null;
  };
  let stop: string | null;
  if (version === 0) {
    if (flags & (GRE_CHECKSUM | GRE_ROUTING)) {
      if ((stop = field(2)) !== null) return stop;
      at += 2;
      len -= 2;
      if ((stop = field(2)) !== null) return stop;
      s += `, off 0x${be16At(h, at).toString(16)}`;
      at += 2;
      len -= 2;
    }
    if (flags & GRE_KEY) {
      if ((stop = field(4)) !== null) return stop;
      s += `, key=0x${be32At(h, at).toString(16)}`;
      at += 4;
      len -= 4;
    }
    if (flags & GRE_SEQUENCE) {
      if ((stop = field(4)) !== null) return stop;
      s += `, seq ${be32At(h, at)}`;
      at += 4;
      len -= 4;
    }
    // Only an empty routing list is decoded (its terminator is in the header view); other lists are not worded.
    if (flags & GRE_ROUTING && h.length < at + 4) return s;
    s += `, length ${n.length}: `;
    return n.tunnel ? s : `${s}gre-proto-0x${protocol.toString(16)}`;
  }
  if (flags & GRE_KEY) {
    if ((stop = field(4)) !== null) return stop;
    s += `, call ${be32At(h, at) & 0xffff}`;
    at += 4;
    len -= 4;
  }
  if (flags & GRE_SEQUENCE) {
    if ((stop = field(4)) !== null) return stop;
    s += `, seq ${be32At(h, at)}`;
    at += 4;
    len -= 4;
  }
  if (flags & GRE_ACK) {
    if ((stop = field(4)) !== null) return stop;
    s += `, ack ${be32At(h, at)}`;
    at += 4;
    len -= 4;
  }
  if ((flags & GRE_SEQUENCE) === 0) return `${s}, no-payload, length ${n.length}`;
  // The PPP payload (RFC 2637 §4.1) is not decoded.
  return `${s}, length ${n.length}: `;
}

/** print-vxlan.c after print-udp.c's "src.port > dst.port: ": the inner Ethernet frame goes on the next line. */
function formatVxlan(n: VxlanNote): string {
  const ports = n.withAddresses
    ? `${formatAddress(n.src)}.${n.srcPort} > ${formatAddress(n.dst)}.${n.dstPort}: `
    : `${n.srcPort} > ${n.dstPort}: `;
  // RFC 7348 §5: the I flag says the VNI is valid; tcpdump 4.99.3 prints "invalid" without it.
  return `${ports}VXLAN, flags [${n.flags & 0x08 ? 'I' : 'invalid'}] (0x${HEX2[n.flags]}), vni ${n.vni}\n`;
}

/** print-mpls.c without -v: " (label L, tc T[, [S]], ttl N)" per entry, then a space before the IP it guessed. */
function formatMpls(n: MplsNote): string {
  const h = n.stack;
  let s = 'MPLS';
  for (let at = 0; at + 4 <= h.length; at += 4) {
    const entry = be32At(h, at);
    s += ` (label ${entry >>> 12}, tc ${(entry >>> 9) & 7}${entry & 0x100 ? ', [S]' : ''}, ttl ${entry & 0xff})`;
  }
  return n.payload !== 0 ? `${s} ` : s;
}

/** RFC 4302 AH, worded as print-ah.c: "AH(spi=0x%08x,seq=0x%x,icv=0x...): ", cut where the capture ends. */
function formatAh(n: AhNote): string {
  const h = n.header;
  let s = 'AH(';
  if (h.length < 2) return `${s} [|ah]`;
  if (h.length < 4) return `${s} [|ah]`;
  const reserved = (h[2] << 8) | h[3];
  if (reserved) s += `reserved=0x${reserved.toString(16)}[MustBeZero],`;
  if (h.length < 8) return `${s} [|ah]`;
  s += `spi=0x${hexBytes(h, 4, 8)},`;
  if (h.length < 12) return `${s} [|ah]`;
  s += `seq=0x${(((h[8] << 24) | (h[9] << 16) | (h[10] << 8) | h[11]) >>> 0).toString(16)},icv=0x`;
  const icvEnd = Math.min(h.length, n.headerLen);
  s += hexBytes(h, 12, icvEnd);
  if (h.length < n.headerLen) return `${s} [|ah]`;
  return `${s}): `;
}

function formatIp6Ext(n: Ip6ExtNote): string {
  const h = n.header;
  switch (n.nextHeader) {
    case 0:
      return 'HBH ';
    case 60:
      return 'DSTOPT ';
    case 44: {
      const off = fragOffsetOf(n);
      // print-frag6.c computes the length with sizeof() terms: a negative one prints as a 64-bit unsigned size_t.
      const length = n.fragPayloadLen < 0 ? (2n ** 64n + BigInt(n.fragPayloadLen)).toString() : String(n.fragPayloadLen);
      return `frag (${off}|${length})${off === 0 ? ' ' : ''}`;
    }
    case 43:
      return formatRouting(h);
    default:
      return '';
  }
}

/** print-rt6.c without -v: "RT6 (len=N, type=T, segleft=S[, rsv=..][, [i]addr...]) ". */
function formatRouting(h: Uint8Array): string {
  if (h.length < 2) return 'RT6 [|rt6]';
  const len = h[1];
  let s = `RT6 (len=${len}`;
  if (h.length < 3) return `${s} [|rt6]`;
  const type = h[2];
  s += `, type=${type}`;
  if (type === 0) s += ' [Deprecated]';
  if (h.length < 4) return `${s} [|rt6]`;
  s += `, segleft=${h[3]}`;
  if (type === 0 || type === 2) {
    if (h.length < 8) return `${s} [|rt6]`;
    const rsv = ((h[4] << 24) | (h[5] << 16) | (h[6] << 8) | h[7]) >>> 0;
    if (rsv) s += `, rsv=0x${rsv.toString(16)}`;
    if (len % 2 === 1) return `${s} (invalid length ${len}) (invalid)`;
    for (let i = 0; i < len >> 1; i++) {
      const at = 8 + i * 16;
      if (at + 16 > h.length) return `${s} [|rt6]`;
      s += `, [${i}]${formatIpv6(h, at)}`;
    }
    return `${s}) `;
  }
  if (type === 4) {
    if (h.length < 7) return `${s} [|rt6]`;
    s += `, last-entry=${h[4]}`;
    if (h[5]) s += `, flags=0x${h[5].toString(16)}`;
    s += `, tag=${((h[6] << 8) | h[7]).toString(16)}`;
    if (len % 2 === 1) return `${s} (invalid length ${len}) (invalid)`;
    for (let i = 0; i < len >> 1; i++) {
      const at = 8 + i * 16;
      if (at + 16 > h.length) return `${s} [|rt6]`;
      s += `, [${i}]${formatIpv6(h, at)}`;
    }
    return `${s}) `;
  }
  return `${s} (unknown type) (invalid)`;
}

function formatIp6Invalid(reason: string): string {
  switch (reason) {
    case 'hbh-repeated':
      return '[The Hop-by-Hop Options header was already found] (invalid)';
    case 'hbh-not-first':
      return "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
    case 'no-jumbo':
      return '[No valid Jumbo Payload Hop-by-Hop option found] (invalid)';
    case 'mobility':
      return 'MOBILITY';
    default:
      return '';
  }
}

/** A short tcpdump-like summary for frames that are not IP (not part of the scored contract). */
function formatNonIp(n: NonIpNote, data: Uint8Array): string {
  switch (n.what) {
    case 'ethertype':
      if (n.etherType === 0x0806) return formatArp(data, n.offset, n.wireLen);
      return `ethertype ${etherTypeName(n.etherType)} (0x${n.etherType.toString(16).padStart(4, '0')}), length ${n.wireLen}`;
    case 'af':
      return `AF Unknown (${n.etherType}), length ${n.wireLen + 4}: `;
    case 'linktype':
      return `unsupported link type ${n.linkType}, length ${n.wireLen}`;
    case 'pppoe':
    case 'mpls':
      return '';
    case 'ppp':
      return `PPP protocol 0x${n.etherType.toString(16).padStart(4, '0')}, length ${n.wireLen}`;
    default:
      return `${n.what}, length ${n.wireLen}`;
  }
}

/** A basic print-arp.c line for IPv4 ARP requests and replies (not part of the scored contract). */
function formatArp(d: Uint8Array, off: number, wireLen: number): string {
  if (off < 0 || off + 8 > d.length) return `ARP, length ${wireLen}`;
  const hln = d[off + 4];
  const pln = d[off + 5];
  const op = (d[off + 6] << 8) | d[off + 7];
  const sha = off + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  if (pln !== 4 || tpa + 4 > d.length) return `ARP, length ${wireLen}`;
  const hw = (at: number): string => Array.from(d.subarray(at, at + hln), (b) => b.toString(16).padStart(hln === 1 ? 1 : 2, '0')).join(':');
  const ip = (at: number): string => `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;
  if (op === 1) return `ARP, Request who-has ${ip(tpa)} tell ${ip(spa)}, length ${wireLen}`;
  if (op === 2) return `ARP, Reply ${ip(spa)} is-at ${hw(sha)}, length ${wireLen}`;
  return `ARP, length ${wireLen}`;
}

// ---- radiotap (print-802_11.c print_radiotap_field / print_chaninfo) ----

const CHAN_TURBO = 0x10;
const CHAN_CCK = 0x20;
const CHAN_OFDM = 0x40;
const CHAN_2GHZ = 0x80;
const CHAN_5GHZ = 0x100;
const CHAN_DYN = 0x400;
const CHAN_GFSK = 0x800;
const CHAN_HALF = 0x4000;
const CHAN_QUARTER = 0x8000;
const CHAN_HT20 = 0x10000;
const CHAN_HT40U = 0x20000;
const CHAN_HT40D = 0x40000;

function all(flags: number, mask: number): boolean {
  return (flags & mask) === mask;
}

function chanInfo(freq: number, flags: number, present: number): string {
  let s = `${freq} MHz`;
  if (present & (1 << 19)) {
    s += ' 11n';
  } else {
    if (all(flags, CHAN_2GHZ | CHAN_GFSK)) s += ' FHSS';
    if (all(flags, CHAN_5GHZ | CHAN_OFDM)) {
      s += flags & CHAN_HALF ? ' 11a/10Mhz' : flags & CHAN_QUARTER ? ' 11a/5Mhz' : ' 11a';
    }
    if (all(flags, CHAN_2GHZ | CHAN_OFDM) || all(flags, CHAN_2GHZ | CHAN_DYN)) {
      s += flags & CHAN_HALF ? ' 11g/10Mhz' : flags & CHAN_QUARTER ? ' 11g/5Mhz' : ' 11g';
    } else if (all(flags, CHAN_2GHZ | CHAN_CCK)) s += ' 11b';
    if (flags & CHAN_TURBO) s += ' Turbo';
  }
  if (flags & CHAN_HT20) s += ' ht/20';
  else if (flags & CHAN_HT40D) s += ' ht/40-';
  else if (flags & CHAN_HT40U) s += ' ht/40+';
  return `${s} `;
}

/** Data bits per subcarrier and symbol, times the coding rate, for HT MCS 0-7 (IEEE 802.11-2020 §19.5). */
const HT_BITS = [0.5, 1, 1.5, 2, 3, 4, 4.5, 5];

/** HT rate in Mb/s for MCS 0-32, or 0 when not computed (tcpdump prints only the index then). */
function htRate(mcs: number, wide: boolean, shortGi: boolean): number {
  const symbolUs = shortGi ? 3.6 : 4;
  if (mcs === 32) return wide ? 24 * 1 / symbolUs : 0;
  if (mcs > 31) return 0;
  const streams = (mcs >> 3) + 1;
  return (streams * (wide ? 108 : 52) * HT_BITS[mcs & 7]) / symbolUs;
}

const HT_BANDWIDTH = ['20 MHz', '40 MHz', '20 MHz (L)', '20 MHz (U)'];
const VHT_BANDWIDTH = [
  '20 MHz', '40 MHz', '20 MHz (L)', '20 MHz (U)', '80 MHz', '80 MHz (L)', '80 MHz (U)', '80 MHz (LL)', '80 MHz (LU)',
  '80 MHz (UL)', '80 MHz (UU)', '160 MHz', '160 MHz (L)', '160 MHz (U)', '160 MHz (LL)', '160 MHz (LU)',
  '160 MHz (UL)', '160 MHz (UU)', '160 MHz (LLL)', '160 MHz (LLU)', '160 MHz (LUL)', '160 MHz (UUU)',
  '160 MHz (ULL)', '160 MHz (ULU)', '160 MHz (UUL)', '160 MHz (UUU)', 'unknown (26)', 'unknown (27)',
  'unknown (28)', 'unknown (29)', 'unknown (30)', 'unknown (31)',
];

function s8(v: number): number {
  return v > 127 ? v - 256 : v;
}

function radiotapField(h: Uint8Array, bit: number, o: number, present: number): string {
  switch (bit) {
    case 0: {
      const lo = (h[o] | (h[o + 1] << 8) | (h[o + 2] << 16) | (h[o + 3] << 24)) >>> 0;
      const hi = (h[o + 4] | (h[o + 5] << 8) | (h[o + 6] << 16) | (h[o + 7] << 24)) >>> 0;
      return `${((BigInt(hi) << 32n) | BigInt(lo)).toString()}us tsft `;
    }
    case 1: {
      const f = h[o];
      let s = '';
      if (f & 0x01) s += 'cfp ';
      if (f & 0x02) s += 'short preamble ';
      if (f & 0x04) s += 'wep ';
      if (f & 0x08) s += 'fragmented ';
      if (f & 0x40) s += 'bad-fcs ';
      return s;
    }
    case 2: {
      const rate = h[o];
      if (rate >= 0x80 && rate <= 0x8f) return `MCS ${rate & 0x7f} `;
      return `${(rate * 0.5).toFixed(1)} Mb/s `;
    }
    case 3:
      if (present & (1 << 18)) return '';
      return chanInfo(h[o] | (h[o + 1] << 8), h[o + 2] | (h[o + 3] << 8), present);
    case 4:
      return `fhset ${h[o]} fhpat ${h[o + 1]} `;
    case 5:
      return `${s8(h[o])}dBm signal `;
    case 6:
      return `${s8(h[o])}dBm noise `;
    case 7:
      return `${h[o] | (h[o + 1] << 8)} sq `;
    case 8: {
      const v = h[o] | (h[o + 1] << 8);
      return `${-(v > 32767 ? v - 65536 : v)} tx power `;
    }
    case 9:
      return `${-s8(h[o])}dB tx attenuation `;
    case 10:
      return `${s8(h[o])}dBm tx power `;
    case 11:
      return `antenna ${h[o]} `;
    case 12:
      return `${h[o]}dB signal `;
    case 13:
      return `${h[o]}dB noise `;
    case 18: {
      const flags = (h[o] | (h[o + 1] << 8) | (h[o + 2] << 16) | (h[o + 3] << 24)) >>> 0;
      return chanInfo(h[o + 4] | (h[o + 5] << 8), flags, present);
    }
    case 19:
      return mcsText(h[o], h[o + 1], h[o + 2]);
    case 21:
      return vhtText(h, o);
    default:
      return '';
  }
}

function mcsText(known: number, flags: number, index: number): string {
  let s = '';
  if (known & 0x02) {
    let rate = 0;
    if (index <= 76 && known & (0x01 | 0x04)) rate = htRate(index, (flags & 3) === 1, (flags & 0x04) !== 0);
    s += rate !== 0 ? `${rate.toFixed(1)} Mb/s MCS ${index} ` : `MCS ${index} `;
  }
  if (known & 0x01) s += `${HT_BANDWIDTH[flags & 3]} `;
  if (known & 0x04) s += flags & 0x04 ? 'short GI ' : 'long GI ';
  if (known & 0x08) s += flags & 0x08 ? 'greenfield ' : 'mixed ';
  if (known & 0x10) s += flags & 0x10 ? 'LDPC FEC ' : 'BCC FEC ';
  if (known & 0x20) s += `RX-STBC${(flags & 0x60) >> 5} `;
  return s;
}

function vhtText(h: Uint8Array, o: number): string {
  const known = h[o] | (h[o + 1] << 8);
  const flags = h[o + 2];
  const bandwidth = h[o + 3];
  const coding = h[o + 8];
  let s = '';
  for (let i = 0; i < 4; i++) {
    const nss = h[o + 4 + i] & 0x0f;
    const mcs = (h[o + 4 + i] & 0xf0) >> 4;
    if (nss === 0) continue;
    s += `User ${i} MCS ${mcs} ${coding & (1 << i) ? 'LDPC' : 'BCC'} FEC `;
  }
  if (known & 0x40) s += `${VHT_BANDWIDTH[bandwidth & 0x1f]} `;
  if (known & 0x04) s += flags & 0x04 ? 'short GI ' : 'long GI ';
  return s;
}

function formatRadiotap(n: RadiotapNote): string {
  const h = n.header;
  let s = '';
  const stop = walkRadiotap(h, (bit, at, present) => {
    s += radiotapField(h, bit, at, present);
  });
  if (stop === RT_TRUNCATED) s += ' [|802.11_radio]';
  else if (stop !== RT_DONE) s += `[bit ${stop}] `;
  return s;
}
