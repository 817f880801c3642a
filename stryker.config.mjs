// Mutation testing of the pure machines (`npm run mutation`; see docs/mutation.md).
// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: ['machines/**/*.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  // Only what the mutation suite needs is copied into the sandbox.
  ignorePatterns: ['dist', 'data', 'docs', 'examples', 'bin', 'scripts', 'etc', 'test-artifacts', 'test/e2e', 'bench'],
  tempDirName: 'test-artifacts/.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'test-artifacts/mutation/mutation.html' },
  jsonReporter: { fileName: 'test-artifacts/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 90, low: 85, break: 85 },
};
