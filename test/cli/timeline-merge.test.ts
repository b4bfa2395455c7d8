// TimelineMerge on hand-made shard batches: packet order across shards, printing only as far as every shard got,
// the capture's ids in port reuse notes, and stopping just before the first packet where shards could differ.
import { describe, expect, it } from 'vitest';
import { TimelineMerge, type ShardLinesMessage } from '../../src/cli/shards.js';

function batch(upTo: number, lines: [number, string][], extra: Partial<ShardLinesMessage> = {}): ShardLinesMessage {
  const encoder = new TextEncoder();
  const parts = lines.map(([, text]) => encoder.encode(`${text}\n`));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const ends: number[] = [];
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
    ends.push(at);
  }
  return {
    type: 'lines', upTo, frames: lines.map(([f]) => f), ends, bytes, placeholders: [], created: [], markPorts: [],
    markFrames: [], roleFrames: [], rolePorts: [], roleKnown: [], hazardFrame: 0, hazardWhy: '', ...extra,
  };
}

function merger(count: number) {
  let out = '';
  const decoder = new TextDecoder();
  const merge = new TimelineMerge(count, (b) => void (out += decoder.decode(b)), (t) => void (out += t));
  return { merge, out: () => out };
}

describe('TimelineMerge', () => {
  it('prints in packet order, only as far as every shard has analysed', () => {
    const { merge, out } = merger(2);
    expect(merge.add(0, batch(4, [[1, 'a1'], [3, 'a3'], [4, 'a4']]))).toBeNull();
    expect(out()).toBe('');
    expect(merge.add(1, batch(2, [[2, 'b2']]))).toBeNull();
    expect(out()).toBe('a1\nb2\n');
    expect(merge.emittedUpTo).toBe(2);
    merge.add(1, batch(6, [[5, 'b5'], [6, 'b6']]));
    expect(out()).toBe('a1\nb2\na3\na4\n');
    merge.add(0, batch(6, []));
    expect(out()).toBe('a1\nb2\na3\na4\nb5\nb6\n');
    expect(merge.emittedUpTo).toBe(6);
  });

  it('writes the id of the connection a packet opens: connections opened before it, in every shard', () => {
    const { merge, out } = merger(2);
    merge.add(0, batch(5, [[5, 'reuse starts connection \u0002']], { placeholders: [5], created: [1, 5] }));
    merge.add(1, batch(5, [], { created: [2, 3] }));
    expect(out()).toBe('reuse starts connection 3\n');
  });

  it('stops before a hazard once every shard got that far, and says where', () => {
    const { merge, out } = merger(2);
    expect(merge.add(0, batch(6, [[1, 'a1'], [5, 'a5']], { hazardFrame: 5, hazardWhy: 'cap' }))).toBeNull();
    expect(merge.hazard).toEqual({ frame: 5, why: 'cap' });
    expect(merge.add(1, batch(3, [[2, 'b2']]))).toBeNull();
    expect(out()).toBe('a1\nb2\n');
    expect(merge.add(1, batch(9, [[4, 'b4'], [8, 'b8']]))).toEqual({ frame: 5, why: 'cap' });
    expect(out()).toBe('a1\nb2\nb4\n');
    expect(merge.emittedUpTo).toBe(4);
    // Stopped: nothing more is printed.
    merge.add(0, batch(9, [[9, 'a9']]));
    expect(out()).toBe('a1\nb2\nb4\n');
  });

  it('checks a mid-stream role against the server ports every shard marked before it', () => {
    // Shard 1 decided at packet 4 that port 80 was a known server port (bit 1: destination), from another shard's
    // SYN; shard 0 marked port 80 only at packet 6 (its SYN opened nothing earlier): one pass would not know it.
    const { merge, out } = merger(2);
    merge.add(1, batch(8, [[4, 'b4']], { roleFrames: [4], rolePorts: [40000 * 65536 + 80], roleKnown: [2] }));
    const hazard = merge.add(0, batch(8, [[1, 'a1'], [6, 'a6']], { markPorts: [80], markFrames: [6] }));
    expect(hazard?.frame).toBe(4);
    expect(hazard?.why).toMatch(/roles of the connection opened by packet 4/);
    expect(out()).toBe('a1\n');
  });

  it('accepts a role decided on a port marked earlier by another shard', () => {
    const { merge, out } = merger(2);
    merge.add(0, batch(8, [[1, 'a1']], { markPorts: [80], markFrames: [1] }));
    expect(merge.add(1, batch(8, [[4, 'b4']], { roleFrames: [4], rolePorts: [40000 * 65536 + 80], roleKnown: [2] }))).toBeNull();
    expect(out()).toBe('a1\nb4\n');
  });
});
