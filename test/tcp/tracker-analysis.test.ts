// Wireshark-style analysis flags through the tracker: one small trace per tcp.analysis.* flag, with the wording a
// reader sees. The exact precedence rules are covered in checks.test.ts and, against tshark, in tshark-parity.

import { describe, expect, test } from 'vitest';
import { Codes } from '../../src/types.js';
import { Analysis } from '../../src/tcp/codes.js';
import { TcpTracker } from '../../src/tcp/tracker.js';
import { summarize } from '../../src/tcp/summary.js';
import { feed, texts, trace } from '../helpers/trace.js';

const HANDSHAKE = ['C>S S', 'S>C SA', 'C>S A'];

function run(...lines: string[]) {
  return feed(new TcpTracker(), trace(...lines));
}

function annotation(step: { annotations: { code: string; text: string }[] }, code: string): string | undefined {
  return step.annotations.find((a) => a.code === code)?.text;
}

describe('analysis flags', () => {
  test('retransmission after a timeout, with the reference frame', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=100', 'C>S PA seq=1001 len=100 dt=0.2');
    expect(steps[4].flags).toEqual([Codes.RETRANSMISSION]);
    expect(annotation(steps[4], Codes.RETRANSMISSION)).toBe(
      'retransmission by client: 100 bytes at relative seq 1:101, RTO 200.0 ms from frame 4 (as tshark\'s tcp.analysis.rto_frame)');
    const s = summarize(steps[0].conn!);
    expect(s.retransmittedBytes).toEqual({ client: 100, server: 0 });
    expect(s.history).toBe('ShADT');
  });

  test('three duplicate ACKs then a fast retransmission', () => {
    // The server's second segment (relative 1001) is lost after the capture point; the client keeps asking for it.
    const steps = run(...HANDSHAKE,
      'S>C A len=1000', 'S>C A len=1000', 'S>C A len=1000', 'S>C A len=1000',
      'C>S A ack=6001', 'C>S A ack=6001', 'C>S A ack=6001', 'C>S A ack=6001',
      'S>C A seq=6001 len=1000 dt=0.002');
    expect(steps.slice(7, 11).map((s) => s.flags)).toEqual([[], [Codes.DUP_ACK], [Codes.DUP_ACK], [Codes.DUP_ACK]]);
    expect(texts(steps[8])).toBe('dup ack #1 of frame 8');
    expect(texts(steps[10])).toBe('dup ack #3 of frame 8');
    expect(steps[10].analysis & Analysis.DUP_ACK).toBeTruthy();
    expect(steps[11].flags).toEqual([Codes.RETRANSMISSION, Codes.FAST_RETRANSMISSION]);
    expect(annotation(steps[11], Codes.FAST_RETRANSMISSION)).toBe(
      'fast retransmission: the client sent 3 duplicate ACKs asking for relative seq 1001');
  });

  test('spurious retransmission: data already acknowledged', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'S>C A', 'C>S PA seq=1001 len=10 dt=0.5');
    expect(steps[5].flags).toEqual([Codes.RETRANSMISSION, Codes.SPURIOUS_RETRANSMISSION]);
  });

  test('out-of-order: an earlier segment arrives within the RTT', () => {
    const steps = run('C>S S', 'S>C SA dt=0.050', 'C>S A dt=0.050',
      'C>S A seq=2001 len=1000 dt=0.001', 'C>S A seq=1001 len=1000 dt=0.001');
    expect(steps[3].flags).toEqual([Codes.LOST_SEGMENT]);
    expect(steps[4].flags).toEqual([Codes.OUT_OF_ORDER]);
    expect(annotation(steps[3], Codes.LOST_SEGMENT)).toBe(
      'previous segment not captured: client\'s bytes before relative seq 1001 are missing');
  });

  test('ACKed unseen segment', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'S>C A ack=1111');
    expect(steps[4].flags).toEqual([Codes.ACK_LOST_SEGMENT]);
    expect(texts(steps[4])).toBe('ACKed unseen segment: ack 111 covers client data the capture does not contain');
  });

  test('zero window, zero window probe, probe ACK, then window update', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=100', 'S>C A win=0', 'C>S A len=1 dt=0.2', 'S>C A win=0 ack=1101',
      'S>C A win=8000 ack=1101');
    expect(steps[4].flags).toEqual([Codes.ZERO_WINDOW]);
    expect(steps[5].flags).toEqual([Codes.ZERO_WINDOW_PROBE]);
    expect(steps[6].flags).toEqual([Codes.ZERO_WINDOW, 'tcp.zero-window-probe-ack']);
    expect(steps[7].flags).toEqual([Codes.WINDOW_UPDATE]);
    expect(texts(steps[7])).toBe('window update: server window 0 → 8000 (unscaled)');
    expect(summarize(steps[0].conn!).history).toContain('w');
  });

  test('keep-alive and its ACK', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'S>C A', 'C>S A seq=1010 len=1 dt=60', 'S>C A');
    expect(steps[5].flags).toEqual([Codes.KEEP_ALIVE]);
    expect(steps[6].flags).toEqual([Codes.KEEP_ALIVE_ACK]);
  });

  test('window full, with the window scale from the SYNs', () => {
    // The server offers shift 2 and then 250 * 4 = 1000 bytes; the client fills them exactly.
    const steps = run('C>S S ws=7', 'S>C SA ws=2', 'C>S A', 'S>C A win=250', 'C>S PA len=1000');
    expect(steps[4].flags).toEqual([Codes.WINDOW_FULL]);
    const s = summarize(steps[0].conn!);
    expect(s.windowScale).toEqual({ client: 7, server: 2 });
  });

  test('a window scale option on a non-SYN segment changes that side\'s shift from its next segment on (as tshark)', () => {
    // packet-tcp.c stores the option from any segment: the server's ACK of 250 with shift 3 sets 250 * 8 = 2000
    // bytes for the next check (RFC 7323 would ignore it; Wireshark's tcp.analysis.window_full is the reference).
    const full = run('C>S S ws=7', 'S>C SA ws=2', 'C>S A', 'S>C A win=250 ws=3', 'C>S PA len=2000');
    expect(full.map((s) => s.flags)).toEqual([[], [], [], [Codes.WINDOW_UPDATE], [Codes.WINDOW_FULL]]);
    const notFull = run('C>S S ws=7', 'S>C SA ws=2', 'C>S A', 'S>C A win=250 ws=3', 'C>S PA len=1000');
    expect(notFull[4].flags).toEqual([]);
    // The summary keeps the shift offered in the SYN.
    expect(summarize(full[0].conn!).windowScale).toEqual({ client: 7, server: 2 });
  });

  test('no window full when the SYN had no window scale option and the peer unknown', () => {
    const steps = run('S>C A seq=1 ack=1 win=1000', 'C>S PA seq=1 ack=1 len=1000');
    expect(steps[1].flags).toEqual([]);
  });
});

describe('ACK RTT samples', () => {
  test('one sample per exactly acknowledged segment, none for retransmitted data (Karn)', () => {
    const steps = run('C>S S', 'S>C SA dt=0.01', 'C>S A dt=0.01',
      'C>S PA len=100 dt=0.001', 'S>C A dt=0.020',
      'C>S PA len=100 dt=0.001', 'C>S PA seq=1101 len=100 dt=0.3', 'S>C A dt=0.001');
    const s = summarize(steps[0].conn!);
    // The client's SYN (10 ms) and first segment (20 ms); the retransmitted one gives none.
    expect(s.ackRttUs.client).toEqual({ samples: 2, minUs: 10000, avgUs: 15000, maxUs: 20000 });
    // The server's SYN-ACK, acknowledged by the client's ACK 10 ms later.
    expect(s.ackRttUs.server).toEqual({ samples: 1, minUs: 10000, avgUs: 10000, maxUs: 10000 });
  });
});
