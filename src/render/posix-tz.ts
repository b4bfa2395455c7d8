// A POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30") read as glibc's tzset.c reads it, and the UTC
// offset it gives at a UTC instant as glibc's __tz_compute gives it. Pure: must not read the environment or files.

/**
 * One of glibc's two tz_rule entries (tzset.c): [0] standard time and the change to DST, [1] DST and the change back.
 * `type` is glibc's enum: 0 J0 ("n", zero-based day of year), 1 J1 ("Jn", 1-based, February 29 never counted),
 * 2 M ("Mm.w.d"). A rule glibc failed to parse keeps what it had set before failing (zeroes otherwise), as there.
 */
export interface PosixTzRule {
  /** The zone abbreviation ("" when glibc found none). Not used for the offset. */
  name: string;
  /** Seconds east of UTC. */
  offset: number;
  type: 0 | 1 | 2;
  m: number;
  n: number;
  d: number;
  /** Time of day of the change, seconds after local midnight (may be negative or beyond 24 h). */
  secs: number;
}

/** glibc's tz_rules after __tzset_parse_tz: plain data (a worker thread receives it by structured clone). */
export interface PosixTz {
  std: PosixTzRule;
  dst: PosixTzRule;
}

const J0 = 0;
const J1 = 1;
const M = 2;
const SECSPERDAY = 86400;

const emptyRule = (): PosixTzRule => ({ name: '', offset: 0, type: J0, m: 0, n: 0, d: 0, secs: 0 });

/** What glibc uses when TZ is empty or names neither a zone file nor a parsable string: UTC. */
export const UTC_TZ: PosixTz = Object.freeze({
  std: Object.freeze({ ...emptyRule(), name: 'UTC' }),
  dst: Object.freeze({ ...emptyRule(), name: 'UTC' }),
}) as PosixTz;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
/** C isspace in the C locale. */
const isSpace = (c: string | undefined): boolean => c === ' ' || (c !== undefined && c >= '\t' && c <= '\r');

const ULONG_MAX = (1n << 64n) - 1n;

/**
 * One sscanf "%hu" at s[i]: leading white space, an optional sign, digits; the value as strtoul gives it (a minus
 * negates modulo 2^64, overflow saturates), truncated to unsigned short. null: nothing converted.
 */
function scanHu(s: string, i: number): { value: number; end: number } | null {
  let p = i;
  while (isSpace(s[p])) p++;
  let negative = false;
  if (s[p] === '+' || s[p] === '-') negative = s[p++] === '-';
  const start = p;
  while (isDigit(s[p])) p++;
  if (p === start) return null;
  let v = BigInt(s.slice(start, p));
  if (v > ULONG_MAX) v = ULONG_MAX;
  else if (negative) v = (ULONG_MAX + 1n - v) & ULONG_MAX;
  return { value: Number(v & 0xffffn), end: p };
}

/**
 * sscanf(s + i, "%hu%n:%hu%n:%hu%n", …) as tzset.c calls it: how many numbers were converted, each one (undefined
 * when not reached) and the index after the last one converted (i when none).
 */
function scanTime(s: string, i: number): { count: number; hh?: number; mm?: number; ss?: number; end: number } {
  const h = scanHu(s, i);
  if (h === null) return { count: 0, end: i };
  if (s[h.end] !== ':') return { count: 1, hh: h.value, end: h.end };
  const m = scanHu(s, h.end + 1);
  if (m === null) return { count: 1, hh: h.value, end: h.end };
  if (s[m.end] !== ':') return { count: 2, hh: h.value, mm: m.value, end: m.end };
  const sec = scanHu(s, m.end + 1);
  if (sec === null) return { count: 2, hh: h.value, mm: m.value, end: m.end };
  return { count: 3, hh: h.value, mm: m.value, ss: sec.value, end: sec.end };
}

/** tzset.c compute_offset: minutes and seconds capped at 59, hours at 24. */
function computeOffset(ss: number, mm: number, hh: number): number {
  return Math.min(ss, 59) + Math.min(mm, 59) * 60 + Math.min(hh, 24) * 3600;
}

/** The parse state, advanced as tzset.c advances its `tz` pointer. */
interface Cursor {
  s: string;
  i: number;
}

/** tzset.c parse_tzname: three or more ASCII letters, or <…> holding three or more of [A-Za-z0-9+-]. */
function parseTzname(c: Cursor, rule: PosixTzRule): boolean {
  let p = c.i;
  while (isAlpha(c.s[p])) p++;
  let start = c.i;
  let len = p - start;
  if (len < 3) {
    p = c.i;
    if (c.s[p++] !== '<') return false;
    start = p;
    while (isAlpha(c.s[p]) || isDigit(c.s[p]) || c.s[p] === '+' || c.s[p] === '-') p++;
    len = p - start;
    if (c.s[p++] !== '>' || len < 3) return false;
  }
  rule.name = c.s.slice(start, start + len);
  c.i = p;
  return true;
}

/** tzset.c parse_offset: [+-]hh[:mm[:ss]], west positive (POSIX); DST defaults to standard + 1 h. */
function parseOffset(c: Cursor, which: 0 | 1, tz: PosixTz): boolean {
  let p = c.i;
  const ch = c.s[p];
  if (which === 0 && (ch === undefined || (ch !== '+' && ch !== '-' && !isDigit(ch)))) return false;
  let sign = -1;
  if (ch === '+' || ch === '-') {
    sign = ch === '-' ? 1 : -1;
    p++;
  }
  c.i = p;
  const t = scanTime(c.s, p);
  if (t.count > 0) {
    (which === 0 ? tz.std : tz.dst).offset = sign * computeOffset(t.ss ?? 0, t.mm ?? 0, t.hh!);
  } else if (which === 0) {
    tz.std.offset = 0;
    return false;
  } else {
    tz.dst.offset = tz.std.offset + 3600;
  }
  c.i = t.end;
  return true;
}

/**
 * tzset.c parse_rule: ",date[/time]" with date Jn (1..365), n (0..365) or Mm.w.d, time [-]hh[:mm[:ss]] (glibc: no
 * range limit, default 02:00). An empty rule is glibc's built-in US default, M3.2.0 then M11.1.0 (what glibc uses when
 * no posixrules file is installed). Fields set before a failure stay set, as in glibc.
 */
function parseRule(c: Cursor, rule: PosixTzRule, which: 0 | 1): boolean {
  const s = c.s;
  let p = c.i;
  if (s[p] === ',') p++;
  if (s[p] === 'J' || isDigit(s[p])) {
    rule.type = s[p] === 'J' ? J1 : J0;
    if (rule.type === J1 && !isDigit(s[++p])) return false;
    // strtoul after the checks above: digits only, no sign or white space can start here.
    let end = p;
    while (isDigit(s[end])) end++;
    const d = Number(s.slice(p, end));
    if (d > 365) return false;
    if (rule.type === J1 && d === 0) return false;
    rule.d = d;
    p = end;
  } else if (s[p] === 'M') {
    rule.type = M;
    // sscanf "M%hu.%hu.%hu%n": each field assigned as it converts.
    const m = scanHu(s, p + 1);
    if (m === null) return false;
    rule.m = m.value;
    if (s[m.end] !== '.') return false;
    const n = scanHu(s, m.end + 1);
    if (n === null) return false;
    rule.n = n.value;
    if (s[n.end] !== '.') return false;
    const d = scanHu(s, n.end + 1);
    if (d === null) return false;
    rule.d = d.value;
    if (rule.m < 1 || rule.m > 12 || rule.n < 1 || rule.n > 5 || rule.d > 6) return false;
    p = d.end;
  } else if (p >= s.length) {
    rule.type = M;
    rule.m = which === 0 ? 3 : 11;
    rule.n = which === 0 ? 2 : 1;
    rule.d = 0;
  } else {
    return false;
  }
  if (p < s.length && s[p] !== '/' && s[p] !== ',') return false;
  if (s[p] === '/') {
    p++;
    if (p >= s.length) return false;
    const negative = s[p] === '-';
    if (negative) p++;
    const t = scanTime(s, p);
    p = t.end;
    rule.secs = (negative ? -1 : 1) * ((t.hh ?? 2) * 3600 + (t.mm ?? 0) * 60 + (t.ss ?? 0));
  } else {
    rule.secs = 2 * 3600;
  }
  c.i = p;
  return true;
}

/**
 * Reads a TZ value (without glibc's optional leading ':') as glibc's __tzset_parse_tz does: std offset [dst [offset]
 * [,rule,rule]] (POSIX.1-2017 XBD 8.3 with glibc's extensions). null when glibc would find no standard name and
 * offset (it then uses UTC), or when a half-parsed M rule of a zone with DST was left with a month glibc would look up
 * outside its month table (undefined behaviour there). Text after the second rule is ignored, as glibc ignores it.
 */
export function parsePosixTz(text: string): PosixTz | null {
  const tz: PosixTz = { std: emptyRule(), dst: emptyRule() };
  const c: Cursor = { s: text, i: 0 };
  if (!parseTzname(c, tz.std) || !parseOffset(c, 0, tz)) return null;
  if (c.i < text.length) {
    if (parseTzname(c, tz.dst)) {
      parseOffset(c, 1, tz);
      // glibc would first try the posixrules file here; without one it goes on to the built-in rule.
    }
    if (parseRule(c, tz.std, 0)) parseRule(c, tz.dst, 1);
  } else {
    tz.dst.name = tz.std.name;
    tz.dst.offset = tz.std.offset;
  }
  // With equal offsets the changes never matter; otherwise glibc would index __mon_yday with month 0 or 13.
  if (posixTzHasDst(tz) && [tz.std, tz.dst].some((r) => r.type === M && (r.m < 1 || r.m > 12))) return null;
  return tz;
}

/** Whether a rule ever leaves standard time (glibc's `daylight`: the two offsets differ). */
export function posixTzHasDst(tz: PosixTz): boolean {
  return tz.std.offset !== tz.dst.offset;
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** glibc's __mon_yday[leap]: days before each month, index 0..12. */
const MON_YDAY = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

/**
 * tzset.c compute_change: the UTC instant of the rule's change in `year`. Copies glibc, including its base of
 * January 1 1970 for every year up to 1970 (so years before 1970 change on 1970's days, with their own weekday and
 * leap year), C's truncating division in Zeller's congruence, and the change at `secs` local time of the rule's own
 * offset (standard time for the start of DST, DST for its end).
 */
function computeChange(rule: PosixTzRule, year: number): number {
  let t = 0;
  if (year > 1970) {
    t = ((year - 1970) * 365
      + (Math.floor((year - 1) / 4) - Math.floor(1970 / 4))
      - (Math.floor((year - 1) / 100) - Math.floor(1970 / 100))
      + (Math.floor((year - 1) / 400) - Math.floor(1970 / 400))) * SECSPERDAY;
  }
  const leap = isLeap(year) ? 1 : 0;
  switch (rule.type) {
    case J1:
      t += (rule.d - 1) * SECSPERDAY;
      if (rule.d >= 60 && leap) t += SECSPERDAY;
      break;
    case J0:
      t += rule.d * SECSPERDAY;
      break;
    default: {
      const myday = MON_YDAY[leap];
      t += myday[rule.m - 1] * SECSPERDAY;
      const m1 = ((rule.m + 9) % 12) + 1;
      const yy0 = rule.m <= 2 ? year - 1 : year;
      const yy1 = Math.trunc(yy0 / 100);
      const yy2 = yy0 % 100;
      let dow = (Math.trunc((26 * m1 - 2) / 10) + 1 + yy2 + Math.trunc(yy2 / 4) + Math.trunc(yy1 / 4) - 2 * yy1) % 7;
      if (dow < 0) dow += 7;
      let d = rule.d - dow;
      if (d < 0) d += 7;
      for (let i = 1; i < rule.n; i++) {
        if (d + 7 >= myday[rule.m] - myday[rule.m - 1]) break;
        d += 7;
      }
      t += d * SECSPERDAY;
    }
  }
  return t - rule.offset + rule.secs;
}

/** The proleptic Gregorian year of a UTC instant (H. Hinnant's civil_from_days, year only). */
function utcYear(sec: number): number {
  const z = Math.floor(sec / SECSPERDAY) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

// glibc keeps each rule's change for the last year asked (computed_for); here one slot for the last zone and year.
let cachedTz: PosixTz | null = null;
let cachedYear = NaN;
let cachedStart = 0;
let cachedEnd = 0;

/**
 * Seconds east of UTC at UTC instant `sec` (integer seconds), as glibc's __tz_compute decides it: both changes are
 * computed for the UTC year of `sec`; DST is on from the start change (inclusive) to the end change (exclusive), or,
 * when the end comes first in the year (southern hemisphere), outside [end, start).
 */
export function posixTzOffset(tz: PosixTz, sec: number): number {
  if (tz.std.offset === tz.dst.offset) return tz.std.offset;
  const year = utcYear(sec);
  if (tz !== cachedTz || year !== cachedYear) {
    cachedStart = computeChange(tz.std, year);
    cachedEnd = computeChange(tz.dst, year);
    cachedTz = tz;
    cachedYear = year;
  }
  const isDst = cachedStart > cachedEnd ? sec < cachedEnd || sec >= cachedStart : sec >= cachedStart && sec < cachedEnd;
  return isDst ? tz.dst.offset : tz.std.offset;
}
