// The --conn/--host/--port filters: which packet events and connection reports the CLI shows.
// Must not change the analysis: every packet is analysed, the filter only chooses what is printed.

import type { CliOptions } from './args.js';
import type { ConnectionReport, PacketEvent } from '../report.js';
import { formatAddr } from '../tcp/flow-key.js';

export interface OutputFilter {
  packet(ev: PacketEvent): boolean;
  connection(c: ConnectionReport): boolean;
}

/** Whether --conn, --host or --port narrow what is shown. */
export function isFiltering(options: Pick<CliOptions, 'conn' | 'hosts' | 'ports'>): boolean {
  return options.conn !== null || options.hosts.length > 0 || options.ports.length > 0;
}

/** The filter options given, as the command line spelled them ("--conn 7", "--port 80 --port 443"). */
export function filterWords(options: Pick<CliOptions, 'conn' | 'hosts' | 'ports'>): string {
  return [
    ...(options.conn === null ? [] : [`--conn ${options.conn}`]),
    ...options.hosts.map((h) => `--host ${h}`),
    ...options.ports.map((p) => `--port ${p}`),
  ].join(' ');
}

export function makeFilter(options: Pick<CliOptions, 'conn' | 'hosts' | 'ports'>): OutputFilter {
  const { conn, hosts, ports } = options;
  if (!isFiltering(options)) {
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
  const text = h.replace(/^\[|\]$/g, '').toLowerCase();
  if (!text.includes(':')) return text;
  // Any spelling of an IPv6 address (0:0:0:0:0:0:0:1, ::0001, 0::1) in the form the tables print (RFC 5952).
  const bytes = parseIpv6(text);
  return bytes === null ? text : formatAddr(bytes);
}

/** The 16 bytes of an IPv6 address in text (RFC 4291 §2.2: "::", an IPv4 tail), or null when it is not one. */
function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const quad = p.split('.').map((x) => (/^\d{1,3}$/.test(x) ? Number(x) : NaN));
        if (quad.length !== 4 || quad.some((x) => !(x >= 0 && x <= 255))) return null;
        out.push((quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}
