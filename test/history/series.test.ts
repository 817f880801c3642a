import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERIES_OPTIONS, downsample, pointKey, Series, type SeriesOptions, type SeriesPoint } from '../../src/runtime/history/series.ts';

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const SMALL: SeriesOptions = {
  tiers: [
    { maxAgeMs: 60_000, bucketMs: 1_000 },
    { maxAgeMs: 600_000, bucketMs: 10_000 },
  ],
  maxPoints: 200,
  compactEveryMs: 5_000,
};

const point = (t: number, value = String(t - T0), pinned = false, n = 0): SeriesPoint => ({
  t,
  value,
  highWaterMark: null,
  drawdownTripLevel: null,
  dailyLossTripLevel: null,
  startOfDay: null,
  key: pointKey(t, n),
  pinned,
});

describe('history series: downsampling (pure)', () => {
  it('keeps the last point of each bucket, coarser for older points', () => {
    const now = T0 + 300_000;
    // One point every 100 ms over the last 5 minutes.
    const points = Array.from({ length: 3000 }, (_, i) => point(T0 + i * 100 + 100));
    const out = downsample(points, now, SMALL);
    // Younger than 60 s: 1 s buckets; 60 s .. 300 s old: 10 s buckets.
    const young = out.filter((p) => now - p.t < 60_000);
    const old = out.filter((p) => now - p.t >= 60_000);
    expect(young.length).toBeGreaterThanOrEqual(59);
    expect(young.length).toBeLessThanOrEqual(61);
    expect(old.length).toBeGreaterThanOrEqual(24);
    expect(old.length).toBeLessThanOrEqual(26);
    // The last point of every bucket survives: e.g. the one at the end of the 10 s bucket [T0+10s, T0+20s).
    expect(out.some((p) => p.t === T0 + 19_900)).toBe(true);
    expect(out.some((p) => p.t === T0 + 15_000)).toBe(false);
    // The newest point is always kept.
    expect(out[out.length - 1]!.t).toBe(points[points.length - 1]!.t);
  });

  it('never merges away a pinned point (a trip), and keeps the bucket\'s last point beside it', () => {
    const now = T0 + 300_000;
    const points = [point(T0 + 10_100), point(T0 + 10_200, 'trip', true), point(T0 + 10_300), point(T0 + 10_400)];
    const out = downsample(points, now, SMALL);
    expect(out.map((p) => p.value)).toEqual(['trip', String(10_400)]);
    // A pinned point last in its bucket: the earlier ones go.
    const out2 = downsample([point(T0 + 10_100), point(T0 + 10_200), point(T0 + 10_300, 'halt', true)], now, SMALL);
    expect(out2.map((p) => p.value)).toEqual(['halt']);
  });

  it('drops points beyond the retention, pinned or not', () => {
    const now = T0 + 700_000;
    const out = downsample([point(T0, 'a', true), point(T0 + 50_000), point(T0 + 650_000)], now, SMALL);
    expect(out.map((p) => p.t)).toEqual([T0 + 650_000]);
  });

  it('holds the hard bound: oldest unpinned points go first, then the oldest pinned', () => {
    const options = { ...SMALL, maxPoints: 5 };
    const now = T0 + 30_000;
    const points = Array.from({ length: 10 }, (_, i) => point(T0 + 20_000 + i * 1_000, String(i), i === 1 || i === 8));
    const out = downsample(points, now, options);
    expect(out.map((p) => p.value)).toEqual(['1', '6', '7', '8', '9']);
    const allPinned = Array.from({ length: 8 }, (_, i) => point(T0 + 20_000 + i * 1_000, String(i), true));
    expect(downsample(allPinned, now, options).map((p) => p.value)).toEqual(['3', '4', '5', '6', '7']);
  });

  it('property: bounded, ordered, a subset, every pinned point within the retention kept (when the bound allows), the newest kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5_000 }), pinned: fc.boolean() }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 200_000 }),
        (steps, extra) => {
          const series = new Series({ ...SMALL, maxPoints: 1_000 });
          let t = T0;
          for (const { dt, pinned } of steps) {
            t += dt;
            series.append({ t, value: String(t), highWaterMark: null, drawdownTripLevel: null, dailyLossTripLevel: null, startOfDay: null }, pinned);
          }
          const now = t + extra;
          const out = downsample(series.points, now, SMALL);
          expect(out.length).toBeLessThanOrEqual(SMALL.maxPoints);
          for (let i = 1; i < out.length; i++) expect(out[i]!.key > out[i - 1]!.key).toBe(true);
          const keys = new Set(series.points.map((p) => p.key));
          for (const p of out) expect(keys.has(p.key)).toBe(true);
          const pinnedInRetention = series.points.filter((p) => p.pinned && now - p.t < 600_000);
          if (pinnedInRetention.length <= SMALL.maxPoints) for (const p of pinnedInRetention) expect(out).toContain(p);
          const newest = series.points[series.points.length - 1]!;
          if (now - newest.t < 600_000) expect(out[out.length - 1]).toBe(newest);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the default keeps at most 2,000 points over two days of updates, the last trading day covered', () => {
    const series = new Series(DEFAULT_SERIES_OPTIONS);
    const start = T0;
    const end = start + 50 * 3600_000;
    for (let t = start; t <= end; t += 2_500) {
      // In the runtime only the last value of each 5 s bucket reaches the series; here two per bucket do.
      if (series.points.length > 2_000) throw new Error(`${series.points.length} points at ${t}`);
      series.append({ t, value: '1', highWaterMark: null, drawdownTripLevel: null, dailyLossTripLevel: null, startOfDay: null }, t % 3_600_000 === 0);
    }
    series.compact(end);
    expect(series.points.length).toBeLessThanOrEqual(2_000);
    expect(series.points[0]!.t).toBeLessThanOrEqual(end - 24 * 3600_000);
    // Every hourly pin of the last 48 hours is still there.
    expect(series.points.filter((p) => p.pinned).length).toBe(48);
  });

  it('append keeps time order and tells points of the same millisecond apart', () => {
    const series = new Series(SMALL);
    const base = { value: '1', highWaterMark: null, drawdownTripLevel: null, dailyLossTripLevel: null, startOfDay: null };
    series.append({ ...base, t: T0 + 5_000 }, false);
    series.append({ ...base, t: T0 + 5_000, value: '2' }, true);
    series.append({ ...base, t: T0 + 3_000, value: '0' }, true, T0 + 5_000);
    expect(series.points.map((p) => [p.key, p.value])).toEqual([
      [pointKey(T0 + 3_000, 0), '0'],
      [pointKey(T0 + 5_000, 0), '1'],
      [pointKey(T0 + 5_000, 1), '2'],
    ]);
    expect(series.since(T0 + 4_000).map((p) => p.value)).toEqual(['1', '2']);
  });
});
