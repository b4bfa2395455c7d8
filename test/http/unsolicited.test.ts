// A response no request asked for, on a connection whose client bytes the capture holds whole: the server spoke
// unasked (RFC 9110 §15.5.9, a 408 Request Timeout closing an idle keep-alive connection), which is not a request the
// capture missed. Found by a review of real loopback traffic.
import { describe, expect, test } from 'vitest';
import { C, S, closedByServer, fin, gap, head, run, tx } from './helpers.js';

const GET = (path: string) => head(`GET ${path} HTTP/1.1`, 'Host: a');
const OK = (body: string) => head('HTTP/1.1 200 OK', `Content-Length: ${body.length}`) + body;
const TIMEOUT = head('HTTP/1.1 408 Request Timeout', 'Content-Length: 0', 'Connection: close');

describe('a 408 after every request was answered', () => {
  test('is unasked, not a response whose request the capture lacks', () => {
    const r = run([tx(C, GET('/a')), tx(S, OK('a')), tx(S, TIMEOUT), fin(S), fin(C)], closedByServer, { handshakeSeen: true });
    expect(r.summary.orphanResponses).toBe(0);
    expect(r.summary.requests).toBe(1);
    expect(r.summary.reason).toContain('1 response unasked after every request was answered (RFC 9110 §15.5.9');
    expect(r.events.find((e) => e.text.startsWith('response 2 408'))!.text).toContain('unsolicited: every request before it was answered');
  });

  test('when the client lost bytes, or the handshake was not seen, it may answer a request the capture missed', () => {
    const lost = run([tx(C, GET('/a')), tx(S, OK('a')), gap(C, 30), tx(S, TIMEOUT), fin(S), fin(C)], closedByServer, { handshakeSeen: true });
    expect(lost.summary.orphanResponses).toBe(1);
    const midstream = run([tx(C, GET('/a')), tx(S, OK('a')), tx(S, TIMEOUT), fin(S), fin(C)], closedByServer, { handshakeSeen: false });
    expect(midstream.summary.orphanResponses).toBe(1);
    expect(midstream.summary.reason).toContain('1 response without a request in the capture');
  });
});
