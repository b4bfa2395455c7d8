// Byte-literal unit tests for src/stream/reassembler.ts: one block per documented policy.
// Each test drives the public API only and states the exact sink calls it expects.

import { describe, expect, it } from 'vitest';
import { Reassembler, type ReassemblerOptions } from '../../src/stream/index.js';
import { FIN, NONE, RST, Recorder, SYN, ascii } from './recorder.js';

const ISN1 = 1000; // stream offset 0 is sequence number 1000 in most tests

function setup(opts?: ReassemblerOptions, start: number | null = ISN1): { r: Reassembler; rec: Recorder } {
  const rec = new Recorder();
  const r = new Reassembler(rec, opts);
  if (start !== null) r.setInitialSeq(start);
  return { r, rec };
}

/** A segment at stream offset `offset` (sequence ISN1 + offset) with a fully captured payload. */
function seg(r: Reassembler, offset: number, text: string, frame: number, flags = NONE) {
  const bytes = ascii(text);
  return r.segment((ISN1 + offset) >>> 0, bytes, bytes.length, flags, frame, 100 + frame, frame * 1000);
}

describe('in-order delivery', () => {
  it('hands the payload view itself to the sink, with its frame and time', () => {
    const { r, rec } = setup();
    const payload = ascii('GET / HTTP/1.1\r\n');
    expect(r.segment(ISN1, payload, payload.length, NONE, 7, 1700000000, 5)).toBe('in-order');
    expect(rec.events).toHaveLength(1);
    const e = rec.events[0];
    expect(e.kind === 'data' && e.view).toBe(payload);
    expect(e).toMatchObject({ kind: 'data', offset: 0, frame: 7, tsSec: 1700000000, tsNsec: 5 });
    expect(seg(r, 16, 'Host: a\r\n', 8)).toBe('in-order');
    expect(rec.events[1]).toMatchObject({ kind: 'data', offset: 16, frame: 8 });
    expect(r.deliveredBytes).toBe(25);
    expect(r.bufferedBytes).toBe(0);
  });

  it('puts offset 0 right after the SYN (RFC 9293 §3.4)', () => {
    const { r, rec } = setup(undefined, null);
    expect(r.segment(999, new Uint8Array(0), 0, SYN, 1, 0, 0)).toBe('empty');
    expect(seg(r, 0, 'ab', 2)).toBe('in-order');
    expect(rec.events[0]).toMatchObject({ kind: 'data', offset: 0 });
  });

  it('delivers SYN data (TCP Fast Open, RFC 7413) at offset 0, from seq+1', () => {
    const { r, rec } = setup(undefined, null);
    const hello = ascii('HELLO');
    expect(r.segment(999, hello, 5, SYN, 1, 0, 0)).toBe('in-order');
    expect(seg(r, 5, '!', 2)).toBe('in-order');
    expect(rec.text()).toBe('HELLO!');
    expect(rec.events[1]).toMatchObject({ offset: 5 });
    // The retransmitted SYN carries the same data: a duplicate.
    expect(r.segment(999, hello, 5, SYN, 3, 0, 0)).toBe('duplicate');
  });

  it('starts at a second SYN\'s ISN when no byte came yet (a SYN-ACK sent again with a new ISN)', () => {
    const { r, rec } = setup(undefined, null);
    r.segment(4999, new Uint8Array(0), 0, SYN, 1, 0, 0);
    r.segment(7999, new Uint8Array(0), 0, SYN, 2, 0, 0);
    // The peer acknowledges the new ISN: nothing is missing (before, 3,000 bytes read as lost).
    r.acked(8000, 3);
    const hi = ascii('hi');
    expect(r.segment(8000, hi, 2, NONE, 4, 0, 0)).toBe('in-order');
    expect(rec.gaps()).toEqual([]);
    expect(rec.text()).toBe('hi');
    // Once a byte came, a SYN with another ISN changes nothing.
    r.segment(11999, new Uint8Array(0), 0, SYN, 5, 0, 0);
    expect(r.segment(8002, hi, 2, NONE, 6, 0, 0)).toBe('in-order');
  });

  it('keeps the first ISN when the peer acknowledges it after a second SYN (a stale SYN-ACK it ignored)', () => {
    for (const second of [2999, 7999]) {
      const { r, rec } = setup(undefined, null);
      r.segment(4999, new Uint8Array(0), 0, SYN, 1, 0, 0);
      r.segment(second, new Uint8Array(0), 0, SYN, 2, 0, 0);
      r.acked(5000, 3);
      expect(r.segment(5000, ascii('ok'), 2, NONE, 4, 0, 0)).toBe('in-order');
      expect(rec.gaps()).toEqual([]);
      expect(rec.text()).toBe('ok');
    }
    // The first data at the second ISN decides it too.
    const { r, rec } = setup(undefined, null);
    r.segment(4999, new Uint8Array(0), 0, SYN, 1, 0, 0);
    r.segment(7999, new Uint8Array(0), 0, SYN, 2, 0, 0);
    r.segment(8000, ascii('hi'), 2, NONE, 3, 0, 0);
    expect(rec.text()).toBe('hi');
    expect(rec.gaps()).toEqual([]);
  });

  it('ignores setInitialSeq once the start is known', () => {
    const { r, rec } = setup();
    r.setInitialSeq(5);
    expect(seg(r, 0, 'x', 1)).toBe('in-order');
    expect(rec.text()).toBe('x');
  });

  it('ignores captured bytes beyond payloadLen (link-layer padding is not stream data)', () => {
    const { r, rec } = setup();
    expect(r.segment(ISN1, ascii('ab\0\0'), 2, NONE, 1, 0, 0)).toBe('in-order');
    expect(rec.text()).toBe('ab');
    expect(r.deliveredOffset).toBe(2);
  });

  it('calls empty segments empty and changes nothing', () => {
    const { r, rec } = setup();
    expect(r.segment(ISN1, new Uint8Array(0), 0, NONE, 1, 0, 0)).toBe('empty');
    expect(rec.events).toEqual([]);
  });
});

describe('out-of-order buffering', () => {
  it('copies the segment, holds it, and delivers it with its own frame and time when the hole fills', () => {
    const { r, rec } = setup();
    const world = ascii('WORLD');
    expect(r.segment(ISN1 + 4, world, 5, NONE, 1, 11, 12)).toBe('buffered');
    expect(rec.events).toEqual([]);
    expect(r.bufferedBytes).toBe(5);
    world.fill(0x21); // the capture buffer is reused: the reassembler must hold its own copy
    expect(seg(r, 0, 'HI, ', 2)).toBe('in-order');
    expect(rec.text()).toBe('HI, WORLD');
    expect(rec.events[1]).toMatchObject({ kind: 'data', offset: 4, frame: 1, tsSec: 11, tsNsec: 12 });
    expect(r.bufferedBytes).toBe(0);
    expect(r.deliveredBytes).toBe(9);
  });

  it('sorts pieces that arrive in reverse order', () => {
    const { r, rec } = setup();
    expect(seg(r, 6, 'gh', 1)).toBe('buffered');
    expect(seg(r, 4, 'ef', 2)).toBe('buffered');
    expect(seg(r, 2, 'cd', 3)).toBe('buffered');
    expect(seg(r, 0, 'ab', 4)).toBe('in-order');
    expect(rec.text()).toBe('abcdefgh');
    expect(rec.events.map((e) => e.kind === 'data' && e.frame)).toEqual([4, 3, 2, 1]);
  });

  it('keeps a long out-of-order run linear (append behind one hole, then one drain)', () => {
    const { r, rec } = setup({ maxBufferedBytes: 1 << 30 });
    const count = 100_000;
    const chunk = new Uint8Array(10).fill(0x61);
    const t0 = performance.now();
    for (let i = 1; i <= count; i++) r.segment(ISN1 + i * 10, chunk, 10, NONE, i, 0, 0);
    r.segment(ISN1, chunk, 10, NONE, count + 1, 0, 0);
    const elapsedMs = performance.now() - t0;
    expect(r.deliveredBytes).toBe((count + 1) * 10);
    expect(rec.checkTiling()).toBe((count + 1) * 10);
    expect(elapsedMs).toBeLessThan(3000);
  });
});

describe('overlaps: the first copy wins', () => {
  it('suricata-verify eve-overlap-payload-04: "GOOD" then "XXX" one byte later stays "GOOD", 3 conflicting bytes', () => {
    // Client SYN seq 1; "GOOD" at seq 2; "XXX" at seq 3 (tcpdump -X of the shared capture).
    const { r, rec } = setup(undefined, null);
    r.segment(1, new Uint8Array(0), 0, SYN, 1, 0, 0);
    expect(r.segment(2, ascii('GOOD'), 4, NONE, 5, 0, 0)).toBe('in-order');
    expect(r.segment(3, ascii('XXX'), 3, NONE, 6, 0, 0)).toBe('duplicate');
    expect(rec.text()).toBe('GOOD');
    expect(r.conflictingBytes).toBe(3);
    expect(r.droppedBytes).toBe(3);
  });

  it('drops an identical retransmission without conflict', () => {
    const { r, rec } = setup();
    seg(r, 0, 'abcd', 1);
    expect(seg(r, 0, 'abcd', 2)).toBe('duplicate');
    expect(seg(r, 1, 'bc', 3)).toBe('duplicate');
    expect(rec.text()).toBe('abcd');
    expect(r.conflictingBytes).toBe(0);
    expect(r.droppedBytes).toBe(6);
  });

  it('trims the delivered prefix of a partial overlap and delivers the rest', () => {
    const { r, rec } = setup();
    seg(r, 0, 'GOOD', 1);
    expect(seg(r, 2, 'ODBYE', 2)).toBe('partial-overlap');
    expect(rec.text()).toBe('GOODBYE');
    expect(rec.events[1]).toMatchObject({ kind: 'data', offset: 4, frame: 2 });
    expect(r.conflictingBytes).toBe(0);
    expect(seg(r, 5, 'XE!', 3)).toBe('partial-overlap'); // 'X' differs from the delivered 'Y'
    expect(rec.text()).toBe('GOODBYE!');
    expect(r.conflictingBytes).toBe(1);
  });

  it('between two buffered pieces, the one buffered first wins', () => {
    const { r, rec } = setup();
    expect(seg(r, 10, 'AAAA', 1)).toBe('buffered');
    expect(seg(r, 8, 'BBBBBBBB', 2)).toBe('partial-overlap'); // 8..16 over 10..14
    expect(r.bufferedBytes).toBe(8);
    expect(r.conflictingBytes).toBe(4);
    seg(r, 0, '01234567', 3);
    expect(rec.text()).toBe('01234567BBAAAABB');
    expect(rec.events.map((e) => e.kind === 'data' && [e.offset, e.frame])).toEqual([
      [0, 3],
      [8, 2],
      [10, 1],
      [14, 2],
    ]);
  });

  it('an in-order segment over buffered bytes delivers its own bytes only up to them', () => {
    const { r, rec } = setup();
    seg(r, 4, 'XY', 1);
    const payload = ascii('abcdefgh');
    expect(r.segment(ISN1, payload, 8, NONE, 2, 0, 0)).toBe('partial-overlap');
    expect(rec.text()).toBe('abcdXYgh');
    const first = rec.events[0];
    expect(first.kind === 'data' && first.view.buffer).toBe(payload.buffer); // the in-order part is still a view
    expect(r.conflictingBytes).toBe(2);
  });

  it('a segment spanning two buffered pieces fills only the holes around them', () => {
    const { r, rec } = setup();
    seg(r, 2, 'cc', 1);
    seg(r, 6, 'gg', 2);
    expect(seg(r, 2, 'CCDDGGHH', 3)).toBe('partial-overlap'); // 2..10: fills 4..6 and 8..10
    expect(r.bufferedBytes).toBe(8);
    expect(r.conflictingBytes).toBe(4);
    seg(r, 0, 'aa', 4);
    expect(rec.text()).toBe('aaccDDggHH');
  });

  it('counts conflicts with delivered data only while the history ring holds it', () => {
    const { r } = setup({ conflictHistorySegments: 0 });
    seg(r, 0, 'GOOD', 1);
    expect(seg(r, 1, 'XXX', 2)).toBe('duplicate');
    expect(r.conflictingBytes).toBe(0);
    const small = setup({ conflictHistorySegments: 1 });
    seg(small.r, 0, 'ab', 1);
    seg(small.r, 2, 'cd', 2);
    seg(small.r, 0, 'XX', 3); // 'ab' left the one-slot ring
    seg(small.r, 2, 'XX', 4);
    expect(small.r.conflictingBytes).toBe(2);
  });
});

describe('sequence wrap and long streams', () => {
  it('delivers across the 2^32 wrap, in order and out of order', () => {
    const isn1 = 2 ** 32 - 3;
    const { r, rec } = setup(undefined, isn1);
    expect(r.segment(1, ascii('FG'), 2, NONE, 1, 0, 0)).toBe('buffered'); // offset 4..6, after the wrap
    expect(r.segment(isn1, ascii('ABCD'), 4, NONE, 2, 0, 0)).toBe('in-order'); // 2^32-3 .. 0
    expect(r.segment(3, ascii('H'), 1, NONE, 3, 0, 0)).toBe('in-order');
    expect(rec.text()).toBe('ABCDFGH');
    expect(rec.events.map((e) => e.kind === 'data' && e.offset)).toEqual([0, 4, 6]);
  });

  it('keeps stream offsets counting past 2^32 (the wrap count is carried by the offset)', () => {
    const { r, rec } = setup(undefined, 10);
    const step = 2 ** 30;
    for (let i = 1; i <= 5; i++) r.acked((10 + i * step) >>> 0, i); // lost bytes, as gaps, 1 GiB at a time
    expect(r.deliveredOffset).toBe(5 * step);
    expect(r.gapBytes).toBe(5 * step);
    const seq = (10 + 5 * step) >>> 0;
    expect(r.segment(seq, ascii('late'), 4, NONE, 6, 0, 0)).toBe('in-order');
    expect(rec.events.at(-1)).toMatchObject({ kind: 'data', offset: 5 * step });
    expect(r.segment(seq, ascii('late'), 4, NONE, 7, 0, 0)).toBe('duplicate');
  });
});

describe('memory cap', () => {
  it('declares the lowest hole a gap when buffering would pass the cap, and says over-limit', () => {
    // Each 4-byte piece costs 4 + 64 bytes of the cap: two fit in 150, a third does not.
    const { r, rec } = setup({ maxBufferedBytes: 150 });
    expect(seg(r, 4, 'BBBB', 1)).toBe('buffered');
    expect(seg(r, 12, 'DDDD', 2)).toBe('buffered');
    expect(seg(r, 20, 'FFFF', 3)).toBe('over-limit');
    expect(rec.text()).toBe('[gap 4]BBBB');
    expect(rec.gaps()).toEqual([[0, 4]]);
    expect(rec.events[0]).toMatchObject({ kind: 'gap', frame: 3 });
    expect(r.limitGapBytes).toBe(4);
    expect(r.bufferedBytes).toBe(8);
    expect(seg(r, 0, 'AAAA', 4)).toBe('duplicate'); // the hole is gone for good
    r.finish(5, 'capture-end');
    expect(rec.text()).toBe('[gap 4]BBBB[gap 4]DDDD[gap 4]FFFF');
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 24, frame: 5, reason: 'capture-end' }]);
    rec.checkTiling();
  });

  it('delivers a segment bigger than the cap directly after gapping the hole before it', () => {
    const { r, rec } = setup({ maxBufferedBytes: 10 });
    expect(seg(r, 5, 'twenty-bytes-payload', 1)).toBe('over-limit');
    expect(rec.text()).toBe('[gap 5]twenty-bytes-payload');
    expect(r.bufferedBytes).toBe(0);
  });

  it('charges a per-piece overhead, so many tiny pieces hit the cap too', () => {
    const { r } = setup({ maxBufferedBytes: 1000 });
    const fates = [];
    for (let i = 0; i < 20; i++) fates.push(seg(r, 2 + 2 * i, 'x', i + 1));
    expect(fates.slice(0, 15).every((f) => f === 'buffered')).toBe(true); // 15 * 65 = 975
    expect(fates[15]).toBe('over-limit');
  });
});

describe('gaps', () => {
  it('turns a hole into a gap when the peer ACK passes it, then delivers what became contiguous', () => {
    const { r, rec } = setup();
    seg(r, 0, 'AB', 1);
    seg(r, 4, 'EF', 2);
    r.acked(ISN1 + 6, 3);
    expect(rec.text()).toBe('AB[gap 2]EF');
    expect(rec.events[1]).toEqual({ kind: 'gap', offset: 2, length: 2, frame: 3 });
    expect(rec.events[2]).toMatchObject({ kind: 'data', offset: 4, frame: 2 });
    r.acked(ISN1 + 10, 4); // acked bytes never seen at all
    expect(rec.gaps()).toEqual([
      [2, 2],
      [6, 4],
    ]);
    expect(seg(r, 6, 'GHIJ', 5)).toBe('duplicate');
    expect(r.gapBytes).toBe(6);
  });

  it('gaps only up to the ACK: the rest of a hole may still be filled', () => {
    const { r, rec } = setup();
    seg(r, 8, 'IJ', 1);
    r.acked(ISN1 + 4, 2);
    expect(rec.text()).toBe('[gap 4]');
    expect(seg(r, 4, 'EFGH', 3)).toBe('in-order');
    expect(rec.text()).toBe('[gap 4]EFGHIJ');
  });

  it('ignores ACKs before the start is known and ACKs at or behind the delivery point', () => {
    const { r, rec } = setup(undefined, null);
    r.acked(5000, 1);
    seg(r, 0, 'abc', 2); // mid-stream: offset 0 = ISN1
    r.acked(ISN1 + 3, 3);
    r.acked(ISN1 - 100, 4);
    expect(rec.text()).toBe('abc');
  });

  it('at finish, delivers buffered data after explicit gaps and ends at the last known byte', () => {
    const { r, rec } = setup();
    seg(r, 0, 'A', 1);
    seg(r, 3, 'D', 2);
    seg(r, 6, 'GH', 3);
    r.finish(9, 'capture-end');
    expect(rec.text()).toBe('A[gap 2]D[gap 2]GH');
    expect(rec.gaps()).toEqual([
      [1, 2],
      [4, 2],
    ]);
    expect(rec.events.filter((e) => e.kind === 'gap').every((e) => e.frame === 9)).toBe(true);
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 8, frame: 9, reason: 'capture-end' }]);
    expect(r.bufferedBytes).toBe(0);
    r.finish(10, 'capture-end');
    expect(rec.ends()).toHaveLength(1);
  });

  it('never glues: data after a gap starts at its true offset', () => {
    const { r, rec } = setup();
    seg(r, 0, 'AB', 1);
    seg(r, 4, 'EF', 2);
    r.finish(3, 'rst');
    expect(rec.events.map((e) => [e.kind, e.offset])).toEqual([
      ['data', 0],
      ['gap', 2],
      ['data', 4],
      ['end', 6],
    ]);
    expect(rec.ends()[0]).toMatchObject({ reason: 'rst' });
  });
});

describe('snaplen-cut payloads', () => {
  it('delivers the captured part of an in-order segment and the cut tail as a gap at once', () => {
    const { r, rec } = setup();
    const captured = ascii('ABC');
    expect(r.segment(ISN1, captured, 6, NONE, 1, 0, 0)).toBe('in-order');
    expect(rec.events).toEqual([
      expect.objectContaining({ kind: 'data', offset: 0, frame: 1 }),
      { kind: 'gap', offset: 3, length: 3, frame: 1 },
    ]);
    expect(seg(r, 6, 'G', 2)).toBe('in-order');
    expect(rec.text()).toBe('ABC[gap 3]G');
  });

  it('treats a segment with no captured payload as one gap', () => {
    const { r, rec } = setup();
    expect(r.segment(ISN1, new Uint8Array(0), 5, NONE, 1, 0, 0)).toBe('in-order');
    expect(rec.gaps()).toEqual([[0, 5]]);
  });

  it('remembers the cut tail of a buffered segment and gaps it when delivery reaches it', () => {
    const { r, rec } = setup();
    expect(r.segment(ISN1 + 4, ascii('EF'), 4, NONE, 1, 0, 0)).toBe('buffered');
    seg(r, 0, 'ABCD', 2);
    expect(rec.text()).toBe('ABCDEF[gap 2]');
    expect(rec.gaps()).toEqual([[6, 2]]);
  });

  it('lets real bytes replace a still-buffered cut tail', () => {
    const { r, rec } = setup();
    r.segment(ISN1 + 4, ascii('EF'), 6, NONE, 1, 0, 0); // 4..10, 6..10 not captured
    expect(seg(r, 7, 'H', 2)).toBe('buffered'); // splits the marker into 6..7 and 8..10
    expect(seg(r, 4, 'EFGHIJ', 3)).toBe('partial-overlap');
    seg(r, 0, 'ABCD', 4);
    expect(rec.text()).toBe('ABCDEFGHIJ');
    expect(r.gapBytes).toBe(0);
  });
});

describe('FIN and data after it', () => {
  it('ends with fin right after the last byte, and counts data past the FIN without delivering it', () => {
    const { r, rec } = setup();
    seg(r, 0, 'HI', 1);
    expect(seg(r, 2, 'BYE', 2, FIN)).toBe('in-order');
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 5, frame: 2, reason: 'fin' }]);
    // Offset 5 is the FIN's own sequence number; data there or later is after the end (RFC 9293 §3.10.7.4).
    expect(seg(r, 6, 'more', 3)).toBe('after-end');
    expect(seg(r, 3, 'YEx', 4)).toBe('duplicate');
    expect(r.afterEndBytes).toBe(5);
    expect(rec.text()).toBe('HIBYE');
    rec.checkTiling();
  });

  it('a bare FIN is an empty segment that ends the stream', () => {
    const { r, rec } = setup();
    seg(r, 0, 'x', 1);
    expect(r.segment(ISN1 + 1, new Uint8Array(0), 0, FIN, 2, 0, 0)).toBe('empty');
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 1, frame: 2, reason: 'fin' }]);
  });

  it('an out-of-order FIN ends the stream when the hole before it fills', () => {
    const { r, rec } = setup();
    expect(seg(r, 4, 'DATA', 1, FIN)).toBe('buffered');
    expect(rec.ends()).toEqual([]);
    seg(r, 0, 'MORE', 2);
    expect(rec.text()).toBe('MOREDATA');
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 8, frame: 2, reason: 'fin' }]);
  });

  it('drops buffered bytes past a FIN that arrives later, and trims a segment straddling it', () => {
    const { r, rec } = setup();
    seg(r, 10, 'ZZ', 1);
    seg(r, 7, 'xyz', 2);
    seg(r, 4, 'EF', 3, FIN); // FIN at offset 6
    expect(r.bufferedBytes).toBe(2);
    expect(r.afterEndBytes).toBe(5);
    expect(seg(r, 0, 'ABCDEFGH', 4)).toBe('partial-overlap');
    expect(rec.text()).toBe('ABCDEF');
    expect(r.afterEndBytes).toBe(7);
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 6, frame: 4, reason: 'fin' }]);
  });

  it('keeps the first FIN: a later FIN elsewhere is ignored', () => {
    const { r, rec } = setup();
    seg(r, 4, 'EF', 1, FIN); // FIN at 6
    r.segment(ISN1 + 9, new Uint8Array(0), 0, FIN, 2, 0, 0);
    seg(r, 0, 'ABCD', 3);
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 6, frame: 3, reason: 'fin' }]);
  });

  it('finish() and an ACK of the FIN gap the hole before a known FIN and end with fin', () => {
    const a = setup();
    seg(a.r, 4, 'EF', 1, FIN);
    a.r.finish(2, 'capture-end');
    expect(a.rec.text()).toBe('[gap 4]EF');
    expect(a.rec.ends()).toEqual([{ kind: 'end', offset: 6, frame: 2, reason: 'fin' }]);

    const b = setup();
    seg(b.r, 4, 'EF', 1, FIN);
    b.r.acked(ISN1 + 7, 2); // ACK of the FIN: 6 bytes + the FIN's sequence number
    expect(b.rec.text()).toBe('[gap 4]EF');
    expect(b.rec.ends()).toEqual([{ kind: 'end', offset: 6, frame: 2, reason: 'fin' }]);
    expect(b.r.gapBytes).toBe(4);
  });
});

describe('RST and data after the end', () => {
  it('a RST ends the direction; its payload is not stream data and buffered data is flushed after gaps', () => {
    const { r, rec } = setup();
    seg(r, 0, 'AB', 1);
    seg(r, 4, 'EF', 2);
    expect(r.segment(ISN1 + 6, ascii('reset reason'), 12, RST, 3, 0, 0)).toBe('after-end');
    expect(rec.text()).toBe('AB[gap 2]EF');
    expect(rec.ends()).toEqual([{ kind: 'end', offset: 6, frame: 3, reason: 'rst' }]);
    expect(r.afterEndBytes).toBe(12);
    expect(seg(r, 6, 'late', 4)).toBe('after-end');
    expect(seg(r, 0, 'AB', 5)).toBe('duplicate');
    expect(r.segment(ISN1 + 6, new Uint8Array(0), 0, RST, 6, 0, 0)).toBe('empty');
    expect(rec.ends()).toHaveLength(1);
  });

  it('after finish(), new bytes are after-end', () => {
    const { r, rec } = setup();
    seg(r, 0, 'AB', 1);
    r.finish(2, 'capture-end');
    expect(seg(r, 2, 'CD', 3)).toBe('after-end');
    r.acked(ISN1 + 100, 4);
    expect(rec.text()).toBe('AB');
    expect(r.afterEndBytes).toBe(2);
  });
});

describe('mid-stream start', () => {
  it('the first data segment sets offset 0; earlier bytes are before-start', () => {
    const { r, rec } = setup(undefined, null);
    expect(r.segment(5000, new Uint8Array(0), 0, NONE, 1, 0, 0)).toBe('empty'); // a pure ACK does not start it
    expect(r.segment(5000, ascii('0123456789'), 10, NONE, 2, 0, 0)).toBe('in-order');
    expect(rec.events[0]).toMatchObject({ kind: 'data', offset: 0 });
    expect(r.segment(4990, ascii('abcdefghij'), 10, NONE, 3, 0, 0)).toBe('before-start');
    expect(r.segment(4995, ascii('fghij01234'), 10, NONE, 4, 0, 0)).toBe('duplicate');
    expect(r.segment(4995, ascii('fghij0123456789ABCDE'), 20, NONE, 5, 0, 0)).toBe('partial-overlap');
    expect(rec.text()).toBe('0123456789ABCDE');
    expect(rec.events[1]).toMatchObject({ kind: 'data', offset: 10, frame: 5 });
    expect(r.beforeStartBytes).toBe(20);
  });

  it('a bare FIN as the first thing seen ends an empty stream', () => {
    const { r, rec } = setup(undefined, null);
    r.segment(77, new Uint8Array(0), 0, FIN, 1, 0, 0);
    expect(rec.events).toEqual([{ kind: 'end', offset: 0, frame: 1, reason: 'fin' }]);
  });

  it('finish() before any data ends at offset 0', () => {
    const { r, rec } = setup(undefined, null);
    r.finish(3, 'capture-end');
    expect(rec.events).toEqual([{ kind: 'end', offset: 0, frame: 3, reason: 'capture-end' }]);
  });
});
