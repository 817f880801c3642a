import { describe, expect, it } from 'vitest';
import { harness, only } from '../helpers.ts';

const LONG = [{ symbol: 'ACME', quantity: 100, price: '50' }];

describe('trading modes and reduce-only', () => {
  it('a breaker configured onTrip reduceOnly: REDUCING; the whole long may be sold, one more share is rejected', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1, onTrip: 'reduceOnly' } }) });
    h.rt.updatePortfolio({ value: '1000', positions: LONG });
    expect(h.rt.status().tradingMode).toBe('ACTIVE');
    h.rt.updatePortfolio({ value: '850' });
    const status = h.rt.status();
    expect(status).toMatchObject({ state: 'TRIPPED', tradingMode: 'REDUCING', ordersAllowed: false });
    expect(status.breakers.drawdown.onTrip).toBe('reduceOnly');
    expect(h.cancels).toHaveLength(1); // pending orders are still cancelled at the trip
    expect(h.events.find((e) => e.type === 'TradingModeChanged')?.details).toMatchObject({ from: 'ACTIVE', to: 'REDUCING' });
    expect(h.rt.check({ symbol: 'ACME', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, code: 'REDUCE_ONLY', limit: 'reduceOnly', breaker: 'drawdown' });
    expect(h.rt.check({ symbol: 'OTHER', side: 'sell', quantity: 1 })).toMatchObject({ code: 'REDUCE_ONLY' }); // would open a short
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 101 })).toMatchObject({ code: 'REDUCE_ONLY', reason: expect.stringContaining('cross zero') });
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 100 })).toEqual({ allowed: true });
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: '0.000001' })).toMatchObject({ code: 'REDUCE_ONLY' }); // the 100 are reserved
  });

  it('two sells that together exceed the long: the second is rejected; a close releases the first', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1, onTrip: 'reduceOnly' } }) });
    h.rt.updatePortfolio({ value: '1000', positions: LONG });
    h.rt.updatePortfolio({ value: '800' });
    expect(h.rt.check({ id: 's1', symbol: 'ACME', side: 'sell', quantity: 60 }).allowed).toBe(true);
    expect(h.rt.check({ id: 's2', symbol: 'ACME', side: 'sell', quantity: 60 })).toMatchObject({ code: 'REDUCE_ONLY' });
    expect(h.rt.check({ id: 's3', symbol: 'ACME', side: 'sell', quantity: 40 }).allowed).toBe(true);
    expect(h.rt.recordOrderClosed({ id: 's1' })).toBe(true);
    expect(h.rt.check({ id: 's4', symbol: 'ACME', side: 'sell', quantity: 60 }).allowed).toBe(true);
    // Fills move quantity from open to filled: the projection stays at zero.
    h.rt.recordFill({ orderId: 's3', symbol: 'ACME', side: 'sell', quantity: 40, price: 45 });
    h.rt.recordFill({ orderId: 's4', symbol: 'ACME', side: 'sell', quantity: 60, price: 45 });
    expect(h.rt.status().controls.symbols[0]).toMatchObject({ symbol: 'ACME', reported: '100', filled: '-100', openSell: '0', projected: '0' });
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 1 })).toMatchObject({ code: 'REDUCE_ONLY' });
    expect(h.rt.recordOrderClosed({ id: 'unknown' })).toBe(false);
  });

  it('a short is covered by buys only up to zero', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1, onTrip: 'reduceOnly' } }) });
    h.rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'X', quantity: '-2.5' }] });
    h.rt.updatePortfolio({ value: '800' });
    expect(h.rt.check({ symbol: 'X', side: 'buy', quantity: '2.6' })).toMatchObject({ code: 'REDUCE_ONLY' });
    expect(h.rt.check({ symbol: 'X', side: 'buy', quantity: '2.5' }).allowed).toBe(true);
  });

  it('HALTED when any non-NORMAL breaker halts: a reduce-only one beside a halting one blocks everything', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1, onTrip: 'reduceOnly' }, dailyLoss: { limit: -0.05 } }) });
    h.rt.updatePortfolio({ value: '1000', positions: LONG });
    h.rt.updatePortfolio({ value: '800' }); // both trip
    expect(h.rt.status().tradingMode).toBe('HALTED');
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 1 })).toMatchObject({ code: 'BREAKER_NOT_NORMAL', breaker: 'dailyLoss' });
  });

  it('halt({ mode: "reduceOnly" }) lets risk-reducing orders pass; halting again without a mode halts all; a reset returns to ACTIVE', async () => {
    const h = await harness({ breakers: only({}) });
    h.rt.updatePortfolio({ value: '1000', positions: LONG });
    h.rt.halt({ operator: 'ops', reason: 'flatten', mode: 'reduceOnly' });
    expect(h.rt.tradingMode).toBe('REDUCING');
    expect(h.rt.status().breakers.manual.figures).toMatchObject({ operator: 'ops', mode: 'reduceOnly' });
    expect(h.events.find((e) => e.type === 'ManualHalt')?.details).toMatchObject({ mode: 'reduceOnly' });
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 10 }).allowed).toBe(true);
    expect(h.rt.check({ symbol: 'ACME', side: 'buy', quantity: 10 })).toMatchObject({ code: 'REDUCE_ONLY', breaker: 'manual' });
    h.rt.halt({ operator: 'ops', reason: 'stop everything' });
    expect(h.rt.tradingMode).toBe('HALTED');
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 10 })).toMatchObject({ code: 'BREAKER_NOT_NORMAL' });
    expect(() => h.rt.halt({ operator: 'ops', reason: 'x', mode: 'sideways' as never })).toThrow(/mode/);
    const { token } = h.rt.requestReset({ breaker: 'manual', operator: 'ops' });
    h.rt.confirmReset({ token, operator: 'ops' });
    expect(h.rt.tradingMode).toBe('ACTIVE');
    expect(h.rt.status().breakers.manual.figures.mode).toBeNull();
  });

  it('a reduce-only halt survives a restart (the mode is in the manual chart context)', async () => {
    const { MemoryStrategyStore, createRiskRuntime, ManualClock, silentLogger } = await import('../../src/index.ts');
    const store = new MemoryStrategyStore();
    const clock = new ManualClock();
    const a = await createRiskRuntime({ strategy: 's', store, clock, logger: silentLogger, breakers: only({}) });
    a.halt({ operator: 'ops', reason: 'flatten', mode: 'reduceOnly' });
    await a.stop();
    const b = await createRiskRuntime({ strategy: 's', store, clock, logger: silentLogger, breakers: only({}) });
    b.updatePortfolio({ value: '10', positions: [{ symbol: 'A', quantity: 5 }] });
    expect(b.tradingMode).toBe('REDUCING');
    expect(b.check({ symbol: 'A', side: 'sell', quantity: 5 }).allowed).toBe(true);
    await b.stop();
  });

  it('in REDUCING a data fault still blocks everything (fail closed)', async () => {
    const h = await harness({ breakers: only({}) });
    h.rt.updatePortfolio({ value: '1000', positions: LONG });
    h.rt.halt({ operator: 'ops', reason: 'flatten', mode: 'reduceOnly' });
    expect(() => h.rt.updatePortfolio({ value: 'garbage' })).toThrow();
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 1 })).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL' });
  });

  it('limits still apply in REDUCING, after reduce-only', async () => {
    const h = await harness({ breakers: only({}), limits: { maxOrderQuantity: 30 } });
    h.rt.updatePortfolio({ value: '1000', positions: LONG });
    h.rt.halt({ operator: 'ops', reason: 'flatten', mode: 'reduceOnly' });
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 31 })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 30 }).allowed).toBe(true);
  });
});
