// tcpdump's timestamp styles (util-print.c ts_print): local time honouring TZ, -t, -tt, -ttt, -tttt, -ttttt,
// --nano, invalid sub-second fields, and seconds tcpdump cannot convert.

import { afterEach, describe, expect, it } from 'vitest';
import { clearTimestampCache, formatTimestamp, TsStyle } from '../../src/render/timestamp.js';

const ts = (tsSec: number, tsNsec: number) => ({ tsSec, tsNsec });
const T0 = 1_700_000_000; // 2023-11-14 22:13:20 UTC

describe('formatTimestamp', () => {
  afterEach(() => {
    process.env.TZ = 'UTC';
    clearTimestampCache();
  });

  it('default: local time of day with microseconds (truncated from ns)', () => {
    expect(formatTimestamp(ts(T0, 123_456_789), { tsStyle: TsStyle.LOCAL_TIME })).toBe('22:13:20.123456 ');
    expect(formatTimestamp(ts(T0, 123_456_789), { tsStyle: 0, nano: true })).toBe('22:13:20.123456789 ');
  });

  it('honours TZ', () => {
    process.env.TZ = 'America/New_York';
    clearTimestampCache();
    expect(formatTimestamp(ts(T0, 0), { tsStyle: 0 })).toBe('17:13:20.000000 ');
    expect(formatTimestamp(ts(T0, 0), { tsStyle: 4 })).toBe('2023-11-14 17:13:20.000000 ');
  });

  it('-t, -tt, -tttt', () => {
    expect(formatTimestamp(ts(T0, 5000), { tsStyle: TsStyle.NONE })).toBe('');
    expect(formatTimestamp(ts(T0, 5000), { tsStyle: TsStyle.EPOCH })).toBe('1700000000.000005 ');
    expect(formatTimestamp(ts(T0, 5000), { tsStyle: TsStyle.LOCAL_DATE_TIME })).toBe('2023-11-14 22:13:20.000005 ');
  });

  it('-ttt and -ttttt: signed UTC differences, the first packet against itself', () => {
    expect(formatTimestamp(ts(T0, 0), { tsStyle: 3, prevTs: null })).toBe(' 00:00:00.000000 ');
    expect(formatTimestamp(ts(T0 + 90_061, 7_000), { tsStyle: 3, prevTs: ts(T0, 500_000_000) })).toBe(' 01:01:00.500007 ');
    expect(formatTimestamp(ts(T0, 500_000_000), { tsStyle: 3, prevTs: ts(T0 + 1, 1_000) })).toBe('-00:00:00.500001 ');
    expect(formatTimestamp(ts(T0 + 1, 0), { tsStyle: 5, firstTs: ts(T0, 999_999_000) })).toBe(' 00:00:00.000001 ');
    expect(formatTimestamp(ts(T0, 87_895), { tsStyle: 3, nano: true, prevTs: ts(T0, 0) })).toBe(' 00:00:00.000087895 ');
  });

  it('prints an invalid sub-second field as is, like tcpdump', () => {
    expect(formatTimestamp(ts(1418145370, 1_000_000_000), { tsStyle: 0 })).toBe('17:16:10.1000000 ');
    expect(formatTimestamp(ts(1418145370, 2_147_483_648_000), { tsStyle: 0 })).toBe('17:16:10.2147483648 ');
  });

  it('seconds with bit 31 set cannot be converted', () => {
    expect(formatTimestamp(ts(0x80000001, 0), { tsStyle: 0 })).toBe('[Error converting time] ');
    expect(formatTimestamp(ts(0x80000001, 0), { tsStyle: 2 })).toBe('[Error converting time] ');
    expect(formatTimestamp(ts(0x80000001, 5_000), { tsStyle: 3, prevTs: ts(T0, 0) })).toBe('-[Error converting time] ');
    expect(formatTimestamp(ts(0, 0), { tsStyle: 3, prevTs: ts(0x80000001, 5_000) })).toBe(' 03:14:06.999995 ');
  });

  it('seconds beyond the JS Date range still give a time of day', () => {
    expect(formatTimestamp(ts(86_400 * 214_222_222 + 3661, 0), { tsStyle: 0 })).toBe('01:01:01.000000 ');
  });
});
