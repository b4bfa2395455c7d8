// Options a user can get wrong without noticing: each is a usage error (exit 2) with a message that says what to do,
// never an option silently dropped or a check that passes because it asserted nothing (found by a new-user review).

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCliCaptured } from '../helpers/run-cli-capture.js';

const CAP = path.resolve('fixtures/captures/real-refused-and-rst.pcap');

describe('usage traps', () => {
  it('--version prints the package version', async () => {
    const r = await runCliCaptured(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a value option at the end of the line, without its value, is an error, not ignored', async () => {
    for (const opt of ['--conn', '--port', '--format', '--jobs', '--host', '--color']) {
      const r = await runCliCaptured(['--summary', CAP, opt]);
      expect(r.code, opt).toBe(2);
      expect(r.stderr).toContain(`Not enough arguments following: ${opt.slice(2)}`);
    }
  });

  it('--host takes an address; a name, a port or a prefix would match nothing', async () => {
    for (const bad of ['foo', '127.0.0.1:80', '127.0.0.0/8', '']) {
      const r = await runCliCaptured(['--summary', '--host', bad, CAP]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain('--host takes an IPv4 or IPv6 address');
    }
    expect((await runCliCaptured(['--summary', '--host', '[::1]', CAP])).code).toBe(0);
    expect((await runCliCaptured(['--summary', '--host', '127.0.0.1', CAP])).code).toBe(0);
  });

  it('--conn given twice is an error (one id is what the filter takes)', async () => {
    const r = await runCliCaptured(['--summary', '--conn', '0', '--conn', '1', CAP]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--conn takes one connection id, given 2 times');
  });

  it('--expect-file given twice is an error, not a file named by both paths joined with a comma', async () => {
    const r = await runCliCaptured(['check', '--expect-file', 'a.json', '--expect-file', 'b.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--expect-file takes one file, given 2 times (a.json, b.json)');
  });

  it('check refuses view and filter options it would ignore', async () => {
    const r = await runCliCaptured(['check', '--port', '8080', CAP, '--expect', 'connections=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port would not apply');
  });

  it('check takes --jobs as one pass takes it (it changes how fast, never what), as the README says', async () => {
    const one = await runCliCaptured(['check', CAP, '--expect', 'connections>=1']);
    const jobs = await runCliCaptured(['check', '--jobs', '2', CAP, '--expect', 'connections>=1']);
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toBe(one.stdout);
  });

  it('an expectations file with a misspelt key, no capture, bad JSON or no file is an error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tcptrace-expect-'));
    const write = (name: string, text: string) => {
      const f = path.join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const cases: [string, string][] = [
      [write('misspelt.json', JSON.stringify({ captures: { [CAP]: ['connections=4'] }, failon: ['tcp.rst'] })), 'unknown key "failon"'],
      [write('empty.json', JSON.stringify({ captures: {} })), 'lists no capture'],
      [write('bad.json', '{bad'), 'is not valid JSON'],
      [write('failon.json', JSON.stringify({ captures: { [CAP]: ['connections=4'] }, failOn: 'tcp.rst' })), '"failOn" must be a list'],
      [path.join(dir, 'missing.json'), 'no such file'],
    ];
    for (const [file, message] of cases) {
      const r = await runCliCaptured(['check', '--expect-file', file]);
      expect(r.code, file).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const good = write('good.json', JSON.stringify({ captures: { [CAP]: ['connections=4'] }, failOn: ['tcp.zero-window'] }));
    expect((await runCliCaptured(['check', '--expect-file', good])).code).toBe(0);
  });

  it('an empty view after a filter says the filter emptied it; tcpdump habits get a hint', async () => {
    const none = await runCliCaptured(['--summary', '--port', '9999', CAP]);
    expect(none.stdout).toContain('No connection matches --port 9999.');
    const http = await runCliCaptured(['--http', '--conn', '0', CAP]);
    expect(http.stdout).toContain('No HTTP exchanges in the connections --conn 0 selects.');
    const habit = await runCliCaptured(['-nn', '-r', CAP]);
    expect(habit.code).toBe(2);
    expect(habit.stderr).toContain('without -r, and never resolves names: no -n');
  });
});
