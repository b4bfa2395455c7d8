// A fuzz worker (child process of run.mjs): builds mutants, runs them through the built CLI, measures peak memory.
// Must stay killable at any moment (the parent kills it on a hang), so it keeps no state worth saving.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { intactBeforeFrame, parseCapture } from './capture-model.mjs';
import { baselineOf, checkInput, checkMerge, EXTRA_ARGVS, NDJSON_ARGV, BASE_ARGV, runOnce } from './check.mjs';
import { loadCorpus, PROJECT_ROOT } from './corpus.mjs';
import { makeMutant } from './mutators.mjs';

// tcpdump prints local time: pin the zone so a line means the same on every machine.
process.env.TZ = 'UTC';
const { runCli } = await import(pathToFileURL(path.join(PROJECT_ROOT, 'dist', 'cli', 'run-cli.js')).href);

/** Every eighth mutant is also merged with its seed from two files, so the merge meets damaged input too. */
const MERGE_EVERY = 8;
/** A directory the parent made (and removes) for the merge files. */
let tmpDir = '';

let corpus = [];
let seed = 0;
let slowMs = 2000;
const baselines = new Map();

/** Peak resident memory since the last reset, in bytes (Linux /proc; elsewhere the current RSS, a lower bound). */
const memory = {
  procOk: (() => {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return true;
    } catch {
      return false;
    }
  })(),
  status(field) {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  },
  reset() {
    // A full collection costs tens of milliseconds: only when garbage could hide a real allocation under the limit.
    if (process.memoryUsage().heapUsed > 150e6) globalThis.gc?.();
    if (this.procOk) writeFileSync('/proc/self/clear_refs', '5');
    return this.procOk ? this.status('VmRSS') : process.memoryUsage().rss;
  },
  peak() {
    return this.procOk ? this.status('VmHWM') : process.memoryUsage().rss;
  },
};

async function baselineFor(seedIndex) {
  let b = baselines.get(seedIndex);
  if (b === undefined) {
    const bytes = corpus[seedIndex].bytes;
    b = baselineOf(await runOnce(runCli, BASE_ARGV, bytes), await runOnce(runCli, NDJSON_ARGV, bytes));
    baselines.set(seedIndex, b);
  }
  return b;
}

/** Largest growth of resident memory over one runCli call since the last measured() began, in bytes. */
let runGrowthMax = 0;

/**
 * runCli with its memory measured call by call: a mutant makes five or six runs, and the output strings of one are
 * still resident during the next, so growth per call, not per mutant, is what an allocation inside tcptrace costs.
 */
async function runCliMeasured(argv, io) {
  const before = memory.reset();
  try {
    return await runCli(argv, io);
  } finally {
    runGrowthMax = Math.max(runGrowthMax, memory.peak() - before);
  }
}

/** Memory growth above which a mutant is measured again with its output thrown away (see measured()). */
let memLimitMb = 200;

/**
 * Runs a check and reports its largest per-call memory growth. Over the limit, the input is run again (timeline and
 * NDJSON) with output counted, not kept: the checks hold every output string, and a 4 MB capture can print 125 MB
 * of NDJSON, which is the harness's memory, not tcptrace's. What is left is what tcptrace itself allocated.
 */
async function measured(fn, bytes) {
  runGrowthMax = 0;
  const t0 = performance.now();
  const result = await fn();
  let memMb = runGrowthMax / 1e6;
  const harnessMemMb = memMb;
  if (memMb > memLimitMb) {
    runGrowthMax = 0;
    for (const argv of [BASE_ARGV, NDJSON_ARGV]) {
      async function* whole() {
        yield bytes;
      }
      const sink = { write: () => {}, isTTY: false };
      await runCliMeasured(argv, { stdout: sink, stderr: sink, stdin: whole(), env: {}, readTextFile: async () => '' });
    }
    memMb = runGrowthMax / 1e6;
  }
  return { ...result, ms: performance.now() - t0, memMb, harnessMemMb };
}

async function handle(msg) {
  if (msg.type === 'init') {
    seed = msg.seed;
    slowMs = msg.slowMs;
    tmpDir = msg.tmpDir;
    memLimitMb = msg.memMb;
    corpus = loadCorpus(msg.corpus);
    // Warm the JIT on a few seeds, so the first mutant of a fresh worker is not reported slow for compiling.
    for (const c of corpus.slice(0, 3)) await checkInput(runCli, c.bytes, { extra: 0, slowMs });
    return { ok: true, seeds: corpus.length };
  }
  if (msg.type === 'seed') {
    const bytes = corpus[msg.seedIndex].bytes;
    return measured(async () => {
      const r = await checkInput(runCliMeasured, bytes, { extra: msg.seedIndex, chunkSeed: msg.seedIndex + 1, slowMs });
      return { failures: r.failures, size: bytes.length };
    }, bytes);
  }
  if (msg.type === 'mutant') {
    const m = makeMutant(corpus, seed, msg.index, msg.only ?? null);
    const seedIndex = corpus.findIndex((c) => c.name === m.seedName);
    const intactBefore = intactBeforeFrame(m.seedBytes, m.bytes, parseCapture(m.seedBytes));
    const baseline = intactBefore > 1 ? await baselineFor(seedIndex) : null;
    const extra = msg.index % EXTRA_ARGVS.length;
    const chunkSeed = (seed ^ Math.imul(msg.index, 0x9e3779b1)) >>> 0;
    return measured(async () => {
      const r = await checkInput(runCliMeasured, m.bytes, { extra, chunkSeed, baseline, intactBefore, slowMs });
      if (msg.index % MERGE_EVERY === 3 && tmpDir !== '') {
        const files = [path.join(tmpDir, `${process.pid}-mutant`), path.join(tmpDir, `${process.pid}-seed`)];
        writeFileSync(files[0], m.bytes);
        writeFileSync(files[1], m.seedBytes);
        r.failures.push(...(await checkMerge(runCliMeasured, files, slowMs, m.bytes.length + m.seedBytes.length)).failures);
      }
      return { failures: r.failures, size: m.bytes.length, seedName: m.seedName, mutators: m.mutators, notes: m.notes, intactBefore, extra, chunkSeed };
    }, m.bytes);
  }
  if (msg.type === 'input') {
    // A saved or minimised input: its first prefixLen bytes (whole units) are the untouched part.
    const bytes = new Uint8Array(msg.bytes);
    let baseline = null;
    let intactBefore = 1;
    if (msg.prefixLen > 0) {
      const prefix = bytes.subarray(0, msg.prefixLen);
      baseline = baselineOf(await runOnce(runCli, BASE_ARGV, prefix), await runOnce(runCli, NDJSON_ARGV, prefix));
      intactBefore = (parseCapture(prefix)?.records.length ?? 0) + 1;
    }
    return measured(async () => {
      const r = await checkInput(runCliMeasured, bytes, { extra: msg.extra, chunkSeed: msg.chunkSeed, baseline, intactBefore, slowMs });
      return { failures: r.failures, size: bytes.length };
    }, bytes);
  }
  throw new Error(`unknown task ${msg.type}`);
}

// An exception that escapes a task (an unhandled rejection from a timer, say) is a crash of the code under test.
const fatal = (err) => {
  process.send?.({ type: 'fatal', error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err) });
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

process.on('message', (msg) => {
  handle(msg).then(
    (result) => process.send({ type: 'result', id: msg.id, result }),
    (err) => process.send({ type: 'result', id: msg.id, result: { failures: [{ kind: 'harness', detail: String(err?.stack ?? err) }] } }),
  );
});
process.send({ type: 'ready' });
