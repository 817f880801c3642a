#!/usr/bin/env node
// `npm run docs:api:check` (a step of .ci/run): builds the API reference into a temporary
// directory with the committed typedoc.json and compares it with docs/reference/, file by file.
// Fails, naming the files that differ, when the committed reference is out of date: run
// `npm run docs:api` and commit docs/reference/.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'docs/reference');
const fresh = await mkdtemp(join(tmpdir(), 'bb-reference-'));
try {
  const typedoc = join(dirname(createRequire(import.meta.url).resolve('typedoc/package.json')), 'bin/typedoc');
  const built = spawnSync(process.execPath, [typedoc, '--out', fresh, '--logLevel', 'Warn'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    console.error('docs:api:check: typedoc failed');
    process.exit(built.status ?? 1);
  }
  const [want, have] = await Promise.all([files(fresh), files(committed)]);
  const differ = [];
  for (const path of new Set([...want, ...have])) {
    if (!want.includes(path)) differ.push(`${path} (no longer generated: delete it)`);
    else if (!have.includes(path)) differ.push(`${path} (missing)`);
    else if ((await readFile(join(fresh, path), 'utf8')) !== (await readFile(join(committed, path), 'utf8'))) differ.push(`${path} (changed)`);
  }
  if (differ.length > 0) {
    console.error(`docs:api:check: docs/reference/ is out of date in ${differ.length} file(s):`);
    for (const line of differ.sort().slice(0, 30)) console.error(`  ${line}`);
    if (differ.length > 30) console.error(`  … and ${differ.length - 30} more`);
    console.error('Run `npm run docs:api` and commit docs/reference/.');
    process.exitCode = 1;
  } else {
    console.log(`docs:api:check: docs/reference/ is current (${want.length} files)`);
  }
} finally {
  await rm(fresh, { recursive: true, force: true });
}

async function files(dir) {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
}
