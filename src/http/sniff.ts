// Names what a connection carries when it is not HTTP/1.x, from the first bytes of each direction: TLS (RFC 8446 §4
// and §5.1, RFC 5246 §6.2) with the version, server name (RFC 6066 §3) and ALPN (RFC 7301 §3.1) of its hellos or
// the alert that refused them, or SSH (RFC 4253 §4.2) with each side's identification string. Reads a bounded prefix
// only, never throws on content, and decides nothing about HTTP (classify.ts uses it only when no start line was seen).

/** What the first bytes of one direction showed. */
export type DirectionProtocol =
  | {
      kind: 'tls-client-hello';
      /**
       * Highest version offered: supported_versions when present (RFC 8446 §4.2.1: legacy_version is then ignored),
       * else legacy_version; null when the capture cut the hello before its extensions could say.
       */
      offered: number | null;
      serverName: string | null;
      alpn: string[];
      /** The hello was cut short (snap length, loss, capture end): fields it did not reach are null or empty. */
      cut: boolean;
    }
  | {
      kind: 'tls-server-hello';
      /** The version chosen: supported_versions' selected_version when present, else legacy_version; null when cut. */
      chosen: number | null;
      alpn: string | null;
      cut: boolean;
    }
  /** A TLS alert as the first record (in the clear: sent before any key was agreed), e.g. a refused hello. */
  | { kind: 'tls-alert'; level: number; description: number }
  /** A TLS record at the start that is not a whole hello (the capture began after the handshake, or cut it). */
  | { kind: 'tls-record'; version: number }
  | { kind: 'ssh'; banner: string };

/** The connection's protocol as both directions showed it (HttpSummary.otherProtocol). */
export interface OtherProtocol {
  name: 'TLS' | 'SSH';
  /**
   * TLS: the version the server chose ("TLS 1.3"), null without its hello. SSH: the protocol version, the server's
   * when seen ("2.0"; a client's "1.99" means 2.0 compatible, RFC 4253 §5.1).
   */
  version: string | null;
  /** TLS: the highest version the client offered, null without its hello (or when the capture cut it before). */
  offeredVersion: string | null;
  /** TLS: the server name the client asked for (SNI). */
  serverName: string | null;
  /** TLS: the application protocols the client offered, and the one the server chose (ALPN; GREASE left out). */
  alpnOffered: string[];
  alpn: string | null;
  /** TLS: an alert sent in the clear instead of (or after) a hello, e.g. "server: protocol_version (70)". */
  alert: string | null;
  /** TLS: a hello the capture cut short; what it did not reach is null or empty. */
  helloCut: boolean;
  /** SSH: each side's identification string, null when that side's is not in the capture. */
  clientBanner: string | null;
  serverBanner: string | null;
}

/**
 * Handshake bytes kept per direction at most while undecided: a hello is rarely past a few kilobytes (post-quantum
 * key shares make a ClientHello about 1.8 KB), and its records may split it (RFC 8446 §5.1). Past this it is read as
 * far as it goes.
 */
const MAX_HANDSHAKE_BYTES = 16384;
/** The records that carry them: each adds a 5-byte header; a record body is at most 2^14 (+ 2048 for TLS 1.2). */
const MAX_SNIFF_BYTES = MAX_HANDSHAKE_BYTES + 5 * 64 + 2048;
/** RFC 4253 §4.2: the identification string is at most 255 characters with its CR LF. */
const MAX_SSH_LINE = 255;

const TLS_ALERT = 21;
const TLS_HANDSHAKE = 22;
const HELLO_CLIENT = 1;
const HELLO_SERVER = 2;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const EXT_SUPPORTED_VERSIONS = 43;

/** Version name of a TLS/SSL wire version, as tshark names them (drafts of TLS 1.3 are 0x7f00 + draft number). */
export function tlsVersionName(v: number): string {
  if (v === 0x0300) return 'SSL 3.0';
  if (v >= 0x0301 && v <= 0x0304) return `TLS 1.${v - 0x0301}`;
  if ((v & 0xff00) === 0x7f00) return `TLS 1.3 (draft ${v & 0xff})`;
  return `TLS 0x${v.toString(16).padStart(4, '0')}`;
}

/** RFC 8446 §6 alert names, for the alerts a refused or failed handshake sends. */
const ALERT_NAMES: Record<number, string> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow', 40: 'handshake_failure',
  42: 'bad_certificate', 43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired',
  46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 109: 'missing_extension', 110: 'unsupported_extension',
  112: 'unrecognized_name', 113: 'bad_certificate_status_response', 115: 'unknown_psk_identity',
  116: 'certificate_required', 120: 'no_application_protocol',
};

export function tlsAlertName(description: number): string {
  return `${ALERT_NAMES[description] ?? 'alert'} (${description})`;
}

/** Whether a direction's first byte could start what the sniffer names: a TLS record (types 20-23) or "SSH-". */
export function mayStartOtherProtocol(b0: number): boolean {
  return (b0 >= 20 && b0 <= 23) || b0 === 0x53;
}

/** Whether a TLS record header (content type, version) may start at bytes[0..2]. */
function tlsRecordStart(b0: number, b1: number, b2: number): boolean {
  return b0 >= 20 && b0 <= 23 && b1 === 3 && b2 <= 4;
}

/** RFC 8701 §2: GREASE values are 0x?a?a, both bytes alike (versions, and 2-byte ALPN identifiers). */
function isGrease(hi: number, lo: number): boolean {
  return hi === lo && (hi & 0x0f) === 0x0a;
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
    if (offset !== this.len) {
      // A gap before these bytes: decide on what came before it.
      this.decide(true);
      return;
    }
    if (bytes.length === 0) return;
    if (this.len === 0) {
      const b0 = bytes[0]!;
      // Neither a TLS record (20-23) nor "SSH-": decided at once, nothing kept.
      if (!mayStartOtherProtocol(b0)) {
        this.finish();
        return;
      }
    }
    const want = Math.min(MAX_SNIFF_BYTES - this.len, bytes.length);
    if (this.buf === null) this.buf = new Uint8Array(Math.min(MAX_SNIFF_BYTES, Math.max(64, want)));
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
    const b = this.buf;
    const n = this.len;
    if (b === null || n === 0) return this.finish();
    if (b[0] === 0x53) return this.decideSsh(b, n, final);
    if (n < 5) {
      if (final) this.finish();
      return;
    }
    if (!tlsRecordStart(b[0]!, b[1]!, b[2]!)) return this.finish();
    const recordVersion = (b[1]! << 8) | b[2]!;
    if (b[0] === TLS_ALERT) {
      if (n < 7 && !final) return;
      // An alert in the clear is exactly level and description (RFC 8446 §6); an encrypted one is longer (a capture
      // that began mid-stream, as tshark's "Encrypted Alert"), and says nothing readable.
      const len = (b[3]! << 8) | b[4]!;
      this.result = len === 2 && n >= 7 ? { kind: 'tls-alert', level: b[5]!, description: b[6]! } : { kind: 'tls-record', version: recordVersion };
      return this.finish();
    }
    if (b[0] !== TLS_HANDSHAKE) {
      this.result = { kind: 'tls-record', version: recordVersion };
      return this.finish();
    }
    // The handshake message may span records (RFC 8446 §5.1): join the bodies of the handshake records in a row
    // until the hello's length is reached.
    const hs = joinHandshake(b, n);
    if (!hs.whole && hs.more && !final) return;
    this.result = readHello(hs.bytes, hs.whole) ?? { kind: 'tls-record', version: recordVersion };
    this.finish();
  }

  private decideSsh(b: Uint8Array, n: number, final: boolean): void {
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
    this.result = { kind: 'ssh', banner: shown(b, 0, end, 120) };
    this.finish();
  }
}

/**
 * The handshake bytes at the start of b (records of type 22 in a row, their headers dropped), as far as the first
 * message's length (4-byte header + body) or MAX_HANDSHAKE_BYTES. `whole` when the message is all there; `more`
 * when more bytes of the direction could still complete it (the kept bytes ran out inside or between its records,
 * not at another record type or the cap).
 */
function joinHandshake(b: Uint8Array, n: number): { bytes: Uint8Array; whole: boolean; more: boolean } {
  const out = new Uint8Array(Math.min(MAX_HANDSHAKE_BYTES, n));
  let got = 0;
  let at = 0;
  let need = -1;
  let more = false;
  for (;;) {
    if (at + 5 > n) {
      more = true;
      break;
    }
    if (b[at] !== TLS_HANDSHAKE || b[at + 1] !== 3 || got >= out.length) break;
    const len = (b[at + 3]! << 8) | b[at + 4]!;
    const take = Math.min(len, n - at - 5, out.length - got);
    out.set(b.subarray(at + 5, at + 5 + take), got);
    got += take;
    if (need < 0 && got >= 4) need = 4 + ((out[1]! << 16) | (out[2]! << 8) | out[3]!);
    if (need >= 0 && got >= need) break;
    if (take < len) {
      more = at + 5 + take === n && got < out.length;
      break;
    }
    at += 5 + len;
  }
  const whole = need >= 0 && got >= need;
  return { bytes: out.subarray(0, whole ? need : got), whole, more: !whole && more && got < MAX_HANDSHAKE_BYTES };
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

  /** A sub-cursor over the next n bytes (fewer when cut: `cut` then says so), skipped here. */
  take(n: number): { c: Cursor; cut: boolean } {
    const end = Math.min(this.end, this.at + Math.max(0, n));
    const c = new Cursor(this.b, this.at, end);
    const cut = this.at + n > this.end;
    this.at = end;
    return { c, cut };
  }
}

/**
 * A ClientHello or ServerHello (RFC 8446 §4.1.2, §4.1.3) at the start of hs, or null when it is neither. `whole`:
 * hs holds the whole message; otherwise the fields it does not reach stay unknown (null), never guessed from
 * legacy_version (0x0303 also stands for TLS 1.3).
 */
function readHello(hs: Uint8Array, whole: boolean): DirectionProtocol | null {
  const c = new Cursor(hs, 0, hs.length);
  const type = c.u8();
  const bodyLen = c.u24();
  if ((type !== HELLO_CLIENT && type !== HELLO_SERVER) || bodyLen < 0) return null;
  const body = c.take(bodyLen).c;
  const legacyVersion = body.u16();
  if (legacyVersion < 0 || (legacyVersion >> 8) !== 3) return null;
  const client = type === HELLO_CLIENT;
  const cutHello: DirectionProtocol = client
    ? { kind: 'tls-client-hello', offered: null, serverName: null, alpn: [], cut: true }
    : { kind: 'tls-server-hello', chosen: null, alpn: null, cut: true };
  if (!body.skip(32)) return cutHello; // random
  const sessionLen = body.u8();
  if (sessionLen < 0 || !body.skip(sessionLen)) return cutHello;
  if (client) {
    const suitesLen = body.u16();
    if (suitesLen < 0 || !body.skip(suitesLen)) return cutHello;
    const compressionLen = body.u8();
    if (compressionLen < 0 || !body.skip(compressionLen)) return cutHello;
  } else if (!body.skip(3)) {
    return cutHello; // cipher_suite, legacy_compression_method
  }
  // No extensions block at all (a TLS 1.0-1.2 hello may end here): legacy_version is the whole answer.
  if (body.at === body.end && whole) {
    return client
      ? { kind: 'tls-client-hello', offered: legacyVersion, serverName: null, alpn: [], cut: false }
      : { kind: 'tls-server-hello', chosen: legacyVersion, alpn: null, cut: false };
  }
  const extLen = body.u16();
  if (extLen < 0) return cutHello;
  const { c: exts, cut: extsCut } = body.take(extLen);
  let cut = extsCut || !whole;
  let versions: number | null = null;
  let serverName: string | null = null;
  let alpnOffered: string[] = [];
  let alpnChosen: string | null = null;
  for (;;) {
    const extType = exts.u16();
    if (extType < 0) break;
    const len = exts.u16();
    if (len < 0) {
      cut = true;
      break;
    }
    const { c: ext, cut: extCut } = exts.take(len);
    if (extCut) cut = true;
    if (extType === EXT_SUPPORTED_VERSIONS) {
      if (client) {
        const listLen = ext.u8();
        const list = ext.take(listLen).c;
        let best = -1;
        for (let v = list.u16(); v >= 0; v = list.u16()) {
          if (!isGrease(v >> 8, v & 0xff) && versionRank(v) > versionRank(best)) best = v;
        }
        if (!extCut && best >= 0) versions = best;
      } else {
        const v = ext.u16();
        if (v >= 0) versions = v;
      }
    } else if (extType === EXT_SERVER_NAME && client) {
      serverName = readServerName(ext);
    } else if (extType === EXT_ALPN) {
      const list = readAlpn(ext);
      if (client) alpnOffered = list;
      else alpnChosen = list[0] ?? null;
    }
  }
  // RFC 8446 §4.2.1: with supported_versions, legacy_version says nothing; without it (and with the extensions all
  // read), legacy_version is the version.
  const version = versions ?? (cut ? null : legacyVersion);
  return client
    ? { kind: 'tls-client-hello', offered: version, serverName, alpn: alpnOffered, cut }
    : { kind: 'tls-server-hello', chosen: version, alpn: alpnChosen, cut };
}

/** Orders versions for "highest offered": TLS 1.3 drafts (0x7fNN) between TLS 1.2 and TLS 1.3. */
function versionRank(v: number): number {
  if (v < 0) return -1;
  if ((v & 0xff00) === 0x7f00) return 0x0303 * 256 + (v & 0xff);
  if (v >= 0x0304) return v * 256 + 255;
  return v * 256;
}

/** RFC 6066 §3: the first host_name (type 0) of the ServerNameList. */
function readServerName(ext: Cursor): string | null {
  const listLen = ext.u16();
  if (listLen < 0) return null;
  const list = ext.take(listLen).c;
  for (;;) {
    const nameType = list.u8();
    const len = list.u16();
    if (nameType < 0 || len < 0) return null;
    const at = list.at;
    if (!list.skip(len)) return null;
    if (nameType === 0) return shown(ext.b, at, at + len, 255);
  }
}

/** RFC 7301 §3.1: ProtocolNameList, each name one length byte and its bytes (GREASE and empty names left out). */
function readAlpn(ext: Cursor): string[] {
  const out: string[] = [];
  const listLen = ext.u16();
  if (listLen < 0) return out;
  const list = ext.take(listLen).c;
  // A dozen names is more than any client sends; the cap keeps a crafted list from filling the report.
  while (out.length < 16) {
    const len = list.u8();
    if (len < 0) break;
    const at = list.at;
    if (!list.skip(len)) break;
    if (len === 0 || (len === 2 && isGrease(list.b[at]!, list.b[at + 1]!))) continue;
    out.push(shown(list.b, at, at + len, 40));
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8');

/**
 * Bytes as text to show: UTF-8 (an internationalised name sent raw reads as itself; invalid bytes become U+FFFD),
 * with every control character (C0, DEL and C1) written as \xNN, at most maxChars characters.
 */
function shown(b: Uint8Array, from: number, to: number, maxChars: number): string {
  let s = UTF8.decode(b.subarray(from, to));
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0'));
  return s.length > maxChars ? s.slice(0, maxChars) + '…' : s;
}

/**
 * The timeline's words for what one direction's first bytes showed (the packet that completed them gets them): a
 * hello or a clear-text alert of TLS, an SSH identification string. Null for what says nothing to a reader (a TLS
 * record that is no hello: the capture began after the handshake). `who` names the side as the TCP roles have it.
 */
export function describeDirectionProtocol(p: DirectionProtocol, who: 'client' | 'server'): { code: 'tls.hello' | 'tls.alert' | 'ssh.banner'; text: string } | null {
  switch (p.kind) {
    case 'tls-client-hello': {
      const parts = [p.serverName === null ? (p.cut ? 'server name not in the capture' : 'no server name (SNI)') : `server name ${p.serverName}`];
      if (p.offered !== null) parts.push(`offers up to ${tlsVersionName(p.offered)}`);
      if (p.alpn.length > 0) parts.push(`ALPN ${p.alpn.join(', ')}`);
      if (p.cut) parts.push('hello cut short in the capture');
      return { code: 'tls.hello', text: `${who} sends TLS ClientHello: ${parts.join(', ')}` };
    }
    case 'tls-server-hello': {
      const parts = [p.chosen === null ? 'version not in the capture' : `chooses ${tlsVersionName(p.chosen)}`];
      if (p.alpn !== null) parts.push(`ALPN ${p.alpn}`);
      if (p.cut) parts.push('hello cut short in the capture');
      return { code: 'tls.hello', text: `${who} sends TLS ServerHello: ${parts.join(', ')}` };
    }
    case 'tls-alert':
      // Sent before any key was agreed (RFC 8446 §6: an alert in a plaintext record), so readable: a refused hello.
      return { code: 'tls.alert', text: `${who} sends a TLS alert in the clear: ${tlsAlertName(p.description)}${p.level === 2 ? ', fatal' : ''}` };
    case 'ssh':
      return { code: 'ssh.banner', text: `${who} identifies as SSH: ${p.banner}` };
    default:
      return null;
  }
}

/** The connection's protocol from what its two directions showed (client direction first), or null. */
export function otherProtocolOf(client: DirectionProtocol | null, server: DirectionProtocol | null): OtherProtocol | null {
  const none: OtherProtocol = {
    name: 'TLS', version: null, offeredVersion: null, serverName: null, alpnOffered: [], alpn: null, alert: null,
    helloCut: false, clientBanner: null, serverBanner: null,
  };
  if (client?.kind === 'ssh' || server?.kind === 'ssh') {
    const clientBanner = client?.kind === 'ssh' ? client.banner : null;
    const serverBanner = server?.kind === 'ssh' ? server.banner : null;
    // "SSH-protoversion-softwareversion" (RFC 4253 §4.2); the server's answer decides the protocol (§5.1).
    const versionOf = (banner: string | null) => (banner === null ? null : /^SSH-([^-\s]+)-/.exec(banner)?.[1] ?? null);
    return { ...none, name: 'SSH', version: versionOf(serverBanner) ?? versionOf(clientBanner), clientBanner, serverBanner };
  }
  if (client === null && server === null) return null;
  const out = none;
  const sides: [DirectionProtocol | null, string][] = [[client, 'client'], [server, 'server']];
  for (const [s, who] of sides) {
    if (s === null) continue;
    if (s.kind === 'tls-client-hello') {
      out.offeredVersion = s.offered === null ? null : tlsVersionName(s.offered);
      out.serverName = s.serverName;
      out.alpnOffered = s.alpn;
      if (s.cut) out.helloCut = true;
    } else if (s.kind === 'tls-server-hello') {
      out.version = s.chosen === null ? null : tlsVersionName(s.chosen);
      out.alpn = s.alpn;
      if (s.cut) out.helloCut = true;
    } else if (s.kind === 'tls-alert') {
      out.alert = `${who}: ${tlsAlertName(s.description)}${s.level === 2 ? ', fatal' : ''}`;
    }
  }
  return out;
}
