// No stage may keep a view of a record past its batch: the CLI reads files into one reused buffer. Reading every
// fixture through tiny reused chunks must give exactly the analysis of reading it whole.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../src/analyze.js';
import { readCaptureBatches, readCaptureSync } from '../src/capture/index.js';
import { TimelineRenderer } from '../src/render/timeline.js';
import { TextSink } from '../src/render/text-sink.js';
import { PLAIN_PALETTE } from '../src/render/color.js';
import { connectionRecord } from '../src/render/json.js';
import type { CaptureRecord } from '../src/types.js';

const DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'captures');

async function render(batches: Iterable<CaptureRecord[]> | AsyncIterable<CaptureRecord[]>): Promise<string> {
  let text = '';
  const sink = new TextSink({ write: (s) => void (text += s) });
  const timeline = new TimelineRenderer({ annotate: true, number: true, tsStyle: 0, nano: false, palette: PLAIN_PALETTE });
  const analyzer = new Analyzer();
  for await (const batch of batches) {
    for (const rec of batch) {
      const ev = analyzer.push(rec);
      if (timeline.wants(ev)) timeline.render(ev, sink);
    }
    sink.flush();
  }
  for (const c of analyzer.finish().connections) sink.line(connectionRecord(c));
  sink.flush();
  return text;
}

describe('reused read buffer', () => {
  const files = readdirSync(DIR).filter((f) => f.startsWith('real-'));
  it('has fixtures', () => expect(files.length).toBeGreaterThan(10));
  for (const f of files) {
    it(f, async () => {
      const whole = await render([readCaptureSync(new Uint8Array(readFileSync(path.join(DIR, f)))).records]);
      // Each batch is analysed before the next read overwrites the buffer, as the CLI does.
      const text = await render(readCaptureBatches(path.join(DIR, f), { reuseBuffer: true, chunkBytes: 701 }));
      expect(text).toBe(whole);
    });
  }
});
