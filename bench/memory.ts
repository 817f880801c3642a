/**
 * Heap per idle strategy and the check round robin over many strategies (issue 20's targets:
 * ≤ 48 KiB per idle strategy; the round robin over 1,000 strategies within 3× one strategy).
 *
 * Both are measured in child processes (so `npm run bench` needs no flag) on what users run:
 * the published build (`dist/`, built here first by scripts/build.mjs, run by plain node), and
 * beside it on the sources under tsx (what the tests run). tsx names every function
 * (esbuild's keepNames), which gives each closure its own property store: that row is not what
 * a user's process holds, and says so.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./memoryChild.mjs', import.meta.url));
const DIST = `${root}dist/src/index.js`;
const SRC = `${root}src/index.ts`;
const STRATEGIES = 1000;
/** bench/core.ts's round-robin config: an order-rate window that never fills on the wall clock. */
const ROBIN_BREAKERS = JSON.stringify({
  drawdown: { threshold: -0.1 },
  dailyLoss: { limit: -0.05 },
  orderRate: { maxOrders: 100_000, window: 0.001 },
  errorRate: { maxErrors: 10, window: 60 },
});

function child<T>(module: string, args: string[]): T {
  const flags = module === SRC ? ['--expose-gc', '--import', 'tsx'] : ['--expose-gc'];
  const out = execFileSync(process.execPath, [...flags, CHILD, ...args, module], { encoding: 'utf8', cwd: root });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

export function benchMemory(): string[] {
  const started = performance.now();
  execFileSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: ['ignore', 'ignore', 'ignore'], cwd: root });
  const buildS = (performance.now() - started) / 1000;
  const n = 300;
  const lines = [`(dist/ built first by scripts/build.mjs in ${buildS.toFixed(1)} s)`];
  lines.push(`heap per idle strategy, moderate preset (${n} runtimes, store: false, one value each, after gc(); target ≤ 48 KiB):`);
  for (const [name, module] of [
    ['published build (dist/, plain node)', DIST],
    ['sources under tsx (keepNames: not a user process)', SRC],
  ] as const) {
    lines.push(`  ${name.padEnd(52)} ${child<{ perStrategyKiB: number }>(module, ['heap', String(n), 'moderate']).perStrategyKiB.toFixed(1)} KiB`);
  }
  lines.push(`rt.check(order) round robin over ${STRATEGIES} strategies vs one strategy (decimal strings, wall clock, medians of 101 alternating batches; target ≤ 3×):`);
  for (const [name, module] of [
    ['published build (dist/, plain node)', DIST],
    ['sources under tsx', SRC],
  ] as const) {
    const { robinNs, oneNs } = child<{ robinNs: number; oneNs: number }>(module, ['robin', String(STRATEGIES), ROBIN_BREAKERS]);
    lines.push(`  ${name.padEnd(52)} ${robinNs.toFixed(1)} ns vs ${oneNs.toFixed(1)} ns = ${(robinNs / oneNs).toFixed(2)}×`);
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) for (const line of benchMemory()) console.log(line);
