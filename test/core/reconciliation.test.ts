/**
 * The reconciliation breaker (RTS 6 Art 17) through the public API, on the manual clock: a
 * position report must agree, within `tolerance` per symbol, with the last agreeing report plus
 * the fills executed after it up to the report's asOf; a mismatch trips `grace` seconds after it
 * opened unless a later report agrees; every mismatch is listed; a confirmed reset takes the
 * newest report as the baseline; a mismatch in progress survives a restart.
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

const config = (over: object = {}) => ({ breakers: only({ reconciliation: { tolerance: '0.5', grace: 30, ...over } }) });
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});
type Rt = Pick<RiskRuntime, 'updatePortfolio' | 'recordFill' | 'status'>;
/** A position report as of `asOf` (default: now). */
const report = (rt: Rt, positions: Record<string, string | number>, asOf?: number) =>
  rt.updatePortfolio({ value: 1000, positions: Object.entries(positions).map(([symbol, quantity]) => ({ symbol, quantity, price: 10 })), ...(asOf === undefined ? {} : { asOf }) });
const fill = (rt: Rt, symbol: string, side: 'buy' | 'sell', quantity: string | number, timestamp?: number) =>
  rt.recordFill({ symbol, side, quantity, price: 10, ...(timestamp === undefined ? {} : { timestamp }) });
const rec = (rt: Rt) => rt.status().breakers.reconciliation!;

describe('reconciliation: the exact boundaries', () => {
  it('the first report is the baseline; a difference of exactly the tolerance agrees; beyond it a mismatch opens (a warning)', async () => {
    const h = await harness(config());
    report(h.rt, { AAPL: 100, MSFT: -5 });
    expect(rec(h.rt)).toMatchObject({ state: 'NORMAL', figures: { openMismatches: 0, lastAgreeingAsOf: new Date(h.clock.now()).toISOString() } });
    h.clock.advance(1); // a fill executed at the report's asOf would be in it already
    fill(h.rt, 'AAPL', 'buy', '10');
    fill(h.rt, 'MSFT', 'sell', '2.25');
    h.clock.advance(1000);
    report(h.rt, { AAPL: '110.5', MSFT: '-7.75' }); // AAPL +0.5 exactly: agrees
    expect(rec(h.rt).figures).toMatchObject({ openMismatches: 0, lastAgreeingAsOf: new Date(h.clock.now()).toISOString(), fillsSinceBaseline: 0 });
    h.clock.advance(1000);
    report(h.rt, { AAPL: '111.0000001', MSFT: '-7.75', IBM: 1 }); // against 110.5: +0.5000001; IBM absent before (flat)
    expect(rec(h.rt).figures).toMatchObject({
      openMismatches: 2,
      mismatches: [
        { symbol: 'AAPL', expected: '110.5', reported: '111.0000001', difference: '0.5000001' },
        { symbol: 'IBM', expected: '0', reported: '1', difference: '1' },
      ],
      graceLeftMs: 30_000,
    });
    expect(h.types()).toContain('CircuitBreakerWarning');
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });

  it('trips exactly grace seconds after the mismatch opened, listing every mismatch', async () => {
    const h = await harness(config());
    report(h.rt, { AAPL: 100 });
    h.clock.advance(1000);
    report(h.rt, { AAPL: 90, MSFT: 3 });
    h.clock.advance(29_999);
    expect(rec(h.rt)).toMatchObject({ state: 'NORMAL', figures: { graceLeftMs: 1 } });
    h.clock.advance(1);
    expect(rec(h.rt).state).toBe('TRIPPED');
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'reconciliation' });
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(trip.details).toMatchObject({ openMismatches: 2, graceLeftMs: 0, mismatches: [{ symbol: 'AAPL', expected: '100', reported: '90', difference: '-10' }, { symbol: 'MSFT', expected: '0', reported: '3', difference: '3' }] });
    expect(detailText(trip)).toBe(
      `positions disagree with the fills for 2 symbol(s) for more than 30s (since the report as of ${new Date(h.clock.now() - 30_000).toISOString()}): AAPL expected 100, reported 90 (difference -10); MSFT expected 0, reported 3 (difference 3)`,
    );
    // Nothing clears it but an operator: an agreeing report closes the mismatch, the breaker stays TRIPPED.
    report(h.rt, { AAPL: 100 });
    expect(rec(h.rt)).toMatchObject({ state: 'TRIPPED', figures: { openMismatches: 0 } });
    h.clock.advance(3_600_000);
    expect(rec(h.rt).state).toBe('TRIPPED');
  });

  it('a later report within the grace that agrees clears the mismatch (the difference was timing)', async () => {
    const h = await harness(config());
    report(h.rt, { AAPL: 100 });
    h.clock.advance(1000);
    report(h.rt, { AAPL: 90 }); // the broker saw a sale we have not been told of yet
    fill(h.rt, 'AAPL', 'sell', 10, h.clock.now() - 500); // late: executed before that report's asOf
    h.clock.advance(29_999);
    report(h.rt, { AAPL: 90 });
    expect(rec(h.rt).figures).toMatchObject({ openMismatches: 0, graceLeftMs: null });
    h.clock.advance(60_000);
    expect(rec(h.rt).state).toBe('NORMAL');
  });

  it('a fill counts in the report whose asOf is at or after its execution, not in an earlier one', async () => {
    const h = await harness(config({ tolerance: 0 }));
    const t0 = h.clock.now();
    report(h.rt, { AAPL: 100 }, t0);
    h.clock.advance(2000);
    fill(h.rt, 'AAPL', 'buy', 5, t0 + 1000);
    fill(h.rt, 'AAPL', 'buy', 7, t0 + 2000);
    fill(h.rt, 'AAPL', 'buy', 1, t0); // executed at the baseline's asOf: in it already
    report(h.rt, { AAPL: 105 }, t0 + 1000); // includes the fill at +1 s only
    expect(rec(h.rt).figures).toMatchObject({ openMismatches: 0, lastAgreeingAsOf: new Date(t0 + 1000).toISOString(), fillsSinceBaseline: 1 });
    report(h.rt, { AAPL: 112 }, t0 + 2000); // now the fill at +2 s, exactly at asOf
    expect(rec(h.rt).figures).toMatchObject({ openMismatches: 0, fillsSinceBaseline: 0 });
    report(h.rt, { AAPL: 113 }, t0 + 1500); // older than the newest accepted: the runtime ignores it
    expect(rec(h.rt).figures).toMatchObject({ openMismatches: 0, lastReportAsOf: new Date(t0 + 2000).toISOString() });
  });

  it('refuses settings it cannot use', async () => {
    for (const bad of [{ tolerance: '-1' }, { tolerance: 'x' }, { grace: 0 }, { grace: undefined }, { tolerances: 1 }]) {
      await expect(createRiskRuntime({ strategy: 'x', clock: new ManualClock(), logger: silentLogger, ...config(bad) })).rejects.toThrow(ConfigError);
    }
  });
});

describe('reconciliation: reset', () => {
  it('a reset is refused while the newest report disagrees; once the missing fill is recorded it passes and that report is the baseline', async () => {
    const h = await harness(config());
    report(h.rt, { AAPL: 100 });
    h.clock.advance(1000);
    const asOf = h.clock.now();
    report(h.rt, { AAPL: 90 });
    h.clock.advance(30_000);
    expect(rec(h.rt).state).toBe('TRIPPED');
    fill(h.rt, 'AAPL', 'buy', 4); // after the newest report: kept for the next one
    let { token } = h.rt.requestReset({ breaker: 'reconciliation', operator: 'ann' });
    expect(dashboardView(h.rt.status()).breakers.find((b) => b.type === 'reconciliation')!.resetEffects).toEqual([
      `The newest report (as of ${new Date(asOf).toISOString()}) still disagrees: AAPL expected 100, reported 90 (difference -10).`,
      'The reset will be refused until it agrees: record the missing fills (with their execution time) or wait for a report that agrees.',
    ]);
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({
      confirmed: false,
      state: 'TRIPPED',
      reason: expect.stringContaining('the newest report still disagrees with the fills: AAPL expected 100, reported 90 (difference -10)'),
    });
    fill(h.rt, 'AAPL', 'sell', 10, asOf - 200); // the operator records the sale we missed (a late fill)
    ({ token } = h.rt.requestReset({ breaker: 'reconciliation', operator: 'ann' }));
    expect(dashboardView(h.rt.status()).breakers.find((b) => b.type === 'reconciliation')!.resetEffects).toEqual([
      `The newest report (as of ${new Date(asOf).toISOString()}) agrees with the fills: it becomes the baseline; fills executed after it are kept.`,
    ]);
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(rec(h.rt).figures).toMatchObject({ openMismatches: 0, lastAgreeingAsOf: new Date(asOf).toISOString(), fillsSinceBaseline: 1 });
    h.clock.advance(1000);
    report(h.rt, { AAPL: 94 }); // 90 + 4
    expect(rec(h.rt)).toMatchObject({ state: 'NORMAL', figures: { openMismatches: 0 } });
  });
});

describe('reconciliation: autoReset', () => {
  it('an automatic reset never accepts a mismatch: refused while the newest report disagrees, passes once it is reconciled', async () => {
    const h = await harness(config({ autoReset: { after: 10 } }));
    report(h.rt, { AAPL: 100 });
    h.clock.advance(1000);
    const asOf = h.clock.now();
    report(h.rt, { AAPL: 90 });
    h.clock.advance(30_000);
    expect(rec(h.rt).state).toBe('TRIPPED');
    h.clock.advance(10_000); // the first attempt: the newest report still disagrees
    expect(rec(h.rt).state).toBe('TRIPPED');
    const attempts = () => h.events.filter((e) => e.type === 'AutoReset' && e.breaker === 'reconciliation').map((e) => e.details.passed);
    expect(attempts()).toEqual([false]);
    fill(h.rt, 'AAPL', 'sell', 10, asOf - 100); // the missing sale, recorded late
    h.clock.advance(9_999);
    expect(rec(h.rt).state).toBe('TRIPPED');
    h.clock.advance(1); // the next attempt: the newest report agrees now
    expect(rec(h.rt)).toMatchObject({ state: 'NORMAL', figures: { openMismatches: 0, lastAgreeingAsOf: new Date(asOf).toISOString() } });
    expect(attempts()).toEqual([false, true]);
  });
});

describe('reconciliation: restarts (LevelDB)', () => {
  it('a mismatch in progress survives a restart and trips on time; the baseline and fills too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbx-rec-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, ...config() });
    let rt: RiskRuntime = await open();
    report(rt, { AAPL: 100 });
    clock.advance(500);
    fill(rt, 'AAPL', 'buy', 3);
    clock.advance(500);
    report(rt, { AAPL: 110 });
    await rt.stop();
    clock.advance(20_000); // down for 20 s of the 30 s grace
    rt = await open();
    expect(rec(rt)).toMatchObject({ state: 'NORMAL', figures: { openMismatches: 1, graceLeftMs: 10_000, mismatches: [{ symbol: 'AAPL', expected: '103' }] } });
    clock.advance(9_999);
    expect(rec(rt).state).toBe('NORMAL');
    clock.advance(1);
    expect(rec(rt).state).toBe('TRIPPED');
    await rt.stop();
    clock.advance(60_000); // the grace ran out while down: trips at start
    rt = await open();
    expect(rec(rt).state).toBe('TRIPPED');
    await rt.stop();
  });

  it('after a restart a report older than the newest one before it is still ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbx-rec-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, ...config() });
    let rt: RiskRuntime = await open();
    const t0 = clock.now();
    report(rt, { AAPL: 100 }, t0);
    clock.advance(1000);
    report(rt, { AAPL: 100 }, t0 + 1000);
    await rt.stop();
    rt = await open();
    report(rt, { AAPL: 50 }, t0 + 500);
    expect(rec(rt).figures).toMatchObject({ openMismatches: 0, lastReportAsOf: new Date(t0 + 1000).toISOString() });
    await rt.stop();
  });

  it('a grace that ran out while the runtime was down trips once it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbx-rec-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, ...config() });
    let rt: RiskRuntime = await open();
    report(rt, { AAPL: 100 });
    report(rt, { AAPL: 50 });
    await rt.stop();
    clock.advance(60_000);
    rt = await open();
    clock.advance(0);
    expect(rec(rt)).toMatchObject({ state: 'TRIPPED', figures: { openMismatches: 1, graceLeftMs: 0 } });
    await rt.stop();
  });
});

describe('reconciliation: where it shows', () => {
  it('status, the CLI line, the dashboard, the alert text and the metrics', async () => {
    const h = await harness(config());
    const metrics = new BreakerboxMetrics({ defaultMetrics: false });
    cleanup.push(async () => metrics.untrackAll());
    metrics.track(h.rt);
    const t0 = new Date(h.clock.now()).toISOString();
    report(h.rt, { AAPL: 100 });
    expect(breakerFigures(h.rt.status(), 'reconciliation')).toBe(`positions agree (last agreeing report ${t0}, tolerance 0.5)`);
    h.clock.advance(1000);
    report(h.rt, { AAPL: '98.5' });
    h.clock.advance(10_000);
    const status = h.rt.status();
    const since = new Date(h.clock.now() - 10_000).toISOString();
    expect(breakerFigures(status, 'reconciliation')).toBe(`1 mismatched since ${since}, grace left 20s: AAPL expected 100, reported 98.5 (difference -1.5)`);
    expect(formatStatus(status)).toMatch(/reconciliation\s+NORMAL .*1 mismatched/);
    expect(dashboardView(status).breakers.find((b) => b.type === 'reconciliation')).toMatchObject({
      name: 'Reconciliation',
      figure: '1 symbol(s) mismatched, 20 s grace left',
      details: ['AAPL expected 100, reported 98.5 (difference -1.5)', `last agreeing report as of ${t0}`, 'tolerance 0.5 per symbol, grace 30 s'],
    });
    let families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_breaker_limit_use_ratio', { strategy: 'alpha-1', breaker: 'reconciliation' })).toBeCloseTo(1 / 3, 9);
    const warning = h.events.find((e) => e.type === 'CircuitBreakerWarning')!;
    expect(describeAlert(alertPayload(warning)!)).toBe(`RECONCILIATION breaker WARNING on alpha-1: 1 symbol(s) mismatched since ${since}: AAPL expected 100, reported 98.5 (difference -1.5)`);
    h.clock.advance(20_000);
    families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_trips_total', { strategy: 'alpha-1', breaker: 'reconciliation' })).toBe(1);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(describeAlert(alertPayload(trip)!)).toBe(`RECONCILIATION breaker TRIPPED on alpha-1: 1 symbol(s) mismatched since ${since}: AAPL expected 100, reported 98.5 (difference -1.5)`);
    // Malformed details never throw.
    expect(describeAlert({ ...alertPayload(trip)!, details: { mismatches: [null, { symbol: 3, expected: 'x' }], mismatchSince: 5 } })).toBe(
      'RECONCILIATION breaker TRIPPED on alpha-1: 2 symbol(s) mismatched since ?: ? expected –, reported – (difference –); ? expected –, reported – (difference –)',
    );
    expect(describeAlert({ ...alertPayload(trip)!, details: {} })).toBe('RECONCILIATION breaker TRIPPED on alpha-1: 0 symbol(s) mismatched since ?: none listed');
  });
});
