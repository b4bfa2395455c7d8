// The HTTP rules a review against RFC 9112 found wrong, one case each: a close-delimited body ends only with the
// server's FIN, a half-closed connection is closed, a request lost between requests keeps its place in the FIFO,
// a half-close before the response is told as such, and two requests that oblige the server to close.
import { describe, expect, test } from 'vitest';
import { C, S, captureEnd, closedByServer, fin, gap, head, rst, run, tx } from './helpers.js';
import type { TcpCloseFacts } from '../../src/http/index.js';

const GET = (path: string, ...extra: string[]) => head(`GET ${path} HTTP/1.1`, 'Host: a', ...extra);
const OK = (body: string, ...extra: string[]) => head('HTTP/1.1 200 OK', `Content-Length: ${body.length}`, ...extra) + body;

describe('a close-delimited body (RFC 9112 §6.3 item 8)', () => {
  const request = tx(C, head('GET /big HTTP/1.0'));
  const response = tx(S, head('HTTP/1.0 200 OK', 'Content-Type: application/octet-stream') + 'x'.repeat(1000));

  test('ends complete at the server FIN', () => {
    const r = run([request, response, fin(S)], closedByServer);
    expect(r.exchanges[0]!.responseState).toBe('complete');
    expect(r.exchanges[0]!.responseBodyBytes).toBe(1000);
    expect(r.summary.closeKind).toBe('announced');
  });

  test('is incomplete when the connection is reset instead (§8: a connection error)', () => {
    const resetByClient: TcpCloseFacts = { ...closedByServer, firstFinBy: null, rstBy: 'client' };
    const r = run([request, response, rst(S), rst(C)], resetByClient);
    expect(r.exchanges[0]!.responseState).toBe('incomplete');
    expect(r.exchanges[0]!.totalUs).toBeNull();
    expect(r.summary.closeKind).toBe('mid-response');
    expect(r.summary.reason).toContain('client reset the connection mid-response');
    expect(r.events.some((e) => e.text.includes('connection reset in a body delimited by the close, after 1000 bytes'))).toBe(true);
  });

  test('is incomplete when the capture ends first (more of the body may have come)', () => {
    const open: TcpCloseFacts = { ...closedByServer, firstFinBy: null, openAtEnd: true };
    const r = run([tx(C, GET('/')), tx(S, head('HTTP/1.1 200 OK') + 'partial body'), captureEnd(S), captureEnd(C)], open);
    expect(r.exchanges[0]!.responseState).toBe('incomplete');
    expect(r.exchanges[0]!.responseEnd).toBeNull();
    expect(r.events.some((e) => e.text.includes('capture ended in a body delimited by the close, after 12 bytes'))).toBe(true);
  });
});

describe('persistence (RFC 9112 §9.3, §6.1)', () => {
  test('an HTTP/1.0 request without keep-alive announces the close, whatever the response version', () => {
    const r = run([tx(C, head('GET / HTTP/1.0')), tx(S, OK('ok')), fin(S)], closedByServer);
    expect(r.summary.lastResponseAllowsReuse).toBe(false);
    expect(r.summary.closeKind).toBe('announced');
    expect(r.summary.reason).toContain('announced: yes, HTTP/1.0 request without keep-alive');
    expect(r.events.find((e) => e.code === 'http.response-end')!.text).toContain('server will close (HTTP/1.0 request without keep-alive)');
  });

  test('an HTTP/1.0 request with keep-alive to an HTTP/1.1 server may reuse', () => {
    const r = run([tx(C, head('GET / HTTP/1.0', 'Connection: keep-alive')), tx(S, OK('ok')), fin(S)], closedByServer);
    expect(r.summary.lastResponseAllowsReuse).toBe(true);
  });

  test('a request with both Transfer-Encoding and Content-Length obliges the server to close', () => {
    const post = head('POST / HTTP/1.1', 'Host: a', 'Content-Length: 4', 'Transfer-Encoding: chunked') + '4\r\nabcd\r\n0\r\n\r\n';
    const r = run([tx(C, post), tx(S, OK('ok')), fin(S)], closedByServer);
    expect(r.exchanges[0]!.requestBodyBytes).toBe(4);
    expect(r.summary.lastResponseAllowsReuse).toBe(false);
    expect(r.summary.reason).toContain('announced: yes, request with both Transfer-Encoding and Content-Length');
  });
});

describe('a request lost between requests (RFC 9112 §9.3.2: responses in request order)', () => {
  test('keeps its place: later responses pair with their own requests', () => {
    const lost = GET('/2');
    const r = run([
      tx(C, GET('/1')), gap(C, lost.length), tx(C, GET('/3')),
      tx(S, OK('one')), tx(S, OK('two')), tx(S, OK('three')), fin(C), fin(S),
    ]);
    const ex = r.exchanges;
    expect(ex.map((e) => [e.target, e.requestState, e.responseBodyBytes])).toEqual([
      ['/1', 'complete', 3], [null, 'lost', 3], ['/3', 'complete', 5],
    ]);
    expect(r.events.some((e) => e.code === 'http.resync' && e.text.includes('held at least one request (exchange 2'))).toBe(true);
    expect(r.events.some((e) => e.code === 'http.response' && e.text.includes('response 2 200 OK · its request is not in the capture'))).toBe(true);
  });

  test('does not make the next request pipelined: its response may have been lost with it', () => {
    const lost = GET('/2');
    const r = run([
      tx(C, GET('/1')), tx(S, OK('one')), gap(C, lost.length), tx(C, GET('/3')),
      gap(S, OK('two').length), tx(S, OK('three')), fin(C), fin(S),
    ]);
    expect(r.events.filter((e) => e.code === 'http.pipelined')).toEqual([]);
    expect(r.summary.pipelinedRequests).toBe(0);
    expect(r.exchanges.map((e) => [e.target, e.responseState, e.responseBodyBytes])).toEqual([
      ['/1', 'complete', 3], [null, 'lost', 0], ['/3', 'complete', 5],
    ]);
  });

  test('is not counted twice when its response already came without a request', () => {
    const lost = GET('/2');
    const r = run([
      tx(C, GET('/1')), tx(S, OK('one')), gap(C, lost.length), tx(S, OK('two')), tx(C, GET('/3')), tx(S, OK('three')),
      fin(C), fin(S),
    ]);
    expect(r.exchanges.map((e) => [e.target, e.responseBodyBytes])).toEqual([['/1', 3], [null, 3], ['/3', 5]]);
  });

  test('a loss inside a request\'s header fields cuts that request short and adds none', () => {
    const r = run([tx(C, GET('/1')), tx(C, 'GET /2 HTTP/1.1\r\nHo'), gap(C, 20), tx(C, GET('/3')), tx(S, OK('one')), tx(S, OK('two')), tx(S, OK('three'))]);
    expect(r.exchanges.map((e) => [e.target, e.requestState, e.responseBodyBytes])).toEqual([
      ['/1', 'complete', 3], ['/2', 'incomplete', 3], ['/3', 'complete', 5],
    ]);
  });

  test('a loss inside a start line takes that request with it', () => {
    const r = run([tx(C, GET('/1')), tx(C, 'GET /2 HT'), gap(C, 20), tx(C, GET('/3')), tx(S, OK('one')), tx(S, OK('two')), tx(S, OK('three'))]);
    expect(r.exchanges.map((e) => [e.target, e.requestState, e.responseBodyBytes])).toEqual([
      ['/1', 'complete', 3], [null, 'lost', 3], ['/3', 'complete', 5],
    ]);
  });
});

describe('who closed', () => {
  test('a client that half-closes before the response is told apart from one that closes after it', () => {
    const steps = [tx(C, head('GET /b.txt HTTP/1.0')), fin(C), tx(S, head('HTTP/1.0 200 OK') + 'body'), fin(S)];
    // Frames are step numbers: the client's FIN is frame 2, the response frame 3, the server's FIN frame 4.
    const close: TcpCloseFacts = { firstFinBy: 'client', rstBy: null, simultaneous: false, openAtEnd: false, clientFinFrame: 2, serverFinFrame: 4 };
    const r = run(steps, close);
    expect(r.summary.closedBy).toBe('client');
    expect(r.summary.reason).toBe('HTTP/1.0 short: 1 request; client half-closed before the last response, server closed after it (announced: yes, body delimited by close)');
    const after = run([tx(C, head('GET /b.txt HTTP/1.0')), tx(S, OK('body')), fin(C), fin(S)], { ...close, clientFinFrame: 3, serverFinFrame: 4 });
    expect(after.summary.reason).toContain('client closed after the last response');
  });
});

describe('HTTP/2 with prior knowledge (RFC 9113 §3.4)', () => {
  test('the connection preface switches both directions to opaque HTTP/2 frames', () => {
    // A SETTINGS frame each way (9-byte frame header, empty payload), then a HEADERS frame from the client.
    const settings = '\x00\x00\x00\x04\x00\x00\x00\x00\x00';
    const headers = '\x00\x00\x05\x01\x05\x00\x00\x00\x01\x82\x86\x84\x41\x8a';
    const r = run([tx(C, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' + settings), tx(S, settings), tx(C, headers), tx(S, settings), fin(C), fin(S)]);
    expect(r.summary.mode).toBe('upgraded');
    expect(r.summary.upgradeTo).toBe('HTTP/2');
    expect(r.summary.parseStopped).toEqual([]);
    expect(r.summary.reason).toBe('HTTP/2 with prior knowledge (RFC 9113 §3.4): the connection preface, then HTTP/2 frames, not analysed; client closed');
    expect(r.summary.opaqueBytes).toBe(6 + 9 + 9 + 14 + 9);
    expect(r.events.filter((e) => e.code === 'http.upgrade')).toHaveLength(1);
    expect(r.events.some((e) => e.code === 'http.parse-stopped')).toBe(false);
  });

  test('a PRI request with header fields is not the preface', () => {
    const r = run([tx(C, head('PRI * HTTP/2.0', 'Host: a')), tx(S, OK('no'))]);
    expect(r.summary.mode).not.toBe('upgraded');
  });
});

describe('a message that cannot be framed (RFC 9112 §6.3 item 5)', () => {
  test('an invalid Content-Length in the response forbids reuse', () => {
    const r = run([tx(C, GET('/')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 5', 'Content-Length: 6') + 'hello'), fin(C)]);
    expect(r.summary.lastResponseAllowsReuse).toBe(false);
    expect(r.summary.reason).toContain('a message that could not be framed');
  });

  test('so does an invalid one in the request, answered by a 400', () => {
    const r = run([tx(C, head('POST / HTTP/1.1', 'Content-Length: -1')), tx(S, OK('bad', 'Connection: keep-alive')), fin(S)], closedByServer);
    expect(r.summary.lastResponseAllowsReuse).toBe(false);
    expect(r.summary.closeKind).toBe('announced');
  });
});

// Lost bytes between two messages hold whole messages only when there are enough of them: one lost byte (a held ACK
// settled as a byte: the sender went on past it) cannot be a response (17 bytes at least) or a request (7).
describe('a loss too small to hold a message', () => {
  test('one byte lost between pipelined responses: no response is lost, each pairs with its own request', () => {
    const R = (body: string) => OK(body);
    const r = run([tx(C, GET('/1') + GET('/2') + GET('/3')), tx(S, R('a')), gap(S, 1), tx(S, R('bb')), tx(S, R('ccc'))]);
    expect(r.exchanges.map((e) => [e.index, e.responseState, e.responseBodyBytes])).toEqual([
      [1, 'complete', 1], [2, 'complete', 2], [3, 'complete', 3],
    ]);
    expect(r.summary.lostResponses).toBe(0);
    expect(r.summary.orphanResponses).toBe(0);
  });

  test('sixteen bytes lost between them: still no response (the shortest is 17)', () => {
    const r = run([tx(C, GET('/1') + GET('/2') + GET('/3')), tx(S, OK('a')), gap(S, 16), tx(S, OK('bb')), tx(S, OK('ccc'))]);
    expect(r.exchanges.map((e) => e.responseState)).toEqual(['complete', 'complete', 'complete']);
  });

  test('seventeen bytes lost between them can be a whole response: the next request\'s is lost', () => {
    const r = run([tx(C, GET('/1') + GET('/2') + GET('/3')), tx(S, OK('a')), gap(S, 17), tx(S, OK('ccc'))]);
    expect(r.exchanges.map((e) => [e.index, e.responseState])).toEqual([[1, 'complete'], [2, 'lost'], [3, 'complete']]);
  });

  test('one byte lost between requests: no lost request is put in the queue', () => {
    const r = run([tx(C, GET('/1')), tx(S, OK('a')), gap(C, 1), tx(C, GET('/2')), tx(S, OK('bb'))]);
    expect(r.exchanges.map((e) => [e.index, e.requestState, e.responseState])).toEqual([
      [1, 'complete', 'complete'], [2, 'complete', 'complete'],
    ]);
  });
});

// A response cut by bytes the capture lacks may have ended in the bytes after them (unread: the framing went with the
// loss) or been cut by the close too: "mid-response" claimed the latter, the proxy bug people look for. And a close
// is "announced" or not by a response the capture has: when the one that would say it is lost, that is unknown, and
// so is the kind of close.
describe('losses the close is not to blame for', () => {
  const bothClosed = (first: 'client' | 'server'): TcpCloseFacts => ({
    firstFinBy: first, rstBy: null, simultaneous: false, openAtEnd: false, clientFinFrame: 0, serverFinFrame: 0,
  });

  test('bytes lost in the header section of the last response: the kind of close, and whether it was announced, unknown', () => {
    const response = head('HTTP/1.1 200 OK', 'X-Padding: ' + 'p'.repeat(30), 'Content-Length: 10') + '0123456789';
    const at = response.indexOf('X-Padding') + 5;
    const r = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 20), tx(S, response.slice(at + 20)), fin(C), fin(S)],
      bothClosed('client'));
    expect(r.exchanges[0]!.responseState).toBe('incomplete');
    expect(r.summary.closeKind).toBeNull();
    expect(r.summary.closeAnnounced).toBeNull();
    expect(r.summary.reason).toContain('; client closed (announced: unknown, response 1 lost bytes of its header section)');
    expect(r.summary.reason).toContain('response 1 cut short by bytes missing from the capture: whether the close cut it too is unknown');
  });

  // The field lines read before such a loss are what the message said: a `close` among them decides the announcement
  // whatever the lost lines held (RFC 9112 §9.6); nothing read that decides it leaves it unknown.
  test('a Connection: close read before bytes lost in the same header section: announced, the kind still unknown', () => {
    const response = head('HTTP/1.1 200 OK', 'Connection: close', 'X-Padding: ' + 'p'.repeat(30), 'Content-Length: 10') + '0123456789';
    const at = response.indexOf('X-Padding') + 5;
    const r = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 20), tx(S, response.slice(at + 20)), fin(S), fin(C)],
      bothClosed('server'));
    expect(r.exchanges[0]!.responseState).toBe('incomplete');
    expect(r.exchanges[0]!.responseConnection).toBe('close');
    expect(r.summary.closeAnnounced).toBe(true);
    expect(r.summary.lastResponseAllowsReuse).toBe(false);
    expect(r.summary.closeKind).toBeNull();
    expect(r.summary.reason).toContain('; server closed (announced: yes, Connection: close); response 1 cut short by bytes missing');
  });

  test('a Connection: keep-alive read before the loss does not decide it: a close may have been in the lost lines', () => {
    const response = head('HTTP/1.1 200 OK', 'Connection: keep-alive', 'X-Padding: ' + 'p'.repeat(30), 'Content-Length: 10') + '0123456789';
    const at = response.indexOf('X-Padding') + 5;
    const r = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 20), tx(S, response.slice(at + 20)), fin(S), fin(C)],
      bothClosed('server'));
    expect(r.exchanges[0]!.responseConnection).toBe('keep-alive');
    expect(r.summary.closeAnnounced).toBeNull();
    expect(r.summary.lastResponseAllowsReuse).toBeNull();
    expect(r.summary.reason).toContain('(announced: unknown, response 1 lost bytes of its header section)');
  });

  test('a field line still arriving when the loss came is not read: "Connection: cl" is no close', () => {
    const response = head('HTTP/1.1 200 OK', 'Connection: close', 'Content-Length: 10') + '0123456789';
    const at = response.indexOf('Connection: close') + 14;
    const r = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 5), tx(S, response.slice(at + 5)), fin(S), fin(C)],
      bothClosed('server'));
    expect(r.exchanges[0]!.responseConnection).toBeNull();
    expect(r.summary.closeAnnounced).toBeNull();
  });

  test('bytes lost in the request\'s header section: a close may have been among them, so "announced: no" is not known', () => {
    const request = GET('/1', 'X-Padding: ' + 'p'.repeat(30), 'Accept: */*');
    const at = request.indexOf('X-Padding') + 5;
    const r = run([tx(C, request.slice(0, at)), gap(C, 20), tx(C, request.slice(at + 20)), tx(S, OK('ok')), fin(S), fin(C)],
      bothClosed('server'));
    expect(r.exchanges[0]!.requestState).toBe('incomplete');
    expect(r.exchanges[0]!.responseState).toBe('complete');
    expect(r.summary.closeAnnounced).toBeNull();
    expect(r.summary.closeKind).toBeNull();
    expect(r.summary.lastResponseAllowsReuse).toBeNull();
    expect(r.summary.reason).toContain('; server closed after the last response (announced: unknown, request 1 lost bytes of its header section)');
    expect(r.events.find((e) => e.code === 'http.response-end')!.text)
      .toContain('whether the connection stays open is unknown (the request lost bytes of its header section)');
  });

  test('a request Connection: close read before its loss: announced', () => {
    const request = GET('/1', 'Connection: close', 'X-Padding: ' + 'p'.repeat(30), 'Accept: */*');
    const at = request.indexOf('X-Padding') + 5;
    const r = run([tx(C, request.slice(0, at)), gap(C, 20), tx(C, request.slice(at + 20)), tx(S, OK('ok')), fin(S), fin(C)],
      bothClosed('server'));
    expect(r.summary.closeAnnounced).toBe(true);
    expect(r.summary.closeKind).toBe('announced');
    expect(r.summary.reason).toContain('(announced: yes, request Connection: close)');
  });

  test('an HTTP/1.0 response without keep-alive decides it whatever the request\'s lost lines held', () => {
    const request = GET('/1', 'X-Padding: ' + 'p'.repeat(30), 'Accept: */*');
    const at = request.indexOf('X-Padding') + 5;
    const r = run([tx(C, request.slice(0, at)), gap(C, 20), tx(C, request.slice(at + 20)),
      tx(S, head('HTTP/1.0 200 OK', 'Content-Length: 2') + 'ok'), fin(S), fin(C)], bothClosed('server'));
    expect(r.summary.closeAnnounced).toBe(true);
    expect(r.summary.reason).toContain('(announced: yes, HTTP/1.0 without keep-alive)');
  });

  test('bytes lost across a chunk boundary, then the server closes: not mid-response nor idle, the capture cannot tell', () => {
    const response = head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const at = response.indexOf('hello') + 3;
    const r = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 8), tx(S, response.slice(at + 8)), fin(S), fin(C)],
      bothClosed('server'));
    // The last chunk came, but with the chunk framing lost it is unread: the response may have ended there.
    expect(r.summary.closeKind).toBeNull();
    expect(r.summary.closeAnnounced).toBe(false);
    expect(r.summary.reason).toContain('; server closed (announced: no); response 1 cut short by bytes missing from the capture: whether the close cut it too is unknown');
  });

  test('bytes lost in a chunked body, more body after them and no last chunk, then the server closes: unknown too', () => {
    const response = head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + 'a\r\n0123456789\r\na\r\nabcdefghij\r\n';
    const at = response.indexOf('0123') + 8;
    const r = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 10), tx(S, response.slice(at + 10)), fin(S), fin(C)],
      bothClosed('server'));
    expect(r.summary.closeKind).toBeNull();
    expect(r.summary.closeKind).not.toBe('idle-close');
  });

  test('a request sent once the server had sent all it would, after a response the capture cut: unanswered', () => {
    const response = head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const at = response.indexOf('hello') + 3;
    const sentAfter = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 8), tx(S, response.slice(at + 8)), tx(C, GET('/2')),
      fin(S), fin(C)], bothClosed('server'));
    expect(sentAfter.summary.closeKind).toBe('unanswered');
    expect(sentAfter.summary.reason).toContain('server closed with 1 request unanswered');
    // Sent before the server's last bytes: its answer may be among them, unread.
    const sentBefore = run([tx(C, GET('/1')), tx(S, response.slice(0, at)), gap(S, 8), tx(C, GET('/2')), tx(S, response.slice(at + 8)),
      fin(S), fin(C)], bothClosed('server'));
    expect(sentBefore.summary.closeKind).toBeNull();
  });

  test('a response cut by the close itself is still mid-response', () => {
    const response = head('HTTP/1.1 200 OK', 'Content-Length: 10') + '01234';
    const r = run([tx(C, GET('/1')), tx(S, response), fin(S), fin(C)], bothClosed('server'));
    expect(r.summary.closeKind).toBe('mid-response');
  });

  test('the last response lost whole: the close is neither announced nor idle, as far as the capture tells', () => {
    const lost = OK('bye', 'Connection: close');
    const r = run([tx(C, GET('/1')), tx(S, OK('a')), tx(C, GET('/2')), gap(S, lost.length), fin(S), fin(C)], bothClosed('server'));
    expect(r.exchanges.map((e) => e.responseState)).toEqual(['complete', 'lost']);
    expect(r.summary.closeKind).toBeNull();
    expect(r.summary.closeAnnounced).toBeNull();
    expect(r.summary.reason).toContain('server closed after the last response (announced: unknown, response 2 is not in the capture)');
  });
});

// A request's order against a response the capture lost or cut: its last byte's arrival is unknown, but where the
// response direction stood when the request went out (responsePosAtSend; an ACK that covers lost bytes moves it past
// them before the request's bytes are read) tells whether those bytes had come. The timeline said so already
// ("pipelined behind"); the summary counted the lost response as ended with the one before it.
describe('order against a response the capture lost or cut', () => {
  test('a request sent before the lost response came is pipelined, in the summary as in the timeline', () => {
    const two = OK('two');
    const r = run([tx(C, GET('/1')), tx(S, OK('one')), tx(C, GET('/2')), tx(C, GET('/3')), gap(S, two.length), tx(S, OK('three')), fin(C), fin(S)]);
    expect(r.exchanges.map((e) => [e.target, e.responseState, e.order, e.pipelineDepth])).toEqual([
      ['/1', 'complete', 'first', 1], ['/2', 'lost', 'after-response', 1], ['/3', 'complete', 'pipelined', 2],
    ]);
    expect(r.events.some((e) => e.code === 'http.pipelined' && e.exchange === 3)).toBe(true);
    expect(r.summary.mode).toBe('pipelined');
  });

  test('a request sent once the lost response\'s bytes had passed (the ACK moved past them first) stays undetermined', () => {
    const two = OK('two');
    const r = run([tx(C, GET('/1')), tx(S, OK('one')), tx(C, GET('/2')), gap(S, two.length), tx(C, GET('/3')), tx(S, OK('three')), fin(C), fin(S)]);
    expect(r.exchanges.map((e) => e.order)).toEqual(['first', 'after-response', 'undetermined']);
    expect(r.summary.mode).toBe('keep-alive');
  });

  test('a request sent before the bytes that cut the previous response: pipelined behind it, not after it', () => {
    const one = head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const at = one.indexOf('hello') + 3;
    const lost = 12;
    const r = run([
      tx(C, GET('/1')), tx(S, one.slice(0, at)), tx(C, GET('/2')), gap(S, lost), tx(S, one.slice(at + lost)), tx(S, OK('two')),
      fin(C), fin(S),
    ]);
    expect(r.exchanges.map((e) => [e.target, e.responseState, e.order, e.pipelineDepth])).toEqual([
      ['/1', 'incomplete', 'first', 1], ['/2', 'complete', 'pipelined', 2],
    ]);
  });

  test('a request after the last byte seen of a response the capture cut, sent once the loss had passed: undetermined', () => {
    const one = head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
    const at = one.indexOf('hello') + 3;
    const lost = 12;
    const r = run([
      tx(C, GET('/1')), tx(S, one.slice(0, at)), gap(S, lost), tx(C, GET('/2')), tx(S, one.slice(at + lost) + OK('two')),
      fin(C), fin(S),
    ]);
    expect(r.exchanges.map((e) => e.order)).toEqual(['first', 'undetermined']);
  });
});

describe('reuse said in the fields old proxies use, and HTTP/1.0 framing', () => {
  test('an HTTP/1.0 proxy\'s Proxy-Connection: keep-alive keeps the connection (as curl reads it)', () => {
    const answer = head('HTTP/1.0 200 OK', 'Content-Length: 2', 'Proxy-Connection: keep-alive') + 'ok';
    const get = (p: string) => head(`GET http://a${p} HTTP/1.0`, 'Host: a', 'Proxy-Connection: Keep-Alive');
    const r = run([tx(C, get('/1')), tx(S, answer), tx(C, get('/2')), tx(S, answer), fin(C), fin(S)]);
    expect(r.summary.mode).toBe('keep-alive');
    expect(r.summary.lastResponseAllowsReuse).toBe(true);
    expect(r.summary.closeKind).toBe('client-close');
    expect(r.events.some((e) => e.code === 'http.response-end' && e.text.includes('server will close'))).toBe(false);
  });

  test('a proxy\'s HTTP/1.1 answer with Proxy-Connection: close closes it, Connection: keep-alive or not (as curl)', () => {
    const toProxy = head('GET http://a/1 HTTP/1.1', 'Host: a');
    for (const extra of [[], ['Connection: keep-alive']]) {
      const answer = head('HTTP/1.1 200 OK', 'Content-Length: 2', ...extra, 'Proxy-Connection: close') + 'ok';
      const r = run([tx(C, toProxy), tx(S, answer), fin(S), fin(C)], closedByServer);
      expect(r.summary.lastResponseAllowsReuse).toBe(false);
      expect(r.summary.reason).toContain('announced: yes, Proxy-Connection: close from a proxy');
    }
  });

  test('an origin server\'s exchange: Proxy-Connection is not read (an origin ignores it)', () => {
    // Scrapers copy a browser's fields, Proxy-Connection included, into requests to origin servers.
    const answer = head('HTTP/1.1 200 OK', 'Content-Length: 2', 'Proxy-Connection: close') + 'ok';
    const r = run([tx(C, GET('/1')), tx(S, answer), fin(C), fin(S)]);
    expect(r.summary.lastResponseAllowsReuse).toBe(true);
    const old = run([tx(C, head('GET /1 HTTP/1.0', 'Proxy-Connection: keep-alive')), tx(S, OK('ok')), fin(S), fin(C)], closedByServer);
    expect(old.summary.reason).toContain('announced: yes, HTTP/1.0 request without keep-alive');
  });

  test('an HTTP/1.0 message with Transfer-Encoding: framing faulty, the connection closes after it (RFC 9112 §6.1)', () => {
    const answer = head('HTTP/1.0 200 OK', 'Connection: keep-alive', 'Transfer-Encoding: chunked', 'Content-Length: 7') + '2\r\nok\r\n0\r\n\r\n';
    const r = run([tx(C, head('GET / HTTP/1.0', 'Connection: keep-alive')), tx(S, answer), fin(S), fin(C)], closedByServer);
    expect(r.exchanges[0]!.responseBodyBytes).toBe(2);
    expect(r.summary.lastResponseAllowsReuse).toBe(false);
    expect(r.summary.closeKind).toBe('announced');
    expect(r.summary.reason).toContain('HTTP/1.0 message with Transfer-Encoding, framing faulty (RFC 9112 §6.1)');
    expect(r.exchanges[0]!.notes).toContain('Transfer-Encoding in an HTTP/1.0 message');
  });
});

describe('requests to a proxy, for Proxy-Connection', () => {
  test('a CONNECT answered 407 with Proxy-Connection: close: the proxy announced its close', () => {
    const answer = head('HTTP/1.1 407 Proxy Authentication Required', 'Proxy-Authenticate: Basic', 'Content-Length: 0', 'Proxy-Connection: close');
    const r = run([tx(C, head('CONNECT a:443 HTTP/1.1', 'Host: a:443')), tx(S, answer), fin(S), fin(C)], closedByServer);
    expect(r.summary.closeKind).toBe('announced');
    expect(r.summary.reason).toContain('announced: yes, Proxy-Connection: close from a proxy');
  });

  test('an absolute-form target of another scheme (ftp:// through a proxy) counts too', () => {
    const answer = head('HTTP/1.1 200 OK', 'Content-Length: 2', 'Proxy-Connection: close') + 'ok';
    const r = run([tx(C, head('GET ftp://a/f HTTP/1.1', 'Host: a')), tx(S, answer), fin(S), fin(C)], closedByServer);
    expect(r.summary.lastResponseAllowsReuse).toBe(false);
  });
});
