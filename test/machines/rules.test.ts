import { describe, expect, it } from 'vitest';
import { BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import { Signal } from '../../machines/figures/signal.ts';
import { RateTracker } from '../../machines/figures/rate.ts';
import { Exact } from '../../machines/math/exact.ts';
import { dailyLossRule } from '../../machines/rules/dailyLoss.ts';
import { drawdownRule } from '../../machines/rules/drawdown.ts';
import { errorRateRule } from '../../machines/rules/errorRate.ts';
import { executionRateRule } from '../../machines/rules/executionRate.ts';
import { manualRule } from '../../machines/rules/manual.ts';
import { messageRateRule } from '../../machines/rules/messageRate.ts';
import { orderRateRule } from '../../machines/rules/orderRate.ts';
import { orderToTradeRule } from '../../machines/rules/orderToTrade.ts';
import { reconciliationRule } from '../../machines/rules/reconciliation.ts';
import { REGISTRY, registryRow } from '../../machines/rules/registry.ts';
import { staleDataRule } from '../../machines/rules/staleData.ts';
import { clusterRule } from '../../machines/rules/cluster.ts';
import { tradeLossesRule } from '../../machines/rules/tradeLosses.ts';
import { ChartKind, Observes, type RuleDecisions, type Tracker } from '../../machines/rules/rule.ts';

const x = (v: string | number) => new Exact(v);
const UTC = { marketOpen: { time: '00:00', timeZone: 'UTC' } };
const DAY = 86_400_000;
/** A rule or tracker seen through its interface (some implementations declare fewer parameters). */
const rule = (r: unknown) => r as RuleDecisions;
const tracker = (t: unknown) => t as Tracker;
const T0 = Date.UTC(2026, 0, 5, 12); // a Monday, noon UTC
const obs = (signal: Signal) => ({ signal, opened: null, baselineRefused: null });
/** The quiet range with its lower edge as text (whatever type the tracker gives it as). */
const quietOf = (t: { quiet(): { low: unknown; high: string | null; until: number; acceptsNewHigh: boolean } | null }) => {
  const r = t.quiet();
  return r === null ? null : { low: String(r.low), high: r.high, until: r.until, acceptsNewHigh: r.acceptsNewHigh };
};

describe('ChartKind and Observes', () => {
  it('name the four charts and ten inputs', () => {
    expect(ChartKind).toEqual({ AUTOMATIC: 'automatic', SELF_HEALING: 'selfHealing', MANUAL: 'manual', CLUSTER: 'cluster' });
    expect(Observes).toEqual({
      VALUE: 'value', ORDER: 'order', MODIFY: 'modify', CANCEL: 'cancel', FILL: 'fill', REPORT: 'report', ERROR: 'error', TIME: 'time', NOTHING: 'nothing', CLUSTER: 'cluster',
    });
  });
});

describe('registry', () => {
  it('lists every breaker once, in order, with its rule and chart', () => {
    expect(REGISTRY.map((r) => r.kind)).toEqual([...BREAKER_TYPES]);
    expect(REGISTRY.map((r) => r.rule)).toEqual([drawdownRule, dailyLossRule, orderRateRule, orderToTradeRule, reconciliationRule, messageRateRule, errorRateRule, executionRateRule, tradeLossesRule, staleDataRule, manualRule, clusterRule]);
    for (const row of REGISTRY) {
      expect(row.rule.kind).toBe(row.kind);
      expect(row.chart.id).toBe(row.kind);
      expect(registryRow(row.kind)).toBe(row);
    }
    expect(Object.keys(registryRow(BreakerType.ORDER_RATE).chart.states).sort()).toEqual(['NORMAL', 'RESETTING', 'TRIPPED']);
    expect(Object.keys(registryRow(BreakerType.MANUAL).chart.states).sort()).toEqual(['MANUALLY_HALTED', 'NORMAL', 'RESETTING']);
    expect(Object.keys(registryRow(BreakerType.ORDER_RATE).chart.states.TRIPPED!.config.on ?? {})).toContain('WINDOW_CLEARED');
    expect(Object.keys(registryRow(BreakerType.DRAWDOWN).chart.states.TRIPPED!.config.on ?? {})).not.toContain('WINDOW_CLEARED');
  });

  it('refuses an unknown breaker', () => {
    expect(() => registryRow('nosuch' as BreakerType)).toThrow(new RangeError('no breaker nosuch in the registry'));
  });

  it('gives each rule its chart and input', () => {
    expect([drawdownRule, dailyLossRule, orderRateRule, errorRateRule, manualRule].map((r) => [r.kind, r.chart, r.observes])).toEqual([
      ['drawdown', 'automatic', ['value']],
      ['dailyLoss', 'automatic', ['value']],
      ['orderRate', 'selfHealing', ['order']],
      ['errorRate', 'automatic', ['error']],
      ['manual', 'manual', []],
    ]);
  });
});

describe('drawdown', () => {
  const make = () => drawdownRule.track({ threshold: -0.1, warnAt: 0.8 });

  it('takes the first positive value as the high-water mark and refuses zero or a loss as one', () => {
    const t = make();
    expect(t.quiet()).toBeNull();
    expect(t.observe(x(0), T0)).toEqual({ signal: Signal.NONE, opened: null, baselineRefused: 'the high-water mark must be positive' });
    expect(t.observe(x(-5), T0)).toEqual({ signal: Signal.NONE, opened: null, baselineRefused: 'the high-water mark must be positive' });
    expect(t.save()).toEqual({ highWaterMark: null, warned: false });
    expect(t.observe(x('1000000'), T0)).toEqual(obs(Signal.NONE));
    expect(t.save()).toEqual({ highWaterMark: '1000000', warned: false });
  });

  it('warns once at warnAt × threshold and trips at the threshold, both inclusive', () => {
    const t = make();
    t.observe(x('1000000'), T0);
    expect(quietOf(t)).toEqual({ low: '920000', high: '1000000', until: Infinity, acceptsNewHigh: true });
    expect(t.observe(x('920000.01'), T0).signal).toBe(Signal.NONE);
    expect(t.observe(x('1000000'), T0).signal).toBe(Signal.NONE);
    expect(t.observe(x('920000'), T0)).toEqual(obs(Signal.WARN));
    expect(t.observe(x('910000'), T0).signal).toBe(Signal.NONE); // warned once
    expect(quietOf(t)).toEqual({ low: '900000', high: '1000000', until: Infinity, acceptsNewHigh: true });
    expect(t.observe(x('900000.01'), T0).signal).toBe(Signal.NONE);
    expect(t.observe(x('900000'), T0)).toEqual(obs(Signal.TRIP));
    expect(t.observe(x('-1'), T0).signal).toBe(Signal.TRIP);
  });

  it('a trip counts as the warning; a new high re-arms and moves both levels', () => {
    const t = make();
    t.observe(x('1000000'), T0);
    expect(t.observe(x('899999'), T0).signal).toBe(Signal.TRIP);
    expect(t.save().warned).toBe(true);
    expect(t.observe(x('915000'), T0).signal).toBe(Signal.NONE);
    expect(t.observe(x('1100000'), T0).signal).toBe(Signal.NONE);
    expect(t.save()).toEqual({ highWaterMark: '1100000', warned: false });
    expect(t.observe(x('1012000.01'), T0).signal).toBe(Signal.NONE);
    expect(t.observe(x('1012000'), T0).signal).toBe(Signal.WARN);
    expect(t.observe(x('990000'), T0).signal).toBe(Signal.TRIP);
  });

  it('takes a new high as text without arithmetic', () => {
    const t = make();
    t.observe(x('1000000'), T0);
    t.observe(x('920000'), T0);
    t.acceptNewHigh('2000000');
    expect(t.save()).toEqual({ highWaterMark: '2000000', warned: false });
    expect(quietOf(t)).toEqual({ low: '1840000', high: '2000000', until: Infinity, acceptsNewHigh: true });
    expect(t.observe(x('1800000'), T0).signal).toBe(Signal.TRIP);
  });

  it('shows its figures (drawdown to 8 significant digits)', () => {
    const t = make();
    expect(t.figures(T0, null)).toEqual({
      highWaterMark: null,
      value: null,
      drawdown: null,
      threshold: '-0.1',
      warnAt: 0.8,
      tripLevel: null,
      warnLevel: null,
      warned: false,
    });
    t.observe(x('3'), T0);
    const f = t.figures(T0, x('2'));
    expect(f).toEqual({
      highWaterMark: '3',
      value: '2',
      drawdown: '-0.33333333',
      threshold: '-0.1',
      warnAt: 0.8,
      tripLevel: '2.7',
      warnLevel: '2.76',
      warned: false,
    });
    expect(t.figures(T0, null).drawdown).toBeNull();
    expect(t.tripEvidence(T0, x('2'))).toEqual(f);
    expect(t.recheckEvidence(T0, x('2'))).toEqual(f);
  });

  it('a confirmed reset re-baselines to the current value (none or a loss: no mark)', () => {
    const t = make();
    t.observe(x('1000000'), T0);
    t.observe(x('850000'), T0);
    t.rebaseline(T0, x('850000'));
    expect(t.save()).toEqual({ highWaterMark: '850000', warned: false });
    expect(t.observe(x('782000'), T0).signal).toBe(Signal.WARN);
    for (const v of [null, x(0), x(-3)]) {
      t.rebaseline(T0, v);
      expect(t.save()).toEqual({ highWaterMark: null, warned: false });
      expect(t.quiet()).toBeNull();
      expect(t.figures(T0, null).tripLevel).toBeNull();
    }
    expect(t.observe(x('10'), T0).baselineRefused).toBeNull();
    expect(t.save().highWaterMark).toBe('10');
  });

  it('saves and loads its mark and warning flag, refusing anything else', () => {
    const t = make();
    t.load({ highWaterMark: '1000.5', warned: true });
    expect(t.save()).toEqual({ highWaterMark: '1000.5', warned: true });
    expect(quietOf(t)).toEqual({ low: '900.45', high: '1000.5', until: Infinity, acceptsNewHigh: true });
    expect(t.observe(x('920'), T0).signal).toBe(Signal.NONE); // warned stays
    t.load({ highWaterMark: null, warned: false });
    expect(t.save()).toEqual({ highWaterMark: null, warned: false });
    t.load({ highWaterMark: null, warned: true });
    expect(t.save()).toEqual({ highWaterMark: null, warned: true });
    for (const bad of [null, 5, {}, { highWaterMark: '5' }, { highWaterMark: '5', warned: 'yes' }]) {
      expect(() => t.load(bad), JSON.stringify(bad)).toThrow(new TypeError('drawdown: saved figures are malformed'));
    }
    for (const hwm of ['0', '0.0', '-5', 'abc', '1e5', '5.', '.5', 'x5', '5x', 5, undefined]) {
      expect(() => t.load({ highWaterMark: hwm, warned: false }), String(hwm)).toThrow(
        new TypeError(`drawdown: saved high-water mark is not a positive decimal (${String(hwm)})`),
      );
    }
  });

  it('rule: trips exactly at the threshold, from the evidence alone', () => {
    const e = (value: string | null, hwm: string | null) => ({ value, highWaterMark: hwm, threshold: '-0.1' });
    expect(drawdownRule.tripHolds(e('900000', '1000000'))).toBe(true);
    expect(drawdownRule.tripHolds(e('899999.99', '1000000'))).toBe(true);
    expect(drawdownRule.tripHolds(e('900000.01', '1000000'))).toBe(false);
    expect(drawdownRule.tripHolds(e(null, '1000000'))).toBe(false);
    expect(drawdownRule.tripHolds(e('1', null))).toBe(false);
    expect(rule(drawdownRule).recheck({})).toEqual({ passed: true, reason: null });
    expect(rule(drawdownRule).cleared({})).toBe(false);
    expect(drawdownRule.describe({ drawdown: '-0.1', threshold: '-0.1', value: '900000', highWaterMark: '1000000' })).toBe(
      'drawdown -10.00% reached threshold -10.00% (value 900,000.00, high-water mark 1,000,000.00)',
    );
  });
});

describe('daily loss', () => {
  const fraction = () => dailyLossRule.track({ limit: -0.05, warnAt: 0.8 }, UTC);
  const amount = () => dailyLossRule.track({ limitAmount: '-3000', warnAt: 0.5 }, UTC);

  it('opens the day with the first positive value at or after the open; refuses zero or a loss as the start', () => {
    const t = fraction();
    expect(t.quiet()).toBeNull();
    expect(t.observe(x(0), T0)).toEqual({ signal: Signal.NONE, opened: null, baselineRefused: 'the start-of-day value must be positive' });
    expect(t.observe(x(-1), T0).baselineRefused).toBe('the start-of-day value must be positive');
    expect(t.quiet()).toBeNull();
    expect(t.observe(x('100000'), T0)).toEqual({
      signal: Signal.NONE,
      opened: { tradingDay: '2026-01-05', openAt: '2026-01-05T00:00:00.000Z', startValue: '100000' },
      baselineRefused: null,
    });
    expect(quietOf(t)).toEqual({ low: '96000', high: null, until: Date.UTC(2026, 0, 6), acceptsNewHigh: true });
  });

  it('warns and trips on a fraction of the start value, inclusive', () => {
    const t = fraction();
    t.observe(x('100000'), T0);
    expect(t.observe(x('96000.01'), T0)).toEqual(obs(Signal.NONE));
    expect(t.observe(x('96000'), T0)).toEqual(obs(Signal.WARN));
    expect(t.observe(x('95500'), T0)).toEqual(obs(Signal.NONE));
    expect(quietOf(t)?.low).toBe('95000');
    expect(t.observe(x('95000.01'), T0)).toEqual(obs(Signal.NONE));
    expect(t.observe(x('95000'), T0)).toEqual(obs(Signal.TRIP));
  });

  it('warns and trips on an amount; a trip counts as the warning', () => {
    const t = amount();
    t.observe(x('100000'), T0);
    expect(quietOf(t)?.low).toBe('98500');
    expect(t.observe(x('98500.01'), T0).signal).toBe(Signal.NONE);
    expect(t.observe(x('97000'), T0).signal).toBe(Signal.TRIP);
    expect(t.observe(x('98000'), T0).signal).toBe(Signal.NONE);
    tracker(t).rebaseline(T0, x('98000'));
    expect(t.observe(x('98500'), T0).signal).toBe(Signal.WARN);
    expect(t.observe(x('97000.01'), T0).signal).toBe(Signal.NONE);
  });

  it('re-baselines at the next open, exactly', () => {
    const t = fraction();
    t.observe(x('100000'), T0);
    t.observe(x('96000'), T0);
    const next = Date.UTC(2026, 0, 6);
    expect(t.observe(x('90000'), next - 1).signal).toBe(Signal.TRIP);
    const opened = t.observe(x('90000'), next);
    expect(opened.opened).toEqual({ tradingDay: '2026-01-06', openAt: '2026-01-06T00:00:00.000Z', startValue: '90000' });
    expect(opened.signal).toBe(Signal.NONE);
    expect(t.save()).toEqual({ tradingDay: '2026-01-06', openAt: next, nextOpenAt: next + DAY, startValue: '90000', warned: false });
    expect(t.observe(x('86400'), next + 1).signal).toBe(Signal.WARN);
  });

  it('shows its figures', () => {
    const t = fraction();
    expect(t.figures(T0, null)).toEqual({
      tradingDay: null,
      startValue: null,
      value: null,
      pnl: null,
      pnlFraction: null,
      limit: '-0.05',
      limitAmount: null,
      warnAt: 0.8,
      tripLevel: null,
      warnLevel: null,
      warned: false,
      nextOpenAt: null,
    });
    t.observe(x('3'), T0);
    const f = t.figures(T0, x('2'));
    expect(f).toEqual({
      tradingDay: '2026-01-05',
      startValue: '3',
      value: '2',
      pnl: '-1',
      pnlFraction: '-0.33333333',
      limit: '-0.05',
      limitAmount: null,
      warnAt: 0.8,
      tripLevel: '2.85',
      warnLevel: '2.88',
      warned: false,
      nextOpenAt: Date.UTC(2026, 0, 6),
    });
    expect(t.figures(T0, null).pnl).toBeNull();
    expect(t.figures(T0, null).pnlFraction).toBeNull();
    expect(t.tripEvidence(T0, x('2'))).toEqual(f);
    expect(t.recheckEvidence(T0, x('2'))).toEqual(f);
    const a = amount();
    a.observe(x('100000'), T0);
    expect(a.figures(T0, x('99000'))).toMatchObject({ limit: null, limitAmount: '-3000', tripLevel: '97000', warnLevel: '98500', warnAt: 0.5 });
  });

  it('a confirmed reset keeps the start value and re-arms the warning', () => {
    const t = fraction();
    t.observe(x('100000'), T0);
    t.observe(x('96000'), T0);
    tracker(t).rebaseline(T0, x('96000'));
    expect(t.save().warned).toBe(false);
    expect(t.save().startValue).toBe('100000');
    expect(t.observe(x('95900'), T0).signal).toBe(Signal.WARN);
  });

  it('saves and loads, refusing malformed days and start values', () => {
    const t = fraction();
    const saved = { tradingDay: '2026-01-05', openAt: Date.UTC(2026, 0, 5), nextOpenAt: Date.UTC(2026, 0, 6), startValue: '100000', warned: true };
    t.load(saved);
    expect(t.save()).toEqual(saved);
    expect(quietOf(t)).toEqual({ low: '95000', high: null, until: Date.UTC(2026, 0, 6), acceptsNewHigh: true });
    expect(t.observe(x('95500'), T0).signal).toBe(Signal.NONE);
    const empty = { tradingDay: null, openAt: null, nextOpenAt: null, startValue: null, warned: false };
    t.load(empty);
    expect(t.save()).toEqual(empty);
    expect(t.quiet()).toBeNull();
    t.load({ ...empty, warned: true });
    expect(t.save().warned).toBe(true);
    for (const bad of [null, 1, {}, { ...saved, warned: 'x' }]) {
      expect(() => t.load(bad), JSON.stringify(bad)).toThrow(new TypeError('dailyLoss: saved figures are malformed'));
    }
    for (const day of [
      { tradingDay: 5, openAt: 1, nextOpenAt: 2 },
      { tradingDay: 'd', openAt: '1', nextOpenAt: 2 },
      { tradingDay: 'd', openAt: 1, nextOpenAt: '2' },
      { tradingDay: 'd', openAt: 2, nextOpenAt: 2 },
      { tradingDay: 'd', openAt: 3, nextOpenAt: 2 },
      { tradingDay: undefined, openAt: 1, nextOpenAt: 2 },
    ]) {
      expect(() => t.load({ ...saved, ...day }), JSON.stringify(day)).toThrow(new TypeError('dailyLoss: saved trading day is malformed'));
    }
    t.load({ ...saved, tradingDay: 'd', openAt: 1, nextOpenAt: 2 });
    expect(t.save().nextOpenAt).toBe(2);
    for (const start of ['0', '0.00', '-1', 'abc', '1e3', '1.', 'x1', '1x', 7, undefined]) {
      expect(() => t.load({ ...saved, startValue: start }), String(start)).toThrow(
        new TypeError(`dailyLoss: saved start value is not a positive decimal (${String(start)})`),
      );
    }
  });

  it('rule: trips and re-checks from the evidence alone', () => {
    const f = (value: string | null, start: string | null) => ({ value, startValue: start, limit: '-0.05', limitAmount: null, pnl: '-5000' });
    const a = (value: string | null, start: string | null) => ({ value, startValue: start, limit: null, limitAmount: '-3000', pnl: '-3000' });
    expect(dailyLossRule.tripHolds(f('95000', '100000'))).toBe(true);
    expect(dailyLossRule.tripHolds(f('95000.01', '100000'))).toBe(false);
    expect(dailyLossRule.tripHolds(f(null, '100000'))).toBe(false);
    expect(dailyLossRule.tripHolds(f('1', null))).toBe(false);
    expect(dailyLossRule.tripHolds(a('97000', '100000'))).toBe(true);
    expect(dailyLossRule.tripHolds(a('97000.01', '100000'))).toBe(false);
    expect(dailyLossRule.recheck(f(null, '100000'))).toEqual({ passed: false, reason: "no portfolio value yet to re-check today's loss" });
    expect(dailyLossRule.recheck(f('94000', '100000'))).toEqual({
      passed: false,
      reason: "today's loss is still beyond the limit (P&L -5,000.00 from 100,000.00)",
    });
    expect(dailyLossRule.recheck(f('95000.01', '100000'))).toEqual({ passed: true, reason: null });
    expect(dailyLossRule.recheck(f('95000', null))).toEqual({ passed: true, reason: null });
    expect(rule(dailyLossRule).cleared({})).toBe(false);
    expect(dailyLossRule.describe({ pnl: '-5000', pnlFraction: '-0.05', startValue: '100000', limit: '-0.05', limitAmount: null })).toBe(
      'daily P&L -5,000.00 (-5.00%) from start 100,000.00 reached limit -5.00%',
    );
    expect(dailyLossRule.describe({ pnl: '-3000', pnlFraction: '-0.03', startValue: '100000', limit: null, limitAmount: '-3000' })).toBe(
      'daily P&L -3,000.00 (-3.00%) from start 100,000.00 reached limit -3,000.00',
    );
  });
});

describe('order rate', () => {
  it('counts submissions in the window and shows true figures', () => {
    const t = orderRateRule.track({ maxOrders: 3, window: 1, warnAt: 0.5 });
    expect(t.figures(0)).toEqual({
      count: 0,
      limit: 3,
      maxOrders: 3,
      windowSeconds: 1,
      warnAt: 0.5,
      warnCount: 2,
      warned: false,
      nextExpiryInMs: null,
      clearsInMs: null,
    });
    expect([t.observe(100), t.observe(200), t.observe(300), t.observe(400), t.observe(400)]).toEqual([0, Signal.WARN, 0, Signal.TRIP, Signal.TRIP]);
    expect(t.clearsAt(400)).toBe(1200);
    const f = t.figures(500);
    expect(f).toEqual({
      count: 5,
      limit: 3,
      maxOrders: 3,
      windowSeconds: 1,
      warnAt: 0.5,
      warnCount: 2,
      warned: true,
      nextExpiryInMs: 600,
      clearsInMs: 700,
    });
    expect(t.tripEvidence(500)).toEqual(f);
    expect(t.recheckEvidence(500)).toEqual(f);
    expect(t.figures(1200).clearsInMs).toBeNull();
    t.rebaseline();
    expect(t.figures(1200)).toMatchObject({ count: 0, warned: false });
  });

  it('saves and loads its window (untagged entries only)', () => {
    const t = orderRateRule.track({ maxOrders: 3, window: 60, warnAt: 0.8 });
    t.observe(10);
    t.observe(10);
    expect(t.save()).toEqual({ entries: [{ at: 10, count: 2, tag: null }], warned: false });
    const u = orderRateRule.track({ maxOrders: 3, window: 60, warnAt: 0.8 });
    u.load(t.save());
    expect(u.figures(10).count).toBe(2);
    u.load({ entries: [{ at: 1, count: 1 }], warned: true });
    expect(u.figures(1)).toMatchObject({ count: 1, warned: true });
    expect(() => u.load({ entries: [{ at: 1, count: 1, tag: 'broker_error' }], warned: false })).toThrow('rate window: a saved entry is malformed');
  });

  it('rule: over the limit trips; back at the limit it has cleared', () => {
    expect(orderRateRule.tripHolds({ count: 11, maxOrders: 10 })).toBe(true);
    expect(orderRateRule.tripHolds({ count: 10, maxOrders: 10 })).toBe(false);
    expect(rule(orderRateRule).cleared({ count: 10, maxOrders: 10 })).toBe(true);
    expect(rule(orderRateRule).cleared({ count: 11, maxOrders: 10 })).toBe(false);
    expect(rule(orderRateRule).recheck({})).toEqual({ passed: true, reason: null });
    expect(orderRateRule.describe({ count: 11, windowSeconds: 60, maxOrders: 10 })).toBe('11 orders within 60s exceed the limit of 10');
  });
});

describe('error rate', () => {
  it('counts errors by kind and shows true figures', () => {
    const t = errorRateRule.track({ maxErrors: 2, window: 10, warnAt: 1 });
    expect(t.figures(0)).toEqual({
      count: 0,
      limit: 2,
      maxErrors: 2,
      windowSeconds: 10,
      warnAt: 1,
      warnCount: 2,
      warned: false,
      nextExpiryInMs: null,
      byKind: { order_rejected: 0, broker_error: 0, data_error: 0 },
    });
    expect([t.observe(1000, 'broker_error'), t.observe(2000, 'data_error'), t.observe(3000, 'data_error')]).toEqual([0, Signal.WARN, Signal.TRIP]);
    const f = t.figures(3000);
    expect(f).toEqual({
      count: 3,
      limit: 2,
      maxErrors: 2,
      windowSeconds: 10,
      warnAt: 1,
      warnCount: 2,
      warned: true,
      nextExpiryInMs: 8000,
      byKind: { order_rejected: 0, broker_error: 1, data_error: 2 },
    });
    expect(t.tripEvidence(3000)).toEqual(f);
    expect(t.recheckEvidence(3000)).toEqual(f);
    expect(t.clearsAt(3000)).toBe(11_000);
    t.observe(3000);
    expect(t.byKind(3000)).toEqual({ order_rejected: 0, broker_error: 1, data_error: 2 });
    expect(t.figures(3000).count).toBe(4);
    expect(t.byKind(11_000)).toEqual({ order_rejected: 0, broker_error: 0, data_error: 2 });
    expect(t.byKind(12_000)).toEqual({ order_rejected: 0, broker_error: 0, data_error: 1 });
    t.rebaseline();
    expect(t.figures(3000)).toMatchObject({ count: 0, warned: false });
  });

  it('saves and loads its window with kinds, refusing unknown kinds', () => {
    const t = errorRateRule.track({ maxErrors: 5, window: 60, warnAt: 0.8 });
    t.observe(1, 'order_rejected');
    expect(t.save()).toEqual({ entries: [{ at: 1, count: 1, tag: 'order_rejected' }], warned: false });
    const u = errorRateRule.track({ maxErrors: 5, window: 60, warnAt: 0.8 });
    u.load(t.save());
    expect(u.byKind(1)).toEqual({ order_rejected: 1, broker_error: 0, data_error: 0 });
    expect(() => u.load({ entries: [{ at: 1, count: 1, tag: 'oops' }], warned: false })).toThrow('rate window: a saved entry is malformed');
    expect(() => u.load({ entries: [{ at: 1, count: 1, tag: null }], warned: false })).toThrow('rate window: a saved entry is malformed');
  });

  it('rule: needs a manual reset; describes the counts by kind', () => {
    expect(errorRateRule.tripHolds({ count: 11, maxErrors: 10 })).toBe(true);
    expect(errorRateRule.tripHolds({ count: 10, maxErrors: 10 })).toBe(false);
    expect(rule(errorRateRule).cleared({ count: 0, maxErrors: 10 })).toBe(false);
    expect(rule(errorRateRule).recheck({})).toEqual({ passed: true, reason: null });
    expect(errorRateRule.describe({ count: 11, windowSeconds: 60, maxErrors: 10, byKind: { broker_error: 11 } })).toBe(
      '11 errors within 60s exceed the limit of 10 ({"broker_error":11})',
    );
  });
});

describe('manual', () => {
  it('has no figures and describes itself by the operator’s reason', () => {
    expect(manualRule.track()).toBeNull();
    expect(manualRule.tripHolds()).toBe(false);
    expect(manualRule.recheck()).toEqual({ passed: true, reason: null });
    expect(manualRule.cleared()).toBe(false);
    expect(manualRule.describe({ reason: 'fat finger' })).toBe('fat finger');
    expect(manualRule.describe({})).toBe('halted');
  });
});

describe('resetEffects: what a confirmed reset would move, from the figures', () => {
  it('drawdown: the new high-water mark and the trip level at the threshold below it, exactly', () => {
    expect(drawdownRule.resetEffects({ value: '85000', highWaterMark: '101000', tripLevel: '90900', threshold: '-0.1' })).toEqual([
      'The high-water mark moves from 101,000.00 to the current value 85,000.00.',
      'The trip level moves from 90,900.00 to 76,500.00 (-10.00% of the new high-water mark).',
      'The drawdown warning is re-armed.',
    ]);
    expect(drawdownRule.resetEffects({ value: '0.000000000000000000000000000000001', highWaterMark: '2', tripLevel: '1.8', threshold: '-0.05' })[1]).toBe(
      // Never exponent notation (9.5e-34): a figure people read, in the one money format.
      'The trip level moves from 1.80 to 0.00 (-5.00% of the new high-water mark).',
    );
    expect(drawdownRule.resetEffects({ value: null, highWaterMark: null, tripLevel: null, threshold: '-0.1' })).toEqual(['No value yet: the high-water mark is set by the next positive value.']);
    for (const value of ['0', '-5']) {
      expect(drawdownRule.resetEffects({ value, highWaterMark: '10', tripLevel: '9', threshold: '-0.1' })).toEqual([
        `The value ${value} is not positive: it cannot be a high-water mark, so the reset will be refused.`,
      ]);
    }
  });

  it('daily loss: whether the re-check refuses it, and that the start value stays until the next open', () => {
    const f = { startValue: '100000', tripLevel: '95000', limit: '-0.05', limitAmount: null, pnlFraction: '-0.06', pnl: '-6000', value: '94000' };
    expect(dailyLossRule.resetEffects(f)).toEqual([
      "Today's loss is still beyond the limit (P&L -6,000.00): the reset will be refused.",
      'The start-of-day value stays 100,000.00 and the trip level 95,000.00 until the next market open.',
      'The daily-loss warning is re-armed.',
    ]);
    expect(dailyLossRule.resetEffects({ ...f, value: '96000', pnl: '-4000', pnlFraction: '-0.04' })[0]).toBe("Today's loss is within the limit: the re-check passes.");
    expect(dailyLossRule.resetEffects({ ...f, value: null, pnl: null, pnlFraction: null })[0]).toBe('There is no value yet: the reset will be refused.');
  });

  it('order and error rate: the window is cleared; order rate also heals by itself', () => {
    expect(orderRateRule.resetEffects({ count: 11, maxOrders: 10, windowSeconds: 60 })).toEqual([
      'The order window is cleared: 11 orders counted now go to 0 (limit 10 in 60 s).',
      'This breaker also recovers by itself once the window holds no more than the limit.',
    ]);
    expect(errorRateRule.resetEffects({ count: 36, maxErrors: 10, windowSeconds: 60 })).toEqual([
      'The error window is cleared: 36 errors counted now go to 0 (limit 10 in 60 s).',
      'The error-rate warning is re-armed.',
    ]);
  });

  it('stale data, manual and cluster: nothing is re-baselined; each says what lifts it', () => {
    expect(staleDataRule.resetEffects({ ageMs: 40_000, ageSeconds: 40, maxAgeMs: 30_000, maxAge: 30 })).toEqual([
      'The data is still stale (the last portfolio value is 40s old): the reset will be refused until a fresh value arrives.',
      'Nothing is re-baselined: only a fresh portfolio value makes the data fresh (the breaker recovers by itself then).',
    ]);
    expect(staleDataRule.resetEffects({ ageMs: 1000, ageSeconds: 1, maxAgeMs: 30_000, maxAge: 30 })[0]).toBe('A fresh value has arrived: the re-check passes.');
    expect(manualRule.resetEffects({ operator: 'ann', reason: 'drill' })).toEqual(['Lifts the halt set by ann (drill).', 'No figure is re-baselined; the other breakers keep their state.']);
    expect(manualRule.resetEffects({ operator: 'ann', reason: null })[0]).toBe('Lifts the halt set by ann.');
    expect(manualRule.resetEffects({ operator: null })[0]).toBe('Lifts the manual halt.');
    expect(clusterRule.resetEffects({ scope: 'desk/fx' })).toEqual(['Halted at desk/fx: a local reset is refused; lift it with a two-step reset at that scope (breakerbox firm reset).']);
    expect(clusterRule.resetEffects({ scope: null })).toEqual(['Recovers by itself once the link and the bucket are back and no halt is set; nothing is re-baselined.']);
  });
});

describe('rate warning level', () => {
  it('is ceil(warnAt × limit) computed exactly: 0.07 of 100 warns at 7, not 8 (7.000000000000001 in floating point)', () => {
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(new RateTracker(100, 60, 0.07).warnCount).toBe(7);
    expect(new RateTracker(100, 60, 0.8).warnCount).toBe(80);
    expect(new RateTracker(10, 60, 0.55).warnCount).toBe(6);
    expect(new RateTracker(3, 60, 0.1).warnCount).toBe(1);
    const t = new RateTracker(100, 60, 0.07);
    const signals = Array.from({ length: 8 }, (_, i) => t.record(i));
    expect(signals.indexOf(Signal.WARN)).toBe(6);
  });
});
