/**
 * The reset policy (`breakers.<kind>.autoReset: { after }`), both sides of the debate on the
 * manual clock: with it, a tripped breaker resumes by itself only when its re-check passes;
 * without it, never. Config (registry-driven), journal, alerts, restarts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { acceptsAutoReset, AUTO_RESET_BREAKERS, AUTO_RESET_OPERATOR } from '../../machines/rules/autoReset.ts';
import { REGISTRY } from '../../machines/rules/registry.ts';
import { ChartKind } from '../../machines/rules/rule.ts';
import { commonSettings } from '../../machines/rules/settings.ts';
import { alertPayload } from '../../src/alerts/payload.ts';
import { describeAlert, pagerDutyAction } from '../../src/alerts/index.ts';
import { breakerSchema } from '../../src/breakersConfig.ts';
import { effectiveConfig, resolveSettings } from '../../src/config.ts';
import { markOf } from '../../src/dashboard/client/history.ts';
import { detailText } from '../../src/present/journalText.ts';
import { replaySeries } from '../../src/replay/replay.ts';
import { parseSeries } from '../../src/replay/series.ts';
import { ConfigError, createRiskRuntime, ManualClock, silentLogger, type RiskEvent, type RiskRuntime } from '../../src/index.ts';
import { harness, ORDER, only } from '../helpers.ts';

const MIN = 60_000;
const issuesOf = (input: unknown): unknown => {
  try {
    resolveSettings({ strategy: 's', ...(input as object) });
    return [];
  } catch (error) {
    return (error as ConfigError).issues;
  }
};
const optedOut = (rule: object): boolean => (rule as { manualResetOnly?: boolean }).manualResetOnly === true;
const autoResets = (events: readonly RiskEvent[]) => events.filter((e) => e.type === 'AutoReset');
const personResets = (events: readonly RiskEvent[]) => events.filter((e) => ['ResetRequested', 'ResetConfirmed', 'ResetRefused', 'ResetExpired'].includes(e.type));

describe('config: the registry decides which breakers take autoReset', () => {
  it('every AUTOMATIC-chart breaker that did not opt out accepts it; it resolves to { after } or null (manual, the default)', () => {
    const automatic = REGISTRY.filter((row) => row.rule.chart === ChartKind.AUTOMATIC && row.rule.settings !== null && !optedOut(row.rule)).map((row) => row.kind);
    expect(AUTO_RESET_BREAKERS).toEqual(automatic);
    expect(AUTO_RESET_BREAKERS).toEqual(expect.arrayContaining(['drawdown', 'dailyLoss', 'errorRate']));
    const settings = resolveSettings({ strategy: 's', breakers: { drawdown: { autoReset: { after: 300 } } } });
    expect(settings.breakers.drawdown).toMatchObject({ threshold: -0.1, autoReset: { after: 300 } });
    expect(settings.breakers.dailyLoss).toMatchObject({ autoReset: null });
    expect(settings.breakers.errorRate).toMatchObject({ autoReset: null });
    const effective = effectiveConfig(settings);
    expect(effective.breakers.drawdown).toMatchObject({ autoReset: { after: 300 } });
    expect(effective.breakers.errorRate).toMatchObject({ autoReset: null });
    // The effective config is valid as options again (null = manual).
    expect(resolveSettings(effective)).toEqual(settings);
  });

  it('every other configurable breaker refuses the key, with its path', () => {
    const refusing = REGISTRY.filter((row) => row.rule.settings !== null && !AUTO_RESET_BREAKERS.includes(row.kind as never)).map((row) => row.kind);
    expect(refusing).toEqual(expect.arrayContaining(['orderRate', 'staleData']));
    for (const kind of refusing) {
      expect(issuesOf({ breakers: { [kind]: { autoReset: { after: 60 } } } })).toContainEqual({ path: `breakers.${kind}.autoReset`, message: 'unknown key (got {"after":60})' });
    }
  });

  it('names the path of a bad policy', () => {
    expect(issuesOf({ breakers: { drawdown: { autoReset: { after: 0.5 } } } })).toEqual([{ path: 'breakers.drawdown.autoReset.after', message: 'must be at least 1 second (got 0.5)' }]);
    expect(issuesOf({ breakers: { errorRate: { autoReset: { after: 604_801 } } } })).toEqual([{ path: 'breakers.errorRate.autoReset.after', message: 'must be at most 604800 seconds (a week) (got 604801)' }]);
    expect(issuesOf({ breakers: { drawdown: { autoReset: {} } } })).toEqual([{ path: 'breakers.drawdown.autoReset.after', message: 'is required' }]);
    expect(issuesOf({ breakers: { drawdown: { autoReset: { after: 60, aftr: 1 } } } })).toEqual([{ path: 'breakers.drawdown.autoReset.aftr', message: 'unknown key; did you mean after? (got 1)' }]);
    expect(issuesOf({ breakers: { drawdown: { autoReset: 60 } } })).toEqual([{ path: 'breakers.drawdown.autoReset', message: 'must be an object { after: seconds } or null (manual reset only) (got 60)' }]);
    expect(issuesOf({ breakers: { drawdown: { autoRest: { after: 60 } } } })).toEqual([{ path: 'breakers.drawdown.autoRest', message: 'unknown key; did you mean autoReset? (got {"after":60})' }]);
  });

  it("dailyLoss keeps its own refinement with autoReset (limit or limitAmount, not both)", () => {
    expect(resolveSettings({ strategy: 's', breakers: { dailyLoss: { limitAmount: '-5000', autoReset: { after: 60 } } } }).breakers.dailyLoss).toEqual({
      limitAmount: '-5000',
      warnAt: 0.8,
      onTrip: 'halt',
      autoReset: { after: 60 },
    });
    expect(issuesOf({ breakers: { dailyLoss: { limit: -0.05, limitAmount: '-5000', autoReset: { after: 60 } } } })).toEqual([
      { path: 'breakers.dailyLoss', message: 'give either limit or limitAmount, not both (got limit -0.05 and limitAmount "-5000")' },
    ]);
  });

  it('executionRate (RTS 6 Art 15(3): operator only) refuses it; tradeLosses and reconciliation take it', async () => {
    expect(AUTO_RESET_BREAKERS).not.toContain('executionRate');
    expect(AUTO_RESET_BREAKERS).toEqual(expect.arrayContaining(['tradeLosses', 'reconciliation']));
    expect(issuesOf({ breakers: { executionRate: { maxFills: 3, window: 10, autoReset: { after: 60 } } } })).toEqual([
      { path: 'breakers.executionRate.autoReset', message: 'unknown key (got {"after":60})' },
    ]);
    // @ts-expect-error: the settings type refuses it too (generated from the same registry)
    const refused = createRiskRuntime({ strategy: 'x', clock: new ManualClock(), logger: silentLogger, breakers: { executionRate: { maxFills: 3, window: 10, autoReset: { after: 60 } } } });
    await expect(refused).rejects.toThrow(ConfigError);
    expect(resolveSettings({ strategy: 's', breakers: { executionRate: { maxFills: 3, window: 10 } } }).breakers.executionRate).not.toHaveProperty('autoReset');
  });

  it('a rule that sets manualResetOnly opts out (and other charts never take it)', () => {
    const schema = z.strictObject({ maxExecutions: z.number().optional(), ...commonSettings });
    const throttle = { chart: ChartKind.AUTOMATIC, manualResetOnly: true };
    expect(acceptsAutoReset(throttle)).toBe(false);
    expect(acceptsAutoReset({ chart: ChartKind.AUTOMATIC })).toBe(true);
    expect(acceptsAutoReset({ chart: ChartKind.AUTOMATIC, manualResetOnly: false })).toBe(true);
    for (const chart of [ChartKind.SELF_HEALING, ChartKind.MANUAL, ChartKind.CLUSTER]) expect(acceptsAutoReset({ chart })).toBe(false);
    const refused = breakerSchema(schema, acceptsAutoReset(throttle)).safeParse({ autoReset: { after: 60 } });
    expect(refused.error?.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['autoReset'] })]);
    expect(breakerSchema(schema, acceptsAutoReset({ chart: ChartKind.AUTOMATIC })).parse({ autoReset: { after: 60 } })).toEqual({ autoReset: { after: 60 } });
    // Every rule in the registry that opts out refuses the key in the real config.
    for (const row of REGISTRY.filter((r) => optedOut(r.rule))) {
      expect(issuesOf({ breakers: { [row.kind]: { autoReset: { after: 60 } } } })).toContainEqual(expect.objectContaining({ path: `breakers.${row.kind}.autoReset` }));
    }
  });

  it('the reserved operator name is refused from people', async () => {
    const h = await harness({ breakers: only({ drawdown: {} }) });
    expect(() => h.rt.halt({ operator: AUTO_RESET_OPERATOR, reason: 'x' })).toThrow(/reserved/);
    h.rt.updatePortfolio({ value: 100 });
    h.rt.updatePortfolio({ value: 50 });
    expect(() => h.rt.requestReset({ breaker: 'drawdown', operator: ` ${AUTO_RESET_OPERATOR} ` })).toThrow(/reserved/);
    expect(h.rt.state).toBe('TRIPPED');
  });
});

describe('with autoReset: resumes by itself only when its re-check passes', () => {
  it('drawdown: refused while the value is not positive (stays TRIPPED, tries again after), then resumes', async () => {
    const h = await harness({ breakers: only({ drawdown: { autoReset: { after: 60 } } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 0 });
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(MIN - 1);
    expect(autoResets(h.events)).toEqual([]);
    h.clock.advance(1); // exactly `after` in TRIPPED: the first attempt
    expect(autoResets(h.events)).toHaveLength(1);
    expect(autoResets(h.events)[0]).toMatchObject({
      breaker: 'drawdown',
      operator: AUTO_RESET_OPERATOR,
      details: { passed: false, afterSeconds: 60, value: '0', highWaterMark: '1000', reason: expect.stringContaining('high-water mark must be positive') },
    });
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(h.rt.check(ORDER).allowed).toBe(false);
    h.rt.updatePortfolio({ value: -5 });
    h.clock.advance(MIN - 1); // the next attempt is `after` from the refused one
    expect(autoResets(h.events)).toHaveLength(1);
    h.clock.advance(1);
    expect(autoResets(h.events).map((e) => e.details.passed)).toEqual([false, false]);
    expect(h.rt.state).toBe('TRIPPED');
    h.rt.updatePortfolio({ value: 400 });
    expect(h.rt.state).toBe('TRIPPED'); // a value alone never resets it
    h.clock.advance(MIN);
    expect(autoResets(h.events).map((e) => e.details.passed)).toEqual([false, false, true]);
    expect(h.rt.state).toBe('NORMAL');
    expect(h.rt.check(ORDER).allowed).toBe(true);
    // Re-baselined exactly as an operator's reset does.
    expect(h.rt.status().breakers.drawdown.figures).toMatchObject({ highWaterMark: '400', drawdown: '0' });
    // Never journaled as a person's reset; the one trip cancelled once.
    expect(personResets(h.events)).toEqual([]);
    expect(h.cancels).toHaveLength(1);
    // NORMAL: nothing armed any more, however long the clock runs.
    h.clock.advance(24 * 60 * MIN);
    expect(autoResets(h.events)).toHaveLength(3);
  });

  it('errorRate: its re-check passes, and the reset clears its window', async () => {
    const h = await harness({ breakers: only({ errorRate: { maxErrors: 2, window: 600, autoReset: { after: 30 } } }) });
    h.rt.updatePortfolio({ value: 1000 });
    for (const message of ['a', 'b', 'c']) h.rt.recordError({ kind: 'broker_error', message });
    expect(h.rt.state).toBe('TRIPPED');
    expect(h.rt.status().breakers.errorRate.figures).toMatchObject({ count: 3 });
    h.clock.advance(29_999);
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(1);
    expect(h.rt.state).toBe('NORMAL');
    expect(autoResets(h.events)).toEqual([expect.objectContaining({ breaker: 'errorRate', details: expect.objectContaining({ passed: true, reason: null, count: 3, afterSeconds: 30 }) })]);
    expect(h.rt.status().breakers.errorRate.figures).toMatchObject({ count: 0 });
    // It trips again on its own figures, and the policy applies again.
    for (const message of ['d', 'e', 'f']) h.rt.recordError({ kind: 'broker_error', message });
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(30_000);
    expect(h.rt.state).toBe('NORMAL');
    expect(autoResets(h.events)).toHaveLength(2);
  });

  it("dailyLoss: refused while today's loss is still beyond the limit, passes once it is back within", async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05, autoReset: { after: 120 } } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 940 });
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(120_000);
    expect(autoResets(h.events).map((e) => e.details.passed)).toEqual([false]);
    h.rt.updatePortfolio({ value: 951 }); // -4.9 %: within the limit, but only an attempt resets it
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(119_999);
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(1);
    expect(autoResets(h.events).map((e) => e.details.passed)).toEqual([false, true]);
    expect(h.rt.state).toBe('NORMAL');
  });

  it("an operator's reset still works; a pending one pauses the policy, which counts again from its expiry", async () => {
    const h = await harness({ breakers: only({ errorRate: { maxErrors: 1, window: 600, autoReset: { after: 120 } } }), resetTimeout: 60 });
    h.rt.recordError({ kind: 'broker_error', message: 'a' });
    h.rt.recordError({ kind: 'broker_error', message: 'b' });
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(100_000);
    h.rt.requestReset({ breaker: 'errorRate', operator: 'ann' });
    h.clock.advance(60_000); // the token expires (160 s in): back to TRIPPED, no attempt while RESETTING
    expect(h.rt.state).toBe('TRIPPED');
    expect(autoResets(h.events)).toEqual([]);
    h.clock.advance(119_999);
    expect(autoResets(h.events)).toEqual([]);
    h.clock.advance(1);
    expect(h.rt.state).toBe('NORMAL');
    expect(personResets(h.events).map((e) => e.type)).toEqual(['ResetRequested', 'ResetExpired']);
    h.rt.recordError({ kind: 'broker_error', message: 'c' });
    h.rt.recordError({ kind: 'broker_error', message: 'd' });
    const { token } = h.rt.requestReset({ breaker: 'errorRate', operator: 'bob' });
    expect(h.rt.confirmReset({ token, operator: 'bob' })).toMatchObject({ confirmed: true });
    expect(autoResets(h.events)).toHaveLength(1);
  });
});

describe('without autoReset: never resumes by itself', () => {
  it('drawdown and errorRate stay TRIPPED however long the clock advances', async () => {
    const h = await harness({ breakers: only({ drawdown: {}, errorRate: { maxErrors: 1, window: 60 } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 800 });
    h.rt.recordError({ kind: 'broker_error', message: 'a' });
    h.rt.recordError({ kind: 'broker_error', message: 'b' });
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(h.rt.status().breakers.errorRate.state).toBe('TRIPPED');
    for (let day = 0; day < 30; day++) h.clock.advance(24 * 60 * MIN);
    h.rt.updatePortfolio({ value: 2000 });
    h.clock.advance(7 * 24 * 60 * MIN);
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(h.rt.status().breakers.errorRate.state).toBe('TRIPPED');
    expect(h.rt.check(ORDER).allowed).toBe(false);
    expect(autoResets(h.events)).toEqual([]);
    expect(h.clock.pendingTimers).toBe(0);
  });
});

describe('journal and alerts', () => {
  it('AutoReset is journaled; a passed one alerts at info level, a refused one never alerts', async () => {
    const h = await harness({ breakers: only({ drawdown: { autoReset: { after: 10 } } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 0 });
    h.clock.advance(10_000);
    h.rt.updatePortfolio({ value: 100 });
    h.clock.advance(10_000);
    const [refused, passed] = autoResets(h.events);
    expect(alertPayload(refused!)).toBeNull();
    const payload = alertPayload(passed!)!;
    expect(payload).toMatchObject({ event_type: 'AutoReset', severity: 'info', operator: AUTO_RESET_OPERATOR });
    expect(pagerDutyAction(payload)).toBe('resolve');
    expect(describeAlert(payload)).toMatch(/^DRAWDOWN breaker RESET BY ITS RESET POLICY on alpha-1 after 10 s TRIPPED: re-check passed, back to NORMAL/);
    expect(describeAlert({ ...payload, details: { ...payload.details, passed: false, reason: 'no' } })).toBe('Automatic reset of DRAWDOWN breaker REFUSED on alpha-1: still TRIPPED: no');
    expect(describeAlert({ ...payload, details: { passed: 'x', afterSeconds: null } })).toContain('REFUSED');
    expect(detailText(refused!)).toMatch(/^reset policy \(after 10 s\): refused, the high-water mark must be positive.*; next attempt 10 s later$/);
    expect(detailText(passed!)).toBe('reset policy (after 10 s): re-check passed, back to NORMAL');
    // The dashboard's chart marks a passed attempt as a reset, a refused one not at all.
    expect(markOf('AutoReset', 'drawdown', 5, passed!.details.passed !== true)).toEqual({ t: 5, label: 'drawdown auto reset', kind: 'reset' });
    expect(markOf('AutoReset', 'drawdown', 5, refused!.details.passed !== true)).toBeNull();
    await h.rt.flush();
    expect((await h.rt.journal({ types: ['AutoReset'] })).map((e) => e.details.passed)).toEqual([false, true]);
    expect(await h.rt.journal({ types: ['ResetRequested', 'ResetConfirmed', 'ResetRefused'] })).toEqual([]);
  });
});

describe('replay', () => {
  it('a replay with autoReset counts each passed attempt as a recovery, however the replay itself resets', async () => {
    const DAY = 86_400_000;
    const at = Array.from({ length: 6 }, (_, i) => Date.UTC(2026, 0, 5) + i * DAY);
    const series = parseSeries('timestamp,value\n' + at.map((t, i) => `${new Date(t).toISOString()},${[100, 100, 80, 85, 90, 70][i]}`).join('\n'), 'walk.csv');
    const result = await replaySeries(series, { breakers: only({ drawdown: { threshold: -0.1, autoReset: { after: 3600 } } }), reset: 'never' });
    expect(result.events.map((e) => `${e.type}:${e.index}`)).toEqual(['trip:2', 'recovery:3', 'trip:5']);
    expect(result.events[1]!.details).toMatchObject({ passed: true, afterSeconds: 3600 });
    expect(result.breakers.drawdown).toMatchObject({ trips: 2, trippedAtEnd: true });
  });
});

describe('restarts (LevelDB): the policy survives', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const start = (clock: ManualClock, after: number | null): Promise<RiskRuntime> =>
    createRiskRuntime({
      strategy: 'alpha-1',
      clock,
      logger: silentLogger,
      store: { path: dir },
      breakers: only({ errorRate: { maxErrors: 1, window: 3600, ...(after === null ? {} : { autoReset: { after } }) } }),
    });
  const trip = (rt: RiskRuntime) => {
    rt.recordError({ kind: 'broker_error', message: 'a' });
    rt.recordError({ kind: 'broker_error', message: 'b' });
    expect(rt.state).toBe('TRIPPED');
  };

  it('re-arms for the time left since it entered TRIPPED (saved on the wall clock)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bbx-autoreset-'));
    const clock = new ManualClock();
    const first = await start(clock, 60);
    trip(first);
    clock.advance(20_000);
    await first.stop();
    clock.advance(10_000); // down for 10 s: 30 s of the 60 are left
    const second = await start(clock, 60);
    expect(second.state).toBe('TRIPPED');
    clock.advance(29_999);
    expect(second.state).toBe('TRIPPED');
    clock.advance(1);
    expect(second.state).toBe('NORMAL');
    await second.flush();
    const journal = await second.journal({ types: ['AutoReset'] });
    expect(journal).toEqual([expect.objectContaining({ details: expect.objectContaining({ passed: true }) })]);
    await second.stop();
  });

  it('attempts at once when `after` ran out while it was down; without the policy it stays TRIPPED', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bbx-autoreset-'));
    const clock = new ManualClock();
    const first = await start(clock, null);
    trip(first);
    await first.stop();
    clock.advance(10 * MIN);
    const manual = await start(clock, null);
    clock.advance(24 * 60 * MIN);
    expect(manual.state).toBe('TRIPPED');
    await manual.stop();
    const second = await start(clock, 60); // TRIPPED for a day already
    expect(second.state).toBe('TRIPPED');
    clock.advance(0);
    expect(second.state).toBe('NORMAL');
    await second.stop();
  });
});

describe('reset policy: an operator reset pending at a restart', () => {
  it('expires with the restart (back to TRIPPED), and the policy counts `after` again from then, not from the trip', async () => {
    const T0 = Date.parse('2026-12-07T10:00:00Z');
    const clock = new ManualClock(T0);
    const store = new (await import('../../src/index.ts')).MemoryStrategyStore();
    const open = () =>
      createRiskRuntime({
        strategy: 'policy',
        clock,
        logger: silentLogger,
        store,
        resetTimeout: 30,
        breakers: only({ tradeLosses: { maxLosses: 4, lookback: 20, autoReset: { after: 15 } } }),
      });
    let rt = await open();
    rt.updatePortfolio({ value: '100000' });
    for (const pnl of ['-0.1', '-0.1', '-0.1', '-40']) rt.recordFill({ symbol: 'ES', side: 'sell', quantity: 1, price: 100, realizedPnl: pnl });
    expect(rt.status().breakers.tradeLosses.state).toBe('TRIPPED');
    rt.requestReset({ breaker: 'tradeLosses', operator: 'ann' }); // pauses the policy
    clock.advance(5_774);
    await rt.stop();
    rt = await open();
    rt.updatePortfolio({ value: '100000' });
    expect(rt.status().breakers.tradeLosses).toMatchObject({ state: 'TRIPPED', since: new Date(T0 + 5_774).toISOString() });
    clock.advance(15_000 - 1);
    expect(rt.status().breakers.tradeLosses.state).toBe('TRIPPED'); // 15 s after the trip: still counting from the restart
    clock.advance(1);
    expect(rt.status().breakers.tradeLosses.state).toBe('NORMAL'); // `after` from the restart
    await rt.flush();
    expect((await rt.journal()).filter((e) => e.type === 'AutoReset').map((e) => e.at - T0)).toEqual([5_774 + 15_000]);
    await rt.stop();
  });
});
