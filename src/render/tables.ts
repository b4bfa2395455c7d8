// The human tables (cli-table3): capture summary, one row per connection with its HTTP verdict, one table of
// exchanges per HTTP connection. Pure functions of reports: every number shown was computed by the analysis.

import Table from 'cli-table3';
import type { ConnectionReport, Report } from '../report.js';
import type { Palette } from './color.js';
import type { HttpExchange } from '../http/types.js';

const PLAIN_STYLE = { head: [] as string[], border: [] as string[] };

export function formatDurationUs(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '-';
  const abs = Math.abs(us);
  if (abs < 1000) return `${us.toFixed(0)} µs`;
  if (abs < 1e6) return `${(us / 1000).toFixed(abs < 1e4 ? 2 : 1)} ms`;
  if (abs < 60e6) return `${(us / 1e6).toFixed(2)} s`;
  const s = Math.round(us / 1e6);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function formatBytes(n: number): string {
  if (n < 10_000) return String(n);
  if (n < 10_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

const CLOSE_WORDS: Record<string, string> = {
  'fin-client-first': 'FIN, client first',
  'fin-server-first': 'FIN, server first',
  'fin-simultaneous': 'FIN, simultaneous',
  'rst-client': 'RST by client',
  'rst-server': 'RST by server',
  refused: 'refused (RST to SYN)',
  'no-answer': 'SYN not answered',
  'half-closed': 'half-closed',
  open: 'open at end',
};

export function closeText(c: ConnectionReport): string {
  return CLOSE_WORDS[c.tcp.closeReason] ?? c.tcp.closeReason;
}

export function httpVerdictText(c: ConnectionReport): string {
  const h = c.http;
  switch (h.mode) {
    case 'none':
      return '-';
    case 'pipelined':
      return `pipelined (depth ${h.maxPipelineDepth}, ${h.requests} req)`;
    case 'keep-alive':
      return `keep-alive (${h.requests} req${h.undetermined ? `, ${h.undetermined} undetermined` : ''})`;
    case 'short':
      return `short (${h.requestVersions.join('/') || 'HTTP'})`;
    case 'upgraded':
      return `upgraded${h.upgradeTo ? ` to ${h.upgradeTo}` : ''}`;
    case 'tunnel':
      return `tunnel${h.upgradeTo ? ` to ${h.upgradeTo}` : ''}`;
    default:
      return h.mode;
  }
}

function issuesText(c: ConnectionReport): string {
  const counts = c.annotationCounts;
  const parts: string[] = [];
  const add = (code: string, word: string) => {
    const n = counts[code];
    if (n) parts.push(`${n} ${word}`);
  };
  add('tcp.retransmission', 'retrans');
  add('tcp.fast-retransmission', 'fast-retrans');
  add('tcp.spurious-retransmission', 'spurious');
  add('tcp.out-of-order', 'ooo');
  add('tcp.dup-ack', 'dup-ack');
  add('tcp.lost-segment', 'lost');
  add('tcp.zero-window', 'zero-win');
  add('tcp.keep-alive', 'keep-alive');
  add('stream.gap', 'gap');
  return parts.join(', ') || '-';
}

export function renderCaptureSummary(report: Report, captures: readonly string[], p: Palette): string {
  const s = report.stats;
  const span = s.firstTsSec !== null && s.lastTsSec !== null ? `, ${formatDurationUs((s.lastTsSec - s.firstTsSec) * 1e6)}` : '';
  const odd = [
    s.truncated ? `${s.truncated} truncated` : '',
    s.invalid ? `${s.invalid} invalid` : '',
    s.unsupported ? `${s.unsupported} unsupported` : '',
  ].filter(Boolean);
  return p.bold(
    `${captures.join(' + ')}: ${s.records} packets (${s.tcpPackets} TCP${odd.length ? `; ${odd.join(', ')}` : ''})${span}, ${s.connections} TCP connection${s.connections === 1 ? '' : 's'}`,
  );
}

export function renderConnectionTable(conns: readonly ConnectionReport[], p: Palette): string {
  const table = new Table({
    head: ['#', 'client', 'server', 'close', 'duration', 'pkts c>s/s>c', 'bytes c>s/s>c', 'rtt', 'trouble', 'HTTP'],
    style: PLAIN_STYLE,
  });
  for (const c of conns) {
    const t = c.tcp;
    table.push([
      String(t.id) + (t.midstream ? '*' : ''),
      endpoint(t.client.addr, t.client.port),
      endpoint(t.server.addr, t.server.port),
      closeText(c),
      formatDurationUs(t.durationUs),
      `${t.packets.client}/${t.packets.server}`,
      `${formatBytes(t.payloadBytes.client)}/${formatBytes(t.payloadBytes.server)}`,
      formatDurationUs(t.handshakeRttUs),
      issuesText(c),
      httpVerdictText(c),
    ]);
  }
  const midNote = conns.some((c) => c.tcp.midstream) ? '\n* capture starts mid-connection: roles inferred' : '';
  return `${p.bold('Connections')}\n${table.toString()}${midNote}`;
}

function exchangeRow(x: HttpExchange): string[] {
  const status = x.status === null ? (x.responseState === 'lost' ? '(lost)' : '-') : `${x.status}${x.reason ? ` ${x.reason}` : ''}`;
  const interim = x.interim.length ? ` (after ${x.interim.join(', ')})` : '';
  const order = x.pipelined ? `pipelined, depth ${x.pipelineDepth}` : x.order === 'undetermined' ? 'undetermined' : x.order === 'first' ? 'first' : x.order === 'after-response' ? 'after response' : '-';
  const target = x.target === null ? '-' : x.target.length > 40 ? `${x.target.slice(0, 37)}...` : x.target;
  return [
    String(x.index),
    `${x.method ?? '-'} ${target}`,
    x.requestVersion ?? '-',
    status + interim,
    x.responseBodyBytes ? formatBytes(x.responseBodyBytes) : '0',
    x.responseFraming ?? '-',
    formatDurationUs(x.timeToFirstByteUs),
    formatDurationUs(x.totalUs),
    order,
    `${x.requestStart?.frame ?? '-'}/${x.responseStart?.frame ?? '-'}`,
  ];
}

/** One table per connection that carried HTTP, headed by its verdict and the evidence; '' when none did. */
export function renderHttpTables(conns: readonly ConnectionReport[], p: Palette): string {
  const parts: string[] = [];
  for (const c of conns) {
    if (c.http.mode === 'none' || c.exchanges.length === 0) continue;
    const t = c.tcp;
    const table = new Table({
      head: ['#', 'request', 'version', 'status', 'body', 'framing', 'ttfb', 'total', 'order', 'frames req/resp'],
      style: PLAIN_STYLE,
    });
    for (const x of c.exchanges) table.push(exchangeRow(x));
    parts.push(
      `${p.bold(`HTTP on connection ${t.id}`)} ${endpoint(t.client.addr, t.client.port)} > ${endpoint(t.server.addr, t.server.port)}: ${p.good(httpVerdictText(c))}\n` +
        `  ${c.http.reason}\n${table.toString()}`,
    );
  }
  return parts.join('\n\n');
}
