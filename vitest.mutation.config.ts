import { defineConfig } from 'vitest/config';

/**
 * The fast suite Stryker runs against each mutant of machines/ (`npm run mutation`): the unit
 * tests of the pure machines (no runtime, no store, no network). `npm test` runs them too,
 * with everything else.
 */
export default defineConfig({
  test: {
    // test/controls/ drives the pre-trade limits (machines/limits/) through check() at their exact
    // boundaries: in-memory runtimes on a manual clock, no store, no network; fast enough per mutant.
    include: ['test/machines/**/*.test.ts', 'test/controls/**/*.test.ts'],
    // The property tests of test/core/{exact,quietBand,dst}.test.ts call the same functions
    // thousands of times: under Stryker's instrumentation they take 5–20 s per run, and every
    // static mutant (module-level constants, the registry's charts) reruns the whole suite.
    // test/machines/ tests the same code at its exact edges in well under a second.
    // 60 s: the instrumented dry run on two loaded cores took a record-validation test past 20 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
