// heapGuard (cli/heap-guard.ts): the executable's young generation stops growing at its cap (and grows back to it, by
// youngGrowthFactor, once V8 shrank it), and a guard told not to cap it leaves it to V8. Run in a child process each:
// the growth factor is one flag for the whole process.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { youngGrowthFactor } from '../../src/cli/heap-guard.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GUARD = path.join(ROOT, 'dist', 'cli', 'heap-guard.js');

/** Allocates objects of which a share survive (as connection state does), calling the guard after each "chunk". */
const CHILD = `
const { heapGuard, releaseYoungGenerationCap } = await import(process.argv[1]);
if (process.argv[3] === 'release') releaseYoungGenerationCap();
const { getHeapSpaceStatistics } = await import('node:v8');
const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const guard = heapGuard(64 * 1024 * 1024, process.argv[2] === 'none' ? Infinity : Number(process.argv[2]));
let keep = [];
let largest = 0;
for (let chunk = 0; chunk < 400; chunk++) {
  for (let i = 0; i < 20000; i++) {
    const o = { a: i, b: [i, i + 1], c: 'x' + i };
    if (i % 4 === 0) keep.push(o);
  }
  if (keep.length > 200000) keep = keep.slice(100000);
  guard();
  largest = Math.max(largest, newSpace());
}
console.log(JSON.stringify({ largest }));
`;

function run(cap: string, release = false): { largest: number } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, GUARD, cap, release ? 'release' : ''], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { largest: number };
}

describe.skipIf(!existsSync(GUARD))('heapGuard young generation cap (built executable)', () => {
  test('a 4 MB cap keeps the young generation at the first size that reaches it; none lets V8 grow it further', () => {
    const capped = run(String(4 * 1024 * 1024));
    const free = run('none');
    // V8 doubles the semi-spaces (1, 2, 4, ... MB); the young generation is about twice a semi-space. Capped at 4 MB it
    // stops at 4 MB semi-spaces at most (one growth may pass the check between two chunks).
    expect(capped.largest).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(capped.largest).toBeLessThanOrEqual(9 * 1024 * 1024);
    expect(free.largest).toBeGreaterThan(capped.largest);
  });

  test('a process that starts worker threads releases the cap: no guard caps the young generation after that', () => {
    // main.ts calls releaseYoungGenerationCap() before each shard worker: the flag is one for every thread.
    expect(run(String(4 * 1024 * 1024), true).largest).toBeGreaterThan(9 * 1024 * 1024);
  });
});

/**
 * Leaves about 140 MB of dead arrays in the old generation, then calls the guard four times (it looks at the heap
 * every fourth call) in one synchronous run, sync or not, and prints the heap's use before and right after.
 */
const SYNC_CHILD = `
const { heapGuard } = await import(process.argv[1]);
const { getHeapStatistics } = await import('node:v8');
const guard = heapGuard(16 * 1024 * 1024, Infinity);
let keep = [];
for (let i = 0; i < 15000; i++) keep.push(new Array(1000).fill(i));
// Survivors of two young collections: in the old generation now.
for (let i = 0; i < 40; i++) new Array(100000).fill(i);
keep = null;
const before = getHeapStatistics().used_heap_size;
for (let i = 0; i < 4; i++) guard(false, process.argv[2] === 'sync');
const after = getHeapStatistics().used_heap_size;
console.log(JSON.stringify({ before, after }));
`;

describe.skipIf(!existsSync(GUARD))('heapGuard sync (built executable)', () => {
  test('collects before returning when told the caller gives the event loop no turn; else later', () => {
    const run = (mode: string) => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', SYNC_CHILD, GUARD, mode], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { before: number; after: number };
    };
    const sync = run('sync');
    const async = run('async');
    expect(sync.before).toBeGreaterThan(100 * 1024 * 1024);
    expect(sync.after).toBeLessThan(40 * 1024 * 1024);
    // Asked for 'async', the collection waits for a turn of the event loop, which this loop never gives.
    expect(async.after).toBeGreaterThan(100 * 1024 * 1024);
  });
});

describe('youngGrowthFactor', () => {
  const MB = 1024 * 1024;
  test.each([
    // V8's first sizes double up to the cap, as by default.
    [1 * MB, 2],
    [4 * MB, 2],
    [8 * MB, 2],
    // At the cap, and shrunk by V8 while idle to sizes whose double would pass it: no growth (20 MB would be 4 MB
    // more than the cap, twice over with both semi-spaces).
    [16 * MB, 1],
    [10 * MB, 1],
    [14 * MB, 1],
    // Shrunk further: grows back, by doubling.
    [3.5 * MB, 2],
    [7 * MB, 2],
  ])('a young generation of %d bytes under a 16 MB cap grows by %d', (size, factor) => {
    expect(youngGrowthFactor(size, 16 * MB)).toBe(factor);
  });
});
