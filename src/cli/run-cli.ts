// runCli(argv, io): the only code that writes to stdout/stderr and decides exit codes.
// Must not analyse or format packets itself: it wires capture -> Analyzer -> renderers and reports errors in one line.

import { buildParser, checkArgs, ExitCode, protectStdin, type CliOptions } from './args.js';
import { Analyzer, type AnalyzerShardFacts } from '../analyze.js';
import { Codes, type CaptureRecord } from '../types.js';
import { CaptureError, type CaptureWarning } from '../capture/index.js';
import { mergedBatches, type SourceSpec } from '../capture/merge.js';
import type { ConnectionReport, PacketEvent, Report } from '../report.js';
import { SCHEMA_VERSION } from '../report.js';
import { takesPieces, TextSink, type LineSink, type TextWriter } from '../render/text-sink.js';
import { ByteSink, FrameBytes } from './byte-sink.js';
import { RowSpool } from './row-spool.js';
import { ANSI_PALETTE, PLAIN_PALETTE } from '../render/color.js';
import { TimelineRenderer } from '../render/timeline.js';
import { CLI_TABLE3_MAX_ROWS, inputName, measureRow, renderCaptureSummary, renderHttpTable } from '../render/tables.js';
import { makeRow, mergeOrder, ShardRows, singleOrder, summaryTableLines } from './summary-rows.js';
import {
  mergeStats, shardsDisagree, TimelineMerge, type ShardDone, type ShardLinesMessage, type Hazard, type ShardMessage, type ShardRequest, type ShardRowsMessage,
  type ShardRunner,
} from './shards.js';
import { connectionRecord, documentHead, endRecord, metaRecord, packetRecord, writePacketRecord } from '../render/json.js';
import { filterWords, isFiltering, makeFilter } from './filter.js';
import { readFailure, runChecks } from './check-command.js';
import { localTimeFor } from '../local-time.js';
import { localTimeRule, setLocalTimeRule } from '../render/timestamp.js';

export interface CliStream extends TextWriter {
  isTTY?: boolean;
  columns?: number;
  /**
   * Writes UTF-8 bytes (optional): when present, output is encoded once into reused buffers (see ByteSink). The chunk
   * is the stream's until it calls `taken` (once the bytes are written out); then the caller fills it again.
   */
  writeBytes?(chunk: Uint8Array, taken: () => void): void;
  /**
   * Back-pressure (optional): a promise that settles once the reader has taken enough of what was written, or
   * undefined when little enough waits. The run awaits it every few hundred packets, between input chunks, and between
   * the records and rows it prints at the end, so output waiting for a slow reader (`| less`, `| jq`) stays bounded
   * instead of growing with the capture.
   */
  drained?(): Promise<void> | undefined;
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
   * heapGuard there); tests and library callers need nothing. Called once more with inputDone true when the whole
   * input is analysed, before what is printed at the end.
   */
  afterBatch?(inputDone?: boolean): void;
  /**
   * Called every few hundred records or lines of what is printed at the end (optional): main.ts's heap guard again,
   * collecting at once when due (the loop gives the event loop no turn). The JSON document's connection records are
   * read back from the spool, many ahead of their turn; those outlive a young collection, and nothing else asked for a
   * full one until V8 did: the benchmark capture's JSON peaked at 345 MB at its end (250 MB of such strings).
   */
  whilePrinting?(): void;
  /** SLL2 interface index to name on this machine, as tcpdump resolves it (undefined: printed as "?"). */
  interfaceName?(ifIndex: number): string | undefined;
  /**
   * Starts one shard of a --jobs run elsewhere (main.ts: a worker thread running runShard); its rows and lines
   * arrive through onMessage. Without it, --jobs is ignored: one pass.
   */
  startShard?(request: ShardRequest, onMessage: (message: ShardMessage) => void): ShardRunner;
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
  // Local time as tcpdump's localtime(3) gives it for this TZ, decided once per run (the library default is put back
  // after, for a host calling runCli in-process).
  const libraryLocalTime = localTimeRule();
  setLocalTimeRule(localTimeFor(io.env));
  try {
    if (options.command === 'check') return await runChecks(options, io, (spec) => analyzeSources(options, io, spec));
    return await trace(options, io, argv);
  } catch (err) {
    return reportError(err, io);
  } finally {
    setLocalTimeRule(libraryLocalTime);
  }
}

async function parseArgv(argv: readonly string[]): Promise<{ argv: Record<string, unknown> } | { output: string } | { error: string }> {
  // yargs keeps the last of a repeated --conn: one id is what the filter takes, so a second is an error, not a choice.
  const connFlags = argv.filter((a) => a === '--conn' || a.startsWith('--conn=')).length;
  if (connFlags > 1) return { error: `--conn takes one connection id, given ${connFlags} times` };
  return new Promise((resolve) => {
    buildParser(argv).parse(protectStdin(argv), {}, (err: Error | undefined, result: Record<string, unknown>, output: string) => {
      // tcpdump's habits: -r before the file, -n for numbers (tcptrace never resolves names).
      const habit = err && /^Unknown arguments?: /.test(err.message) &&
        err.message.replace(/^Unknown arguments?: /, '').split(', ').some((a) => a === 'n' || a === 'r')
        ? ' (tcptrace takes the capture path itself, without -r, and never resolves names: no -n)' : '';
      if (err) resolve({ error: err.message + habit });
      else if (output) resolve({ output });
      else resolve({ argv: result });
    });
  });
}

/**
 * A capture warning as stderr says it: naming the capture (the reader names it only among several), so a script
 * running tcptrace over many files can tell which one it was.
 */
function warningLine(options: CliOptions, message: string): string {
  const only = options.captures.length === 1 ? options.captures[0]! : null;
  return `tcptrace: warning: ${only === null ? '' : `${inputName(only)}: `}${message}\n`;
}

function reportError(err: unknown, io: CliIo): number {
  const why = readFailure(err);
  if (why !== null) {
    io.stderr.write(`tcptrace: ${why}\n`);
    return ExitCode.UNREADABLE;
  }
  const e = err as Error | undefined;
  // A bug of ours, not a problem of the input: say so plainly, without a stack trace.
  io.stderr.write(`tcptrace: internal error: ${e?.message ?? String(err)} (please report it with the capture)\n`);
  return 70;
}

function sourcesOf(options: CliOptions, io: CliIo): SourceSpec[] {
  return options.captures.map((c) => ({ name: c === '-' ? 'stdin' : c, source: c === '-' ? io.stdin : c }));
}

/** What analyzeSources tells its caller as it goes; every hook is optional. */
export interface AnalysisHooks {
  /** The analyzer, once made (a --jobs shard reads its progress after each chunk). */
  analyzer?: (analyzer: Analyzer) => void;
  /** Each packet's event, in capture order, as soon as it is analysed: refilled by the next packet (keep nothing of it). */
  onEvent?: (ev: PacketEvent) => void;
  /**
   * Each connection's report, as soon as it is finalized. A connection finalized by a packet's arrival (port reuse,
   * TIME_WAIT expiry, the connection cap) comes before that packet's onEvent, so output written from the two hooks
   * in call order does not depend on how the input was chunked.
   */
  onConnection?: (c: ConnectionReport) => void;
  /** After each input chunk: bytes read and packets analysed so far. */
  onProgress?: (bytes: number, packets: number) => void;
  /** After each input chunk's packets, for output that must not wait (a live capture on stdin). */
  afterChunk?: () => void;
  /** After afterChunk: a promise to wait for before reading on (a --jobs timeline thread too far ahead of the rest). */
  pace?: () => Promise<void> | undefined;
  /**
   * Between a chunk's packets, every EVENTS_PER_OUTPUT_WAIT events and after each report: a promise to wait for before
   * analysing more (the output waiting for a slow reader). A chunk of small packets prints megabytes; waiting only between chunks
   * let all of that queue.
   */
  outputWait?: () => Promise<void> | undefined;
}

/** How many events go out between two looks at the output's queue (AnalysisHooks.outputWait). */
const EVENTS_PER_OUTPUT_WAIT = 256;

/**
 * Runs the analysis over the given sources, reporting through `hooks`. Returns the report and warnings.
 *
 * Every push refills one event (AnalyzerOptions.reuseEvents), handed to onEvent at once: the hooks keep nothing of an
 * event past their call. A connection's report goes out as it is made, so before the event of the packet that
 * finalized it. Analysing and printing each packet in turn with its event refilled: the benchmark timeline in
 * 7.35-7.57 s, against 7.59-8.02 s for a chunk analysed first and its events (each its own) printed after; NDJSON 8.37
 * against 8.65 s (interleaved, 4 runs each). An earlier measure that found alternation slower kept every event.
 */
export async function analyzeSources(
  options: CliOptions,
  io: CliIo,
  specs: SourceSpec[],
  hooks: AnalysisHooks = {},
  shard?: { index: number; count: number },
): Promise<{ report: Report; warnings: CaptureWarning[]; damaged: boolean; shardFacts: AnalyzerShardFacts | null }> {
  const printsLines = options.command === 'trace' && options.format === 'text' && options.view === 'timeline';
  const onEvent = hooks.onEvent;
  const onConnection = hooks.onConnection;
  /** Events and reports handed over since the output was last looked at. */
  let sinceOutputWait = 0;
  /**
   * The reports a push finalized, handed over after it (before its event, which waits in pendingEvent) with the output
   * looked at after each: one packet can end the wait of thousands of closed connections at once, and one report can
   * print a megabyte (a connection of a thousand exchanges).
   */
  const waiting: ConnectionReport[] = [];
  let pendingEvent: PacketEvent | null = null;
  /**
   * Analyses the records from `from` on, handing each event over at once, until EVENTS_PER_OUTPUT_WAIT events went out
   * or a packet finalized reports (its event then waits in pendingEvent); returns the index of the first record not
   * analysed. Synchronous, so that the async loop around it (which waits for the output between calls) keeps no await
   * inside the per-packet loop: with one there the timeline of the benchmark capture took 8.1-8.3 s instead of 7.6 s
   * (interleaved runs, output to /dev/null).
   */
  const analyse = (records: readonly CaptureRecord[], from: number): number => {
    let i = from;
    while (i < records.length) {
      const ev = analyzer.push(records[i++]!);
      if (waiting.length > 0) {
        if (onEvent !== undefined) pendingEvent = ev;
        return i;
      }
      if (onEvent !== undefined) {
        onEvent(ev);
        if (++sinceOutputWait >= EVENTS_PER_OUTPUT_WAIT) return i;
      }
    }
    return i;
  };
  const handReports = async (): Promise<void> => {
    for (let k = 0; k < waiting.length; k++) {
      onConnection!(waiting[k]!);
      const wait = hooks.outputWait?.();
      if (wait !== undefined) await wait;
    }
    waiting.length = 0;
  };
  /** Waits for the output once EVENTS_PER_OUTPUT_WAIT events went out since it was last looked at. */
  const outputTurn = async (): Promise<void> => {
    if (sinceOutputWait < EVENTS_PER_OUTPUT_WAIT) return;
    sinceOutputWait = 0;
    const wait = hooks.outputWait?.();
    if (wait !== undefined) await wait;
  };
  // Checks read the whole report; every other caller takes each connection as it is reported and keeps only what it
  // prints, so memory follows the open connections, not the capture.
  const analyzer = new Analyzer({
    absoluteSeq: options.absoluteSeq,
    displaySeq: printsLines,
    maxConnections: options.maxConnections,
    keepConnections: options.command === 'check',
    // Exchanges are printed only by --http and the JSON formats; the tables and checks read the verdicts and counts.
    exchanges: options.command === 'trace' && (options.format !== 'text' || options.view === 'http'),
    onConnection:
      onConnection === undefined
        ? undefined
        : (c) => {
            waiting.push(c);
          },
    reuseEvents: true,
    // Annotation texts are read only where events are printed (timeline, JSON); the tables count codes.
    annotationTexts: onEvent !== undefined,
    shard,
  });
  hooks.analyzer?.(analyzer);
  const gen = mergedBatches(specs, { signal: io.signal });
  let packets = 0;
  for (;;) {
    const next = await gen.next();
    if (next.done) {
      const { warnings, damaged, bytes } = next.value;
      hooks.onProgress?.(bytes, packets);
      // The connections still open or waiting for their report at the end of the input, one by one: holding their
      // reports all at once cost 40% more memory on a capture that ends with 55,000 connections open.
      const steps = analyzer.finishing(warnings);
      while (steps.next().done !== true) {
        if (waiting.length > 0) await handReports();
      }
      const report = analyzer.finish(warnings);
      return { report, warnings, damaged, shardFacts: analyzer.shardFacts() };
    }
    const { records, bytes } = next.value;
    for (let at = 0; at < records.length; ) {
      at = analyse(records, at);
      if (waiting.length > 0) await handReports();
      if (pendingEvent !== null) {
        const ev = pendingEvent;
        pendingEvent = null;
        onEvent!(ev);
        sinceOutputWait++;
      }
      await outputTurn();
    }
    packets += records.length;
    hooks.afterChunk?.();
    const pause = hooks.pace?.();
    if (pause !== undefined) await pause;
    hooks.onProgress?.(bytes, packets);
    io.afterBatch?.();
  }
}


async function trace(options: CliOptions, io: CliIo, argv: readonly string[]): Promise<number> {
  const writeBytes = io.stdout.writeBytes;
  const sink: LineSink = writeBytes ? new ByteSink((chunk, taken) => writeBytes.call(io.stdout, chunk, taken)) : new TextSink(io.stdout);
  /** The sink, when it takes a line piece by piece (JSON packet records are written into it without a string). */
  const pieces = takesPieces(sink) ? sink : null;
  const colorOn = options.color === 'always' || (options.color === 'auto' && io.stdout.isTTY === true && !io.env.NO_COLOR);
  const palette = colorOn ? ANSI_PALETTE : PLAIN_PALETTE;
  const filter = makeFilter(options);
  const filtered = isFiltering(options);
  const specs = sourcesOf(options, io);
  const live = options.captures.includes('-');
  const timeline = timelineRenderer(options, palette, io);
  const progress = makeProgress(options, io, specs);
  /** Packets up to this index were printed by --jobs threads before a fallback to one pass, which prints the rest. */
  let printedUpTo = 0;
  if (options.jobs > 1 && io.startShard !== undefined && shardable(options, io)) {
    if (options.view === 'summary') {
      const code = await traceInShards(options, io, argv, sink, palette, colorOn, progress);
      if (code !== null) return code;
    } else {
      const result = await timelineInShards(options, io, argv, sink, palette, colorOn);
      if (typeof result === 'number') return result;
      printedUpTo = result.printedUpTo;
    }
  }

  let onEvent: ((ev: PacketEvent) => void) | undefined;
  let onConnection: ((c: ConnectionReport) => void) | undefined;
  /**
   * Per connection id, what waits for the end: with --format json its record; in the summary views its table row
   * (cells joined by CELL_SEPARATOR), then VERDICT_SEPARATOR and its HTTP verdict lines (printed under the table;
   * the exchanges are --http's). In a temporary file once they are many.
   */
  const spool = new RowSpool();
  /** The text views' connection table: rows by connection id, their widths measured as they are made. */
  const rows = new ShardRows();
  let httpTables = 0;
  let httpRows = 0;
  if (options.format === 'ndjson') {
    sink.line(metaRecord(options.captures));
    // Records go out in the order of the hooks' calls: a connection finalized mid-capture (port reuse, TIME_WAIT
    // expiry, the connection cap) just before the packet whose arrival finalized it, whatever the input's chunking.
    onEvent = pieces === null
      ? (ev) => {
          if (ev.conn >= 0 && filter.packet(ev)) sink.line(packetRecord(ev));
        }
      : (ev) => {
          if (ev.conn < 0 || !filter.packet(ev)) return;
          writePacketRecord(ev, pieces);
          pieces.endLine();
        };
    onConnection = (c) => {
      if (filter.connection(c)) sink.line(connectionRecord(c));
    };
  } else if (options.format === 'json') {
    let first = true;
    sink.text(documentHead(options.captures));
    onEvent = (ev) => {
      if (ev.conn < 0 || !filter.packet(ev)) return;
      if (pieces === null) sink.text(first ? `\n${packetRecord(ev)}` : `,\n${packetRecord(ev)}`);
      else {
        pieces.ascii(first ? '\n' : ',\n');
        writePacketRecord(ev, pieces);
      }
      first = false;
    };
    // One document lists the connections after the packets, in id order: their records wait in the spool (as text,
    // in a temporary file once they are many).
    onConnection = (c) => {
      if (filter.connection(c)) spool.add(c.tcp.id, connectionRecord(c));
    };
  } else {
    if (options.view === 'timeline') {
      onEvent = (ev) => {
        if (ev.frame <= printedUpTo) {
          // Printed already (--jobs, before its fallback): only the renderer's clock moves, as printing moves it.
          if (timeline.wants(ev)) timeline.skip(ev);
          return;
        }
        if (timeline.wants(ev) && filter.packet(ev)) timeline.render(ev, sink);
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
    } else if (options.view !== 'timeline' || options.annotate) {
      // The connection table is printed at the end, in id order: only its row and verdict wait, in the spool.
      onConnection = (c) => {
        if (filter.connection(c)) rows.add(c.tcp.id, makeRow(c, palette));
      };
    }
  }

  try {
    const { report, warnings, damaged } = await analyzeSources(options, io, specs, {
      onEvent,
      onConnection,
      onProgress: progress?.update,
      afterChunk: live ? () => sink.flush() : undefined,
      pace: () => io.stdout.drained?.(),
      outputWait: () => io.stdout.drained?.(),
    });
    progress?.done();
    io.afterBatch?.(true);
    await epilogue(report);
    sink.flush();
    for (const w of warnings) io.stderr.write(warningLine(options, w.message));
    return damaged ? ExitCode.DAMAGED : ExitCode.OK;
  } finally {
    spool.close();
    rows.close();
  }

  /** What follows the packets: the closing records, or the capture line, connection table and verdicts. */
  async function epilogue(report: Report): Promise<void> {
    if (options.format === 'ndjson') {
      sink.line(endRecord(report));
    } else if (options.format === 'json') {
      sink.text(`\n],"connections":[`);
      let n = 0;
      for (const id of spool.ids()) {
        sink.text(`${n++ === 0 ? '\n' : ',\n'}${spool.get(id)!}`);
        if (n % RECORDS_PER_PRINTING_CHECK === 0) io.whilePrinting?.();
        const wait = io.stdout.drained?.();
        if (wait !== undefined) await wait;
      }
      sink.text(`\n],"summary":${endRecord(report)}}\n`);
    } else if (options.view === 'http') {
      if (httpTables === 0) sink.line(filtered ? `No HTTP exchanges in the connections ${filterWords(options)} selects.` : 'No HTTP exchanges in this capture.');
    } else if (options.view === 'timeline' && !options.annotate) {
      // --no-annotate: tcpdump's packet lines and nothing else (DESIGN.md's output contract), so the output diffs
      // clean against `tcpdump -nn -r`; --summary gives the tables.
    } else {
      if (options.view === 'timeline' && report.stats.tcpPackets > 0) sink.line('');
      sink.line(renderCaptureSummary(report, options.captures, palette));
      await writeLines(summaryTableLines([rows], singleOrder(report.stats.connections), palette), sink, io);
      // An empty table after a filter: say that the filter, not the capture, left it empty.
      if (filtered && rows.count === 0 && report.stats.connections > 0) sink.line(`No connection matches ${filterWords(options)}.`);
    }
  }
}

/** JSON connection records (about 7 KB each on the benchmark capture) between two calls of CliIo.whilePrinting. */
const RECORDS_PER_PRINTING_CHECK = 64;
/** Table lines (a few hundred bytes each) between two calls of CliIo.whilePrinting. */
const LINES_PER_PRINTING_CHECK = 2048;

/** Writes `lines` one by one, waiting for a slow reader between them: a table of many rows never queues whole. */
async function writeLines(lines: Iterable<string>, sink: LineSink, io: CliIo): Promise<void> {
  let n = 0;
  for (const line of lines) {
    sink.line(line);
    if (++n % LINES_PER_PRINTING_CHECK === 0) io.whilePrinting?.();
    // Awaited only when there is something to wait for: the table of the benchmark capture is 67,000 lines.
    const wait = io.stdout.drained?.();
    if (wait !== undefined) await wait;
  }
}

/**
 * Whether --jobs can split this run: the connection table of --summary (printed at the end, in id order, so rows
 * made apart can be merged) or the whole text timeline (merged packet by packet), over capture files (each thread
 * reads them itself). --conn names ids, which only the merge knows.
 */
function shardable(options: CliOptions, io: CliIo): boolean {
  // The timeline is merged packet by packet; with a filter, what moves the -ttt clock depends on what is shown.
  const unfiltered = options.conn === null && options.hosts.length === 0 && options.ports.length === 0;
  return (
    options.command === 'trace' && options.format === 'text' && options.conn === null &&
    (options.view === 'summary' || (options.view === 'timeline' && unfiltered)) &&
    // Each thread gets a whole share of the connection table (see AnalyzerOptions.shard).
    options.maxConnections >= options.jobs &&
    // Regular files only: every thread reads them, and a pipe or FIFO can be read only once.
    options.captures.every((c) => c !== '-' && (io.fileSize?.(c) ?? null) !== null)
  );
}

/** Rows a shard sends per message: few enough to spread the work, many enough that messages cost little. */
const ROWS_PER_MESSAGE = 256;

/**
 * --summary --jobs N: this thread analyses shard 0 while N-1 others (io.startShard) analyse the rest, each every
 * packet but only its own connections; the rows are merged in id order. Returns the exit code, or null when the
 * merge could differ from one pass (shardsDisagree) or a thread failed: the caller then makes that one pass, and
 * says why on stderr. The table is printed only at the end, so nothing has been written when null is returned.
 */
async function traceInShards(
  options: CliOptions,
  io: CliIo,
  argv: readonly string[],
  sink: LineSink,
  palette: typeof PLAIN_PALETTE,
  colorOn: boolean,
  progress: ReturnType<typeof makeProgress>,
): Promise<number | null> {
  const count = options.jobs;
  const shards = Array.from({ length: count }, () => new ShardRows());
  const runners: ShardRunner[] = [];
  const filter = makeFilter(options);
  const abortOthers = () => runners.forEach((r) => r.abort());
  io.signal?.addEventListener('abort', abortOthers);
  let fallback: string | null = null;
  try {
    for (let k = 1; k < count; k++) {
      const rows = shards[k]!;
      const request: ShardRequest = { argv: [...argv], index: k, count, colorOn, localTime: localTimeRule() };
      runners.push(
        io.startShard!(request, (m) => {
          if (m.type === 'rows') rows.addRows(m);
        }),
      );
    }
    const own = await analyzeSources(
      options,
      io,
      sourcesOf(options, io),
      {
        onConnection: (c) => {
          if (filter.connection(c)) shards[0]!.add(c.tcp.id, makeRow(c, palette));
        },
        onProgress: progress?.update,
      },
      { index: 0, count },
    );
    let others: ShardDone[];
    try {
      others = await Promise.all(runners.map((r) => r.done));
    } catch (err) {
      fallback = `a thread failed (${(err as Error)?.message ?? String(err)})`;
      return null;
    }
    // Interrupted (Ctrl-C): the tables show what the threads had read, as one pass shows what it had read; another
    // pass would read nothing (the signal stays aborted).
    fallback = io.signal?.aborted ? null : shardsDisagree([own.shardFacts!, ...others.map((o) => o.facts)]);
    if (fallback !== null) return null;
    others.forEach((o, k) => shards[k + 1]!.mergeWidths(o.widths));
    progress?.done();
    const report: Report = { ...own.report, stats: mergeStats(own.report.stats, others.map((o) => o.stats)) };
    sink.line(renderCaptureSummary(report, options.captures, palette));
    const order = mergeOrder([own.shardFacts!.firstFrames, ...others.map((o) => o.facts.firstFrames)]);
    await writeLines(summaryTableLines(shards, order, palette), sink, io);
    if (isFiltering(options) && shards.every((r) => r.count === 0) && report.stats.connections > 0) sink.line(`No connection matches ${filterWords(options)}.`);
    sink.flush();
    for (const w of own.warnings) io.stderr.write(warningLine(options, w.message));
    return own.damaged ? ExitCode.DAMAGED : ExitCode.OK;
  } finally {
    io.signal?.removeEventListener('abort', abortOthers);
    runners.forEach((r) => r.stop());
    shards.forEach((s) => s.close());
    if (fallback !== null) {
      progress?.done();
      io.stderr.write(`tcptrace: --jobs ${count}: ${fallback}; analysing again in one pass\n`);
    }
  }
}

/**
 * The text timeline with --jobs N: N threads (io.startShard) each analyse every packet and print the packets of
 * their own connections; TimelineMerge prints their lines in packet order as soon as all have got that far, then
 * the tables follow as in one pass. Returns the exit code; or, when the threads could differ from one pass from some
 * packet on (TimelineMerge's hazards) or a thread failed, the last packet printed: the caller then makes one pass
 * and prints from the next packet on (what came before is what one pass prints), and this says why on stderr.
 */
async function timelineInShards(
  options: CliOptions,
  io: CliIo,
  argv: readonly string[],
  sink: LineSink,
  palette: typeof PLAIN_PALETTE,
  colorOn: boolean,
): Promise<number | { printedUpTo: number }> {
  const count = options.jobs;
  const shards = Array.from({ length: count }, () => new ShardRows());
  const runners: ShardRunner[] = [];
  const decoder = new TextDecoder();
  const merge = new TimelineMerge(
    count,
    (bytes) => (sink instanceof ByteSink ? sink.bytes(bytes) : sink.text(decoder.decode(bytes))),
    (text) => sink.text(text),
  );
  // Set from the message handler: a holder, so that the checks after the awaits see it. Once the merge is given up
  // (a hazard, a failed thread), messages still queued from stopped threads are dropped: they would print packets
  // that the one pass prints again.
  const state: { hazard: Hazard | null; closed: boolean } = { hazard: null, closed: false };
  const abortOthers = () => runners.forEach((r) => r.abort());
  io.signal?.addEventListener('abort', abortOthers);
  let fallback: string | null = null;
  try {
    for (let k = 0; k < count; k++) {
      const rows = shards[k]!;
      const onMessage = (m: ShardMessage) => {
        if (state.closed) return;
        if (m.type === 'rows') rows.addRows(m);
        else {
          state.hazard = merge.add(k, m);
          if (state.hazard !== null) {
            state.closed = true;
            runners.forEach((r) => r.stop());
          } else {
            runners.forEach((r) => r.printed?.(merge.emittedUpTo));
          }
        }
      };
      const request: ShardRequest = { argv: [...argv], index: k, count, colorOn, localTime: localTimeRule() };
      // Shard 0 runs on this thread, between the other threads' messages: a thread more than cores only waits.
      runners.push(k === 0 ? inThisThread(request, io, onMessage) : io.startShard!(request, onMessage));
    }
    // A thread that fails stops the others at once: the merge cannot get past it, so threads waiting for the merge
    // (pace) would wait for ever.
    for (const r of runners) {
      r.done.catch(() => {
        if (state.closed) return;
        state.closed = true;
        runners.forEach((other) => other.stop());
      });
    }
    const settled = await Promise.allSettled(runners.map((r) => r.done));
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const hazard = state.hazard ?? merge.hazard;
    state.closed = true;
    if (io.signal?.aborted) {
      // Interrupted: what the threads had read is printed (another pass would read nothing: the signal stays
      // aborted). The timeline stops where the slowest thread stopped; the tables count what each had read.
      if (failure !== undefined) return ExitCode.OK;
    } else if (hazard !== null || failure !== undefined) {
      // An unreadable capture is this thread's own error (shard 0 reads it first): reported once, as one pass does.
      const own = settled[0];
      if (hazard === null && own?.status === 'rejected' && isInputError(own.reason)) throw own.reason;
      const why = failure === undefined ? '' : (failure.reason as Error)?.message ?? String(failure.reason);
      fallback = hazard !== null ? hazard.why : `a thread failed (${why})`;
      return { printedUpTo: merge.emittedUpTo };
    }
    const done = settled.map((r) => (r as PromiseFulfilledResult<ShardDone>).value);
    for (const shard of shards.keys()) shards[shard]!.mergeWidths(done[shard]!.widths);
    const stats = mergeStats(done[0]!.stats, done.slice(1).map((d) => d.stats));
    if (options.annotate) {
      if (stats.tcpPackets > 0) sink.line('');
      sink.line(renderCaptureSummary({ schemaVersion: SCHEMA_VERSION, stats, connections: [], warnings: [] }, options.captures, palette));
      await writeLines(summaryTableLines(shards, mergeOrder(done.map((d) => d.facts.firstFrames)), palette), sink, io);
    }
    sink.flush();
    for (const w of done[0]!.warnings) io.stderr.write(warningLine(options, w));
    return done[0]!.damaged ? ExitCode.DAMAGED : ExitCode.OK;
  } finally {
    state.closed = true;
    io.signal?.removeEventListener('abort', abortOthers);
    runners.forEach((r) => r.stop());
    shards.forEach((s) => s.close());
    if (fallback !== null) {
      sink.flush();
      io.stderr.write(`tcptrace: --jobs ${count}: ${fallback}; analysing again in one pass from packet ${merge.emittedUpTo + 1}\n`);
    }
  }
}

/** Errors about the input itself (not a capture, no such file): the same in every thread, so reported as they are. */
function isInputError(err: unknown): boolean {
  if (err instanceof CaptureError) return true;
  const e = err as NodeJS.ErrnoException;
  return e !== null && typeof e === 'object' && typeof e.code === 'string' && typeof e.path === 'string';
}

/** A shard run by this thread (runShard yields at every chunk it reads), stopped through its own signal. */
function inThisThread(request: ShardRequest, io: CliIo, onMessage: (m: ShardMessage) => void): ShardRunner {
  const controller = new AbortController();
  let stopped = false;
  let listener: ((upTo: number) => void) | null = null;
  const done = runShard(
    request,
    { ...io, signal: controller.signal },
    (m) => {
      if (!stopped) onMessage(m);
    },
    (l) => {
      listener = l;
    },
  );
  done.catch(() => {});
  return {
    done,
    printed: (upTo) => listener?.(upTo),
    abort: () => controller.abort(),
    stop: () => {
      stopped = true;
      controller.abort();
    },
  };
}

/**
 * One shard of a --jobs run, on its own thread (shard-worker.ts): the same command line, analysed for the
 * connections of shard request.index only; rows go out through `post` as they are made, the rest in the result.
 * Warnings and errors are the main thread's to print (it reads the same captures).
 */
export async function runShard(
  request: ShardRequest,
  io: CliIo,
  post: (message: ShardMessage) => void,
  /** Subscribes to the packet index up to which the main thread has printed (timeline: holds a thread that is far ahead). */
  printed?: (listener: (upTo: number) => void) => void,
): Promise<ShardDone> {
  const parsed = await parseArgv(request.argv);
  if (!('argv' in parsed)) throw new Error('the command line did not parse in a shard');
  const checked = checkArgs(parsed.argv);
  if ('error' in checked) throw new Error(checked.error);
  const options = checked.options;
  setLocalTimeRule(request.localTime);
  const palette = request.colorOn ? ANSI_PALETTE : PLAIN_PALETTE;
  const filter = makeFilter(options);
  const lines = options.view === 'timeline' ? timelineShard(options, request, io, palette, post, printed) : null;
  const widths: number[] = [];
  let batch: ShardRowsMessage = { type: 'rows', ids: [], kinds: [], texts: [] };
  const send = () => {
    if (batch.ids.length === 0) return;
    post(batch);
    batch = { type: 'rows', ids: [], kinds: [], texts: [] };
  };
  const { report, shardFacts, warnings, damaged } = await analyzeSources(
    options,
    io,
    sourcesOf(options, io),
    {
      analyzer: lines?.analyzer,
      onEvent: lines?.onEvent,
      afterChunk: lines?.afterChunk,
      pace: lines?.pace,
      onConnection: (c) => {
        if (!filter.connection(c)) return;
        const made = makeRow(c, palette);
        measureRow(widths, made.cells);
        batch.ids.push(c.tcp.id);
        batch.kinds.push(made.kind);
        batch.texts.push(made.text);
        if (batch.ids.length >= ROWS_PER_MESSAGE) send();
      },
    },
    { index: request.index, count: request.count },
  );
  send();
  lines?.afterChunk();
  return {
    type: 'done', widths, stats: report.stats, facts: shardFacts!, warnings: warnings.map((w) => w.message), damaged,
  };
}

/**
 * A timeline shard's printing: its own connections' packets (and, in shard 0, the packets of no connection) rendered
 * as one pass would, the lines kept as UTF-8 per packet and sent after each input chunk with what the merge checks
 * (ShardLinesMessage). Every other packet only moves the renderer's clock (-ttt, -ttttt).
 */
function timelineShard(
  options: CliOptions,
  request: ShardRequest,
  io: CliIo,
  palette: typeof PLAIN_PALETTE,
  post: (m: ShardMessage) => void,
  printed?: (listener: (upTo: number) => void) => void,
) {
  const timeline = timelineRenderer(options, palette, io);
  const out = new FrameBytes();
  let analyzer: Analyzer | null = null;
  let upTo = 0;
  let frames: number[] = [];
  let ends: number[] = [];
  let placeholders: number[] = [];
  const sent = { created: 0, marks: 0, roles: 0 };
  let hazardSent = false;
  // The merge prints a packet once every thread got that far; a thread far ahead waits, so the lines waiting in the
  // main thread stay bounded (a shard with few connections reads faster than one with many).
  let printedUpTo = 0;
  let resume: (() => void) | null = null;
  const wake = () => {
    const r = resume;
    resume = null;
    r?.();
  };
  printed?.((upToPrinted) => {
    printedUpTo = upToPrinted;
    if (upToPrinted + PACKETS_AHEAD >= upTo) wake();
  });
  // Stopped or interrupted: the others may never get this far, so a waiting thread goes on (and its reader stops).
  io.signal?.addEventListener('abort', wake);
  return {
    pace: (): Promise<void> | undefined => {
      // Shard 0 runs on the main thread, whose stdout is the real one: it waits for a slow reader too, and the other
      // threads then wait for it (PACKETS_AHEAD). A worker's stdout is silent and never waits.
      const output = io.stdout.drained?.();
      const merge = printed === undefined || io.signal?.aborted || upTo - printedUpTo <= PACKETS_AHEAD
        ? undefined
        : new Promise<void>((resolve) => {
            resume = resolve;
          });
      if (output === undefined || merge === undefined) return output ?? merge;
      return Promise.all([output, merge]).then(() => undefined);
    },
    analyzer: (a: Analyzer) => {
      analyzer = a;
    },
    onEvent: (ev: PacketEvent) => {
      upTo = ev.frame;
      const own = ev.conn >= 0 || (ev.conn === -1 && request.index === 0);
      if (!own || !timeline.wants(ev)) {
        if (own) return; // wants() noted the time of a packet nobody prints
        timeline.skip(ev);
        return;
      }
      timeline.render(ev, out);
      frames.push(ev.frame);
      ends.push(out.used);
      if (ev.annotations.some((a) => a.code === Codes.PORT_REUSE)) placeholders.push(ev.frame);
    },
    afterChunk: () => {
      const progress = analyzer!.shardProgress()!;
      const { facts } = progress;
      const created = Array.from(progress.firstFrames.subarray(sent.created, progress.connections));
      sent.created = progress.connections;
      const markPorts = facts.markPorts.slice(sent.marks);
      const markFrames = facts.markFrames.slice(sent.marks);
      sent.marks = facts.markPorts.length;
      const roleFrames = facts.roleFrames.slice(sent.roles);
      const rolePorts = facts.rolePorts.slice(sent.roles);
      const roleKnown = facts.roleKnown.slice(sent.roles);
      sent.roles = facts.roleFrames.length;
      let hazardFrame = 0;
      let hazardWhy = '';
      if (!hazardSent) {
        const capFrame = facts.capActions > 0 ? facts.firstCapFrame : 0;
        const backFrame = progress.timeBackFrame;
        if (capFrame !== 0 && (backFrame === 0 || capFrame <= backFrame)) {
          hazardFrame = capFrame;
          hazardWhy = 'a thread filled its share of the connection table (--max-connections)';
        } else if (backFrame !== 0) {
          hazardFrame = backFrame;
          hazardWhy = "the capture's timestamps go back in time, which orders reports differently per thread";
        }
        hazardSent = hazardFrame !== 0;
      }
      const message: ShardLinesMessage = {
        type: 'lines', upTo, frames, ends, bytes: out.take(), placeholders, created, markPorts, markFrames, roleFrames,
        rolePorts, roleKnown, hazardFrame, hazardWhy,
      };
      frames = [];
      ends = [];
      placeholders = [];
      post(message);
    },
  };
}

/** How many packets a timeline thread may analyse beyond what the main thread has printed. */
const PACKETS_AHEAD = 100_000;

/** The timeline renderer the options ask for (one pass and every --jobs thread render alike). */
function timelineRenderer(options: CliOptions, palette: typeof PLAIN_PALETTE, io: CliIo): TimelineRenderer {
  return new TimelineRenderer({
    annotate: options.annotate,
    number: options.number,
    tsStyle: options.tsStyle,
    nano: options.nano,
    palette,
    interfaceName: io.interfaceName,
  });
}

/**
 * A progress line on stderr, only when stderr is a terminal and stdout does not write to a terminal while the capture
 * is read (the timeline, JSON, --http): the line's carriage returns would land inside the packet lines.
 */
function makeProgress(options: CliOptions, io: CliIo, specs: SourceSpec[]) {
  if (options.progress === 'never' || io.stderr.isTTY !== true) return null;
  const printsWhileReading = options.command === 'trace' && !(options.format === 'text' && options.view === 'summary');
  if (printsWhileReading && io.stdout.isTTY === true) return null;
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
