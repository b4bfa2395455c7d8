// Analyzer options that only save work must not change what is reported: the same verdicts, TCP summaries and
// annotation counts on every fixture capture, with and without them (exchanges, reuseEvents, annotationTexts).

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Analyzer, type AnalyzerOptions } from '../src/analyze.js';
import { analyzeFile } from '../src/edges.js';
import { readCaptureSync } from '../src/capture/reader.js';
import type { DecodedIp, DecodedTcp } from '../src/decode/views.js';
import type { PacketEvent, Report } from '../src/report.js';

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

describe('AnalyzerOptions.reuseEvents: true', () => {
  /** Everything an event says, read at once (a reused event is valid only until the next push). */
  function snapshot(ev: PacketEvent): unknown {
    const p = ev.packet;
    return {
      frame: ev.frame, conn: ev.conn, dir: ev.dir, relSeq: ev.relSeq, relAck: ev.relAck,
      display: { ...ev.display }, annotations: ev.annotations.map((a) => ({ ...a })),
      problem: p.problem && { ...p.problem }, notes: p.linkNotes.length,
      ip: p.ip && { ...(p.ip as DecodedIp).toJSON(), src: [...p.ip.src], dst: [...p.ip.dst] },
      tcp: p.tcp && { ...(p.tcp as DecodedTcp).toJSON(), options: [...p.tcp.options], payload: [...p.tcp.payload] },
    };
  }

  async function run(file: string, reuseEvents: boolean): Promise<{ events: unknown[]; distinct: number; report: Report }> {
    return runWith(file, { reuseEvents }, snapshot);
  }

  test.each(captures)('%s: every event says the same, from one reused object', async (file) => {
    const own = await run(file, false);
    const reused = await run(file, true);
    expect(reused.events).toEqual(own.events);
    expect(reused.report).toEqual(own.report);
    expect(own.distinct).toBe(own.events.length);
    expect(reused.distinct).toBe(Math.min(1, reused.events.length));
  });

  test('a tunnelled packet keeps its outer header in a note while the reused header holds the inner one', async () => {
    // crafted-ip.pcap holds IPv4-in-IPv4 (192.0.2.1 > 192.0.2.2: IP 10.1.0.1.40000 > 10.1.0.2.80, see
    // fixtures/README-crafted.md): the inner header must be a fresh object, not the lent one the outer header took.
    const own = await run('crafted-ip.pcap', false);
    const reused = await run('crafted-ip.pcap', true);
    const tunnelled = (own.events as { notes: number; ip: { src: number[] } | null }[]).filter(
      (e) => e.notes > 0 && e.ip !== null && e.ip.src.join('.') === '10.1.0.1',
    );
    expect(tunnelled.length).toBeGreaterThan(0);
    expect(reused.events).toEqual(own.events);
  });
});

/** Runs a fixture through an Analyzer, reading each event at once with `read`. */
async function runWith(
  file: string,
  opts: AnalyzerOptions,
  read: (ev: PacketEvent) => unknown,
): Promise<{ events: unknown[]; distinct: number; report: Report }> {
  const analyzer = new Analyzer(opts);
  const bytes = fs.readFileSync(path.join(FIXTURES, file));
  const { records, warnings } = readCaptureSync(new Uint8Array(bytes));
  const events: unknown[] = [];
  const seen = new Set<PacketEvent>();
  for (const r of records) {
    const ev = analyzer.push(r);
    seen.add(ev);
    events.push(read(ev));
  }
  return { events, distinct: seen.size, report: analyzer.finish(warnings) };
}

describe('AnalyzerOptions.annotationTexts: false', () => {
  const codes = (ev: PacketEvent) => ev.annotations.map((a) => a.code);
  const texts = (ev: PacketEvent) => ev.annotations.map((a) => a.text);

  test.each(captures)('%s: the same codes in the same order, the same reports, no words', async (file) => {
    const worded = await runWith(file, {}, codes);
    const bare = await runWith(file, { annotationTexts: false }, codes);
    expect(bare.events).toEqual(worded.events);
    expect(bare.report).toEqual(worded.report);
    const bareTexts = await runWith(file, { annotationTexts: false }, texts);
    expect((bareTexts.events as string[][]).flat().every((t) => t === '')).toBe(true);
  });

  test('the fixtures exercise the worded paths being compared', async () => {
    const all = new Set<string>();
    for (const file of captures) {
      for (const list of (await runWith(file, {}, codes)).events as string[][]) for (const c of list) all.add(c);
    }
    for (const code of ['tcp.handshake', 'tcp.state', 'tcp.close', 'tcp.retransmission', 'tcp.dup-ack', 'http.request', 'http.response-end', 'http.pipelined']) {
      expect(all.has(code), code).toBe(true);
    }
  });
});

describe('AnalyzerOptions.compactTimeWait', () => {
  const read = (ev: PacketEvent) => ({
    frame: ev.frame, conn: ev.conn, dir: ev.dir, relSeq: ev.relSeq, relAck: ev.relAck, display: { ...ev.display },
    annotations: ev.annotations.map((a) => ({ ...a })),
  });
  // Reported at once after the close, so that every later packet of a connection finds it packed and brings it back.
  const prompt = { reportAfterCloseSec: 0 };

  test.each(captures)('%s: packed or not through TIME_WAIT, every event and report reads the same', async (file) => {
    const packed = await runWith(file, { ...prompt, compactTimeWait: true }, read);
    const full = await runWith(file, { ...prompt, compactTimeWait: false }, read);
    expect(packed.events).toEqual(full.events);
    expect(packed.report).toEqual(full.report);
  });
  test.each(captures)('%s: exchanges packed while their report waits are reported as made', async (file) => {
    // The default wait, so that exchanges are packed (PackedExchanges) and unpacked at the report.
    const packed = await runWith(file, { compactTimeWait: true }, read);
    const full = await runWith(file, { compactTimeWait: false }, read);
    expect(packed.report).toStrictEqual(full.report);
    // Key order is part of the JSON contract: the same text, not only the same values.
    expect(JSON.stringify(packed.report)).toBe(JSON.stringify(full.report));
  });
  // The fixture captures have no packet after a close; the stragglers themselves (retransmitted FINs, RSTs, data,
  // port reuse, TIME_WAIT running out) are crafted in test/tcp/tracker-retired.test.ts.
});
