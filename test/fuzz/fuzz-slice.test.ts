// A fixed-seed slice of the fuzz campaign (scripts/fuzz/run.mjs) over the project's own fixtures, plus every
// minimised crash input in fixtures/fuzz/. Must stay quick (a few hundred mutants); the full campaign is `npm run fuzz`.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { intactBeforeFrame, parseCapture } from '../../scripts/fuzz/capture-model.mjs';
import {
  baselineOf, BASE_ARGV, checkInput, EXTRA_ARGVS, NDJSON_ARGV, runFailures, runOnce, type Baseline, type Failure, type RunCli,
} from '../../scripts/fuzz/check.mjs';
import { loadCorpus, PROJECT_ROOT } from '../../scripts/fuzz/corpus.mjs';
import { makeMutant } from '../../scripts/fuzz/mutators.mjs';

const SEED = 20261122;
/** Scale mutators (thousands of connections, fanned-out pipelines) take seconds each: the campaign runs them. */
const SKIP = ['many-connections', 'http-fanout'];
const MUTANTS = Number(process.env.FUZZ_SLICE ?? 400);
/** CPU milliseconds. Generous for the slice, which shares the machine with the suite (the campaign uses 2000). */
const SLOW_MS = 8000;
/** Saved inputs include a slowness bug (9 s before its fix, 0.5 s after): a tighter limit keeps it caught. */
const SAVED_SLOW_MS = 4000;
const run = runCli as unknown as RunCli;
const FUZZ_DIR = path.join(PROJECT_ROOT, 'fixtures', 'fuzz');

interface SavedInput {
  file: string;
  /** Bytes at the front that are whole, untouched records: their packet lines must print as without the rest. */
  prefixBytes: number;
  what: string;
}

/** fixtures/fuzz/inputs.tsv: file, prefix bytes, what the input is (see fixtures/README-fuzz.md). */
function savedInputs(): SavedInput[] {
  let text = '';
  try {
    text = readFileSync(path.join(FUZZ_DIR, 'inputs.tsv'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('file\t'))
    .map((l) => {
      const [file, prefixBytes, what] = l.split('\t');
      return { file: file!, prefixBytes: Number(prefixBytes), what: what ?? '' };
    });
}

function report(failures: { where: string; failure: Failure }[]): string {
  return failures.map((f) => `${f.where}: ${f.failure.kind}: ${f.failure.detail}${f.failure.argv ? ` [${f.failure.argv}]` : ''}`).join('\n');
}

describe('fuzz slice', () => {
  const corpus = loadCorpus('fixtures');

  it(`runs ${MUTANTS} mutants of the fixtures clean (seed ${SEED})`, async () => {
    const baselines = new Map<string, Baseline>();
    const failures: { where: string; failure: Failure }[] = [];
    for (let index = 0; index < MUTANTS; index++) {
      const m = makeMutant(corpus, SEED, index, null, SKIP);
      const intactBefore = intactBeforeFrame(m.seedBytes, m.bytes, parseCapture(m.seedBytes));
      let baseline = baselines.get(m.seedName) ?? null;
      if (baseline === null && intactBefore > 1) {
        baseline = baselineOf(await runOnce(run, BASE_ARGV, m.seedBytes), await runOnce(run, NDJSON_ARGV, m.seedBytes));
        baselines.set(m.seedName, baseline);
      }
      const r = await checkInput(run, m.bytes, {
        extra: index % EXTRA_ARGVS.length,
        chunkSeed: index % 4 === 0 ? SEED + index : null,
        baseline,
        intactBefore,
        slowMs: SLOW_MS,
      });
      const where = `mutant ${index} (${m.seedName}: ${m.mutators.join(' + ')}: ${m.notes.join('; ')})`;
      for (const failure of r.failures) failures.push({ where, failure });
    }
    expect(report(failures)).toBe('');
  });

  describe('minimised inputs in fixtures/fuzz/ run clean', () => {
    it('inputs.tsv lists every saved input, and each exists', () => {
      const listed = savedInputs().map((i) => i.file).sort();
      const present = readdirSync(FUZZ_DIR).filter((f) => f !== 'inputs.tsv').sort();
      expect(listed).toEqual(present);
    });

    for (const input of savedInputs()) {
      it(`${input.file}: ${input.what}`, async () => {
        const bytes = new Uint8Array(readFileSync(path.join(FUZZ_DIR, input.file)));
        let baseline: Baseline | null = null;
        let intactBefore = 1;
        if (input.prefixBytes > 0) {
          const prefix = bytes.subarray(0, input.prefixBytes);
          baseline = baselineOf(await runOnce(run, BASE_ARGV, prefix), await runOnce(run, NDJSON_ARGV, prefix));
          intactBefore = (parseCapture(prefix)?.records.length ?? 0) + 1;
        }
        const failures: { where: string; failure: Failure }[] = [];
        const r = await checkInput(run, bytes, { extra: 0, chunkSeed: null, baseline, intactBefore, slowMs: SAVED_SLOW_MS });
        for (const failure of r.failures) failures.push({ where: input.file, failure });
        // Every other extra run: timestamp styles, views, filters, the check command.
        for (let extra = 1; extra < EXTRA_ARGVS.length; extra++) {
          for (const failure of runFailures(await runOnce(run, EXTRA_ARGVS[extra]!, bytes), SAVED_SLOW_MS)) failures.push({ where: input.file, failure });
        }
        expect(report(failures)).toBe('');
        // And stdin in pieces (one byte at a time for small inputs), timeline and NDJSON: the same output as one chunk.
        const pieces = bytes.length <= 32 * 1024 ? [1] : [1, 2, 3, 7, 1500];
        for (const argv of [BASE_ARGV, NDJSON_ARGV]) {
          const whole = await runOnce(run, argv, bytes);
          const bytewise = await runOnce(run, argv, bytes, pieces);
          expect({ code: bytewise.code, stdout: bytewise.stdout, stderr: bytewise.stderr }).toEqual({ code: whole.code, stdout: whole.stdout, stderr: whole.stderr });
        }
      });
    }
  });
});
