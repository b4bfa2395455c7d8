// formatPacketLine: the line `tcpdump -nn` (4.99.3) prints for a packet, exact for TCP up to "length N",
// plus tcpdump's ": HTTP: <start line>" on ports 80/8080. Pure: sequence numbers come from a TcpdumpSeq view.
// Must not analyse or keep state between packets (the caller passes previous/first timestamps).

import type { IpInfo, Packet, TcpHeader } from '../decode/packet.js';
import type { TcpdumpSeqView } from '../tcp/tcpdump-seq.js';
import { TCPDUMP_MAXIMUM_SNAPLEN, tcpdumpRejectsRecord } from '../decode/common.js';
import { latin1 } from '../decode/latin1.js';
import { formatAddressAt, formatIpv4, formatIpv6 } from './packet-line-addr.js';
import {
  formatNote, isTerminalNote, printsAddresses, type InterfaceNameResolver,
} from './packet-line-link.js';
import { writeTcpOptions, type OptionsInput } from './packet-line-options.js';
import { writeTimestamp, type TimestampOptions } from './timestamp.js';
import { StringOut, type LineOut } from './line-out.js';

export type { InterfaceNameResolver } from './packet-line-link.js';

export interface PacketLineOptions extends TimestampOptions {
  /** tcpdump -#: prefix the line with this number as "%5u  ". */
  number?: number;
  /** SLL2 interface names (tcpdump asks the machine it runs on); "?" when absent or unresolved. */
  interfaceName?: InterfaceNameResolver;
}


const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;
const TH_URG = 0x20;

/** "Flags [...]" letters for each value of the 8-bit flag byte, in tcpdump's tcp_flag_values order
 *  (the AE/NS bit is not printed by 4.99.3). */
const FLAG_TEXT: string[] = [];
{
  const letters: [number, string][] = [
    [0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'],
  ];
  for (let f = 0; f < 256; f++) {
    let s = '';
    for (const [bit, letter] of letters) if (f & bit) s += letter;
    FLAG_TEXT.push(s === '' ? 'none' : s);
  }
}

/** tcpdump's letters for a TCP flag field ("S.", "FP.", "none"); the AE bit is not printed, as in 4.99.3. */
export function tcpFlagsString(flags: number): string {
  return FLAG_TEXT[flags & 0xff]!;
}

/** tcpdump -# prefix: the number right-aligned in five columns, then two spaces. */
export function numberPrefix(n: number): string {
  const s = String(n);
  return s.length >= 5 ? `${s}  ` : `${'     '.slice(s.length)}${s}  `;
}

/** The "[Invalid header: ...]" text tcpdump prints instead of a packet whose record lengths are impossible,
 *  or null when the record is fine (print.c pretty_print_packet). */
export function invalidHeaderText(capLen: number, origLen: number): string | null {
  if (!tcpdumpRejectsRecord(capLen, origLen)) return null;
  let s = '';
  if (capLen === 0) s = '[Invalid header: caplen==0';
  if (origLen === 0) s += s === '' ? '[Invalid header: len==0' : ', len==0';
  else if (origLen < capLen) s += `${s === '' ? '[Invalid header:' : ','} len(${origLen}) < caplen(${capLen})`;
  if (capLen > TCPDUMP_MAXIMUM_SNAPLEN) s += `${s === '' ? '[Invalid header:' : ','} caplen(${capLen}) > ${TCPDUMP_MAXIMUM_SNAPLEN}`;
  if (origLen > TCPDUMP_MAXIMUM_SNAPLEN) s += `${s === '' ? '[Invalid header:' : ','} len(${origLen}) > ${TCPDUMP_MAXIMUM_SNAPLEN}`;
  return s === '' ? null : `${s}]`;
}

/** The whole packet line (without a newline). A StringOut of its own per call: nothing a failed call (a throwing
 *  interface-name resolver) or a nested one wrote can show up in another line. */
export function formatPacketLine(packet: Packet, seqView: TcpdumpSeqView, opts: PacketLineOptions): string {
  const out = new StringOut();
  writePacketLine(out, packet, seqView, opts);
  return out.take();
}

/** The whole packet line (without a newline), written to `o` in order. */
export function writePacketLine(o: LineOut, packet: Packet, seqView: TcpdumpSeqView, opts: PacketLineOptions): void {
  const rec = packet.record;
  if (opts.number !== undefined) o.ascii(numberPrefix(opts.number));
  const invalid = invalidHeaderText(rec.capLen, rec.origLen);
  if (invalid !== null) {
    o.ascii(invalid);
    return;
  }
  writeTimestamp(o, rec, opts);
  writePacketBody(o, packet, seqView, opts.interfaceName);
}

/** Everything after the timestamp (what the packet-line tests compare, without a clock). */
export function formatPacketBody(packet: Packet, seqView: TcpdumpSeqView, resolve?: InterfaceNameResolver): string {
  const out = new StringOut();
  writePacketBody(out, packet, seqView, resolve);
  return out.take();
}

function writePacketBody(o: LineOut, packet: Packet, seqView: TcpdumpSeqView, resolve?: InterfaceNameResolver): void {
  const notes = packet.linkNotes;
  const ip = packet.ip;
  const limit = ip !== null ? Math.min(ip.noteIndex, notes.length) : notes.length;
  for (let i = 0; i < limit; i++) {
    o.text(formatNote(notes[i], packet.record.data, resolve));
    if (isTerminalNote(notes[i])) return;
  }
  if (ip === null) return;
  if (ip.version === 4) ipv4Part(o, packet, ip, seqView, resolve);
  else ipv6Part(o, packet, ip, seqView, resolve);
}

function srcText(data: Uint8Array, ip: IpInfo): string {
  return formatAddressAt(data, ip.headerOffset + (ip.version === 4 ? 12 : 8), ip.version === 4 ? 4 : 16);
}

function dstText(data: Uint8Array, ip: IpInfo): string {
  return formatAddressAt(data, ip.headerOffset + (ip.version === 4 ? 16 : 24), ip.version === 4 ? 4 : 16);
}

function addresses(packet: Packet, ip: IpInfo): string {
  const data = packet.record.data;
  return `${srcText(data, ip)} > ${dstText(data, ip)}`;
}

/** An address as tcpdump prints it: IPv4's four octets written as numbers (no string made), IPv6 as text. */
function writeAddress(o: LineOut, data: Uint8Array, ip: IpInfo, source: boolean): void {
  if (ip.version === 4) {
    const at = ip.headerOffset + (source ? 12 : 16);
    o.uint(data[at]!);
    o.ascii('.');
    o.uint(data[at + 1]!);
    o.ascii('.');
    o.uint(data[at + 2]!);
    o.ascii('.');
    o.uint(data[at + 3]!);
  } else {
    o.ascii(source ? srcText(data, ip) : dstText(data, ip));
  }
}

/** print-ip.c ip_print, in its order of checks. */
function ipv4Part(o: LineOut, packet: Packet, ip: IpInfo, seqView: TcpdumpSeqView, resolve?: InterfaceNameResolver): void {
  o.ascii('IP ');
  if (ip.wireLen < 20) return o.ascii(`truncated-ip ${ip.wireLen}`);
  if (ip.headerLen < 20) return o.ascii(`bad-hlen ${ip.headerLen}`);
  if (ip.wireLen < ip.lengthField) o.ascii(`truncated-ip - ${ip.lengthField - ip.wireLen} bytes missing! `);
  if (ip.lengthField < ip.headerLen) return o.ascii(`bad-len ${ip.lengthField}`);
  if (ip.fragOffset > 0) return o.ascii(`${addresses(packet, ip)}: ip-proto-${ip.headerProtocol}`);
  if (printsAddresses(ip.headerProtocol)) o.ascii(`${addresses(packet, ip)}: `);
  const captured = ip.capEnd - ip.headerOffset;
  if (captured < ip.headerLen) return o.ascii(` [remaining caplen(${captured}) < header length(${ip.headerLen})] [|ip]`);
  afterIpHeader(o, packet, ip, seqView, resolve);
}

/** print-ip6.c ip6_print (the extension headers are notes). */
function ipv6Part(o: LineOut, packet: Packet, ip: IpInfo, seqView: TcpdumpSeqView, resolve?: InterfaceNameResolver): void {
  o.ascii('IP6 ');
  if (ip.lengthField !== 0 && ip.wireLen < ip.lengthField + 40) {
    o.ascii(`truncated-ip6 - ${ip.lengthField + 40 - ip.wireLen} bytes missing!`);
  }
  if (printsAddresses(ip.headerProtocol)) o.ascii(`${addresses(packet, ip)}: `);
  afterIpHeader(o, packet, ip, seqView, resolve);
}

function afterIpHeader(o: LineOut, packet: Packet, ip: IpInfo, seqView: TcpdumpSeqView, resolve?: InterfaceNameResolver): void {
  const notes = packet.linkNotes;
  for (let i = ip.noteIndex; i < notes.length; i++) {
    o.text(formatNote(notes[i], packet.record.data, resolve));
    if (isTerminalNote(notes[i])) return;
  }
  const tcp = packet.tcp;
  switch (ip.protocol) {
    case 6:
      if (tcp === null) return o.ascii(`${addresses(packet, ip)}: [|tcp]`);
      return tcpPart(o, packet, ip, tcp, seqView);
    case 17:
      return o.text(udpPart(packet, ip));
    case 1:
    case 58:
      return o.ascii(icmpPart(packet, ip));
    case 59:
      return o.ascii('no next header');
    case 50:
      return o.ascii(espText(packet, ip));
    default:
      return o.ascii(` ip-proto-${ip.protocol} ${ip.payloadLen}`);
  }
}

/** Ports whose printers tcpdump tries before HTTP (print-tcp.c tcp_print's dispatch order). */
function httpPrinted(sport: number, dport: number): boolean {
  const earlier = (p: number): boolean =>
    p === 23 || p === 25 || p === 43 || p === 179 || p === 1723 || p === 6379 || p === 22 || p === 10288 ||
    p === 6633 || p === 6653 || p === 21;
  if (earlier(sport) || earlier(dport)) return false;
  return sport === 80 || dport === 80 || sport === 8080 || dport === 8080;
}

/** Reused for every packet's options (formatting is synchronous). */
const optionsInput: OptionsInput = {
  data: new Uint8Array(0), start: 0, declaredLen: 0, snapEnd: 0, flags: 0, payloadLen: 0, payloadStart: 0, sackBase: 0,
};

/** print-tcp.c tcp_print up to "length N", then the HTTP start line. */
function tcpPart(o: LineOut, packet: Packet, ip: IpInfo, tcp: TcpHeader, view: TcpdumpSeqView): void {
  const data = packet.record.data;
  if (ip.headerProtocol === 6) {
    writeAddress(o, data, ip, true);
    o.ascii('.');
    o.uint(tcp.srcPort);
    o.ascii(' > ');
    writeAddress(o, data, ip, false);
    o.ascii('.');
    o.uint(tcp.dstPort);
    o.ascii(': ');
  } else {
    o.uint(tcp.srcPort);
    o.ascii(' > ');
    o.uint(tcp.dstPort);
    o.ascii(': ');
  }
  if (tcp.capturedLen < 20) return o.ascii(' [|tcp]');
  const hlen = tcp.headerLen;
  const segmentLen = tcp.segmentLen;
  if (hlen < 20) {
    return o.ascii(` tcp ${(segmentLen - hlen) >>> 0} [bad hdr length ${hlen} - too short, < 20]`);
  }
  const flags = tcp.flags & 0xff;
  o.ascii('Flags [');
  o.ascii(FLAG_TEXT[flags]!);
  o.ascii(']');
  if (hlen > segmentLen) return o.ascii(` [bad hdr length ${hlen} - too long, > ${segmentLen}]`);
  const length = segmentLen - hlen;
  if (length > 0 || flags & (TH_SYN | TH_FIN | TH_RST)) {
    o.ascii(', seq ');
    o.uint(view.seq);
    if (length > 0) {
      o.ascii(':');
      o.uint((view.seq + length) >>> 0);
    }
  }
  if (flags & TH_ACK) {
    o.ascii(', ack ');
    o.uint(view.ack);
  }
  o.ascii(', win ');
  o.uint(tcp.window);
  if (flags & TH_URG) {
    o.ascii(', urg ');
    o.uint(tcp.urgentPtr);
  }
  const snapEnd = tcp.offset + tcp.capturedLen;
  let protocol = 'tcp';
  if (hlen > 20) {
    const input = optionsInput;
    input.data = data;
    input.start = tcp.offset + 20;
    input.declaredLen = hlen - 20;
    input.snapEnd = snapEnd;
    input.flags = flags;
    input.payloadLen = length;
    input.payloadStart = tcp.offset + hlen;
    input.sackBase = view.sackBase;
    const end = writeTcpOptions(o, input);
    if (end.terminal) return;
    protocol = end.protocol;
  }
  o.ascii(', length ');
  o.uint(length);
  if (length === 0) return;
  if (tcp.capturedLen < hlen) {
    return o.ascii(` [remaining caplen(${tcp.capturedLen}) < header length(${hlen})] [|${protocol}]`);
  }
  if (httpPrinted(tcp.srcPort, tcp.dstPort)) {
    o.ascii(': ');
    httpText(o, data, tcp.offset + hlen, length, snapEnd);
  }
}

/** RFC 9110 methods and WebDAV extensions tcpdump's print-http.c recognises as request starts. */
const HTTP_METHODS = new Set([
  'GET', 'PUT', 'COPY', 'HEAD', 'LOCK', 'MOVE', 'POLL', 'POST', 'BCOPY', 'BMOVE', 'MKCOL', 'TRACE', 'LABEL',
  'MERGE', 'DELETE', 'SEARCH', 'UNLOCK', 'REPORT', 'UPDATE', 'NOTIFY', 'BDELETE', 'CONNECT', 'OPTIONS',
  'CHECKIN', 'PROPFIND', 'CHECKOUT', 'CCM_POST', 'SUBSCRIBE', 'PROPPATCH', 'BPROPFIND', 'BPROPPATCH',
  'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'UNSUBSCRIBE', 'RPC_CONNECT', 'VERSION-CONTROL', 'BASELINE-CONTROL',
]);

/** tcpdump's MAX_TOKEN (util-print.c): longer tokens are not tokens. */
const MAX_TOKEN = 128;

/** fetchToken's result: where the next token starts (0 = no token) and the token's byte range. */
const tokenOut = { next: 0, start: 0, end: 0 };

/** util-print.c fetch_token: a printable-ASCII token and the white space after it; next = 0 when none. */
function fetchToken(d: Uint8Array, base: number, idx: number, len: number, snap: number): void {
  tokenOut.next = 0;
  const first = idx;
  for (; idx < len; idx++) {
    if (base + idx >= snap) return;
    const c = d[base + idx];
    if (c >= 0x80) return;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (c < 0x20 || c > 0x7e) return;
    if (idx - first + 2 > MAX_TOKEN + 1) return;
  }
  if (idx === first) return;
  tokenOut.start = base + first;
  tokenOut.end = base + idx;
  for (; idx < len; idx++) {
    if (base + idx >= snap) break;
    const c = d[base + idx];
    if (c === 0x0d || c === 0x0a) break;
    if (c < 0x20 || c > 0x7e) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  tokenOut.next = idx;
}

/**
 * Only letters, '-' and '_' (every name in HTTP_METHODS, upper-cased or not): the bytes of most body segments fail
 * here, before a string is made of them and upper-cased for the lookup.
 */
function methodShaped(d: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = d[i]! | 0x20;
    if (!((c >= 0x61 && c <= 0x7a) || d[i] === 0x2d || d[i] === 0x5f)) return false;
  }
  return true;
}

function isStatusCode(d: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 3) return false;
  for (let i = start; i < end; i++) if (d[i] < 0x30 || d[i] > 0x39) return false;
  return true;
}

/** print-http.c via util-print.c txtproto_print, without -v: "HTTP" and, for a request or status line,
 *  ": <first line>". */
function httpText(o: LineOut, d: Uint8Array, base: number, len: number, snap: number): void {
  let printThis = false;
  fetchToken(d, base, 0, len, snap);
  if (tokenOut.next !== 0) {
    if (tokenOut.end - tokenOut.start <= 16 && methodShaped(d, tokenOut.start, tokenOut.end) &&
        HTTP_METHODS.has(latin1(d, tokenOut.start, tokenOut.end).toUpperCase())) {
      printThis = true;
    }
    fetchToken(d, base, tokenOut.next, len, snap);
    if (tokenOut.next !== 0 && isStatusCode(d, tokenOut.start, tokenOut.end)) printThis = true;
  }
  if (!printThis) return o.ascii('HTTP');
  // util-print.c print_txt_line: printable ASCII up to LF or CR LF; a cut line ends with " [|http]". The bytes
  // printed are the ones this loop checked: tab and 0x20-0x7e only.
  for (let idx = 0; idx < len; idx++) {
    if (base + idx >= snap) return o.ascii('HTTP [|http]');
    const c = d[base + idx];
    if (c === 0x0a) return httpLine(o, d, base, base + idx, '');
    if (c === 0x0d) {
      if (idx + 1 >= len) return o.ascii('HTTP');
      if (base + idx + 1 >= snap) return o.ascii('HTTP [|http]');
      if (d[base + idx + 1] === 0x0a) return httpLine(o, d, base, base + idx, '');
      return o.ascii('HTTP');
    }
    if ((c < 0x20 || c > 0x7e) && c !== 0x09) return o.ascii('HTTP');
  }
  httpLine(o, d, base, base + len, ' [|http]');
}

function httpLine(o: LineOut, d: Uint8Array, from: number, to: number, after: string): void {
  o.ascii('HTTP: ');
  o.asciiBytes(d, from, to);
  if (after !== '') o.ascii(after);
}

/** A tcpdump-like UDP line (not part of the scored contract: tcpdump dissects many UDP ports further). */
function udpPart(packet: Packet, ip: IpInfo): string {
  const d = packet.record.data;
  const off = ip.headerOffset + ip.headerLen;
  if (ip.capEnd - off < 8) return `${addresses(packet, ip)}: [|udp]`;
  const sport = (d[off] << 8) | d[off + 1];
  const dport = (d[off + 2] << 8) | d[off + 3];
  const ulen = (d[off + 4] << 8) | d[off + 5];
  const head = ip.headerProtocol === 17
    ? `${srcText(d, ip)}.${sport} > ${dstText(d, ip)}.${dport}: `
    : `${sport} > ${dport}: `;
  const payloadLen = ulen >= 8 ? ulen - 8 : ulen;
  if (sport === 6343 || dport === 6343) return head + sflowText(d, off + 8, payloadLen, ip.capEnd);
  return `${head}UDP, length ${payloadLen}`;
}

/** print-sflow.c without -v (sFlow v5 datagram header, https://sflow.org/sflow_version_5.txt). tshark lists
 *  sFlow-sampled TCP headers as TCP frames, so this line is part of the comparison. */
function sflowText(d: Uint8Array, off: number, len: number, snap: number): string {
  if (snap - off < 8) return ' [|sflow]';
  const be32 = (i: number): number => ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
  const version = be32(off);
  const ipVersion = be32(off + 4);
  if ((len < 28 && ipVersion === 1) || (len < 40 && ipVersion === 2)) {
    return `sFlowv${version} [length ${len} < 28] (invalid)`;
  }
  if (snap - off < 28) return ' [|sflow]';
  if (version !== 5) return `sFlow version ${version} packet not supported`;
  if (ipVersion === 1) return `sFlowv5, IPv4 agent ${formatIpv4(d, off + 8)}, agent-id ${be32(off + 12)}, length ${len}`;
  if (snap - off < 28 + 12) return 'sFlowv5, IPv6 agent [|sflow]';
  return `sFlowv5, IPv6 agent ${formatIpv6(d, off + 8)}, agent-id ${be32(off + 24)}, length ${len}`;
}

/** print-esp.c without a key: the SPI and sequence number (RFC 4303 §2). */
function espText(packet: Packet, ip: IpInfo): string {
  const d = packet.record.data;
  const off = ip.headerOffset + ip.headerLen;
  if (ip.capEnd - off < 8) return ' [|esp]';
  const spi = ((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0;
  const seq = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
  return `ESP(spi=0x${spi.toString(16).padStart(8, '0')},seq=0x${seq.toString(16)}), length ${ip.payloadLen}`;
}

/** A short ICMP / ICMPv6 summary (not part of the scored contract). */
function icmpPart(packet: Packet, ip: IpInfo): string {
  const d = packet.record.data;
  const off = ip.headerOffset + ip.headerLen;
  const name = ip.protocol === 1 ? 'ICMP' : 'ICMP6';
  if (ip.capEnd - off < 1) return `${name} [|icmp]`;
  const type = d[off];
  if (ip.protocol === 1 && (type === 0 || type === 8) && ip.capEnd - off >= 8) {
    const id = (d[off + 4] << 8) | d[off + 5];
    const seq = (d[off + 6] << 8) | d[off + 7];
    return `ICMP echo ${type === 8 ? 'request' : 'reply'}, id ${id}, seq ${seq}, length ${ip.payloadLen}`;
  }
  return `${name} type ${type}, length ${ip.payloadLen}`;
}
