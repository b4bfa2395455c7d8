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
