// Sequence arithmetic modulo 2^32: ordinary cases, the wrap at 2^32, and properties over random values.

import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { seqAdd, seqDiff, seqGeq, seqGt, seqLeq, seqLt } from '../../src/tcp/seq.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const delta = fc.integer({ min: -0x7fffffff, max: 0x7fffffff });

describe('seq', () => {
  test('compares without wrap', () => {
    expect(seqLt(1, 2)).toBe(true);
    expect(seqLt(2, 2)).toBe(false);
    expect(seqLeq(2, 2)).toBe(true);
    expect(seqGt(3, 2)).toBe(true);
    expect(seqGeq(2, 3)).toBe(false);
    expect(seqDiff(10, 3)).toBe(7);
    expect(seqDiff(3, 10)).toBe(-7);
  });

  test('wraps at 2^32', () => {
    expect(seqAdd(0xfffffff0, 0x20)).toBe(0x10);
    expect(seqAdd(5, -10)).toBe(0xfffffffb);
    expect(seqLt(0xfffffff0, 0x10)).toBe(true);
    expect(seqGt(0x10, 0xfffffff0)).toBe(true);
    expect(seqDiff(0x10, 0xfffffff0)).toBe(0x20);
    expect(seqLeq(0xffffffff, 0)).toBe(true);
    expect(seqGeq(0, 0xffffffff)).toBe(true);
  });

  test('a distance of exactly 2^31 is "less" both ways, as packet-tcp.c LT_SEQ/GT_SEQ say', () => {
    expect(seqLt(0, 0x80000000)).toBe(true);
    expect(seqLt(0x80000000, 0)).toBe(true);
    expect(seqGt(0, 0x80000000)).toBe(true);
  });

  test('seqAdd and seqDiff are inverse', () => {
    fc.assert(fc.property(u32, delta, (a, d) => seqDiff(seqAdd(a, d), a) === d));
  });

  test('order follows the sign of the distance', () => {
    fc.assert(fc.property(u32, delta, (a, d) => {
      const b = seqAdd(a, d);
      return seqLt(a, b) === d > 0 && seqGt(a, b) === d < 0 && seqLeq(a, b) === d >= 0 && seqGeq(a, b) === d <= 0;
    }));
  });

  test('results stay in 0..2^32-1', () => {
    fc.assert(fc.property(u32, delta, (a, d) => {
      const b = seqAdd(a, d);
      return Number.isInteger(b) && b >= 0 && b <= 0xffffffff;
    }));
  });
});
