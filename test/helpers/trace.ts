// Test helpers for src/tcp: a Packet factory and a readable trace DSL that builds Packets from lines such as
// 'C>S S seq=100', 'S>C SA seq=300 ack=101', 'C>S PA len=5'. Test-only: never imported by src/.

import type { Packet } from '../../src/decode/packet.js';
import type { Annotation } from '../../src/types.js';
import { TcpFlag } from '../../src/types.js';
import { analysisCodes } from '../../src/tcp/codes.js';
import type { TcpTracker } from '../../src/tcp/tracker.js';
import type { Connection } from '../../src/tcp/connection.js';

export interface PacketSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** TcpFlag bits. */
  flags: number;
  win?: number;
  len?: number;
  /** SYN options, written as option bytes and as the decoder's parsed fields. */
  mss?: number;
  ws?: number;
  sack?: boolean;
  tsSec?: number;
  tsNsec?: number;
  index?: number;
}

/** Parses "10.0.0.1" or "2001:db8::1" into bytes. */
export function addrBytes(text: string): Uint8Array {
  if (!text.includes(':')) return Uint8Array.from(text.split('.').map(Number));
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** Parses "10.0.0.1:5000" or "[2001:db8::1]:80". */
export function parseEndpoint(text: string): { addr: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (m === null) throw new Error(`bad endpoint ${text}`);
  return { addr: m[1], port: Number(m[2]) };
}

let autoIndex = 0;

/** Builds a decoded Packet as decode-frame.ts would (TCP over IPv4 or IPv6, header 20 bytes + options). */
export function makePacket(spec: PacketSpec): Packet {
  const src = addrBytes(spec.src);
  const dst = addrBytes(spec.dst);
  const options = synOptions({ mss: spec.mss, ws: spec.ws, sack: spec.sack });
  const headerLen = 20 + options.length;
  const len = spec.len ?? 0;
  const index = spec.index ?? ++autoIndex;
  const ipHeaderLen = src.length === 16 ? 40 : 20;
  return {
    record: {
      index, tsSec: spec.tsSec ?? 1_700_000_000, tsNsec: spec.tsNsec ?? 0, capLen: 0, origLen: 0, linkType: 1,
      interfaceId: 0, data: new Uint8Array(0),
    },
    linkNotes: [],
    ip: {
      version: src.length === 16 ? 6 : 4, src, dst, headerOffset: 14, headerLen: ipHeaderLen,
      payloadLen: headerLen + len, protocol: 6, ttl: 64, id: 0, fragOffset: 0, moreFragments: false,
      lengthField: 0, wireLen: ipHeaderLen + headerLen + len, capEnd: 14 + ipHeaderLen + headerLen + len, tos: 0,
      dontFragment: false, headerProtocol: 6, noteIndex: 0,
    },
    tcp: {
      srcPort: spec.sport, dstPort: spec.dport, seq: (spec.seq ?? 0) >>> 0, ack: (spec.ack ?? 0) >>> 0, headerLen,
      flags: spec.flags, window: spec.win ?? 65535, checksum: 0, urgentPtr: 0, options, payload: new Uint8Array(len),
      payloadLen: len, offset: 14 + ipHeaderLen, capturedLen: headerLen + len, segmentLen: headerLen + len,
      mss: spec.mss ?? -1, windowScale: spec.ws ?? -1, sackPermitted: spec.sack ?? false, tsVal: -1, tsEcr: -1,
      sackBlocks: null,
    },
    problem: null,
  };
}

/** SYN option bytes: MSS, window scale, SACK permitted (each only when given). */
export function synOptions(o: { mss?: number; ws?: number; sack?: boolean }): Uint8Array {
  const bytes: number[] = [];
  if (o.mss !== undefined) bytes.push(2, 4, o.mss >> 8, o.mss & 0xff);
  if (o.sack) bytes.push(4, 2);
  if (o.ws !== undefined) bytes.push(1, 3, 3, o.ws);
  while (bytes.length % 4 !== 0) bytes.push(0);
  return Uint8Array.from(bytes);
}

const FLAG_LETTERS: Record<string, number> = {
  S: TcpFlag.SYN, A: TcpFlag.ACK, F: TcpFlag.FIN, R: TcpFlag.RST, P: TcpFlag.PSH, U: TcpFlag.URG,
  E: TcpFlag.ECE, C: TcpFlag.CWR,
};

export interface TraceOptions {
  client?: string;
  server?: string;
  /** Capture time of the first line, seconds since the epoch. */
  startSec?: number;
  /** First frame number (default 1). */
  firstFrame?: number;
}

/**
 * Builds packets from trace lines: `DIR FLAGS key=value…`.
 *  DIR    C>S (client to server) or S>C.
 *  FLAGS  letters S A F R P U E C, or '.' for none (so 'SA' is a SYN-ACK, 'PA' data with PSH and ACK).
 *  keys   seq= ack= len= win= (defaults: the sender's next sequence number, the peer's next sequence number when
 *         the ACK flag is set, 0 bytes, 65535); t=SECONDS since the first line, dt=SECONDS after the previous line
 *         (default 1 ms after it); mss= ws= sack (SYN options).
 *  ISNs default to 1000 (client) and 5000 (server). Frames are numbered from 1.
 */
export function traceWith(options: TraceOptions, ...lines: string[]): Packet[] {
  const client = parseEndpoint(options.client ?? '10.0.0.1:5000');
  const server = parseEndpoint(options.server ?? '10.0.0.2:80');
  const startSec = options.startSec ?? 1_700_000_000;
  const next = [1000, 5000];
  const started = [false, false];
  let timeNs = 0;
  let frame = options.firstFrame ?? 1;
  const packets: Packet[] = [];
  lines.forEach((line, lineNo) => {
    const words = line.trim().split(/\s+/);
    const dirWord = words[0];
    if (dirWord !== 'C>S' && dirWord !== 'S>C') throw new Error(`line ${lineNo + 1}: direction must be C>S or S>C: ${line}`);
    const side = dirWord === 'C>S' ? 0 : 1;
    let flags = 0;
    if (words[1] !== '.') {
      for (const ch of words[1] ?? '') {
        const bit = FLAG_LETTERS[ch];
        if (bit === undefined) throw new Error(`line ${lineNo + 1}: unknown flag ${ch}`);
        flags |= bit;
      }
    }
    const kv = new Map<string, string>();
    for (const w of words.slice(2)) {
      const eq = w.indexOf('=');
      kv.set(eq < 0 ? w : w.slice(0, eq), eq < 0 ? '' : w.slice(eq + 1));
    }
    if (kv.has('t')) timeNs = Math.round(Number(kv.get('t')) * 1e9);
    else if (kv.has('dt')) timeNs += Math.round(Number(kv.get('dt')) * 1e9);
    else if (lineNo > 0) timeNs += 1_000_000;
    const len = Number(kv.get('len') ?? 0);
    const seq = kv.has('seq') ? Number(kv.get('seq')) >>> 0 : next[side];
    const peer = 1 - side;
    const ack = kv.has('ack') ? Number(kv.get('ack')) >>> 0 : (flags & TcpFlag.ACK) !== 0 ? next[peer] : 0;
    const end = (seq + len + ((flags & (TcpFlag.SYN | TcpFlag.FIN)) !== 0 ? 1 : 0)) >>> 0;
    if (!started[side] || ((end - next[side]) | 0) > 0) next[side] = end;
    started[side] = true;
    const from = side === 0 ? client : server;
    const to = side === 0 ? server : client;
    const totalNs = timeNs;
    packets.push(makePacket({
      src: from.addr, dst: to.addr, sport: from.port, dport: to.port, seq, ack, flags,
      win: kv.has('win') ? Number(kv.get('win')) : undefined, len,
      mss: kv.has('mss') ? Number(kv.get('mss')) : undefined,
      ws: kv.has('ws') ? Number(kv.get('ws')) : undefined,
      sack: kv.has('sack'),
      tsSec: startSec + Math.floor(totalNs / 1e9), tsNsec: totalNs % 1e9, index: frame++,
    }));
  });
  return packets;
}

/** traceWith default endpoints: client 10.0.0.1:5000, server 10.0.0.2:80. */
export function trace(...lines: string[]): Packet[] {
  return traceWith({}, ...lines);
}

/** What one packet produced, copied out of the tracker's reused result. */
export interface Step {
  frame: number;
  conn: Connection | null;
  connId: number;
  direction: number;
  isNew: boolean;
  relSeq: number;
  relAck: number;
  analysis: number;
  /** Analysis codes from the result bits (codes.ts order). */
  flags: string[];
  annotations: Annotation[];
  /** Annotation codes in display order. */
  codes: string[];
  /** Both endpoint states after the packet, "CLIENT/SERVER". */
  states: string;
  /** TcpPacketResult.segmentDropped. */
  segmentDropped: boolean;
}

/** Pushes packets through a tracker and records every step. */
export function feed(tracker: TcpTracker, packets: Packet[]): Step[] {
  return packets.map((p) => {
    const out: Annotation[] = [];
    const r = tracker.push(p, out);
    return {
      frame: p.record.index, conn: r.conn, connId: r.connId, direction: r.direction, isNew: r.isNew,
      relSeq: r.relSeq, relAck: r.relAck, analysis: r.analysis, flags: analysisCodes(r.analysis),
      annotations: out, codes: out.map((a) => a.code),
      states: r.conn === null ? '' : `${r.conn.ends[0].state}/${r.conn.ends[1].state}`,
      segmentDropped: r.segmentDropped,
    };
  });
}

/** The annotation texts of a step, one string joined by " | " (compact for expectations). */
export function texts(step: Step): string {
  return step.annotations.map((a) => a.text).join(' | ');
}
