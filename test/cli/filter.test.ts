// The --host/--port/--conn output filter: which connections a user's spelling of an address selects.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { analyzeFile } from '../../src/edges.js';
import { makeFilter } from '../../src/cli/filter.js';

const CAP = (n: string) => path.resolve(import.meta.dirname, '../../fixtures/captures', n);

describe('--host', () => {
  it('selects an IPv6 connection by any spelling of its address', async () => {
    const report = await analyzeFile(CAP('real-ipv6.pcap'));
    const v6 = report.connections.filter((c) => c.tcp.client.addr.includes(':'));
    expect(v6.length).toBeGreaterThan(0);
    const addr = v6[0]!.tcp.server.addr;
    expect(addr).toBe('::1');
    for (const spelling of ['::1', '[::1]', '0:0:0:0:0:0:0:1', '::0001', '0::1', '0:0::0:1']) {
      const f = makeFilter({ conn: null, hosts: [spelling], ports: [] });
      expect(report.connections.filter((c) => f.connection(c)).map((c) => c.tcp.id), spelling).toEqual(v6.map((c) => c.tcp.id));
    }
    for (const other of ['::2', '1::', 'not::an::address', '::1:2:3:4:5:6:7:8']) {
      const f = makeFilter({ conn: null, hosts: [other], ports: [] });
      expect(report.connections.filter((c) => f.connection(c)), other).toEqual([]);
    }
  });

  it('keeps IPv4 as written, and an IPv4 tail in IPv6 (::ffff:a.b.c.d)', async () => {
    const report = await analyzeFile(CAP('real-http11-keepalive.pcap'));
    expect(report.connections.filter((c) => makeFilter({ conn: null, hosts: ['127.0.0.1'], ports: [] }).connection(c))).toHaveLength(1);
    expect(report.connections.filter((c) => makeFilter({ conn: null, hosts: ['::ffff:127.0.0.1'], ports: [] }).connection(c))).toHaveLength(0);
  });
});
