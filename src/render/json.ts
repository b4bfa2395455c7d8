// JSON and NDJSON records: one stable-keyed object per packet, per connection, plus meta and end records.
// Pure functions of events and reports; key order is part of the contract (schema/tcptrace.schema.json).

import type { ConnectionReport, PacketEvent, Report } from '../report.js';
import { SCHEMA_VERSION } from '../report.js';
import { formatAddr } from '../tcp/flow-key.js';
import { DecodedIp } from '../decode/views.js';
import { latin1 } from '../decode/latin1.js';
import type { IpInfo } from '../decode/packet.js';
import { tcpFlagsString } from './packet-line.js';
import { StringOut, type LineOut } from './line-out.js';

export const TOOL_VERSION = '0.1.0';

/** The first NDJSON line. */
export function metaRecord(captures: readonly string[]): string {
  return JSON.stringify({ type: 'meta', schemaVersion: SCHEMA_VERSION, tool: 'tcptrace', version: TOOL_VERSION, captures });
}

/** The opening of the --format json document, up to the start of its packets array. */
export function documentHead(captures: readonly string[]): string {
  const head = JSON.stringify({ schemaVersion: SCHEMA_VERSION, tool: 'tcptrace', version: TOOL_VERSION, captures });
  return `${head.slice(0, -1)},"packets":[`;
}

/**
 * Seconds and nanoseconds as a decimal string: a JSON number cannot hold ns precision at epoch magnitude. A
 * sub-second field read out of range (tsNsec >= 1e9 from a µs pcap's field >= 1e6, kept as read for tcpdump's text)
 * is carried into the seconds, so that the string is the record's time.
 */
export function tsString(tsSec: number, tsNsec: number): string {
  if (tsNsec >= 1e9) {
    tsSec += Math.floor(tsNsec / 1e9);
    tsNsec %= 1e9;
  }
  return `${tsSec}.${String(tsNsec).padStart(9, '0')}`;
}

export function packetObject(ev: PacketEvent) {
  // The analysed segment: for a fragment that completed a datagram, the whole datagram's TCP header.
  const p = ev.segment;
  const ip = p.ip!;
  const tcp = p.tcp!;
  const codes = new Array<string>(ev.annotations.length);
  const notes = new Array<string>(ev.annotations.length);
  for (let i = 0; i < ev.annotations.length; i++) {
    codes[i] = ev.annotations[i]!.code;
    notes[i] = ev.annotations[i]!.text;
  }
  return {
    type: 'packet' as const,
    frame: ev.frame,
    conn: ev.conn,
    ts: tsString(p.record.tsSec, p.record.tsNsec),
    dir: ev.dir === 0 ? ('c2s' as const) : ('s2c' as const),
    src: formatAddr(ip.src),
    sport: tcp.srcPort,
    dst: formatAddr(ip.dst),
    dport: tcp.dstPort,
    flags: tcpFlagsString(tcp.flags),
    seq: ev.relSeq,
    // -1 from the tracker means the ACK flag was clear: there is no acknowledgement number to report.
    ack: ev.relAck < 0 ? null : ev.relAck,
    len: tcp.payloadLen,
    win: tcp.window,
    annotations: codes,
    notes,
  };
}

/**
 * JSON.stringify(packetObject(ev)), written out by hand: the generic object and stringify took 12% of an NDJSON run.
 * Only the annotation texts can need escaping; a test proves the two byte-identical on every fixture packet.
 */
export function packetRecord(ev: PacketEvent): string {
  // An out of its own per call: a call that throws (an event without a TCP header) leaves nothing for the next.
  const out = new StringOut();
  writePacketRecord(ev, out);
  return out.take();
}

/**
 * packetRecord's text, written piece by piece into `out` (the CLI's output buffer: no string is made of the record,
 * nor flattened and encoded again; that was a fifth of an NDJSON run).
 */
export function writePacketRecord(ev: PacketEvent, out: LineOut): void {
  // The analysed segment: for a fragment that completed a datagram, the whole datagram's TCP header.
  const p = ev.segment;
  const ip = p.ip!;
  const tcp = p.tcp!;
  const annotations = ev.annotations;
  out.ascii('{"type":"packet","frame":');
  out.uint(ev.frame);
  out.ascii(',"conn":');
  out.uint(ev.conn);
  out.ascii(',"ts":"');
  let tsSec = p.record.tsSec;
  let tsNsec = p.record.tsNsec;
  // As tsString: an out-of-range sub-second field is carried into the seconds.
  if (tsNsec >= 1e9) {
    tsSec += Math.floor(tsNsec / 1e9);
    tsNsec %= 1e9;
  }
  out.uint(tsSec);
  out.ascii('.');
  out.uintPadded(tsNsec, 9);
  out.ascii(ev.dir === 0 ? '","dir":"c2s","src":"' : '","dir":"s2c","src":"');
  out.ascii(sourceText(ip));
  out.ascii('","sport":');
  out.uint(tcp.srcPort);
  out.ascii(',"dst":"');
  out.ascii(destinationText(ip));
  out.ascii('","dport":');
  out.uint(tcp.dstPort);
  out.ascii(',"flags":"');
  out.ascii(tcpFlagsString(tcp.flags));
  out.ascii('","seq":');
  out.uint(ev.relSeq);
  out.ascii(',"ack":');
  // -1 from the tracker means the ACK flag was clear: there is no acknowledgement number to report.
  if (ev.relAck < 0) out.ascii('null');
  else out.uint(ev.relAck);
  out.ascii(',"len":');
  out.uint(tcp.payloadLen);
  out.ascii(',"win":');
  out.uint(tcp.window);
  out.ascii(',"annotations":[');
  for (let i = 0; i < annotations.length; i++) {
    if (i > 0) out.ascii(',');
    jsonString(out, annotations[i]!.code);
  }
  out.ascii('],"notes":[');
  for (let i = 0; i < annotations.length; i++) {
    if (i > 0) out.ascii(',');
    jsonString(out, annotations[i]!.text);
  }
  out.ascii(']}');
}

/** A JSON string literal through the out's own writer when it has one (LineOut.jsonString is optional). */
function jsonString(out: LineOut, s: string): void {
  if (out.jsonString !== undefined) out.jsonString(s);
  else out.text(JSON.stringify(s));
}

/**
 * Address texts by address, IPv4 by its 32-bit value and IPv6 by its 16 bytes as a latin1 key (a packet's two
 * addresses repeat for its whole connection); each bounded, cleared when full. Addresses and flag letters need no JSON
 * escaping. Read at the decoder's offsets, not through IpInfo.src and dst: those views are made on first read, two
 * subarrays per packet that were 9% of what an NDJSON run allocated, and formatAddr's IPv6 text 4% more.
 */
const ipv4Texts = new Map<number, string>();
const ipv6Texts = new Map<string, string>();
const ADDRESS_TEXTS_MAX = 65536;

function sourceText(ip: IpInfo): string {
  if (!(ip instanceof DecodedIp)) return addrText(ip.src, 0, ip.src.length);
  return addrText(ip.bytes, ip.srcOffset, ip.version === 4 ? 4 : 16);
}

/** The destination as IpInfo.dst gives it: an IPv6 routing header's final destination when it names one. */
function destinationText(ip: IpInfo): string {
  if (!(ip instanceof DecodedIp)) return addrText(ip.dst, 0, ip.dst.length);
  return addrText(ip.bytes, ip.dstOffset, ip.version === 4 ? 4 : 16);
}

/** formatAddr of bytes[at, at + len), remembered for 4- and 16-byte addresses. */
function addrText(bytes: Uint8Array, at: number, len: number): string {
  if (len === 4) {
    const key = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    return ipv4Texts.get(key) ?? remember(ipv4Texts, key, bytes, at, len);
  }
  if (len !== 16) return formatAddr(bytes.subarray(at, at + len));
  const key = latin1(bytes, at, at + 16);
  return ipv6Texts.get(key) ?? remember(ipv6Texts, key, bytes, at, len);
}

/** Formats an address not yet remembered and keeps its text under `key` (the map emptied first when full). */
function remember<K>(texts: Map<K, string>, key: K, bytes: Uint8Array, at: number, len: number): string {
  if (texts.size >= ADDRESS_TEXTS_MAX) texts.clear();
  const text = formatAddr(bytes.subarray(at, at + len));
  texts.set(key, text);
  return text;
}

export function connectionObject(c: ConnectionReport) {
  return {
    type: 'connection' as const,
    ...c.tcp,
    annotationCounts: c.annotationCounts,
    http: c.http,
    exchanges: c.exchanges,
  };
}

export function connectionRecord(c: ConnectionReport): string {
  return JSON.stringify(connectionObject(c));
}

export function endRecord(report: Report): string {
  return JSON.stringify({ type: 'summary', schemaVersion: report.schemaVersion, ...report.stats, warnings: report.warnings });
}
