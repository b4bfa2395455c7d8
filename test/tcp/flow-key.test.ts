// Flow key: the hash is symmetric and small, sameFlow tells the direction, addresses format per RFC 5952.

import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  compareEndpoints, flowHash, flowHashAt, flowKeyString, formatAddr, formatEndpoint, packedFlowDirection, packedFlowDirectionAt,
  sameAddr, sameFlow,
} from '../../src/tcp/flow-key.js';
import { addrBytes } from '../helpers/trace.js';

const v4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const port = fc.integer({ min: 0, max: 65535 });

describe('flowHash', () => {
  test('is the same for both directions and fits in 30 bits', () => {
    for (const addr of [v4, v6]) {
      fc.assert(fc.property(addr, port, addr, port, (a, p, b, q) => {
        const h = flowHash(a, p, b, q);
        return h === flowHash(b, q, a, p) && h >= 0 && h < 2 ** 30 && Number.isInteger(h);
      }));
    }
  });

  test('spreads ordinary client ports over distinct values', () => {
    const server = addrBytes('10.0.0.2');
    const client = addrBytes('10.0.0.1');
    const seen = new Set<number>();
    for (let p = 32768; p < 32768 + 20000; p++) seen.add(flowHash(client, p, server, 80));
    expect(seen.size).toBeGreaterThan(19990);
  });
});

describe('sameFlow', () => {
  const a = addrBytes('10.0.0.1');
  const b = addrBytes('10.0.0.2');
  test('gives the direction or -1', () => {
    expect(sameFlow(a, 5000, b, 80, a, 5000, b, 80)).toBe(0);
    expect(sameFlow(a, 5000, b, 80, b, 80, a, 5000)).toBe(1);
    expect(sameFlow(a, 5000, b, 80, a, 5001, b, 80)).toBe(-1);
    expect(sameFlow(a, 5000, b, 80, b, 5000, a, 80)).toBe(-1);
  });
  test('does not mix IPv4 and IPv6', () => {
    expect(sameAddr(a, addrBytes('::10.0.0.1'))).toBe(false);
    expect(sameAddr(a, addrBytes('10.0.0.1'))).toBe(true);
  });
  test('tells apart a connection to itself on two ports', () => {
    expect(sameFlow(a, 5000, a, 6000, a, 6000, a, 5000)).toBe(1);
    expect(sameFlow(a, 5000, a, 5000, a, 5000, a, 5000)).toBe(0);
  });
});

describe('formatting', () => {
  test('IPv4 and IPv6 (RFC 5952)', () => {
    expect(formatAddr(addrBytes('192.168.1.200'))).toBe('192.168.1.200');
    expect(formatAddr(addrBytes('2001:db8:0:0:0:0:2:1'))).toBe('2001:db8::2:1');
    expect(formatAddr(addrBytes('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatAddr(addrBytes('2001:0:0:1:0:0:0:1'))).toBe('2001:0:0:1::1');
    expect(formatAddr(addrBytes('2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(formatAddr(addrBytes('::'))).toBe('::');
    expect(formatAddr(addrBytes('::1'))).toBe('::1');
    expect(formatAddr(addrBytes('fe80::'))).toBe('fe80::');
  });
  test('endpoints, with brackets for IPv6', () => {
    expect(formatEndpoint(addrBytes('10.0.0.1'), 5000)).toBe('10.0.0.1:5000');
    expect(formatEndpoint(addrBytes('2001:db8::1'), 80)).toBe('[2001:db8::1]:80');
  });
  test('flowKeyString is canonical', () => {
    const a = addrBytes('10.0.0.9');
    const b = addrBytes('10.0.0.2');
    expect(flowKeyString(a, 5000, b, 80)).toBe('10.0.0.2:80-10.0.0.9:5000');
    expect(flowKeyString(b, 80, a, 5000)).toBe('10.0.0.2:80-10.0.0.9:5000');
    expect(compareEndpoints(a, 1, a, 1)).toBe(0);
  });
});

describe('in-place variants (the tracker reads addresses where the packet holds them)', () => {
  const addr = (len: number) => fc.uint8Array({ minLength: len, maxLength: len });
  const endpointPair = fc.oneof(
    fc.tuple(addr(4), addr(4)).map(([a, b]) => ({ len: 4, a, b })),
    fc.tuple(addr(16), addr(16)).map(([a, b]) => ({ len: 16, a, b })),
  );
  const port = fc.integer({ min: 0, max: 65535 });

  test('flowHashAt is flowHash of the same addresses, wherever they sit in the packet', () => {
    fc.assert(
      fc.property(endpointPair, port, port, fc.nat(40), fc.nat(40), ({ len, a, b }, pa, pb, gap1, gap2) => {
        const bytes = new Uint8Array(gap1 + len + gap2 + len + 3);
        bytes.set(a, gap1);
        bytes.set(b, gap1 + len + gap2);
        expect(flowHashAt(bytes, len, gap1, pa, gap1 + len + gap2, pb)).toBe(flowHash(a, pa, b, pb));
      }),
    );
  });

  test('packedFlowDirectionAt agrees with packedFlowDirection', () => {
    fc.assert(
      fc.property(endpointPair, endpointPair, port, port, port, port, (stored, pkt, cp, sp, p1, p2) => {
        if (stored.len !== pkt.len) return;
        const addrs = new Uint8Array(stored.len * 2);
        addrs.set(stored.a, 0);
        addrs.set(stored.b, stored.len);
        const bytes = new Uint8Array(7 + 2 * pkt.len);
        // Half the time the packet is the stored flow itself (either way), so matches are exercised too.
        const [src, dst, sport, dport] = p1 % 2 === 0 ? [pkt.a, pkt.b, p1, p2] : p2 % 2 === 0 ? [stored.a, stored.b, cp, sp] : [stored.b, stored.a, sp, cp];
        bytes.set(src, 7);
        bytes.set(dst, 7 + pkt.len);
        expect(packedFlowDirectionAt(addrs, stored.len, cp, sp, bytes, pkt.len, 7, sport, 7 + pkt.len, dport))
          .toBe(packedFlowDirection(addrs, stored.len, cp, sp, src, sport, dst, dport));
      }),
    );
  });
});
