// Property: decoding (and printing) never throws, whatever the bytes, the link type or the record lengths.
// Random bytes reach the link layers; mutated and cut real-shaped frames reach IP, extension headers, TCP options.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/decode-frame.js';
import { formatPacketLine } from '../../src/render/packet-line.js';
import { newSeqView, TcpdumpSeq } from '../../src/tcp/tcpdump-seq.js';
import type { CaptureRecord } from '../../src/types.js';
import {
  ah, bytes, ethernet, etherIpv4Tcp, etherIpv6Tcp, ext, ipv4, ipv6, llcSnap, nullLink, opt, pppoeSession, radiotap,
  sll, sll2, tcp, wifiData,
} from '../helpers/packet-builder.js';

const LINK_TYPES = [0, 1, 12, 51, 101, 105, 108, 113, 127, 129, 192, 228, 229, 239, 276];

function check(data: Uint8Array, linkType: number, origLen: number): void {
  const rec: CaptureRecord = {
    index: 1, tsSec: 1, tsNsec: 0, capLen: data.length, origLen, linkType, interfaceId: 0, data,
  };
  const packet = decodePacket(rec);
  const view = new TcpdumpSeq().apply(packet, newSeqView());
  const line = formatPacketLine(packet, view, { tsStyle: 0 });
  expect(typeof line).toBe('string');
  if (packet.tcp !== null) {
    expect(packet.tcp.capturedLen).toBeGreaterThanOrEqual(4);
    expect(packet.tcp.payloadLen).toBeGreaterThanOrEqual(0);
  }
}

const SEEDS: Uint8Array[] = [
  etherIpv4Tcp({ options: [1, 1, 1, 1] }, { flags: 0x12, options: [...opt.mss(1460), ...opt.sack([[1, 2]]), ...opt.ts(1, 2)], payload: 'GET / HTTP/1.1\r\n' }),
  etherIpv6Tcp({ extensions: [ext.options(0), ext.routing(0, 1, ['::1']), ext.fragment(0, true, 1)] }, { flags: 0x18, options: opt.mptcp([0x20, 0x05, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 4]) }),
  ethernet(ipv4({ protocol: 51 }, bytes(ah(4, 1, 1, new Array(12).fill(1)), ipv4({}, tcp({ flags: 2 }))))),
  ethernet(pppoeSession(ipv4({}, tcp({ flags: 2, options: opt.expTfo([1, 2, 3, 4]) })), 5), { etherType: 0x8864, vlans: [[0x8100, 1]] }),
  radiotap(wifiData(llcSnap(ipv6({}, tcp({ flags: 0x10, options: opt.md5(new Array(16).fill(1)) }))), true), { flags: 0x30 }),
  sll(ipv4({}, tcp({ options: opt.tcpAo(1, 2, [1, 2, 3, 4]) }))),
  sll2(ipv6({}, tcp({ options: opt.uto(9) })), 1),
  nullLink(ipv4({}, tcp({})), 2),
];
const SEED_LINK = [1, 1, 1, 1, 127, 113, 276, 0];

describe('decodePacket never throws', () => {
  it('on arbitrary bytes with any link type and any record lengths', () => {
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 300 }), fc.oneof(fc.constantFrom(...LINK_TYPES), fc.integer({ min: 0, max: 70000 })),
      fc.integer({ min: 0, max: 400 }),
      (data, linkType, origLen) => check(data, linkType, origLen),
    ), { numRuns: 3000 });
  });

  it('on mutated and cut well-formed frames', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: SEEDS.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
      fc.integer({ min: -50, max: 50 }),
      (which, edits, cutAt, lenDelta) => {
        const frame = SEEDS[which].slice();
        for (const [at, value] of edits) frame[at % frame.length] = value;
        const data = frame.subarray(0, cutAt % (frame.length + 1));
        check(data, SEED_LINK[which], Math.max(0, frame.length + lenDelta));
      },
    ), { numRuns: 5000 });
  });
});
