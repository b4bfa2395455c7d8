// A vitest reporter that ends the run with one plain line, "tests: N passed, N failed[, N skipped]",
// which CI reads as the run's verdict. A file that failed outside any test (an import error, an empty suite) and
// every unhandled error count as failures, so the line never says "0 failed" for a run that failed.
import type { Reporter, TestModule } from 'vitest/node';

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      const moduleFailed = mod.state() === 'failed' || mod.errors().length > 0;
      failed += failedHere > 0 ? failedHere : moduleFailed ? 1 : 0;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
