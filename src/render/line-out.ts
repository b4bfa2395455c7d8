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

/**
 * Writes the decimal digits of n, a 32-bit unsigned integer (the caller checks: (n >>> 0) === n), into buf at `at`,
 * returning the end; the caller makes room for 10 bytes. Why by hand: a number made text, joined into a line and
 * encoded again cost about twice as much per packet line as these stores (and all of its garbage) on the benchmark.
 */
export function writeDecimal(buf: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    buf[at] = 48 + n;
    return at + 1;
  }
  const digits = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7
    : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
  const end = at + digits;
  let p = end;
  while (n >= 10) {
    const q = (n / 10) >>> 0;
    buf[--p] = 48 + n - q * 10;
    n = q;
  }
  buf[--p] = 48 + n;
  return end;
}

/** Decimal digits of n, a 32-bit unsigned integer, for padding. */
export function decimalDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = (n / 10) >>> 0;
    digits++;
  }
  return digits;
}
