/**
 * A time axis over trading time: a pause longer than twice the usual step between rows (a night,
 * a weekend, a holiday) is folded to one step, so a week of minute bars is drawn as five trading
 * days side by side instead of 80 % flat lines across closed hours. Pure.
 */
import { thin } from './ticks.ts';

/** A folded pause: it lies just before row `index`. */
export interface Fold {
  readonly index: number;
  /** How long the market was closed (ms), for the mark's label. */
  readonly closedMs: number;
}

export interface TradingAxis {
  /** Each row's position on the folded axis (ms of trading time since the first row). */
  readonly pos: Float64Array;
  /** The last row's position (at least 1). */
  readonly span: number;
  readonly folds: readonly Fold[];
  /** Labelled rows: where a day (intraday data), a month or a year (daily data) begins. */
  readonly ticks: readonly { readonly index: number; readonly label: string }[];
}

const DAY = 86_400_000;
const two = (n: number) => String(n).padStart(2, '0');
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The usual step between rows: the median of the positive gaps. */
function typicalStep(at: ArrayLike<number>): number {
  const gaps: number[] = [];
  for (let i = 1; i < at.length; i++) if (at[i]! > at[i - 1]!) gaps.push(at[i]! - at[i - 1]!);
  if (gaps.length === 0) return 1;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)]!;
}

/** The calendar period a row starts (its label), by the data's usual step. */
function periodOf(t: number, step: number): { key: string; label: string } {
  const d = new Date(t);
  const ymd = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  if (step < DAY) return { key: ymd, label: `${WEEKDAY[d.getUTCDay()]} ${ymd}` };
  if (step < 20 * DAY) return { key: ymd.slice(0, 7), label: ymd.slice(0, 7) };
  return { key: ymd.slice(0, 4), label: ymd.slice(0, 4) };
}

/** Folds the pauses of `at` (ms, non-decreasing) and labels at most `maxTicks` period starts (UTC). */
export function tradingAxis(at: ArrayLike<number>, maxTicks = 10): TradingAxis {
  const n = at.length;
  const step = typicalStep(at);
  const pos = new Float64Array(n);
  const folds: Fold[] = [];
  const starts: { index: number; label: string }[] = [];
  let previous = '';
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const gap = at[i]! - at[i - 1]!;
      const folded = gap > 2 * step;
      pos[i] = pos[i - 1]! + (folded ? step : gap);
      if (folded) folds.push({ index: i, closedMs: gap });
    }
    const period = periodOf(at[i]!, step);
    if (period.key !== previous) starts.push({ index: i, label: period.label });
    previous = period.key;
  }
  return { pos, span: Math.max(1, n > 0 ? pos[n - 1]! : 1), folds, ticks: thin(starts, maxTicks) };
}
