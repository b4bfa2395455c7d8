// Retired connections (TcpTracker.retire, RetiredConnections): a closed connection packed for its TIME_WAIT must
// come back equal in every field, and a tracker that retires every closed connection must say exactly what one that
// keeps them whole says, packet by packet, for stragglers of every kind; TIME_WAIT, port reuse and the table cap
// still apply to packed connections.

import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyze.js';
import { Connection } from '../../src/tcp/connection.js';
import type { Endpoint } from '../../src/tcp/endpoint.js';
import { RetiredConnections } from '../../src/tcp/retired.js';
import { summarize } from '../../src/tcp/summary.js';
import { TcpTracker } from '../../src/tcp/tracker.js';
import type { Packet } from '../../src/decode/packet.js';
import type { CaptureRecord } from '../../src/types.js';
import type { PacketEvent } from '../../src/report.js';
import { Codes } from '../../src/types.js';
import { etherIpv4Tcp, etherIpv6Tcp, record } from '../helpers/packet-builder.js';
import { feed, traceWith, type Step } from '../helpers/trace.js';

/** Tracker links and queue bookkeeping: where a connection sits, not what it is. */
const PLACEMENT = new Set(['hashNext', 'lruPrev', 'lruNext', 'listedNs', 'closedNext', 'closedPrev', 'closedQueuedNs', 'inClosedQueue', 'live']);

function endpointFields(ep: Endpoint): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ep)) out[k] = k === 'unacked' ? (v as Endpoint['unacked']).count : v;
  return out;
}

/** Every field of a connection but its placement in the tracker's lists. */
function fields(conn: Connection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(conn)) {
    if (PLACEMENT.has(k)) continue;
    if (k === 'ends') out[k] = conn.ends.map(endpointFields);
    else if (k === 'addrs') out[k] = [...(v as Uint8Array)];
    else out[k] = v;
  }
  return out;
}

describe('RetiredConnections', () => {
  test('a packed connection comes back equal in every field (each set to an unusual value)', () => {
    const conn = new Connection(7, Uint8Array.of(192, 0, 2, 1), 40001, Uint8Array.of(198, 51, 100, 7), 8080, true, 'known-server-port', 1_700_000_123, 456_789, 12.5e9, 99);
    // Every own field, whatever it is, gets a value its constructor does not give: a field added to Connection or
    // Endpoint but not to the packing shows up here.
    let k = 1;
    const states = ['SYN_SENT', 'TIME_WAIT', 'LAST_ACK', 'RESET'] as const;
    const fill = (o: Record<string, unknown>, skip: Set<string>) => {
      for (const key of Object.keys(o)) {
        if (skip.has(key)) continue;
        const v = o[key];
        if (typeof v === 'boolean') o[key] = !v;
        else if (typeof v === 'number') o[key] = key === 'resetBy' || key === 'closedFirstBy' ? 1 : key === 'winScale' || key === 'windowScaleOffered' ? 7 : key === 'historySeen' ? 200 : key === 'mptcpOps' ? 0xa5 - k++ : (2 ** 32 - 1) - k++ * 1000.5 + 0.5;
        else if (key === 'state') o[key] = states[k++ % states.length];
      }
    };
    fill(conn as unknown as Record<string, unknown>, new Set([...PLACEMENT, 'id', 'addrLen', 'clientPort', 'serverPort', 'hash', 'ends', 'addrs', 'roleRule', 'owner', 'midstream', 'startSec', 'startNsec', 'startNs', 'firstFrame',
      // Derived from the addresses and ports by the constructor, as the packed form rebuilds it.
      'selfConnect']));
    conn.hash = -123456789;
    conn.closed = true;
    conn.history = 'ShADadTtFfR';
    conn.ends[0].rttMinNs = Infinity;
    conn.ends[1].nextSeqTimeNs = -Infinity;
    // holeFrom mirrors holes (the missing ranges), kept beside the packed fields like the unacked queues.
    for (const ep of conn.ends) fill(ep as unknown as Record<string, unknown>, new Set(['unacked', 'holes', 'holeFrom']));
    conn.ends[1].unacked.push(5000, 12, 3.5e9, false);
    conn.ends[0].holes = [4294967000, 4294967100, 20, 30];
    conn.ends[0].holeFrom = 4294967000;
    const before = fields(conn);
    const table = new RetiredConnections();
    table.add(conn);
    expect(table.size).toBe(1);
    const slot = table.lookup(conn.hash, Uint8Array.of(198, 51, 100, 7), 8080, Uint8Array.of(192, 0, 2, 1), 40001);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(table.foundDir).toBe(1);
    const back = table.revive(slot);
    expect(fields(back)).toEqual(before);
    expect(back.ends[1].unacked).toBe(conn.ends[1].unacked);
    expect(back.ends[0].holes).toBe(conn.ends[0].holes);
    expect(back.ends[1].holes).toBeNull();
    expect(table.size).toBe(0);
    expect(table.lookup(conn.hash, Uint8Array.of(198, 51, 100, 7), 8080, Uint8Array.of(192, 0, 2, 1), 40001)).toBe(-1);
  });

  test('whole numbers are packed in 32 bits with an exact escape for the rest, and a reused slot shows nothing of an earlier escape', () => {
    const make = (id: number) => {
      const c = new Connection(id, Uint8Array.of(10, 0, 0, 1), 40000 + id, Uint8Array.of(10, 0, 0, 2), 80, false, 'syn', 1_700_000_000, 0, 0, id);
      c.closed = true;
      return c;
    };
    const table = new RetiredConnections();
    // Edges of the Uint32 + 1 encoding: -1 and 2^32 - 3 fit; 2^32 - 2, -2, -0, NaN and fractions take the escape.
    const odd = make(1);
    odd.ends[0].nextSeq = 2 ** 32 - 3;
    odd.ends[0].lastAck = 2 ** 32 - 2;
    odd.ends[0].finFrame = -1;
    odd.ends[0].finSeq = -2;
    odd.ends[1].window = -0;
    odd.ends[1].dupAckNum = NaN;
    odd.ends[1].packets = 2 ** 40;
    odd.lastFrame = 0.5;
    const before = fields(odd);
    table.add(odd);
    const slot = table.lookup(odd.hash, Uint8Array.of(10, 0, 0, 1), 40001, Uint8Array.of(10, 0, 0, 2), 80);
    const back = table.revive(slot);
    expect(fields(back)).toEqual(before);
    expect(Object.is(back.ends[1].window, -0)).toBe(true);
    expect(back.ends[1].dupAckNum).toBeNaN();
    // The slot is reused by a connection whose fields all fit: nothing escaped before shows through.
    const plain = make(2);
    plain.ends[0].lastAck = 12345;
    plain.ends[1].packets = 3;
    const plainBefore = fields(plain);
    table.add(plain);
    const again = table.lookup(plain.hash, Uint8Array.of(10, 0, 0, 1), 40002, Uint8Array.of(10, 0, 0, 2), 80);
    expect(fields(table.revive(again))).toEqual(plainBefore);
  });

  test('slots are reused, chains keep colliding entries apart, and the oldest comes first', () => {
    const table = new RetiredConnections();
    const make = (id: number) => {
      const c = new Connection(id, Uint8Array.of(10, 0, 0, 1), 1000 + id, Uint8Array.of(10, 0, 0, 2), 80, false, 'syn', 0, 0, id, id);
      c.hash = id % 3; // force collisions
      c.closed = true;
      c.reported = true;
      return c;
    };
    for (let id = 0; id < 3000; id++) table.add(make(id));
    expect(table.size).toBe(3000);
    for (let id = 0; id < 3000; id += 2) {
      const slot = table.lookup(id % 3, Uint8Array.of(10, 0, 0, 1), 1000 + id, Uint8Array.of(10, 0, 0, 2), 80);
      expect(table.id(slot)).toBe(id);
      table.remove(slot);
    }
    expect(table.size).toBe(1500);
    expect(table.id(table.oldest())).toBe(1);
    for (let id = 3000; id < 4000; id++) table.add(make(id));
    expect(table.size).toBe(2500);
    // Expiry goes in order of retirement and stops at the first one still in TIME_WAIT.
    table.expire(2000.5, 1000);
    expect(table.id(table.oldest())).toBe(1001);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.oldest()).toBe(-1);
    // clear() gives the storage back (the tables printed after a capture need none of it) and the table works on.
    expect(Object.values(table).filter((v) => ArrayBuffer.isView(v)).every((v) => (v as Uint8Array).length === 0)).toBe(true);
    expect(table.lookup(1 % 3, Uint8Array.of(10, 0, 0, 1), 1001, Uint8Array.of(10, 0, 0, 2), 80)).toBe(-1);
    table.add(make(5000));
    const slot = table.lookup(5000 % 3, Uint8Array.of(10, 0, 0, 2), 80, Uint8Array.of(10, 0, 0, 1), 6000);
    expect(table.id(slot)).toBe(5000);
    expect(table.foundDir).toBe(1);
    expect(table.size).toBe(1);
    table.expire(6000, 1000);
    expect(table.size).toBe(0);
  });
});

/** Packets of several connections in time order, frames renumbered. */
function interleave(...traces: Packet[][]): Packet[] {
  const all = traces.flat().sort((a, b) => a.record.tsSec - b.record.tsSec || a.record.tsNsec - b.record.tsNsec);
  all.forEach((p, i) => {
    p.record.index = i + 1;
  });
  return all;
}

/** What a step says, with the connection read as a summary (the object itself differs once it was packed). */
function said(step: Step): unknown {
  return { ...step, conn: step.conn === null ? null : summarize(step.conn) };
}

const SCENARIOS: Record<string, Packet[]> = {
  'FIN close, then a retransmitted FIN, its ACK, a RST and data': traceWith({},
    'C>S S', 'S>C SA', 'C>S A', 'C>S PA len=100', 'S>C PA len=300', 'C>S FA', 'S>C FA', 'C>S A',
    'S>C FA seq=5300 dt=2', 'C>S A dt=0.001', 'C>S R seq=1102 dt=10', 'C>S PA seq=1102 len=10 dt=20'),
  'refused, the SYN repeated, then a new ISN on the same ports': traceWith({ client: '10.0.0.3:6000' },
    'C>S S', 'S>C RA ack=1001', 'C>S S seq=1000 dt=3', 'S>C RA ack=1001', 'C>S S seq=9000 dt=3', 'S>C SA ack=9001', 'C>S A'),
  'reset with data in flight, then its retransmission': traceWith({ client: '10.0.0.4:6001' },
    'C>S S', 'S>C SA', 'C>S A', 'C>S PA len=100', 'C>S PA len=100', 'S>C RA ack=1101', 'C>S PA seq=1101 len=100 dt=1',
    'S>C R seq=5001 dt=0.5'),
  'simultaneous close, then both FINs again': traceWith({ client: '10.0.0.5:6002' },
    'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A', 'S>C A', 'C>S FA seq=1001 dt=1', 'S>C FA seq=5001 dt=1'),
  'IPv6: close, dup ACKs, a zero window after it': traceWith({ client: '[2001:db8::1]:7000', server: '[2001:db8::2]:80' },
    'C>S S', 'S>C SA', 'C>S A', 'C>S PA len=50', 'S>C A', 'S>C FA', 'C>S FA', 'S>C A', 'S>C A dt=1', 'S>C A dt=1',
    'C>S A win=0 dt=1'),
  'close, then the ports 61 s later (TIME_WAIT over: a new connection)': traceWith({ client: '10.0.0.6:6003' },
    'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A', 'C>S PA len=10 dt=61', 'S>C A'),
};

describe('TcpTracker.retire', () => {
  test.each(Object.keys(SCENARIOS))('%s: the same, packet by packet, as without retiring', (name) => {
    const packets = interleave(SCENARIOS[name]!);
    const whole = new TcpTracker({ texts: true });
    const packed = new TcpTracker({ texts: true });
    let retired = 0;
    let revived = 0;
    for (const p of packets) {
      const [a] = feed(whole, [p]);
      const [b] = feed(packed, [p]);
      expect(said(b!), `frame ${p.record.index}`).toEqual(said(a!));
      // A straggler's connection is packed again as soon as its packet is processed: no longer live.
      if (b!.conn !== null && !b!.conn.live && !b!.isNew) revived++;
      // Retire every closed connection at once, so that every later packet finds it packed.
      for (const c of [...packed.connections()]) {
        if (c.closed) {
          packed.retire(c);
          retired++;
        }
      }
      expect(packed.size).toBe(whole.size);
    }
    expect(retired).toBeGreaterThan(0);
    if (name.includes('61 s later')) {
      // Nothing to bring back: the late packet opens connection 1, midstream, in both trackers.
      expect(revived).toBe(0);
      expect(feed(new TcpTracker(), packets).map((s) => s.connId)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    } else {
      expect(revived).toBeGreaterThan(0);
    }
  });

  test('a straggler keeps its connection id and is analysed (retransmitted FIN, duplicate ACK)', () => {
    const tracker = new TcpTracker();
    const steps = feed(tracker, traceWith({}, 'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'));
    const conn = steps[5]!.conn!;
    expect(conn.closed).toBe(true);
    tracker.retire(conn);
    expect(conn.live).toBe(false);
    expect([tracker.size, tracker.retiredSize, [...tracker.connections()].length]).toEqual([1, 1, 0]);
    const late = feed(tracker, traceWith({ startSec: 1_700_000_005 }, 'S>C FA seq=5000 ack=1002', 'C>S A seq=1002 ack=5002'));
    expect(late.map((s) => s.connId)).toEqual([0, 0]);
    expect(late[0]!.flags).toContain(Codes.RETRANSMISSION);
    expect(late[1]!.flags).toContain(Codes.DUP_ACK);
    // Packed again after each packet.
    expect([tracker.size, tracker.retiredSize]).toEqual([1, 1]);
  });

  test('does nothing for an open connection or one with an owner', () => {
    const tracker = new TcpTracker();
    const open = feed(tracker, traceWith({}, 'C>S S', 'S>C SA', 'C>S A'))[2]!.conn!;
    tracker.retire(open);
    expect([tracker.retiredSize, open.live]).toEqual([0, true]);
    const closed = feed(tracker, traceWith({ client: '10.0.0.9:1' }, 'C>S S', 'S>C RA ack=1001'))[1]!.conn!;
    closed.owner = {};
    tracker.retire(closed);
    expect([tracker.retiredSize, closed.live]).toEqual([0, true]);
  });

  test('TIME_WAIT: a retired connection is forgotten 60 s after its last packet, as a whole one is evicted', () => {
    const tracker = new TcpTracker({ timeWaitSec: 60 });
    const conn = feed(tracker, traceWith({}, 'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'))[5]!.conn!;
    tracker.retire(conn);
    feed(tracker, traceWith({ client: '10.0.0.7:1', startSec: 1_700_000_059 }, 'C>S S'));
    expect(tracker.retiredSize).toBe(1);
    feed(tracker, traceWith({ client: '10.0.0.7:2', startSec: 1_700_000_061 }, 'C>S S'));
    expect(tracker.retiredSize).toBe(0);
  });

  test('the table cap forgets the oldest retired connection before it evicts a live one, and says so', () => {
    const evicted: number[] = [];
    const tracker = new TcpTracker({ maxConnections: 3, onEvict: (c) => evicted.push(c.id) });
    for (let i = 0; i < 2; i++) {
      const c = feed(tracker, traceWith({ client: `10.0.1.${i}:1000` }, 'C>S S', 'S>C RA ack=1001'))[1]!.conn!;
      c.reported = true;
      tracker.retire(c);
    }
    feed(tracker, traceWith({ client: '10.0.2.1:1000' }, 'C>S S'));
    expect([tracker.size, tracker.retiredSize]).toEqual([3, 2]);
    const [step] = feed(tracker, traceWith({ client: '10.0.2.2:1000' }, 'C>S S'));
    expect(step!.codes[0]).toBe(Codes.LIMIT);
    expect(step!.annotations[0]!.text).toMatch(/^connection table full \(3\): forgot closed connection 0 \(in TIME_WAIT, already reported\)/);
    expect([tracker.size, tracker.retiredSize]).toEqual([3, 1]);
    expect(evicted).toEqual([]);
  });

  test('a parked connection (retired before its report) is handed to onEvict whenever the tracker forgets it', () => {
    // The table cap: the oldest retired one goes first, reported now.
    const evicted: [number, string, boolean][] = [];
    // Not before an open connection less recently active: the least recently active goes, open or parked (as
    // --max-connections says), a parked one by its last packet.
    const tracker = new TcpTracker({ maxConnections: 2, onEvict: (c, why) => evicted.push([c.id, why, c.live]) });
    const T = 1_700_000_000;
    feed(tracker, traceWith({ client: '10.0.2.1:1000', startSec: T }, 'C>S S'));
    const parked = feed(tracker, traceWith({ client: '10.0.1.1:1000', startSec: T + 1 }, 'C>S S', 'S>C RA ack=1001'))[1]!.conn!;
    expect(tracker.retire(parked)).toBe(true);
    expect(tracker.parkedConnection(parked.id)!.ends[1].state).toBe(parked.ends[1].state);
    const [first] = feed(tracker, traceWith({ client: '10.0.2.2:1000', startSec: T + 2 }, 'C>S S'));
    expect(first!.annotations[0]!.text).toMatch(/^connection table full \(2\): evicted connection 0, idle 2\.000 s/);
    expect(evicted).toEqual([[0, 'limit', false]]);
    // Now the parked one (last packet at T + 1) is less recently active than the open one (T + 2).
    const [second] = feed(tracker, traceWith({ client: '10.0.2.3:1000', startSec: T + 3 }, 'C>S S'));
    expect(second!.annotations[0]!.text).toMatch(/^connection table full \(2\): evicted connection 1 \(closed, reported now\)/);
    expect(evicted).toEqual([[0, 'limit', false], [1, 'limit', false]]);
    expect(tracker.parkedConnection(1)).toBeNull();

    // TIME_WAIT over, and the end of the capture, in id order with the live ones.
    const ends: [number, string][] = [];
    const t2 = new TcpTracker({ onEvict: (c, why) => ends.push([c.id, why]) });
    const a = feed(t2, traceWith({ client: '10.0.3.1:1000', startSec: 1_700_000_000 }, 'C>S S', 'S>C RA ack=1001'))[1]!.conn!;
    t2.retire(a);
    feed(t2, traceWith({ client: '10.0.3.2:1000', startSec: 1_700_000_061 }, 'C>S S'));
    expect(ends).toEqual([[0, 'time-wait']]);
    const b = feed(t2, traceWith({ client: '10.0.3.3:1000', startSec: 1_700_000_062 }, 'C>S S', 'S>C RA ack=1001'))[1]!.conn!;
    t2.retire(b);
    feed(t2, traceWith({ client: '10.0.3.4:1000', startSec: 1_700_000_063 }, 'C>S S'));
    t2.markReported(b.id);
    const c = feed(t2, traceWith({ client: '10.0.3.5:1000', startSec: 1_700_000_064 }, 'C>S S', 'S>C RA ack=1001'))[1]!.conn!;
    t2.retire(c);
    t2.finish();
    // b (2) was reported (marked): the end hands over the live 1 and 3 and the parked c (4), in id order.
    expect([b.id, c.id]).toEqual([2, 4]);
    expect(ends).toEqual([[0, 'time-wait'], [1, 'end'], [3, 'end'], [4, 'end']]);
  });
});

/** A trace as capture records (Ethernet frames), for the Analyzer. */
function records(packets: Packet[]): CaptureRecord[] {
  return packets.map((p) => {
    const ip = p.ip!;
    const t = p.tcp!;
    const spec = { srcPort: t.srcPort, dstPort: t.dstPort, seq: t.seq, ack: t.ack, flags: t.flags, window: t.window, payload: new Uint8Array(t.payloadLen) };
    const text = (a: Uint8Array) => (a.length === 4 ? [...a].join('.') : [...Array(8).keys()].map((i) => ((a[2 * i]! << 8) | a[2 * i + 1]!).toString(16)).join(':'));
    const frame = ip.version === 4 ? etherIpv4Tcp({ src: text(ip.src), dst: text(ip.dst) }, spec) : etherIpv6Tcp({ src: text(ip.src), dst: text(ip.dst) }, spec);
    return record(frame, { index: p.record.index, tsSec: p.record.tsSec, tsNsec: p.record.tsNsec });
  });
}

describe('Analyzer with compactTimeWait', () => {
  const read = (ev: PacketEvent) => ({ frame: ev.frame, conn: ev.conn, dir: ev.dir, relSeq: ev.relSeq, relAck: ev.relAck, display: { ...ev.display }, annotations: ev.annotations.map((a) => ({ ...a })) });

  test.each([0, 5])('reported %i s after the close: the same events and reports, packed or not', (reportAfterCloseSec) => {
    const input = records(interleave(...Object.values(SCENARIOS).map((t) => t.map((p) => ({ ...p, record: { ...p.record } })))));
    const run = (compactTimeWait: boolean) => {
      const analyzer = new Analyzer({ reportAfterCloseSec, compactTimeWait });
      const events = input.map((r) => read(analyzer.push(r)));
      return { events, report: analyzer.finish() };
    };
    const packed = run(true);
    const whole = run(false);
    expect(packed.events).toEqual(whole.events);
    expect(packed.report).toEqual(whole.report);
    expect(packed.report.connections.length).toBeGreaterThan(6);
  });

  /** Events, onConnection order and the report of one run. */
  const runWith = (packets: Packet[], opts: Record<string, unknown>) => {
    const order: number[] = [];
    const analyzer = new Analyzer({ ...opts, onConnection: (r) => order.push(r.tcp.id) });
    const events = records(packets).map((r) => read(analyzer.push(r)));
    return { events, order, report: analyzer.finish() };
  };
  const T0 = 1_700_000_000;

  test('capture time going back: a connection that closed behind a later one still ends its TIME_WAIT on time', () => {
    // Connection 1 closes at T0 after connection 0 closed at T0 + 1000; its stragglers come 66 s after its close.
    const packets = [
      ...traceWith({ client: '10.0.0.1:5000', startSec: T0 + 1000 }, 'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'),
      ...traceWith({ client: '10.0.0.2:5001', startSec: T0 }, 'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'),
      ...traceWith({ client: '10.0.0.3:5002', startSec: T0 + 10 }, 'C>S S', 'C>S PA len=1 t=60', 'C>S PA len=1 t=62', 'C>S PA len=1 t=64'),
      ...traceWith({ client: '10.0.0.2:5001', startSec: T0 + 66 }, 'C>S A seq=1002 ack=5002', 'S>C FA seq=5001 ack=1002'),
    ];
    const packed = runWith(packets, {});
    const whole = runWith(packets, { compactTimeWait: false });
    expect(packed).toEqual(whole);
    // The stragglers find connection 1 gone (TIME_WAIT ended 60 s after its last packet): a new connection, 3.
    expect(packed.events.slice(-2).map((e) => e.conn)).toEqual([3, 3]);
  });

  test('the table cap forgets reported connections in the order they were reported, a straggler before the report or not', () => {
    const packets = interleave(
      traceWith({ client: '10.0.0.11:7000' }, 'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A', 'S>C FA seq=5001 t=2', 'C>S A'),
      traceWith({ client: '10.0.0.12:7000', startSec: T0 + 1 }, 'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'),
      traceWith({ client: '10.0.0.13:7000', startSec: T0 + 1 }, 'C>S S t=0.5', 'S>C SA', 'C>S A', 'C>S PA len=1 t=9'),
      traceWith({ client: '10.0.0.14:7000', startSec: T0 + 10 }, 'C>S S', 'S>C SA', 'C>S A'),
    );
    const limits = runWith(packets, { maxConnections: 3 }).events.flatMap((e) => e.annotations.filter((a) => a.code === Codes.LIMIT).map((a) => a.text));
    // Connection 0 closed first and was reported first (5 s after its close), its straggler notwithstanding.
    expect(limits).toHaveLength(1);
    expect(limits[0]).toMatch(/^connection table full \(3\): forgot closed connection 0 \(in TIME_WAIT, already reported\)/);
  });

  test('connections whose TIME_WAIT ends on the same packet are reported in the order they closed', () => {
    const traces = [0, 1, 2, 3, 4].map((i) => traceWith({ client: `10.0.1.${i}:6000` }, 'C>S S', 'S>C SA', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A'));
    const packets = [...traces.flat(), ...traceWith({ client: '10.0.9.9:6000', startSec: T0 + 2 }, 'C>S S')];
    const packed = runWith(packets, { timeWaitSec: 1 });
    expect(packed.order.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(packed).toEqual(runWith(packets, { timeWaitSec: 1, compactTimeWait: false }));
  });
});
