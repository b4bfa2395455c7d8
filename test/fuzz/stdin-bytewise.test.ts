// Standard input delivering one byte at a time gives exactly what reading the file gives (every record straddles
// chunks), on pcap and pcapng fixtures, whole and cut short. Must not spawn processes: runCli runs in-process.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';

const CAPTURES = path.resolve(import.meta.dirname, '../../fixtures/captures');

async function* oneByteAtATime(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
}

async function* nothing(): AsyncGenerator<Uint8Array> {}

async function run(argv: string[], stdin: AsyncIterable<Uint8Array>) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    stdin,
    env: {},
    readTextFile: (p) => Promise.resolve(readFileSync(p, 'utf8')),
  });
  return { code, stdout, stderr };
}

const FIXTURES = [
  'real-http11-keepalive.pcap',
  'real-nano.pcap',
  'real-pcapng-multi.pcapng',
  'real-pcapng-editcap.pcapng',
  'real-sll2-any.pcap',
  'crafted-snaplen.pcap',
  'crafted-timestamps-nano.pcap',
];
const FORMATS: string[][] = [['-#', '--color', 'never'], ['--format', 'ndjson']];

describe('stdin one byte at a time', () => {
  for (const name of FIXTURES) {
    it(`${name}: same output as the file, whole and cut 7 bytes short`, async () => {
      const file = path.join(CAPTURES, name);
      const bytes = new Uint8Array(readFileSync(file));
      for (const format of FORMATS) {
        const fromFile = await run([...format, file], nothing());
        const fromStdin = await run([...format, '-'], oneByteAtATime(bytes));
        // The capture's name is printed: the file's path where the text says "stdin" (summary line, warnings) and the
        // NDJSON meta record the argument given, '-'.
        const named = (s: string) => s.split(file).join(format.includes('ndjson') ? '-' : 'stdin');
        expect(fromStdin.code).toBe(fromFile.code);
        expect(fromStdin.stderr).toBe(fromFile.stderr.split(file).join('stdin'));
        expect(fromStdin.stdout).toBe(named(fromFile.stdout));
        expect(fromFile.stdout.length).toBeGreaterThan(0);
        // A cut file: the truncated last record is reported the same way whichever way the bytes arrive.
        const cut = bytes.subarray(0, bytes.length - 7);
        const whole = await run([...format, '-'], (async function* () {
          yield cut;
        })());
        const bytewise = await run([...format, '-'], oneByteAtATime(cut));
        expect(bytewise).toEqual(whole);
      }
    });
  }
});
