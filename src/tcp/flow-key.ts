// Canonical connection key for a packet: a symmetric 30-bit hash of the 4-tuple (both directions hash alike) and an
// exact endpoint comparison, plus address formatting for summaries. The per-packet functions build no strings.

/** Reads up to 4 bytes at `offset` as an unsigned big-endian number. */
function word(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/** One round of a multiplicative mix (the murmur3 fmix32 finaliser constants). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of one endpoint: its address (len bytes, 4 or 16, at `at` in bytes) and port. */
function endpointHash(bytes: Uint8Array, at: number, len: number, port: number): number {
  let h = mix(word(bytes, at) ^ (port * 0x9e3779b1));
  for (let i = 4; i + 3 < len; i += 4) h = mix(h ^ word(bytes, at + i));
  return h;
}

/**
 * Symmetric hash of a TCP 4-tuple: the same value for both directions, kept within 30 bits so that V8 stores it
 * as a small integer and a Map keyed by it never boxes. Collisions are resolved by {@link sameFlow}.
 */
export function flowHash(srcAddr: Uint8Array, srcPort: number, dstAddr: Uint8Array, dstPort: number): number {
  return combine(endpointHash(srcAddr, 0, srcAddr.length, srcPort), endpointHash(dstAddr, 0, dstAddr.length, dstPort));
}

/**
 * flowHash of addresses read in place (len bytes at srcAt and dstAt of a packet's bytes): the same value, without
 * the two address views per packet that flowHash's callers would make (a subarray is an allocation).
 */
export function flowHashAt(bytes: Uint8Array, len: number, srcAt: number, srcPort: number, dstAt: number, dstPort: number): number {
  return combine(endpointHash(bytes, srcAt, len, srcPort), endpointHash(bytes, dstAt, len, dstPort));
}

function combine(a: number, b: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  return mix(lo ^ Math.imul(hi, 0x27d4eb2f) ^ (hi >>> 7)) & 0x3fffffff;
}

/** True when two addresses have the same length and bytes. */
export function sameAddr(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Which way a packet (src -> dst) runs relative to a stored endpoint pair (a, b):
 * 0 when src is a and dst is b, 1 when src is b and dst is a, -1 when it is another flow.
 */
export function sameFlow(
  aAddr: Uint8Array, aPort: number, bAddr: Uint8Array, bPort: number,
  srcAddr: Uint8Array, srcPort: number, dstAddr: Uint8Array, dstPort: number,
): 0 | 1 | -1 {
  if (srcPort === aPort && dstPort === bPort && sameAddr(srcAddr, aAddr) && sameAddr(dstAddr, bAddr)) return 0;
  if (srcPort === bPort && dstPort === aPort && sameAddr(srcAddr, bAddr) && sameAddr(dstAddr, aAddr)) return 1;
  return -1;
}

/**
 * sameFlow against a connection's packed addresses (client bytes then server bytes in one array, addrLen each):
 * 0 when the packet runs client to server, 1 server to client, -1 another flow.
 */
export function packedFlowDirection(
  addrs: Uint8Array, addrLen: number, clientPort: number, serverPort: number,
  srcAddr: Uint8Array, srcPort: number, dstAddr: Uint8Array, dstPort: number,
): 0 | 1 | -1 {
  if (srcAddr.length !== addrLen || dstAddr.length !== addrLen) return -1;
  if (srcPort === clientPort && dstPort === serverPort && packedEquals(addrs, 0, srcAddr) && packedEquals(addrs, addrLen, dstAddr)) return 0;
  if (srcPort === serverPort && dstPort === clientPort && packedEquals(addrs, addrLen, srcAddr) && packedEquals(addrs, 0, dstAddr)) return 1;
  return -1;
}

/** packedFlowDirection for addresses read in place (len bytes at srcAt and dstAt of a packet's bytes). */
export function packedFlowDirectionAt(
  addrs: Uint8Array, addrLen: number, clientPort: number, serverPort: number,
  bytes: Uint8Array, len: number, srcAt: number, srcPort: number, dstAt: number, dstPort: number,
): 0 | 1 | -1 {
  if (len !== addrLen) return -1;
  if (srcPort === clientPort && dstPort === serverPort && packedEqualsAt(addrs, 0, bytes, srcAt, len) && packedEqualsAt(addrs, addrLen, bytes, dstAt, len)) return 0;
  if (srcPort === serverPort && dstPort === clientPort && packedEqualsAt(addrs, addrLen, bytes, srcAt, len) && packedEqualsAt(addrs, 0, bytes, dstAt, len)) return 1;
  return -1;
}

/** addr's len bytes at `at` of bytes equal addrs' at offset (connection tables keep addresses packed). */
export function packedEqualsAt(addrs: Uint8Array, offset: number, bytes: Uint8Array, at: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (addrs[offset + i] !== bytes[at + i]) return false;
  return true;
}

/** addr equals addrs' bytes at offset. */
export function packedEquals(addrs: Uint8Array, offset: number, addr: Uint8Array): boolean {
  for (let i = 0; i < addr.length; i++) if (addrs[offset + i] !== addr[i]) return false;
  return true;
}

/** Dotted quad for 4 bytes; RFC 5952 text (lowercase, longest zero run of 2+ groups as "::") for 16 bytes. */
export function formatAddr(addr: Uint8Array): string {
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  if (addr.length !== 16) return Array.from(addr, (b) => b.toString(16).padStart(2, '0')).join('');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((addr[i] << 8) | addr[i + 1]);
  // RFC 5952 §4.2.2/§4.2.3: compress the longest run of zero groups (the first one on a tie), never a single group.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return groups.map((g) => g.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((g) => g.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLen).map((g) => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** "10.0.0.1:5000" or "[2001:db8::1]:80" (RFC 5952 §6 bracket notation for an address with a port). */
export function formatEndpoint(addr: Uint8Array, port: number): string {
  return addr.length === 16 ? `[${formatAddr(addr)}]:${port}` : `${formatAddr(addr)}:${port}`;
}

/**
 * A readable canonical key, the same for both directions ("10.0.0.1:5000-10.0.0.2:80", lower endpoint first).
 * For tests, logs and maps outside the per-packet path: it builds strings, so the tracker does not use it.
 */
export function flowKeyString(srcAddr: Uint8Array, srcPort: number, dstAddr: Uint8Array, dstPort: number): string {
  const a = formatEndpoint(srcAddr, srcPort);
  const b = formatEndpoint(dstAddr, dstPort);
  return compareEndpoints(srcAddr, srcPort, dstAddr, dstPort) <= 0 ? `${a}-${b}` : `${b}-${a}`;
}

/** Orders endpoints by address length, address bytes, then port (a total order; 0 only for equal endpoints). */
export function compareEndpoints(aAddr: Uint8Array, aPort: number, bAddr: Uint8Array, bPort: number): number {
  if (aAddr.length !== bAddr.length) return aAddr.length - bAddr.length;
  for (let i = 0; i < aAddr.length; i++) if (aAddr[i] !== bAddr[i]) return aAddr[i] - bAddr[i];
  return aPort - bPort;
}
