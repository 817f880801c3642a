import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // The CLI bundled once for every test that spawns it (test/cli/bundle.ts).
    globalSetup: ['test/cli/bundle.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One worker per core: vitest's default (cores − 1) runs every file one after the other on
    // two cores, though many of them mostly wait (child processes, servers, timers).
    // Isolation stays on: files set globals (Decimal.set, rxjs config, process.env).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
