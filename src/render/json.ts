// JSON and NDJSON records: one stable-keyed object per packet, per connection, plus meta and end records.
// Pure functions of events and reports; key order is part of the contract (schema/tcptrace.schema.json).

import type { ConnectionReport, PacketEvent, Report } from '../report.js';
import { SCHEMA_VERSION } from '../report.js';
import { formatAddr } from '../tcp/flow-key.js';
import { tcpFlagsString } from './packet-line.js';

export const TOOL_VERSION = '0.1.0';

/** The first NDJSON line. */
export function metaRecord(captures: readonly string[]): string {
  return JSON.stringify({ type: 'meta', schemaVersion: SCHEMA_VERSION, tool: 'tcptrace', version: TOOL_VERSION, captures });
}

/** The opening of the --format json document, up to the start of its packets array. */
export function documentHead(captures: readonly string[]): string {
  const head = JSON.stringify({ schemaVersion: SCHEMA_VERSION, tool: 'tcptrace', version: TOOL_VERSION, captures });
  return `${head.slice(0, -1)},"packets":[`;
}

/** Seconds and nanoseconds as a decimal string: a JSON number cannot hold ns precision at epoch magnitude. */
export function tsString(tsSec: number, tsNsec: number): string {
  return `${tsSec}.${String(tsNsec).padStart(9, '0')}`;
}

export function packetObject(ev: PacketEvent) {
  const p = ev.packet;
  const ip = p.ip!;
  const tcp = p.tcp!;
  const codes = new Array<string>(ev.annotations.length);
  const notes = new Array<string>(ev.annotations.length);
  for (let i = 0; i < ev.annotations.length; i++) {
    codes[i] = ev.annotations[i]!.code;
    notes[i] = ev.annotations[i]!.text;
  }
  return {
    type: 'packet',
    frame: ev.frame,
    conn: ev.conn,
    ts: tsString(p.record.tsSec, p.record.tsNsec),
    dir: ev.dir === 0 ? 'c2s' : 's2c',
    src: formatAddr(ip.src),
    sport: tcp.srcPort,
    dst: formatAddr(ip.dst),
    dport: tcp.dstPort,
    flags: tcpFlagsString(tcp.flags),
    seq: ev.relSeq,
    // -1 from the tracker means the ACK flag was clear: there is no acknowledgement number to report.
    ack: ev.relAck < 0 ? null : ev.relAck,
    len: tcp.payloadLen,
    win: tcp.window,
    annotations: codes,
    notes,
  };
}

export function packetRecord(ev: PacketEvent): string {
  return JSON.stringify(packetObject(ev));
}

export function connectionObject(c: ConnectionReport) {
  return {
    type: 'connection',
    ...c.tcp,
    annotationCounts: c.annotationCounts,
    http: c.http,
    exchanges: c.exchanges,
  };
}

export function connectionRecord(c: ConnectionReport): string {
  return JSON.stringify(connectionObject(c));
}

export function endRecord(report: Report): string {
  return JSON.stringify({ type: 'summary', schemaVersion: report.schemaVersion, ...report.stats, warnings: report.warnings });
}
