// --jobs: a --summary analysed in shards (each thread every packet, only its own connections) must print exactly what
// one pass prints, and must fall back to one pass whenever the shards could have decided something differently.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Analyzer, type AnalyzerShardFacts } from '../../src/analyze.js';
import { readCaptureSync } from '../../src/capture/index.js';
import { mergeOrder } from '../../src/cli/summary-rows.js';
import { mergeStats, shardsDisagree } from '../../src/cli/shards.js';
import { flowHash } from '../../src/tcp/flow-key.js';
import { shardOfFlow } from '../../src/tcp/tracker.js';
import type { ConnectionReport } from '../../src/report.js';
import { runCliCaptured } from '../helpers/run-cli-capture.js';
import { ext, ipv4, ipv4Addr, ipv6, tcp, type Ipv6Extension } from '../helpers/packet-builder.js';
import { pcap } from '../helpers/pcap-writer.js';
import { loadCorpus } from '../../scripts/fuzz/corpus.mjs';
import { makeMutant } from '../../scripts/fuzz/mutators.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'fixtures', 'captures');
const fixtures = existsSync(FIXTURES) ? readdirSync(FIXTURES).sort() : [];

/** Every shard's reports, renumbered by the merge, against one pass's. */
function analyzeInShards(records: ReturnType<typeof readCaptureSync>['records'], count: number, maxConnections?: number) {
  const shards = Array.from({ length: count }, (_, index) => new Analyzer({ shard: { index, count }, maxConnections }));
  for (const rec of records) for (const a of shards) a.push(rec);
  const reports = shards.map((a) => a.finish().connections);
  const facts = shards.map((a) => a.shardFacts()!);
  return { reports, facts, stats: shards.map((a) => a.finish().stats) };
}

function timeGoesBack(records: ReturnType<typeof readCaptureSync>['records']): boolean {
  return records.some((r, i) => i > 0 && r.tsSec + r.tsNsec * 1e-9 < records[i - 1]!.tsSec + records[i - 1]!.tsNsec * 1e-9);
}

/** A sharded run's stderr without the line that announces a fallback to one pass. */
const FALLBACK = /^tcptrace: --jobs \d+: [^\n]*; analysing again in one pass\n/;
const TIMELINE_FALLBACK = /^tcptrace: --jobs \d+: [^\n]*; analysing again in one pass from packet \d+\n/;

function renumbered(reports: ConnectionReport[][], facts: AnalyzerShardFacts[]): ConnectionReport[] {
  const order = mergeOrder(facts.map((f) => f.firstFrames));
  const out: ConnectionReport[] = [];
  for (let g = 0; g < order.count; g++) {
    const r = reports[order.shard[g]!]!.find((c) => c.tcp.id === order.local[g]);
    expect(r, `shard ${order.shard[g]} reports its connection ${order.local[g]}`).toBeDefined();
    out.push({ ...r!, tcp: { ...r!.tcp, id: g } });
  }
  return out;
}

describe('Analyzer shards', () => {
  it.each(fixtures)('%s: the shards together report every connection exactly as one pass does', (name) => {
    const { records } = readCaptureSync(readFileSync(path.join(FIXTURES, name)));
    const whole = new Analyzer();
    for (const rec of records) whole.push(rec);
    const one = whole.finish();
    for (const count of [2, 3]) {
      const { reports, facts, stats } = analyzeInShards(records, count);
      if (timeGoesBack(records)) {
        expect(shardsDisagree(facts)).toMatch(/timestamps go back/);
        continue;
      }
      expect(shardsDisagree(facts)).toBeNull();
      expect(facts.reduce((n, f) => n + f.firstFrames.length, 0)).toBe(one.stats.connections);
      expect(renumbered(reports, facts)).toEqual(one.connections);
      expect(mergeStats(stats[0]!, stats.slice(1))).toEqual(one.stats);
    }
  });

  it('gives each shard its share of the connection table, and says when the cap acted', () => {
    const { records } = readCaptureSync(readFileSync(path.join(FIXTURES, 'real-http10-short.pcap')));
    const { facts } = analyzeInShards(records, 2, 2);
    expect(facts.some((f) => f.capActions > 0)).toBe(true);
    expect(shardsDisagree(facts)).toMatch(/connection table/);
  });
});

/**
 * A capture whose one-pass roles depend on a handshake of another shard: a simultaneous open on 10.0.0.1:5000 and
 * 10.0.0.2:6000 (one pass marks 6000 as a server port, not 5000: the second SYN opens nothing), then a connection
 * seen mid-stream from 10.0.0.3:5000 to 10.0.0.4:4000. One pass knows neither port and makes the lower one (4000)
 * the server; a shard that counts the other shard's SYN to 5000 would make 5000 the server.
 */
function simultaneousOpenThenMidstream(): Uint8Array {
  const pkt = (src: string, dst: string, spec: Parameters<typeof tcp>[0]) => ipv4({ src, dst }, tcp(spec));
  const records = [
    pkt('10.0.0.1', '10.0.0.2', { srcPort: 5000, dstPort: 6000, seq: 100, flags: 0x02 }),
    pkt('10.0.0.2', '10.0.0.1', { srcPort: 6000, dstPort: 5000, seq: 900, flags: 0x02 }),
    pkt('10.0.0.3', '10.0.0.4', { srcPort: 5000, dstPort: 4000, seq: 7000, ack: 8000, flags: 0x18, payload: 'hello' }),
  ].map((data, i) => ({ data, tsSec: 1_700_000_000, tsFrac: i * 1000 }));
  return pcap(records, { linkType: 101 });
}

describe('shards over damaged and odd captures', () => {
  // The fuzz campaign's mutants (flipped bits, cut records, lying lengths, port reuse, sequence chaos, ...): whatever
  // the input, shards either report exactly what one pass reports or say why they might not.
  const corpus = loadCorpus('fixtures');
  const MUTANTS = Number(process.env.JOBS_MUTANTS ?? 150);
  it(`agree with one pass on ${MUTANTS} mutants of the fixtures, or say why they might not`, () => {
    // Fallbacks are right when announced; time going back is common in mutants (shuffled records, flipped timestamp
    // bits) and must be real. Any other reason must stay rare.
    let disagreed = 0;
    for (let index = 0; index < MUTANTS; index++) {
      const m = makeMutant(corpus, 20261122, index, null, ['many-connections', 'http-fanout']);
      let records;
      try {
        records = readCaptureSync(m.bytes).records;
      } catch {
        continue;
      }
      const whole = new Analyzer();
      for (const rec of records) whole.push(rec);
      const one = whole.finish();
      const { reports, facts, stats } = analyzeInShards(records, 2);
      const why = shardsDisagree(facts);
      if (why !== null) {
        if (/timestamps go back/.test(why)) {
          const back = records.some((r, i) => i > 0 && (r.tsSec < records[i - 1]!.tsSec || (r.tsSec === records[i - 1]!.tsSec && r.tsNsec < records[i - 1]!.tsNsec)));
          expect(back, `mutant ${index}: said time goes back`).toBe(true);
        } else {
          disagreed++;
        }
        continue;
      }
      const where = `mutant ${index} (${m.seedName}: ${m.mutators.join(' + ')})`;
      expect(renumbered(reports, facts), where).toEqual(one.connections);
      expect(mergeStats(stats[0]!, stats.slice(1)), where).toEqual(one.stats);
    }
    expect(disagreed).toBeLessThan(MUTANTS / 10);
  });

  const TIMELINE_MUTANTS = Number(process.env.JOBS_TIMELINE_MUTANTS ?? 40);
  it(`print the timeline of ${TIMELINE_MUTANTS} mutants as one pass does`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-jobs-'));
    try {
      for (let index = 0; index < TIMELINE_MUTANTS; index++) {
        const m = makeMutant(corpus, 20261125, index, null, ['many-connections', 'http-fanout']);
        const file = path.join(dir, `mutant-${index}.pcap`);
        writeFileSync(file, m.bytes);
        const one = await runCliCaptured([file]);
        const shards = await runCliCaptured(['--jobs', '2', file], { inProcessShards: true });
        const where = `mutant ${index} (${m.seedName}: ${m.mutators.join(' + ')})`;
        expect(shards.stdout, where).toBe(one.stdout);
        expect(shards.code, where).toBe(one.code);
        expect(shards.stderr.replace(TIMELINE_FALLBACK, ''), where).toBe(one.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A port on 10.0.0.x:p > 10.0.0.2:80 whose connection falls in the given shard of 2. */
function portInShard(client: string, shard: number): number {
  for (let p = 40000; ; p++) {
    if (shardOfFlow(flowHash(Uint8Array.from(ipv4Addr(client)), p, Uint8Array.from(ipv4Addr('10.0.0.2')), 80), 2) === shard) return p;
  }
}

/**
 * Retirement order is not TIME_WAIT order: A (shard 0) closes first but a straggler at 3 s, before its report,
 * moves its last packet after B's (shard 1, closed at 0.5 s). At 61 s B's TIME_WAIT is over and A's is not; a SYN
 * opens C in B's shard with the table at its cap of 2. (Found in review: one pass used to keep B behind A and drop
 * A for C, while B's shard had already let B go.)
 */
function retiredOutOfOrder(): Uint8Array {
  const [a, b, c] = [portInShard('10.0.0.1', 0), portInShard('10.0.0.1', 1), portInShard('10.0.0.3', 1)];
  const pkt = (src: string, dst: string, spec: Parameters<typeof tcp>[0]) => ipv4({ src, dst }, tcp(spec));
  const open = (port: number, t0: number) => {
    const seq = (f: number, s: number, ack: number, flags: number) => ({ srcPort: f === 0 ? port : 80, dstPort: f === 0 ? 80 : port, seq: s, ack, flags });
    return [
      [t0, pkt('10.0.0.1', '10.0.0.2', seq(0, 1000, 0, 0x02))],
      [t0 + 0.001, pkt('10.0.0.2', '10.0.0.1', seq(1, 5000, 1001, 0x12))],
      [t0 + 0.002, pkt('10.0.0.1', '10.0.0.2', seq(0, 1001, 5001, 0x10))],
      [t0 + 0.003, pkt('10.0.0.1', '10.0.0.2', seq(0, 1001, 5001, 0x11))],
      [t0 + 0.004, pkt('10.0.0.2', '10.0.0.1', seq(1, 5001, 1002, 0x11))],
      [t0 + 0.005, pkt('10.0.0.1', '10.0.0.2', seq(0, 1002, 5002, 0x10))],
    ] as [number, Uint8Array][];
  };
  const lastAck = (t: number): [number, Uint8Array] => [t, pkt('10.0.0.1', '10.0.0.2', { srcPort: a, dstPort: 80, seq: 1002, ack: 5002, flags: 0x10 })];
  const records: [number, Uint8Array][] = [
    ...open(a, 0),
    ...open(b, 0.5),
    lastAck(3),
    [61, pkt('10.0.0.3', '10.0.0.2', { srcPort: c, dstPort: 80, seq: 7000, flags: 0x02 })],
    lastAck(62),
  ];
  return pcap(records.map(([t, data]) => ({ data, tsSec: 1_700_000_000 + Math.floor(t), tsFrac: Math.round((t % 1) * 1e6) })), { linkType: 101 });
}

describe('shards and the connection cap', () => {
  it('a TIME_WAIT that ended frees its place in the table whatever the order of retirement', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-jobs-'));
    try {
      const file = path.join(dir, 'retired.pcap');
      writeFileSync(file, retiredOutOfOrder());
      const one = await runCliCaptured(['--summary', '--max-connections', '2', file]);
      // B's TIME_WAIT ended before C came: nothing was evicted, A's last straggler still finds A.
      expect(one.stdout).toContain('3 TCP connections');
      expect(one.stdout).not.toContain('limits:');
      const shards = await runCliCaptured(['--summary', '--max-connections', '2', '--jobs', '2', file], { inProcessShards: true });
      expect(shards).toEqual(one);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes one pass when the cap is smaller than the thread count', async () => {
    const file = path.join(FIXTURES, 'crafted-link-ipv4.pcap');
    let started = 0;
    const one = await runCliCaptured(['--summary', '--max-connections', '1', file]);
    expect(one.stdout).toContain('reported early');
    const shards = await runCliCaptured(['--summary', '--max-connections', '1', '--jobs', '3', file], { inProcessShards: true, onShard: () => started++ });
    expect(shards).toEqual(one);
    expect(started).toBe(0);
  });
});

describe('shards that could disagree', () => {
  it('the crafted capture puts its two connections in different shards', () => {
    const a = flowHash(Uint8Array.from(ipv4Addr('10.0.0.1')), 5000, Uint8Array.from(ipv4Addr('10.0.0.2')), 6000);
    const b = flowHash(Uint8Array.from(ipv4Addr('10.0.0.3')), 5000, Uint8Array.from(ipv4Addr('10.0.0.4')), 4000);
    expect(shardOfFlow(a, 2)).not.toBe(shardOfFlow(b, 2));
  });

  it('finds the role decided on another shard\'s SYN, and one pass decides it otherwise', () => {
    const { records } = readCaptureSync(simultaneousOpenThenMidstream());
    const { facts } = analyzeInShards(records, 2);
    expect(shardsDisagree(facts)).toMatch(/roles of the connection opened by packet 3/);
    const whole = new Analyzer();
    for (const rec of records) whole.push(rec);
    const midstream = whole.finish().connections[1]!.tcp;
    expect([midstream.roleRule, midstream.server.port]).toEqual(['lower-port', 4000]);
  });
});

describe('tcptrace --summary --jobs', () => {
  it.each(fixtures)('%s: prints what one pass prints', async (name) => {
    const file = path.join(FIXTURES, name);
    const one = await runCliCaptured(['--summary', file]);
    const back = timeGoesBack(readCaptureSync(readFileSync(file)).records);
    for (const jobs of ['2', '3']) {
      const shards = await runCliCaptured(['--summary', '--jobs', jobs, file], { inProcessShards: true });
      expect(shards.stdout).toBe(one.stdout);
      expect(shards.code).toBe(one.code);
      // Only a capture whose time goes back is analysed again (none of the others may need it).
      expect(FALLBACK.test(shards.stderr)).toBe(back);
      expect(shards.stderr.replace(FALLBACK, '')).toBe(one.stderr);
    }
  });

  it('colours, filters and mid-stream marks come out the same', async () => {
    for (const name of ['real-http11-pipelined.pcap', 'real-sll2-any.pcap', 'real-refused-and-rst.pcap']) {
      const file = path.join(FIXTURES, name);
      for (const extra of [['--color', 'always'], ['--port', '80'], ['--host', '127.0.0.1']]) {
        const one = await runCliCaptured(['--summary', ...extra, file]);
        const shards = await runCliCaptured(['--summary', '--jobs', '2', ...extra, file], { inProcessShards: true });
        expect(shards).toEqual(one);
      }
    }
  });

  it('falls back to one pass when the connection cap acts, and says so', async () => {
    const file = path.join(FIXTURES, 'real-refused-and-rst.pcap');
    const one = await runCliCaptured(['--summary', '--max-connections', '2', file]);
    expect(one.stdout).toContain('reported early because the connection table was full');
    const shards = await runCliCaptured(['--summary', '--max-connections', '2', '--jobs', '2', file], { inProcessShards: true });
    expect(shards.stdout).toBe(one.stdout);
    expect(shards.code).toBe(one.code);
    expect(shards.stderr).toBe(`tcptrace: --jobs 2: a thread filled its share of the connection table (--max-connections); analysing again in one pass\n${one.stderr}`);
  });

  it('falls back to one pass when a role depends on another shard', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-jobs-'));
    try {
      const file = path.join(dir, 'roles.pcap');
      writeFileSync(file, simultaneousOpenThenMidstream());
      const one = await runCliCaptured(['--summary', file]);
      const shards = await runCliCaptured(['--summary', '--jobs', '2', file], { inProcessShards: true });
      expect(shards.stdout).toBe(one.stdout);
      expect(one.stdout).toMatch(/10\.0\.0\.3:5000 .*10\.0\.0\.4:4000/);
      expect(shards.stderr).toContain('depend on another thread');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes one pass where shards cannot help: standard input, --http, JSON, --conn, files that are not regular', async () => {
    const file = path.join(FIXTURES, 'real-http11-keepalive.pcap');
    const bytes = readFileSync(file);
    let started = 0;
    const cases: [string[], Uint8Array | undefined][] = [
      [['--summary', '--jobs', '2', '-'], bytes],
      [['--http', '--jobs', '2', file], undefined],
      [['--format', 'ndjson', '--summary', '--jobs', '2', file], undefined],
      [['--summary', '--conn', '0', '--jobs', '2', file], undefined],
      // Not a regular file (a pipe or FIFO would be read once): one pass, with one pass's error.
      [['--summary', '--jobs', '2', '/dev/null'], undefined],
    ];
    for (const [argv, stdin] of cases) {
      const r = await runCliCaptured(argv, { stdin, inProcessShards: true, onShard: () => started++ });
      const one = await runCliCaptured(argv.filter((a, i) => a !== '--jobs' && argv[i - 1] !== '--jobs'), { stdin });
      expect(r).toEqual(one);
    }
    expect(started).toBe(0);
  });
});

describe('tcptrace --jobs: the timeline', () => {
  it.each(fixtures)('%s: prints what one pass prints', async (name) => {
    const file = path.join(FIXTURES, name);
    const one = await runCliCaptured([file]);
    const back = timeGoesBack(readCaptureSync(readFileSync(file)).records);
    for (const jobs of ['2', '3']) {
      const shards = await runCliCaptured(['--jobs', jobs, file], { inProcessShards: true });
      expect(shards.stdout).toBe(one.stdout);
      expect(shards.code).toBe(one.code);
      expect(TIMELINE_FALLBACK.test(shards.stderr)).toBe(back);
      expect(shards.stderr.replace(TIMELINE_FALLBACK, '')).toBe(one.stderr);
    }
  });

  it('timestamps styles, frame numbers, absolute numbers, colour and no annotations come out the same', async () => {
    const variants = [['-ttt'], ['-ttttt'], ['-tt', '--nano'], ['-#'], ['-S'], ['--no-annotate'], ['--color', 'always']];
    for (const name of ['real-lossy-keepalive.pcap', 'real-http11-pipelined.pcap', 'real-pcapng-multi.pcapng', 'crafted-ip.pcap']) {
      const file = path.join(FIXTURES, name);
      for (const extra of variants) {
        const one = await runCliCaptured([...extra, file]);
        const shards = await runCliCaptured(['--jobs', '2', ...extra, file], { inProcessShards: true });
        expect(shards, `${name} ${extra.join(' ')}`).toEqual(one);
      }
    }
  });

  it('writes the capture\'s id into a port reuse note made by a shard', async () => {
    // Connections of both shards, then a SYN with a new ISN on the ports of the first: it starts connection 3.
    const [a, b] = [portInShard('10.0.0.1', 0), portInShard('10.0.0.1', 1)];
    const syn = (port: number, isn: number) => ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, tcp({ srcPort: port, dstPort: 80, seq: isn, flags: 0x02 }));
    const synAck = (port: number, isn: number, ack: number) =>
      ipv4({ src: '10.0.0.2', dst: '10.0.0.1' }, tcp({ srcPort: 80, dstPort: port, seq: isn, ack, flags: 0x12 }));
    const packets = [syn(a, 100), synAck(a, 500, 101), syn(b, 200), syn(b + 2, 300), syn(a, 90_000), synAck(a, 700, 90_001)];
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-jobs-'));
    try {
      const file = path.join(dir, 'reuse.pcap');
      writeFileSync(file, pcap(packets.map((data, i) => ({ data, tsSec: 1_700_000_000, tsFrac: i * 1000 })), { linkType: 101 }));
      const one = await runCliCaptured([file]);
      expect(one.stdout).toContain('starts connection 3');
      expect(await runCliCaptured(['--jobs', '2', file], { inProcessShards: true })).toEqual(one);
      expect(await runCliCaptured(['--jobs', '3', file], { inProcessShards: true })).toEqual(one);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // tcpdump's numbering is the capture's: a first fragment (printed by shard 0 before its datagram is whole) and a
  // packet with an IPv6 routing header (its connection keyed on the final destination) took their numbers from the
  // printing shard's own table, which lacked the conversation: "seq 1000:1004" where one pass prints "seq 10:14".
  it('numbers first fragments and routed IPv6 packets of another shard\'s conversation as one pass does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-jobs-'));
    try {
      const port = portInShard('10.0.0.1', 1);
      const seg = (seq: number, payload: number[] = []) =>
        tcp({ srcPort: port, dstPort: 80, seq, ack: 1, flags: payload.length > 0 ? 0x18 : 0x10, payload: Uint8Array.from(payload) });
      const whole = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', id: 77 }, seg(1000, new Array(40).fill(0x41))).subarray(20);
      const frag = (from: number, to: number, mf: boolean) =>
        ipv4({ src: '10.0.0.1', dst: '10.0.0.2', id: 77, mf, fragOffset: from, tcpChecksum: false }, whole.subarray(from, to));
      const packets = [ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, seg(990, new Array(10).fill(0x78))), frag(0, 24, true), frag(24, whole.length, false),
        ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, seg(1040))];
      const file = path.join(dir, 'fragments.pcap');
      writeFileSync(file, pcap(packets.map((data, i) => ({ data, tsSec: 1_700_000_000, tsFrac: i * 1000 })), { linkType: 101 }));
      const one = await runCliCaptured(['--no-annotate', file]);
      expect(one.stdout).toContain('seq 10:14');
      expect(await runCliCaptured(['--jobs', '2', '--no-annotate', file], { inProcessShards: true })).toEqual(one);
      expect(await runCliCaptured(['--jobs', '2', file], { inProcessShards: true })).toEqual(await runCliCaptured([file]));
      // Two packets of one tcpdump conversation; the second's routing header names a final destination, whose
      // connection another shard may own. Every source port below 40100 is tried: some land in different shards.
      const get = Array.from(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
      const routed = path.join(dir, 'routed.pcap');
      for (let p6 = 40000; p6 < 40100; p6 += 7) {
        const v6 = (seq: number, extensions: Ipv6Extension[]) =>
          ipv6({ src: '2001:db8::1', dst: '2001:db8::2', extensions }, tcp({ srcPort: p6, dstPort: 80, seq, ack: 1, flags: 0x18, payload: Uint8Array.from(get) }));
        const six = [v6(1000, []), v6(1000 + get.length, [ext.routing(0, 1, ['2001:db8::9'])])];
        writeFileSync(routed, pcap(six.map((data, i) => ({ data, tsSec: 1_700_000_000, tsFrac: i * 1000 })), { linkType: 101 }));
        const single = await runCliCaptured(['--no-annotate', routed]);
        expect(single.stdout).toContain(`seq ${get.length}:${2 * get.length}`);
        expect(await runCliCaptured(['--jobs', '2', '--no-annotate', routed], { inProcessShards: true })).toEqual(single);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes on in one pass from the packet where the threads could start to differ', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-jobs-'));
    try {
      const roles = path.join(dir, 'roles.pcap');
      writeFileSync(roles, simultaneousOpenThenMidstream());
      const cases: [string[], RegExp][] = [
        [['--max-connections', '2', path.join(FIXTURES, 'real-refused-and-rst.pcap')], /connection table/],
        [[roles], /depend on another thread/],
        [[path.join(FIXTURES, 'crafted-timestamps.pcap')], /timestamps go back/],
      ];
      for (const [argv, why] of cases) {
        const one = await runCliCaptured(argv);
        const shards = await runCliCaptured(['--jobs', '2', ...argv], { inProcessShards: true });
        expect(shards.stdout).toBe(one.stdout);
        expect(shards.code).toBe(one.code);
        expect(shards.stderr).toMatch(why);
        expect(shards.stderr.replace(TIMELINE_FALLBACK, '')).toBe(one.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes on in one pass when a thread dies, printing no packet twice', async () => {
    for (const [name, after] of [['real-lossy-keepalive.pcap', 1], ['real-refused-and-rst.pcap', 2], ['real-http11-pipelined.pcap', 1]] as const) {
      const file = path.join(FIXTURES, name);
      const one = await runCliCaptured([file]);
      for (const jobs of ['2', '3']) {
        const shards = await runCliCaptured(['--jobs', jobs, file], { inProcessShards: true, crashShard: { index: 1, afterMessages: after } });
        expect(shards.stdout, `${name} --jobs ${jobs}`).toBe(one.stdout);
        expect(shards.stderr).toMatch(/a thread failed \(thread ended early/);
        expect(shards.stderr.replace(TIMELINE_FALLBACK, '')).toBe(one.stderr);
      }
    }
  });

  it('takes one pass with a filter (what moves the -ttt clock depends on what is shown)', async () => {
    let started = 0;
    const file = path.join(FIXTURES, 'real-http11-keepalive.pcap');
    for (const filter of [['--port', '80'], ['--host', '127.0.0.1'], ['--conn', '0']]) {
      const one = await runCliCaptured([...filter, file]);
      expect(await runCliCaptured(['--jobs', '2', ...filter, file], { inProcessShards: true, onShard: () => started++ })).toEqual(one);
    }
    expect(started).toBe(0);
  });
});

describe('tcptrace --summary --jobs on worker threads (built CLI)', () => {
  const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
  const ENV = { ...process.env, TZ: 'UTC', NO_COLOR: '1' };
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { env: ENV, maxBuffer: 64 << 20 });
    return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };

  it('prints what one pass prints, for whole captures and one cut short', () => {
    for (const name of ['real-http11-pipelined.pcap', 'real-lossy-keepalive.pcap', 'real-pcapng-multi.pcapng']) {
      const file = path.join(FIXTURES, name);
      expect(run(['--summary', '--jobs', '3', file])).toEqual(run(['--summary', file]));
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-jobs-'));
    try {
      const whole = readFileSync(path.join(FIXTURES, 'real-http11-keepalive.pcap'));
      const cut = path.join(dir, 'cut.pcap');
      writeFileSync(cut, whole.subarray(0, whole.length - 30));
      const one = run(['--summary', cut]);
      expect(one.stderr).toMatch(/^tcptrace: warning: .*cut short/);
      expect(run(['--summary', '--jobs', '2', cut])).toEqual(one);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the timeline one pass prints, also when it has to go on in one pass', () => {
    for (const name of ['real-lossy-keepalive.pcap', 'real-sll2-any.pcap', 'crafted-seq-wrap.pcap']) {
      const file = path.join(FIXTURES, name);
      expect(run(['--jobs', '2', file])).toEqual(run([file]));
    }
    const file = path.join(FIXTURES, 'real-refused-and-rst.pcap');
    const one = run(['--max-connections', '2', file]);
    const shards = run(['--jobs', '2', '--max-connections', '2', file]);
    expect(shards.stdout).toBe(one.stdout);
    expect(shards.stderr).toMatch(/analysing again in one pass from packet \d+/);
  });

  it('reports an unreadable capture once, as one pass does', () => {
    const missing = path.join(ROOT, 'no-such-capture.pcap');
    expect(run(['--summary', '--jobs', '2', missing])).toEqual(run(['--summary', missing]));
  });
});
