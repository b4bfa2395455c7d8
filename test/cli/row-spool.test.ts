// RowSpool: the same records back, by id and in id order, whether they stay in memory or move to a file, and the
// file is gone after close().

import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { RowSpool } from '../../src/cli/row-spool.js';

const spoolDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tcptrace-')).sort();

describe('RowSpool', () => {
  test('records come back by id, ids ascending, in memory and spilled alike (any order of adding, any text)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(5000), { minLength: 1, maxLength: 300 }),
        fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2000 }),
        (ids, texts, spillBytes) => {
          const spool = new RowSpool({ spillBytes });
          const want = new Map<number, string>();
          ids.forEach((id, i) => {
            const text = `${id}:${texts[i % texts.length]}`;
            want.set(id, text);
            spool.add(id, text);
          });
          try {
            expect(spool.count).toBe(ids.length);
            expect(spool.ids()).toEqual([...want.keys()].sort((a, b) => a - b));
            for (const [id, text] of want) expect(spool.get(id)).toBe(text);
            expect(spool.get(5001)).toBeUndefined();
          } finally {
            spool.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('reads served from its read window stay right when records are added between reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.nat(3000), fc.string({ unit: 'binary', maxLength: 400 })), { minLength: 1, maxLength: 400 }),
        (steps) => {
          const spool = new RowSpool({ spillBytes: 0 });
          const want = new Map<number, string>();
          try {
            for (const [isRead, n, text] of steps) {
              if (isRead || want.has(n)) {
                expect(spool.get(n)).toBe(want.get(n));
              } else {
                want.set(n, text);
                spool.add(n, text);
              }
            }
            for (const [id, text] of want) expect(spool.get(id)).toBe(text);
          } finally {
            spool.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('passes in id order over records written out of order (near and far) return every record, twice', () => {
    const spool = new RowSpool({ spillBytes: 0 });
    const n = 12_000;
    // Written as connections are reported: mostly a few hundred ids late, some (long-lived ones) thousands late.
    const ids = Array.from({ length: n }, (_, i) => i);
    const key = (id: number) => (id % 97 === 0 ? id + 9000 : id + ((id * 7919) % 400));
    ids.sort((a, b) => key(a) - key(b));
    const text = (id: number) => `row ${id} ${'µ→'.repeat(id % 13)}`;
    try {
      for (const id of ids) spool.add(id, text(id));
      expect(spool.spilled).toBe(true);
      for (let pass = 0; pass < 2; pass++) {
        for (let id = 0; id < n; id++) expect(spool.get(id)).toBe(text(id));
      }
      expect(spool.get(n)).toBeUndefined();
      expect(spool.get(77)).toBe(text(77));
    } finally {
      spool.close();
    }
  });

  test('spills past its byte budget, keeps records larger than its write buffer, removes its file on close', () => {
    const before = spoolDirs();
    const spool = new RowSpool({ spillBytes: 1000 });
    const big = '→'.repeat(200_000);
    for (let id = 0; id < 100; id++) spool.add(id, id === 50 ? big : `row ${id} ${'x'.repeat(id)}`);
    expect(spool.spilled).toBe(true);
    // The file's name is removed at once (POSIX keeps the open file): nothing is left if the process is killed.
    expect(spoolDirs()).toEqual(before);
    expect(spool.get(50)).toBe(big);
    expect(spool.get(99)).toBe(`row 99 ${'x'.repeat(99)}`);
    spool.close();
    expect(spoolDirs()).toEqual(before);
  });

  test('without a writable temporary directory it keeps everything in memory', () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = '/nonexistent/tcptrace-test';
    try {
      const spool = new RowSpool({ spillBytes: 10 });
      for (let id = 0; id < 50; id++) spool.add(id, `row ${id}`);
      expect(spool.spilled).toBe(false);
      expect(spool.get(49)).toBe('row 49');
      expect(spool.ids()).toHaveLength(50);
      spool.close();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  test('stays in memory under its budget (no file for an ordinary capture)', () => {
    const spool = new RowSpool();
    for (let id = 0; id < 1000; id++) spool.add(id, `row ${id}`);
    expect(spool.spilled).toBe(false);
    spool.close();
    expect(existsSync(tmpdir())).toBe(true);
  });
});
