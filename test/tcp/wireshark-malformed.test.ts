// Where packet-tcp.c's own mechanics decide what tshark shows: options its dissectors throw on (no analysis flag for
// the packet, though the analysis ran; rules read off tshark 4.0.17 over ~1,000 generated option variants), TCP
// headers cut by the capture, and a SYN stamped at epoch zero. Each case was checked against tshark 4.0.17.
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyze.js';
import { wiresharkOptionThrows } from '../../src/decode/tcp-options.js';
import { Codes } from '../../src/types.js';
import { etherIpv4Tcp, record } from '../helpers/packet-builder.js';

const throws = (...bytes: number[]): boolean => wiresharkOptionThrows(Uint8Array.from(bytes), 0, bytes.length, bytes.length);
const mptcp = (len: number, subtype: number, flags = 0): number[] => [30, len, subtype << 4, flags, ...new Array(Math.max(0, len - 4)).fill(0)].slice(0, len);

describe('wiresharkOptionThrows', () => {
  test('SACK shorter than one block throws; from 10 bytes on it does not', () => {
    for (let len = 2; len < 10; len++) expect(throws(5, len, ...new Array(len - 2).fill(0))).toBe(true);
    expect(throws(5, 10, 0, 0, 0, 1, 0, 0, 0, 2)).toBe(false);
    expect(throws(5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9)).toBe(false);
  });

  test('MPTCP: length 2, length 3 of subtypes 0, 2, 3 and 8, MP_FAIL and MP_FASTCLOSE under 12', () => {
    expect(throws(30, 2)).toBe(true);
    for (const st of [0, 2, 3, 8]) expect(throws(...mptcp(3, st))).toBe(true);
    for (const st of [1, 4, 5, 9, 15]) expect(throws(...mptcp(3, st))).toBe(false);
    for (const st of [6, 7]) {
      expect(throws(...mptcp(11, st))).toBe(true);
      expect(throws(...mptcp(12, st))).toBe(false);
    }
  });

  test('DSS shorter than its flags need', () => {
    // A (4-byte data ACK): 8; A+a: 12; M: 14; M+m: 18; A+M: 18; A+a+M+m: 26. The F flag and a or m alone add nothing.
    for (const [flags, need] of [[0x00, 4], [0x10, 4], [0x02, 4], [0x01, 8], [0x03, 12], [0x04, 14], [0x0c, 18], [0x05, 18], [0x0f, 26]]) {
      expect(throws(...mptcp(need - 1, 2, flags))).toBe(true);
      expect(throws(...mptcp(need, 2, flags))).toBe(false);
    }
  });

  test('an option that runs past the header, or a length below 2, ends the walk without a throw', () => {
    expect(wiresharkOptionThrows(Uint8Array.of(1, 1, 5, 10, 0, 0, 0, 0), 0, 8, 8)).toBe(false);
    expect(throws(99, 0, 5, 2)).toBe(false);
    expect(throws(99, 1, 5, 2)).toBe(false);
    expect(throws(1, 1, 1, 5, 2, 0, 0, 0)).toBe(true);
    expect(throws(0, 0, 5, 2)).toBe(false);
  });

  test('options cut by the snapshot length throw where the walk reaches the cut, not before a length below 2', () => {
    // 12 option bytes declared, `captured` of them in the capture: tshark 4.0.17 on a retransmitted SYN with these
    // options showed the retransmission flag exactly for the `false` rows (no throw).
    const cases: [string, number[], number, boolean][] = [
      ['kind byte not captured', [1, 1, 1, 1, 2, 4, 5, 0xb4, 1, 1, 1, 1], 4, true],
      ['EOL, padding cut', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1, true],
      ['EOL after NOPs, padding cut', [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 6, true],
      ['length below 2, then the cut', [5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2, false],
      ['length byte not captured', [5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1, true],
      ['NOPs, length 0, then the cut', [1, 1, 1, 1, 5, 0, 0, 0, 0, 0, 0, 0], 6, false],
      ['MSS, length 1, then the cut', [2, 4, 5, 0xb4, 5, 1, 0, 0, 0, 0, 0, 0], 6, false],
      ['MSS value cut', [2, 4, 5, 0xb4, 1, 1, 1, 1, 1, 1, 1, 1], 3, true],
      ['runs past the header, cut', [99, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2, true],
      ['runs past the header, cut later', [1, 1, 99, 20, 0, 0, 0, 0, 0, 0, 0, 0], 4, true],
      ['runs past the header at the end, cut', [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 99, 20], 11, true],
      ['runs past the header, all captured', [99, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 12, false],
      ['runs past the header, cut 3 bytes before its end', [99, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 9, true],
      ['runs past the header, cut 2 bytes before its end', [99, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10, false],
      ['runs past the header, cut 1 byte before its end', [99, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 11, false],
      ['NOPs, then runs past the header, cut 3 bytes before', [1, 1, 1, 1, 99, 20, 0, 0, 0, 0, 0, 0], 9, true],
      ['NOPs, then runs past the header, cut 2 bytes before', [1, 1, 1, 1, 99, 20, 0, 0, 0, 0, 0, 0], 10, false],
      ['EOL, cut 1 byte before the end', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 11, true],
      ['unknown kind, data cut', [99, 6, 1, 2, 3, 4, 1, 1, 1, 1, 1, 1], 4, true],
      ['timestamps cut', [8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1], 6, true],
      ['SACK-permitted and NOPs, then the next kind cut', [4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 4, true],
      ['capture ends where the options begin', [2, 4, 5, 0xb4, 1, 1, 1, 1, 1, 1, 1, 1], 0, true],
      ['window scale cut', [3, 3, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1], 2, true],
      ['MPTCP of length 2, cut', [30, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2, true],
      ['length 1, all captured', [5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 12, false],
      ['capture ends before the options', [2, 4, 5, 0xb4, 1, 1, 1, 1, 1, 1, 1, 1], -2, true],
    ];
    for (const [what, bytes, captured, thrown] of cases) {
      expect([what, wiresharkOptionThrows(Uint8Array.from(bytes), 0, bytes.length, captured)]).toEqual([what, thrown]);
    }
  });
});

describe('a packet with such an option', () => {
  test('is analysed (its state counts) but carries no analysis flag, as in tshark', () => {
    const c2s = (flags: number, seq: number, ack: number, payload = '', options: number[] = []) =>
      etherIpv4Tcp({ src: '10.5.0.1', dst: '10.5.0.2' }, { srcPort: 40000, dstPort: 80, flags, seq, ack, payload, options });
    const frames = [
      c2s(0x02, 1000, 0),
      etherIpv4Tcp({ src: '10.5.0.2', dst: '10.5.0.1' }, { srcPort: 80, dstPort: 40000, flags: 0x12, seq: 5000, ack: 1001 }),
      c2s(0x10, 1001, 5001),
      c2s(0x18, 1001, 5001, 'x'.repeat(100)),
      c2s(0x18, 1001, 5001, 'x'.repeat(100), [5, 2, 1, 1]),
      c2s(0x18, 1001, 5001, 'x'.repeat(100)),
    ];
    const analyzer = new Analyzer();
    const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1, tsSec: 1_700_000_000, tsNsec: i * 100_000_000 })));
    expect(events[4]!.annotations.map((a) => a.code)).not.toContain(Codes.RETRANSMISSION);
    expect(events[5]!.annotations.map((a) => a.code)).toContain(Codes.RETRANSMISSION);
    expect(analyzer.finish().connections[0]!.tcp.packets.client).toBe(5);
  });
});

describe('a TCP header cut by the capture', () => {
  // tshark 4.0.17 on this trace: cut at 16 to 19 bytes the ACK joins tcp.stream 0 and sets the first RTT (1 ms), so
  // the repeated segment 2 ms after the original is a retransmission; cut at 15 or fewer it joins nothing, the
  // first RTT comes from the data packet (11 ms) and the repeat is out-of-order.
  test.each([[16, 0, Codes.RETRANSMISSION], [19, 0, Codes.RETRANSMISSION], [15, -1, Codes.OUT_OF_ORDER], [12, -1, Codes.OUT_OF_ORDER]])(
    'cut at %i bytes: conn %i, the repeat is %s', (cut, conn, code) => {
      const c2s = (flags: number, seq: number, ack: number, payload = '') =>
        etherIpv4Tcp({ src: '10.5.0.1', dst: '10.5.0.2' }, { srcPort: 40000, dstPort: 80, flags, seq, ack, payload });
      const frames: [Uint8Array, number, number?][] = [
        [c2s(0x02, 1000, 0), 0],
        [etherIpv4Tcp({ src: '10.5.0.2', dst: '10.5.0.1' }, { srcPort: 80, dstPort: 40000, flags: 0x12, seq: 5000, ack: 1001 }), 500],
        [c2s(0x10, 1001, 5001), 1000, 14 + 20 + cut],
        [c2s(0x18, 1001, 5001, 'x'.repeat(100)), 11_000],
        [c2s(0x18, 1101, 5001, 'y'.repeat(100)), 11_100],
        [c2s(0x18, 1001, 5001, 'x'.repeat(100)), 13_100],
      ];
      const analyzer = new Analyzer();
      const events = frames.map(([f, us, snapLen], i) => analyzer.push(record(f, { index: i + 1, tsSec: 1_700_000_000, tsNsec: us * 1000, snapLen })));
      expect(events[2]!.conn).toBe(conn);
      expect(events[2]!.annotations.map((a) => a.code).filter((c) => c.startsWith('tcp.') && c !== Codes.HANDSHAKE && c !== Codes.STATE)).toEqual([]);
      expect(events[5]!.annotations.map((a) => a.code)).toContain(code);
    });

  test('inside options whose walk ends first (a length below 2): the flags are shown, as in tshark', () => {
    // A SYN, then the SYN again with a 32-byte header whose SACK option has length 1, captured to 58 bytes
    // (4 of its 12 option bytes): tshark 4.0.17 flags the second SYN as a retransmission.
    const syn = (options: number[]) =>
      etherIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2' }, { srcPort: 40000, dstPort: 80, flags: 0x02, seq: 1000, options });
    const analyzer = new Analyzer();
    analyzer.push(record(syn([]), { index: 1 }));
    const again = analyzer.push(record(syn([5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), { index: 2, tsNsec: 500_000_000, snapLen: 58 }));
    expect(again.annotations.map((a) => a.code)).toContain(Codes.RETRANSMISSION);
    // Cut inside a window-scale option instead: the dissector reads past the capture and tshark shows no flag.
    const cutAnalyzer = new Analyzer();
    cutAnalyzer.push(record(syn([]), { index: 1 }));
    const cut = cutAnalyzer.push(record(syn([3, 3, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1]), { index: 2, tsNsec: 500_000_000, snapLen: 56 }));
    expect(cut.annotations.map((a) => a.code)).not.toContain(Codes.RETRANSMISSION);
  });
});

describe('a SYN whose header is longer than its segment (no segment length)', () => {
  test('still gives the SYN time and the first RTT, so a quick repeat is a retransmission, as in tshark', () => {
    // tshark 4.0.17: the SYN (data offset 6, 20 bytes of TCP) is [bad hdr length]; the ACK 0.1 ms later sets the
    // first RTT to 0.1 ms, and the repeat of frame 3 0.6 ms after frame 4 is a retransmission, not out-of-order.
    const c2s = (flags: number, seq: number, ack: number, payload = '', dataOffsetWords?: number) =>
      etherIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2' }, { srcPort: 40000, dstPort: 80, flags, seq, ack, payload, dataOffsetWords });
    const frames: [Uint8Array, number][] = [
      [c2s(0x02, 1000, 0, '', 6), 0],
      [c2s(0x10, 1001, 5001), 100],
      [c2s(0x18, 1001, 5001, 'a'.repeat(10)), 100],
      [c2s(0x18, 1011, 5001, 'b'.repeat(10)), 100],
      [c2s(0x18, 1001, 5001, 'a'.repeat(10)), 700],
    ];
    const analyzer = new Analyzer();
    const codes = frames.map(([f, us], i) => analyzer.push(record(f, { index: i + 1, tsNsec: us * 1000 })).annotations.map((a) => a.code));
    expect(codes[4]).toContain(Codes.RETRANSMISSION);
    expect(codes[4]).not.toContain(Codes.OUT_OF_ORDER);
  });
});

describe('a SYN stamped 0.000000000', () => {
  test('gives no first RTT (packet-tcp.c nstime_is_zero), so a quick repeat is out-of-order, as in tshark', () => {
    const c2s = (flags: number, seq: number, ack: number, payload = '') =>
      etherIpv4Tcp({ src: '10.5.0.1', dst: '10.5.0.2' }, { srcPort: 40000, dstPort: 80, flags, seq, ack, payload });
    const run = (tsSec: number) => {
      const frames: [Uint8Array, number][] = [
        [c2s(0x02, 1000, 0), 0],
        [etherIpv4Tcp({ src: '10.5.0.2', dst: '10.5.0.1' }, { srcPort: 80, dstPort: 40000, flags: 0x12, seq: 5000, ack: 1001 }), 100],
        [c2s(0x10, 1001, 5001), 200],
        [c2s(0x18, 1001, 5001, 'x'.repeat(100)), 300],
        [c2s(0x18, 1101, 5001, 'y'.repeat(100)), 400],
        [c2s(0x18, 1001, 5001, 'x'.repeat(100)), 1400],
      ];
      const analyzer = new Analyzer();
      return frames.map(([f, us], i) => analyzer.push(record(f, { index: i + 1, tsSec, tsNsec: us * 1000 })).annotations.map((a) => a.code));
    };
    expect(run(0)[5]).toContain(Codes.OUT_OF_ORDER);
    // The same trace a second later: the 0.2 ms first RTT makes the repeat a retransmission.
    expect(run(1)[5]).toContain(Codes.RETRANSMISSION);
  });
});

describe('a negative first RTT (the handshake ACK stamped before the SYN)', () => {
  // tshark 4.0.17 compares the time since the highest segment and the first RTT as guint64: RTT -1 s here.
  test.each([[-2_000_000, Codes.OUT_OF_ORDER], [-500_000, Codes.RETRANSMISSION], [100_000, Codes.OUT_OF_ORDER]])(
    'a repeat %i µs after the highest segment is %s', (afterUs, code) => {
      const c2s = (flags: number, seq: number, ack: number, payload = '') =>
        etherIpv4Tcp({ src: '10.5.0.1', dst: '10.5.0.2' }, { srcPort: 40000, dstPort: 80, flags, seq, ack, payload });
      const frames: [Uint8Array, number][] = [
        [c2s(0x02, 1000, 0), 10_000_000],
        [etherIpv4Tcp({ src: '10.5.0.2', dst: '10.5.0.1' }, { srcPort: 80, dstPort: 40000, flags: 0x12, seq: 5000, ack: 1001 }), 10_001_000],
        [c2s(0x10, 1001, 5001), 9_001_000],
        [c2s(0x18, 1001, 5001, 'x'.repeat(100)), 9_002_000],
        [c2s(0x18, 1101, 5001, 'y'.repeat(100)), 9_003_000],
        [c2s(0x18, 1001, 5001, 'x'.repeat(100)), 9_003_000 + afterUs],
      ];
      const analyzer = new Analyzer();
      const codes = frames.map(([f, us], i) => analyzer.push(record(f, { index: i + 1, tsSec: 1000 + Math.floor(us / 1e6), tsNsec: (us % 1e6) * 1000 })).annotations.map((a) => a.code));
      expect(codes[5]).toContain(code);
    });
});

describe('MPTCP duplicate ACKs (packet-tcp.c mp_operations)', () => {
  // After a handshake, client segments: a plain ACK ('ack'), one with MPTCP options, data, or a server ACK ('back').
  // tshark 4.0.17 on each trace: the dup-ack number of every frame from 4 on, '-' for none.
  const DSS = [30, 8, 0x20, 0x01, 0, 0, 0, 5];
  const ADD_ADDR = [30, 8, 0x30, 1, 10, 0, 0, 9];
  const PRIO = [30, 3, 0x50, 1];
  const TCPRST = [30, 4, 0x80, 0];
  const SUBTYPE_12 = [30, 4, 0xc0, 0];
  type Step = ['ack' | 'data' | 'back', number[]];
  const run = (steps: Step[]): string => {
    const a = (flags: number, seq: number, ack: number, options: number[] = [], payload = '') =>
      etherIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2' }, { srcPort: 40000, dstPort: 80, flags, seq, ack, options, payload, window: 1000 });
    const b = (flags: number, seq: number, ack: number, options: number[] = []) =>
      etherIpv4Tcp({ src: '10.0.0.2', dst: '10.0.0.1' }, { srcPort: 80, dstPort: 40000, flags, seq, ack, options, window: 1000 });
    let aSeq = 1001;
    const frames = [a(0x02, 1000, 0), b(0x12, 5000, 1001), a(0x10, 1001, 5001)];
    for (const [kind, options] of steps) {
      if (kind === 'ack') frames.push(a(0x10, aSeq, 5001, options));
      else if (kind === 'back') frames.push(b(0x10, 5001, aSeq, options));
      else {
        frames.push(a(0x18, aSeq, 5001, options, 'x'.repeat(10)));
        aSeq += 10;
      }
    }
    const analyzer = new Analyzer();
    const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1, tsNsec: i * 1_000_000 })));
    return events.slice(3).map((ev) => (ev.annotations.some((x) => x.code === Codes.DUP_ACK) ? 'D' : '-')).join('');
  };

  test('the first would-be duplicate after a new MPTCP option type is neither flagged nor counted', () => {
    expect(run([['ack', []], ['ack', DSS], ['ack', []], ['ack', []], ['ack', []]])).toBe('DD-DD');
    // Any segment of the direction takes the new set: data in between, and the next duplicate counts again.
    expect(run([['ack', []], ['ack', DSS], ['data', []], ['ack', []], ['ack', []]])).toBe('DD-DD');
    // The set is the connection's: an option from the other side counts too.
    expect(run([['back', DSS], ['ack', []], ['ack', []], ['ack', []]])).toBe('D-DD');
    // The same type again changes nothing; a new type (ADD_ADDR, MP_PRIO) does.
    expect(run([['ack', []], ['ack', DSS], ['ack', DSS], ['ack', DSS], ['ack', []]])).toBe('DD-DD');
    expect(run([['ack', []], ['ack', DSS], ['ack', ADD_ADDR], ['ack', []], ['ack', []], ['ack', []]])).toBe('DD--DD');
    expect(run([['ack', DSS], ['ack', []], ['ack', PRIO], ['ack', []], ['ack', []]])).toBe('D-D-D');
    // MP_TCPRST (8) and unassigned subtypes are not counted.
    expect(run([['ack', []], ['ack', TCPRST], ['ack', []], ['ack', []]])).toBe('DDDD');
    expect(run([['ack', []], ['ack', SUBTYPE_12], ['ack', []], ['ack', []]])).toBe('DDDD');
  });
});
