import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
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
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, env: userEnv(), maxBuffer: 64 << 20 });
  await cp(FIXTURES, app, { recursive: true });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds only what users need: dist/, the bin, the sources the maps point at, README and package.json', () => {
    const paths = pack.files.map((f) => f.path).sort();
    const allowed = /^(package\.json|README\.md|bin\/breakerbox\.js|dist\/.+|src\/.+\.ts|machines\/.+\.ts)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    expect(paths.filter((p) => /^(\.ci|bench|docs|test|examples|scripts|etc)\//.test(p) || p.startsWith('src/dashboard/client/'))).toEqual([]);
    for (const entry of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/machines/index.js', 'dist/machines/index.d.ts', 'dist/src/cli/main.js', 'dist/src/dashboard/client/app.js', 'dist/src/dashboard/client/app.css']) {
      expect(paths).toContain(entry);
    }
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

  it('passes @arethetypeswrong/cli (ESM-only: require() of it is Node 20.19+ require(esm), tested below)', async () => {
    const { stdout } = await run(join(BIN, 'attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped'], { cwd: work });
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
  });
});
