#!/usr/bin/env node
// The fuzz campaign: seeded mutants of every capture fixture, each run through the built CLI in a killable worker,
// with failures saved and minimised under --out. Must not write outside --out (but for a temp dir it removes); needs a
// build (npx tsc -p tsconfig.build.json). --minutes stops early; mutant N of a seed is fixed by the seed captures.

import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { intactBeforeFrame, parseCapture } from './capture-model.mjs';
import { signature } from './check.mjs';
import { loadCorpus, PROJECT_ROOT } from './corpus.mjs';
import { minimise } from './minimise.mjs';
import { makeMutant, MUTATORS } from './mutators.mjs';

const USAGE = `Usage: node scripts/fuzz/run.mjs [--count N] [--seed S] [--minutes M] [--out DIR] [--jobs J] [--from I]
       [--corpus all|fixtures] [--only MUTATOR] [--timeout-sec T] [--slow-ms MS] [--mem-mb MB] [--no-minimise]
Mutators: ${Object.keys(MUTATORS).join(', ')}`;

const { values: opt } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    from: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    minutes: { type: 'string' },
    out: { type: 'string', default: 'fuzz-out' },
    jobs: { type: 'string', default: String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length)) },
    corpus: { type: 'string', default: 'all' },
    only: { type: 'string' },
    'timeout-sec': { type: 'string', default: '60' },
    'slow-ms': { type: 'string', default: '2000' },
    'mem-mb': { type: 'string', default: '200' },
    'no-minimise': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = Number(opt.count);
/** Mutants are numbered; --from skips to one (mutant N of a seed is the same on every run). */
const firstIndex = Number(opt.from);
const seed = Number(opt.seed) >>> 0;
const deadlineMs = opt.minutes === undefined ? Infinity : Date.now() + Number(opt.minutes) * 60_000;
const jobs = Math.max(1, Number(opt.jobs));
const timeoutMs = Number(opt['timeout-sec']) * 1000;
const slowMs = Number(opt['slow-ms']);
const memMb = Number(opt['mem-mb']);
const outDir = path.resolve(PROJECT_ROOT, opt.out);
if (!Number.isInteger(count) || count < 0 || (opt.only !== undefined && !(opt.only in MUTATORS))) {
  console.error(USAGE);
  process.exit(2);
}
if (!existsSync(path.join(PROJECT_ROOT, 'dist', 'cli', 'run-cli.js'))) {
  console.error('fuzz: dist/ is missing: build first with npx tsc -p tsconfig.build.json');
  process.exit(2);
}

/** Child processes that run tasks one at a time; a task past the time limit kills its child (a hang). */
class Pool {
  constructor(size) {
    this.queue = [];
    this.nextId = 1;
    this.closed = false;
    this.slots = Array.from({ length: size }, () => this.spawn());
  }

  spawn() {
    const child = fork(path.join(import.meta.dirname, 'worker.mjs'), [], {
      execArgv: ['--expose-gc', '--max-old-space-size=4096'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const slot = { child, task: null, timer: null, ready: false, dead: false, killed: false };
    child.on('message', (msg) => {
      if (msg.type === 'ready') child.send({ type: 'init', id: 0, seed, corpus: opt.corpus, slowMs, tmpDir, memMb });
      else if (msg.type === 'result' && msg.id === 0) {
        slot.ready = true;
        this.pump();
      } else if (msg.type === 'result' && slot.task?.id === msg.id) this.finish(slot, msg.result);
      else if (msg.type === 'fatal') this.finish(slot, { failures: [{ kind: 'crash', detail: `uncaught in worker: ${msg.error}` }] });
    });
    child.on('exit', (code, signal) => {
      slot.dead = true;
      if (!slot.killed) {
        this.finish(slot, { failures: [{ kind: 'crash', detail: `worker died (exit ${code}, signal ${signal}): out of memory or a native crash` }] });
      }
      this.pump();
    });
    return slot;
  }

  finish(slot, result) {
    const task = slot.task;
    if (task === null) return;
    clearTimeout(slot.timer);
    slot.task = null;
    task.resolve(result);
    this.pump();
  }

  run(msg) {
    return new Promise((resolve) => {
      this.queue.push({ msg, resolve });
      this.pump();
    });
  }

  pump() {
    if (this.closed) return;
    for (let i = 0; i < this.slots.length; i++) {
      let slot = this.slots[i];
      if (slot.dead && slot.task === null) slot = this.slots[i] = this.spawn();
      if (!slot.ready || slot.dead || slot.task !== null || this.queue.length === 0) continue;
      const { msg, resolve } = this.queue.shift();
      const id = this.nextId++;
      slot.task = { id, resolve };
      slot.timer = setTimeout(() => {
        // A hang: the task is reported, the child killed (pump replaces it).
        slot.killed = true;
        slot.dead = true;
        slot.child.kill('SIGKILL');
        this.finish(slot, { failures: [{ kind: 'hang', detail: `no answer within ${timeoutMs / 1000} s` }] });
      }, timeoutMs);
      slot.child.send({ ...msg, id });
    }
  }

  close() {
    this.closed = true;
    for (const slot of this.slots) {
      slot.killed = true;
      slot.child.kill();
    }
  }
}

/** Memory growth over the limit is a finding of its own (an allocation sized by a field read from the file). */
function withMemory(result) {
  const failures = [...(result.failures ?? [])];
  if (result.memMb > memMb) failures.push({ kind: 'memory', detail: `peak RSS grew by ${Math.round(result.memMb)} MB in one run (output discarded)` });
  return { ...result, failures };
}

function extFor(bytes) {
  const cap = parseCapture(bytes);
  return cap === null ? 'bin' : cap.format;
}

const t0 = Date.now();
const corpus = loadCorpus(opt.corpus);
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'tcptrace-fuzz-'));
const pool = new Pool(jobs);
// Ctrl-C: stop the workers and remove the merge files; what was found so far is in the log above.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    pool.close();
    rmSync(tmpDir, { recursive: true, force: true });
    process.exit(130);
  });
}
const byMutator = Object.fromEntries(Object.keys(MUTATORS).map((k) => [k, { runs: 0, failures: 0 }]));
const byKind = {};
const seen = new Map();
const found = [];
let run = 0;
let maxMs = 0;
let maxMem = 0;
let maxHarnessMem = 0;

console.log(`fuzz: seed ${seed}, ${count} mutants, ${corpus.length} seed captures, ${jobs} workers, out ${path.relative(PROJECT_ROOT, outDir) || '.'}`);

/** Time and memory figures of every task, failing or not. */
function account(result) {
  maxMs = Math.max(maxMs, result.ms ?? 0);
  maxMem = Math.max(maxMem, result.memMb ?? 0);
  maxHarnessMem = Math.max(maxHarnessMem, result.harnessMemMb ?? 0);
}

function record(where, result, extra) {
  const failures = result.failures;
  for (const f of failures) {
    byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const sig = signature(f);
    const entry = seen.get(sig);
    if (entry === undefined) {
      const first = { sig, failure: f, where, ...extra, count: 1 };
      seen.set(sig, first);
      found.push(first);
      console.log(`\n  NEW ${f.kind} at ${where}: ${f.detail.split('\n')[0].slice(0, 300)}${f.argv ? ` [${f.argv}]` : ''}`);
    } else entry.count++;
  }
}

// 1. Every seed as it is: a failure here is a bug before any mutation.
await Promise.all(
  corpus.map(async (c, seedIndex) => {
    const result = withMemory(await pool.run({ type: 'seed', seedIndex }));
    account(result);
    record(`seed ${c.name}`, result, { index: -1, seedName: c.name, bytes: c.bytes, prefixLen: 0, extra: seedIndex, chunkSeed: seedIndex + 1 });
  }),
);

// 2. The mutants.
let next = firstIndex;
let lastReportMs = Date.now();
async function lane() {
  while (next < firstIndex + count && Date.now() < deadlineMs) {
    const index = next++;
    const result = withMemory(await pool.run({ type: 'mutant', index, only: opt.only ?? null }));
    account(result);
    run++;
    const names = result.mutators ?? [];
    for (const n of new Set(names)) byMutator[n].runs++;
    if (result.failures.length > 0) for (const n of new Set(names)) byMutator[n].failures++;
    if (result.failures.length > 0) {
      const m = makeMutant(corpus, seed, index, opt.only ?? null);
      const cap = parseCapture(m.seedBytes);
      const intactBefore = intactBeforeFrame(m.seedBytes, m.bytes, cap);
      // The intact prefix: whole units before the first changed byte (the minimiser keeps it apart).
      let prefixLen = 0;
      if (cap !== null && intactBefore > 1) prefixLen = cap.records[intactBefore - 2].end;
      record(`mutant ${index}`, result, { index, seedName: m.seedName, mutators: m.mutators, notes: m.notes, bytes: m.bytes, prefixLen, extra: result.extra, chunkSeed: result.chunkSeed });
    }
    if (Date.now() - lastReportMs > 10_000) {
      lastReportMs = Date.now();
      const rate = run / ((Date.now() - t0) / 1000);
      process.stdout.write(`  ${run} mutants, ${rate.toFixed(1)}/s, ${found.length} distinct failures\n`);
    }
  }
}
await Promise.all(Array.from({ length: jobs * 2 }, lane));
const campaignSec = (Date.now() - t0) / 1000;

// 3. Failures: the input, a minimised input, and what went wrong.
if (found.length > 0) mkdirSync(outDir, { recursive: true });
for (const f of found) {
  const base = `${f.failure.kind}-${f.index < 0 ? 'seed' : f.index}-seed${seed}`;
  writeFileSync(path.join(outDir, `${base}.${extFor(f.bytes)}`), f.bytes);
  let min = null;
  // Inputs of many megabytes take minutes per test: they are saved as they are.
  if (!opt['no-minimise'] && f.bytes.length <= 8 << 20) {
    const wanted = f.sig;
    const prefixLen = f.failure.kind === 'intact' ? f.prefixLen : 0;
    min = await minimise(f.bytes, prefixLen, async (bytes, candidatePrefix) => {
      const r = withMemory(await pool.run({ type: 'input', bytes, prefixLen: candidatePrefix, extra: f.extra, chunkSeed: f.chunkSeed }));
      return r.failures.some((x) => signature(x) === wanted);
    }, { maxTests: 300, maxMs: 90_000 });
    writeFileSync(path.join(outDir, `${base}.min.${extFor(min.bytes)}`), min.bytes);
  }
  writeFileSync(
    path.join(outDir, `${base}.json`),
    `${JSON.stringify({ seed, index: f.index, seedCapture: f.seedName, mutators: f.mutators, notes: f.notes, failure: f.failure, occurrences: f.count, prefixLen: f.prefixLen, minimised: min === null ? null : { bytes: min.bytes.length, prefixLen: min.prefixLen, tests: min.tests } }, null, 2)}\n`,
  );
}
pool.close();
rmSync(tmpDir, { recursive: true, force: true });

const totalSec = (Date.now() - t0) / 1000;
console.log(`\nfuzz: ${run} mutants (+${corpus.length} seeds) in ${campaignSec.toFixed(1)} s (${(run / campaignSec).toFixed(1)}/s), ${totalSec.toFixed(1)} s with minimising`);
console.log(`slowest mutant ${Math.round(maxMs)} ms (all its runs), largest memory growth in one run ${Math.round(maxMem)} MB (${Math.round(maxHarnessMem)} MB with the harness keeping the output)`);
console.log('by mutator (mutants / failing):');
for (const [name, s] of Object.entries(byMutator)) console.log(`  ${name.padEnd(16)} ${String(s.runs).padStart(6)} / ${s.failures}`);
const kinds = ['crash', 'exit', 'stack', 'control', 'hang', 'slow', 'memory', 'intact', 'stream', 'json', 'harness'];
console.log(`failures by kind: ${kinds.map((k) => `${k} ${byKind[k] ?? 0}`).join(', ')}`);
console.log(`distinct failures: ${found.length}${found.length ? ` (saved under ${path.relative(PROJECT_ROOT, outDir)})` : ''}`);
for (const f of found) console.log(`  ${f.failure.kind} x${f.count} first at ${f.where}: ${f.failure.detail.split('\n')[0].slice(0, 200)}`);
process.exit(found.length > 0 ? 1 : 0);
