// Each connection verdict on hand-built byte streams: mode, counts, reuse and close evidence, pairing, events.
// Expectations are written out by hand from RFC 9112 §9.3 (reuse) and §9.3.2 (pipelining); no capture files.

import { describe, expect, it } from 'vitest';
import { Codes } from '../../src/types.js';
import { HttpCodes } from '../../src/http/index.js';
import { C, S, closedByServer, fin, head, lines, run, stillOpen, tx } from './helpers.js';
import * as sc from './scenarios.js';

describe('verdicts', () => {
  it('HTTP/1.0 short: one request, the server closes as HTTP/1.0 without keep-alive announces', () => {
    const { summary, exchanges } = run(sc.http10Short.steps, sc.http10Short.close);
    expect(summary.mode).toBe('short');
    expect(summary.requests).toBe(1);
    expect(summary.responses).toBe(1);
    expect(summary.requestVersions).toEqual(['HTTP/1.0']);
    expect(summary.lastResponseAllowsReuse).toBe(false);
    expect(summary.closedBy).toBe('server');
    expect(summary.closeKind).toBe('announced');
    expect(summary.closeAnnounced).toBe(true);
    expect(summary.reason).toBe('HTTP/1.0 short: 1 request; server closed after the last response (announced: yes, HTTP/1.0 without keep-alive)');
    expect(exchanges[0].responseBodyBytes).toBe(5);
    expect(exchanges[0].order).toBe('first');
  });

  it('HTTP/1.0 close-delimited body ends with the FIN (RFC 9112 §6.3 item 8)', () => {
    const { summary, exchanges, events } = run(sc.http10CloseDelimited.steps, sc.http10CloseDelimited.close);
    expect(summary.mode).toBe('short');
    expect(exchanges[0].responseFraming).toBe('close');
    expect(exchanges[0].responseBodyBytes).toBe(18);
    expect(exchanges[0].responseState).toBe('complete');
    // The last body byte came in frame 3; the FIN (frame 4) only told us it was the last.
    expect(exchanges[0].responseEnd?.frame).toBe(3);
    expect(lines(events)).toContain('3 http.response-end response 1 200 OK · 18 bytes body (close) · body ended by the close');
  });

  it('HTTP/1.1 keep-alive x3: each request after the previous response, client closes unannounced', () => {
    const { summary, exchanges } = run(sc.keepAlive3.steps, sc.keepAlive3.close);
    expect(summary.mode).toBe('keep-alive');
    expect(summary.requests).toBe(3);
    expect(summary.pipelinedRequests).toBe(0);
    expect(summary.maxPipelineDepth).toBe(1);
    expect(exchanges.map((e) => e.order)).toEqual(['first', 'after-response', 'after-response']);
    expect(summary.lastResponseAllowsReuse).toBe(true);
    expect(summary.closeKind).toBe('client-close');
    expect(summary.closeAnnounced).toBe(false);
    expect(summary.reason).toBe('HTTP/1.1 keep-alive: 3 requests reused one connection; client closed after the last response (announced: no)');
  });

  it('pipelining of depth 3: FIFO pairing whatever the segment boundaries', () => {
    const { summary, exchanges, events } = run(sc.pipelined3.steps, sc.pipelined3.close);
    expect(summary.mode).toBe('pipelined');
    expect(summary.maxPipelineDepth).toBe(3);
    expect(summary.pipelinedRequests).toBe(2);
    expect(exchanges.map((e) => [e.target, e.responseBodyBytes, e.pipelineDepth, e.pipelined])).toEqual([
      ['/1', 3, 1, false],
      ['/2', 3, 2, true],
      ['/3', 5, 3, true],
    ]);
    expect(lines(events)).toContain('1 http.request request 2 GET /2 HTTP/1.1 · sent before any response was seen');
    expect(events.filter((e) => e.code === Codes.HTTP_PIPELINED).map((e) => e.exchange)).toEqual([2, 3]);
  });

  it('a request sent while a response is arriving is called pipelined at once', () => {
    const { events, summary } = run([
      { d: 0, data: 'GET /a HTTP/1.1\r\n\r\n' },
      { d: 1, data: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345' },
      { d: 0, data: 'GET /b HTTP/1.1\r\n\r\n' },
      { d: 1, data: '67890' + 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' },
    ], closedByServer);
    expect(lines(events)).toContain('3 http.request request 2 GET /b HTTP/1.1 · pipelined behind request 1');
    expect(lines(events)).toContain('3 http.pipelined request 2 sent while 1 earlier request awaited its response (depth 2)');
    expect(summary.mode).toBe('pipelined');
  });

  it('HTTP/1.0 with Connection: keep-alive is reuse, not short', () => {
    const { summary } = run(sc.http10KeepAlive.steps, sc.http10KeepAlive.close);
    expect(summary.mode).toBe('keep-alive');
    expect(summary.requests).toBe(2);
    expect(summary.lastResponseAllowsReuse).toBe(true);
    expect(summary.requestConnection).toEqual(['keep-alive']);
    expect(summary.responseConnection).toEqual(['keep-alive']);
    expect(summary.reason).toBe('HTTP/1.0 keep-alive (Connection: keep-alive): 2 requests reused one connection; client closed after the last response (announced: no)');
  });

  it('HTTP/1.1 with Connection: close is short and announced', () => {
    const { summary, events } = run(sc.http11Close.steps, sc.http11Close.close);
    expect(summary.mode).toBe('short');
    expect(summary.lastResponseAllowsReuse).toBe(false);
    expect(summary.responseConnection).toEqual(['close']);
    expect(summary.closeKind).toBe('announced');
    expect(summary.reason).toBe('HTTP/1.1 short: 1 request; server closed after the last response (announced: yes, Connection: close)');
    expect(lines(events)).toContain('2 http.response-end response 1 200 OK · 3 bytes body (content-length) · server will close (Connection: close)');
  });

  it('an idle close by the server after a reusable response is unannounced', () => {
    const { summary } = run(sc.idleClose.steps, sc.idleClose.close);
    expect(summary.mode).toBe('short');
    expect(summary.closeKind).toBe('idle-close');
    expect(summary.closeAnnounced).toBe(false);
  });

  it('a reset in the middle of a response body', () => {
    const { summary, exchanges } = run(sc.resetMidResponse.steps, sc.resetMidResponse.close);
    expect(exchanges[0].responseState).toBe('incomplete');
    expect(exchanges[0].responseBodyBytes).toBe(1400);
    expect(summary.closeKind).toBe('mid-response');
    expect(summary.closeHow).toBe('rst');
    expect(summary.reason).toBe('HTTP/1.1 short: 1 request; server reset the connection mid-response (announced: no)');
  });

  it('one request on a connection still open at capture end is not called short', () => {
    const { summary } = run(sc.openKeepAlive.steps, sc.openKeepAlive.close);
    expect(summary.mode).toBe('unknown');
    expect(summary.closeKind).toBe('open');
    expect(summary.closeAnnounced).toBeNull();
  });

  it('101 to websocket: upgraded, the rest opaque and counted', () => {
    const { summary, events, exchanges } = run(sc.websocket.steps, sc.websocket.close);
    expect(summary.mode).toBe('upgraded');
    expect(summary.upgradeTo).toBe('websocket');
    expect(summary.opaqueBytes).toBe(7 + 11 + 2);
    expect(summary.responses).toBe(1);
    expect(exchanges[0].responseUpgrade).toBe('websocket');
    expect(lines(events)).toContain('2 http.upgrade upgraded to websocket (101 Switching Protocols): the rest of the connection is not HTTP');
  });

  it('an Upgrade token with a control byte is escaped in the event text (found by the fuzzer: a bare CR reached the terminal)', () => {
    const { summary, events } = run([
      tx(C, head('GET /chat HTTP/1.1', 'Host: a', 'Upgrade: websocket', 'Connection: Upgrade')),
      tx(S, head('HTTP/1.1 101 Switching Protocols', 'Upgrade: web\rsocket', 'Connection: Upgrade')),
    ], stillOpen);
    expect(summary.upgradeTo).toBe('web\rsocket');
    const upgrade = events.find((e) => e.code === 'http.upgrade')!;
    expect(upgrade.text).toBe('upgraded to web\\x0dsocket (101 Switching Protocols): the rest of the connection is not HTTP');
  });

  it('2xx to CONNECT: a tunnel, and a request line inside it is not parsed', () => {
    const { summary } = run(sc.connectTunnel.steps, sc.connectTunnel.close);
    expect(summary.mode).toBe('tunnel');
    expect(summary.upgradeTo).toBe('example.com:443');
    expect(summary.requests).toBe(1);
    expect(summary.opaqueBytes).toBe(11 + 11 + 18);
  });

  it('1000 sequential requests with one response missing: keep-alive with 1 undetermined, not pipelining', () => {
    for (const viaAck of [true, false]) {
      const { summary, exchanges } = run(sc.thousandWithMissing(viaAck).steps, sc.thousandWithMissing(viaAck).close);
      expect(summary.mode).toBe('keep-alive');
      expect(summary.requests).toBe(1000);
      expect(summary.responses).toBe(999);
      expect(summary.pipelinedRequests).toBe(0);
      expect(summary.maxPipelineDepth).toBe(1);
      expect(summary.undetermined).toBe(1);
      expect(summary.lostResponses).toBe(1);
      expect(summary.parseStopped).toEqual([]);
      expect(exchanges[499].responseState).toBe('lost');
      expect(exchanges[500].order).toBe('undetermined');
      // Pairing stays right after the loss: response "R501" answers request 501, "R1000" request 1000.
      expect(exchanges[500].reason).toBe('R501');
      expect(exchanges[999].reason).toBe('R1000');
      expect(summary.reason).toContain('HTTP/1.1 keep-alive: 1000 requests reused one connection');
      expect(summary.reason).toContain('1 request undetermined');
    }
  });

  it('two consecutive responses lost: the request ACK evidence keeps the pairing', () => {
    const res = (i: number): string => `HTTP/1.1 200 R${i}\r\nContent-Length: 0\r\n\r\n`;
    const { summary, exchanges } = run([
      { d: 0, data: 'GET /1 HTTP/1.1\r\n\r\n' },
      { d: 1, data: res(1) },
      { d: 0, data: 'GET /2 HTTP/1.1\r\n\r\n' },
      { d: 0, data: 'GET /3 HTTP/1.1\r\n\r\n' },
      // The ACK of request 3's packet passes the lost response 2: the gap is reported in the same frame.
      { d: 1, gap: res(2).length, same: true },
      { d: 0, data: 'GET /4 HTTP/1.1\r\n\r\n' },
      { d: 1, gap: res(3).length, same: true },
      { d: 1, data: res(4) },
    ], closedByServer);
    expect(exchanges.map((e) => e.responseState)).toEqual(['complete', 'lost', 'lost', 'complete']);
    expect(exchanges[3].reason).toBe('R4');
    expect(summary.mode).toBe('keep-alive');
    expect(summary.undetermined).toBe(2);
  });

  it('pipelined requests with a lost response: FIFO continues after the loss', () => {
    const res = (i: number): string => `HTTP/1.1 200 R${i}\r\nContent-Length: 1\r\n\r\nx`;
    const { exchanges, summary } = run([
      { d: 0, data: 'GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n' },
      { d: 1, data: res(1) },
      { d: 1, gap: res(2).length },
      { d: 1, data: res(3) },
    ], closedByServer);
    expect(exchanges.map((e) => e.reason)).toEqual(['R1', null, 'R3']);
    expect(summary.mode).toBe('pipelined');
    expect(summary.maxPipelineDepth).toBe(3);
  });

  it('inverted TCP roles: pairs by content and maps who closed', () => {
    const { summary, events } = run(sc.invertedRoles.steps, sc.invertedRoles.close);
    expect(summary.mode).toBe('keep-alive');
    expect(summary.rolesInverted).toBe(true);
    expect(summary.requests).toBe(2);
    expect(summary.responses).toBe(2);
    // TCP says the "server" sent the first FIN; that side sends requests, so HTTP's client closed.
    expect(summary.closedBy).toBe('client');
    expect(events[0].code).toBe(HttpCodes.ROLES_INVERTED);
    expect(events[0].dir).toBe(1);
  });

  it('non-HTTP TCP is mode none, with no error events; its SSH identifications are said where they arrive', () => {
    const { summary, events, exchanges } = run(sc.garbage.steps, sc.garbage.close);
    expect(summary.mode).toBe('none');
    expect(summary.requests).toBe(0);
    expect(exchanges).toEqual([]);
    expect(events).toEqual([
      { code: 'ssh.banner', dir: 1, exchange: 0, frame: 1, text: 'server identifies as SSH: SSH-2.0-OpenSSH_8.9p1 Ubuntu-3' },
      { code: 'ssh.banner', dir: 0, exchange: 0, frame: 2, text: 'client identifies as SSH: SSH-2.0-OpenSSH_9.0' },
    ]);
    expect(summary.closeKind).toBeNull();
    // Its first bytes are SSH identification strings (RFC 4253 §4.2): the verdict names them.
    expect(summary.reason).toBe('not HTTP: SSH 2.0 (client SSH-2.0-OpenSSH_9.0; server SSH-2.0-OpenSSH_8.9p1 Ubuntu-3) (86 bytes not parsed)');
    const binary = run([tx(C, '\x00\x00\x05\xdc\x07\x14'), tx(S, '\x01\x02'), fin(C), fin(S)]);
    expect(binary.summary.otherProtocol).toBeNull();
    expect(binary.events).toEqual([]);
    expect(binary.summary.reason).toBe('not HTTP: no HTTP request or status line in either direction (8 bytes)');
  });

  it('a response to bytes that are not a request line says the request was unreadable, not missing', () => {
    const steps = [tx(C, 'OPTIONSHTTP/1.1\r\nHost: x\r\n\r\n'), tx(S, head('HTTP/1.0 400 Bad Request', 'Content-Length: 0')), fin(S), fin(C)];
    // Without a handshake (a mid-stream capture) the same bytes may be the tail of a request the capture missed.
    const midstream = run(steps);
    expect(midstream.events.find((ev) => ev.code === 'http.response')!.text).toBe('response 1 400 Bad Request · its request is not in the capture');
    const r = run(steps, closedByServer, { handshakeSeen: true });
    expect(r.summary.mode).toBe('unknown');
    expect(r.events.find((ev) => ev.code === 'http.response')!.text)
      .toBe("response 1 400 Bad Request · its request is not readable as HTTP (the client's 28 bytes are not a request line)");
    expect(r.summary.reason).toContain('1 response without their requests (the client sent 28 bytes that are not an HTTP request line)');
  });

  it('responses without requests (mid-stream start) are counted, their requests marked absent', () => {
    const { summary, exchanges, events } = run(sc.responsesOnly.steps, sc.responsesOnly.close);
    expect(summary.mode).toBe('unknown');
    expect(summary.responses).toBe(2);
    expect(summary.orphanResponses).toBe(2);
    expect(exchanges[0].requestState).toBe('absent');
    expect(lines(events)[0]).toBe('2 http.resync responses: first message (response 1) found after 30 unparsed bytes: the capture started mid-stream?');
  });

  it('requests left unanswered when the server closes in sync count as outstanding: pipelined', () => {
    const { summary, exchanges } = run([
      { d: 0, data: 'GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n' },
      { d: 1, data: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n' },
      { d: 1, end: 'fin' },
      { d: 0, end: 'fin' },
    ], closedByServer);
    expect(exchanges[1].responseState).toBe('unanswered');
    expect(summary.mode).toBe('pipelined');
    expect(summary.unanswered).toBe(1);
    expect(summary.closeKind).toBe('unanswered');
  });

  it('a one-sided capture (no server bytes at all) leaves later requests undetermined', () => {
    const { summary, exchanges, events } = run([
      { d: 0, data: 'GET /1 HTTP/1.1\r\n\r\n' },
      { d: 0, data: 'GET /2 HTTP/1.1\r\n\r\n' },
      { d: 0, end: 'capture-end' },
      { d: 1, end: 'capture-end' },
    ], { firstFinBy: null, rstBy: null, simultaneous: false, openAtEnd: true, clientFinFrame: 0, serverFinFrame: 0 });
    expect(exchanges[1].responseState).toBe('absent');
    expect(exchanges[1].order).toBe('undetermined');
    expect(summary.mode).toBe('keep-alive');
    expect(events.some((e) => e.code === Codes.HTTP_PIPELINED)).toBe(false);
  });

  it('a socket connected to itself: the verdict says no server answered (fixtures/real-self-connect.pcap)', () => {
    const request = 'GET / HTTP/1.0\r\n\r\n';
    const { summary } = run([tx(C, request)], { firstFinBy: 'client', rstBy: null, simultaneous: true, openAtEnd: false, clientFinFrame: 2, serverFinFrame: 2, selfConnect: true });
    expect(summary.mode).toBe('short');
    expect(summary.reason).toMatch(/^self-connect \(the socket is connected to itself: each request came back to its own sender, no server answered\); HTTP\/1\.0 short: 1 request;/);
    const other = run([tx(C, request)], { firstFinBy: 'client', rstBy: null, simultaneous: true, openAtEnd: false, clientFinFrame: 2, serverFinFrame: 2 });
    expect(other.summary.reason).not.toMatch(/self-connect/);
  });
});
