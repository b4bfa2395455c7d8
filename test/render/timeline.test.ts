// The annotated timeline's clock: which records the -ttt (delta) and -ttttt (since first) styles count from, as
// tcpdump's ts_print sees them.

import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/analyze.js';
import { PLAIN_PALETTE } from '../../src/render/color.js';
import { TimelineRenderer } from '../../src/render/timeline.js';
import { TextSink } from '../../src/render/text-sink.js';
import { etherIpv4Tcp, record } from '../helpers/packet-builder.js';

const lines = (tsStyle: number, origLens: (number | undefined)[]): string[] => {
  const frame = etherIpv4Tcp({ src: '10.1.0.2', dst: '10.1.0.1' }, { srcPort: 80, dstPort: 40000, flags: 0x10, seq: 5000, ack: 1000 });
  const analyzer = new Analyzer();
  const timeline = new TimelineRenderer({ annotate: false, number: false, tsStyle, nano: false, palette: PLAIN_PALETTE });
  let text = '';
  const sink = new TextSink({ write: (t) => { text += t; } });
  origLens.forEach((origLen, i) => {
    const ev = analyzer.push(record(frame, { index: i + 1, tsSec: 1_700_000_000, tsNsec: i * 156_000, origLen }));
    if (timeline.wants(ev)) timeline.render(ev, sink);
  });
  sink.flush();
  return text.split('\n').slice(0, -1);
};

describe('TimelineRenderer', () => {
  it('a record tcpdump refuses ([Invalid header]) is nobody\'s previous or first time (tcpdump returns before ts_print)', () => {
    // tcpdump 4.99.3 -ttt: "[Invalid header: len(53) < caplen(54)]", then " 00:00:00.000000 IP ..." for the next.
    const delta = lines(3, [53, undefined, undefined]);
    expect(delta[0]).toBe('[Invalid header: len(53) < caplen(54)]');
    expect(delta[1]).toMatch(/^ 00:00:00\.000000 IP 10\.1\.0\.2\.80 > 10\.1\.0\.1\.40000: Flags \[\.\], ack 1000,/);
    expect(delta[2]).toMatch(/^ 00:00:00\.000156 IP /);
    const sinceFirst = lines(5, [0, undefined, undefined]);
    expect(sinceFirst[1]).toMatch(/^ 00:00:00\.000000 IP /);
    expect(sinceFirst[2]).toMatch(/^ 00:00:00\.000156 IP /);
  });
});

describe('TimelineRenderer sinks', () => {
  it('a sink that takes only whole lines gets the same lines as one that takes pieces (annotations too)', () => {
    const frame = etherIpv4Tcp({ src: '10.1.0.1', dst: '10.1.0.2' }, { srcPort: 40000, dstPort: 80, flags: 0x02, seq: 1000, ack: 0 });
    const render = (sink: { line(t: string): void; text(t: string): void; flush(): void }) => {
      const analyzer = new Analyzer();
      const timeline = new TimelineRenderer({ annotate: true, number: true, tsStyle: 0, nano: false, palette: PLAIN_PALETTE });
      const ev = analyzer.push(record(frame, { index: 1, tsSec: 1_700_000_000, tsNsec: 5_000 }));
      if (timeline.wants(ev)) timeline.render(ev, sink);
      sink.flush();
    };
    const whole: string[] = [];
    render({ line: (t) => whole.push(t), text: (t) => whole.push(t), flush: () => {} });
    let text = '';
    render(new TextSink({ write: (t) => { text += t; } }));
    expect(whole.length).toBeGreaterThan(1);
    expect(whole[0]).toMatch(/^ {4}1 {2}\d\d:\d\d:20\.000005 IP 10\.1\.0\.1\.40000 > 10\.1\.0\.2\.80: Flags \[S\], seq 1000,/);
    expect(text).toBe(whole.map((l) => `${l}\n`).join(''));
  });
});
