// The CLI's local time for TZ values ICU cannot read (cli/local-time.ts): the decision, the zone-file check and the
// timeline in-process, on worker threads and as a child process. Runs no tcpdump: expected times are what tcpdump
// 4.99.3 printed beforehand on glibc 2.36 with the same TZ (each command is beside its value).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTimeFor, MACHINE_ZONES, type ZoneLookup } from '../src/local-time.js';
import { parsePosixTz, UTC_TZ } from '../src/render/posix-tz.js';
import { localTimeRule } from '../src/render/timestamp.js';
import { runCliCaptured } from './helpers/run-cli-capture.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CAP = (name: string) => path.join(ROOT, 'fixtures', 'captures', name);
const CET = 'CET-1CEST,M3.5.0,M10.5.0/3';
/** DST ends at 2026-11-22 07:27:10 UTC, between frames 23 and 24 of real-time-wait-straggler.pcap. */
const ENDS_INSIDE = 'XXX0YYY-1,J1/0,J326/8:27:10';

/** A machine whose zone files are `files` (relative to TZDIR) and whose ICU knows `icu`. */
function machine(files: string[], icu: string[] = []): ZoneLookup & { asked: [string, string | undefined][] } {
  const asked: [string, string | undefined][] = [];
  return {
    asked,
    isZoneFile: (name, tzdir) => {
      asked.push([name, tzdir]);
      return files.includes(name);
    },
    icuKnows: (name) => icu.includes(name),
  };
}

describe('localTimeFor: which local time, as glibc tzset decides', () => {
  it('TZ unset: the runtime\'s (system) time zone', () => {
    expect(localTimeFor({}, machine([]))).toBeNull();
  });

  it('TZ empty, or only ":": UTC, as glibc', () => {
    expect(localTimeFor({ TZ: '' }, machine([]))).toBe(UTC_TZ);
    expect(localTimeFor({ TZ: ':' }, machine([]))).toBe(UTC_TZ);
  });

  it('a zone file of that name (after one ":") is left to ICU, looked up under TZDIR', () => {
    const m = machine(['Asia/Tokyo', 'EST5EDT']);
    expect(localTimeFor({ TZ: 'Asia/Tokyo' }, m)).toBeNull();
    expect(localTimeFor({ TZ: ':Asia/Tokyo', TZDIR: '/zones' }, m)).toBeNull();
    expect(localTimeFor({ TZ: 'EST5EDT' }, m)).toBeNull();
    expect(m.asked).toEqual([['Asia/Tokyo', undefined], ['Asia/Tokyo', '/zones'], ['EST5EDT', undefined]]);
  });

  it('otherwise a POSIX string is read as glibc reads it, with or without ":"', () => {
    expect(localTimeFor({ TZ: CET }, machine([]))).toEqual(parsePosixTz(CET));
    expect(localTimeFor({ TZ: `:${CET}` }, machine([]))).toEqual(parsePosixTz(CET));
    expect(localTimeFor({ TZ: '<+0330>-3:30' }, machine([]))).toEqual(parsePosixTz('<+0330>-3:30'));
    // Without its zone file, EST5EDT is a POSIX string to glibc too.
    expect(localTimeFor({ TZ: 'EST5EDT' }, machine([]))).toEqual(parsePosixTz('EST5EDT'));
  });

  it('a name that is neither: ICU\'s when ICU knows it (no zone files installed), else UTC as glibc', () => {
    expect(localTimeFor({ TZ: 'Asia/Tokyo' }, machine([], ['Asia/Tokyo']))).toBeNull();
    expect(localTimeFor({ TZ: 'hello' }, machine([]))).toBe(UTC_TZ);
    expect(localTimeFor({ TZ: 'Asia/Tokio' }, machine([]))).toBe(UTC_TZ);
  });
});

describe('MACHINE_ZONES.isZoneFile: a TZif file, as glibc tzfile.c loads it', () => {
  it('looks under TZDIR (or the absolute path) and wants the TZif magic', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-zones-'));
    try {
      mkdirSync(path.join(dir, 'Area'));
      writeFileSync(path.join(dir, 'Area', 'City'), Buffer.from('TZif2\0\0\0', 'latin1'));
      writeFileSync(path.join(dir, 'notes'), 'not a zone\n');
      expect(MACHINE_ZONES.isZoneFile('Area/City', dir)).toBe(true);
      expect(MACHINE_ZONES.isZoneFile(path.join(dir, 'Area', 'City'), undefined)).toBe(true);
      expect(MACHINE_ZONES.isZoneFile('notes', dir)).toBe(false);
      expect(MACHINE_ZONES.isZoneFile('Area', dir)).toBe(false);
      expect(MACHINE_ZONES.isZoneFile('Missing', dir)).toBe(false);
      expect(MACHINE_ZONES.isZoneFile(CET, dir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks ICU for zone names', () => {
    expect(MACHINE_ZONES.icuKnows('Asia/Tokyo')).toBe(true);
    expect(MACHINE_ZONES.icuKnows(CET)).toBe(false);
  });
});

describe('the timeline with TZ set to a POSIX rule', () => {
  it('prints tcpdump\'s local time in-process, and puts the library default back after', async () => {
    const file = CAP('real-http11-pipelined.pcap');
    // TZ='CET-1CEST,M3.5.0,M10.5.0/3' tcpdump -nn -r real-http11-pipelined.pcap: 01:02:56.872355 (frames 1, 2).
    const one = await runCliCaptured(['--no-annotate', file], { env: { TZ: CET } });
    expect(one.stdout.split('\n').slice(0, 2).map((l) => l.slice(0, 16))).toEqual(['01:02:56.872355 ', '01:02:56.872370 ']);
    expect(localTimeRule()).toBeNull();
    // ... -tttt: 2026-11-22 01:02:56.872355.
    const date = await runCliCaptured(['--no-annotate', '-tttt', file], { env: { TZ: CET } });
    expect(date.stdout.slice(0, 27)).toBe('2026-11-22 01:02:56.872355 ');
    // In-process shards take the main thread's rule.
    expect(await runCliCaptured(['--jobs', '2', file], { env: { TZ: CET }, inProcessShards: true })).toEqual(
      await runCliCaptured([file], { env: { TZ: CET } }),
    );
  });

  describe('built CLI', () => {
    const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
    const run = (tz: string, args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, TZ: tz, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
      return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
    };

    it('follows a DST change inside the capture', () => {
      // TZ='XXX0YYY-1,J1/0,J326/8:27:10' tcpdump -# -nn -r real-time-wait-straggler.pcap: frame 23 at
      // 08:27:07.446127, frame 24 at 07:27:10.774065.
      const lines = run(ENDS_INSIDE, ['--no-annotate', '-#', CAP('real-time-wait-straggler.pcap')]).stdout.split('\n');
      expect(lines[22].slice(0, 22)).toBe('   23  08:27:07.446127');
      expect(lines[23].slice(0, 22)).toBe('   24  07:27:10.774065');
    });

    it('gives the rule to worker threads (--jobs)', () => {
      const file = CAP('real-http11-pipelined.pcap');
      const shards = run(CET, ['--jobs', '2', file]);
      expect(shards).toEqual(run(CET, [file]));
      expect(shards.stdout.slice(0, 16)).toBe('01:02:56.872355 ');
    });
  });
});

describe('useTcpdumpLocalTime (library)', () => {
  it('packet lines read a POSIX TZ as the CLI and tcpdump do, and the runtime zone again without TZ', async () => {
    const { useTcpdumpLocalTime, formatPacketLine, Analyzer, readCaptureSync } = await import('../src/index.js');
    const { readFileSync } = await import('node:fs');
    const analyzer = new Analyzer();
    const ev = analyzer.push(readCaptureSync(new Uint8Array(readFileSync(CAP('real-http11-keepalive.pcap')))).records[0]!);
    try {
      useTcpdumpLocalTime({ TZ: 'CET-1CEST,M3.5.0,M10.5.0/3' });
      const cet = formatPacketLine(ev.packet, ev.display, { tsStyle: 0 });
      useTcpdumpLocalTime({ TZ: 'UTC0' });
      const utc = formatPacketLine(ev.packet, ev.display, { tsStyle: 0 });
      // The fixture was made in November: CET is UTC+1.
      const hour = (line: string) => Number(line.slice(0, 2));
      expect((hour(cet) - hour(utc) + 24) % 24).toBe(1);
      expect(cet.slice(2)).toBe(utc.slice(2));
    } finally {
      useTcpdumpLocalTime({});
      expect(localTimeRule()).toBeNull();
    }
  });
});
