import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger } from '../../src/index.ts';
import { decodeHistory, HistoryBatcher } from '../../src/runtime/history/persistence.ts';
import { CappedLog, OrderLog } from '../../src/runtime/history/logs.ts';
import { pointKey, Series } from '../../src/runtime/history/series.ts';
import type { HistoryError, HistoryGap, HistoryFill, HistoryMark } from '../../src/runtime/history/types.ts';
import { LevelHistoryStore } from '../../src/store/historyStore.ts';
import { storeInfo } from '../../src/store/registry.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bbx-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (clock: ManualClock, store: { path: string } | false = { path: dir }) =>
  createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store, breakers: 'moderate' });

describe('history persistence (LevelDB)', () => {
  it('a trip before a restart is in the history after it, with the points, orders, fills and errors', async () => {
    const clock = new ManualClock(T0);
    let rt = await open(clock);
    rt.updatePortfolio({ value: '1000' });
    clock.advance(5_000);
    rt.updatePortfolio({ value: '1010' });
    clock.advance(5_000);
    rt.check({ id: 'o-1', symbol: 'AAPL', side: 'buy', quantity: 1 });
    rt.recordFill({ orderId: 'o-1', symbol: 'AAPL', side: 'buy', quantity: 1, price: '10.5' });
    rt.recordError({ kind: 'broker_error', message: 'timeout' });
    rt.updatePortfolio({ value: '900' }); // drawdown trips
    clock.advance(2_000);
    rt.updatePortfolio({ value: '905' });
    const before = rt.history(T0);
    await rt.stop();

    clock.advance(60_000);
    rt = await open(clock);
    const after = rt.history(T0);
    expect(after.marks).toEqual(before.marks);
    expect(after.marks.find((m) => m.type === 'CircuitBreakerTripped')).toMatchObject({ t: T0 + 10_000, breaker: 'drawdown' });
    expect(after.points).toEqual(before.points);
    expect(after.points.map((p) => p.value)).toEqual(['1000', '1010', '900', '905']);
    expect(after.orders).toEqual(before.orders);
    expect(after.fills).toEqual(before.fills);
    expect(after.errors).toEqual(before.errors);
    // New values after the restart join the restored ones.
    rt.updatePortfolio({ value: '910' });
    expect(rt.history(T0).points.map((p) => p.value)).toEqual(['1000', '1010', '900', '905', '910']);
    await rt.stop();
  });

  it('a restart leaves a gap from the last thing recorded to the start, kept across further restarts', async () => {
    const clock = new ManualClock(T0);
    let rt = await open(clock);
    expect(rt.history(T0).gaps).toEqual([]);
    rt.updatePortfolio({ value: '1000' });
    clock.advance(5_000);
    rt.updatePortfolio({ value: '1010' });
    await rt.stop();
    clock.advance(3_600_000); // down for an hour
    rt = await open(clock);
    expect(rt.history(T0).gaps).toEqual([{ from: T0 + 5_000, t: T0 + 3_605_000 }]);
    rt.updatePortfolio({ value: '990' });
    clock.advance(10_000);
    rt.updatePortfolio({ value: '995' });
    await rt.stop();
    clock.advance(60_000);
    rt = await open(clock);
    const { gaps } = rt.history(T0);
    expect(gaps).toEqual([
      { from: T0 + 5_000, t: T0 + 3_605_000 },
      { from: T0 + 3_615_000, t: T0 + 3_675_000 },
    ]);
    // `since` after the first downtime leaves only the second.
    expect(rt.history(T0 + 3_610_000).gaps).toEqual([gaps[1]]);
    await rt.stop();
  });

  it('a first start with nothing stored has no gap', async () => {
    const clock = new ManualClock(T0);
    const rt = await open(clock);
    await rt.stop();
    clock.advance(60_000);
    const again = await open(clock);
    expect(again.history(T0).gaps).toEqual([]);
    await again.stop();
  });

  it('the batch written by the timer (no stop) holds the trip: a crash after it loses nothing of it', async () => {
    const clock = new ManualClock(T0);
    const rt = await open(clock);
    rt.updatePortfolio({ value: '1000' });
    clock.advance(1_000);
    rt.updatePortfolio({ value: '880' }); // trips
    rt.halt({ operator: 'ann', reason: 'check the feed' });
    clock.advance(1_000); // the batch timer fires
    await new Promise((r) => setTimeout(r, 50));
    const level = storeInfo(rt)!.level!;
    const onDisk = decodeHistory(await new LevelHistoryStore(level).load());
    expect(onDisk.marks.items.map((m) => m.type)).toEqual(['CircuitBreakerTripped', 'CircuitBreakerTripped', 'ManualHalt']);
    expect(onDisk.points.filter((p) => p.pinned).map((p) => p.value)).toContain('880');
    await rt.stop();
  });

  it('writes each item once and deletes what falls out (bounded on disk)', () => {
    const series = new Series({ tiers: [{ maxAgeMs: 10_000, bucketMs: 1_000 }], maxPoints: 100, compactEveryMs: 1_000 });
    const state = {
      series,
      open: null,
      marks: new CappedLog<HistoryMark>(3),
      orders: new OrderLog(3),
      fills: new CappedLog<HistoryFill>(3),
      errors: new CappedLog<HistoryError>(3),
      gaps: new CappedLog<HistoryGap>(3),
    };
    const batcher = new HistoryBatcher(null);
    const base = { value: '1', highWaterMark: null, drawdownTripLevel: null, dailyLossTripLevel: null, startOfDay: null };
    series.append({ ...base, t: T0 }, false);
    for (let i = 0; i < 2; i++) state.errors.push({ t: T0 + i, kind: 'broker_error', message: String(i) });
    expect(batcher.next(state).map((op) => `${op.type} ${op.key}`)).toEqual([
      `put p.${series.points[0]!.key}`,
      'put e.000000000000',
      'put e.000000000001',
    ]);
    expect(batcher.next(state)).toEqual([]);
    for (let i = 2; i < 6; i++) state.errors.push({ t: T0 + i, kind: 'broker_error', message: String(i) });
    series.append({ ...base, t: T0 + 20_000 }, false); // the first point falls beyond the retention
    expect(batcher.next(state).map((op) => `${op.type} ${op.key}`)).toEqual([
      `put p.${series.points[0]!.key}`,
      `del p.${pointKey(T0, 0)}`,
      'del e.000000000000',
      'del e.000000000001',
      'put e.000000000003',
      'put e.000000000004',
      'put e.000000000005',
    ]);
  });

  it('store: false keeps the history in memory', async () => {
    const clock = new ManualClock(T0);
    const rt = await open(clock, false);
    rt.updatePortfolio({ value: '1000' });
    rt.updatePortfolio({ value: '880' });
    expect(rt.history().marks.length).toBe(2);
    await rt.stop();
  });
});
