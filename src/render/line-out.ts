// LineOut: where a renderer writes a line piece by piece (text, ASCII, decimal numbers, packet bytes), so the CLI can
// encode a packet line straight into its output buffer while the library still gets a string (StringOut).
// Must not decide what to print: the renderers call it in output order and never read back what they wrote.

import { latin1 } from '../decode/latin1.js';

export interface LineOut {
  /** Any text (byte outputs encode it as UTF-8). */
  text(s: string): void;
  /** Text whose every character is below 0x80 (literals, numbers already made text, tcpdump's escaped output). */
  ascii(s: string): void;
  /** A non-negative integer below 2^53, in decimal. */
  uint(n: number): void;
  /** A non-negative integer below 2^53 in decimal, left-padded with zeros to `width` digits (a wider one prints whole,
   *  as printf's %0*u). */
  uintPadded(n: number, width: number): void;
  /** Packet bytes already known to be ASCII (the caller checked them), as characters. */
  asciiBytes(data: Uint8Array, from: number, to: number): void;
  /**
   * `s` as a JSON string literal, exactly as JSON.stringify(s) writes it (quotes included). Optional (a caller's own
   * sink written before it existed): without it, the JSON writers write text(JSON.stringify(s)).
   */
  jsonString?(s: string): void;
}

/**
 * True when JSON.stringify(s) is `s` between quotes: no control character, quote, backslash or surrogate (a lone
 * surrogate is escaped by JSON.stringify; a pair is not, but is left to it here all the same).
 */
export function jsonVerbatim(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** Zeros for padding: wide enough for any width a renderer asks (nine fraction digits, at most). */
const ZEROS = '000000000000000000000';

/** A LineOut that builds a string (the library's formatPacketLine). */
export class StringOut implements LineOut {
  private s = '';

  text(s: string): void {
    this.s += s;
  }

  ascii(s: string): void {
    this.s += s;
  }

  uint(n: number): void {
    this.s += n;
  }

  uintPadded(n: number, width: number): void {
    this.s += padded(n, width);
  }

  asciiBytes(data: Uint8Array, from: number, to: number): void {
    this.s += latin1(data, from, to);
  }

  jsonString(s: string): void {
    this.s += JSON.stringify(s);
  }

  /** What was written since the last take(); the out starts empty again. */
  take(): string {
    const s = this.s;
    this.s = '';
    return s;
  }
}

/** n as decimal text, left-padded with zeros to `width` characters (a wider one whole, as printf's %0*u). */
export function padded(n: number, width: number): string {
  const t = String(n);
  return t.length >= width ? t : ZEROS.slice(0, width - t.length) + t;
}

/** The two ASCII digits of 0..99, at 2 * value: numbers are written two digits per division. */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/**
 * Writes the decimal digits of n, a 32-bit unsigned integer (the caller checks: (n >>> 0) === n), into buf at `at`,
 * returning the end; the caller makes room for 10 bytes. Why by hand: a number made text, joined into a line and
 * encoded again cost about twice as much per packet line as these stores (and all of its garbage) on the benchmark.
 * Why two digits per step, in 32-bit integers: a packet line holds about 60 digits (sequence numbers, TS values),
 * and a float division per digit was a third of this function (measured 656 against 494 ms for 20 M numbers of the
 * timeline's mix). Below 10^8 a value is a small integer, whose division by a constant V8 makes a multiplication.
 */
export function writeDecimal(buf: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    buf[at] = 48 + n;
    return at + 1;
  }
  const end = at + decimalDigits(n);
  let p = end;
  let low = n;
  if (n >= 100000000) {
    // The top one or two digits, then exactly eight below them (zeros included).
    const high = Math.floor(n / 100000000);
    low = n - high * 100000000;
    for (let k = 0; k < 4; k++) {
      const q = (low / 100) | 0;
      const pair = (low - q * 100) << 1;
      buf[--p] = DIGIT_PAIRS[pair + 1]!;
      buf[--p] = DIGIT_PAIRS[pair]!;
      low = q;
    }
    low = high;
  }
  low |= 0;
  while (low >= 100) {
    const q = (low / 100) | 0;
    const pair = (low - q * 100) << 1;
    buf[--p] = DIGIT_PAIRS[pair + 1]!;
    buf[--p] = DIGIT_PAIRS[pair]!;
    low = q;
  }
  if (low >= 10) {
    const pair = low << 1;
    buf[--p] = DIGIT_PAIRS[pair + 1]!;
    buf[--p] = DIGIT_PAIRS[pair]!;
  } else buf[--p] = 48 + low;
  return end;
}

/** Decimal digits of n, a 32-bit unsigned integer, for padding. */
export function decimalDigits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7
    : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}
