/**
 * The message that trips a breaker is itself rejected (PRODUCT.md, "Beyond the seed"), even when
 * a listener hears of the trip and resets the breaker at once: the trip and the decision are one
 * step, and listeners run after it. Found by the combined model (test/model/allControls*).
 */
import { describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type BreakersConfig, type RiskRuntime } from '../../src/index.ts';

const START = Date.parse('2026-12-01T14:00:00Z');
const OFF = { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false } as const;
const order = (i: number | string) => ({ id: `o${i}`, symbol: 'ES', side: 'buy' as const, quantity: 1, price: '100' });

async function runtime(breakers: object, clock = new ManualClock(START)): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({ strategy: 'tripping', clock, logger: silentLogger, store: false, breakers: { ...OFF, ...breakers } as BreakersConfig, limits: { maxOpenOrders: { total: 100 } } });
  rt.updatePortfolio({ value: '100000' });
  return rt;
}

/** Resets every breaker that trips, from inside the trip's notification; returns the kinds reset. */
function resetOnTrip(rt: RiskRuntime): string[] {
  const reset: string[] = [];
  rt.events$.subscribe((e) => {
    if (e.type !== 'CircuitBreakerTripped') return;
    const { token } = rt.requestReset({ breaker: e.breaker as never, operator: 'listener' });
    rt.confirmReset({ token, operator: 'listener' });
    reset.push(e.breaker!);
  });
  return reset;
}

describe('the tripping message is rejected even when a listener resets the breaker at once', () => {
  for (const [name, breakers] of [
    ['orderRate { maxOrders: 2 }', { orderRate: { maxOrders: 2, window: 10 } }],
    ['messageRate { maxMessages: 2 }', { messageRate: { maxMessages: 2, window: 10 } }],
    ['orderToTrade { maxRatio: 2, minOrders: 3 }', { orderToTrade: { maxRatio: 2, window: 10, minOrders: 3 } }],
  ] as const) {
    it(`${name}: the 3rd submission trips it and is rejected; the listener's reset then lets the next one through`, async () => {
      const rt = await runtime(breakers);
      const reset = resetOnTrip(rt);
      expect([0, 1].map((i) => rt.check(order(i)).allowed)).toEqual([true, true]);
      const tripping = rt.check(order(2));
      expect(tripping).toMatchObject({ allowed: false, state: 'TRIPPED' });
      expect(reset).toHaveLength(1);
      expect(rt.status().state).toBe('NORMAL');
      await rt.stop();
    });
  }

  it('messageRate: a modification that trips it is rejected too', async () => {
    const rt = await runtime({ messageRate: { maxMessages: 2, window: 10 } });
    const reset = resetOnTrip(rt);
    rt.check(order(0));
    rt.check(order(1));
    expect(rt.checkModify({ id: 'o0', quantity: 2 })).toMatchObject({ allowed: false, state: 'TRIPPED' });
    expect(reset).toEqual(['messageRate']);
    await rt.stop();
  });

  it('staleData: the order that finds the data stale (before its timer ran) trips it and is rejected', async () => {
    // A clock whose timers have not run yet (a busy event loop): check() notices the age itself.
    let t = START;
    const clock = { now: () => t, monotonic: () => t, setTimer: () => () => undefined };
    const rt = await createRiskRuntime({ strategy: 'tripping', clock, logger: silentLogger, store: false, breakers: { ...OFF, staleData: { maxAge: 30 } } as BreakersConfig });
    rt.updatePortfolio({ value: '100000' });
    const tripped: string[] = [];
    rt.events$.subscribe((e) => {
      if (e.type !== 'CircuitBreakerTripped') return;
      tripped.push(e.breaker!);
      rt.updatePortfolio({ value: '100000' }); // a fresh value from inside the notification heals it
    });
    expect(rt.check(order(0)).allowed).toBe(true);
    t += 31_000;
    expect(rt.check(order(1))).toMatchObject({ allowed: false, state: 'TRIPPED' });
    expect(tripped).toEqual(['staleData']);
    expect(rt.check(order(2)).allowed).toBe(true);
    await rt.stop();
  });

  it('without a listener the tripping message and the next are rejected (the breaker stays TRIPPED)', async () => {
    const rt = await runtime({ orderRate: { maxOrders: 2, window: 10 } });
    expect([0, 1, 2, 3].map((i) => rt.check(order(i)).allowed)).toEqual([true, true, false, false]);
    await rt.stop();
  });
});
