// runCli(argv, io): the only code that writes to stdout/stderr and decides exit codes.
// Must not analyse or format packets itself: it wires capture -> Analyzer -> renderers and reports errors in one line.

import { buildParser, checkArgs, ExitCode, protectStdin, type CliOptions } from './args.js';
import { Analyzer } from '../analyze.js';
import { CaptureError, type CaptureWarning } from '../capture/index.js';
import { mergedBatches, type SourceSpec } from '../capture/merge.js';
import type { ConnectionReport, PacketEvent, Report } from '../report.js';
import { TextSink, type LineSink, type TextWriter } from '../render/text-sink.js';
import { ByteSink } from './byte-sink.js';
import { RowSpool } from './row-spool.js';
import { ANSI_PALETTE, PLAIN_PALETTE } from '../render/color.js';
import { TimelineRenderer } from '../render/timeline.js';
import {
  CLI_TABLE3_MAX_ROWS, connectionRow, measureRow, renderCaptureSummary, renderHttpTable, renderHttpVerdict, writeConnectionTable,
} from '../render/tables.js';
import { connectionRecord, documentHead, endRecord, metaRecord, packetRecord } from '../render/json.js';
import { makeFilter } from './filter.js';
import { runChecks } from './check-command.js';

export interface CliStream extends TextWriter {
  isTTY?: boolean;
  columns?: number;
  /** Writes UTF-8 bytes (optional): when present, output is encoded once into reused buffers (see ByteSink). */
  writeBytes?(chunk: Uint8Array): void;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** Standard input as a byte stream (for `-`). */
  stdin: NodeJS.ReadableStream | AsyncIterable<Uint8Array>;
  env: Record<string, string | undefined>;
  readTextFile(path: string): Promise<string>;
  /** Aborted on Ctrl-C: reading stops, and the tables for what was read are still printed. */
  signal?: AbortSignal;
  /** Size of a capture file in bytes, for the progress line (null when unknown). */
  fileSize?(path: string): number | null;
  /**
   * Called after each batch of packets (optional): main.ts uses it to keep the heap near the live data (see
   * heapGuard there); tests and library callers need nothing.
   */
  afterBatch?(): void;
  /** SLL2 interface index to name on this machine, as tcpdump resolves it (undefined: printed as "?"). */
  interfaceName?(ifIndex: number): string | undefined;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = await parseArgv(argv);
  if ('output' in parsed) {
    io.stdout.write(parsed.output.endsWith('\n') ? parsed.output : `${parsed.output}\n`);
    return ExitCode.OK;
  }
  if ('error' in parsed) {
    io.stderr.write(`tcptrace: ${parsed.error}\nTry 'tcptrace --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  const checked = checkArgs(parsed.argv);
  if ('error' in checked) {
    io.stderr.write(`tcptrace: ${checked.error}\nTry 'tcptrace --help' for usage.\n`);
    return ExitCode.USAGE;
  }
  const options = checked.options;
  try {
    if (options.command === 'check') return await runChecks(options, io, (spec) => analyzeSources(options, io, spec, null));
    return await trace(options, io);
  } catch (err) {
    return reportError(err, io);
  }
}

async function parseArgv(argv: readonly string[]): Promise<{ argv: Record<string, unknown> } | { output: string } | { error: string }> {
  return new Promise((resolve) => {
    buildParser(argv).parse(protectStdin(argv), {}, (err: Error | undefined, result: Record<string, unknown>, output: string) => {
      if (err) resolve({ error: err.message });
      else if (output) resolve({ output });
      else resolve({ argv: result });
    });
  });
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CaptureError) {
    io.stderr.write(`tcptrace: ${err.message}\n`);
    return ExitCode.UNREADABLE;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.path === 'string') {
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory, not a capture file' : e.code;
    io.stderr.write(`tcptrace: ${e.path}: ${why}\n`);
    return ExitCode.UNREADABLE;
  }
  // A bug of ours, not a problem of the input: say so plainly, without a stack trace.
  io.stderr.write(`tcptrace: internal error: ${e?.message ?? String(err)} (please report it with the capture)\n`);
  return 70;
}

function sourcesOf(options: CliOptions, io: CliIo): SourceSpec[] {
  return options.captures.map((c) => ({ name: c === '-' ? 'stdin' : c, source: c === '-' ? io.stdin : c }));
}

/** Runs the analysis over the given sources, calling `onBatch` with each batch of events. Returns the report and warnings. */
export async function analyzeSources(
  options: CliOptions,
  io: CliIo,
  specs: SourceSpec[],
  onBatch: ((events: PacketEvent[]) => void) | null,
  onConnection?: (c: ConnectionReport, atEvent: number) => void,
  onProgress?: (bytes: number, packets: number, connections: number) => void,
): Promise<{ report: Report; warnings: CaptureWarning[]; damaged: boolean }> {
  // onConnection learns where in the event sequence a connection was finalized (the index of the event being pushed,
  // or the event count at the end), so a caller can keep output order independent of how input was chunked.
  let atEvent = 0;
  const printsLines = options.command === 'trace' && options.format === 'text' && options.view === 'timeline';
  // Checks read the whole report; every other caller takes each connection as it is reported and keeps only what it
  // prints, so memory follows the open connections, not the capture.
  const analyzer = new Analyzer({
    absoluteSeq: options.absoluteSeq,
    displaySeq: printsLines,
    maxConnections: options.maxConnections,
    keepConnections: options.command === 'check',
    // Exchanges are printed only by --http and the JSON formats; the tables and checks read the verdicts and counts.
    exchanges: options.command === 'trace' && (options.format !== 'text' || options.view === 'http'),
    onConnection: onConnection && ((c) => onConnection(c, atEvent)),
  });
  const gen = mergedBatches(specs, { signal: io.signal });
  let packets = 0;
  for (;;) {
    const next = await gen.next();
    if (next.done) {
      const { warnings, damaged, bytes } = next.value;
      onProgress?.(bytes, packets, 0);
      return { report: analyzer.finish(warnings), warnings, damaged };
    }
    const { records, bytes } = next.value;
    const events = new Array<PacketEvent>(records.length);
    for (let i = 0; i < records.length; i++) {
      atEvent = packets + i;
      events[i] = analyzer.push(records[i]!);
    }
    packets += records.length;
    atEvent = packets;
    onBatch?.(events);
    onProgress?.(bytes, packets, 0);
    io.afterBatch?.();
  }
}

/** Joins a stored row's cells: cells are control-free (cellText), so NUL cannot occur in one. */
const CELL_SEPARATOR = '\u0000';
/** Ends a stored row before its verdict text: cellText escapes \x01 and the palette writes only ESC sequences. */
const VERDICT_SEPARATOR = '\u0001';

async function trace(options: CliOptions, io: CliIo): Promise<number> {
  const writeBytes = io.stdout.writeBytes;
  const sink: LineSink = writeBytes ? new ByteSink((chunk) => writeBytes.call(io.stdout, chunk)) : new TextSink(io.stdout);
  const colorOn = options.color === 'always' || (options.color === 'auto' && io.stdout.isTTY === true && !io.env.NO_COLOR);
  const palette = colorOn ? ANSI_PALETTE : PLAIN_PALETTE;
  const filter = makeFilter(options);
  const specs = sourcesOf(options, io);
  const live = options.captures.includes('-');
  const timeline = new TimelineRenderer({
    annotate: options.annotate,
    number: options.number,
    tsStyle: options.tsStyle,
    nano: options.nano,
    palette,
    interfaceName: io.interfaceName,
  });
  const progress = makeProgress(options, io, specs);

  let onBatch: ((events: PacketEvent[]) => void) | null = null;
  let onConnection: ((c: ConnectionReport, atEvent: number) => void) | undefined;
  /** NDJSON connection records finalized during the current batch, with the event they precede. */
  let pendingConnections: { atEvent: number; line: string }[] = [];
  let pendingHead = 0;
  let eventsWritten = 0;
  /**
   * Per connection id, what waits for the end: with --format json its record; in the summary views its table row
   * (cells joined by CELL_SEPARATOR), then VERDICT_SEPARATOR and its HTTP verdict lines (printed under the table;
   * the exchanges are --http's). In a temporary file once they are many.
   */
  const spool = new RowSpool();
  /** The connection table's column widths, measured as its rows are made (the rows are then read once, to draw). */
  const columnWidths: number[] = [];
  let anyMidstream = false;
  let httpTables = 0;
  let httpRows = 0;
  if (options.format === 'ndjson') {
    sink.line(metaRecord(options.captures));
    // A connection finalized mid-capture (port reuse, TIME_WAIT expiry, the connection cap) is written just before
    // the packet whose arrival finalized it. Writing it on the spot put it before the whole batch's packets, its own
    // included, so the output changed with the input's chunking (a file differed from the same bytes on stdin).
    onBatch = (events) => {
      for (const ev of events) {
        while (pendingHead < pendingConnections.length && pendingConnections[pendingHead]!.atEvent <= eventsWritten) {
          sink.line(pendingConnections[pendingHead++]!.line);
        }
        if (ev.conn >= 0 && filter.packet(ev)) sink.line(packetRecord(ev));
        eventsWritten++;
      }
      pendingConnections = pendingConnections.slice(pendingHead);
      pendingHead = 0;
      if (live) sink.flush();
    };
    onConnection = (c, atEvent) => {
      if (!filter.connection(c)) return;
      // Held back only while packets of the current batch must come first; at the capture's end (every connection
      // still open) it is written at once, so the records are never all in memory together.
      if (atEvent <= eventsWritten) sink.line(connectionRecord(c));
      else pendingConnections.push({ atEvent, line: connectionRecord(c) });
    };
  } else if (options.format === 'json') {
    let first = true;
    sink.text(documentHead(options.captures));
    onBatch = (events) => {
      for (const ev of events) {
        if (ev.conn < 0 || !filter.packet(ev)) continue;
        sink.text(first ? `\n${packetRecord(ev)}` : `,\n${packetRecord(ev)}`);
        first = false;
      }
    };
    // One document lists the connections after the packets, in id order: their records wait in the spool (as text,
    // in a temporary file once they are many).
    onConnection = (c) => {
      if (filter.connection(c)) spool.add(c.tcp.id, connectionRecord(c));
    };
  } else {
    if (options.view === 'timeline') {
      onBatch = (events) => {
        for (const ev of events) {
          if (!timeline.wants(ev) || !filter.packet(ev)) continue;
          timeline.render(ev, sink);
        }
        if (live) sink.flush();
      };
    }
    if (options.view === 'http') {
      // Each connection's HTTP table is printed when the connection is reported: nothing waits for the end.
      onConnection = (c) => {
        if (!filter.connection(c)) return;
        const table = renderHttpTable(c, palette, httpRows + c.exchanges.length > CLI_TABLE3_MAX_ROWS);
        if (table === '') return;
        httpRows += c.exchanges.length;
        sink.line(httpTables++ === 0 ? table : `\n${table}`);
        if (live) sink.flush();
      };
    } else {
      // The connection table is printed at the end, in id order: only its row and verdict wait, in the spool.
      onConnection = (c) => {
        if (!filter.connection(c)) return;
        const row = connectionRow(c);
        measureRow(columnWidths, row);
        spool.add(c.tcp.id, row.join(CELL_SEPARATOR) + VERDICT_SEPARATOR + renderHttpVerdict(c, palette));
        if (c.tcp.midstream) anyMidstream = true;
      };
    }
  }

  try {
    const { report, warnings, damaged } = await analyzeSources(options, io, specs, onBatch, onConnection, progress?.update);
    progress?.done();
    epilogue(report);
    sink.flush();
    for (const w of warnings) io.stderr.write(`tcptrace: warning: ${w.message}\n`);
    return damaged ? ExitCode.DAMAGED : ExitCode.OK;
  } finally {
    spool.close();
  }

  /** What follows the packets: the closing records, or the capture line, connection table and verdicts. */
  function epilogue(report: Report): void {
    if (options.format === 'ndjson') {
      for (const c of pendingConnections) sink.line(c.line);
      sink.line(endRecord(report));
    } else if (options.format === 'json') {
      sink.text(`\n],"connections":[`);
      let n = 0;
      for (const id of spool.ids()) sink.text(`${n++ === 0 ? '\n' : ',\n'}${spool.get(id)!}`);
      sink.text(`\n],"summary":${endRecord(report)}}\n`);
    } else if (options.view === 'http') {
      if (httpTables === 0) sink.line('No HTTP exchanges in this capture.');
    } else {
      if (options.view === 'timeline' && report.stats.tcpPackets > 0) sink.line('');
      sink.line(renderCaptureSummary(report, options.captures, palette));
      if (spool.count === 0) return;
      const ids = spool.ids();
      const record = (i: number) => spool.get(ids[i]!)!;
      const rows = {
        count: ids.length,
        widths: columnWidths,
        row: (i: number) => {
          const r = record(i);
          return r.slice(0, r.indexOf(VERDICT_SEPARATOR)).split(CELL_SEPARATOR);
        },
      };
      writeConnectionTable(rows, anyMidstream, palette, (line) => sink.line(line));
      let verdictCount = 0;
      for (let i = 0; i < ids.length; i++) {
        const r = record(i);
        const verdict = r.slice(r.indexOf(VERDICT_SEPARATOR) + 1);
        if (verdict === '') continue;
        if (verdictCount++ === 0) sink.line('');
        sink.line(verdict);
      }
      if (verdictCount > 0) sink.line(`(each request and response: tcptrace --http)`);
    }
  }
}

/** A progress line on stderr, only when stderr is a terminal and stdout is not the same terminal's timeline. */
function makeProgress(options: CliOptions, io: CliIo, specs: SourceSpec[]) {
  if (options.progress === 'never' || io.stderr.isTTY !== true) return null;
  const totalBytes = specs.reduce<number | null>((sum, s) => {
    if (sum === null || typeof s.source !== 'string' || s.source === '-') return null;
    const size = io.fileSize?.(s.source) ?? null;
    return size === null ? null : sum + size;
  }, 0);
  let lastMs = 0;
  let shown = false;
  return {
    update: (bytes: number, packets: number) => {
      const now = Date.now();
      if (now - lastMs < 200) return;
      lastMs = now;
      shown = true;
      const of = totalBytes ? ` of ${(totalBytes / 1e6).toFixed(1)} MB (${((100 * bytes) / totalBytes).toFixed(0)}%)` : '';
      io.stderr.write(`\r\u001b[Ktcptrace: ${(bytes / 1e6).toFixed(1)} MB${of}, ${packets} packets`);
    },
    done: () => {
      if (shown) io.stderr.write('\r\u001b[K');
    },
  };
}
