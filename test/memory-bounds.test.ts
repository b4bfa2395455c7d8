// The memory bounds of the analysis, proven on generated floods: a SYN flood never has more connections tracked (and
// pipelines open) than the cap, an out-of-order flood never buffers more than the per-direction cap, and both say
// so: per packet (limit annotations), in the report's stats, and on the summary's capture line.

import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../src/analyze.js';
import { Codes, TcpFlag } from '../src/types.js';
import type { CaptureRecord } from '../src/types.js';
import { etherIpv4Tcp, record } from './helpers/packet-builder.js';
import { pcap } from './helpers/pcap-writer.js';
import { runCliCaptured } from './helpers/run-cli-capture.js';

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;

/** n SYNs from n different client ports and hosts to one server, 1 ms apart. */
function synFlood(n: number): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  for (let i = 0; i < n; i++) {
    const frame = etherIpv4Tcp(
      { src: `10.9.${(i >> 8) & 255}.${i & 255}`, dst: '10.0.0.1' },
      { srcPort: 1024 + (i % 60000), dstPort: 80, seq: 1000 + i, flags: SYN },
    );
    out.push(record(frame, { index: i + 1, tsSec: 1_700_000_000 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1_000_000 }));
  }
  return out;
}

/** A handshake, then `segments` segments of `size` bytes that all lie beyond a hole of `size` bytes at the start. */
function outOfOrderFlood(segments: number, size: number): CaptureRecord[] {
  const c = { src: '10.0.0.2', dst: '10.0.0.1' };
  const s = { src: '10.0.0.1', dst: '10.0.0.2' };
  const isnC = 5000;
  const isnS = 9000;
  const frames = [
    etherIpv4Tcp(c, { srcPort: 40000, dstPort: 80, seq: isnC, flags: SYN }),
    etherIpv4Tcp(s, { srcPort: 80, dstPort: 40000, seq: isnS, ack: isnC + 1, flags: SYN | ACK }),
    etherIpv4Tcp(c, { srcPort: 40000, dstPort: 80, seq: isnC + 1, ack: isnS + 1, flags: ACK }),
  ];
  const payload = new Uint8Array(size).fill(0x41);
  for (let k = 1; k <= segments; k++) {
    frames.push(etherIpv4Tcp(c, { srcPort: 40000, dstPort: 80, seq: isnC + 1 + k * size, ack: isnS + 1, flags: ACK, payload }));
  }
  return frames.map((f, i) => record(f, { index: i + 1, tsSec: 1_700_000_000, tsNsec: i * 100_000 }));
}

describe('connection cap on a SYN flood', () => {
  test('never more connections tracked than the cap; each one reported once; evictions counted and annotated', () => {
    const cap = 100;
    const reported = new Set<number>();
    const analyzer = new Analyzer({ maxConnections: cap, keepConnections: false, onConnection: (c) => reported.add(c.tcp.id) });
    let limitNotes = 0;
    let maxOpen = 0;
    for (const r of synFlood(20_000)) {
      const ev = analyzer.push(r);
      limitNotes += ev.annotations.filter((a) => a.code === Codes.LIMIT).length;
      maxOpen = Math.max(maxOpen, ev.conn + 1 - reported.size);
    }
    expect(maxOpen).toBeLessThanOrEqual(cap);
    const report = analyzer.finish();
    expect(report.stats.connections).toBe(20_000);
    expect(report.stats.evictedByCap).toBe(20_000 - cap);
    expect(limitNotes).toBe(20_000 - cap);
    expect(reported.size).toBe(20_000);
  });

  test('the summary says the cap acted, and --max-connections sets it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tcptrace-flood-'));
    try {
      const file = path.join(dir, 'flood.pcap');
      writeFileSync(file, pcap(synFlood(3000).map((r) => ({ data: r.data, tsSec: r.tsSec, tsFrac: r.tsNsec / 1000 }))));
      const capped = await runCliCaptured(['--summary', '--color', 'never', '--max-connections', '50', file]);
      expect(capped.code).toBe(0);
      expect(capped.stdout).toContain('3000 packets (3000 TCP), 3.00 s, 3000 TCP connections\n'
        + 'limits: 2950 connections were reported early because the connection table was full (tcptrace --max-connections)\n');
      const roomy = await runCliCaptured(['--summary', '--color', 'never', file]);
      expect(roomy.stdout).not.toContain('limits:');
      const bad = await runCliCaptured(['--summary', '--max-connections', '0', file]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--max-connections takes a count of 1 or more');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('out-of-order buffer cap on a flood of segments beyond a hole', () => {
  test('buffered bytes stay under the cap; each time it acts a gap is declared, annotated and counted', () => {
    const capBytes = 64 * 1024;
    const analyzer = new Analyzer({ maxBufferedBytesPerDirection: capBytes });
    let limitNotes = 0;
    for (const r of outOfOrderFlood(2000, 1000)) {
      const ev = analyzer.push(r);
      limitNotes += ev.annotations.filter((a) => a.code === Codes.LIMIT).length;
      // The analyzer's reassemblers are private: their bound shows as the buffered bytes the pipeline reports.
      const streams = (analyzer as unknown as { pipelines: Map<number, { streams: { bufferedBytes: number }[] | null }> })
        .pipelines.get(0)?.streams;
      if (streams) for (const s of streams) expect(s.bufferedBytes).toBeLessThanOrEqual(capBytes);
    }
    const report = analyzer.finish();
    expect(report.stats.bufferCapGaps).toBeGreaterThan(0);
    expect(report.stats.bufferCapGaps).toBe(limitNotes);
    expect(report.connections[0]!.annotationCounts[Codes.LIMIT]).toBe(limitNotes);
  });
});
