// A flat name -> value view of one connection report, the vocabulary of `tcptrace check` expectations and table cells.
// Derived only from the report: computes no analysis of its own.

import type { ConnectionReport } from './report.js';

export type FactValue = string | number | boolean | null;

/** Close reason in one word for expectations: fin, rst, refused, half-closed, no-answer, open. */
export function closeWord(c: ConnectionReport): string {
  const r = c.tcp.closeReason;
  if (r.startsWith('fin')) return 'fin';
  if (r.startsWith('rst')) return 'rst';
  return r;
}

/**
 * connectionFacts()'s names, known without a connection: `check` tells a misspelt property (and suggests the name
 * meant) on a capture with no connection too. test/check.test.ts keeps it equal to the keys connectionFacts gives.
 */
export const FACT_NAMES: ReadonlySet<string> = new Set([
  'id', 'client', 'server', 'client.port', 'server.port', 'midstream', 'selfConnect', 'handshake', 'state.client', 'state.server', 'close',
  'close.reason', 'close.by', 'duration.ms', 'rtt.ms', 'packets.client', 'packets.server', 'bytes.client',
  'bytes.server', 'retransmitted.client', 'retransmitted.server', 'history', 'http.mode', 'http.pipelined',
  'http.maxPipelineDepth', 'http.undetermined', 'http.unanswered', 'http.orphanResponses', 'http.lostResponses',
  'http.unparsedBytes', 'http.interimResponses', 'http.close', 'http.closedBy', 'http.closeAnnounced', 'http.reuse',
  'http.upgrade', 'http.version', 'other.protocol', 'tls.version', 'tls.serverName',
]);

/**
 * The names among them whose value is a number (or null: rtt.ms without a handshake): text compared with one is a typo
 * `check` says before it reads a capture. test/check.test.ts keeps it equal to the keys connectionFacts gives numbers.
 */
export const NUMERIC_FACT_NAMES: ReadonlySet<string> = new Set([
  'id', 'client.port', 'server.port', 'duration.ms', 'rtt.ms', 'packets.client', 'packets.server', 'bytes.client',
  'bytes.server', 'retransmitted.client', 'retransmitted.server', 'http.pipelined', 'http.maxPipelineDepth',
  'http.undetermined', 'http.unanswered', 'http.orphanResponses', 'http.lostResponses', 'http.unparsedBytes',
  'http.interimResponses',
]);

export function connectionFacts(c: ConnectionReport): Record<string, FactValue> {
  const t = c.tcp;
  const h = c.http;
  return {
    id: t.id,
    client: `${t.client.addr}:${t.client.port}`,
    server: `${t.server.addr}:${t.server.port}`,
    'client.port': t.client.port,
    'server.port': t.server.port,
    midstream: t.midstream,
    selfConnect: t.selfConnect,
    handshake: t.handshakeRttUs !== null,
    'state.client': t.state.client,
    'state.server': t.state.server,
    close: closeWord(c),
    'close.reason': t.closeReason,
    'close.by': t.closedFirstBy,
    'duration.ms': t.durationUs / 1000,
    'rtt.ms': t.handshakeRttUs === null ? null : t.handshakeRttUs / 1000,
    'packets.client': t.packets.client,
    'packets.server': t.packets.server,
    'bytes.client': t.payloadBytes.client,
    'bytes.server': t.payloadBytes.server,
    'retransmitted.client': t.retransmittedBytes.client,
    'retransmitted.server': t.retransmittedBytes.server,
    history: t.history,
    'http.mode': h.mode,
    'http.pipelined': h.pipelinedRequests,
    'http.maxPipelineDepth': h.maxPipelineDepth,
    'http.undetermined': h.undetermined,
    'http.unanswered': h.unanswered,
    // What the capture missed of the connection's HTTP: responses whose requests it lacks, responses it lost, and
    // bytes it could not parse (lost sync, not HTTP). A CI check on a fixture capture can ask for them to be 0.
    'http.orphanResponses': h.orphanResponses,
    'http.lostResponses': h.lostResponses,
    'http.unparsedBytes': h.unparsedBytes,
    'http.interimResponses': h.interimResponses,
    'http.close': h.closeKind,
    'http.closedBy': h.closedBy,
    'http.closeAnnounced': h.closeAnnounced,
    'http.reuse': h.lastResponseAllowsReuse,
    'http.upgrade': h.upgradeTo,
    'http.version': h.requestVersions.join(','),
    // What a connection with no HTTP carries, when its first bytes named it (TLS, SSH), and a TLS client's server name.
    'other.protocol': h.otherProtocol?.name ?? null,
    'tls.version': h.otherProtocol?.name === 'TLS' ? h.otherProtocol.version : null,
    'tls.serverName': h.otherProtocol?.serverName ?? null,
  };
}
