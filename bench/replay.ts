/**
 * Replay and sweep throughput (`npm run bench`, or `npx tsx bench/replay.ts` alone): a
 * 1,000,000-row series of minute bars (a seeded random walk with crashes), read from CSV text,
 *   - a bare loop that only parses the CSV (split lines and cells, Date.parse, Number),
 *   - the series reader (parseSeries: validation, canonical values, line numbers),
 *   - one replay through a real runtime (drawdown -8 %, daily loss -5 %, reset at the next open),
 *   - a 16-setting sweep (drawdown.threshold = -0.05 … -0.20) in worker threads,
 * each with its rows per second. BENCH_REPLAY_ROWS changes the size.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { replaySeries } from '../src/replay/replay.ts';
import { parseSeries } from '../src/replay/series.ts';
import { parseSweepSpec, sweep } from '../src/replay/sweep.ts';

const ROWS = Number(process.env.BENCH_REPLAY_ROWS ?? 1_000_000);

function seriesCsv(rows: number): string {
  let a = 20240102;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let cents = 10_000_000;
  let t = Date.UTC(2022, 0, 3, 14, 30);
  const out: string[] = ['timestamp,value'];
  for (let i = 0; i < rows; i++) {
    t += 60_000;
    const crash = rnd() < 1 / 40_000 ? 0.9 : 1;
    cents = Math.max(100, Math.round(cents * Math.exp((rnd() - 0.4999) * 0.0016) * crash));
    out.push(`${new Date(t).toISOString()},${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
  }
  return out.join('\n');
}

function bareParse(text: string): number {
  let sum = 0;
  let pos = text.indexOf('\n') + 1;
  while (pos > 0 && pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const comma = text.indexOf(',', pos);
    sum += Date.parse(text.slice(pos, comma)) * 0 + Number(text.slice(comma + 1, end));
    pos = end + 1;
  }
  return sum;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

const rate = (rows: number, ms: number) => `${((rows / ms) * 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })} rows/s`;

export async function benchReplay(): Promise<string[]> {
  const text = seriesCsv(ROWS);
  const bare = await timed(() => bareParse(text));
  const parsed = await timed(() => parseSeries(text, 'bench.csv'));
  const series = parsed.value;
  const config = { breakers: { drawdown: { threshold: -0.08 } } };
  const replay = await timed(() => replaySeries(series, config));
  const axis = parseSweepSpec('drawdown.threshold=-0.05:-0.20:0.01');
  const swept = await timed(() => sweep(series, [axis], config, { workers: 'auto' }));
  const settings = axis.values.length;
  const line = (name: string, rows: number, ms: number, note = '') => `${name.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${rate(rows, ms).padStart(18)}  ${note}`;
  return [
    `${ROWS.toLocaleString('en-US')} rows of minute bars (${(text.length / 1024 ** 2).toFixed(0)} MiB of CSV); ${replay.value.trips} trips, halted ${(replay.value.haltedShare * 100).toFixed(1)} % at -8 %`,
    line('bare loop: split lines, Date.parse, Number', ROWS, bare.ms, '(baseline)'),
    line('parseSeries (validated, line numbers)', ROWS, parsed.ms, `${(parsed.ms / bare.ms).toFixed(1)}× the bare loop`),
    line('replay through a runtime (one setting)', ROWS, replay.ms, `${(replay.ms / bare.ms).toFixed(1)}× the bare loop`),
    line(`sweep: ${settings} settings (workers: auto = ${Math.min(settings, availableParallelism())})`, ROWS * settings, swept.ms, `${(swept.ms / settings / 1000).toFixed(2)} s per setting`),
    `sweep trips from -0.05 to -0.20: ${swept.value.map((r) => r.trips).join(' ')}`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const l of await benchReplay()) console.log(l);
  process.exit(0);
}
