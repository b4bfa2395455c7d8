// When the Analyzer reports a connection, and what it releases: reassembly and HTTP state at the close, the report a
// few capture seconds later (stragglers counted), nothing kept after it while the tracker waits out TIME_WAIT.

import { describe, expect, test } from 'vitest';
import { Analyzer } from '../src/analyze.js';
import type { ConnectionReport } from '../src/report.js';
import { traceWith } from './helpers/trace.js';
import { etherIpv4Tcp, record } from './helpers/packet-builder.js';
import type { Packet } from '../src/decode/packet.js';
import type { CaptureRecord } from '../src/types.js';

const dotted = (a: Uint8Array) => Array.from(a).join('.');

/** The trace helper's decoded packets as real Ethernet/IPv4/TCP records, numbered 1, 2, … in the order given. */
function records(packets: Packet[]): CaptureRecord[] {
  return packets.map((p, i) => {
    const t = p.tcp!;
    const frame = etherIpv4Tcp(
      { src: dotted(p.ip!.src), dst: dotted(p.ip!.dst) },
      { srcPort: t.srcPort, dstPort: t.dstPort, seq: t.seq, ack: t.ack, flags: t.flags, window: t.window, options: t.options, payload: new Uint8Array(t.payloadLen) },
    );
    return record(frame, { tsSec: p.record.tsSec, tsNsec: p.record.tsNsec, index: i + 1 });
  });
}

const CLOSE = ['C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'];

function run(packets: Packet[], opts: ConstructorParameters<typeof Analyzer>[0] = {}) {
  const reported: { id: number; atFrame: number; packets: number }[] = [];
  let frame = -1;
  const analyzer = new Analyzer({
    ...opts,
    keepConnections: false,
    onConnection: (c: ConnectionReport) => reported.push({ id: c.tcp.id, atFrame: frame, packets: c.tcp.packets.client + c.tcp.packets.server }),
  });
  const events = records(packets).map((r) => {
    frame = r.index;
    return analyzer.push(r);
  });
  frame = -1;
  const report = analyzer.finish();
  return { reported, events, report, analyzer };
}

describe('report after close', () => {
  test('a closed connection is reported 5 capture seconds after its close, with the stragglers of those seconds', () => {
    const a = traceWith({ client: '10.0.0.1:1001' }, ...CLOSE, 'C>S A dt=1');
    const b = traceWith({ client: '10.0.0.2:1002', startSec: 1_700_000_004 }, 'C>S S', 'C>S S seq=1000 dt=2');
    const { reported } = run([...a, ...b]);
    // a closes at frame 6, its straggler (frame 7, 1 s later) is counted; the report comes before frame 9 (6 s later).
    expect(reported[0]).toEqual({ id: 0, atFrame: 9, packets: 7 });
    expect(reported[1]).toEqual({ id: 1, atFrame: -1, packets: 2 });
  });

  test('a packet after the report is still analysed on the same connection, but opens nothing', () => {
    const a = traceWith({ client: '10.0.0.1:1001' }, ...CLOSE, 'S>C FA seq=5001 ack=1002 dt=10');
    const { reported, events, report } = run(a);
    expect(reported.map((r) => r.id)).toEqual([0]);
    expect(reported[0].packets).toBe(6);
    expect(events[6]!.conn).toBe(0);
    expect(events[6]!.annotations.map((x) => x.code)).toContain('tcp.retransmission');
    expect(report.stats.connections).toBe(1);
  });

  test('reportAfterCloseSec 0 reports at the next packet', () => {
    const a = traceWith({ client: '10.0.0.1:1001' }, ...CLOSE, 'C>S A dt=0.001');
    const { reported } = run(a, { reportAfterCloseSec: 0 });
    expect(reported[0]!.atFrame).toBe(7);
  });

  test('10,000 sequential short connections: the analyzer holds state only for those closed in the last 5 s', () => {
    const packets: Packet[] = [];
    for (let i = 0; i < 10_000; i++) {
      const start = 1_700_000_000 + Math.floor(i / 100); // 100 connections a second
      const client = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${1024 + (i % 60000)}`;
      packets.push(...traceWith({ client, startSec: start }, ...CLOSE));
    }
    let maxPipelines = 0;
    const analyzer = new Analyzer({ keepConnections: false, onConnection: () => {} });
    const pipelines = (analyzer as unknown as { pipelines: Map<number, unknown> }).pipelines;
    for (const r of records(packets)) {
      analyzer.push(r);
      if (pipelines.size > maxPipelines) maxPipelines = pipelines.size;
    }
    // 100 a second for about 5 s (plus the second being filled): never the 10,000 that TIME_WAIT keeps in the tracker.
    expect(maxPipelines).toBeGreaterThanOrEqual(500);
    expect(maxPipelines).toBeLessThanOrEqual(700);
    expect(analyzer.finish().stats.connections).toBe(10_000);
  });
});

describe('Analyzer.finishing', () => {
  /** n connections: a handshake each, the first half then closed (FIN both ways), the rest still open at the end. */
  function mixed(n: number): CaptureRecord[] {
    const out: CaptureRecord[] = [];
    let index = 0;
    for (let i = 0; i < n; i++) {
      const c = { src: `10.1.${i >> 8}.${i & 255}`, dst: '10.0.0.1' };
      const s = { src: '10.0.0.1', dst: c.src };
      const port = 2000 + i;
      const flows: [typeof c, number, number, number, number][] = [
        [c, 100, 0, 0x02, 0],
        [s, 500, 101, 0x12, 1],
        [c, 101, 501, 0x10, 0],
      ];
      if (i < n / 2) flows.push([c, 101, 501, 0x11, 0], [s, 501, 102, 0x11, 1], [c, 102, 502, 0x10, 0]);
      for (const [who, seq, ack, flags, fromServer] of flows) {
        const frame = etherIpv4Tcp(who, { srcPort: fromServer ? 80 : port, dstPort: fromServer ? port : 80, seq, ack, flags });
        index++;
        out.push(record(frame, { index, tsSec: 1_700_000_000 + i, tsNsec: index * 1000 }));
      }
    }
    return out;
  }

  test('reports the connections left at the end one per step, in id order, and finish() then reports nothing again', () => {
    const reported: number[] = [];
    const analyzer = new Analyzer({ keepConnections: true, onConnection: (c) => reported.push(c.tcp.id) });
    for (const r of mixed(40)) analyzer.push(r);
    const before = reported.length;
    const steps = analyzer.finishing();
    const perStep: number[] = [];
    let last = reported.length;
    while (steps.next().done !== true) {
      perStep.push(reported.length - last);
      last = reported.length;
    }
    // Every connection not reported yet (the open half, and closed ones waiting out their report delay), one a step.
    expect(reported.length).toBe(40);
    expect(perStep.every((k) => k === 1)).toBe(true);
    expect(perStep.length).toBe(40 - before);
    expect(reported.slice(before)).toEqual([...reported.slice(before)].sort((a, b) => a - b));
    const report = analyzer.finish();
    expect(reported.length).toBe(40);
    expect(report.connections.map((c) => c.tcp.id)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // The same report as a plain finish() on the same packets.
    const plain = new Analyzer({ keepConnections: true });
    for (const r of mixed(40)) plain.push(r);
    expect(JSON.stringify(plain.finish())).toBe(JSON.stringify(report));
  });
});
