// Reads one or several captures as one record sequence: several (rotated tcpdump -C/-G files) are merged by
// timestamp as mergecap does, and frames renumbered in merged order. Must not decode or analyse packets.

import type { CaptureRecord } from '../types.js';
import { readCaptureBatches, type CaptureSource, type CaptureSummary } from './open.js';
import type { CaptureWarning } from './errors.js';

export interface SourceSpec {
  /** Shown in warnings: the path, or 'stdin'. */
  name: string;
  source: CaptureSource;
}

export interface MergedBatch {
  records: CaptureRecord[];
  /** Bytes read so far over all sources (for a progress line). */
  bytes: number;
}

export interface MergedEnd {
  warnings: CaptureWarning[];
  /** True when some source stopped at mid-file corruption (everything before it was delivered). */
  damaged: boolean;
  bytes: number;
}

/** Records per merged batch: large enough to keep the per-batch cost negligible. */
const MERGED_BATCH_RECORDS = 4096;

/** What nextOrAbort gives when the signal fired first. */
export const ABORTED = Symbol('aborted');

/**
 * gen.next(), unless the signal fires first: an idle source (stdin with nothing to read) must not hold up Ctrl-C.
 * The read left pending is abandoned (its generator is not returned: that would wait for the read).
 */
export function nextOrAbort<T, R>(gen: AsyncGenerator<T, R>, signal: AbortSignal | undefined, pending: Set<AsyncGenerator<T, R>>): Promise<IteratorResult<T, R> | typeof ABORTED> {
  if (signal === undefined) return gen.next();
  if (signal.aborted) return Promise.resolve(ABORTED);
  const next = gen.next();
  pending.add(gen);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    next.then(
      (r) => {
        pending.delete(gen);
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (err: unknown) => {
        pending.delete(gen);
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export async function* mergedBatches(
  specs: readonly SourceSpec[],
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<MergedBatch, MergedEnd, undefined> {
  const bytesBySource = new Array<number>(specs.length).fill(0);
  const totalBytes = () => bytesBySource.reduce((a, b) => a + b, 0);
  // One source is consumed batch by batch, so its reads can reuse one buffer; merged sources hold records across
  // reads (a record waits in the merged batch while another source is read), so each read gets a fresh buffer.
  const reuseBuffer = specs.length === 1;
  const gens = specs.map((s, i) =>
    readCaptureBatches(s.source, { reuseBuffer, name: s.name, onProgress: (bytes) => (bytesBySource[i] = bytes) }),
  );
  const warnings: CaptureWarning[] = [];
  let damaged = false;
  /** Sources with a read in flight: returning one would wait for that read (see nextOrAbort). */
  const reading = new Set<AsyncGenerator<CaptureRecord[], CaptureSummary, undefined>>();
  const collect = (i: number, summary: CaptureSummary) => {
    const prefix = specs.length > 1 ? `${specs[i]!.name}: ` : '';
    for (const w of summary.warnings) warnings.push({ ...w, message: prefix + w.message });
    if (summary.stopped) damaged = true;
  };

  try {
    if (gens.length === 1) {
      // One source: its batches pass through untouched (frame numbers are already the capture's own).
      const gen = gens[0]!;
      for (;;) {
        if (opts.signal?.aborted) break;
        const next = await nextOrAbort(gen, opts.signal, reading);
        if (next === ABORTED) break;
        if (next.done) {
          collect(0, next.value);
          break;
        }
        yield { records: next.value, bytes: totalBytes() };
      }
      return { warnings, damaged, bytes: totalBytes() };
    }

    // k-way merge on (tsSec, tsNsec). On equal timestamps the later source goes first, as mergecap 4.0 does (checked:
    // two files of equal times merge as b1, a1, b2, a2), so that frame numbers match tshark on mergecap's output.
    const pending: (CaptureRecord[] | null)[] = new Array(gens.length).fill(null);
    const pos = new Array<number>(gens.length).fill(0);
    const live = new Array<boolean>(gens.length).fill(true);
    const refill = async (i: number) => {
      while (live[i] && (pending[i] === null || pos[i]! >= pending[i]!.length)) {
        const next = await nextOrAbort(gens[i]!, opts.signal, reading);
        if (next === ABORTED) {
          for (let j = 0; j < gens.length; j++) live[j] = false;
          return;
        }
        if (next.done) {
          live[i] = false;
          pending[i] = null;
          collect(i, next.value);
        } else {
          pending[i] = next.value;
          pos[i] = 0;
        }
      }
    };
    for (let i = 0; i < gens.length; i++) await refill(i);
    let frame = 0;
    let out: CaptureRecord[] = [];
    for (;;) {
      if (opts.signal?.aborted) break;
      let best = -1;
      for (let i = 0; i < gens.length; i++) {
        if (!live[i]) continue;
        if (best < 0) {
          best = i;
          continue;
        }
        const a = pending[i]![pos[i]!]!;
        const b = pending[best]![pos[best]!]!;
        if (a.tsSec < b.tsSec || (a.tsSec === b.tsSec && a.tsNsec <= b.tsNsec)) best = i;
      }
      if (best < 0) break;
      const rec = pending[best]![pos[best]!++]!;
      rec.index = ++frame;
      out.push(rec);
      if (pos[best]! >= pending[best]!.length) await refill(best);
      if (out.length >= MERGED_BATCH_RECORDS) {
        yield { records: out, bytes: totalBytes() };
        out = [];
      }
    }
    if (out.length > 0) yield { records: out, bytes: totalBytes() };
  } finally {
    // Every source is closed however this ends: exhausted, stopped by the caller, interrupted, or one source failing
    // (the others' files stayed open when the error went up).
    for (const g of gens) {
      if (reading.has(g)) void g.return(undefined as never).catch(() => undefined);
      else await g.return(undefined as never).catch(() => undefined);
    }
  }
  return { warnings, damaged, bytes: totalBytes() };
}
