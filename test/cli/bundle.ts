/**
 * vitest globalSetup: bundles the `breakerbox` bin once per test run (esbuild, dependencies left
 * external), so each spawned CLI starts with plain node instead of compiling the sources through
 * tsx (a second or more per spawn, tens under load). Tests get its path with `inject('cliBundle')`
 * (see helpers.ts). The real bin/breakerbox.js keeps one test of its own (cli.test.ts).
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled CLI (an .mjs file run with plain node), made by this globalSetup. */
    cliBundle: string;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Each source module keeps its own `import.meta.url` in the bundle, as under tsx: the dashboard
 * finds its client sources beside it and replay its sweep worker, as they do from a checkout.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/** Bundles what bin/breakerbox.js runs from a checkout (src/cli/main.ts) into one file; returns its path. */
export async function bundleCli(outfile: string): Promise<string> {
  await build({
    // The bin's own last line, over the sources it would load through tsx.
    stdin: { contents: `import { main } from './src/cli/main.ts';\nprocess.exitCode = await main(process.argv);\n`, resolveDir: ROOT, sourcefile: 'breakerbox-cli.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages load from node_modules as they do for the bin (native LevelDB, optional peers).
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    plugins: [ownImportMetaUrl],
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Inside node_modules, so that the bundle's bare imports resolve; one file per run, since
  // several vitest runs may share the checkout.
  const dir = join(ROOT, 'node_modules', '.cache', 'breakerbox-test');
  await mkdir(dir, { recursive: true });
  await removeStale(dir);
  const outfile = await bundleCli(join(dir, `cli-${process.pid}.mjs`));
  project.provide('cliBundle', outfile);
  return () => rm(outfile, { force: true });
}

/** Bundles left by runs that were killed before their teardown (a day old: no run lasts that long). */
async function removeStale(dir: string): Promise<void> {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of await readdir(dir)) {
    if (!/^cli-\d+\.mjs$/.test(name)) continue;
    const file = join(dir, name);
    const { mtimeMs } = await stat(file).catch(() => ({ mtimeMs: Date.now() }));
    if (mtimeMs < dayAgo) await rm(file, { force: true });
  }
}
