// One request/response exchange as the connection builds it, its JSON form, and the rules that judge it:
// reuse per RFC 9112 §9.3 and pipelining per §9.3.2. Pure data and functions: no parsing, no events.

import type { Mark } from './parser.js';
import { headerTokens } from './syntax.js';
import type { BodyFraming, HttpExchange, HttpMark, MessageState, RequestOrder } from './types.js';

/** The mutable record behind an HttpExchange, with the arrival counters the ordering rules need. */
const NONE: readonly never[] = Object.freeze([]);

export class ExchangeRec {
  readonly index: number;
  method: string | null = null;
  target: string | null = null;
  requestVersion: string | null = null;
  http09 = false;
  status: number | null = null;
  reason: string | null = null;
  responseVersion: string | null = null;
  requestConnection: string | null = null;
  requestKeepAlive: string | null = null;
  responseConnection: string | null = null;
  /**
   * Proxy-Connection of the request and the response, read only without a Connection field: an HTTP/1.0 proxy that
   * keeps the connection may say so there alone (old Squid), and curl acts on it (lib/http.c: keep-alive on HTTP/1.0,
   * close on HTTP/1.1).
   */
  requestProxyConnection: string | null = null;
  responseProxyConnection: string | null = null;
  responseKeepAlive: string | null = null;
  host: string | null = null;
  requestContentType: string | null = null;
  responseContentType: string | null = null;
  requestUpgrade: string | null = null;
  responseUpgrade: string | null = null;
  expectContinue = false;
  /** The request carried both Transfer-Encoding and Content-Length (RFC 9112 §6.1: the server must close after it). */
  requestLengthConflict = false;
  /**
   * An HTTP/1.0 message of the exchange carried Transfer-Encoding, which HTTP/1.0 does not have: RFC 9112 §6.1, its
   * framing is to be treated as faulty and the connection closed after it (nginx refuses such requests).
   */
  transferEncoding10 = false;
  /** A message of the exchange could not be framed (RFC 9112 §6.3 items 4 and 5: the connection must close). */
  framingInvalid = false;
  hasRequest = false;
  /** 'absent' until the request (or response) starts; 'absent' responses are resolved at export. */
  requestState: MessageState = 'absent';
  responseState: MessageState = 'absent';
  requestHeaderFields = 0;
  requestHeaderBytes = 0;
  requestFraming: BodyFraming | null = null;
  requestBodyBytes = 0;
  requestBodyMissingBytes = 0;
  responseHeaderFields = 0;
  responseHeaderBytes = 0;
  responseFraming: BodyFraming | null = null;
  responseBodyBytes = 0;
  responseBodyMissingBytes = 0;
  /**
   * The response was cut short by bytes missing from the capture, not by the close: 'head' inside its header section
   * (a Connection field may be among them), 'body' in its body; null otherwise.
   */
  responseLoss: 'head' | 'body' | null = null;
  /**
   * Where in the response direction's stream the bytes the capture lacks began, for a response cut by them or lost
   * whole (the loss's start: a lower bound of where it began); -1 otherwise. A request sent while that direction had not
   * reached it was sent before this response ended (computeOrder).
   */
  responseLossOffset = -1;
  /**
   * The request was cut short by bytes missing from the capture: 'head' inside its header section (a Connection field
   * may be among them), 'body' in its body; null otherwise.
   */
  requestLoss: 'head' | 'body' | null = null;
  requestStart: Mark | null = null;
  /** Stream offset of the request's first byte in its direction; -1 when not seen. */
  requestOffset = -1;
  requestEnd: Mark | null = null;
  responseStart: Mark | null = null;
  responseEnd: Mark | null = null;
  /** Arrival of the last response byte seen (complete or not); -1 before any. */
  responseLastArrival = -1;
  /** Offset the response direction had reached (data, gaps) when this request started, in the same frame included. */
  responsePosAtSend = -1;
  /** The response head chose to leave HTTP (101, 2xx to CONNECT). */
  switched: 'upgrade' | 'tunnel' | null = null;
  /**
   * A response without a request while the capture holds every byte the client sent and each of its requests had its
   * response: the server spoke unasked (a 408 Request Timeout closing an idle connection, RFC 9110 §15.5.9), not an
   * answer to a request the capture missed.
   */
  unsolicited = false;
  /** Interim (1xx) statuses and notes: shared empty lists until the first one (most exchanges have none). */
  interim: readonly number[] = NONE;
  notes: readonly string[] = NONE;

  constructor(index: number) {
    this.index = index;
  }

  /** The response was seen, whole or cut short. */
  get responseSeen(): boolean {
    return this.responseState === 'complete' || this.responseState === 'incomplete';
  }

  note(text: string): void {
    if (this.notes === NONE) this.notes = [text];
    else if (!this.notes.includes(text)) (this.notes as string[]).push(text);
  }

  addInterim(status: number): void {
    if (this.interim === NONE) this.interim = [status];
    else (this.interim as number[]).push(status);
  }
}

/**
 * Whether the connection may carry another request after this exchange, per RFC 9112 §9.3: `close` in either
 * message's Connection ends it (§9.6); so does a request with both Transfer-Encoding and Content-Length (§6.1: the
 * server MUST close after responding), an HTTP/1.0 message with Transfer-Encoding (§6.1: faulty framing, close after
 * it) and an HTTP/1.0 request without the keep-alive option (§9.3: the server closes after its response); a
 * close-delimited body needs the close (§6.3 item 8); HTTP/1.1 and later persist by default; an HTTP/1.0 response
 * persists only with `Connection: keep-alive` (§9.3, and RFC 9112 Appendix C.2.2). Between a client and a proxy,
 * Proxy-Connection counts as curl reads it (reuseVerdict).
 */
export function allowsReuse(ex: ExchangeRec): boolean {
  return reuseVerdict(ex).reusable;
}

/** The reuse decision with the words that justify it. */
export function reuseVerdict(ex: ExchangeRec): { reusable: boolean; why: string } {
  if (ex.switched === 'upgrade') return { reusable: false, why: 'switched protocols' };
  if (ex.switched === 'tunnel') return { reusable: false, why: 'tunnel' };
  // Proxy-Connection counts only on a request to a proxy (toProxy) and its answer: an
  // origin server ignores it (scrapers copying a browser's fields send it there). curl (lib/http.c) keeps a proxy's
  // HTTP/1.0 answer with Proxy-Connection: keep-alive and closes after an HTTP/1.1 one with Proxy-Connection: close.
  const proxied = toProxy(ex);
  const proxyResp: readonly string[] = proxied ? headerTokens(ex.responseProxyConnection) : NONE;
  const proxyReq: readonly string[] = proxied ? headerTokens(ex.requestProxyConnection) : NONE;
  const resp = headerTokens(ex.responseConnection);
  if (resp.includes('close')) return { reusable: false, why: 'Connection: close' };
  const v = versionNumber(ex.responseVersion);
  if (v >= 11 && proxyResp.includes('close')) return { reusable: false, why: 'Proxy-Connection: close from a proxy' };
  const req = headerTokens(ex.requestConnection);
  if (req.includes('close')) return { reusable: false, why: 'request Connection: close' };
  if (proxyReq.includes('close')) return { reusable: false, why: 'request Proxy-Connection: close' };
  if (ex.requestLengthConflict) return { reusable: false, why: 'request with both Transfer-Encoding and Content-Length' };
  if (ex.transferEncoding10) return { reusable: false, why: 'HTTP/1.0 message with Transfer-Encoding, framing faulty (RFC 9112 §6.1)' };
  if (ex.framingInvalid) return { reusable: false, why: 'a message that could not be framed' };
  if (ex.responseFraming === 'close') return { reusable: false, why: 'body delimited by close' };
  const respKeep = resp.includes('keep-alive') ? 'Connection' : proxyResp.includes('keep-alive') ? 'Proxy-Connection' : null;
  if (v === 10 && respKeep === null) return { reusable: false, why: 'HTTP/1.0 without keep-alive' };
  const oldRequest = versionNumber(ex.requestVersion) === 10 && !req.includes('keep-alive') && !proxyReq.includes('keep-alive');
  // A server that answers an HTTP/1.0 request with Connection: keep-alive has said it keeps the connection (squid
  // does for curl's Proxy-Connection: Keep-Alive), and the client acts on the most recently received message, the
  // response (RFC 9112 §9.3); without it, the server closes after its response.
  if (oldRequest && respKeep === null) return { reusable: false, why: 'HTTP/1.0 request without keep-alive' };
  if (oldRequest) return { reusable: true, why: `${ex.responseVersion} with ${respKeep}: keep-alive` };
  if (v >= 11) return { reusable: true, why: `${ex.responseVersion} persistent by default` };
  if (v === 10) return { reusable: true, why: `HTTP/1.0 with ${respKeep}: keep-alive` };
  return { reusable: false, why: ex.responseVersion === null ? 'no response version' : `${ex.responseVersion}` };
}

/**
 * reuseVerdict as far as the capture shows it: null when a header section cut by bytes the capture lacks (requestLoss
 * or responseLoss 'head') leaves it open. Only the field lines read before the loss are known (recorded by the
 * connection), and a lost line can only have added tokens: `close` makes any message not reusable (RFC 9112 §9.6),
 * `keep-alive` makes it as reusable as it can be. So the verdict is certain when it is "not reusable" even with
 * `keep-alive` added to each cut section's Connection field (a `close` read before the loss, a close-delimited body,
 * an HTTP/1.0 response with nothing to keep it), and unknown otherwise: a lost `close` would have ended reuse.
 */
export function knownReuseVerdict(ex: ExchangeRec): { reusable: boolean; why: string } | null {
  const requestCut = ex.requestLoss === 'head';
  const responseCut = ex.responseLoss === 'head';
  if (!requestCut && !responseCut) return reuseVerdict(ex);
  const best = Object.assign(new ExchangeRec(ex.index), ex);
  if (requestCut) best.requestConnection = withToken(ex.requestConnection, 'keep-alive');
  if (responseCut) best.responseConnection = withToken(ex.responseConnection, 'keep-alive');
  const verdict = reuseVerdict(best);
  return verdict.reusable ? null : verdict;
}

function withToken(value: string | null, token: string): string {
  return value === null || value === '' ? token : `${value}, ${token}`;
}

/**
 * The request went to a proxy: a CONNECT (authority form, RFC 9112 §3.2.3), or a target in absolute form (§3.2.2),
 * `http://host/path` or any other scheme's.
 */
export function toProxy(ex: ExchangeRec): boolean {
  if (ex.method === 'CONNECT') return true;
  const t = ex.target;
  return t !== null && /^[a-z][a-z0-9+.-]*:\/\//i.test(t);
}

/** `HTTP/1.1` → 11, `HTTP/2.0` → 20; -1 when not a version. */
export function versionNumber(version: string | null): number {
  if (version === null) return -1;
  if (version === 'HTTP/1.1') return 11;
  if (version === 'HTTP/1.0') return 10;
  const m = /^HTTP\/(\d+)\.(\d+)$/.exec(version);
  return m === null ? -1 : Number(m[1]) * 10 + Math.min(9, Number(m[2]));
}

/**
 * Order and pipeline depth of every request, from arrival counters (capture order), after the fact.
 * depth(k) = 1 + responses of earlier exchanges seen to end after request k's first byte + earlier requests the
 * server never answered although its direction ended in sync (those are outstanding for good). A lost response
 * counts only when the seen response before it already ended after request k started (FIFO: it ended later still);
 * absent responses count for nothing: they prove neither order. A response lost or cut short by bytes the capture
 * lacks (responseLossOffset) counts too when the response direction had not reached those bytes as the request went
 * out (responsePosAtSend): the ACK that shows them moves it past them first. A request is pipelined when depth ≥ 2;
 * otherwise it is 'after-response' when its predecessor's response was seen whole, 'undetermined' when it was not.
 */
export function computeOrder(exs: readonly ExchangeRec[]): { order: (RequestOrder | null)[]; depth: number[] } {
  const order: (RequestOrder | null)[] = new Array(exs.length).fill(null);
  const depth: number[] = new Array(exs.length).fill(0);
  const seenEnds: number[] = [];
  let passed = 0;
  let unansweredBefore = 0;
  // Responses cut or lost by bytes the capture lacks (responseLossOffset), with their place in seenEnds: where their
  // last byte arrived is unknown, after the last one seen.
  const lossy: { slot: number; lossOffset: number }[] = [];
  for (let i = 0; i < exs.length; i++) {
    const ex = exs[i];
    if (ex.hasRequest && ex.requestStart !== null) {
      const start = ex.requestStart.arrival;
      // Responses end in FIFO order, so those that ended before this request form a prefix of seenEnds.
      while (passed < seenEnds.length && seenEnds[passed] < start) passed++;
      let d = 1 + (seenEnds.length - passed) + unansweredBefore;
      // One counted as ended by the bytes seen, whose lost bytes the response direction had not reached when this
      // request was sent (its offset then, responsePosAtSend, at or before them): it had not ended then either.
      for (const l of lossy) if (l.slot < passed && ex.responsePosAtSend >= 0 && ex.responsePosAtSend <= l.lossOffset) d++;
      depth[i] = d;
      if (i === 0) order[i] = d >= 2 ? 'pipelined' : 'first';
      else if (d >= 2) order[i] = 'pipelined';
      // After a response that bytes the capture lacks cut short, whether this one followed its end is unknown.
      else order[i] = exs[i - 1].responseSeen && exs[i - 1].responseLossOffset < 0 ? 'after-response' : 'undetermined';
    }
    const last = seenEnds.length > 0 ? seenEnds[seenEnds.length - 1] : -1;
    // Not a lost request's (a placeholder): whether its response was still due when the next request went out is
    // not known from a request the capture does not have.
    if (ex.hasRequest && ex.responseLossOffset >= 0 && ex.responseState !== 'complete') {
      lossy.push({ slot: seenEnds.length, lossOffset: ex.responseLossOffset });
    }
    if (ex.responseSeen) {
      seenEnds.push(Math.max(last, ex.responseLastArrival));
    } else if (ex.responseState === 'lost') {
      // FIFO: a lost response ended no earlier than the seen one before it; that lower bound is all we know.
      seenEnds.push(last);
    } else if (ex.responseState === 'unanswered') {
      unansweredBefore++;
    }
  }
  return { order, depth };
}

function mark(m: Mark | null): HttpMark | null {
  return m === null ? null : { frame: m.frame, tsSec: m.tsSec, tsNsec: m.tsNsec };
}

/** b - a in µs, rounded; exact for spans under 104 days (ns fit a double's 53 bits). */
export function spanUs(a: Mark | null, b: Mark | null): number | null {
  if (a === null || b === null) return null;
  return Math.round(((b.tsSec - a.tsSec) * 1e9 + (b.tsNsec - a.tsNsec)) / 1000);
}

/** The JSON form, keys in a fixed order. */
export function exportExchange(ex: ExchangeRec, order: RequestOrder | null, depth: number): HttpExchange {
  return {
    index: ex.index,
    method: ex.method,
    target: ex.target,
    requestVersion: ex.requestVersion,
    status: ex.status,
    reason: ex.reason,
    responseVersion: ex.responseVersion,
    requestConnection: ex.requestConnection,
    requestKeepAlive: ex.requestKeepAlive,
    responseConnection: ex.responseConnection,
    responseKeepAlive: ex.responseKeepAlive,
    host: ex.host,
    requestContentType: ex.requestContentType,
    responseContentType: ex.responseContentType,
    requestUpgrade: ex.requestUpgrade,
    responseUpgrade: ex.responseUpgrade,
    expectContinue: ex.expectContinue,
    requestState: ex.requestState,
    responseState: ex.responseState,
    requestHeaderFields: ex.requestHeaderFields,
    requestHeaderBytes: ex.requestHeaderBytes,
    requestFraming: ex.requestFraming,
    requestBodyBytes: ex.requestBodyBytes,
    requestBodyMissingBytes: ex.requestBodyMissingBytes,
    responseHeaderFields: ex.responseHeaderFields,
    responseHeaderBytes: ex.responseHeaderBytes,
    responseFraming: ex.responseFraming,
    responseBodyBytes: ex.responseBodyBytes,
    responseBodyMissingBytes: ex.responseBodyMissingBytes,
    requestStart: mark(ex.requestStart),
    requestEnd: mark(ex.requestEnd),
    responseStart: mark(ex.responseStart),
    responseEnd: mark(ex.responseEnd),
    timeToFirstByteUs: spanUs(ex.requestStart, ex.responseStart),
    totalUs: ex.responseState === 'complete' ? spanUs(ex.requestStart, ex.responseEnd) : null,
    order,
    pipelined: order === 'pipelined',
    pipelineDepth: depth,
    interim: ex.interim.slice(),
    notes: ex.notes.slice(),
  };
}
