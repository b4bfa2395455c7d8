// HTTP verdicts a review of real traffic (nginx, squid, Node, Python clients) found wrong, each as the RFC has it:
// the idle-close race (RFC 9112 §9.5), a keep-alive answer to an HTTP/1.0 request (§9.3), a response to a
// connection the client never used (RFC 9110 §15.5.9), and a connection that carried nothing.
import { describe, expect, test } from 'vitest';
import type { TcpCloseFacts } from '../../src/http/types.js';
import { C, S, closedByServer, fin, head, rst, run, tx } from './helpers.js';

const OK = (body: string) => head('HTTP/1.1 200 OK', `Content-Length: ${body.length}`) + body;
const GET = (path: string) => head(`GET ${path} HTTP/1.1`, 'Host: a');

describe('the idle-close race (RFC 9112 §9.5)', () => {
  test('a request that reaches the capture point after the server\'s FIN went unread: the server\'s idle close', () => {
    // Frames: 1 request, 2 response, 3 server FIN, 4 the client's next request, 5 the server's RST.
    const close: TcpCloseFacts = { ...closedByServer, rstBy: 'server', serverFinFrame: 3 };
    const r = run([tx(C, GET('/a')), tx(S, OK('a')), fin(S), tx(C, GET('/b')), rst(S)], close);
    expect(r.summary.closeKind).toBe('idle-close');
    expect(r.summary.unanswered).toBe(1);
    expect(r.summary.reason).toBe("HTTP/1.1 keep-alive: 2 requests reused one connection; server closed after the last response; the client's request 2 crossed the server's FIN and went unread (RFC 9112 §9.5) (announced: no)");
  });

  test('a request seen before the FIN that the FIN does not acknowledge crossed it (a capture at the client)', () => {
    const request1 = GET('/a');
    // The FIN acknowledges the client's stream up to the end of request 1 only.
    const close: TcpCloseFacts = { ...closedByServer, serverFinFrame: 4, serverFinAckedOffset: request1.length };
    const r = run([tx(C, request1), tx(S, OK('a')), tx(C, GET('/b')), fin(S), rst(S)], close);
    expect(r.summary.closeKind).toBe('idle-close');
    expect(r.summary.reason).toContain("the client's request 2 crossed the server's FIN and went unread");
  });

  test('a request the FIN acknowledges was read and dropped: the server closed with it unanswered', () => {
    const request1 = GET('/a');
    const request2 = GET('/b');
    const close: TcpCloseFacts = { ...closedByServer, serverFinFrame: 4, serverFinAckedOffset: request1.length + request2.length };
    const r = run([tx(C, request1), tx(S, OK('a')), tx(C, request2), fin(S)], close);
    expect(r.summary.closeKind).toBe('unanswered');
    expect(r.summary.reason).toContain('server closed with 1 request unanswered');
  });
});

describe('persistence as the client reads it (RFC 9112 §9.3)', () => {
  test('an HTTP/1.1 response with Connection: keep-alive to an HTTP/1.0 request keeps the connection', () => {
    const req = (p: string) => head(`GET ${p} HTTP/1.0`, 'Host: a', 'Proxy-Connection: Keep-Alive');
    const resp = head('HTTP/1.1 200 OK', 'Content-Length: 1', 'Connection: keep-alive') + 'x';
    const r = run([tx(C, req('/a')), tx(S, resp), tx(C, req('/b')), tx(S, resp), fin(C), fin(S)]);
    expect(r.summary.lastResponseAllowsReuse).toBe(true);
    expect(r.summary.closeKind).toBe('client-close');
    expect(r.summary.closeAnnounced).toBe(false);
    // Without the keep-alive the HTTP/1.0 request still means the server closes after its response.
    const plain = head('HTTP/1.1 200 OK', 'Content-Length: 1') + 'x';
    const closes = run([tx(C, head('GET / HTTP/1.0', 'Host: a')), tx(S, plain), fin(S), fin(C)], closedByServer);
    expect(closes.summary.lastResponseAllowsReuse).toBe(false);
    expect(closes.summary.reason).toContain('announced: yes, HTTP/1.0 request without keep-alive');
  });
});

describe('responses nobody asked for, and connections that carried nothing', () => {
  test('a 408 on a connection the client never used is unsolicited, not a request the capture missed', () => {
    const r = run([tx(S, head('HTTP/1.1 408 Request Timeout', 'Connection: close', 'Content-Length: 0')), fin(S), fin(C)], closedByServer, { handshakeSeen: true });
    expect(r.summary.reason).toContain('the client sent nothing on this connection');
    expect(r.events.some((e) => e.text.includes('unsolicited: the client has sent nothing on this connection'))).toBe(true);
    // Without the handshake the request may just be before the capture: that is what is said then.
    const mid = run([tx(S, head('HTTP/1.1 408 Request Timeout', 'Connection: close', 'Content-Length: 0')), fin(S), fin(C)], closedByServer);
    expect(mid.summary.reason).toContain('request direction not captured, or the capture started mid-stream');
  });

  test('a connection without a byte of data says so (a refused connection is no "not HTTP"), when TCP knows', () => {
    const r = run([fin(C), fin(S)], { ...closedByServer, dataSeen: false });
    expect(r.summary.mode).toBe('none');
    expect(r.summary.reason).toBe('no HTTP: no data in either direction');
    // Data TCP saw that never reached the streams (a RST's payload, bytes a one-sided capture only shows acknowledged).
    const unseen = run([fin(C), fin(S)], { ...closedByServer, dataSeen: true });
    expect(unseen.summary.reason).toBe('not HTTP: no HTTP request or status line in either direction (0 bytes)');
  });
});
