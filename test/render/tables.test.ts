// The table renderer: drawTable byte-identical to cli-table3's plain output and linear in the row count, HTTP tables
// fast however their rows are spread, and no control character from the capture reaching the terminal.

import Table from 'cli-table3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawTable, measureRow, renderHttpTables, tableLines } from '../../src/render/tables.js';
import { PLAIN_PALETTE } from '../../src/render/color.js';
import type { ConnectionReport } from '../../src/report.js';

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
  it('draws the same lines from widths measured row by row (measureRow) as from its own measuring pass', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 6 }), fc.array(cell, { minLength: 5, maxLength: 5 }), (cols, rows, head) => {
        const h = head.slice(0, cols);
        const r = rows.map((row) => row.slice(0, cols));
        const widths: number[] = [];
        for (const row of r) measureRow(widths, row);
        const lines: string[] = [];
        let reads = 0;
        for (const l of tableLines(h, { count: r.length, row: (i) => (reads++, r[i]!), widths })) lines.push(l);
        expect(lines.join('\n')).toBe(drawTable(h, r));
        expect(reads).toBe(r.length);
      }),
      { numRuns: 300 },
    );
  });

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

  it('keeps many medium HTTP tables fast: 60 connections of 500 exchanges (12 s of CPU in cli-table3)', () => {
    const exchange = (index: number) => ({
      index, method: 'GET', target: '/r', requestVersion: 'HTTP/1.1', status: null, reason: null, responseState: 'lost',
      interim: [], pipelined: true, pipelineDepth: index, order: 'first', responseBodyBytes: 0, responseFraming: null,
      timeToFirstByteUs: null, totalUs: null, requestStart: { frame: 4 }, responseStart: null,
    });
    const conns = Array.from({ length: 60 }, (_, id) => ({
      tcp: { id, client: { addr: '10.0.0.1', port: 2000 + id }, server: { addr: '10.0.0.2', port: 80 } },
      http: { mode: 'pipelined', maxPipelineDepth: 500, requests: 500, reason: 'HTTP/1.1 pipelined' },
      exchanges: Array.from({ length: 500 }, (_, i) => exchange(i + 1)),
    })) as unknown as ConnectionReport[];
    const t0 = performance.now();
    const out = renderHttpTables(conns, PLAIN_PALETTE);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(out.split('\n')).toHaveLength(60 * (2 + 3 + 2 * 500) + 59);
  });
});
