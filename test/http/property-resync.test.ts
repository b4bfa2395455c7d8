// Property: after bytes lost between two responses, where the segments split the rest of the stream does not change
// what is found (parser.ts seekStart, resumeInCarry: a head inside a segment or across segment boundaries).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { C, S, closedByClient, fin, gap, head, run, tx } from './helpers.js';

const exchange = fc.record({
  post: fc.boolean(),
  requestBody: fc.integer({ min: 0, max: 300 }),
  status: fc.constantFrom(200, 204, 304, 404),
  responseBody: fc.integer({ min: 0, max: 3000 }),
  chunked: fc.boolean(),
  // Response heads of a few bytes up to a few segments.
  extraHeaderBytes: fc.integer({ min: 0, max: 4000 }),
});
type Exchange = typeof exchange extends fc.Arbitrary<infer T> ? T : never;

function request(e: Exchange, i: number): string {
  if (!e.post) return head(`GET /r${i} HTTP/1.1`, 'Host: gen');
  return head(`POST /r${i} HTTP/1.1`, 'Host: gen', `Content-Length: ${e.requestBody}`) + 'q'.repeat(e.requestBody);
}

function response(e: Exchange, i: number): string {
  const filler = `X-Filler: ${'f'.repeat(e.extraHeaderBytes)}`;
  const start = `HTTP/1.1 ${e.status} R${i}`;
  if (e.status === 204 || e.status === 304) return head(start, filler);
  if (e.chunked) {
    return head(start, filler, 'Transfer-Encoding: chunked') +
      (e.responseBody > 0 ? `${e.responseBody.toString(16)}\r\n${'b'.repeat(e.responseBody)}\r\n` : '') + '0\r\n\r\n';
  }
  return head(start, filler, `Content-Length: ${e.responseBody}`) + 'b'.repeat(e.responseBody);
}

describe('after a loss between responses', () => {
  it('one cut anywhere in the rest of the stream finds what no cut finds', () => {
    fc.assert(
      fc.property(
        fc.array(exchange, { minLength: 2, maxLength: 5 }),
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (exs, lostPick, lostShare, cutShare) => {
          const requests = exs.map(request).join('');
          const responses = exs.map(response);
          // The loss starts where response `lost` starts and takes part of it (never all of the stream after it).
          const lost = lostPick % (responses.length - 1);
          const before = responses.slice(0, lost).join('');
          const lostBytes = 1 + Math.floor(lostShare * (responses[lost]!.length - 1));
          const rest = responses.join('').slice(before.length + lostBytes);
          const steps = [tx(C, requests), ...(before === '' ? [] : [tx(S, before)]), gap(S, lostBytes), tx(S, rest), fin(C), fin(S)];
          const dataStep = steps.length - 3;
          const whole = run(steps, closedByClient, { handshakeSeen: true });
          const cut = 1 + Math.floor(cutShare * (rest.length - 1));
          const split = run(steps, closedByClient, { handshakeSeen: true }, (i) => (i === dataStep ? [cut] : []));
          expect(split.exchanges).toEqual(whole.exchanges);
          expect(split.summary).toEqual(whole.summary);
          // Every response but the lost one is found (each says where it ends), and that one is counted lost.
          expect(whole.summary.responses).toBe(exs.length - 1);
          expect(whole.summary.lostResponses).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
