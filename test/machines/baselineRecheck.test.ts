import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { breakerChart } from '../../machines/charts/breakerChart.ts';
import { BreakerType } from '../../machines/rules/registry.ts';
import { drawdownRule } from '../../machines/rules/drawdown.ts';
import { dailyLossRule } from '../../machines/rules/dailyLoss.ts';
import { Exact } from '../../machines/math/exact.ts';
import type { Evidence } from '../../machines/rules/rule.ts';

/** A reset never creates a baseline ≤ 0: the rule's re-check refuses it, so the chart's guard does. */
const NON_POSITIVE = ['0', '0.00', '-0', '-5', '-0.000000000000000000000000000000001', '-999999999999999999999'];

function trippedChart(kind: BreakerType, rule: typeof drawdownRule | typeof dailyLossRule) {
  const a = createActor(breakerChart(kind, 'automatic', rule)!, { input: { breaker: kind } }).start();
  a.send({ type: 'TRIP', evidence: { value: '1', highWaterMark: '1000', threshold: '-0.1', startValue: '1000', limit: '-0.05', limitAmount: null } });
  a.send({ type: 'REQUEST_RESET', token: 't', deadline: 60_000, operator: 'ann' });
  return a;
}

describe('drawdown: a reset to a value ≤ 0 is refused', () => {
  it('the re-check refuses zero and every negative value, names the value; a positive value or no value passes', () => {
    for (const value of NON_POSITIVE) {
      const r = drawdownRule.recheck({ value, highWaterMark: '1000', threshold: '-0.1' });
      expect(r.passed, value).toBe(false);
      expect(r.reason).toBe(`the high-water mark must be positive: the reset would re-baseline it to the value ${value}`);
    }
    for (const junk of ['abc', '', 'NaN', true, {}]) expect(drawdownRule.recheck({ value: junk as never }).passed).toBe(false);
    expect(drawdownRule.recheck({ value: '0.000000000000000000000000000000001', highWaterMark: '1000' })).toEqual({ passed: true, reason: null });
    expect(drawdownRule.recheck({ value: null, highWaterMark: '1000' })).toEqual({ passed: true, reason: null });
  });

  it("the chart's guard sends a confirmed reset at value 0 back to TRIPPED, with the refusal as its cause", () => {
    for (const value of NON_POSITIVE) {
      const a = trippedChart(BreakerType.DRAWDOWN, drawdownRule);
      a.send({ type: 'CONFIRM_RESET', token: 't', operator: 'bob', evidence: { value, highWaterMark: '1000', threshold: '-0.1' } });
      expect(a.getSnapshot().value).toBe('TRIPPED');
      expect(a.getSnapshot().context.cause).toMatchObject({ type: 'CONFIRM_RESET', reason: expect.stringContaining('must be positive') });
    }
    const ok = trippedChart(BreakerType.DRAWDOWN, drawdownRule);
    ok.send({ type: 'CONFIRM_RESET', token: 't', operator: 'bob', evidence: { value: '850', highWaterMark: '1000', threshold: '-0.1' } });
    expect(ok.getSnapshot().value).toBe('NORMAL');
  });

  it('the tracker never takes a value ≤ 0 as its high-water mark, first or after a reset', () => {
    const t = drawdownRule.track({ threshold: -0.1, warnAt: 0.8 });
    expect(t.observe(new Exact(0), 0).baselineRefused).toBe('the high-water mark must be positive');
    expect(t.observe(new Exact(-1), 0).baselineRefused).toBe('the high-water mark must be positive');
    expect(t.save().highWaterMark).toBeNull();
    t.observe(new Exact(1000), 0);
    expect(t.observe(new Exact(0), 0).signal).not.toBe(0);
    expect(t.save().highWaterMark).toBe('1000');
  });

  it('the preview says the reset will be refused', () => {
    for (const value of ['0', '-5']) {
      expect(drawdownRule.resetEffects({ value, highWaterMark: '10', tripLevel: '9', threshold: '-0.1' })).toEqual([
        `The value ${value} is not positive: it cannot be a high-water mark, so the reset will be refused.`,
      ]);
    }
  });
});

describe('daily loss: a reset that would leave no positive start-of-day value is refused', () => {
  const e = (value: string | null, startValue: string | null, limitAmount: string | null = null): Evidence => ({
    value,
    startValue,
    limit: limitAmount === null ? '-0.05' : null,
    limitAmount,
    pnl: null,
  });

  it('no start value and a value ≤ 0: refused, naming the value; a positive start value keeps the baseline', () => {
    for (const value of NON_POSITIVE) {
      const r = dailyLossRule.recheck(e(value, null));
      expect(r.passed, value).toBe(false);
      expect(r.reason).toBe(`the start-of-day value must be positive: no positive value since the open (value ${value})`);
      expect(dailyLossRule.resetEffects(e(value, null))[0]).toContain('the reset will be refused');
    }
    // The start value stays (positive): zero is a loss beyond a fraction limit, within a large amount.
    expect(dailyLossRule.recheck(e('0', '1000')).passed).toBe(false);
    expect(dailyLossRule.recheck(e('0', '1000', '-5000')).passed).toBe(true);
  });

  it("the chart's guard keeps the breaker TRIPPED", () => {
    const a = trippedChart(BreakerType.DAILY_LOSS, dailyLossRule);
    a.send({ type: 'CONFIRM_RESET', token: 't', operator: 'bob', evidence: e('0', null, '-50') });
    expect(a.getSnapshot().value).toBe('TRIPPED');
  });
});
