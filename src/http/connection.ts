// HTTP/1.x over one TCP connection: two direction parsers, FIFO request/response pairing (RFC 9112 §9.3.2), events.
// Fed only by the stream stage (in-order bytes, gaps, ends); keeps no body bytes and never throws on content.

import { emptyScratch } from '../scratch.js';
import type { AnnotationCode, Direction } from '../types.js';
import { HttpCodes } from './codes.js';
import { classify } from './classify.js';
import { ExchangeRec, computeOrder, exportExchange, knownReuseVerdict, toProxy } from './exchange.js';
import { PackedExchanges } from './packed-exchanges.js';
import { DirectionParser } from './parser.js';
import type { BodyPlan, BodyStats, MessageHead, Mark, ParserSink, ResyncInfo } from './parser.js';
import { DirectionSniffer, describeDirectionProtocol, mayStartOtherProtocol, otherProtocolOf, type DirectionProtocol } from './sniff.js';
import { Kept, headerTokens, parseContentLength, printable, transferCodings } from './syntax.js';
import type { HttpEvent, HttpExchange, HttpSummary, TcpCloseFacts } from './types.js';

export interface HttpConnectionOptions {
  /** Cap on a message's header (or trailer) section, start line excluded; beyond it parsing stops. Default 64 KiB. */
  maxHeaderBytes?: number;
  /**
   * Cap on a start line and on a chunk-size line. Default 64 KiB, as the header section: RFC 9112 §3 asks for at
   * least 8000 octets, and real request lines (long query strings) pass 8 KiB, which left such a connection "not
   * HTTP". A first line beyond the cap is still not taken for HTTP.
   */
  maxStartLineBytes?: number;
  /**
   * Word the events (default true). Off, every event still comes, with its code and an empty text, and the words of
   * the frequent ones (each request, response and their ends) are not even built: for callers that count codes.
   */
  texts?: boolean;
  /** The connection began with a handshake (HttpConnection.handshakeSeen; default false). */
  handshakeSeen?: boolean;
}

const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
const DEFAULT_MAX_START_LINE_BYTES = 64 * 1024;
/** The shortest response: `HTTP/1.1 200 ` CRLF CRLF. */
const MIN_RESPONSE_BYTES = 17;
/** The shortest request: HTTP/0.9's `GET /` CRLF (RFC 1945 §4.1). */
const MIN_REQUEST_BYTES = 7;

/** The response being parsed and the exchange it belongs to. */
interface CurrentResponse {
  ex: ExchangeRec;
  interim: boolean;
}

export class HttpConnection implements ParserSink {
  private readonly parsers: [DirectionParser, DirectionParser];
  /** The TCP direction that carries requests, once a start line told us. */
  private reqDir: Direction | null = null;
  private readonly recs: ExchangeRec[] = [];
  /** Exchanges with a request, in request order; respCursor is the first still waiting for its final response. */
  private readonly queue: ExchangeRec[] = [];
  private respCursor = 0;
  private curReq: ExchangeRec | null = null;
  private curResp: CurrentResponse | null = null;
  /** An interim response arrived with no request pending: the final response that follows joins its exchange. */
  private orphanInterim: ExchangeRec | null = null;
  private out: HttpEvent[] = [];
  /** Counts data, gap and end calls: orders the bytes of both directions as the capture delivered them. */
  private arrival = 0;
  private frame = 0;
  /** Requests started in the current frame: a gap the same packet reveals in the response direction (its ACK
   *  passing lost bytes) was known to the client when it sent the request. */
  private frameRequests: ExchangeRec[] = [];
  /** Requests sent while earlier ones waited, before any server byte: pipelined once a response shows up in sync. */
  private readonly deferred: { ex: ExchangeRec; depth: number }[] = [];
  /** Requests sent while the response being read might have no body (parser.ts StatusProbe): decided when that
   *  response ends (onEnd), by the rule the verdict applies (computeOrder): pipelined behind it if it ended after
   *  the request began; not at all if it was cut short. */
  private readonly probeDeferred: { ex: ExchangeRec; depth: number }[] = [];
  private responses = 0;
  /** Responses that found no request waiting since the last request started (their requests are not in the capture). */
  private orphansSinceRequest = 0;
  private interimResponses = 0;
  private switched: 'upgrade' | 'tunnel' | null = null;
  private upgradeTo: string | null = null;
  /** The client opened with the HTTP/2 connection preface (RFC 9113 §3.4): HTTP/2 with prior knowledge. */
  private priorKnowledge = false;
  /** Per direction: ended, and whether its parser was in sync at that moment. */
  private readonly ended: [{ reason: string; synced: boolean } | null, { reason: string; synced: boolean } | null] = [null, null];
  private readonly started: [boolean, boolean] = [false, false];
  /** Why each direction's parsing stopped, while it stays stopped (a resync clears it). */
  private readonly stopped: [string | null, string | null] = [null, null];
  /** Per direction, while stopped there: why a start line that begins as HTTP does could not be read (too long,
   *  or never ended); null for every other stop (lost bytes, a line that is not HTTP). */
  private readonly unreadLine: [string | null, string | null] = [null, null];
  /** Per direction: its last message start came after an unread start line (not after a mid-stream start). */
  private readonly resumed: [boolean, boolean] = [false, false];
  private readonly words: boolean;
  /**
   * Naming a connection that is not HTTP (sniff.ts): per direction, its sniffer while undecided (made only when the
   * first byte could start TLS or SSH), what it found, and a bit per direction once decided (HTTP decides both).
   */
  private sniffers: [DirectionSniffer | null, DirectionSniffer | null] | null = null;
  private readonly sniffed: [DirectionProtocol | null, DirectionProtocol | null] = [null, null];
  private sniffDecided = 0;
  /** A bit per direction that lost bytes (a gap): its unparsed bytes may be the tail of a request the capture lacks. */
  private gapDirs = 0;
  /**
   * The connection began with a handshake (set by the caller): a direction's first bytes are its first bytes, so
   * bytes that are no request line are the request, unreadable, rather than the tail of one the capture missed.
   */
  handshakeSeen = false;

  constructor(opts: HttpConnectionOptions = {}) {
    const limits = {
      maxHeaderBytes: opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      maxStartLineBytes: opts.maxStartLineBytes ?? DEFAULT_MAX_START_LINE_BYTES,
    };
    this.parsers = [new DirectionParser(0, this, limits), new DirectionParser(1, this, limits)];
    this.words = opts.texts !== false;
    this.handshakeSeen = opts.handshakeSeen === true;
  }

  /** In-order bytes of direction dir (0 = TCP client→server), stream offset of bytes[0], and the frame/time that
   *  carried them. Events are appended to out. */
  data(dir: Direction, bytes: Uint8Array, offset: number, frame: number, tsSec: number, tsNsec: number, out: HttpEvent[]): void {
    this.enter(frame, out);
    if ((this.sniffDecided & (1 << dir)) === 0) this.sniff(dir, bytes, offset);
    this.parsers[dir].data(bytes, offset, frame, tsSec, tsNsec, this.arrival);
    this.afterResponseProgress(dir);
  }

  /** The first bytes of a direction, for naming what the connection carries when it is not HTTP (sniff.ts). */
  private sniff(dir: Direction, bytes: Uint8Array, offset: number): void {
    if (this.reqDir !== null) return this.endSniffing(dir);
    let sniffer = this.sniffers?.[dir] ?? null;
    if (sniffer === null) {
      const b0 = bytes.length > 0 ? bytes[0]! : -1;
      // Only a record of TLS (content types 20-23) or "SSH-" at the direction's first byte is worth keeping.
      if (offset !== 0 || !mayStartOtherProtocol(b0)) return this.endSniffing(dir);
      this.sniffers ??= [null, null];
      sniffer = this.sniffers[dir] = new DirectionSniffer();
    }
    sniffer.data(bytes, offset);
    if (sniffer.decided) this.endSniffing(dir, true);
  }

  /**
   * No more sniffing in dir: keeps what its sniffer found (deciding on the bytes it kept) and lets it go. `announce`:
   * the current frame completed what was found (its data, or the direction's end), which the timeline says there; a
   * gap's frame and the summary's own call have no place for it.
   */
  private endSniffing(dir: Direction, announce = false): void {
    const sniffer = this.sniffers?.[dir] ?? null;
    if (sniffer !== null) {
      sniffer.end();
      const found = sniffer.result;
      this.sniffed[dir] = found;
      this.sniffers![dir] = null;
      const said = announce && found !== null ? describeDirectionProtocol(found, dir === 0 ? 'client' : 'server') : null;
      if (said !== null) this.emit(said.code, said.text, this.frame, dir, 0);
    }
    this.sniffDecided |= 1 << dir;
  }

  /** length bytes of dir are missing at offset. Inside a body of known length: skipped and counted; anywhere else
   *  that direction stops (an event says why) until the next message start (DirectionParser.seekStart). */
  gap(dir: Direction, offset: number, length: number, frame: number, out: HttpEvent[]): void {
    this.enter(frame, out);
    // Not said here: the packet that makes a gap certain is usually the other side's ACK, no place for a hello.
    if ((this.sniffDecided & (1 << dir)) === 0) this.endSniffing(dir);
    this.gapDirs |= 1 << dir;
    this.parsers[dir].gap(offset, length, frame, this.arrival);
    this.afterResponseProgress(dir);
  }

  /** Direction ended (FIN reached in order, RST, or capture end): completes a close-delimited body; an unfinished
   *  message is reported. */
  end(dir: Direction, frame: number, reason: 'fin' | 'rst' | 'capture-end', tsSec: number, tsNsec: number, out: HttpEvent[]): void {
    this.enter(frame, out);
    if ((this.sniffDecided & (1 << dir)) === 0) this.endSniffing(dir, true);
    const parser = this.parsers[dir];
    if (this.ended[dir] !== null) return;
    const synced = parser.synced && !parser.isOpaque;
    // The server's bytes lost between two responses, and nothing parsed after them before its end: they held at
    // least the response to the first request still waiting (it was sent, the capture lost it), not "unanswered".
    const loss = this.reqDir !== null && dir !== this.reqDir ? parser.lossBetweenMessages : null;
    if (loss !== null) this.applyLoss(loss, this.arrival + 1, false);
    parser.end(reason, { frame, tsSec, tsNsec, arrival: this.arrival });
    this.ended[dir] = { reason, synced };
    if (this.reqDir !== null && dir !== this.reqDir && synced && reason !== 'capture-end') {
      // The server's direction ended in sync: requests still waiting will never be answered on this connection.
      for (let i = this.respCursor; i < this.queue.length; i++) {
        if (this.queue[i].responseState === 'absent') this.queue[i].responseState = 'unanswered';
      }
    }
  }

  /** Every exchange so far, in order, as JSON-able records. */
  exchanges(): readonly HttpExchange[] {
    const { order, depth } = computeOrder(this.recs);
    return this.recs.map((r, i) => exportExchange(r, order[i], depth[i]));
  }

  /** Direction `dir` is inside a body of known length (or a chunk's data) with exactly one byte still to come. */
  oneByteShort(dir: Direction): boolean {
    return this.parsers[dir].oneByteShort;
  }

  /** Direction `dir` is inside a message head or trailer section (DirectionParser.midHead). */
  midHead(dir: Direction): boolean {
    return this.parsers[dir].midHead;
  }

  /** The same exchanges packed, for a report that waits (see PackedExchanges); unpack() gives exchanges()'s list. */
  packedExchanges(): PackedExchanges {
    return new PackedExchanges(this.recs);
  }

  /** The verdict and its evidence, given the TCP facts of how the connection ended. */
  summary(close: TcpCloseFacts): HttpSummary {
    const stops: string[] = [];
    for (const d of [0, 1] as const) {
      const why = this.stopped[d];
      if (why !== null) stops.push(`${this.dirLabel(d)}: ${why}`);
    }
    let unread: string | null = null;
    for (const d of [0, 1] as const) {
      const why = this.unreadLine[d];
      if (why !== null && unread === null) unread = `${this.dirLabel(d)}: ${why}`;
    }
    if (this.sniffDecided !== 3) {
      this.endSniffing(0);
      this.endSniffing(1);
    }
    return classify(this.recs, computeOrder(this.recs), {
      // A start line that begins as HTTP does but could not be read is HTTP too: not a verdict of "not HTTP".
      detected: this.reqDir !== null || unread !== null,
      unreadStartLine: unread,
      rolesInverted: this.reqDir === 1,
      responses: this.responses,
      interimResponses: this.interimResponses,
      switched: this.switched,
      upgradeTo: this.upgradeTo,
      priorKnowledge: this.priorKnowledge,
      parseStopped: stops,
      unparsedBytes: this.parsers[0].unparsedBytes + this.parsers[1].unparsedBytes,
      opaqueBytes: this.parsers[0].opaqueBytes + this.parsers[1].opaqueBytes,
      otherProtocol: this.reqDir === null && unread === null ? otherProtocolOf(this.sniffed[0], this.sniffed[1]) : null,
      unreadableRequestBytes: this.unreadableRequestBytes(),
      requestDirectionSilent: this.requestDirectionSilent(),
      responseEndOffset: this.reqDir === null ? -1 : this.parsers[this.reqDir === 0 ? 1 : 0].nextOffset,
    }, close);
  }

  private enter(frame: number, out: HttpEvent[]): void {
    this.out = out;
    this.arrival++;
    if (frame !== this.frame) {
      this.frame = frame;
      emptyScratch(this.frameRequests);
    }
  }

  private get respDir(): Direction | null {
    return this.reqDir === null ? null : this.reqDir === 0 ? 1 : 0;
  }

  private afterResponseProgress(dir: Direction): void {
    if (dir !== this.respDir || this.frameRequests.length === 0) return;
    const pos = this.parsers[dir].nextOffset;
    for (const ex of this.frameRequests) ex.responsePosAtSend = Math.max(ex.responsePosAtSend, pos);
  }

  private emit(code: AnnotationCode, text: string, frame: number, dir: Direction, exchange: number): void {
    this.out.push({ code, text: this.words ? text : '', frame, dir, exchange });
  }

  private dirLabel(dir: Direction): string {
    if (this.reqDir === null) return dir === 0 ? 'client→server' : 'server→client';
    return dir === this.reqDir ? 'requests' : 'responses';
  }

  // ---- ParserSink ----

  private resyncText(dir: Direction, what: string, resync: ResyncInfo, tail: string): string {
    const skipped = plural(resync.skippedBytes, 'unparsed byte');
    // A direction that stopped at a start line it could not read (too long) did not start mid-stream: it resumed.
    if (!this.started[dir] && !this.resumed[dir]) {
      const why = this.lostStreamStart(dir, resync) ? ' (the capture lost its first bytes)' : ': the capture started mid-stream?';
      return `${this.dirLabel(dir)}: first message (${what}) found after ${skipped}${why}${tail}`;
    }
    return `${this.dirLabel(dir)}: parsing resumed at ${what} after ${skipped}${tail}`;
  }

  onStart(dir: Direction, head: MessageHead, first: Mark, resync: ResyncInfo | null): string | null {
    const isRequest = head.request !== null;
    if (resync !== null) {
      this.resumed[dir] = this.unreadLine[dir] !== null;
      this.stopped[dir] = null;
      this.unreadLine[dir] = null;
    }
    if (this.reqDir === null) {
      this.reqDir = isRequest ? dir : dir === 0 ? 1 : 0;
      this.parsers[this.reqDir].want = 'request';
      this.parsers[this.reqDir === 0 ? 1 : 0].want = 'status';
      if (this.reqDir === 1) {
        const what = isRequest ? 'requests travel TCP server→client' : 'responses travel TCP client→server';
        this.emit(HttpCodes.ROLES_INVERTED, `${what}: the TCP roles look inverted (capture started mid-stream?); pairing by content`,
          first.frame, dir, 0);
      }
    } else if (isRequest !== (dir === this.reqDir)) {
      return isRequest ? 'a request line in the response direction' : 'a status line in the request direction';
    }
    if (isRequest) this.startRequest(dir, head, first, resync);
    else this.startResponse(dir, head, first, resync);
    this.started[dir] = true;
    return null;
  }

  private startRequest(dir: Direction, head: MessageHead, first: Mark, resync: ResyncInfo | null): void {
    const req = head.request!;
    // Lost bytes that began between two requests held at least one whole request, when there are enough of them. Its
    // response is still due, ahead of this request's (FIFO, RFC 9112 §9.3.2): without a place for it in the queue,
    // every later response would pair with the request before its own. None when a response without a request
    // already stood for it.
    let lostRequest: ExchangeRec | null = null;
    if (this.orphanInterim !== null) {
      // An interim response (100 Continue) without a request: its request is not in the capture, and its final
      // response is still due, ahead of this request's (so this request waits behind it: outstanding below). It
      // takes the lost request's place in the queue; left aside, it stayed open for any later response without a
      // request, and a placeholder took its final response.
      lostRequest = this.orphanInterim;
      this.orphanInterim = null;
      this.queue.push(lostRequest);
    } else if (resync !== null && resync.atBoundary && resync.skippedBytes >= MIN_REQUEST_BYTES &&
      (this.started[dir] || this.lostStreamStart(dir, resync)) && this.orphansSinceRequest === 0) {
      lostRequest = new ExchangeRec(this.recs.length + 1);
      lostRequest.requestState = 'lost';
      this.recs.push(lostRequest);
      this.queue.push(lostRequest);
    }
    this.orphansSinceRequest = 0;
    const ex = new ExchangeRec(this.recs.length + 1);
    ex.hasRequest = true;
    ex.method = req.method;
    ex.target = req.target;
    ex.requestVersion = req.version;
    ex.http09 = req.http09;
    ex.requestState = 'incomplete';
    ex.requestStart = first;
    ex.requestOffset = this.parsers[dir].messageOffset;
    for (const n of head.lenient) ex.note(n);
    const respParser = this.parsers[dir === 0 ? 1 : 0];
    ex.responsePosAtSend = respParser.nextOffset;
    const respEnded = this.ended[dir === 0 ? 1 : 0];
    if (respEnded !== null && respEnded.synced && respEnded.reason !== 'capture-end') ex.responseState = 'unanswered';

    // What the capture shows at this moment: earlier requests still waiting, a response still arriving.
    // A lost request's place (requestState 'lost') does not count: whether its response was still due when this
    // request went out, or was lost with it, the capture cannot tell yet.
    let outstanding = 0;
    for (let i = this.respCursor; i < this.queue.length; i++) {
      if (this.queue[i].responseState === 'absent' && this.queue[i].requestState !== 'lost') outstanding++;
    }
    const responding = this.curResp !== null && !this.curResp.interim;
    if (responding) outstanding++;
    // The response being read may have ended with its header section (its request unknown, maybe a HEAD): whether
    // this request was pipelined is known when its next bytes show a body or another response.
    const maybeEnded = responding && respParser.probingBody;
    const prev = this.recs.length > 0 ? this.recs[this.recs.length - 1] : null;
    const words = this.words;
    const prevName = !words ? '' : prev?.hasRequest ? `request ${prev.index}` : prev?.requestState === 'lost' ? `lost request ${prev.index}` : `response ${prev?.index ?? 0}`;
    let suffix = '';
    let certain = false;
    if (!respParser.synced) {
      if (prev !== null) suffix = ' · order undetermined: the response direction lost bytes';
    } else if (maybeEnded) {
      suffix = ` · sent before response ${this.curResp!.ex.index} was seen to end`;
    } else if (outstanding > 0) {
      // Certain when a response is arriving now, or when the server's direction is demonstrably captured in sync;
      // before the first server byte it may be a one-sided capture: the first response start decides.
      certain = responding || respParser.nextOffset > 0;
      suffix = certain ? ` · pipelined behind ${prevName}` : ' · sent before any response was seen';
    } else if (prev !== null && (prev.responseState === 'lost' || (prev.hasRequest && !prev.responseSeen))) {
      suffix = ` · order undetermined: response ${prev.index} not in the capture`;
    }
    this.recs.push(ex);
    this.queue.push(ex);
    this.frameRequests.push(ex);
    this.curReq = ex;
    if (resync !== null) {
      const held = lostRequest === null ? '' : `; the lost bytes held at least one request (exchange ${lostRequest.index}, its response still due)`;
      this.emit(HttpCodes.RESYNC, this.resyncText(dir, `request ${ex.index}`, resync, held), first.frame, dir, ex.index);
    }
    const version = !words ? '' : req.http09 ? '(HTTP/0.9, no version)' : req.version === '' ? '(no version)' : printable(req.version, 20);
    this.emit(HttpCodes.REQUEST, words ? `request ${ex.index} ${printable(req.method, 40)} ${printable(req.target)} ${version}${suffix}` : '',
      first.frame, dir, ex.index);
    if (certain) this.emitPipelined(ex, outstanding + 1, first.frame);
    else if (maybeEnded) this.probeDeferred.push({ ex, depth: outstanding + 1 });
    else if (outstanding > 0 && respParser.synced) this.deferred.push({ ex, depth: outstanding + 1 });
    if (req.http09 && this.respCursor === this.queue.length - 1 && this.curResp === null) {
      respParser.expectSimpleResponse = true;
    }
  }

  /**
   * Lost response bytes held whole responses: which pending requests did they answer? At least one when the loss
   * began between messages. More when the evidence says the client saw server bytes beyond the loss before sending
   * its next request: a request sent after the response direction advanced past the loss (and past where it stood
   * when the previous request went out) follows a response the capture lost. Only requests sent before the resumed
   * response can be answered by it, so one of them is always left for it; at the direction's end (`resumed` false)
   * no response follows the loss, and none is left.
   */
  private applyLoss(resync: ResyncInfo, resumeArrival: number, resumed = true): number[] {
    // The lost bytes must be able to hold a response at all ("HTTP/1.1 200 \r\n\r\n"), at the end as before the
    // response parsing resumed at: a single lost byte between two responses (a FIN or a byte, a held ACK settled as a
    // byte) made the response to the next request lost, and each response after it paired with the request after
    // its own.
    if (resync.skippedBytes < MIN_RESPONSE_BYTES) return [];
    const pending: ExchangeRec[] = [];
    for (let i = this.respCursor; i < this.queue.length; i++) {
      const ex = this.queue[i];
      // A lost request (a placeholder, no start) came before the request that followed the loss.
      if (ex.requestState !== 'lost' && (ex.requestStart === null || ex.requestStart.arrival >= resumeArrival)) break;
      // At the end no later response tells which requests the loss answered: one sent once the server's stream had
      // passed where the loss began was sent after those bytes, and was not answered by them.
      if (!resumed && ex.requestState !== 'lost' && ex.responsePosAtSend > resync.lossOffset) break;
      pending.push(ex);
    }
    if (pending.length === 0) return [];
    let lostCount = resync.atBoundary ? 1 : 0;
    for (let i = 0; i + 1 < pending.length; i++) {
      if (pending[i + 1].responsePosAtSend > Math.max(resync.lossOffset, pending[i].responsePosAtSend)) lostCount = Math.max(lostCount, i + 1);
    }
    lostCount = Math.min(lostCount, resumed ? pending.length - 1 : pending.length);
    const lost: number[] = [];
    for (let i = 0; i < lostCount; i++) {
      pending[i].responseState = 'lost';
      pending[i].responseLossOffset = resync.lossOffset;
      lost.push(pending[i].index);
    }
    this.respCursor += lostCount;
    return lost;
  }

  /**
   * The direction's bytes from its very first were lost, after a handshake the capture saw: they held the start of its
   * first message, as lost bytes between two messages hold a whole one (not the tail of one sent before the capture).
   */
  private lostStreamStart(dir: Direction, resync: ResyncInfo): boolean {
    return this.handshakeSeen && (this.gapDirs & (1 << dir)) !== 0 && resync.atBoundary && resync.lossOffset === 0;
  }

  private emitPipelined(ex: ExchangeRec, depth: number, frame: number): void {
    const waiting = depth - 1;
    this.emit(HttpCodes.PIPELINED, !this.words ? '' : `request ${ex.index} sent while ${waiting} earlier ${waiting === 1 ? 'request awaited its' : 'requests awaited their'} response (depth ${depth})`,
      frame, this.reqDir!, ex.index);
  }

  private startResponse(dir: Direction, head: MessageHead, first: Mark, resync: ResyncInfo | null): void {
    const lost = resync !== null ? this.applyLoss(resync, first.arrival) : [];
    if (this.deferred.length > 0) {
      // The server's direction shows up in sync: requests sent before any response were pipelined after all.
      if (resync === null) for (const d of this.deferred) this.emitPipelined(d.ex, d.depth, first.frame);
      this.deferred.length = 0;
    }
    const status = head.status;
    const interim = status !== null && status.status >= 100 && status.status < 200 && status.status !== 101;
    let ex: ExchangeRec;
    if (this.respCursor < this.queue.length) {
      ex = this.queue[this.respCursor];
      if (!interim) this.respCursor++;
    } else if (this.orphanInterim !== null) {
      ex = this.orphanInterim;
      if (!interim) {
        // Its final response: it stands for a lost request as any response without one does (startRequest).
        this.orphanInterim = null;
        this.orphansSinceRequest++;
      }
    } else {
      ex = new ExchangeRec(this.recs.length + 1);
      this.recs.push(ex);
      if (interim) this.orphanInterim = ex;
      else if (resync === null && this.requestsAllSeen()) ex.unsolicited = true;
      else this.orphansSinceRequest++;
    }
    this.responses++;
    for (const n of head.lenient) ex.note(n);
    if (interim) {
      this.interimResponses++;
      ex.addInterim(status!.status);
    } else {
      ex.status = status === null ? null : status.status;
      ex.reason = status === null ? null : status.reason;
      ex.responseVersion = status === null ? 'HTTP/0.9' : status.version;
      ex.responseState = 'incomplete';
      ex.responseStart = first;
      ex.responseLastArrival = first.arrival;
    }
    this.curResp = { ex, interim };
    if (resync !== null) {
      const held = lost.length === 0 ? '' : `; the lost bytes held the response${lost.length === 1 ? '' : 's'} to request${lost.length === 1 ? '' : 's'} ${lost.join(', ')}`;
      this.emit(HttpCodes.RESYNC, this.resyncText(dir, `response ${ex.index}`, resync, held), first.frame, dir, ex.index);
    }
    if (!this.words) {
      this.emit(HttpCodes.RESPONSE, '', first.frame, dir, ex.index);
      return;
    }
    const line = status === null ? 'HTTP/0.9 response (no status line)' : `${status.status}${status.reason === '' ? '' : ' ' + printable(status.reason, 80)}`;
    const tag = interim ? ' · interim' : ex.hasRequest ? '' : this.orphanTag();
    this.emit(HttpCodes.RESPONSE, `response ${ex.index} ${line}${tag}`, first.frame, dir, ex.index);
  }

  onHeaders(dir: Direction, head: MessageHead): BodyPlan {
    if (dir === this.reqDir) return this.requestHeaders(head);
    return this.responseHeaders(dir, head);
  }

  /** RFC 9112 §6.3 items 3, 4, 5 and 6 for requests (a request body is never close-delimited). */
  private requestHeaders(head: MessageHead): BodyPlan {
    const ex = this.curReq!;
    const kept = head.kept;
    setConnectionFields(ex, true, kept);
    ex.host = kept[Kept.HOST];
    ex.requestContentType = kept[Kept.CONTENT_TYPE];
    ex.requestUpgrade = kept[Kept.UPGRADE];
    ex.expectContinue = headerTokens(kept[Kept.EXPECT]).includes('100-continue');
    ex.requestHeaderFields = head.fieldCount;
    ex.requestHeaderBytes = head.headerBytes;
    for (const n of head.lenient) ex.note(n);
    if (ex.method === 'CONNECT' || ex.requestUpgrade !== null) this.parsers[this.reqDir!].maySwitch = true;
    if (ex.http09) return { kind: 'none' };
    if (ex.method === 'PRI' && ex.target === '*' && ex.requestVersion === 'HTTP/2.0' && head.fieldCount === 0) {
      // RFC 9113 §3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" starts HTTP/2 with prior knowledge (h2c, as gRPC
      // without TLS). What follows in both directions is HTTP/2 frames, which are not HTTP/1.x requests to parse.
      ex.switched = 'upgrade';
      this.switched = 'upgrade';
      this.upgradeTo = 'HTTP/2';
      this.priorKnowledge = true;
      this.parsers[this.reqDir === 0 ? 1 : 0].switchToOpaque();
      this.emit(HttpCodes.UPGRADE, 'HTTP/2 connection preface (prior knowledge, RFC 9113 §3.4): the rest of the connection is HTTP/2, not HTTP/1.x',
        ex.requestStart!.frame, this.reqDir!, ex.index);
      return { kind: 'switch' };
    }
    const plan = framing(head, ex, false);
    return plan;
  }

  /** RFC 9112 §6.3 for responses: items 1 (HEAD, 1xx, 204, 304), 2 (2xx to CONNECT), 3-5, 8 (close-delimited). */
  private responseHeaders(dir: Direction, head: MessageHead): BodyPlan {
    const cur = this.curResp!;
    const ex = cur.ex;
    if (cur.interim) return { kind: 'none' };
    const kept = head.kept;
    setConnectionFields(ex, false, kept);
    ex.responseContentType = kept[Kept.CONTENT_TYPE];
    ex.responseUpgrade = kept[Kept.UPGRADE];
    ex.responseHeaderFields = head.fieldCount;
    ex.responseHeaderBytes = head.headerBytes;
    for (const n of head.lenient) ex.note(n);
    const status = ex.status ?? 0;
    const method = ex.method ?? 'GET';
    const reqParser = this.parsers[dir === 0 ? 1 : 0];
    if (status === 101) {
      // RFC 9110 §15.2.2: the server switches to the protocol in its Upgrade header after the empty line.
      ex.switched = 'upgrade';
      this.switched = 'upgrade';
      const proto = headerTokens(ex.responseUpgrade ?? ex.requestUpgrade)[0] ?? null;
      this.upgradeTo = proto === null ? 'an unnamed protocol' : proto.split('/')[0];
      reqParser.switchToOpaque();
      return { kind: 'switch' };
    }
    if (method === 'CONNECT' && status >= 200 && status < 300) {
      // RFC 9110 §9.3.6: after a 2xx to CONNECT both directions are a tunnel.
      ex.switched = 'tunnel';
      this.switched = 'tunnel';
      this.upgradeTo = ex.target;
      reqParser.switchToOpaque();
      return { kind: 'switch' };
    }
    // Any other final response refuses an Upgrade or CONNECT: what the client sends next is HTTP again.
    if (status >= 200) reqParser.maySwitch = false;
    if (method === 'HEAD' || status === 204 || status === 304) return { kind: 'none' };
    if (ex.method === null && keepsConnectionWithoutLength(head, ex)) {
      // Its request is not in the capture, so §6.3 item 1 (a response to HEAD has no body) cannot be applied. A
      // response with neither length field that keeps the connection open cannot end its body by the close (§9.3: a
      // persistent connection needs self-delimited messages): bodiless, as a HEAD's is. Taken as close-delimited,
      // it swallowed the responses after it and made the requests sent meanwhile look pipelined.
      ex.note('no length and the connection kept: no body (its request, a HEAD?, is not in the capture)');
      return { kind: 'none' };
    }
    const plan = framing(head, ex, true);
    // With a length or chunked, the same doubt: a HEAD's response announces the body it would have and sends none
    // (RFC 9110 §9.3.2). The parser looks at what follows the header section first (parser.ts StatusProbe).
    if (ex.method === null && plan.kind === 'length' && plan.bytes > 0) return { kind: 'length', bytes: plan.bytes, probe: true };
    if (ex.method === null && plan.kind === 'chunked') return { kind: 'chunked', probe: true };
    return plan;
  }

  onEnd(dir: Direction, last: Mark, body: BodyStats): void {
    if (dir === this.reqDir) {
      const ex = this.curReq;
      if (ex === null) return;
      this.curReq = null;
      ex.requestState = 'complete';
      ex.requestEnd = last;
      ex.requestFraming = body.framing;
      ex.requestBodyBytes = body.bodyBytes;
      ex.requestBodyMissingBytes = body.missingBytes;
      this.emit(HttpCodes.REQUEST_END, this.words ? `request ${ex.index} complete · ${bodyWords(body)}` : '', last.frame, dir, ex.index);
      return;
    }
    const cur = this.curResp;
    if (cur === null) return;
    this.curResp = null;
    const ex = cur.ex;
    if (cur.interim) return;
    ex.responseState = 'complete';
    ex.responseEnd = last;
    ex.responseLastArrival = last.arrival;
    ex.responseFraming = body.framing;
    ex.responseBodyBytes = body.bodyBytes;
    ex.responseBodyMissingBytes = body.missingBytes;
    if (body.statusLineFollowed) ex.note(STATUS_LINE_FOLLOWED);
    if (this.words) {
      const line = ex.status === null ? 'HTTP/0.9 response' : `${ex.status}${ex.reason ? ' ' + printable(ex.reason, 80) : ''}`;
      this.emit(HttpCodes.RESPONSE_END, `response ${ex.index} ${line} · ${bodyWords(body)} · ${fate(ex)}`, last.frame, dir, ex.index);
    } else {
      this.emit(HttpCodes.RESPONSE_END, '', last.frame, dir, ex.index);
    }
    if (ex.switched === 'upgrade') {
      // The protocol name is the capture's (an Upgrade header token): printed escaped, as every wire string in a text.
      this.emit(HttpCodes.UPGRADE, `upgraded to ${printable(this.upgradeTo ?? 'another protocol', 80)} (101 Switching Protocols): the rest of the connection is not HTTP`,
        last.frame, dir, ex.index);
    } else if (ex.switched === 'tunnel') {
      this.emit(HttpCodes.UPGRADE, `CONNECT tunnel to ${printable(ex.target ?? '?', 80)} established (${ex.status}): the rest of the connection is not HTTP`,
        last.frame, dir, ex.index);
    }
    if (this.probeDeferred.length > 0) {
      // Requests sent while it was unknown whether this response had a body: one that began before the response
      // ended waited for it; one that began after did not (one fewer outstanding than it seemed).
      for (const d of this.probeDeferred) {
        const depth = d.ex.requestStart !== null && d.ex.requestStart.arrival < last.arrival ? d.depth : d.depth - 1;
        if (depth >= 2) this.emitPipelined(d.ex, depth, this.frame);
      }
      this.probeDeferred.length = 0;
    }
    const next = this.queue[this.respCursor];
    if (next !== undefined && next.http09) this.parsers[dir].expectSimpleResponse = true;
  }

  onIncomplete(
    dir: Direction, why: string, frame: number, body: BodyStats, loss: 'head' | 'body' | null, lossOffset: number,
    cutHead: MessageHead | null,
  ): void {
    if (dir === this.reqDir || this.reqDir === null) {
      const ex = this.curReq;
      this.curReq = null;
      if (ex === null) {
        this.emit(HttpCodes.INCOMPLETE, `${this.dirLabel(dir)}: message cut short: ${why}`, frame, dir, 0);
        return;
      }
      ex.requestState = 'incomplete';
      ex.requestFraming = body.framing;
      ex.requestBodyBytes = body.bodyBytes;
      ex.requestBodyMissingBytes = body.missingBytes;
      ex.requestLoss = loss;
      // The connection fields read before the loss are what the request said (knownReuseVerdict weighs what the lost
      // lines could have added).
      if (cutHead !== null) setConnectionFields(ex, true, cutHead.kept);
      this.emit(HttpCodes.INCOMPLETE, `request ${ex.index} incomplete: ${why}`, frame, dir, ex.index);
      return;
    }
    const cur = this.curResp;
    this.curResp = null;
    // A response cut short ends after no request (computeOrder): those sent while its body was in doubt stay as said.
    this.probeDeferred.length = 0;
    if (cur === null) {
      this.emit(HttpCodes.INCOMPLETE, `${this.dirLabel(dir)}: message cut short: ${why}`, frame, dir, 0);
      return;
    }
    const ex = cur.ex;
    if (!cur.interim) {
      ex.responseState = 'incomplete';
      ex.responseFraming = body.framing;
      ex.responseBodyBytes = body.bodyBytes;
      ex.responseBodyMissingBytes = body.missingBytes;
      ex.responseLoss = loss;
      ex.responseLossOffset = lossOffset;
      if (cutHead !== null) setConnectionFields(ex, false, cutHead.kept);
      ex.responseLastArrival = Math.max(ex.responseLastArrival, this.parsers[dir].lastDataArrival);
    }
    this.emit(HttpCodes.INCOMPLETE, `response ${ex.index}${cur.interim ? ' (interim)' : ''} incomplete: ${why}`, frame, dir, ex.index);
  }

  /** Why a response has no request: one unread (too long), one still arriving (a 414 sent before the request line
   *  ended, as servers do), or none in the capture. */
  private orphanTag(): string {
    const reqDir = this.reqDir;
    const unread = reqDir === null ? null : this.unreadLine[reqDir];
    if (unread !== null) return ` · its request was not parsed (${unread})`;
    const arriving = reqDir === null ? 0 : this.parsers[reqDir].pendingStartLineBytes();
    if (arriving > 0) return ` · its request line is still arriving (${arriving} bytes so far, no line end yet)`;
    // The client did send bytes, which were not a request: the request is in the capture, unreadable as HTTP.
    const unparsed = this.unreadableRequestBytes();
    if (unparsed > 0) return ` · its request is not readable as HTTP (the client's ${unparsed} ${unparsed === 1 ? 'byte is' : 'bytes are'} not a request line)`;
    if (this.requestDirectionSilent()) return ' · unsolicited: the client has sent nothing on this connection';
    if (this.requestsAllSeen()) return ' · unsolicited: every request before it was answered and the capture lost none (RFC 9110 §15.5.9: a 408 closing an idle connection)';
    return ' · its request is not in the capture';
  }

  /**
   * The capture holds every byte the client sent so far (a handshake began the connection, its direction lost
   * nothing and parsed whole, no request half-sent) and its requests had their responses: a response now answers
   * none of them.
   */
  private requestsAllSeen(): boolean {
    const reqDir = this.reqDir;
    if (reqDir === null || !this.handshakeSeen || (this.gapDirs & (1 << reqDir)) !== 0) return false;
    const parser = this.parsers[reqDir];
    return parser.synced && parser.unparsedBytes === 0 && !parser.inMessage && this.respCursor >= this.queue.length;
  }

  /**
   * The request direction carried no byte so far, and that is known (a handshake began the connection, nothing was
   * lost): a response then answers no request, as a server's 408 on a connection opened and left unused (RFC 9110
   * §15.5.9), rather than one whose request the capture missed.
   */
  private requestDirectionSilent(): boolean {
    const parser = this.wholeRequestDirection();
    return parser !== null && parser.nextOffset <= 0 && parser.unparsedBytes === 0;
  }

  /**
   * The request direction's parser when that direction is known from its very first byte (a handshake began the
   * connection), made no request and lost nothing; else null.
   */
  private wholeRequestDirection(): DirectionParser | null {
    const reqDir = this.reqDir;
    if (reqDir === null || !this.handshakeSeen || this.started[reqDir] || (this.gapDirs & (1 << reqDir)) !== 0) return null;
    return this.parsers[reqDir];
  }

  /**
   * Bytes the request direction sent from its very first byte that never made a request: 0 unless the connection
   * began with a handshake and that direction lost nothing (else they may be the tail of a request not captured).
   */
  private unreadableRequestBytes(): number {
    return this.wholeRequestDirection()?.unparsedBytes ?? 0;
  }

  onStop(dir: Direction, why: string, frame: number, unreadStartLine: boolean): void {
    this.stopped[dir] = why;
    this.unreadLine[dir] = unreadStartLine ? why : null;
    this.emit(HttpCodes.STOPPED, `${this.dirLabel(dir)}: parsing stopped: ${why}`, frame, dir, 0);
  }

  onNotHttp(dir: Direction, frame: number): void {
    if (this.reqDir === null || dir === this.reqDir) return;
    const why = this.queue.length > 0 ? 'no status line where a response should start (an HTTP/0.9-style response, or not HTTP)' : 'not HTTP';
    this.stopped[dir] = why;
    this.emit(HttpCodes.STOPPED, `responses: parsing stopped: ${why}`, frame, dir, 0);
  }

  onBodyGap(dir: Direction, missingBytes: number, frame: number): void {
    const ex = dir === this.reqDir ? this.curReq : this.curResp?.ex ?? null;
    const what = ex === null ? 'a body' : `the body of ${dir === this.reqDir ? 'request' : 'response'} ${ex.index}`;
    this.emit(HttpCodes.BODY_GAP, `${missingBytes} bytes missing inside ${what}: skipped, framing kept`, frame, dir, ex?.index ?? 0);
  }
}

/** Content-Length and Transfer-Encoding framing, RFC 9112 §6.1 and §6.3 items 3-8. */
function framing(head: MessageHead, ex: ExchangeRec, response: boolean): BodyPlan {
  const te = head.kept[Kept.TRANSFER_ENCODING];
  const cl = head.kept[Kept.CONTENT_LENGTH];
  if (te !== null) {
    const codings = transferCodings(te);
    // §6.1: HTTP/1.0 has no Transfer-Encoding; such a message's framing is faulty, and the connection closes after it.
    if ((response ? head.status?.version : head.request?.version) === 'HTTP/1.0') {
      ex.transferEncoding10 = true;
      ex.note('Transfer-Encoding in an HTTP/1.0 message');
    }
    // §6.1: a sender must not send both; §6.3 item 3: Transfer-Encoding overrides Content-Length.
    if (cl !== null) {
      ex.note('Transfer-Encoding with Content-Length');
      if (!response) ex.requestLengthConflict = true;
    }
    if (codings[codings.length - 1] === 'chunked') return { kind: 'chunked' };
    // §6.3 item 4: a response without final chunked is close-delimited; such a request cannot be framed.
    if (response) return { kind: 'close' };
    ex.framingInvalid = true;
    return { kind: 'reject', why: `request Transfer-Encoding "${printable(te, 60)}" does not end in chunked` };
  }
  if (cl !== null) {
    const parsed = parseContentLength(cl);
    if ('error' in parsed) {
      // §6.3 item 5: an unrecoverable error; the server answers 400 and closes, a client closes and discards.
      ex.framingInvalid = true;
      return { kind: 'reject', why: parsed.error };
    }
    return { kind: 'length', bytes: parsed.bytes };
  }
  return response ? { kind: 'close' } : { kind: 'none' };
}

/** A response without Content-Length or Transfer-Encoding that keeps the connection (RFC 9112 §9.3: HTTP/1.1
 *  unless Connection: close; HTTP/1.0 with Connection: keep-alive). */
function keepsConnectionWithoutLength(head: MessageHead, ex: ExchangeRec): boolean {
  if (head.kept[Kept.CONTENT_LENGTH] !== null || head.kept[Kept.TRANSFER_ENCODING] !== null) return false;
  const tokens = headerTokens(head.kept[Kept.CONNECTION]);
  const proxy = toProxy(ex) ? headerTokens(head.kept[Kept.PROXY_CONNECTION]) : [];
  if (tokens.includes('close')) return false;
  if (ex.responseVersion === 'HTTP/1.1') return !proxy.includes('close');
  return ex.responseVersion === 'HTTP/1.0' && (tokens.includes('keep-alive') || proxy.includes('keep-alive'));
}

/** The connection-management fields of a request's or a response's head (whole, or read before a loss). */
function setConnectionFields(ex: ExchangeRec, request: boolean, kept: readonly (string | null)[]): void {
  if (request) {
    ex.requestConnection = kept[Kept.CONNECTION];
    ex.requestProxyConnection = kept[Kept.PROXY_CONNECTION];
    ex.requestKeepAlive = kept[Kept.KEEP_ALIVE];
  } else {
    ex.responseConnection = kept[Kept.CONNECTION];
    ex.responseProxyConnection = kept[Kept.PROXY_CONNECTION];
    ex.responseKeepAlive = kept[Kept.KEEP_ALIVE];
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Why a response framed with a body has none (BodyStats.statusLineFollowed). */
const STATUS_LINE_FOLLOWED = 'no body: a status line followed its header section at once (its request, a HEAD?, is not in the capture)';

function bodyWords(body: BodyStats): string {
  if (body.statusLineFollowed) return STATUS_LINE_FOLLOWED;
  if (body.framing === 'none') return 'no body';
  const missing = body.missingBytes > 0 ? `, ${body.missingBytes} missing` : '';
  const chunks = body.framing === 'chunked' ? `, ${plural(body.chunks, 'chunk')}${body.trailerFields > 0 ? `, ${plural(body.trailerFields, 'trailer field')}` : ''}` : '';
  return `${plural(body.bodyBytes, 'byte')} body (${body.framing}${chunks}${missing})`;
}

/** What the response says about the connection (RFC 9112 §9.3, §9.6). */
function fate(ex: ExchangeRec): string {
  if (ex.switched !== null) return ex.switched === 'upgrade' ? 'switching protocols' : 'tunnel follows';
  const verdict = knownReuseVerdict(ex);
  // A Connection: close may have been in the request's lost header lines (the response itself is whole here).
  if (verdict === null) return 'whether the connection stays open is unknown (the request lost bytes of its header section)';
  if (verdict.reusable) return verdict.why.startsWith('HTTP/1.0') ? 'connection stays open (HTTP/1.0 keep-alive)' : 'connection stays open';
  if (verdict.why === 'body delimited by close') return 'body ended by the close';
  if (verdict.why === 'request Connection: close') return 'server will close (the request said Connection: close)';
  return `server will close (${verdict.why})`;
}
