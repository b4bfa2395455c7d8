// tcpdump's packet timestamps (util-print.c ts_print): default local time of day, -t, -tt, -ttt, -tttt, -ttttt,
// in microseconds or, with --nano, nanoseconds. Pure formatting: the caller supplies previous/first timestamps.

import { StringOut, type LineOut } from './line-out.js';
import { posixTzOffset, type PosixTz } from './posix-tz.js';

/** tcpdump's -t count: 0 none given (local time of day), 1 -t, 2 -tt, 3 -ttt, 4 -tttt, 5 -ttttt. */
export const TsStyle = {
  LOCAL_TIME: 0,
  NONE: 1,
  EPOCH: 2,
  DELTA_PREVIOUS: 3,
  LOCAL_DATE_TIME: 4,
  DELTA_FIRST: 5,
} as const;

/** A capture timestamp as the capture reader gives it (CaptureRecord satisfies this). tsNsec is kept as read:
 *  a µs pcap whose sub-second field is >= 1e6 gives tsNsec >= 1e9, which tcpdump prints as is. */
export interface TsValue {
  tsSec: number;
  tsNsec: number;
}

export interface TimestampOptions {
  /** 0..5, see TsStyle. */
  tsStyle: number;
  /** --nano: nine fractional digits instead of six. */
  nano?: boolean;
  /** -ttt: the timestamp of the previous record (any record, TCP or not); null/undefined for the first. */
  prevTs?: TsValue | null;
  /** -ttttt: the timestamp of the first record (tcpdump: the first whose timestamp is not exactly 0.0);
   *  null/undefined when this is the first. */
  firstTs?: TsValue | null;
}

const ERROR_TEXT = '[Error converting time]';
const TWO_32 = 4294967296;
/** JS Date covers ±8.64e15 ms; beyond it local time is computed from the offset at the range's edge. */
const DATE_LIMIT_SEC = 8.64e12;

const DIGITS2: string[] = [];
for (let i = 0; i < 100; i++) DIGITS2.push(i < 10 ? `0${i}` : `${i}`);

/** tcpdump tests `(unsigned)sec & 0x80000000`: only bit 31 of the low 32 bits of the seconds. */
function secondsUnprintable(sec: number): boolean {
  if (sec >= 0 && sec < 0x80000000) return false;
  const low32 = ((sec % TWO_32) + TWO_32) % TWO_32;
  return low32 >= 0x80000000;
}

function fraction(frac: number, nano: boolean): string {
  const s = String(frac);
  const width = nano ? 9 : 6;
  return s.length >= width ? s : '000000000'.slice(0, width - s.length) + s;
}

/** Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function pad4Year(year: number): string {
  if (year >= 0 && year < 1000) return String(year).padStart(4, '0');
  return String(year);
}

/**
 * Where local time comes from: null, the JS runtime's own time zone (ICU, which reads TZ as an IANA zone name);
 * otherwise a POSIX TZ rule read as glibc reads it, for TZ values ICU does not understand (set by the CLI).
 */
let localRule: PosixTz | null = null;

/** Seconds east of UTC at `sec` in local time. */
function localOffset(sec: number): number {
  if (localRule !== null) return posixTzOffset(localRule, sec);
  const clamped = Math.max(-DATE_LIMIT_SEC, Math.min(DATE_LIMIT_SEC, sec));
  return -new Date(clamped * 1000).getTimezoneOffset() * 60;
}

/** "HH:MM:SS" or "YYYY-MM-DD HH:MM:SS" of `sec` in UTC or local time (strftime %H:%M:%S / %Y-%m-%d). */
function wallClock(sec: number, local: boolean, withDate: boolean): string {
  const shifted = local ? sec + localOffset(sec) : sec;
  const days = Math.floor(shifted / 86400);
  const secOfDay = shifted - days * 86400;
  const time = `${DIGITS2[Math.floor(secOfDay / 3600)]}:${DIGITS2[Math.floor(secOfDay / 60) % 60]}:${DIGITS2[secOfDay % 60]}`;
  if (!withDate) return time;
  const [y, m, d] = civilFromDays(days);
  return `${pad4Year(y)}-${DIGITS2[m]}-${DIGITS2[d]} ${time}`;
}

// Local time changes only with the second: one cached string per style (tcpdump calls localtime per packet).
let cachedTimeSec = NaN;
let cachedTime = '';
let cachedDateSec = NaN;
let cachedDate = '';

/** Forget the cached local-time strings (call after changing process.env.TZ at run time). */
export function clearTimestampCache(): void {
  cachedTimeSec = NaN;
  cachedDateSec = NaN;
}

/**
 * Local time (default style and -tttt) from this POSIX TZ rule (parsePosixTz), or with null from the runtime's time
 * zone again (the default). Clears the cached strings.
 */
export function setLocalTimeRule(rule: PosixTz | null): void {
  localRule = rule;
  clearTimestampCache();
}

/** The rule set by setLocalTimeRule (null: the runtime's time zone). */
export function localTimeRule(): PosixTz | null {
  return localRule;
}

function localTimeOfDay(sec: number): string {
  if (sec !== cachedTimeSec) {
    cachedTime = wallClock(sec, true, false);
    cachedTimeSec = sec;
  }
  return cachedTime;
}

function localDateTime(sec: number): string {
  if (sec !== cachedDateSec) {
    cachedDate = wallClock(sec, true, true);
    cachedDateSec = sec;
  }
  return cachedDate;
}

/** The sub-second part in display units (µs truncated from ns, as libpcap converts; or ns with --nano). */
function fracUnits(ts: TsValue, nano: boolean): number {
  return nano ? ts.tsNsec : Math.floor(ts.tsNsec / 1000);
}

/** libpcap keeps a classic pcap's seconds field as a signed 32-bit value: a field in [2^31, 2^32) is a date
 *  before 1970 to tcpdump's delta arithmetic (pcapng seconds that large are taken the same way). */
function libpcapSeconds(sec: number): number {
  return sec >= 0x80000000 && sec < TWO_32 ? sec - TWO_32 : sec;
}

/** tcpdump's -ttt / -ttttt: sign, then the difference as UTC HH:MM:SS.frac (netdissect_timevalsub: one borrow
 *  only, so an out-of-range sub-second field can leave a negative fraction, printed unsigned). */
function delta(ts: TsValue, ref: TsValue, nano: boolean): string {
  const unit = nano ? 1_000_000_000 : 1_000_000;
  const aSec = libpcapSeconds(ts.tsSec);
  const bSec = libpcapSeconds(ref.tsSec);
  const aFrac = fracUnits(ts, nano);
  const bFrac = fracUnits(ref, nano);
  const negative = aSec === bSec ? aFrac < bFrac : aSec < bSec;
  let sec = negative ? bSec - aSec : aSec - bSec;
  let frac = negative ? bFrac - aFrac : aFrac - bFrac;
  if (frac < 0) {
    sec--;
    frac += unit;
  }
  const sign = negative ? '-' : ' ';
  if (secondsUnprintable(sec)) return `${sign}${ERROR_TEXT} `;
  return `${sign}${wallClock(sec, false, false)}.${fraction(frac < 0 ? frac + TWO_32 : frac, nano)} `;
}

/** tcpdump takes a reference timestamp of exactly 0.0 as "not set yet" and uses the packet's own. */
function reference(ts: TsValue, ref: TsValue | null | undefined): TsValue {
  return ref === null || ref === undefined || (ref.tsSec === 0 && ref.tsNsec === 0) ? ts : ref;
}

/** The timestamp part of a packet line, including its trailing space ("" for -t), as a string (for tests). */
export function formatTimestamp(ts: TsValue, opts: TimestampOptions): string {
  const out = new StringOut();
  writeTimestamp(out, ts, opts);
  return out.take();
}

/** formatTimestamp, written to `o`: the time of day as one cached text, the fraction as digits. */
export function writeTimestamp(o: LineOut, ts: TsValue, opts: TimestampOptions): void {
  const nano = opts.nano === true;
  switch (opts.tsStyle) {
    case TsStyle.NONE:
      return;
    case TsStyle.EPOCH:
      if (secondsUnprintable(ts.tsSec)) return o.ascii(`${ERROR_TEXT} `);
      return o.ascii(`${((ts.tsSec % TWO_32) + TWO_32) % TWO_32}.${fraction(fracUnits(ts, nano), nano)} `);
    case TsStyle.DELTA_PREVIOUS:
      return o.ascii(delta(ts, reference(ts, opts.prevTs), nano));
    case TsStyle.DELTA_FIRST:
      return o.ascii(delta(ts, reference(ts, opts.firstTs), nano));
    case TsStyle.LOCAL_DATE_TIME:
      if (secondsUnprintable(ts.tsSec)) return o.ascii(`${ERROR_TEXT} `);
      return o.ascii(`${localDateTime(ts.tsSec)}.${fraction(fracUnits(ts, nano), nano)} `);
    default:
      if (secondsUnprintable(ts.tsSec)) return o.ascii(`${ERROR_TEXT} `);
      o.ascii(localTimeOfDay(ts.tsSec));
      o.ascii('.');
      o.uintPadded(fracUnits(ts, nano), nano ? 9 : 6);
      o.ascii(' ');
  }
}
