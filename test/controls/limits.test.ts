import { describe, expect, it } from 'vitest';
import { ConfigError, createRiskRuntime, silentLogger } from '../../src/index.ts';
import { harness, only } from '../helpers.ts';

const OFF = only({});
type Limits = NonNullable<Parameters<typeof createRiskRuntime>[0]['limits']>;

async function withLimits(limits: Limits, positions?: { symbol: string; quantity: string | number; price?: string | number }[]) {
  const h = await harness({ breakers: OFF, limits });
  h.rt.updatePortfolio({ value: '1000000', ...(positions ? { positions } : {}) });
  return h;
}

describe('pre-trade limits: each at its exact boundary, each with its own code', () => {
  it('maxOrderQuantity: exactly at the limit passes, a hair above is rejected', async () => {
    const { rt } = await withLimits({ maxOrderQuantity: '100' });
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 100 })).toEqual({ allowed: true });
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: '100.000000000000000001' })).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_QUANTITY', limit: 'maxOrderQuantity', breaker: null });
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: '100.0' }).allowed).toBe(true);
  });

  it('maxOrderNotional: quantity × limit price exactly at the limit passes; a market order values at the last price, or is rejected without one', async () => {
    const { rt } = await withLimits({ maxOrderNotional: '10000.05' }, [{ symbol: 'B', quantity: 0, price: '100.0005' }]);
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: '100', price: '100.0005' }).allowed).toBe(true);
    const over = rt.check({ symbol: 'A', side: 'buy', quantity: '100', price: '100.00050001' });
    expect(over).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_NOTIONAL' });
    expect(over.allowed ? '' : over.reason).toContain('10000.050001');
    expect(rt.check({ symbol: 'B', side: 'buy', quantity: 100 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'B', side: 'buy', quantity: 101 })).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL' });
    // v3: no last price and no limit price: no reference to value it by.
    expect(rt.check({ symbol: 'C', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', limit: 'maxOrderNotional', reason: expect.stringContaining('no last price') });
  });

  it('maxPosition: a projected position exactly at the limit passes, one more is rejected; open orders count', async () => {
    const { rt } = await withLimits({ maxPosition: 100 }, [{ symbol: 'A', quantity: 40 }]);
    expect(rt.check({ id: '1', symbol: 'A', side: 'buy', quantity: 60 }).allowed).toBe(true); // 40 + 60 = 100
    expect(rt.check({ id: '2', symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, code: 'LIMIT_POSITION' });
    rt.recordOrderClosed({ id: '1' }); // releases the 60
    expect(rt.check({ id: '3', symbol: 'A', side: 'buy', quantity: 60 }).allowed).toBe(true);
    rt.recordFill({ orderId: '3', symbol: 'A', side: 'buy', quantity: 60, price: 10 }); // 40 + 60 filled: still 100
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: '0.0001' })).toMatchObject({ code: 'LIMIT_POSITION' });
    expect(rt.status().controls.symbols.find((s) => s.symbol === 'A')).toMatchObject({ projected: '100', maxPosition: '100', positionUse: '1' });
    // Short side, symmetric: from 100 a sell of 200 ends at −100 (passes), 201 would be −101.
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: 201 })).toMatchObject({ code: 'LIMIT_POSITION' });
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: 200 }).allowed).toBe(true);
    // A position report replaces reported, fills and open orders.
    rt.updatePortfolio({ value: '1000000', positions: [{ symbol: 'A', quantity: 80 }] });
    expect(rt.status().controls.symbols.find((s) => s.symbol === 'A')).toMatchObject({ projected: '80', positionUse: '0.8', openSell: '0' });
  });

  it('maxPosition: an order that shrinks a position beyond the limit passes; per-symbol overrides win', async () => {
    const { rt } = await withLimits({ maxPosition: 100, perSymbol: { ES: { maxPosition: 10 }, NQ: { maxPosition: false } } }, [{ symbol: 'A', quantity: 150 }]);
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: 10 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_POSITION' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 10 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_POSITION' });
    expect(rt.check({ symbol: 'NQ', side: 'buy', quantity: 1e6 }).allowed).toBe(true);
  });

  it('priceCollar: a limit price exactly at the collar passes, beyond it is rejected; no reference, no collar', async () => {
    const { rt } = await withLimits({ priceCollar: 0.05 }, [{ symbol: 'A', quantity: 1, price: '200' }]);
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1, price: '210' }).allowed).toBe(true);
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: 1, price: '190' }).allowed).toBe(true);
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1, price: '210.0000001' })).toMatchObject({ code: 'LIMIT_PRICE_COLLAR' });
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: 1, price: '189.99' })).toMatchObject({ code: 'LIMIT_PRICE_COLLAR' });
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1 }).allowed).toBe(true); // market order
    expect(rt.check({ symbol: 'Z', side: 'buy', quantity: 1, price: '1e6' }).allowed).toBe(true); // no reference price
    rt.recordFill({ symbol: 'A', side: 'buy', quantity: 1, price: '300' }); // a fill moves the reference
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1, price: '315' }).allowed).toBe(true);
  });

  it('duplicateWindow: the same order within the window is rejected; at exactly the window it passes', async () => {
    const h = await withLimits({ duplicateWindow: 500 });
    const order = { symbol: 'A', side: 'buy' as const, quantity: 5, price: '10' };
    expect(h.rt.check(order).allowed).toBe(true);
    h.clock.advance(499);
    expect(h.rt.check({ ...order, quantity: '5' })).toMatchObject({ code: 'LIMIT_DUPLICATE' });
    expect(h.rt.check({ ...order, side: 'sell' }).allowed).toBe(true);
    h.clock.advance(1);
    expect(h.rt.check(order).allowed).toBe(true);
  });

  it('restrictedSymbols (and per symbol): every order rejected', async () => {
    const { rt } = await withLimits({ restrictedSymbols: ['BAD'], perSymbol: { UGLY: { restricted: true } } });
    expect(rt.check({ symbol: 'BAD', side: 'sell', quantity: 1 })).toMatchObject({ code: 'LIMIT_RESTRICTED' });
    expect(rt.check({ symbol: 'UGLY', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_RESTRICTED' });
    expect(rt.check({ symbol: 'GOOD', side: 'buy', quantity: 1 }).allowed).toBe(true);
  });

  it('maxGrossExposure: Σ |position| × price after the order; exactly at it passes', async () => {
    const { rt } = await withLimits({ maxGrossExposure: '10000' }, [
      { symbol: 'A', quantity: 50, price: '100' },
      { symbol: 'B', quantity: -20, price: '50' },
    ]); // 5000 + 1000 = 6000
    expect(rt.check({ id: 'x', symbol: 'A', side: 'buy', quantity: 40 }).allowed).toBe(true); // 9000 + 1000
    expect(rt.check({ symbol: 'B', side: 'sell', quantity: 1 })).toMatchObject({ code: 'LIMIT_GROSS_EXPOSURE' });
    expect(rt.check({ symbol: 'B', side: 'buy', quantity: 5 }).allowed).toBe(true); // reduces the short
    expect(rt.check({ symbol: 'C', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', limit: 'maxGrossExposure', reason: expect.stringContaining('no last price') });
    // v3: each symbol's worst side × its last price: A max(|50 + 40|, |50|) × 100 + B max(|−20 + 5|, |−20|) × 50.
    expect(rt.status().controls.grossExposure).toEqual({ value: '10000', limit: '10000' });
  });

  it('every rejection is an order_rejected error (hammering a limit trips the error-rate breaker) and an OrderRejected event', async () => {
    const h = await harness({ breakers: only({ errorRate: { maxErrors: 3, window: 60 } }), limits: { maxOrderQuantity: 1 } });
    h.rt.updatePortfolio({ value: '1000' });
    for (let i = 0; i < 4; i++) expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 2 })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
    expect(h.rt.status().breakers.errorRate.state).toBe('TRIPPED');
    expect(h.events.filter((e) => e.type === 'OrderRejected')).toHaveLength(4);
    expect(h.rt.status().controls.rejections).toEqual({ LIMIT_ORDER_QUANTITY: 4 });
    expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ code: 'BREAKER_NOT_NORMAL' });
  });

  it('invalid limits are refused at start-up, every problem with its path', async () => {
    const error = await createRiskRuntime({
      strategy: 's',
      logger: silentLogger,
      limits: { maxPosition: -1, priceCollar: 0, duplicateWindow: 1.5, perSymbol: { ES: { maxPositoin: 3 } } } as never,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['limits.maxPosition', 'limits.priceCollar', 'limits.duplicateWindow', 'limits.perSymbol.ES.maxPositoin']));
  });
});
