import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The package as its users get it (`npm run test:package`, a step of .ci/run): packs the tarball,
 * lints it, installs it into a temp project and uses it there. Not part of `npm test`: it builds,
 * and it takes about a minute on its own.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/package/**/*.pkg.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
