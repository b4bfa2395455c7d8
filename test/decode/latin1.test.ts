// latin1(): one char per byte, for every byte value and every length regime (the loop, one piece, several pieces).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { latin1 } from '../../src/decode/latin1.js';

/** The reference: one char per byte, built the obvious way. */
const reference = (b: Uint8Array, from: number, to: number): string => {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!);
  return s;
};

describe('latin1', () => {
  it('maps every byte value to the char of that code, 0x80-0x9F included (not windows-1252)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = latin1(all, 0, 256);
    expect(text.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(text.charCodeAt(i)).toBe(i);
    expect(latin1(Uint8Array.of(0x80, 0x9f, 0xff), 0, 3)).toBe('\x80\x9f\xff');
  });

  it('reads only [from, to), at the lengths where it changes method (12/13 bytes, 4096-byte pieces)', () => {
    const b = Uint8Array.from({ length: 9000 }, (_, i) => (i * 37 + 11) & 0xff);
    for (const [from, to] of [[0, 0], [5, 5], [3, 15], [3, 16], [1, 4097], [0, 4096], [7, 8200], [0, 9000]] as const) {
      expect(latin1(b, from, to)).toBe(reference(b, from, to));
    }
    expect(latin1(new TextEncoder().encode('GET /index.html HTTP/1.1'), 4, 15)).toBe('/index.html');
  });

  it('agrees with the reference on any bytes and range', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (b, x, y) => {
      const from = b.length === 0 ? 0 : x % (b.length + 1);
      const to = from + (b.length - from === 0 ? 0 : y % (b.length - from + 1));
      expect(latin1(b, from, to)).toBe(reference(b, from, to));
    }));
  });
});
