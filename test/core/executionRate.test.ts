/**
 * The execution-rate breaker (RTS 6 Art 15(3)) through the public API, on the manual clock: the
 * fill that makes the window (t − window, t] hold more than maxFills trips it; only an operator's
 * confirmed reset re-enables trading; late fills count when recorded; the window survives a
 * restart; every view words it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createRiskRuntime, InvalidInputError, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { alertPayload } from '../../src/alerts/payload.ts';
import { describeAlert } from '../../src/alerts/format.ts';
import { breakerFigures, formatStatus } from '../../src/cli/format.ts';
import { BreakerboxMetrics } from '../../src/metrics/metrics.ts';
import { parsePrometheus, sampleValue } from '../../src/metrics/parse.ts';
import { dashboardView } from '../../src/present/dashboardView.ts';
import { detailText } from '../../src/present/journalText.ts';
import { harness, ORDER, only } from '../helpers.ts';

const FILL = Object.freeze({ symbol: 'AAPL', side: 'buy' as const, quantity: 1, price: 100 });
const config = (over: object = {}) => ({ breakers: only({ executionRate: { maxFills: 3, window: 10, ...over } }) });
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

describe('execution rate: the exact boundary', () => {
  it('exactly maxFills fills in the window pass; the fill that makes the count exceed it trips, and orders are rejected', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 3; i++) {
      h.rt.recordFill(FILL);
      h.clock.advance(1000);
    }
    expect(h.rt.status().breakers.executionRate).toMatchObject({ state: 'NORMAL', figures: { count: 3, maxFills: 3, windowSeconds: 10 } });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    h.rt.recordFill(FILL); // at 3 s: the 4th within 10 s
    expect(h.rt.status().breakers.executionRate.state).toBe('TRIPPED');
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'executionRate', state: 'TRIPPED' });
    expect(h.cancels).toEqual([expect.objectContaining({ breaker: 'executionRate' })]);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(trip.details).toMatchObject({ count: 4, maxFills: 3, windowSeconds: 10, fill: { symbol: 'AAPL', side: 'buy', quantity: '1' } });
    expect(h.rt.status().breakers.executionRate.reason).toBe('4 fills within 10s exceed the limit of 3');
  });

  it('window edges (t − window, t]: a fill exactly `window` old has left, one a millisecond younger has not', async () => {
    const left = await harness(config());
    for (let i = 0; i < 3; i++) left.rt.recordFill(FILL); // all at t0
    left.clock.advance(10_000); // t0 = t − window: out
    left.rt.recordFill(FILL);
    expect(left.rt.status().breakers.executionRate).toMatchObject({ state: 'NORMAL', figures: { count: 1 } });

    const inside = await harness(config());
    for (let i = 0; i < 3; i++) inside.rt.recordFill(FILL);
    inside.clock.advance(9_999);
    inside.rt.recordFill(FILL);
    expect(inside.rt.status().breakers.executionRate).toMatchObject({ state: 'TRIPPED', figures: { count: 4 } });
  });

  it('warns once when the window first holds warnAt × maxFills', async () => {
    const h = await harness({ breakers: only({ executionRate: { maxFills: 10, window: 60, warnAt: 0.7 } }) });
    for (let i = 0; i < 6; i++) h.rt.recordFill(FILL);
    expect(h.types()).not.toContain('CircuitBreakerWarning');
    h.rt.recordFill(FILL); // 7 = 0.7 × 10 exactly
    h.rt.recordFill(FILL);
    const warnings = h.events.filter((e) => e.type === 'CircuitBreakerWarning');
    expect(warnings.map((w) => [w.breaker, w.details.count, w.details.maxFills])).toEqual([['executionRate', 7, 10]]);
    expect(describeAlert(alertPayload(warnings[0]!)!)).toBe('EXECUTION RATE breaker WARNING on alpha-1: 7 fills in 60s (max 10)');
  });
});

describe('execution rate: only an operator re-enables trading', () => {
  it('stays TRIPPED after the window has emptied, counting fills; a confirmed reset clears the window and passes', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 4; i++) h.rt.recordFill(FILL);
    h.clock.advance(3_600_000);
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.status().breakers.executionRate).toMatchObject({ state: 'TRIPPED', figures: { count: 0 } });
    expect(h.rt.check(ORDER).allowed).toBe(false);
    for (let i = 0; i < 5; i++) h.rt.recordFill(FILL); // still counted while tripped
    expect(h.rt.status().breakers.executionRate.figures).toMatchObject({ count: 5 });
    expect(h.types()).not.toContain('CircuitBreakerRecovered');
    const { token } = h.rt.requestReset({ breaker: 'executionRate', operator: 'ann' });
    expect(dashboardView(h.rt.status()).breakers.find((b) => b.type === 'executionRate')!.resetEffects).toEqual([
      'The fill window is cleared: 5 fills counted now go to 0 (limit 3 in 10 s).',
      'Confirming re-enables trading (RTS 6 Art 15(3)): this breaker never resets by itself.',
    ]);
    // The re-check passes although the window held more than maxFills: the reset clears it.
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(h.rt.status().breakers.executionRate).toMatchObject({ state: 'NORMAL', figures: { count: 0, warned: false } });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    // The warning is re-armed and the limit holds again from zero.
    h.rt.recordFill(FILL);
    h.rt.recordFill(FILL);
    h.rt.recordFill(FILL);
    expect(h.rt.status().breakers.executionRate.state).toBe('NORMAL');
    h.rt.recordFill(FILL);
    expect(h.rt.status().breakers.executionRate.state).toBe('TRIPPED');
  });

  it('refuses autoReset in its config (manualResetOnly)', async () => {
    await expect(createRiskRuntime({ strategy: 'x', clock: new ManualClock(), logger: silentLogger, ...config({ autoReset: { after: 60 } }) })).rejects.toThrow(ConfigError);
    await expect(createRiskRuntime({ strategy: 'x', clock: new ManualClock(), logger: silentLogger, ...config({ autoReset: { after: 60 } }) })).rejects.toThrow(/breakers\.executionRate\.autoReset/);
  });
});

describe('execution rate: late fills and fills from the future', () => {
  it('a late fill counts at the instant it is recorded, not at its execution time', async () => {
    const h = await harness(config({ maxFills: 1 }));
    h.rt.recordFill(FILL);
    h.clock.advance(1000);
    // Executed a minute ago (outside the 10 s window by its own time): counted now, so it trips.
    h.rt.recordFill({ ...FILL, timestamp: h.clock.now() - 60_000 });
    expect(h.rt.status().breakers.executionRate).toMatchObject({ state: 'TRIPPED', figures: { count: 2, nextExpiryInMs: 9000 } });
  });

  it('a fill from beyond the allowed skew is refused and not counted', async () => {
    const h = await harness(config({ maxFills: 1 }));
    h.rt.recordFill(FILL);
    expect(() => h.rt.recordFill({ ...FILL, timestamp: h.clock.now() + 60_000 })).toThrow(InvalidInputError);
    expect(h.rt.status().breakers.executionRate).toMatchObject({ state: 'NORMAL', figures: { count: 1 } });
  });
});

describe('execution rate: restarts (LevelDB)', () => {
  it('the window and a trip survive a restart; time passed while down ages the window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbx-exec-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, ...config() });
    let rt: RiskRuntime = await open();
    rt.recordFill(FILL);
    clock.advance(4000);
    rt.recordFill(FILL);
    rt.recordFill(FILL);
    await rt.stop();
    clock.advance(2000); // down for 2 s
    rt = await open();
    expect(rt.status().breakers.executionRate).toMatchObject({ state: 'NORMAL', figures: { count: 3, nextExpiryInMs: 4000 } });
    clock.advance(3999);
    rt.recordFill(FILL); // the first fill is 9.999 s old: 4 in the window
    expect(rt.status().breakers.executionRate).toMatchObject({ state: 'TRIPPED', figures: { count: 4 } });
    await rt.stop();
    clock.advance(60_000);
    rt = await open();
    expect(rt.status().breakers.executionRate).toMatchObject({ state: 'TRIPPED', reason: '4 fills within 10s exceed the limit of 3', figures: { count: 0 } });
    expect(rt.check(ORDER).allowed).toBe(false);
    await rt.stop();
  });
});

describe('execution rate: where it shows', () => {
  it('status, the CLI line, the dashboard, the journal, the alert text and the metrics', async () => {
    const h = await harness(config());
    const metrics = new BreakerboxMetrics({ defaultMetrics: false });
    cleanup.push(async () => metrics.untrackAll());
    metrics.track(h.rt);
    h.rt.recordFill(FILL);
    h.clock.advance(2500);
    h.rt.recordFill(FILL);
    const status = h.rt.status();
    expect(breakerFigures(status, 'executionRate')).toBe('2/3 fills in 10s, clears in 8s');
    expect(formatStatus(status)).toMatch(/executionRate\s+NORMAL .*2\/3 fills in 10s/);
    const view = dashboardView(status).breakers.find((b) => b.type === 'executionRate')!;
    expect(view).toMatchObject({ name: 'Execution rate', figure: '2 / 3 fills in 10 s', details: ['oldest leaves the window in 8 s'], meter: { label: 'fills in the window', level: 'ok', text: '67% of the limit' } });
    let families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_window_count', { strategy: 'alpha-1', breaker: 'executionRate' })).toBe(2);
    expect(sampleValue(families, 'breakerbox_window_limit', { strategy: 'alpha-1', breaker: 'executionRate' })).toBe(3);
    expect(sampleValue(families, 'breakerbox_window_next_expiry_seconds', { strategy: 'alpha-1', breaker: 'executionRate' })).toBe(7.5);
    expect(sampleValue(families, 'breakerbox_breaker_limit_use_ratio', { strategy: 'alpha-1', breaker: 'executionRate' })).toBeCloseTo(2 / 3, 9);
    h.rt.recordFill(FILL);
    h.rt.recordFill(FILL);
    families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_trips_total', { strategy: 'alpha-1', breaker: 'executionRate' })).toBe(1);
    expect(sampleValue(families, 'breakerbox_breaker_state', { strategy: 'alpha-1', breaker: 'executionRate', state: 'TRIPPED' })).toBe(1);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(describeAlert(alertPayload(trip)!)).toBe('EXECUTION RATE breaker TRIPPED on alpha-1: 4 fills in 10s (max 3)');
    expect(detailText(trip)).toBe('4 fills within 10s exceed the limit of 3');
    expect(dashboardView(h.rt.status()).breakers.find((b) => b.type === 'executionRate')!.meter).toMatchObject({ level: 'over', text: '133% of the limit' });
    // Malformed details never throw.
    expect(describeAlert({ ...alertPayload(trip)!, details: { count: 'x', maxFills: null } })).toBe('EXECUTION RATE breaker TRIPPED on alpha-1: ? fills in ?s (max ?)');
  });
});
