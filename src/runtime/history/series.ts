/**
 * The value series of a strategy's history, bounded and downsampled. Pure: no I/O, no clock
 * (time comes in as arguments), so the downsampling is testable on its own.
 *
 * Points are bucketed by time and each bucket keeps its last point; older points fall into
 * coarser buckets (tiers by age). A pinned point (the value at a trip, halt or reset) is never
 * merged away, so the chart can mark it; only the retention horizon and the hard bound drop it.
 */
import type { HistoryPoint } from './types.ts';

/** A point as the series keeps it: its storage key and whether it marks an event. */
export interface SeriesPoint extends HistoryPoint {
  /** `<t, 15 digits>.<n, 3 digits>`: unique, sorts by time (n tells points of the same ms apart). */
  readonly key: string;
  readonly pinned: boolean;
}

/** Points younger than `maxAgeMs` share buckets of `bucketMs`. */
export interface SeriesTier {
  readonly maxAgeMs: number;
  readonly bucketMs: number;
}

export interface SeriesOptions {
  /** From the youngest to the oldest; each bucket width divides the next. The last tier's age is the retention. */
  readonly tiers: readonly SeriesTier[];
  /** Hard bound on the number of points (pinned ones included). */
  readonly maxPoints: number;
  /** How often (in data time) the tiers are re-applied to points that aged. */
  readonly compactEveryMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The default: 5 s buckets for the last hour (720), 30 s to 6 h (600), 2 min to 24 h (540),
 * 15 min to 48 h (96): at most 2,000 points covering two days, whatever the update rate.
 */
export const DEFAULT_SERIES_OPTIONS: SeriesOptions = Object.freeze({
  tiers: Object.freeze([
    { maxAgeMs: HOUR, bucketMs: 5_000 },
    { maxAgeMs: 6 * HOUR, bucketMs: 30_000 },
    { maxAgeMs: 24 * HOUR, bucketMs: 2 * MINUTE },
    { maxAgeMs: 48 * HOUR, bucketMs: 15 * MINUTE },
  ]),
  maxPoints: 2_000,
  compactEveryMs: MINUTE,
});

/** The storage key of the `n`-th point at ms `t`. */
export function pointKey(t: number, n: number): string {
  return `${String(t).padStart(15, '0')}.${String(n).padStart(3, '0')}`;
}

/**
 * A series point from a history point, every field copied by name: one object shape for all
 * points (a spread copy can leave V8 with slow objects, and downsampling reads thousands).
 */
export function seriesPoint(point: HistoryPoint, key: string, pinned: boolean): SeriesPoint {
  return {
    t: point.t,
    value: point.value,
    highWaterMark: point.highWaterMark ?? null,
    drawdownTripLevel: point.drawdownTripLevel ?? null,
    dailyLossTripLevel: point.dailyLossTripLevel ?? null,
    startOfDay: point.startOfDay ?? null,
    key,
    pinned,
  };
}

/** The bucket width for a point `age` ms old, or null when it is beyond the retention. */
export function bucketWidth(age: number, tiers: readonly SeriesTier[]): number | null {
  for (const tier of tiers) if (age < tier.maxAgeMs) return tier.bucketMs;
  return null;
}

/**
 * Downsamples time-ordered points as of `now`: drops points beyond the retention, keeps in each
 * bucket (by the tier of its age) every pinned point and the bucket's last point, then enforces
 * `maxPoints` by dropping the oldest unpinned points first, then the oldest pinned ones.
 * Returns a new array in the same order; never reorders.
 */
export function downsample(points: readonly SeriesPoint[], now: number, options: SeriesOptions): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  let bucket = NaN;
  let width = NaN;
  /** Index in `out` of the current bucket's last unpinned point, or -1. */
  let candidate = -1;
  for (const p of points) {
    const w = bucketWidth(Math.max(0, now - p.t), options.tiers);
    if (w === null) continue;
    const b = Math.floor(p.t / w);
    if (b !== bucket || w !== width) {
      bucket = b;
      width = w;
      candidate = -1;
    } else if (candidate >= 0) {
      // A later point in the same bucket replaces the earlier unpinned one.
      if (candidate === out.length - 1) out.pop();
      else out.splice(candidate, 1);
      candidate = -1;
    }
    out.push(p);
    if (!p.pinned) candidate = out.length - 1;
  }
  return enforceBound(out, options.maxPoints);
}

function enforceBound(points: SeriesPoint[], max: number): SeriesPoint[] {
  let excess = points.length - max;
  if (excess <= 0) return points;
  const kept: SeriesPoint[] = [];
  for (const p of points) {
    if (excess > 0 && !p.pinned) excess--;
    else kept.push(p);
  }
  return excess > 0 ? kept.slice(excess) : kept;
}

/** The series: appends in time order, re-applies the tiers as points age. */
export class Series {
  readonly options: SeriesOptions;
  #points: SeriesPoint[] = [];
  #nextCompactAt = -Infinity;
  #appendedSinceCompact = 0;

  constructor(options: SeriesOptions = DEFAULT_SERIES_OPTIONS, restored: readonly SeriesPoint[] = []) {
    this.options = options;
    this.#points = [...restored].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The points, oldest first (do not mutate). */
  get points(): readonly SeriesPoint[] {
    return this.#points;
  }

  /** The last point, or null. */
  get last(): SeriesPoint | null {
    return this.#points.length === 0 ? null : this.#points[this.#points.length - 1]!;
  }

  /** The finest bucket width (the one new points are closed at). */
  get finestBucketMs(): number {
    return this.options.tiers[0]!.bucketMs;
  }

  /** Adds a point (normally the newest; an older one is inserted in order) and downsamples when due. */
  append(point: HistoryPoint, pinned: boolean, now: number = point.t): SeriesPoint {
    const points = this.#points;
    let at = points.length;
    while (at > 0 && points[at - 1]!.t > point.t) at--;
    let n = 0;
    if (at > 0 && points[at - 1]!.t === point.t) n = Number(points[at - 1]!.key.slice(16)) + 1;
    const stored = seriesPoint(point, pointKey(point.t, n), pinned);
    if (at === points.length) points.push(stored);
    else points.splice(at, 0, stored);
    // Compaction is O(points): amortised over at least 1/16 of the series' appends, so a replay of
    // minute bars (a point per row, a compaction due every row) stays O(1) per point. Past the
    // bound it compacts at once (downsampling, not dropping, what is old).
    this.#appendedSinceCompact++;
    if (points.length > this.options.maxPoints || (now >= this.#nextCompactAt && this.#appendedSinceCompact >= points.length >> 4)) this.compact(now);
    return stored;
  }

  /** Re-applies the tiers and the bound as of `now`. */
  compact(now: number): void {
    this.#points = downsample(this.#points, now, this.options);
    this.#nextCompactAt = now + this.options.compactEveryMs;
    this.#appendedSinceCompact = 0;
  }

  /** Points at or after `since`. */
  since(since: number): SeriesPoint[] {
    const points = this.#points;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]!.t < since) lo = mid + 1;
      else hi = mid;
    }
    return points.slice(lo);
  }
}
