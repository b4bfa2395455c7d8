// Times tcptrace (--summary, annotated timeline, ndjson) beside tcpdump -nn, the classic C tcptrace and a bare Node record loop on one capture, and prints a Markdown table of medians.
// A script, not a test: nothing may depend on its timings, and it writes only under bench-out/ (never src/ or dist/).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_PACKETS, BENCH_OUT, PROJECT_ROOT, defaultCapturePath } from './make-capture.mjs';

const SCRIPT_DIR = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_CLI = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
const MAKE_CAPTURE = path.join(SCRIPT_DIR, 'make-capture.mjs');
const FLOOR = path.join(SCRIPT_DIR, 'floor.mjs');

const USAGE = `usage: node scripts/bench/run.mjs [options]
  --capture FILE   time this capture (default: generate bench-out/http-<packets>p-seed<seed>.pcap if missing)
  --cli FILE       the tcptrace entry point to time (default dist/cli/main.js; e.g. a copy of an older build)
  --runs N         runs of each command; medians are reported (default 5)
  --scale2         also time tcptrace --summary on a capture twice as large, to show peak RSS stays flat
  --scale2-runs N  runs on the 2× capture (default 1: it is there for peak RSS)
  --packets N      packets in the generated capture (default ${BASE_PACKETS})
  --seed S         generator seed (default 1)
  --only LIST      comma-separated subset of: summary,summary-jobs,timeline,timeline-jobs,ndjson,tcpdump,tcptrace-c,floor
  --timeout SEC    stop a command after SEC seconds and report it as timed out (default: none)`;

function parseArgs(argv) {
  const opts = { capture: null, cli: DEFAULT_CLI, runs: 5, scale2: false, scale2Runs: 1, packets: BASE_PACKETS, seed: 1, only: null, timeout: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--capture') opts.capture = path.resolve(val());
    else if (a === '--cli') opts.cli = path.resolve(val());
    else if (a === '--runs') opts.runs = Number(val());
    else if (a === '--scale2') opts.scale2 = true;
    else if (a === '--scale2-runs') opts.scale2Runs = Number(val());
    else if (a === '--packets') opts.packets = Number(val());
    else if (a === '--seed') opts.seed = Number(val());
    else if (a === '--only') opts.only = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--timeout') opts.timeout = Number(val());
    else if (a === '--help' || a === '-h') { console.log(USAGE); process.exit(0); }
    else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isInteger(opts.scale2Runs) || opts.scale2Runs < 1) throw new Error('--scale2-runs must be a positive integer');
  if (!Number.isFinite(opts.packets) || opts.packets < 1) throw new Error('--packets must be a positive number');
  if (!Number.isFinite(opts.timeout) || opts.timeout < 0) throw new Error('--timeout must be a number of seconds');
  return opts;
}

function log(msg) { process.stderr.write(`${msg}\n`); }

function isElf(file) {
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    fs.closeSync(fd);
    return head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF';
  } catch { return false; }
}

// Native executables only: node_modules/.bin/tcptrace (this project) must never stand in for the C tcptrace.
function findNative(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try { fs.accessSync(file, fs.constants.X_OK); } catch { continue; }
    if (isElf(file)) return file;
  }
  return null;
}

function findGnuTime() {
  const file = findNative('time');
  if (!file) return null;
  const r = spawnSync(file, ['-f', '%e %M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+\.\d+ \d+\s*$/.test(r.stderr) ? file : null;
}

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim()) ?? '?';
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureCapture(file, packets, seed) {
  if (fs.existsSync(file)) return;
  log(`generating ${path.relative(process.cwd(), file)} (${packets} packets, seed ${seed}) ...`);
  const r = spawnSync(process.execPath, [MAKE_CAPTURE, '--packets', String(packets), '--seed', String(seed), '--out', file],
    { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`make-capture failed (exit ${r.status})`);
}

function readSidecar(file) {
  try { return JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')); } catch { return null; }
}

function countRecords(file) {
  const r = spawnSync(process.execPath, [FLOOR, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot read ${file} as a classic pcap: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout).packets;
}

// One timed run: wall clock from spawn to exit; peak RSS from GNU time's %M, or else from polling VmHWM in /proc.
function measure(argv, { gnuTime, timeoutS, env }) {
  const timeFile = path.join(BENCH_OUT, `.time-${process.pid}`);
  const full = gnuTime ? [gnuTime, '-f', '%e %M', '-o', timeFile, ...argv] : argv;
  return new Promise((resolve) => {
    const out = fs.openSync('/dev/null', 'w');
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0], full.slice(1), { stdio: ['ignore', out, 'pipe'], env });
    fs.closeSync(out);
    let stderr = '';
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2000); });
    let polledKb = 0, timedOut = false;
    const poll = gnuTime ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) polledKb = Math.max(polledKb, Number(m[1]));
      } catch { /* the process has just exited */ }
    }, 10);
    const killer = timeoutS > 0 ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutS * 1000) : null;
    child.on('close', (code, signal) => {
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll) clearInterval(poll);
      if (killer) clearTimeout(killer);
      let rssKb = polledKb;
      if (gnuTime) {
        try {
          const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop();
          rssKb = Number(last.split(' ')[1]) || 0;
          fs.rmSync(timeFile, { force: true });
        } catch { rssKb = 0; }
      }
      const failed = timedOut || code !== 0 ? (timedOut ? 'timeout' : `exit ${code ?? signal}`) : null;
      resolve({ wallS, rssKb, failed, stderr });
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmtRate(x) {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(0)} k`;
  return x.toFixed(0);
}

function fmtMb(kb) { return kb ? `${Math.round(kb / 1024)} MB` : '?'; }

async function timeCommands(commands, runs, ctx) {
  for (const c of commands) c.runs = [];
  for (let run = 1; run <= runs; run++) {
    for (const c of commands) {
      if (c.runs.some((r) => r.failed)) continue;
      const r = await measure(c.argv, ctx);
      c.runs.push(r);
      log(`  run ${run}/${runs}  ${c.key.padEnd(11)} ${r.wallS.toFixed(2).padStart(7)} s  ${fmtMb(r.rssKb).padStart(8)}${r.failed ? `  FAILED (${r.failed}) ${r.stderr.trim().split('\n').pop() ?? ''}` : ''}`);
    }
  }
  for (const c of commands) {
    const ok = c.runs.filter((r) => !r.failed);
    c.failed = c.runs.find((r) => r.failed)?.failed ?? null;
    c.medianS = ok.length ? median(ok.map((r) => r.wallS)) : NaN;
    c.peakKb = Math.max(0, ...c.runs.map((r) => r.rssKb));
  }
}

function ratio(c, peer) {
  if (!peer || c === peer || c.failed || peer.failed) return '';
  return `${(c.medianS / peer.medianS).toFixed(2)}×`;
}

function table(commands, packets, bytes) {
  const byKey = Object.fromEntries(commands.map((c) => [c.key, c]));
  const peers = [['tcptrace-c', 'vs C tcptrace'], ['tcpdump', 'vs tcpdump -nn'], ['floor', 'vs floor']].filter(([k]) => byKey[k]);
  const head = ['command', 'median s', 'packets/s', 'MB/s', 'peak RSS', ...peers.map(([, h]) => h)];
  const rows = commands.map((c) => {
    if (c.failed) return [c.label, c.failed === 'timeout' ? `> ${c.runs.at(-1).wallS.toFixed(0)} (timeout)` : `failed (${c.failed})`, '', '', fmtMb(c.peakKb), ...peers.map(() => '')];
    return [c.label, c.medianS.toFixed(2), fmtRate(packets / c.medianS), (bytes / 1e6 / c.medianS).toFixed(0), fmtMb(c.peakKb),
      ...peers.map(([k]) => ratio(c, byKey[k]))];
  });
  const align = head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

async function main() {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (err) { console.error(`bench: ${err.message}\n${USAGE}`); process.exit(2); }
  const cliPath = opts.cli;
  if (!fs.existsSync(cliPath)) {
    console.error(`bench: ${cliPath} is missing; build first: npx tsc -p tsconfig.build.json`);
    process.exit(2);
  }
  if (cliPath === DEFAULT_CLI && newestMtime(path.join(PROJECT_ROOT, 'src')) > fs.statSync(cliPath).mtimeMs) {
    log('bench: warning: src/ is newer than dist/cli/main.js; rebuild (npx tsc -p tsconfig.build.json) to time the current code');
  }
  fs.mkdirSync(BENCH_OUT, { recursive: true });
  const capture = opts.capture ?? defaultCapturePath(opts.packets, opts.seed);
  if (opts.capture && !fs.existsSync(capture)) { console.error(`bench: no such capture: ${capture}`); process.exit(2); }
  ensureCapture(capture, opts.packets, opts.seed);

  const gnuTime = findGnuTime();
  const tcpdump = findNative('tcpdump');
  const cTcptrace = findNative('tcptrace');
  const cVersion = cTcptrace ? /version ([\d.]+)/.exec(firstLine(cTcptrace, ['-v']))?.[1] : null;
  // glibc re-reads /etc/localtime for every timestamp when TZ is unset; pin it so no tool pays that per packet.
  const env = { ...process.env, TZ: process.env.TZ ?? ':/etc/localtime' };
  const ctx = { gnuTime, timeoutS: opts.timeout, env };
  const node = process.execPath;
  const rel = (f) => path.relative(process.cwd(), f) || f;
  const jobs = Math.max(2, Math.min(os.availableParallelism?.() ?? os.cpus().length, 8));
  const all = [
    { key: 'summary', label: '`tcptrace --summary`', argv: [node, cliPath, '--summary', capture] },
    // --jobs as many as the machine has cores (at least 2, so the row always shows the threaded path).
    { key: 'summary-jobs', label: `\`tcptrace --summary --jobs ${jobs}\``, argv: [node, cliPath, '--summary', '--jobs', String(jobs), capture] },
    { key: 'timeline', label: '`tcptrace` (annotated timeline)', argv: [node, cliPath, capture] },
    { key: 'timeline-jobs', label: `\`tcptrace --jobs ${jobs}\` (annotated timeline)`, argv: [node, cliPath, '--jobs', String(jobs), capture] },
    { key: 'ndjson', label: '`tcptrace --format ndjson`', argv: [node, cliPath, '--format', 'ndjson', capture] },
    tcpdump && { key: 'tcpdump', label: '`tcpdump -nn -r`', argv: [tcpdump, '-nn', '-r', capture] },
    cTcptrace && { key: 'tcptrace-c', label: `C \`tcptrace -n\`${cVersion ? ` (${cVersion})` : ''}`, argv: [cTcptrace, '-n', capture] },
    { key: 'floor', label: 'bare Node record loop (floor)', argv: [node, FLOOR, capture] },
  ].filter(Boolean);
  const commands = opts.only ? all.filter((c) => opts.only.includes(c.key)) : all;
  if (commands.length === 0) { console.error('bench: --only selected no command'); process.exit(2); }
  if (!tcpdump) log('bench: tcpdump not found on PATH; skipped');
  if (!cTcptrace) log('bench: classic C tcptrace not found on PATH; skipped');
  if (!gnuTime) log('bench: GNU time not found; peak RSS comes from polling /proc (apt-get install -y time for exact figures)');

  const packets = countRecords(capture);
  const bytes = fs.statSync(capture).size;
  const meta = readSidecar(capture);
  log(`warming the page cache with one floor pass over ${rel(capture)} ...`);
  await measure([node, FLOOR, capture], ctx);
  const loadBefore = os.loadavg()[0];
  if (loadBefore > 0.5) log(`bench: warning: load average ${loadBefore.toFixed(2)} before timing; other work on this machine makes timings noisy`);
  log(`timing ${commands.length} commands × ${opts.runs} runs, interleaved`);
  await timeCommands(commands, opts.runs, ctx);
  const loadAfter = os.loadavg()[0];

  let scale2 = null;
  if (opts.scale2) {
    const base = meta?.targetPackets ?? opts.packets;
    const seed = meta?.seed ?? opts.seed;
    const big = defaultCapturePath(base * 2, seed);
    ensureCapture(big, base * 2, seed);
    const summary = all.find((c) => c.key === 'summary');
    const c2 = { key: 'summary-2x', label: '`tcptrace --summary` on the 2× capture', argv: [node, cliPath, '--summary', big] };
    log(`timing tcptrace --summary on ${rel(big)} × ${opts.scale2Runs}`);
    await timeCommands([c2], opts.scale2Runs, ctx);
    if (!commands.includes(summary)) await timeCommands([summary], opts.scale2Runs, ctx);
    scale2 = { big, c2, summary, packets: countRecords(big), bytes: fs.statSync(big).size, meta: readSidecar(big) };
  }

  const cpus = os.cpus();
  const reproduce = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const lines = [];
  lines.push(`Capture \`${rel(capture)}\`: ${packets.toLocaleString('en-US')} packets, ` +
    `${meta ? `${meta.connections.toLocaleString('en-US')} TCP connections (${meta.requests.toLocaleString('en-US')} HTTP requests), ` : ''}` +
    `${(bytes / 1e6).toFixed(0)} MB. Median of ${opts.runs} run${opts.runs === 1 ? '' : 's'}, wall clock, output to /dev/null, TZ=${env.TZ}.`);
  lines.push(`Machine: ${cpus[0]?.model?.trim() ?? '?'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ` +
    `Node ${process.version}${tcpdump ? `, ${firstLine(tcpdump, ['--version'])}` : ''}; 1-minute load average ${loadBefore.toFixed(2)} before, ` +
    `${loadAfter.toFixed(2)} after timing.`);
  lines.push('');
  lines.push(table(commands, packets, bytes));
  lines.push('');
  lines.push('Ratios are this row\'s median time divided by the peer\'s: below 1.00× is faster. MB = 10⁶ bytes of capture file.');
  if (scale2) {
    const { c2, summary } = scale2;
    lines.push('');
    lines.push('| `tcptrace --summary` on | packets | connections | median s | peak RSS |');
    lines.push('| --- | ---: | ---: | ---: | ---: |');
    for (const [c, n, m, f] of [[summary, packets, meta, capture], [c2, scale2.packets, scale2.meta, scale2.big]]) {
      lines.push(`| \`${rel(f)}\` | ${n.toLocaleString('en-US')} | ${m ? m.connections.toLocaleString('en-US') : '?'} | ` +
        `${c.failed ? c.failed : c.medianS.toFixed(2)} | ${fmtMb(c.peakKb)} |`);
    }
  }
  lines.push('');
  lines.push(`Reproduce: \`npx tsc -p tsconfig.build.json && ${reproduce}\``);
  lines.push('');
  lines.push('Runs (s):');
  for (const c of [...commands, ...(scale2 ? [scale2.c2] : [])]) {
    lines.push(`- ${c.key}: ${c.runs.map((r) => (r.failed ? r.failed : r.wallS.toFixed(2))).join(', ')}`);
  }
  console.log(lines.join('\n'));
}

main().catch((err) => { console.error(`bench: ${err.stack ?? err}`); process.exit(1); });
