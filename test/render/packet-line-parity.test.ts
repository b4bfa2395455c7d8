// Parity with tcpdump 4.99.3: for every shared public capture and every crafted fixture, our packet line for each
// TCP frame (tshark's list) must equal tcpdump's up to "length N". Skips the shared captures when they are absent.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureSync } from '../../src/capture/index.js';
import { decodePacket, isTcpPacket } from '../../src/decode/decode-frame.js';
import { formatPacketLine, writePacketLine } from '../../src/render/packet-line.js';
import { ByteSink } from '../../src/cli/byte-sink.js';
import { newSeqView, TcpdumpSeq } from '../../src/tcp/tcpdump-seq.js';
import { setLocalTimeRule } from '../../src/render/timestamp.js';
import { parsePosixTz } from '../../src/render/posix-tz.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PUBLIC_DIR = path.resolve(ROOT, '../shared/captures/public');
const FIXTURES = path.join(ROOT, 'fixtures');

/** SLL2 interface names as if_indextoname() gave them on the machine that wrote the expected files. */
const TRUTH_INTERFACES = new Map([[1, 'lo'], [2, 'ifb0']]);

const LINE = /^\s*(\d+) {2}(.*)$/;
const LENGTH = /length \d+/;

function numberedLines(text: string): Map<number, string> {
  const lines = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw);
    if (m && !lines.has(Number(m[1]))) lines.set(Number(m[1]), m[2]);
  }
  return lines;
}

/** Each numbered line with the unnumbered lines tcpdump printed after it (VXLAN's inner frame, hex dumps). */
function numberedRecords(text: string): Map<number, string> {
  const records = new Map<number, string>();
  let current = -1;
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw);
    if (m) {
      current = Number(m[1]);
      records.set(current, m[2]);
    } else if (current >= 0 && raw !== '') records.set(current, `${records.get(current)}\n${raw}`);
  }
  return records;
}

/** What the conformance script compares: the first line of a packet, up to "length N". */
function comparable(text: string): string {
  const newline = text.indexOf('\n');
  const line = newline < 0 ? text : text.slice(0, newline);
  const m = LENGTH.exec(line);
  return m ? line.slice(0, m.index + m[0].length) : line;
}

function tcpFrames(tsvPath: string): number[] {
  return readFileSync(tsvPath, 'utf8').split('\n').slice(1)
    .map((row) => row.split('\t', 1)[0].trim()).filter((cell) => /^\d+$/.test(cell)).map(Number);
}

/** tz: a POSIX TZ string tcpdump ran with (our local time then follows it, as the CLI sets it up). */
interface RunOptions { absolute?: boolean; tsStyle?: number; nano?: boolean; tz?: string }

/** Our lines for a whole capture, numbered as tcpdump -# numbers them. */
function ourLines(capturePath: string, opts: RunOptions = {}): Map<number, string> {
  if (opts.tz === undefined) return ourLinesHere(capturePath, opts);
  const rule = parsePosixTz(opts.tz);
  expect(rule).not.toBeNull();
  setLocalTimeRule(rule);
  try {
    return ourLinesHere(capturePath, opts);
  } finally {
    setLocalTimeRule(null);
  }
}

function ourLinesHere(capturePath: string, opts: RunOptions): Map<number, string> {
  const { records } = readCaptureSync(new Uint8Array(readFileSync(capturePath)));
  const seq = new TcpdumpSeq({ absolute: opts.absolute === true });
  const view = newSeqView();
  const out = new Map<number, string>();
  const chunks: Uint8Array[] = [];
  const bytes = new ByteSink((chunk) => chunks.push(chunk));
  const strings: string[] = [];
  let prev: (typeof records)[number] | null = null;
  const first = records[0] ?? null;
  for (const record of records) {
    const packet = decodePacket(record);
    if (packet.tcp !== null) seq.apply(packet, view);
    else seq.noteNonTcp(view);
    const lineOptions = {
      tsStyle: opts.tsStyle ?? 0, nano: opts.nano, prevTs: prev, firstTs: first,
      interfaceName: (i: number) => TRUTH_INTERFACES.get(i),
    };
    const line = formatPacketLine(packet, view, lineOptions);
    out.set(record.index, line);
    // The CLI's way: the same line written piece by piece into the byte sink must be the string's UTF-8.
    writePacketLine(bytes, packet, view, lineOptions);
    bytes.endLine();
    strings.push(line);
    prev = record;
  }
  bytes.flush();
  expect(Buffer.concat(chunks).toString('utf8')).toBe(strings.map((l) => `${l}\n`).join(''));
  return out;
}

interface Score { same: number; total: number; diffs: string[] }

function score(capture: string, truth: string, frames: number[] | null, opts: RunOptions = {}): Score {
  const theirs = numberedLines(readFileSync(truth, 'latin1'));
  const ours = ourLines(capture, opts);
  const wanted = frames ?? [...theirs.keys()];
  const result: Score = { same: 0, total: 0, diffs: [] };
  for (const n of wanted) {
    const t = theirs.get(n);
    if (t === undefined) continue;
    result.total++;
    const o = ours.get(n) ?? '<no line>';
    if (comparable(t) === comparable(o)) result.same++;
    else result.diffs.push(`${path.basename(capture)} #${n}\n  tcpdump : ${comparable(t)}\n  tcptrace: ${comparable(o)}`);
  }
  return result;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (existsSync(`${full}.tcpdump.txt`) && existsSync(`${full}.tshark-tcp.tsv`)) out.push(full);
  }
  return out;
}

describe.skipIf(!existsSync(PUBLIC_DIR))('tcpdump parity on the shared public captures', () => {
  it('prints every TCP frame exactly as tcpdump -nn does, up to "length N"', () => {
    let same = 0;
    let total = 0;
    const diffs: string[] = [];
    for (const capture of walk(PUBLIC_DIR)) {
      const s = score(capture, `${capture}.tcpdump.txt`, tcpFrames(`${capture}.tshark-tcp.tsv`));
      same += s.same;
      total += s.total;
      diffs.push(...s.diffs);
    }
    expect(total).toBeGreaterThan(10_000);
    // Reached: 10138/10138 (100%). The floor is the project's target, so a machine whose capture set differs
    // slightly still passes; the diff list says what moved.
    expect(diffs.slice(0, 20)).toEqual([]);
    expect(same / total).toBeGreaterThanOrEqual(0.995);
  });
});

const CRAFTED = existsSync(path.join(FIXTURES, 'captures'))
  ? readdirSync(path.join(FIXTURES, 'captures')).filter((f) => /^crafted-.*\.pcap$/.test(f)).sort()
  : [];

/** Extra tcpdump runs recorded beside a fixture: file suffix -> our options. */
const VARIANTS: Record<string, RunOptions> = {
  '': {},
  '-S': { absolute: true },
  '-t': { tsStyle: 1 },
  '-tt': { tsStyle: 2 },
  '-ttt': { tsStyle: 3 },
  '-tttt': { tsStyle: 4 },
  '-ttttt': { tsStyle: 5 },
  '-nano': { nano: true },
  '-nano-ttt': { nano: true, tsStyle: 3 },
  '-nano-tttt': { nano: true, tsStyle: 4 },
  // Recorded with TZ set to a POSIX rule string (fixtures/README-crafted.md has each command).
  '-tz-aest': { tz: 'AEST-10AEDT,M10.1.0,M4.1.0/3' },
  '-tz-aest-tttt': { tz: 'AEST-10AEDT,M10.1.0,M4.1.0/3', tsStyle: 4 },
  '-nano-tz-shift-tttt': { tz: '<+0130>-1:30<+0330>-3:30,M11.2.2/24:13:20,J365/0', nano: true, tsStyle: 4 },
};

describe('tcpdump parity on the crafted fixtures', () => {
  it('has the crafted fixtures', () => {
    expect(CRAFTED.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of CRAFTED) {
    const capture = path.join(FIXTURES, 'captures', file);
    const expectedDir = path.join(FIXTURES, 'expected');
    const variants = readdirSync(expectedDir)
      .filter((f) => f.startsWith(`${file}.tcpdump`) && f.endsWith('.txt'))
      .map((f) => f.slice(`${file}.tcpdump`.length, -'.txt'.length));
    for (const suffix of variants) {
      it(`${file} ${suffix === '' ? '(default)' : suffix}: every TCP line identical`, () => {
        const tsv = path.join(expectedDir, `${file}.tshark-tcp.tsv`);
        const frames = existsSync(tsv) ? tcpFrames(tsv) : null;
        expect(VARIANTS[suffix], `no options for the recorded variant ${suffix}`).toBeDefined();
        const s = score(capture, path.join(expectedDir, `${file}.tcpdump${suffix}.txt`), frames, VARIANTS[suffix]);
        expect(s.diffs).toEqual([]);
        expect(s.total).toBeGreaterThan(0);
      });
    }
  }
});

describe('tunnelled TCP, whole lines', () => {
  // The scorer stops at the first "length N", which for GRE is the GRE length and for VXLAN is on the inner line:
  // here the whole text of every TCP frame, inner lines included, must be tcpdump's.
  it('crafted-tunnels.pcap: every TCP frame printed exactly as tcpdump prints it', () => {
    const capture = path.join(FIXTURES, 'captures', 'crafted-tunnels.pcap');
    const expectedDir = path.join(FIXTURES, 'expected');
    const theirs = numberedRecords(readFileSync(path.join(expectedDir, 'crafted-tunnels.pcap.tcpdump.txt'), 'latin1'));
    const ours = ourLines(capture);
    const frames = tcpFrames(path.join(expectedDir, 'crafted-tunnels.pcap.tshark-tcp.tsv'));
    expect(frames.length).toBeGreaterThanOrEqual(60);
    const diffs = frames.filter((n) => theirs.get(n) !== ours.get(n)).map((n) => `#${n}\n  tcpdump : ${theirs.get(n)}\n  tcptrace: ${ours.get(n)}`);
    expect(diffs).toEqual([]);
  });
});

describe('isTcpPacket selects the frames tshark calls TCP', () => {
  const captures: string[] = [];
  if (existsSync(PUBLIC_DIR)) captures.push(...walk(PUBLIC_DIR));
  for (const file of CRAFTED) {
    const full = path.join(FIXTURES, 'captures', file);
    if (existsSync(path.join(FIXTURES, 'expected', `${file}.tshark-tcp.tsv`))) captures.push(full);
  }
  it('on every capture with a tshark list', () => {
    const missed: string[] = [];
    let extraPublic = 0;
    let totalPublic = 0;
    const extraCraftedWithoutProblem: string[] = [];
    for (const capture of captures) {
      const isPublic = capture.startsWith(PUBLIC_DIR);
      const tsv = isPublic ? `${capture}.tshark-tcp.tsv` : path.join(FIXTURES, 'expected', `${path.basename(capture)}.tshark-tcp.tsv`);
      const wanted = new Set(tcpFrames(tsv));
      for (const record of readCaptureSync(new Uint8Array(readFileSync(capture))).records) {
        const packet = decodePacket(record);
        const tcp = isTcpPacket(packet);
        if (isPublic) totalPublic++;
        if (wanted.has(record.index) && !tcp) missed.push(`${path.basename(capture)} #${record.index}`);
        if (wanted.has(record.index) || !tcp) continue;
        if (isPublic) extraPublic++;
        // The crafted edge cases hold such frames on purpose: each must carry a decode problem or be a fragment (first
        // fragments too: tshark reassembles them and files the pieces under IP).
        else if (packet.problem === null && (packet.ip?.fragOffset ?? 0) === 0 && packet.ip?.moreFragments !== true) extraCraftedWithoutProblem.push(`${path.basename(capture)} #${record.index}`);
      }
    }
    // tcp-reassembly.pcap #66 is UDP (sFlow) carrying a sampled TCP header: a TCP frame to tshark, not to us.
    expect(missed).toEqual(existsSync(PUBLIC_DIR) ? ['tcp-reassembly.pcap #66'] : []);
    // Frames we call TCP that tshark does not, on real traffic: cut headers and fragments tshark files under IP.
    if (totalPublic > 0) expect(extraPublic / totalPublic).toBeLessThan(0.01);
    expect(extraCraftedWithoutProblem).toEqual([]);
  });
});
