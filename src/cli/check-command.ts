// `tcptrace check`: analyses each capture on its own and reports, per expectation, whether it held.
// Owns the report's wording and the exit code of the check; the expectation language itself lives in src/check.ts.

import * as path from 'node:path';
import { ExitCode, type CliOptions } from './args.js';
import type { CliIo } from './run-cli.js';
import type { SourceSpec } from '../capture/merge.js';
import type { Report } from '../report.js';
import { CaptureError, type CaptureWarning } from '../capture/index.js';
import { checkFailOn, evaluate, expectationProblem, failOnProblem, parseExpectation, type CheckResult, type Expectation } from '../check.js';
import { inputName } from '../render/tables.js';

type Analyse = (specs: SourceSpec[]) => Promise<{ report: Report; warnings: CaptureWarning[]; damaged: boolean }>;

/**
 * Expectations file (JSON): { "captures": { "<path relative to the file>": ["connections=1", "http.mode=short"] },
 * "failOn": ["tcp.rst"] } — or the bare map { "<path>": [...] }. failOn applies to every capture listed.
 */
interface ExpectFile {
  captures: Record<string, string[]>;
  failOn: string[];
}

async function readExpectFile(file: string, io: CliIo): Promise<ExpectFile | { error: string }> {
  let text: string;
  try {
    text = await io.readTextFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return { error: `cannot read expectations file ${file}: ${why}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { error: `expectations file ${file} is not valid JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { error: `expectations file ${file}: expected an object of capture paths to lists of expectations` };
  }
  const obj = raw as Record<string, unknown>;
  const wrapped = 'captures' in obj;
  if (wrapped) {
    // The wrapped form names its keys: a misspelt one ("failon") would silently assert nothing.
    const unknown = Object.keys(obj).filter((k) => k !== 'captures' && k !== 'failOn');
    if (unknown.length > 0) return { error: `expectations file ${file}: unknown key ${JSON.stringify(unknown[0])} (the keys are "captures" and "failOn")` };
    if (typeof obj.captures !== 'object' || obj.captures === null || Array.isArray(obj.captures)) {
      return { error: `expectations file ${file}: "captures" must map capture paths to lists of expectations` };
    }
  }
  if ('failOn' in obj && (!Array.isArray(obj.failOn) || !obj.failOn.every((x) => typeof x === 'string'))) {
    return { error: `expectations file ${file}: "failOn" must be a list of annotation codes such as ["tcp.rst"]` };
  }
  const map = (wrapped ? obj.captures : obj) as Record<string, unknown>;
  const base = path.dirname(file);
  const captures: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(map)) {
    if (k === 'failOn' || k === 'captures') continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      return { error: `expectations file ${file}: "${k}" must map to a list of strings such as ["connections=1"]` };
    }
    // Two keys may name one file ("a.pcap", "./a.pcap"): their lists add up, never replace each other (a replaced
    // list was an expectation never evaluated, and check passed without it).
    const resolved = path.resolve(base, k);
    captures[resolved] = [...(captures[resolved] ?? []), ...(v as string[])];
  }
  const failOn = Array.isArray(obj.failOn) ? obj.failOn.map(String) : [];
  if (Object.keys(captures).length === 0) return { error: `expectations file ${file} lists no capture` };
  return { captures, failOn };
}

/**
 * What is wrong with a list of expectations and fail-on codes, said as check says it (`where` names their source), or
 * null: a typo in an expectation (its form, a name, a value) or a code is a usage error, reported before any capture
 * is read: the expectations are wrong, not the capture (exit 2, not 1).
 */
function listProblem(expect: readonly string[], failOn: readonly string[], where: { expect: string; failOn: string }): string | null {
  for (const text of expect) {
    const e = parseExpectation(text);
    if ('error' in e) return `${where.expect}${e.error}`;
    const problem = expectationProblem(e);
    if (problem !== null) return `${where.expect}expectation "${e.source}": ${problem}`;
  }
  for (const code of failOn) {
    const problem = failOnProblem(code);
    if (problem !== null) return `${where.failOn}${problem}`;
  }
  return null;
}

export async function runChecks(options: CliOptions, io: CliIo, analyse: Analyse): Promise<number> {
  const usage = (message: string): number => {
    io.stderr.write(`tcptrace: ${message}\n`);
    return ExitCode.USAGE;
  };
  const given = listProblem(options.expect, options.failOn, { expect: '', failOn: '--fail-on: ' });
  if (given !== null) return usage(given);
  const plan = new Map<string, { expect: string[]; failOn: string[] }>();
  for (const c of options.captures) plan.set(c, { expect: [...options.expect], failOn: [...options.failOn] });
  if (options.expectFile !== null) {
    const file = await readExpectFile(options.expectFile, io);
    if ('error' in file) return usage(file.error);
    const where = `expectations file ${options.expectFile}: `;
    const fromFile = listProblem(Object.values(file.captures).flat(), file.failOn, { expect: where, failOn: `${where}"failOn": ` });
    if (fromFile !== null) return usage(fromFile);
    for (const [capture, list] of Object.entries(file.captures)) {
      const rel = path.relative(process.cwd(), capture) || capture;
      const known = [...plan.keys()].find((k) => path.resolve(k) === capture);
      const entry = plan.get(known ?? rel) ?? { expect: [...options.expect], failOn: [...options.failOn] };
      entry.expect.push(...list);
      entry.failOn.push(...file.failOn);
      plan.set(known ?? rel, entry);
    }
  }
  // Every expectation was checked above (listProblem): each parses.
  const parsed = new Map<string, Expectation[]>();
  for (const [capture, entry] of plan) parsed.set(capture, entry.expect.map((text) => parseExpectation(text) as Expectation));

  let failed = 0;
  let unreadable = 0;
  let damagedCount = 0;
  let worst: number = ExitCode.OK;
  const lines: string[] = [];
  for (const [capture, entry] of plan) {
    if (parsed.get(capture)!.length === 0 && entry.failOn.length === 0) {
      // Given on the command line but named by no expectation (nor --expect for all): a check that checks nothing
      // is a mistake in the pipeline, not a pass. Not even read.
      failed++;
      lines.push(`FAIL ${inputName(capture)}: no expectation applies to it (add --expect, or name it in the expectations file)`);
      continue;
    }
    let analysed;
    try {
      analysed = await analyse([{ name: capture === '-' ? 'stdin' : capture, source: capture === '-' ? io.stdin : capture }]);
    } catch (err) {
      // One capture that cannot be read must not hide the results of the others: it fails, the rest are reported.
      const why = readFailure(err);
      if (why === null) throw err;
      unreadable++;
      lines.push(`FAIL ${inputName(capture)}: cannot be read: ${why}`);
      continue;
    }
    const { report, warnings, damaged } = analysed;
    const results: CheckResult[] = [...parsed.get(capture)!.map((e) => evaluate(report, e)), ...checkFailOn(report, entry.failOn)];
    const bad = results.filter((r) => !r.ok);
    failed += bad.length;
    lines.push(`${bad.length === 0 ? 'PASS' : 'FAIL'} ${inputName(capture)}: ${results.length - bad.length}/${results.length} held`);
    for (const r of results) lines.push(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.expectation}: ${r.detail}`);
    for (const w of warnings) lines.push(`  warning: ${w.message}`);
    if (damaged) {
      worst = ExitCode.DAMAGED;
      damagedCount++;
    }
  }
  const unread = unreadable === 0 ? '' : `; ${unreadable} capture(s) could not be read`;
  // The exit code says more than the line would without this: a damaged capture exits 4 even when all held.
  const damage = damagedCount === 0 ? '' : `; ${damagedCount} capture(s) damaged partway (checked up to the damage)`;
  lines.push(failed === 0 && unreadable === 0 ? `check: all expectations held on ${plan.size} capture(s)${damage}` : `check: ${failed} expectation(s) did not hold${unread}${damage}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  if (unreadable > 0) return ExitCode.UNREADABLE;
  if (failed > 0) return ExitCode.CHECK_FAILED;
  return worst;
}

/**
 * Why a capture could not be read, in words (a CaptureError, or a file system error naming its path); null for
 * anything else, which is a bug of ours. The one wording of the error line of a run and of a check's FAIL line.
 */
export function readFailure(err: unknown): string | null {
  if (err instanceof CaptureError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.path === 'string') {
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory, not a capture file' : e.code;
    return `${e.path}: ${why}`;
  }
  return null;
}
