// `tcptrace/core` keeps the promise of DESIGN.md ("the core runs anywhere a Uint8Array does"): no module it reaches
// imports a Node built-in or reads `process`. Walks the import graph of src/core.ts statically.
import { describe, expect, test } from 'vitest';
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '..', 'src');
const IMPORT = /(?:import|export)\s[^'";]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function graph(entry: string): { files: string[]; external: string[] } {
  const seen = new Set<string>();
  const external = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) todo.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.add(spec);
    }
  }
  return { files: [...seen], external: [...external] };
}

describe('tcptrace/core', () => {
  const { files, external } = graph(path.join(SRC, 'core.ts'));

  test('reaches the analysis, the readers from bytes and the renderers', () => {
    const names = files.map((f) => path.relative(SRC, f));
    for (const expected of ['analyze.ts', 'capture/reader.ts', 'tcp/tracker.ts', 'http/connection.ts', 'render/timeline.ts', 'check.ts']) {
      expect(names).toContain(expected);
    }
    for (const edge of ['edges.ts', 'capture/open.ts', 'capture/merge.ts', 'local-time.ts']) expect(names).not.toContain(edge);
  });

  test('imports no Node built-in, and no module of it reads process', () => {
    const builtins = external.filter((s) => s.startsWith('node:') || builtinModules.includes(s));
    expect(builtins).toEqual([]);
    // Comments may speak of process.env; code may not use it.
    const code = (f: string) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const readsProcess = files.filter((f) => /\bprocess\.(env|stdout|stderr|stdin|argv|exit|platform|hrtime|memoryUsage)/.test(code(f)));
    expect(readsProcess.map((f) => path.relative(SRC, f))).toEqual([]);
  });
});
