// Public shapes of the HTTP stage: events, exchanges, the per-connection verdict, and the TCP facts it needs.
// Plain JSON-able data only: key order is fixed by the builders in exchange.ts and classify.ts; no behaviour here.

import type { AnnotationCode, Direction } from '../types.js';
import type { OtherProtocol } from './sniff.js';

export type { OtherProtocol } from './sniff.js';

/** An annotation for the packet `frame`; codes are Codes.HTTP_* (src/types.ts) and HttpCodes (codes.ts). */
export interface HttpEvent {
  code: AnnotationCode;
  /** One line, no control characters. */
  text: string;
  frame: number;
  /** TCP direction of the bytes it is about (0 = client→server as the TCP tracker saw the roles). */
  dir: Direction;
  /** 1-based exchange number, 0 when the event belongs to no exchange. */
  exchange: number;
}

/** Where a byte was seen: the frame that carried it and its capture time. */
export interface HttpMark {
  frame: number;
  tsSec: number;
  tsNsec: number;
}

export type BodyFraming = 'content-length' | 'chunked' | 'close' | 'none';

/**
 * How the request relates to the responses before it.
 * first: the first request. after-response: sent after the previous response's last byte.
 * pipelined: sent while an earlier response was still incomplete (RFC 9112 §9.3.2).
 * undetermined: the previous request's response is not in the capture, so nothing proves either way.
 */
export type RequestOrder = 'first' | 'after-response' | 'pipelined' | 'undetermined';

/**
 * complete: last byte seen. incomplete: started, cut short (end, gap outside a known-length body, malformed framing).
 * lost: the capture lost it (a gap or unparsable bytes where it must have been; src/http/README.md, lost responses).
 * unanswered: the server's direction ended in sync without it. absent: not seen (capture ended, or one-sided capture).
 */
export type MessageState = 'complete' | 'incomplete' | 'lost' | 'unanswered' | 'absent';

export interface HttpExchange {
  /** 1-based, in order of request start (or of response start for a response without a request). */
  index: number;
  method: string | null;
  target: string | null;
  /** `HTTP/1.1`; `HTTP/0.9` for a version-less `GET /path`; the malformed word as sent when malformed. */
  requestVersion: string | null;
  status: number | null;
  reason: string | null;
  /** `HTTP/0.9` for a response without a status line answering an HTTP/0.9 request. */
  responseVersion: string | null;
  requestConnection: string | null;
  requestKeepAlive: string | null;
  responseConnection: string | null;
  responseKeepAlive: string | null;
  host: string | null;
  requestContentType: string | null;
  responseContentType: string | null;
  /** Upgrade header of the request (offer) and of a 101 response (choice). */
  requestUpgrade: string | null;
  responseUpgrade: string | null;
  /** The request carried `Expect: 100-continue` (RFC 9110 §10.1.1). */
  expectContinue: boolean;
  requestState: MessageState;
  responseState: MessageState;
  requestHeaderFields: number;
  requestHeaderBytes: number;
  requestFraming: BodyFraming | null;
  /** Body bytes counted (missing ones inside a known-length body included, see requestBodyMissingBytes). */
  requestBodyBytes: number;
  requestBodyMissingBytes: number;
  responseHeaderFields: number;
  responseHeaderBytes: number;
  responseFraming: BodyFraming | null;
  responseBodyBytes: number;
  responseBodyMissingBytes: number;
  requestStart: HttpMark | null;
  requestEnd: HttpMark | null;
  /** The final response's first and last byte (interim 1xx responses are listed in `interim`). */
  responseStart: HttpMark | null;
  responseEnd: HttpMark | null;
  /** Request first byte to final response first byte, µs (negative when capture times go backwards). */
  timeToFirstByteUs: number | null;
  /** Request first byte to final response last byte, µs. */
  totalUs: number | null;
  order: RequestOrder | null;
  /** order === 'pipelined'. */
  pipelined: boolean;
  /** Requests outstanding when this one was sent, itself included (1 = nothing else was waiting). */
  pipelineDepth: number;
  /** Status codes of the interim 1xx responses before the final one, in order. */
  interim: number[];
  /** Deviations tolerated while parsing (bare LF, obs-fold, malformed version, TE with CL, ...). */
  notes: string[];
}

export type HttpMode = 'short' | 'keep-alive' | 'pipelined' | 'upgraded' | 'tunnel' | 'none' | 'unknown';

/**
 * How the connection ended, as HTTP sees it.
 * announced: closed after HTTP said it would be (Connection: close, HTTP/1.0 without keep-alive, close-delimited body).
 * idle-close: the server closed, unannounced, after a response that allowed reuse (however soon after it), requests
 * that crossed its FIN unread included (RFC 9112 §9.5). client-close: the client did.
 * both-close: both FINs crossed after a response that allowed reuse. reset: a RST ended an unannounced close.
 * mid-response: the close cut a response short (not bytes the capture lacks). unanswered: requests were left without
 * a response.
 * after-switch: closed after a 101 upgrade or a CONNECT tunnel. open: still open at capture end.
 */
export type CloseKind = 'announced' | 'idle-close' | 'client-close' | 'both-close' | 'reset' | 'mid-response'
  | 'unanswered' | 'after-switch' | 'open';

export interface HttpSummary {
  mode: HttpMode;
  /** One human line, e.g. "HTTP/1.1 keep-alive: 5 requests reused one connection; client closed ... (announced: no)". */
  reason: string;
  requests: number;
  /** Every response message parsed, interim 1xx included (as Wireshark counts them). */
  responses: number;
  interimResponses: number;
  pipelinedRequests: number;
  maxPipelineDepth: number;
  /** Requests whose predecessor's response the capture does not show: neither pipelined nor proven sequential. */
  undetermined: number;
  lostResponses: number;
  /** Requests left without a response (unanswered or absent). */
  unanswered: number;
  /** Responses whose request the capture does not show (capture started mid-stream). */
  orphanResponses: number;
  requestVersions: string[];
  responseVersions: string[];
  /** Distinct Connection options the requests and the responses sent, lower-cased (RFC 9110 §7.6.1). */
  requestConnection: string[];
  responseConnection: string[];
  /** Whether the last final response left the connection reusable (RFC 9112 §9.3); null without one, or when header
   *  lines the capture lost (of that response or its request) could have decided it. */
  lastResponseAllowsReuse: boolean | null;
  /** Who closed first, in HTTP roles (the side that sent requests is the client). */
  closedBy: 'client' | 'server' | 'both' | null;
  closeHow: 'fin' | 'rst' | null;
  /**
   * The close was the one HTTP announced; null while open, and when the capture lost what would say it (a response
   * after the last one seen, or bytes of the last one's header section).
   */
  closeAnnounced: boolean | null;
  /** Null without HTTP, and when it depends on an announcement the capture lost (closeAnnounced null). */
  closeKind: CloseKind | null;
  /** 'websocket' (or the Upgrade token) after a 101; the CONNECT target for a tunnel. */
  upgradeTo: string | null;
  /** Requests were carried TCP server→client: the TCP roles are inverted relative to HTTP. */
  rolesInverted: boolean;
  http09: boolean;
  /** Why parsing stopped, per direction that stopped, e.g. "server→client: invalid Content-Length". */
  parseStopped: string[];
  /** Bytes not parsed as HTTP (not HTTP at all, after loss, after a stop), both directions. */
  unparsedBytes: number;
  /** Bytes after a 101 upgrade or an accepted CONNECT, both directions. */
  opaqueBytes: number;
  /**
   * What a connection with no HTTP start line (mode 'none') carries, when its first bytes name it: TLS (with its
   * hellos' version, server name and ALPN) or SSH. Null otherwise, and always for HTTP connections.
   */
  otherProtocol: OtherProtocol | null;
}

/** What the TCP tracker knows about how the connection ended, in TCP roles. The lead maps its summary onto this. */
export interface TcpCloseFacts {
  /** TCP role whose FIN was sent first; null when no FIN was seen. */
  firstFinBy: 'client' | 'server' | null;
  /** TCP role that sent the first RST; null when none. */
  rstBy: 'client' | 'server' | null;
  /** Both FINs were sent before either was acknowledged (they crossed on the wire). */
  simultaneous: boolean;
  /** No FIN and no RST from either side by the end of the capture. */
  openAtEnd: boolean;
  /**
   * Packet index of each TCP role's first FIN (0: none), to place a close before or after the last response. A FIN the
   * capture lacks is half a frame before the frame whose ACK showed it (that frame's data came after it).
   */
  clientFinFrame: number;
  serverFinFrame: number;
  /**
   * How much of the other direction's stream each TCP role's first FIN acknowledged, as a stream offset (the offset
   * after the last byte it had); -1 when unknown (no FIN, no ACK on it, or no stream to number it). A request that
   * starts at or past it was not received when that side closed: it crossed the FIN (RFC 9112 §9.5).
   */
  clientFinAckedOffset?: number;
  serverFinAckedOffset?: number;
  /**
   * Either side sent data, as far as TCP can tell: payload bytes (in a RST too), or an ACK beyond what was seen (a
   * one-sided capture). Unknown (undefined) counts as data: "no data" is said only when TCP knows.
   */
  dataSeen?: boolean;
  /** Packet index at which the other side first acknowledged each TCP role's FIN (0: never): it had the FIN then. */
  clientFinAckFrame?: number;
  serverFinAckFrame?: number;
  /**
   * Packet index of an ACK of one sequence number past all that each TCP role sent (0: none), still undecided when
   * the connection's tracking ended (capture end, eviction): that number is the role's FIN or one more byte, which
   * the capture lacks, and nothing after the ACK told which. Neither a FIN nor a lost byte is assumed.
   */
  clientEndUnknownFrame?: number;
  serverEndUnknownFrame?: number;
  /** One socket connected to itself (client and server the same address and port): what it sends comes back to it. */
  selfConnect?: boolean;
}
