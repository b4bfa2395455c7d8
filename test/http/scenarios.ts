// Hand-built byte streams, one per framing rule and per verdict, shared by the unit and property tests.
// Each scenario is data only: steps plus the TCP close facts; the expectations live in the tests.

import type { TcpCloseFacts } from '../../src/http/index.js';
import {
  C, S, captureEnd, closedByClient, closedByServer, fin, gap, head, resetByServer, rst, sameFrame, stillOpen, tx,
} from './helpers.js';
import type { Step } from './helpers.js';

export interface Scenario {
  name: string;
  steps: Step[];
  close: TcpCloseFacts;
}

const get = (path: string, ...extra: string[]): string => head(`GET ${path} HTTP/1.1`, 'Host: example.com', ...extra);
const ok = (body: string, ...extra: string[]): string =>
  head('HTTP/1.1 200 OK', `Content-Length: ${body.length}`, ...extra) + body;

export const http10Short: Scenario = {
  name: 'HTTP/1.0 short connection (python http.server style)',
  steps: [
    tx(C, head('GET / HTTP/1.0', 'Host: a')),
    tx(S, head('HTTP/1.0 200 OK', 'Server: SimpleHTTP/0.6', 'Content-Type: text/html', 'Content-Length: 5') + 'hello'),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const http10CloseDelimited: Scenario = {
  name: 'HTTP/1.0 response without Content-Length: body delimited by the close',
  steps: [
    tx(C, head('GET /x HTTP/1.0')),
    tx(S, head('HTTP/1.0 200 OK', 'Content-Type: text/plain') + 'part one, '),
    tx(S, 'part two'),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const keepAlive3: Scenario = {
  name: 'HTTP/1.1 keep-alive: three sequential requests, client closes',
  steps: [
    tx(C, get('/a')),
    tx(S, ok('aaaa')),
    tx(C, get('/b')),
    tx(S, ok('bbbbbbbb')),
    tx(C, get('/c')),
    tx(S, ok('c')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const pipelined3: Scenario = {
  name: 'HTTP/1.1 pipelining: three requests in one segment, three responses',
  steps: [
    tx(C, get('/1') + get('/2') + get('/3')),
    tx(S, ok('one')),
    tx(S, ok('two') + ok('three')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const http10KeepAlive: Scenario = {
  name: 'HTTP/1.0 with Connection: keep-alive reuses the connection',
  steps: [
    tx(C, head('GET /1 HTTP/1.0', 'Connection: keep-alive')),
    tx(S, head('HTTP/1.0 200 OK', 'Connection: keep-alive', 'Content-Length: 2') + 'ok'),
    tx(C, head('GET /2 HTTP/1.0', 'Connection: keep-alive')),
    tx(S, head('HTTP/1.0 200 OK', 'Connection: keep-alive', 'Content-Length: 3') + 'two'),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const http11Close: Scenario = {
  name: 'HTTP/1.1 with Connection: close: one request, the server closes as announced',
  steps: [
    tx(C, get('/')),
    tx(S, ok('bye', 'Connection: close')),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

/** RFC 9112 §7.1 example shape: extensions on chunk sizes, a trailer section. Then a second exchange. */
export const chunkedExtTrailers: Scenario = {
  name: 'chunked response with chunk extensions and trailer fields, then another exchange',
  steps: [
    tx(C, get('/wiki', 'TE: trailers')),
    tx(S, head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Trailer: Expires, X-Sum')
      + '4;name=value\r\nWiki\r\n5 ; ext\r\npedia\r\nE;q="quoted;ext"\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n'),
    tx(C, get('/after')),
    tx(S, ok('after')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const headNoContent: Scenario = {
  name: 'HEAD, 204 and 304 have no body even with Content-Length, all on one connection',
  steps: [
    tx(C, head('HEAD /big HTTP/1.1', 'Host: h')),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 1000000')),
    tx(C, head('DELETE /x HTTP/1.1', 'Host: h')),
    tx(S, head('HTTP/1.1 204 No Content')),
    tx(C, head('GET /cached HTTP/1.1', 'Host: h', 'If-None-Match: "v1"')),
    tx(S, head('HTTP/1.1 304 Not Modified', 'ETag: "v1"', 'Content-Length: 512')),
    tx(C, get('/last')),
    tx(S, ok('last')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

/** Like suricata-verify/http-multiple100.pcap: two 100 Continue before the final response. */
export const continue100: Scenario = {
  name: 'Expect: 100-continue with two interim responses before the final one',
  steps: [
    tx(C, head('POST /upload HTTP/1.1', 'Host: u', 'Expect: 100-continue', 'Content-Length: 10')),
    tx(S, head('HTTP/1.1 100 Continue')),
    tx(C, '01234'),
    tx(S, head('HTTP/1.1 100 Continue')),
    tx(C, '56789'),
    tx(S, head('HTTP/1.1 200 OK', 'Connection: close', 'Content-Length: 2') + 'ok'),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const websocket: Scenario = {
  name: '101 Switching Protocols to websocket: the rest is opaque',
  steps: [
    tx(C, head('GET /chat HTTP/1.1', 'Host: ws', 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13')),
    tx(S, head('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=') + '\x81\x05hello'),
    tx(C, '\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58'),
    tx(S, '\x88\x00'),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const connectTunnel: Scenario = {
  name: 'CONNECT answered 200: a tunnel',
  steps: [
    tx(C, head('CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443')),
    tx(S, head('HTTP/1.1 200 Connection established')),
    tx(C, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'),
    tx(S, '\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03'),
    tx(C, 'GET / HTTP/1.1\r\n\r\n'),
  ],
  close: stillOpen,
};

/** 1000 strictly sequential requests; the response to request 500 is missing from the capture. The reassembler
 *  reports the hole when the client's ACK passes it, i.e. in the frame of request 501 (`ackGap`), or only when the
 *  next response arrives (otherwise). */
export function thousandWithMissing(ackGap: boolean): Scenario {
  const response = (i: number): string => head('HTTP/1.1 200 R' + i, 'Content-Length: 3') + 'abc';
  const steps: Step[] = [];
  for (let i = 1; i <= 1000; i++) {
    steps.push(tx(C, get('/' + i)));
    if (i === 501 && ackGap) steps.push(sameFrame(gap(S, response(500).length)));
    if (i !== 500) steps.push(tx(S, response(i)));
    else if (!ackGap) steps.push(gap(S, response(500).length));
  }
  steps.push(fin(C), fin(S));
  return { name: `1000 sequential requests, response 500 missing (gap ${ackGap ? 'via ACK' : 'at next data'})`, steps, close: closedByClient };
}

export const invertedRoles: Scenario = {
  name: 'requests travel TCP server→client (roles inferred the wrong way round)',
  steps: [
    tx(S, get('/x')),
    tx(C, ok('xx')),
    tx(S, get('/y')),
    tx(C, ok('yyy')),
    fin(S),
    fin(C),
  ],
  close: { firstFinBy: 'server', rstBy: null, simultaneous: false, openAtEnd: false, clientFinFrame: 0, serverFinFrame: 0 },
};

export const garbage: Scenario = {
  name: 'not HTTP: an SSH banner and binary both ways',
  steps: [
    tx(S, 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n'),
    tx(C, 'SSH-2.0-OpenSSH_9.0\r\n'),
    tx(C, '\x00\x00\x05\xdc\x07\x14\xa1\xb2GET / HTTP/1.1\r\n'),
    tx(S, '\x00\x00\x04\x3c\x0a\x14\xff\xfe\xfd'),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export function badContentLength(value: string): Scenario {
  return {
    name: `response Content-Length: ${value}`,
    steps: [
      tx(C, get('/')),
      tx(S, head('HTTP/1.1 200 OK', `Content-Length: ${value}`) + 'body bytes'),
      tx(S, 'more body'),
      fin(S),
      fin(C),
    ],
    close: closedByServer,
  };
}

export const chunkOverflow: Scenario = {
  name: 'chunk size that overflows 2^53',
  steps: [
    tx(C, get('/')),
    tx(S, head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + 'ffffffffffffffffffff\r\nabc'),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const megabyteHeader: Scenario = {
  name: 'a one-megabyte header line',
  steps: [
    tx(C, 'GET / HTTP/1.1\r\nX-Big: '),
    ...Array.from({ length: 16 }, () => tx(C, 'a'.repeat(65536))),
    tx(C, '\r\n\r\n'),
    tx(S, ok('late')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const bodyGap: Scenario = {
  name: 'a gap inside a Content-Length body is skipped; the next response still parses',
  steps: [
    tx(C, get('/big')),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 3000') + 'x'.repeat(1000)),
    gap(S, 1000),
    tx(S, 'y'.repeat(1000)),
    tx(C, get('/next')),
    tx(S, ok('next')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const headerGap: Scenario = {
  name: 'a gap inside response headers stops that direction until the next response start',
  steps: [
    tx(C, get('/1')),
    tx(S, 'HTTP/1.1 200 OK\r\nContent-Le'),
    gap(S, 200),
    tx(S, 'rest of response 1 body'),
    tx(C, get('/2')),
    tx(S, ok('two')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const http09: Scenario = {
  name: 'HTTP/0.9 simple request and response',
  steps: [
    tx(C, 'GET /index.html\r\n'),
    tx(S, '<html>simple</html>'),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const lenientHeaders: Scenario = {
  name: 'bare LF, obs-fold, repeated headers, mixed-case names',
  steps: [
    tx(C, 'GET /lf HTTP/1.1\nHost: a\nX-Long: one\n two\n\n'),
    tx(S, 'HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: 2\r\nconnection: keep-alive\r\nCONNECTION:\r\n  close\r\nVary: a\r\nVary: b\r\n\r\nok'),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const resetMidResponse: Scenario = {
  name: 'the server resets the connection in the middle of a response body',
  steps: [
    tx(C, get('/file')),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 100000') + 'z'.repeat(1400)),
    rst(S),
    rst(C),
  ],
  close: resetByServer,
};

export const idleClose: Scenario = {
  name: 'HTTP/1.1 reusable response, then the server closes when idle',
  steps: [
    tx(C, get('/')),
    tx(S, ok('x')),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

export const teAndCl: Scenario = {
  name: 'Transfer-Encoding and Content-Length together: chunked wins (RFC 9112 §6.3 item 3)',
  steps: [
    tx(C, head('POST /p HTTP/1.1', 'Host: h', 'Content-Length: 4', 'Transfer-Encoding: chunked') + '3\r\nabc\r\n0\r\n\r\n'),
    tx(S, ok('done')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

export const openKeepAlive: Scenario = {
  name: 'one request, connection still open at capture end',
  steps: [tx(C, get('/')), tx(S, ok('x')), captureEnd(C), captureEnd(S)],
  close: stillOpen,
};

export const responsesOnly: Scenario = {
  name: 'capture started mid-stream: a response tail, then whole responses, no requests',
  steps: [
    tx(S, 'tail of an earlier body</html>'),
    tx(S, ok('one')),
    tx(S, ok('two')),
    captureEnd(S),
    captureEnd(C),
  ],
  close: stillOpen,
};

/** Scenarios for the split-invariance property: every one whose bytes are in sync or lose sync only at a gap or
 *  a stop (resynchronising is done at segment starts, so it is split-dependent by design: not `garbage`). */
/** A request line past the 64 KiB start-line limit, answered 414 after it was all sent. */
const longTarget = '/search?q=' + 'a'.repeat(70_000);
export const longRequestLine: Scenario = {
  name: 'a request line longer than the limit, then its 414',
  steps: [
    tx(C, head(`GET ${longTarget} HTTP/1.1`, 'Host: a')),
    tx(S, head('HTTP/1.1 414 URI Too Long', 'Content-Length: 0', 'Connection: close')),
    fin(S),
    fin(C),
  ],
  close: closedByServer,
};

/** The server answers 414 while the line is still arriving (as nginx does after its 8 KiB buffer), then the rest. */
export const longRequestLineEarly414: Scenario = {
  name: 'a 414 before the long request line has ended',
  steps: [
    tx(C, `GET ${longTarget.slice(0, 9000)}`),
    tx(S, head('HTTP/1.1 414 URI Too Long', 'Content-Length: 0', 'Connection: close')),
    fin(S),
    tx(C, `${longTarget.slice(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`),
    fin(C),
  ],
  close: closedByServer,
};

/**
 * A HEAD request lost to the capture (its bytes a gap): its response announces a length and has no body (RFC 9110
 * §9.3.2); the next response follows its header section at once, and the request after the HEAD was sent before
 * that next response began (not pipelined: the HEAD's response had ended).
 */
export const lostHeadRequest: Scenario = {
  name: 'a lost HEAD request: its response (Content-Length, no body) is followed at once by the next response',
  steps: [
    tx(C, head('GET /1 HTTP/1.1', 'Host: a')),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 2') + 'ok'),
    gap(C, 33),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 5120', 'Content-Type: text/html')),
    tx(C, head('GET /3 HTTP/1.1', 'Host: a')),
    tx(S, head('HTTP/1.1 404 Not Found', 'Content-Length: 3') + 'abc' + head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked')),
    tx(S, head('HTTP/1.0 304 Not Modified')),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

/** A response whose request was lost, with a body that begins as a status line does ("HTTP/1.1 is ..."): a body. */
export const lostRequestBodyLikeStatus: Scenario = {
  name: 'a lost request: its response\'s body begins with "HTTP/1.1 " and is still its body',
  steps: [
    tx(C, head('GET /1 HTTP/1.1', 'Host: a')),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
    gap(C, 30),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 20') + 'HTTP/1.1 is a versio'),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 12') + 'HTTP/1.1 20x'),
    tx(C, head('GET /4 HTTP/1.1', 'Host: a')),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 1') + 'x'),
    fin(C),
    fin(S),
  ],
  close: closedByClient,
};

/** A lost request's response: the first bytes after its header section look like a status line, then a gap. */
export const lostRequestProbeGap: Scenario = {
  name: 'a lost request: a gap while the bytes after its response\'s header section are being looked at',
  steps: [
    tx(C, head('GET /1 HTTP/1.1', 'Host: a')),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
    gap(C, 30),
    tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 10') + 'HTTP/1'),
    gap(S, 4),
    tx(S, head('HTTP/1.1 204 No Content')),
    captureEnd(S),
    captureEnd(C),
  ],
  close: stillOpen,
};

export const splittable: Scenario[] = [
  http10Short, http10CloseDelimited, keepAlive3, pipelined3, http10KeepAlive, http11Close, chunkedExtTrailers,
  headNoContent, continue100, websocket, connectTunnel, invertedRoles, badContentLength('-1'),
  badContentLength('99999999999999999999'), badContentLength('5, 6'), chunkOverflow, bodyGap, headerGap, http09,
  lenientHeaders, resetMidResponse, idleClose, teAndCl, openKeepAlive, longRequestLine, longRequestLineEarly414,
  lostHeadRequest, lostRequestBodyLikeStatus, lostRequestProbeGap,
];
