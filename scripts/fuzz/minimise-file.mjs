#!/usr/bin/env node
// Minimises one failing input in-process against a given build: keeps the failure whose signature starts with --kind.
// For turning a finding into a fixture (fixtures/fuzz/); must not be used on hangs (no time limit in-process).

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { parseCapture } from './capture-model.mjs';
import { baselineOf, BASE_ARGV, checkInput, NDJSON_ARGV, runOnce, signature } from './check.mjs';
import { PROJECT_ROOT } from './corpus.mjs';
import { minimise } from './minimise.mjs';

process.env.TZ = 'UTC';
const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dist: { type: 'string', default: path.join(PROJECT_ROOT, 'dist') },
    kind: { type: 'string' },
    out: { type: 'string' },
    'prefix-len': { type: 'string', default: '0' },
    extra: { type: 'string', default: '0' },
    'chunk-seed': { type: 'string' },
    'slow-ms': { type: 'string', default: '2000' },
    'max-tests': { type: 'string', default: '2000' },
  },
});
if (positionals.length !== 1 || opt.kind === undefined || opt.out === undefined) {
  console.error('Usage: node scripts/fuzz/minimise-file.mjs --kind SIGNATURE-PREFIX --out FILE [--dist DIR] [--prefix-len N] [--extra I] [--chunk-seed S] INPUT');
  process.exit(2);
}
const { runCli } = await import(pathToFileURL(path.resolve(opt.dist, 'cli', 'run-cli.js')).href);
const chunkSeed = opt['chunk-seed'] === undefined ? null : Number(opt['chunk-seed']);

async function failsSo(bytes, prefixLen) {
  let baseline = null;
  let intactBefore = 1;
  if (prefixLen > 0) {
    const prefix = bytes.subarray(0, prefixLen);
    baseline = baselineOf(await runOnce(runCli, BASE_ARGV, prefix), await runOnce(runCli, NDJSON_ARGV, prefix));
    intactBefore = (parseCapture(prefix)?.records.length ?? 0) + 1;
  }
  const r = await checkInput(runCli, bytes, { extra: Number(opt.extra), chunkSeed, baseline, intactBefore, slowMs: Number(opt['slow-ms']) });
  return r.failures.some((f) => signature(f).startsWith(opt.kind));
}

const input = new Uint8Array(readFileSync(positionals[0]));
if (!(await failsSo(input, Number(opt['prefix-len'])))) {
  console.error(`the input does not fail with "${opt.kind}" on ${opt.dist}`);
  process.exit(1);
}
const min = await minimise(input, Number(opt['prefix-len']), failsSo, { maxTests: Number(opt['max-tests']), maxMs: 600_000 });
writeFileSync(opt.out, min.bytes);
console.log(`${input.length} -> ${min.bytes.length} bytes (prefix ${min.prefixLen} bytes) in ${min.tests} tests: ${opt.out}`);
