// The library as a Node program uses it, where a review found it short: a capture given as bytes is read in bounded
// batches, analyze() hands connection reports over in the CLI's NDJSON order, options that mean nothing are refused,
// check() refuses a report that does not hold its connections, and CommonJS can require the package.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  analyze, analyzeFile, Analyzer, connectionRecord, endRecord, evaluate, metaRecord, packetRecord, parseExpectation, readCaptureBatches,
  type ConnectionReport, type Expectation,
} from '../src/index.js';
import { readCaptureSync } from '../src/core.js';
import { runCliCaptured } from './helpers/run-cli-capture.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CAP = (n: string) => path.join(ROOT, 'fixtures', 'captures', n);

describe('a capture given as bytes', () => {
  test('is read in batches of the chunk size, with the same records as the file', async () => {
    const bytes = readFileSync(CAP('real-large-download.pcap'));
    const fromBytes: number[] = [];
    let batches = 0;
    const gen = readCaptureBatches(bytes, { chunkBytes: 64 * 1024 });
    for (let next = await gen.next(); !next.done; next = await gen.next()) {
      batches++;
      for (const r of next.value) fromBytes.push(r.index, r.data.length);
    }
    const fromFile: number[] = [];
    for await (const batch of readCaptureBatches(CAP('real-large-download.pcap'))) for (const r of batch) fromFile.push(r.index, r.data.length);
    expect(fromBytes).toEqual(fromFile);
    expect(batches).toBeGreaterThanOrEqual(Math.floor(bytes.length / (64 * 1024)));
  });

  test('analyze(bytes) yields many batches, not one of every event', async () => {
    // Five copies of a capture's records after one file header: 2.7 MB, three chunks of 1 MiB.
    const one = readFileSync(CAP('real-large-download.pcap'));
    const bytes = Buffer.concat([one, ...Array.from({ length: 4 }, () => one.subarray(24))]);
    expect(bytes.length).toBeGreaterThan(2 << 20);
    let batches = 0;
    let events = 0;
    for await (const batch of analyze(bytes, { keepConnections: false })) {
      batches++;
      events += batch.length;
    }
    expect(batches).toBeGreaterThanOrEqual(3);
    expect(events).toBe(5 * (await analyzeFile(CAP('real-large-download.pcap'))).stats.records);
  });
});

describe('analyze() with onConnection', () => {
  // Connections reported while a later packet is pushed (5 capture seconds after their close) come before it.
  test.each(['real-time-wait-straggler.pcap', 'real-http11-keepalive.pcap', 'real-lossy-keepalive.pcap'])(
    '%s: packet and connection records in the order of the CLI\'s NDJSON', async (name) => {
      const lines: string[] = [];
      const gen = analyze(CAP(name), { keepConnections: false, onConnection: (c: ConnectionReport) => lines.push(connectionRecord(c)) });
      for (let next = await gen.next(); !next.done; next = await gen.next()) {
        for (const ev of next.value) if (ev.conn >= 0) lines.push(packetRecord(ev));
      }
      const cli = await runCliCaptured(['--format', 'ndjson', CAP(name)]);
      const cliLines = cli.stdout.trimEnd().split('\n').filter((l) => l.startsWith('{"type":"packet"') || l.startsWith('{"type":"connection"'));
      expect(lines).toEqual(cliLines);
    },
  );
});

/** A parsed expectation (the language's own parser; a test input that does not parse fails here). */
function expectation(text: string): Expectation {
  const e = parseExpectation(text);
  if ('error' in e) throw new Error(e.error);
  return e;
}

describe('options and reports a caller can get wrong', () => {
  test('a numeric option that means nothing is a RangeError at once', () => {
    for (const bad of [0, -1, Number.NaN, 1.5, 'abc' as unknown as number]) {
      expect(() => new Analyzer({ maxConnections: bad })).toThrow(RangeError);
      expect(() => new Analyzer({ maxBufferedBytesPerDirection: bad })).toThrow(/must be a positive integer/);
    }
    expect(() => new Analyzer({ timeWaitSec: -5 })).toThrow(/timeWaitSec must be a number of seconds/);
    expect(() => new Analyzer({ reportAfterCloseSec: Number.NaN })).toThrow(RangeError);
    expect(() => new Analyzer({ maxConnections: 1, timeWaitSec: 0, reportAfterCloseSec: 0 })).not.toThrow();
    // Infinity is no limit, as it always was.
    expect(() => new Analyzer({ maxConnections: Infinity, maxBufferedBytesPerDirection: Infinity, timeWaitSec: Infinity, reportAfterCloseSec: Infinity })).not.toThrow();
    try {
      new Analyzer({ maxConnections: 0 });
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ERR_OUT_OF_RANGE');
    }
  });

  test('options that are no object, a signal that is no AbortSignal, a path where bytes go: said as such', async () => {
    const F = CAP('real-http10-short.pcap');
    const code = (e: unknown) => (e as { code?: string }).code;
    await expect(analyzeFile(F, null as unknown as {})).rejects.toThrow('the options must be an object, got null');
    await expect(analyze(F, null as unknown as {}).next()).rejects.toThrow(TypeError);
    await expect(analyzeFile(F, { signal: 'x' as unknown as AbortSignal })).rejects.toThrow('AnalyzeOptions.signal must be an AbortSignal, got "x"');
    await analyzeFile(F, { signal: 'x' as unknown as AbortSignal }).catch((e: unknown) => expect(code(e)).toBe('ERR_INVALID_ARG_TYPE'));
    // A string that reads as a number is shown as the string it is.
    expect(() => new Analyzer({ maxConnections: '5' as unknown as number })).toThrow('must be a positive integer or Infinity, got "5"');
    expect(() => new Analyzer(null as unknown as {})).toThrow('AnalyzerOptions must be an object, got null');
    expect(() => readCaptureSync(F as unknown as Uint8Array)).toThrow(/takes the capture's bytes \(a Uint8Array\), got a string \(a path\?/);
    expect(await analyzeFile(F, { signal: new AbortController().signal })).toMatchObject({ stats: { connections: 2 } });
  });

  test('a chunk size that cannot be read by is a RangeError, not a loop', async () => {
    const bytes = readFileSync(CAP('real-http11-keepalive.pcap'));
    for (const bad of [0, -1, 1.5]) {
      await expect(readCaptureBatches(bytes, { chunkBytes: bad }).next()).rejects.toThrow(RangeError);
    }
  });

  test('check() on a report made with keepConnections: false says why instead of counting what it does not hold', async () => {
    const report = await analyzeFile(CAP('real-http11-keepalive.pcap'), { keepConnections: false });
    expect(report.stats.connections).toBeGreaterThan(0);
    const result = evaluate(report, expectation('connections=1'));
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^the report holds 0 of its \d+ connections \(made with keepConnections: false\)/);
    const whole = await analyzeFile(CAP('real-http11-keepalive.pcap'));
    expect(evaluate(whole, expectation(`connections=${whole.stats.connections}`)).ok).toBe(true);
  });

  test('a damaged capture is told by its warning code in the report', async () => {
    // The fourth record's header claims 2 GB: reading stops there, the three before it are analysed.
    const view = Buffer.from(readFileSync(CAP('real-http11-keepalive.pcap')));
    let off = 24;
    for (let i = 0; i < 3; i++) off += 16 + view.readUInt32LE(off + 8);
    view.writeUInt32LE(0x7fffffff, off + 8);
    view.writeUInt32LE(0x7fffffff, off + 12);
    const report = await analyzeFile(view);
    expect(report.warnings.map((w) => w.code)).toContain('capture.corrupt');
    expect(report.stats.records).toBe(3);
  });
});

describe('CommonJS', () => {
  test('require() gets the package (Node 20.19 and later load ES modules that way)', () => {
    const r = spawnSync(process.execPath, ['-e', `const t = require(${JSON.stringify(ROOT)}); console.log(typeof t.analyzeFile, typeof t.Codes)`], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
    expect(r.stdout.trim()).toBe('function object');
  });
});

describe('AbortSignal', () => {
  test('analyzeFile and analyze stop at the next batch once aborted, with the signal\'s reason', async () => {
    const one = readFileSync(CAP('real-large-download.pcap'));
    const bytes = Buffer.concat([one, ...Array.from({ length: 4 }, () => one.subarray(24))]);
    const early = new AbortController();
    early.abort();
    await expect(analyzeFile(bytes, { signal: early.signal })).rejects.toThrow(/aborted/);
    // Aborted while the capture streams in (here by the source itself, as it hands over its third chunk): the read
    // stops at the next batch and the source is closed, not read to its end.
    const mid = new AbortController();
    let handed = 0;
    let closed = false;
    async function* chunks() {
      try {
        for (let at = 0; at < bytes.length; at += 65536) {
          if (++handed === 3) mid.abort(new Error('enough'));
          yield bytes.subarray(at, at + 65536);
        }
      } finally {
        closed = true;
      }
    }
    await expect(analyzeFile(chunks(), { signal: mid.signal })).rejects.toThrow('enough');
    expect(handed).toBeLessThan(5);
    expect(closed).toBe(true);
    const controller = new AbortController();
    let batches = 0;
    await expect((async () => {
      for await (const _batch of analyze(bytes, { signal: controller.signal })) {
        batches++;
        controller.abort();
      }
    })()).rejects.toMatchObject({ name: 'AbortError' });
    expect(batches).toBe(1);
  });

  test('an idle stream does not hold an abort up: the pending read is abandoned', async () => {
    const header = readFileSync(CAP('real-http11-keepalive.pcap')).subarray(0, 24 + 200);
    const controller = new AbortController();
    async function* idle() {
      yield header;
      await new Promise(() => {}); // a socket that never sends again
    }
    const run = analyzeFile(idle(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('a finished analyzer, and the NDJSON records around the packets', () => {
  test('push() after finish() is an error, not records analysed into nothing', () => {
    const analyzer = new Analyzer();
    analyzer.finish();
    expect(() => analyzer.push({ index: 1, tsSec: 0, tsNsec: 0, capLen: 0, origLen: 0, linkType: 1, interfaceId: 0, data: new Uint8Array(0) }))
      .toThrow(expect.objectContaining({ code: 'ERR_INVALID_STATE' }));
  });

  test('metaRecord and endRecord complete the NDJSON stream as the CLI writes it', async () => {
    const lines: string[] = [];
    const gen = analyze(CAP('real-http11-keepalive.pcap'), { keepConnections: false, onConnection: (c: ConnectionReport) => lines.push(connectionRecord(c)) });
    lines.push(metaRecord([CAP('real-http11-keepalive.pcap')]));
    let next = await gen.next();
    for (; !next.done; next = await gen.next()) for (const ev of next.value) if (ev.conn >= 0) lines.push(packetRecord(ev));
    lines.push(endRecord(next.value));
    const cli = await runCliCaptured(['--format', 'ndjson', CAP('real-http11-keepalive.pcap')]);
    // The meta record names the capture as given: the CLI was given the same path.
    const order = (l: string[]) => l.filter((x) => !x.startsWith('{"type":"connection"'));
    expect(order(lines)).toEqual(order(cli.stdout.trimEnd().split('\n')));
  });
});
