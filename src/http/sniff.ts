// Names what a connection carries when it is not HTTP/1.x, from the first bytes of each direction: TLS (RFC 8446 §4
// and §5.1, RFC 5246 §6.2) with the version, server name (RFC 6066 §3) and ALPN (RFC 7301 §3.1) of its hellos, or
// SSH (RFC 4253 §4.2) with each side's identification string. Reads a bounded prefix only, never throws on content,
// and decides nothing about HTTP (classify.ts uses it only for a connection with no HTTP start line).

import { printable } from './syntax.js';

/** What the first bytes of one direction showed. */
export type DirectionProtocol =
  | {
      kind: 'tls-client-hello';
      /** Highest version offered: supported_versions (RFC 8446 §4.2.1) when present, else legacy_version. */
      offered: number;
      serverName: string | null;
      alpn: string[];
    }
  | {
      kind: 'tls-server-hello';
      /** The version chosen: supported_versions' selected_version when present, else legacy_version. */
      chosen: number;
      alpn: string | null;
    }
  /** A TLS record that is not a hello at the start (the capture began after the handshake, or a HelloRetry...). */
  | { kind: 'tls-record'; version: number }
  | { kind: 'ssh'; banner: string };

/** The connection's protocol as both directions showed it (HttpSummary.otherProtocol). */
export interface OtherProtocol {
  name: 'TLS' | 'SSH';
  /** TLS: the version the server chose ("TLS 1.3"), null without its hello. SSH: the protocol version ("2.0"). */
  version: string | null;
  /** TLS: the highest version the client offered, null without its hello. */
  offeredVersion: string | null;
  /** TLS: the server name the client asked for (SNI). */
  serverName: string | null;
  /** TLS: the application protocols the client offered, and the one the server chose (ALPN). */
  alpnOffered: string[];
  alpn: string | null;
  /** SSH: the identification strings, client's then server's (those seen). TLS: none. */
  banners: string[];
}

/**
 * Bytes kept per direction at most while undecided: a TLS record's header and the largest record body allowed
 * (2^14, RFC 8446 §5.1). A hello longer than its first record is read as far as that record goes.
 */
const MAX_SNIFF_BYTES = 5 + 16384;
/** RFC 4253 §4.2: the identification string is at most 255 characters with its CR LF. */
const MAX_SSH_LINE = 255;

const TLS_HANDSHAKE = 22;
const HELLO_CLIENT = 1;
const HELLO_SERVER = 2;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const EXT_SUPPORTED_VERSIONS = 43;

/** Version name of a TLS/SSL wire version (RFC 8446 Appendix B.2 style numbers). */
export function tlsVersionName(v: number): string {
  if (v === 0x0300) return 'SSL 3.0';
  if (v >= 0x0301 && v <= 0x0304) return `TLS 1.${v - 0x0301}`;
  return `0x${v.toString(16).padStart(4, '0')}`;
}

/** Whether a TLS record header (content type, version) may start at bytes[0..2]. */
function tlsRecordStart(b0: number, b1: number, b2: number): boolean {
  return b0 >= 20 && b0 <= 23 && b1 === 3 && b2 <= 4;
}

/**
 * One direction's sniffer: feed it the direction's in-order bytes from stream offset 0; it keeps a prefix until it
 * can tell, then only its result. Anything but a contiguous start (a gap, a first offset other than 0) ends it.
 */
export class DirectionSniffer {
  private buf: Uint8Array | null = null;
  private len = 0;
  private done = false;
  result: DirectionProtocol | null = null;

  /** Decided: result holds what was found (or null), and no more bytes are kept. */
  get decided(): boolean {
    return this.done;
  }

  /** Bytes of the direction at stream offset `offset`. Cheap once decided (most HTTP decides on its first byte). */
  data(bytes: Uint8Array, offset: number): void {
    if (this.done) return;
    if (offset !== this.len || bytes.length === 0) {
      if (offset !== this.len) this.finish();
      return;
    }
    if (this.len === 0) {
      const b0 = bytes[0]!;
      // Neither a TLS record (20-23) nor "SSH-": decided at once, nothing kept.
      if (!(b0 >= 20 && b0 <= 23) && b0 !== 0x53) {
        this.finish();
        return;
      }
    }
    const want = Math.min(MAX_SNIFF_BYTES - this.len, bytes.length);
    if (this.buf === null) this.buf = new Uint8Array(Math.min(MAX_SNIFF_BYTES, Math.max(512, want)));
    if (this.len + want > this.buf.length) {
      const grown = new Uint8Array(Math.min(MAX_SNIFF_BYTES, Math.max(this.buf.length * 2, this.len + want)));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(bytes.subarray(0, want), this.len);
    this.len += want;
    this.decide(this.len >= MAX_SNIFF_BYTES);
  }

  /** No more bytes will come in order (gap, end): decides on what was kept. */
  end(): void {
    if (!this.done) this.decide(true);
  }

  private finish(): void {
    this.done = true;
    this.buf = null;
  }

  /** Decides when the prefix is enough (or `final`: all there will be). */
  private decide(final: boolean): void {
    const b = this.buf!;
    const n = this.len;
    if (n >= 1 && b[0] === 0x53) {
      const need = [0x53, 0x53, 0x48, 0x2d]; // "SSH-"
      for (let i = 0; i < need.length && i < n; i++) {
        if (b[i] !== need[i]) return this.finish();
      }
      if (n < need.length) {
        if (final) this.finish();
        return;
      }
      let lf = -1;
      for (let i = 4; i < n && i < MAX_SSH_LINE; i++) {
        if (b[i] === 0x0a) {
          lf = i;
          break;
        }
      }
      if (lf < 0 && !final && n < MAX_SSH_LINE) return;
      let end = lf < 0 ? Math.min(n, MAX_SSH_LINE) : lf;
      if (end > 0 && b[end - 1] === 0x0d) end--;
      this.result = { kind: 'ssh', banner: printable(latin1(b, 0, end), 120) };
      return this.finish();
    }
    if (n < 5) {
      if (final) this.finish();
      return;
    }
    if (!tlsRecordStart(b[0]!, b[1]!, b[2]!)) return this.finish();
    const recordVersion = (b[1]! << 8) | b[2]!;
    const recordLen = (b[3]! << 8) | b[4]!;
    const recordEnd = 5 + recordLen;
    if (n < recordEnd && !final) return;
    const end = Math.min(n, recordEnd);
    this.result = (b[0] === TLS_HANDSHAKE ? readHello(b, 5, end) : null) ?? { kind: 'tls-record', version: recordVersion };
    this.finish();
  }
}

/** Reads a bounded byte cursor: every read checks its end and says so by returning -1 (nothing here throws). */
class Cursor {
  constructor(
    readonly b: Uint8Array,
    public at: number,
    readonly end: number,
  ) {}

  u8(): number {
    if (this.at + 1 > this.end) return -1;
    return this.b[this.at++]!;
  }

  u16(): number {
    if (this.at + 2 > this.end) return -1;
    const v = (this.b[this.at]! << 8) | this.b[this.at + 1]!;
    this.at += 2;
    return v;
  }

  u24(): number {
    if (this.at + 3 > this.end) return -1;
    const v = (this.b[this.at]! << 16) | (this.b[this.at + 1]! << 8) | this.b[this.at + 2]!;
    this.at += 3;
    return v;
  }

  skip(n: number): boolean {
    if (n < 0 || this.at + n > this.end) return false;
    this.at += n;
    return true;
  }
}

/** A ClientHello or ServerHello at b[from..end) (a handshake message, RFC 8446 §4), or null when it is neither. */
function readHello(b: Uint8Array, from: number, end: number): DirectionProtocol | null {
  const c = new Cursor(b, from, end);
  const type = c.u8();
  const bodyLen = c.u24();
  if ((type !== HELLO_CLIENT && type !== HELLO_SERVER) || bodyLen < 0) return null;
  // A hello longer than the bytes kept is read as far as they go.
  const body = new Cursor(b, c.at, Math.min(end, c.at + bodyLen));
  const legacyVersion = body.u16();
  if (legacyVersion < 0 || (legacyVersion >> 8) !== 3) return null;
  if (!body.skip(32)) return partial(type, legacyVersion);
  const sessionLen = body.u8();
  if (sessionLen < 0 || !body.skip(sessionLen)) return partial(type, legacyVersion);
  if (type === HELLO_CLIENT) {
    const suitesLen = body.u16();
    if (suitesLen < 0 || !body.skip(suitesLen)) return partial(type, legacyVersion);
    const compressionLen = body.u8();
    if (compressionLen < 0 || !body.skip(compressionLen)) return partial(type, legacyVersion);
  } else {
    if (!body.skip(3)) return partial(type, legacyVersion); // cipher_suite, legacy_compression_method
  }
  const hello = type === HELLO_CLIENT
    ? { kind: 'tls-client-hello' as const, offered: legacyVersion, serverName: null as string | null, alpn: [] as string[] }
    : { kind: 'tls-server-hello' as const, chosen: legacyVersion, alpn: null as string | null };
  const extLen = body.u16();
  if (extLen < 0) return hello;
  const exts = new Cursor(b, body.at, Math.min(body.end, body.at + extLen));
  for (;;) {
    const extType = exts.u16();
    const len = exts.u16();
    if (extType < 0 || len < 0) break;
    const ext = new Cursor(b, exts.at, Math.min(exts.end, exts.at + len));
    if (!exts.skip(len)) exts.at = exts.end;
    if (hello.kind === 'tls-client-hello') {
      if (extType === EXT_SERVER_NAME) hello.serverName = readServerName(ext);
      else if (extType === EXT_ALPN) hello.alpn = readAlpn(ext);
      else if (extType === EXT_SUPPORTED_VERSIONS) {
        const listLen = ext.u8();
        const list = new Cursor(b, ext.at, Math.min(ext.end, ext.at + Math.max(0, listLen)));
        for (let v = list.u16(); v >= 0; v = list.u16()) {
          // GREASE values (RFC 8701: 0x?a?a) are not versions.
          if ((v & 0x0f0f) === 0x0a0a) continue;
          if ((v >> 8) === 3 && v > hello.offered) hello.offered = v;
        }
      }
    } else {
      if (extType === EXT_SUPPORTED_VERSIONS) {
        const v = ext.u16();
        if (v >= 0) hello.chosen = v;
      } else if (extType === EXT_ALPN) {
        const list = readAlpn(ext);
        if (list.length > 0) hello.alpn = list[0]!;
      }
    }
  }
  // A HelloRetryRequest (RFC 8446 §4.1.4) is a ServerHello in form, and names the chosen version all the same.
  return hello;
}

function partial(type: number, legacyVersion: number): DirectionProtocol {
  return type === HELLO_CLIENT
    ? { kind: 'tls-client-hello', offered: legacyVersion, serverName: null, alpn: [] }
    : { kind: 'tls-server-hello', chosen: legacyVersion, alpn: null };
}

/** RFC 6066 §3: the first host_name (type 0) of the ServerNameList. */
function readServerName(ext: Cursor): string | null {
  const listLen = ext.u16();
  if (listLen < 0) return null;
  const list = new Cursor(ext.b, ext.at, Math.min(ext.end, ext.at + listLen));
  for (;;) {
    const nameType = list.u8();
    const len = list.u16();
    if (nameType < 0 || len < 0) return null;
    const at = list.at;
    if (!list.skip(len)) return null;
    if (nameType === 0) return printable(latin1(ext.b, at, at + len), 255);
  }
}

/** RFC 7301 §3.1: ProtocolNameList, each name one length byte and its bytes. */
function readAlpn(ext: Cursor): string[] {
  const out: string[] = [];
  const listLen = ext.u16();
  if (listLen < 0) return out;
  const list = new Cursor(ext.b, ext.at, Math.min(ext.end, ext.at + listLen));
  // A dozen names is more than any client sends; the cap keeps a crafted list from filling the report.
  while (out.length < 16) {
    const len = list.u8();
    if (len < 0) break;
    const at = list.at;
    if (!list.skip(len)) break;
    out.push(printable(latin1(list.b, at, at + len), 40));
  }
  return out;
}

function latin1(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** The connection's protocol from what its two directions showed (client direction first), or null. */
export function otherProtocolOf(client: DirectionProtocol | null, server: DirectionProtocol | null): OtherProtocol | null {
  const sides = [client, server];
  if (sides.some((s) => s !== null && s.kind === 'ssh')) {
    const banners: string[] = [];
    let version: string | null = null;
    for (const s of sides) {
      if (s === null || s.kind !== 'ssh') continue;
      banners.push(s.banner);
      // "SSH-protoversion-softwareversion" (RFC 4253 §4.2).
      const m = /^SSH-([^-\s]+)-/.exec(s.banner);
      if (version === null && m !== null) version = m[1]!;
    }
    return { name: 'SSH', version, offeredVersion: null, serverName: null, alpnOffered: [], alpn: null, banners };
  }
  if (!sides.some((s) => s !== null)) return null;
  const out: OtherProtocol = { name: 'TLS', version: null, offeredVersion: null, serverName: null, alpnOffered: [], alpn: null, banners: [] };
  for (const s of sides) {
    if (s === null) continue;
    if (s.kind === 'tls-client-hello') {
      out.offeredVersion = tlsVersionName(s.offered);
      out.serverName = s.serverName;
      out.alpnOffered = s.alpn;
    } else if (s.kind === 'tls-server-hello') {
      out.version = tlsVersionName(s.chosen);
      out.alpn = s.alpn;
    }
  }
  return out;
}
