#!/usr/bin/env node
// `npm run build` (also run by `prepack`): the published form of breakerbox, in dist/.
//   1. tsc -p tsconfig.build.json: ESM JavaScript, declarations, declaration maps and source maps
//      for src/ and machines/ (dist/src/…, dist/machines/…; the maps point at the shipped sources);
//   2. relative `.ts` specifiers in the declarations become `.js`, as in the JavaScript;
//   3. the dashboard's browser client, bundled once with esbuild (a build-time devDependency) into
//      dist/src/dashboard/client/app.{js,css}, which the server reads instead of bundling at run time.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const started = performance.now();

await rm(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// Everything this script prints goes to stderr, so `npm pack --json` (which runs it as prepack) stays parseable.
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2] });
if (compiled.status !== 0) {
  console.error('build: tsc failed');
  process.exit(compiled.status ?? 1);
}

// TypeScript keeps `./x.ts` in declaration files (it resolves them to `./x.d.ts`); write the `.js`
// every resolver and older TypeScript understand. Same length, so the declaration maps stay exact.
const SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;
let declarations = 0;
for (const file of await filesUnder(dist)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = await readFile(file, 'utf8');
  const rewritten = text.replace(SPECIFIER, (_m, head, quote, path) => `${head}${quote}${path}.js${quote}`);
  if (rewritten !== text) await writeFile(file, rewritten);
  declarations++;
}

// `breakerbox/testing` for CommonJS TypeScript projects: fast-check ships separate declarations
// for `require` and `import`, and the kit's signatures name its classes (Arbitrary, …). A CommonJS
// project's `fast-check` is the `require` one, so the kit's types must import that one too, or the
// project's fc.property() refuses the kit's arbitraries (two declarations of one class). The same
// declarations as .d.cts (`./x.js` → `./x.cjs` within testing/), chosen by the `require` condition.
const testingDir = join(dist, 'src/testing');
let ctsFiles = 0;
for (const name of await readdir(testingDir)) {
  if (!name.endsWith('.d.ts')) continue;
  const text = await readFile(join(testingDir, name), 'utf8');
  const cts = text
    .replace(/((?:from|import)\s*\(?\s*)(['"])(\.\/[^'"]*?)\.js\2/g, (_m, head, quote, path) => `${head}${quote}${path}.cjs${quote}`)
    .replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'); // the map describes the .d.ts
  await writeFile(join(testingDir, name.replace(/\.d\.ts$/, '.d.cts')), cts);
  ctsFiles++;
}

const { buildDashboardBundle } = await import(pathToFileURL(join(dist, 'src/dashboard/bundle.js')).href);
const bundle = await buildDashboardBundle(join(root, 'src/dashboard/client/main.ts'));
const clientDir = join(dist, 'src/dashboard/client');
await mkdir(clientDir, { recursive: true });
await writeFile(join(clientDir, 'app.js'), bundle.js);
await writeFile(join(clientDir, 'app.css'), bundle.css);

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.error(`build: dist/ (${declarations} declaration files + ${ctsFiles} .d.cts for breakerbox/testing, dashboard bundle ${Math.round(bundle.js.length / 1024)} KiB JS + ${Math.round(bundle.css.length / 1024)} KiB CSS) in ${seconds} s`);

async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}
