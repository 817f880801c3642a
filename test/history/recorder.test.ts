import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/index.ts';
import { harness, ORDER } from '../helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const HOUR = 3600_000;

describe('history recorder (ManualClock, in memory)', () => {
  it('records one point per 5 s bucket (its last value) with the levels, and the open value last', async () => {
    const { rt, clock } = await harness({ breakers: 'moderate', store: false }, T0);
    rt.updatePortfolio({ value: '1000' });
    rt.updatePortfolio({ value: '1010' }); // a new high (quiet path)
    rt.updatePortfolio({ value: '1005' }); // inside the band (quiet path)
    clock.advance(5_000);
    rt.updatePortfolio({ value: '1001' }); // next bucket: closes the first with its last value
    clock.advance(2_000);
    rt.updatePortfolio({ value: '1002' });
    const h = rt.history();
    expect(h.strategy).toBe('alpha-1');
    expect(h.now).toBe(T0 + 7_000);
    expect(h.points).toEqual([
      { t: T0, value: '1005', highWaterMark: '1010', drawdownTripLevel: '909', dailyLossTripLevel: '950', startOfDay: '1000' },
      { t: T0 + 7_000, value: '1002', highWaterMark: '1010', drawdownTripLevel: '909', dailyLossTripLevel: '950', startOfDay: '1000' },
    ]);
    // Values inside one bucket never reach the series: only the boundary is compared.
    for (let i = 0; i < 100; i++) rt.updatePortfolio({ value: String(1003 + (i % 5)) });
    expect(rt.history().points).toHaveLength(2);
    await rt.stop();
  });

  it('keeps the point of a trip, marks it, and still has it after hours of values and downsampling', async () => {
    const { rt, clock } = await harness({ breakers: 'moderate', store: false }, T0);
    rt.updatePortfolio({ value: '1000' });
    clock.advance(1_000);
    rt.updatePortfolio({ value: '880' }); // drawdown (−12 %) and daily loss (−12 %) trip
    rt.updatePortfolio({ value: '885' }); // same bucket, later value
    rt.halt({ operator: 'ann', reason: 'desk call' });
    for (let i = 0; i < 3 * 720; i++) {
      clock.advance(5_000);
      rt.updatePortfolio({ value: String(880 + (i % 7)) });
    }
    const h = rt.history(T0);
    const tripped = h.marks.filter((m) => m.type === 'CircuitBreakerTripped');
    expect(tripped.map((m) => m.breaker).sort()).toEqual(['dailyLoss', 'drawdown']);
    expect(tripped[0]).toMatchObject({ t: T0 + 1_000, operator: null });
    expect(tripped[0]!.reason).toMatch(/drawdown|daily/i);
    expect(h.marks.find((m) => m.type === 'ManualHalt')).toMatchObject({ t: T0 + 1_000, breaker: 'manual', reason: 'desk call', operator: 'ann' });
    // The trip value is a point (pinned), three hours later, although its bucket held a later value.
    expect(h.points.filter((p) => p.t === T0 + 1_000).map((p) => p.value)).toContain('880');
    // Three hours of 5 s values: the older ones are downsampled to 30 s buckets.
    expect(h.points.length).toBeLessThan(720 + 2 * 360 + 10);
    expect(h.points.length).toBeGreaterThan(720 + 2 * 120 - 10);
    for (let i = 1; i < h.points.length; i++) expect(h.points[i]!.t).toBeGreaterThanOrEqual(h.points[i - 1]!.t);
    await rt.stop();
  });

  it('records order decisions (allowed, rejected with code, malformed), fills and errors, capped at 500 each', async () => {
    const { rt, clock } = await harness({ breakers: 'moderate', store: false }, T0);
    rt.check(ORDER); // no portfolio yet
    rt.updatePortfolio({ value: '1000' });
    clock.advance(10);
    rt.check({ id: 'o-1', symbol: 'AAPL', side: 'sell', quantity: '2.5', price: 101.25 });
    rt.check({ symbol: 'AAPL', side: 'hold', quantity: 1 } as unknown); // malformed on purpose
    rt.recordFill({ orderId: 'o-1', symbol: 'AAPL', side: 'sell', quantity: '2.5', price: '101.25' });
    rt.recordError({ kind: 'broker_error', message: 'connection reset' });
    expect(() => rt.updatePortfolio({ value: 'abc' })).toThrow(InvalidInputError);
    const h = rt.history();
    expect(h.orders).toEqual([
      { t: T0, id: null, symbol: 'AAPL', side: 'buy', quantity: '10', price: null, allowed: false, code: 'AWAITING_PORTFOLIO', reason: expect.any(String) },
      { t: T0 + 10, id: 'o-1', symbol: 'AAPL', side: 'sell', quantity: '2.5', price: '101.25', allowed: true, code: null, reason: null },
      { t: T0 + 10, id: null, symbol: null, side: null, quantity: null, price: null, allowed: false, code: 'MALFORMED_ORDER', reason: expect.stringContaining('order.side') },
    ]);
    expect(h.fills).toEqual([{ t: T0 + 10, orderId: 'o-1', symbol: 'AAPL', side: 'sell', quantity: '2.5', price: '101.25' }]);
    expect(h.errors.map((e) => e.kind)).toEqual(['data_error', 'broker_error', 'data_error']);
    expect(h.errors[1]).toEqual({ t: T0 + 10, kind: 'broker_error', message: 'connection reset' });
    expect(h.errors[2]!.message).toMatch(/^portfolio: value/);
    rt.updatePortfolio({ value: '1000' });
    for (let i = 0; i < 600; i++) rt.check({ symbol: 'MSFT', side: 'buy', quantity: i + 1 });
    const orders = rt.history().orders;
    expect(orders).toHaveLength(500);
    expect(orders[orders.length - 1]!.quantity).toBe('600');
    expect(orders[0]!.quantity).toBe('101');
    await rt.stop();
  });

  it('reads from `since` (ms, ISO or Date); the default is 24 h ago or the trading day\'s open, whichever is earlier', async () => {
    const { rt, clock } = await harness({ breakers: 'moderate', store: false, marketOpen: { time: '09:30', timeZone: 'America/New_York' } }, T0);
    rt.updatePortfolio({ value: '1000' });
    clock.advance(26 * HOUR);
    rt.updatePortfolio({ value: '1001' });
    expect(rt.history().since).toBe(T0 + 2 * HOUR);
    expect(rt.history().points.map((p) => p.value)).toEqual(['1001']);
    expect(rt.history(T0).points.map((p) => p.value)).toEqual(['1000', '1001']);
    expect(rt.history(new Date(T0).toISOString()).since).toBe(T0);
    expect(rt.history(new Date(T0 + HOUR)).points).toHaveLength(1);
    for (const bad of ['yesterday', 1_700_000_000, -1, Number.NaN, {}, '2026-01-05']) {
      let error: unknown;
      try {
        rt.history(bad as never);
      } catch (e) {
        error = e;
      }
      expect(error, String(bad)).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe('since');
    }
    await rt.stop();
  });
});
