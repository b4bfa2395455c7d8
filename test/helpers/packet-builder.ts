// Builds link / IPv4 / IPv6 / TCP frames byte by byte for decoder and packet-line tests and crafted fixtures.
// Writes whatever it is told (bad lengths, cut captures, odd options included); it never validates anything.

import type { CaptureRecord } from '../../src/types.js';

export type Bytes = Uint8Array | readonly number[];

export function bytes(...parts: Bytes[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function u16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function u64(v: bigint): number[] {
  return [...u32(Number(v >> 32n)), ...u32(Number(v & 0xffffffffn))];
}

/** "10.0.0.1" -> 4 bytes. */
export function ipv4Addr(text: string): number[] {
  return text.split('.').map((x) => Number(x) & 0xff);
}

/** Any RFC 4291 text form (with "::", optionally an embedded dotted quad) -> 16 bytes. */
export function ipv6Addr(text: string): number[] {
  let tail: number[] = [];
  let t = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (dotted) {
    tail = ipv4Addr(dotted[1]);
    t = t.slice(0, -dotted[1].length) + '0:0';
  }
  const [head, rest] = t.includes('::') ? t.split('::') : [t, undefined];
  const hw = head === '' ? [] : head.split(':');
  const rw = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - hw.length - rw.length;
  const words = [...hw, ...new Array(fill).fill('0'), ...rw].map((w) => parseInt(w, 16));
  const out: number[] = [];
  for (const w of words) out.push(...u16(w));
  if (tail.length) out.splice(12, 4, ...tail);
  return out;
}

/** RFC 1071 one's-complement sum, folded. */
function checksum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.length % 2) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoSum(src: number[], dst: number[], proto: number, len: number): number {
  let sum = 0;
  const all = [...src, ...dst];
  for (let i = 0; i < all.length; i += 2) sum += (all[i] << 8) | all[i + 1];
  sum += proto;
  sum += (len >>> 16) + (len & 0xffff);
  return sum;
}

// ---------------------------------------------------------------- TCP

/** TCP option encoders (RFC 9293 §3.2 and the RFCs cited per option). */
export const opt = {
  eol: (): number[] => [0],
  nop: (): number[] => [1],
  mss: (v: number): number[] => [2, 4, ...u16(v)],
  wscale: (v: number): number[] => [3, 3, v],
  sackOk: (): number[] => [4, 2],
  sack: (blocks: [number, number][]): number[] => [5, 2 + 8 * blocks.length, ...blocks.flatMap(([l, r]) => [...u32(l), ...u32(r)])],
  echo: (v: number): number[] => [6, 6, ...u32(v)],
  echoReply: (v: number): number[] => [7, 6, ...u32(v)],
  ts: (val: number, ecr: number): number[] => [8, 10, ...u32(val), ...u32(ecr)],
  cc: (kind: 11 | 12 | 13, v: number): number[] => [kind, 6, ...u32(v)],
  md5: (digest: Bytes): number[] => [19, 18, ...digest],
  scps: (cap: number, id: number): number[] => [20, 4, cap, id],
  uto: (raw: number): number[] => [28, 4, ...u16(raw)],
  tcpAo: (keyId: number, rnext: number, mac: Bytes): number[] => [29, 4 + mac.length, keyId, rnext, ...mac],
  mptcp: (body: Bytes): number[] => [30, 2 + body.length, ...body],
  tfo: (cookie: Bytes = []): number[] => [34, 2 + cookie.length, ...cookie],
  expTfo: (cookie: Bytes = []): number[] => [254, 4 + cookie.length, 0xf9, 0x89, ...cookie],
  exp: (magic: number, data: Bytes = []): number[] => [254, 4 + data.length, ...u16(magic), ...data],
  raw: (kind: number, data: Bytes, len = 2 + data.length): number[] => [kind, len, ...data],
  u64,
  u32,
  u16,
};

export interface TcpSpec {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  /** Flag bits as in TcpFlag (bit 8 is AE, written into byte 12). */
  flags?: number;
  window?: number;
  urgent?: number;
  /** Option bytes; padded with zeros (EOL) to a multiple of 4 unless `dataOffsetWords` is given. */
  options?: Bytes;
  /** Overrides the header-length nibble (the bytes written stay 20 + options). */
  dataOffsetWords?: number;
  payload?: Bytes | string;
  /** Explicit checksum; by default it is computed when the builder knows the addresses. */
  checksum?: number;
}

/** The TCP header + payload (checksum 0 until ipv4()/ipv6() fills it). */
export function tcp(spec: TcpSpec = {}): Uint8Array {
  const options = [...(spec.options ?? [])];
  if (spec.dataOffsetWords === undefined) while (options.length % 4) options.push(0);
  const words = spec.dataOffsetWords ?? (20 + options.length) / 4;
  const flags = spec.flags ?? 0x10;
  const payload = typeof spec.payload === 'string' ? ascii(spec.payload) : Uint8Array.from(spec.payload ?? []);
  return bytes(
    u16(spec.srcPort ?? 40000), u16(spec.dstPort ?? 80), u32(spec.seq ?? 1000), u32(spec.ack ?? 0),
    [((words & 0xf) << 4) | ((flags >> 8) & 1), flags & 0xff], u16(spec.window ?? 65535), u16(spec.checksum ?? 0),
    u16(spec.urgent ?? 0), options, payload,
  );
}

// ---------------------------------------------------------------- IP

export interface Ipv4Spec {
  src?: string;
  dst?: string;
  protocol?: number;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  /** Overrides the total length field. */
  totalLength?: number;
  /** Overrides the IHL nibble (words). */
  ihl?: number;
  options?: Bytes;
  /** Fill the TCP checksum of a TCP payload (default true). */
  tcpChecksum?: boolean;
}

export function ipv4(spec: Ipv4Spec, payload: Bytes): Uint8Array {
  const options = [...(spec.options ?? [])];
  while (options.length % 4) options.push(0);
  const hlen = 20 + options.length;
  const src = ipv4Addr(spec.src ?? '10.0.0.1');
  const dst = ipv4Addr(spec.dst ?? '10.0.0.2');
  const protocol = spec.protocol ?? 6;
  const body = Uint8Array.from(payload);
  if (protocol === 6 && spec.tcpChecksum !== false && body.length >= 20 && body[16] === 0 && body[17] === 0) {
    const sum = checksum(body, pseudoSum(src, dst, 6, body.length));
    body[16] = sum >> 8;
    body[17] = sum & 0xff;
  }
  const frag = ((spec.df ? 0x4000 : 0) | (spec.mf ? 0x2000 : 0) | ((spec.fragOffset ?? 0) / 8)) & 0xffff;
  const header = bytes(
    [0x40 | ((spec.ihl ?? hlen / 4) & 0xf), spec.tos ?? 0], u16(spec.totalLength ?? hlen + body.length),
    u16(spec.id ?? 1), u16(frag), [spec.ttl ?? 64, protocol], [0, 0], src, dst, options,
  );
  const sum = checksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return bytes(header, body);
}

export interface Ipv6Extension {
  /** The extension's own type (0 HBH, 43 routing, 44 fragment, 60 dest opts, 51 AH, ...). */
  type: number;
  /** Its bytes without the next-header byte (the builder writes that); length fields are the caller's. */
  body: Bytes;
}

export interface Ipv6Spec {
  src?: string;
  dst?: string;
  /** The upper-layer protocol after the extensions (default 6). */
  nextHeader?: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Overrides the payload length field. */
  payloadLength?: number;
  extensions?: Ipv6Extension[];
  tcpChecksum?: boolean;
}

export function ipv6(spec: Ipv6Spec, payload: Bytes): Uint8Array {
  const src = ipv6Addr(spec.src ?? '2001:db8::1');
  const dst = ipv6Addr(spec.dst ?? '2001:db8::2');
  const exts = spec.extensions ?? [];
  const upper = spec.nextHeader ?? 6;
  const body = Uint8Array.from(payload);
  if (upper === 6 && spec.tcpChecksum !== false && body.length >= 20 && body[16] === 0 && body[17] === 0) {
    const sum = checksum(body, pseudoSum(src, dst, 6, body.length));
    body[16] = sum >> 8;
    body[17] = sum & 0xff;
  }
  const extBytes: number[] = [];
  for (let i = 0; i < exts.length; i++) extBytes.push(i + 1 < exts.length ? exts[i + 1].type : upper, ...exts[i].body);
  const first = exts.length ? exts[0].type : upper;
  const plen = spec.payloadLength ?? extBytes.length + body.length;
  const tc = spec.trafficClass ?? 0;
  const fl = spec.flowLabel ?? 0;
  return bytes(
    [0x60 | (tc >> 4), ((tc & 0xf) << 4) | ((fl >> 16) & 0xf), (fl >> 8) & 0xff, fl & 0xff], u16(plen),
    [first, spec.hopLimit ?? 64], src, dst, extBytes, body,
  );
}

/** IPv6 extension bodies (without the next-header byte). */
export const ext = {
  /** Hop-by-hop or destination options padded to a multiple of 8 with PadN. */
  options(type: 0 | 60, options: Bytes = []): Ipv6Extension {
    const body = [0, ...options];
    let total = body.length + 1;
    const pad = (8 - (total % 8)) % 8;
    if (pad === 1) body.push(0);
    else if (pad > 1) body.push(1, pad - 2, ...new Array(pad - 2).fill(0));
    total = body.length + 1;
    body[0] = total / 8 - 1;
    return { type, body };
  },
  fragment(offsetBytes: number, more: boolean, id: number): Ipv6Extension {
    return { type: 44, body: [0, ...u16(offsetBytes | (more ? 1 : 0)), ...u32(id)] };
  },
  routing(type: number, segmentsLeft: number, addresses: string[]): Ipv6Extension {
    return { type: 43, body: [addresses.length * 2, type, segmentsLeft, 0, 0, 0, 0, ...addresses.flatMap(ipv6Addr)] };
  },
};

/** RFC 4302 AH header bytes for `next` (payload length = icv words + 1). */
export function ah(next: number, spi: number, seq: number, icv: Bytes): Uint8Array {
  return bytes([next, (12 + icv.length) / 4 - 2, 0, 0], u32(spi), u32(seq), icv);
}

// ---------------------------------------------------------------- tunnels

/** A GRE header (RFC 2784 §2, RFC 2890 §2) with its optional fields already encoded, then the payload. */
export function gre(flags: number, protocol: number, fields: Bytes, payload: Bytes): Uint8Array {
  return bytes(u16(flags), u16(protocol), fields, payload);
}

/** GRE with checksum (over header and payload, RFC 2784 §2.5), key and sequence number present. */
export function greChecksummed(keyAndSeq: Bytes, protocol: number, payload: Bytes): Uint8Array {
  const packet = gre(0xb000, protocol, [0, 0, 0, 0, ...keyAndSeq], payload);
  let sum = 0;
  for (let i = 0; i < packet.length; i += 2) sum += (packet[i] << 8) | (packet[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  packet[4] = (~sum >> 8) & 0xff;
  packet[5] = ~sum & 0xff;
  return packet;
}

/** UDP to port 4789 (checksum 0, RFC 7348 §5) carrying a VXLAN header with the I flag and `vni`. */
export function vxlan(srcPort: number, vni: number, frame: Bytes): Uint8Array {
  const body = bytes([0x08, 0, 0, 0], u32(vni * 256), frame);
  return bytes(u16(srcPort), u16(4789), u16(8 + body.length), [0, 0], body);
}

/** One MPLS label stack entry (RFC 3032 §2.1). */
export function mpls(label: number, trafficClass: number, bottom: boolean, ttl: number): number[] {
  return u32(((label << 12) | (trafficClass << 9) | (bottom ? 0x100 : 0) | ttl) >>> 0);
}

// ---------------------------------------------------------------- links

export const MAC_A = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
export const MAC_B = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

export interface EthernetSpec {
  etherType?: number;
  /** 802.1Q / 802.1ad tags, outermost first: [tpid, tci]. */
  vlans?: [number, number][];
  /** Pad the frame with zeros to at least this many bytes (60 = minimum Ethernet frame without FCS). */
  padTo?: number;
}

export function ethernet(payload: Bytes, spec: EthernetSpec = {}): Uint8Array {
  const tags = (spec.vlans ?? []).flatMap(([tpid, tci]) => [...u16(tpid), ...u16(tci)]);
  const frame = bytes(MAC_B, MAC_A, tags, u16(spec.etherType ?? 0x0800), payload);
  if (spec.padTo !== undefined && frame.length < spec.padTo) return bytes(frame, new Array(spec.padTo - frame.length).fill(0));
  return frame;
}

/** Linux cooked v1 header (LINKTYPE_LINUX_SLL). */
export function sll(payload: Bytes, protocol = 0x0800, packetType = 0, haType = 1): Uint8Array {
  return bytes(u16(packetType), u16(haType), u16(6), MAC_A, [0, 0], u16(protocol), payload);
}

/** Linux cooked v2 header (LINKTYPE_LINUX_SLL2). */
export function sll2(payload: Bytes, ifIndex: number, packetType = 0, protocol = 0x0800, haType = 1): Uint8Array {
  return bytes(u16(protocol), [0, 0], u32(ifIndex), u16(haType), [packetType, 6], MAC_A, [0, 0], payload);
}

/** BSD loopback header: the address family in little- or big-endian order. */
export function nullLink(payload: Bytes, family: number, littleEndian = true): Uint8Array {
  const af = u32(family);
  return bytes(littleEndian ? af.reverse() : af, payload);
}

/** PPPoE session (RFC 2516) + PPP protocol field, inside Ethernet type 0x8864. */
export function pppoeSession(payload: Bytes, sessionId: number, pppProtocol = 0x0021): Uint8Array {
  const ppp = bytes(u16(pppProtocol), payload);
  return bytes([0x11, 0x00], u16(sessionId), u16(ppp.length), ppp);
}

/** 802.2 LLC + SNAP header for an EtherType (RFC 1042). */
export function llcSnap(payload: Bytes, etherType = 0x0800): Uint8Array {
  return bytes([0xaa, 0xaa, 0x03, 0, 0, 0], u16(etherType), payload);
}

/** An 802.11 data frame (from-DS) carrying `payload`. */
export function wifiData(payload: Bytes, qos = false): Uint8Array {
  const fc = qos ? [0x88, 0x02] : [0x08, 0x02];
  return bytes(fc, [0, 0], MAC_A, MAC_B, MAC_A, [0, 0], qos ? [0, 0] : [], payload);
}

/** A radiotap header with TSFT, flags, rate, channel, antenna signal and antenna fields. */
export function radiotap(payload: Bytes, opts: { tsft?: bigint; flags?: number; rate?: number; freq?: number; chanFlags?: number; signal?: number; antenna?: number } = {}): Uint8Array {
  const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
  const le32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
  const tsft = opts.tsft ?? 123456789n;
  const fields = [
    ...le32(Number(tsft & 0xffffffffn)), ...le32(Number(tsft >> 32n)), opts.flags ?? 0, opts.rate ?? 22,
    ...le16(opts.freq ?? 2437), ...le16(opts.chanFlags ?? 0xa0), (opts.signal ?? -60) & 0xff, opts.antenna ?? 1,
  ];
  const present = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 11);
  const len = 8 + fields.length;
  return bytes([0, 0], le16(len), le32(present), fields, payload);
}

/** A radiotap header from raw presence words and fields laid out with their alignment (relative to the header
 *  start), as radiotap requires; `itLen` overrides the length field (to cut fields off). */
export function radiotapRaw(words: number[], fields: { align: number; bytes: Bytes }[], payload: Bytes, itLen?: number): Uint8Array {
  const out: number[] = [0, 0, 0, 0];
  for (const w of words) out.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff);
  for (const f of fields) {
    while (out.length % f.align) out.push(0);
    out.push(...f.bytes);
  }
  const len = itLen ?? out.length;
  out[2] = len & 0xff;
  out[3] = len >> 8;
  return bytes(out.slice(0, Math.max(len, 8)), payload);
}

// ---------------------------------------------------------------- records

export interface RecordOptions {
  linkType?: number;
  /** Keep only this many bytes (origLen stays the frame length). */
  snapLen?: number;
  origLen?: number;
  tsSec?: number;
  tsNsec?: number;
  index?: number;
}

/** A CaptureRecord for direct decoder tests. */
export function record(frame: Bytes, opts: RecordOptions = {}): CaptureRecord {
  const all = Uint8Array.from(frame);
  const data = opts.snapLen !== undefined ? all.subarray(0, Math.min(opts.snapLen, all.length)) : all;
  return {
    index: opts.index ?? 1,
    tsSec: opts.tsSec ?? 1_700_000_000,
    tsNsec: opts.tsNsec ?? 0,
    capLen: data.length,
    origLen: opts.origLen ?? all.length,
    linkType: opts.linkType ?? 1,
    interfaceId: 0,
    data,
  };
}

/** Ethernet + IPv4 + TCP in one call. */
export function etherIpv4Tcp(ip: Ipv4Spec, t: TcpSpec, eth: EthernetSpec = {}): Uint8Array {
  return ethernet(ipv4(ip, tcp(t)), eth);
}

/** Ethernet + IPv6 + TCP in one call. */
export function etherIpv6Tcp(ip: Ipv6Spec, t: TcpSpec, eth: EthernetSpec = {}): Uint8Array {
  return ethernet(ipv6(ip, tcp(t)), { etherType: 0x86dd, ...eth });
}
