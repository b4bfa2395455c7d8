// LineOut: the byte sink's pieces (ASCII, decimal numbers, padded numbers, packet bytes, any text) give exactly the
// UTF-8 of what StringOut and the text sink build from the same calls, whatever the order and the buffer's size.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink } from '../../src/cli/byte-sink.js';
import { StringOut, writeDecimal } from '../../src/render/line-out.js';
import { TextSink } from '../../src/render/text-sink.js';

type Piece =
  | { kind: 'ascii'; s: string }
  | { kind: 'text'; s: string }
  | { kind: 'uint'; n: number }
  | { kind: 'padded'; n: number; width: number }
  | { kind: 'bytes'; b: number[] }
  | { kind: 'end' };

const number = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(9, 10, 99, 100, 999_999, 1_000_000, 4_294_967_295, 4_294_967_296, Number.MAX_SAFE_INTEGER),
  fc.maxSafeNat(),
  // Not what the printers pass, but written as StringOut writes them (String(n)) all the same.
  fc.constantFrom(-5, -1, 1.5, 0.1 + 0.2, NaN, Infinity, 1e21, -0),
);
const piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 })
    .map((s) => ({ kind: 'ascii' as const, s })),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => ({ kind: 'text' as const, s })),
  number.map((n) => ({ kind: 'uint' as const, n })),
  fc.record({ n: number, width: fc.integer({ min: 0, max: 9 }) }).map((r) => ({ kind: 'padded' as const, ...r })),
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 30 }).map((b) => ({ kind: 'bytes' as const, b })),
  fc.constant({ kind: 'end' as const }),
);

function play(out: StringOut | ByteSink | TextSink, pieces: Piece[]): void {
  for (const p of pieces) {
    switch (p.kind) {
      case 'ascii': out.ascii(p.s); break;
      case 'text': out.text(p.s); break;
      case 'uint': out.uint(p.n); break;
      case 'padded': out.uintPadded(p.n, p.width); break;
      case 'bytes': {
        // The bytes sit inside a larger array, as a packet's payload does.
        const data = Uint8Array.from([0xff, ...p.b, 0xfe]);
        out.asciiBytes(data, 1, 1 + p.b.length);
        break;
      }
      case 'end':
        if (out instanceof StringOut) out.text('\n');
        else out.endLine();
        break;
    }
  }
}

describe('LineOut', () => {
  it('the byte sink, the text sink and StringOut agree on any sequence of pieces', () => {
    fc.assert(fc.property(fc.array(piece, { maxLength: 20_000, size: 'max' }), (pieces) => {
      const expected = new StringOut();
      play(expected, pieces);
      const want = expected.take();
      const chunks: Uint8Array[] = [];
      const bytes = new ByteSink((c) => chunks.push(c));
      play(bytes, pieces);
      bytes.flush();
      expect(Buffer.concat(chunks).toString('utf8')).toBe(want);
      let text = '';
      const sink = new TextSink({ write: (t) => { text += t; } }, 50);
      play(sink, pieces);
      sink.flush();
      expect(text).toBe(want);
    }), { numRuns: 60 });
  });

  it('writeDecimal: every width of a 32-bit unsigned integer, in at most 10 bytes', () => {
    const buf = new Uint8Array(10);
    const dec = (n: number): string => Buffer.from(buf.subarray(0, writeDecimal(buf, 0, n))).toString('latin1');
    for (const n of [0, 7, 10, 99, 100, 65535, 999_999_999, 1_000_000_000, 4_294_967_295]) expect(dec(n)).toBe(String(n));
    for (let n = 1; n < 4_294_967_295; n = n * 3 + 1) expect(dec(n)).toBe(String(n));
    // Each power of ten and its neighbours (where the digit count changes), and values above 10^8 whose low eight
    // digits hold zeros (written as a separate block of exactly eight).
    for (let p = 1; p <= 4_000_000_000; p *= 10) for (const n of [p - 1, p, p + 1, 2 * p, 3 * p + 5]) expect(dec(n)).toBe(String(n));
    for (const n of [100_000_000, 100_000_001, 1_000_000_007, 4_200_000_000, 4_200_000_099, 1_203_004_005, 99_999_999]) expect(dec(n)).toBe(String(n));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => dec(n) === String(n)), { numRuns: 20_000 });
  });

  it('a number that is not a 32-bit unsigned integer, at the end of a full buffer, loses nothing', () => {
    const chunks: Uint8Array[] = [];
    const bytes = new ByteSink((c) => chunks.push(c));
    bytes.ascii('z'.repeat(128 * 1024 - 3));
    bytes.uint(0.1 + 0.2);
    bytes.uintPadded(-5, 6);
    bytes.uint(Number.MAX_SAFE_INTEGER);
    bytes.ascii('END');
    bytes.flush();
    expect(Buffer.concat(chunks).toString('latin1').slice(128 * 1024 - 3)).toBe('0.300000000000000040000-59007199254740991END');
  });

  it('padding: zeros to the width, a wider number whole (printf %0*u)', () => {
    const o = new StringOut();
    o.uintPadded(42, 6);
    o.ascii('|');
    o.uintPadded(1_234_567, 6);
    o.ascii('|');
    o.uintPadded(0, 9);
    expect(o.take()).toBe('000042|1234567|000000000');
    const chunks: Uint8Array[] = [];
    const bytes = new ByteSink((c) => chunks.push(c));
    bytes.uintPadded(42, 6);
    bytes.uintPadded(1_234_567, 6);
    bytes.flush();
    expect(Buffer.concat(chunks).toString()).toBe('0000421234567');
  });
});
