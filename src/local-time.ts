// Which local time packet lines print (default timestamps and -tttt), decided once from TZ as glibc's tzset.c decides
// it: used by the CLI, and exported for library callers who print lines as tcpdump does (useTcpdumpLocalTime).
// Must not format anything: it only picks the rule that render/timestamp.ts is given (setLocalTimeRule).

import { closeSync, openSync, readSync } from 'node:fs';
import { parsePosixTz, UTC_TZ, type PosixTz } from './render/posix-tz.js';
import { setLocalTimeRule } from './render/timestamp.js';

/** Where glibc looks up a relative TZ when TZDIR is unset or empty (its built-in TZDIR). */
const DEFAULT_TZDIR = '/usr/share/zoneinfo';

/** What the decision needs to know about the machine; injectable for tests. */
export interface ZoneLookup {
  /** Whether `name` is a zone file glibc would load (tzfile.c __tzfile_read: a TZif file, absolute or under TZDIR). */
  isZoneFile(name: string, tzdir: string | undefined): boolean;
  /** Whether the runtime's ICU knows `name` as a time zone. */
  icuKnows(name: string): boolean;
}

/**
 * The rule for setLocalTimeRule: null keeps the runtime's time zone (ICU, reading TZ itself).
 * glibc (tzset.c tzset_internal): TZ unset, the system default (ICU reads the same /etc/localtime); TZ empty, UTC
 * ("Universal"); one leading ':' is dropped, then a zone file of that name wins (ICU reads zone names too); otherwise
 * the POSIX string (__tzset_parse_tz); a value that neither names a file nor parses is UTC to glibc, and kept for
 * ICU only when ICU knows it (a machine without zone files, where ICU still knows "Asia/Tokyo").
 */
export function localTimeFor(env: Record<string, string | undefined>, lookup: ZoneLookup = MACHINE_ZONES): PosixTz | null {
  let tz = env.TZ;
  if (tz === undefined) return null;
  if (tz === '') return UTC_TZ;
  if (tz.startsWith(':')) tz = tz.slice(1);
  if (tz === '') return UTC_TZ;
  if (lookup.isZoneFile(tz, env.TZDIR)) return null;
  const rule = parsePosixTz(tz);
  if (rule !== null) return rule;
  return lookup.icuKnows(tz) ? null : UTC_TZ;
}

/** The zone files and ICU of this machine. */
export const MACHINE_ZONES: ZoneLookup = {
  isZoneFile(name, tzdir) {
    const path = name.startsWith('/') ? name : `${tzdir === undefined || tzdir === '' ? DEFAULT_TZDIR : tzdir}/${name}`;
    let fd: number | null = null;
    try {
      fd = openSync(path, 'r');
      const magic = Buffer.alloc(4);
      return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === 'TZif';
    } catch {
      return false;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  },
  icuKnows(name) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * For library callers: packet lines then show local time as tcpdump (glibc) reads this environment's TZ, POSIX
 * strings Node's ICU does not know included (`CET-1CEST,M3.5.0,M10.5.0/3`), as the CLI does. Process-wide.
 */
export function useTcpdumpLocalTime(env: Record<string, string | undefined> = process.env): void {
  setLocalTimeRule(localTimeFor(env));
}
