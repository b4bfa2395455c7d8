// HTTP/1.x syntax over byte ranges: token table, start-line shape and parse, header-line split, number parsing.
// Pure functions (their one piece of state, the string cache of internLatin1, is invisible to callers); never throws,
// never decodes more than a start line or one kept header value.

import { latin1 } from '../decode/latin1.js';

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HT = 0x09;
const COLON = 0x3a;
const SEMI = 0x3b;

/** RFC 9110 §5.6.2 tchar. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Longest method token we look for: methods in the IANA registry are at most 17 bytes. */
export const MAX_METHOD_BYTES = 32;
/** The shape of a start line is decided from at most this many leading bytes, so any split decides alike. */
const SHAPE_WINDOW_BYTES = 48;

/**
 * Methods recognised even when the rest of the request line is malformed (a missing or broken version): the IANA
 * method registry (RFC 9110 §9, WebDAV, CalDAV) plus a few seen in the wild. This is Wireshark's rule too (its HTTP
 * dissector keys on a known method followed by SP or the line end); unknown tokens need a well-formed `HTTP/x.y`.
 */
const KNOWN_METHODS = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'BIND', 'REBIND', 'UNBIND', 'ACL',
  'REPORT', 'MKWORKSPACE', 'VERSION-CONTROL', 'CHECKOUT', 'UNCHECKOUT', 'CHECKIN', 'UPDATE', 'LABEL', 'MERGE',
  'BASELINE-CONTROL', 'MKACTIVITY', 'ORDERPATCH', 'MKCALENDAR', 'MKREDIRECTREF', 'UPDATEREDIRECTREF', 'PURGE',
  'LINK', 'UNLINK', 'NOTIFY', 'POLL', 'SUBSCRIBE', 'UNSUBSCRIBE', 'CCM_POST', 'RPC_CONNECT', 'RPC_IN_DATA',
  'RPC_OUT_DATA', 'QUERY', 'PRI',
]);

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** 'no': cannot begin a start line; 'maybe': too few bytes to say; 'yes': plausible so far (the full parse decides). */
export type Shape = 'no' | 'maybe' | 'yes';

/** Can b[from..to) begin a status line `HTTP/x.y SP 3DIGIT` (RFC 9112 §4)? */
export function statusShape(b: Uint8Array, from: number, to: number): Shape {
  const end = Math.min(to, from + SHAPE_WINDOW_BYTES);
  const full = to - from >= SHAPE_WINDOW_BYTES;
  const prefix = 'HTTP/';
  let p = from;
  for (let k = 0; k < prefix.length; k++, p++) {
    if (p >= end) return full ? 'no' : 'maybe';
    if (b[p] !== prefix.charCodeAt(k)) return 'no';
  }
  for (let part = 0; part < 2; part++) {
    let digits = 0;
    while (p < end && isDigit(b[p]) && digits < 3) {
      p++;
      digits++;
    }
    if (p >= end) return full ? 'no' : 'maybe';
    if (digits === 0 || b[p] !== (part === 0 ? 0x2e : SP)) return 'no';
    p++;
  }
  while (p < end && b[p] === SP) p++;
  for (let k = 0; k < 3; k++, p++) {
    if (p >= end) return full ? 'no' : 'maybe';
    if (!isDigit(b[p])) return 'no';
  }
  if (p >= end) return full ? 'no' : 'maybe';
  const after = b[p];
  return after === SP || after === HT || after === CR || after === LF ? 'yes' : 'no';
}

/** Can b[from..to) begin a request line `method SP target ...` (RFC 9112 §3), or a bare known method? */
export function requestShape(b: Uint8Array, from: number, to: number): Shape {
  const end = Math.min(to, from + SHAPE_WINDOW_BYTES);
  const full = to - from >= SHAPE_WINDOW_BYTES;
  let p = from;
  while (p < end && TCHAR[b[p]] === 1 && p - from <= MAX_METHOD_BYTES) p++;
  const methodBytes = p - from;
  if (methodBytes === 0 || methodBytes > MAX_METHOD_BYTES) return 'no';
  if (p >= end) return full ? 'no' : 'maybe';
  const c = b[p];
  // A lone token line is a request only if it is a known method (parseRequestLine decides).
  if (c === CR || c === LF) return 'maybe';
  return c === SP ? 'yes' : 'no';
}

/**
 * Whether b[from..to) begins as a start line does beyond doubt: `HTTP/x.y SP 3DIGIT`, or a known method, a space and
 * the start of a request target (RFC 9112 §3.2: "/" origin-form, "*", "scheme://" absolute-form, or any authority
 * after CONNECT). For a line too long to parse, or never ended: such a line is HTTP that could not be read (a server
 * answers it 414, RFC 9112 §3), not a stream that is not HTTP. Any token and a space (requestShape's 'yes') is too
 * weak for that: "PUT " before binary bytes is not a request.
 */
export function startsLikeHttp(b: Uint8Array, from: number, to: number, want: 'request' | 'status' | 'either'): boolean {
  if (want !== 'request' && statusShape(b, from, to) === 'yes') return true;
  if (want === 'status') return false;
  let p = from;
  while (p < to && p - from <= MAX_METHOD_BYTES && TCHAR[b[p]] === 1) p++;
  if (p === from || p + 1 >= to || b[p] !== SP) return false;
  const method = latin1(b, from, p);
  if (!KNOWN_METHODS.has(method)) return false;
  const t = p + 1;
  const c = b[t];
  if (c === 0x2f || c === 0x2a) return true;
  if (method === 'CONNECT') return c > SP && c < 0x7f;
  // absolute-form: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://" (RFC 3986 §3.1).
  let q = t;
  while (q < to && q - t < 32 && (isAlpha(b[q]) || (q > t && (isDigit(b[q]) || b[q] === 0x2b || b[q] === 0x2d || b[q] === 0x2e)))) q++;
  return q > t && q + 3 <= to && b[q] === 0x3a && b[q + 1] === 0x2f && b[q + 2] === 0x2f;
}

/** A message found inside a segment after loss has its start line and header section within this many bytes. */
export const RESYNC_HEAD_MAX_BYTES = 8192;

/**
 * Where a message starts inside b[from..to), after loss put the parser out of sync, or -1. A segment that carries the
 * tail of a message the capture cut and then whole messages (a client writing pipelined requests, a server its
 * responses back to back) has its next message in the middle: waiting for a segment that begins with one skipped
 * them, and the next message found was paired with the wrong partner. Bytes in the middle of a stream are a body as
 * often as a message (a multipart batch of HTTP messages, a document quoting a request), so only a message beyond
 * doubt is taken: `HTTP/1.x SP 3DIGIT`, or a known method, a space, a target and ` HTTP/1.x`; then a whole header
 * section of field lines (`token:`) and its empty line, within RESYNC_HEAD_MAX_BYTES of that line's end;
 * and a response says where it ends (Content-Length or Transfer-Encoding, or a status without a body): one delimited
 * by the close would swallow every real message after it. Linear: each candidate reads at most to the next space or
 * its own line end, and the header section after a line end is read once. Only a message that
 * starts before `startsBefore` is looked for (its head may run on to `to`).
 */
export function findMessageStart(
  b: Uint8Array, from: number, to: number, want: 'request' | 'status' | 'either', startsBefore = to,
): number {
  let lf = -1;
  // The header section after the line ending at `lf`, read once for every candidate on that line.
  let framedAfter = -1;
  let framed = HEAD_INCOMPLETE;
  for (let p = from; p < startsBefore; p++) {
    const c = b[p];
    const status = want !== 'request' && c === 0x48 && statusShape(b, p, to) === 'yes';
    // Any known method followed by a space and a target, wherever it begins: a form body ending in a letter is
    // followed by the next request at once (the whole head asked for below is what rules out quoted text).
    const request = !status && want !== 'status' && c >= 0x41 && c <= 0x5a && startsLikeHttp(b, p, to, 'request');
    if (!status && !request) continue;
    if (lf < p) {
      lf = b.indexOf(LF, p);
      // No line ends after here: no start line here or later is whole.
      if (lf < 0 || lf >= to) return -1;
    }
    if (lf - p > RESYNC_HEAD_MAX_BYTES) continue;
    const lineEnd = lf > p && b[lf - 1] === CR ? lf - 1 : lf;
    const code = status ? statusLineCode(b, p, lineEnd) : isVersionedRequestLine(b, p, lineEnd) ? 0 : -1;
    if (code < 0) continue;
    if (framedAfter !== lf) {
      framedAfter = lf;
      framed = headerSectionFramed(b, lf + 1, Math.min(to, lf + 1 + RESYNC_HEAD_MAX_BYTES));
    }
    if (framed === HEAD_INCOMPLETE) continue;
    // A response must say where it ends; 1xx, 204 and 304 have no body (RFC 9112 §6.3 item 1).
    if (status && framed !== HEAD_FRAMED && !(code < 200 || code === 204 || code === 304)) continue;
    return p;
  }
  return -1;
}

/** The status of `HTTP/1.x SP 3DIGIT [SP reason]` in b[from..to), or -1 (read to the status only). */
function statusLineCode(b: Uint8Array, from: number, to: number): number {
  const p = from;
  if (to - p < 12 || b[p + 5] !== 0x31 || b[p + 6] !== 0x2e || !isDigit(b[p + 7]) || b[p + 8] !== SP) return -1;
  if (!isDigit(b[p + 9]) || !isDigit(b[p + 10]) || !isDigit(b[p + 11])) return -1;
  if (to > p + 12 && b[p + 12] !== SP) return -1;
  return (b[p + 9] - 0x30) * 100 + (b[p + 10] - 0x30) * 10 + (b[p + 11] - 0x30);
}

/**
 * `method SP target SP HTTP/1.x` exactly, the method a token (startsLikeHttp checked it is a known one): read to the
 * target's end and the version, never the whole line twice.
 */
function isVersionedRequestLine(b: Uint8Array, from: number, to: number): boolean {
  let p = from;
  while (p < to && TCHAR[b[p]] === 1) p++;
  if (p === from || p >= to || b[p] !== SP) return false;
  const targetFrom = ++p;
  while (p < to && b[p] !== SP && b[p] !== HT) p++;
  if (p === targetFrom || p + 9 !== to || b[p] !== SP) return false;
  p++;
  return b[p] === 0x48 && b[p + 1] === 0x54 && b[p + 2] === 0x54 && b[p + 3] === 0x50 && b[p + 4] === 0x2f &&
    b[p + 5] === 0x31 && b[p + 6] === 0x2e && isDigit(b[p + 7]);
}

const HEAD_INCOMPLETE = 0;
const HEAD_UNFRAMED = 1;
const HEAD_FRAMED = 2;

/**
 * Field lines from b[from] up to the empty line, all before `to`: HEAD_FRAMED when one of them is Content-Length or
 * Transfer-Encoding, HEAD_UNFRAMED without, HEAD_INCOMPLETE when a line is no field line or the section does not end.
 */
function headerSectionFramed(b: Uint8Array, from: number, to: number): number {
  let framed = false;
  let p = from;
  for (;;) {
    const lf = b.indexOf(LF, p);
    if (lf < 0 || lf >= to) return HEAD_INCOMPLETE;
    const end = lf > p && b[lf - 1] === CR ? lf - 1 : lf;
    if (end === p) return framed ? HEAD_FRAMED : HEAD_UNFRAMED;
    let q = p;
    while (q < end && TCHAR[b[q]] === 1) q++;
    if (q === p || q >= end || b[q] !== 0x3a) return HEAD_INCOMPLETE;
    if (!framed) {
      const kept = keptHeader(b, p, q);
      framed = kept === Kept.CONTENT_LENGTH || kept === Kept.TRANSFER_ENCODING;
    }
    p = lf + 1;
  }
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Either shape; 'yes' when one of them is plausible. */
export function startShape(b: Uint8Array, from: number, to: number, want: 'request' | 'status' | 'either'): Shape {
  const s = want === 'request' ? 'no' : statusShape(b, from, to);
  const r = want === 'status' ? 'no' : requestShape(b, from, to);
  if (s === 'yes' || r === 'yes') return 'yes';
  if (s === 'maybe' || r === 'maybe') return 'maybe';
  return 'no';
}

/** Bytes as a string, one char per byte (header values are octets; RFC 9110 §5.5 treats obs-text as opaque). */
export { latin1 };

/** Slots of the latin1 string cache (a power of two). */
const INTERN_SLOTS = 1024;
/** Longest string the cache keeps: methods, versions, reasons, most targets and kept header values. */
const INTERN_MAX_BYTES = 64;
const internCache: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);

/**
 * latin1(), but a string equal to one made recently is returned again instead of a new one. Header values, methods,
 * versions and targets repeat from message to message; building each anew made HTTP parsing allocate about 1 KB per
 * exchange, kept alive with the exchange. The cache is direct-mapped (FNV-1a of the bytes), verified byte by byte,
 * so it can only miss, never return a wrong string.
 */
export function internLatin1(b: Uint8Array, from: number, to: number): string {
  const n = to - from;
  if (n > INTERN_MAX_BYTES) return latin1(b, from, to);
  let h = 0x811c9dc5 ^ n;
  for (let p = from; p < to; p++) h = Math.imul(h ^ b[p], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const cached = internCache[slot];
  if (cached !== undefined && cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === b[from + i]) i++;
    if (i === n) return cached;
  }
  const made = latin1(b, from, to);
  internCache[slot] = made;
  return made;
}

const CONTROL_RE = /[\x00-\x1f\x7f]/;

/** One-line, printable form of a wire string for event texts: controls become \xNN, long strings are cut. */
export function printable(s: string, maxChars = 200): string {
  if (s.length <= maxChars && !CONTROL_RE.test(s)) return s;
  let out = s.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  if (out.length > maxChars) out = out.slice(0, maxChars) + '…';
  return out;
}

export interface RequestLine {
  method: string;
  target: string;
  /** `HTTP/1.1`, `HTTP/0.9` for a version-less `GET /path`, or the malformed word as sent ('' when missing). */
  version: string;
  http09: boolean;
  /** Accepted only because the method is a known one: the version is missing or malformed. */
  malformed: boolean;
}

export interface StatusLine {
  version: string;
  status: number;
  reason: string;
}

const VERSION_RE = /^HTTP\/\d\.\d$/;
/** Another protocol's version word (RTSP/1.0, SIP/2.0, ...): then the line is not HTTP even with a known method. */
const OTHER_PROTOCOL_RE = /^[A-Z][A-Z0-9-]*\/\d+(\.\d+)?$/;

/** Parses a request line (CR and LF already removed). Null when it is not one. RFC 9112 §3 and §2.2 (lenient
 *  whitespace), HTTP/0.9 `GET /path` (RFC 1945 §4.1 Simple-Request), known methods with a broken version. */
export function parseRequestLine(b: Uint8Array, from: number, to: number): RequestLine | null {
  return parseRequestLineFast(b, from, to) ?? parseRequestLineGeneral(b, from, to);
}

/**
 * The well-formed line `method SP target SP HTTP/d.d`, read from the bytes without building the whole line: the
 * result is what parseRequestLineGeneral gives for it (three words, the last a version). Null for anything else,
 * which the general parse then decides.
 */
function parseRequestLineFast(b: Uint8Array, from: number, to: number): RequestLine | null {
  let p = from;
  while (p < to && TCHAR[b[p]] === 1) p++;
  const methodTo = p;
  if (methodTo === from || methodTo - from > MAX_METHOD_BYTES || p >= to || b[p] !== SP) return null;
  const targetFrom = ++p;
  while (p < to && b[p] !== SP && b[p] !== HT) p++;
  const targetTo = p;
  // Exactly one space, then the eight bytes `HTTP/d.d` ending the line.
  if (targetTo === targetFrom || p + 9 !== to || b[p] !== SP) return null;
  p++;
  if (b[p] !== 0x48 || b[p + 1] !== 0x54 || b[p + 2] !== 0x54 || b[p + 3] !== 0x50 || b[p + 4] !== 0x2f ||
    !isDigit(b[p + 5]) || b[p + 6] !== 0x2e || !isDigit(b[p + 7])) {
    return null;
  }
  return {
    method: internLatin1(b, from, methodTo),
    target: internLatin1(b, targetFrom, targetTo),
    version: internLatin1(b, p, to),
    http09: false,
    malformed: false,
  };
}

/** The general request-line parse (any whitespace, HTTP/0.9, malformed versions); exported as the reference the fast
 *  path is tested against. */
export function parseRequestLineGeneral(b: Uint8Array, from: number, to: number): RequestLine | null {
  const words = latin1(b, from, to).split(/[ \t]+/).filter((w) => w.length > 0);
  if (words.length === 0) return null;
  const method = words[0];
  if (method.length > MAX_METHOD_BYTES) return null;
  for (let i = 0; i < method.length; i++) if (TCHAR[method.charCodeAt(i)] !== 1) return null;
  const last = words[words.length - 1];
  if (words.length >= 3 && VERSION_RE.test(last)) {
    return { method, target: words.slice(1, -1).join(' '), version: last, http09: false, malformed: false };
  }
  if (words.length === 2 && method === 'GET' && words[1].startsWith('/')) {
    return { method, target: words[1], version: 'HTTP/0.9', http09: true, malformed: false };
  }
  if (!KNOWN_METHODS.has(method) || OTHER_PROTOCOL_RE.test(last) && words.length >= 2 && !last.startsWith('HTTP/')) {
    return null;
  }
  const hasVersionWord = words.length >= 3 || (words.length === 2 && last.startsWith('HTTP/'));
  const target = words.length >= 3 ? words.slice(1, -1).join(' ') : words.length === 2 && !hasVersionWord ? last : '';
  return { method, target, version: hasVersionWord ? last : '', http09: false, malformed: true };
}

const STATUS_LINE_RE = /^(HTTP\/\d{1,3}\.\d{1,3}) +(\d{3})(?:[ \t](.*))?$/;

/** Parses a status line (CR and LF removed): `HTTP/x.y SP 3DIGIT [SP reason]`, RFC 9112 §4. */
export function parseStatusLine(b: Uint8Array, from: number, to: number): StatusLine | null {
  return parseStatusLineFast(b, from, to) ?? parseStatusLineGeneral(b, from, to);
}

/**
 * The common line `HTTP/d.d SP 3DIGIT [SP reason]` whose reason neither starts nor ends with a space-like byte and
 * holds no CR, read from the bytes: the result is STATUS_LINE_RE's (trim() has nothing to remove). Null otherwise.
 */
function parseStatusLineFast(b: Uint8Array, from: number, to: number): StatusLine | null {
  const p = from;
  if (to - p < 12 || b[p] !== 0x48 || b[p + 1] !== 0x54 || b[p + 2] !== 0x54 || b[p + 3] !== 0x50 || b[p + 4] !== 0x2f ||
    !isDigit(b[p + 5]) || b[p + 6] !== 0x2e || !isDigit(b[p + 7]) || b[p + 8] !== SP ||
    !isDigit(b[p + 9]) || !isDigit(b[p + 10]) || !isDigit(b[p + 11])) {
    return null;
  }
  const status = (b[p + 9] - 0x30) * 100 + (b[p + 10] - 0x30) * 10 + (b[p + 11] - 0x30);
  if (to === p + 12) return { version: internLatin1(b, p, p + 8), status, reason: '' };
  if (b[p + 12] !== SP || to === p + 13) return null;
  const reasonFrom = p + 13;
  // Bytes String.prototype.trim() would remove at either end (ASCII space-likes, NBSP): the general parse decides.
  if (!isPlainReasonEnd(b[reasonFrom]) || !isPlainReasonEnd(b[to - 1])) return null;
  for (let q = reasonFrom; q < to; q++) if (b[q] === CR) return null;
  return { version: internLatin1(b, p, p + 8), status, reason: internLatin1(b, reasonFrom, to) };
}

function isPlainReasonEnd(c: number): boolean {
  return c > 0x20 && c !== 0x7f && c !== 0x85 && c !== 0xa0;
}

/** The general status-line parse; exported as the reference the fast path is tested against. */
export function parseStatusLineGeneral(b: Uint8Array, from: number, to: number): StatusLine | null {
  const line = latin1(b, from, to);
  const m = STATUS_LINE_RE.exec(line);
  if (!m) return null;
  return { version: m[1], status: Number(m[2]), reason: (m[3] ?? '').trim() };
}

/** Header names whose values we keep (everything else is only counted). */
export const Kept = {
  CONNECTION: 0,
  KEEP_ALIVE: 1,
  CONTENT_LENGTH: 2,
  TRANSFER_ENCODING: 3,
  UPGRADE: 4,
  EXPECT: 5,
  HOST: 6,
  CONTENT_TYPE: 7,
  /** Not in any RFC (RFC 7230 Appendix A.1.2 deprecates it), but old proxies answer with it and clients act on it. */
  PROXY_CONNECTION: 8,
} as const;
const KEPT_NAMES = ['connection', 'keep-alive', 'content-length', 'transfer-encoding', 'upgrade', 'expect', 'host',
  'content-type', 'proxy-connection'].map((n) => Uint8Array.from(n, (c) => c.charCodeAt(0)));
export const KEPT_COUNT = KEPT_NAMES.length;

/** Which kept header b[from..to) names, case-insensitively (RFC 9110 §5.1), or -1. */
export function keptHeader(b: Uint8Array, from: number, to: number): number {
  const len = to - from;
  outer: for (let k = 0; k < KEPT_NAMES.length; k++) {
    const name = KEPT_NAMES[k];
    if (name.length !== len) continue;
    for (let i = 0; i < len; i++) {
      if ((b[from + i] | 0x20) !== name[i]) continue outer;
    }
    return k;
  }
  return -1;
}

export interface FieldLine {
  nameFrom: number;
  nameTo: number;
  valueFrom: number;
  valueTo: number;
  /** Whitespace between the name and the colon: RFC 9112 §5.1 forbids it; we note and tolerate it. */
  spaceBeforeColon: boolean;
}

/** Splits `name: value` (CR and LF removed); OWS around the value trimmed (RFC 9112 §5.1). Null if not a field line. */
export function splitFieldLine(b: Uint8Array, from: number, to: number): FieldLine | null {
  const out: FieldLine = { nameFrom: 0, nameTo: 0, valueFrom: 0, valueTo: 0, spaceBeforeColon: false };
  return splitFieldLineInto(b, from, to, out) ? out : null;
}

/** splitFieldLine into the caller's object (one per parser, not one per header line); false if not a field line. */
export function splitFieldLineInto(b: Uint8Array, from: number, to: number, out: FieldLine): boolean {
  const colon = b.indexOf(COLON, from);
  if (colon < 0 || colon >= to) return false;
  let nameTo = colon;
  while (nameTo > from && (b[nameTo - 1] === SP || b[nameTo - 1] === HT)) nameTo--;
  if (nameTo === from) return false;
  for (let p = from; p < nameTo; p++) if (TCHAR[b[p]] !== 1) return false;
  let valueFrom = colon + 1;
  let valueTo = to;
  while (valueFrom < valueTo && (b[valueFrom] === SP || b[valueFrom] === HT)) valueFrom++;
  while (valueTo > valueFrom && (b[valueTo - 1] === SP || b[valueTo - 1] === HT)) valueTo--;
  out.nameFrom = from;
  out.nameTo = nameTo;
  out.valueFrom = valueFrom;
  out.valueTo = valueTo;
  out.spaceBeforeColon = nameTo !== colon;
  return true;
}

/** Content-Length (RFC 9110 §8.6, RFC 9112 §6.3 item 5): a number, or why it cannot frame a body. A list of
 *  identical values (`42, 42`, also from repeated lines) is accepted as one value. */
export function parseContentLength(value: string): { bytes: number } | { error: string } {
  if (value.length <= 15 && /^\d+$/.test(value)) return { bytes: Number(value) };
  const parts = value.split(',').map((p) => p.trim());
  let bytes = -1;
  for (const part of parts) {
    if (part.startsWith('-') && /^-\d+$/.test(part)) return { error: `negative Content-Length ${printable(part, 40)}` };
    if (!/^\d+$/.test(part)) return { error: `invalid Content-Length "${printable(value, 60)}"` };
    const digits = part.replace(/^0+(?=\d)/, '');
    const n = digits.length > 16 ? Infinity : Number(digits);
    if (n > Number.MAX_SAFE_INTEGER) return { error: `Content-Length ${printable(digits, 40)} too large` };
    if (bytes >= 0 && n !== bytes) return { error: `differing Content-Length values "${printable(value, 60)}"` };
    bytes = n;
  }
  return { bytes };
}

/** Transfer-Encoding codings, lower-cased, in order (RFC 9112 §6.1). */
export function transferCodings(value: string): string[] {
  return value.split(',').map((c) => c.trim().split(';')[0].trim().toLowerCase()).filter((c) => c.length > 0);
}

/** Comma-separated header tokens, lower-cased (Connection options, RFC 9110 §7.6.1). */
export function headerTokens(value: string | null): string[] {
  if (value === null) return [];
  if (value.indexOf(',') < 0) {
    const t = value.trim().toLowerCase();
    return t.length > 0 ? [t] : [];
  }
  return value.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0);
}

/** A chunk-size line `1*HEXDIG [chunk-ext]` (RFC 9112 §7.1.1), CR and LF removed: the size, or why not. Sizes
 *  beyond 2^53-1 are refused: no body that large can be counted exactly, and a wrapped size would desynchronise. */
export function parseChunkSize(b: Uint8Array, from: number, to: number): { bytes: number; ext: boolean } | { error: string } {
  let p = from;
  let bytes = 0;
  let digits = 0;
  for (; p < to; p++) {
    const c = b[p];
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x61 + 10;
    else break;
    bytes = bytes * 16 + d;
    digits++;
    if (bytes > Number.MAX_SAFE_INTEGER) return { error: 'chunk size overflows 2^53' };
  }
  if (digits === 0) return { error: `invalid chunk size line "${printable(latin1(b, from, Math.min(to, from + 40)), 40)}"` };
  while (p < to && (b[p] === SP || b[p] === HT)) p++;
  if (p === to) return { bytes, ext: false };
  if (b[p] !== SEMI) return { error: `invalid chunk size line "${printable(latin1(b, from, Math.min(to, from + 40)), 40)}"` };
  return { bytes, ext: true };
}
