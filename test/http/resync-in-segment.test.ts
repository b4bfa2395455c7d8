// After loss, parsing resumes at a message that starts inside a segment (parser.ts seekStart, syntax.ts
// findMessageStart): a segment carrying a cut message's tail and whole messages after it. Found by a review of real
// loopback captures with one segment removed, where the whole messages were skipped and later ones mispaired.
import { describe, expect, test } from 'vitest';
import { bytes, C, S, closedByClient, closedByServer, fin, gap, head, run, tx } from './helpers.js';
import { findMessageStart } from '../../src/http/syntax.js';

const OK = (body: string) => head('HTTP/1.1 200 OK', `Content-Length: ${body.length}`) + body;
const GET = (path: string) => head(`GET ${path} HTTP/1.1`, 'Host: a');

describe('findMessageStart', () => {
  const find = (s: string, want: 'request' | 'status' | 'either' = 'either') => findMessageStart(bytes(s), 0, s.length, want);

  test('a whole request: its line, field lines and the empty line, inside the bytes', () => {
    expect(find('st HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n', 'request')).toBe(24);
    expect(find('x\r\nGET /b HTTP/1.1\r\n\r\n', 'request')).toBe(3);
    // Wherever it begins: right after a form body's last letter too.
    expect(find('name=bobGET /b HTTP/1.1\r\nHost: a\r\n\r\n', 'request')).toBe(8);
    expect(find('xxxx GET /b HTTP/1.1\r\nHost: a\r\n\r\n', 'request')).toBe(5);
    // The header section must end inside the bytes.
    expect(find('x\r\nGET /b HTTP/1.1\r\nHost: a\r\n', 'request')).toBe(-1);
  });

  test('a response anywhere, even right after a body, when it says where it ends', () => {
    expect(find('third-bodyHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'status')).toBe(10);
    expect(find('xHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', 'status')).toBe(1);
    expect(find('xHTTP/1.1 204 No Content\r\nServer: a\r\n\r\n', 'status')).toBe(1);
    // Delimited by the close it would swallow every message after it: a part of a multipart batch, say.
    expect(find('--batch\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}', 'status')).toBe(-1);
    expect(find('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'request')).toBe(-1);
  });

  test('nothing that is not beyond doubt: no version, an unknown method, no line after it, a line that is no field', () => {
    expect(find('\r\nGET /b\r\nHost: a\r\n\r\n', 'request')).toBe(-1);
    expect(find('\r\nFETCH /b HTTP/1.1\r\nHost: a\r\n\r\n', 'request')).toBe(-1);
    expect(find('\r\nGET /b HTTP/1.1\r\nHost: a', 'request')).toBe(-1);
    expect(find('\r\nGET /b HTTP/1.1\r\nnot a field\r\n\r\n', 'request')).toBe(-1);
    expect(find('\r\nGET /b HTTP/2.0\r\nHost: a\r\n\r\n', 'request')).toBe(-1);
    expect(find('HTTP/1.1 20x OK\r\n\r\n', 'status')).toBe(-1);
  });

  test('linear in the bytes: a long line of method words, or of status-like text, is read once', () => {
    // Each of these made the first version re-read the rest of the line per word (quadratic: 12 s for 64 KB), and the
    // last the header section after the line per status word.
    const fields = 'X-A: 1\r\n'.repeat(1000);
    for (const [unit, after] of [['GET / ', ''], ['HTTP/1.1 200 ', ''], ['"GET /api/x", ', ''], ['HTTP/1.1 200 ', fields]] as const) {
      const text = unit.repeat(Math.ceil((1 << 20) / unit.length)) + '\n' + after;
      const started = performance.now();
      expect(find(text)).toBe(-1);
      // Generous: linear takes milliseconds, quadratic hours.
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });
});

describe('parsing resumes inside a segment', () => {
  test('lost bytes between requests, then a segment with the tail of one and a whole one: FIFO pairing holds', () => {
    const r1 = GET('/zero');
    const r2 = GET('/first');
    const r3 = GET('/second');
    const lost = 10;
    const r = run([
      tx(C, r1), tx(S, OK('0')),
      gap(C, lost), tx(C, r2.slice(lost) + r3), tx(C, GET('/third')),
      tx(S, OK('1')), tx(S, OK('2')), tx(S, OK('3')),
      fin(C), fin(S),
    ], closedByClient);
    expect(r.exchanges.map((x) => x.target)).toEqual(['/zero', null, '/second', '/third']);
    expect(r.exchanges.map((x) => x.responseBodyBytes)).toEqual([1, 1, 1, 1]);
    expect(r.summary.requests).toBe(3);
    expect(r.summary.orphanResponses).toBe(1);
  });

  test('a response found inside the segment that carries the tail of the one before it', () => {
    const a = OK('first');
    const lost = 20;
    const r = run([
      tx(C, GET('/first') + GET('/second') + GET('/third')),
      gap(S, lost), tx(S, a.slice(lost) + OK('second')), tx(S, OK('third')),
      fin(C), fin(S),
    ], closedByClient, { handshakeSeen: true });
    expect(r.exchanges.map((x) => x.responseState)).toEqual(['lost', 'complete', 'complete']);
    expect(r.exchanges.map((x) => x.responseBodyBytes)).toEqual([0, 6, 5]);
  });

  test('the first bytes of a stream lost after a handshake held a request: the first response is its', () => {
    const r1 = GET('/first');
    const r = run([
      gap(C, 10), tx(C, r1.slice(10) + GET('/second')), tx(C, GET('/third')),
      tx(S, OK('1')), tx(S, OK('2')), tx(S, OK('3')),
      fin(C), fin(S),
    ], closedByClient, { handshakeSeen: true });
    expect(r.exchanges.map((x) => x.target)).toEqual([null, '/second', '/third']);
    expect(r.events.some((e) => e.text.includes('found after') && e.text.includes('the capture lost its first bytes'))).toBe(true);
  });

  test('a false start, then a whole request later in the same segment', () => {
    // "0 HTTP/1.1" looks like a request line's start (a token and a space) and is not one.
    const r = run([
      tx(C, GET('/a')), tx(S, OK('a')),
      gap(C, 14), tx(C, '0 HTTP/1.1\r\nHost: x\r\n\r\n' + GET('/c')),
      tx(S, OK('b')), tx(S, OK('c')),
      fin(C), fin(S),
    ], closedByClient);
    expect(r.exchanges.map((x) => x.target)).toEqual(['/a', null, '/c']);
    expect(r.exchanges.map((x) => x.responseBodyBytes)).toEqual([1, 1, 1]);
  });

  test('a direction that never carried HTTP and lost nothing is not searched (TLS, SSH: their bytes are no messages)', () => {
    const r = run([tx(C, '\x16\x03\x01 not http\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n'), fin(C), fin(S)], closedByClient);
    expect(r.summary.requests).toBe(0);
  });
});

describe('a response lost at the end of the server\'s stream', () => {
  test('bytes lost between responses, then the server\'s FIN: the waiting request\'s response was lost, not unanswered', () => {
    const r = run([
      tx(C, GET('/a')), tx(S, OK('a')), tx(C, GET('/b')),
      gap(S, OK('b').length), fin(S), fin(C),
    ], closedByServer);
    expect(r.exchanges.map((x) => x.responseState)).toEqual(['complete', 'lost']);
    expect(r.summary.lostResponses).toBe(1);
    expect(r.summary.unanswered).toBe(0);
  });

  test('without loss the same end leaves the request unanswered', () => {
    const r = run([tx(C, GET('/a')), tx(S, OK('a')), tx(C, GET('/b')), fin(S), fin(C)], closedByServer);
    expect(r.summary.unanswered).toBe(1);
    expect(r.summary.lostResponses).toBe(0);
  });

  test('a loss inside a response cuts that one short; the requests after it stay unknown, not lost', () => {
    const body = 'x'.repeat(40);
    const whole = head('HTTP/1.1 200 OK', 'Transfer-Encoding: chunked') + `28\r\n${body}\r\n0\r\n\r\n`;
    const r = run([
      tx(C, GET('/a') + GET('/b')), tx(S, whole.slice(0, 50)), gap(S, 10), fin(S), fin(C),
    ], closedByServer);
    expect(r.exchanges[0]!.responseState).toBe('incomplete');
    expect(r.summary.lostResponses).toBe(0);
  });
});

describe('a response lost at the end: only requests it can have answered', () => {
  test('a request sent after the client had the lost bytes stays unanswered', () => {
    const timeout = head('HTTP/1.1 408 Request Timeout', 'Content-Length: 0');
    const r = run([
      tx(C, GET('/a')), tx(S, OK('a')),
      gap(S, timeout.length), tx(C, GET('/b')), fin(S), fin(C),
    ], closedByServer);
    expect(r.exchanges.find((x) => x.target === '/b')!.responseState).not.toBe('lost');
    expect(r.summary.lostResponses).toBe(0);
  });

  test('a loss too short to hold a response answers nothing', () => {
    const r = run([tx(C, GET('/a')), tx(S, OK('a')), tx(C, GET('/b')), gap(S, 5), fin(S), fin(C)], closedByServer);
    expect(r.summary.lostResponses).toBe(0);
  });
});

describe('where the segments split the bytes after a loss does not change what is found', () => {
  test('a message head split across two segments is found in the two together (each single cut)', () => {
    const r2 = GET('/first');
    const r3 = GET('/second');
    const lost = 10;
    const afterLoss = r2.slice(lost) + r3;
    const steps = [
      tx(C, GET('/zero')), tx(S, OK('0')),
      gap(C, lost), tx(C, afterLoss), tx(C, GET('/third')),
      tx(S, OK('1')), tx(S, OK('2')), tx(S, OK('3')),
      fin(C), fin(S),
    ];
    const whole = run(steps, closedByClient);
    expect(whole.exchanges.map((x) => x.target)).toEqual(['/zero', null, '/second', '/third']);
    for (let cut = 1; cut < afterLoss.length; cut++) {
      const split = run(steps, closedByClient, {}, (step) => (step === 3 ? [cut] : []));
      expect(split.exchanges, `cut at ${cut}`).toEqual(whole.exchanges);
      expect(split.summary, `cut at ${cut}`).toEqual(whole.summary);
      expect(split.events, `cut at ${cut}`).toEqual(whole.events);
    }
  });

  test('the same on the server side: a response head split across segments after a lost one', () => {
    const a = OK('first');
    const lost = 20;
    const afterLoss = a.slice(lost) + OK('second');
    const steps = [
      tx(C, GET('/first') + GET('/second') + GET('/third')),
      gap(S, lost), tx(S, afterLoss), tx(S, OK('third')),
      fin(C), fin(S),
    ];
    const whole = run(steps, closedByClient, { handshakeSeen: true });
    expect(whole.exchanges.map((x) => x.responseState)).toEqual(['lost', 'complete', 'complete']);
    for (let cut = 1; cut < afterLoss.length; cut++) {
      const split = run(steps, closedByClient, { handshakeSeen: true }, (step) => (step === 2 ? [cut] : []));
      expect(split.exchanges, `cut at ${cut}`).toEqual(whole.exchanges);
      expect(split.summary, `cut at ${cut}`).toEqual(whole.summary);
    }
  });

  test('the search inside segments stops 1 MiB after a loss (a body whose framing was lost is not read to its end)', () => {
    const body = 'x'.repeat(1 << 20);
    const r = run([
      tx(C, GET('/a') + GET('/b')), tx(S, OK('a')),
      gap(S, 30), tx(S, body), tx(S, 'tail' + OK('b')),
      fin(C), fin(S),
    ], closedByClient);
    // Past the budget only a segment's start is looked at: the response after "tail" is not found.
    expect(r.summary.responses).toBe(1);
    const near = run([
      tx(C, GET('/a') + GET('/b')), tx(S, OK('a')),
      gap(S, 30), tx(S, 'x'.repeat(1000)), tx(S, 'tail' + OK('b')),
      fin(C), fin(S),
    ], closedByClient);
    expect(near.summary.responses).toBe(2);
  });
});

describe('a second review of the search inside segments', () => {
  const bigHead = (body: string) => head('HTTP/1.1 200 OK', `Content-Length: ${body.length}`,
    `Content-Security-Policy: ${'default-src https://cdn.example.com; '.repeat(60)}`) + body;

  test('a 2.3 KB response head that starts mid-segment and spans three 1448-byte segments is found', () => {
    const stream = bigHead('a'.repeat(562)) + bigHead('b'.repeat(10));
    const segments = [];
    for (let i = 1448; i < stream.length; i += 1448) segments.push(tx(S, stream.slice(i, i + 1448)));
    const r = run([tx(C, GET('/a') + GET('/b')), gap(S, 1448), ...segments, fin(C), fin(S)], closedByClient, { handshakeSeen: true });
    const one = run([tx(C, GET('/a') + GET('/b')), gap(S, 1448), tx(S, stream.slice(1448)), fin(C), fin(S)], closedByClient, { handshakeSeen: true });
    expect(one.exchanges.map((x) => x.responseState)).toEqual(['lost', 'complete']);
    expect(r.exchanges.map((x) => x.responseState)).toEqual(['lost', 'complete']);
  });

  test('a head completed from carried bytes starts where and when its first byte was seen', () => {
    const b = OK('bbbbbbbbbb');
    const c = OK('cc');
    const lost = 20;
    const steps = (split: boolean) => [
      tx(C, GET('/a')), tx(S, OK('a')), tx(C, GET('/b')), tx(C, GET('/c')), gap(S, lost),
      ...(split ? [tx(S, b.slice(lost) + c.slice(0, 10)), tx(C, GET('/d')), tx(S, c.slice(10))] : [tx(S, b.slice(lost) + c), tx(C, GET('/d'))]),
      tx(S, OK('d')), fin(C), fin(S),
    ];
    const show = (r: ReturnType<typeof run>) => r.exchanges.map((x) => `${x.target}:${x.responseState}:${x.responseBodyBytes}`);
    const whole = run(steps(false), closedByClient, { handshakeSeen: true });
    const split = run(steps(true), closedByClient, { handshakeSeen: true });
    expect(show(whole)).toEqual(['/a:complete:1', '/b:lost:0', '/c:complete:2', '/d:complete:1']);
    expect(show(split)).toEqual(show(whole));
    // The response to /c began in the segment before /d was sent.
    const cResponse = split.events.find((e) => e.code === 'http.response' && e.exchange === 3)!;
    expect(cResponse.frame).toBe(6);
  });

  test('the 1 MiB search limit does not change what a loss at the end answered', () => {
    const steps = (n: number) => [tx(C, GET('/a')), tx(S, OK('a')), tx(C, GET('/b')), gap(S, 40), tx(S, 'x'.repeat(n)), fin(S), fin(C)];
    expect(run(steps(1000), closedByServer).exchanges.map((x) => x.responseState)).toEqual(['complete', 'lost']);
    expect(run(steps(2 << 20), closedByServer).exchanges.map((x) => x.responseState)).toEqual(['complete', 'lost']);
  });

  test('a request right after a form body that ends in a letter is found', () => {
    for (const body of ['name=bob', 'name=bob\n', '{"a":1}']) {
      const post = head('POST /form HTTP/1.1', 'Host: a', `Content-Length: ${body.length}`) + body;
      const r = run([
        tx(C, GET('/a')), tx(S, OK('a')), gap(C, 20), tx(C, post.slice(20) + GET('/next')),
        tx(S, OK('p')), tx(S, OK('n')), fin(C), fin(S),
      ], closedByClient);
      expect(r.exchanges.map((x) => x.target), body).toEqual(['/a', null, '/next']);
    }
  });

  test('a start line too long for the parser is said once, not again from the carried bytes', () => {
    const longRequest = head(`GET /${'x'.repeat(200)} HTTP/1.1`, 'Host: a');
    const r = run([
      tx(C, GET('/a')), tx(S, OK('a')), gap(C, 30), tx(C, 'tail-of-lost-request-bytes\r\n\r\n' + longRequest),
      ...Array.from({ length: 6 }, () => tx(C, 'zzzzzzzzzz')), fin(C), fin(S),
    ], closedByClient, { maxStartLineBytes: 100 });
    expect(r.events.filter((e) => e.text.includes('longer than 100 bytes')).length).toBe(1);
  });

  test('a message cut inside its header fields has no body, not the previous message\'s', () => {
    const post = head('POST /a HTTP/1.1', 'Host: a', 'Content-Length: 100') + 'x'.repeat(100);
    const lost = run([tx(C, post), tx(S, OK('a')), tx(C, 'GET /b HTTP/1.1\r\nHost: a\r\n'), gap(C, 2), tx(S, OK('b')), fin(C), fin(S)], closedByClient);
    expect(lost.exchanges[1]!.requestBodyBytes).toBe(0);
    const closed = run([tx(C, post), tx(S, OK('a')), tx(C, 'GET /b HTTP/1.1\r\nHost: a\r\n'), fin(C), fin(S)], closedByClient);
    expect(closed.exchanges[1]!.requestBodyBytes).toBe(0);
  });
});
