// POSIX TZ strings read as glibc reads them (render/posix-tz.ts) and the local time the renderer prints with them.
// Runs no date or tcpdump: every expected value below was printed beforehand by glibc 2.36 (Debian 12) with
// TZ='<string>' date -d @<seconds> '+%F %T %::z'.

import { afterEach, describe, expect, it } from 'vitest';
import { parsePosixTz, posixTzHasDst, posixTzOffset, UTC_TZ } from '../../src/render/posix-tz.js';
import { clearTimestampCache, formatTimestamp, localTimeRule, setLocalTimeRule, TsStyle } from '../../src/render/timestamp.js';

/** [TZ, UTC seconds, what glibc's date printed]. */
const GLIBC: [string, number, string][] = [
  // Central Europe around both changes of 2023 (last Sunday of March 02:00 CET, last Sunday of October 03:00 CEST).
  ['CET-1CEST,M3.5.0,M10.5.0/3', 1679792399, '2023-03-26 01:59:59 +01:00:00'],
  ['CET-1CEST,M3.5.0,M10.5.0/3', 1679792400, '2023-03-26 03:00:00 +02:00:00'],
  ['CET-1CEST,M3.5.0,M10.5.0/3', 1698541199, '2023-10-29 02:59:59 +02:00:00'],
  ['CET-1CEST,M3.5.0,M10.5.0/3', 1698541200, '2023-10-29 02:00:00 +01:00:00'],
  ['CET-1CEST,M3.5.0,M10.5.0/3', 1700000000, '2023-11-14 23:13:20 +01:00:00'],
  // Far from now: 2100 on the proleptic calendar; before 1970 glibc computes the changes on 1970's days.
  ['CET-1CEST,M3.5.0,M10.5.0/3', 4118083200, '2100-07-01 02:00:00 +02:00:00'],
  ['CET-1CEST,M3.5.0,M10.5.0/3', -299894400, '1960-07-01 01:00:00 +01:00:00'],
  // A quoted name and a half-hour offset, no DST.
  ['<+0330>-3:30', 1700000000, '2023-11-15 01:43:20 +03:30:00'],
  ['<+0330>-3:30', 1690000000, '2023-07-22 07:56:40 +03:30:00'],
  ['<-0230>2:30', 1700000000, '2023-11-14 19:43:20 -02:30:00'],
  // Southern hemisphere: DST ends in April, starts in October, is on across New Year and on 1970-01-01.
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', 1680364799, '2023-04-02 02:59:59 +11:00:00'],
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', 1680364800, '2023-04-02 02:00:00 +10:00:00'],
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', 1696089599, '2023-10-01 01:59:59 +10:00:00'],
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', 1696089600, '2023-10-01 03:00:00 +11:00:00'],
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', 1704052800, '2024-01-01 07:00:00 +11:00:00'],
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', 0, '1970-01-01 11:00:00 +11:00:00'],
  ['AEST-10AEDT,M10.1.0,M4.1.0/3', -299894400, '1960-07-01 11:00:00 +11:00:00'],
  ['NZST-12NZDT,M9.5.0,M4.1.0/3', 1704022200, '2024-01-01 00:30:00 +13:00:00'],
  // An explicit DST offset and explicit change times.
  ['EST5EDT4,M3.2.0/2,M11.1.0/2', 1678604399, '2023-03-12 01:59:59 -05:00:00'],
  ['EST5EDT4,M3.2.0/2,M11.1.0/2', 1678604400, '2023-03-12 03:00:00 -04:00:00'],
  ['EST5EDT4,M3.2.0/2,M11.1.0/2', 1699163999, '2023-11-05 01:59:59 -04:00:00'],
  ['EST5EDT4,M3.2.0/2,M11.1.0/2', 1699164000, '2023-11-05 01:00:00 -05:00:00'],
  // Jn never counts February 29 (J60 is March 1); n counts from 0 and does (59 is February 29 in 2024).
  ['XXX3YYY,J60/2,J300/2', 1709269199, '2024-03-01 01:59:59 -03:00:00'],
  ['XXX3YYY,J60/2,J300/2', 1709269200, '2024-03-01 03:00:00 -02:00:00'],
  ['XXX3YYY,J60/2,J300/2', 1677646800, '2023-03-01 03:00:00 -02:00:00'],
  ['XXX3YYY,J60/2,J300/2', 1730001599, '2024-10-27 01:59:59 -02:00:00'],
  ['XXX3YYY,J60/2,J300/2', 1730001600, '2024-10-27 01:00:00 -03:00:00'],
  ['XXX3YYY,59/2,299/2', 1709182799, '2024-02-29 01:59:59 -03:00:00'],
  ['XXX3YYY,59/2,299/2', 1709182800, '2024-02-29 03:00:00 -02:00:00'],
  ['XXX3YYY,59/2,299/2', 1677646799, '2023-03-01 01:59:59 -03:00:00'],
  ['XXX3YYY,59/2,299/2', 1677646800, '2023-03-01 03:00:00 -02:00:00'],
  ['XXX3YYY,59/2,299/2', 1729915199, '2024-10-26 01:59:59 -02:00:00'],
  ['XXX3YYY,59/2,299/2', 1729915200, '2024-10-26 01:00:00 -03:00:00'],
  // Negative change times, and beyond 24 h (the 4th Thursday of March at 26:00).
  ['<-03>3<-02>,M3.5.0/-2,M10.5.0/-1', 1679785199, '2023-03-25 19:59:59 -03:00:00'],
  ['<-03>3<-02>,M3.5.0/-2,M10.5.0/-1', 1679785200, '2023-03-25 20:00:00 -03:00:00'],
  ['<-03>3<-02>,M3.5.0/-2,M10.5.0/-1', 1698533999, '2023-10-28 20:59:59 -02:00:00'],
  ['<-03>3<-02>,M3.5.0/-2,M10.5.0/-1', 1698534000, '2023-10-28 21:00:00 -02:00:00'],
  ['IST-2IDT,M3.4.4/26,M10.5.0', 1679615999, '2023-03-24 01:59:59 +02:00:00'],
  ['IST-2IDT,M3.4.4/26,M10.5.0', 1679616000, '2023-03-24 03:00:00 +03:00:00'],
  // A change at 24:13:20 local time, which moves the date too.
  ['<+0130>-1:30<+0330>-3:30,M11.2.2/24:13:20,J365/0', 1700001799, '2023-11-15 00:13:19 +01:30:00'],
  ['<+0130>-1:30<+0330>-3:30,M11.2.2/24:13:20,J365/0', 1700001800, '2023-11-15 02:13:20 +03:30:00'],
  // Offsets: hours capped at 24, minutes and seconds at 59.
  ['ABC-24:59:59', 1700000000, '2023-11-15 23:13:19 +24:59:59'],
  // glibc quirks kept: a rule that does not parse leaves both changes on January 1 (DST all year); a missing DST
  // name leaves DST at offset 0; text after the standard offset without a DST name is ignored.
  ['CET-1CEST,garbage', 1690000000, '2023-07-22 06:26:40 +02:00:00'],
  ['CET-1CEST,garbage', 1700000000, '2023-11-15 00:13:20 +02:00:00'],
  ['CET-1,M3.5.0,M10.5.0', 1690000000, '2023-07-22 04:26:40 +00:00:00'],
  ['CET-1,M3.5.0,M10.5.0', 1700000000, '2023-11-14 23:13:20 +01:00:00'],
  ['JST-9 ', 1700000000, '2023-11-15 07:13:20 +09:00:00'],
];

function offsetText(sec: number): string {
  const a = Math.abs(sec);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${sec < 0 ? '-' : '+'}${two(Math.floor(a / 3600))}:${two(Math.floor(a / 60) % 60)}:${two(a % 60)}`;
}

describe('parsePosixTz / posixTzOffset: what glibc prints', () => {
  afterEach(() => setLocalTimeRule(null));

  for (const [tz, sec, glibc] of GLIBC) {
    it(`TZ='${tz}' at ${sec}: ${glibc}`, () => {
      const rule = parsePosixTz(tz);
      expect(rule).not.toBeNull();
      const offset = posixTzOffset(rule!, sec);
      expect(offsetText(offset)).toBe(glibc.slice(20));
      // The renderer with the rule installed: -tttt is glibc's date and time of day (for seconds tcpdump prints:
      // those with bit 31 set, 1960 and 2100 here, are "[Error converting time]" to it).
      if (sec < 0 || sec >= 2 ** 31) return;
      setLocalTimeRule(rule);
      expect(formatTimestamp({ tsSec: sec, tsNsec: 0 }, { tsStyle: TsStyle.LOCAL_DATE_TIME })).toBe(`${glibc.slice(0, 19)}.000000 `);
      expect(formatTimestamp({ tsSec: sec, tsNsec: 5000 }, { tsStyle: TsStyle.LOCAL_TIME })).toBe(`${glibc.slice(11, 19)}.000005 `);
    });
  }
});

describe('parsePosixTz: the fields', () => {
  it('reads names, offsets (seconds east) and rules; DST defaults to an hour ahead of standard time', () => {
    const cet = parsePosixTz('CET-1CEST,M3.5.0,M10.5.0/3')!;
    expect(cet.std).toEqual({ name: 'CET', offset: 3600, type: 2, m: 3, n: 5, d: 0, secs: 7200 });
    expect(cet.dst).toEqual({ name: 'CEST', offset: 7200, type: 2, m: 10, n: 5, d: 0, secs: 10800 });
    const quoted = parsePosixTz('<+0330>-3:30')!;
    expect(quoted.std.name).toBe('+0330');
    expect(quoted.std.offset).toBe(12600);
    expect(posixTzHasDst(quoted)).toBe(false);
    const j = parsePosixTz('XXX3YYY,J60/-1:30,299/167')!;
    expect([j.std.type, j.std.d, j.std.secs, j.dst.type, j.dst.d, j.dst.secs]).toEqual([1, 60, -5400, 0, 299, 601200]);
    expect(j.dst.offset).toBe(-7200);
  });

  it('a DST without a rule gets glibc\'s built-in M3.2.0,M11.1.0 (glibc uses it when no posixrules file exists)', () => {
    const est = parsePosixTz('EST5EDT')!;
    expect([est.std.m, est.std.n, est.std.d, est.std.secs, est.dst.m, est.dst.n, est.dst.d, est.dst.secs])
      .toEqual([3, 2, 0, 7200, 11, 1, 0, 7200]);
    expect(parsePosixTz('EST5EDT,')!.dst.m).toBe(11);
    // 2023 (US rules since 2007): changes on March 12 and November 5, at 02:00 local time.
    expect(posixTzOffset(est, 1678604399)).toBe(-18000);
    expect(posixTzOffset(est, 1678604400)).toBe(-14400);
    expect(posixTzOffset(est, 1699163999)).toBe(-14400);
    expect(posixTzOffset(est, 1699164000)).toBe(-18000);
  });

  it('is not a rule when glibc finds no standard name and offset (glibc then uses UTC)', () => {
    for (const tz of ['', 'hello', 'UTC', 'AB-1', '<AB>-1', '<ABC-1', 'Asia/Tokyo', 'EST', '+3', '-1', 'ABC', 'ABC+', 'ABC x']) {
      expect(parsePosixTz(tz), tz).toBeNull();
    }
  });

  it('is not a rule when glibc would read a half-parsed month 0 or 13 outside its month table', () => {
    expect(parsePosixTz('AAA3BBB,M0.1.0,M10.5.0')).toBeNull();
    expect(parsePosixTz('AAA3BBB,M13.1.0,M10.5.0')).toBeNull();
    expect(parsePosixTz('AAA3BBB,Mx')).toBeNull();
  });

  it('UTC_TZ is offset 0 at any time', () => {
    for (const sec of [-1e10, 0, 1_700_000_000, 1e13]) expect(posixTzOffset(UTC_TZ, sec)).toBe(0);
  });
});

describe('setLocalTimeRule', () => {
  afterEach(() => {
    setLocalTimeRule(null);
    process.env.TZ = 'UTC';
    clearTimestampCache();
  });

  it('replaces the runtime time zone until reset to null, and clears the per-second cache each time', () => {
    const ts = { tsSec: 1_700_000_000, tsNsec: 0 };
    expect(formatTimestamp(ts, { tsStyle: 0 })).toBe('22:13:20.000000 ');
    setLocalTimeRule(parsePosixTz('<+0330>-3:30'));
    expect(localTimeRule()).not.toBeNull();
    expect(formatTimestamp(ts, { tsStyle: 0 })).toBe('01:43:20.000000 ');
    expect(formatTimestamp(ts, { tsStyle: 4 })).toBe('2023-11-15 01:43:20.000000 ');
    // The rule wins over the runtime's TZ while it is set.
    process.env.TZ = 'America/New_York';
    clearTimestampCache();
    expect(formatTimestamp(ts, { tsStyle: 0 })).toBe('01:43:20.000000 ');
    setLocalTimeRule(null);
    expect(formatTimestamp(ts, { tsStyle: 0 })).toBe('17:13:20.000000 ');
  });

  it('seconds beyond the JS Date range follow the rule too', () => {
    setLocalTimeRule(parsePosixTz('JST-9'));
    expect(formatTimestamp({ tsSec: 86_400 * 214_222_222 + 3661, tsNsec: 0 }, { tsStyle: 0 })).toBe('10:01:01.000000 ');
  });
});
