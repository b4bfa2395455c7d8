// Memory bounds of TcpTracker: closed connections leave after TIME_WAIT (2*MSL in capture time), the table cap
// evicts the least recently active with a 'limit' annotation, and onEvict sees every connection exactly once.

import { describe, expect, test } from 'vitest';
import { Codes } from '../../src/types.js';
import type { Connection, EvictReason } from '../../src/tcp/connection.js';
import { TcpTracker } from '../../src/tcp/tracker.js';
import { feed, makePacket, trace, traceWith } from '../helpers/trace.js';

const CLOSED_CONNECTION = ['C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'];

function recorder() {
  const log: string[] = [];
  const conns: Connection[] = [];
  const onEvict = (c: Connection, why: EvictReason) => {
    log.push(`${c.id}:${why}`);
    conns.push(c);
  };
  return { log, conns, onEvict };
}

describe('TIME_WAIT eviction', () => {
  test('a closed connection leaves 60 s (capture time) after its last packet, TIME_WAIT ends in CLOSED', () => {
    const r = recorder();
    const tracker = new TcpTracker({ onEvict: r.onEvict });
    feed(tracker, trace(...CLOSED_CONNECTION));
    const other = traceWith({ client: '10.0.0.9:9999', startSec: 1_700_000_059 }, 'C>S S', 'C>S S seq=1000 dt=1.1');
    feed(tracker, other.slice(0, 1));
    expect(r.log).toEqual([]);
    feed(tracker, other.slice(1));
    expect(r.log).toEqual(['0:time-wait']);
    expect(r.conns[0].ends[0].state).toBe('CLOSED');
    expect(tracker.size).toBe(1);
  });

  test('timeWaitSec is an option, and traffic after the close postpones eviction', () => {
    const r = recorder();
    const tracker = new TcpTracker({ onEvict: r.onEvict, timeWaitSec: 1 });
    feed(tracker, trace(...CLOSED_CONNECTION, 'C>S A dt=0.9'));
    feed(tracker, traceWith({ client: '10.0.0.9:9999', startSec: 1_700_000_001 }, 'C>S S dt=0.5'));
    expect(r.log).toEqual([]);
    feed(tracker, traceWith({ client: '10.0.0.9:9999', startSec: 1_700_000_003 }, 'C>S S seq=1000'));
    expect(r.log).toEqual(['0:time-wait']);
  });

  test('a packet on the tuple after eviction starts a new connection', () => {
    const r = recorder();
    const tracker = new TcpTracker({ onEvict: r.onEvict, timeWaitSec: 1 });
    const steps = feed(tracker, trace(...CLOSED_CONNECTION, 'C>S A seq=1002 ack=5002 dt=5'));
    expect(steps[6].connId).toBe(1);
    expect(steps[6].codes[0]).toBe(Codes.MIDSTREAM);
    expect(r.log).toEqual(['0:time-wait']);
  });

  test('open connections are never evicted by time', () => {
    const r = recorder();
    const tracker = new TcpTracker({ onEvict: r.onEvict, timeWaitSec: 1 });
    feed(tracker, trace('C>S S', 'S>C SA', 'C>S A', 'C>S A dt=1000'));
    expect(r.log).toEqual([]);
  });
});

describe('maxConnections', () => {
  test('evicts the least recently active and says so on the packet that needed room', () => {
    const r = recorder();
    const tracker = new TcpTracker({ onEvict: r.onEvict, maxConnections: 2 });
    const a = traceWith({ client: '10.0.0.1:1001' }, 'C>S S', 'C>S S seq=1000 t=0.010');
    const b = traceWith({ client: '10.0.0.1:1002' }, 'C>S S t=0.005');
    const c = traceWith({ client: '10.0.0.1:1003' }, 'C>S S t=0.020');
    feed(tracker, [a[0], b[0], a[1]]);
    const steps = feed(tracker, c);
    expect(r.log).toEqual(['1:limit']);
    expect(steps[0].annotations[0]).toEqual({
      code: Codes.LIMIT, text: 'connection table full (2): evicted connection 1, idle 15.0 ms',
    });
    expect(steps[0].connId).toBe(2);
    expect(tracker.size).toBe(2);
    tracker.finish();
    expect(r.log).toEqual(['1:limit', '0:end', '2:end']);
  });

  test('stays bounded over many connections, each handed to onEvict exactly once', () => {
    const r = recorder();
    const tracker = new TcpTracker({ onEvict: r.onEvict, maxConnections: 100 });
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const sport = 1024 + (i % 60000);
      const host = `10.1.${(i >> 8) & 255}.${i & 255}`;
      tracker.push(makePacket({ src: host, dst: '10.0.0.2', sport, dport: 80, seq: i, flags: 0x02, index: i + 1 }), []);
    }
    expect(tracker.size).toBe(100);
    tracker.finish();
    expect(r.log.length).toBe(n);
    expect(new Set(r.conns.map((c) => c.id)).size).toBe(n);
    expect(r.conns.every((c) => !c.live)).toBe(true);
  });
});

describe('connections()', () => {
  test('lists live connections in eviction order; traffic gives a connection a second chance', () => {
    const tracker = new TcpTracker({ maxConnections: 3 });
    const a = traceWith({ client: '10.0.0.1:1001' }, 'C>S S', 'C>S S seq=1000 t=0.010');
    const b = traceWith({ client: '10.0.0.1:1002' }, 'C>S S t=0.005');
    const c = traceWith({ client: '10.0.0.1:1003' }, 'C>S S t=0.006');
    const d = traceWith({ client: '10.0.0.1:1004' }, 'C>S S t=0.020');
    feed(tracker, [a[0], b[0], c[0], a[1]]);
    expect([...tracker.connections()].map((x) => x.id)).toEqual([0, 1, 2]);
    feed(tracker, d);
    // Connection 0 was active after it was listed: it moves to the front and 1 goes.
    expect([...tracker.connections()].map((x) => x.id)).toEqual([2, 0, 3]);
  });
});
