/**
 * Threshold sweeps: the same series replayed once per setting of one or more numeric config
 * paths (`drawdown.threshold=-0.05:-0.20:0.01`), in worker threads when that helps.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BreakersConfig } from '../config.ts';
import { replaySeries, type ReplayOptions, type ReplayResult } from './replay.ts';
import type { Series } from './series.ts';

/** One swept config path and the values it takes. */
export interface SweepAxis {
  /** A numeric config path: `drawdown.threshold`, `breakers.dailyLoss.limit`, `warnAt`. */
  readonly path: string;
  readonly values: readonly number[];
}

/** One setting's outcome (a row of the sweep). */
export interface SweepRow {
  /** The setting: path → value. */
  readonly setting: Readonly<Record<string, number>>;
  readonly trips: number;
  /** The first trip's 0-based row and time, or null. */
  readonly firstTrip: { readonly index: number; readonly timestamp: string } | null;
  /** Share of the series' time span during which trading was halted (0…1). */
  readonly haltedShare: number;
  /** Worst drawdown of the "flat while halted" account, and of the series itself. */
  readonly worstDrawdown: { readonly withBreaker: number; readonly without: number };
}

export interface SweepOptions {
  /** Worker threads: a number (0 = in this thread), or `'auto'` (default: several when the work is large). */
  readonly workers?: number | 'auto';
}

/** The most settings a sweep may have. */
export const MAX_SWEEP_SETTINGS = 10_000;

/**
 * Parses `path=from:to:step` (inclusive of both ends, in either direction) or `path=a,b,c`.
 * Throws a RangeError naming the problem.
 */
export function parseSweepSpec(spec: string): SweepAxis {
  const eq = spec.indexOf('=');
  const path = eq < 0 ? '' : spec.slice(0, eq).trim();
  const body = eq < 0 ? '' : spec.slice(eq + 1).trim();
  if (!/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)*$/.test(path) || body === '') {
    throw new RangeError(`--sweep ${JSON.stringify(spec)}: expected path=from:to:step (e.g. drawdown.threshold=-0.05:-0.20:0.01) or path=a,b,c`);
  }
  const num = (text: string) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new RangeError(`--sweep ${JSON.stringify(spec)}: ${JSON.stringify(text)} is not a number`);
    return n;
  };
  if (!body.includes(':')) return { path, values: body.split(',').map(num) };
  const parts = body.split(':');
  if (parts.length !== 3) throw new RangeError(`--sweep ${JSON.stringify(spec)}: a range is from:to:step, e.g. -0.05:-0.20:0.01`);
  const [from, to, step] = parts.map(num) as [number, number, number];
  if (step === 0) throw new RangeError(`--sweep ${JSON.stringify(spec)}: the step must not be 0`);
  const decimals = Math.max(...parts.map((p) => (p.split('.')[1] ?? '').replace(/e.*$/i, '').length));
  const count = Math.floor(Math.abs(to - from) / Math.abs(step) + 1e-9) + 1;
  if (count > MAX_SWEEP_SETTINGS) throw new RangeError(`--sweep ${JSON.stringify(spec)}: ${count} values, more than ${MAX_SWEEP_SETTINGS}`);
  const direction = to >= from ? 1 : -1;
  const values = Array.from({ length: count }, (_, i) => Number((from + direction * Math.abs(step) * i).toFixed(decimals)));
  return { path, values };
}

/** Every combination of the axes' values (the first axis varies slowest). */
export function sweepSettings(axes: readonly SweepAxis[]): Record<string, number>[] {
  let settings: Record<string, number>[] = [{}];
  for (const axis of axes) settings = settings.flatMap((s) => axis.values.map((v) => ({ ...s, [axis.path]: v })));
  if (settings.length > MAX_SWEEP_SETTINGS) throw new RangeError(`the sweep has ${settings.length} settings, more than ${MAX_SWEEP_SETTINGS}`);
  return settings;
}

const TOP_LEVEL = new Set(['warnAt']);

/**
 * The replay options with `path` set to `value`. A path names a runtime option (`warnAt`) or a
 * breaker setting, with or without the `breakers.` prefix; the result is validated by the
 * runtime's own config schema when the replay starts.
 */
export function applySetting(base: ReplayOptions, path: string, value: number): ReplayOptions {
  if (TOP_LEVEL.has(path)) return { ...base, [path]: value };
  const keys = (path.startsWith('breakers.') ? path.slice('breakers.'.length) : path).split('.');
  const written = base.breakers ?? 'moderate';
  const breakers: Record<string, unknown> = typeof written === 'string' ? { preset: written } : structuredClone(written as Record<string, unknown>);
  let node = breakers;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const next = node[key];
    if (next === false) throw new RangeError(`--sweep ${path}: the ${key} breaker is turned off (false) in the configuration`);
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null) throw new RangeError(`--sweep ${path}: ${keys.slice(0, i + 1).join('.')} is not an object`);
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return { ...base, breakers: breakers as BreakersConfig };
}

/** The sweep row of one replay. */
export function sweepRow(setting: Record<string, number>, result: ReplayResult): SweepRow {
  return { setting, trips: result.trips, firstTrip: result.firstTrip, haltedShare: result.haltedShare, worstDrawdown: result.worstDrawdown };
}

/** Replays `series` once per setting and returns one row per setting, in order. */
export async function sweep(series: Series, axes: readonly SweepAxis[], base: Omit<ReplayOptions, 'onEvent'> = {}, options: SweepOptions = {}): Promise<SweepRow[]> {
  const settings = sweepSettings(axes);
  const jobs = settings.map((setting) => Object.entries(setting).reduce((o, [path, v]) => applySetting(o, path, v), base as ReplayOptions));
  const workers = workerCount(options.workers ?? 'auto', jobs.length, series.at.length);
  if (workers === 0) {
    const rows: SweepRow[] = [];
    for (let i = 0; i < jobs.length; i++) rows.push(sweepRow(settings[i]!, await replaySeries(series, jobs[i]!)));
    return rows;
  }
  const results = await runInWorkers(series, jobs, workers);
  return results.map((r, i) => sweepRow(settings[i]!, r));
}

function workerCount(requested: number | 'auto', jobs: number, rows: number): number {
  if (requested !== 'auto') return Math.max(0, Math.min(Math.floor(requested), jobs));
  // A worker costs ~100 ms to start and a copy of the series: worth it only for real work.
  if (jobs < 2 || jobs * rows < 500_000) return 0;
  return Math.min(jobs, Math.max(1, availableParallelism()));
}

/**
 * Starts a sweep worker. From dist/ it is the compiled `sweepWorker.js`; from the TypeScript
 * sources (a clone, tests) a small bootstrap imports `sweepWorker.ts` through tsx's API (tsx is
 * a devDependency there), since a worker thread does not inherit the parent's module loader.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sweepWorker.js', import.meta.url), { workerData });
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const script = new URL('./sweepWorker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((api) => api.tsImport(${JSON.stringify(script)}, ${JSON.stringify(script)}))`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [] });
}

async function runInWorkers(series: Series, jobs: readonly ReplayOptions[], count: number): Promise<ReplayResult[]> {
  const shared = { at: series.at, values: series.values.join('\n'), lines: series.lines, source: series.source };
  const results: ReplayResult[] = new Array(jobs.length);
  let next = 0;
  const pool = Array.from({ length: count }, () => startWorker(shared));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= jobs.length) return resolve();
              const index = next++;
              worker.postMessage({ index, options: jobs[index] });
            };
            worker.on('message', (message: { index: number; result?: ReplayResult; error?: string }) => {
              if (message.error !== undefined) return reject(new Error(message.error));
              results[message.index] = message.result!;
              give();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sweep worker exited with code ${code}`))));
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
