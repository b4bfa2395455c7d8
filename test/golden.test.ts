// Golden files: the whole CLI output for each line of fixtures/cases.tsv, and tcpdump's own lines for every fixture.
// Update deliberately with `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts`, then read the diff before committing.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCliCaptured } from './helpers/run-cli-capture.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FIXTURES = path.join(ROOT, 'fixtures');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Case {
  name: string;
  capture: string;
  args: string[];
}

function readCases(): Case[] {
  const file = path.join(FIXTURES, 'cases.tsv');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('name\t'))
    .map((l) => {
      const [name, capture, args] = l.split('\t');
      return { name: name!, capture: capture!, args: args ? args.split(' ').filter(Boolean) : [] };
    });
}

describe('golden CLI output (fixtures/cases.tsv)', () => {
  const cases = readCases();
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    it(c.name, async () => {
      const capture = path.join(FIXTURES, 'captures', c.capture);
      const run = await runCliCaptured([...c.args, capture]);
      // The capture path is printed in the summary line; keep goldens independent of where the checkout lives.
      const out = `${run.stdout.split(capture).join(c.capture)}${run.stderr ? `--- stderr\n${run.stderr.split(capture).join(c.capture)}` : ''}--- exit ${run.code}\n`;
      const file = path.join(FIXTURES, 'expected', `${c.name}.out`);
      if (UPDATE || !existsSync(file)) writeFileSync(file, out);
      expect(out).toBe(readFileSync(file, 'utf8'));
    });
  }
});

/** tcpdump -# lines: frame number -> line up to and including "length N" (what the conformance script compares). */
function tcpdumpLines(text: string): Map<number, string> {
  const lines = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const m = /^\s*(\d+) {2}(.*)$/.exec(raw);
    if (!m) continue;
    const body = m[2]!;
    const len = /length \d+/.exec(body);
    lines.set(Number(m[1]), len ? body.slice(0, len.index + len[0].length) : body);
  }
  return lines;
}

describe('packet lines identical to tcpdump on every fixture', () => {
  const dir = path.join(FIXTURES, 'captures');
  const captures = existsSync(dir) ? readdirSync(dir).filter((f) => existsSync(path.join(FIXTURES, 'expected', `${f}.tcpdump.txt`))) : [];
  it('has fixtures with tcpdump output', () => {
    expect(captures.length).toBeGreaterThan(0);
  });
  for (const f of captures) {
    it(f, async () => {
      const theirs = tcpdumpLines(readFileSync(path.join(FIXTURES, 'expected', `${f}.tcpdump.txt`), 'utf8'));
      const run = await runCliCaptured(['--no-annotate', '--number', path.join(dir, f)]);
      const ours = tcpdumpLines(run.stdout);
      const tsv = path.join(FIXTURES, 'expected', `${f}.tshark-tcp.tsv`);
      // Compare the frames tshark calls TCP when its view is there, else every line we print.
      const frames = existsSync(tsv)
        ? readFileSync(tsv, 'utf8').split('\n').slice(1).map((l) => Number(l.split('\t')[0])).filter((n) => n > 0 && theirs.has(n))
        : [...ours.keys()];
      expect(frames.length).toBeGreaterThan(0);
      const diffs = frames.filter((n) => theirs.get(n) !== ours.get(n)).map((n) => `frame ${n}\n  tcpdump : ${theirs.get(n)}\n  tcptrace: ${ours.get(n)}`);
      expect(diffs.slice(0, 5).join('\n')).toBe('');
    });
  }
});
