// Durations as the tables print them (formatDurationUs) and as annotations print RTTs (formatDurationNs): the same
// precision for the same value, and hours and days rather than thousands of minutes (merged captures span days).

import { describe, expect, it } from 'vitest';
import { formatDurationUs } from '../../src/render/tables.js';
import { formatRttNs } from '../../src/tcp/annotate.js';

describe('durations', () => {
  it('tables: µs, ms, s, then minutes, hours and days', () => {
    expect([0, 999, 2_250, 45_600, 1_500_000, 59_994_999].map(formatDurationUs)).toEqual(['0 µs', '999 µs', '2.25 ms', '45.6 ms', '1.50 s', '59.99 s']);
    expect(formatDurationUs(61e6)).toBe('1m01s');
    expect(formatDurationUs(3_600e6 + 61e6)).toBe('1h01m01s');
    expect(formatDurationUs(5888395 * 60e6 + 10e6)).toBe('4089d03h55m');
    expect(formatDurationUs(-61e6)).toBe('-1m01s');
    expect([null, undefined, NaN].map(formatDurationUs)).toEqual(['-', '-', '-']);
  });

  it('an RTT reads the same in an annotation and in the table', () => {
    for (const us of [0, 25, 1_000, 2_250, 9_990, 45_600, 250_000, 1_268_000, 2_147_484_000]) {
      expect(formatRttNs(us * 1000)).toBe(formatDurationUs(us));
    }
  });
});
