// v3 limits through the public API with the manual clock: maxOpenOrders, the traded limits over
// tradedWindow, selfTrade across the runtimes of one process; each at its exact boundary.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createRiskRuntime, silentLogger } from '../../src/index.ts';
import { harness, only, type Harness } from '../helpers.ts';

const OFF = only({});
type Limits = NonNullable<Parameters<typeof createRiskRuntime>[0]['limits']>;
const running: Harness[] = [];

async function withLimits(limits: Limits, strategy?: string, positions?: { symbol: string; quantity: string | number; price?: string | number }[]) {
  const h = await harness({ breakers: OFF, limits, ...(strategy === undefined ? {} : { strategy }) });
  h.rt.updatePortfolio({ value: '1000000', ...(positions ? { positions } : {}) });
  running.push(h);
  return h;
}

afterEach(async () => {
  for (const h of running.splice(0)) await h.rt.stop();
});

describe('maxOpenOrders', () => {
  it('total: the order under check is one more; exactly at the cap passes, one more is rejected; fills in full and closes release', async () => {
    const { rt } = await withLimits({ maxOpenOrders: { total: 3 } });
    expect(rt.check({ id: '1', symbol: 'A', side: 'buy', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ id: '2', symbol: 'B', side: 'sell', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ symbol: 'C', side: 'buy', quantity: 1 }).allowed).toBe(true); // 3 open: at the cap
    expect(rt.check({ id: '4', symbol: 'D', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, code: 'LIMIT_OPEN_ORDERS', limit: 'maxOpenOrders', reason: expect.stringContaining('3 orders are open') });
    rt.recordFill({ orderId: '1', symbol: 'A', side: 'buy', quantity: '0.5', price: 10 }); // partly filled: still open
    expect(rt.check({ id: '4', symbol: 'D', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_OPEN_ORDERS' });
    rt.recordFill({ orderId: '1', symbol: 'A', side: 'buy', quantity: '0.5', price: 10 }); // filled in full
    expect(rt.check({ id: '4', symbol: 'D', side: 'buy', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ id: '5', symbol: 'D', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_OPEN_ORDERS' });
    expect(rt.recordOrderClosed({ id: '2' })).toBe(true);
    expect(rt.check({ id: '5', symbol: 'D', side: 'buy', quantity: 1 }).allowed).toBe(true);
    // A position report covers every order allowed up to it.
    rt.updatePortfolio({ value: '1000000', positions: [] });
    expect(rt.status().controls.openOrders).toBe(0);
    for (const id of ['6', '7', '8']) expect(rt.check({ id, symbol: 'E', side: 'sell', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ id: '9', symbol: 'E', side: 'sell', quantity: 1 })).toMatchObject({ code: 'LIMIT_OPEN_ORDERS' });
  });

  it('perSymbol cap, and per-symbol overrides (a number replaces it, false lifts it; the total still holds)', async () => {
    const { rt } = await withLimits({ maxOpenOrders: { total: 5, perSymbol: 2 }, perSymbol: { ES: { maxOpenOrders: 1 }, NQ: { maxOpenOrders: false } } });
    expect(rt.check({ id: 'a1', symbol: 'A', side: 'buy', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ id: 'a2', symbol: 'A', side: 'sell', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ id: 'a3', symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_OPEN_ORDERS', reason: expect.stringContaining('per symbol') });
    expect(rt.check({ id: 'e1', symbol: 'es', side: 'buy', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ id: 'e2', symbol: 'ES', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_OPEN_ORDERS' });
    expect(rt.check({ id: 'n1', symbol: 'NQ', side: 'buy', quantity: 1 }).allowed).toBe(true);
    expect(rt.check({ id: 'n2', symbol: 'NQ', side: 'buy', quantity: 1 }).allowed).toBe(true); // 5 open: the total
    expect(rt.check({ id: 'n3', symbol: 'NQ', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_OPEN_ORDERS', reason: expect.stringContaining('in total') });
  });
});

describe('maxTradedQuantity / maxTradedNotional over tradedWindow', () => {
  it('quantity: fills in the window + open orders + the order; exactly at the limit passes; fills leave the window on the monotonic clock', async () => {
    const { rt, clock } = await withLimits({ maxTradedQuantity: 10, tradedWindow: 60 });
    rt.recordFill({ symbol: 'A', side: 'buy', quantity: 4, price: 100 });
    clock.advance(30_000);
    rt.recordFill({ symbol: 'A', side: 'sell', quantity: 2, price: 100 }); // sells count too: 6 traded
    expect(rt.check({ id: '1', symbol: 'A', side: 'sell', quantity: 3 }).allowed).toBe(true); // 6 + 3 open
    expect(rt.check({ id: '2', symbol: 'A', side: 'buy', quantity: '1.000000000000000001' })).toMatchObject({ allowed: false, code: 'LIMIT_TRADED_QUANTITY', limit: 'maxTradedQuantity' });
    expect(rt.check({ id: '2', symbol: 'A', side: 'buy', quantity: 1 }).allowed).toBe(true); // 6 + 3 + 1 = 10
    expect(rt.check({ id: '3', symbol: 'B', side: 'buy', quantity: 10 }).allowed).toBe(true); // per symbol
    clock.stepWall(-3_600_000); // a wall-clock step moves no window
    clock.advance(29_999); // the first fill is 59.999 s old: still in
    expect(rt.check({ id: '4', symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_TRADED_QUANTITY' });
    clock.advance(1); // 60 s: out of (now − 60 s, now]
    expect(rt.check({ id: '4', symbol: 'A', side: 'buy', quantity: 4 }).allowed).toBe(true); // 2 + 4 open + 4 = 10
    expect(rt.check({ id: '5', symbol: 'A', side: 'buy', quantity: '0.1' })).toMatchObject({ code: 'LIMIT_TRADED_QUANTITY' });
  });

  it('notional: fills at their prices + (open + the order) × the order\'s valuation price; no reference rejects LIMIT_PRICE_REFERENCE', async () => {
    const { rt } = await withLimits({ maxTradedNotional: '1000', tradedWindow: 10, perSymbol: { B: { maxTradedNotional: false } } });
    expect(rt.check({ symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_PRICE_REFERENCE', limit: 'maxTradedNotional' });
    rt.recordFill({ symbol: 'A', side: 'buy', quantity: 2, price: 100 }); // 200 traded; last price 100
    expect(rt.check({ id: '1', symbol: 'A', side: 'buy', quantity: 4, price: 100 }).allowed).toBe(true); // 200 + 4 × 100 = 600
    // The higher of the limit and the last price: a sell priced at 0.01 is valued at 100.
    expect(rt.check({ id: '2', symbol: 'A', side: 'sell', quantity: 4, price: '0.01' }).allowed).toBe(true); // 200 + 8 × 100 = 1000
    expect(rt.check({ id: '3', symbol: 'A', side: 'sell', quantity: '0.0001', price: '0.01' })).toMatchObject({ code: 'LIMIT_TRADED_NOTIONAL', reason: expect.stringContaining('1000.01') });
    rt.recordOrderClosed({ id: '2' });
    // 200 + (4 open + 4) × 100 = 1000 exactly; at a limit price of 100.01 it is 1000.08.
    expect(rt.check({ id: '4', symbol: 'A', side: 'buy', quantity: 4, price: '100.01' })).toMatchObject({ code: 'LIMIT_TRADED_NOTIONAL' });
    expect(rt.check({ id: '4', symbol: 'A', side: 'buy', quantity: 4, price: 100 }).allowed).toBe(true);
    expect(rt.check({ id: '5', symbol: 'A', side: 'buy', quantity: '0.000001' })).toMatchObject({ code: 'LIMIT_TRADED_NOTIONAL' });
    expect(rt.check({ symbol: 'B', side: 'buy', quantity: 1e6, price: 1e6 }).allowed).toBe(true);
  });

  it('config: a traded limit without tradedWindow, and bad shapes, are refused naming their paths', async () => {
    const error = await createRiskRuntime({
      strategy: 's',
      logger: silentLogger,
      limits: { maxTradedQuantity: 5, maxOpenOrders: {}, perSymbol: { ES: { maxOpenOrders: 0, selfTrade: 'yes' } }, selfTrade: 1 } as never,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['limits.tradedWindow', 'limits.maxOpenOrders', 'limits.perSymbol.ES.maxOpenOrders', 'limits.perSymbol.ES.selfTrade', 'limits.selfTrade']));
    const perSymbolOnly = await createRiskRuntime({ strategy: 's', logger: silentLogger, limits: { perSymbol: { ES: { maxTradedNotional: 5 } } } }).catch((e: unknown) => e);
    expect((perSymbolOnly as ConfigError).issues.map((i) => i.path)).toEqual(['limits.tradedWindow']);
    const badWindow = await createRiskRuntime({ strategy: 's', logger: silentLogger, limits: { maxTradedQuantity: 5, tradedWindow: 0 } }).catch((e: unknown) => e);
    expect((badWindow as ConfigError).issues.map((i) => i.path)).toEqual(['limits.tradedWindow']);
  });
});

describe('selfTrade: across the runtimes of one process', () => {
  it('a buy at or above an open sell\'s price is rejected, below passes; a market order meets any; the order\'s own strategy counts', async () => {
    const alpha = await withLimits({ selfTrade: true }, 'alpha');
    const beta = await withLimits({}, 'beta'); // publishes its open orders without configuring selfTrade
    expect(beta.rt.check({ id: 's1', symbol: 'ES', side: 'sell', quantity: 2, price: '4500.25' }).allowed).toBe(true);
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: '4500.25' })).toMatchObject({ allowed: false, code: 'LIMIT_SELF_TRADE', limit: 'selfTrade', reason: expect.stringContaining('another strategy') });
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: '4500.2499999999999' }).allowed).toBe(true);
    expect(alpha.rt.check({ symbol: 'es', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_SELF_TRADE' }); // market
    expect(alpha.rt.check({ symbol: 'NQ', side: 'buy', quantity: 1 }).allowed).toBe(true);
    // Its own open buy at 4500.2499999999999 now meets a sell at that price or below.
    expect(alpha.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: '4500.2499999999999' })).toMatchObject({ code: 'LIMIT_SELF_TRADE', reason: expect.stringContaining('this strategy') });
    expect(alpha.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: '4500.25' }).allowed).toBe(true);
    // beta does not check: it may cross.
    expect(beta.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 5000 }).allowed).toBe(true);
  });

  it('an order filled in full, closed or covered by a report no longer counts; a stopped runtime\'s orders leave at once', async () => {
    const alpha = await withLimits({ selfTrade: true }, 'alpha');
    const beta = await withLimits({}, 'beta');
    beta.rt.check({ id: 'b1', symbol: 'ES', side: 'sell', quantity: 2, price: 100 });
    beta.rt.recordFill({ orderId: 'b1', symbol: 'ES', side: 'sell', quantity: 1, price: 100 });
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 100 })).toMatchObject({ code: 'LIMIT_SELF_TRADE' });
    beta.rt.recordFill({ orderId: 'b1', symbol: 'ES', side: 'sell', quantity: 1, price: 100 });
    expect(alpha.rt.check({ id: 'a1', symbol: 'ES', side: 'buy', quantity: 1, price: 100 }).allowed).toBe(true);
    alpha.rt.recordOrderClosed({ id: 'a1' });
    beta.rt.check({ id: 'b2', symbol: 'ES', side: 'sell', quantity: 1 }); // an open market sell meets any buy
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 1 })).toMatchObject({ code: 'LIMIT_SELF_TRADE', reason: expect.stringContaining('at market') });
    beta.rt.recordOrderClosed({ id: 'b2' });
    beta.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: 50 });
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 60 })).toMatchObject({ code: 'LIMIT_SELF_TRADE' });
    beta.clock.advance(1);
    beta.rt.updatePortfolio({ value: '1000000', positions: [] }); // covers it
    expect(alpha.rt.check({ id: 'a2', symbol: 'ES', side: 'buy', quantity: 1, price: 60 }).allowed).toBe(true);
    alpha.rt.recordOrderClosed({ id: 'a2' });
    beta.rt.check({ id: 'b3', symbol: 'ES', side: 'sell', quantity: 1, price: 50 });
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 60 })).toMatchObject({ code: 'LIMIT_SELF_TRADE' });
    await beta.rt.stop();
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 60 }).allowed).toBe(true);
  });

  it('prices that are one double are compared exactly: a hair above the buy does not meet it, the same price written otherwise does', async () => {
    const alpha = await withLimits({ selfTrade: true }, 'alpha');
    const beta = await withLimits({}, 'beta');
    expect(beta.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: '100.00000000000000001' }).allowed).toBe(true);
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: '100' }).allowed).toBe(true); // 100 < the sell
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: '100.000000000000000010' })).toMatchObject({ code: 'LIMIT_SELF_TRADE' });
    // Both open buys at 100 (as doubles, the sell's price too): a sell at 100.00000000000000001 meets neither exactly.
    expect(beta.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: '100.00000000000000001' }).allowed).toBe(true);
    expect(alpha.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: '100.00000000000000001' }).allowed).toBe(true);
    expect(alpha.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: '100.0' })).toMatchObject({ code: 'LIMIT_SELF_TRADE' });
  });

  it('per-symbol: false lifts it for a symbol, true sets it for one', async () => {
    const alpha = await withLimits({ selfTrade: true, perSymbol: { NQ: { selfTrade: false } } }, 'alpha');
    const beta = await withLimits({ perSymbol: { ES: { selfTrade: true } } }, 'beta');
    alpha.rt.check({ symbol: 'NQ', side: 'sell', quantity: 1, price: 10 });
    alpha.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: 10 });
    alpha.rt.check({ symbol: 'YM', side: 'sell', quantity: 1, price: 10 });
    expect(alpha.rt.check({ symbol: 'NQ', side: 'buy', quantity: 1, price: 10 }).allowed).toBe(true);
    expect(beta.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 10 })).toMatchObject({ code: 'LIMIT_SELF_TRADE' });
    expect(beta.rt.check({ symbol: 'YM', side: 'buy', quantity: 1, price: 10 }).allowed).toBe(true);
  });
});
