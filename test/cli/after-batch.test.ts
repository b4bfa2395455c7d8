// CliIo.afterBatch: the executable's heap guard runs after every batch of packets and once more, with inputDone,
// after the whole input is analysed and before anything printed at the end (the tables), so the analysis state is
// collected before the rows are read back. Asserts the order of calls against what stdout holds at each.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import { runCliCaptured } from '../helpers/run-cli-capture.js';

const CAP = (name: string) => path.resolve(import.meta.dirname, '../../fixtures/captures', name);

describe('afterBatch', () => {
  test.each([['--summary'], ['--http'], []])('is called once with inputDone, last, before the end of the output (%s)', async (...args) => {
    const calls: { inputDone: boolean; printed: number }[] = [];
    const run = await runCliCaptured([...args, CAP('real-http11-keepalive.pcap')], {
      afterBatch: (inputDone, soFar) => calls.push({ inputDone, printed: soFar.length }),
    });
    expect(run.code).toBe(0);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.filter((c) => c.inputDone)).toHaveLength(1);
    const last = calls[calls.length - 1]!;
    expect(last.inputDone).toBe(true);
    // What follows the packets (capture line, tables, verdicts) comes after the call.
    expect(last.printed).toBeLessThan(run.stdout.length);
    if (args[0] === '--summary') expect(last.printed).toBe(0);
  });
});
