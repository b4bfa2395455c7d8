// summarize(): stable keys, plain JSON, units, close reasons and the Zeek-style history letters.

import { describe, expect, test } from 'vitest';
import { TcpTracker } from '../../src/tcp/tracker.js';
import { closeReason, summarize } from '../../src/tcp/summary.js';
import { feed, trace, traceWith } from '../helpers/trace.js';

const KEYS = [
  'id', 'client', 'server', 'midstream', 'roleRule', 'selfConnect', 'state', 'closeReason', 'closedFirstBy', 'startSec', 'startNsec',
  'durationUs', 'packets', 'payloadBytes', 'retransmittedBytes', 'handshakeRttUs', 'ackRttUs', 'mssBytes',
  'windowScale', 'sackPermitted', 'idleMaxUs', 'history',
];

function connOf(...lines: string[]) {
  return feed(new TcpTracker(), trace(...lines))[0].conn!;
}

describe('summarize', () => {
  test('has the same keys in the same order for every connection, and survives JSON', () => {
    const full = summarize(connOf('C>S S mss=1460 ws=7 sack', 'S>C SA mss=1400 ws=9 sack dt=0.02', 'C>S A',
      'C>S PA len=10', 'S>C PA len=20 dt=1.5', 'C>S FA', 'S>C FA', 'C>S A'));
    const bare = summarize(feed(new TcpTracker(), traceWith({ client: '10.0.0.2:80', server: '10.0.0.1:40000' },
      'C>S PA len=3'))[0].conn!);
    expect(Object.keys(full)).toEqual(KEYS);
    expect(Object.keys(bare)).toEqual(KEYS);
    expect(JSON.parse(JSON.stringify(full))).toEqual(full);
    expect(full).toMatchObject({
      id: 0,
      client: { addr: '10.0.0.1', port: 5000 },
      server: { addr: '10.0.0.2', port: 80 },
      midstream: false,
      roleRule: 'syn',
      selfConnect: false,
      state: { client: 'TIME_WAIT', server: 'CLOSED' },
      closeReason: 'fin-client-first',
      closedFirstBy: 'client',
      startSec: 1_700_000_000,
      startNsec: 0,
      packets: { client: 5, server: 3 },
      payloadBytes: { client: 10, server: 20 },
      retransmittedBytes: { client: 0, server: 0 },
      mssBytes: { client: 1460, server: 1400 },
      windowScale: { client: 7, server: 9 },
      sackPermitted: { client: true, server: true },
      history: 'ShADdFf',
    });
    expect(full.durationUs).toBeCloseTo(1_525_000, 3);
    expect(full.idleMaxUs).toBeCloseTo(1_500_000, 3);
    expect(full.handshakeRttUs).toBeCloseTo(21_000, 3);
    expect(bare).toMatchObject({
      midstream: true, roleRule: 'lower-port', closeReason: 'open', handshakeRttUs: null,
      mssBytes: { client: null, server: null }, windowScale: { client: null, server: null },
      ackRttUs: { client: null, server: null }, history: '^d',
    });
  });

  test('the duration spans the earliest and latest packet times, whatever their order (a merged capture stepping back)', () => {
    // First packet at 5 s, one at 4 s, the latest at 8 s, the last at 7 s: 4 s, not last minus first (2 s).
    const s = summarize(connOf('C>S S t=5', 'S>C SA t=6', 'C>S A t=4', 'C>S PA len=3 t=8', 'S>C A t=7'));
    expect(s.durationUs).toBe(4_000_000);
    expect(s.startSec).toBe(1_700_000_005);
    // In capture order it is the usual last minus first.
    expect(summarize(connOf('C>S S', 'S>C SA dt=0.25', 'C>S A dt=0.5')).durationUs).toBe(750_000);
  });

  test('close reasons', () => {
    expect(closeReason(connOf('C>S S', 'S>C SA', 'C>S A'))).toBe('open');
    expect(closeReason(connOf('C>S S'))).toBe('no-answer');
    expect(closeReason(connOf('C>S S', 'S>C RA'))).toBe('refused');
    expect(closeReason(connOf('C>S S', 'S>C SA', 'C>S A', 'C>S R'))).toBe('rst-client');
    expect(closeReason(connOf('C>S S', 'S>C SA', 'C>S A', 'S>C R'))).toBe('rst-server');
    expect(closeReason(connOf('C>S S', 'S>C SA', 'C>S A', 'S>C FA', 'C>S FA', 'S>C A'))).toBe('fin-server-first');
    expect(closeReason(connOf('C>S S', 'S>C SA', 'C>S A', 'S>C FA'))).toBe('half-closed');
  });

  test('history: Q and I for odd flag combinations, T repeated at the 10th retransmission', () => {
    expect(summarize(connOf('C>S SF')).history).toBe('SQF');
    expect(summarize(connOf('C>S S', 'S>C SA', 'C>S A', 'C>S FR')).history).toBe('ShAIFR');
    const lines = ['C>S S', 'S>C SA', 'C>S A', 'C>S PA len=10'];
    for (let i = 0; i < 10; i++) lines.push('C>S PA seq=1001 len=10 dt=0.3');
    expect(summarize(connOf(...lines)).history).toBe('ShADTT');
  });
});
