// Analyzer options that only save work must not change what is reported: the same verdicts, TCP summaries and
// annotation counts on every fixture capture, with and without them.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeFile } from '../src/analyze.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'captures');
const captures = fs.readdirSync(FIXTURES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

describe('AnalyzerOptions.exchanges: false', () => {
  test.each(captures)('%s: same reports, without the exchanges', async (file) => {
    const full = await analyzeFile(path.join(FIXTURES, file));
    const lean = await analyzeFile(path.join(FIXTURES, file), { exchanges: false });
    expect(lean.connections.length).toBe(full.connections.length);
    for (let i = 0; i < full.connections.length; i++) {
      const a = full.connections[i]!;
      const b = lean.connections[i]!;
      expect(b.exchanges).toEqual([]);
      // What the renderers read instead of exchanges.length to tell whether a connection carried HTTP.
      expect(a.http.requests + a.http.orphanResponses).toBe(a.exchanges.length);
      expect(b.http).toEqual(a.http);
      expect(b.tcp).toEqual(a.tcp);
      expect(b.annotationCounts).toEqual(a.annotationCounts);
    }
    expect(lean.stats).toEqual(full.stats);
  });

  test('the fixtures hold HTTP exchanges to compare', async () => {
    const r = await analyzeFile(path.join(FIXTURES, 'real-http11-pipelined.pcap'));
    expect(r.connections.some((c) => c.exchanges.length > 1 && c.http.mode === 'pipelined')).toBe(true);
  });
});
