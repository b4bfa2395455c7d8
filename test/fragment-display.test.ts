// tcpdump's numbering (PacketEvent.display) on a first IP fragment whose datagram, made whole, has no usable TCP
// header (a later fragment said the datagram ends early, so the reassembled segment is shorter than 20 bytes):
// tcpdump does not reassemble, numbers the fragment's own TCP header, and sets the conversation's base with it.
// Before, that packet printed seq 0:30, ack 0, and every later packet of the conversation printed absolute numbers.
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../src/analyze.js';
import { TcpFlag } from '../src/types.js';
import { ethernet, etherIpv4Tcp, etherIpv6Tcp, ext, ipv4, ipv6, record, tcp } from './helpers/packet-builder.js';

const { ACK, PSH } = TcpFlag;
const A = '10.0.0.1';
const B = '10.0.0.2';

function displays(frames: Uint8Array[]) {
  const analyzer = new Analyzer();
  return frames.map((f, i) => {
    const ev = analyzer.push(record(f, { index: i + 1, tsSec: 1_700_000_000 + i }));
    return { relative: ev.display.relative, seq: ev.display.seq, ack: ev.display.ack, conn: ev.conn };
  });
}

describe('a first fragment whose datagram reassembles to no TCP header', () => {
  test('IPv4: numbered as tcpdump numbers it, and the conversation goes on relative', () => {
    const segment = tcp({ srcPort: 1234, dstPort: 80, flags: PSH | ACK, seq: 1000, ack: 5000, payload: new Uint8Array(30) });
    const last = ethernet(ipv4({ src: A, dst: B, id: 7, fragOffset: 8, tcpChecksum: false }, segment.subarray(8, 10)));
    const first = ethernet(ipv4({ src: A, dst: B, id: 7, mf: true, tcpChecksum: false }, segment));
    const next = etherIpv4Tcp({ src: A, dst: B, id: 8 }, { srcPort: 1234, dstPort: 80, flags: ACK, seq: 1030, ack: 5000 });
    const d = displays([last, first, next]);
    // tcpdump 4.99.3: "seq 1000:1030, ack 5000" (the packet that sets the base prints absolute), then "ack 1".
    expect(d[1]).toMatchObject({ relative: false, seq: 1000, ack: 5000 });
    expect(d[2]).toMatchObject({ relative: true, ack: 1 });
  });

  test('IPv6: the same', () => {
    const src = '2001:db8::1';
    const dst = '2001:db8::2';
    const segment = tcp({ srcPort: 1234, dstPort: 80, flags: PSH | ACK, seq: 1000, ack: 5000, payload: new Uint8Array(30) });
    const frag = (offset: number, more: boolean, bytes: Uint8Array) =>
      ethernet(ipv6({ src, dst, nextHeader: 6, tcpChecksum: false, extensions: [ext.fragment(offset, more, 7)] }, bytes), { etherType: 0x86dd });
    const d = displays([frag(8, false, segment.subarray(8, 10)), frag(0, true, segment),
      etherIpv6Tcp({ src, dst }, { srcPort: 1234, dstPort: 80, flags: ACK, seq: 1030, ack: 5000 })]);
    expect(d[1]).toMatchObject({ relative: false, seq: 1000, ack: 5000 });
    expect(d[2]).toMatchObject({ relative: true, ack: 1 });
  });
});
