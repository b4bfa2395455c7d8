// TcpTracker connection life: every RFC 9293 transition as seen from the capture point, roles, port reuse, the
// annotations a reader sees, and sequence numbers that wrap. Packets come from the trace DSL in test/helpers.

import { describe, expect, test } from 'vitest';
import { Codes } from '../../src/types.js';
import { TcpTracker } from '../../src/tcp/tracker.js';
import { summarize } from '../../src/tcp/summary.js';
import { feed, makePacket, texts, trace, traceWith } from '../helpers/trace.js';

const HANDSHAKE = ['C>S S', 'S>C SA', 'C>S A'];

function run(...lines: string[]) {
  return feed(new TcpTracker(), trace(...lines));
}

describe('three-way handshake', () => {
  test('1/3, 2/3, 3/3 with RTT and states', () => {
    const steps = run('C>S S', 'S>C SA dt=0.07', 'C>S A dt=0.0001');
    // RFC 9293 §3.5 figure 6: the client is ESTABLISHED on receiving the SYN-ACK (line 3), the server on the ACK (line 4).
    expect(steps.map((s) => s.states)).toEqual([
      'SYN_SENT/CLOSED', 'ESTABLISHED/SYN_RECEIVED', 'ESTABLISHED/ESTABLISHED',
    ]);
    expect(texts(steps[0])).toBe('handshake 1/3: client 10.0.0.1:5000 opens (SYN) to 10.0.0.2:80, client SYN_SENT');
    expect(texts(steps[1])).toBe('handshake 2/3 (SYN-ACK): server 10.0.0.2:80 accepts, server SYN_RECEIVED, client ESTABLISHED');
    expect(texts(steps[2])).toBe('handshake 3/3 (ACK), RTT 70.1 ms, both ESTABLISHED');
    expect(steps.every((s) => s.codes.every((c) => c === Codes.HANDSHAKE))).toBe(true);
    expect(steps.map((s) => s.direction)).toEqual([0, 1, 0]);
    expect(steps.map((s) => s.connId)).toEqual([0, 0, 0]);
    expect(steps.map((s) => s.isNew)).toEqual([true, false, false]);
    expect(summarize(steps[0].conn!).handshakeRttUs).toBeCloseTo(70100, 6);
  });

  test('a retransmitted SYN changes nothing and is flagged as a retransmission', () => {
    const steps = run('C>S S seq=100', 'C>S S seq=100 dt=1', 'S>C SA', 'C>S A');
    expect(steps[1].states).toBe('SYN_SENT/CLOSED');
    expect(steps[1].codes).toEqual([Codes.RETRANSMISSION]);
    expect(steps[1].connId).toBe(0);
    expect(steps[3].states).toBe('ESTABLISHED/ESTABLISHED');
    // Karn's rule (RFC 6298 §3): which SYN the SYN-ACK answers is not known; the RTT says it is from the last one.
    expect(texts(steps[3])).toBe('handshake 3/3 (ACK), RTT 2.00 ms from the last of 2 SYNs (the SYN-ACK may answer an earlier one), both ESTABLISHED');
    // Two copies of one SYN a microsecond apart (a capture on two interfaces) are no retransmission to speak of.
    const copies = run('C>S S seq=100', 'C>S S seq=100 dt=0.000001', 'S>C SA dt=0.02', 'C>S A');
    expect(texts(copies[3])).toBe('handshake 3/3 (ACK), RTT 21.0 ms, both ESTABLISHED');
    // The server answered the first SYN with an ACK of what it still had on these ports; the client's RST cleared
    // that, and the SYN-ACK answers the second SYN: no ambiguity left (fixtures/real-stale-syn.pcap).
    const stale = run('C>S S seq=100', 'S>C A seq=7000 ack=55 dt=0.01', 'C>S R seq=55 dt=0.0001', 'C>S S seq=100 dt=0.01', 'S>C SA dt=0.01', 'C>S A');
    expect(texts(stale[5])).toBe('handshake 3/3 (ACK), RTT 11.0 ms, both ESTABLISHED');
    // After its SYN-ACK the server's data or ACK (a banner before the client's ACK is captured) leaves the note alone.
    for (const between of ['S>C PA len=9 dt=0.001', 'S>C A dt=0.001']) {
      const after = run('C>S S seq=100', 'C>S S seq=100 dt=1', 'S>C SA dt=0.01', between, 'C>S A dt=0.009');
      expect(texts(after[4])).toMatch(/^handshake 3\/3 \(ACK\), RTT 20\.0 ms from the last of 2 SYNs \(the SYN-ACK may answer an earlier one\)/);
    }
  });

  test('data without the third ACK completes the handshake too', () => {
    const steps = run('C>S S', 'S>C SA', 'C>S PA len=10');
    expect(steps[2].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(steps[2].codes).toEqual([Codes.HANDSHAKE, Codes.DATA]);
  });

  test('a one-sided capture: the client\'s ACK proves the missing SYN-ACK', () => {
    const steps = run('C>S S', 'C>S A ack=5001', 'C>S PA len=10');
    expect(steps[1].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(texts(steps[1])).toBe('handshake complete, RTT 1.00 ms, both ESTABLISHED | server CLOSED → ESTABLISHED (assumed: its SYN-ACK was not captured)');
  });

  test('the server sending data first shows it got the ACK; the third step is still the client\'s ACK', () => {
    const steps = run('C>S S', 'S>C SA', 'S>C PA len=10', 'C>S A dt=0.001');
    expect(steps[2].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(steps[2].codes).not.toContain(Codes.HANDSHAKE);
    expect(texts(steps[3])).toMatch(/^handshake 3\/3 \(ACK\), RTT 3\.00 ms, both ESTABLISHED/);
  });

  test('a SYN-ACK that acknowledges the SYN\'s data too (TCP Fast Open, RFC 7413) makes the client ESTABLISHED', () => {
    const steps = run('C>S S seq=1000 len=27', 'S>C SA seq=5000 ack=1028');
    expect(steps[1].states).toBe('ESTABLISHED/SYN_RECEIVED');
    expect(texts(steps[1])).toContain('client ESTABLISHED');
  });

  test('a SYN-ACK that does not acknowledge the SYN leaves the client SYN_SENT (RFC 9293 §3.10.7.3)', () => {
    const steps = run('C>S S seq=1000', 'S>C SA seq=5000 ack=777');
    expect(steps[1].states).toBe('SYN_SENT/SYN_RECEIVED');
    expect(texts(steps[1])).toBe('handshake 2/3 (SYN-ACK): server 10.0.0.2:80 accepts, server SYN_RECEIVED');
  });

  test('TCP Fast Open: the client\'s first ACK is the third step even after the server\'s data and FIN', () => {
    // RFC 7413 §4.2: the server may send data (and close) before the handshake's third segment arrives.
    const steps = run('C>S S seq=1000 len=27', 'S>C SA seq=5000 ack=1028', 'S>C PA seq=5001 ack=1028 len=100 dt=0.001',
      'S>C FA seq=5101 ack=1028', 'C>S A seq=1028 ack=5101 dt=0.002', 'C>S FA seq=1028 ack=5102', 'S>C A seq=5102 ack=1029');
    expect(steps[4].states).toBe('CLOSE_WAIT/FIN_WAIT_1');
    expect(texts(steps[4])).toBe('handshake 3/3 (ACK), RTT 5.00 ms, states already past it: client CLOSE_WAIT, server FIN_WAIT_1');
    expect(summarize(steps[0].conn!).handshakeRttUs).toBeCloseTo(5000, 6);
    expect(steps.filter((s) => texts(s).includes('handshake 3/3')).length).toBe(1);
  });

  test('a FIN on the SYN is taken by the server once its ACK covers it (stacks differ: RFC 9293 §3.10.7.2, §3.10.7.3)', () => {
    const steps = run('C>S SF seq=1000', 'S>C SA seq=5000 ack=1001', 'C>S A seq=1002 ack=5001', 'S>C A seq=5001 ack=1002',
      'S>C FA seq=5001 ack=1002', 'C>S A seq=1002 ack=5002');
    expect(steps.map((s) => s.states)).toEqual([
      'FIN_WAIT_1/CLOSED', 'FIN_WAIT_1/SYN_RECEIVED', 'FIN_WAIT_1/ESTABLISHED', 'FIN_WAIT_2/CLOSE_WAIT',
      'TIME_WAIT/LAST_ACK', 'TIME_WAIT/CLOSED',
    ]);
    expect(texts(steps[0])).toContain("client's SYN carries a FIN: stacks differ on taking it");
    // The client's ACK is the handshake's third step, its own state past ESTABLISHED already.
    expect(texts(steps[2])).toBe('handshake 3/3 (ACK), RTT 2.00 ms, states already past it: client FIN_WAIT_1, server ESTABLISHED' +
      " | previous segment not captured: client's bytes before relative seq 2 are missing");
    expect(texts(steps[3])).toContain("server ESTABLISHED → CLOSE_WAIT (got the client's FIN, sent on its SYN; this ACK covers it)");
    expect(texts(steps[4])).toContain('server CLOSE_WAIT → LAST_ACK (sent FIN)');
    expect(summarize(steps[0].conn!).closeReason).toBe('fin-client-first');
    expect(steps[5].conn!.closed).toBe(true);
    // The server's FIN with the ACK that covers the client's: taken first, then its own FIN (the connection closes).
    const withFin = run('C>S SF seq=1000', 'S>C SA seq=5000 ack=1001', 'S>C FA seq=5001 ack=1002', 'C>S A seq=1002 ack=5002');
    expect(texts(withFin[2])).toContain("server ESTABLISHED → CLOSE_WAIT → LAST_ACK (got the client's FIN, sent on its SYN; this ACK covers it, then sent FIN)");
    expect(withFin.map((s) => s.states).slice(2)).toEqual(['TIME_WAIT/LAST_ACK', 'TIME_WAIT/CLOSED']);
    expect(texts(withFin[3])).toMatch(/^handshake 3\/3 \(ACK\), RTT 3\.00 ms, states already past it: client TIME_WAIT, server LAST_ACK/);
    expect(withFin[3].conn!.closed).toBe(true);
    // A SYN-ACK that acknowledges the FIN too (4.4BSD): SYN_RECEIVED → CLOSE_WAIT (§3.10.7.4, eighth step).
    const bsd = run('C>S SF seq=1000', 'S>C SA seq=5000 ack=1002', 'C>S A seq=1002 ack=5001');
    expect(bsd[1].states).toBe('FIN_WAIT_2/CLOSE_WAIT');
    expect(texts(bsd[2])).toMatch(/^handshake 3\/3 \(ACK\), RTT 2\.00 ms/);
    // The server's data before the client's ACK: the third step still comes, at that ACK.
    const data = run('C>S SF seq=1000', 'S>C SA seq=5000 ack=1001', 'S>C PA seq=5001 ack=1001 len=10', 'C>S A seq=1002 ack=5011');
    expect(texts(data[3])).toMatch(/^handshake 3\/3 \(ACK\), RTT 3\.00 ms, states already past it: client FIN_WAIT_1, server ESTABLISHED/);
    // Answered by a RST (a closed port), the FIN is never taken.
    const refused = run('C>S SF seq=1000', 'S>C RA seq=0 ack=1001');
    expect(refused[1].states).toBe('RESET/CLOSED');
  });

  test('a simultaneous open whose second SYN carries a FIN completes once both SYNs are acknowledged', () => {
    const steps = run('C>S S seq=1000', 'S>C SF seq=5000', 'C>S SA seq=1000 ack=5002', 'S>C SA seq=5000 ack=1001', 'S>C A seq=5002 ack=1001');
    expect(texts(steps[3])).toMatch(/^handshake complete, RTT 3\.00 ms, states already past it: client CLOSE_WAIT, server FIN_WAIT_2/);
    expect(steps.filter((s) => /handshake complete/.test(texts(s))).length).toBe(1);
  });

  test('a FIN without ACK is held until the receiver\'s ACK covers it (RFC 9293 §3.10.7.4 fifth step drops it)', () => {
    const steps = run(...HANDSHAKE, 'C>S F seq=1001', 'S>C A seq=5001 ack=1001', 'S>C A seq=5001 ack=1002 dt=0.2');
    expect(steps[3].states).toBe('FIN_WAIT_1/ESTABLISHED');
    expect(texts(steps[3])).toContain("client's FIN comes without ACK: a receiver drops such a segment");
    expect(steps[4].states).toBe('FIN_WAIT_1/ESTABLISHED');
    expect(steps[5].states).toBe('FIN_WAIT_2/CLOSE_WAIT');
    expect(texts(steps[5])).toContain("server ESTABLISHED → CLOSE_WAIT (got the client's FIN, sent without ACK; this ACK covers it)");
  });

  test('a closed client\'s last ACK is no handshake step', () => {
    // The server closed before the client's ACK; the client, CLOSED after its FIN was acknowledged, sends a straggler.
    const steps = run('C>S S', 'S>C SA', 'S>C FA seq=5001 ack=1001', 'C>S F seq=1001', 'S>C A seq=5002 ack=1002',
      'C>S A seq=1002 ack=5002 dt=0.5');
    expect(steps[5].conn!.ends[0].state).toBe('CLOSED');
    expect(texts(steps[5])).not.toMatch(/handshake/);
  });

  test('a SYN+FIN repeating the SYN at a server already SYN_RECEIVED is held too (no ACK: §3.10.7.4 fifth step)', () => {
    const steps = run('C>S S seq=1000', 'S>C SA seq=5000 ack=1001', 'C>S SF seq=1000', 'S>C A seq=5001 ack=1001');
    expect(steps[2].states.endsWith('/SYN_RECEIVED')).toBe(true);
    expect(texts(steps[2])).toContain("client's SYN carries a FIN");
    expect(steps[3].conn!.ends[1].state).not.toBe('CLOSE_WAIT');
  });

  test('a simultaneous open completes once: no second handshake line at a later ACK', () => {
    const steps = run('C>S S seq=1000', 'S>C S seq=5000', 'S>C SA seq=5000 ack=1001', 'C>S SA seq=1000 ack=5001',
      'S>C FA seq=5001 ack=1001', 'C>S A seq=1001 ack=5002');
    expect(steps.filter((s) => s.codes.includes(Codes.HANDSHAKE) && /complete/.test(texts(s))).length).toBe(1);
    expect(texts(steps[5])).not.toMatch(/handshake/);
  });

  test('the server closing before the client\'s ACK is captured: its FIN reaches an ESTABLISHED client', () => {
    const steps = run('C>S S seq=1000', 'S>C SA seq=5000 ack=1001', 'S>C FA seq=5001 ack=1001', 'C>S A seq=1001 ack=5002',
      'C>S FA seq=1001 ack=5002', 'S>C A seq=5002 ack=1002');
    expect(steps.map((s) => s.states)).toEqual([
      'SYN_SENT/CLOSED', 'ESTABLISHED/SYN_RECEIVED', 'CLOSE_WAIT/FIN_WAIT_1', 'CLOSE_WAIT/FIN_WAIT_2',
      'LAST_ACK/TIME_WAIT', 'CLOSED/TIME_WAIT',
    ]);
    expect(texts(steps[2])).toContain('client ESTABLISHED → CLOSE_WAIT');
    expect(steps[5].codes).toContain(Codes.CLOSE);
  });

  test('simultaneous open (RFC 9293 §3.5 figure 7 as in tcp-split-handshake-01-4whs.pcap)', () => {
    const steps = run('C>S S seq=1000', 'S>C S seq=3000', 'C>S SA seq=1000 ack=3001', 'S>C A seq=3001 ack=1001',
      'C>S A len=4', 'S>C A', 'C>S R');
    // Each side is ESTABLISHED on receiving the SYN-ACK that acknowledges its SYN (§3.10.7.3, §3.10.7.4).
    expect(steps.map((s) => s.states)).toEqual([
      'SYN_SENT/CLOSED', 'SYN_SENT/SYN_SENT', 'SYN_RECEIVED/ESTABLISHED', 'ESTABLISHED/ESTABLISHED',
      'ESTABLISHED/ESTABLISHED', 'ESTABLISHED/ESTABLISHED', 'RESET/RESET',
    ]);
    expect(texts(steps[1])).toBe('simultaneous open: server sends its own SYN, server SYN_SENT');
    expect(texts(steps[2])).toMatch(/^simultaneous open: client answers the server's SYN \(SYN-ACK\), client SYN_RECEIVED, server ESTABLISHED \| /);
    expect(texts(steps[3])).toMatch(/^handshake complete, RTT 3\.00 ms, both ESTABLISHED$/);
    expect(new Set(steps.map((s) => s.connId))).toEqual(new Set([0]));
  });

  test('a socket connected to itself: one socket, a simultaneous open and close with itself (fixtures/real-self-connect.pcap)', () => {
    // Linux on loopback: SYN, SYN-ACK with the same ISN, an ACK, data, the ACK of the data, FIN, the ACK of the FIN.
    const self = (...lines: string[]) => feed(new TcpTracker(), traceWith({ client: '127.0.0.1:40123', server: '127.0.0.1:40123' }, ...lines));
    const steps = self('C>S S seq=1000', 'C>S SA seq=1000 ack=1001', 'C>S A seq=1001 ack=1001', 'C>S PA seq=1001 ack=1001 len=5',
      'C>S A seq=1006 ack=1006', 'C>S FA seq=1006 ack=1006 dt=0.05', 'C>S A seq=1007 ack=1007');
    expect(steps[0].conn!.selfConnect).toBe(true);
    expect(steps.map((s) => s.direction)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(steps.map((s) => s.states)).toEqual([
      'SYN_RECEIVED/SYN_RECEIVED', 'ESTABLISHED/ESTABLISHED', 'ESTABLISHED/ESTABLISHED', 'ESTABLISHED/ESTABLISHED',
      'ESTABLISHED/ESTABLISHED', 'CLOSING/CLOSING', 'TIME_WAIT/TIME_WAIT',
    ]);
    expect(texts(steps[0])).toBe('self-connect: 127.0.0.1:40123 opens (SYN) to itself; with no listener on its own port its SYN comes back to it, ' +
      'a simultaneous open with itself (RFC 9293 §3.5): client and server are one socket' +
      ' | socket SYN_SENT → SYN_RECEIVED (received its own SYN: a simultaneous open with itself)');
    expect(texts(steps[1])).toMatch(/^handshake complete with itself \(its own SYN-ACK received\), RTT 1\.00 ms, socket ESTABLISHED \| retransmission by client/);
    expect(texts(steps[3])).toBe('first data from socket: 5 bytes, relative seq 1:6');
    expect(texts(steps[5])).toBe('socket ESTABLISHED → FIN_WAIT_1 → CLOSING (sent FIN, then received its own FIN)');
    expect(texts(steps[6])).toBe('socket CLOSING → TIME_WAIT (its FIN acknowledged, by itself) | connection closed (the socket closed with itself; socket TIME_WAIT)');
    const summary = summarize(steps[0].conn!);
    expect(summary).toMatchObject({ selfConnect: true, closeReason: 'fin-simultaneous', closedFirstBy: 'client', handshakeRttUs: 1000 });
    // An abort: its RST is received by itself.
    const reset = self('C>S S seq=1000', 'C>S SA seq=1000 ack=1001', 'C>S A seq=1001 ack=1001', 'C>S RA seq=1001 ack=1001');
    expect(reset[3].states).toBe('RESET/RESET');
    expect(texts(reset[3])).toBe('reset by the socket, sent to itself, in ESTABLISHED: socket RESET');
    expect(summarize(reset[0].conn!).closeReason).toBe('rst-client');
    // Not captured in full: an ESTABLISHED socket that sent nothing more is open, not a SYN without answer.
    const quiet = self('C>S S seq=1000', 'C>S SA seq=1000 ack=1001', 'C>S A seq=1001 ack=1001');
    expect(summarize(quiet[0].conn!).closeReason).toBe('open');
    // A SYN with data (TCP Fast Open) to itself.
    const tfo = self('C>S S seq=1000 len=5', 'C>S SA seq=1000 ack=1006', 'C>S A seq=1006 ack=1006');
    expect(tfo.map((s) => s.states)).toEqual(['SYN_RECEIVED/SYN_RECEIVED', 'ESTABLISHED/ESTABLISHED', 'ESTABLISHED/ESTABLISHED']);
    expect(texts(tfo[0])).toContain('SYN carries 5 bytes of data');
    // A capture that starts at its SYN-ACK: one side, every packet.
    const fromSynAck = self('C>S SA seq=1000 ack=1001', 'C>S A seq=1001 ack=1001', 'C>S PA seq=1001 ack=1001 len=5');
    expect(fromSynAck.map((s) => s.direction)).toEqual([0, 0, 0]);
    expect(fromSynAck.map((s) => s.states)).toEqual(['ESTABLISHED/ESTABLISHED', 'ESTABLISHED/ESTABLISHED', 'ESTABLISHED/ESTABLISHED']);
    expect(texts(fromSynAck[0])).toBe('capture starts at the SYN-ACK of a socket connected to itself (127.0.0.1:40123 at both ends): its SYN was not captured' +
      ' | handshake complete with itself (its own SYN-ACK received), socket ESTABLISHED');
    // Its SYN-ACK not captured: the ACK of its SYN completes the handshake.
    const noSynAck = self('C>S S seq=1000', 'C>S A seq=1001 ack=1001 dt=0.001');
    expect(texts(noSynAck[1])).toBe('handshake complete with itself, RTT 1.00 ms, socket ESTABLISHED' +
      ' | socket SYN_RECEIVED → ESTABLISHED (its SYN acknowledged: its SYN-ACK was not captured)');
    // A capture that starts after its handshake.
    const mid = self('C>S PA seq=5000 ack=5000 len=10');
    expect(mid[0].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(texts(mid[0])).toMatch(/^capture starts mid-connection of a socket connected to itself \(127\.0\.0\.1:40123 at both ends\); assumed ESTABLISHED \| first data from socket/);
    // Its SYN alone (no SYN-ACK captured) is still a SYN without answer.
    expect(summarize(self('C>S S seq=1000')[0].conn!).closeReason).toBe('no-answer');
    // A SYN carrying its FIN: the handshake still completes at its SYN-ACK, once.
    const synFin = self('C>S SF seq=1000', 'C>S SA seq=1000 ack=1002', 'C>S A seq=1002 ack=1002');
    expect(texts(synFin[1])).toMatch(/^handshake complete with itself \(its own SYN-ACK received\), RTT 1\.00 ms/);
    expect(synFin.filter((s) => /handshake complete/.test(texts(s))).length).toBe(1);
    // Its port says nothing of a server: a later connection from that port, begun mid-stream, takes the lower port as
    // the server's as it would without the self-connect.
    const tracker = new TcpTracker();
    feed(tracker, traceWith({ client: '127.0.0.1:40123', server: '127.0.0.1:40123' }, 'C>S S seq=1000', 'C>S SA seq=1000 ack=1001'));
    const later = feed(tracker, traceWith({ client: '127.0.0.1:40123', server: '127.0.0.1:3000', startSec: 1_700_000_100 }, 'C>S PA seq=100 ack=200 len=5'));
    expect(later[0].conn!.serverPort).toBe(3000);
    expect(later[0].conn!.roleRule).toBe('lower-port');
    // Two sockets on one address are not one socket.
    const two = feed(new TcpTracker(), traceWith({ client: '127.0.0.1:40123', server: '127.0.0.1:40124' }, 'C>S S seq=1000'));
    expect(two[0].conn!.selfConnect).toBe(false);
    expect(texts(two[0])).toMatch(/^handshake 1\/3/);
  });

  test('SYN-ACK seen before the SYN (reordered capture)', () => {
    const tracker = new TcpTracker();
    const packets = trace('S>C SA seq=5000 ack=1001', 'C>S S seq=1000', 'C>S A', 'C>S PA len=5');
    const first = feed(tracker, packets.slice(0, 1));
    expect(first[0].codes).toEqual([Codes.MIDSTREAM, Codes.HANDSHAKE]);
    expect(texts(first[0])).toMatch(/capture starts at the SYN-ACK/);
    expect(first[0].conn!.midstream).toBe(true);
    expect(first[0].states).toBe('SYN_SENT/SYN_RECEIVED');
    const steps = [...first, ...feed(tracker, packets.slice(1))];
    expect(steps[1].codes).toEqual([Codes.HANDSHAKE]);
    expect(texts(steps[1])).toMatch(/reordered/);
    expect(steps[1].conn!.midstream).toBe(false);
    expect(steps[2].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(steps.map((s) => s.direction)).toEqual([1, 0, 0, 0]);
    expect(steps[0].conn!.history).toBe('^hSAD');
  });
});

// RFC 9293 §3.10.7.4, first check (Linux tcp_sequence): a segment outside the receive window is dropped, FIN and
// all; taken, a stray FIN (of an earlier incarnation of the ports, a forged one) closed an open connection.
describe('a FIN outside the receive window', () => {
  test('far ahead: no state change, said why, and the connection goes on', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=3', 'S>C A win=64000', 'C>S FA seq=1001004', 'S>C A', 'C>S PA len=4', 'S>C A');
    const fin = steps[5]!;
    expect(fin.states).toBe('ESTABLISHED/ESTABLISHED');
    expect(fin.segmentDropped).toBe(true);
    expect(texts(fin)).toMatch(/^FIN from client does not count: relative seq 1000004 is outside the server's receive window \(64000 bytes from 4; RFC 9293 §3\.10\.7\.4/);
    expect(steps[steps.length - 1]!.states).toBe('ESTABLISHED/ESTABLISHED');
    expect(summarize(steps[0]!.conn!).closeReason).toBe('open');
  });

  test('following the sender\'s data, it counts even past a stale window (the capture lacks the ACKs that opened it)', () => {
    const steps = run(...HANDSHAKE, 'S>C A win=2000', 'C>S PA len=1500', 'C>S PA len=1500', 'C>S FA');
    expect(steps[6]!.segmentDropped).toBe(false);
    expect(steps[6]!.states).toBe('FIN_WAIT_1/CLOSE_WAIT');
  });

  test('all before what the receiver acknowledged (an old FIN): dropped too', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=100', 'S>C A', 'C>S FA seq=1020');
    expect(steps[5]!.segmentDropped).toBe(true);
    expect(steps[5]!.states).toBe('ESTABLISHED/ESTABLISHED');
  });

  test('at the window\'s right edge, and ahead inside it (held: bytes before it missing), it counts', () => {
    const edge = run(...HANDSHAKE, 'S>C A win=1000', 'C>S FA seq=2001');
    expect(edge[4]!.segmentDropped).toBe(false);
    expect(edge[4]!.states).toBe('FIN_WAIT_1/ESTABLISHED');
    const inside = run(...HANDSHAKE, 'S>C A win=1000', 'C>S FA seq=1500');
    expect(inside[4]!.segmentDropped).toBe(false);
    expect(inside[4]!.states).toBe('FIN_WAIT_1/ESTABLISHED');
    expect(texts(inside[4]!)).toContain('holds it until they arrive');
  });

  test('not judged where the receiver\'s window scale is unknown (the handshake not captured)', () => {
    const steps = run('C>S A seq=1001 ack=5001', 'S>C A seq=5001 ack=1001 win=10', 'C>S FA seq=90000');
    expect(steps[2]!.segmentDropped).toBe(false);
  });
});

describe('teardown', () => {
  test('client closes first: FIN, ACK, FIN, ACK', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C A', 'S>C FA', 'C>S A');
    expect(steps.slice(3).map((s) => s.states)).toEqual([
      'FIN_WAIT_1/CLOSE_WAIT', 'FIN_WAIT_2/CLOSE_WAIT', 'TIME_WAIT/LAST_ACK', 'TIME_WAIT/CLOSED',
    ]);
    expect(steps[3].annotations).toEqual([
      { code: Codes.STATE, text: 'client ESTABLISHED → FIN_WAIT_1 (sent FIN, closes first)' },
      { code: Codes.STATE, text: 'server ESTABLISHED → CLOSE_WAIT (client closed first)' },
    ]);
    expect(texts(steps[4])).toBe('client FIN_WAIT_1 → FIN_WAIT_2 (its FIN acknowledged)');
    expect(texts(steps[5])).toBe('server CLOSE_WAIT → LAST_ACK (sent FIN) | client FIN_WAIT_2 → TIME_WAIT (got the server\'s FIN)');
    expect(steps[6].annotations).toEqual([
      { code: Codes.STATE, text: 'server LAST_ACK → CLOSED (its FIN acknowledged)' },
      { code: Codes.CLOSE, text: 'connection closed (client closed first; client TIME_WAIT, server CLOSED)' },
    ]);
    const s = summarize(steps[0].conn!);
    expect(s.closeReason).toBe('fin-client-first');
    expect(s.closedFirstBy).toBe('client');
    expect(s.history).toBe('ShAFaf');
  });

  test('server closes first, FIN-ACK answered by FIN-ACK (three segments)', () => {
    const steps = run(...HANDSHAKE, 'S>C FA', 'C>S FA', 'S>C A');
    expect(steps.slice(3).map((s) => s.states)).toEqual([
      'CLOSE_WAIT/FIN_WAIT_1', 'LAST_ACK/TIME_WAIT', 'CLOSED/TIME_WAIT',
    ]);
    expect(texts(steps[4])).toBe(
      'client CLOSE_WAIT → LAST_ACK (sent FIN) | server FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT (its FIN acknowledged, then got the client\'s FIN)');
    expect(summarize(steps[0].conn!).closeReason).toBe('fin-server-first');
  });

  test('simultaneous close: the FINs cross (RFC 9293 §3.6 figure 13)', () => {
    // Each FIN leaves before the other arrives: the server's FIN does not acknowledge the client's. The capture
    // point saw the client's FIN first and showed the server CLOSE_WAIT; the server's FIN proves it had not received
    // it, so the server closes actively after all, and both sides go through CLOSING to TIME_WAIT.
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C FA ack=1001', 'S>C A ack=1002', 'C>S A');
    expect(steps.slice(3).map((s) => s.states)).toEqual([
      'FIN_WAIT_1/CLOSE_WAIT', 'CLOSING/FIN_WAIT_1', 'TIME_WAIT/CLOSING', 'TIME_WAIT/TIME_WAIT',
    ]);
    expect(texts(steps[4])).toBe(
      'server CLOSE_WAIT → FIN_WAIT_1 (sent FIN before the client\'s reached it: its ACK does not cover that FIN, so the FINs crossed) | client FIN_WAIT_1 → CLOSING (simultaneous close)');
    expect(texts(steps[5])).toBe('server FIN_WAIT_1 → CLOSING (got the client\'s FIN) | client CLOSING → TIME_WAIT (its FIN acknowledged)');
    expect(texts(steps[6])).toBe(
      'server CLOSING → TIME_WAIT (its FIN acknowledged) | connection closed (simultaneous close; client TIME_WAIT, server TIME_WAIT)');
    expect(summarize(steps[0].conn!).closeReason).toBe('fin-simultaneous');
  });

  test('a FIN-ACK to an endpoint still in SYN_SENT is dropped there (RFC 9293 §3.10.7.3): it stays SYN_SENT', () => {
    const steps = run('C>S S', 'S>C FA seq=5000 ack=1001');
    expect(steps[1].states.split('/')[0]).toBe('SYN_SENT');
  });

  test('an earlier ACK that already covered the peer\'s FIN (captured out of order) rules out a crossing', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C A ack=1002', 'S>C FA ack=1001', 'C>S A');
    expect(steps.slice(3).map((s) => s.states)).toEqual(['FIN_WAIT_1/CLOSE_WAIT', 'FIN_WAIT_2/CLOSE_WAIT', 'TIME_WAIT/LAST_ACK', 'TIME_WAIT/CLOSED']);
  });

  test('data sent with a crossing FIN is not a half-close: the sender had not received the peer\'s FIN', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C FPA len=20 ack=1001');
    expect(texts(steps[4])).not.toContain('half-close');
    expect(texts(steps[4])).toContain('server CLOSE_WAIT → FIN_WAIT_1');
  });

  test('crossing FINs: the pending FIN arrives before the sender\'s next segment (segments arrive in order)', () => {
    // The client's ACK of the server's FIN comes before the server acknowledges the client's FIN: the client's FIN,
    // sent earlier, reached the server first.
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C FA ack=1001', 'C>S A', 'S>C A ack=1002');
    expect(steps.slice(3).map((s) => s.states)).toEqual([
      'FIN_WAIT_1/CLOSE_WAIT', 'CLOSING/FIN_WAIT_1', 'CLOSING/TIME_WAIT', 'TIME_WAIT/TIME_WAIT',
    ]);
    expect(texts(steps[5])).toBe('server FIN_WAIT_1 → CLOSING → TIME_WAIT (got the client\'s FIN, then its FIN acknowledged)');
  });

  test('half-close: the server keeps sending after the client\'s FIN', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=20', 'C>S FA', 'S>C A', 'S>C PA len=100', 'C>S A', 'S>C PA len=100',
      'C>S A', 'S>C FA', 'C>S A');
    expect(steps[6].states).toBe('FIN_WAIT_2/CLOSE_WAIT');
    expect(steps[6].annotations).toEqual([
      { code: Codes.DATA, text: 'first data from server: 100 bytes, relative seq 1:101' },
      { code: Codes.DATA, text: 'half-close: server still sends data after the client\'s FIN' },
    ]);
    expect(steps[8].codes).toEqual([]);
    expect(steps[11].states).toBe('TIME_WAIT/CLOSED');
    const s = summarize(steps[0].conn!);
    expect(s.payloadBytes).toEqual({ client: 20, server: 200 });
    expect(s.closeReason).toBe('fin-client-first');
  });

  test('bytes sent again after the peer\'s FIN are no half-close: a keep-alive\'s byte, a retransmission', () => {
    // The server's last byte again (a keep-alive one below SND.NXT), then its whole response again: sent before.
    const steps = run(...HANDSHAKE, 'C>S PA len=20', 'S>C PA len=40', 'C>S FA', 'S>C PA seq=5040 len=1', 'S>C PA seq=5001 len=40',
      'S>C PA seq=5041 len=10');
    expect(steps[6].states).toBe('FIN_WAIT_2/CLOSE_WAIT');
    expect(texts(steps[6])).not.toContain('half-close');
    expect(texts(steps[7])).not.toContain('half-close');
    // New bytes are.
    expect(texts(steps[8])).toContain('half-close: server still sends data after the client\'s FIN');
  });

  test('only one FIN by the end of the capture: half-closed', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C A');
    expect(summarize(steps[0].conn!).closeReason).toBe('half-closed');
  });

  test('a retransmitted FIN changes nothing', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'C>S FA seq=1001 dt=0.3');
    expect(steps[4].states).toBe('FIN_WAIT_1/CLOSE_WAIT');
    expect(steps[4].codes).toEqual([Codes.RETRANSMISSION]);
  });
});

describe('reset', () => {
  // A prefix that leaves the connection in the named states, then a RST from client or server.
  const cases: Array<[string, string[], 'C>S' | 'S>C', string, string]> = [
    ['SYN_SENT (client gives up)', ['C>S S'], 'C>S', 'reset by client in SYN_SENT, client RESET', 'RESET/CLOSED'],
    ['SYN_RECEIVED (the client, ESTABLISHED by the SYN-ACK, aborts)', ['C>S S', 'S>C SA'], 'C>S', 'reset by client in ESTABLISHED, both RESET', 'RESET/RESET'],
    ['SYN_RECEIVED (server aborts)', ['C>S S', 'S>C SA'], 'S>C', 'reset by server in SYN_RECEIVED, both RESET', 'RESET/RESET'],
    ['ESTABLISHED', HANDSHAKE, 'S>C', 'reset by server in ESTABLISHED, both RESET', 'RESET/RESET'],
    ['FIN_WAIT_1', [...HANDSHAKE, 'C>S FA'], 'S>C', 'reset by server in CLOSE_WAIT, both RESET', 'RESET/RESET'],
    ['FIN_WAIT_2', [...HANDSHAKE, 'C>S FA', 'S>C A'], 'C>S', 'reset by client in FIN_WAIT_2, both RESET', 'RESET/RESET'],
    ['CLOSE_WAIT', [...HANDSHAKE, 'C>S FA', 'S>C A'], 'S>C', 'reset by server in CLOSE_WAIT, both RESET', 'RESET/RESET'],
    ['CLOSING', [...HANDSHAKE, 'C>S FA', 'S>C FA ack=1001'], 'C>S', 'reset by client in CLOSING, both RESET', 'RESET/RESET'],
    ['LAST_ACK', [...HANDSHAKE, 'S>C FA', 'C>S FA'], 'C>S', 'reset by client in LAST_ACK, both RESET', 'RESET/RESET'],
    ['TIME_WAIT with the peer in LAST_ACK', [...HANDSHAKE, 'C>S FA', 'S>C FA'], 'C>S', 'reset by client in TIME_WAIT, both RESET', 'RESET/RESET'],
  ];
  test.each(cases)('RST in %s', (_name, prefix, dir, text, states) => {
    const steps = run(...prefix, `${dir} RA`);
    const last = steps[steps.length - 1];
    expect(last.annotations[0]).toEqual({ code: Codes.RST, text });
    expect(last.states).toBe(states);
    const s = summarize(last.conn!);
    expect(s.closeReason).toBe(dir === 'C>S' ? 'rst-client' : 'rst-server');
  });

  test('RST after both sides closed changes nothing', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C FA', 'C>S A', 'C>S R seq=1002');
    const last = steps[steps.length - 1];
    expect(texts(last)).toBe('reset by client after the connection closed (no state change)');
    expect(last.states).toBe('TIME_WAIT/CLOSED');
    expect(summarize(last.conn!).closeReason).toBe('fin-client-first');
  });

  test('RST to an endpoint in TIME_WAIT at its RCV.NXT ends the TIME_WAIT (RFC 9293 §3.10.7.4, Linux without tcp_rfc1337)', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C FA', 'C>S A', 'S>C R seq=5002');
    const last = steps[steps.length - 1];
    expect(texts(last)).toBe('reset by server after the connection closed | client TIME_WAIT → CLOSED (TIME_WAIT ended by the RST, RFC 9293 §3.10.7.4)');
    expect(last.states).toBe('CLOSED/CLOSED');
    expect(summarize(last.conn!).closeReason).toBe('fin-client-first');
    // Anywhere else in sequence space it is dropped (Linux sends nothing back, the TIME_WAIT stays).
    const off = run(...HANDSHAKE, 'C>S FA', 'S>C FA', 'C>S A', 'S>C R seq=5100');
    expect(texts(off[off.length - 1]!)).toBe('reset by server after the connection closed (no state change)');
    expect(off[off.length - 1]!.states).toBe('TIME_WAIT/CLOSED');
  });

  test('RST after a FIN: the reset ends it, the FIN sender closed first', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C RA');
    const s = summarize(steps[0].conn!);
    expect(s.closeReason).toBe('rst-server');
    expect(s.closedFirstBy).toBe('client');
  });

  test('refused: SYN answered by RST-ACK', () => {
    const steps = run('C>S S', 'S>C RA seq=0 ack=1001');
    expect(steps[1].annotations).toEqual([{
      code: Codes.REFUSED,
      text: 'connection refused: server 10.0.0.2:80 answers the SYN with RST, client SYN_SENT → RESET',
    }]);
    expect(steps[1].states).toBe('RESET/CLOSED');
    const s = summarize(steps[0].conn!);
    expect(s.closeReason).toBe('refused');
    expect(s.history).toBe('Sr');
  });

  test('a RST in SYN_SENT that does not acknowledge the SYN is dropped (tcp_rst-inject-rae.pcap)', () => {
    const steps = run('C>S S seq=1000', 'S>C RA seq=0 ack=1000', 'S>C SA seq=5000 ack=1001', 'C>S A', 'C>S PA len=25');
    expect(steps[1].annotations).toEqual([{
      code: Codes.RST,
      text: 'RST from server does not count: its ACK does not acknowledge the SYN (RFC 9293 §3.10.7.3); no state change',
    }]);
    expect(steps[1].states).toBe('SYN_SENT/CLOSED');
    expect(steps[3].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(summarize(steps[0].conn!).closeReason).toBe('open');
  });

  test('a RST outside the receiver\'s window is dropped; inside it, only one at RCV.NXT resets (RFC 5961 §3.2)', () => {
    const steps = run(...HANDSHAKE, 'S>C A win=1000', 'C>S R seq=999999', 'C>S R seq=1500', 'S>C A ack=1001', 'C>S R seq=1001',
      'C>S R seq=1001');
    expect(texts(steps[4])).toMatch(/^RST from client does not count: its sequence number is outside the server's receive window/);
    // In the window but not at the server's RCV.NXT (1001): the server answers with a challenge ACK and stays, and
    // nothing changes (an injected RST leaves its alleged sender talking); the client's next RST, at RCV.NXT, is the
    // one that resets both (Linux does this).
    expect(steps[5].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(texts(steps[5])).toBe("RST from client does not count: relative seq 500 is not the server's next expected 1 (RFC 5961 §3.2: it answers with a challenge ACK); no state change");
    expect(steps[6].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(steps[7].states).toBe('RESET/RESET');
    expect(texts(steps[7])).toBe('reset by client in ESTABLISHED, both RESET');
    expect(texts(steps[8])).toBe('reset by client after the connection closed (no state change)');
    expect(summarize(steps[0].conn!).closeReason).toBe('rst-client');
  });

  test('RFC 5961 also takes RCV.NXT - 1 after a FIN, and the right edge of bytes that arrived out of order', () => {
    // The client's FIN took 1001: a RST at 1001 is RCV.NXT - 1 for the server in CLOSE_WAIT (Linux tcp_reset_check).
    const afterFin = run(...HANDSHAKE, 'C>S FA', 'C>S R seq=1001');
    expect(afterFin[3].states).toBe('FIN_WAIT_1/CLOSE_WAIT');
    expect(afterFin[4].states).toBe('RESET/RESET');
    // Even once the server acknowledged the FIN (RCV.NXT 1002, so 1001 lies below the window): the RST that answers a
    // request which crossed the FIN carries exactly that number, and Linux takes it (tcp_reset_check).
    const acked = run(...HANDSHAKE, 'C>S FA', 'S>C A ack=1002', 'C>S R seq=1001');
    expect(acked[5].states).toBe('RESET/RESET');
    const below = run(...HANDSHAKE, 'C>S FA', 'S>C A ack=1002', 'C>S R seq=1000');
    expect(below[5].states).toBe('FIN_WAIT_2/CLOSE_WAIT');
    // 1011:1021 missing: RCV.NXT is 1011; 1031, the right edge of what arrived beyond it, resets too.
    const edge = run(...HANDSHAKE, 'C>S PA len=10', 'C>S PA seq=1021 len=10', 'C>S R seq=1031');
    expect(edge[5].states).toBe('RESET/RESET');
    const hole = run(...HANDSHAKE, 'C>S PA len=10', 'C>S PA seq=1021 len=10', 'C>S R seq=1011');
    expect(hole[5].states).toBe('RESET/RESET');
    const between = run(...HANDSHAKE, 'C>S PA len=10', 'C>S PA seq=1021 len=10', 'C>S R seq=1015');
    expect(between[5].states).toBe('ESTABLISHED/ESTABLISHED');
  });

  test('a RST from SYN_SENT that answers an ACK not acknowledging its SYN leaves the opener in SYN_SENT (RFC 9293 §3.10.7.3)', () => {
    // A stale connection on these ports: the server answers the new SYN with the old connection's ACK (RFC 5961 §4),
    // the client resets that with <SEQ=SEG.ACK>, retransmits its SYN, and the handshake goes on (a NAT's stale mapping).
    const steps = run('C>S S seq=1000', 'S>C A seq=7000 ack=555', 'C>S R seq=555', 'C>S S seq=1000 dt=1', 'S>C SA seq=9000 ack=1001', 'C>S A');
    expect(steps[2].states).toBe('SYN_SENT/CLOSED');
    expect(texts(steps[2])).toBe("RST from client in SYN_SENT answers the server's ACK, which does not acknowledge its SYN (RFC 9293 §3.10.7.3): client stays SYN_SENT; the RST is for what the server still had on these ports");
    expect(steps[5].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(summarize(steps[0].conn!).closeReason).not.toMatch(/^rst/);
    // A SYN-ACK that acknowledges another SYN: the client's RST answers it at the server's RCV.NXT, which takes it.
    const bad = run('C>S S seq=1000', 'S>C SA seq=5000 ack=777', 'C>S R seq=777');
    expect(bad[2].states).toBe('SYN_SENT/RESET');
  });

  test('missing bytes: not when the peer acknowledged them; filled from either side; every range kept', () => {
    // The server acknowledged 1101:1201 that the capture missed: nothing missing before the FIN (CLOSE_WAIT at once).
    const acked = run(...HANDSHAKE, 'C>S PA len=100', 'S>C PA len=50 ack=1201', 'C>S FA seq=1201 ack=5051');
    expect(acked[5].states).toBe('FIN_WAIT_1/CLOSE_WAIT');
    // Segments arriving right to left fill the range between: every byte seen, so the FIN is taken.
    const leftward = run(...HANDSHAKE, 'C>S PA len=100', 'C>S PA seq=1301 len=100', 'C>S PA seq=1201 len=100', 'C>S PA seq=1101 len=100', 'C>S FA seq=1401');
    expect(leftward[7].states).toBe('FIN_WAIT_1/CLOSE_WAIT');
    // Two ranges missing: the first one's retransmission is not enough, the second one's is.
    const two = run(...HANDSHAKE, 'C>S PA len=100', 'C>S PA seq=1201 len=100', 'C>S PA seq=1401 len=100', 'C>S FA seq=1501',
      'C>S PA seq=1101 len=100', 'C>S PA seq=1301 len=100');
    expect(two[6].states).toBe('FIN_WAIT_1/ESTABLISHED');
    expect(two[7].states).toBe('FIN_WAIT_1/ESTABLISHED');
    expect(two[8].states).toBe('FIN_WAIT_1/CLOSE_WAIT');
  });

  test('a probe below SND.NXT does not set what the stream has reached (a mid-stream capture of keep-alives)', () => {
    // Linux keep-alive probes carry SND.NXT - 1; the timeout RST that follows carries SND.NXT and counts.
    const steps = run('C>S A seq=1000 ack=5000', 'C>S A seq=1000 ack=5000 dt=75', 'C>S R seq=1001 dt=75');
    expect(steps[2].states).toBe('RESET/RESET');
  });

  test('a SYN-ACK with a new ISN starts the stream over: no hole from the old numbers, a RST at the new RCV.NXT resets', () => {
    // The server's first SYN-ACK (ISN 5000) is superseded by one with ISN 1000 (lower): a RST at 1001 is at RCV.NXT.
    const steps = run('C>S S', 'S>C SA seq=5000', 'S>C SA seq=1000 ack=1001', 'C>S A ack=1001', 'S>C R seq=1001');
    expect(steps[4].states).toBe('RESET/RESET');
  });

  test('a FIN after missing bytes is held until they arrive, or until the receiver acknowledges it (RFC 9293 §3.10.7.4)', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'C>S FA seq=1021', 'S>C A ack=1011', 'C>S PA seq=1011 len=10', 'S>C A');
    expect(steps[4].states).toBe('FIN_WAIT_1/ESTABLISHED');
    expect(texts(steps[4])).toContain("client ESTABLISHED → FIN_WAIT_1 (sent FIN, closes first) | client's FIN arrives before bytes it follows (relative seq 11:21 missing): the server holds it until they arrive (RFC 9293 §3.10.7.4), server stays ESTABLISHED");
    expect(steps[5].states).toBe('FIN_WAIT_1/ESTABLISHED');
    expect(steps[6].states).toBe('FIN_WAIT_1/CLOSE_WAIT');
    expect(texts(steps[6])).toContain("server ESTABLISHED → CLOSE_WAIT (got the client's FIN, held until the bytes before it arrived)");
    expect(steps[7].states).toBe('FIN_WAIT_2/CLOSE_WAIT');
    // The retransmission not captured (lost again, or a one-sided capture): the server's ACK of the FIN shows it taken.
    const acked = run(...HANDSHAKE, 'C>S PA len=10', 'C>S FA seq=1021', 'S>C A ack=1022');
    expect(acked[5].states).toBe('FIN_WAIT_2/CLOSE_WAIT');
    // The server closes too while the client's FIN is held: the client gets the server's FIN at once (CLOSING), the
    // server meets the client's in FIN_WAIT_1 once the bytes before it arrive, with the ACK of its own FIN.
    const crossed = run(...HANDSHAKE, 'C>S PA len=10', 'C>S FA seq=1021', 'S>C FA ack=1011', 'C>S PA seq=1011 len=10 ack=5002');
    expect(crossed[5].states).toBe('CLOSING/FIN_WAIT_1');
    expect(crossed[6].states).toBe('CLOSING/TIME_WAIT');
    expect(texts(crossed[6])).toContain('server FIN_WAIT_1 → CLOSING → TIME_WAIT (simultaneous close, held until the bytes before it arrived, then its FIN acknowledged)');
  });

  test('RST carrying data is said so', () => {
    const steps = run(...HANDSHAKE, 'S>C RA len=58');
    expect(steps[3].codes).toEqual([Codes.RST, Codes.DATA]);
  });
});

describe('unanswered and unfinished', () => {
  test('SYN without answer', () => {
    const steps = run('C>S S', 'C>S S seq=1000 dt=1', 'C>S S seq=1000 dt=2');
    const s = summarize(steps[0].conn!);
    expect(s.closeReason).toBe('no-answer');
    expect(s.state).toEqual({ client: 'SYN_SENT', server: 'CLOSED' });
    expect(s.history).toBe('ST');
    expect(s.packets).toEqual({ client: 3, server: 0 });
  });

  test('a long silence is noted on the packet that ends it', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=5 dt=12.5', 'S>C A dt=9');
    expect(steps[3].annotations[0]).toEqual({ code: Codes.IDLE, text: 'connection idle for 12.500 s before this packet' });
    expect(steps[4].codes).toEqual([]);
    expect(summarize(steps[0].conn!).idleMaxUs).toBe(12_500_000);
  });

  test('capture ending mid-connection: finish() hands over the open connection', () => {
    const evicted: string[] = [];
    const tracker = new TcpTracker({ onEvict: (c, why) => evicted.push(`${c.id}:${why}:${summarize(c).closeReason}`) });
    feed(tracker, trace(...HANDSHAKE, 'C>S PA len=10'));
    expect(tracker.size).toBe(1);
    tracker.finish();
    expect(evicted).toEqual(['0:end:open']);
    expect(tracker.size).toBe(0);
  });
});

describe('midstream roles', () => {
  test('lower port is the server', () => {
    const steps = feed(new TcpTracker(), traceWith({ client: '10.0.0.2:80', server: '10.0.0.1:40000' },
      'C>S PA seq=500 ack=900 len=100', 'S>C A'));
    const conn = steps[0].conn!;
    expect(conn.roleRule).toBe('lower-port');
    expect(conn.serverPort).toBe(80);
    expect(steps[0].direction).toBe(1);
    expect(steps[0].codes).toEqual([Codes.MIDSTREAM, Codes.DATA]);
    expect(steps[0].annotations[0].text).toBe(
      'capture starts mid-connection; roles inferred: server 10.0.0.2:80 (lower port), client 10.0.0.1:40000; both assumed ESTABLISHED');
    expect(steps[0].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(conn.history.startsWith('^')).toBe(true);
    expect(summarize(conn).midstream).toBe(true);
  });

  test('a port seen earlier as a SYN target wins over the lower port', () => {
    const tracker = new TcpTracker();
    feed(tracker, traceWith({ client: '10.0.0.1:1000', server: '10.0.0.2:8080' }, 'C>S S'));
    const steps = feed(tracker, traceWith({ client: '10.0.0.3:8080', server: '10.0.0.4:2000' }, 'C>S PA len=5'));
    const conn = steps[0].conn!;
    expect(conn.roleRule).toBe('known-server-port');
    expect(conn.serverPort).toBe(8080);
    expect(conn.clientPort).toBe(2000);
  });

  test('equal ports: the first sender is the client', () => {
    const steps = feed(new TcpTracker(), traceWith({ client: '10.0.0.1:179', server: '10.0.0.2:179' }, 'C>S PA len=19'));
    expect(steps[0].conn!.roleRule).toBe('first-sender');
    expect(steps[0].direction).toBe(0);
  });

  test('a midstream FIN as first packet', () => {
    const steps = run('C>S FA seq=100 ack=200');
    expect(steps[0].codes).toEqual([Codes.MIDSTREAM, Codes.STATE, Codes.STATE]);
    expect(steps[0].states).toBe('FIN_WAIT_1/CLOSE_WAIT');
  });

  test('a lone RST (tcp_rst_data.pcap)', () => {
    const steps = run('S>C RA seq=100 ack=200 len=58');
    expect(steps[0].codes).toEqual([Codes.MIDSTREAM, Codes.RST, Codes.DATA]);
    expect(texts(steps[0])).toMatch(/reset by server in ESTABLISHED \(assumed\), both RESET/);
  });
});

describe('connections per 4-tuple and lifetime', () => {
  test('a new SYN with another ISN after close starts connection 1 (port reuse)', () => {
    const steps = run(...HANDSHAKE, 'C>S FA', 'S>C FA', 'C>S A', 'C>S S seq=90000 dt=5', 'S>C SA seq=7000', 'C>S A');
    expect(steps.map((s) => s.connId)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(steps[6].isNew).toBe(true);
    expect(steps[6].codes).toEqual([Codes.PORT_REUSE, Codes.HANDSHAKE]);
    expect(steps[8].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(steps[0].conn!.live).toBe(false);
  });

  test('a SYN with another ISN while open also starts a new connection (tshark tcp.stream rule)', () => {
    const reasons: string[] = [];
    const tracker = new TcpTracker({ onEvict: (c, why) => reasons.push(`${c.id}:${why}`) });
    const steps = feed(tracker, trace(...HANDSHAKE, 'C>S S seq=424242'));
    expect(steps[3].connId).toBe(1);
    expect(reasons).toEqual(['0:reused']);
  });

  test('the same SYN again after a RST stays in the connection', () => {
    const steps = run('C>S S seq=100', 'S>C RA ack=101', 'C>S S seq=100 dt=3');
    expect(steps.map((s) => s.connId)).toEqual([0, 0, 0]);
  });

  test('ids follow first packets across interleaved connections', () => {
    const tracker = new TcpTracker();
    const a = traceWith({ client: '10.0.0.1:1111' }, ...HANDSHAKE);
    const b = traceWith({ client: '10.0.0.1:2222' }, ...HANDSHAKE);
    const steps = feed(tracker, [a[0], b[0], a[1], b[1], a[2], b[2]]);
    expect(steps.map((s) => s.connId)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(tracker.size).toBe(2);
  });

  test('IPv6', () => {
    const steps = feed(new TcpTracker(), traceWith({ client: '[2001:db8::1]:5000', server: '[2001:db8::2]:443' }, ...HANDSHAKE));
    expect(texts(steps[0])).toMatch(/client \[2001:db8::1\]:5000 opens \(SYN\) to \[2001:db8::2\]:443/);
    expect(summarize(steps[0].conn!).server).toEqual({ addr: '2001:db8::2', port: 443 });
  });

  test('packets without TCP are passed over', () => {
    const tracker = new TcpTracker();
    const p = makePacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, flags: 0 });
    const r = tracker.push({ ...p, tcp: null }, []);
    expect(r.conn).toBeNull();
    expect(r.connId).toBe(-1);
    expect(tracker.size).toBe(0);
  });
});

describe('sequence numbers that wrap', () => {
  test('ISNs near 2^32: relative numbers, states and no false flags across the wrap', () => {
    const steps = run('C>S S seq=4294967000', 'S>C SA seq=4294967290', 'C>S A', 'C>S PA len=1000', 'S>C A',
      'S>C PA len=1448', 'S>C PA len=1448', 'C>S A', 'C>S FA', 'S>C FA', 'C>S A');
    const flagged = steps.filter((s) => s.flags.length > 0);
    expect(flagged).toEqual([]);
    expect(steps[3].relSeq).toBe(1);
    expect(steps[3].relAck).toBe(1);
    expect(steps[6].relSeq).toBe(1449);
    expect(steps[7].relAck).toBe(2897);
    expect(steps[10].states).toBe('TIME_WAIT/CLOSED');
    // The client's FIN sits past the wrap: 4294967000 + 1 + 1000 wraps to 705.
    expect(steps[8].conn!.ends[0].finSeq).toBe(705);
  });

  test('a segment crossing 2^32 followed by a gap is still a lost segment', () => {
    const steps = run('C>S S seq=4294967000', 'S>C SA', 'C>S A', 'C>S PA len=500', 'C>S PA seq=1000 len=100');
    expect(steps[4].flags).toEqual(['tcp.lost-segment']);
  });
});

describe('a FIN the capture lacks, shown by the ACK that covers it', () => {
  // Client ISN 1000: its 10 bytes are 1001-1010, its FIN 1011; server ISN 5000. The FIN is left out of each trace.
  test('the client closes first: the server answers its lost FIN with FIN-ACK', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'S>C A', 'S>C FA ack=1012', 'C>S A seq=1012');
    expect(steps[5].states).toBe('TIME_WAIT/LAST_ACK');
    expect(texts(steps[5])).toBe(
      'server ESTABLISHED → CLOSE_WAIT → LAST_ACK (client closed first, then sent FIN) | ' +
      'client ESTABLISHED → FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT (sent a FIN the capture lacks, as the server\'s ACK ' +
      'shows; closes first, then its FIN acknowledged, then got the server\'s FIN) | ' +
      'ACKed unseen segment: ack 12 covers the client\'s FIN, which the capture does not contain');
    // Wireshark's flags stay as Wireshark sets them: the ACK of an unseen segment, then the gap it leaves.
    expect(steps[5].flags).toEqual(['tcp.ack-lost-segment']);
    expect(steps[6].states).toBe('TIME_WAIT/CLOSED');
    expect(steps[6].flags).toEqual(['tcp.lost-segment']);
    expect(texts(steps[6])).toContain('previous segment not captured: the client\'s FIN (relative seq 11), shown by the server\'s ACK');
    const conn = steps[6].conn!;
    expect(conn.closedFirstBy).toBe(0);
    expect(conn.ends[0].finInferred).toBe(true);
    expect(conn.ends[0].finSeq).toBe(1011);
    expect(summarize(conn).closeReason).toBe('fin-client-first');
  });

  test('the server closes first: the client\'s lost FIN acknowledged the server\'s, no simultaneous close', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'S>C FA', 'S>C A seq=5002 ack=1012');
    expect(steps[4].states).toBe('CLOSE_WAIT/FIN_WAIT_1');
    expect(steps[5].states).toBe('CLOSED/TIME_WAIT');
    expect(texts(steps[5])).toBe(
      'server FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT (its FIN acknowledged by the client\'s, then got the client\'s FIN) | ' +
      'client CLOSE_WAIT → LAST_ACK → CLOSED (sent a FIN the capture lacks, as the server\'s ACK shows, then its FIN ' +
      'acknowledged) | connection closed (server closed first; client CLOSED, server TIME_WAIT) | ' +
      'ACKed unseen segment: ack 12 covers the client\'s FIN, which the capture does not contain');
    const conn = steps[5].conn!;
    expect(conn.simultaneousClose).toBe(false);
    expect(conn.closed).toBe(true);
    expect(summarize(conn).closeReason).toBe('fin-server-first');
  });

  test('not while the connection is open: one unseen sequence number may be a data byte', () => {
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'S>C A ack=1012');
    expect(steps[4].states).toBe('ESTABLISHED/ESTABLISHED');
    expect(steps[4].flags).toEqual(['tcp.ack-lost-segment']);
    expect(texts(steps[4])).toBe('ACKed unseen segment: ack 12 covers client data the capture does not contain');
    expect(steps[4].conn!.ends[0].finSent).toBe(false);
  });

  test('not past more than one unseen sequence number, nor over a hole', () => {
    const two = run(...HANDSHAKE, 'C>S PA len=10', 'S>C FA ack=1013');
    expect(two[4].states).toBe('CLOSE_WAIT/FIN_WAIT_1');
    expect(two[4].conn!.ends[0].finInferred).toBe(false);
    // Bytes 1011-1020 missing, then 1021-1030 seen: the ACK of 1032 covers a hole too, not only a FIN.
    const hole = run(...HANDSHAKE, 'C>S PA len=10', 'C>S PA seq=1021 len=10', 'S>C FA ack=1032');
    expect(hole[5].conn!.ends[0].finInferred).toBe(false);
  });

  test('the owner can keep it a lost byte (TcpTrackerOptions.mayInferFin), asked about the right side', () => {
    const asked: number[] = [];
    const tracker = new TcpTracker({ mayInferFin: (_conn, side) => { asked.push(side); return false; } });
    const steps = feed(tracker, trace(...HANDSHAKE, 'C>S PA len=10', 'S>C FA ack=1012'));
    expect(asked).toEqual([0]);
    expect(steps[4].states).toBe('CLOSE_WAIT/FIN_WAIT_1');
    expect(steps[4].conn!.ends[0].finSent).toBe(false);
    expect(texts(steps[4])).toContain('covers client data the capture does not contain');
  });

  test('data past an inferred FIN is said once: that sequence number was a data byte', () => {
    // The server's FIN-ACK covers one more client sequence number: read as the client's FIN. The client's next bytes
    // start at that very number (it resends the byte the capture lacks, and more).
    const steps = run(...HANDSHAKE, 'C>S PA len=10', 'S>C FA ack=1012', 'C>S PA seq=1011 len=5 ack=5002', 'C>S PA seq=1016 len=5 ack=5002');
    expect(steps[4].conn!.ends[0].finInferred).toBe(true);
    expect(steps[5].codes).toContain(Codes.DATA);
    expect(texts(steps[5])).toContain('client sends data past the FIN inferred from the ACK in frame 5 (relative seq 11): that sequence ' +
      'number was a data byte the capture lacks, not a FIN; the states stay as inferred');
    expect(steps[6].codes).not.toContain(Codes.DATA);
    expect(steps[6].conn!.ends[0].pastInferredFinNoted).toBe(true);
    // Bytes up to the inferred FIN (a retransmission) are no news.
    const before = run(...HANDSHAKE, 'C>S PA len=10', 'S>C FA ack=1012', 'C>S PA seq=1001 len=10 ack=5002');
    expect(before[5].codes).not.toContain(Codes.DATA);
  });

  test('packed through TIME_WAIT and back, the inferred FIN is kept', () => {
    const tracker = new TcpTracker();
    const steps = feed(tracker, trace(...HANDSHAKE, 'C>S PA len=10', 'S>C FA ack=1012', 'C>S A seq=1012'));
    const conn = steps[5].conn!;
    expect(conn.closed).toBe(true);
    tracker.retire(conn);
    const later = feed(tracker, trace('S>C FA seq=5001 ack=1012 t=1'));
    expect(later[0].conn!.ends[0].finInferred).toBe(true);
    expect(later[0].conn!.closedFirstBy).toBe(0);
  });
});
