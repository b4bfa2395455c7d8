// packetRecord is written by hand for speed: it must stay byte-identical to JSON.stringify(packetObject(ev)) (the
// schema's key order and escaping), on every packet of every fixture capture and on hostile annotation texts.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyze } from '../../src/edges.js';
import { packetObject, packetRecord } from '../../src/render/json.js';
import type { PacketEvent } from '../../src/report.js';
import type { Annotation } from '../../src/types.js';

const CAPTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'captures');

describe('packetRecord', () => {
  test('equals JSON.stringify(packetObject) on every TCP packet of every fixture', async () => {
    let checked = 0;
    for (const name of readdirSync(CAPTURES).filter((n) => /\.pcap(ng)?$/.test(n))) {
      const gen = analyze(path.join(CAPTURES, name));
      for (;;) {
        const next = await gen.next();
        if (next.done) break;
        for (const ev of next.value) {
          if (ev.conn < 0 || ev.packet.tcp === null || ev.packet.ip === null) continue;
          expect(packetRecord(ev), `${name} frame ${ev.frame}`).toBe(JSON.stringify(packetObject(ev)));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  test('escapes annotation texts as JSON.stringify does (quotes, backslashes, controls, lone surrogates)', async () => {
    const gen = analyze(path.join(CAPTURES, 'real-http11-pipelined.pcap'));
    const first = (await gen.next()).value as PacketEvent[];
    const ev = { ...first[0]!, relAck: -1, annotations: [
      { code: 'http.request', text: 'GET /"a"\\b\u0000\u001b[2J\u2028 é \ud800 😀' },
      // A code outside Codes, as a caller's own annotation might carry: escaped all the same.
      { code: 'x"y' as Annotation['code'], text: '' },
    ] as Annotation[] };
    expect(packetRecord(ev)).toBe(JSON.stringify(packetObject(ev)));
    expect(JSON.parse(packetRecord(ev)).ack).toBeNull();
  });
});
