// Bounds-checked big- and little-endian readers over a Uint8Array, for the decoders.
// They never throw and never allocate: a read past `end` (or the array) returns -1, which callers test for.

/** One byte at `off`, or -1 when `off` is outside [0, end). */
export function u8(bytes: Uint8Array, off: number, end: number = bytes.length): number {
  return off >= 0 && off < end && off < bytes.length ? bytes[off] : -1;
}

/** Big-endian 16-bit value at `off`, or -1 when any byte is outside [0, end). */
export function be16(bytes: Uint8Array, off: number, end: number = bytes.length): number {
  return off >= 0 && off + 2 <= end && off + 2 <= bytes.length ? (bytes[off] << 8) | bytes[off + 1] : -1;
}

/** Big-endian unsigned 32-bit value at `off` (0..2^32-1), or -1 when any byte is outside [0, end). */
export function be32(bytes: Uint8Array, off: number, end: number = bytes.length): number {
  if (off < 0 || off + 4 > end || off + 4 > bytes.length) return -1;
  return ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;
}

/** Little-endian 16-bit value at `off`, or -1 when any byte is outside [0, end). */
export function le16(bytes: Uint8Array, off: number, end: number = bytes.length): number {
  return off >= 0 && off + 2 <= end && off + 2 <= bytes.length ? bytes[off] | (bytes[off + 1] << 8) : -1;
}

/** Little-endian unsigned 32-bit value at `off`, or -1 when any byte is outside [0, end). */
export function le32(bytes: Uint8Array, off: number, end: number = bytes.length): number {
  if (off < 0 || off + 4 > end || off + 4 > bytes.length) return -1;
  return ((bytes[off + 3] << 24) | (bytes[off + 2] << 16) | (bytes[off + 1] << 8) | bytes[off]) >>> 0;
}

/** True when the `len` bytes starting at `off` lie inside [0, end) and the array. */
export function has(bytes: Uint8Array, off: number, len: number, end: number = bytes.length): boolean {
  return off >= 0 && len >= 0 && off + len <= end && off + len <= bytes.length;
}
