// Push-based capture reader: sniffs pcap or pcapng from the magic number and turns chunks of bytes into records.
// Synchronous and Node-free (plain Uint8Array in, records out); it copies only records that straddle two chunks.

import type { CaptureRecord } from '../types.js';
import { CaptureError, CaptureWarningCode, type CaptureWarning } from './errors.js';
import type { FormatParser } from './format.js';
import { PcapParser, type PcapMagic } from './pcap.js';
import { PcapngParser, SHB_MIN_LEN } from './pcapng.js';
import { CaptureState, type CaptureInfo } from './state.js';

const MAGIC_LEN = 4;
const EMPTY = new Uint8Array(0);
/** Smallest buffer for a record that straddles chunks; it grows as bytes arrive, never straight to a claimed size. */
const PENDING_MIN_BYTES = 4096;

/** Magic numbers, written as the first four bytes appear in the file (draft-ietf-opsawg-pcap §4, pcapng §4.1). */
const PCAP_MAGICS: ReadonlyArray<readonly [number, PcapMagic]> = [
  [0xa1b2c3d4, { le: false, nano: false, modified: false }],
  [0xd4c3b2a1, { le: true, nano: false, modified: false }],
  [0xa1b23c4d, { le: false, nano: true, modified: false }],
  [0x4d3cb2a1, { le: true, nano: true, modified: false }],
  // Alexey Kuznetzov's patched libpcap (libpcap sf-pcap.c KUZNETZOV_TCPDUMP_MAGIC): 24-byte record headers.
  [0xa1b2cd34, { le: false, nano: false, modified: true }],
  [0x34cdb2a1, { le: true, nano: false, modified: true }],
];
const PCAPNG_MAGIC = 0x0a0d0d0a;

/**
 * Reads a capture pushed in chunks of any size. Records inside one chunk are views of it, so a chunk must not be
 * modified after push(). Throws only CaptureError, and only for an unusable container (DESIGN.md level 1); after
 * one, the reader is done and should be dropped.
 *
 * Timestamps: `tsSec`/`tsNsec` as in CaptureRecord, with one exception: a classic pcap sub-second field at or above
 * 1e6 (µs files) or 1e9 (ns files) is kept as read (tsNsec = field * 1000, or the field), so tsNsec is then >= 1e9,
 * and a 'capture.bad-timestamp' warning is given once. tcpdump prints such a value as is, without carrying into the
 * seconds, so a renderer copying it can recover the raw field. SPB records have no timestamp: tsSec = tsNsec = 0.
 */
export class CaptureReader {
  private readonly st = new CaptureState();
  private parser: FormatParser | null = null;
  /** Bytes of a unit (header, record or block) that straddles chunks, and how many that unit needs in all. */
  private pend: Uint8Array = EMPTY;
  private pendLen = 0;
  private pendNeed = MAGIC_LEN;
  /** Input offset of pend[0]. */
  private pendOffset = 0;
  private consumed = 0;
  private ended = false;

  /** Null until the file header (pcap) or first Section Header Block (pcapng) has been read. */
  get info(): CaptureInfo | null {
    return this.parser === null ? null : this.parser.info;
  }

  get warnings(): CaptureWarning[] {
    return this.st.warnings;
  }

  /** Bytes pushed so far, for a progress line. */
  get bytesConsumed(): number {
    return this.consumed;
  }

  /** True after mid-file corruption: reading stopped there, and every record before it was emitted. */
  get stopped(): boolean {
    return this.st.stopped;
  }

  /** Packet records emitted so far. */
  get recordCount(): number {
    return this.st.recordCount;
  }

  /** Appends the records completed by `chunk` to `out`. Bytes after end() or after corruption are ignored. */
  push(chunk: Uint8Array, out: CaptureRecord[]): void {
    const base = this.consumed;
    this.consumed += chunk.length;
    if (this.ended || this.st.stopped || chunk.length === 0) return;
    // A Buffer (or other subclass) becomes a plain Uint8Array view, so every record's data has the same type.
    const buf = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    let pos = 0;
    if (this.pendNeed > 0) {
      pos = this.fillPending(buf, out);
      if (this.pendNeed > 0 || this.st.stopped) return;
    }
    const parser = this.parser as FormatParser;
    pos = parser.run(buf, pos, buf.length, base, out);
    if (pos < buf.length && !this.st.stopped) this.startPending(buf, pos, base);
  }

  /** End of input. Throws CaptureError if the container never became readable; a partial last record is a warning. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.st.stopped) return;
    const parser = this.parser;
    if (parser === null || !parser.headerDone) {
      if (this.consumed === 0) {
        throw new CaptureError(
          'E_EMPTY',
          'empty capture: the input has no bytes; ' +
            'check the file, or that the program writing it (e.g. tcpdump -w) captured anything',
        );
      }
      if (parser === null && !isMagicPrefix(this.pend.subarray(0, this.pendLen))) throw badMagic(this.pend, this.pendLen);
      // While only the block header of the SHB is known, its real length is not: say the minimum (§4.1).
      const isPcapng = parser instanceof PcapngParser;
      const what = parser === null ? 'file header' : isPcapng ? 'pcapng Section Header Block' : 'pcap file header';
      let need = String(this.pendNeed);
      if (parser === null) need = 'at least 24';
      else if (isPcapng && this.pendNeed < SHB_MIN_LEN) need = `at least ${SHB_MIN_LEN}`;
      throw new CaptureError(
        'E_TRUNCATED_HEADER',
        `capture cut short: the ${what} needs ${need} bytes, only ${this.consumed} present; ` +
          'the file is incomplete (was the capture still being written?)',
        { offset: 0 },
      );
    }
    if (this.pendLen > 0) {
      this.st.warn(
        CaptureWarningCode.TRUNCATED_RECORD,
        this.st.recordCount + 1,
        this.pendOffset,
        parser.truncatedMessage(this.pendLen, this.pendNeed, this.pend.subarray(0, this.pendLen)),
      );
    }
    this.pend = EMPTY;
    this.pendLen = 0;
    this.pendNeed = 0;
  }

  /**
   * Completes the pending unit from the front of buf. Returns how many bytes of buf it used; pendNeed is 0
   * afterwards unless buf ran out first.
   */
  private fillPending(buf: Uint8Array, out: CaptureRecord[]): number {
    let pos = 0;
    for (;;) {
      const take = Math.min(this.pendNeed - this.pendLen, buf.length - pos);
      if (take > 0) {
        this.reserve(this.pendLen + take);
        this.pend.set(buf.subarray(pos, pos + take), this.pendLen);
        this.pendLen += take;
        pos += take;
      }
      if (this.pendLen < this.pendNeed) return pos;
      if (this.parser === null) this.parser = this.sniff();
      const need = this.parser.unitLen(this.pend, 0, this.pendLen, this.pendOffset);
      if (need === 0) {
        this.dropPending();
        return pos;
      }
      if (need > this.pendLen) {
        this.pendNeed = need;
        continue;
      }
      // The unit is complete. Records made from it view `pend`, so it is handed over, never reused.
      this.parser.run(this.pend, 0, this.pendLen, this.pendOffset, out);
      this.dropPending();
      return pos;
    }
  }

  /** Keeps buf[pos..] as the start of a unit that the next chunk completes. */
  private startPending(buf: Uint8Array, pos: number, base: number): void {
    const avail = buf.length - pos;
    const need = (this.parser as FormatParser).unitLen(buf, pos, avail, base + pos);
    if (need === 0) return;
    this.pend = new Uint8Array(Math.min(need, Math.max(avail, PENDING_MIN_BYTES)));
    this.pend.set(buf.subarray(pos));
    this.pendLen = avail;
    this.pendNeed = need;
    this.pendOffset = base + pos;
  }

  private reserve(len: number): void {
    if (len <= this.pend.length) return;
    const cap = Math.min(this.pendNeed, Math.max(len, this.pend.length * 2, PENDING_MIN_BYTES));
    const grown = new Uint8Array(cap);
    grown.set(this.pend.subarray(0, this.pendLen));
    this.pend = grown;
  }

  private dropPending(): void {
    this.pend = EMPTY;
    this.pendLen = 0;
    this.pendNeed = 0;
  }

  private sniff(): FormatParser {
    const b = this.pend;
    const magic = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    if (magic === PCAPNG_MAGIC) return new PcapngParser(this.st);
    for (const [value, pcapMagic] of PCAP_MAGICS) {
      if (value === magic) return new PcapParser(this.st, pcapMagic);
    }
    throw badMagic(b, MAGIC_LEN);
  }
}

/** Reads a whole capture held in memory. Throws CaptureError as CaptureReader does. */
export function readCaptureSync(bytes: Uint8Array): {
  records: CaptureRecord[];
  info: CaptureInfo | null;
  warnings: CaptureWarning[];
} {
  if (!(bytes instanceof Uint8Array)) {
    // A path given where the bytes go would be read as a capture of its characters and called cut short.
    const what = typeof bytes === 'string' ? 'a string (a path? read the file first, or use analyzeFile)' : String(bytes);
    throw Object.assign(new TypeError(`readCaptureSync takes the capture's bytes (a Uint8Array), got ${what}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const reader = new CaptureReader();
  const records: CaptureRecord[] = [];
  reader.push(bytes, records);
  reader.end();
  return { records, info: reader.info, warnings: reader.warnings };
}

/** Whether a short input could still be the start of a known magic number (so it is truncated, not foreign). */
function isMagicPrefix(head: Uint8Array): boolean {
  const magics = [PCAPNG_MAGIC, ...PCAP_MAGICS.map(([value]) => value)];
  return magics.some((magic) => head.every((byte, i) => byte === ((magic >>> (24 - 8 * i)) & 0xff)));
}

/** Names common non-capture inputs so the message can say what to do. */
function badMagic(bytes: Uint8Array, len: number): CaptureError {
  const head = Array.from(bytes.subarray(0, Math.min(len, MAGIC_LEN)), (byte) => byte.toString(16).padStart(2, '0'));
  const starts = `it starts with ${head.join(' ')}`;
  const hint = foreignFormat(bytes.subarray(0, len));
  const message =
    hint === null
      ? `not a pcap or pcapng file: ${starts}; save the capture as pcap or pcapng (e.g. 'editcap -F pcap IN OUT')`
      : `not a pcap or pcapng file: ${starts} (${hint[0]}); ${hint[1]}`;
  return new CaptureError('E_BAD_MAGIC', message, { offset: 0 });
}

function foreignFormat(b: Uint8Array): [string, string] | null {
  const startsWith = (...sig: number[]): boolean => b.length >= sig.length && sig.every((byte, i) => b[i] === byte);
  if (startsWith(0x1f, 0x8b)) return ['gzip data', "decompress it first, e.g. 'gunzip -k FILE'"];
  if (startsWith(0x28, 0xb5, 0x2f, 0xfd)) return ['zstd data', "decompress it first, e.g. 'zstd -d FILE'"];
  if (startsWith(0xfd, 0x37, 0x7a, 0x58)) return ['xz data', "decompress it first, e.g. 'xz -dk FILE'"];
  if (startsWith(0x42, 0x5a, 0x68)) return ['bzip2 data', "decompress it first, e.g. 'bunzip2 -k FILE'"];
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) return ['a zip archive', 'extract the capture from it first'];
  if (b.length > 0 && b.every((byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f))) {
    return ['text', 'give the capture file itself, not a text dump of it'];
  }
  return null;
}
