// Body framing per RFC 9112 §6.3 and §7, limits and malformed input, one rule per test, on hand-built bytes.
// Checks what the parser counts and where it stops; verdicts are verdict.test.ts's job.

import { describe, expect, it } from 'vitest';
import { Codes } from '../../src/types.js';
import { C, S, captureEnd, closedByClient, closedByServer, fin, gap, head, lines, run, stillOpen, tx } from './helpers.js';
import * as sc from './scenarios.js';

describe('body framing', () => {
  it('chunked with extensions and trailers, then the next message parses', () => {
    const { exchanges } = run(sc.chunkedExtTrailers.steps, sc.chunkedExtTrailers.close);
    expect(exchanges[0].responseFraming).toBe('chunked');
    expect(exchanges[0].responseBodyBytes).toBe(4 + 5 + 14);
    expect(exchanges[0].responseState).toBe('complete');
    expect(exchanges[1].responseBodyBytes).toBe(5);
    expect(exchanges[1].status).toBe(200);
  });

  it('HEAD, 204 and 304 carry no body whatever Content-Length says', () => {
    const { exchanges, summary } = run(sc.headNoContent.steps, sc.headNoContent.close);
    expect(exchanges.map((e) => [e.method, e.status, e.responseFraming, e.responseBodyBytes])).toEqual([
      ['HEAD', 200, 'none', 0],
      ['DELETE', 204, 'none', 0],
      ['GET', 304, 'none', 0],
      ['GET', 200, 'content-length', 4],
    ]);
    expect(summary.mode).toBe('keep-alive');
  });

  it('Expect: 100-continue: interim responses attach to the request without consuming it', () => {
    const { exchanges, summary, events } = run(sc.continue100.steps, sc.continue100.close);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].expectContinue).toBe(true);
    expect(exchanges[0].interim).toEqual([100, 100]);
    expect(exchanges[0].status).toBe(200);
    expect(exchanges[0].requestBodyBytes).toBe(10);
    expect(exchanges[0].responseStart?.frame).toBe(6);
    expect(summary.responses).toBe(3);
    expect(summary.interimResponses).toBe(2);
    expect(lines(events)).toContain('2 http.response response 1 100 Continue · interim');
  });

  it('Transfer-Encoding overrides Content-Length, and the note says so', () => {
    const { exchanges } = run(sc.teAndCl.steps, sc.teAndCl.close);
    expect(exchanges[0].requestFraming).toBe('chunked');
    expect(exchanges[0].requestBodyBytes).toBe(3);
    expect(exchanges[0].notes).toContain('Transfer-Encoding with Content-Length');
    expect(exchanges[0].status).toBe(200);
  });

  it('a request Transfer-Encoding without final chunked cannot be framed (§6.3 item 4)', () => {
    const { events, exchanges } = run([
      tx(C, head('POST / HTTP/1.1', 'Transfer-Encoding: gzip') + 'zzz'),
    ], closedByClient);
    expect(exchanges[0].requestState).toBe('incomplete');
    expect(events.some((e) => e.code === Codes.HTTP_STOPPED && e.text.includes('does not end in chunked'))).toBe(true);
  });

  it('a response Transfer-Encoding without final chunked is close-delimited', () => {
    const { exchanges } = run([
      tx(C, head('GET / HTTP/1.1')),
      tx(S, head('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip') + 'compressed'),
      fin(S),
    ], closedByServer);
    expect(exchanges[0].responseFraming).toBe('close');
    expect(exchanges[0].responseBodyBytes).toBe(10);
  });

  it('identical repeated Content-Length values are one value (RFC 9110 §8.6)', () => {
    const { exchanges } = run([
      tx(C, head('GET / HTTP/1.1')),
      tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 3', 'Content-Length: 3') + 'abc' + head('HTTP/1.1 200 OK', 'Content-Length: 3, 3') + 'def'),
      tx(C, head('GET / HTTP/1.1')),
    ], closedByClient);
    expect(exchanges[0].responseBodyBytes).toBe(3);
  });

  for (const [value, why] of [
    ['-1', 'negative Content-Length -1'],
    ['99999999999999999999', 'Content-Length 99999999999999999999 too large'],
    ['5, 6', 'differing Content-Length values "5, 6"'],
    ['12abc', 'invalid Content-Length "12abc"'],
  ]) {
    it(`Content-Length: ${value} is rejected cleanly`, () => {
      const s = sc.badContentLength(value);
      const { events, exchanges, summary } = run(s.steps, s.close);
      expect(exchanges[0].responseState).toBe('incomplete');
      expect(lines(events)).toContain(`2 http.parse-stopped responses: parsing stopped: ${why}`);
      expect(summary.parseStopped).toEqual([`responses: ${why}`]);
    });
  }

  it('a chunk size beyond 2^53 is rejected, not wrapped', () => {
    const { events, exchanges } = run(sc.chunkOverflow.steps, sc.chunkOverflow.close);
    expect(exchanges[0].responseState).toBe('incomplete');
    expect(lines(events)).toContain('2 http.parse-stopped responses: parsing stopped: chunk size overflows 2^53');
  });

  it('a megabyte header line stops at maxHeaderBytes; the response still pairs with its request', () => {
    const { events, exchanges, conn } = run(sc.megabyteHeader.steps, sc.megabyteHeader.close);
    expect(lines(events)).toContain('2 http.parse-stopped requests: parsing stopped: header section exceeds 65536 bytes');
    expect(exchanges[0].requestState).toBe('incomplete');
    expect(exchanges[0].status).toBe(200);
    // Nothing past the limit was buffered: the parser holds at most one partial line below the cap.
    const parser = (conn as unknown as { parsers: { lineBuf: Uint8Array }[] }).parsers[0];
    expect(parser.lineBuf.length).toBeLessThanOrEqual(128 * 1024);
  });

  it('maxHeaderBytes and maxStartLineBytes are options', () => {
    const small = run([tx(C, head('GET / HTTP/1.1', 'X: ' + 'y'.repeat(200)))], closedByClient, { maxHeaderBytes: 100 });
    expect(small.events.some((e) => e.text.includes('header section exceeds 100 bytes'))).toBe(true);
    // Too long for a first start line: not taken for HTTP; the next segment's request line is.
    const line = run([tx(C, head('GET /' + 'p'.repeat(300) + ' HTTP/1.1')), tx(C, head('GET / HTTP/1.1'))], closedByClient, { maxStartLineBytes: 64 });
    expect(line.exchanges.map((e) => e.target)).toEqual(['/']);
  });

  it('a request line longer than the limit is said, not taken for "not HTTP" (a 414 is not an orphan of a lost request)', () => {
    const target = '/search?q=' + 'a'.repeat(70_000);
    const request = head(`GET ${target} HTTP/1.1`, 'Host: a');
    const response = head('HTTP/1.1 414 URI Too Long', 'Content-Length: 0', 'Connection: close');
    // In one piece, and split so that the line's start is held in the parser's line buffer when the limit is passed.
    for (const cuts of [undefined, (_: number, n: number) => [20, 4096, 40_000, n - 3], (_: number, n: number) => [2, n - 1]]) {
      const r = run([tx(C, request), tx(S, response), fin(S)], closedByServer, {}, cuts);
      expect(lines(r.events)).toEqual([
        '1 http.parse-stopped client→server: parsing stopped: start line longer than 65536 bytes',
        '2 http.response response 1 414 URI Too Long · its request was not parsed (start line longer than 65536 bytes)',
        '2 http.response-end response 1 414 URI Too Long · 0 bytes body (content-length) · server will close (Connection: close)',
      ]);
      expect(r.summary.reason).toBe('HTTP/1.1: 1 response without their requests; server closed after the last ' +
        'response; parsing stopped: requests: start line longer than 65536 bytes');
      expect(r.summary.parseStopped).toEqual(['requests: start line longer than 65536 bytes']);
    }
    // After the stop, the next request line is found again and said to be a resumption, not a mid-stream start.
    const again = run([tx(C, request), tx(C, head('GET / HTTP/1.1')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0'))]);
    expect(lines(again.events).slice(0, 3)).toEqual([
      '1 http.parse-stopped client→server: parsing stopped: start line longer than 65536 bytes',
      `2 http.resync requests: parsing resumed at request 1 after ${request.length} unparsed bytes`,
      '2 http.request request 1 GET / HTTP/1.1',
    ]);
    // A long first line that does not start as HTTP does (any token and a space; a known method before bytes that
    // are no request target) is still quietly not HTTP.
    for (const start of ['Hello ', 'PUT \x00\x01', 'GET x']) {
      const text = run([tx(C, start + 'x'.repeat(70_000) + '\r\n'), tx(S, 'OK\r\n')]);
      expect(text.events).toEqual([]);
      expect(text.summary.mode).toBe('none');
    }
    // Absolute-form and CONNECT targets start as requests do.
    for (const line of [`GET http://a.example${target} HTTP/1.1`, `CONNECT ${'h'.repeat(70_000)}:443 HTTP/1.1`]) {
      expect(lines(run([tx(C, head(line))]).events)[0]).toBe(
        '1 http.parse-stopped client→server: parsing stopped: start line longer than 65536 bytes');
    }
  });

  it('unparsed bytes are counted once whatever the split, when a rejected line ran to the end of a segment', () => {
    // A line carried over from earlier segments and rejected inside a later one: that segment's bytes were neither
    // rescanned nor counted when the line had no end in it (found by the byte-at-a-time split test).
    for (const data of ['x'.repeat(105), 'GET /' + 'a'.repeat(100), 'GET /' + 'a'.repeat(100) + ' HTTP/1.1\r\nHost: a\r\n\r\n']) {
      for (const every of [1, 2, 7, 30, 64, 65, 1000]) {
        const r = run([tx(C, data), fin(C)], closedByServer, { maxStartLineBytes: 64 },
          (_i, len) => Array.from({ length: Math.ceil(len / every) }, (_, j) => j * every));
        expect(r.summary.unparsedBytes).toBe(data.length);
      }
    }
  });

  it('a long request line nobody answered is HTTP that could not be parsed, not "not HTTP"', () => {
    const r = run([tx(C, head('GET /q?' + 'a'.repeat(70_000) + ' HTTP/1.1', 'Host: a')), fin(C)], closedByClient);
    expect(r.summary.mode).toBe('unknown');
    expect(r.summary.reason).toBe('HTTP: no message could be parsed (client→server: start line longer than 65536 bytes); client closed');
  });

  it('a 414 sent before the request line ended says its request line is still arriving', () => {
    const { events, summary } = run(sc.longRequestLineEarly414.steps, sc.longRequestLineEarly414.close);
    expect(lines(events)).toEqual([
      '2 http.response response 1 414 URI Too Long · its request line is still arriving (9004 bytes so far, no line end yet)',
      '2 http.response-end response 1 414 URI Too Long · 0 bytes body (content-length) · server will close (Connection: close)',
      '4 http.parse-stopped requests: parsing stopped: start line longer than 65536 bytes',
    ]);
    expect(summary.reason).toBe('HTTP/1.1: 1 response without their requests; server closed after the last response; ' +
      'parsing stopped: requests: start line longer than 65536 bytes');
    // The client gives up before the limit: the direction ends inside the line, which is said too.
    const short = run([tx(C, 'GET /' + 'a'.repeat(9000)), tx(S, head('HTTP/1.1 414 URI Too Long', 'Content-Length: 0')),
      fin(S), fin(C)], closedByServer);
    expect(lines(short.events).at(-1)).toBe(
      '4 http.parse-stopped requests: parsing stopped: connection closed (FIN) inside a start line (9005 bytes, no line end)');
    expect(short.summary.reason).toBe('HTTP/1.1: 1 response without their requests; server closed after the last response; ' +
      'parsing stopped: requests: connection closed (FIN) inside a start line (9005 bytes, no line end)');
  });

  it('other stops keep their words: lost request bytes, a response direction that stopped, a resync after not-HTTP', () => {
    // The request's bytes were lost on the wire: its response says so, not "not parsed".
    const lost = run([tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      gap(C, 30), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')), tx(C, head('GET /3 HTTP/1.1', 'Host: a'))], stillOpen);
    expect(lines(lost.events)).toContain('4 http.response response 2 200 OK · its request is not in the capture');
    // Only responses, the response direction cut by a loss: the guess about the request direction stays.
    const onlyResponses = run([tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')), tx(S, 'HTTP/1.1 200 OK\r\nX-A: b'),
      gap(S, 40)], stillOpen);
    expect(onlyResponses.summary.reason).toMatch(/without their requests \(request direction not captured, or the capture started mid-stream\);/);
    // Garbage where a response should start, then a status line: the first response still reads as a mid-stream start.
    const garbage = run([tx(C, head('GET / HTTP/1.1')), tx(S, 'garbage here\r\n'), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0'))]);
    expect(lines(garbage.events)).toContain(
      '3 http.resync responses: first message (response 1) found after 14 unparsed bytes: the capture started mid-stream?');
  });

  it('a request line of 10,000 bytes (a long query string) is HTTP by default, split or not', () => {
    const target = '/search?q=' + 'a'.repeat(10_000);
    const request = head(`GET ${target} HTTP/1.1`, 'Host: a');
    const response = head('HTTP/1.1 414 URI Too Long', 'Content-Length: 0', 'Connection: close');
    for (const cuts of [undefined, (_: number, n: number) => [1, 4096, n - 3]]) {
      const r = run([tx(C, request), tx(S, response), fin(S)], closedByServer, {}, cuts);
      expect(r.exchanges.map((e) => [e.target, e.status])).toEqual([[target, 414]]);
      expect(r.summary.mode).toBe('short');
    }
  });

  it('a response whose request is lost, without a length, keeping the connection, has no body (a HEAD\'s)', () => {
    // Found against real traffic with a request frame removed (a HEAD): taken as close-delimited, that response
    // swallowed the next one and the request sent meanwhile was flagged pipelined.
    const r = run([
      tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      gap(C, 30),
      tx(S, head('HTTP/1.1 200 OK', 'Connection: keep-alive', 'Content-Type: text/html')),
      tx(C, head('GET /3 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 3') + 'abc'),
    ], stillOpen);
    expect(r.exchanges.map((e) => [e.target, e.status, e.responseFraming, e.responseBodyBytes])).toEqual([
      ['/1', 200, 'content-length', 0], [null, 200, 'none', 0], ['/3', 200, 'content-length', 3],
    ]);
    expect(r.summary.mode).toBe('keep-alive');
    expect(r.summary.maxPipelineDepth).toBe(1);
    expect(lines(r.events).some((l) => l.includes('http.pipelined'))).toBe(false);
    expect(r.summary.reason).toContain('1 response without a request in the capture');
    // Connection: close (or HTTP/1.0 without keep-alive) is consistent with a body ended by the close: kept so.
    const closing = run([tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      gap(C, 30), tx(S, head('HTTP/1.1 200 OK', 'Connection: close') + 'body to the end'), fin(S)], closedByServer);
    expect(closing.exchanges[1]).toMatchObject({ responseFraming: 'close', responseBodyBytes: 15 });
  });

  it('a lost HEAD request: its response has a length but no body when a status line follows its header at once', () => {
    // Found on a public capture (pcapplusplus 650HttpResponses, a 302 with Content-Length: 689 followed at once by
    // the next 302) and on real traffic with a HEAD frame removed: framed by its length, the response swallowed
    // the head of the next one, parsing stopped, and the request sent meanwhile was flagged pipelined.
    const r = run(sc.lostHeadRequest.steps, sc.lostHeadRequest.close);
    expect(r.exchanges.map((e) => [e.method, e.target, e.status, e.responseFraming, e.responseBodyBytes, e.responseState])).toEqual([
      ['GET', '/1', 200, 'content-length', 2, 'complete'],
      [null, null, 200, 'none', 0, 'complete'],
      ['GET', '/3', 404, 'content-length', 3, 'complete'],
      [null, null, 200, 'none', 0, 'complete'],
      [null, null, 304, 'none', 0, 'complete'],
    ]);
    expect(r.exchanges[1].notes).toContain('no body: a status line followed its header section at once (its request, a HEAD?, is not in the capture)');
    // The bodiless response ends where its header section did (frame 4), before request 3 (frame 5): not pipelined,
    // and the timeline never said it was.
    expect(r.exchanges[1].responseEnd?.frame).toBe(4);
    expect(r.summary.maxPipelineDepth).toBe(1);
    expect(lines(r.events).filter((l) => l.includes('pipelined'))).toEqual([]);
    expect(lines(r.events)).toContain('5 http.request request 3 GET /3 HTTP/1.1 · sent before response 2 was seen to end');
    expect(lines(r.events)).toContain('4 http.response-end response 2 200 OK · no body: a status line followed its header section ' +
      'at once (its request, a HEAD?, is not in the capture) · connection stays open');
    // The chunked orphan after response 3 is probed too: a chunk size line cannot begin with "H", so the 304 that
    // follows at once ends it (and the 304 itself is an orphan whose status has no body).
    expect(r.exchanges[3].notes).toContain('no body: a status line followed its header section at once (its request, a HEAD?, is not in the capture)');
    expect(lines(r.events)).toContain('7 http.response response 5 304 Not Modified · its request is not in the capture');
  });

  it('a lost request whose response has a body: the body stays, and a request sent before it began was pipelined', () => {
    const r = run(sc.lostRequestBodyLikeStatus.steps, sc.lostRequestBodyLikeStatus.close);
    // "HTTP/1.1 is" differs from a status line at its 10th byte, "HTTP/1.1 20x" at its 12th: both bodies.
    expect(r.exchanges.map((e) => [e.status, e.responseFraming, e.responseBodyBytes])).toEqual([
      [200, 'content-length', 0], [200, 'content-length', 20], [200, 'content-length', 12], [200, 'content-length', 1],
    ]);
    expect(r.summary.mode).toBe('keep-alive');
    // A request sent while the probe had seen nothing yet, then the body: pipelined, said when the body showed.
    const p = run([
      tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      gap(C, 30),
      tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 4')),
      tx(C, head('GET /3 HTTP/1.1', 'Host: a')),
      tx(S, 'body' + head('HTTP/1.1 200 OK', 'Content-Length: 0')),
    ], stillOpen);
    expect(p.exchanges.map((e) => [e.target, e.responseBodyBytes, e.pipelined])).toEqual([['/1', 0, false], [null, 4, false], ['/3', 0, true]]);
    expect(lines(p.events)).toContain('6 http.pipelined request 3 sent while 1 earlier request awaited its response (depth 2)');
    expect(p.summary.mode).toBe('pipelined');
  });

  it('a lost request answered 100 Continue then 200: the next request is not queued behind a second lost one', () => {
    // Found by the lost-requests property: the final response of an interim without a request did not count as the
    // lost request's answer, so the next request got a placeholder ahead of it and looked pipelined.
    const r = run([
      tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      gap(C, 60), tx(S, head('HTTP/1.1 100 Continue') + head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      tx(C, head('GET /3 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
    ], stillOpen);
    expect(r.exchanges.map((e) => [e.target, e.requestState, e.interim, e.status])).toEqual([
      ['/1', 'complete', [], 200], [null, 'absent', [100], 200], ['/3', 'complete', [], 200],
    ]);
    expect(r.summary.mode).toBe('keep-alive');
  });

  it('the probe\'s corners (a review of it): short bodies, offsets, HTTP/0.9, cut responses, when pipelining is said', () => {
    const lost = [tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')), gap(C, 30)];
    // A body shorter than the probe that looks like a status line's start ends where its length was reached (frame
    // 4), not where the next segment showed it was a body: request 3 (frame 5) came after it, not pipelined.
    const short = run([...lost, tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 4') + 'HTTP'),
      tx(C, head('GET /3 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0'))], stillOpen);
    expect(short.exchanges.map((e) => [e.status, e.responseBodyBytes, e.responseEnd?.frame, e.pipelined])).toEqual([
      [200, 0, 2, false], [200, 4, 4, false], [200, 0, 6, false],
    ]);
    expect(short.summary.mode).toBe('keep-alive');
    expect(lines(short.events).filter((l) => l.includes('pipelined'))).toEqual([]);
    // Bytes after such a body, held with it, are parsed at their own offsets whatever the split (the lost bytes'
    // offset in the resync says where parsing stopped).
    const after = [...lost, tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 2') + 'HTTP/x\r\n'), tx(S, head('HTTP/1.1 204 No Content'))];
    const whole = run(after, stillOpen);
    for (const cut of [1, 3, 5, 40, 41, 43]) {
      const split = run(after, stillOpen, {}, (i) => (i === 3 ? [38 + cut - 1] : []));
      expect(split.events).toEqual(whole.events);
      expect(split.exchanges).toEqual(whole.exchanges);
    }
    // An HTTP/0.9 request queued behind the bodiless response: its response is the next bytes' business, not the one
    // after (the stale flag made a later status line an HTTP/0.9 body).
    const http09 = run([...lost, tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 10')), tx(C, 'GET /x\r\n'),
      tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')), tx(C, head('GET /y HTTP/1.1', 'Host: a')), tx(S, 'HTTP/1.1 2'),
      fin(S), fin(C)], closedByServer);
    expect(lines(http09.events).some((l) => l.includes('HTTP/0.9 response'))).toBe(false);
    // A response cut short while its body was in doubt: the request sent meanwhile is not said to be pipelined,
    // as the verdict does not count it.
    for (const end of [fin(S), captureEnd(S)]) {
      const cut = run([...lost, tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 10')), tx(C, head('GET /3 HTTP/1.1', 'Host: a')), end], stillOpen);
      expect(lines(cut.events).filter((l) => l.includes('pipelined'))).toEqual([]);
      expect(cut.exchanges[2]).toMatchObject({ pipelined: false });
    }
    // Two requests sent while the body was in doubt, then a status line: the second was pipelined behind the first
    // (depth 2), said at the frame that showed it, after the bodiless response's end.
    const two = run([...lost, tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 10')), tx(C, head('GET /3 HTTP/1.1', 'Host: a')),
      tx(C, head('GET /4 HTTP/1.1', 'Host: a')),
      tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0') + head('HTTP/1.1 200 OK', 'Content-Length: 0'))], stillOpen);
    const l = lines(two.events);
    expect(l.filter((x) => x.includes('pipelined'))).toEqual(['7 http.pipelined request 4 sent while 1 earlier request awaited its response (depth 2)']);
    expect(l.findIndex((x) => x.includes('pipelined'))).toBeGreaterThan(l.findIndex((x) => x.startsWith('4 http.response-end response 2')));
    expect(two.exchanges.map((e) => [e.pipelined, e.pipelineDepth])).toEqual([[false, 1], [false, 0], [false, 1], [true, 2]]);
  });

  it('an interim response without a request holds the lost request\'s place: a later orphan does not join it', () => {
    // The 100 came before request 3 and its final response after: request 3 was sent while that response was due
    // (pipelined, depth 2, said at once and in the verdict alike). The 201 after the second loss is an orphan of its
    // own, not a second final response of the 100's exchange (which read depth 3 before).
    const r = run([
      tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')), gap(C, 30),
      tx(S, head('HTTP/1.1 100 Continue')), tx(C, head('GET /3 HTTP/1.1', 'Host: a')),
      tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0') + head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      gap(C, 30), tx(S, head('HTTP/1.1 201 Created', 'Content-Length: 0')),
    ], stillOpen);
    expect(r.exchanges.map((e) => [e.target, e.interim, e.status, e.pipelined])).toEqual([
      ['/1', [], 200, false], [null, [100], 200, false], ['/3', [], 200, true], [null, [], 201, false],
    ]);
    expect(r.summary.maxPipelineDepth).toBe(2);
    expect(lines(r.events)).toContain('5 http.pipelined request 3 sent while 1 earlier request awaited its response (depth 2)');
  });

  it('a response whose request is known is never probed: its body may begin as a status line', () => {
    const r = run([tx(C, head('GET /log HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 17') + 'HTTP/1.1 200 OK\r\n'),
      tx(C, head('GET /2 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0'))]);
    expect(r.exchanges.map((e) => [e.target, e.responseBodyBytes])).toEqual([['/log', 17], ['/2', 0]]);
  });

  it('a gap or the end while the bytes after a lost request\'s response head are looked at: they are its body', () => {
    const g = run(sc.lostRequestProbeGap.steps, sc.lostRequestProbeGap.close);
    expect(g.exchanges.map((e) => [e.status, e.responseFraming, e.responseBodyBytes, e.responseBodyMissingBytes, e.responseState])).toEqual([
      [200, 'content-length', 0, 0, 'complete'], [200, 'content-length', 10, 4, 'complete'], [204, 'none', 0, 0, 'complete'],
    ]);
    const e = run([tx(C, head('GET /1 HTTP/1.1', 'Host: a')), tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')), gap(C, 30),
      tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 10') + 'HTTP/1'), fin(S), fin(C)], closedByServer);
    expect(e.exchanges[1]).toMatchObject({ responseState: 'incomplete', responseBodyBytes: 6, responseFraming: 'content-length' });
    expect(lines(e.events)).toContain('5 http.incomplete response 2 incomplete: connection closed (FIN) in the body, 6 of 10 bytes');
  });

  it('a gap inside a known-length body is skipped and counted', () => {
    const { exchanges, events } = run(sc.bodyGap.steps, sc.bodyGap.close);
    expect(exchanges[0].responseBodyBytes).toBe(3000);
    expect(exchanges[0].responseBodyMissingBytes).toBe(1000);
    expect(exchanges[0].responseState).toBe('complete');
    expect(exchanges[1].responseBodyBytes).toBe(4);
    expect(lines(events)).toContain('3 http.body-gap 1000 bytes missing inside the body of response 1: skipped, framing kept');
  });

  it('a gap inside a chunk is skipped; one that runs past the chunk stops the direction', () => {
    const inside = run([
      tx(C, head('GET / HTTP/1.1')),
      tx(S, head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + 'a\r\n01234'),
      { d: 1, gap: 3 },
      tx(S, '89\r\n0\r\n\r\n'),
    ], closedByServer);
    expect(inside.exchanges[0].responseState).toBe('complete');
    expect(inside.exchanges[0].responseBodyMissingBytes).toBe(3);
    const past = run([
      tx(C, head('GET / HTTP/1.1')),
      tx(S, head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + 'a\r\n01234'),
      { d: 1, gap: 10 },
      tx(S, '\r\n0\r\n\r\n'),
    ], closedByServer);
    expect(past.exchanges[0].responseState).toBe('incomplete');
    expect(past.events.some((e) => e.code === Codes.HTTP_STOPPED)).toBe(true);
  });

  it('a gap in the headers stops the direction until a segment starts with a status line', () => {
    const { exchanges, events } = run(sc.headerGap.steps, sc.headerGap.close);
    expect(exchanges[0].responseState).toBe('incomplete');
    expect(exchanges[1].responseState).toBe('complete');
    expect(exchanges[1].responseBodyBytes).toBe(3);
    expect(events.map((e) => e.code)).toContain('http.resync');
  });

  it('HTTP/0.9: a version-less GET and a response without a status line', () => {
    const { exchanges, summary } = run(sc.http09.steps, sc.http09.close);
    expect(exchanges[0].requestVersion).toBe('HTTP/0.9');
    expect(exchanges[0].responseVersion).toBe('HTTP/0.9');
    expect(exchanges[0].status).toBeNull();
    expect(exchanges[0].responseBodyBytes).toBe(19);
    expect(summary.http09).toBe(true);
  });

  it('bare LF, obs-fold, repeated and mixed-case header names', () => {
    const { exchanges, summary } = run(sc.lenientHeaders.steps, sc.lenientHeaders.close);
    expect(exchanges[0].notes).toEqual(expect.arrayContaining(['bare LF', 'obs-fold']));
    expect(exchanges[0].responseBodyBytes).toBe(2);
    expect(exchanges[0].responseConnection).toBe('keep-alive,  close');
    expect(summary.lastResponseAllowsReuse).toBe(false);
  });

  it('known methods are requests even with a broken version; unknown ones need HTTP/x.y', () => {
    const known = run([tx(C, 'OPTIONS\r\n\r\n'), tx(S, head('HTTP/1.0 400 Bad Request', 'Content-Length: 0'))], closedByServer);
    expect(known.summary.requests).toBe(1);
    expect(known.exchanges[0].notes).toContain('no HTTP version');
    const rtsp = run([tx(C, head('OPTIONS rtsp://cam/ RTSP/1.0', 'CSeq: 1'))], closedByClient);
    expect(rtsp.summary.mode).toBe('none');
    const custom = run([tx(C, head('FROB /x HTTP/1.1'))], closedByClient);
    expect(custom.summary.requests).toBe(1);
    const customBroken = run([tx(C, head('FROB /x HTTP/1.'))], closedByClient);
    expect(customBroken.summary.mode).toBe('none');
  });

  it('a response before any request is an orphan exchange; later requests pair FIFO after it', () => {
    const { exchanges } = run([
      tx(S, head('HTTP/1.1 200 OK', 'Content-Length: 0')),
      tx(C, head('GET /late HTTP/1.1')),
      tx(S, head('HTTP/1.1 404 Not Found', 'Content-Length: 0')),
    ], closedByClient);
    expect(exchanges.map((e) => [e.method, e.status])).toEqual([[null, 200], ['GET', 404]]);
  });

  it('event texts are single lines even for hostile request targets', () => {
    const { events } = run([tx(C, 'GET /a\x01\x1b[31m HTTP/1.1\r\n\r\n')], closedByClient);
    expect(events[0].text).toBe('request 1 GET /a\\x01\\x1b[31m HTTP/1.1');
  });
});
