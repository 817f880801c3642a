import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replaySeries, type ResetPolicy } from '../../src/replay/replay.ts';
import { parseSeries, type Series } from '../../src/replay/series.ts';
import { parseSweepSpec, sweep } from '../../src/replay/sweep.ts';
import { independentTrips, walkSeries } from './helpers.ts';

const fixture = parseSeries(readFileSync(new URL('./fixtures/index-2023.csv', import.meta.url), 'utf8'), 'index-2023.csv');
const SERIES: [string, Series][] = [
  ['minute bars, random walk with crashes (seed 1)', walkSeries({ seed: 1, rows: 20_000, stepMs: 60_000, crashEvery: 2500 })],
  ['hourly bars with gaps and crashes (seed 2)', walkSeries({ seed: 2, rows: 6000, stepMs: 3_600_000, crashEvery: 400, gapEvery: 200 })],
  ['daily closes, index-2023.csv', fixture],
];
const drawdownOnly = (threshold: number) => ({ breakers: { drawdown: { threshold }, dailyLoss: false as const } });

describe('replay trips equal an independent high-water-mark computation', () => {
  const cases: [number, ResetPolicy][] = [
    [-0.08, 'next-open'],
    [-0.05, { afterMs: 4 * 3_600_000 }],
    [-0.03, 'never'],
  ];
  for (const [name, series] of SERIES) {
    it(name, async () => {
      let total = 0;
      for (const [threshold, reset] of cases) {
        const result = await replaySeries(series, { ...drawdownOnly(threshold), reset });
        const rows = result.events.filter((e) => e.type === 'trip').map((e) => e.index);
        expect(rows, `threshold ${threshold}, reset ${JSON.stringify(reset)}`).toEqual(independentTrips(series, Math.round(threshold * 1000), reset));
        total += rows.length;
        // Every trip but the last one still open is followed by its recovery, in row order.
        const recoveries = result.events.filter((e) => e.type === 'recovery');
        expect(recoveries.length).toBe(rows.length - (result.breakers.drawdown?.trippedAtEnd ? 1 : 0));
        for (const e of result.events) expect(e.timestamp).toBe(new Date(series.at[e.index]!).toISOString());
      }
      expect(total).toBeGreaterThan(1);
    });
  }

  it('reports warnings, recoveries with how long each breaker held trading, and the flat-while-halted account', async () => {
    const result = await replaySeries(fixture, drawdownOnly(-0.08));
    expect(result.events.map((e) => `${e.type}:${e.breaker}:${e.index}`)).toEqual([
      'warning:drawdown:120',
      'trip:drawdown:121',
      'recovery:drawdown:122',
      'trip:drawdown:201',
      'recovery:drawdown:202',
    ]);
    expect(result.events[2]!.heldMs).toBe(86_400_000);
    expect(result.breakers.drawdown).toEqual({ trips: 2, warnings: 1, heldMs: 2 * 86_400_000, trippedAtEnd: false });
    expect(result.haltedMs).toBe(2 * 86_400_000);
    expect(result.haltedShare).toBeCloseTo(result.haltedMs / (fixture.at.at(-1)! - fixture.at[0]!), 12);
    expect(result.worstDrawdown.without).toBeLessThan(result.worstDrawdown.withBreaker);
  });

  it('daily loss trips against the start of the day and resets at the next open', async () => {
    const csv = ['timestamp,value', '2024-03-04T14:30:00Z,1000', '2024-03-04T15:00:00Z,960', '2024-03-04T16:00:00Z,940', '2024-03-04T20:00:00Z,930', '2024-03-05T14:30:00Z,925', '2024-03-05T15:00:00Z,900'].join('\n');
    const result = await replaySeries(parseSeries(csv), { breakers: { drawdown: false, dailyLoss: { limit: -0.05 } }, marketOpen: { time: '09:30', timeZone: 'America/New_York' } });
    expect(result.events.map((e) => `${e.type}:${e.index}`)).toEqual(['warning:1', 'trip:2', 'recovery:4']);
  });
});

describe('sweeps', () => {
  const series = walkSeries({ seed: 3, rows: 3000, stepMs: 60_000, crashEvery: 300 });

  it('each row matches an individual replay, in worker threads and in this thread', async () => {
    const axis = parseSweepSpec('drawdown.threshold=-0.03:-0.09:0.02');
    expect(axis.values).toEqual([-0.03, -0.05, -0.07, -0.09]);
    const base = { breakers: { dailyLoss: false as const } };
    const [inWorkers, inThread] = await Promise.all([sweep(series, [axis], base, { workers: 2 }), sweep(series, [axis], base, { workers: 0 })]);
    expect(inWorkers).toEqual(inThread);
    for (const row of inWorkers) {
      const single = await replaySeries(series, drawdownOnly(row.setting['drawdown.threshold']!));
      expect(row).toEqual({ setting: row.setting, trips: single.trips, firstTrip: single.firstTrip, haltedShare: single.haltedShare, worstDrawdown: single.worstDrawdown });
    }
    expect(inWorkers[3]!.trips).toBeGreaterThan(0);
    expect(inWorkers[0]!.trips).toBeGreaterThanOrEqual(inWorkers[3]!.trips);
  });

  it('several paths sweep every combination; a path may name the breakers object, a top-level option, or a preset value', async () => {
    const small = parseSeries(readFileSync(new URL('./fixtures/index-2023.csv', import.meta.url), 'utf8'));
    const rows = await sweep(small, [parseSweepSpec('breakers.drawdown.threshold=-0.05,-0.10'), parseSweepSpec('warnAt=0.5:0.9:0.4')], { breakers: 'aggressive' }, { workers: 0 });
    expect(rows.map((r) => r.setting)).toEqual([
      { 'breakers.drawdown.threshold': -0.05, warnAt: 0.5 },
      { 'breakers.drawdown.threshold': -0.05, warnAt: 0.9 },
      { 'breakers.drawdown.threshold': -0.1, warnAt: 0.5 },
      { 'breakers.drawdown.threshold': -0.1, warnAt: 0.9 },
    ]);
    expect(() => parseSweepSpec('drawdown.threshold')).toThrow(/expected path=from:to:step/);
    expect(() => parseSweepSpec('drawdown.threshold=-0.05:-0.2:0')).toThrow(/step must not be 0/);
    await expect(sweep(small, [parseSweepSpec('drawdown.thresold=-0.05')], {}, { workers: 0 })).rejects.toThrow(/did you mean threshold/);
  });
});
