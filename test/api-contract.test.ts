// The library's contract where a review found it broken: files closed when a caller stops early or a source fails,
// the capture's bytes accepted as a source, a clear error for anything else, and event lists no caller can corrupt.
import { describe, expect, test } from 'vitest';
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { analyze, analyzeFile, Analyzer, CaptureError, mergedBatches } from '../src/index.js';
import { readCaptureSync } from '../src/capture/index.js';

const CAP = (n: string) => path.resolve(import.meta.dirname, '..', 'fixtures', 'captures', n);

/** Open descriptors of this process on files under fixtures/captures (Linux /proc; elsewhere none are counted). */
function openCaptureFds(): number {
  let n = 0;
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        if (readlinkSync(`/proc/self/fd/${fd}`).includes(`${path.sep}fixtures${path.sep}captures${path.sep}`)) n++;
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return 0;
  }
  return n;
}

/** openCaptureFds() once closes in flight are done (a stream closes its file asynchronously): at most 2 s. */
async function settledCaptureFds(): Promise<number> {
  let n = openCaptureFds();
  for (let i = 0; i < 40 && n > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    n = openCaptureFds();
  }
  return n;
}

describe('files are closed', () => {
  test('when a for await over analyze() stops early', async () => {
    const before = await settledCaptureFds();
    for (let i = 0; i < 20; i++) {
      // eslint-disable-next-line no-unreachable-loop
      for await (const batch of analyze(CAP('real-large-download.pcap'))) {
        expect(batch.length).toBeGreaterThan(0);
        break;
      }
    }
    expect(await settledCaptureFds()).toBe(before);
  });

  test('when one of several merged sources fails', async () => {
    const before = await settledCaptureFds();
    for (let i = 0; i < 10; i++) {
      const gen = mergedBatches([
        { name: 'a', source: CAP('real-large-download.pcap') },
        { name: 'b', source: CAP('no-such-capture.pcap') },
      ]);
      await expect(gen.next()).rejects.toMatchObject({ code: 'E_READ' });
    }
    expect(await settledCaptureFds()).toBe(before);
  });
});

describe('sources', () => {
  test('the capture\'s bytes (Buffer or Uint8Array) read as the file does', async () => {
    const file = await analyzeFile(CAP('real-http11-keepalive.pcap'));
    const bytes = readFileSync(CAP('real-http11-keepalive.pcap'));
    expect(await analyzeFile(bytes)).toEqual(file);
    expect(await analyzeFile(new Uint8Array(bytes))).toEqual(file);
    expect(await analyzeFile(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]))).toEqual(file);
  });

  test('anything else is a CaptureError E_READ that says what to give', async () => {
    for (const bad of [123, new URL('file:///x.pcap'), null]) {
      const err = await analyzeFile(bad as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptureError);
      expect(err).toMatchObject({ code: 'E_READ', message: expect.stringContaining('give a file path') });
    }
  });
});

describe('events', () => {
  test('share one frozen empty annotation list: a caller cannot push into other events', () => {
    const analyzer = new Analyzer();
    const events = readCaptureSync(new Uint8Array(readFileSync(CAP('real-http11-keepalive.pcap')))).records.map((r) => analyzer.push(r));
    const plain = events.filter((e) => e.annotations.length === 0);
    expect(plain.length).toBeGreaterThan(1);
    expect(() => (plain[0]!.annotations as { code: string; text: string }[]).push({ code: 'user.tag', text: '' })).toThrow(TypeError);
    expect(plain.every((e) => e.annotations.length === 0)).toBe(true);
  });
});
