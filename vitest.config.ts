import { defineConfig } from 'vitest/config';

// TZ is pinned so that golden timelines (tcpdump prints local time of day) are identical on every machine.
process.env.TZ = 'UTC';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
    reporters: ['default', './test/support/closing-line.ts'],
  },
});
