// Runs one input through the whole CLI in-process (reader, Analyzer, every renderer) and lists what went wrong.
// runCli is passed in (dist/ for the script, src/ for vitest); this module must not import the project or do file I/O.

import { Rng } from './mutators.mjs';

/** The main run: timeline with annotations and frame numbers (for the intact-prefix check), then the tables. */
export const BASE_ARGV = ['-#', '--color', 'never', '-'];
export const NDJSON_ARGV = ['--format', 'ndjson', '-'];
export const JSON_ARGV = ['--format', 'json', '-'];
/** One of these runs per mutant as well, in turn: timestamp styles, colour, views, filters and the check command. */
export const EXTRA_ARGVS = [
  ['--no-annotate', '-tttt', '--nano', '-'],
  ['-ttt', '-S', '--color', 'always', '-'],
  ['-tt', '--nano', '-'],
  ['-ttttt', '--http', '-'],
  ['--summary', '--color', 'always', '-'],
  ['-t', '--no-annotate', '-S', '-'],
  ['check', '-', '--expect', 'connections=1', '--expect', 'conn 0: close=fin', '--expect', 'every: http.mode=keep-alive',
    '--fail-on', 'tcp.retransmission,http.parse-stopped'],
  ['--conn', '0', '--port', '80', '--host', '::1', '-'],
];

/** A line of a stack trace (V8: "    at fn (file:line:col)"), which must never reach a user. */
const STACK_RE = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)\s*$/m;
/** A packet line of the -# timeline: the frame number right-aligned in 5 columns, two spaces, the line. */
const PACKET_LINE_RE = /^ {0,4}(\d+) {2}\S/;
/** Control characters a terminal acts on; with --color never nothing from the capture may print one raw. */
const CONTROL_RE = /[\x00-\x08\x0b-\x1f\x7f]/;
/** Annotation lines are indented by six spaces (render/timeline.ts INDENT). */
const ANNOTATION_INDENT = '      ';

async function* chunked(bytes, sizes) {
  let pos = 0;
  let i = 0;
  while (pos < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]);
    yield bytes.subarray(pos, pos + n);
    pos += n;
  }
}

/** One runCli call on `bytes` as standard input, delivered in chunks of the given sizes (the whole input when null). */
export async function runOnce(runCli, argv, bytes, chunkSizes = null) {
  let stdout = '';
  let stderr = '';
  const stdin = chunkSizes === null ? chunked(bytes, [Math.max(1, bytes.length)]) : chunked(bytes, chunkSizes);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let code;
  let threw = null;
  try {
    code = await runCli(argv, {
      stdout: { write: (s) => void (stdout += s), isTTY: false },
      stderr: { write: (s) => void (stderr += s), isTTY: false },
      stdin,
      env: {},
      readTextFile: async () => {
        throw Object.assign(new Error('no files in the fuzzer'), { code: 'ENOENT', path: 'expect-file' });
      },
    });
  } catch (err) {
    threw = err;
    code = -1;
  }
  const cpu = process.cpuUsage(cpu0);
  // CPU time decides "slow": wall time on a shared machine measures the neighbours as much as the code.
  return { argv, code, stdout, stderr, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, inputBytes: bytes.length, threw };
}

/** Frame number -> the packet line and its annotation lines, from a BASE_ARGV run's stdout. */
export function packetBlocks(stdout) {
  const blocks = new Map();
  let frame = -1;
  let lines = [];
  const close = () => {
    if (frame >= 0) blocks.set(frame, lines.join('\n'));
    frame = -1;
    lines = [];
  };
  for (const line of stdout.split('\n')) {
    const m = PACKET_LINE_RE.exec(line);
    if (m !== null) {
      close();
      frame = Number(m[1]);
      lines.push(line);
    } else if (frame >= 0 && line.startsWith(ANNOTATION_INDENT)) {
      lines.push(line);
    } else {
      close();
    }
  }
  close();
  return blocks;
}

/** Frame number -> the NDJSON packet record. */
export function ndjsonPackets(stdout) {
  const records = new Map();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"type":"packet"')) continue;
    try {
      records.set(JSON.parse(line).frame, line);
    } catch {
      // Invalid JSON is reported by the json check; here it simply has no frame.
    }
  }
  return records;
}

/** What the intact-prefix check compares: the timeline blocks and NDJSON packets of a clean run. */
export function baselineOf(baseRun, ndjsonRun) {
  return { blocks: packetBlocks(baseRun.stdout), ndjson: ndjsonPackets(ndjsonRun.stdout) };
}

function describeThrow(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  const where = (e.stack ?? '').split('\n').slice(1, 4).map((s) => s.trim()).join(' | ');
  return `${e.name}: ${e.message} @ ${where}`;
}

/** Every problem of one run: an exception, exit code 70 or another unexpected one, a stack trace in the output. */
export function runFailures(run, slowMs) {
  const out = [];
  const isCheck = run.argv[0] === 'check';
  if (run.threw !== null) out.push({ kind: 'crash', detail: `runCli threw: ${describeThrow(run.threw)}` });
  else if (run.code === 70) out.push({ kind: 'crash', detail: run.stderr.trim().split('\n')[0] });
  else if (![0, 3, 4, ...(isCheck ? [1] : [])].includes(run.code)) out.push({ kind: 'exit', detail: `exit ${run.code}: ${run.stderr.trim().split('\n')[0]}` });
  if (STACK_RE.test(run.stderr) || STACK_RE.test(run.stdout)) out.push({ kind: 'stack', detail: 'a stack trace in the output' });
  // JSON escapes every C0 control itself (DEL is legal JSON and inert); colour output has ESC by design.
  const rawStdout = !run.argv.includes('always') && !run.argv.includes('--format');
  const text = rawStdout ? run.stdout + run.stderr : run.stderr;
  const control = CONTROL_RE.exec(text);
  if (control !== null) {
    const around = text.slice(Math.max(0, control.index - 60), control.index + 20);
    out.push({ kind: 'control', detail: `raw control character 0x${control[0].charCodeAt(0).toString(16)} in the output: ${JSON.stringify(around)}` });
  }
  // Slow means pathological, not big: the limit grows by 1 ms per kB of input (4.5 MB carrying 160,000 HTTP exchanges
  // takes 2.9 s, linearly), while a quadratic renderer still stands out (88 kB in 4.7 s).
  const limitMs = slowMs + (run.inputBytes ?? 0) / 1000;
  if (run.cpuMs > limitMs) out.push({ kind: 'slow', detail: `${Math.round(run.cpuMs)} ms of CPU (${Math.round(run.ms)} ms wall, limit ${Math.round(limitMs)})` });
  for (const f of out) f.argv = run.argv.join(' ');
  return out;
}

function jsonFailures(jsonRun, ndjsonRun) {
  const out = [];
  if (jsonRun.code === 0 || jsonRun.code === 4) {
    try {
      JSON.parse(jsonRun.stdout);
    } catch (err) {
      out.push({ kind: 'json', detail: `--format json output does not parse: ${err.message}`, argv: jsonRun.argv.join(' ') });
    }
  }
  if (ndjsonRun.code === 0 || ndjsonRun.code === 4) {
    const lines = ndjsonRun.stdout.split('\n').filter((l) => l !== '');
    const bad = lines.findIndex((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    if (bad >= 0) out.push({ kind: 'json', detail: `--format ndjson line ${bad + 1} does not parse`, argv: ndjsonRun.argv.join(' ') });
  }
  return out;
}

/** Frames before `intactBefore` must print exactly as in the baseline (DESIGN.md: packets before the damage). */
function intactFailures(baseline, baseRun, ndjsonRun, intactBefore) {
  if (baseline === null || intactBefore <= 1) return [];
  const got = packetBlocks(baseRun.stdout);
  const gotNd = ndjsonPackets(ndjsonRun.stdout);
  const problems = [];
  const compare = (want, have, what) => {
    const frames = new Set([...want.keys(), ...have.keys()].filter((f) => f < intactBefore));
    for (const f of [...frames].sort((a, b) => a - b)) {
      if (want.get(f) !== have.get(f)) {
        problems.push({
          kind: 'intact',
          detail: `frame ${f} (< ${intactBefore}) ${what} changed:\n  want: ${String(want.get(f)).slice(0, 400)}\n  got:  ${String(have.get(f)).slice(0, 400)}`,
        });
        return;
      }
    }
  };
  compare(baseline.blocks, got, 'timeline');
  if (problems.length === 0) compare(baseline.ndjson, gotNd, 'ndjson packet');
  return problems;
}

/**
 * Checks one input. options: extra (index into EXTRA_ARGVS), chunkSeed (null: no chunked run), baseline and
 * intactBefore (frames before it must match the baseline), slowMs (a run slower than this is reported).
 * Returns { failures, runs, baseRun, ndjsonRun }.
 */
export async function checkInput(runCli, bytes, options = {}) {
  const slowMs = options.slowMs ?? 2000;
  const baseRun = await runOnce(runCli, BASE_ARGV, bytes);
  const ndjsonRun = await runOnce(runCli, NDJSON_ARGV, bytes);
  const jsonRun = await runOnce(runCli, JSON_ARGV, bytes);
  const runs = [baseRun, ndjsonRun, jsonRun];
  if (options.extra !== undefined && options.extra !== null) runs.push(await runOnce(runCli, EXTRA_ARGVS[options.extra % EXTRA_ARGVS.length], bytes));
  const failures = runs.flatMap((r) => runFailures(r, slowMs));
  failures.push(...jsonFailures(jsonRun, ndjsonRun));
  if (options.chunkSeed !== undefined && options.chunkSeed !== null && bytes.length > 0) {
    // Standard input in small pieces must give what one piece gives (records straddling chunks are reassembled).
    const rng = new Rng(options.chunkSeed);
    const sizes = bytes.length <= 4096 && rng.chance(0.5) ? [1] : Array.from({ length: 64 }, () => rng.pick([1, 2, 3, 7, 16, 100, 1500, 4096, rng.range(1, 9000)]));
    // Half the time the NDJSON run: its records are written as batches complete, so batching could show there.
    const wholeRun = options.chunkSeed % 2 === 0 ? baseRun : ndjsonRun;
    const streamRun = await runOnce(runCli, wholeRun.argv, bytes, sizes);
    failures.push(...runFailures(streamRun, slowMs * 4));
    if (streamRun.threw === null && (streamRun.stdout !== wholeRun.stdout || streamRun.code !== wholeRun.code || streamRun.stderr !== wholeRun.stderr)) {
      const lines = [wholeRun.stdout.split('\n'), streamRun.stdout.split('\n')];
      const at = lines[0].findIndex((l, i) => l !== lines[1][i]);
      failures.push({
        kind: 'stream',
        detail: `chunked stdin (sizes ${sizes.slice(0, 6).join(',')}…) differs: exit ${wholeRun.code} vs ${streamRun.code}; line ${at + 1}: ${JSON.stringify(lines[0][at])} vs ${JSON.stringify(lines[1][at])}`,
        argv: wholeRun.argv.join(' '),
      });
    }
    runs.push(streamRun);
  }
  failures.push(...intactFailures(options.baseline ?? null, baseRun, ndjsonRun, options.intactBefore ?? 1));
  return { failures, runs, baseRun, ndjsonRun };
}

/**
 * Runs the timeline over several capture files at once (merged by timestamp, as mergecap does): the merge must take
 * damaged inputs as calmly as one. The files are the caller's; this only names them.
 */
export async function checkMerge(runCli, paths, slowMs = 2000, inputBytes = 0) {
  const run = await runOnce(runCli, ['-#', '--color', 'never', ...paths], new Uint8Array(0));
  // The files' bytes set the slow limit, as stdin's do for one input (runOnce only sees stdin): a 5.9 MB merge
  // printing 420,000 lines in 2.1 s was reported slow against the bare 2 s limit.
  run.inputBytes = inputBytes;
  return { failures: runFailures(run, slowMs), runs: [run] };
}

/** A short key that groups failures of the same bug: kind and the first line of the detail, numbers removed. */
export function signature(failure) {
  const first = failure.detail.split('\n')[0].replace(/\d+/g, 'N');
  if (failure.kind === 'intact') return `intact ${first.replace(/frame N \(< N\) /, '')}`;
  if (failure.kind === 'slow' || failure.kind === 'hang') return 'slow-or-hang';
  if (failure.kind === 'stream') return `stream ${/exit \S+ vs \S+/.exec(first)?.[0] ?? ''}`;
  return `${failure.kind} ${first}`.slice(0, 200);
}
