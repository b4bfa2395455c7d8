// Link layers: where the network layer starts, what notes and problems each link type leaves, byte by byte.

import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/decode-frame.js';
import type { MplsNote, NonIpNote, PppoeNote, RadiotapNote, Sll2Note, TruncNote } from '../../src/decode/notes.js';
import { LinkType } from '../../src/types.js';
import {
  bytes, ethernet, ipv4, ipv6, llcSnap, mpls, nullLink, pppoeSession, radiotap, record, sll, sll2, tcp, wifiData,
} from '../helpers/packet-builder.js';

const SYN = 0x02;
const v4 = (): Uint8Array => ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, tcp({ flags: SYN, srcPort: 1234, dstPort: 80 }));
const v6 = (): Uint8Array => ipv6({}, tcp({ flags: SYN, srcPort: 1234, dstPort: 80 }));

function decode(frame: Uint8Array, linkType: number, snapLen?: number) {
  return decodePacket(record(frame, { linkType, snapLen }));
}

describe('Ethernet', () => {
  it('finds IPv4 after 14 bytes and IPv6 by EtherType', () => {
    const p = decode(ethernet(v4()), LinkType.ETHERNET);
    expect(p.ip?.headerOffset).toBe(14);
    expect(p.ip?.version).toBe(4);
    expect(p.tcp?.dstPort).toBe(80);
    expect(p.linkNotes).toEqual([]);
    expect(p.problem).toBeNull();
    const q = decode(ethernet(v6(), { etherType: 0x86dd }), LinkType.ETHERNET);
    expect(q.ip?.version).toBe(6);
    expect(q.ip?.headerOffset).toBe(14);
  });

  it('walks 802.1Q, 802.1ad (QinQ) and 0x9100 tags', () => {
    const p = decode(ethernet(v4(), { vlans: [[0x88a8, 1], [0x8100, 2], [0x9100, 3]] }), LinkType.ETHERNET);
    expect(p.ip?.headerOffset).toBe(26);
    expect(p.tcp?.srcPort).toBe(1234);
  });

  it('takes an 802.3 length with LLC/SNAP, and the LLC IP SAP', () => {
    const snap = llcSnap(v4());
    const p = decode(ethernet(snap, { etherType: snap.length, padTo: 100 }), LinkType.ETHERNET);
    expect(p.ip?.headerOffset).toBe(22);
    const sap = bytes([6, 6, 3], v4());
    expect(decode(ethernet(sap, { etherType: sap.length }), LinkType.ETHERNET).ip?.headerOffset).toBe(17);
  });

  it('cuts at the Ethernet header and at a VLAN tag', () => {
    const p = decode(ethernet(v4()), LinkType.ETHERNET, 10);
    expect((p.linkNotes[0] as TruncNote).protocol).toBe('ether');
    expect(p.problem).toMatchObject({ kind: 'truncated', layer: 'link' });
    const q = decode(ethernet(v4(), { vlans: [[0x8100, 1]] }), LinkType.ETHERNET, 16);
    expect((q.linkNotes[0] as TruncNote).protocol).toBe('vlan');
  });

  it('reports ARP as not IP', () => {
    const p = decode(ethernet(new Array(28).fill(0), { etherType: 0x0806 }), LinkType.ETHERNET);
    expect(p.ip).toBeNull();
    expect((p.linkNotes[0] as NonIpNote).etherType).toBe(0x0806);
    expect(p.problem?.kind).toBe('unsupported');
  });

  it('decodes a PPPoE session carrying IPv4 and IPv6', () => {
    const p = decode(ethernet(pppoeSession(v4(), 0xdde5), { etherType: 0x8864 }), LinkType.ETHERNET);
    expect((p.linkNotes[0] as PppoeNote).sessionId).toBe(0xdde5);
    expect(p.ip?.headerOffset).toBe(22);
    expect(p.tcp?.dstPort).toBe(80);
    const q = decode(ethernet(pppoeSession(v6(), 1, 0x57), { etherType: 0x8864 }), LinkType.ETHERNET);
    expect(q.ip?.version).toBe(6);
  });
});

describe('MPLS (RFC 3032)', () => {
  it('walks the label stack to the bottom-of-stack entry and guesses IP from the first nibble', () => {
    const p = decode(ethernet(bytes(mpls(300, 5, false, 63), mpls(17, 0, true, 64), v4()), { etherType: 0x8847 }), LinkType.ETHERNET);
    const note = p.linkNotes[0] as MplsNote;
    expect(note.kind).toBe('mpls');
    expect(note.stack.length).toBe(8);
    expect(note.payload).toBe(4);
    expect(p.ip?.headerOffset).toBe(22);
    expect(p.tcp?.flags).toBe(SYN);
    const q = decode(ethernet(bytes(mpls(100, 0, true, 64), v6()), { etherType: 0x8848 }), LinkType.ETHERNET);
    expect(q.ip?.version).toBe(6);
  });

  it('takes the explicit null labels at their word (0 IPv4, 2 IPv6), as print-mpls.c does', () => {
    const p = decode(ethernet(bytes(mpls(2, 0, true, 64), v4()), { etherType: 0x8847 }), LinkType.ETHERNET);
    expect((p.linkNotes[0] as MplsNote).payload).toBe(6);
    expect(p.ip).toBeNull();
    expect(p.problem?.kind).toBe('invalid');
  });

  it('a payload that is not IP, and a cut stack', () => {
    const p = decode(ethernet(bytes(mpls(100, 0, true, 64), [0x12, 1, 2, 3]), { etherType: 0x8847 }), LinkType.ETHERNET);
    expect(p.linkNotes.map((n) => n.kind)).toEqual(['mpls', 'non-ip']);
    expect(p.problem?.kind).toBe('unsupported');
    const cut = decode(ethernet(bytes(mpls(300, 0, false, 64), mpls(17, 0, true, 64), v4()), { etherType: 0x8847 }), LinkType.ETHERNET, 14 + 6);
    expect(cut.linkNotes.map((n) => n.kind)).toEqual(['mpls', 'trunc']);
    expect((cut.linkNotes[0] as MplsNote).stack.length).toBe(4);
    expect(cut.problem?.kind).toBe('truncated');
  });
});

describe('cooked, loopback and raw links', () => {
  it('Linux SLL v1, plain and VLAN-tagged', () => {
    expect(decode(sll(v4()), LinkType.LINUX_SLL).ip?.headerOffset).toBe(16);
    const p = decode(sll(bytes([0, 1, 8, 0], v4()), 0x8100), LinkType.LINUX_SLL);
    expect(p.ip?.headerOffset).toBe(20);
    expect(p.linkNotes[0]).toEqual({ kind: 'sll-vlan', etherType: 0x0800 });
  });

  it('Linux SLL v2 records the interface index and direction', () => {
    const p = decode(sll2(v4(), 7, 4), LinkType.LINUX_SLL2);
    expect(p.linkNotes[0] as Sll2Note).toEqual({ kind: 'sll2', ifIndex: 7, packetType: 4 });
    expect(p.ip?.headerOffset).toBe(20);
    expect((decode(sll2(v4(), 7), LinkType.LINUX_SLL2, 19).linkNotes[0] as TruncNote).protocol).toBe('sll2');
  });

  it('BSD null in both byte orders and LOOP, IPv6 families 24/28/30', () => {
    expect(decode(nullLink(v4(), 2, true), LinkType.NULL).ip?.version).toBe(4);
    expect(decode(nullLink(v4(), 2, false), LinkType.NULL).ip?.version).toBe(4);
    expect(decode(nullLink(v4(), 2, false), LinkType.LOOP).ip?.version).toBe(4);
    for (const af of [24, 28, 30]) expect(decode(nullLink(v6(), af, true), LinkType.NULL).ip?.version).toBe(6);
    expect(decode(nullLink([1, 2], 99), LinkType.NULL).problem?.kind).toBe('unsupported');
  });

  it('raw IP (101, 228, 229, 12) dispatches on the version nibble', () => {
    for (const lt of [101, 228, 229, 12]) {
      expect(decode(v4(), lt).ip?.version).toBe(4);
      expect(decode(v6(), lt).ip?.version).toBe(6);
    }
    const p = decode(bytes([0x50], new Array(30).fill(0)), 101);
    expect(p.linkNotes[0]).toEqual({ kind: 'ip-version', expected: 0, version: 5, offset: 0 });
  });

  it('an unknown link type is unsupported, not an error', () => {
    const p = decode(v4(), 4242);
    expect(p.ip).toBeNull();
    expect(p.problem?.kind).toBe('unsupported');
  });
});

describe('wireless and other encapsulations', () => {
  it('radiotap + 802.11 data + LLC/SNAP', () => {
    const frame = radiotap(wifiData(llcSnap(v4())));
    const p = decode(frame, LinkType.IEEE802_11_RADIOTAP);
    expect((p.linkNotes[0] as RadiotapNote).header.length).toBe(8 + 16);
    expect(p.ip?.headerOffset).toBe(24 + 24 + 8);
    expect(p.tcp?.dstPort).toBe(80);
  });

  it('radiotap FCS flag: the 4-byte trailer is not payload', () => {
    const frame = radiotap(bytes(wifiData(llcSnap(v4())), [1, 2, 3, 4]), { flags: 0x10 });
    const p = decode(frame, LinkType.IEEE802_11_RADIOTAP);
    expect(p.ip?.capEnd).toBe(frame.length - 4);
  });

  it('a QoS data frame has a 26-byte header; control frames are not IP', () => {
    expect(decode(radiotap(wifiData(llcSnap(v4()), true)), LinkType.IEEE802_11_RADIOTAP).ip?.headerOffset).toBe(24 + 26 + 8);
    expect(decode(radiotap([0xd4, 0, 0, 0, 1, 2, 3, 4, 5, 6]), LinkType.IEEE802_11_RADIOTAP).problem?.kind).toBe('unsupported');
  });

  it('PPI carrying Ethernet and 802.11', () => {
    const ppi = (dlt: number, p: Uint8Array): Uint8Array => bytes([0, 0, 8, 0, dlt, 0, 0, 0], p);
    expect(decode(ppi(1, ethernet(v4())), LinkType.PPI).ip?.headerOffset).toBe(22);
    expect(decode(ppi(105, wifiData(llcSnap(v4()))), LinkType.PPI).ip?.headerOffset).toBe(8 + 24 + 8);
  });

  it('NFLOG: skips TLVs up to the payload TLV', () => {
    const frame = bytes([2, 0, 0, 0], [8, 0, 10, 0, 0x61, 0x62, 0x63, 0], [4 + 40, 0, 9, 0], v4());
    const p = decode(frame, LinkType.NFLOG);
    expect(p.ip?.headerOffset).toBe(16);
    expect(p.tcp?.dstPort).toBe(80);
  });

  it('ARCNET: 8-byte header for RFC 1201 types, 5 bytes for RFC 1051', () => {
    expect(decode(bytes([1, 2, 0, 0, 212, 0, 0, 0], v4()), LinkType.ARCNET_LINUX).ip?.headerOffset).toBe(8);
    expect(decode(bytes([1, 2, 0, 0, 240], v4()), LinkType.ARCNET_LINUX).ip?.headerOffset).toBe(5);
  });
});
