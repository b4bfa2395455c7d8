// heapGuard(): keeps a thread's heap near its live data by asking V8 for a major collection (see below).
// Node-only (v8 flags, perf_hooks) and used only by the executables (main.ts and its shard workers): the library
// leaves the heap to its host.

import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** How often (in input chunks of about 1 MB) the guard looks at the heap. */
const CHECK_EVERY_BATCHES = 4;

/**
 * The young generation's size at which it stops growing (both semi-spaces and what V8 counts with them: 8 MB
 * semi-spaces). V8 starts it at 1 MB semi-spaces and doubles them while most of what it allocates survives, up to 16 MB
 * (34 MB in all); what lives here (connection state, HTTP exchanges) is promoted either way. A flag given at start
 * (--max-semi-space-size) cannot be given from inside the process, but V8 reads --semi-space-growth-factor at each
 * growth: set to 1 once this size is reached, the young generation stays there. Measured with --summary on the
 * benchmark capture (interleaved, 4 runs each): peak RSS 168 -> 160 MB, 5.44 -> 5.50 s.
 */
const YOUNG_GENERATION_CAP_BYTES = 16 * 1024 * 1024;

/**
 * How far the heap may grow past what the last major collection left before the guard asks for the next one. It was 2:
 * NDJSON's strings (a record per packet, 7 KB per connection) make young collections more frequent, so more
 * connection state dies in the old generation there, and its peak stayed at 159 MB where the timeline's was 146. At
 * 1.75, measured on the benchmark capture (interleaved, 4 runs each, medians): NDJSON 8.11 -> 8.23 s, 159 -> 149 MB;
 * timeline 7.22 -> 7.32 s, 146 -> 140 MB; --summary 4.72 -> 4.61 s (noise), 140 -> 135 MB. At 1.5 NDJSON took 143 MB
 * but 8.41 s.
 */
const HEAP_GROWTH_FACTOR = 1.75;

/**
 * Keeps the heap near what is live. Per-connection state (parsers, reassemblers, exchanges) lives for seconds of
 * capture, so V8 promotes it to the old generation, where it dies; V8 then lets the old generation grow to several
 * times the live data before collecting it. Once the heap has grown to HEAP_GROWTH_FACTOR times what the last major
 * collection left (and past floorBytes, 40 MB unless told), this asks for one (gc() with execution 'async' runs it
 * from a task, still a full stop-the-world mark-compact, as --trace-gc shows). The floor was 64 MB while closed connections waited for their
 * report as objects (26-37 MB left by each collection); parked packed (Analyzer.park) about 21 MB is left, and the
 * floor decided every collection: at 40 MB peak RSS went from 158 to 137 MB, for 1-3% of time (collections twice as
 * often, each about 12 ms instead of 20). Measured with --summary on the benchmark capture (1.5 M packets), pretenuring
 * off: no guard 6.6-7.1 s / 318-348 MB; this 7.1-7.4 s / 235-248 MB (1.5x instead of 2x: 8.2-8.9 s / 206-218 MB;
 * V8's own --heap-growing-percent=30 instead of a guard: 7.7-8.2 s / 235 MB). Memory is what a user with a capture
 * of many gigabytes runs out of, so the executable pays the time; the library leaves the heap to its host. (Those
 * figures are from a slower release and a factor of 2; see HEAP_GROWTH_FACTOR for the current one.)
 */
export function heapGuard(
  floorBytes = 40 * 1024 * 1024,
  youngCapBytes = YOUNG_GENERATION_CAP_BYTES,
): ((inputDone?: boolean, sync?: boolean) => void) | undefined {
  let collect: ((options?: { type: 'major'; execution: 'async' }) => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as typeof collect;
  } catch {
    return undefined;
  }
  if (typeof collect !== 'function') return undefined;
  let limitBytes = floorBytes;
  let batches = 0;
  /** Until the young generation first reaches the cap, looked at after every chunk; then with the heap's size. */
  let youngReached = youngCapBytes === Infinity;
  let requested = false;
  let majorDone = false;
  // Any major collection (V8's own or the one requested here) sets the next limit from what it left.
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorDone = true;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  // sync: the caller is a loop that does not give the event loop a turn (what is printed at the end, to a file or
  // /dev/null), where a collection asked for 'async' waited for the loop's end: the benchmark capture's JSON document
  // grew the heap by 250 MB of spool strings read back (RSS 345 MB) before it ran.
  return (inputDone = false, sync = false) => {
    if (inputDone) {
      // The analysis state is gone (finish() reported every connection): collect it before the tables are printed,
      // whose rows and strings would otherwise grow a heap still full of it. gc() without options: on Node 20 a
      // gc({ type: 'major', execution: 'sync' }) ran only a young-generation collection (measured: 39 MB of dead
      // objects in the old generation stayed), where the bare call runs a full mark-compact.
      collect();
      return;
    }
    if (!youngReached) youngReached = steerYoungGeneration(youngCapBytes);
    // getHeapStatistics walks the heap's spaces (about 20 µs): once per CHECK_EVERY_BATCHES chunks of input, which
    // move the heap by a few MB at most, is as good as every chunk (it was 1% of a --summary run).
    if (++batches % CHECK_EVERY_BATCHES !== 0 && !majorDone) return;
    // Once capped, the young generation can still shrink: V8's memory reducer shrinks it while the process is idle
    // (waiting for a slow reader, or for packets on stdin), and with the growth factor at 1 it stayed small: piping
    // the benchmark capture's NDJSON into a reader that started 15 s late made 1944 scavenges instead of 1074, 31 s
    // instead of 15 + 10. Steered both ways, it grows back to the cap, looked at after every chunk again until then.
    if (youngReached) youngReached = steerYoungGeneration(youngCapBytes);
    const used = getHeapStatistics().used_heap_size;
    if (majorDone) {
      majorDone = false;
      requested = false;
      limitBytes = Math.max(floorBytes, HEAP_GROWTH_FACTOR * used);
    }
    if (!requested && used >= limitBytes) {
      if (sync) {
        collect();
        limitBytes = Math.max(floorBytes, HEAP_GROWTH_FACTOR * getHeapStatistics().used_heap_size);
        return;
      }
      requested = true;
      collect({ type: 'major', execution: 'async' });
    }
  };
}


/** V8's default growth factor (semi-spaces double), which releaseYoungGenerationCap() puts back. */
const DEFAULT_SEMI_SPACE_GROWTH_FACTOR = 2;
let youngCapAllowed = true;

/**
 * For a process about to run worker threads: the growth factor is one flag for every thread, so a cap set by one
 * thread would freeze the others' young generations wherever they are (measured: the timeline with --jobs 2 went from
 * 9.4 to 13.1 s when the main thread's guard capped them at their first sizes). Puts the factor back and keeps every
 * guard of this process from capping again.
 */
export function releaseYoungGenerationCap(): void {
  if (!youngCapAllowed) return;
  youngCapAllowed = false;
  try {
    setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_SEMI_SPACE_GROWTH_FACTOR}`);
    growthFactor = DEFAULT_SEMI_SPACE_GROWTH_FACTOR;
  } catch {
    // A V8 without the flag never had the cap either.
  }
}

/**
 * The semi-space growth factor for a young generation of sizeBytes under a cap of capBytes. V8 multiplies the size by
 * the (whole) factor at a growth: the default doubling while that stays within the cap, else 1. A young generation
 * shrunk to 10 MB under a 16 MB cap stays there rather than growing to 20: a few more scavenges, not more memory.
 */
export function youngGrowthFactor(sizeBytes: number, capBytes: number): number {
  return sizeBytes * DEFAULT_SEMI_SPACE_GROWTH_FACTOR <= capBytes ? DEFAULT_SEMI_SPACE_GROWTH_FACTOR : 1;
}

/** The growth factor last set by steerYoungGeneration (V8's default until then). */
let growthFactor = DEFAULT_SEMI_SPACE_GROWTH_FACTOR;

/**
 * Stops the young generation's growth once it is capBytes or more (see YOUNG_GENERATION_CAP_BYTES), and lets it grow
 * again while it is smaller; true when it is to grow no more (or nothing is to be steered).
 */
function steerYoungGeneration(capBytes: number): boolean {
  // No cap (the --jobs workers' guards): nothing to steer, and nothing to look at after each chunk.
  if (!youngCapAllowed || capBytes === Infinity) return true;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name !== 'new_space') continue;
    const wanted = youngGrowthFactor(space.space_size, capBytes);
    if (wanted !== growthFactor) {
      try {
        setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
        growthFactor = wanted;
      } catch {
        // A V8 without the flag: the young generation grows as V8 decides.
        return true;
      }
    }
    // Settled (no growth wanted): looked at again with the heap's size only.
    return wanted === 1;
  }
  return true;
}
