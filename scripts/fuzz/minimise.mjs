// Delta debugging (Zeller's ddmin, complements only) of a failing input: first whole records and blocks, then bytes.
// Keeps the untouched prefix apart so the "packets before the damage" check still has its baseline; no I/O here.

import { concatBytes as concat, parseCapture } from './capture-model.mjs';

/** Removes chunks of `items` while `stillFails(items)` holds; returns the smallest list found. */
async function ddmin(items, stillFails) {
  let n = 2;
  while (items.length >= 2) {
    const size = Math.ceil(items.length / n);
    let reduced = false;
    for (let start = 0; start < items.length; start += size) {
      const complement = [...items.slice(0, start), ...items.slice(start + size)];
      if (await stillFails(complement)) {
        items = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= items.length) break;
      n = Math.min(items.length, n * 2);
    }
  }
  if (items.length === 1 && (await stillFails([]))) return [];
  return items;
}

/**
 * Minimises `bytes`. `prefixLen` bytes at the front are the intact part (0 when the failure is not about it).
 * `test(bytes, prefixLen)` resolves true when the candidate still fails the same way. Stops after `maxTests` tests or
 * `maxMs` milliseconds, keeping the best so far. Returns { bytes, prefixLen, tests }.
 */
export async function minimise(bytes, prefixLen, test, { maxTests = 400, maxMs = 120_000 } = {}) {
  const t0 = Date.now();
  let tests = 0;
  const budgetLeft = () => tests < maxTests && Date.now() - t0 < maxMs;
  const cap = parseCapture(bytes);
  let header = new Uint8Array(0);
  let pre = [];
  let post = [bytes];
  if (cap !== null) {
    const h = cap.units[0];
    header = bytes.subarray(h.start, h.end);
    const units = cap.units.slice(1).map((u) => ({ u, b: bytes.subarray(u.start, u.end) }));
    pre = units.filter(({ u }) => u.end <= prefixLen).map(({ b }) => b);
    post = units.filter(({ u }) => u.end > prefixLen).map(({ b }) => b);
    // Units are parsed from the whole input, so the damaged part may start inside one: keep its bytes whole.
    const covered = h.end + pre.reduce((s, p) => s + p.length, 0) + post.reduce((s, p) => s + p.length, 0);
    if (covered !== bytes.length || (prefixLen > 0 && h.end + pre.reduce((s, p) => s + p.length, 0) !== prefixLen)) {
      header = new Uint8Array(0);
      pre = [];
      post = [bytes];
    }
  }
  const intact = prefixLen > 0 && header.length > 0;
  const build = (p, q) => {
    const prefix = intact ? concat([header, ...p]) : header;
    return { bytes: concat([prefix, ...q]), prefixLen: intact ? prefix.length : 0 };
  };
  const attempt = async (p, q) => {
    if (!budgetLeft()) return false;
    tests++;
    const c = build(p, q);
    return test(c.bytes, c.prefixLen);
  };

  if (intact) pre = await ddmin(pre, (p) => attempt(p, post));
  if (post.length > 1) post = await ddmin(post, (q) => attempt(pre, q));
  // Bytes of the damaged part: first cut the tail as far as it goes, then remove chunks.
  let tail = concat(post);
  let lo = 0;
  let hi = tail.length;
  while (lo < hi && budgetLeft()) {
    const mid = Math.floor((lo + hi) / 2);
    if (await attempt(pre, [tail.subarray(0, mid)])) hi = mid;
    else lo = mid + 1;
  }
  tail = tail.subarray(0, hi);
  if (tail.length <= 4096) {
    const kept = await ddmin(Array.from(tail), (list) => attempt(pre, [Uint8Array.from(list)]));
    tail = Uint8Array.from(kept);
  }
  const best = build(pre, [tail]);
  return { ...best, tests };
}
