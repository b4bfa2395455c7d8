// IPv4 reassembly of fragmented TCP datagrams (IpDefragmenter, RFC 791 §3.2) and its use by the Analyzer: the
// segment is analysed whole in the frame that completes it, as Wireshark's ip.defragment does; the bounds hold.
import { describe, expect, test } from 'vitest';
import { Analyzer } from '../../src/analyze.js';
import { decodePacket } from '../../src/decode/decode-frame.js';
import { IpDefragmenter, isTcpFragment } from '../../src/decode/defrag.js';
import { packetRecord } from '../../src/render/json.js';
import { Codes } from '../../src/types.js';
import { etherIpv4Tcp, ethernet, ext, gre, ipv4, ipv6, record, tcp } from '../helpers/packet-builder.js';

const A = '10.9.0.1';
const B = '10.9.0.2';
const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;

/** The TCP segment's bytes after the IPv4 header (checksum over the whole segment). */
function segmentBytes(payload: string, seq = 1001): Uint8Array {
  return ipv4({ src: A, dst: B, id: 77 }, tcp({ srcPort: 40000, dstPort: 80, flags: ACK | PSH, seq, ack: 5001, payload })).subarray(20);
}

/** One fragment of it: [start, end) of the IP payload, as a decoded packet of frame `index` at second `sec`. */
function fragment(whole: Uint8Array, start: number, end: number, index: number, opts: { id?: number; sec?: number; snapLen?: number } = {}) {
  const more = end < whole.length;
  const frame = ethernet(ipv4({ src: A, dst: B, id: opts.id ?? 77, mf: more, fragOffset: start, tcpChecksum: false }, whole.subarray(start, end)));
  return decodePacket(record(frame, { index, tsSec: opts.sec ?? 1_700_000_000, snapLen: opts.snapLen }));
}

const PAYLOAD = 'GET /fragmented HTTP/1.1\r\nHost: b\r\nX-Pad: ' + 'p'.repeat(400) + '\r\n\r\n';

describe('IpDefragmenter', () => {
  test('two fragments in order make the segment whole, decoded as TCP with its payload', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter();
    const first = fragment(whole, 0, 160, 3);
    expect(isTcpFragment(first)).toBe(true);
    expect(d.add(first)).toBeNull();
    expect(d.size).toBe(1);
    const done = d.add(fragment(whole, 160, whole.length, 4))!;
    expect(done.frames).toEqual([3, 4]);
    const seg = done.packet.tcp!;
    expect(seg.seq).toBe(1001);
    expect(seg.segmentLen - seg.headerLen).toBe(PAYLOAD.length);
    expect(Buffer.from(seg.payload).toString('latin1')).toBe(PAYLOAD);
    expect(done.packet.record.index).toBe(4);
    expect(done.packet.ip!.moreFragments).toBe(false);
    expect(done.packet.ip!.fragOffset).toBe(0);
    expect(d.size).toBe(0);
  });

  test('the same id on two VLANs, or of another protocol, is another datagram (packet-ip.c keys on pinfo->vlan_id)', () => {
    // tshark 4.0.17 on this interleaving (VLAN 10 and 20, id 7): frame 3 completes VLAN 10's datagram, frame 4 VLAN
    // 20's; one table keyed on addresses and id alone took frames 1, 2, 3 for one datagram.
    const a = segmentBytes('A'.repeat(40));
    const b = segmentBytes('B'.repeat(40));
    const onVlan = (whole: Uint8Array, start: number, end: number, index: number, vlan: number, protocol = 6) =>
      decodePacket(record(ethernet(ipv4({ src: A, dst: B, id: 7, mf: end < whole.length, fragOffset: start, tcpChecksum: false, protocol },
        whole.subarray(start, end)), { vlans: [[0x8100, vlan]] }), { index }));
    const d = new IpDefragmenter();
    expect(d.add(onVlan(a, 0, 32, 1, 10))).toBeNull();
    expect(d.add(onVlan(b, 0, 32, 2, 20))).toBeNull();
    const first = d.add(onVlan(a, 32, a.length, 3, 10))!;
    expect(first.frames).toEqual([1, 3]);
    expect(Buffer.from(first.packet.tcp!.payload).toString('latin1')).toBe('A'.repeat(40));
    const second = d.add(onVlan(b, 32, b.length, 4, 20))!;
    expect(second.frames).toEqual([2, 4]);
    expect(Buffer.from(second.packet.tcp!.payload).toString('latin1')).toBe('B'.repeat(40));
    // RFC 791: the protocol names the datagram too (a GRE datagram with a TCP one's id is not its other half).
    expect(d.add(onVlan(a, 0, 32, 5, 10))).toBeNull();
    expect(d.add(onVlan(a, 32, a.length, 6, 10, 47))).toBeNull();
    expect(d.size).toBe(2);
  });

  test('fragments in any order and overlapping: the lower offset gives the bytes, as Wireshark (tshark 4.0.17)', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter();
    expect(d.add(fragment(whole, 320, whole.length, 1))).toBeNull();
    // Arriving later, this fragment reaches 16 bytes into the first one's range with other bytes: its offset is the
    // lower, so those 16 bytes are its own.
    const overlapping = Uint8Array.from(whole);
    overlapping.fill(0x21, 320, 336);
    expect(d.add(fragment(overlapping, 160, 336, 2))).toBeNull();
    const done = d.add(fragment(whole, 0, 160, 3))!;
    expect(done.frames).toEqual([1, 2, 3]);
    const payloadAt = 320 - 20;
    expect(Buffer.from(done.packet.tcp!.payload).toString('latin1')).toBe(PAYLOAD.slice(0, payloadAt) + '!'.repeat(16) + PAYLOAD.slice(payloadAt + 16));
  });

  test('a repeated last fragment keeps the first one\'s length, and an empty fragment is not taken (packet-ip.c)', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter();
    expect(d.add(fragment(whole, 160, whole.length, 1))).toBeNull();
    expect(d.add(fragment(whole, 160, 240, 2))).toBeNull();
    // An empty fragment at the end: neither fills nor ends the datagram.
    expect(d.add(fragment(whole, 160, 160, 3))).toBeNull();
    const done = d.add(fragment(whole, 0, 160, 4))!;
    expect(done.packet.tcp!.segmentLen - done.packet.tcp!.headerLen).toBe(PAYLOAD.length);
    expect(done.frames).toEqual([1, 2, 4]);
  });

  test('a burst just over the cap loses one datagram, not all (a later fragment does not push out a first)', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter({ maxDatagrams: 8 });
    for (let id = 0; id < 9; id++) d.add(fragment(whole, 0, 160, id + 1, { id }));
    let done = 0;
    for (let id = 0; id < 9; id++) if (d.add(fragment(whole, 160, whole.length, 100 + id, { id })) !== null) done++;
    expect(done).toBe(8);
  });

  test('duplicates cannot grow a datagram without bound: past 8,192 fragments it is dropped', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter();
    for (let i = 0; i < 8200; i++) d.add(fragment(whole, 0, 160, i + 1));
    expect(d.dropped).toBe(1);
    // What came after the drop starts afresh and completes with its own fragments; 16 frames are listed at most.
    const done = d.add(fragment(whole, 160, whole.length, 9000))!;
    expect(done.fragments).toBe(8);
    expect(done.frames.length).toBe(8);
  });

  test('a datagram missing a fragment never completes; it is dropped after 30 capture seconds', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter();
    expect(d.add(fragment(whole, 0, 160, 1, { sec: 1000 }))).toBeNull();
    expect(d.add(fragment(whole, 320, whole.length, 2, { sec: 1001 }))).toBeNull();
    expect(d.size).toBe(1);
    // Another datagram 31 s later: the first is gone, and its late middle fragment starts a new, incomplete one.
    expect(d.add(fragment(whole, 0, 160, 3, { id: 78, sec: 1031 }))).toBeNull();
    expect(d.dropped).toBe(1);
    expect(d.add(fragment(whole, 160, 320, 4, { sec: 1031 }))).toBeNull();
    expect(d.size).toBe(2);
  });

  test('a fragment cut by the snapshot length leaves its datagram incomplete', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter();
    expect(d.add(fragment(whole, 0, 160, 1, { snapLen: 14 + 20 + 100 }))).toBeNull();
    expect(d.add(fragment(whole, 160, whole.length, 2))).toBeNull();
  });

  test('holds at most maxDatagrams at once: a flood of first fragments pushes out the oldest', () => {
    const whole = segmentBytes(PAYLOAD);
    const d = new IpDefragmenter({ maxDatagrams: 8 });
    for (let id = 0; id < 1000; id++) d.add(fragment(whole, 0, 160, id + 1, { id }));
    expect(d.size).toBe(8);
    expect(d.dropped).toBe(992);
    // The newest ones still complete.
    expect(d.add(fragment(whole, 160, whole.length, 2000, { id: 999 }))).not.toBeNull();
  });

  test('only fragments that may carry TCP are taken (TCP, or a tunnel: GRE, UDP, IP-in-IP), never an unfragmented datagram', () => {
    const udp = decodePacket(record(ethernet(ipv4({ src: A, dst: B, protocol: 17, mf: true }, new Uint8Array(16)))));
    expect(isTcpFragment(udp)).toBe(true);
    const icmp = decodePacket(record(ethernet(ipv4({ src: A, dst: B, protocol: 1, mf: true }, new Uint8Array(16)))));
    expect(isTcpFragment(icmp)).toBe(false);
    expect(isTcpFragment(decodePacket(record(etherIpv4Tcp({ src: A, dst: B }, { flags: SYN }))))).toBe(false);
  });
});

describe('Analyzer with IPv4 fragments', () => {
  test('analyses the whole segment in the completing frame: no false gap, the request parsed whole', () => {
    const whole = segmentBytes(PAYLOAD);
    const frames = [
      etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 80, flags: SYN, seq: 1000 }),
      etherIpv4Tcp({ src: B, dst: A }, { srcPort: 80, dstPort: 40000, flags: SYN | ACK, seq: 5000, ack: 1001 }),
      etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 80, flags: ACK, seq: 1001, ack: 5001 }),
      ethernet(ipv4({ src: A, dst: B, id: 77, mf: true, tcpChecksum: false }, whole.subarray(0, 160))),
      ethernet(ipv4({ src: A, dst: B, id: 77, fragOffset: 160, tcpChecksum: false }, whole.subarray(160))),
      etherIpv4Tcp({ src: B, dst: A }, { srcPort: 80, dstPort: 40000, flags: ACK, seq: 5001, ack: 1001 + PAYLOAD.length }),
    ];
    const analyzer = new Analyzer();
    const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1, tsSec: 1_700_000_000 + i })));
    expect(events[3]!.conn).toBe(-1);
    expect(events[3]!.annotations.map((a) => a.code)).toEqual([Codes.IP_FRAGMENT]);
    const done = events[4]!;
    expect(done.conn).toBe(0);
    expect(done.packet.tcp).toBeNull();
    expect(done.segment.tcp!.segmentLen - done.segment.tcp!.headerLen).toBe(PAYLOAD.length);
    const codes = done.annotations.map((a) => a.code);
    expect(codes[0]).toBe(Codes.IP_REASSEMBLED);
    expect(codes).toContain(Codes.HTTP_REQUEST_END);
    expect(done.annotations[0]!.text).toContain(`frames 4, 5): its ${PAYLOAD.length}-byte TCP segment is analysed here`);
    expect(JSON.parse(packetRecord(done))).toMatchObject({ frame: 5, conn: 0, sport: 40000, dport: 80, len: PAYLOAD.length, seq: 1 });
    // The ACK of the whole request acknowledges nothing unseen.
    expect(events[5]!.annotations.map((a) => a.code)).not.toContain(Codes.ACK_LOST_SEGMENT);
    const report = analyzer.finish();
    expect(report.connections[0]!.http.requests).toBe(1);
    expect(report.connections[0]!.tcp.payloadBytes.client).toBe(PAYLOAD.length);
  });

  test('a first fragment cut by the capture is not reassembled: it joins its connection without a segment length', () => {
    // tshark 4.0.17 on the same shape: the cut first fragment is in tcp.stream 0 with no tcp.len and no flags, the
    // second fragment is data (packet-ip.c reassembles only fragments it holds whole).
    const whole = segmentBytes(PAYLOAD);
    const frames: [Uint8Array, number?][] = [
      [etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 80, flags: SYN, seq: 1000 })],
      [etherIpv4Tcp({ src: B, dst: A }, { srcPort: 80, dstPort: 40000, flags: SYN | ACK, seq: 5000, ack: 1001 })],
      [ethernet(ipv4({ src: A, dst: B, id: 77, mf: true, tcpChecksum: false }, whole.subarray(0, 160))), 14 + 20 + 60],
      [ethernet(ipv4({ src: A, dst: B, id: 77, fragOffset: 160, tcpChecksum: false }, whole.subarray(160)))],
    ];
    const analyzer = new Analyzer();
    const events = frames.map(([f, snapLen], i) => analyzer.push(record(f, { index: i + 1, tsSec: 1_700_000_000 + i, snapLen })));
    const cut = events[2]!;
    expect(cut.conn).toBe(0);
    expect(cut.annotations[0]).toMatchObject({ code: Codes.IP_FRAGMENT });
    expect(cut.annotations[0]!.text).toContain('cut by the capture: not reassembled');
    // No sequence analysis without a segment length: the bytes the fragment does not carry are no lost segment.
    expect(cut.annotations.map((a) => a.code).filter((c) => c.startsWith('tcp.') && c !== Codes.HANDSHAKE && c !== Codes.STATE)).toEqual([]);
    expect(events[3]!.conn).toBe(-1);
    expect(events[3]!.annotations.map((a) => a.code)).toEqual([Codes.IP_FRAGMENT]);
  });
});

describe('a reassembled datagram whose TCP header does not decode whole', () => {
  test('is not a connection, and still says it was reassembled', () => {
    // 12 bytes of "TCP" in two fragments: ports and sequence number, no flags or window.
    const tcp12 = Uint8Array.of(0x9c, 0x40, 0, 80, 0, 0, 3, 0xe9, 0, 0, 0, 0);
    const analyzer = new Analyzer();
    const first = analyzer.push(record(ethernet(ipv4({ src: A, dst: B, id: 5, mf: true, tcpChecksum: false }, tcp12.subarray(0, 8))), { index: 1 }));
    expect(first.annotations.map((a) => a.code)).toEqual([Codes.IP_FRAGMENT]);
    const last = analyzer.push(record(ethernet(ipv4({ src: A, dst: B, id: 5, fragOffset: 8, tcpChecksum: false }, tcp12.subarray(8))), { index: 2 }));
    expect(last.conn).toBe(-1);
    expect(last.annotations.map((a) => a.code)).toContain(Codes.IP_REASSEMBLED);
    expect(analyzer.finish().stats.connections).toBe(0);
  });
});

describe('IPv6 fragments (RFC 8200 §4.5)', () => {
  const A6 = '2001:db8::a';
  const B6 = '2001:db8::b';
  /** The TCP segment (checksum over the whole of it), then as fragments of the given fragmentable-part ranges. */
  function v6fragments(payload: string, cuts: number[], opts: { hopByHop?: boolean } = {}) {
    const whole = ipv6({ src: A6, dst: B6 }, tcp({ srcPort: 40000, dstPort: 80, flags: ACK | PSH, seq: 1001, ack: 5001, payload })).subarray(40);
    const starts = [0, ...cuts];
    return starts.map((start, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]! : whole.length;
      const exts = [...(opts.hopByHop ? [ext.options(0, [])] : []), ext.fragment(start, end < whole.length, 0xbeef)];
      return ethernet(ipv6({ src: A6, dst: B6, nextHeader: 6, extensions: exts, tcpChecksum: false }, whole.subarray(start, end)), { etherType: 0x86dd });
    });
  }

  test('a segment in three fragments, any order, after a hop-by-hop header, is whole in the last one to arrive', () => {
    const frames = v6fragments(PAYLOAD, [160, 320], { hopByHop: true });
    const d = new IpDefragmenter();
    const packets = [frames[2]!, frames[0]!, frames[1]!].map((f, i) => decodePacket(record(f, { index: i + 1 })));
    expect(packets.every(isTcpFragment)).toBe(true);
    expect(d.add(packets[0]!)).toBeNull();
    expect(d.add(packets[1]!)).toBeNull();
    const done = d.add(packets[2]!)!;
    expect(done.frames).toEqual([1, 2, 3]);
    const ip = done.packet.ip!;
    expect([ip.version, ip.moreFragments, ip.fragOffset]).toEqual([6, false, 0]);
    const seg = done.packet.tcp!;
    expect([seg.srcPort, seg.dstPort, seg.seq]).toEqual([40000, 80, 1001]);
    expect(Buffer.from(seg.payload).toString('latin1')).toBe(PAYLOAD);
  });

  test('a destination-options header after the fragment header: later fragments are taken too', () => {
    const segment = tcp({ srcPort: 40000, dstPort: 80, flags: ACK | PSH, seq: 1001, ack: 5001, payload: PAYLOAD });
    const dest = ext.options(60, []);
    // The fragmentable part: the destination options header (next header TCP), then the TCP segment.
    const fragmentable = ipv6({ src: A6, dst: B6, extensions: [dest] }, segment).subarray(40);
    const frames = [[0, 160], [160, fragmentable.length]].map(([from, to], i) => ethernet(
      ipv6({ src: A6, dst: B6, nextHeader: 60, extensions: [ext.fragment(from!, i === 0, 0x77)], tcpChecksum: false }, fragmentable.subarray(from, to)),
      { etherType: 0x86dd }));
    const d = new IpDefragmenter();
    const packets = frames.map((f, i) => decodePacket(record(f, { index: i + 1 })));
    expect(packets.map(isTcpFragment)).toEqual([true, true]);
    expect(d.add(packets[0]!)).toBeNull();
    const done = d.add(packets[1]!)!;
    expect(Buffer.from(done.packet.tcp!.payload).toString('latin1')).toBe(PAYLOAD);
  });

  test('the Analyzer takes the whole segment, and IPv4 and IPv6 datagrams with the same id stay apart', () => {
    const analyzer = new Analyzer();
    const v6 = v6fragments(PAYLOAD, [160]);
    const whole4 = segmentBytes(PAYLOAD);
    const frames = [v6[0]!, ethernet(ipv4({ src: A, dst: B, id: 0xbeef, mf: true, tcpChecksum: false }, whole4.subarray(0, 160))), v6[1]!];
    const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1 })));
    expect(events[2]!.conn).toBe(0);
    expect(events[2]!.annotations[0]!.text).toContain('IPv6 datagram (id 48879) whole from 2 fragments (frames 1, 3)');
    expect(events[2]!.segment.tcp!.segmentLen - events[2]!.segment.tcp!.headerLen).toBe(PAYLOAD.length);
  });
});

describe('a tunnel whose outer IPv4 datagram is fragmented (an MTU on the tunnel path)', () => {
  test('is reassembled before the TCP inside is analysed, as tshark does; the lines stay tcpdump\'s', () => {
    // tshark 4.0.17 on this shape (GRE over IPv4, the data segment's outer datagram in two fragments): one stream,
    // the 187-byte segment analysed whole in frame 5, one HTTP request, no flags; tcpdump prints frame 4 with the
    // inner TCP cut ("truncated-ip - 135 bytes missing!") and frame 5 as "ip-proto-47".
    const inner = (src: string, dst: string, t: Parameters<typeof tcp>[0]) => ipv4({ src, dst }, tcp(t));
    const c2s = (t: Parameters<typeof tcp>[0]) => inner('192.168.1.1', '192.168.1.2', { srcPort: 40000, dstPort: 80, ...t });
    const s2c = (t: Parameters<typeof tcp>[0]) => inner('192.168.1.2', '192.168.1.1', { srcPort: 80, dstPort: 40000, ...t });
    const outer = (src: string, dst: string, payload: Uint8Array, frag: { id?: number; mf?: boolean; fragOffset?: number } = {}) =>
      ethernet(ipv4({ src, dst, protocol: 47, tcpChecksum: false, ...frag }, payload));
    const request = 'GET /x HTTP/1.1\r\nHost: a\r\nX-Pad: ' + 'p'.repeat(150) + '\r\n\r\n';
    const data = gre(0, 0x0800, [], c2s({ flags: ACK | PSH, seq: 1001, ack: 5001, payload: request }));
    const frames = [
      outer('10.0.0.1', '10.0.0.2', gre(0, 0x0800, [], c2s({ flags: SYN, seq: 1000 }))),
      outer('10.0.0.2', '10.0.0.1', gre(0, 0x0800, [], s2c({ flags: SYN | ACK, seq: 5000, ack: 1001 }))),
      outer('10.0.0.1', '10.0.0.2', gre(0, 0x0800, [], c2s({ flags: ACK, seq: 1001, ack: 5001 }))),
      outer('10.0.0.1', '10.0.0.2', data.subarray(0, 96), { id: 77, mf: true }),
      outer('10.0.0.1', '10.0.0.2', data.subarray(96), { id: 77, fragOffset: 96 }),
      outer('10.0.0.2', '10.0.0.1', gre(0, 0x0800, [], s2c({ flags: ACK, seq: 5001, ack: 1001 + request.length }))),
    ];
    const analyzer = new Analyzer();
    const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1, tsSec: 1_700_000_000, tsNsec: i * 1_000_000 })));
    expect(events[3]!.conn).toBe(-1);
    expect(events[3]!.annotations.map((a) => a.code)).toEqual([Codes.IP_FRAGMENT]);
    const done = events[4]!;
    expect(done.conn).toBe(0);
    expect(done.annotations[0]!.code).toBe(Codes.IP_REASSEMBLED);
    expect(done.annotations.map((a) => a.code)).toContain(Codes.HTTP_REQUEST_END);
    expect(events[5]!.annotations.map((a) => a.code)).not.toContain(Codes.ACK_LOST_SEGMENT);
    const report = analyzer.finish();
    expect(report.connections).toHaveLength(1);
    expect(report.connections[0]!.http.requests).toBe(1);
    expect(report.connections[0]!.tcp.payloadBytes.client).toBe(request.length);
  });
});
