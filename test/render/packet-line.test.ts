// Packet lines for hand-built frames; every expected string is what tcpdump 4.99.3 -nn printed for the same bytes
// (see fixtures/README-crafted.md). Covers IP words, ports, flags, numbers, options, truncation, link prefixes.

import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/decode-frame.js';
import { formatPacketBody, formatPacketLine, invalidHeaderText, numberPrefix } from '../../src/render/packet-line.js';
import { formatIpv6 } from '../../src/render/packet-line-addr.js';
import { newSeqView, TcpdumpSeq } from '../../src/tcp/tcpdump-seq.js';
import {
  ah, bytes, ethernet, etherIpv4Tcp, etherIpv6Tcp, ext, gre, greChecksummed, ipv4, ipv6, ipv6Addr, mpls, opt, pppoeSession,
  record, sll2, tcp, vxlan, type Bytes, type RecordOptions,
} from '../helpers/packet-builder.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const A = '10.1.0.1';
const B = '10.1.0.2';

/** The body (after the timestamp) of the line for one frame, numbered as tcpdump -S would (no table). */
function body(frame: Bytes, opts: RecordOptions = {}): string {
  const packet = decodePacket(record(frame, opts));
  const view = new TcpdumpSeq({ absolute: true }).apply(packet, newSeqView());
  return formatPacketBody(packet, view, (i) => (i === 1 ? 'lo' : undefined));
}

describe('the TCP line', () => {
  it('addresses, ports, flags, seq, win, options, length', () => {
    expect(body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, flags: SYN, seq: 1000, options: [...opt.mss(1460), ...opt.sackOk(), ...opt.ts(1, 0), ...opt.nop(), ...opt.wscale(7)] })))
      .toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [S], seq 1000, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0');
  });

  it('flag letters in tcpdump order, "none", and urg', () => {
    const line = (flags: number, extra = {}): string => body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, flags, seq: 8, ack: 3, ...extra }));
    expect(line(0xff, { urgent: 1, payload: 'x' })).toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [FSRP.UEW], seq 8:9, ack 3, win 65535, urg 1, length 1');
    expect(line(0x100)).toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [none], win 65535, length 0');
    expect(line(SYN | 0x40 | 0x80)).toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [SEW], seq 8, win 65535, length 0');
    expect(line(0x01)).toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [F], seq 8, win 65535, length 0');
  });

  it('bad header lengths as tcpdump words them', () => {
    expect(body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, flags: SYN, dataOffsetWords: 4 })))
      .toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001:  tcp 4 [bad hdr length 16 - too short, < 20]');
    expect(body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, flags: SYN, dataOffsetWords: 15 })))
      .toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [S] [bad hdr length 60 - too long, > 20]');
  });

  it('options: [len N], [bad opt], tfo, exp-tfo, md5, mptcp, unknown', () => {
    const line = (options: number[], flags = SYN): string => body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, flags, seq: 1000, options }));
    const head = 'IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [S], seq 1000, win 65535, options [';
    expect(line([...opt.raw(2, [5, 0xb4, 1, 3]), ...opt.nop(), ...opt.nop()])).toBe(`${head}mss 1460[len 6],nop,[bad opt]]`);
    expect(line([...opt.mss(1460), 5, 1, 0, 0])).toBe(`${head}mss 1460,[bad opt]]`);
    expect(line([...opt.tfo(), ...opt.nop(), ...opt.nop()])).toBe(`${head}tfo  cookiereq,nop,nop], length 0`);
    expect(line([...opt.expTfo([9, 9, 9, 9, 0, 0])])).toBe(`${head}exp-tfo cookie 090909090000,eol], length 0`);
    expect(line([...opt.raw(254, [0xf9]), ...opt.nop()])).toBe(`${head}exp[bad opt]`);
    expect(line([...opt.mptcp([0x11, 0x05, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 9])])).toBe(`${head}mptcp 12 join backup id 5 token 0xdeadbeef nonce 0x9], length 0`);
    // print-mptcp.c dss_print prints as it goes: "[bad opt]" follows the fields shown before the length ran out
    // (compared with tcpdump 4.99 on the same bytes).
    const ackLine = (options: number[]): string => line(options, ACK).replace(`${head}`, '');
    expect(ackLine([...opt.mptcp([0x20, 0x01, 0, 0, 0, 10, 0, 0, 0, 0])])).toMatch(/options \[mptcp 12 dss ack 10\[bad opt\]$/);
    expect(ackLine([...opt.mptcp([0x20, 0x11, 0, 0, 0, 10, 0, 0, 0, 0])])).toMatch(/options \[mptcp 12 dss fin ack 10\[bad opt\]$/);
    expect(ackLine([...opt.mptcp([0x20, 0x05, 0, 0, 0, 1])])).toMatch(/options \[mptcp 8 dss ack 1 seq \[bad opt\]$/);
    expect(line([...opt.raw(99, [1, 2, 3]), ...opt.raw(100, []), ...opt.nop(), ...opt.nop(), ...opt.nop()]))
      .toBe(`${head}unknown-99 0x010203,unknown-100,nop,nop,nop,eol], length 0`);
    expect(body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, flags: ACK, ack: 5001, options: opt.md5(Array.from({ length: 16 }, (_, i) => i * 17)) })))
      .toBe("IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [.], ack 5001, win 65535, options [md5 shared secret not supplied with -M, can't check - 00112233445566778899aabbccddeeff,eol], length 0");
  });

  it('HTTP start lines on port 80 / 8080 after the length', () => {
    expect(body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 80, dstPort: 40002, flags: ACK | PSH, seq: 1000, ack: 1, payload: 'HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n' })))
      .toBe('IP 10.1.0.1.80 > 10.1.0.2.40002: Flags [P.], seq 1000:1037, ack 1, win 65535, length 37: HTTP: HTTP/1.1 404 Not Found');
    expect(body(etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40002, dstPort: 80, flags: ACK | PSH, seq: 1000, ack: 1, payload: 'some body bytes\r\n' })))
      .toBe('IP 10.1.0.1.40002 > 10.1.0.2.80: Flags [P.], seq 1000:1017, ack 1, win 65535, length 17: HTTP');
  });
});

describe('truncation', () => {
  const frame = etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40000, dstPort: 5001, flags: SYN, seq: 1000, options: [...opt.mss(1460), ...opt.ts(1, 2), ...opt.nop(), ...opt.nop()] });
  it('at every layer', () => {
    expect(body(frame, { snapLen: 10 })).toBe(' [|ether]');
    expect(body(frame, { snapLen: 14 })).toBe(' [|ip]');
    expect(body(frame, { snapLen: 15 })).toBe('IP  [|ip]');
    expect(body(frame, { snapLen: 36 })).toBe('IP 10.1.0.1 > 10.1.0.2: [|tcp]');
    expect(body(frame, { snapLen: 40 })).toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001:  [|tcp]');
    expect(body(frame, { snapLen: 58 })).toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [S], seq 1000, win 65535, options [mss 1460, [|tcp]');
    expect(body(frame, { snapLen: 62 })).toBe('IP 10.1.0.1.40000 > 10.1.0.2.5001: Flags [S], seq 1000, win 65535, options [mss 1460,TS [|tcp]>');
  });

  it('inside IPv4 options and inside an AH', () => {
    expect(body(etherIpv4Tcp({ src: A, dst: B, options: [1, 1, 1, 1] }, { flags: SYN }), { snapLen: 36 }))
      .toBe('IP  [remaining caplen(22) < header length(24)] [|ip]');
    const withAh = ethernet(ipv4({ src: A, dst: B, protocol: 51 }, bytes(ah(6, 0x1234, 1, new Array(12).fill(0x77)), tcp({ flags: SYN }))));
    expect(body(withAh, { snapLen: 48 })).toBe('IP 10.1.0.1 > 10.1.0.2: AH(spi=0x00001234,seq=0x1,icv=0x7777 [|ah]');
  });

  it('an HTTP start line cut by the capture', () => {
    const http = etherIpv4Tcp({ src: A, dst: B }, { srcPort: 40001, dstPort: 80, flags: ACK | PSH, seq: 1000, ack: 1, payload: 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n' });
    expect(body(http, { snapLen: 64 })).toBe('IP 10.1.0.1.40001 > 10.1.0.2.80: Flags [P.], seq 1000:1037, ack 1, win 65535, length 37: HTTP [|http]');
  });
});

describe('IP variants', () => {
  it('bad-hlen, bad-len, bytes missing, fragments', () => {
    expect(body(etherIpv4Tcp({ src: A, dst: B, ihl: 4 }, { flags: SYN }))).toBe('IP bad-hlen 16');
    expect(body(etherIpv4Tcp({ src: A, dst: B, totalLength: 0 }, { flags: SYN }))).toBe('IP bad-len 0');
    expect(body(etherIpv4Tcp({ src: A, dst: B, totalLength: 143 }, { srcPort: 40000, dstPort: 5001, flags: ACK | PSH, seq: 1000, ack: 1, payload: 'abc' })))
      .toBe('IP truncated-ip - 100 bytes missing! 10.1.0.1.40000 > 10.1.0.2.5001: Flags [P.], seq 1000:1103, ack 1, win 65535, length 103');
    expect(body(ethernet(ipv4({ src: A, dst: B, fragOffset: 32 }, [1, 2, 3])))).toBe('IP 10.1.0.1 > 10.1.0.2: ip-proto-6');
  });

  it('IPv6 extension headers, fragments, tunnels, AH, IPComp', () => {
    const t = { flags: SYN, srcPort: 40000, dstPort: 80, seq: 1000 };
    expect(body(etherIpv6Tcp({ extensions: [ext.options(0), ext.options(60)] }, t)))
      .toBe('IP6 2001:db8::1 > 2001:db8::2: HBH DSTOPT 40000 > 80: Flags [S], seq 1000, win 65535, length 0');
    expect(body(etherIpv6Tcp({ extensions: [ext.routing(4, 0, ['2001:db8::7', '2001:db8::8'])] }, t)))
      .toBe('IP6 2001:db8::1 > 2001:db8::2: RT6 (len=4, type=4, segleft=0, last-entry=0, tag=0, [0]2001:db8::7, [1]2001:db8::8) 40000 > 80: Flags [S], seq 1000, win 65535, length 0');
    expect(body(ethernet(ipv6({ extensions: [ext.fragment(1232, false, 1)] }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { etherType: 0x86dd })))
      .toBe('IP6 2001:db8::1 > 2001:db8::2: frag (1232|10)');
    // A payload length shorter than the headers: print-frag6.c's size_t arithmetic wraps at 2^64 (tcpdump 4.99.3).
    const short = ipv6({ extensions: [ext.fragment(64, false, 1)] }, []);
    short[4] = 0;
    short[5] = 0;
    expect(body(ethernet(short, { etherType: 0x86dd }))).toBe('IP6 2001:db8::1 > 2001:db8::2: frag (64|18446744073709551608)');
    expect(body(ethernet(ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 41 }, ipv6({}, tcp(t))))))
      .toBe('IP 192.0.2.1 > 192.0.2.2: IP6 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], seq 1000, win 65535, length 0');
    expect(body(ethernet(ipv4({ src: A, dst: B, protocol: 51 }, bytes(ah(6, 0xc0ffee, 3, new Array(12).fill(0x11)), tcp(t))))))
      .toBe('IP 10.1.0.1 > 10.1.0.2: AH(spi=0x00c0ffee,seq=0x3,icv=0x111111111111111111111111): 40000 > 80: Flags [S], seq 1000, win 65535, length 0');
    // An AH whose length byte is 0 (8 bytes): print-ah.c reads its "seq" from the next header's first bytes (here the
    // TCP ports 40000 and 80), prints no ICV, and goes on 8 bytes in (tcpdump 4.99.3); cut before byte 12 it stops.
    const shortAh = ethernet(ipv4({ src: A, dst: B, protocol: 51 }, bytes([6, 0, 0, 0, 0, 0, 0x12, 0x34], tcp(t))));
    expect(body(shortAh)).toBe('IP 10.1.0.1 > 10.1.0.2: AH(spi=0x00001234,seq=0x9c400050,icv=0x): 40000 > 80: Flags [S], seq 1000, win 65535, length 0');
    expect(body(shortAh, { snapLen: 14 + 20 + 10 })).toBe('IP 10.1.0.1 > 10.1.0.2: AH(spi=0x00001234, [|ah]');
    expect(body(ethernet(ipv4({ src: A, dst: B, protocol: 108 }, [6, 0, 0x12, 0x34])))).toBe('IP 10.1.0.1 > 10.1.0.2: IPComp(cpi=0x1234)');
    expect(body(ethernet(ipv4({ src: A, dst: B }, tcp(t)), { etherType: 0x86dd }))).toBe('IP6 version error: 4 != 6');
  });

  it('link prefixes: SLL2 interface and direction, PPPoE session', () => {
    expect(body(sll2(ipv4({ src: A, dst: B }, tcp({ flags: SYN, srcPort: 40000, dstPort: 80, seq: 4 })), 1, 4), { linkType: 276 }))
      .toBe('lo    Out IP 10.1.0.1.40000 > 10.1.0.2.80: Flags [S], seq 4, win 65535, length 0');
    expect(body(sll2(ipv4({ src: A, dst: B }, tcp({ flags: SYN, srcPort: 40000, dstPort: 80, seq: 1 })), 4242, 1), { linkType: 276 }))
      .toBe('?     B   IP 10.1.0.1.40000 > 10.1.0.2.80: Flags [S], seq 1, win 65535, length 0');
    expect(body(ethernet(pppoeSession(ipv4({ src: A, dst: B }, tcp({ flags: SYN, srcPort: 40000, dstPort: 80, seq: 1000 })), 0xbeef), { etherType: 0x8864 })))
      .toBe('PPPoE  [ses 0xbeef] IP 10.1.0.1.40000 > 10.1.0.2.80: Flags [S], seq 1000, win 65535, length 0');
  });
});

describe('tunnels (tcpdump 4.99.3 print-gre.c, print-vxlan.c, print-mpls.c)', () => {
  const t = { flags: SYN, srcPort: 40000, dstPort: 80, seq: 1000 };
  const inner = (): Uint8Array => ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, tcp(t));
  const outer = (protocol: number, payload: Bytes): Uint8Array =>
    ethernet(ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol }, payload));
  const tail = '10.0.0.1.40000 > 10.0.0.2.80: Flags [S], seq 1000, win 65535, length 0';

  it('GRE version 0: the offset (not the checksum), key and sequence number, the GRE length', () => {
    expect(body(outer(47, gre(0, 0x0800, [], inner())))).toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, length 44: IP ${tail}`);
    expect(body(outer(47, gre(0x8000, 0x0800, [0x12, 0x34, 0, 0], inner()))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, off 0x0, length 48: IP ${tail}`);
    expect(body(outer(47, gre(0x2000, 0x0800, opt.u32(0xabcd), inner()))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, key=0xabcd, length 48: IP ${tail}`);
    expect(body(outer(47, gre(0x1000, 0x0800, opt.u32(7), inner()))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, seq 7, length 48: IP ${tail}`);
    expect(body(outer(47, gre(0xb000, 0x0800, [0x12, 0x34, 0, 5, ...opt.u32(0xdeadbeef), ...opt.u32(4000000000)], inner()))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, off 0x5, key=0xdeadbeef, seq 4000000000, length 56: IP ${tail}`);
    expect(body(outer(47, greChecksummed([...opt.u32(1), ...opt.u32(2)], 0x0800, inner()))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, off 0x0, key=0x1, seq 2, length 56: IP ${tail}`);
    expect(body(outer(47, gre(0x4000, 0x0800, [0, 0, 0, 0, 0, 0, 0, 0], inner()))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, off 0x0, length 52: IP ${tail}`);
  });

  it('GRE payloads: IPv6, transparent Ethernet bridging (nothing printed for the frame), MPLS, unknown', () => {
    expect(body(outer(47, gre(0, 0x86dd, [], ipv6({}, tcp(t))))))
      .toBe('IP 192.0.2.1 > 192.0.2.2: GREv0, length 64: IP6 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], seq 1000, win 65535, length 0');
    expect(body(outer(47, gre(0, 0x6558, [], ethernet(inner())))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, length 58: IP ${tail}`);
    expect(body(outer(47, gre(0, 0x8847, [], bytes(mpls(5, 0, true, 9), inner())))))
      .toBe(`IP 192.0.2.1 > 192.0.2.2: GREv0, length 48: MPLS (label 5, tc 0, [S], ttl 9) IP ${tail}`);
    expect(body(outer(47, gre(0, 0x1234, [], inner())))).toBe('IP 192.0.2.1 > 192.0.2.2: GREv0, length 44: gre-proto-0x1234');
  });

  it('GRE versions 1 and 2, cut headers', () => {
    expect(body(outer(47, gre(0x0001, 0x0800, [], inner())))).toBe('IP 192.0.2.1 > 192.0.2.2: GREv1, no-payload, length 44');
    expect(body(outer(47, gre(0x0002, 0x0800, [], inner())))).toBe('IP 192.0.2.1 > 192.0.2.2: GREv2 ERROR: unknown-version');
    expect(body(outer(47, gre(0, 0x0800, [], inner())), { snapLen: 14 + 20 + 2 })).toBe('IP 192.0.2.1 > 192.0.2.2: GREv0 [|gre]');
    expect(body(outer(47, gre(0xb000, 0x0800, [0x12, 0x34, 0, 5, ...opt.u32(1), ...opt.u32(2)], inner())), { snapLen: 14 + 20 + 10 }))
      .toBe('IP 192.0.2.1 > 192.0.2.2: GREv0, off 0x5 [|gre]');
  });

  it('VXLAN: the inner frame on its own line, with no Ethernet or VLAN text', () => {
    expect(body(outer(17, vxlan(54321, 100, ethernet(inner())))))
      .toBe(`IP 192.0.2.1.54321 > 192.0.2.2.4789: VXLAN, flags [I] (0x08), vni 100\nIP ${tail}`);
    expect(body(outer(17, vxlan(54321, 100, ethernet(inner(), { vlans: [[0x8100, 7]] })))))
      .toBe(`IP 192.0.2.1.54321 > 192.0.2.2.4789: VXLAN, flags [I] (0x08), vni 100\nIP ${tail}`);
    const flagless = vxlan(4789, 0xffffff, ethernet(inner()));
    flagless.set([0xd4, 0x31], 2);
    flagless[8] = 0;
    expect(body(outer(17, flagless)))
      .toBe(`IP 192.0.2.1.4789 > 192.0.2.2.54321: VXLAN, flags [invalid] (0x00), vni 16777215\nIP ${tail}`);
    expect(body(outer(17, vxlan(54321, 100, ethernet(ipv6({}, tcp(t)), { etherType: 0x86dd })))))
      .toBe('IP 192.0.2.1.54321 > 192.0.2.2.4789: VXLAN, flags [I] (0x08), vni 100\nIP6 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], seq 1000, win 65535, length 0');
    expect(body(outer(17, vxlan(54321, 100, ethernet(inner()))), { snapLen: 14 + 20 + 8 + 8 + 10 }))
      .toBe('IP 192.0.2.1.54321 > 192.0.2.2.4789: VXLAN, flags [I] (0x08), vni 100\n [|ether]');
  });

  it('MPLS: one entry per label, [S] on the bottom one, IP guessed', () => {
    const mplsFrame = (labels: number[][], payload: Bytes, etherType = 0x8847): Uint8Array =>
      ethernet(bytes(...labels.map(([l, tc, s, ttl]) => mpls(l, tc, s === 1, ttl)), payload), { etherType });
    expect(body(mplsFrame([[100, 0, 1, 64]], inner()))).toBe(`MPLS (label 100, tc 0, [S], ttl 64) IP ${tail}`);
    expect(body(mplsFrame([[200, 5, 0, 63], [100, 0, 1, 64]], inner())))
      .toBe(`MPLS (label 200, tc 5, ttl 63) (label 100, tc 0, [S], ttl 64) IP ${tail}`);
    expect(body(mplsFrame([[2, 0, 1, 64]], ipv6({}, tcp(t)))))
      .toBe('MPLS (label 2, tc 0, [S], ttl 64) IP6 2001:db8::1.40000 > 2001:db8::2.80: Flags [S], seq 1000, win 65535, length 0');
    expect(body(mplsFrame([[100, 7, 1, 255]], inner(), 0x8848))).toBe(`MPLS (label 100, tc 7, [S], ttl 255) IP ${tail}`);
    expect(body(mplsFrame([[3, 0, 1, 64]], inner()))).toBe(`MPLS (label 3, tc 0, [S], ttl 64) IP ${tail}`);
    expect(body(mplsFrame([[200, 5, 0, 63], [100, 0, 1, 64]], inner()), { snapLen: 14 + 6 }))
      .toBe('MPLS (label 200, tc 5, ttl 63) [|mpls]');
  });
});

describe('line framing', () => {
  it('number prefix, timestamp, invalid record headers', () => {
    expect(numberPrefix(7)).toBe('    7  ');
    expect(numberPrefix(123456)).toBe('123456  ');
    const packet = decodePacket(record(etherIpv4Tcp({ src: A, dst: B }, { flags: SYN, seq: 1 }), { tsSec: 1_700_000_000, tsNsec: 250_001_000 }));
    expect(formatPacketLine(packet, newSeqView(), { tsStyle: 0, number: 1 }).startsWith('    1  22:13:20.250001 IP ')).toBe(true);
    expect(invalidHeaderText(0, 0)).toBe('[Invalid header: caplen==0, len==0]');
    expect(invalidHeaderText(60, 50)).toBe('[Invalid header: len(50) < caplen(60)]');
    expect(invalidHeaderText(300000, 300000)).toBe('[Invalid header: caplen(300000) > 262144, len(300000) > 262144]');
    expect(invalidHeaderText(60, 60)).toBeNull();
  });

  it('IPv6 text as inet_ntop', () => {
    const f = (t: string): string => formatIpv6(Uint8Array.from(ipv6Addr(t)));
    expect(f('::')).toBe('::');
    expect(f('::1')).toBe('::1');
    expect(f('1::')).toBe('1::');
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(f('::ffff:10.1.2.3')).toBe('::ffff:10.1.2.3');
    expect(f('::10.1.2.3')).toBe('::10.1.2.3');
    expect(f('fe80::211:25ff:fe82:95b5')).toBe('fe80::211:25ff:fe82:95b5');
  });
});
