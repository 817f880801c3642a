/**
 * The order-to-trade breaker through the public API, on the manual clock: over (t − window, t],
 * submissions ÷ max(fills, 1) exceeding maxRatio with at least minOrders submissions trips it at
 * the submission that makes it so; a ratio of exactly maxRatio passes; it heals itself when a fill
 * or the window brings the ratio back; the windows survive a restart; every view words it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { alertPayload } from '../../src/alerts/payload.ts';
import { describeAlert } from '../../src/alerts/format.ts';
import { breakerFigures, formatStatus } from '../../src/cli/format.ts';
import { BreakerboxMetrics } from '../../src/metrics/metrics.ts';
import { parsePrometheus, sampleValue } from '../../src/metrics/parse.ts';
import { dashboardView } from '../../src/present/dashboardView.ts';
import { detailText } from '../../src/present/journalText.ts';
import { harness, ORDER, only } from '../helpers.ts';

const FILL = Object.freeze({ symbol: 'AAPL', side: 'buy' as const, quantity: 1, price: 100 });
const config = (over: object = {}) => ({ breakers: only({ orderToTrade: { maxRatio: 3, window: 10, minOrders: 4, ...over } }) });
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});
const state = (rt: RiskRuntime) => rt.status().breakers.orderToTrade!.state;

describe('order-to-trade: the exact boundary', () => {
  it('minOrders − 1 submissions never trip, however few the fills', async () => {
    const h = await harness(config({ minOrders: 5, maxRatio: 1 }));
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 4; i++) expect(h.rt.check(ORDER).allowed).toBe(true);
    expect(h.rt.status().breakers.orderToTrade).toMatchObject({ state: 'NORMAL', figures: { orders: 4, fills: 0, ratio: 4 } });
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'orderToTrade', state: 'TRIPPED' });
  });

  it('a ratio of exactly maxRatio passes; the submission that makes it exceed trips and is itself rejected', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.recordFill(FILL);
    h.rt.recordFill(FILL);
    for (let i = 0; i < 6; i++) expect(h.rt.check(ORDER).allowed).toBe(true); // 6 / 2 = 3: exactly the limit
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'orderToTrade', state: 'TRIPPED' });
    expect(h.cancels).toHaveLength(1);
    expect(h.events.find((e) => e.type === 'CircuitBreakerTripped')!.details).toMatchObject({ orders: 7, fills: 2, maxRatio: 3, minOrders: 4, windowSeconds: 10 });
  });

  it('decides exactly on a fractional ratio (1.15 × 20 is 23, not 22.999…)', async () => {
    const h = await harness(config({ maxRatio: 1.15, minOrders: 1 }));
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 20; i++) h.rt.recordFill(FILL);
    for (let i = 0; i < 23; i++) expect(h.rt.check(ORDER).allowed).toBe(true);
    expect(h.rt.check(ORDER).allowed).toBe(false);
  });

  it('window edges (t − window, t]: a fill 10 s old no longer counts, one 9.999 s old does', async () => {
    const h = await harness(config({ maxRatio: 2, minOrders: 1 }));
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.recordFill(FILL);
    h.clock.advance(9_999);
    expect(h.rt.check(ORDER).allowed).toBe(true);
    expect(h.rt.check(ORDER).allowed).toBe(true); // 2 / 1
    h.clock.advance(1); // the fill leaves: 2 / max(0, 1) = 2 still passes
    expect(h.rt.status().breakers.orderToTrade!.figures).toMatchObject({ orders: 2, fills: 0, ratio: 2 });
    expect(h.rt.check(ORDER).allowed).toBe(false); // 3 / 1
  });

  it('counts every well-formed submission, allowed or rejected; not malformed ones', async () => {
    const h = await harness(config({ maxRatio: 100, minOrders: 1 }));
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.halt({ operator: 'ann', reason: 'test' });
    for (let i = 0; i < 3; i++) expect(h.rt.check(ORDER).allowed).toBe(false);
    h.rt.check({ symbol: 'AAPL', side: 'up', quantity: 1 } as never);
    expect(h.rt.status().breakers.orderToTrade!.figures).toMatchObject({ orders: 3 });
  });

  it('warns once when the ratio first reaches warnAt × maxRatio', async () => {
    const h = await harness(config({ maxRatio: 10, minOrders: 1, warnAt: 0.5 }));
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 4; i++) h.rt.check(ORDER);
    expect(h.types()).not.toContain('CircuitBreakerWarning');
    h.rt.check(ORDER); // 5 / 1 = 0.5 × 10
    h.rt.check(ORDER);
    expect(h.types().filter((t) => t === 'CircuitBreakerWarning')).toHaveLength(1);
    expect(describeAlert(alertPayload(h.events.find((e) => e.type === 'CircuitBreakerWarning')!)!)).toBe('ORDER-TO-TRADE breaker WARNING on alpha-1: 5 orders to 0 fills in 10s (ratio 5, max 10)');
  });

  it('refuses settings it cannot decide on exactly', async () => {
    for (const bad of [{ maxRatio: 0 }, { maxRatio: 1.0000001 }, { minOrders: 0 }, { window: 0 }, { maxRatios: 3 }]) {
      await expect(createRiskRuntime({ strategy: 'x', clock: new ManualClock(), logger: silentLogger, ...config(bad) })).rejects.toThrow(ConfigError);
    }
  });
});

describe('order-to-trade: recovery', () => {
  it('a fill that brings the ratio back recovers it at once; the window moving on at the exact instant', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 4; i++) h.rt.check(ORDER); // 4 / 1 > 3
    expect(state(h.rt)).toBe('TRIPPED');
    h.rt.recordFill(FILL); // 4 / 1 still
    expect(state(h.rt)).toBe('TRIPPED');
    h.rt.recordFill(FILL); // 4 / 2 = 2
    expect(state(h.rt)).toBe('NORMAL');
    const moves = h.events.filter((e) => e.type === 'StateChanged' && e.breaker === 'orderToTrade').map((e) => `${e.details.from}->${e.details.to}`);
    expect(moves).toEqual(['NORMAL->TRIPPED', 'TRIPPED->RESETTING', 'RESETTING->NORMAL']);
    expect(h.types()).toContain('CircuitBreakerRecovered');
    // Trips again at once when the fills leave before the orders? They all arrived together: all leave together.
    h.clock.advance(10_000);
    for (let i = 0; i < 4; i++) h.rt.check(ORDER);
    expect(state(h.rt)).toBe('TRIPPED');
    expect(h.rt.status().breakers.orderToTrade!.figures).toMatchObject({ clearsInMs: 10_000 });
    h.clock.advance(9_999);
    expect(state(h.rt)).toBe('TRIPPED');
    h.clock.advance(1);
    expect(state(h.rt)).toBe('NORMAL');
  });

  it('clears at the first instant the condition no longer holds, fills leaving first included', async () => {
    const h = await harness(config({ maxRatio: 2, minOrders: 1 }));
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.recordFill(FILL);
    h.rt.recordFill(FILL); // fills at 0 s
    h.clock.advance(5_000);
    for (let i = 0; i < 5; i++) h.rt.check(ORDER); // orders at 5 s: 5 / 2 > 2
    expect(state(h.rt)).toBe('TRIPPED');
    // At 10 s the fills leave (5 / 1), at 15 s the orders: the first clear instant is 15 s.
    expect(h.rt.status().breakers.orderToTrade!.figures).toMatchObject({ clearsInMs: 10_000 });
    h.clock.advance(9_999);
    expect(state(h.rt)).toBe('TRIPPED');
    h.clock.advance(1);
    expect(state(h.rt)).toBe('NORMAL');
  });

  it('a confirmed reset clears both windows', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 4; i++) h.rt.check(ORDER);
    const { token } = h.rt.requestReset({ breaker: 'orderToTrade', operator: 'ann' });
    expect(dashboardView(h.rt.status()).breakers.find((b) => b.type === 'orderToTrade')!.resetEffects).toEqual([
      'The order and fill windows are cleared: 4 orders and 0 fills counted now go to 0 (max ratio 3 in 10 s).',
      'This breaker also recovers by itself once the ratio falls back to the limit (a fill, or the window moving on).',
    ]);
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(h.rt.status().breakers.orderToTrade!.figures).toMatchObject({ orders: 0, fills: 0 });
  });
});

describe('order-to-trade: restarts (LevelDB)', () => {
  it('both windows and a trip survive a restart; time passed while down ages them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbx-otr-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, ...config() });
    let rt: RiskRuntime = await open();
    rt.updatePortfolio({ value: 1000 });
    rt.recordFill(FILL);
    clock.advance(4_000);
    for (let i = 0; i < 3; i++) rt.check(ORDER);
    await rt.stop();
    clock.advance(2_000);
    rt = await open();
    expect(rt.status().breakers.orderToTrade).toMatchObject({ state: 'NORMAL', figures: { orders: 3, fills: 1, nextExpiryInMs: 4_000 } });
    clock.advance(4_000); // the fill leaves
    rt.updatePortfolio({ value: 1000 });
    expect(rt.check(ORDER).allowed).toBe(false); // 4 / 1 > 3
    await rt.stop();
    clock.advance(1_000);
    rt = await open();
    expect(rt.status().breakers.orderToTrade).toMatchObject({ state: 'TRIPPED', figures: { orders: 4, fills: 0, clearsInMs: 3_000 } });
    clock.advance(3_000);
    expect(state(rt)).toBe('NORMAL');
    await rt.stop();
  });
});

describe('order-to-trade: where it shows', () => {
  it('status, the CLI line, the dashboard, the journal, the alert text and the metrics', async () => {
    const h = await harness(config());
    const metrics = new BreakerboxMetrics({ defaultMetrics: false });
    cleanup.push(async () => metrics.untrackAll());
    metrics.track(h.rt);
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.recordFill(FILL);
    for (let i = 0; i < 2; i++) h.rt.check(ORDER);
    const status = h.rt.status();
    expect(breakerFigures(status, 'orderToTrade')).toBe('2 orders/1 fills in 10s (ratio 2, max 3, min 4 orders)');
    expect(formatStatus(status)).toMatch(/orderToTrade\s+NORMAL .*2 orders\/1 fills/);
    const view = dashboardView(status).breakers.find((b) => b.type === 'orderToTrade')!;
    expect(view).toMatchObject({ name: 'Order-to-trade', figure: '2 orders / 1 fills in 10 s (ratio 2, max 3)', details: ['below 4 orders: never trips', 'oldest leaves the window in 10 s'] });
    let families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_breaker_limit_use_ratio', { strategy: 'alpha-1', breaker: 'orderToTrade' })).toBe(0);
    for (let i = 0; i < 2; i++) h.rt.check(ORDER); // 4 / 1
    families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_trips_total', { strategy: 'alpha-1', breaker: 'orderToTrade' })).toBe(1);
    expect(sampleValue(families, 'breakerbox_breaker_limit_use_ratio', { strategy: 'alpha-1', breaker: 'orderToTrade' })).toBeCloseTo(4 / 3, 9);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(describeAlert(alertPayload(trip)!)).toBe('ORDER-TO-TRADE breaker TRIPPED on alpha-1: 4 orders to 1 fills in 10s (ratio 4, max 3)');
    expect(detailText(trip)).toBe('4 orders to 1 fills within 10s (ratio 4) exceed the order-to-trade limit of 3');
    expect(breakerFigures(h.rt.status(), 'orderToTrade')).toBe('4 orders/1 fills in 10s (ratio 4, max 3, min 4 orders), clears in 10s');
    // Malformed details never throw.
    expect(describeAlert({ ...alertPayload(trip)!, details: { orders: 'x', maxRatio: null } })).toBe('ORDER-TO-TRADE breaker TRIPPED on alpha-1: ? orders to ? fills in ?s (ratio ?, max ?)');
    h.rt.recordFill(FILL); // 4 / 2: recovers
    const recovered = h.events.find((e) => e.type === 'CircuitBreakerRecovered')!;
    expect(describeAlert(alertPayload(recovered)!)).toBe('ORDER-TO-TRADE breaker RECOVERED on alpha-1: back to NORMAL');
    expect(recovered.details).toMatchObject({ orders: 4, fills: 2 });
  });
});
