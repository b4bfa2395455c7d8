// Property tests for src/stream/reassembler.ts: any order, duplication, loss, snaplen cut or cap pressure must still
// yield an in-order tiling of data and gaps whose data equals the original bytes. No stage other than stream is used.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reassembler } from '../../src/stream/index.js';
import { FIN, NONE, Recorder, SYN } from './recorder.js';

interface Seg {
  startOffset: number;
  endOffset: number;
  capturedLen?: number;
  fin?: boolean;
}

/** First sequence numbers of the stream: anywhere, and often just below the 2^32 wrap. */
const isnArb = fc.oneof(fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: 2 ** 32 - 400, max: 2 ** 32 - 1 }));

/** A byte string and a partition of it into consecutive segments. */
const streamArb = fc
  .uint8Array({ minLength: 1, maxLength: 300 })
  .chain((original) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, original.length - 1) }), { maxLength: 25 })
      .map((cuts) => {
        const points = [0, ...cuts.filter((c) => c < original.length).sort((a, b) => a - b), original.length];
        const segs: Seg[] = [];
        for (let i = 1; i < points.length; i++) segs.push({ startOffset: points[i - 1], endOffset: points[i] });
        return { original, segs };
      }),
  );

function feed(r: Reassembler, original: Uint8Array, isn1: number, s: Seg, frame: number): void {
  const wire = original.subarray(s.startOffset, s.endOffset);
  const captured = s.capturedLen === undefined ? wire : wire.subarray(0, s.capturedLen);
  r.segment((isn1 + s.startOffset) >>> 0, captured, wire.length, s.fin ? FIN : NONE, frame, frame, 0);
}

/** Every data call carries exactly the original bytes at its offset (offsets counted from `base`). */
function checkDataMatches(rec: Recorder, original: Uint8Array, base: number): void {
  for (const e of rec.events) {
    if (e.kind !== 'data') continue;
    expect(Array.from(e.bytes)).toEqual(Array.from(original.subarray(base + e.offset, base + e.offset + e.bytes.length)));
  }
}

describe('reassembly properties', () => {
  it('any permutation with duplicates and overlapping retransmissions delivers the original, with no gap', () => {
    fc.assert(
      fc.property(
        streamArb.chain(({ original, segs }) =>
          fc.record({
            original: fc.constant(original),
            extra: fc.array(
              fc
                .tuple(fc.nat({ max: original.length - 1 }), fc.integer({ min: 1, max: 40 }))
                .map(([a, len]): Seg => ({ startOffset: a, endOffset: Math.min(original.length, a + len) })),
              { maxLength: 10 },
            ),
            segs: fc.constant(segs),
            isn1: isnArb,
            end: fc.constantFrom('ack', 'finish', 'fin'),
          }),
        ).chain((c) => {
          const withFin = (s: Seg): Seg => ({ ...s, fin: c.end === 'fin' && s.endOffset === c.original.length });
          const all = [...c.segs, ...c.extra, ...c.segs.filter((_, i) => i % 3 === 0)].map(withFin);
          return fc.record({ c: fc.constant(c), order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }) });
        }),
        ({ c, order }) => {
          const rec = new Recorder();
          const r = new Reassembler(rec);
          r.segment((c.isn1 - 1) >>> 0, new Uint8Array(0), 0, SYN, 1, 0, 0);
          order.forEach((s, i) => feed(r, c.original, c.isn1, s, i + 2));
          if (c.end === 'ack') r.acked((c.isn1 + c.original.length) >>> 0, 999);
          if (c.end !== 'fin') r.finish(1000, 'capture-end');
          expect(rec.gaps()).toEqual([]);
          expect(Array.from(rec.bytes())).toEqual(Array.from(c.original));
          expect(rec.checkTiling()).toBe(c.original.length);
          expect(rec.ends()).toEqual([
            expect.objectContaining({ offset: c.original.length, reason: c.end === 'fin' ? 'fin' : 'capture-end' }),
          ]);
          expect(r.bufferedBytes).toBe(0);
          expect(r.conflictingBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with one segment missing, exactly its range is a gap and every other byte is delivered', () => {
    fc.assert(
      fc.property(
        streamArb.chain(({ original, segs }) =>
          fc.record({
            original: fc.constant(original),
            segs: fc.constant(segs),
            missing: fc.nat({ max: segs.length - 1 }),
            isn1: isnArb,
            end: fc.constantFrom('ack', 'fin-then-finish'),
          }),
        ).chain((c) => {
          const kept = c.segs.filter((_, i) => i !== c.missing);
          const all = [...kept, ...kept.filter((_, i) => i % 2 === 0)];
          return fc.record({ c: fc.constant(c), order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }) });
        }),
        ({ c, order }) => {
          const rec = new Recorder();
          const r = new Reassembler(rec);
          r.setInitialSeq(c.isn1);
          order.forEach((s, i) => feed(r, c.original, c.isn1, s, i + 1));
          if (c.end === 'ack') {
            r.acked((c.isn1 + c.original.length) >>> 0, 999);
          } else {
            r.segment((c.isn1 + c.original.length) >>> 0, new Uint8Array(0), 0, FIN, 998, 0, 0);
          }
          r.finish(1000, 'capture-end');
          const lost = c.segs[c.missing];
          expect(rec.gaps()).toEqual([[lost.startOffset, lost.endOffset - lost.startOffset]]);
          const expected = new Uint8Array([...c.original.subarray(0, lost.startOffset), ...c.original.subarray(lost.endOffset)]);
          expect(Array.from(rec.bytes())).toEqual(Array.from(expected));
          checkDataMatches(rec, c.original, 0);
          expect(rec.checkTiling()).toBe(c.original.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('mid-stream: the first segment seen is offset 0, and everything from there on is delivered', () => {
    fc.assert(
      fc.property(
        streamArb.chain(({ original, segs }) => {
          const all = [...segs, ...segs.filter((_, i) => i % 2 === 1)];
          return fc.record({
            original: fc.constant(original),
            isn1: isnArb,
            order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
          });
        }),
        ({ original, isn1, order }) => {
          const rec = new Recorder();
          const r = new Reassembler(rec);
          order.forEach((s, i) => feed(r, original, isn1, s, i + 1));
          const base = order[0].startOffset;
          r.acked((isn1 + original.length) >>> 0, 999);
          r.finish(1000, 'capture-end');
          expect(rec.gaps()).toEqual([]);
          expect(Array.from(rec.bytes())).toEqual(Array.from(original.subarray(base)));
          expect(rec.checkTiling()).toBe(original.length - base);
          expect(r.deliveredBytes).toBe(original.length - base);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('under a small memory cap, data and gaps still tile the stream and data is never wrong', () => {
    fc.assert(
      fc.property(
        streamArb.chain(({ original, segs }) => {
          const all = [...segs, ...segs.filter((_, i) => i % 2 === 0)];
          return fc.record({
            original: fc.constant(original),
            isn1: isnArb,
            capBytes: fc.nat({ max: 400 }),
            order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
          });
        }),
        ({ original, isn1, capBytes, order }) => {
          const rec = new Recorder();
          const r = new Reassembler(rec, { maxBufferedBytes: capBytes });
          r.setInitialSeq(isn1);
          const longest = Math.max(...order.map((s) => s.endOffset - s.startOffset));
          order.forEach((s, i) => {
            feed(r, original, isn1, s, i + 1);
            // Only the in-order remainder of one segment may sit on top of the cap.
            expect(r.bufferedBytes).toBeLessThanOrEqual(capBytes + longest);
          });
          r.finish(1000, 'capture-end');
          expect(rec.checkTiling()).toBe(original.length);
          checkDataMatches(rec, original, 0);
          expect(r.deliveredBytes + r.gapBytes).toBe(original.length);
          expect(r.limitGapBytes).toBe(r.gapBytes);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('snaplen-cut copies: data and gaps tile the stream, data is never wrong, no gap when nothing was cut', () => {
    fc.assert(
      fc.property(
        streamArb.chain(({ original, segs }) => {
          const copies = fc.array(fc.nat({ max: 40 }), { minLength: segs.length * 2, maxLength: segs.length * 2 });
          return fc.record({ original: fc.constant(original), segs: fc.constant(segs), isn1: isnArb, caps: copies, cutSome: fc.boolean() });
        }).chain((c) => {
          const all: Seg[] = [];
          c.segs.forEach((s, i) => {
            for (const k of [0, 1]) {
              const len = s.endOffset - s.startOffset;
              all.push({ ...s, capturedLen: c.cutSome ? Math.min(len, c.caps[2 * i + k]) : len });
            }
          });
          return fc.record({ c: fc.constant(c), order: fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }) });
        }),
        ({ c, order }) => {
          const rec = new Recorder();
          const r = new Reassembler(rec);
          r.setInitialSeq(c.isn1);
          order.forEach((s, i) => feed(r, c.original, c.isn1, s, i + 1));
          r.finish(1000, 'capture-end');
          expect(rec.checkTiling()).toBe(c.original.length);
          checkDataMatches(rec, c.original, 0);
          if (!order.some((s) => s.capturedLen! < s.endOffset - s.startOffset)) expect(rec.gaps()).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('garbage in (any seq, flags, lengths, ACKs) never throws and always tiles', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('seg' as const),
        seqDelta: fc.integer({ min: -3000, max: 3000 }),
        len: fc.nat({ max: 60 }),
        captured: fc.nat({ max: 60 }),
        syn: fc.boolean(),
        fin: fc.boolean(),
        rst: fc.nat({ max: 9 }).map((n) => n === 0),
      }),
      fc.record({ kind: fc.constant('ack' as const), seqDelta: fc.integer({ min: -3000, max: 3000 }) }),
    );
    fc.assert(
      fc.property(
        isnArb,
        fc.array(op, { maxLength: 60 }),
        fc.nat({ max: 500 }),
        fc.boolean(),
        (isn1, ops, capBytes, finishAtEnd) => {
          const rec = new Recorder();
          const r = new Reassembler(rec, { maxBufferedBytes: capBytes, conflictHistorySegments: 4 });
          ops.forEach((o, i) => {
            const seq = (isn1 + o.seqDelta) >>> 0;
            if (o.kind === 'ack') return r.acked(seq, i + 1);
            const payload = new Uint8Array(Math.min(o.len, o.captured)).fill(i & 0xff);
            r.segment(seq, payload, o.len, { syn: o.syn, fin: o.fin, rst: o.rst }, i + 1, 0, 0);
          });
          if (finishAtEnd) r.finish(1000, 'capture-end');
          const endOffset = rec.checkTiling();
          expect(r.deliveredBytes + r.gapBytes).toBe(endOffset);
          if (finishAtEnd) expect(rec.ends()).toHaveLength(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});
