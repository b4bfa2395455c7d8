// The README's example is real output: every line it shows (it is abridged at "…") is a line the CLI prints for that
// capture, in the same order. Keeps the manual from drifting when the output changes on purpose.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCliCaptured } from './helpers/run-cli-capture.js';

describe('README example', () => {
  it('shows lines the CLI prints, in order', async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
    const block = /<!-- example:start -->([\s\S]*?)<!-- example:end -->/.exec(readme)![1]!;
    const command = /`tcptrace (fixtures\/captures\/[\w.-]+)`/.exec(block)![1]!;
    const shown = /```\n([\s\S]*?)\n```/.exec(block)![1]!.split('\n').filter((l) => l !== '…');
    expect(shown.length).toBeGreaterThan(20);
    const run = await runCliCaptured([command]);
    const lines = run.stdout.split('\n');
    let at = 0;
    for (const line of shown) {
      const found = lines.indexOf(line, at);
      expect(found, `README line not in the output (or out of order): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});
