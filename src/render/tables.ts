// The human tables (cli-table3, with a linear drawer of identical output for very long tables): capture summary, one row per connection with its HTTP verdict, one table of
// exchanges per HTTP connection. Pure functions of reports: every number shown was computed by the analysis.

import Table from 'cli-table3';
import { formatDurationUs } from '../duration.js';
import type { ConnectionReport, Report } from '../report.js';
import type { Palette } from './color.js';
import type { HttpExchange } from '../http/types.js';

export { formatDurationUs };

/**
 * Draws a boxed table exactly as cli-table3 0.6 does with no colours (same characters, one space of padding, a rule
 * between rows). Ours because cli-table3's layout is quadratic in the row count (layout-manager fillInTable): a capture
 * with 3000 HTTP exchanges took 5 s, 20,000 took minutes (found by the fuzzer). This is linear.
 */
export function drawTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [...tableLines(head, { count: rows.length, row: (i) => rows[i]! })].join('\n');
}

/** Rows read by index (twice: once for the widths, once to draw), so a caller can keep them in a compact form. */
export interface RowSource {
  readonly count: number;
  row(index: number): readonly string[];
  /**
   * The columns' widths over every row, measured by measureRow as the rows were made: then the rows are read once,
   * to draw (a caller that keeps them in a file saves reading and splitting every row twice).
   */
  readonly widths?: readonly number[];
}

/** Widens `widths` (display columns per column, no padding) to fit `row`, as tableLines measures cells. */
export function measureRow(widths: number[], row: readonly string[]): void {
  for (let col = 0; col < row.length; col++) {
    const w = displayWidth(cellText(row[col] ?? ''));
    if (!(w <= widths[col]!)) widths[col] = w;
  }
}

/**
 * drawTable's lines one by one: a table of 100,000 rows is never one string, and a caller writing to a slow reader
 * can wait between lines (CliStream.drained).
 */
export function* tableLines(head: readonly string[], rows: RowSource): Generator<string, void, undefined> {
  const headCells = head.map(cellText);
  // A loop, not Math.max(...column): spreading a column of 100,000 rows would overflow the stack.
  const widths = headCells.map((h) => 2 + displayWidth(h));
  if (rows.widths !== undefined) {
    for (let col = 0; col < widths.length; col++) widths[col] = Math.max(widths[col]!, 2 + (rows.widths[col] ?? 0));
  } else {
    for (let i = 0; i < rows.count; i++) {
      const row = rows.row(i);
      for (let col = 0; col < widths.length; col++) {
        const w = 2 + displayWidth(cellText(row[col] ?? ''));
        if (w > widths[col]!) widths[col] = w;
      }
    }
  }
  const rule = (left: string, mid: string, right: string) => left + widths.map((w) => '─'.repeat(w)).join(mid) + right;
  const line = (cells: readonly string[]) => {
    let text = '│';
    for (let col = 0; col < widths.length; col++) {
      const cell = cells[col] ?? '';
      text += ` ${cell}${' '.repeat(widths[col]! - 2 - displayWidth(cell))} │`;
    }
    return text;
  };
  const between = rule('├', '┼', '┤');
  yield rule('┌', '┬', '┐');
  yield line(headCells);
  for (let i = 0; i < rows.count; i++) {
    yield between;
    yield line(rows.row(i).map(cellText));
  }
  yield rule('└', '┴', '┘');
}

/** Tables up to this many rows go through cli-table3; beyond it its quadratic layout takes seconds, then minutes. */
export const CLI_TABLE3_MAX_ROWS = 500;

/**
 * A boxed table: cli-table3 for the tables people read, drawTable (proven byte-identical by a property test against
 * cli-table3) for the very long ones. Cells are made control-free first either way.
 */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], linear = rows.length > CLI_TABLE3_MAX_ROWS): string {
  if (linear) return drawTable(head, rows);
  return cliTable3(head, rows);
}

function cliTable3(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({ head: head.map(cellText), style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(cellText));
  return table.toString();
}

/**
 * A cell as printed: C0 and C1 control characters become \xNN (as the HTTP event texts print them), so a request
 * target or reason phrase from the capture cannot move the cursor, clear the screen or retitle the terminal.
 */
export function cellText(text: string): string {
  // Most cells are plain: a scan is cheaper than a replace that finds nothing.
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Terminal columns of a control-free string: East Asian wide and fullwidth characters take two (as string-width). */
function displayWidth(text: string): number {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x300) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text.length;
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x300 && cp <= 0x36f) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

/** The ranges of is-fullwidth-code-point 3 (what cli-table3's string-width counts as two columns). */
function isWide(cp: number): boolean {
  return (
    cp >= 0x1100 &&
    (cp <= 0x115f ||
      cp === 0x2329 ||
      cp === 0x232a ||
      (cp >= 0x2e80 && cp <= 0x3247 && cp !== 0x303f) ||
      (cp >= 0x3250 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0xa4c6) ||
      (cp >= 0xa960 && cp <= 0xa97c) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe10 && cp <= 0xfe19) ||
      (cp >= 0xfe30 && cp <= 0xfe6b) ||
      (cp >= 0xff01 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1b000 && cp <= 0x1b001) ||
      (cp >= 0x1f200 && cp <= 0x1f251) ||
      (cp >= 0x20000 && cp <= 0x3fffd))
  );
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
    case 'none': {
      // Not HTTP: what it carries instead, when its first bytes said (HttpSummary.otherProtocol).
      const o = h.otherProtocol;
      if (o === null) return '-';
      const what = o.name === 'TLS' ? o.version ?? 'TLS' : `SSH${o.version !== null ? ` ${o.version}` : ''}`;
      return o.serverName !== null ? `${what} (${o.serverName})` : what;
    }
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
  // A socket connected to itself is the trouble to see first (a client that reached no server).
  if (c.tcp.selfConnect) parts.unshift('self-connect');
  return parts.join(', ') || '-';
}

/** A capture as the text names it: standard input, given as `-`, is "stdin" (as the error messages call it). */
export function inputName(capture: string): string {
  return capture === '-' ? 'stdin' : capture;
}

export function renderCaptureSummary(report: Report, captures: readonly string[], p: Palette): string {
  const s = report.stats;
  // Seconds and nanoseconds apart: a 4.5 s capture read 4.00 s when only whole seconds were subtracted. A capture
  // whose last record is stamped before its first says so rather than print a negative span.
  const spanUs = s.firstTsSec !== null && s.lastTsSec !== null
    ? (s.lastTsSec - s.firstTsSec) * 1e6 + ((s.lastTsNsec ?? 0) - (s.firstTsNsec ?? 0)) / 1e3
    : null;
  const span = spanUs === null ? '' : spanUs >= 0 ? `, ${formatDurationUs(spanUs)}` : `, last record stamped ${formatDurationUs(-spanUs)} before the first`;
  const odd = [
    s.truncated ? `${s.truncated} truncated` : '',
    s.invalid ? `${s.invalid} invalid` : '',
    s.unsupported ? `${s.unsupported} unsupported` : '',
  ].filter(Boolean);
  const head = p.bold(
    `${captures.map(inputName).join(' + ')}: ${s.records} packet${s.records === 1 ? '' : 's'} (${s.tcpPackets} TCP${odd.length ? `; ${odd.join(', ')}` : ''})${span}, ${s.connections} TCP connection${s.connections === 1 ? '' : 's'}`,
  );
  // The memory bounds say when they acted: what they cost the analysis is otherwise visible only per packet.
  const limits = [
    s.evictedByCap
      ? `${s.evictedByCap} connection${s.evictedByCap === 1 ? ' was' : 's were'} reported early because the connection table was full (tcptrace --max-connections)`
      : '',
    s.bufferCapGaps
      ? `${s.bufferCapGaps} gap${s.bufferCapGaps === 1 ? ' was' : 's were'} declared because a direction's out-of-order buffer was full`
      : '',
  ].filter(Boolean);
  return limits.length === 0 ? head : `${head}
${p.warn(`limits: ${limits.join('; ')}`)}`;
}

export const CONNECTION_TABLE_HEAD: readonly string[] = ['#', 'client', 'server', 'close', 'duration', 'pkts c>s/s>c', 'bytes c>s/s>c', 'rtt', 'trouble', 'HTTP'];

/** One connection's row of the connection table, control-free: what a streaming caller keeps instead of the report. */
export function connectionRow(c: ConnectionReport): string[] {
  const t = c.tcp;
  return [
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
  ].map(cellText);
}

export function renderConnectionTable(conns: readonly ConnectionReport[], p: Palette): string {
  const rows = conns.map(connectionRow);
  return [...connectionTableLines({ count: rows.length, row: (i) => rows[i]! }, conns.some((c) => c.tcp.midstream), p)].join('\n');
}

/** The connection table line by line, from rows made by connectionRow (in the order given). */
export function* connectionTableLines(rows: RowSource, anyMidstream: boolean, p: Palette): Generator<string, void, undefined> {
  yield p.bold('Connections');
  if (rows.count > CLI_TABLE3_MAX_ROWS) yield* tableLines(CONNECTION_TABLE_HEAD, rows);
  else {
    const all: (readonly string[])[] = [];
    for (let i = 0; i < rows.count; i++) all.push(rows.row(i));
    yield cliTable3(CONNECTION_TABLE_HEAD, all);
  }
  if (anyMidstream) yield '* capture starts mid-connection: roles inferred';
}

/**
 * A message's body bytes, and what the capture lacks of it: "cut" when it ended short (reset, end, bad framing); '-'
 * for a message not in the capture (lost, absent, unanswered), which has no body to count.
 */
function bodyCell(bytes: number, missingBytes: number, state: HttpExchange['responseState']): string {
  if (state !== 'complete' && state !== 'incomplete') return '-';
  const marks: string[] = [];
  if (missingBytes > 0) marks.push(`${formatBytes(missingBytes)} missing`);
  if (state === 'incomplete') marks.push('cut');
  return `${formatBytes(bytes)}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}`;
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
    `${bodyCell(x.requestBodyBytes, x.requestBodyMissingBytes, x.requestState)}/${bodyCell(x.responseBodyBytes, x.responseBodyMissingBytes, x.responseState)}`,
    x.responseFraming ?? '-',
    formatDurationUs(x.timeToFirstByteUs),
    formatDurationUs(x.totalUs),
    order,
    `${x.requestStart?.frame ?? '-'}/${x.responseStart?.frame ?? '-'}`,
  ];
}

/** One table per connection that carried HTTP, headed by its verdict and the evidence; '' when none did. */
export function renderHttpTables(conns: readonly ConnectionReport[], p: Palette): string {
  // The row limit counts every HTTP table together: 100 connections of 500 exchanges each stayed under a per-table
  // limit and took 20 s of CPU in cli-table3 (found by the fuzzer); past the limit every table is drawn linearly.
  const linear = conns.reduce((rows, c) => rows + c.exchanges.length, 0) > CLI_TABLE3_MAX_ROWS;
  return conns.map((c) => renderHttpTable(c, p, linear)).filter((t) => t !== '').join('\n\n');
}

/** The HTTP table of one connection ('' when it carried none); `linear` as renderTable's (both draw the same bytes). */
export function renderHttpTable(c: ConnectionReport, p: Palette, linear: boolean): string {
  if (c.http.mode === 'none' || c.exchanges.length === 0) return '';
  const head = ['#', 'request', 'version', 'status', 'body req/resp', 'framing', 'ttfb', 'total', 'order', 'frames req/resp'];
  return `${renderHttpVerdict(c, p)}\n${renderTable(head, c.exchanges.map(exchangeRow), linear)}`;
}

/**
 * A connection's HTTP verdict and its evidence, two lines ('' when it carried no HTTP): the heading of its --http
 * table, and what the summary views print per HTTP connection under the connection table. `idText` stands for the
 * connection id (the summary keeps a placeholder there until the ids of parallel shards are merged).
 */
export function renderHttpVerdict(c: ConnectionReport, p: Palette, idText: string = String(c.tcp.id)): string {
  // The verdict's counts, not c.exchanges: reports made without exchanges (AnalyzerOptions.exchanges) have verdicts.
  // A connection whose only HTTP is a start line that could not be read has no messages, but a verdict to show.
  if (c.http.mode === 'none' || (c.http.requests + c.http.orphanResponses === 0 && c.http.parseStopped.length === 0)) return '';
  const t = c.tcp;
  // The verdict and its reason quote the capture (Upgrade: protocol names, versions): printed as cells are.
  return (
    `${p.bold(`HTTP on connection ${idText}`)} ${endpoint(t.client.addr, t.client.port)} > ${endpoint(t.server.addr, t.server.port)}: ${p.good(cellText(httpVerdictText(c)))}\n` +
    `  ${cellText(c.http.reason)}`
  );
}
