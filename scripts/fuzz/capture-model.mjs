// The fuzzer's own, independent view of a capture: units (file header, records, pcapng blocks), the layers of each
// packet, and writers that rebuild a capture with some records replaced. Must not import the project's reader or
// decoder: the fuzzer checks them, so it must not share their mistakes.

/** pcap magics as the first four bytes read big-endian (draft-ietf-opsawg-pcap §4). */
const PCAP_MAGICS = new Map([
  [0xa1b2c3d4, { le: false, modified: false }],
  [0xd4c3b2a1, { le: true, modified: false }],
  [0xa1b23c4d, { le: false, modified: false }],
  [0x4d3cb2a1, { le: true, modified: false }],
  [0xa1b2cd34, { le: false, modified: true }],
  [0x34cdb2a1, { le: true, modified: true }],
]);
const PCAPNG_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_EPB = 6;
export const PCAP_HEADER_LEN = 24;

export function u16(b, off, le) {
  return le ? b[off] | (b[off + 1] << 8) : (b[off] << 8) | b[off + 1];
}
export function u32(b, off, le) {
  const v = le
    ? b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)
    : (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
  return v >>> 0;
}
export function put16(b, off, v, le) {
  if (le) {
    b[off] = v & 0xff;
    b[off + 1] = (v >>> 8) & 0xff;
  } else {
    b[off] = (v >>> 8) & 0xff;
    b[off + 1] = v & 0xff;
  }
}
export function put32(b, off, v, le) {
  v >>>= 0;
  if (le) {
    b[off] = v & 0xff;
    b[off + 1] = (v >>> 8) & 0xff;
    b[off + 2] = (v >>> 16) & 0xff;
    b[off + 3] = v >>> 24;
  } else {
    b[off] = v >>> 24;
    b[off + 1] = (v >>> 16) & 0xff;
    b[off + 2] = (v >>> 8) & 0xff;
    b[off + 3] = v & 0xff;
  }
}

/**
 * Splits a capture into units. Returns null when the bytes are not a pcap or pcapng start. Parsing stops quietly at
 * the first unit that does not fit (the rest is one 'tail' unit), so a mutant can be parsed again for chaining.
 */
export function parseCapture(bytes) {
  if (bytes.length < 4) return null;
  const magic = u32(bytes, 0, false);
  const pcap = PCAP_MAGICS.get(magic);
  if (pcap !== undefined) return parsePcap(bytes, pcap.le, pcap.modified);
  if (magic === PCAPNG_SHB) return parsePcapng(bytes);
  return null;
}

function parsePcap(bytes, le, modified) {
  if (bytes.length < PCAP_HEADER_LEN) return null;
  const recHdrLen = modified ? 24 : 16;
  const linkType = u32(bytes, 20, le) & 0xffff;
  const units = [{ kind: 'header', start: 0, end: PCAP_HEADER_LEN }];
  const records = [];
  let pos = PCAP_HEADER_LEN;
  while (pos + recHdrLen <= bytes.length) {
    const capLen = u32(bytes, pos + 8, le);
    if (pos + recHdrLen + capLen > bytes.length) break;
    const unit = units.length;
    units.push({ kind: 'record', start: pos, end: pos + recHdrLen + capLen, frame: records.length + 1 });
    records.push({
      frame: records.length + 1,
      unit,
      start: pos,
      end: pos + recHdrLen + capLen,
      hdrLen: recHdrLen,
      dataStart: pos + recHdrLen,
      capLen,
      origLen: u32(bytes, pos + 12, le),
      linkType,
      capLenOff: pos + 8,
      origLenOff: pos + 12,
      tsOff: pos,
      blockType: null,
    });
    pos += recHdrLen + capLen;
  }
  if (pos < bytes.length) units.push({ kind: 'tail', start: pos, end: bytes.length });
  return { format: 'pcap', le, modified, recHdrLen, linkType, units, records, length: bytes.length };
}

function parsePcapng(bytes) {
  const units = [];
  const records = [];
  let ifaces = [];
  let le = true;
  let pos = 0;
  while (pos + 12 <= bytes.length) {
    let type = u32(bytes, pos, le);
    if (u32(bytes, pos, false) === PCAPNG_SHB) {
      type = PCAPNG_SHB;
      const bom = u32(bytes, pos + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else break;
      ifaces = [];
    }
    const blockLen = u32(bytes, pos + 4, le);
    if (blockLen < 12 || blockLen % 4 !== 0 || pos + blockLen > bytes.length) break;
    if (u32(bytes, pos + blockLen - 4, le) !== blockLen) break;
    const unit = units.length;
    units.push({ kind: 'block', type, start: pos, end: pos + blockLen, le });
    if (type === BT_IDB && blockLen >= 20) {
      ifaces.push({ linkType: u16(bytes, pos + 8, le), snapLen: u32(bytes, pos + 12, le) });
    } else if ((type === BT_EPB || type === BT_PB) && blockLen >= 32) {
      const ifId = type === BT_EPB ? u32(bytes, pos + 8, le) : u16(bytes, pos + 8, le);
      const capLen = Math.min(u32(bytes, pos + 20, le), blockLen - 32);
      records.push({
        frame: records.length + 1,
        unit,
        start: pos,
        end: pos + blockLen,
        hdrLen: 28,
        dataStart: pos + 28,
        capLen,
        origLen: u32(bytes, pos + 24, le),
        linkType: ifaces[ifId]?.linkType ?? -1,
        capLenOff: pos + 20,
        origLenOff: pos + 24,
        tsOff: pos + 12,
        blockType: type,
        le,
      });
    } else if (type === BT_SPB && blockLen >= 16) {
      const origLen = u32(bytes, pos + 8, le);
      let capLen = Math.min(origLen, blockLen - 16);
      const snap = ifaces[0]?.snapLen ?? 0;
      if (snap !== 0 && snap < capLen) capLen = snap;
      records.push({
        frame: records.length + 1,
        unit,
        start: pos,
        end: pos + blockLen,
        hdrLen: 12,
        dataStart: pos + 12,
        capLen,
        origLen,
        linkType: ifaces[0]?.linkType ?? -1,
        capLenOff: null,
        origLenOff: pos + 8,
        tsOff: null,
        blockType: type,
        le,
      });
    }
    pos += blockLen;
  }
  if (units.length === 0) return null;
  if (pos < bytes.length) units.push({ kind: 'tail', start: pos, end: bytes.length });
  return { format: 'pcapng', le: units[0].le, units, records, length: bytes.length };
}

const ETHER_VLAN_TYPES = new Set([0x8100, 0x88a8, 0x9100]);
/** IPv6 extension headers walked to find TCP (RFC 8200 §4; AH RFC 4302 §2.2 counts 4-byte words minus 2). */
const IPV6_EXT = new Set([0, 43, 60, 135, 139, 140]);

/**
 * Absolute offsets of a record's layers, as far as they can be found: { linkStart, ipStart, ipVersion, ipHdrEnd,
 * ipEnd, extStart, extEnd, tcpStart, tcpHdrEnd, payloadStart, payloadEnd }. Fields that cannot be found are absent.
 */
export function locateLayers(bytes, rec) {
  const start = rec.dataStart;
  const end = rec.dataStart + rec.capLen;
  const L = { linkStart: start };
  let ip = -1;
  let version = 0;
  const at = (off) => (off < end ? bytes[off] : -1);
  const be16 = (off) => (off + 2 <= end ? (bytes[off] << 8) | bytes[off + 1] : -1);
  switch (rec.linkType) {
    case 1: {
      let off = start + 12;
      let type = be16(off);
      while (ETHER_VLAN_TYPES.has(type)) {
        off += 4;
        type = be16(off);
      }
      if (type === 0x0800 || type === 0x86dd) ip = off + 2;
      break;
    }
    case 113:
      if (be16(start + 14) === 0x0800 || be16(start + 14) === 0x86dd) ip = start + 16;
      break;
    case 276:
      if (be16(start) === 0x0800 || be16(start) === 0x86dd) ip = start + 20;
      break;
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      ip = start;
      break;
    case 0:
    case 108:
      ip = start + 4;
      break;
    default:
      break;
  }
  if (ip < 0 || ip >= end) return L;
  version = at(ip) >> 4;
  if (version !== 4 && version !== 6) return L;
  L.ipStart = ip;
  L.ipVersion = version;
  let proto;
  let next;
  if (version === 4) {
    const ihl = (at(ip) & 0x0f) * 4;
    if (ihl < 20 || ip + ihl > end) return L;
    L.ipHdrEnd = ip + ihl;
    L.ipEnd = Math.min(end, ip + Math.max(be16(ip + 2), ihl));
    proto = at(ip + 9);
    next = ip + ihl;
  } else {
    if (ip + 40 > end) return L;
    L.ipHdrEnd = ip + 40;
    L.ipEnd = Math.min(end, ip + 40 + be16(ip + 4));
    proto = at(ip + 6);
    next = ip + 40;
    L.extStart = next;
    for (let hops = 0; hops < 16 && (IPV6_EXT.has(proto) || proto === 44 || proto === 51); hops++) {
      const nh = at(next);
      let len;
      if (proto === 44) len = 8;
      else if (proto === 51) len = (at(next + 1) + 2) * 4;
      else len = (at(next + 1) + 1) * 8;
      if (nh < 0 || next + len > end) return L;
      proto = nh;
      next += len;
    }
    L.extEnd = next;
  }
  if (proto !== 6 || next + 20 > end) return L;
  L.tcpStart = next;
  const dataOffset = (bytes[next + 12] >> 4) * 4;
  if (dataOffset < 20 || next + dataOffset > end) return L;
  L.tcpHdrEnd = next + dataOffset;
  L.payloadStart = next + dataOffset;
  L.payloadEnd = Math.max(L.payloadStart, L.ipEnd);
  return L;
}

/** The flow key of a TCP record (source address and port, destination address and port), or null. */
export function flowOf(bytes, L) {
  if (L.tcpStart === undefined) return null;
  const addrLen = L.ipVersion === 4 ? 4 : 16;
  const srcOff = L.ipStart + (L.ipVersion === 4 ? 12 : 8);
  const hex = (off, n) => Array.from(bytes.subarray(off, off + n), (x) => x.toString(16).padStart(2, '0')).join('');
  const src = `${hex(srcOff, addrLen)}:${hex(L.tcpStart, 2)}`;
  const dst = `${hex(srcOff + addrLen, addrLen)}:${hex(L.tcpStart + 2, 2)}`;
  return { src, dst, key: `${src}>${dst}` };
}

function pad4(n) {
  return (n + 3) & ~3;
}

/**
 * The bytes of one record unit carrying `data` instead of its own: the original record header (timestamp, interface)
 * with new lengths. pcapng packet blocks lose their options. `origLen` defaults to data.length.
 */
export function recordUnit(bytes, cap, rec, data, origLen = data.length, capLen = data.length) {
  if (cap.format === 'pcap') {
    const unit = new Uint8Array(rec.hdrLen + data.length);
    unit.set(bytes.subarray(rec.start, rec.start + rec.hdrLen));
    put32(unit, 8, capLen, cap.le);
    put32(unit, 12, origLen, cap.le);
    unit.set(data, rec.hdrLen);
    return unit;
  }
  const le = rec.le;
  if (rec.blockType === BT_SPB) {
    const len = 16 + pad4(data.length);
    const unit = new Uint8Array(len);
    put32(unit, 0, BT_SPB, le);
    put32(unit, 4, len, le);
    put32(unit, 8, Math.max(origLen, data.length), le);
    unit.set(data, 12);
    put32(unit, len - 4, len, le);
    return unit;
  }
  const len = 32 + pad4(data.length);
  const unit = new Uint8Array(len);
  unit.set(bytes.subarray(rec.start, rec.start + 20));
  put32(unit, 4, len, le);
  put32(unit, 20, capLen, le);
  put32(unit, 24, origLen, le);
  unit.set(data, 28);
  put32(unit, len - 4, len, le);
  return unit;
}

/** Concatenates the capture's units, replacing unit i by replacements.get(i) (an array of byte arrays) when present. */
export function rebuild(bytes, cap, replacements) {
  const parts = [];
  cap.units.forEach((u, i) => {
    const rep = replacements.get(i);
    if (rep === undefined) parts.push(bytes.subarray(u.start, u.end));
    else parts.push(...rep);
  });
  return concatBytes(parts);
}

/** One byte array holding the given ones in order. */
export function concatBytes(parts) {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Byte offset of the first difference between two byte arrays (the shorter length when one is a prefix). */
export function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * The frame number before which a mutant is untouched: every record that ends at or before the first changed byte
 * keeps its frame number and bytes, so its packet line must not change. 1 means nothing to compare.
 */
export function intactBeforeFrame(original, mutant, cap) {
  if (cap === null) return 1;
  const diff = firstDiff(original, mutant);
  if (diff < 0) return cap.records.length + 1;
  // A pcapng record depends on the section and interface blocks before it, which all end before it: fine.
  let frame = 1;
  for (const rec of cap.records) {
    if (rec.end <= diff) frame = rec.frame + 1;
    else break;
  }
  return frame;
}
