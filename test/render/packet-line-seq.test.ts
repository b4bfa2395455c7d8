// tcpdump's relative numbering (print-tcp.c tcp_seq_hash) as TcpdumpSeq computes it for the packet line:
// base set by ACK packets, absolute on the packet that sets it and on SYNs, SACK edges, wraparound, -S.

import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/decode-frame.js';
import { newSeqView, TcpdumpSeq, type TcpdumpSeqView } from '../../src/tcp/tcpdump-seq.js';
import { etherIpv4Tcp, etherIpv6Tcp, opt, record, type TcpSpec } from '../helpers/packet-builder.js';

const SYN = 0x02;
const ACK = 0x10;
const A = '10.1.0.1';
const B = '10.1.0.2';

function run(seq: TcpdumpSeq, frame: Uint8Array): TcpdumpSeqView {
  return seq.apply(decodePacket(record(frame)), newSeqView());
}
const c2s = (t: TcpSpec): Uint8Array => etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, ...t });
const s2c = (t: TcpSpec): Uint8Array => etherIpv4Tcp({ src: B, dst: A }, { srcPort: 5001, dstPort: 40000, ...t });

describe('TcpdumpSeq', () => {
  it('is not touched by a packet whose IPv4 header tcpdump cannot pass (total length 0 of a TSO send: "bad-len 0")', () => {
    const seq = new TcpdumpSeq();
    const tso = etherIpv4Tcp({ src: A, dst: B, totalLength: 0 }, { srcPort: 40000, dstPort: 5001, flags: ACK, seq: 1000, ack: 5000, payload: 'x'.repeat(100) });
    expect(decodePacket(record(tso)).tcp).not.toBeNull();
    run(seq, tso);
    expect(seq.size).toBe(0);
    // The next packet of the conversation sets the bases, as in tcpdump 4.99: "seq 1100:1110, ack 5000", then "ack 1".
    expect(run(seq, c2s({ flags: ACK, seq: 1100, ack: 5000, payload: '0123456789' }))).toMatchObject({ relative: false, seq: 1100, ack: 5000 });
    expect(run(seq, c2s({ flags: ACK, seq: 1110, ack: 5000 }))).toMatchObject({ relative: true, seq: 10, ack: 1 });
  });

  it('is not touched by a record whose header tcpdump refuses ([Invalid header]: len < caplen, len 0, caplen 0)', () => {
    // tcpdump 4.99.3 returns before any printer for such a record: the next ACK of the conversation prints
    // absolute numbers, as the first one it sees.
    for (const origLen of [-1, 0]) {
      const seq = new TcpdumpSeq();
      const frame = c2s({ flags: ACK, seq: 1000, ack: 5000 });
      seq.apply(decodePacket(record(frame, { origLen: origLen < 0 ? frame.length - 1 : 0 })), newSeqView());
      expect(seq.size).toBe(0);
      expect(run(seq, s2c({ flags: ACK, seq: 5000, ack: 1000 }))).toMatchObject({ relative: false, seq: 5000, ack: 1000 });
    }
  });

  it('numbers a handshake and data across 2^32 like tcpdump', () => {
    const seq = new TcpdumpSeq();
    expect(run(seq, c2s({ flags: SYN, seq: 4294967000 }))).toEqual({ relative: false, seq: 4294967000, ack: 0, sackBase: 0 });
    expect(run(seq, s2c({ flags: SYN | ACK, seq: 4294966000, ack: 4294967001 }))).toMatchObject({ relative: false, seq: 4294966000, ack: 4294967001 });
    expect(run(seq, c2s({ flags: ACK, seq: 4294967001, ack: 4294966001 }))).toMatchObject({ relative: true, seq: 1, ack: 1 });
    expect(run(seq, c2s({ flags: ACK, seq: 205, ack: 4294966001 }))).toMatchObject({ relative: true, seq: 501, ack: 1 });
    const sack = run(seq, s2c({ flags: ACK, seq: 4294966001, ack: 4294967101, options: [...opt.nop(), ...opt.nop(), ...opt.sack([[4294967201, 100]])] }));
    expect(sack).toMatchObject({ relative: true, seq: 1, ack: 101 });
    expect([(4294967201 - sack.sackBase) >>> 0, (100 - sack.sackBase) >>> 0]).toEqual([201, 396]);
  });

  it('remembers every conversation, as tcpdump does, through table growth (10,000 of them, IPv4 and IPv6)', () => {
    const seq = new TcpdumpSeq();
    const n = 10_000;
    const v4 = (i: number, rev: boolean, t: TcpSpec) => {
      const a = `10.2.${i >> 8}.${i & 255}`;
      return rev ? etherIpv4Tcp({ src: B, dst: a }, { srcPort: 80, dstPort: 1024 + i, ...t }) : etherIpv4Tcp({ src: a, dst: B }, { srcPort: 1024 + i, dstPort: 80, ...t });
    };
    const v6 = (i: number, rev: boolean, t: TcpSpec) => {
      const a = `2001:db8::${i.toString(16)}`;
      return rev ? etherIpv6Tcp({ src: '2001:db8::ffff', dst: a }, { srcPort: 80, dstPort: 7000, ...t }) : etherIpv6Tcp({ src: a, dst: '2001:db8::ffff' }, { srcPort: 7000, dstPort: 80, ...t });
    };
    // Each conversation sets its bases with a first ACK (seq 1000 + i, ack 5000 + i); all are set before any is read.
    for (let i = 0; i < n; i++) {
      const make = i % 2 === 0 ? v4 : v6;
      expect(run(seq, make(i, false, { flags: ACK, seq: 1000 + i, ack: 5000 + i })).relative).toBe(false);
    }
    expect(seq.size).toBe(n);
    for (let i = n - 1; i >= 0; i--) {
      const make = i % 2 === 0 ? v4 : v6;
      expect(run(seq, make(i, true, { flags: ACK, seq: 5000 + i + 10, ack: 1000 + i + 20 }))).toMatchObject({ relative: true, seq: 11, ack: 20 });
    }
    expect(seq.size).toBe(n);
  });

  it('a conversation first seen mid-stream takes its base from its first ACK packet', () => {
    const seq = new TcpdumpSeq();
    expect(run(seq, c2s({ flags: ACK, seq: 77777, ack: 88888 }))).toMatchObject({ relative: false, seq: 77777, ack: 88888 });
    expect(run(seq, s2c({ flags: ACK, seq: 88888, ack: 77780 }))).toMatchObject({ relative: true, seq: 1, ack: 3 });
    expect(run(seq, c2s({ flags: SYN | ACK, seq: 500, ack: 600 }))).toMatchObject({ relative: false, seq: 500, ack: 600 });
    expect(run(seq, c2s({ flags: ACK, seq: 501, ack: 700 }))).toMatchObject({ relative: true, seq: 1, ack: 101 });
  });

  it('packets without ACK print absolute numbers and do not touch the table', () => {
    const seq = new TcpdumpSeq();
    expect(run(seq, c2s({ flags: 0x04, seq: 700 }))).toMatchObject({ relative: false, seq: 700 });
    expect(run(seq, c2s({ flags: ACK, seq: 9, ack: 10 }))).toMatchObject({ relative: false, seq: 9 });
  });

  it('equal ports are ordered by address', () => {
    const seq = new TcpdumpSeq();
    const f = (src: string, dst: string, s: number, a: number): Uint8Array => etherIpv4Tcp({ src, dst }, { srcPort: 7000, dstPort: 7000, flags: ACK, seq: s, ack: a });
    run(seq, f('10.8.0.9', '10.8.0.1', 10, 20));
    expect(run(seq, f('10.8.0.1', '10.8.0.9', 25, 15))).toMatchObject({ relative: true, seq: 6, ack: 5 });
  });

  it('IPv6 conversations are kept apart from IPv4 ones', () => {
    const seq = new TcpdumpSeq();
    run(seq, etherIpv6Tcp({ src: '2001:db8::9', dst: '2001:db8::1' }, { srcPort: 9000, dstPort: 80, flags: ACK, seq: 4000000000, ack: 3000000000 }));
    const v = run(seq, etherIpv6Tcp({ src: '2001:db8::1', dst: '2001:db8::9' }, { srcPort: 80, dstPort: 9000, flags: ACK, seq: 3000000000, ack: 4000000000 }));
    expect(v).toMatchObject({ relative: true, seq: 1, ack: 0 });
  });

  it('absolute (-S) never subtracts', () => {
    const seq = new TcpdumpSeq({ absolute: true });
    run(seq, c2s({ flags: ACK, seq: 5, ack: 6 }));
    expect(run(seq, c2s({ flags: ACK, seq: 50, ack: 60 }))).toEqual({ relative: false, seq: 50, ack: 60, sackBase: 0 });
  });

  it('skips packets whose header tcpdump does not reach (cut, too short)', () => {
    const seq = new TcpdumpSeq();
    const cut = seq.apply(decodePacket(record(c2s({ flags: ACK, seq: 5, ack: 6 }), { snapLen: 40 })), newSeqView());
    expect(cut.relative).toBe(false);
    expect(run(seq, c2s({ flags: ACK, seq: 50, ack: 60 }))).toMatchObject({ relative: false, seq: 50 });
    expect(seq.noteNonTcp(newSeqView())).toEqual({ relative: false, seq: 0, ack: 0, sackBase: 0 });
  });
});
