// Runs runCli in-process with captured stdout/stderr, for golden and scenario tests (TZ is pinned by vitest config).
// Test-only helper: never used by the package itself.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCliCaptured(argv: string[], opts: { stdin?: Uint8Array; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    stdin: Readable.from(opts.stdin ? [opts.stdin] : []),
    env: opts.env ?? {},
    readTextFile: (p) => readFile(p, 'utf8'),
    // Goldens must not depend on this machine's interfaces: index 1 is the loopback on every Linux host.
    interfaceName: (i) => (i === 1 ? 'lo' : undefined),
  });
  return { code, stdout, stderr };
}
