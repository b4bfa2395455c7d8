// Scenario tests against the built CLI (dist/cli/main.js) as a child process, the way users and pipelines run it.
// `npm test` builds first; these tests never rebuild.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readCaptureSync } from '../../src/capture/index.js';
import { pcap } from '../helpers/pcap-writer.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const CAP = (name: string) => path.join(ROOT, 'fixtures', 'captures', name);
const ENV = { ...process.env, TZ: 'UTC', NO_COLOR: '1' };

function run(args: string[], input?: Uint8Array) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: ENV, input, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const packetLines = (out: string) => out.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l));

describe('built CLI', () => {
  it('is built', () => expect(existsSync(CLI)).toBe(true));

  it('prints usage and examples with --help, exit 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: tcptrace');
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toContain('tcptrace check');
  });

  it('reports usage errors in one line with exit 2', () => {
    const r = run(['--format', 'xml', CAP('real-http11-keepalive.pcap')]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^tcptrace: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(run([]).code).toBe(2);
  });

  it('says what is wrong with an unreadable capture, exit 3, no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-'));
    try {
      writeFileSync(path.join(dir, 'notes.txt'), 'this is not a capture\n');
      for (const f of [path.join(dir, 'notes.txt'), path.join(dir, 'missing.pcap'), dir]) {
        const r = run([f]);
        expect(r.code).toBe(3);
        // Which input it was, as tcpdump says "tcpdump: FILE: …" (several captures may be given).
        expect(r.stderr).toContain(f);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/^tcptrace: /);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('check on a capture damaged partway: what held, and the last line says why the exit code is 4', () => {
    const damaged = Buffer.from(readFileSync(CAP('real-http10-short.pcap')));
    // The 20th record's header claims 2 GB captured: reading stops there.
    let at = 24;
    for (let n = 1; n < 20; n++) at += 16 + damaged.readUInt32LE(at + 8);
    damaged.writeUInt32LE(0x7fffffff, at + 8);
    const r = run(['check', '-', '--expect', 'connections>=1'], damaged);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/check: all expectations held on 1 capture\(s\); 1 capture\(s\) damaged partway \(checked up to the damage\)/);
  });

  it('standard input is "stdin" in the text, as in the error messages; the NDJSON meta keeps the argument given', () => {
    const bytes = readFileSync(CAP('real-http10-short.pcap'));
    expect(run(['--summary', '-'], bytes).stdout.split('\n')[0]).toMatch(/^stdin: 26 packets/);
    expect(run(['check', '-', '--expect', 'connections=2'], bytes).stdout).toMatch(/^PASS stdin: 1\/1 held/);
    expect(run(['--format', 'ndjson', '-'], bytes).stdout.split('\n')[0]).toContain('"captures":["-"]');
  });

  it('analyses every packet before a truncated tail and says the file was cut short', () => {
    const whole = readFileSync(CAP('real-http11-keepalive.pcap'));
    const full = run(['--no-annotate', '-#', CAP('real-http11-keepalive.pcap')]);
    const cut = run(['--no-annotate', '-#', '-'], whole.subarray(0, whole.length - 30));
    expect(cut.code).toBe(0);
    expect(cut.stderr).toMatch(/warning: .*cut short/);
    const before = packetLines(full.stdout.replace(/^ *\d+ {2}/gm, ''));
    const after = packetLines(cut.stdout.replace(/^ *\d+ {2}/gm, ''));
    expect(after.length).toBe(before.length - 1);
    expect(after).toEqual(before.slice(0, -1));
  });

  it('streams stdin: the first packet line appears before the input ends', async () => {
    const bytes = readFileSync(CAP('real-http11-keepalive.pcap'));
    const child = spawn(process.execPath, [CLI, '--no-annotate', '-'], { env: ENV });
    const firstLine = new Promise<string>((resolve) => {
      let seen = '';
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('\n')) resolve(seen.split('\n')[0]!);
      });
    });
    // Write the file header and the first few records, then wait: nothing else arrives until output is seen.
    child.stdin.write(bytes.subarray(0, 24 + 3 * 100));
    const line = await Promise.race([firstLine, new Promise<string>((r) => setTimeout(() => r('timeout'), 10_000))]);
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{6} IP .* Flags \[S\]/);
    child.stdin.end(bytes.subarray(24 + 3 * 100));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });

  it.runIf(process.platform !== 'win32')('Ctrl-C while stdin is idle prints the tables at once and exits 130', async () => {
    const bytes = readFileSync(CAP('real-http11-keepalive.pcap'));
    const child = spawn(process.execPath, [CLI, '--summary', '-'], { env: ENV });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // The whole capture, but stdin stays open: the reader waits for more.
    child.stdin.write(bytes);
    await new Promise((r) => setTimeout(r, 700));
    const sentAt = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(Date.now() - sentAt).toBeLessThan(3000);
    expect(code).toBe(130);
    expect(out).toMatch(/27 packets \(27 TCP\)/);
    expect(out).toContain('Connections');
    child.stdin.destroy();
  });

  it('merges rotated files by timestamp into one analysis, as mergecap', () => {
    const { records } = readCaptureSync(new Uint8Array(readFileSync(CAP('real-http11-keepalive.pcap'))));
    const spec = (r: (typeof records)[number]) => ({ data: r.data, tsSec: r.tsSec, tsFrac: Math.floor(r.tsNsec / 1000), origLen: r.origLen });
    const half = Math.floor(records.length / 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-'));
    try {
      writeFileSync(path.join(dir, 'a.pcap'), pcap(records.slice(0, half).map(spec)));
      writeFileSync(path.join(dir, 'b.pcap'), pcap(records.slice(half).map(spec)));
      const whole = run(['--summary', '--format', 'ndjson', CAP('real-http11-keepalive.pcap')]);
      // Given in the wrong order on purpose: merging is by time, not by argument order.
      const merged = run(['--summary', '--format', 'ndjson', path.join(dir, 'b.pcap'), path.join(dir, 'a.pcap')]);
      expect(merged.code).toBe(0);
      const conns = (out: string) => out.split('\n').filter((l) => l.includes('"type":"connection"'));
      expect(conns(merged.stdout)).toEqual(conns(whole.stdout));
      expect(conns(merged.stdout)).toHaveLength(1);
      expect(JSON.parse(conns(merged.stdout)[0]!).http.requests).toBe(4);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('filters by connection, host and port', () => {
    const all = run(['--format', 'ndjson', CAP('real-http11-pipelined.pcap')]);
    const ids = new Set(all.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.type === 'packet').map((r) => r.conn));
    expect(ids.size).toBe(2);
    const one = run(['--format', 'ndjson', '--conn', '1', CAP('real-http11-pipelined.pcap')]);
    const recs = one.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(recs.filter((r) => r.type === 'packet').every((r) => r.conn === 1)).toBe(true);
    expect(recs.filter((r) => r.type === 'connection').map((r) => r.id)).toEqual([1]);
    const port = run(['--summary', '--port', '9', CAP('real-http11-pipelined.pcap')]);
    expect(port.stdout).not.toContain('Connections');
    const host = run(['--no-annotate', '--host', '10.255.255.1', CAP('real-http11-pipelined.pcap')]);
    expect(packetLines(host.stdout)).toHaveLength(0);
    const local = run(['--no-annotate', '--host', '127.0.0.1', CAP('real-http11-pipelined.pcap')]);
    expect(packetLines(local.stdout).length).toBeGreaterThan(0);
  });

  it('prints every view and format', () => {
    const f = CAP('real-http11-pipelined.pcap');
    const timeline = run([f]);
    expect(timeline.stdout).toContain('Connections');
    expect(timeline.stdout).toMatch(/pipelined/);
    const summary = run(['--summary', f]);
    expect(packetLines(summary.stdout)).toHaveLength(0);
    // The summary is one row per connection and each HTTP verdict with its evidence; the exchanges are --http's.
    expect(summary.stdout).toMatch(/│ 0 +│.*pipelined \(depth 4, 4 req\)/);
    expect(summary.stdout).toMatch(/^HTTP on connection 0 .*: pipelined \(depth 4, 4 req\)\n  HTTP\/1\.1 pipelined: 4 requests/m);
    expect(summary.stdout).not.toContain('│ request');
    const http = run(['--http', f]);
    expect(http.stdout).not.toContain('Connections');
    expect(http.stdout).toContain('HTTP on connection');
    const json = JSON.parse(run(['--format', 'json', f]).stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.connections.length).toBe(2);
    const nd = run(['--format', 'ndjson', f]).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(nd[0].type).toBe('meta');
    expect(nd.at(-1).type).toBe('summary');
    const colored = run(['--color', 'always', f]);
    expect(colored.stdout).toContain('\u001b[');
    expect(run(['--color', 'never', f]).stdout).not.toContain('\u001b[');
    expect(run(['-tt', '--no-annotate', f]).stdout).toMatch(/^\d{10}\.\d{6} IP /m);
  });

  it('check passes with exit 0 and fails with exit 1 and a readable report', () => {
    const f = CAP('real-http11-pipelined.pcap');
    const ok = run(['check', f, '--expect', 'connections=2', '--expect', 'http.mode=pipelined', '--expect', 'http.requests>=7', '--fail-on', 'tcp.rst']);
    expect(ok.stdout).toContain('PASS');
    expect(ok.code).toBe(0);
    const bad = run(['check', f, '--expect', 'connections=3', '--expect', 'conn 1: http.mode=keep-alive', '--fail-on', 'tcp.handshake']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL connections=3: found 2/);
    expect(bad.stdout).toMatch(/FAIL conn 1: http\.mode=keep-alive: .*conn 1: pipelined/);
    expect(bad.stdout).toMatch(/FAIL no tcp\.handshake/);
    expect(bad.stdout).toMatch(/3 expectation\(s\) did not hold/);
    const typo = run(['check', f, '--expect', 'connections']);
    expect(typo.code).toBe(2);
    // A misspelt name, a value the property never takes, text for a number, an unknown --fail-on code: the
    // expectations are wrong, not the capture: usage errors (2), said before any capture is read (none is here).
    for (const [args, said] of [
      [['--expect', 'tcp.retransmision=0'], 'expectation "tcp.retransmision=0": unknown name "tcp.retransmision" (did you mean tcp.retransmission?)'],
      [['--expect', 'http.mode=keepalive'], 'expectation "http.mode=keepalive": "keepalive" is not a value of http.mode (did you mean keep-alive?)'],
      [['--expect', 'rtt.ms>fast'], 'expectation "rtt.ms>fast": "fast" is not a number: rtt.ms > needs one'],
      [['--fail-on', 'tcp.rts'], '--fail-on: unknown annotation code "tcp.rts" (did you mean tcp.rst?)'],
    ] as const) {
      const r = run(['check', CAP('no-such.pcap'), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`tcptrace: ${said}`);
      expect(r.stdout).toBe('');
    }
    // A capture that cannot be read fails on its own line; the others are still checked and reported.
    const missing = run(['check', f, CAP('no-such.pcap'), '--expect', 'connections=2']);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/PASS .*real-http11-pipelined\.pcap: 1\/1 held/);
    expect(missing.stdout).toMatch(/FAIL .*no-such\.pcap: cannot be read: .*no such file/);
    expect(missing.stdout).toMatch(/1 capture\(s\) could not be read/);
  });

  it('check reads an expectations file for several captures', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-'));
    try {
      const file = path.join(dir, 'expect.json');
      writeFileSync(
        file,
        JSON.stringify({
          captures: {
            [path.relative(dir, CAP('real-http10-short.pcap'))]: ['http.mode=short', 'close=fin'],
            [path.relative(dir, CAP('real-http11-keepalive.pcap'))]: ['http.mode=keep-alive', 'http.requests=4'],
          },
          failOn: ['tcp.retransmission'],
        }),
      );
      const r = run(['check', '--expect-file', file, CAP('real-http10-short.pcap')]);
      expect(r.stdout).toMatch(/all expectations held on 2 capture/);
      expect(r.code).toBe(0);
      // The file names its captures: none are needed on the command line.
      const alone = run(['check', '--expect-file', file]);
      expect(alone.stdout).toMatch(/all expectations held on 2 capture/);
      expect(alone.code).toBe(0);
      // A capture that no expectation applies to is not a pass.
      const unnamed = run(['check', '--expect-file', file, CAP('real-ipv6.pcap')]);
      expect(unnamed.stdout).toMatch(/FAIL .*real-ipv6\.pcap: no expectation applies to it/);
      expect(unnamed.code).toBe(1);
      // Typos in the file are usage errors that name the file, said before any capture is read.
      const typos = path.join(dir, 'typos.json');
      writeFileSync(typos, JSON.stringify({ captures: { 'no-such.pcap': ['connections=1', 'http.mde=short'] } }));
      const typo = run(['check', '--expect-file', typos]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toBe(`tcptrace: expectations file ${typos}: expectation "http.mde=short": unknown name "http.mde" (did you mean http.mode?)\n`);
      writeFileSync(typos, JSON.stringify({ captures: { 'no-such.pcap': ['connections=1'] }, failOn: ['tcp.rts'] }));
      const code = run(['check', '--expect-file', typos]);
      expect(code.code).toBe(2);
      expect(code.stderr).toBe(`tcptrace: expectations file ${typos}: "failOn": unknown annotation code "tcp.rts" (did you mean tcp.rst?)\n`);
      // Two keys that name one capture: both lists are checked (the second replaced the first, which then passed unread).
      const twice = path.join(dir, 'twice.json');
      const rel = path.relative(dir, CAP('real-http11-keepalive.pcap'));
      writeFileSync(twice, JSON.stringify({ captures: { [rel]: ['connections=99'], [`./${rel}`]: ['connections=1'] } }));
      const both = run(['check', '--expect-file', twice]);
      expect(both.code).toBe(1);
      expect(both.stdout).toMatch(/connections=99/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it.runIf(process.platform === 'linux' && existsSync('/usr/bin/script'))('shows progress only on a terminal, never on stdout', () => {
    const f = CAP('real-large-download.pcap');
    const tty = spawnSync('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} --summary ${f} > /dev/null`, '/dev/null'], { env: ENV });
    expect(tty.stdout.toString()).toMatch(/tcptrace: [\d.]+ MB of [\d.]+ MB \(\d+%\), \d+ packets/);
    const piped = run(['--summary', f]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('MB of');
    // One terminal for both: the timeline's lines must not be cut by the progress line; --summary prints at the end.
    const shared = spawnSync('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} --no-annotate ${f}`, '/dev/null'], { env: ENV });
    expect(shared.stdout.toString()).not.toContain('MB of');
    const summary = spawnSync('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} --summary ${f}`, '/dev/null'], { env: ENV });
    expect(summary.stdout.toString()).toMatch(/tcptrace: [\d.]+ MB of/);
  });

  it.runIf(existsSync('/dev/full'))('a full disk is one line and exit 5, never a stack trace', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" "${CAP('real-large-download.pcap')}" > /dev/full`], { env: ENV });
    expect(r.status).toBe(5);
    expect(r.stderr.toString()).toMatch(/^tcptrace: cannot write the output: ENOSPC[^\n]*\n$/);
  });

  it.runIf(process.platform === 'linux')('a directory on stdin is a directory, not an empty capture; stdin errors name stdin', () => {
    const dir = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" - < "${ROOT}"`], { env: ENV });
    expect(dir.status).toBe(3);
    expect(dir.stderr.toString()).toBe("tcptrace: cannot read capture 'stdin': it is a directory; give a capture file\n");
    const checked = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" check --expect connections=1 - < "${ROOT}"`], { env: ENV });
    expect(checked.status).toBe(3);
    expect(checked.stdout.toString()).toContain("cannot read capture 'stdin': it is a directory");
    // What stdin holds is named as a file is; a directory given as a path reads as the same failure.
    const text = run(['-'], new TextEncoder().encode('garbage-garbage-garbage'));
    expect(text.code).toBe(3);
    expect(text.stderr).toMatch(/^tcptrace: stdin: not a pcap or pcapng file/);
    const asPath = run([ROOT]);
    expect(asPath.stderr).toContain('it is a directory; give a capture file');
  });

  it('a closed output pipe ends the run with 0, or with the run\'s own code once known', async () => {
    const closedEarly = (args: string[]) => new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      child.on('close', (code) => resolve(code));
    });
    expect(await closedEarly(['check', CAP('real-http11-keepalive.pcap'), '--expect', 'connections=5'])).toBe(1);
    expect(await closedEarly([CAP('real-large-download.pcap')])).toBe(0);
  });
});

describe('library import by package name', () => {
  it('resolves tcptrace through package.json exports and analyses a capture', () => {
    const script = `
      import { analyzeFile, Analyzer, readCaptureSync, Codes } from 'tcptrace';
      import { readFileSync } from 'node:fs';
      const report = await analyzeFile(process.argv[1]);
      const sync = new Analyzer();
      for (const r of readCaptureSync(new Uint8Array(readFileSync(process.argv[1]))).records) sync.push(r);
      const again = sync.finish();
      console.log(JSON.stringify({ modes: report.connections.map((c) => c.http.mode), same: again.connections.length === report.connections.length, code: Codes.DUP_ACK }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, CAP('real-http11-keepalive.pcap')], { cwd: ROOT, env: ENV });
    expect(r.stderr.toString()).toBe('');
    expect(JSON.parse(r.stdout.toString())).toEqual({ modes: ['keep-alive'], same: true, code: 'tcp.dup-ack' });
  });
});
