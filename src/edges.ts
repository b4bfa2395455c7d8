// The async edges of the analysis: a capture source (a path, stdin, bytes, a stream) read in batches into an Analyzer.
// Node I/O lives here and in capture/open.ts only; the synchronous core (analyze.ts and below) never touches it.

import { Analyzer, shown, type AnalyzerOptions } from './analyze.js';
import { readCaptureBatches, type CaptureSource } from './capture/open.js';
import { ABORTED, nextOrAbort } from './capture/merge.js';
import type { CaptureWarning } from './capture/errors.js';
import type { ConnectionReport, PacketEvent, Report } from './report.js';
import type { CaptureRecord } from './types.js';

/**
 * Async edge: analyses a capture source, yielding batches of packet events (one batch per input chunk, cut where a
 * connection is reported, so that onConnection is called between the events before and after it). Returns the
 * Report, which a for-await loop drops: such callers take connections through onConnection.
 */
/** Options of the async edges: the analyzer's, and a signal that stops the reading (an AbortError, the file closed). */
export interface AnalyzeOptions extends AnalyzerOptions {
  signal?: AbortSignal;
}

/**
 * The options a caller passed, checked where they come in: an object, and a signal that is an AbortSignal (what else
 * would fail later, deep inside, as "Cannot destructure" or "addEventListener is not a function"). The analyzer checks
 * its own options.
 */
function checkAnalyzeOptions(opts: AnalyzeOptions): void {
  if (opts === null || typeof opts !== 'object') {
    throw Object.assign(new TypeError(`the options must be an object, got ${shown(opts)}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  const signal: unknown = opts.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal && typeof (signal as AbortSignal).addEventListener === 'function')) {
    throw Object.assign(new TypeError(`AnalyzeOptions.signal must be an AbortSignal, got ${shown(signal)}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
}

/** Throws the signal's reason (an AbortError DOMException unless the caller gave one) once it is aborted. */
function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export async function* analyze(
  source: CaptureSource,
  opts: AnalyzeOptions = {},
): AsyncGenerator<PacketEvent[], Report> {
  checkAnalyzeOptions(opts);
  // A batch holds many events at once, so each must be its own (reuseEvents would fill the batch with one object).
  // A connection reported while a record is pushed (its time ran out, the table was full) comes before that record's
  // event, as in the CLI's NDJSON: the batch is cut there, its first part yielded, then onConnection called.
  const onConnection = opts.onConnection;
  const waiting: { before: number; report: ConnectionReport }[] = [];
  let pushing = -1;
  const { signal, ...analyzerOptions } = opts;
  checkAborted(signal);
  const analyzer = new Analyzer({
    ...analyzerOptions,
    reuseEvents: false,
    onConnection: onConnection === undefined ? undefined : (report) => {
      if (pushing < 0) onConnection(report);
      else waiting.push({ before: pushing, report });
    },
  });
  const batches = batchesOf(source, signal);
  let warnings: readonly CaptureWarning[] = [];
  let done = false;
  try {
    for (;;) {
      const next = await batches.next();
      if (next.done) {
        done = true;
        warnings = next.value;
        break;
      }
      const batch = next.value;
      const events = new Array<PacketEvent>(batch.length);
      for (let i = 0; i < batch.length; i++) {
        pushing = i;
        events[i] = analyzer.push(batch[i]!);
      }
      pushing = -1;
      let from = 0;
      for (let w = 0; w < waiting.length;) {
        const at = waiting[w]!.before;
        if (at > from) {
          yield events.slice(from, at);
          from = at;
        }
        while (w < waiting.length && waiting[w]!.before === at) onConnection!(waiting[w++]!.report);
      }
      waiting.length = 0;
      if (from < events.length) yield from === 0 ? events : events.slice(from);
    }
  } finally {
    // A caller that stops early (break in for await) returns this generator: the reader must close its file too.
    if (!done) await batches.return([]);
  }
  return analyzer.finish(warnings);
}

/**
 * Async edge: analyses a whole capture file (or stream) and returns the report. Nothing sees the packet events, so
 * they are reused (AnalyzerOptions.reuseEvents) whatever opts says.
 */
export async function analyzeFile(source: CaptureSource, opts: AnalyzeOptions = {}): Promise<Report> {
  checkAnalyzeOptions(opts);
  const { signal, ...analyzerOptions } = opts;
  checkAborted(signal);
  const analyzer = new Analyzer({ ...analyzerOptions, reuseEvents: true });
  const batches = batchesOf(source, signal);
  for (;;) {
    // An abort (or a throwing onConnection) leaves batchesOf at its yield: returning it closes the reader.
    const next = await batches.next();
    if (next.done) return analyzer.finish(next.value);
    try {
      const batch = next.value;
      for (let i = 0; i < batch.length; i++) analyzer.push(batch[i]!);
    } catch (err) {
      await batches.return([]);
      throw err;
    }
  }
}

/**
 * The source's record batches, with the reader's warnings as the return value. Stops with the signal's reason once it
 * is aborted, and closes the reader (its file, its stream) whenever it stops before the end.
 */
async function* batchesOf(source: CaptureSource, signal: AbortSignal | undefined): AsyncGenerator<CaptureRecord[], readonly CaptureWarning[]> {
  const gen = readCaptureBatches(source);
  // A read still in flight when the signal fired (an idle stream: stdin, a socket) is abandoned, not awaited.
  const reading = new Set<typeof gen>();
  let done = false;
  try {
    for (;;) {
      const next = await nextOrAbort(gen, signal, reading);
      if (next === ABORTED) checkAborted(signal);
      else if (next.done) {
        done = true;
        return next.value?.warnings ?? [];
      } else {
        checkAborted(signal);
        yield next.value;
      }
    }
  } finally {
    if (!done && reading.size === 0) await gen.return(undefined as never);
  }
}
