// latin1(): bytes as a string of one char per byte (ISO 8859-1), for the HTTP parser and the packet-line printer.
// Pure and runtime-neutral (no Buffer, no TextDecoder, whose 'latin1' is windows-1252 and maps 0x80-0x9F elsewhere).

/** Up to this many bytes a concatenation loop wins: V8 makes results under 13 chars flat, and the loop is cheap. */
const LOOP_MAX_BYTES = 12;
/** fromCharCode.apply takes its arguments on the stack: longer ranges go in pieces of this many. */
const APPLY_CHUNK_BYTES = 4096;
/** The codes of one piece, reused (the conversion is synchronous). */
const codes: number[] = [];

/**
 * The string of b[from..to). Why not a loop for every length: `s += char` per byte made a string of n bytes cost
 * about n allocations (a flat copy per step below 13 chars, a cons cell per step after) and a deep rope that is
 * flattened again when read; it was a fifth of the HTTP parser's allocation. A reused array handed to
 * String.fromCharCode makes one flat string, 2.5 times faster at 60 bytes than the loop (and than a subarray view).
 */
export function latin1(b: Uint8Array, from: number, to: number): string {
  const n = to - from;
  if (n <= LOOP_MAX_BYTES) {
    let s = '';
    for (let p = from; p < to; p++) s += String.fromCharCode(b[p]!);
    return s;
  }
  let s = '';
  for (let at = from; at < to; at += APPLY_CHUNK_BYTES) {
    const end = Math.min(to, at + APPLY_CHUNK_BYTES);
    codes.length = end - at;
    for (let i = 0; i < codes.length; i++) codes[i] = b[at + i]!;
    s += String.fromCharCode.apply(null, codes);
  }
  return s;
}
