// Writes a deterministic classic pcap (Ethernet, µs) of busy-proxy HTTP/1.x traffic, simulated by per-endpoint TCP state machines.
// Benchmark input only: it must not import the analyzer (src/, dist/) and writes nothing but its pcap and a .json summary beside it.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = path.resolve(SCRIPT_DIR, '..', '..');
export const BENCH_OUT = path.join(PROJECT_ROOT, 'bench-out');
export const BASE_PACKETS = 1_500_000;
export const BASE_CONNECTIONS = 20_000;

const EPOCH_S = 1_700_000_000;
const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
const EV_RX = 0, EV_SEND = 1, EV_DELACK = 2, EV_RTO = 3, EV_APP = 4, EV_ARRIVAL = 5;
const NOTHING = 0, RETRANSMIT = 1, NEW_SEGMENT = 2, PURE_ACK = 3;
const DELACK_US = 40_000; // Linux TCP_DELACK_MIN
const SYN_RTO_US = 1_000_000; // RFC 6298 §2.1 initial RTO
const MIN_RTO_US = 200_000; // Linux TCP_RTO_MIN
const ARRIVALS_PER_S = 550; // with these lifetimes, about 600 connections are open at once, as on a busy proxy
const POOL_SIZE = 1 << 20;
const LAST_MODIFIED = new Date((EPOCH_S - 30 * 86400) * 1000).toUTCString();

export function defaultCapturePath(packets, seed) {
  return path.join(BENCH_OUT, `http-${packets}p-seed${seed}.pcap`);
}

// sfc32: small, fast, and the same sequence on every platform.
class Rng {
  constructor(seed) {
    this.a = 0x9e3779b9; this.b = 0x243f6a88; this.c = 0xb7e15162; this.d = seed >>> 0;
    for (let i = 0; i < 24; i++) this.next();
  }
  next() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  u32() { return (this.next() * 4294967296) >>> 0; }
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  uniform(lo, hi) { return lo + this.next() * (hi - lo); }
  chance(p) { return this.next() < p; }
  logUniform(lo, hi) { return lo * Math.exp(this.next() * Math.log(hi / lo)); }
  exp(mean) { return -mean * Math.log(1 - this.next()); }
  lognormal(median, sigma) {
    const g = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return median * Math.exp(sigma * g);
  }
  pick(list) { return list[Math.floor(this.next() * list.length)]; }
  weighted(table) {
    let x = this.next() * table.total;
    for (const [w, v] of table.entries) { if ((x -= w) < 0) return v; }
    return table.entries[table.entries.length - 1][1];
  }
}

function weights(entries) {
  return { entries, total: entries.reduce((s, [w]) => s + w, 0) };
}

// Binary min-heap of events ordered by (time, insertion id), so equal times keep FIFO order and runs are reproducible.
class EventQueue {
  constructor() { this.heap = []; this.nextId = 0; }
  get size() { return this.heap.length; }
  push(t, kind, ep, data, token) {
    const ev = { t, id: this.nextId++, kind, ep, data, token };
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent];
      if (p.t < t || (p.t === t && p.id < ev.id)) break;
      h[i] = p; i = parent;
    }
    h[i] = ev;
  }
  pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && (h[r].t < h[l].t || (h[r].t === h[l].t && h[r].id < h[l].id))) c = r;
      const child = h[c];
      if (last.t < child.t || (last.t === child.t && last.id < child.id)) break;
      h[i] = child; i = c;
    }
    h[i] = last;
    return top;
  }
}

class PcapWriter {
  constructor(file, bufferBytes = 8 << 20) {
    this.fd = fs.openSync(file, 'w');
    this.buf = Buffer.allocUnsafe(bufferBytes);
    this.pos = 0;
    this.fileBytes = 0;
    const b = this.buf;
    b.writeUInt32LE(0xa1b2c3d4, 0); // µs magic
    b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8); b.writeUInt32LE(0, 12);
    b.writeUInt32LE(262144, 16); b.writeUInt32LE(1, 20); // snaplen, LINKTYPE_ETHERNET
    this.pos = 24;
  }
  reserve(n) {
    if (this.pos + n > this.buf.length) this.flush();
    return this.pos;
  }
  flush() {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.fileBytes += this.pos;
    this.pos = 0;
  }
  close() { this.flush(); fs.closeSync(this.fd); }
}

class Endpoint {
  constructor(conn, isClient) {
    this.conn = conn; this.isClient = isClient; this.peer = null;
    this.ip = null; this.port = 0; this.mac = null; this.ttl = 64; this.ipId = 0; this.flowLabel = 0;
    this.isn = 0; this.tsBase = 0; this.wscale = 7; this.mssOption = 1460; this.mss = 1448; this.rateBitsPerUs = 100;
    this.pieces = []; this.pieceCursor = 0; this.appEnd = 0; this.pushEnds = new Set();
    this.synQueued = false; this.closeQueued = false; this.dead = false; this.established = false;
    this.sndUna = 0; this.sndNxt = 0; this.lastSendUs = 0;
    this.segs = []; this.segHead = 0; this.retxScan = 0; this.lostScan = 0; this.lostCount = 0; this.highSacked = -1;
    this.pipe = 0; this.cwnd = 0; this.ssthresh = Infinity; this.dupAcks = 0; this.recovery = false; this.recoverPt = 0;
    this.rtoToken = 0; this.rtoArmed = false; this.backoff = 1; this.retxNow = false;
    this.peerWnd = 65535; this.nextFreeUs = 0; this.sendPending = false;
    this.rcvNxt = 0; this.ooo = []; this.lastOooStart = -1; this.peerFinOff = -1; this.finDelivered = false;
    this.unacked = 0; this.ackNow = false; this.delackToken = 0; this.delackArmed = false;
    this.tsRecent = 0; this.rcvWnd = 64240; this.rcvWndMax = 3 << 20; this.rcvTotal = 0;
  }
  dataReceived() { return this.rcvNxt - 1 - (this.finDelivered ? 1 : 0); }
  finOffset() { return this.closeQueued ? 1 + this.appEnd : -1; }
  finAcked() { return this.closeQueued && this.sndUna > 1 + this.appEnd; }
}

class Conn {
  constructor(id) {
    this.id = id; this.v6 = false; this.ts = true; this.client = null; this.server = null;
    this.rttUs = 0; this.procUs = 0; this.lossRate = 0; this.rtoUs = 0; this.refuse = false;
    this.requests = []; this.batches = []; this.batchIdx = 0; this.endPlan = 'client-fin'; this.abortAt = -1;
    this.reqWritten = 0; this.reqEnds = []; this.served = 0; this.respEnds = []; this.respDone = 0;
    this.serverFreeUs = 0; this.done = false; this.host = ''; this.ua = '';
  }
}

const UAS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'curl/8.5.0', 'Wget/1.21.4', 'python-requests/2.31.0', 'Go-http-client/1.1', 'okhttp/4.12.0',
];
const HOSTS = ['www.example.com', 'static.example.com', 'api.example.net', 'cdn.example.org', 'img.example.com'];
const EXTS = [['html', 'text/html; charset=utf-8'], ['css', 'text/css'], ['js', 'application/javascript'],
  ['png', 'image/png'], ['jpg', 'image/jpeg'], ['json', 'application/json'], ['woff2', 'font/woff2'], ['svg', 'image/svg+xml']];
const STATUS = weights([[80, [200, 'OK']], [8, [304, 'Not Modified']], [4, [404, 'Not Found']], [3, [301, 'Moved Permanently']],
  [2, [204, 'No Content']], [2, [302, 'Found']], [1, [500, 'Internal Server Error']]]);
const KINDS = weights([[0.6, 'refused'], [36, 'short'], [43, 'keepalive'], [11, 'pipelined'], [2.5, 'large']]);

export function generateCapture({ packets = BASE_PACKETS, minConnections, seed = 1, out, log = () => {} } = {}) {
  const target = packets;
  const minConns = minConnections ?? Math.ceil(BASE_CONNECTIONS * packets / BASE_PACKETS);
  const file = out ?? defaultCapturePath(packets, seed);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const rng = new Rng(seed);
  const w = new PcapWriter(tmp);
  const q = new EventQueue();
  const pool = Buffer.allocUnsafe(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i += 4) pool.writeUInt32LE(rng.u32(), i);
  const serverMac = Buffer.from([0x00, 0x16, 0x3e, 0x5a, 0x01, 0x10]);
  const gatewayMac = Buffer.from([0x00, 0x1b, 0x21, 0x3c, 0x9d, 0x01]);
  const servers4 = [10, 11, 12, 13].map((x) => Buffer.from([198, 51, 100, x]));
  const servers6 = [0x10, 0x11].map((x) => { const b = Buffer.alloc(16); b.writeUInt32BE(0x20010db8, 0); b[15] = x; return b; });
  const clientCount = Math.max(64, Math.ceil(minConns / 6));
  const clients = [];
  for (let i = 0; i < clientCount; i++) {
    const v6 = rng.chance(0.07);
    const ip = v6 ? Buffer.alloc(16) : Buffer.from([10, rng.int(0, 255), rng.int(0, 255), rng.int(1, 254)]);
    if (v6) { ip.writeUInt32BE(0x20010db8, 0); ip.writeUInt16BE(0x100 + (i & 0xff), 4); ip.writeUInt32BE(rng.u32(), 8); ip.writeUInt32BE(rng.u32(), 12); }
    clients.push({ v6, ip, nextPort: rng.int(32768, 60000), windows: rng.chance(0.12), hops: rng.int(4, 18) });
  }
  const stats = { packets: 0, connections: 0, requests: 0, lossyConnections: 0, retransmissions: 0, rtos: 0, resets: 0,
    ipv6Connections: 0, maxOpen: 0, kinds: {} };
  let open = 0;
  let spawning = true;
  let dateCacheS = -1, dateCache = '';
  const startWall = Date.now();

  function httpDate(nowUs) {
    const s = EPOCH_S + Math.floor(nowUs / 1e6);
    if (s !== dateCacheS) { dateCacheS = s; dateCache = new Date(s * 1000).toUTCString(); }
    return dateCache;
  }

  function writePacket(ep, now, seqOff, flags, ds, de, sack) {
    const conn = ep.conn, peer = ep.peer, v6 = conn.v6, ts = conn.ts;
    const sackN = sack ? sack.length >> 1 : 0;
    const optLen = (flags & SYN) ? (ts ? 20 : 12) : (ts ? 12 : 0) + (sackN ? 4 + 8 * sackN : 0);
    const payLen = de - ds;
    const ipHdr = v6 ? 40 : 20;
    const tcpLen = 20 + optLen + payLen;
    const frame = 14 + ipHdr + tcpLen;
    const b = w.buf;
    let o = w.reserve(16 + frame);
    b.writeUInt32LE(EPOCH_S + Math.floor(now / 1e6), o);
    b.writeUInt32LE(Math.floor(now % 1e6), o + 4);
    b.writeUInt32LE(frame, o + 8);
    b.writeUInt32LE(frame, o + 12);
    o += 16;
    (ep.isClient ? serverMac : gatewayMac).copy(b, o);
    (ep.isClient ? gatewayMac : serverMac).copy(b, o + 6);
    b[o + 12] = v6 ? 0x86 : 0x08; b[o + 13] = v6 ? 0xdd : 0x00;
    o += 14;
    const id = ep.ipId; ep.ipId = (ep.ipId + 1) & 0xffff;
    if (v6) {
      b.writeUInt32BE((0x60000000 | ep.flowLabel) >>> 0, o);
      b.writeUInt16BE(tcpLen, o + 4); b[o + 6] = 6; b[o + 7] = ep.ttl;
      ep.ip.copy(b, o + 8); peer.ip.copy(b, o + 24);
    } else {
      b[o] = 0x45; b[o + 1] = 0; b.writeUInt16BE(ipHdr + tcpLen, o + 2);
      b.writeUInt16BE((flags & SYN) && !ep.isClient ? 0 : id, o + 4);
      b[o + 6] = 0x40; b[o + 7] = 0; b[o + 8] = ep.ttl; b[o + 9] = 6; b[o + 10] = 0; b[o + 11] = 0;
      ep.ip.copy(b, o + 12); peer.ip.copy(b, o + 16);
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += (b[o + i] << 8) | b[o + i + 1];
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      b.writeUInt16BE(~sum & 0xffff, o + 10);
    }
    o += ipHdr;
    b.writeUInt16BE(ep.port, o); b.writeUInt16BE(peer.port, o + 2);
    b.writeUInt32BE((ep.isn + seqOff) >>> 0, o + 4);
    b.writeUInt32BE((flags & ACK) ? (peer.isn + ep.rcvNxt) >>> 0 : 0, o + 8);
    b[o + 12] = ((20 + optLen) >> 2) << 4; b[o + 13] = flags;
    const win = (flags & SYN) ? Math.min(ep.rcvWnd, 65535) : Math.min(ep.rcvWnd >>> ep.wscale, 65535);
    b.writeUInt16BE(win, o + 14);
    b.writeUInt32BE(0, o + 16);
    o += 20;
    const tsval = (ep.tsBase + Math.floor(now / 1000)) >>> 0;
    if (flags & SYN) {
      if (ts) {
        b[o] = 2; b[o + 1] = 4; b.writeUInt16BE(ep.mssOption, o + 2);
        b[o + 4] = 4; b[o + 5] = 2;
        b[o + 6] = 8; b[o + 7] = 10; b.writeUInt32BE(tsval, o + 8); b.writeUInt32BE((flags & ACK) ? ep.tsRecent : 0, o + 12);
        b[o + 16] = 1; b[o + 17] = 3; b[o + 18] = 3; b[o + 19] = ep.wscale;
      } else {
        b[o] = 2; b[o + 1] = 4; b.writeUInt16BE(ep.mssOption, o + 2);
        b[o + 4] = 1; b[o + 5] = 3; b[o + 6] = 3; b[o + 7] = ep.wscale;
        b[o + 8] = 1; b[o + 9] = 1; b[o + 10] = 4; b[o + 11] = 2;
      }
    } else {
      if (ts) {
        b[o] = 1; b[o + 1] = 1; b[o + 2] = 8; b[o + 3] = 10;
        b.writeUInt32BE(tsval, o + 4); b.writeUInt32BE(ep.tsRecent, o + 8);
        o += 12;
      }
      if (sackN) {
        b[o] = 1; b[o + 1] = 1; b[o + 2] = 5; b[o + 3] = 2 + 8 * sackN;
        o += 4;
        for (let i = 0; i < sack.length; i++) { b.writeUInt32BE((peer.isn + sack[i]) >>> 0, o); o += 4; }
      }
    }
    o = w.pos + 16 + frame - payLen;
    if (payLen > 0) copyPayload(ep, b, o, ds, de);
    w.pos += 16 + frame;
    stats.packets++;
    return tsval;
  }

  function copyPayload(ep, dst, at, ds, de) {
    const pieces = ep.pieces;
    let i = ep.pieceCursor;
    while (i > 0 && pieces[i].off > ds) i--;
    while (pieces[i].off + pieces[i].len <= ds) i++;
    let pos = ds;
    for (;;) {
      const pc = pieces[i];
      const from = pos - pc.off;
      const n = Math.min(pc.len - from, de - pos);
      if (pc.buf) pc.buf.copy(dst, at, from, from + n);
      else {
        let p = (pc.salt + from) % POOL_SIZE, left = n, a = at;
        while (left > 0) { const k = Math.min(left, POOL_SIZE - p); pool.copy(dst, a, p, p + k); a += k; left -= k; p = 0; }
      }
      at += n; pos += n;
      if (pos >= de) break;
      i++;
    }
    ep.pieceCursor = i;
  }

  // The capture point is at the server: server packets are seen when sent, client packets when they arrive.
  // So, in capture time, a server->client packet reaches the client one RTT later and client->server is immediate.
  function transmit(ep, now, seqOff, flags, ds, de, segS, segE) {
    const conn = ep.conn;
    const lost = conn.lossRate > 0 && rng.next() < conn.lossRate;
    if (ep.isClient && lost) return;
    const sack = (flags & ACK) && !(flags & (SYN | RST)) && ep.ooo.length ? sackBlocks(ep) : null;
    const tsval = writePacket(ep, now, seqOff, flags, ds, de, sack);
    if (flags & RST) stats.resets++;
    if (lost) return;
    const info = { s: segS, e: segE, flags, ack: ep.rcvNxt, wnd: (flags & SYN) ? Math.min(ep.rcvWnd, 65535) : ep.rcvWnd, tsval, sack, dataLen: de - ds };
    q.push(now + (ep.isClient ? conn.procUs : conn.rttUs), EV_RX, ep.peer, info, 0);
  }

  // RFC 2018 §4: the first block reports the most recently received segment, then the others.
  function sackBlocks(ep) {
    const ooo = ep.ooo, max = ep.conn.ts ? 3 : 4;
    const out = [];
    let first = ooo.length - 1;
    for (let i = 0; i < ooo.length; i++) if (ooo[i].s <= ep.lastOooStart && ep.lastOooStart < ooo[i].e) first = i;
    out.push(ooo[first].s, ooo[first].e);
    for (let i = ooo.length - 1; i >= 0 && out.length < 2 * max; i--) if (i !== first) out.push(ooo[i].s, ooo[i].e);
    return out;
  }

  function afterDataSent(ep) {
    ep.ackNow = false; ep.unacked = 0;
    if (ep.delackArmed) { ep.delackArmed = false; ep.delackToken++; }
  }

  function sendSegment(ep, now, seg) {
    const dataEnd = 1 + ep.appEnd;
    const ds = Math.max(seg.s, 1) - 1, de = Math.max(Math.min(seg.e, dataEnd), 1) - 1;
    const flags = seg.flags | (ep.rcvNxt > 0 ? ACK : 0);
    transmit(ep, now, seg.s, flags, ds, Math.max(ds, de), seg.s, seg.e);
    afterDataSent(ep);
    ep.lastSendUs = now;
    ep.nextFreeUs = now + (54 + 32 + (de - ds)) * 8 / ep.rateBitsPerUs;
    if (!ep.rtoArmed) armRto(ep, now);
  }

  function sendPureAck(ep, now) {
    transmit(ep, now, ep.sndNxt, ACK, 0, 0, ep.sndNxt, ep.sndNxt);
    afterDataSent(ep);
  }

  function sendReset(ep, now, withAck) {
    transmit(ep, now, ep.sndNxt, withAck ? RST | ACK : RST, 0, 0, ep.sndNxt, ep.sndNxt);
    killEndpoint(ep);
  }

  function killEndpoint(ep) {
    if (ep.dead) return;
    ep.dead = true; ep.rtoToken++; ep.delackToken++;
    checkDone(ep.conn);
  }

  function checkDone(conn) {
    if (conn.done) return;
    const c = conn.client, s = conn.server;
    const cDone = c.dead || (c.finAcked() && c.finDelivered);
    const sDone = s.dead || (s.finAcked() && s.finDelivered);
    if (cDone && sDone) { conn.done = true; open--; }
  }

  function armRto(ep, now) {
    ep.rtoArmed = true;
    const base = ep.established ? ep.conn.rtoUs : SYN_RTO_US;
    q.push(now + base * ep.backoff, EV_RTO, ep, null, ++ep.rtoToken);
  }

  function nextToSend(ep) {
    if (ep.dead) return NOTHING;
    if (ep.lostCount > 0 && (ep.pipe < ep.cwnd || ep.retxNow)) return RETRANSMIT;
    if (ep.sndNxt === 0) return ep.synQueued ? NEW_SEGMENT : (ep.ackNow ? PURE_ACK : NOTHING);
    if (ep.established) {
      const dataEnd = 1 + ep.appEnd;
      const end = ep.closeQueued ? dataEnd + 1 : dataEnd;
      if (ep.sndNxt < end) {
        const len = Math.max(1, Math.min(ep.mss, dataEnd - ep.sndNxt));
        if (ep.pipe + len <= ep.cwnd && ep.sndNxt + len - ep.sndUna <= ep.peerWnd) return NEW_SEGMENT;
      }
    }
    return ep.ackNow ? PURE_ACK : NOTHING;
  }

  function sendOne(ep, now, what) {
    if (what === RETRANSMIT) {
      let i = Math.max(ep.retxScan, ep.segHead);
      while (i < ep.segs.length && !ep.segs[i].lost) i++;
      if (i >= ep.segs.length) { ep.lostCount = 0; return; }
      const seg = ep.segs[i];
      ep.retxScan = i + 1;
      ep.retxNow = false;
      seg.lost = false; ep.lostCount--; seg.retx++; seg.counted = true; ep.pipe += seg.e - seg.s;
      stats.retransmissions++;
      sendSegment(ep, now, seg);
    } else if (what === NEW_SEGMENT) {
      if (ep.sndNxt > 0 && ep.sndUna === ep.sndNxt && now - ep.lastSendUs > ep.conn.rtoUs) {
        ep.cwnd = Math.min(ep.cwnd, 10 * ep.mss); // RFC 5681 §4.1 restart after idle
      }
      const s = ep.sndNxt;
      let e, flags = 0;
      if (s === 0) { e = 1; flags = SYN; } else {
        const dataEnd = 1 + ep.appEnd;
        const len = Math.min(ep.mss, dataEnd - s);
        e = s + len;
        if (len > 0 && (e === dataEnd || ep.pushEnds.has(e - 1))) flags |= PSH;
        if (ep.closeQueued && e === dataEnd) { e++; flags |= FIN; }
      }
      const seg = { s, e, flags, sacked: false, lost: false, counted: true, retx: 0 };
      ep.segs.push(seg);
      ep.sndNxt = e;
      ep.pipe += e - s;
      sendSegment(ep, now, seg);
    } else {
      sendPureAck(ep, now);
    }
  }

  function trySend(ep, now) {
    if (ep.sendPending) return;
    let what = nextToSend(ep);
    if (what === NOTHING) return;
    if (what !== PURE_ACK && now < ep.nextFreeUs) {
      ep.sendPending = true;
      q.push(ep.nextFreeUs, EV_SEND, ep, null, 0);
      return;
    }
    sendOne(ep, now, what);
    what = nextToSend(ep);
    if (what === PURE_ACK) sendOne(ep, now, what);
    else if (what !== NOTHING) {
      ep.sendPending = true;
      q.push(Math.max(now, ep.nextFreeUs), EV_SEND, ep, null, 0);
    }
  }

  function compactSegs(ep) {
    const h = ep.segHead;
    if (h < 256 || h * 2 < ep.segs.length) return;
    ep.segs = ep.segs.slice(h);
    ep.retxScan = Math.max(0, ep.retxScan - h); ep.lostScan = Math.max(0, ep.lostScan - h);
    ep.highSacked = ep.highSacked >= h ? ep.highSacked - h : -1;
    ep.segHead = 0;
  }

  function markLost(ep, seg, i) {
    if (seg.sacked || seg.lost) return;
    seg.lost = true; ep.lostCount++;
    if (seg.counted) { seg.counted = false; ep.pipe -= seg.e - seg.s; }
    if (i < ep.retxScan) ep.retxScan = i;
  }

  // RFC 6675 §5: below the highest SACKed segment, what is neither SACKed nor already retransmitted is lost.
  function markHoles(ep) {
    if (ep.highSacked < 0) return;
    for (let i = Math.max(ep.lostScan, ep.segHead); i < ep.highSacked; i++) {
      const seg = ep.segs[i];
      if (seg.retx === 0) markLost(ep, seg, i);
    }
    ep.lostScan = Math.max(ep.lostScan, ep.highSacked);
  }

  function applySack(ep, sack) {
    const segs = ep.segs;
    for (let k = 0; k < sack.length; k += 2) {
      const bs = sack[k], be = sack[k + 1];
      let lo = ep.segHead, hi = segs.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (segs[mid].e <= be) lo = mid + 1; else hi = mid; }
      for (let i = lo - 1; i >= ep.segHead; i--) {
        const seg = segs[i];
        if (seg.s < bs || seg.sacked) break;
        seg.sacked = true;
        if (seg.counted) { seg.counted = false; ep.pipe -= seg.e - seg.s; }
        if (seg.lost) { seg.lost = false; ep.lostCount--; }
        if (i > ep.highSacked) ep.highSacked = i;
      }
    }
  }

  function processAck(ep, p, now) {
    const ack = p.ack;
    const wndChanged = p.wnd !== ep.peerWnd;
    ep.peerWnd = p.wnd;
    if (ack > ep.sndUna) {
      const acked = ack - ep.sndUna;
      ep.sndUna = ack;
      const segs = ep.segs;
      while (ep.segHead < segs.length && segs[ep.segHead].e <= ack) {
        const seg = segs[ep.segHead++];
        if (seg.counted) ep.pipe -= seg.e - seg.s;
        if (seg.lost) ep.lostCount--;
      }
      if (ep.segHead < segs.length && segs[ep.segHead].s < ack) {
        const seg = segs[ep.segHead];
        if (seg.counted) ep.pipe -= ack - seg.s;
        seg.s = ack;
      }
      if (ep.highSacked < ep.segHead) ep.highSacked = -1;
      compactSegs(ep);
      ep.dupAcks = 0; ep.backoff = 1;
      if (!ep.established) {
        ep.established = true;
        if (ep.isClient) appClientEstablished(ep.conn, now);
      }
      if (p.sack) applySack(ep, p.sack);
      if (ep.recovery) {
        if (ack >= ep.recoverPt) { ep.recovery = false; ep.cwnd = ep.ssthresh; }
        else {
          const first = ep.segs[ep.segHead];
          if (first && first.retx === 0) markLost(ep, first, ep.segHead); // RFC 6582 partial ACK
          markHoles(ep);
        }
      } else if (ep.cwnd < ep.ssthresh) ep.cwnd += Math.min(acked, 2 * ep.mss);
      else ep.cwnd += ep.mss * ep.mss / ep.cwnd;
      ep.rtoArmed = false; ep.rtoToken++;
      if (ep.segHead < ep.segs.length) armRto(ep, now);
    } else if (ack === ep.sndUna && ep.segHead < ep.segs.length && p.dataLen === 0 && !(p.flags & (SYN | FIN)) && !wndChanged) {
      ep.dupAcks++;
      if (p.sack) applySack(ep, p.sack);
      if (!ep.recovery && ep.dupAcks >= 3) {
        ep.ssthresh = Math.max(Math.floor(ep.cwnd * 0.7), 2 * ep.mss); // CUBIC beta
        ep.cwnd = ep.ssthresh;
        ep.recovery = true; ep.recoverPt = ep.sndNxt;
        markLost(ep, ep.segs[ep.segHead], ep.segHead);
        markHoles(ep);
        ep.retxNow = true; // RFC 6675 §5 (4.2): the first retransmission does not wait for pipe to drain
      } else if (ep.recovery) markHoles(ep);
    } else if (p.sack) applySack(ep, p.sack);
  }

  function onRto(ep, now) {
    ep.rtoArmed = false;
    if (ep.dead || ep.segHead >= ep.segs.length) return;
    stats.rtos++;
    ep.backoff *= 2;
    if (ep.backoff > 64) { killEndpoint(ep); return; }
    ep.ssthresh = Math.max(Math.floor(ep.cwnd / 2), 2 * ep.mss);
    ep.cwnd = ep.mss; ep.recovery = false; ep.dupAcks = 0;
    for (let i = ep.segHead; i < ep.segs.length; i++) {
      const seg = ep.segs[i];
      markLost(ep, seg, i);
    }
    ep.retxScan = ep.segHead;
    armRto(ep, now);
    trySend(ep, now);
  }

  function insertOoo(ep, s, e) {
    const ooo = ep.ooo;
    let i = 0;
    while (i < ooo.length && ooo[i].e < s) i++;
    if (i < ooo.length && ooo[i].s <= e) {
      ooo[i].s = Math.min(ooo[i].s, s); ooo[i].e = Math.max(ooo[i].e, e);
      while (i + 1 < ooo.length && ooo[i + 1].s <= ooo[i].e) { ooo[i].e = Math.max(ooo[i].e, ooo[i + 1].e); ooo.splice(i + 1, 1); }
    } else ooo.splice(i, 0, { s, e });
    ep.lastOooStart = s;
  }

  function onRx(ep, p, now) {
    if (ep.dead) {
      if (!(p.flags & RST)) transmit(ep, now, p.ack, RST, 0, 0, p.ack, p.ack); // RFC 9293 §3.10.7.1: a closed port resets
      return;
    }
    if (p.flags & RST) { killEndpoint(ep); return; }
    ep.tsRecent = p.tsval;
    const conn = ep.conn;
    if (p.flags & SYN) {
      if (!ep.isClient) {
        if (conn.refuse) {
          ep.rcvNxt = 1; ep.isn = 0; ep.rcvWnd = 0;
          transmit(ep, now, 0, RST | ACK, 0, 0, 0, 0);
          killEndpoint(ep);
          return;
        }
        ep.peerWnd = p.wnd;
        if (ep.rcvNxt === 0) {
          ep.rcvNxt = 1; ep.synQueued = true;
          q.push(now + conn.procUs + 8, EV_SEND, ep, null, 0);
          ep.sendPending = true;
        } else if (ep.segHead < ep.segs.length && ep.segs[ep.segHead].s === 0) {
          markLost(ep, ep.segs[ep.segHead], ep.segHead); trySend(ep, now);
        }
        return;
      }
      if (ep.rcvNxt === 0) ep.rcvNxt = 1;
      ep.ackNow = true;
    }
    if (p.flags & ACK) processAck(ep, p, now);
    if (ep.dead) return;
    const len = p.e - p.s;
    if (len > 0 && !(p.flags & SYN)) {
      if (p.flags & FIN) ep.peerFinOff = p.e - 1;
      if (p.e <= ep.rcvNxt) ep.ackNow = true; // duplicate: RFC 9293 §3.10.7.4 says acknowledge at once
      else if (p.s <= ep.rcvNxt) {
        const hadHole = ep.ooo.length > 0;
        const before = ep.rcvNxt;
        ep.rcvNxt = p.e;
        while (ep.ooo.length && ep.ooo[0].s <= ep.rcvNxt) ep.rcvNxt = Math.max(ep.rcvNxt, ep.ooo.shift().e);
        ep.rcvTotal += ep.rcvNxt - before;
        const grown = Math.min(ep.rcvWndMax, 65536 + 2 * ep.rcvTotal);
        if (grown > ep.rcvWnd) ep.rcvWnd = grown - (grown & ((1 << ep.wscale) - 1));
        let finNow = false;
        if (ep.peerFinOff >= 0 && ep.rcvNxt > ep.peerFinOff && !ep.finDelivered) { ep.finDelivered = true; finNow = true; }
        if (hadHole || finNow) ep.ackNow = true;
        else if (++ep.unacked >= 2) ep.ackNow = true; // RFC 1122 §4.2.3.2: ACK at least every second full segment
        else if (!ep.delackArmed) { ep.delackArmed = true; q.push(now + DELACK_US, EV_DELACK, ep, null, ++ep.delackToken); }
        if (ep.isClient) appClientData(conn, now); else appServerData(conn, now);
        if (finNow && !ep.dead) { if (ep.isClient) appClientFin(conn, now); else appServerFin(conn, now); }
      } else { insertOoo(ep, p.s, p.e); ep.ackNow = true; }
    }
    trySend(ep, now);
    if (ep.closeQueued || ep.finDelivered) checkDone(conn);
  }

  function appWrite(ep, text) {
    const buf = Buffer.from(text, 'latin1');
    ep.pieces.push({ off: ep.appEnd, len: buf.length, buf, salt: 0 });
    ep.appEnd += buf.length;
  }

  function appFill(ep, len) {
    if (len <= 0) return;
    ep.pieces.push({ off: ep.appEnd, len, buf: null, salt: rng.int(0, POOL_SIZE - 1) });
    ep.appEnd += len;
  }

  function appClientEstablished(conn, now) {
    q.push(now + rng.int(15, 300), EV_APP, conn.client, (t) => clientWriteBatch(conn, t), 0);
  }

  function clientWriteBatch(conn, now) {
    const ep = conn.client;
    if (ep.dead || ep.closeQueued) return;
    const n = conn.batches[conn.batchIdx++];
    for (let k = 0; k < n; k++) {
      const r = conn.requests[conn.reqWritten];
      let head = `${r.method} ${r.path} HTTP/1.${r.minor}\r\nHost: ${conn.host}\r\nUser-Agent: ${conn.ua}\r\nAccept: */*\r\n`;
      if (r.browser) head += 'Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate\r\n';
      if (r.connClose) head += 'Connection: close\r\n';
      else if (r.minor === 0 && r.keepAlive10) head += 'Connection: keep-alive\r\n';
      if (r.reqBody > 0) head += `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${r.reqBody}\r\n`;
      appWrite(ep, head + '\r\n');
      appFill(ep, r.reqBody);
      ep.pushEnds.add(ep.appEnd);
      conn.reqEnds.push(ep.appEnd);
      conn.reqWritten++;
      stats.requests++;
    }
    trySend(ep, now);
  }

  function appServerData(conn, now) {
    const ep = conn.server;
    const have = ep.dataReceived();
    while (conn.served < conn.reqEnds.length && have >= conn.reqEnds[conn.served]) {
      const i = conn.served++;
      const r = conn.requests[i];
      const at = Math.max(now, conn.serverFreeUs) + r.thinkUs;
      conn.serverFreeUs = at;
      q.push(at, EV_APP, ep, (t) => serverWriteResponse(conn, i, t), 0);
    }
  }

  function serverWriteResponse(conn, i, now) {
    const ep = conn.server;
    if (ep.dead || ep.closeQueued) return;
    const r = conn.requests[i];
    let head = `HTTP/1.${r.minor} ${r.status} ${r.reason}\r\nServer: nginx/1.24.0\r\nDate: ${httpDate(now)}\r\n`;
    if (r.status !== 204 && r.status !== 304) head += `Content-Type: ${r.ctype}\r\n`;
    const bodyAllowed = r.method !== 'HEAD' && r.status !== 204 && r.status !== 304;
    if (r.chunked) head += 'Transfer-Encoding: chunked\r\n';
    else if (!r.closeDelimited && r.status !== 204 && r.status !== 304) head += `Content-Length: ${r.respBody}\r\n`;
    if (r.status === 301 || r.status === 302) head += `Location: https://${conn.host}${r.path}\r\n`;
    if (r.status === 200 && r.etag) head += `Last-Modified: ${LAST_MODIFIED}\r\nETag: "${r.etag}"\r\nAccept-Ranges: bytes\r\n`;
    if (r.serverCloses) head += 'Connection: close\r\n';
    else if (r.minor === 1 || r.keepAlive10) head += 'Connection: keep-alive\r\n';
    if (r.minor === 0 && r.keepAlive10 && !r.serverCloses) head += 'Keep-Alive: timeout=5, max=100\r\n';
    appWrite(ep, head + '\r\n');
    if (bodyAllowed && r.chunked) {
      let left = r.respBody;
      while (left > 0) {
        const n = Math.min(left, r.chunkSize);
        appWrite(ep, `${n.toString(16)}\r\n`);
        appFill(ep, n);
        appWrite(ep, '\r\n');
        left -= n;
      }
      appWrite(ep, '0\r\n\r\n');
    } else if (bodyAllowed) appFill(ep, r.respBody);
    ep.pushEnds.add(ep.appEnd);
    conn.respEnds.push(r.closeDelimited ? Infinity : ep.appEnd);
    if (r.serverCloses) ep.closeQueued = true;
    else if (i === conn.requests.length - 1 && conn.endPlan === 'server-idle') {
      q.push(now + rng.uniform(1e6, 5e6), EV_APP, ep, (t) => serverClose(conn, t), 0);
    }
    trySend(ep, now);
  }

  function serverClose(conn, now) {
    const ep = conn.server;
    if (ep.dead || ep.closeQueued) return;
    ep.closeQueued = true;
    trySend(ep, now);
  }

  function appClientData(conn, now) {
    const ep = conn.client;
    const have = ep.dataReceived();
    if (conn.abortAt >= 0 && have >= conn.abortAt) { sendReset(ep, now, true); return; }
    while (conn.respDone < conn.respEnds.length && have >= conn.respEnds[conn.respDone]) {
      conn.respDone++;
      clientResponseDone(conn, now);
    }
  }

  function clientResponseDone(conn, now) {
    if (conn.respDone !== conn.reqWritten) return;
    const ep = conn.client;
    if (conn.reqWritten < conn.requests.length) {
      const think = rng.chance(0.05) ? rng.uniform(3e5, 2e6) : rng.exp(25e3) + 50;
      q.push(now + think, EV_APP, ep, (t) => clientWriteBatch(conn, t), 0);
      return;
    }
    const last = conn.requests[conn.requests.length - 1];
    if (last.serverCloses) return;
    if (conn.endPlan === 'client-fin') {
      const delay = rng.chance(0.3) ? rng.uniform(1e5, 2e6) : rng.exp(2e3);
      q.push(now + delay, EV_APP, ep, (t) => { if (!ep.dead && !ep.closeQueued) { ep.closeQueued = true; trySend(ep, t); } }, 0);
    } else if (conn.endPlan === 'client-rst') {
      q.push(now + rng.exp(5e3), EV_APP, ep, (t) => { if (!ep.dead) sendReset(ep, t, true); }, 0);
    }
  }

  function appClientFin(conn, now) {
    const ep = conn.client;
    if (conn.respDone < conn.respEnds.length && conn.respEnds[conn.respDone] === Infinity) {
      conn.respDone++;
    }
    if (!ep.closeQueued) ep.closeQueued = true; // a client closes at once on EOF: its FIN carries the ACK
  }

  function appServerFin(conn, now) {
    const ep = conn.server;
    if (ep.closeQueued) return;
    if (rng.chance(0.5)) ep.closeQueued = true;
    else {
      q.push(now + rng.uniform(30, 400), EV_APP, ep, (t) => serverClose(conn, t), 0);
    }
  }

  function makeRequest(conn, minor, opts = {}) {
    const [ext, ctype] = rng.pick(EXTS);
    const head = !opts.large && rng.chance(0.02);
    const post = !opts.large && !head && rng.chance(0.05);
    let [status, reason] = rng.weighted(STATUS);
    if (post && status === 304) { status = 200; reason = 'OK'; }
    let respBody = status === 204 || status === 304 ? 0
      : status === 200 ? Math.min(Math.round(rng.lognormal(1500, 1.3)), 400_000) : rng.int(150, 600);
    if (opts.large) { status = 200; reason = 'OK'; respBody = Math.round(100_000 * 20 ** (rng.next() ** 1.5)); } // 100 KB-2 MB, weighted to the small end
    const thinkUs = rng.chance(0.08) ? rng.uniform(40e3, 300e3) : Math.min(Math.max(rng.lognormal(900, 1.1), 40), 200e3);
    return {
      method: head ? 'HEAD' : post ? 'POST' : 'GET',
      path: `/${rng.pick(['assets', 'img', 'api/v1', 'static', 'media', 'blog'])}/${rng.u32().toString(36)}.${opts.large ? 'bin' : ext}`,
      minor, connClose: false, keepAlive10: false, serverCloses: false, closeDelimited: false, browser: rng.chance(0.6),
      reqBody: post ? Math.round(rng.logUniform(64, 60_000)) : 0, status, reason,
      respBody, ctype: opts.large ? 'application/octet-stream' : ctype,
      chunked: minor === 1 && status === 200 && !head && rng.chance(opts.large ? 0.05 : 0.15), chunkSize: rng.pick([4096, 8192, 16384]),
      etag: rng.chance(0.5) ? `${rng.u32().toString(16)}-${respBody.toString(16)}` : '', thinkUs,
    };
  }

  function planHttp(conn, kind) {
    const reqs = conn.requests;
    if (kind === 'short') {
      const minor = rng.chance(0.5) ? 0 : 1;
      const r = makeRequest(conn, minor);
      r.chunked = false;
      if (minor === 1) r.connClose = true;
      r.serverCloses = true;
      r.closeDelimited = minor === 0 && rng.chance(0.3) && r.status === 200 && r.method === 'GET';
      reqs.push(r); conn.batches.push(1);
    } else if (kind === 'keepalive' || kind === 'large') {
      const n = kind === 'large' ? rng.int(1, 3) : Math.round(rng.logUniform(2, 20.49));
      const minor = rng.chance(0.06) ? 0 : 1;
      for (let i = 0; i < n; i++) {
        const r = makeRequest(conn, minor, { large: kind === 'large' && i === 0 });
        if (minor === 0) { r.keepAlive10 = true; r.chunked = false; }
        reqs.push(r); conn.batches.push(1);
      }
    } else {
      const n = Math.round(rng.logUniform(2, 20.49));
      for (let i = 0; i < n; i++) {
        const r = makeRequest(conn, 1);
        if (r.method === 'POST') { r.method = 'GET'; r.reqBody = 0; }
        reqs.push(r);
      }
      for (let left = n; left > 0;) { const d = Math.min(left, rng.int(2, 5)); conn.batches.push(d); left -= d; }
    }
    const last = reqs[reqs.length - 1];
    if (kind !== 'short') {
      conn.endPlan = rng.weighted(weights([[62, 'client-fin'], [18, 'server-close'], [14, 'server-idle'], [6, 'client-rst']]));
      if (conn.endPlan === 'server-close') { last.connClose = true; last.serverCloses = true; last.keepAlive10 = false; }
    }
    if (kind === 'large' && rng.chance(0.1)) conn.abortAt = Math.floor(reqs[0].respBody * rng.uniform(0.1, 0.9));
  }

  function setupEndpoint(ep, conn, isClient, ip, port) {
    ep.ip = ip; ep.port = port;
    ep.isn = rng.u32(); ep.tsBase = rng.u32(); ep.ipId = rng.int(0, 0xffff); ep.flowLabel = rng.int(1, 0xfffff);
    ep.mssOption = conn.v6 ? 1440 : 1460;
    ep.mss = ep.mssOption - (conn.ts ? 12 : 0);
    ep.cwnd = 10 * ep.mss; // RFC 6928 initial window
  }

  function spawnConnection(now) {
    const id = stats.connections++;
    const conn = new Conn(id);
    const client = rng.pick(clients);
    conn.v6 = client.v6; conn.ts = !client.windows;
    const kind = rng.weighted(KINDS);
    stats.kinds[kind] = (stats.kinds[kind] ?? 0) + 1;
    if (conn.v6) stats.ipv6Connections++;
    conn.refuse = kind === 'refused';
    conn.host = rng.pick(HOSTS); conn.ua = rng.pick(UAS);
    const lan = rng.chance(0.1);
    conn.rttUs = lan ? rng.uniform(150, 2000) : Math.min(Math.max(rng.lognormal(30e3, 0.8), 2e3), 400e3);
    conn.procUs = rng.int(2, 12);
    conn.rtoUs = MIN_RTO_US + conn.rttUs;
    if (rng.chance(kind === 'large' ? 0.4 : 0.2)) { conn.lossRate = rng.uniform(0.005, 0.025); stats.lossyConnections++; }
    const c = new Endpoint(conn, true), s = new Endpoint(conn, false);
    c.peer = s; s.peer = c; conn.client = c; conn.server = s;
    const port = client.nextPort;
    client.nextPort = port + rng.int(1, 3) > 60999 ? 32768 : port + rng.int(1, 3);
    setupEndpoint(c, conn, true, client.ip, port);
    setupEndpoint(s, conn, false, conn.v6 ? rng.pick(servers6) : rng.pick(servers4), rng.chance(0.85) ? 80 : 8080);
    c.ttl = (client.windows ? 128 : 64) - client.hops; s.ttl = 64;
    c.wscale = client.windows ? 8 : 7; s.wscale = 9;
    c.rcvWnd = client.windows ? 65535 : 64240; s.rcvWnd = 65160;
    c.rcvWndMax = rng.pick([1 << 20, 3 << 20, 6 << 20]); s.rcvWndMax = 1 << 20;
    const mbps = lan ? 1000 : rng.pick([20, 50, 100, 200, 500]);
    s.rateBitsPerUs = mbps; c.rateBitsPerUs = Math.max(5, mbps / 5);
    if (!conn.refuse) planHttp(conn, kind);
    open++;
    if (open > stats.maxOpen) stats.maxOpen = open;
    c.synQueued = true;
    trySend(c, now);
  }

  q.push(0, EV_ARRIVAL, null, null, 0);
  let lastLog = 0;
  let now = 0;
  while (q.size > 0) {
    const ev = q.pop();
    now = ev.t;
    const ep = ev.ep;
    switch (ev.kind) {
      case EV_RX: onRx(ep, ev.data, now); break;
      case EV_SEND: ep.sendPending = false; trySend(ep, now); break;
      case EV_DELACK:
        if (ev.token === ep.delackToken && !ep.dead) { ep.delackArmed = false; if (ep.unacked > 0) { ep.ackNow = true; trySend(ep, now); } }
        break;
      case EV_RTO: if (ev.token === ep.rtoToken) onRto(ep, now); break;
      case EV_APP: ev.data(now); break;
      case EV_ARRIVAL:
        if (stats.packets >= target && stats.connections >= minConns) spawning = false;
        if (spawning) {
          spawnConnection(now);
          q.push(now + rng.exp(1e6 / ARRIVALS_PER_S), EV_ARRIVAL, null, null, 0);
        }
        break;
    }
    if (stats.packets - lastLog >= 500_000) { lastLog = stats.packets; log(`  ${stats.packets} packets, ${stats.connections} connections, ${open} open`); }
  }
  w.close();
  fs.renameSync(tmp, file);
  const summary = {
    file: path.relative(PROJECT_ROOT, file), seed, targetPackets: target, ...stats,
    bytes: w.fileBytes, captureSeconds: Math.round(now / 1e4) / 100, generateSeconds: (Date.now() - startWall) / 1000,
  };
  fs.writeFileSync(`${file}.json`, JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

function parseArgs(argv) {
  const opts = { packets: BASE_PACKETS, scale: 1, seed: 1, out: undefined, connections: undefined, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--packets') opts.packets = Number(val());
    else if (a === '--scale') opts.scale = Number(val());
    else if (a === '--seed') opts.seed = Number(val());
    else if (a === '--out') opts.out = path.resolve(val());
    else if (a === '--connections') opts.connections = Number(val());
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/bench/make-capture.mjs [--packets N] [--scale K] [--connections M] [--seed S] [--out FILE] [--quiet]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  for (const k of ['packets', 'scale', 'seed']) if (!Number.isFinite(opts[k]) || opts[k] <= 0) throw new Error(`--${k} must be a positive number`);
  return opts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (err) { console.error(`make-capture: ${err.message}`); process.exit(2); }
  const packets = Math.round(opts.packets * opts.scale);
  const minConnections = opts.connections !== undefined ? Math.round(opts.connections * opts.scale) : undefined;
  const log = opts.quiet ? () => {} : (m) => console.error(m);
  const s = generateCapture({ packets, minConnections, seed: opts.seed, out: opts.out, log });
  console.error(`wrote ${s.file}: ${s.packets} packets, ${s.connections} connections, ${s.requests} requests, ` +
    `${(s.bytes / 1e6).toFixed(0)} MB, ${s.captureSeconds} s of traffic, max ${s.maxOpen} open, ` +
    `${s.lossyConnections} lossy, ${s.retransmissions} retransmissions, in ${s.generateSeconds.toFixed(1)} s`);
}
