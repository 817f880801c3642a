/**
 * The two fill-driven rules on their own (pure): executionRate (exceeding maxFills trips) and
 * tradeLosses (reaching maxLosses losing fills trips), their trackers, persistence and words.
 */
import { describe, expect, it } from 'vitest';
import { Signal } from '../../machines/figures/signal.ts';
import { executionRateRule } from '../../machines/rules/executionRate.ts';
import { registryRow } from '../../machines/rules/registry.ts';
import { ChartKind, Observes, type RuleInput } from '../../machines/rules/rule.ts';
import { tradeLossesRule } from '../../machines/rules/tradeLosses.ts';

const fill = (realizedPnl: string | null): RuleInput => ({ input: 'fill', symbol: 'AAPL', side: 'sell', quantity: '1', realizedPnl, executedAt: 0 });

describe('executionRate rule', () => {
  const make = () => executionRateRule.track({ maxFills: 3, window: 10, warnAt: 0.5 });

  it('is an automatic breaker on fills that only a person re-enables, off unless configured', () => {
    expect(executionRateRule).toMatchObject({ kind: 'executionRate', name: 'EXECUTION_RATE', chart: ChartKind.AUTOMATIC, observes: [Observes.FILL], manualResetOnly: true, alwaysOn: false, recordSince: 3 });
    expect(executionRateRule.settings.presets).toBeNull();
    expect(registryRow('executionRate').rule).toBe(executionRateRule);
  });

  it('counts every fill; the one that makes the window exceed maxFills trips', () => {
    const t = make();
    expect([0, 1, 2, 3].map((at) => t.observeInput(fill(null), at))).toEqual([Signal.NONE, Signal.WARN, Signal.NONE, Signal.TRIP]);
    expect(t.figures(3)).toMatchObject({ count: 4, maxFills: 3, limit: 3, windowSeconds: 10, nextExpiryInMs: 9997 });
    expect(t.figures(10_000)).toMatchObject({ count: 3 });
    expect(t.clearsAt()).toBeNull();
  });

  it('decides from the evidence alone: exceeding trips, at the limit does not; the re-check passes; never clears by itself', () => {
    expect(executionRateRule.tripHolds({ count: 4, maxFills: 3 })).toBe(true);
    expect(executionRateRule.tripHolds({ count: 3, maxFills: 3 })).toBe(false);
    expect(executionRateRule.recheck()).toEqual({ passed: true, reason: null });
    expect(executionRateRule.cleared()).toBe(false);
  });

  it('saves on another clock and loads back, capping entries from the future; refuses malformed records', () => {
    const t = make();
    t.observeInput(fill(null), 100);
    t.observeInput(fill(null), 200);
    const saved = t.save(1_000_000);
    expect(saved).toEqual({ entries: [{ at: 1_000_100, count: 1, tag: null }, { at: 1_000_200, count: 1, tag: null }], warned: true });
    const back = make();
    back.load(saved, -1_000_000 + 50, 200);
    expect(back.figures(200)).toMatchObject({ count: 2, warned: true, nextExpiryInMs: 9950 });
    expect(() => make().load({ entries: [{ at: 1, count: 1, tag: 'x' }], warned: false })).toThrow(TypeError);
    const untagged = make();
    untagged.load({ entries: [{ at: 1, count: 2 }], warned: false }); // no tag key at all: an untagged fill
    expect(untagged.figures(1)).toMatchObject({ count: 2 });
    expect(() => make().load({ entries: [], warned: 'no' })).toThrow(TypeError);
  });
});

describe('executionRate rule: evidence, reset, settings and words', () => {
  const make = () => executionRateRule.track({ maxFills: 3, window: 10, warnAt: 0.5 });

  it('trips and re-checks on its figures; a reset clears the window and re-arms the warning', () => {
    const t = make();
    for (const at of [0, 1, 2, 3]) t.observeInput(fill(null), at);
    expect(t.tripEvidence(3)).toEqual(t.figures(3));
    expect(t.recheckEvidence(3)).toEqual(t.figures(3));
    t.rebaseline();
    expect(t.figures(3)).toMatchObject({ count: 0, warned: false, nextExpiryInMs: null });
    expect(t.observeInput(fill(null), 4)).toBe(Signal.NONE);
    expect(t.observeInput(fill(null), 5)).toBe(Signal.WARN);
  });

  it('takes its own keys and the common ones, within bounds', () => {
    const { schema, replacesPreset } = executionRateRule.settings;
    expect(replacesPreset).toEqual([]);
    expect(schema.parse({ maxFills: 5, window: 86_400, warnAt: 0.5, onTrip: 'reduceOnly' })).toEqual({ maxFills: 5, window: 86_400, warnAt: 0.5, onTrip: 'reduceOnly' });
    for (const bad of [{ maxFills: 0 }, { maxFills: 1.5 }, { window: 86_401 }, { window: 0 }, { maxOrders: 3 }]) expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('words its figures, trips and reset', () => {
    const f = { count: 4, limit: 3, maxFills: 3, windowSeconds: 10, warnAt: 0.8, warnCount: 3, warned: true, nextExpiryInMs: 7500 };
    const w = executionRateRule.words;
    expect([w.label, w.shout]).toEqual(['Execution rate', 'EXECUTION RATE']);
    expect(w.view(f)).toEqual({ figure: '4 / 3 fills in 10 s', details: ['oldest leaves the window in 8 s'], meter: { label: 'fills in the window', use: 4 / 3, warnAt: 0.8 } });
    expect(w.line(f)).toBe('4/3 fills in 10s, clears in 8s');
    expect(w.event(f)).toBe('4 fills in 10s (max 3)');
    expect(w.recovered(f)).toBe('window cleared (4/3 fills)');
    expect(executionRateRule.describe(f)).toBe('4 fills within 10s exceed the limit of 3');
    expect(executionRateRule.resetEffects(f)).toEqual([
      'The fill window is cleared: 4 fills counted now go to 0 (limit 3 in 10 s).',
      'Confirming re-enables trading (RTS 6 Art 15(3)): this breaker never resets by itself.',
    ]);
  });
});

describe('tradeLosses rule', () => {
  const make = (maxLosses = 3, warnAt = 0.6) => tradeLossesRule.track({ maxLosses, lookback: 60, warnAt });

  it('is an automatic breaker on fills, off unless configured, and accepts autoReset (no manualResetOnly)', () => {
    expect(tradeLossesRule).toMatchObject({ kind: 'tradeLosses', name: 'TRADE_LOSSES', chart: ChartKind.AUTOMATIC, observes: [Observes.FILL], alwaysOn: false, recordSince: 3 });
    expect('manualResetOnly' in tradeLossesRule).toBe(false);
    expect(tradeLossesRule.settings.presets).toBeNull();
  });

  it('counts only losing fills: no realizedPnl, zero, "-0" and profits pass uncounted', () => {
    const t = make(1);
    for (const pnl of [null, '0', '-0', '0.000', '12.5']) expect(t.observeInput(fill(pnl), 0)).toBe(Signal.NONE);
    expect(t.observeInput({ input: 'order' }, 0)).toBe(Signal.NONE);
    expect(t.figures(0)).toMatchObject({ count: 0, lossSum: '0', nextExpiryInMs: null });
    expect(t.observeInput(fill('-0.000001'), 1)).toBe(Signal.TRIP);
  });

  it('the loss that makes the count REACH maxLosses trips; the warning comes first at ceil(warnAt × maxLosses)', () => {
    const t = make(3, 0.6); // ceil(1.8) = 2
    expect([t.observeInput(fill('-1'), 0), t.observeInput(fill('-2.5'), 1), t.observeInput(fill('-0.5'), 2)]).toEqual([Signal.NONE, Signal.WARN, Signal.TRIP]);
    expect(t.figures(2)).toMatchObject({ count: 3, maxLosses: 3, limit: 3, lookbackSeconds: 60, lossSum: '-4', warnCount: 2, warned: true, nextExpiryInMs: 59_998 });
    expect(tradeLossesRule.tripHolds({ count: 3, maxLosses: 3 })).toBe(true);
    expect(tradeLossesRule.tripHolds({ count: 2, maxLosses: 3 })).toBe(false);
    expect(tradeLossesRule.recheck()).toEqual({ passed: true, reason: null });
    expect(tradeLossesRule.cleared()).toBe(false);
  });

  it('computes the warning level exactly, and gives none when the trip comes first', () => {
    expect(make(100, 0.07).warnCount).toBe(7); // 0.07 × 100 is 7.000000000000001 in floating point
    expect(make(100, 0.57).warnCount).toBe(57); // 56.99999999999999 in floating point
    expect(make(10, 0.7).warnCount).toBe(7);
    expect(make(3, 0.8).warnCount).toBe(3);
    const t = make(3, 0.8);
    expect([t.observeInput(fill('-1'), 0), t.observeInput(fill('-1'), 0), t.observeInput(fill('-1'), 0)]).toEqual([Signal.NONE, Signal.NONE, Signal.TRIP]);
  });

  it('sums the losses in the lookback exactly, however large or small', () => {
    const t = make(100);
    t.observeInput(fill('-0.1'), 0);
    t.observeInput(fill('-0.2'), 0);
    t.observeInput(fill('-999999999999999999999.99999999999'), 10);
    t.observeInput(fill('-1e-40'), 20);
    expect(t.lossSum(20)).toBe('-1000000000000000000000.2999999999900000000000000000000000000001');
    expect(t.lossSum(60_000)).toBe('-999999999999999999999.9999999999900000000000000000000000000001');
  });

  it('a reset clears the lookback and re-arms the warning', () => {
    const t = make(3, 0.6);
    t.observeInput(fill('-1'), 0);
    t.observeInput(fill('-1'), 0);
    t.rebaseline();
    expect(t.figures(0)).toMatchObject({ count: 0, warned: false, lossSum: '0' });
    t.observeInput(fill('-1'), 1);
    expect(t.observeInput(fill('-1'), 2)).toBe(Signal.WARN);
  });

  it('saves the losses with their P&L and loads them back; refuses anything but losses', () => {
    const t = make(5);
    t.observeInput(fill('-1.5'), 100);
    t.observeInput(fill('-1.5'), 100);
    t.observeInput(fill('-2'), 100);
    const saved = t.save(1000);
    expect(saved).toEqual({ entries: [{ at: 1100, count: 2, tag: '-1.5' }, { at: 1100, count: 1, tag: '-2' }], warned: true });
    const back = make(5);
    back.load(JSON.parse(JSON.stringify(saved)), -1000);
    expect(back.figures(100)).toMatchObject({ count: 3, lossSum: '-5', warned: true });
    for (const bad of [
      { entries: [{ at: 1, count: 1, tag: '1' }], warned: false },
      { entries: [{ at: 1, count: 1, tag: '0' }], warned: false },
      { entries: [{ at: 1, count: 1, tag: null }], warned: false },
      { entries: [{ at: 1, count: 1, tag: 'NaN' }], warned: false },
      { entries: [{ at: 1, count: 0, tag: '-1' }], warned: false },
      { entries: [{ at: Infinity, count: 1, tag: '-1' }], warned: false },
      { entries: {}, warned: false },
      null,
    ]) expect(() => make().load(bad), JSON.stringify(bad)).toThrow(TypeError);
  });

  it('words its figures and events, never throwing on malformed details', () => {
    const f = make(3).figures(0) as never;
    expect(tradeLossesRule.words.line(f)).toBe('0/3 losses in 60s (sum 0.00)');
    expect(tradeLossesRule.words.event({ count: 3, lookbackSeconds: 60, maxLosses: 3, lossSum: '-1250.5' })).toBe('3 losing fills in 60s (limit 3; losses -1,250.50)');
    expect(tradeLossesRule.words.event({})).toBe('? losing fills in ?s (limit ?; losses ?)');
    expect(tradeLossesRule.words.recovered({ count: 0, maxLosses: 3 })).toBe('lookback cleared (0/3 losing fills)');
    expect(tradeLossesRule.describe({ count: 3, lookbackSeconds: 60, maxLosses: 3, lossSum: '-2.005' })).toBe('3 losing fills within 60s reach the limit of 3 (losses -2.01)');
  });
});

describe('tradeLosses rule: warnings, evidence, persistence, settings and words', () => {
  const make = (maxLosses = 10, warnAt = 0.8) => tradeLossesRule.track({ maxLosses, lookback: 60, warnAt });

  it('re-arms its warning once a new loss finds the count below half the warning level', () => {
    const t = make(); // warns at 8, re-arms below 4
    expect(t.rearmCount).toBe(4);
    for (let i = 0; i < 7; i++) expect(t.observeInput(fill('-1'), 0)).toBe(Signal.NONE);
    expect(t.observeInput(fill('-1'), 0)).toBe(Signal.WARN);
    // 60 s on, the eight have left the lookback (t − 60 s, t]: the new loss finds 1 < 4 and re-arms.
    expect(t.observeInput(fill('-1'), 60_000)).toBe(Signal.NONE);
    expect(t.figures(60_000)).toMatchObject({ count: 1, warned: false });
    for (let i = 0; i < 6; i++) expect(t.observeInput(fill('-1'), 60_000)).toBe(Signal.NONE);
    expect(t.observeInput(fill('-1'), 60_000)).toBe(Signal.WARN); // 8 again
  });

  it('stays warned while a new loss finds the count at half the warning level or more', () => {
    const t = make();
    for (let i = 0; i < 8; i++) t.observeInput(fill('-1'), 0);
    for (let i = 0; i < 3; i++) t.observeInput(fill('-1'), 30_000);
    expect(t.observeInput(fill('-1'), 60_000)).toBe(Signal.NONE); // exactly 4 (half of 8) in the lookback: stays warned
    expect(t.figures(60_000)).toMatchObject({ count: 4, warned: true });
    expect(t.clearsAt()).toBeNull();
  });

  it('trips and re-checks on its figures', () => {
    const t = make(2);
    t.observeInput(fill('-1'), 0);
    t.observeInput(fill('-3'), 5);
    expect(t.tripEvidence(5)).toEqual(t.figures(5));
    expect(t.recheckEvidence(5)).toEqual(t.figures(5));
    expect(t.figures(5)).toMatchObject({ count: 2, lossSum: '-4', nextExpiryInMs: 59_995 });
  });

  it('loads losses moved by the shift, capped at notAfter', () => {
    const t = make();
    t.observeInput(fill('-1'), 100);
    const back = make();
    back.load(t.save(1000), -1000);
    expect(back.figures(100)).toMatchObject({ count: 1, nextExpiryInMs: 60_000 });
    const capped = make();
    capped.load(t.save(1000), 0, 500); // 1100 is in the future: taken as 500
    expect(capped.figures(500)).toMatchObject({ count: 1, nextExpiryInMs: 60_000 });
  });

  it('refuses each malformed part of a saved record, naming what is wrong', () => {
    const entry = { at: 1, count: 1, tag: '-1' };
    for (const bad of ['x', null, { entries: 'x', warned: false }, { entries: [] }, { entries: [], warned: 1 }]) {
      expect(() => make().load(bad), JSON.stringify(bad)).toThrow(new TypeError('trade losses: saved figures are malformed'));
    }
    for (const e of [{ at: '1' }, { at: NaN }, { count: '1' }, { count: 1.5 }, { count: 0 }, { count: 10_000_001 }, { tag: 5 }, { tag: '1' }, { tag: '0' }]) {
      expect(() => make().load({ entries: [{ ...entry, ...e }], warned: false }), JSON.stringify(e)).toThrow(new TypeError('trade losses: a saved loss is malformed'));
    }
    const ok = make();
    ok.load({ entries: [{ ...entry, count: 10_000_000, tag: '-1.50' }], warned: false });
    expect(ok.figures(1)).toMatchObject({ count: 10_000_000, lossSum: '-15000000' });
  });

  it('takes its own keys and the common ones, within bounds', () => {
    const { schema, replacesPreset } = tradeLossesRule.settings;
    expect(replacesPreset).toEqual([]);
    expect(schema.parse({ maxLosses: 4, lookback: 604_800, warnAt: 0.5, onTrip: 'halt' })).toEqual({ maxLosses: 4, lookback: 604_800, warnAt: 0.5, onTrip: 'halt' });
    for (const bad of [{ maxLosses: 0 }, { maxLosses: 2.5 }, { lookback: 604_801 }, { lookback: -1 }, { maxFills: 3 }]) expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('words its figures and its reset', () => {
    const w = tradeLossesRule.words;
    expect([w.label, w.shout]).toEqual(['Trade losses', 'TRADE LOSSES']);
    const f = { count: 2, limit: 3, maxLosses: 3, lookbackSeconds: 60, lossSum: '-1250.755', warnAt: 0.8, warnCount: 3, warned: false, nextExpiryInMs: 44_001 };
    expect(w.view(f)).toEqual({ figure: '2 / 3 losing fills in 60 s', details: ['losses -1,250.76', 'oldest leaves the lookback in 45 s'], meter: { label: 'losing fills in the lookback', use: 2 / 3, warnAt: 0.8 } });
    expect(w.view({ ...f, count: 0, lossSum: '0', nextExpiryInMs: null }).details).toEqual(['losses 0.00', 'no losses in the lookback']);
    expect(w.line(f)).toBe('2/3 losses in 60s (sum -1,250.76), oldest leaves in 45s');
    expect(tradeLossesRule.resetEffects(f)).toEqual(['The lookback is cleared: 2 losing fills counted now go to 0 (limit 3 in 60 s).', 'The trade-losses warning is re-armed.']);
  });
});
