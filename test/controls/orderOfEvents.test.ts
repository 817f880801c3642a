/**
 * Order of events (PRODUCT.md, "Inputs and their bounds"): a position report replaces only what
 * happened up to its `asOf`; an older report than the newest accepted one is ignored; a fill of
 * an unknown or closed order moves the position without using up another order's reservation,
 * and one that carries an execution time at or before the newest report's asOf moves nothing.
 * Each attack goes through the public API, on a manual clock, without a store.
 */
import { describe, expect, it } from 'vitest';
import { readPortfolioUpdate } from '../../src/runtime/inputs.ts';
import { call, startTestServer } from '../server/helpers.ts';
import { createRiskRuntime, InvalidInputError, ManualClock, silentLogger, type RiskEvent, type RiskRuntime } from '../../src/index.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
type Limits = NonNullable<Parameters<typeof createRiskRuntime>[0]['limits']>;

async function runtime(limits?: Limits): Promise<{ rt: RiskRuntime; clock: ManualClock; events: RiskEvent[] }> {
  const clock = new ManualClock(T0);
  const rt = await createRiskRuntime({
    strategy: 'order-of-events',
    clock,
    logger: silentLogger,
    store: false,
    // errorRate on (with room) only to count the data_errors.
    breakers: { drawdown: false, dailyLoss: false, orderRate: false, errorRate: { maxErrors: 100, window: 60 } },
    ...(limits ? { limits } : {}),
  });
  const events: RiskEvent[] = [];
  rt.events$.subscribe((e) => events.push(e));
  return { rt, clock, events };
}

const dataErrors = (rt: RiskRuntime) => rt.status().breakers.errorRate.figures?.byKind.data_error;
const symbol = (rt: RiskRuntime, name: string) => rt.status().controls.symbols.find((s) => s.symbol === name);

describe('order of events: position reports with asOf', () => {
  it('reduce-only, long 100: a sell of 100 fills, a late report (asOf before that fill) says long 100: a second sell 100 is refused', async () => {
    const { rt, clock } = await runtime();
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ACME', quantity: 100, price: 50 }] });
    rt.halt({ operator: 'risk', reason: 'test', mode: 'reduceOnly' });
    expect(rt.status().tradingMode).toBe('REDUCING');
    clock.advance(1000);
    expect(rt.check({ id: 's1', symbol: 'ACME', side: 'sell', quantity: 100 })).toEqual({ allowed: true });
    clock.advance(1000);
    rt.recordFill({ orderId: 's1', symbol: 'ACME', side: 'sell', quantity: 100, price: 49 });
    clock.advance(1000);
    // The broker's snapshot was taken before the fill (T0 + 1.5 s): it still shows the long.
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ACME', quantity: 100, price: 50 }], asOf: T0 + 1500 });
    expect(symbol(rt, 'ACME')).toMatchObject({ reported: '100', filled: '-100', projected: '0' });
    expect(rt.check({ id: 's2', symbol: 'ACME', side: 'sell', quantity: 100 })).toMatchObject({ allowed: false, code: 'REDUCE_ONLY' });
    // A report after the fill replaces it: flat, and nothing to reduce.
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ACME', quantity: 0 }], asOf: new Date(T0 + 2500) });
    expect(symbol(rt, 'ACME')).toMatchObject({ reported: '0', filled: '0', projected: '0' });
    expect(rt.check({ symbol: 'ACME', side: 'sell', quantity: 1 })).toMatchObject({ code: 'REDUCE_ONLY' });
  });

  it('the report timestamp is its asOf when asOf is absent; orders allowed after it stay reserved', async () => {
    const { rt, clock } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000' });
    clock.advance(1000);
    expect(rt.check({ id: 'b1', symbol: 'ES', side: 'buy', quantity: 6 }).allowed).toBe(true);
    clock.advance(1000);
    // Observed at T0 + 500, before b1 was allowed: b1 stays open on top of it.
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ES', quantity: 2 }], timestamp: T0 + 500 });
    expect(symbol(rt, 'ES')).toMatchObject({ reported: '2', openBuy: '6', projected: '8' });
    expect(rt.check({ id: 'b2', symbol: 'ES', side: 'buy', quantity: 3 })).toMatchObject({ allowed: false, code: 'LIMIT_POSITION' });
    // b1's fill still finds its order.
    rt.recordFill({ orderId: 'b1', symbol: 'ES', side: 'buy', quantity: 6, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ reported: '2', filled: '6', openBuy: '0', projected: '8' });
    // A report received now (no asOf, no timestamp) covers everything.
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ES', quantity: 8 }] });
    expect(symbol(rt, 'ES')).toMatchObject({ reported: '8', filled: '0', openBuy: '0', projected: '8' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 2 }).allowed).toBe(true);
  });

  it('a report older than the newest accepted one is ignored: journaled, counted as a data_error, nothing changes', async () => {
    const { rt, clock, events } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ES', quantity: 4, price: 20 }], asOf: T0 });
    clock.advance(5000);
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ES', quantity: 6, price: 21 }], asOf: T0 + 3000 });
    const before = rt.status();
    const errorsBefore = dataErrors(rt);
    expect(errorsBefore).toBe(0);
    clock.advance(1000);
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ES', quantity: -9, price: 1 }, { symbol: 'NQ', quantity: 3 }], cash: '-50', asOf: '2026-01-05T12:00:02Z' });
    expect(rt.status().portfolio.cash).toBeNull(); // the stale snapshot's cash is ignored with it
    const after = rt.status();
    expect(after.controls.symbols).toEqual(before.controls.symbols);
    expect(after.portfolio.positions).toEqual(before.portfolio.positions);
    expect(after.ordersAllowed).toBe(true); // ignored, not a data fault
    expect(dataErrors(rt)).toBe(1);
    const ignored = events.filter((e) => e.type === 'InputRejected').at(-1);
    expect(ignored?.details).toMatchObject({ input: 'portfolio', field: 'asOf', error: expect.stringContaining('older than the newest accepted') });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 4 }).allowed).toBe(true); // 6 + 4
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_POSITION' });
    // The same asOf as the newest is not older: accepted.
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ES', quantity: 1 }], asOf: T0 + 3000 });
    expect(symbol(rt, 'ES')).toMatchObject({ reported: '1' });
    expect(dataErrors(rt)).toBe(1);
  });

  it('asOf is validated like every timestamp: units, skew, form; a refusal names asOf', async () => {
    const { rt } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000' });
    const positions = [{ symbol: 'ES', quantity: 1 }];
    const refused = (asOf: unknown, message: RegExp) => {
      let error: unknown;
      try {
        rt.updatePortfolio({ value: '1000', positions, asOf } as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe('asOf');
      expect((error as Error).message).toMatch(message);
    };
    refused(T0 / 1000, /seconds/);
    refused(T0 * 1000, /microseconds/);
    refused(T0 * 1e6, /nanoseconds/);
    refused(T0 + 5001, /ahead of the runtime's clock/);
    refused('2026-01-05 12:00:00', /ISO-8601/);
    refused(Number.NaN, /point in time/);
    refused({ getTime: () => T0 }, /point in time/);
    refused(new Date(Number.NaN), /invalid Date/);
    // Each refusal was a refused update: nothing taken.
    expect(symbol(rt, 'ES')).toBeUndefined();
    rt.updatePortfolio({ value: '1000', positions, asOf: T0 + 5000 }); // the skew allowed
    expect(symbol(rt, 'ES')).toMatchObject({ reported: '1' });
  });
});

describe('order of events: asOf read once', () => {
  it('a getter is read once; a throwing one refuses the update; readPortfolioUpdate validates asOf the same way', async () => {
    const { rt } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000' });
    let reads = 0;
    const update = {
      value: '1000',
      positions: [{ symbol: 'ES', quantity: 2 }],
      get asOf() {
        reads++;
        return reads === 1 ? T0 : T0 / 1000;
      },
    };
    rt.updatePortfolio(update);
    expect(reads).toBe(1);
    expect(symbol(rt, 'ES')).toMatchObject({ reported: '2' });
    const hostile = { value: '1000', positions: [], get asOf(): number { throw new Error('boom'); } };
    expect(() => rt.updatePortfolio(hostile)).toThrow(/^update: could not be read/);
    expect(symbol(rt, 'ES')).toMatchObject({ reported: '2' });
    expect(readPortfolioUpdate({ value: 1, asOf: '2026-01-05T12:00:00Z' }).asOf).toBe(T0);
    expect(readPortfolioUpdate({ value: 1, timestamp: T0 - 5 }).asOf).toBe(T0 - 5);
    expect(readPortfolioUpdate({ value: 1 }).asOf).toBeNull();
    expect(() => readPortfolioUpdate({ value: 1, asOf: T0 * 1000 })).toThrow(/^asOf: .*microseconds/);
    expect(() => readPortfolioUpdate({ value: 1, asOf: T0 + 6000 }, { now: T0 })).toThrow(/^asOf: .*ahead/);
  });
});

describe('order of events: late fills', () => {
  it('maxPosition 10: buy 5 (A), buy 5 (B), A closed, A late fill of 5: B stays reserved, a third buy of 5 is refused', async () => {
    const { rt, clock } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000' });
    expect(rt.check({ id: 'A', symbol: 'ES', side: 'buy', quantity: 5 }).allowed).toBe(true);
    expect(rt.check({ id: 'B', symbol: 'ES', side: 'buy', quantity: 5 }).allowed).toBe(true);
    expect(rt.recordOrderClosed({ id: 'A' })).toBe(true);
    clock.advance(100);
    rt.recordFill({ orderId: 'A', symbol: 'ES', side: 'buy', quantity: 5, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '5', openBuy: '5', projected: '10' });
    expect(rt.check({ id: 'C', symbol: 'ES', side: 'buy', quantity: 5 })).toMatchObject({ allowed: false, code: 'LIMIT_POSITION' });
  });

  it('a fill of an unknown order, a fill without an id, and an overfill never use up a named order’s reservation', async () => {
    const { rt } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000' });
    expect(rt.check({ id: 'B', symbol: 'ES', side: 'buy', quantity: 4 }).allowed).toBe(true);
    rt.recordFill({ orderId: 'never-seen', symbol: 'ES', side: 'buy', quantity: 2, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '2', openBuy: '4', projected: '6' });
    rt.recordFill({ symbol: 'ES', side: 'buy', quantity: 1, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '3', openBuy: '4', projected: '7' });
    // B's own fill of more than B: B is done, the rest moves the position and takes nothing else.
    expect(rt.check({ id: 'C', symbol: 'ES', side: 'buy', quantity: 2 }).allowed).toBe(true);
    rt.recordFill({ orderId: 'B', symbol: 'ES', side: 'buy', quantity: 6, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '9', openBuy: '2', projected: '11' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: '0.1' })).toMatchObject({ code: 'LIMIT_POSITION' });
    // A fill on the other side of a known order is not that order's fill.
    rt.recordFill({ orderId: 'C', symbol: 'ES', side: 'sell', quantity: 1, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '8', openBuy: '2', projected: '10' });
    // An anonymous fill takes anonymous reservations only.
    rt.recordFill({ orderId: 'C', symbol: 'ES', side: 'buy', quantity: 2, price: 10 });
    expect(rt.check({ symbol: 'ES', side: 'sell', quantity: 3 }).allowed).toBe(true);
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '10', openSell: '3', projected: '7' });
    rt.recordFill({ symbol: 'ES', side: 'sell', quantity: 3, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '7', openSell: '0', projected: '7' });
  });

  it('a fill of an order a report covered moves the position on top of that report, and takes no other reservation', async () => {
    const { rt, clock } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000' });
    expect(rt.check({ id: 'A', symbol: 'ES', side: 'buy', quantity: 5 }).allowed).toBe(true);
    clock.advance(1000);
    expect(rt.check({ id: 'B', symbol: 'ES', side: 'buy', quantity: 5 }).allowed).toBe(true);
    clock.advance(1000);
    // As of T0 + 500: A (allowed at T0) is covered, B (T0 + 1 s) is not.
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ES', quantity: 0 }], asOf: T0 + 500 });
    expect(symbol(rt, 'ES')).toMatchObject({ openBuy: '5', projected: '5' });
    rt.recordFill({ orderId: 'A', symbol: 'ES', side: 'buy', quantity: 5, price: 10 });
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '5', openBuy: '5', projected: '10' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 1 })).toMatchObject({ code: 'LIMIT_POSITION' });
  });
});

describe('order of events: fills that carry their execution time', () => {
  it('reduce-only, long 100: sell 100, a report as of after its execution says flat, then its fill arrives: it moves nothing, a buy of 100 is refused', async () => {
    const { rt, clock } = await runtime();
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ACME', quantity: 100, price: 50 }] });
    rt.halt({ operator: 'risk', reason: 'test', mode: 'reduceOnly' });
    clock.advance(1000);
    expect(rt.check({ id: 's1', symbol: 'ACME', side: 'sell', quantity: 100 })).toEqual({ allowed: true });
    clock.advance(1000); // s1 executes at T0 + 2 s; the broker's snapshot (T0 + 2.5 s) arrives first
    clock.advance(1000);
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ACME', quantity: 0 }], asOf: T0 + 2500 });
    rt.recordFill({ orderId: 's1', symbol: 'ACME', side: 'sell', quantity: 100, price: 49, timestamp: T0 + 2000 });
    expect(symbol(rt, 'ACME')).toMatchObject({ reported: '0', filled: '0', openSell: '0', projected: '0' });
    // Counted twice, the fill would leave a short of 100 that a buy of 100 "reduces".
    expect(rt.check({ symbol: 'ACME', side: 'buy', quantity: 100 })).toMatchObject({ allowed: false, code: 'REDUCE_ONLY' });
    // A fill executed after the report's asOf moves the position on top of it.
    rt.recordFill({ symbol: 'ACME', side: 'buy', quantity: 5, price: 49, timestamp: new Date(T0 + 2600).toISOString() });
    expect(symbol(rt, 'ACME')).toMatchObject({ reported: '0', filled: '5', projected: '5' });
    // A later report as of before that fill keeps it.
    rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'ACME', quantity: 0 }], asOf: T0 + 2550 });
    expect(symbol(rt, 'ACME')).toMatchObject({ reported: '0', filled: '5', projected: '5' });
  });

  it('a fill timestamp is validated like every timestamp (not held to the last one), naming fill.timestamp', async () => {
    const { rt } = await runtime({ maxPosition: 10 });
    rt.updatePortfolio({ value: '1000' });
    const fill = { symbol: 'ES', side: 'buy', quantity: 1, price: 10 } as const;
    expect(() => rt.recordFill({ ...fill, timestamp: T0 / 1000 })).toThrow(/^fill\.timestamp: .*seconds/);
    expect(() => rt.recordFill({ ...fill, timestamp: T0 + 5001 })).toThrow(/^fill\.timestamp: .*ahead/);
    expect(() => rt.recordFill({ ...fill, timestamp: 'yesterday' })).toThrow(/^fill\.timestamp: /);
    expect(symbol(rt, 'ES')).toBeUndefined();
    rt.recordFill({ ...fill, timestamp: T0 - 86_400_000 }); // a day late, no report yet: it moves the position
    expect(symbol(rt, 'ES')).toMatchObject({ filled: '1' });
  });
});

describe('order of events over HTTP', () => {
  it('POST …/portfolio takes asOf: a late report is ignored (200, nothing changes), a wrong unit is refused naming asOf', async () => {
    const s = await startTestServer(['alpha-1']);
    try {
      const rt = s.runtimes.get('alpha-1')!;
      const path = '/api/strategies/alpha-1/portfolio';
      const now = Date.now();
      expect((await call(s.url, 'POST', path, { body: { value: '1000', positions: [{ symbol: 'ES', quantity: 3 }], asOf: now - 1000 } })).status).toBe(200);
      expect(symbol(rt, 'ES')).toMatchObject({ reported: '3' });
      expect((await call(s.url, 'POST', path, { body: { value: '1000', positions: [{ symbol: 'ES', quantity: 9 }], asOf: new Date(now - 2000).toISOString() } })).status).toBe(200);
      expect(symbol(rt, 'ES')).toMatchObject({ reported: '3' });
      const seconds = await call(s.url, 'POST', path, { body: { value: '1000', positions: [{ symbol: 'ES', quantity: 9 }], asOf: Math.floor(now / 1000) } });
      expect(seconds.status).toBe(400);
      expect(seconds.text).toMatch(/asOf.*seconds/);
      expect((await call(s.url, 'POST', path, { body: { value: '1000', asOf: true } })).status).toBe(400);
      // A fill executed before the report's asOf is in it already.
      const fills = '/api/strategies/alpha-1/fills';
      expect((await call(s.url, 'POST', fills, { body: { symbol: 'ES', side: 'buy', quantity: 2, price: 10, timestamp: new Date(now - 1500).toISOString() } })).status).toBe(200);
      expect(symbol(rt, 'ES')).toMatchObject({ reported: '3', filled: '0' });
      expect((await call(s.url, 'POST', fills, { body: { symbol: 'ES', side: 'buy', quantity: 2, price: 10, timestamp: now - 500 } })).status).toBe(200);
      expect(symbol(rt, 'ES')).toMatchObject({ reported: '3', filled: '2' });
      expect(symbol(rt, 'ES')).toMatchObject({ reported: '3' });
    } finally {
      await s.close();
    }
  });
});
