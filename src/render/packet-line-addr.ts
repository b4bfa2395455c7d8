// Address text for packet lines: IPv4 dotted quad, IPv6 as tcpdump's addrtostr6 (inet_ntop rules, RFC 5952).
// Formatting only; a small cache makes repeated addresses cheap, and nothing here parses packets.

import { latin1 } from '../decode/latin1.js';

const DECIMAL: string[] = [];
for (let i = 0; i < 256; i++) DECIMAL.push(String(i));

export function formatIpv4(b: Uint8Array, off = 0): string {
  return `${DECIMAL[b[off]]}.${DECIMAL[b[off + 1]]}.${DECIMAL[b[off + 2]]}.${DECIMAL[b[off + 3]]}`;
}

/** IPv6 text as inet_ntop/addrtostr6: the longest run of two or more zero words becomes "::" (the first such
 *  run on ties), and ::a.b.c.d / ::ffff:a.b.c.d keep the IPv4 dotted form. */
export function formatIpv6(b: Uint8Array, off = 0): string {
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) words[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += formatIpv4(b, off + 12);
      break;
    }
    out += words[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

// Captures repeat the same few addresses: remember the last few texts, keyed by the address bytes.
const CACHE_SIZE = 64;
const cacheKeys: string[] = new Array(CACHE_SIZE).fill('');
const cacheValues: string[] = new Array(CACHE_SIZE).fill('');

/** Text for a 4- or 16-byte address view. */
export function formatAddress(b: Uint8Array): string {
  return formatAddressAt(b, 0, b.length);
}

/** Text for the 4-byte (IPv4) or 16-byte (IPv6) address at data[off]. */
export function formatAddressAt(data: Uint8Array, off: number, len: number): string {
  if (len === 4) return formatIpv4(data, off);
  let h = 0;
  for (let i = 0; i < len; i++) h = (h * 31 + data[off + i]) | 0;
  // One flat string of the 16 bytes (a char per byte, appended, made 16 strings and a rope).
  const key = latin1(data, off, off + len);
  const slot = (h >>> 0) % CACHE_SIZE;
  if (cacheKeys[slot] === key) return cacheValues[slot];
  const text = formatIpv6(data, off);
  cacheKeys[slot] = key;
  cacheValues[slot] = text;
  return text;
}
