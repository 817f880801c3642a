import { mulberry32 } from '../../src/demo/prng.ts';
import { parseSeries, type Series } from '../../src/replay/series.ts';

/** A seeded generator (the demo's mulberry32): the same series on every run. */
export const seeded = mulberry32;

/** A random walk with crashes (and optional time gaps) as CSV text with two-decimal values. */
export function walkCsv(options: { seed: number; rows: number; stepMs: number; crashEvery?: number; gapEvery?: number; start?: number }): string {
  const rnd = seeded(options.seed);
  let cents = Math.round((options.start ?? 10_000) * 100);
  let t = Date.UTC(2024, 0, 2, 14, 30);
  const lines = ['timestamp,value'];
  for (let i = 0; i < options.rows; i++) {
    t += options.stepMs * (options.gapEvery && rnd() < 1 / options.gapEvery ? 60 : 1);
    const crash = options.crashEvery && rnd() < 1 / options.crashEvery ? 1 - (0.04 + rnd() * 0.1) : 1;
    cents = Math.max(100, Math.round(cents * Math.exp((rnd() - 0.495) * 0.01) * crash));
    lines.push(`${new Date(t).toISOString()},${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function walkSeries(options: Parameters<typeof walkCsv>[0], source = 'walk.csv'): Series {
  return parseSeries(walkCsv(options), source);
}

const DAY = 86_400_000;

/**
 * The drawdown trips of a series computed independently: integer cents, a high-water mark, the
 * threshold in per-mille (`-80` = -8 %), and a reset at the first row at or after the reset time
 * that re-baselines the high-water mark on that row's value.
 */
export function independentTrips(series: Series, thresholdPerMille: number, reset: 'next-open' | 'never' | { afterMs: number }): number[] {
  const trips: number[] = [];
  let hwm: bigint | null = null;
  let resetAt: number | null = null;
  for (let i = 0; i < series.at.length; i++) {
    const [int, frac = ''] = series.values[i]!.split('.');
    const v = BigInt(int!) * 100n + BigInt((frac + '00').slice(0, 2));
    const t = series.at[i]!;
    if (resetAt !== null) {
      if (t >= resetAt) {
        hwm = v;
        resetAt = null;
      }
      continue;
    }
    if (hwm === null || v > hwm) hwm = v;
    else if (v * 1000n <= hwm * BigInt(1000 + thresholdPerMille)) {
      trips.push(i);
      resetAt = reset === 'never' ? Infinity : reset === 'next-open' ? (Math.floor(t / DAY) + 1) * DAY : t + reset.afterMs;
    }
  }
  return trips;
}
