// Loads the fuzzer's seed captures: the project's fixtures and, when present, the shared public captures next to the
// project. Paths are found from this file's location, never from a machine-specific absolute path.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseCapture } from './capture-model.mjs';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE_DIR = path.join(PROJECT_ROOT, 'fixtures', 'captures');
const PUBLIC_DIR = path.join(PROJECT_ROOT, '..', 'shared', 'captures', 'public');
const CAPTURE_RE = /\.(pcap|pcapng|cap)$/;
/** Seeds larger than this are cut to their first whole records: mutants stay fast, every layer is still there. */
export const MAX_SEED_BYTES = 64 * 1024;

function listCaptures(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listCaptures(full));
    else if (CAPTURE_RE.test(entry.name) && statSync(full).size > 0) out.push(full);
  }
  return out;
}

/** The capture cut after its last whole unit (record or block) that ends within maxBytes. */
export function trimSeed(bytes, maxBytes = MAX_SEED_BYTES) {
  if (bytes.length <= maxBytes) return bytes;
  const cap = parseCapture(bytes);
  if (cap === null) return bytes.subarray(0, maxBytes);
  let end = cap.units[0].end;
  for (const u of cap.units) {
    if (u.end > maxBytes) break;
    end = u.end;
  }
  return bytes.subarray(0, end);
}

/**
 * The seed corpus, sorted by name so a seed number means the same campaign on every machine with the same files.
 * which: 'fixtures' (the project's own captures only) or 'all' (plus ../shared/captures/public when present).
 */
export function loadCorpus(which = 'all', maxBytes = MAX_SEED_BYTES) {
  const files = listCaptures(FIXTURE_DIR);
  if (which === 'all') files.push(...listCaptures(PUBLIC_DIR));
  return files
    .map((file) => ({ name: path.relative(PROJECT_ROOT, file).split(path.sep).join('/'), file }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, file }) => {
      const full = new Uint8Array(readFileSync(file));
      return { name, bytes: trimSeed(full, maxBytes), fullBytes: full.length };
    });
}
