import { describe, expect, it } from 'vitest';
import { tradingDayAt } from '../../machines/figures/tradingDay.ts';
import { harness, ORDER, only } from '../helpers.ts';

const NY = { time: '09:30', timeZone: 'America/New_York' };

describe('trading day arithmetic', () => {
  it('finds the open in the zone, DST-correct on both sides of the March and November changes', () => {
    // 2026-03-08: US clocks go 02:00 EST → 03:00 EDT.
    expect(tradingDayAt(Date.parse('2026-03-06T15:00:00Z'), NY)).toMatchObject({
      day: '2026-03-06',
      openAt: Date.parse('2026-03-06T14:30:00Z'),
      nextOpenAt: Date.parse('2026-03-07T14:30:00Z'),
    });
    expect(tradingDayAt(Date.parse('2026-03-08T13:30:00Z'), NY)).toMatchObject({
      day: '2026-03-08',
      openAt: Date.parse('2026-03-08T13:30:00Z'), // 09:30 EDT
    });
    expect(tradingDayAt(Date.parse('2026-03-08T13:29:59Z'), NY).day).toBe('2026-03-07');
    // 2026-11-01: back to EST.
    expect(tradingDayAt(Date.parse('2026-11-01T14:30:00Z'), NY)).toMatchObject({ day: '2026-11-01', openAt: Date.parse('2026-11-01T14:30:00Z') });
    expect(tradingDayAt(Date.parse('2026-11-01T14:29:00Z'), NY).day).toBe('2026-10-31');
    // Default: midnight UTC.
    expect(tradingDayAt(Date.parse('2026-05-05T23:59:59Z'), { time: '00:00', timeZone: 'UTC' }).day).toBe('2026-05-05');
  });

  it('handles an open inside a DST gap (02:30 does not exist on 2026-03-08 in New York)', () => {
    const day = tradingDayAt(Date.parse('2026-03-08T12:00:00Z'), { time: '02:30', timeZone: 'America/New_York' });
    expect(day.day).toBe('2026-03-08');
    expect(day.openAt).toBe(Date.parse('2026-03-08T07:00:00Z')); // the instant the gap ends, 03:00 EDT
  });
});

describe('daily loss breaker', () => {
  it('trips exactly at the fractional limit, not one cent above', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }) });
    h.rt.updatePortfolio({ value: '100000.00' });
    h.rt.updatePortfolio({ value: '95000.01' });
    expect(h.rt.state).toBe('NORMAL');
    h.rt.updatePortfolio({ value: '95000.00' });
    expect(h.rt.state).toBe('TRIPPED');
    expect(h.events.find((e) => e.type === 'CircuitBreakerTripped')!.details).toMatchObject({
      startValue: '100000', value: '95000', pnl: '-5000', pnlFraction: '-0.05', limit: '-0.05',
    });
  });

  it('trips at a currency limit', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limitAmount: '-5000' } }) });
    h.rt.updatePortfolio({ value: '250000' });
    h.rt.updatePortfolio({ value: '245000.01' });
    expect(h.rt.state).toBe('NORMAL');
    h.rt.updatePortfolio({ value: '245000' });
    expect(h.rt.state).toBe('TRIPPED');
  });

  it('re-baselines at the open across a DST change, and the trip stays until a manual reset', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }), marketOpen: NY }, Date.parse('2026-03-07T15:00:00Z'));
    h.rt.updatePortfolio({ value: 100_000 }); // day 2026-03-07 starts at 100k
    h.clock.set(Date.parse('2026-03-08T13:29:00Z'));
    h.rt.updatePortfolio({ value: 96_000 }); // still 03-07 (09:29 EDT): -4%
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ tradingDay: '2026-03-07', startValue: '100000' });
    h.clock.set(Date.parse('2026-03-08T13:30:00Z')); // 09:30 EDT, one hour earlier in UTC than the day before
    h.rt.updatePortfolio({ value: 96_000 });
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ tradingDay: '2026-03-08', startValue: '96000', pnl: '0' });
    expect(h.types()).toContain('TradingDayOpened');
    h.rt.updatePortfolio({ value: 91_200 }); // -5% of 96k
    expect(h.rt.state).toBe('TRIPPED');

    // A confirmed reset is refused while today's loss is beyond the limit.
    let { token } = h.rt.requestReset({ breaker: 'dailyLoss', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: false, state: 'TRIPPED' });
    expect(h.types()).toContain('ResetRefused');
    expect(h.rt.check(ORDER).allowed).toBe(false);

    // The next open re-baselines; the trip stays until a manual reset, which now passes.
    h.clock.set(Date.parse('2026-03-09T13:30:00Z'));
    h.rt.updatePortfolio({ value: 91_000 });
    expect(h.rt.state).toBe('TRIPPED');
    ({ token } = h.rt.requestReset({ breaker: 'dailyLoss', operator: 'ann' }));
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });

  it('never uses a zero value as the start of the day: a first value of 0 is refused and opens nothing', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }) });
    expect(() => h.rt.updatePortfolio({ value: 0 })).toThrow(/^value: the first portfolio value must be positive/);
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false });
    expect(h.rt.status().breakers.dailyLoss.figures?.startValue).toBeNull();
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.status().breakers.dailyLoss.figures?.startValue).toBe('1000');
    h.rt.updatePortfolio({ value: 0 });
    expect(h.rt.state).toBe('TRIPPED');
  });
});
