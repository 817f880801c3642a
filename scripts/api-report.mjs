#!/usr/bin/env node
// The committed API report of the public surface (etc/breakerbox.api.md for `breakerbox`,
// etc/breakerbox-machines.api.md for `breakerbox/machines`, etc/breakerbox-testing.api.md for
// `breakerbox/testing`), made by API Extractor from the
// declarations in dist/.
//   npm run api:check    builds, then fails if the public API differs from the committed reports
//   npm run api:update   builds, then rewrites the reports (commit them with the API change)
// --no-build uses the dist/ that is there.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const update = process.argv.includes('--update');
const root = fileURLToPath(new URL('..', import.meta.url));
const configs = ['etc/api-extractor.json', 'etc/api-extractor.machines.json', 'etc/api-extractor.testing.json'];

if (!process.argv.includes('--no-build')) {
  const built = spawnSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url))], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const { Extractor, ExtractorConfig } = createRequire(import.meta.url)('@microsoft/api-extractor');
const changed = [];
let failed = false;
for (const file of configs) {
  const config = ExtractorConfig.loadFileAndPrepare(`${root}/${file}`);
  const result = Extractor.invoke(config, {
    localBuild: update,
    showVerboseMessages: false,
  });
  if (result.apiReportChanged) {
    changed.push(config.reportFilePath.slice(root.length));
    // Show what changed (in CI logs too): the committed report against the one just made.
    if (!update) spawnSync('git', ['--no-pager', 'diff', '--no-index', '--', config.reportFilePath, config.reportTempFilePath], { stdio: 'inherit' });
  }
  if (!result.succeeded || (result.apiReportChanged && !update)) failed = true;
}

if (update) {
  console.log(changed.length ? `api: updated ${changed.join(', ')}: review and commit` : 'api: reports unchanged');
} else if (changed.length) {
  console.error(`api: the public API differs from ${changed.join(', ')}.`);
  console.error('     If the change is intended, run `npm run api:update` and commit the report(s) with it;');
  console.error('     the new report is in node_modules/.cache/api-extractor/ for a diff.');
} else if (!failed) {
  console.log(`api: public API matches ${configs.length} committed report(s)`);
}
process.exit(failed ? 1 : 0);
