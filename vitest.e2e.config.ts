import { defineConfig } from 'vitest/config';

/** End-to-end tests in a real browser (Debian's chromium driven by playwright-core). Run with `npm run test:e2e`. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    // The CLI bundled once for the tests that spawn it through test/cli/helpers.ts (test/cli/bundle.ts).
    globalSetup: ['test/cli/bundle.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    expect: { poll: { timeout: 5000, interval: 50 } },
  },
});
