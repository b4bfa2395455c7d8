// packetRecord is written by hand for speed: it must stay byte-identical to JSON.stringify(packetObject(ev)) (the
// schema's key order and escaping), on every packet of every fixture capture and on hostile annotation texts; and so
// must writePacketRecord's bytes, as the CLI's output buffer (ByteSink) and TextSink get them.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyze } from '../../src/edges.js';
import { packetObject, packetRecord, writePacketRecord } from '../../src/render/json.js';
import { ByteSink } from '../../src/cli/byte-sink.js';
import { TextSink } from '../../src/render/text-sink.js';
import type { PacketEvent } from '../../src/report.js';
import { DecodedIp } from '../../src/decode/views.js';
import type { Annotation } from '../../src/types.js';

const CAPTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'captures');

describe('packetRecord', () => {
  test('equals JSON.stringify(packetObject) on every TCP packet of every fixture', async () => {
    let checked = 0;
    // The record reads addresses at the decoder's offsets (DecodedIp), the object through IpInfo's views: both kinds,
    // IPv6 and an IPv6 routing header's final destination among them.
    let decodedIpv6 = 0;
    let finalDestinations = 0;
    for (const name of readdirSync(CAPTURES).filter((n) => /\.pcap(ng)?$/.test(n))) {
      const gen = analyze(path.join(CAPTURES, name));
      for (;;) {
        const next = await gen.next();
        if (next.done) break;
        for (const ev of next.value) {
          if (ev.conn < 0 || ev.packet.tcp === null || ev.packet.ip === null) continue;
          const expected = JSON.stringify(packetObject(ev));
          expect(packetRecord(ev), `${name} frame ${ev.frame}`).toBe(expected);
          expect(piecesAsBytes(ev), `${name} frame ${ev.frame}`).toBe(expected);
          checked++;
          const ip = ev.segment.ip;
          if (ip instanceof DecodedIp && ip.version === 6) decodedIpv6++;
          if (ip instanceof DecodedIp && ip.finalDstOffset >= 0) finalDestinations++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(decodedIpv6).toBeGreaterThan(50);
    expect(finalDestinations).toBeGreaterThan(0);
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
    expect(piecesAsBytes(ev)).toBe(JSON.stringify(packetObject(ev)));
    expect(piecesAsText(ev)).toBe(JSON.stringify(packetObject(ev)));
    expect(JSON.parse(packetRecord(ev)).ack).toBeNull();
  });

  test('each kind of annotation text takes its path: plain ASCII, other characters, escapes', async () => {
    const gen = analyze(path.join(CAPTURES, 'real-http11-pipelined.pcap'));
    const first = (await gen.next()).value as PacketEvent[];
    for (const text of ['', 'plain', 'client ESTABLISHED → FIN_WAIT_1', 'é', '😀 pair', 'tab\there', '"', '\\', '\ud800', '\udfff x', '\u007f', '\u2028']) {
      const ev = { ...first[0]!, annotations: [{ code: 'http.request', text }] as Annotation[] };
      expect(piecesAsBytes(ev), JSON.stringify(text)).toBe(JSON.stringify(packetObject(ev)));
    }
  });

  test('a call that throws (an event without a TCP header) leaves nothing in the next record', async () => {
    const gen = analyze(path.join(CAPTURES, 'real-http11-pipelined.pcap'));
    const first = (await gen.next()).value as PacketEvent[];
    const good = first[1]!;
    const broken = { ...first[0]!, segment: { ...first[0]!.segment, ip: null } } as unknown as PacketEvent;
    expect(() => packetRecord(broken)).toThrow(TypeError);
    expect(packetRecord(good)).toBe(JSON.stringify(packetObject(good)));
  });

  test('an IpInfo that is not the decoder\'s (a plain object, as toJSON gives it) is read through its views', async () => {
    for (const name of ['crafted-ip.pcap', 'real-http11-pipelined.pcap']) {
      let seen = 0;
      for await (const batch of analyze(path.join(CAPTURES, name))) {
        for (const ev of batch) {
          const ip = ev.segment.ip;
          if (ev.conn < 0 || !(ip instanceof DecodedIp)) continue;
          const plainIp = { ...ip.toJSON(), src: ip.src.slice(), dst: ip.dst.slice() };
          const plain = { ...ev, segment: { ...ev.segment, ip: plainIp } } as PacketEvent;
          expect(packetRecord(plain), `${name} frame ${ev.frame}`).toBe(packetRecord(ev));
          seen++;
        }
      }
      expect(seen, name).toBeGreaterThan(5);
    }
  });

  test('a LineOut of a caller without jsonString (optional) gets the same text', async () => {
    const gen = analyze(path.join(CAPTURES, 'real-http11-pipelined.pcap'));
    const first = (await gen.next()).value as PacketEvent[];
    const ev = { ...first[0]!, annotations: [{ code: 'http.request', text: 'GET /"é" →' }] as Annotation[] };
    let out = '';
    const plain = {
      text: (t: string) => void (out += t),
      ascii: (t: string) => void (out += t),
      uint: (n: number) => void (out += String(n)),
      uintPadded: (n: number, width: number) => void (out += String(n).padStart(width, '0')),
      asciiBytes: () => {
        throw new Error('not used by the JSON writers');
      },
    };
    writePacketRecord(ev, plain);
    expect(out).toBe(JSON.stringify(packetObject(ev)));
  });
});

/** writePacketRecord's bytes through the CLI's ByteSink, decoded. */
function piecesAsBytes(ev: PacketEvent): string {
  const chunks: Uint8Array[] = [];
  const sink = new ByteSink((c) => chunks.push(c));
  writePacketRecord(ev, sink);
  sink.flush();
  return Buffer.concat(chunks).toString('utf8');
}

/** writePacketRecord's text through TextSink. */
function piecesAsText(ev: PacketEvent): string {
  let out = '';
  const sink = new TextSink({ write: (t) => void (out += t) });
  writePacketRecord(ev, sink);
  sink.flush();
  return out;
}
