// Profiles one tcptrace run with node --cpu-prof (output to /dev/null) and prints the top self-time functions and files.
// Reads .cpuprofile JSON only; it must not change src/ or dist/, and writes only under bench-out/prof/.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_CLI = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
const USAGE = `usage: node scripts/bench/profile.mjs [--top N] [--name NAME] [--cli FILE] -- <tcptrace arguments>
       node scripts/bench/profile.mjs [--top N] --read FILE.cpuprofile`;

// Self time per (function, script): a sample's time goes to the frame on top of the stack.
export function aggregate(profile) {
  const perNode = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    perNode.set(id, (perNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map(), byFile = new Map();
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = perNode.get(node.id) ?? 0;
    if (!us) continue;
    totalUs += us;
    const cf = node.callFrame;
    const file = shortUrl(cf.url);
    const fn = `${cf.functionName || '(anonymous)'}  ${file}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file || cf.functionName, (byFile.get(file || cf.functionName) ?? 0) + us);
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalUs, functions: sorted(byFunction), files: sorted(byFile) };
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm);
  const root = `file://${PROJECT_ROOT}/`;
  return url.startsWith(root) ? url.slice(root.length) : url;
}

function report(file, top) {
  const { totalUs, functions, files } = aggregate(JSON.parse(fs.readFileSync(file, 'utf8')));
  const pct = (us) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
  const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const out = [`${path.relative(process.cwd(), file)}: ${(totalUs / 1e6).toFixed(2)} s sampled`, '', `top ${top} functions by self time:`];
  functions.slice(0, top).forEach(([k, us], i) => out.push(`${String(i + 1).padStart(3)}. ${pct(us)} ${ms(us)}  ${k}`));
  out.push('', `top ${top} files by self time:`);
  files.slice(0, top).forEach(([k, us]) => out.push(`     ${pct(us)} ${ms(us)}  ${k}`));
  console.log(out.join('\n'));
}

function main() {
  const argv = process.argv.slice(2);
  let top = 15, name = 'run', read = null, cli = DEFAULT_CLI;
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const cliArgs = dash >= 0 ? argv.slice(dash + 1) : [];
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '--top') top = Number(own[++i]);
    else if (own[i] === '--name') name = own[++i];
    else if (own[i] === '--read') read = own[++i];
    else if (own[i] === '--cli') cli = path.resolve(own[++i]);
    else { console.error(USAGE); process.exit(2); }
  }
  if (read) { report(read, top); return; }
  if (cliArgs.length === 0) { console.error(USAGE); process.exit(2); }
  const dir = path.join(PROJECT_ROOT, 'bench-out', 'prof', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const out = fs.openSync('/dev/null', 'w');
  const env = { ...process.env, TZ: process.env.TZ ?? ':/etc/localtime' };
  const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, cli, ...cliArgs], { stdio: ['ignore', out, 'inherit'], env });
  if (r.status !== 0) console.error(`profile: tcptrace exited with ${r.status ?? r.signal}`);
  const prof = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!prof) { console.error('profile: no .cpuprofile written'); process.exit(1); }
  report(path.join(dir, prof), top);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
