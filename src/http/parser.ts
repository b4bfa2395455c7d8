// Incremental HTTP/1.x message parser for one direction: start line, header fields, body framing (RFC 9112).
// Fed in-order bytes, gaps and the end; counts body bytes by arithmetic and never keeps them; pairing is not its job.

import { emptyScratch } from '../scratch.js';
import type { Direction } from '../types.js';
import {
  CR, HT, KEPT_COUNT, LF, RESYNC_HEAD_MAX_BYTES, SP, findMessageStart, internLatin1, keptHeader, latin1, parseChunkSize, parseRequestLine, parseStatusLine,
  splitFieldLineInto, startShape, startsLikeHttp, type FieldLine,
} from './syntax.js';
import type { RequestLine, StatusLine } from './syntax.js';

/** Where a byte was seen: the frame that carried it, that frame's time, and the connection's call counter
 *  (`arrival`), which orders bytes of both directions as the capture delivered them. */
export interface Mark {
  frame: number;
  tsSec: number;
  tsNsec: number;
  arrival: number;
}

/** A parsed start line and the header fields we keep (by `Kept` index), the rest only counted. */
export interface MessageHead {
  request: RequestLine | null;
  /** Null for a request, and for an HTTP/0.9 response, which has no status line (RFC 1945 §4.1). */
  status: StatusLine | null;
  /** Values of the kept header fields, repeated lines joined with ", " (RFC 9110 §5.3); null when absent. */
  kept: (string | null)[];
  fieldCount: number;
  /** Start line, field lines and the empty line, as sent. */
  headerBytes: number;
  /** Deviations tolerated while parsing this message (bare LF, obs-fold, ...). */
  lenient: string[];
}

/** How the body of a message is delimited, decided by the connection from the head (RFC 9112 §6.3). */
export type BodyPlan =
  | { kind: 'none' }
  /** probe: see StatusProbe (a response whose request is not in the capture, which may have been HEAD). */
  | { kind: 'length'; bytes: number; probe?: boolean }
  | { kind: 'chunked'; probe?: boolean }
  | { kind: 'close' }
  /** No body; after this message the direction carries another protocol (101, 2xx to CONNECT). */
  | { kind: 'switch' }
  | { kind: 'reject'; why: string };

export interface BodyStats {
  framing: 'none' | 'content-length' | 'chunked' | 'close';
  /** Body bytes counted, missing ones (gaps inside a body of known length) included. */
  bodyBytes: number;
  missingBytes: number;
  chunks: number;
  trailerFields: number;
  /** The plan said a body, but a status line followed the header section at once (BodyPlan probe): no body. */
  statusLineFollowed: boolean;
}

/** Sync lost and found again: what the connection needs to decide which messages the lost bytes held. */
export interface ResyncInfo {
  /** Stream offset of the first byte that could not be parsed (a gap, or where a message was cut). */
  lossOffset: number;
  /** True when the loss began between two messages, false when it cut a message short. */
  atBoundary: boolean;
  skippedBytes: number;
}

export interface ParserSink {
  /** A start line was parsed. Null accepts it; otherwise the reason this direction cannot carry it. */
  onStart(dir: Direction, head: MessageHead, first: Mark, resync: ResyncInfo | null): string | null;
  /** The header section ended: how is the body delimited? */
  onHeaders(dir: Direction, head: MessageHead): BodyPlan;
  onEnd(dir: Direction, last: Mark, body: BodyStats): void;
  /**
   * The current message was cut short (gap outside a known-length body, limit, malformed framing, end). `loss`: by
   * bytes missing from the capture, in its header section ('head') or its body ('body'), from stream offset
   * `lossOffset`; null (and -1) for any other cause. `cutHead`: with loss 'head', the field lines read before the
   * loss (the parser's reused head: read it now, do not keep it); null otherwise.
   */
  onIncomplete(
    dir: Direction, why: string, frame: number, body: BodyStats, loss: 'head' | 'body' | null, lossOffset: number,
    cutHead: MessageHead | null,
  ): void;
  /**
   * Parsing of this direction stopped; it resumes at a later message start (DirectionParser.seekStart).
   * unreadStartLine: the stop is a start line that begins as HTTP does but could not be read (longer than the limit,
   * or the direction ended inside it), so a message is there that was not parsed, rather than lost or not HTTP.
   */
  onStop(dir: Direction, why: string, frame: number, unreadStartLine: boolean): void;
  /** The first bytes of the direction are not an HTTP start line (not an error: maybe not HTTP at all). */
  onNotHttp(dir: Direction, frame: number): void;
  onBodyGap(dir: Direction, missingBytes: number, frame: number): void;
}

export interface ParserLimits {
  maxHeaderBytes: number;
  maxStartLineBytes: number;
}

/** Bytes of an over-long start line enough to tell it starts as HTTP (a method and a space, HTTP/x.y and a status). */
const LONG_LINE_PREFIX_BYTES = 64;

/** "HTTP/d.d ddd": the bytes a probed body must begin with to be the next response instead (StatusProbe). */
const STATUS_PROBE_BYTES = 12;
/** Per position of the probe: the byte it must be, or -1 for any decimal digit. */
const STATUS_PROBE_PATTERN = [0x48, 0x54, 0x54, 0x50, 0x2f, -1, 0x2e, -1, SP, -1, -1, -1];

function statusProbeAccepts(at: number, c: number): boolean {
  const want = STATUS_PROBE_PATTERN[at]!;
  return want < 0 ? c >= 0x30 && c <= 0x39 : c === want;
}

const IDLE = 0;
const START_LINE = 1;
const HEADERS = 2;
const BODY_LENGTH = 3;
const CHUNK_SIZE = 4;
const CHUNK_DATA = 5;
const CHUNK_DATA_END = 6;
const TRAILERS = 7;
const BODY_CLOSE = 8;
const OPAQUE = 9;
const SEEK = 10;
const ENDED = 11;

/** DirectionParser.lineBuf before a line was split: shared, never written (append() replaces it first). */
const NO_LINE = new Uint8Array(0);
const LINE_BUF_MIN_BYTES = 256;

/** Bytes kept while out of sync (DirectionParser.keepSeekTail): a copy, its stream offset, and where it was seen. */
interface CarriedBytes {
  bytes: Uint8Array;
  offset: number;
  frame: number;
  tsSec: number;
  tsNsec: number;
  arrival: number;
}
/** DirectionParser.insideScanBytesLeft after each loss. */
const INSIDE_SCAN_BYTES = 1 << 20;

/** Phase names for texts ("in the headers of ..."). */
const PHASE = ['between messages', 'in a start line', 'in the header fields', 'in the body', 'in a chunk size line',
  'in chunk data', 'after chunk data', 'in the trailer fields', 'in the body', 'in upgraded bytes', 'out of sync',
  'after the end'];

export class DirectionParser {
  readonly dir: Direction;
  private readonly sink: ParserSink;
  private readonly limits: ParserLimits;
  /** What a start line in this direction may be; set once the connection knows which side sends requests. */
  want: 'request' | 'status' | 'either' = 'either';

  private state = IDLE;

  /**
   * Inside a body of known length, or a chunk's data, with exactly one byte still to come (TcpTracker's FIN
   * inference asks, through HttpConnection.oneByteShort: one unseen sequence number there is that byte).
   */
  get oneByteShort(): boolean {
    return (this.state === BODY_LENGTH || this.state === CHUNK_DATA) && this.remainingBytes === 1;
  }
  /**
   * A start line, header section or trailer section is under way: what is missing is at most its end (a line end), so
   * a peer that sends its next message then had it (Analyzer.settleHeld: a held number there is that byte; a sender
   * does not close in the middle of a head, where in a body it may).
   */
  get midHead(): boolean {
    const s = this.state;
    return s === START_LINE || s === HEADERS || s === TRAILERS;
  }
  /** True while looking for the first message of the direction or a message after lost bytes: failing is silent. */
  private tentative = true;
  private everStarted = false;
  /**
   * Out of sync after a loss between messages: the last bytes of the previous segment (a copy) and their stream
   * offset, where the head of a message may have begun that this segment completes (resumeInCarry).
   */
  private seekCarry: CarriedBytes[] | null = null;
  private seekCarryBytes = 0;
  /**
   * Bytes after the latest loss still searched for a message inside segments. The messages a loss cut short are
   * found near it (pipelined ones, a response after a lost one); past this, the bytes are a body whose framing was
   * lost, and searching all of it (3 ns a byte) cost seconds on a lossy download of gigabytes.
   */
  private insideScanBytesLeft = 0;
  private resync: ResyncInfo | null = null;

  /** Stream offset expected next; -1 until the first data or gap. */
  nextOffset = -1;
  /** Stream offset of the chunk being parsed, and of the start line being accumulated. */
  private chunkOffset = 0;
  private lineOffset = 0;
  /**
   * Where the current bytes came from (curMark()), and the last data chunk (lastDataMark()): numbers, made into a
   * Mark object only when a message starts or ends there. Most chunks (body segments) neither start nor end one, and
   * an object per chunk was the parser's largest allocation.
   */
  private curFrame = 0;
  private curTsSec = 0;
  private curTsNsec = 0;
  private curArrival = 0;
  private curObject: Mark | null = null;
  private lastFrame = 0;
  private lastTsSec = 0;
  private lastTsNsec = 0;
  private lastArrival = 0;
  private lastObject: Mark | null = null;

  /** Lines split across chunks only (the others are read in place): none until the first one, so a connection whose
   *  lines all fit their segments never allocates it (it was a quarter of a parser's memory). */
  private lineBuf: Uint8Array = NO_LINE;
  private lineLen = 0;
  private shapeOk = false;
  private crSeen = false;
  /** A tentative start line that began in an earlier chunk failed: look at the current chunk's start again. */
  private rescan = false;

  private head: MessageHead | null = null;
  private readonly headScratch: MessageHead = { request: null, status: null,
    kept: new Array<string | null>(KEPT_COUNT).fill(null), fieldCount: 0, headerBytes: 0, lenient: [] };
  private readonly field: FieldLine = { nameFrom: 0, nameTo: 0, valueFrom: 0, valueTo: 0, spaceBeforeColon: false };
  private lastKept = -1;
  private fieldBytes = 0;
  private first: Mark = { frame: 0, tsSec: 0, tsNsec: 0, arrival: 0 };
  private remainingBytes = 0;
  private body: BodyStats = emptyBody('none');
  /**
   * StatusProbe. A response whose request is not in the capture may answer a HEAD, whose response carries the length
   * of the body it would have had and no body (RFC 9110 §9.3.2): framed by that length, it swallowed the responses
   * after it, and the requests sent meanwhile looked pipelined. So its body's first bytes are looked at before they
   * are counted: if they are a status line ("HTTP/d.d ddd"), the response had no body and they start the next one.
   * Held here while they match (at most STATUS_PROBE_BYTES, only when a segment ends inside them); replayed as body
   * at the first byte that does not match, at a gap or at the end. A chunked body cannot begin with 'H' (not hex).
   */
  private probing = false;
  private probeBuf: Uint8Array = NO_LINE;
  private probeLen = 0;
  /** Where the header section ended (the bodiless message ends there) and where the probed bytes began. */
  private probeHeadEnd: Mark | null = null;
  private probeFirst: Mark | null = null;
  private probeOffset = 0;
  /** Where the held bytes reached the announced length (a body of fewer than STATUS_PROBE_BYTES), if they did. */
  private probeLengthEnd: Mark | null = null;

  /** After the current message, switch to opaque (101 or CONNECT accepted while this message was in flight). */
  private switchAfterMessage = false;
  /** The last request asked to leave HTTP (Upgrade, CONNECT): bytes that are not a request line are the new protocol. */
  maySwitch = false;
  /** The next response answers an HTTP/0.9 request: no status line, body until close (RFC 1945 §4.1). */
  expectSimpleResponse = false;
  /** The start line being read may instead be the first bytes of an HTTP/0.9 response body. */
  private simpleFallback = false;

  /** Bytes we could not parse (before the first message, after loss, after a stop). */
  unparsedBytes = 0;
  /** Bytes after a 101 or an accepted CONNECT. */
  opaqueBytes = 0;
  /** Why parsing last stopped, if it did. */
  stopReason: string | null = null;

  constructor(dir: Direction, sink: ParserSink, limits: ParserLimits) {
    this.dir = dir;
    this.sink = sink;
    this.limits = limits;
  }

  /** Stream offset of the first byte of the message being started (valid during ParserSink.onStart). */
  get messageOffset(): number {
    return this.lineOffset;
  }

  /** Not waiting for a message start after loss or a stop. */
  get synced(): boolean {
    return this.state !== SEEK;
  }

  /** Out of sync after bytes lost between two messages (at a message boundary): that loss; null otherwise. */
  get lossBetweenMessages(): ResyncInfo | null {
    // Only gap() makes a resync at a boundary (a stop or a false start is inside a message, or not a loss).
    return this.state === SEEK && this.resync !== null && this.resync.atBoundary ? this.resync : null;
  }

  get isOpaque(): boolean {
    return this.state === OPAQUE;
  }

  /** Arrival counter of the last data chunk of this direction. */
  get lastDataArrival(): number {
    return this.lastArrival;
  }

  /** The current message's header section ended and what follows it decides whether it has a body (StatusProbe). */
  get probingBody(): boolean {
    return this.probing;
  }

  /** In the middle of a message (not between messages, not opaque, not out of sync). */
  get inMessage(): boolean {
    return this.state >= START_LINE && this.state <= BODY_CLOSE && !(this.state === START_LINE && this.tentative);
  }

  /** The peer accepted a switch (101, 2xx to CONNECT): opaque from the end of the current message. */
  switchToOpaque(): void {
    if (this.state === IDLE || this.state === SEEK || this.state === START_LINE) {
      if (this.state === START_LINE) this.opaqueBytes += this.lineLen;
      this.lineLen = 0;
      this.state = OPAQUE;
    } else if (this.state !== ENDED && this.state !== OPAQUE) {
      this.switchAfterMessage = true;
    }
  }

  /** In-order bytes at stream offset `offset`, carried by `frame` (its time, and the connection's arrival counter). */
  data(bytes: Uint8Array, offset: number, frame: number, tsSec: number, tsNsec: number, arrival: number): void {
    if (this.nextOffset < 0) this.nextOffset = offset;
    if (offset > this.nextOffset) this.gap(this.nextOffset, offset - this.nextOffset, frame, arrival);
    if (offset < this.nextOffset) {
      // Bytes we already have (an overlap the reassembler let through): only the new tail counts.
      const seen = this.nextOffset - offset;
      if (seen >= bytes.length) return;
      bytes = bytes.subarray(seen);
    }
    this.chunkOffset = this.nextOffset;
    this.nextOffset += bytes.length;
    if (bytes.length === 0) return;
    this.curFrame = this.lastFrame = frame;
    this.curTsSec = this.lastTsSec = tsSec;
    this.curTsNsec = this.lastTsNsec = tsNsec;
    this.curArrival = this.lastArrival = arrival;
    this.curObject = this.lastObject = null;
    this.push(bytes);
  }

  private push(bytes: Uint8Array): void {
    const len = bytes.length;
    let pos = 0;
    if (this.state === SEEK) {
      // A message that began in the previous segment comes first in the stream: before this segment's own start.
      if (this.seekCarry !== null && this.resumeInCarry(bytes)) return;
      pos = this.seekStart(bytes);
      if (pos < 0) {
        this.unparsed(len);
        this.keepSeekTail(bytes, 0);
        this.insideScanBytesLeft -= len;
        return;
      }
      this.seekCarry = null;
      this.seekCarryBytes = 0;
    }
    while (pos < len) {
      if (this.probing) {
        pos = this.probe(bytes, pos);
        if (pos >= len) break;
      }
      switch (this.state) {
        case IDLE:
          pos = this.idle(bytes, pos);
          break;
        case START_LINE:
          pos = this.startLine(bytes, pos);
          break;
        case HEADERS:
        case TRAILERS:
          pos = this.fieldLines(bytes, pos);
          break;
        case BODY_LENGTH: {
          const take = Math.min(this.remainingBytes, len - pos);
          this.remainingBytes -= take;
          this.body.bodyBytes += take;
          pos += take;
          if (this.remainingBytes === 0) this.endMessage(this.curMark());
          break;
        }
        case CHUNK_SIZE:
          pos = this.chunkSizeLine(bytes, pos);
          break;
        case CHUNK_DATA: {
          const take = Math.min(this.remainingBytes, len - pos);
          this.remainingBytes -= take;
          this.body.bodyBytes += take;
          pos += take;
          if (this.remainingBytes === 0) {
            this.state = CHUNK_DATA_END;
            this.crSeen = false;
          }
          break;
        }
        case CHUNK_DATA_END: {
          // RFC 9112 §7.1: chunk-data is followed by CRLF; a bare LF is tolerated like everywhere else.
          const c = bytes[pos];
          if (c === CR && !this.crSeen) {
            this.crSeen = true;
            pos++;
          } else if (c === LF) {
            pos++;
            this.state = CHUNK_SIZE;
            this.lineLen = 0;
          } else {
            this.malformed('chunk data not followed by CRLF');
          }
          break;
        }
        case BODY_CLOSE:
          this.body.bodyBytes += len - pos;
          pos = len;
          break;
        case OPAQUE:
          this.opaqueBytes += len - pos;
          pos = len;
          break;
        default:
          if (this.rescan) {
            this.rescan = false;
            pos = this.seekStart(bytes);
            if (pos >= 0) break;
            this.unparsed(len);
            return;
          }
          // Out of sync mid-chunk (a false start after a loss between messages): a whole message further on resumes
          // parsing (seekStart); ended, out of sync for another reason, or none found: the rest is not parsed.
          if (this.state === SEEK && this.resyncInsideSegments) {
            // From the next byte: a start line refused where it stands (too long, say) is not tried again.
            const at = findMessageStart(bytes, pos + 1, len, this.want);
            if (at >= 0) {
              this.unparsed(at - pos);
              this.state = IDLE;
              this.tentative = true;
              pos = at;
              break;
            }
          }
          this.unparsed(len - pos);
          // From the next byte: a start refused where it stands (too long) is not found again in the carried bytes.
          this.keepSeekTail(bytes, pos + 1);
          this.insideScanBytesLeft -= len - pos;
          return;
      }
    }
  }

  /**
   * A message whose head began in the previous segment's last bytes and ends in this one (a head split across two
   * segments): found in the two together, and parsed from its start (its bytes counted unparsed before are not any
   * more). Its first byte's frame is taken to be this one, which completed the head. True when one was found (this
   * segment is parsed then); the carried bytes are let go either way.
   */
  private resumeInCarry(bytes: Uint8Array): boolean {
    const parts = this.seekCarry!;
    const last = parts[parts.length - 1]!;
    if (!this.resyncInsideSegments || last.offset + last.bytes.length !== this.chunkOffset) {
      this.seekCarry = null;
      return false;
    }
    const carried = this.seekCarryBytes;
    const joined = new Uint8Array(carried + bytes.length);
    let at = 0;
    for (const part of parts) {
      joined.set(part.bytes, at);
      at += part.bytes.length;
    }
    joined.set(bytes, carried);
    // Only a start in the carried bytes: one inside this segment alone was looked for already (seekStart).
    const start = findMessageStart(joined, 0, joined.length, this.want, carried);
    if (start < 0) return false;
    this.seekCarry = null;
    this.seekCarryBytes = 0;
    const again = carried - start;
    this.unparsedBytes -= again;
    if (this.resync !== null) this.resync.skippedBytes -= again;
    // Replayed as the capture delivered them, each carried piece with its own frame, time and arrival (the message's
    // first byte is where and when it was seen), then this segment with its own.
    const now = { frame: this.curFrame, tsSec: this.curTsSec, tsNsec: this.curTsNsec, arrival: this.curArrival, offset: this.chunkOffset };
    this.state = IDLE;
    this.tentative = true;
    let from = 0;
    for (const part of parts) {
      const to = from + part.bytes.length;
      if (to > start) {
        this.curFrame = part.frame;
        this.curTsSec = part.tsSec;
        this.curTsNsec = part.tsNsec;
        this.curArrival = part.arrival;
        this.curObject = null;
        const skip = Math.max(0, start - from);
        this.chunkOffset = part.offset + skip;
        this.push(part.bytes.subarray(skip));
      }
      from = to;
    }
    this.curFrame = now.frame;
    this.curTsSec = now.tsSec;
    this.curTsNsec = now.tsNsec;
    this.curArrival = now.arrival;
    this.curObject = null;
    this.chunkOffset = now.offset;
    this.push(bytes);
    return true;
  }

  /**
   * Out of sync after a loss between messages: keeps bytes[from..] (a copy) with where and when they came, after
   * those kept from the segments before, the last RESYNC_HEAD_MAX_BYTES in all (a head may span several segments).
   */
  private keepSeekTail(bytes: Uint8Array, from: number): void {
    if (!this.resyncInsideSegments || from >= bytes.length) {
      this.seekCarry = null;
      this.seekCarryBytes = 0;
      return;
    }
    const start = Math.max(from, bytes.length - RESYNC_HEAD_MAX_BYTES);
    const part: CarriedBytes = {
      bytes: bytes.slice(start), offset: this.chunkOffset + start,
      frame: this.curFrame, tsSec: this.curTsSec, tsNsec: this.curTsNsec, arrival: this.curArrival,
    };
    let parts = this.seekCarry;
    const prev = parts === null ? null : parts[parts.length - 1]!;
    // Only bytes that run on into these (no loss between): anything else starts over.
    if (parts === null || prev === null || prev.offset + prev.bytes.length !== part.offset || start !== from) {
      parts = [];
      this.seekCarryBytes = 0;
    }
    parts.push(part);
    this.seekCarryBytes += part.bytes.length;
    while (this.seekCarryBytes - parts[0]!.bytes.length >= RESYNC_HEAD_MAX_BYTES) this.seekCarryBytes -= parts.shift()!.bytes.length;
    this.seekCarry = parts;
  }

  private unparsed(bytes: number): void {
    this.unparsedBytes += bytes;
    if (this.resync !== null) this.resync.skippedBytes += bytes;
  }

  /**
   * Out of sync after bytes lost between two messages (or before a direction's first): a message may start inside a
   * segment (findMessageStart), the next one after those the loss took. Not after a loss inside a message (the rest
   * of its body follows, and may quote HTTP), nor after a message that could not be framed, nor in a direction that
   * lost nothing (another protocol, a stream begun before the capture): there only a segment's start is looked at.
   */
  private get resyncInsideSegments(): boolean {
    return this.insideScanBytesLeft > 0 && this.lossBetweenMessages !== null;
  }

  /**
   * Out of sync: a message starts where a segment starts (leading CR/LF allowed) or, after a loss between messages,
   * at a whole message inside it (resyncInsideSegments).
   */
  private seekStart(bytes: Uint8Array): number {
    let p = 0;
    while (p < bytes.length && (bytes[p] === CR || bytes[p] === LF)) p++;
    if (p === bytes.length) return -1;
    if (startShape(bytes, p, bytes.length, this.want) === 'no' && !this.expectSimpleResponse) {
      if (!this.resyncInsideSegments) return -1;
      p = findMessageStart(bytes, p + 1, bytes.length, this.want);
      if (p < 0) return -1;
    }
    this.unparsed(p);
    this.state = IDLE;
    this.tentative = true;
    return p;
  }

  private idle(bytes: Uint8Array, pos: number): number {
    if (this.expectSimpleResponse) {
      // An HTTP/0.9 request is answered by the body alone (RFC 1945 §4.1), unless a status line comes anyway.
      this.expectSimpleResponse = false;
      this.simpleFallback = true;
      this.first = this.curMark();
      this.lineOffset = this.chunkOffset + pos;
      this.state = START_LINE;
      this.lineLen = 0;
      this.shapeOk = false;
      return pos;
    }
    // RFC 9112 §2.2: empty lines before a request line ought to be ignored; servers send stray CRLFs too.
    const len = bytes.length;
    while (pos < len && (bytes[pos] === CR || bytes[pos] === LF)) pos++;
    if (pos === len) return pos;
    this.first = this.curMark();
    this.lineOffset = this.chunkOffset + pos;
    this.state = START_LINE;
    this.lineLen = 0;
    this.shapeOk = false;
    return pos;
  }

  /**
   * Accumulates the start line (bounded), rejects early by its shape, parses it at its LF. A line whose LF is in the
   * same chunk as its first byte (nearly all) is read in place; only a line split across segments is copied.
   * lineLen counts the line's bytes either way (the unparsed and opaque counts read it).
   */
  private startLine(bytes: Uint8Array, pos: number): number {
    const len = bytes.length;
    const lf = bytes.indexOf(LF, pos);
    const stop = lf < 0 ? len : lf;
    if (this.lineLen + (stop - pos) > this.limits.maxStartLineBytes) {
      // The line's first bytes decide, wherever the segments split them (held ones first, then this chunk's).
      let httpShaped: boolean;
      if (this.lineLen === 0) httpShaped = startsLikeHttp(bytes, pos, stop, this.want);
      else {
        const prefix = new Uint8Array(Math.min(LONG_LINE_PREFIX_BYTES, this.lineLen + (stop - pos)));
        const held = Math.min(this.lineLen, prefix.length);
        prefix.set(this.lineBuf.subarray(0, held));
        prefix.set(bytes.subarray(pos, pos + prefix.length - held), held);
        httpShaped = startsLikeHttp(prefix, 0, prefix.length, this.want);
      }
      return this.rejectStart(`start line longer than ${this.limits.maxStartLineBytes} bytes`, pos, httpShaped);
    }
    let line: Uint8Array;
    let from: number;
    if (this.lineLen === 0 && lf >= 0) {
      line = bytes;
      from = pos;
      this.lineLen = stop - pos;
    } else {
      this.append(bytes, pos, stop);
      line = this.lineBuf;
      from = 0;
    }
    const to = from + this.lineLen;
    if (!this.shapeOk) {
      const shape = startShape(line, from, to, this.maySwitch ? 'request' : this.want);
      if (shape === 'no') return this.maySwitch ? this.switchNow(stop) : this.rejectStart('not an HTTP start line', stop);
      this.shapeOk = shape === 'yes';
    }
    if (lf < 0) return len;
    let end = to;
    const bareLf = !(end > from && line[end - 1] === CR);
    if (!bareLf) end--;
    const head = this.beginMessage();
    head.headerBytes = this.lineLen + 1;
    if (bareLf) head.lenient.push('bare LF');
    const status = this.want !== 'request' && !this.maySwitch ? parseStatusLine(line, from, end) : null;
    const request = status === null && this.want !== 'status' ? parseRequestLine(line, from, end) : null;
    if (status === null && request === null) {
      return this.maySwitch ? this.switchNow(lf) : this.rejectStart('not an HTTP start line', lf);
    }
    head.status = status;
    head.request = request;
    if (request?.malformed) head.lenient.push(request.version === '' ? 'no HTTP version' : `malformed version ${request.version}`);
    const refused = this.sink.onStart(this.dir, head, this.first, this.resync);
    if (refused !== null) return this.rejectStart(refused, lf);
    this.accepted();
    this.maySwitch = false;
    this.lineLen = 0;
    this.lastKept = -1;
    this.fieldBytes = 0;
    if (request?.http09) {
      // RFC 1945 §4.1: a Simple-Request is the request line alone.
      this.headersDone();
    } else {
      this.state = HEADERS;
    }
    return lf + 1;
  }

  /** The response to an HTTP/0.9 request: no status line, no headers, the body runs to the close. */
  private simpleResponse(pos: number): number {
    this.simpleFallback = false;
    this.beginMessage();
    const refused = this.sink.onStart(this.dir, this.head!, this.first, this.resync);
    this.accepted();
    if (refused !== null) {
      this.stop(refused, { lossOffset: this.lineOffset, atBoundary: false, skippedBytes: 0 });
      return pos;
    }
    this.body = emptyBody('close');
    this.body.bodyBytes = this.lineLen;
    this.lineLen = 0;
    this.state = BODY_CLOSE;
    return pos;
  }

  private accepted(): void {
    this.simpleFallback = false;
    this.resync = null;
    this.tentative = false;
    this.everStarted = true;
  }

  /** The bytes where a start line should be are not one; returns the chunk position where parsing gave up. */
  private rejectStart(why: string, pos: number, httpShaped = false): number {
    if (this.simpleFallback) return this.simpleResponse(pos);
    const lineBytes = this.lineLen;
    this.lineLen = 0;
    if (this.tentative) {
      // Looking for a first message or a message after loss: not finding one is not an error. But a line that starts
      // as HTTP and only ran past the limit is HTTP this parser could not read: said, not taken for "not HTTP".
      if (httpShaped) {
        this.stopReason = why;
        this.sink.onStop(this.dir, why, this.curFrame, true);
      } else if (!this.everStarted && this.resync === null) this.sink.onNotHttp(this.dir, this.first.frame);
      if (this.resync === null) this.resync = { lossOffset: this.lineOffset, atBoundary: false, skippedBytes: 0 };
      this.state = SEEK;
      if (this.lineOffset < this.chunkOffset) {
        // The false start began in an earlier segment: this segment's own start may still begin a message. Its part
        // of the line starts at 0 (a line carried over continues at the chunk's start): the rescan, or the count of
        // unparsed bytes, takes the chunk from there, even when the line ran to the chunk's end.
        this.unparsed(this.chunkOffset - this.lineOffset);
        this.rescan = true;
        return 0;
      }
      this.unparsed(lineBytes);
      return pos;
    }
    this.stop(why, { lossOffset: this.lineOffset, atBoundary: false, skippedBytes: 0 }, httpShaped);
    this.unparsed(lineBytes);
    return pos;
  }

  /**
   * Bytes of a start line still arriving that begins as HTTP does (startsLikeHttp), or 0: a response to it can come
   * before its line ends (a server answers a request line too long for it with 414 before reading all of it).
   */
  pendingStartLineBytes(): number {
    if (this.state !== START_LINE || this.lineLen === 0) return 0;
    return startsLikeHttp(this.lineBuf, 0, Math.min(this.lineLen, LONG_LINE_PREFIX_BYTES), this.want) ? this.lineLen : 0;
  }

  /** After an Upgrade or CONNECT request, bytes that are not a request line belong to the new protocol. */
  private switchNow(pos: number): number {
    this.opaqueBytes += this.lineLen;
    this.lineLen = 0;
    this.maySwitch = false;
    this.state = OPAQUE;
    return pos;
  }

  /** The head of the message starting now: one object per direction, reset for each message (the sink reads it
   *  during its calls and keeps none of it). */
  private beginMessage(): MessageHead {
    const head = this.headScratch;
    head.request = null;
    head.status = null;
    head.kept.fill(null);
    head.fieldCount = 0;
    head.headerBytes = 0;
    emptyScratch(head.lenient);
    this.head = head;
    // A message cut before its header section ended has no body: not the previous message's (onIncomplete reads it).
    if (this.body.bodyBytes !== 0 || this.body.framing !== 'none') this.body = emptyBody('none');
    return head;
  }

  private append(bytes: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.lineLen + n > this.lineBuf.length) {
      let size = Math.max(LINE_BUF_MIN_BYTES, this.lineBuf.length * 2);
      while (size < this.lineLen + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.lineBuf.subarray(0, this.lineLen));
      this.lineBuf = grown;
    }
    this.lineBuf.set(bytes.subarray(from, to), this.lineLen);
    this.lineLen += n;
  }

  /** Header or trailer field lines up to the empty line; only partial lines are copied. */
  private fieldLines(bytes: Uint8Array, pos: number): number {
    const len = bytes.length;
    const state = this.state;
    while (pos < len && this.state === state) {
      const lf = bytes.indexOf(LF, pos);
      const stop = lf < 0 ? len : lf;
      if (this.fieldBytes + this.lineLen + (stop - pos) > this.limits.maxHeaderBytes) {
        this.unparsed(this.lineLen);
        this.malformed(`${state === TRAILERS ? 'trailer' : 'header'} section exceeds ${this.limits.maxHeaderBytes} bytes`);
        return pos;
      }
      if (lf < 0) {
        this.append(bytes, pos, len);
        return len;
      }
      if (this.lineLen > 0) {
        this.append(bytes, pos, lf);
        const n = this.lineLen;
        this.lineLen = 0;
        this.fieldLine(this.lineBuf, 0, n);
      } else {
        this.fieldLine(bytes, pos, lf);
      }
      pos = lf + 1;
    }
    return pos;
  }

  private fieldLine(b: Uint8Array, from: number, to: number): void {
    const head = this.head!;
    const lineBytes = to - from + 1;
    this.fieldBytes += lineBytes;
    head.headerBytes += lineBytes;
    if (to > from && b[to - 1] === CR) to--;
    else if (!head.lenient.includes('bare LF')) head.lenient.push('bare LF');
    if (to === from) {
      if (this.state === TRAILERS) this.endMessage(this.curMark());
      else this.headersDone();
      return;
    }
    if (b[from] === SP || b[from] === HT) {
      // RFC 9112 §5.2 obs-fold: a continuation of the previous field value, replaced by a space.
      if (!head.lenient.includes('obs-fold')) head.lenient.push('obs-fold');
      if (this.lastKept >= 0 && this.state === HEADERS) {
        let p = from;
        while (p < to && (b[p] === SP || b[p] === HT)) p++;
        head.kept[this.lastKept] += ' ' + latin1(b, p, to);
      }
      return;
    }
    const field = this.field;
    if (!splitFieldLineInto(b, from, to, field)) {
      if (!head.lenient.includes('invalid field line')) head.lenient.push('invalid field line');
      this.lastKept = -1;
      return;
    }
    if (field.spaceBeforeColon && !head.lenient.includes('space before colon')) head.lenient.push('space before colon');
    if (this.state === TRAILERS) {
      this.body.trailerFields++;
      return;
    }
    head.fieldCount++;
    const k = keptHeader(b, field.nameFrom, field.nameTo);
    this.lastKept = k;
    if (k >= 0) {
      const value = internLatin1(b, field.valueFrom, field.valueTo);
      const prev = head.kept[k];
      head.kept[k] = prev === null ? value : prev + ', ' + value;
    }
  }

  private headersDone(): void {
    const head = this.head!;
    const plan = this.sink.onHeaders(this.dir, head);
    switch (plan.kind) {
      case 'none':
        this.body = emptyBody('none');
        this.endMessage(this.curMark());
        break;
      case 'switch':
        this.body = emptyBody('none');
        this.switchAfterMessage = true;
        this.endMessage(this.curMark());
        break;
      case 'length':
        this.body = emptyBody('content-length');
        this.remainingBytes = plan.bytes;
        if (plan.bytes === 0) this.endMessage(this.curMark());
        else {
          this.state = BODY_LENGTH;
          if (plan.probe === true) this.startProbe();
        }
        break;
      case 'chunked':
        this.body = emptyBody('chunked');
        this.state = CHUNK_SIZE;
        this.lineLen = 0;
        if (plan.probe === true) this.startProbe();
        break;
      case 'close':
        this.body = emptyBody('close');
        this.state = BODY_CLOSE;
        break;
      case 'reject':
        this.body = emptyBody('none');
        this.malformed(plan.why);
        break;
    }
  }

  private startProbe(): void {
    this.probing = true;
    this.probeLen = 0;
    this.probeHeadEnd = this.curMark();
    this.probeFirst = null;
    this.probeLengthEnd = null;
  }

  /** StatusProbe: takes the bytes at pos that continue a status line; returns where the body (or message) goes on. */
  private probe(bytes: Uint8Array, pos: number): number {
    const len = bytes.length;
    while (pos < len && this.probeLen < STATUS_PROBE_BYTES) {
      if (!statusProbeAccepts(this.probeLen, bytes[pos]!)) {
        this.commitProbe();
        return pos;
      }
      if (this.probeLen === 0) {
        this.probeFirst = this.curMark();
        this.probeOffset = this.chunkOffset + pos;
        if (this.probeBuf.length === 0) this.probeBuf = new Uint8Array(STATUS_PROBE_BYTES);
      }
      this.probeBuf[this.probeLen++] = bytes[pos++]!;
      if (this.state === BODY_LENGTH && this.probeLen === this.remainingBytes) this.probeLengthEnd = this.curMark();
    }
    if (this.probeLen < STATUS_PROBE_BYTES) return pos;
    // A status line right after the header section: this response had no body, and the next one starts here.
    this.probing = false;
    this.probeLen = 0;
    this.body = emptyBody('none');
    this.body.statusLineFollowed = true;
    this.remainingBytes = 0;
    this.endMessage(this.probeHeadEnd!);
    if (this.state !== IDLE) {
      // Opaque from here (a switch accepted meanwhile): the held bytes are the new protocol's.
      this.push(this.probeBuf.subarray(0, STATUS_PROBE_BYTES));
      return pos;
    }
    // The next start line begins with the held bytes, where and when they arrived; as idle() does, it may be the
    // body of an HTTP/0.9 response that the message just ended made due (its request queued next).
    this.simpleFallback = this.expectSimpleResponse;
    this.expectSimpleResponse = false;
    this.first = this.probeFirst!;
    this.lineOffset = this.probeOffset;
    this.state = START_LINE;
    this.lineLen = 0;
    this.shapeOk = false;
    this.append(this.probeBuf, 0, STATUS_PROBE_BYTES);
    return pos;
  }

  /**
   * StatusProbe: the body is a body after all. Bytes held across a segment end are counted as its first bytes, as
   * they arrived: a body shorter than them ended where they reached its length (not in the segment that decided),
   * and what follows it in them is parsed at its own stream offset.
   */
  private commitProbe(): void {
    this.probing = false;
    const held = this.probeLen;
    this.probeLen = 0;
    if (held === 0) return;
    const bytes = this.probeBuf.slice(0, held);
    let from = 0;
    if (this.probeLengthEnd !== null && this.state === BODY_LENGTH && held >= this.remainingBytes) {
      from = this.remainingBytes;
      this.body.bodyBytes += from;
      this.remainingBytes = 0;
      this.endMessage(this.probeLengthEnd);
      if (from === held) return;
    }
    const chunkOffset = this.chunkOffset;
    this.chunkOffset = this.probeOffset + from;
    this.push(from === 0 ? bytes : bytes.subarray(from));
    this.chunkOffset = chunkOffset;
  }

  private chunkSizeLine(bytes: Uint8Array, pos: number): number {
    const len = bytes.length;
    const lf = bytes.indexOf(LF, pos);
    const stop = lf < 0 ? len : lf;
    if (this.lineLen + (stop - pos) > this.limits.maxStartLineBytes) {
      this.unparsed(this.lineLen);
      this.malformed(`chunk size line longer than ${this.limits.maxStartLineBytes} bytes`);
      return pos;
    }
    if (lf < 0) {
      this.append(bytes, pos, len);
      return len;
    }
    let line: Uint8Array = bytes;
    let from = pos;
    let to = lf;
    if (this.lineLen > 0) {
      this.append(bytes, pos, lf);
      line = this.lineBuf;
      from = 0;
      to = this.lineLen;
    }
    this.lineLen = 0;
    if (to > from && line[to - 1] === CR) to--;
    const size = parseChunkSize(line, from, to);
    if ('error' in size) {
      this.malformed(size.error);
      return lf + 1;
    }
    if (size.bytes === 0) {
      // RFC 9112 §7.1.2: the last chunk, then trailer fields up to an empty line.
      this.state = TRAILERS;
      this.fieldBytes = 0;
    } else {
      this.body.chunks++;
      this.remainingBytes = size.bytes;
      this.state = CHUNK_DATA;
    }
    return lf + 1;
  }

  private endMessage(last: Mark): void {
    this.state = this.switchAfterMessage ? OPAQUE : IDLE;
    this.switchAfterMessage = false;
    this.lineLen = 0;
    this.head = null;
    this.sink.onEnd(this.dir, last, this.body);
  }

  /** The message cannot be framed: it is reported incomplete and parsing waits for a message start (RFC 9112
   *  §6.3 item 5 and §7.1: nothing in this message's extent can be trusted). */
  private malformed(why: string): void {
    if (this.state !== START_LINE) this.sink.onIncomplete(this.dir, why, this.curFrame, this.body, null, -1, null);
    this.stop(why, { lossOffset: this.chunkOffset, atBoundary: false, skippedBytes: 0 });
  }

  private stop(why: string, resync: ResyncInfo, unreadStartLine = false): void {
    this.state = SEEK;
    this.tentative = true;
    this.resync = resync;
    this.lineLen = 0;
    this.head = null;
    this.stopReason = why;
    this.sink.onStop(this.dir, why, this.curFrame, unreadStartLine);
  }

  /** length bytes at offset are missing from this direction. */
  gap(offset: number, length: number, frame: number, arrival: number): void {
    if (length <= 0) return;
    if (this.nextOffset < 0) this.nextOffset = offset;
    if (offset + length <= this.nextOffset) return;
    if (offset < this.nextOffset) {
      length -= this.nextOffset - offset;
      offset = this.nextOffset;
    } else if (offset > this.nextOffset) {
      length += offset - this.nextOffset;
      offset = this.nextOffset;
    }
    this.nextOffset = offset + length;
    if (this.probing) this.commitProbe();
    // The time of the bytes around the loss is unknown: the last data's time stands for it.
    this.curFrame = frame;
    this.curTsSec = this.lastTsSec;
    this.curTsNsec = this.lastTsNsec;
    this.curArrival = arrival;
    this.curObject = null;
    this.insideScanBytesLeft = INSIDE_SCAN_BYTES;
    this.seekCarry = null;
    let missing = length;
    if (this.state === BODY_LENGTH || this.state === CHUNK_DATA) {
      // RFC 9112 §6.3: the length is known, so the framing survives the loss; skip and count.
      const take = Math.min(missing, this.remainingBytes);
      this.remainingBytes -= take;
      this.body.bodyBytes += take;
      this.body.missingBytes += take;
      this.sink.onBodyGap(this.dir, take, frame);
      missing -= take;
      offset += take;
      if (this.remainingBytes === 0) {
        if (this.state === BODY_LENGTH) this.endMessage(this.curMark());
        else {
          this.state = CHUNK_DATA_END;
          this.crSeen = false;
        }
      }
      if (missing === 0) return;
    }
    switch (this.state) {
      case BODY_CLOSE:
        this.body.bodyBytes += missing;
        this.body.missingBytes += missing;
        this.sink.onBodyGap(this.dir, missing, frame);
        return;
      case OPAQUE:
        this.opaqueBytes += missing;
        return;
      case SEEK:
        this.unparsedBytes += missing;
        if (this.resync !== null) this.resync.skippedBytes += missing;
        return;
      case ENDED:
        this.unparsedBytes += missing;
        return;
      default:
        break;
    }
    // A loss between messages, or inside a start line not yet parsed, takes whole messages with it; a loss inside a
    // parsed message cuts that message short.
    const atBoundary = this.state === IDLE || this.state === START_LINE;
    const phase = PHASE[this.state];
    if (!atBoundary) {
      const inHead = this.state === HEADERS;
      this.sink.onIncomplete(this.dir, `${missing} bytes missing ${phase}`, frame, this.body, inHead ? 'head' : 'body', offset,
        inHead ? this.head : null);
    }
    const lossOffset = this.state === START_LINE ? this.lineOffset : offset;
    const skipped = missing + (this.state === START_LINE ? this.lineLen : 0);
    const silent = this.tentative && !this.everStarted;
    if (this.resync === null || !this.tentative) this.resync = { lossOffset, atBoundary, skippedBytes: 0 };
    this.state = SEEK;
    this.tentative = true;
    this.lineLen = 0;
    this.head = null;
    this.unparsed(skipped);
    if (!silent) {
      this.stopReason = `${missing} bytes missing ${phase}`;
      this.sink.onStop(this.dir, `${missing} bytes missing at offset ${offset} ${phase}: waiting for the next message start`,
        frame, false);
    }
  }

  /** The current bytes' Mark, made once (a message start or end keeps it). */
  private curMark(): Mark {
    if (this.curObject === null) {
      this.curObject = { frame: this.curFrame, tsSec: this.curTsSec, tsNsec: this.curTsNsec, arrival: this.curArrival };
      if (this.curFrame === this.lastFrame && this.curArrival === this.lastArrival) this.lastObject = this.curObject;
    }
    return this.curObject;
  }

  /** The last data chunk's Mark, made once. */
  private lastDataMark(): Mark {
    if (this.lastObject === null) {
      this.lastObject = { frame: this.lastFrame, tsSec: this.lastTsSec, tsNsec: this.lastTsNsec, arrival: this.lastArrival };
    }
    return this.lastObject;
  }

  /** The direction ended (FIN in order, RST, or capture end). */
  end(reason: 'fin' | 'rst' | 'capture-end', mark: Mark): void {
    this.seekCarry = null;
    if (this.probing) this.commitProbe();
    if (this.state === START_LINE && this.simpleFallback) this.simpleResponse(0);
    const state = this.state;
    if (state === BODY_CLOSE && reason === 'fin') {
      // RFC 9112 §6.3 item 8: a close-delimited body ends when the sender closes the connection. A reset (by either
      // side) is not that close: §8 leaves such a message incomplete when the connection reports an error; nor is
      // the end of the capture, after which more of the body may have come.
      this.endMessage(this.lastDataMark());
    } else if (this.inMessage) {
      const what = endWords(reason);
      let detail = PHASE[state];
      if (state === BODY_LENGTH) detail = `in the body, ${this.body.bodyBytes} of ${this.body.bodyBytes + this.remainingBytes} bytes`;
      else if (state === BODY_CLOSE) detail = `in a body delimited by the close, after ${this.body.bodyBytes} bytes`;
      this.sink.onIncomplete(this.dir, `${what} ${detail}`, mark.frame, this.body, null, -1, null);
    } else if (state === START_LINE) {
      // A line that begins as HTTP does but never ended is a message that was not parsed: said, not counted silently.
      const pending = this.pendingStartLineBytes();
      if (pending > 0) {
        const what = endWords(reason);
        this.stopReason = `${what} inside a start line (${pending} bytes, no line end)`;
        this.sink.onStop(this.dir, this.stopReason, mark.frame, true);
      }
      this.unparsedBytes += this.lineLen;
    }
    this.state = ENDED;
    this.lineLen = 0;
  }
}

/** How a direction ended, as the texts of messages cut short by it say. */
function endWords(reason: 'fin' | 'rst' | 'capture-end'): string {
  return reason === 'capture-end' ? 'capture ended' : reason === 'fin' ? 'connection closed (FIN)' : 'connection reset';
}

function emptyBody(framing: BodyStats['framing']): BodyStats {
  return { framing, bodyBytes: 0, missingBytes: 0, chunks: 0, trailerFields: 0, statusLineFollowed: false };
}
