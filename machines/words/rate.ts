/**
 * The words every sliding-window (rate) breaker shares: a count against a limit in a window.
 * A rate rule's own words are these with its noun ("orders", "errors") and its limit's key.
 */
import type { Evidence, FiguresInWords } from '../rules/rule.ts';
import { duration } from './format.ts';

/** The figures every rate breaker shows (true counts: a window holding 36 shows 36). */
export interface RateFigures {
  /** Entries inside the window now: the true count, however far over the limit. */
  count: number;
  /** The most entries the window may hold without tripping. */
  limit: number;
  windowSeconds: number;
  warnAt: number;
  warnCount: number;
  warned: boolean;
  /** Milliseconds until the oldest entry leaves the window, or null when empty. */
  nextExpiryInMs: number | null;
}

/** A count from untrusted details: the number, or "?" when it is not one. */
export function countWord(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' && /^\d+$/.test(value) ? value : '?';
}

/** The live view of a rate: "8 / 10 errors in 60 s", when the oldest leaves, a meter. */
export function rateView(f: RateFigures, noun: string, extra: readonly string[] = []): FiguresInWords {
  const details = [...extra, f.nextExpiryInMs === null ? 'window empty' : `oldest leaves the window in ${duration(f.nextExpiryInMs)}`];
  return { figure: `${f.count} / ${f.limit} ${noun} in ${f.windowSeconds} s`, details, meter: { label: `${noun} in the window`, use: f.count / f.limit, warnAt: f.warnAt } };
}

/** One line for the CLI: "8/10 errors in 60s (…), clears in 3s". */
export function rateLine(f: RateFigures, noun: string, extra = ''): string {
  const clears = f.nextExpiryInMs === null ? '' : `, clears in ${Math.ceil(f.nextExpiryInMs / 1000)}s`;
  return `${f.count}/${f.limit} ${noun} in ${f.windowSeconds}s${extra ? ` (${extra})` : ''}${clears}`;
}

/** A trip's or warning's figures: "12 orders in 60s (max 10)". */
export function rateEvent(d: Evidence, noun: string, limitKey: string, extra = ''): string {
  return `${countWord(d.count)} ${noun} in ${countWord(d.windowSeconds)}s (max ${countWord(d[limitKey])}${extra ? `; ${extra}` : ''})`;
}

/** A self-healing rate's recovery: "window cleared (9/10 orders)". */
export function rateRecovered(d: Evidence, noun: string, limitKey: string): string {
  return `window cleared (${countWord(d.count)}/${countWord(d[limitKey])} ${noun})`;
}
