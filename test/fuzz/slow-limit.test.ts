// The fuzzer's "slow" verdict means pathological, not big: the CPU limit grows with the input's bytes, for stdin
// runs and for merge runs over files alike (the 20,000-mutant campaign flagged a 5.9 MB merge that printed 420,000
// lines in 2.1 s against the bare limit; checkMerge now counts its files).

import { describe, expect, it } from 'vitest';
import { checkMerge, runFailures, type Run, type RunCli } from '../../scripts/fuzz/check.mjs';

const base: Run = { argv: ['-#'], code: 0, stdout: '', stderr: '', ms: 3050, cpuMs: 2135, inputBytes: 0, threw: null };

describe('slow limit', () => {
  it('a big input may take longer; a small one may not', () => {
    expect(runFailures({ ...base, inputBytes: 5_915_164 }, 2000).map((f) => f.kind)).not.toContain('slow');
    expect(runFailures(base, 2000).map((f) => f.kind)).toContain('slow');
  });

  it('checkMerge takes the files\' total size as the run\'s input size', async () => {
    const quiet: RunCli = async () => 0;
    const { runs } = await checkMerge(quiet, ['a.pcap', 'b.pcap'], 2000, 123_456);
    expect(runs[0]!.inputBytes).toBe(123_456);
    expect(runs[0]!.argv).toEqual(['-#', '--color', 'never', 'a.pcap', 'b.pcap']);
  });
});
