#!/usr/bin/env node
// Replays one fuzz input in-process and prints each run's exit code, time and failures: a saved file, or mutant N of
// a seed. For debugging a finding; writes nothing unless --write names a file for the mutant's bytes.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { intactBeforeFrame, parseCapture } from './capture-model.mjs';
import { baselineOf, checkInput, EXTRA_ARGVS, NDJSON_ARGV, BASE_ARGV, runOnce } from './check.mjs';
import { loadCorpus, PROJECT_ROOT } from './corpus.mjs';
import { makeMutant } from './mutators.mjs';

process.env.TZ = 'UTC';
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    // Another build of the project (e.g. one without a fix, to see that a saved input reproduces the bug).
    dist: { type: 'string', default: path.join(PROJECT_ROOT, 'dist') },
    seed: { type: 'string', default: '1' },
    index: { type: 'string' },
    corpus: { type: 'string', default: 'all' },
    only: { type: 'string' },
    'prefix-len': { type: 'string', default: '0' },
    extra: { type: 'string', default: '0' },
    show: { type: 'boolean', default: false },
    write: { type: 'string' },
  },
});
const { runCli } = await import(pathToFileURL(path.resolve(opt.dist, 'cli', 'run-cli.js')).href);

let bytes;
let baseline = null;
let intactBefore = 1;
let extra = Number(opt.extra);
let chunkSeed = 7;
if (opt.index !== undefined) {
  const seed = Number(opt.seed) >>> 0;
  const index = Number(opt.index);
  const corpus = loadCorpus(opt.corpus);
  const m = makeMutant(corpus, seed, index, opt.only ?? null);
  console.log(`mutant ${index} of seed ${seed}: ${m.seedName}: ${m.mutators.join(' + ')}: ${m.notes.join('; ')}`);
  bytes = m.bytes;
  if (opt.write !== undefined) writeFileSync(opt.write, bytes);
  intactBefore = intactBeforeFrame(m.seedBytes, bytes, parseCapture(m.seedBytes));
  baseline = baselineOf(await runOnce(runCli, BASE_ARGV, m.seedBytes), await runOnce(runCli, NDJSON_ARGV, m.seedBytes));
  extra = index % EXTRA_ARGVS.length;
  chunkSeed = (seed ^ Math.imul(index, 0x9e3779b1)) >>> 0;
} else {
  bytes = new Uint8Array(readFileSync(positionals[0]));
  const prefixLen = Number(opt['prefix-len']);
  if (prefixLen > 0) {
    const prefix = bytes.subarray(0, prefixLen);
    baseline = baselineOf(await runOnce(runCli, BASE_ARGV, prefix), await runOnce(runCli, NDJSON_ARGV, prefix));
    intactBefore = (parseCapture(prefix)?.records.length ?? 0) + 1;
  }
}
console.log(`${bytes.length} bytes, frames before ${intactBefore} must be intact (baseline has ${baseline?.blocks.size ?? 0} packet lines)`);
const r = await checkInput(runCli, bytes, { extra, chunkSeed, baseline, intactBefore });
for (const run of r.runs) {
  console.log(`  exit ${run.code} in ${run.ms.toFixed(0)} ms (${run.cpuMs.toFixed(0)} ms CPU), ${run.stdout.length} chars out: ${run.argv.join(' ')}${run.stderr ? `\n    stderr: ${run.stderr.trim().split('\n').join('\n    stderr: ').slice(0, 600)}` : ''}`);
}
if (opt.show) console.log(r.baseRun.stdout.slice(0, 20000));
for (const f of r.failures) console.log(`FAIL ${f.kind}: ${f.detail}${f.argv ? ` [${f.argv}]` : ''}`);
process.exit(r.failures.length > 0 ? 1 : 0);
