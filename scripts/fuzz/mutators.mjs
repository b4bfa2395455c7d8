// Seeded mutators over capture files: container, record, link/IP/TCP and HTTP damage, each a pure function of
// (bytes, rng). Shared by scripts/fuzz/run.mjs and test/fuzz; must not do I/O nor import the project under test.

import {
  flowOf, locateLayers, parseCapture, put16, put32, rebuild, recordUnit, u32, PCAP_HEADER_LEN,
} from './capture-model.mjs';

/** mulberry32: small, fast and good enough to pick mutations; every mutant has its own stream (see mutantRng). */
export class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }
  u32() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  int(n) {
    return n <= 0 ? 0 : Math.floor((this.u32() / 4294967296) * n);
  }
  /** An integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  chance(p) {
    return this.u32() / 4294967296 < p;
  }
  pick(list) {
    return list[this.int(list.length)];
  }
  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** The PRNG of mutant `index` in campaign `seed`: independent of how mutants are spread over workers. */
export function mutantRng(seed, index) {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
}

/** Record, block and field values that sit on the edges readers get wrong (0, 1, all ones, signed and cap limits). */
const U32_EDGES = [
  0, 1, 2, 3, 4, 7, 8, 11, 12, 15, 16, 20, 27, 28, 31, 32, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x3ffff, 0x40000,
  0x40001, 0xfffffff, 0x10000000, 0x10000001, 0x7fffffff, 0x80000000, 0xfffffffc, 0xfffffffe, 0xffffffff,
];
const BYTE_EDGES = [0, 1, 0x7f, 0x80, 0xff, 0x0d, 0x0a, 0x20, 0x3a];

function edgeOrNear(rng, actual) {
  if (rng.chance(0.4)) return (actual + rng.pick([-4, -1, 1, 4])) >>> 0;
  return rng.pick(U32_EDGES);
}

function copy(bytes) {
  return bytes.slice();
}

/** A record chosen with a bias to TCP packets with payload, where most of the analysis happens. */
function pickRecord(rng, bytes, cap, want = 'any') {
  if (cap === null || cap.records.length === 0) return null;
  const tries = want === 'any' ? 1 : 24;
  let fallback = null;
  for (let i = 0; i < tries; i++) {
    const rec = rng.pick(cap.records);
    const L = locateLayers(bytes, rec);
    fallback ??= { rec, L };
    if (want === 'tcp' && L.tcpStart !== undefined) return { rec, L };
    if (want === 'payload' && L.payloadStart !== undefined && L.payloadEnd > L.payloadStart) return { rec, L };
    if (want === 'ipv4' && L.ipVersion === 4) return { rec, L };
    if (want === 'ipv6' && L.ipVersion === 6) return { rec, L };
  }
  return want === 'any' ? fallback : null;
}

// ---- byte-level mutators: they work on anything, including inputs the model cannot parse ----

function bitFlip(rng, bytes) {
  if (bytes.length === 0) return null;
  const out = copy(bytes);
  const n = rng.range(1, 8);
  for (let i = 0; i < n; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
  return { bytes: out, note: `${n} bit flips` };
}

function byteSet(rng, bytes) {
  if (bytes.length === 0) return null;
  const out = copy(bytes);
  const n = rng.range(1, 8);
  for (let i = 0; i < n; i++) out[rng.int(out.length)] = rng.chance(0.5) ? rng.pick(BYTE_EDGES) : rng.int(256);
  return { bytes: out, note: `${n} bytes set` };
}

function randomFile(rng) {
  const len = rng.pick([0, 1, 3, 4, 23, 24, 25, 40, rng.range(0, 256), rng.range(0, 4096)]);
  const body = rng.bytes(len);
  const kind = rng.int(4);
  if (kind === 1 && len >= 4) body.set([0xd4, 0xc3, 0xb2, 0xa1]);
  if (kind === 2 && len >= 12) {
    body.set([0x0a, 0x0d, 0x0d, 0x0a]);
    body.set(rng.chance(0.5) ? [0x4d, 0x3c, 0x2b, 0x1a] : [0x1a, 0x2b, 0x3c, 0x4d], 8);
  }
  if (kind === 3 && len >= 24) {
    // A valid pcap header with random records: reaches the link decoders through garbage.
    body.set([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0]);
    put32(body, 20, rng.pick([1, 0, 101, 113, 276, 127, 105, 228, 229, 12, 108, rng.int(300)]), true);
  }
  return { bytes: body, note: `random file of ${len} bytes (kind ${kind})` };
}

// ---- container mutators ----

function truncateLayer(rng, bytes, cap) {
  if (cap === null) return null;
  const picked = rng.chance(0.1) ? null : pickRecord(rng, bytes, cap, 'tcp') ?? pickRecord(rng, bytes, cap);
  if (picked === null) {
    const header = cap.units[0];
    const cut = rng.int(header.end);
    return { bytes: bytes.slice(0, cut), note: `cut at ${cut}, inside the file header or first block` };
  }
  const { rec, L } = picked;
  const layers = [['record header', rec.start, rec.dataStart]];
  const add = (name, from, to) => {
    if (from !== undefined && to !== undefined && to >= from) layers.push([name, from, to]);
  };
  add('link', L.linkStart, L.ipStart);
  add('ip header', L.ipStart, L.ipHdrEnd);
  add('ipv6 extensions', L.extStart, L.extEnd);
  add('tcp header', L.tcpStart, L.tcpStart === undefined ? undefined : L.tcpStart + 20);
  add('tcp options', L.tcpStart === undefined ? undefined : L.tcpStart + 20, L.tcpHdrEnd);
  add('payload', L.payloadStart, L.payloadEnd);
  const [name, from, to] = rng.pick(layers);
  // At a boundary, one byte either side of it, or anywhere inside.
  const cut = Math.min(rec.end, Math.max(rec.start, rng.pick([from, to, from + 1, to - 1, rng.range(from, to)])));
  if (rng.chance(0.5) || rec.capLenOff === null || cut < rec.dataStart) {
    return { bytes: bytes.slice(0, cut), note: `file cut at ${cut}: frame ${rec.frame}, ${name}` };
  }
  // The snaplen way: the record itself is shorter than the packet, the file goes on.
  const data = bytes.slice(rec.dataStart, cut);
  const unit = recordUnit(bytes, cap, rec, data, Math.max(rec.origLen, rec.capLen));
  return {
    bytes: rebuild(bytes, cap, new Map([[rec.unit, [unit]]])),
    note: `frame ${rec.frame} snapped to ${data.length} bytes in its ${name}`,
  };
}

function recordLengths(rng, bytes, cap) {
  const picked = pickRecord(rng, bytes, cap);
  if (picked === null) return null;
  const { rec } = picked;
  const out = copy(bytes);
  const le = cap.format === 'pcap' ? cap.le : rec.le;
  const fields = [['origLen', rec.origLenOff, rec.origLen]];
  if (rec.capLenOff !== null) fields.push(['capLen', rec.capLenOff, rec.capLen]);
  const [name, off, actual] = rng.pick(fields);
  const value = edgeOrNear(rng, actual);
  put32(out, off, value, le);
  if (rng.chance(0.25) && rec.capLenOff !== null && name === 'capLen') put32(out, rec.origLenOff, rng.pick(U32_EDGES), le);
  return { bytes: out, note: `frame ${rec.frame} ${name} ${actual} -> ${value}` };
}

function fileHeader(rng, bytes, cap) {
  if (cap === null) return null;
  const out = copy(bytes);
  if (cap.format === 'pcap') {
    const field = rng.pick(['version', 'snaplen', 'linktype', 'magic']);
    if (field === 'version') put16(out, rng.pick([4, 6]), rng.pick([0, 1, 2, 3, 4, 543, 0xffff]), cap.le);
    if (field === 'snaplen') put32(out, 16, rng.pick(U32_EDGES), cap.le);
    if (field === 'linktype') {
      const link = rng.pick([0, 1, 9, 12, 14, 101, 105, 108, 113, 127, 192, 228, 229, 276, 0xffff, rng.int(400)]);
      put32(out, 20, (rng.chance(0.2) ? 0x04000000 | (rng.int(16) << 28) : 0) | link, cap.le);
    }
    if (field === 'magic') out.set(rng.pick([[0xa1, 0xb2, 0xcd, 0x34], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4]]), 0);
    return { bytes: out, note: `pcap file header ${field}` };
  }
  const shb = cap.units[0];
  const le = shb.le;
  const field = rng.pick(['version', 'bom', 'section-length', 'options']);
  if (field === 'version') put16(out, shb.start + 12, rng.pick([0, 2, 0xffff]), le);
  if (field === 'bom') out.set(rng.pick([[0x1a, 0x2b, 0x3c, 0x4e], [0, 0, 0, 0]]), shb.start + 8);
  if (field === 'section-length') {
    put32(out, shb.start + 16, rng.u32(), le);
    put32(out, shb.start + 20, rng.pick([0xffffffff, 0, 1]), le);
  }
  if (field === 'options' && shb.end - shb.start > 28) put16(out, shb.start + 26, rng.pick([0, 1, 3, 0xffff, shb.end - shb.start]), le);
  return { bytes: out, note: `pcapng SHB ${field}` };
}

function blockLength(rng, bytes, cap) {
  if (cap === null || cap.format !== 'pcapng') return null;
  const blocks = cap.units.filter((u) => u.kind === 'block');
  const b = rng.pick(blocks);
  const out = copy(bytes);
  const actual = b.end - b.start;
  const value = edgeOrNear(rng, actual);
  const where = rng.pick(['leading', 'trailing', 'both']);
  if (where !== 'trailing') put32(out, b.start + 4, value, b.le);
  if (where !== 'leading') put32(out, b.end - 4, value, b.le);
  return { bytes: out, note: `block type ${b.type} at ${b.start}: ${where} length ${actual} -> ${value}` };
}

/** pcapng options (§3.5) with lying lengths, odd codes, or huge if_tsresol / if_tsoffset values. */
function pcapngOptions(rng, bytes, cap) {
  if (cap === null || cap.format !== 'pcapng') return null;
  const blocks = cap.units.filter((u) => u.kind === 'block' && (u.type === 1 || u.type === 6 || u.type === 0x0a0d0d0a));
  if (blocks.length === 0) return null;
  const b = rng.pick(blocks);
  const le = b.le;
  const fixedLen = b.type === 1 ? 16 : b.type === 6 ? 28 + ((u32(bytes, b.start + 20, le) + 3) & ~3) : 24;
  if (b.start + fixedLen > b.end - 4) return null;
  const opts = [];
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const code = rng.pick([0, 1, 2, 9, 14, 0x8000, 0xffff, rng.int(20)]);
    let value;
    if (code === 9) value = Uint8Array.of(rng.pick([0, 6, 9, 10, 19, 20, 63, 64, 127, 0x80, 0x94, 0xbf, 0xff]));
    else if (code === 14) {
      value = new Uint8Array(8);
      const hi = rng.pick([0, 0x7fffffff, 0x80000000, 0xffffffff, rng.u32()]);
      put32(value, le ? 4 : 0, hi, le);
      put32(value, le ? 0 : 4, rng.u32(), le);
    } else value = rng.bytes(rng.pick([0, 1, 3, 4, 7, rng.int(64)]));
    const lie = rng.chance(0.5);
    const claimed = lie ? rng.pick([0, 1, 3, 0xffff, value.length + 4, value.length + 1]) : value.length;
    const opt = new Uint8Array(4 + ((value.length + 3) & ~3));
    put16(opt, 0, code, le);
    put16(opt, 2, claimed, le);
    opt.set(value, 4);
    opts.push(opt);
  }
  const optLen = opts.reduce((s, o) => s + o.length, 0);
  const len = fixedLen + optLen + 4;
  const block = new Uint8Array(len);
  block.set(bytes.subarray(b.start, b.start + fixedLen));
  put32(block, 4, len, le);
  let p = fixedLen;
  for (const o of opts) {
    block.set(o, p);
    p += o.length;
  }
  put32(block, len - 4, len, le);
  const unit = cap.units.indexOf(b);
  return { bytes: rebuild(bytes, cap, new Map([[unit, [block]]])), note: `block type ${b.type} at ${b.start}: ${n} options` };
}

/** Blocks that should not be there: unknown types, an SPB before any IDB, an EPB naming a missing interface. */
function pcapngBlocks(rng, bytes, cap) {
  if (cap === null || cap.format !== 'pcapng') return null;
  const le = cap.le;
  const kind = rng.pick(['unknown', 'spb', 'epb-bad-if', 'shb-swapped', 'idb-many']);
  let block;
  if (kind === 'unknown') {
    const body = rng.bytes(rng.pick([0, 4, 8, 64]));
    block = new Uint8Array(12 + body.length);
    put32(block, 0, rng.pick([0x80000001, 0x00000bad, 4, 5, 7, 9, 10, 0x40000bad]), le);
    block.set(body, 8);
  } else if (kind === 'spb') {
    block = new Uint8Array(16 + 60);
    put32(block, 0, 3, le);
    put32(block, 8, rng.pick([0, 60, 61, 0xffffffff]), le);
    block.set(rng.bytes(60), 12);
  } else if (kind === 'epb-bad-if') {
    block = new Uint8Array(32 + 20);
    put32(block, 0, 6, le);
    put32(block, 8, rng.pick([1, 7, 0xffff, 0xffffffff]), le);
    put32(block, 20, 20, le);
    put32(block, 24, 20, le);
  } else if (kind === 'shb-swapped') {
    block = new Uint8Array(28);
    block.set([0x0a, 0x0d, 0x0d, 0x0a]);
    put32(block, 4, 28, !le);
    put32(block, 8, 0x1a2b3c4d, !le);
    put16(block, 12, 1, !le);
    put32(block, 16, 0xffffffff, !le);
    put32(block, 20, 0xffffffff, !le);
    put32(block, 24, 28, !le);
    const at = rng.int(cap.units.length) + 1;
    return insertUnits(bytes, cap, at, [block], `swapped-order SHB inserted before unit ${at}`);
  } else {
    const parts = [];
    const n = rng.pick([2, 100, 3000]);
    for (let i = 0; i < n; i++) {
      const idb = new Uint8Array(20);
      put32(idb, 0, 1, le);
      put32(idb, 4, 20, le);
      put16(idb, 8, rng.pick([1, 101, 0xffff]), le);
      put32(idb, 12, rng.pick([0, 1, 0xffffffff]), le);
      put32(idb, 16, 20, le);
      parts.push(idb);
    }
    const at = rng.int(cap.units.length) + 1;
    return insertUnits(bytes, cap, at, parts, `${n} IDBs inserted before unit ${at}`);
  }
  const len = block.length;
  put32(block, 4, len, le);
  put32(block, len - 4, len, le);
  const at = rng.int(cap.units.length) + 1;
  return insertUnits(bytes, cap, at, [block], `${kind} block inserted before unit ${at}`);
}

function insertUnits(bytes, cap, at, parts, note) {
  if (at >= cap.units.length) {
    const out = new Uint8Array(bytes.length + parts.reduce((s, p) => s + p.length, 0));
    out.set(bytes);
    let pos = bytes.length;
    for (const p of parts) {
      out.set(p, pos);
      pos += p.length;
    }
    return { bytes: out, note };
  }
  const u = cap.units[at];
  return { bytes: rebuild(bytes, cap, new Map([[at, [...parts, bytes.subarray(u.start, u.end)]]])), note };
}

/** Records duplicated, dropped, swapped, or given timestamps that go backwards, jump, or have a sub-second overflow. */
function recordShuffle(rng, bytes, cap) {
  if (cap === null || cap.records.length < 2) return null;
  const kind = rng.pick(['duplicate', 'drop', 'swap', 'timestamp', 'repeat']);
  const rec = rng.pick(cap.records);
  const unitBytes = (r) => bytes.subarray(r.start, r.end);
  if (kind === 'duplicate') return { bytes: rebuild(bytes, cap, new Map([[rec.unit, [unitBytes(rec), unitBytes(rec)]]])), note: `frame ${rec.frame} duplicated` };
  if (kind === 'drop') return { bytes: rebuild(bytes, cap, new Map([[rec.unit, []]])), note: `frame ${rec.frame} dropped` };
  if (kind === 'repeat') {
    const n = rng.pick([50, 500, 5000]);
    return { bytes: rebuild(bytes, cap, new Map([[rec.unit, new Array(n).fill(unitBytes(rec))]])), note: `frame ${rec.frame} repeated ${n} times` };
  }
  if (kind === 'swap') {
    const other = rng.pick(cap.records);
    if (other === rec) return null;
    return {
      bytes: rebuild(bytes, cap, new Map([[rec.unit, [unitBytes(other)]], [other.unit, [unitBytes(rec)]]])),
      note: `frames ${rec.frame} and ${other.frame} swapped`,
    };
  }
  if (rec.tsOff === null) return null;
  const out = copy(bytes);
  const le = cap.format === 'pcap' ? cap.le : rec.le;
  const which = rng.int(2);
  put32(out, rec.tsOff + 4 * which, rng.pick([0, 1, 999999, 1000000, 999999999, 1000000000, 0x7fffffff, 0xffffffff, rng.u32()]), le);
  return { bytes: out, note: `frame ${rec.frame} timestamp word ${which}` };
}

// ---- packet mutators ----

function ipv4Lies(rng, bytes, cap) {
  const picked = pickRecord(rng, bytes, cap, 'ipv4');
  if (picked === null) return null;
  const { rec, L } = picked;
  const out = copy(bytes);
  const ip = L.ipStart;
  const field = rng.pick(['ihl', 'total-length', 'fragment', 'protocol', 'version', 'options']);
  if (field === 'ihl') out[ip] = (out[ip] & 0xf0) | rng.pick([0, 1, 4, 5, 6, 15, rng.int(16)]);
  if (field === 'total-length') put16(out, ip + 2, rng.pick([0, 1, 19, 20, 39, 40, 0xffff, L.ipEnd - ip + 1, L.ipEnd - ip - 1]), false);
  if (field === 'fragment') put16(out, ip + 6, rng.pick([0x2000, 0x2001, 0x1fff, 0x4000, 0x8000, 0x0001, rng.int(0x10000)]), false);
  if (field === 'protocol') out[ip + 9] = rng.pick([0, 4, 6, 17, 41, 51, 50, 255]);
  if (field === 'version') out[ip] = (rng.int(16) << 4) | (out[ip] & 0x0f);
  if (field === 'options' && L.ipHdrEnd !== undefined) {
    // IP options with lengths of 0, 1 and past the header (RFC 791 §3.1).
    out[ip] = (out[ip] & 0xf0) | 15;
    for (let i = 20; i < 60 && ip + i < rec.dataStart + rec.capLen; i++) out[ip + i] = rng.pick([0, 1, 7, 68, 130, 148, 0xff, rng.int(256)]);
  }
  return { bytes: out, note: `frame ${rec.frame} IPv4 ${field}` };
}

/** IPv6 extension chains that run long (hundreds of headers), repeat, lie about their lengths or loop types. */
function ipv6Extensions(rng, bytes, cap) {
  const picked = pickRecord(rng, bytes, cap, 'ipv6');
  if (picked === null || picked.L.ipHdrEnd === undefined) return null;
  const { rec, L } = picked;
  const recEnd = rec.dataStart + rec.capLen;
  const upper = bytes.subarray(L.tcpStart ?? L.ipHdrEnd, recEnd);
  const upperProto = L.tcpStart !== undefined ? 6 : bytes[L.ipStart + 6];
  const count = rng.pick([1, 2, 8, 100, 1000, 8000]);
  const types = [0, 43, 44, 60, 51, 135, 139, 140];
  const chain = [];
  let first = -1;
  for (let i = 0; i < count; i++) {
    const type = rng.chance(0.7) && chain.length > 0 ? chain[chain.length - 1].type : rng.pick(types);
    const lenUnits = rng.chance(0.8) ? 0 : rng.pick([1, 2, 255]);
    let size = type === 44 ? 8 : type === 51 ? (lenUnits + 2) * 4 : (lenUnits + 1) * 8;
    if (type === 51 && size < 12) size = 12;
    const h = new Uint8Array(size);
    h[1] = type === 44 ? 0 : type === 51 ? size / 4 - 2 : lenUnits;
    if (type === 44) put16(h, 2, rng.pick([0, 1, 0x0008, 0xfff8]), false);
    chain.push({ type, h });
    if (first < 0) first = type;
  }
  for (let i = 0; i < chain.length; i++) chain[i].h[0] = i + 1 < chain.length ? chain[i + 1].type : upperProto;
  if (rng.chance(0.3)) chain[chain.length - 1].h[0] = rng.pick([0, 43, 60, 59]);
  if (rng.chance(0.2)) chain[rng.int(chain.length)].h[1] = 0xff;
  const chainLen = chain.reduce((s, c) => s + c.h.length, 0);
  const head = bytes.slice(rec.dataStart, L.ipHdrEnd);
  head[L.ipStart - rec.dataStart + 6] = first;
  const data = new Uint8Array(head.length + chainLen + upper.length);
  data.set(head);
  let p = head.length;
  for (const c of chain) {
    data.set(c.h, p);
    p += c.h.length;
  }
  data.set(upper, p);
  const payloadLen = data.length - (L.ipStart - rec.dataStart) - 40;
  put16(data, L.ipStart - rec.dataStart + 4, rng.chance(0.8) ? Math.min(payloadLen, 0xffff) : rng.pick([0, 8, 0xffff]), false);
  const unit = recordUnit(bytes, cap, rec, data);
  return { bytes: rebuild(bytes, cap, new Map([[rec.unit, [unit]]])), note: `frame ${rec.frame}: ${count} IPv6 extension headers` };
}

function tcpDataOffset(rng, bytes, cap) {
  const picked = pickRecord(rng, bytes, cap, 'tcp');
  if (picked === null) return null;
  const { rec, L } = picked;
  const out = copy(bytes);
  const words = rng.pick([0, 1, 2, 3, 4, 6, 15, rng.int(16)]);
  out[L.tcpStart + 12] = (words << 4) | (out[L.tcpStart + 12] & 0x0f);
  return { bytes: out, note: `frame ${rec.frame} TCP data offset ${words * 4} bytes` };
}

/** TCP options (RFC 9293 §3.2) with lengths 0, 1 and past the header, odd kinds, SACK and timestamp garbage. */
function tcpOptions(rng, bytes, cap) {
  const picked = pickRecord(rng, bytes, cap, 'tcp');
  if (picked === null || picked.L.tcpHdrEnd === undefined) return null;
  const { rec, L } = picked;
  const optArea = L.tcpHdrEnd - L.tcpStart - 20;
  if (optArea > 0 && rng.chance(0.5)) {
    // In place: one option's length byte lies.
    const out = copy(bytes);
    let p = L.tcpStart + 20;
    const starts = [];
    while (p < L.tcpHdrEnd) {
      const kind = out[p];
      if (kind === 0) break;
      if (kind === 1) {
        p++;
        continue;
      }
      starts.push(p);
      const len = out[p + 1];
      if (len < 2) break;
      p += len;
    }
    if (starts.length === 0) return null;
    const at = rng.pick(starts);
    const value = rng.pick([0, 1, 2, 3, optArea + 1, 40, 0xff]);
    out[at + 1] = value;
    return { bytes: out, note: `frame ${rec.frame} TCP option at +${at - L.tcpStart} length ${value}` };
  }
  // Rewritten: a new option area of up to 40 bytes (the record grows or shrinks).
  const area = [];
  while (area.length < 40 && rng.chance(0.85)) {
    const kind = rng.pick([0, 1, 2, 3, 4, 5, 8, 19, 28, 29, 30, 34, 253, 254, rng.int(256)]);
    if (kind <= 1) {
      area.push(kind);
      continue;
    }
    const len = rng.chance(0.6) ? { 2: 4, 3: 3, 4: 2, 5: 10, 8: 10, 19: 18, 28: 4, 29: 8, 30: 12, 34: 6 }[kind] ?? rng.range(2, 12) : rng.pick([0, 1, 2, 41, 0xff]);
    area.push(kind, len);
    for (let i = 2; i < Math.min(len, 38); i++) area.push(rng.int(256));
  }
  while (area.length % 4 !== 0) area.push(rng.chance(0.5) ? 0 : 1);
  const opts = Uint8Array.from(area.slice(0, 40));
  const before = bytes.subarray(rec.dataStart, L.tcpStart + 20);
  const after = bytes.subarray(L.tcpHdrEnd, rec.dataStart + rec.capLen);
  const data = new Uint8Array(before.length + opts.length + after.length);
  data.set(before);
  data.set(opts, before.length);
  data.set(after, before.length + opts.length);
  const tcpAt = L.tcpStart - rec.dataStart;
  data[tcpAt + 12] = (((20 + opts.length) / 4) << 4) | (data[tcpAt + 12] & 0x0f);
  fixIpLength(data, L, rec, opts.length - optArea);
  const unit = recordUnit(bytes, cap, rec, data);
  return { bytes: rebuild(bytes, cap, new Map([[rec.unit, [unit]]])), note: `frame ${rec.frame} TCP options rewritten (${opts.length} bytes)` };
}

/** Adjusts the IP length field of a record's data (as located in L) by `delta` bytes. */
function fixIpLength(data, L, rec, delta) {
  const ip = L.ipStart - rec.dataStart;
  if (L.ipVersion === 4) put16(data, ip + 2, Math.max(0, Math.min(0xffff, ((data[ip + 2] << 8) | data[ip + 3]) + delta)), false);
  else put16(data, ip + 4, Math.max(0, Math.min(0xffff, ((data[ip + 4] << 8) | data[ip + 5]) + delta)), false);
}

/** Random sequence and acknowledgement numbers, flags and windows on real packets. */
function seqChaos(rng, bytes, cap) {
  if (cap === null) return null;
  const out = copy(bytes);
  const n = rng.pick([1, 2, 5, 20]);
  const notes = [];
  for (let i = 0; i < n; i++) {
    const picked = pickRecord(rng, bytes, cap, 'tcp');
    if (picked === null) return null;
    const { rec, L } = picked;
    const t = L.tcpStart;
    const field = rng.pick(['seq', 'ack', 'flags', 'window', 'all', 'near']);
    const old = u32(bytes, t + 4, false);
    if (field === 'seq' || field === 'all') put32(out, t + 4, rng.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, rng.u32()]), false);
    if (field === 'near') put32(out, t + 4, old + rng.pick([-1, 1, -65536, 65536, 0x80000000]), false);
    if (field === 'ack' || field === 'all') put32(out, t + 8, rng.pick([0, 1, 0xffffffff, rng.u32()]), false);
    if (field === 'flags' || field === 'all') {
      out[t + 13] = rng.pick([0, 0x02, 0x12, 0x01, 0x04, 0x14, 0x11, 0x03, 0x07, 0x3f, 0xff, 0xc2, rng.int(256)]);
      if (rng.chance(0.2)) out[t + 12] = (out[t + 12] & 0xf0) | rng.int(16);
    }
    if (field === 'window' || field === 'all') put16(out, t + 14, rng.pick([0, 1, 0xffff]), false);
    notes.push(`frame ${rec.frame} ${field}`);
  }
  return { bytes: out, note: notes.join(', ') };
}

// ---- HTTP rewrites: the payload of one segment is replaced, later sequence numbers shifted to stay consistent ----

const CRLF = '\r\n';

function httpText(rng, isResponse) {
  const huge = rng.pick(['99999999999999999999999', '18446744073709551616', '9007199254740993', '4294967296', '1e309', '0x10', ' 5', '5 5']);
  const neg = rng.pick(['-1', '-0', '-99999999999', '-9007199254740993']);
  const startReq = 'GET /x HTTP/1.1\r\nHost: a\r\n';
  const startResp = 'HTTP/1.1 200 OK\r\n';
  const start = isResponse ? startResp : startReq;
  const kind = rng.pick([
    'cl-huge', 'cl-negative', 'cl-conflict', 'chunk-overflow', 'chunk-ext', 'huge-line', 'many-headers', 'nul-start',
    'pipelined-garbage', 'many-1xx', 'many-requests', 'fold', 'bare-lf', 'long-start', 'weird-version', 'weird-status',
    'te-and-cl', 'connect', 'upgrade', 'random', 'escape', 'trailers',
  ]);
  let text;
  switch (kind) {
    case 'cl-huge':
      text = `${start}Content-Length: ${huge}${CRLF}${CRLF}body`;
      break;
    case 'cl-negative':
      text = `${start}Content-Length: ${neg}${CRLF}${CRLF}body`;
      break;
    case 'cl-conflict':
      text = `${start}Content-Length: 3${CRLF}Content-Length: ${rng.pick(['4', huge, neg, ''])}${CRLF}${CRLF}abcd`;
      break;
    case 'chunk-overflow': {
      const size = rng.pick(['FFFFFFFFFFFFFFFFFFFF', '20000000000001', '1FFFFFFFFFFFFF', '7FFFFFFFFFFFFFFF', '1'.repeat(400), '-1', '0x10', '', 'g']);
      text = `${start}Transfer-Encoding: chunked${CRLF}${CRLF}${size}${CRLF}abc${CRLF}0${CRLF}${CRLF}`;
      break;
    }
    case 'chunk-ext':
      text = `${start}Transfer-Encoding: chunked${CRLF}${CRLF}5;${'a=b;'.repeat(rng.pick([10, 10000, 100000]))}${CRLF}hello${CRLF}0${CRLF}${CRLF}`;
      break;
    case 'huge-line':
      text = `${start}X-Big: ${'a'.repeat(rng.pick([70000, 1 << 20, 3 << 20]))}${CRLF}${CRLF}`;
      break;
    case 'many-headers':
      text = `${start}${'X-H: v\r\n'.repeat(rng.pick([1000, 5000, 20000]))}${CRLF}`;
      break;
    case 'nul-start':
      text = isResponse ? `HTTP/1.1\x00200 OK\x00${CRLF}${CRLF}` : `GE\x00T /\x00 HTTP/1.1${CRLF}${CRLF}`;
      break;
    case 'pipelined-garbage':
      text = `${'GET / HTTP/1.1\r\n\r\n'.repeat(rng.range(1, 50))}${String.fromCharCode(...rng.bytes(rng.range(1, 200)))}`;
      break;
    case 'many-1xx':
      text = `${'HTTP/1.1 100 Continue\r\n\r\n'.repeat(rng.pick([10, 3000]))}HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n`;
      break;
    case 'many-requests':
      text = isResponse
        ? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'.repeat(rng.pick([100, 3000]))
        : 'GET /r HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(rng.pick([100, 3000]));
      break;
    case 'fold':
      text = `${start}X-A: 1\r\n  folded\r\n\tmore${CRLF}${CRLF}`;
      break;
    case 'bare-lf':
      text = isResponse ? 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok' : 'GET / HTTP/1.1\nHost: a\r\r\n\n';
      break;
    case 'long-start':
      text = isResponse ? `HTTP/1.1 200 ${'R'.repeat(100000)}${CRLF}${CRLF}` : `${'A'.repeat(rng.pick([100, 100000]))} /${'p'.repeat(100000)} HTTP/1.1${CRLF}${CRLF}`;
      break;
    case 'weird-version':
      text = isResponse ? `HTTP/9.99999999999999999999 200 OK${CRLF}${CRLF}` : `GET / HTTP/1.1111111111111111${CRLF}${CRLF}`;
      break;
    case 'weird-status':
      text = `HTTP/1.1 ${rng.pick(['999999999999', '-1', '0', '1', '099', '20x', ''])} X${CRLF}Content-Length: 1${CRLF}${CRLF}x`;
      break;
    case 'te-and-cl':
      text = `${start}Transfer-Encoding: ${rng.pick(['chunked', 'gzip, chunked', 'chunked, gzip', 'identity', 'x'.repeat(5000)])}${CRLF}Content-Length: 5${CRLF}${CRLF}5${CRLF}hello${CRLF}0${CRLF}${CRLF}`;
      break;
    case 'connect':
      text = isResponse ? `HTTP/1.1 200 Connection established${CRLF}${CRLF}\x16\x03\x01garbage` : `CONNECT a:443 HTTP/1.1${CRLF}Host: a:443${CRLF}${CRLF}\x16\x03\x01`;
      break;
    case 'upgrade':
      text = isResponse ? `HTTP/1.1 101 Switching Protocols${CRLF}Upgrade: websocket${CRLF}Connection: Upgrade${CRLF}${CRLF}\x81\x05hello` : `GET / HTTP/1.1${CRLF}Upgrade: h2c${CRLF}Connection: Upgrade${CRLF}${CRLF}`;
      break;
    case 'escape':
      text = isResponse ? `HTTP/1.1 200 \x1b[31mred\x1b[0m\x07${CRLF}${CRLF}` : `GET /\x1b[2J\x1b]0;title\x07 HTTP/1.1${CRLF}Host: \x1b[31m${CRLF}${CRLF}`;
      break;
    case 'trailers':
      text = `${start}Transfer-Encoding: chunked${CRLF}${CRLF}0${CRLF}${'T: v\r\n'.repeat(rng.pick([1, 5000]))}${CRLF}`;
      break;
    default:
      return { kind, payload: rng.bytes(rng.range(1, 3000)) };
  }
  return { kind, payload: latin1(text) };
}

function latin1(text) {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Replaces one segment's payload (split into several segments when large) and shifts every later sequence number of
 * that direction, and acknowledgement number of the other, so the stream stays whole and the HTTP parser sees it.
 */
export function rewritePayload(bytes, cap, picked, payload, segBytes = 16000) {
  const { rec, L } = picked;
  const flow = flowOf(bytes, L);
  const oldLen = L.payloadEnd - L.payloadStart;
  const delta = payload.length - oldLen;
  const replacements = new Map();
  const head = bytes.subarray(rec.dataStart, L.payloadStart);
  const seq0 = u32(bytes, L.tcpStart + 4, false);
  const segments = [];
  for (let off = 0; off < payload.length || segments.length === 0; off += segBytes) {
    const part = payload.subarray(off, off + segBytes);
    const data = new Uint8Array(head.length + part.length);
    data.set(head);
    data.set(part, head.length);
    put32(data, L.tcpStart - rec.dataStart + 4, seq0 + off, false);
    fixIpLength(data, L, rec, part.length - oldLen);
    segments.push(recordUnit(bytes, cap, rec, data));
  }
  replacements.set(rec.unit, segments);
  for (const later of cap.records) {
    if (later.frame <= rec.frame || delta === 0) continue;
    const LL = locateLayers(bytes, later);
    const f = flowOf(bytes, LL);
    if (f === null) continue;
    const shiftSeq = f.key === flow.key;
    const shiftAck = f.src === flow.dst && f.dst === flow.src && (bytes[LL.tcpStart + 13] & 0x10) !== 0;
    if (!shiftSeq && !shiftAck) continue;
    const data = bytes.slice(later.dataStart, later.dataStart + later.capLen);
    const t = LL.tcpStart - later.dataStart;
    if (shiftSeq) put32(data, t + 4, u32(data, t + 4, false) + delta, false);
    if (shiftAck) put32(data, t + 8, u32(data, t + 8, false) + delta, false);
    replacements.set(later.unit, [recordUnit(bytes, cap, later, data, later.origLen, later.capLen)]);
  }
  return rebuild(bytes, cap, replacements);
}

function httpRewrite(rng, bytes, cap) {
  if (cap === null) return null;
  const picked = pickRecord(rng, bytes, cap, 'payload');
  if (picked === null) return null;
  const { rec, L } = picked;
  const first = bytes.subarray(L.payloadStart, Math.min(L.payloadEnd, L.payloadStart + 5));
  const isResponse = String.fromCharCode(...first) === 'HTTP/' ? !rng.chance(0.1) : rng.chance(0.1);
  const { kind, payload } = httpText(rng, isResponse);
  const segBytes = rng.pick([1, 536, 1460, 16000, 60000]);
  // One-byte segments of a megabyte payload would make a million records: keep the record count sane.
  const seg = payload.length / segBytes > 20000 ? 16000 : segBytes;
  return {
    bytes: rewritePayload(bytes, cap, picked, payload, seg),
    note: `frame ${rec.frame} HTTP ${isResponse ? 'response' : 'request'} ${kind}, ${payload.length} bytes in ${seg}-byte segments`,
  };
}

/** Many copies of one segment at overlapping, out-of-order and far-off sequence numbers: the reassembler's worst day. */
function segmentStorm(rng, bytes, cap) {
  const picked = pickRecord(rng, bytes, cap, 'payload');
  if (picked === null) return null;
  const { rec, L } = picked;
  const payload = bytes.subarray(L.payloadStart, L.payloadEnd);
  const head = bytes.subarray(rec.dataStart, L.payloadStart);
  const seq0 = u32(bytes, L.tcpStart + 4, false);
  const t = L.tcpStart - rec.dataStart;
  const n = rng.pick([10, 100, 2000]);
  const units = [bytes.subarray(rec.start, rec.end)];
  for (let i = 0; i < n; i++) {
    const from = rng.int(payload.length + 1);
    const part = rng.chance(0.7) ? payload.subarray(from, from + rng.int(payload.length + 1)) : rng.bytes(rng.int(1500));
    const offset = rng.chance(0.1) ? rng.pick([0x7fffffff, 0x80000000, -1, 1 << 30]) : rng.range(-2 * payload.length - 10, 4 * payload.length + 10);
    const data = new Uint8Array(head.length + part.length);
    data.set(head);
    data.set(part, head.length);
    put32(data, t + 4, seq0 + offset, false);
    if (rng.chance(0.05)) data[t + 13] |= rng.pick([0x01, 0x04, 0x02]);
    fixIpLength(data, L, rec, part.length - payload.length);
    units.push(recordUnit(bytes, cap, rec, data));
  }
  return { bytes: rebuild(bytes, cap, new Map([[rec.unit, units]])), note: `frame ${rec.frame} followed by ${n} overlapping copies` };
}

/** Thousands of connections from one packet with new source ports and addresses: tracker tables, eviction, tables. */
function manyConnections(rng, bytes, cap) {
  const picked = pickRecord(rng, bytes, cap, 'tcp');
  if (picked === null) return null;
  const { rec, L } = picked;
  // At most ~4 MB of copies: this is about many connections, not about a big file.
  const n = Math.min(rng.pick([100, 2000, 8000]), Math.floor((4 << 20) / (rec.end - rec.start)));
  const t = L.tcpStart - rec.dataStart;
  const srcLast = L.ipStart - rec.dataStart + (L.ipVersion === 4 ? 15 : 23);
  const units = [bytes.subarray(rec.start, rec.end)];
  const flags = rng.pick([0x02, 0x12, 0x18, 0x10, 0x04, 0x11, -1]);
  for (let i = 0; i < n; i++) {
    const data = bytes.slice(rec.dataStart, rec.dataStart + rec.capLen);
    put16(data, t, (1024 + i) & 0xffff, false);
    data[srcLast] = (i >>> 16) & 0xff;
    if (flags >= 0) data[t + 13] = flags;
    else data[t + 13] = rng.int(256);
    put32(data, t + 4, rng.u32(), false);
    units.push(recordUnit(bytes, cap, rec, data, rec.origLen, rec.capLen));
  }
  return { bytes: rebuild(bytes, cap, new Map([[rec.unit, units]])), note: `frame ${rec.frame} copied to ${n} connections (flags ${flags})` };
}

/**
 * One HTTP pipeline of tens to hundreds of requests (or responses) fanned out over many connections: per-connection
 * HTTP state, many medium tables (a per-table limit once let 100 tables of 500 rows take 20 s).
 */
function httpFanout(rng, bytes, cap) {
  if (cap === null) return null;
  const picked = pickRecord(rng, bytes, cap, 'payload');
  if (picked === null) return null;
  const isResponse = rng.chance(0.3);
  const one = isResponse ? 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' : 'GET /r HTTP/1.1\r\nHost: a\r\n\r\n';
  const rows = rng.pick([50, 300, 499, 501, 600]);
  const text = latin1(one.repeat(rows));
  const rewritten = rewritePayload(bytes, cap, picked, text, 60000);
  const cap2 = parseCapture(rewritten);
  const rec = cap2?.records[picked.rec.frame - 1];
  if (rec === undefined) return null;
  const L = locateLayers(rewritten, rec);
  if (L.tcpStart === undefined) return null;
  const conns = Math.min(rng.pick([2, 20, 100]), Math.floor((4 << 20) / (rec.end - rec.start)));
  const units = [];
  for (let i = 0; i < conns; i++) {
    const data = rewritten.slice(rec.dataStart, rec.dataStart + rec.capLen);
    put16(data, L.tcpStart - rec.dataStart + (isResponse ? 2 : 0), 2000 + i, false);
    units.push(recordUnit(rewritten, cap2, rec, data, rec.origLen, rec.capLen));
  }
  return {
    bytes: rebuild(rewritten, cap2, new Map([[rec.unit, units]])),
    note: `frame ${picked.rec.frame}: ${rows} pipelined ${isResponse ? 'responses' : 'requests'} on each of ${conns} connections`,
  };
}

/** Every mutator by name with its weight (how often it is drawn). */
export const MUTATORS = {
  'bit-flip': { weight: 10, fn: bitFlip },
  'byte-set': { weight: 8, fn: byteSet },
  'truncate-layer': { weight: 12, fn: truncateLayer },
  'record-lengths': { weight: 8, fn: recordLengths },
  'file-header': { weight: 3, fn: fileHeader },
  'block-length': { weight: 5, fn: blockLength },
  'pcapng-options': { weight: 4, fn: pcapngOptions },
  'pcapng-blocks': { weight: 3, fn: pcapngBlocks },
  'record-shuffle': { weight: 5, fn: recordShuffle },
  'ipv4-lies': { weight: 7, fn: ipv4Lies },
  'ipv6-extensions': { weight: 5, fn: ipv6Extensions },
  'tcp-data-offset': { weight: 6, fn: tcpDataOffset },
  'tcp-options': { weight: 7, fn: tcpOptions },
  'seq-chaos': { weight: 8, fn: seqChaos },
  'http-rewrite': { weight: 12, fn: httpRewrite },
  'segment-storm': { weight: 4, fn: segmentStorm },
  'many-connections': { weight: 2, fn: manyConnections },
  'http-fanout': { weight: 2, fn: httpFanout },
  'random-file': { weight: 2, fn: randomFile },
};
const PCAPNG_ONLY = ['block-length', 'pcapng-options', 'pcapng-blocks'];
const TOTAL_WEIGHT = Object.values(MUTATORS).reduce((s, m) => s + m.weight, 0);

function drawMutator(rng, skip) {
  for (;;) {
    let r = rng.int(TOTAL_WEIGHT);
    let name = 'bit-flip';
    for (const [n, m] of Object.entries(MUTATORS)) {
      if (r < m.weight) {
        name = n;
        break;
      }
      r -= m.weight;
    }
    if (!skip.includes(name)) return name;
  }
}

/**
 * Mutant `index` of campaign `seed` over `corpus` (a list of { name, bytes }): { seedName, seedBytes, bytes,
 * mutators, notes }. One mutator most of the time, a stack of two or three sometimes (havoc). Deterministic.
 * `skip` names mutators never to draw (the test slice leaves out the slow scale ones).
 */
export function makeMutant(corpus, seed, index, only = null, skip = []) {
  const rng = mutantRng(seed, index);
  let source = corpus[rng.int(corpus.length)];
  // pcapng mutators would rarely meet a pcapng seed by chance (most fixtures are pcap): give them one.
  const pcapngFirst = rng.chance(0.08) ? rng.pick(PCAPNG_ONLY) : null;
  const firstName = only ?? (pcapngFirst !== null && !skip.includes(pcapngFirst) ? pcapngFirst : null);
  if (firstName !== null && PCAPNG_ONLY.includes(firstName)) {
    const ng = corpus.filter((c) => c.bytes.length >= 4 && c.bytes[0] === 0x0a && c.bytes[1] === 0x0d);
    if (ng.length > 0) source = rng.pick(ng);
  }
  const stack = only !== null ? 1 : rng.chance(0.12) ? rng.range(2, 3) : 1;
  let bytes = source.bytes;
  const names = [];
  const notes = [];
  for (let i = 0; i < stack; i++) {
    let result = null;
    let name = '';
    // A mutator may not apply (no IPv6 packet, not pcapng...): draw again, then fall back to bit flips.
    for (let attempt = 0; attempt < 8 && result === null; attempt++) {
      name = only ?? (i === 0 && attempt === 0 && firstName !== null ? firstName : drawMutator(rng, skip));
      const cap = name === 'random-file' ? null : parseCapture(bytes);
      result = MUTATORS[name].fn(rng, bytes, cap);
    }
    if (result === null) {
      name = 'bit-flip';
      result = bitFlip(rng, bytes) ?? randomFile(rng);
    }
    bytes = result.bytes;
    names.push(name);
    notes.push(result.note);
  }
  return { seedName: source.name, seedBytes: source.bytes, bytes, mutators: names, notes };
}

export { parseCapture, PCAP_HEADER_LEN };
