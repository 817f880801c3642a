/**
 * The trade-losses breaker (as Freqtrade's StoplossGuard) through the public API, on the manual
 * clock: the losing fill (realizedPnl < 0) that makes the count of losing fills in the lookback
 * (t − lookback, t] REACH maxLosses trips it; fills without realizedPnl or with realizedPnl ≥ 0 do
 * not count; the sum of the losses is exact; late fills count when recorded; a confirmed reset
 * clears the lookback; the lookback survives a restart; every view words it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { alertPayload } from '../../src/alerts/payload.ts';
import { describeAlert } from '../../src/alerts/format.ts';
import { breakerFigures, formatStatus } from '../../src/cli/format.ts';
import { BreakerboxMetrics } from '../../src/metrics/metrics.ts';
import { parsePrometheus, sampleValue } from '../../src/metrics/parse.ts';
import { dashboardView } from '../../src/present/dashboardView.ts';
import { detailText } from '../../src/present/journalText.ts';
import { harness, ORDER, only } from '../helpers.ts';

const FILL = Object.freeze({ symbol: 'AAPL', side: 'sell' as const, quantity: 1, price: 100 });
const loss = (pnl: string | number) => ({ ...FILL, realizedPnl: pnl });
const config = (over: object = {}) => ({ breakers: only({ tradeLosses: { maxLosses: 3, lookback: 60, ...over } }) });
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

describe('trade losses: the exact boundary (reaching trips)', () => {
  it('maxLosses − 1 losing fills pass; the losing fill that makes the count reach maxLosses trips, with the exact sum', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.recordFill(loss('-0.1'));
    h.clock.advance(1000);
    h.rt.recordFill(loss('-0.2'));
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 2, maxLosses: 3, lossSum: '-0.3' } });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    h.clock.advance(1000);
    h.rt.recordFill(loss('-1000000000000.000000001'));
    expect(h.rt.status().breakers.tradeLosses.state).toBe('TRIPPED');
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'tradeLosses' });
    expect(h.cancels).toEqual([expect.objectContaining({ breaker: 'tradeLosses' })]);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(trip.details).toMatchObject({ count: 3, maxLosses: 3, lookbackSeconds: 60, lossSum: '-1000000000000.300000001', nextExpiryInMs: 58_000 });
    expect(trip.details.fill).toMatchObject({ realizedPnl: '-1000000000000.000000001' });
    expect(h.rt.status().breakers.tradeLosses.reason).toBe('3 losing fills within 60s reach the limit of 3 (losses -1,000,000,000,000.30)');
  });

  it('fills without realizedPnl, with 0, "-0" or a profit never count', async () => {
    const h = await harness(config({ maxLosses: 1 }));
    h.rt.recordFill(FILL);
    h.rt.recordFill(loss(0));
    h.rt.recordFill(loss('-0'));
    h.rt.recordFill(loss('0.00'));
    h.rt.recordFill(loss('250.5'));
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 0, lossSum: '0', nextExpiryInMs: null } });
    h.rt.recordFill(loss('-0.00000001'));
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'TRIPPED', figures: { count: 1, lossSum: '-0.00000001' } });
  });

  it('lookback edges (t − lookback, t]: a loss exactly `lookback` old has left, one a millisecond younger has not', async () => {
    const left = await harness(config());
    left.rt.recordFill(loss(-1));
    left.rt.recordFill(loss(-1));
    left.clock.advance(60_000);
    left.rt.recordFill(loss(-1));
    expect(left.rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 1, lossSum: '-1' } });

    const inside = await harness(config());
    inside.rt.recordFill(loss(-1));
    inside.rt.recordFill(loss(-1));
    inside.clock.advance(59_999);
    inside.rt.recordFill(loss(-1));
    expect(inside.rt.status().breakers.tradeLosses).toMatchObject({ state: 'TRIPPED', figures: { count: 3, lossSum: '-3' } });
  });

  it('warns once when the count first reaches warnAt × maxLosses (computed exactly)', async () => {
    const h = await harness(config({ maxLosses: 10, warnAt: 0.7 }));
    for (let i = 0; i < 6; i++) h.rt.recordFill(loss(-2));
    expect(h.types()).not.toContain('CircuitBreakerWarning');
    h.rt.recordFill(loss(-2));
    h.rt.recordFill(loss(-2));
    const warnings = h.events.filter((e) => e.type === 'CircuitBreakerWarning');
    expect(warnings.map((w) => [w.breaker, w.details.count, w.details.lossSum])).toEqual([['tradeLosses', 7, '-14']]);
    expect(describeAlert(alertPayload(warnings[0]!)!)).toBe('TRADE LOSSES breaker WARNING on alpha-1: 7 losing fills in 60s (limit 10; losses -14.00)');
    expect(h.rt.status().breakers.tradeLosses.figures).toMatchObject({ warnCount: 7, warned: true });
  });

  it('with warnAt × maxLosses at the limit the trip comes first: no separate warning', async () => {
    const h = await harness(config({ maxLosses: 3, warnAt: 0.8 })); // ceil(2.4) = 3
    for (let i = 0; i < 3; i++) h.rt.recordFill(loss(-1));
    expect(h.types()).toEqual(['CircuitBreakerTripped']);
  });
});

describe('trade losses: resets', () => {
  it('stays TRIPPED after the lookback has emptied; a confirmed reset clears it and re-arms the warning', async () => {
    const h = await harness(config({ maxLosses: 5, warnAt: 0.6 }));
    for (let i = 0; i < 5; i++) h.rt.recordFill(loss(-3));
    const warnings = () => h.events.filter((e) => e.type === 'CircuitBreakerWarning').map((e) => e.details.count);
    expect(warnings()).toEqual([3]); // ceil(0.6 × 5), before the trip
    h.clock.advance(3_600_000);
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'TRIPPED', figures: { count: 0, lossSum: '0' } });
    h.rt.recordFill(loss(-4)); // still counted while tripped
    const { token } = h.rt.requestReset({ breaker: 'tradeLosses', operator: 'ann' });
    expect(dashboardView(h.rt.status()).breakers.find((b) => b.type === 'tradeLosses')!.resetEffects).toEqual([
      'The lookback is cleared: 1 losing fills counted now go to 0 (limit 5 in 60 s).',
      'The trade-losses warning is re-armed.',
    ]);
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 0, warned: false } });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    h.rt.recordFill(loss(-1));
    h.rt.recordFill(loss(-1));
    expect(warnings()).toEqual([3]);
    h.rt.recordFill(loss(-1));
    expect(warnings()).toEqual([3, 3]); // re-armed by the reset
    expect(h.rt.status().breakers.tradeLosses.state).toBe('NORMAL');
  });

  it('a reset confirmed with losses still inside the lookback passes: the lookback is cleared', async () => {
    const h = await harness(config());
    for (let i = 0; i < 7; i++) h.rt.recordFill(loss(-1));
    const { token } = h.rt.requestReset({ breaker: 'tradeLosses', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true });
    h.rt.recordFill(loss(-1));
    h.rt.recordFill(loss(-1));
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 2 } });
  });
});

describe('trade losses: autoReset (StoplossGuard\'s lock that expires)', () => {
  it('`after` seconds in TRIPPED it resets itself (the re-check passes: the lookback is cleared); not a millisecond before', async () => {
    const h = await harness(config({ maxLosses: 2, autoReset: { after: 30 } }));
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.recordFill(loss(-1));
    h.rt.recordFill(loss(-1));
    expect(h.rt.status().breakers.tradeLosses.state).toBe('TRIPPED');
    h.clock.advance(10_000);
    h.rt.recordFill(loss(-5)); // counted while tripped; cleared with the rest
    h.clock.advance(19_999);
    expect(h.rt.status().breakers.tradeLosses.state).toBe('TRIPPED');
    expect(h.rt.check(ORDER).allowed).toBe(false);
    h.clock.advance(1);
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 0, lossSum: '0', warned: false } });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    const auto = h.events.filter((e) => e.type === 'AutoReset');
    expect(auto.map((e) => [e.breaker, e.details.passed, e.details.count, e.details.lossSum])).toEqual([['tradeLosses', true, 3, '-7']]);
    // The limit holds again from zero.
    h.rt.recordFill(loss(-1));
    expect(h.rt.status().breakers.tradeLosses.state).toBe('NORMAL');
    h.rt.recordFill(loss(-1));
    expect(h.rt.status().breakers.tradeLosses.state).toBe('TRIPPED');
  });
});

describe('trade losses: late fills', () => {
  it('a late losing fill counts from the instant it is recorded, for a whole lookback', async () => {
    const h = await harness(config({ maxLosses: 2 }));
    h.rt.recordFill(loss(-1));
    h.clock.advance(1000);
    h.rt.recordFill({ ...loss(-2), timestamp: h.clock.now() - 3_600_000 }); // executed an hour ago
    expect(h.rt.status().breakers.tradeLosses).toMatchObject({ state: 'TRIPPED', figures: { count: 2, lossSum: '-3', nextExpiryInMs: 59_000 } });
  });
});

describe('trade losses: restarts (LevelDB)', () => {
  it('the losses, their sum and a trip survive a restart; time passed while down ages the lookback', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbx-losses-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, ...config() });
    let rt: RiskRuntime = await open();
    rt.recordFill(loss('-10.25'));
    clock.advance(30_000);
    rt.recordFill(loss('-0.75'));
    rt.recordFill(loss('5'));
    await rt.stop();
    clock.advance(10_000);
    rt = await open();
    expect(rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 2, lossSum: '-11', nextExpiryInMs: 20_000 } });
    clock.advance(20_000); // the first loss leaves
    rt.recordFill(loss(-1));
    expect(rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 2, lossSum: '-1.75' } });
    rt.recordFill(loss(-1));
    expect(rt.status().breakers.tradeLosses.state).toBe('TRIPPED');
    await rt.stop();
    rt = await open();
    expect(rt.status().breakers.tradeLosses).toMatchObject({ state: 'TRIPPED', reason: '3 losing fills within 60s reach the limit of 3 (losses -2.75)', figures: { count: 3, lossSum: '-2.75' } });
    await rt.stop();
  });
});

describe('trade losses: where it shows', () => {
  it('status, the CLI line, the dashboard, the journal, the alert text and the metrics', async () => {
    const h = await harness(config());
    const metrics = new BreakerboxMetrics({ defaultMetrics: false });
    cleanup.push(async () => metrics.untrackAll());
    metrics.track(h.rt);
    h.rt.recordFill(loss('-1250.5'));
    h.clock.advance(15_000);
    h.rt.recordFill(loss('-0.25'));
    const status = h.rt.status();
    expect(breakerFigures(status, 'tradeLosses')).toBe('2/3 losses in 60s (sum -1,250.75), oldest leaves in 45s');
    expect(formatStatus(status)).toMatch(/tradeLosses\s+NORMAL .*2\/3 losses in 60s/);
    const view = dashboardView(status).breakers.find((b) => b.type === 'tradeLosses')!;
    expect(view).toMatchObject({
      name: 'Trade losses',
      figure: '2 / 3 losing fills in 60 s',
      details: ['losses -1,250.75', 'oldest leaves the lookback in 45 s'],
      meter: { label: 'losing fills in the lookback', level: 'ok', text: '67% of the limit' },
    });
    let families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_window_count', { strategy: 'alpha-1', breaker: 'tradeLosses' })).toBe(2);
    expect(sampleValue(families, 'breakerbox_window_limit', { strategy: 'alpha-1', breaker: 'tradeLosses' })).toBe(3);
    expect(sampleValue(families, 'breakerbox_window_next_expiry_seconds', { strategy: 'alpha-1', breaker: 'tradeLosses' })).toBe(45);
    expect(sampleValue(families, 'breakerbox_breaker_limit_use_ratio', { strategy: 'alpha-1', breaker: 'tradeLosses' })).toBeCloseTo(2 / 3, 9);
    h.rt.recordFill(loss(-1));
    families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_trips_total', { strategy: 'alpha-1', breaker: 'tradeLosses' })).toBe(1);
    expect(sampleValue(families, 'breakerbox_breaker_limit_use_ratio', { strategy: 'alpha-1', breaker: 'tradeLosses' })).toBe(1);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(describeAlert(alertPayload(trip)!)).toBe('TRADE LOSSES breaker TRIPPED on alpha-1: 3 losing fills in 60s (limit 3; losses -1,251.75)');
    expect(detailText(trip)).toBe('3 losing fills within 60s reach the limit of 3 (losses -1,251.75)');
    expect(dashboardView(h.rt.status()).breakers.find((b) => b.type === 'tradeLosses')!.meter).toMatchObject({ level: 'over', text: '100% of the limit' });
    expect(describeAlert({ ...alertPayload(trip)!, details: { count: 3, lossSum: { x: 1 } } })).toBe('TRADE LOSSES breaker TRIPPED on alpha-1: 3 losing fills in ?s (limit ?; losses {"x":1})');
  });
});
