/**
 * Valuation v3 (PRODUCT.md, "Pre-trade limits"): an order's notional at the higher of its limit
 * price and the last price; gross exposure at each symbol's worst side × its reference price;
 * LIMIT_PRICE_REFERENCE where no reference exists; priceCollar.referenceMaxAge on the monotonic clock.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, createRiskRuntime, silentLogger, type Decision } from '../../src/index.ts';
import { harness, only } from '../helpers.ts';

const OFF = only({});
type Limits = NonNullable<Parameters<typeof createRiskRuntime>[0]['limits']>;

async function withLimits(limits: Limits, positions?: { symbol: string; quantity: string | number; price?: string | number }[]) {
  const h = await harness({ breakers: OFF, limits });
  h.rt.updatePortfolio({ value: '1000000', ...(positions ? { positions } : {}) });
  return h;
}
const reason = (d: Decision) => (d.allowed ? '' : d.reason);

describe('maxOrderNotional: quantity × the higher of the limit price and the last price', () => {
  it('attack: last price 100, limit 250,000: sell 1,000,000 @ 0.01 is valued at the market (1e8), not 10,000', async () => {
    const { rt } = await withLimits({ maxOrderNotional: '250000' }, [{ symbol: 'X', quantity: 0, price: 100 }]);
    const d = rt.check({ symbol: 'X', side: 'sell', quantity: 1_000_000, price: '0.01' });
    expect(d).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_NOTIONAL', limit: 'maxOrderNotional' });
    expect(reason(d)).toBe('notional 100000000 (1000000 × 100) of X exceeds the maximum order notional of 250000');
    // The same for a buy priced under the market, and at the boundary exactly.
    expect(rt.check({ symbol: 'X', side: 'buy', quantity: 2501, price: '1' })).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL' });
    expect(rt.check({ symbol: 'X', side: 'sell', quantity: 2500, price: '0.01' }).allowed).toBe(true);
  });

  it('a limit price above the last price values the order at its limit price', async () => {
    const { rt } = await withLimits({ maxOrderNotional: '1000' }, [{ symbol: 'X', quantity: 0, price: 10 }]);
    expect(rt.check({ symbol: 'X', side: 'buy', quantity: 50, price: '20' }).allowed).toBe(true);
    expect(rt.check({ symbol: 'X', side: 'buy', quantity: 50, price: '20.01' })).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL', reason: expect.stringContaining('50 × 20.01') });
  });

  it('a market order at the last price; no last price: a limit order at its limit price, a market order LIMIT_PRICE_REFERENCE', async () => {
    const { rt } = await withLimits({ maxOrderNotional: '1000' }, [{ symbol: 'X', quantity: 0, price: 10 }]);
    expect(rt.check({ symbol: 'X', side: 'sell', quantity: 100 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'X', side: 'sell', quantity: 101 })).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL' });
    expect(rt.check({ symbol: 'NEW', side: 'buy', quantity: 100, price: '10' }).allowed).toBe(true);
    expect(rt.check({ symbol: 'NEW', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, code: 'LIMIT_PRICE_REFERENCE', limit: 'maxOrderNotional' });
    expect(rt.status().controls.rejections).toEqual({ LIMIT_ORDER_NOTIONAL: 1, LIMIT_PRICE_REFERENCE: 1 });
  });

  it('a fill moves the last price the next order is valued at', async () => {
    const { rt } = await withLimits({ maxOrderNotional: '1000' }, [{ symbol: 'X', quantity: 0, price: 1 }]);
    expect(rt.check({ symbol: 'X', side: 'sell', quantity: 500, price: '1' }).allowed).toBe(true);
    rt.recordFill({ symbol: 'X', side: 'sell', quantity: 1, price: 3 });
    expect(rt.check({ symbol: 'X', side: 'sell', quantity: 500, price: '1' })).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL', reason: expect.stringContaining('500 × 3') });
  });
});

describe('maxGrossExposure: Σ worst side × reference price, the order counted as one more open order', () => {
  it('attack: a buy priced at 0.01 is valued at the last price of its symbol, not at its limit price', async () => {
    const { rt } = await withLimits({ maxGrossExposure: '10000' }, [{ symbol: 'X', quantity: 0, price: 100 }]);
    expect(rt.check({ symbol: 'X', side: 'buy', quantity: 1000, price: '0.01' })).toMatchObject({ code: 'LIMIT_GROSS_EXPOSURE', reason: expect.stringContaining('from 0 to 100000') });
    expect(rt.check({ symbol: 'X', side: 'buy', quantity: 100, price: '0.01' }).allowed).toBe(true); // exactly 10,000
  });

  it('the order’s own symbol at the higher of last and limit price, every other symbol at its last price', async () => {
    const { rt } = await withLimits({ maxGrossExposure: '10000' }, [
      { symbol: 'A', quantity: 10, price: 100 },
      { symbol: 'B', quantity: -10, price: 200 },
    ]); // 1000 + 2000
    // A at 150: max(|10 + 36|, |10|) × 150 = 6900, + B 2000 = 8900.
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 36, price: '150' }).allowed).toBe(true);
    // Now A: long side 46. Another buy of 1 at 100 (= last): 47 × 100 + 2000 = 6700 passes; at 200: 47 × 200 + 2000 = 11400.
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1, price: '200' })).toMatchObject({ code: 'LIMIT_GROSS_EXPOSURE', reason: expect.stringContaining('to 11400') });
    // B at its last price 200 (the limit price 1 is lower): short side −28 × 200 = 5600, + A 46 × 100 = 10200.
    expect(rt.check({ symbol: 'B', side: 'sell', quantity: 18, price: '1' })).toMatchObject({ code: 'LIMIT_GROSS_EXPOSURE', reason: expect.stringContaining('from 6600 to 10200') });
    expect(rt.check({ symbol: 'B', side: 'sell', quantity: 17, price: '1' }).allowed).toBe(true); // 5400 + 4600
  });

  it('each symbol counts its worst side: open buys and sells both count, whichever side is larger', async () => {
    const { rt } = await withLimits({ maxGrossExposure: '2000' }, [{ symbol: 'A', quantity: 0, price: 100 }]);
    expect(rt.check({ id: 'b', symbol: 'A', side: 'buy', quantity: 10 }).allowed).toBe(true); // long side 10: 1000
    expect(rt.check({ id: 's', symbol: 'A', side: 'sell', quantity: 20 }).allowed).toBe(true); // short side −20: 2000 (net −10 would be 1000)
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: 1 })).toMatchObject({ code: 'LIMIT_GROSS_EXPOSURE' });
    expect(rt.status().controls.grossExposure).toEqual({ value: '2000', limit: '2000' });
    rt.recordOrderClosed({ id: 's' });
    expect(rt.status().controls.grossExposure).toEqual({ value: '1000', limit: '2000' });
  });

  it('an order that does not raise the gross exposure passes even above the limit (a sell from a long)', async () => {
    const { rt } = await withLimits({ maxGrossExposure: '5000' }, [{ symbol: 'A', quantity: 100, price: 100 }]); // 10,000
    expect(rt.check({ symbol: 'A', side: 'sell', quantity: 100, price: '1' }).allowed).toBe(true);
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1, price: '1' })).toMatchObject({ code: 'LIMIT_GROSS_EXPOSURE' });
  });

  it('no reference: a held symbol without a last price, or a market order in a new one: LIMIT_PRICE_REFERENCE', async () => {
    const { rt } = await withLimits({ maxGrossExposure: '1000000' }, [{ symbol: 'A', quantity: 5 }]);
    expect(rt.check({ symbol: 'B', side: 'buy', quantity: 1, price: '1' })).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', limit: 'maxGrossExposure', reason: expect.stringContaining('no last price is known for A') });
    rt.updatePortfolio({ value: '1000000', positions: [{ symbol: 'A', quantity: 5, price: 1 }] });
    expect(rt.check({ symbol: 'C', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', reason: expect.stringContaining('no last price is known for C and the order has no limit price') });
    expect(rt.check({ symbol: 'B', side: 'buy', quantity: 1, price: '1' }).allowed).toBe(true);
    // B is now held (an open buy) with no last price: nothing can be valued until it has one.
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1, price: '1' })).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', reason: expect.stringContaining('no last price is known for B, which is held') });
  });
});

describe('priceCollar: { band, referenceMaxAge }', () => {
  it('a last price older than referenceMaxAge, or none, rejects a limit order LIMIT_PRICE_REFERENCE; exactly at the age passes', async () => {
    const h = await withLimits({ priceCollar: { band: 0.05, referenceMaxAge: 5 } });
    const order = { symbol: 'A', side: 'buy' as const, quantity: 1, price: '100' };
    expect(h.rt.check(order)).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', limit: 'priceCollar', reason: expect.stringContaining('no last price of A') });
    h.rt.updatePortfolio({ value: '1000000', positions: [{ symbol: 'A', quantity: 0, price: 100 }] });
    expect(h.rt.check(order).allowed).toBe(true);
    expect(h.rt.check({ ...order, price: '106' })).toMatchObject({ code: 'LIMIT_PRICE_COLLAR' });
    h.clock.advance(5000);
    expect(h.rt.check(order).allowed).toBe(true);
    h.clock.advance(1);
    expect(h.rt.check(order)).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', reason: 'the last price of A is 5.001 s old, older than the collar\'s referenceMaxAge of 5 s' });
    expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 1 }).allowed).toBe(true); // a market order is not collared
    h.rt.recordFill({ symbol: 'A', side: 'buy', quantity: 1, price: 101 }); // a fill is a fresh price
    expect(h.rt.check(order).allowed).toBe(true);
  });

  it('the age is measured on the monotonic clock: a wall clock stepped back or forward changes nothing', async () => {
    const h = await withLimits({ priceCollar: { band: 0.05, referenceMaxAge: 5 } }, [{ symbol: 'A', quantity: 0, price: 100 }]);
    const order = { symbol: 'A', side: 'buy' as const, quantity: 1, price: '100' };
    h.clock.stepWall(3_600_000); // forward an hour: the price is not an hour old
    expect(h.rt.check(order).allowed).toBe(true);
    h.clock.stepWall(-7_200_000); // back two hours: the price does not get younger
    h.clock.advance(5000);
    expect(h.rt.check(order).allowed).toBe(true);
    h.clock.advance(1);
    expect(h.rt.check(order)).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', reason: expect.stringContaining('5.001 s old') });
  });

  it('a reported price is as old as its report’s asOf', async () => {
    const h = await withLimits({ priceCollar: { band: 0.05, referenceMaxAge: 5 } });
    h.rt.updatePortfolio({ value: '1000000', asOf: h.clock.now() - 3000, positions: [{ symbol: 'A', quantity: 0, price: 100 }] });
    const order = { symbol: 'A', side: 'buy' as const, quantity: 1, price: '100' };
    h.clock.advance(2000);
    expect(h.rt.check(order).allowed).toBe(true);
    h.clock.advance(1);
    expect(h.rt.check(order)).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', reason: expect.stringContaining('5.001 s old') });
  });

  it('per symbol: its own band and age, or off; a plain fraction keeps no age limit', async () => {
    const h = await withLimits({ priceCollar: 0.05, perSymbol: { B: { priceCollar: { band: 0.1, referenceMaxAge: 1 } }, C: { priceCollar: false } } }, [
      { symbol: 'A', quantity: 0, price: 100 },
      { symbol: 'B', quantity: 0, price: 100 },
      { symbol: 'C', quantity: 0, price: 100 },
    ]);
    h.clock.advance(60_000);
    expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 1, price: '105' }).allowed).toBe(true);
    expect(h.rt.check({ symbol: 'B', side: 'buy', quantity: 1, price: '105' })).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE' });
    expect(h.rt.check({ symbol: 'C', side: 'buy', quantity: 1, price: '1000' }).allowed).toBe(true);
    expect(h.rt.check({ symbol: 'Z', side: 'buy', quantity: 1, price: '1000' }).allowed).toBe(true); // no reference, no age limit: not collared
  });

  it('the shape is checked: band and referenceMaxAge, nothing else', async () => {
    const start = (priceCollar: unknown) => createRiskRuntime({ strategy: 's', logger: silentLogger, limits: { priceCollar } as never }).catch((e: unknown) => e);
    for (const bad of [{ band: 0.05 }, { band: 0.05, referenceMaxAge: 0 }, { band: 0.05, referenceMaxAge: 5, extra: 1 }, { referenceMaxAge: 5 }, '0.05']) {
      expect(await start(bad), JSON.stringify(bad)).toBeInstanceOf(ConfigError);
    }
    const rt = await start({ band: 0.05, referenceMaxAge: 0.5 });
    expect(rt).not.toBeInstanceOf(Error);
    await (rt as { stop(): Promise<void> }).stop();
  });
});
