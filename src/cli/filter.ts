// The --conn/--host/--port filters: which packet events and connection reports the CLI shows.
// Must not change the analysis: every packet is analysed, the filter only chooses what is printed.

import type { CliOptions } from './args.js';
import type { ConnectionReport, PacketEvent } from '../report.js';
import { formatAddr } from '../tcp/flow-key.js';

export interface OutputFilter {
  packet(ev: PacketEvent): boolean;
  connection(c: ConnectionReport): boolean;
}

export function makeFilter(options: Pick<CliOptions, 'conn' | 'hosts' | 'ports'>): OutputFilter {
  const { conn, hosts, ports } = options;
  if (conn === null && hosts.length === 0 && ports.length === 0) {
    return { packet: () => true, connection: () => true };
  }
  const hostSet = new Set(hosts.map(normalizeHost));
  const portSet = new Set(ports);
  // Decisions are per connection, so a packet's verdict is cached by its connection id.
  const byConn = new Map<number, boolean>();
  const matches = (addrA: string, portA: number, addrB: string, portB: number, id: number) =>
    (conn === null || conn === id) &&
    (hostSet.size === 0 || hostSet.has(addrA) || hostSet.has(addrB)) &&
    (portSet.size === 0 || portSet.has(portA) || portSet.has(portB));
  return {
    packet(ev) {
      if (ev.conn < 0) return false;
      let ok = byConn.get(ev.conn);
      if (ok === undefined) {
        const ip = ev.segment.ip!;
        const tcp = ev.segment.tcp!;
        ok = matches(formatAddr(ip.src), tcp.srcPort, formatAddr(ip.dst), tcp.dstPort, ev.conn);
        byConn.set(ev.conn, ok);
      }
      return ok;
    },
    connection(c) {
      return matches(normalizeHost(c.tcp.client.addr), c.tcp.client.port, normalizeHost(c.tcp.server.addr), c.tcp.server.port, c.tcp.id);
    },
  };
}

/** IPv6 literals may be written in brackets or upper case on the command line. */
function normalizeHost(h: string): string {
  return h.replace(/^\[|\]$/g, '').toLowerCase();
}
