import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
/** The fast-check this clone tests with: a user's project installs its own (an optional peer dependency). */
const FAST_CHECK_VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '../../node_modules/fast-check/package.json'), 'utf8')) as { version: string }).version;
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = join(import.meta.dirname, 'consumer');
const BIN = join(ROOT, 'node_modules/.bin');

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number }[];
}

/**
 * The environment of a user's shell: none of npm's per-script variables, no loaders in
 * NODE_OPTIONS, and none of this clone's node_modules/.bin on PATH (so no tsx, esbuild or tsc).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NODE_OPTIONS$|VITEST|BREAKERBOX_|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes(`${join('node_modules', '.bin')}`))
    .join(delimiter);
  return env;
}

let work: string;
let tarball: string;
let pack: PackResult;
let app: string;
/** What `npm install <tarball>` printed (warnings included): a user sees it. */
let installLog: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bb-package-'));
  // `npm pack` runs `prepack`, i.e. `npm run build`: the tarball is built from this clone's sources.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 << 20 });
  [pack] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as PackResult[];
  tarball = join(work, pack!.filename);
  console.log(`tarball: ${pack!.entryCount} files, ${(pack!.size / 1000).toFixed(1)} kB packed, ${(pack!.unpackedSize / 1000).toFixed(1)} kB unpacked`);

  // A fresh project with nothing but the tarball: npm resolves its dependencies (from the local
  // cache where it can: `npm ci` has filled it), runs their install scripts, and links the bin.
  app = join(work, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'bb-consumer', private: true, version: '1.0.0' }, null, 2));
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', tarball], { cwd: app, env: userEnv(), maxBuffer: 64 << 20 });
  installLog = `${installed.stdout}\n${installed.stderr}`;
  await cp(FIXTURES, app, { recursive: true });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds only what users need: dist/, the bin, the sources the maps point at, README and package.json, the Grafana dashboard and example configs', () => {
    const paths = pack.files.map((f) => f.path).sort();
    const allowed = /^(package\.json|README\.md|bin\/breakerbox\.js|dist\/.+|src\/.+\.ts|machines\/.+\.ts|docs\/grafana\/[^/]+\.json|examples\/(python\/)?[^/]+\.json)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    expect(paths.filter((p) => /^(\.ci|bench|test|scripts|etc)\//.test(p) || p.startsWith('src/dashboard/client/'))).toEqual([]);
    expect(paths.filter((p) => /^(docs|examples)\//.test(p) && !p.endsWith('.json'))).toEqual([]);
    for (const entry of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/machines/index.js', 'dist/machines/index.d.ts', 'dist/src/cli/main.js', 'dist/src/dashboard/client/app.js', 'dist/src/dashboard/client/app.css']) {
      expect(paths).toContain(entry);
    }
  });

  it('ships every example config and the Grafana dashboard that README and docs/ point to', async () => {
    const shipped = new Set(pack.files.map((f) => f.path));
    const docs = [join(ROOT, 'README.md'), ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];
    const named = new Set<string>();
    for (const doc of docs) for (const [path] of (await readFile(doc, 'utf8')).matchAll(/\b(?:examples\/[\w./-]+\.json|docs\/grafana\/[\w.-]+\.json)\b/g)) named.add(path);
    expect([...named]).toEqual(expect.arrayContaining(['docs/grafana/breakerbox.json', 'examples/multi-strategy.json', 'examples/replay-config.json']));
    expect([...named].filter((p) => !shipped.has(p))).toEqual([]);
  });

  it('every source map and declaration map points at files the tarball ships', async () => {
    const shipped = new Set(pack.files.map((f) => f.path));
    const maps = [...shipped].filter((p) => p.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(await readFile(join(app, 'node_modules/breakerbox', map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const path = join(dirname(map), source);
        if (!shipped.has(path)) missing.push(`${map} → ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('passes publint --strict', async () => {
    const { stdout } = await run(join(BIN, 'publint'), ['--strict', tarball], { cwd: work });
    expect(stdout).toContain('All good!');
  });

  // ESM-only: require() of it is Node 20.19+ require(esm), tested below. `breakerbox/testing` has
  // CommonJS declarations (.d.cts) for `require`, naming fast-check's `require` types (a CommonJS
  // project's fast-check); attw calls that "false CJS" as it does not know require(esm), which
  // returns the module's named exports, exactly what the .d.cts declares.
  it('passes @arethetypeswrong/cli (ESM-only: require(esm); the kit\'s .d.cts for require)', async () => {
    const { stdout } = await run(join(BIN, 'attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', 'false-cjs', '--format', 'table-flipped'], { cwd: work });
    expect(stdout).toContain('No problems found');
  });
});

describe('installed into a fresh project', () => {
  it('brings no build or dev tool with it', () => {
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vitest', 'uplot', '@microsoft/api-extractor']) {
      expect(existsSync(join(app, 'node_modules', tool)), tool).toBe(false);
    }
  });

  it('imports from an .mjs file in plain node: runs a runtime, guards orders, halts', async () => {
    const { stdout } = await run(process.execPath, ['use.mjs'], { cwd: app, env: userEnv() });
    expect(JSON.parse(stdout)).toEqual({
      before: true,
      passed: 2,
      after: expect.objectContaining({ allowed: false, state: 'MANUALLY_HALTED', breaker: 'manual' }),
      halted: 'MANUALLY_HALTED',
      machine: 'supervisor',
      deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('is required from a .cjs file (require(esm), Node 20.19+)', async () => {
    const { stdout } = await run(process.execPath, ['use.cjs'], { cwd: app, env: userEnv() });
    expect(JSON.parse(stdout)).toEqual({ before: true, state: 'MANUALLY_HALTED', halted: 'MANUALLY_HALTED', machines: ['supervisor', expect.any(String)] });
  });

  it('type-checks an ESM and a CommonJS TypeScript consumer against the shipped declarations (tsc --noEmit, skipLibCheck off)', async () => {
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          // A Node project's own @types/node (this clone's copy, so the temp project installs nothing else).
          typeRoots: [join(ROOT, 'node_modules/@types')],
          types: ['node'],
        },
        files: ['consumer.ts', 'consumer.cts'],
      }),
    );
    await writeFile(join(app, 'package.json'), JSON.stringify({ ...JSON.parse(await readFile(join(app, 'package.json'), 'utf8')), type: 'module' }, null, 2));
    const result = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.', '--listFiles'], { cwd: app, env: userEnv(), maxBuffer: 64 << 20 }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    const errors = result.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(errors).toEqual([]);
    expect(result.stdout).toContain(join(app, 'node_modules/breakerbox/dist/src/index.d.ts'));
    expect(result.stdout).toContain(join(app, 'node_modules/breakerbox/dist/machines/index.d.ts'));
  });

  it('installs on Node 20 with no engine warning: npm printed no EBADENGINE, and every installed package accepts Node 20.19', async () => {
    expect(installLog).not.toMatch(/EBADENGINE|Unsupported engine/);
    // Whatever Node runs this test: the engines of what a consumer gets (the root `overrides` of
    // this clone do not apply there; the dependency versions must).
    const manifests = (await readdir(join(app, 'node_modules'), { recursive: true })).filter((p) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$|^(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(p));
    expect(manifests.length).toBeGreaterThan(50);
    const needNewer: string[] = [];
    for (const path of manifests) {
      const manifest = JSON.parse(await readFile(join(app, 'node_modules', path), 'utf8')) as { name?: string; version?: string; engines?: { node?: string } };
      const range = manifest.engines?.node;
      if (typeof range === 'string' && !semver.satisfies('20.19.0', range)) needNewer.push(`${manifest.name}@${manifest.version} needs node ${range}`);
    }
    expect(needNewer).toEqual([]);
  });

  it('a TypeScript consumer gets a compile error for check({ side: "hold" }) and a missing quantity, and compiles the rest (typed config, unknown input)', async () => {
    await writeFile(join(app, 'tsconfig.order.json'), JSON.stringify({ extends: './tsconfig.json', files: ['order-types.ts'] }));
    const tsc = (project: string) =>
      run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: app, env: userEnv(), maxBuffer: 64 << 20 }).then(
        () => '',
        (error: { stdout: string }) => error.stdout,
      );
    // With the directives: clean (each expected error happened, nothing else failed).
    expect(await tsc('tsconfig.order.json')).toBe('');
    // Without them: exactly those lines fail, for the reasons they name.
    const source = await readFile(join(app, 'order-types.ts'), 'utf8');
    const expected = source.split('\n').flatMap((line, i) => (line.trimStart().startsWith('// @ts-expect-error') ? [i + 2] : []));
    expect(expected).toHaveLength(3);
    await writeFile(join(app, 'order-types.ts'), source.replaceAll('// @ts-expect-error', '// expected:'));
    const output = await tsc('tsconfig.order.json');
    await writeFile(join(app, 'order-types.ts'), source);
    const lines = [...output.matchAll(/order-types\.ts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1]));
    expect([...new Set(lines)]).toEqual(expected);
    expect(output).toMatch(/'"hold"' is not assignable to type 'OrderSide'/);
    expect(output).toMatch(/Property 'quantity' is missing/);
  }, 600_000); // two tsc runs with skipLibCheck off

  it('the testing kit type-checks and runs in a CommonJS (`npm init -y`) and an ESM TypeScript project: one fast-check type', async () => {
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--no-save', `fast-check@${FAST_CHECK_VERSION}`], { cwd: app, env: userEnv(), maxBuffer: 64 << 20 });
    for (const [dir, manifest] of [
      ['kit-cjs', { name: 'kit-cjs', version: '1.0.0', main: 'index.js', license: 'ISC' }], // what `npm init -y` writes: CommonJS
      ['kit-esm', { name: 'kit-esm', version: '1.0.0', type: 'module' }],
    ] as const) {
      const project = join(app, dir);
      await mkdir(project, { recursive: true });
      await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
      await cp(join(app, 'kit-property.ts'), join(project, 'kit-property.ts'));
      await writeFile(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, outDir: 'out', typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
          files: ['kit-property.ts'],
        }),
      );
      const result = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.', '--listFiles'], { cwd: project, env: userEnv(), maxBuffer: 64 << 20 }).catch(
        (error: { stdout: string; stderr: string }) => error,
      );
      expect(result.stdout.split('\n').filter((l) => /error TS\d+/.test(l)), dir).toEqual([]);
      // The kit's declarations for this module system: .d.cts (fast-check's require types) or .d.ts.
      expect(result.stdout).toContain(join(app, `node_modules/breakerbox/dist/src/testing/index.${dir === 'kit-cjs' ? 'd.cts' : 'd.ts'}`));
      const ran = await run(process.execPath, [join(project, 'out/kit-property.js')], { cwd: project, env: userEnv() });
      expect(ran.stdout.trim(), dir).toBe('kit ok');
    }
  }, 600_000); // two tsc runs with skipLibCheck off

  it('npx breakerbox --help runs the compiled CLI with plain node', async () => {
    const { stdout } = await run('npx', ['--no', '--', 'breakerbox', '--help'], { cwd: app, env: userEnv() });
    expect(stdout).toContain('Usage: breakerbox');
    for (const command of ['demo', 'serve', 'live', 'journal']) expect(stdout).toContain(command);
  });

  it('npx breakerbox demo --fast --duration 125 (simulated seconds: 5 s of wall time at 25×) runs, trips breakers, and serves the prebuilt dashboard bundle', async () => {
    const child = spawn('npx', ['--no', '--', 'breakerbox', 'demo', '--fast', '--duration', '125', '--port', '0', '--data', join(work, 'demo-data')], {
      cwd: app,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      await expect.poll(() => /dashboard\s+(http:\/\/\S+?)\/?\s/.exec(out)?.[1], { timeout: 30_000, interval: 100 }).toBeTruthy();
      const url = /dashboard\s+(http:\/\/\S+?)\/?\s/.exec(out)![1]!;
      const [page, js, css] = await Promise.all(['/', '/dashboard/app.js', '/dashboard/app.css'].map((path) => fetch(url + path)));
      expect([page!.status, js!.status, css!.status]).toEqual([200, 200, 200]);
      // esbuild is not installed here: the bundle served is the one the build put in dist/.
      const prebuilt = join(app, 'node_modules/breakerbox/dist/src/dashboard/client');
      expect(await js!.text()).toBe(await readFile(join(prebuilt, 'app.js'), 'utf8'));
      expect(await css!.text()).toBe(await readFile(join(prebuilt, 'app.css'), 'utf8'));
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
    expect(out).toMatch(/TRIPPED\s+drawdown/);
    expect(out).toMatch(/demo stopped after \d+s simulated/);
    // Commands that work in the user's project: npx, never a clone's `node bin/…` path; the
    // token only on its own line and in the one export line, never on a command line.
    expect(out).not.toMatch(/node\s+\S*bin\/breakerbox/);
    const commands = out.split('\n').filter((line) => /^\s*npx breakerbox /.test(line));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    const token = /token\s+(\S{20,})/.exec(out)![1]!;
    expect(commands.filter((line) => line.includes(token) || /--token/.test(line))).toEqual([]);
    expect(out.split('\n').filter((line) => line.includes(token))).toEqual([expect.stringMatching(/^\s+token\s/), expect.stringMatching(/^\s+export BREAKERBOX_URL=\S+ BREAKERBOX_TOKEN=/)]);
  });
});
