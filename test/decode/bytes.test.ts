// Byte readers: correct values inside bounds, -1 (never an exception) outside them.

import { describe, expect, it } from 'vitest';
import { be16, be32, has, le16, le32, u8 } from '../../src/decode/bytes.js';

const b = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0xff, 0xfe, 0xfd, 0xfc]);

describe('bytes', () => {
  it('reads big- and little-endian values', () => {
    expect(u8(b, 4)).toBe(0xff);
    expect(be16(b, 0)).toBe(0x0102);
    expect(le16(b, 0)).toBe(0x0201);
    expect(be32(b, 0)).toBe(0x01020304);
    expect(le32(b, 0)).toBe(0x04030201);
    expect(be32(b, 4)).toBe(0xfffefdfc);
    expect(le32(b, 4)).toBe(0xfcfdfeff);
  });

  it('returns -1 past the end, before the start, or past an explicit end', () => {
    expect(u8(b, 8)).toBe(-1);
    expect(u8(b, -1)).toBe(-1);
    expect(be16(b, 7)).toBe(-1);
    expect(be32(b, 5)).toBe(-1);
    expect(le16(b, 7)).toBe(-1);
    expect(le32(b, 6)).toBe(-1);
    expect(be16(b, 2, 3)).toBe(-1);
    expect(be32(b, 0, 4)).toBe(0x01020304);
    expect(be32(b, 0, 3)).toBe(-1);
    expect(u8(b, 2, 100)).toBe(3);
    expect(u8(new Uint8Array(0), 0)).toBe(-1);
  });

  it('has() checks a range', () => {
    expect(has(b, 0, 8)).toBe(true);
    expect(has(b, 1, 8)).toBe(false);
    expect(has(b, 0, 4, 3)).toBe(false);
    expect(has(b, -1, 1)).toBe(false);
  });
});
