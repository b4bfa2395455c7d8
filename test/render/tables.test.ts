// The table renderer: byte-identical to cli-table3's plain output, linear in the row count, and never passes a
// control character from the capture to the terminal. cli-table3 is only the oracle here, never the code under test.

import Table from 'cli-table3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawTable } from '../../src/render/tables.js';

function oracle(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) t.push(r);
  return t.toString();
}

/** Printable Latin-1 (what HTTP fields decode to), the symbols our cells use, and some wide CJK characters. */
const cellChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('µ', '·', '…', '→', '中', '文', 'ｱ', '한'),
);
const cell = fc.array(cellChar, { maxLength: 12 }).map((cs) => cs.join(''));

describe('drawTable', () => {
  it('draws what cli-table3 draws', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 6 }), fc.array(cell, { minLength: 5, maxLength: 5 }), (cols, rows, head) => {
        const h = head.slice(0, cols);
        const r = rows.map((row) => row.slice(0, cols));
        expect(drawTable(h, r)).toBe(oracle(h, r));
      }),
      { numRuns: 300 },
    );
  });

  it('is linear: 20,000 rows in well under a second (cli-table3 took minutes)', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [String(i), 'GET /r', 'HTTP/1.1', '200 OK', '0']);
    const t0 = performance.now();
    const out = drawTable(['#', 'request', 'version', 'status', 'body'], rows);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(out.split('\n')).toHaveLength(3 + 2 * 20_000);
  });

  it('escapes C0 and C1 controls from the capture (no terminal escape sequences)', () => {
    const out = drawTable(['request'], [['GET /\u001b[2J\u001b]0;title\u0007\u009b1m\r\n']]);
    const lines = out.split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.join('')).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    expect(lines[3]).toContain('GET /\\x1b[2J\\x1b]0;title\\x07\\x9b1m\\x0d\\x0a');
  });
});
