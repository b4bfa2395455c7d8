// TCP sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): the only place in tcptrace that compares or adds them.
// Pure functions on numbers in 0..2^32-1; no state, no allocation.

/** Signed distance a - b in sequence space, in -2^31..2^31-1 (packet-tcp.c casts the difference to gint32 too). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + deltaBytes wrapped to 0..2^32-1 (deltaBytes may be negative; exact while |deltaBytes| < 2^52). */
export function seqAdd(a: number, deltaBytes: number): number {
  return (a + deltaBytes) >>> 0;
}

/** a < b modulo 2^32 (packet-tcp.c LT_SEQ). A distance of exactly 2^31 counts as "less", as there. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a <= b modulo 2^32 (packet-tcp.c LE_SEQ). */
export function seqLeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a > b modulo 2^32 (packet-tcp.c GT_SEQ, defined there as (gint32)(b - a) < 0). */
export function seqGt(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/** a >= b modulo 2^32. */
export function seqGeq(a: number, b: number): boolean {
  return ((b - a) | 0) <= 0;
}
