// The pure argument check: argv in, CliOptions or one usage sentence out.
import { describe, expect, it } from 'vitest';
import { buildParser, checkArgs, protectStdin } from '../../src/cli/args.js';

async function check(argv: string[]) {
  const parsed = await buildParser(argv).parseAsync(protectStdin(argv));
  return checkArgs(parsed as Record<string, unknown>);
}

describe('checkArgs', () => {
  it('reads tcpdump-style flags', async () => {
    const r = await check(['-ttt', '-S', '-#', '--no-annotate', '--nano', 'a.pcap']);
    expect(r).toMatchObject({ options: { tsStyle: 3, absoluteSeq: true, number: true, annotate: false, nano: true, captures: ['a.pcap'] } });
  });
  it('keeps - as standard input and capture paths after repeatable options', async () => {
    const r = await check(['--host', '10.0.0.1', '--host', '::1', '--port', '80', '-', ]);
    expect(r).toMatchObject({ options: { captures: ['-'], hosts: ['10.0.0.1', '::1'], ports: [80] } });
  });
  it('chooses the view and format', async () => {
    expect(await check(['--summary', 'a'])).toMatchObject({ options: { view: 'summary', format: 'text' } });
    expect(await check(['--http', '--format', 'ndjson', 'a'])).toMatchObject({ options: { view: 'http', format: 'ndjson' } });
  });
  it('parses the check command with comma-separated --fail-on', async () => {
    const r = await check(['check', 'a.pcap', 'b.pcap', '--expect', 'connections=1', '--fail-on', 'tcp.rst,tcp.retransmission']);
    expect(r).toMatchObject({ options: { command: 'check', captures: ['a.pcap', 'b.pcap'], expect: ['connections=1'], failOn: ['tcp.rst', 'tcp.retransmission'] } });
  });
  it('refuses contradictions with a sentence that says what to do', async () => {
    expect(await check([])).toEqual({ error: expect.stringContaining('no capture given') });
    expect(await check(['--summary', '--http', 'a'])).toEqual({ error: expect.stringContaining('choose one') });
    expect(await check(['--port', '70000', 'a'])).toEqual({ error: expect.stringContaining('0 to 65535') });
    // Text given to a numeric option is not reported as the NaN yargs made of it.
    expect(await check(['--port', 'abc', 'a'])).toEqual({ error: '--port takes a number from 0 to 65535, not text' });
    expect(await check(['--conn', 'x', 'a'])).toEqual({ error: '--conn takes a connection id (0, 1, …), not text' });
    expect(await check(['--expect', 'x=1', 'a'])).toEqual({ error: expect.stringContaining('check command') });
    expect(await check(['check', 'a'])).toEqual({ error: expect.stringContaining('needs something to assert') });
    expect(await check(['-', '-'])).toEqual({ error: expect.stringContaining('only once') });
  });
  it('takes --jobs as a thread count from 1 to 64', async () => {
    expect(await check(['a'])).toMatchObject({ options: { jobs: 1 } });
    expect(await check(['--summary', '-j', '4', 'a'])).toMatchObject({ options: { jobs: 4 } });
    for (const bad of ['0', '65', '1.5', 'many']) {
      expect(await check(['--jobs', bad, 'a'])).toEqual({ error: expect.stringContaining('--jobs takes a thread count from 1 to 64') });
    }
  });
});
