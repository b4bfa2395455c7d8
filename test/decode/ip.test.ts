// IPv4 and IPv6 layers: fields, lengths, padding, fragments, extension headers, tunnels and AH, byte by byte.

import { describe, expect, it } from 'vitest';
import { Analyzer } from '../../src/analyze.js';
import { decodePacket, isTcpPacket } from '../../src/decode/decode-frame.js';
import { formatPacketLine } from '../../src/render/packet-line.js';
import { formatAddr } from '../../src/tcp/flow-key.js';
import { newSeqView } from '../../src/tcp/tcpdump-seq.js';
import type { AhNote, GreNote, Ip6ExtNote, OuterIpNote, VxlanNote } from '../../src/decode/notes.js';
import {
  ah, ascii, bytes, ethernet, etherIpv4Tcp, etherIpv6Tcp, ext, gre, greChecksummed, ipv4, ipv6, opt, record, tcp, vxlan,
} from '../helpers/packet-builder.js';

const SYN = 0x02;
const ACK = 0x10;

const decode = (frame: Uint8Array, snapLen?: number, origLen?: number) => decodePacket(record(frame, { snapLen, origLen }));

describe('IPv4', () => {
  it('reads the header fields', () => {
    const p = decode(etherIpv4Tcp({ src: '192.0.2.1', dst: '198.51.100.7', ttl: 33, id: 4321, tos: 0x03, df: true }, { flags: SYN }));
    const ip = p.ip!;
    expect([...ip.src]).toEqual([192, 0, 2, 1]);
    expect([...ip.dst]).toEqual([198, 51, 100, 7]);
    expect(ip).toMatchObject({
      version: 4, headerLen: 20, payloadLen: 20, protocol: 6, ttl: 33, id: 4321, fragOffset: 0, moreFragments: false,
      lengthField: 40, wireLen: 40, capEnd: 54, tos: 3, dontFragment: true, headerProtocol: 6, noteIndex: 0,
    });
  });

  it('cuts Ethernet padding by the total length (RFC 791 total length)', () => {
    const p = decode(ethernet(ipv4({}, tcp({ flags: SYN })), { padTo: 60 }));
    expect(p.ip?.capEnd).toBe(54);
    expect(p.tcp?.payload.length).toBe(0);
    expect(p.tcp?.payloadLen).toBe(0);
  });

  it('skips options by IHL', () => {
    const p = decode(etherIpv4Tcp({ options: [1, 1, 1, 1, 1, 1, 1, 0] }, { flags: SYN }));
    expect(p.ip?.headerLen).toBe(28);
    expect(p.tcp?.offset).toBe(14 + 28);
  });

  it('does not decode TCP in a non-first fragment, but does in the first', () => {
    const first = decode(ethernet(ipv4({ mf: true }, tcp({ flags: ACK, payload: 'abc' }))));
    expect(first.ip?.moreFragments).toBe(true);
    expect(first.tcp?.payloadLen).toBe(3);
    const later = decode(ethernet(ipv4({ fragOffset: 1480 }, ascii('tail'))));
    expect(later.ip?.fragOffset).toBe(1480);
    expect(later.tcp).toBeNull();
    expect(later.problem).toBeNull();
  });

  it('flags bad-hlen and bad-len as invalid, without TCP', () => {
    for (const spec of [{ ihl: 4 }, { totalLength: 10 }]) {
      const p = decode(etherIpv4Tcp(spec, { flags: SYN }));
      expect(p.tcp).toBeNull();
      expect(p.problem).toMatchObject({ kind: 'invalid', layer: 'ip' });
    }
  });

  it('flags a TSO total length of 0 as invalid but decodes the TCP inside from the frame length, as Wireshark', () => {
    const p = decode(etherIpv4Tcp({ totalLength: 0 }, { flags: ACK, payload: 'abcdef' }));
    expect(p.problem).toMatchObject({ kind: 'invalid', layer: 'ip' });
    expect(p.ip?.lengthField).toBe(0);
    expect(p.tcp?.payloadLen).toBe(6);
    expect(new TextDecoder().decode(p.tcp!.payload)).toBe('abcdef');
  });

  it('a datagram longer than the frame is decoded and flagged truncated', () => {
    const p = decode(etherIpv4Tcp({ totalLength: 140 }, { flags: ACK, payload: 'abc' }));
    expect(p.problem).toMatchObject({ kind: 'truncated', layer: 'ip' });
    expect(p.tcp?.payloadLen).toBe(100);
    expect(p.tcp?.payload.length).toBe(3);
  });

  it('a header cut after its protocol field is still a TCP packet of the timeline (tcpdump prints "IP  [|ip]")', () => {
    // 14 + 10 bytes: the protocol field (byte 9) is there; 14 + 9 bytes: it is not.
    expect(isTcpPacket(decode(etherIpv4Tcp({}, { flags: SYN }), 24))).toBe(true);
    expect(isTcpPacket(decode(etherIpv4Tcp({}, { flags: SYN }), 23))).toBe(false);
    expect(decode(etherIpv4Tcp({}, { flags: SYN }), 24).linkNotes[0]).toMatchObject({ kind: 'trunc', protocol: 'ip', headerOffset: 14 });
  });

  it('notes a capture cut inside the header and inside the options', () => {
    expect(decode(etherIpv4Tcp({}, { flags: SYN }), 14).linkNotes[0]).toMatchObject({ kind: 'trunc', protocol: 'ip', afterIpWord: false });
    expect(decode(etherIpv4Tcp({}, { flags: SYN }), 20).linkNotes[0]).toMatchObject({ kind: 'trunc', protocol: 'ip', afterIpWord: true });
    const p = decode(etherIpv4Tcp({ options: [1, 1, 1, 1] }, { flags: SYN }), 14 + 22);
    expect(p.ip?.headerLen).toBe(24);
    expect(p.tcp).toBeNull();
    expect(p.problem).toMatchObject({ kind: 'truncated', layer: 'ip' });
  });

  it('reports a wrong version nibble', () => {
    const frame = etherIpv4Tcp({}, { flags: SYN });
    frame[14] = 0x65;
    expect(decode(frame).linkNotes[0]).toEqual({ kind: 'ip-version', expected: 4, version: 6, offset: 14 });
  });
});

describe('tunnels and IPsec', () => {
  it('IP-in-IP keeps the outer header as a note and decodes the inner datagram', () => {
    const p = decode(ethernet(ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 4 }, ipv4({ src: '10.0.0.1' }, tcp({ flags: SYN })))));
    const outer = p.linkNotes[0] as OuterIpNote;
    expect(outer.kind).toBe('ip-outer');
    expect([...outer.src]).toEqual([192, 0, 2, 1]);
    expect(p.ip?.headerOffset).toBe(34);
    expect(p.ip?.noteIndex).toBe(1);
    expect(p.tcp?.flags).toBe(SYN);
  });

  it('6in4 and 4in6', () => {
    expect(decode(ethernet(ipv4({ protocol: 41 }, ipv6({}, tcp({ flags: SYN }))))).ip?.version).toBe(6);
    expect(decode(ethernet(ipv6({ nextHeader: 4 }, ipv4({}, tcp({ flags: SYN }))), { etherType: 0x86dd })).ip?.version).toBe(4);
  });

  it('AH in transport mode: TCP follows the AH, the IP header says 51', () => {
    const p = decode(ethernet(ipv4({ protocol: 51 }, bytes(ah(6, 0x1234, 1, new Array(12).fill(7)), tcp({ flags: SYN, payload: 'xy' })))));
    expect(p.ip?.headerProtocol).toBe(51);
    expect(p.ip?.protocol).toBe(6);
    expect(p.ip?.payloadLen).toBe(22);
    expect((p.linkNotes[0] as AhNote).headerLen).toBe(24);
    expect(p.tcp?.payloadLen).toBe(2);
  });

  it('AH in tunnel mode: the outer header and its AH come before the inner datagram', () => {
    const p = decode(ethernet(ipv4({ protocol: 51 }, bytes(ah(4, 1, 1, new Array(12).fill(7)), ipv4({}, tcp({ flags: SYN }))))));
    expect(p.linkNotes.map((n) => n.kind)).toEqual(['ip-outer', 'ah']);
    expect(p.ip?.noteIndex).toBe(2);
    expect(p.tcp).not.toBeNull();
  });

  const outer = (protocol: number, payload: Uint8Array): Uint8Array =>
    ethernet(ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol }, payload));
  const inner = (srcPort = 40000): Uint8Array => ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, tcp({ flags: SYN, srcPort }));

  it('GRE: the outer header and the GRE header are notes, the inner datagram is the packet\'s IP', () => {
    const p = decode(outer(47, gre(0, 0x0800, [], inner())));
    expect(p.linkNotes.map((n) => n.kind)).toEqual(['ip-outer', 'gre']);
    expect((p.linkNotes[1] as GreNote)).toMatchObject({ length: 44, tunnel: true });
    expect(p.ip).toMatchObject({ headerOffset: 14 + 20 + 4, noteIndex: 2, protocol: 6 });
    expect(formatAddr(p.ip!.src)).toBe('10.0.0.1');
    expect(p.tcp?.flags).toBe(SYN);
    expect(p.problem).toBeNull();
  });

  it('GRE: checksum, key and sequence number (RFC 2890) move the payload by 12 bytes', () => {
    const p = decode(outer(47, greChecksummed([...opt.u32(9), ...opt.u32(1)], 0x0800, inner())));
    expect(p.ip?.headerOffset).toBe(14 + 20 + 16);
    expect(p.tcp?.flags).toBe(SYN);
  });

  it('GRE carrying IPv6, Ethernet (0x6558) and MPLS', () => {
    expect(decode(outer(47, gre(0, 0x86dd, [], ipv6({}, tcp({ flags: SYN }))))).ip?.version).toBe(6);
    const teb = decode(outer(47, gre(0, 0x6558, [], ethernet(inner()))));
    expect(teb.ip?.headerOffset).toBe(14 + 20 + 4 + 14);
    expect(teb.tcp?.flags).toBe(SYN);
    const mpls = decode(outer(47, gre(0, 0x8847, [], bytes([0, 0x06, 0x41, 0x40], inner()))));
    expect(mpls.linkNotes.map((n) => n.kind)).toEqual(['ip-outer', 'gre', 'mpls']);
    expect(mpls.tcp?.flags).toBe(SYN);
  });

  it('GRE with a payload it does not decode, another version, or a cut header stays the outer datagram', () => {
    for (const frame of [outer(47, gre(0, 0x1234, [], inner())), outer(47, gre(1, 0x0800, [], inner()))]) {
      const p = decode(frame);
      expect(p.ip).toMatchObject({ protocol: 47, headerOffset: 14 });
      expect(p.linkNotes.map((n) => n.kind)).toEqual(['gre']);
      expect((p.linkNotes[0] as GreNote).tunnel).toBe(false);
      expect(p.tcp).toBeNull();
      expect(p.problem?.kind).toBe('unsupported');
    }
    const cut = decode(outer(47, gre(0xb000, 0x0800, [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2], inner())), 14 + 20 + 10);
    expect((cut.linkNotes[0] as GreNote).header.length).toBe(10);
    expect(cut.problem).toMatchObject({ kind: 'truncated', layer: 'gre' });
  });

  it('VXLAN on UDP port 4789 (either side) is a tunnel to the inner Ethernet frame', () => {
    const p = decode(outer(17, vxlan(54321, 100, ethernet(inner()))));
    expect(p.linkNotes.map((n) => n.kind)).toEqual(['ip-outer', 'vxlan']);
    expect(p.linkNotes[1]).toMatchObject({ srcPort: 54321, dstPort: 4789, flags: 0x08, vni: 100, withAddresses: true } satisfies Partial<VxlanNote>);
    expect(p.ip?.headerOffset).toBe(14 + 20 + 8 + 8 + 14);
    expect(p.tcp?.flags).toBe(SYN);
    const reply = vxlan(54321, 100, ethernet(inner()));
    reply.set([0x12, 0xb5, 0xd4, 0x31], 0);
    expect(decode(outer(17, reply)).tcp?.flags).toBe(SYN);
    const other = vxlan(54321, 100, ethernet(inner()));
    other.set([0x12, 0xb6], 2);
    const plain = decode(outer(17, other));
    expect(plain.ip?.protocol).toBe(17);
    expect(plain.linkNotes).toHaveLength(0);
  });

  it('VXLAN only where tcpdump prints it: DNS or NTP to port 4789 is DNS or NTP (udp_print tests them first)', () => {
    // tcpdump 4.99.3: 53 -> 4789 is a DNS line, 123 -> 4789 NTP, 4789 -> 1985 not VXLAN either, 40000 -> 4789 VXLAN.
    expect(decode(outer(17, vxlan(53, 100, ethernet(inner())))).tcp).toBeNull();
    expect(decode(outer(17, vxlan(123, 100, ethernet(inner())))).tcp).toBeNull();
    expect(decode(outer(17, vxlan(40000, 100, ethernet(inner())))).tcp?.flags).toBe(SYN);
    const toHsrp = vxlan(4789, 100, ethernet(inner()));
    toHsrp.set([0x07, 0xc1], 2);
    expect(decode(outer(17, toHsrp)).tcp).toBeNull();
    // A UDP length shorter than what follows it: tcpdump's inner frame is "(invalid)", tshark's TCP malformed.
    const short = vxlan(40000, 100, ethernet(inner()));
    short.set([0, (short.length - 10) & 0xff], 4);
    expect(decode(outer(17, short)).tcp).toBeNull();
    const to80 = vxlan(4789, 100, ethernet(inner()));
    to80.set([0x00, 0x50], 2);
    expect(decode(outer(17, to80)).tcp?.flags).toBe(SYN);
  });

  it('connections through tunnels are keyed on the inner addresses and ports, as tshark keys tcp.stream', () => {
    const analyzer = new Analyzer();
    const frames = [
      outer(47, gre(0, 0x0800, [], inner())),
      outer(17, vxlan(54321, 7, ethernet(ipv4({ src: '10.0.0.2', dst: '10.0.0.1' }, tcp({ flags: SYN | ACK, srcPort: 80, dstPort: 40000, ack: 1001 }))))),
    ];
    const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1 })));
    expect(events.map((e) => e.conn)).toEqual([0, 0]);
    expect(analyzer.finish().connections[0]!.tcp.server.addr).toBe('10.0.0.2');
  });

  it('IPComp is noted and not decompressed', () => {
    const p = decode(ethernet(ipv4({ protocol: 108 }, [6, 0, 0x12, 0x34, 1, 2])));
    expect(p.linkNotes[0]).toEqual({ kind: 'ipcomp', cpi: 0x1234, nextHeader: 6 });
    expect(p.tcp).toBeNull();
  });
});

describe('IPv6', () => {
  it('a routing header with segments left names the final destination as the connection\'s address (tshark); the line keeps the header\'s', () => {
    const client = '2001:db8::1';
    const server = '2001:db8::99';
    const hop = '2001:db8::50';
    // SRv6 (type 4): Segment List[0] is the final segment. Type 0: the last address listed. tshark 4.0.17 puts the
    // SYN sent through the segment and the server's direct SYN-ACK in one tcp.stream.
    for (const routing of [ext.routing(4, 1, [server, hop]), ext.routing(0, 1, [hop, server])]) {
      const frames = [
        etherIpv6Tcp({ src: client, dst: hop, extensions: [routing] }, { srcPort: 40000, dstPort: 80, flags: SYN, seq: 1000 }),
        etherIpv6Tcp({ src: server, dst: client }, { srcPort: 80, dstPort: 40000, flags: SYN | ACK, seq: 5000, ack: 1001 }),
      ];
      const analyzer = new Analyzer();
      const events = frames.map((f, i) => analyzer.push(record(f, { index: i + 1 })));
      expect(events.map((e) => e.conn)).toEqual([0, 0]);
      expect(formatAddr(events[0]!.packet.ip!.dst)).toBe(server);
      const line = formatPacketLine(events[0]!.packet, newSeqView(), { tsStyle: 0 });
      expect(line).toContain(`IP6 2001:db8::1 > ${hop}: RT6 (`);
      expect(line).toContain(') 40000 > 80: Flags [S]');
      expect(analyzer.finish().connections[0]!.tcp.server.addr).toBe(server);
    }
    // Mobile IPv6 (type 2): the home address it carries, as tshark keys the stream.
    const home = decode(etherIpv6Tcp({ src: client, dst: hop, extensions: [ext.routing(2, 1, [server])] }, { flags: SYN }));
    expect(formatAddr(home.ip!.dst)).toBe(server);
    // SRv6 encapsulation (an outer IPv6 header with an SRH around an IPv4 packet): the outer header is printed with its
    // destination field, as tcpdump prints it, not the final destination (a regression found in review).
    const encap = ethernet(ipv6({ src: client, dst: hop, nextHeader: 4, extensions: [ext.routing(4, 1, [server, hop])] },
      ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, tcp({ flags: SYN, srcPort: 40000, dstPort: 80 }))), { etherType: 0x86dd });
    const encapLine = formatPacketLine(decode(encap), newSeqView(), { tsStyle: 0 });
    expect(encapLine).toContain(`IP6 2001:db8::1 > ${hop}: RT6 (`);
    expect(encapLine).toContain(') IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [S]');
    // No segments left: the destination field is the final destination.
    const done = decode(etherIpv6Tcp({ src: client, dst: server, extensions: [ext.routing(4, 0, [server, hop])] }, { flags: SYN }));
    expect(formatAddr(done.ip!.dst)).toBe(server);
  });

  it('reads the fixed header', () => {
    const p = decode(etherIpv6Tcp({ hopLimit: 9, trafficClass: 0xb8 }, { flags: SYN, payload: 'hello' }));
    expect(p.ip).toMatchObject({ version: 6, headerLen: 40, protocol: 6, ttl: 9, lengthField: 25, payloadLen: 25, tos: 0xb8 });
    expect(p.tcp?.payloadLen).toBe(5);
  });

  it('walks hop-by-hop, destination options and routing headers', () => {
    const p = decode(etherIpv6Tcp({ extensions: [ext.options(0), ext.options(60), ext.routing(0, 1, ['2001:db8::9'])] }, { flags: SYN }));
    expect(p.linkNotes.map((n) => (n as Ip6ExtNote).nextHeader)).toEqual([0, 60, 43]);
    expect(p.ip?.headerLen).toBe(40 + 8 + 8 + 24);
    expect(p.ip?.headerProtocol).toBe(0);
    expect(p.tcp?.flags).toBe(SYN);
  });

  it('decodes a first fragment, not a later one', () => {
    const first = decode(etherIpv6Tcp({ extensions: [ext.fragment(0, true, 77)] }, { flags: ACK, payload: 'ab' }));
    expect(first.ip).toMatchObject({ id: 77, moreFragments: true, fragOffset: 0 });
    expect(first.tcp?.payloadLen).toBe(2);
    const later = decode(ethernet(ipv6({ extensions: [ext.fragment(1232, false, 77)] }, ascii('tail')), { etherType: 0x86dd }));
    expect(later.ip?.fragOffset).toBe(1232);
    expect(later.tcp).toBeNull();
  });

  it('rejects a repeated or misplaced hop-by-hop header', () => {
    const twice = decode(etherIpv6Tcp({ extensions: [ext.options(0), ext.options(0)] }, { flags: SYN }));
    expect(twice.linkNotes.at(-1)).toEqual({ kind: 'ip6-invalid', reason: 'hbh-repeated' });
    const late = decode(etherIpv6Tcp({ extensions: [ext.options(60), ext.options(0)] }, { flags: SYN }));
    expect(late.linkNotes.at(-1)).toEqual({ kind: 'ip6-invalid', reason: 'hbh-not-first' });
  });

  it('stops a chain of extension headers that never ends', () => {
    const chain = Array.from({ length: 60 }, () => ext.options(60));
    const p = decode(etherIpv6Tcp({ extensions: chain }, { flags: SYN }));
    expect(p.tcp).toBeNull();
    expect(p.problem).toMatchObject({ kind: 'unsupported', layer: 'ipv6' });
  });

  it('payload length 0 without a jumbo option leaves no transport bytes', () => {
    const p = decode(etherIpv6Tcp({ payloadLength: 0 }, { flags: SYN }));
    expect(p.tcp).toBeNull();
    expect(p.problem).toMatchObject({ kind: 'truncated', layer: 'tcp' });
  });
});

describe('isTcpPacket', () => {
  it('is true for decoded TCP, for TCP cut before its ports, for TCP fragments and rejected IPv6 chains', async () => {
    const { isTcpPacket } = await import('../../src/decode/decode-frame.js');
    expect(isTcpPacket(decode(etherIpv4Tcp({}, { flags: SYN })))).toBe(true);
    expect(isTcpPacket(decode(etherIpv4Tcp({}, { flags: SYN }), 36))).toBe(true);
    expect(isTcpPacket(decode(ethernet(ipv4({ fragOffset: 8 }, ascii('x')))))).toBe(true);
    expect(isTcpPacket(decode(etherIpv6Tcp({ extensions: [ext.options(60), ext.options(0)] }, { flags: SYN })))).toBe(true);
    expect(isTcpPacket(decode(ethernet(ipv6({}, tcp({ flags: SYN })))))).toBe(true);
    expect(isTcpPacket(decode(ethernet(ipv4({ protocol: 17 }, [0, 1, 0, 2, 0, 8, 0, 0]))))).toBe(false);
    expect(isTcpPacket(decode(ethernet(new Array(28).fill(0), { etherType: 0x0806 })))).toBe(false);
    expect(isTcpPacket(decode(etherIpv4Tcp({}, {}), 14))).toBe(false);
  });
});
