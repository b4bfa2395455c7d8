// PackedExchanges: exchanges packed while a report waits unpack into exactly what exportExchange makes (the same
// keys in the same order, the same values by Object.is: -0, nulls, large times), for any exchange the records can hold.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExchangeRec, computeOrder, exportExchange } from '../../src/http/exchange.js';
import { PackedExchanges } from '../../src/http/packed-exchanges.js';
import type { Mark } from '../../src/http/parser.js';
import type { HttpExchange } from '../../src/http/types.js';

const text = fc.option(fc.string({ unit: 'binary', maxLength: 12 }), { nil: null });
const count = fc.oneof(fc.nat(), fc.constant(2 ** 40 + 3), fc.constant(0));
const mark = fc.option(
  fc.record({
    frame: fc.integer({ min: 1, max: 2 ** 32 }),
    tsSec: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constant(1_700_000_000)),
    tsNsec: fc.integer({ min: 0, max: 999_999_999 }),
    arrival: fc.nat(),
  }),
  { nil: null },
) as fc.Arbitrary<Mark | null>;
const state = fc.constantFrom('complete', 'incomplete', 'lost', 'unanswered', 'absent' as const);
const framing = fc.constantFrom(null, 'content-length', 'chunked', 'close', 'none' as const);

const exchangeRec = fc
  .record({
    strings: fc.array(text, { minLength: 14, maxLength: 14 }),
    status: fc.option(fc.integer({ min: 0, max: 999 }), { nil: null }),
    counts: fc.array(count, { minLength: 8, maxLength: 8 }),
    marks: fc.array(mark, { minLength: 4, maxLength: 4 }),
    states: fc.tuple(state, state),
    framings: fc.tuple(framing, framing),
    hasRequest: fc.boolean(),
    expectContinue: fc.boolean(),
    responseLastArrival: fc.integer({ min: -1, max: 1000 }),
    interim: fc.array(fc.integer({ min: 100, max: 199 }), { maxLength: 3 }),
    notes: fc.array(fc.string({ unit: 'binary', maxLength: 20 }), { maxLength: 3 }),
  })
  .map((r) => (index: number) => {
    const ex = new ExchangeRec(index);
    [ex.method, ex.target, ex.requestVersion, ex.reason, ex.responseVersion, ex.requestConnection, ex.requestKeepAlive,
      ex.responseConnection, ex.responseKeepAlive, ex.host, ex.requestContentType, ex.responseContentType,
      ex.requestUpgrade, ex.responseUpgrade] = r.strings;
    ex.status = r.status;
    [ex.requestHeaderFields, ex.requestHeaderBytes, ex.requestBodyBytes, ex.requestBodyMissingBytes,
      ex.responseHeaderFields, ex.responseHeaderBytes, ex.responseBodyBytes, ex.responseBodyMissingBytes] = r.counts;
    [ex.requestStart, ex.requestEnd, ex.responseStart, ex.responseEnd] = r.marks;
    [ex.requestState, ex.responseState] = r.states;
    [ex.requestFraming, ex.responseFraming] = r.framings;
    ex.hasRequest = r.hasRequest;
    ex.expectContinue = r.expectContinue;
    ex.responseLastArrival = r.responseLastArrival;
    for (const s of r.interim) ex.addInterim(s);
    for (const n of r.notes) ex.note(n);
    return ex;
  });

const recs = fc.array(exchangeRec, { maxLength: 8 }).map((makers) => makers.map((make, i) => make(i + 1)));

function exported(list: readonly ExchangeRec[]): HttpExchange[] {
  const { order, depth } = computeOrder(list);
  return list.map((r, i) => exportExchange(r, order[i]!, depth[i]!));
}

/** Every value by Object.is (so -0 is not 0), keys in order. */
function sameByObjectIs(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\n') !== kb.join('\n')) return false;
  return ka.every((k) => sameByObjectIs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

describe('PackedExchanges', () => {
  it('unpacks into what exportExchange makes, for any exchanges', () => {
    fc.assert(
      fc.property(recs, (list) => {
        const packed = new PackedExchanges(list);
        expect(packed.length).toBe(list.length);
        const unpacked = packed.unpack();
        const reference = exported(list);
        expect(sameByObjectIs(unpacked, reference)).toBe(true);
        expect(JSON.stringify(unpacked)).toBe(JSON.stringify(reference));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a negative zero time span (a request and its response in the same microsecond, clock stepped back)', () => {
    const ex = new ExchangeRec(1);
    ex.hasRequest = true;
    ex.requestStart = { frame: 1, tsSec: 10, tsNsec: 400, arrival: 0 };
    ex.responseStart = { frame: 2, tsSec: 10, tsNsec: 100, arrival: 1 };
    ex.responseState = 'complete';
    ex.responseEnd = ex.responseStart;
    const [reference] = exported([ex]);
    expect(Object.is(reference!.timeToFirstByteUs, -0)).toBe(true);
    const [unpacked] = new PackedExchanges([ex]).unpack();
    expect(Object.is(unpacked!.timeToFirstByteUs, -0)).toBe(true);
    expect(unpacked).toStrictEqual(reference);
  });

  it('gives each unpacked exchange its own lists, unshared with the packed store or another unpack', () => {
    const ex = new ExchangeRec(1);
    ex.addInterim(100);
    ex.note('bare LF');
    const packed = new PackedExchanges([ex]);
    const first = packed.unpack()[0]!;
    first.interim.push(103);
    first.notes.push('changed');
    const again = packed.unpack()[0]!;
    expect(again.interim).toEqual([100]);
    expect(again.notes).toEqual(['bare LF']);
    // The record itself can still change (it is not packed by reference).
    ex.note('later');
    expect(packed.unpack()[0]!.notes).toEqual(['bare LF']);
  });

  it('packs no exchange as an empty list', () => {
    expect(new PackedExchanges([]).unpack()).toEqual([]);
  });
});
