/**
 * checkModify and checkCancel through the public API: a cancellation is always allowed (whatever
 * any breaker's state); a modification is decided like a submission against its open order
 * (breakers, UNKNOWN_ORDER, REDUCE_ONLY, per-order limits); malformed ones are rejected with
 * the field at fault and journaled; neither ever throws.
 */
import { describe, expect, it } from 'vitest';
import { harness, only } from '../helpers.ts';

const AAPL = { symbol: 'AAPL', side: 'buy' as const };
const none = only({});

describe('checkCancel', () => {
  it('allows a well-formed cancellation whatever the state: halted, no portfolio yet, stopped', async () => {
    const h = await harness({ breakers: none });
    expect(h.rt.checkCancel({ id: 'a' })).toEqual({ allowed: true }); // no portfolio yet
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.halt({ operator: 'ann', reason: 'test' });
    expect(h.rt.check({ ...AAPL, quantity: 1 }).allowed).toBe(false);
    expect(h.rt.checkCancel({ id: 'a' })).toEqual({ allowed: true });
    await h.rt.stop();
    expect(h.rt.checkCancel({ id: 'a' })).toEqual({ allowed: true });
    expect(h.rt.checkCancel({ id: '' })).toMatchObject({ allowed: false, code: 'MALFORMED_MESSAGE' });
  });

  it('rejects a malformed one MALFORMED_MESSAGE naming the field, journals it, never throws', async () => {
    const h = await harness({ breakers: none });
    const throwing = Object.defineProperty({}, 'id', {
      get() {
        throw new Error('boom');
      },
    });
    const revoked = Proxy.revocable({ id: 'a' }, {});
    revoked.revoke();
    const cases: [unknown, string][] = [
      [null, 'cancel'],
      ['a', 'cancel'],
      [{}, 'cancel.id'],
      [{ id: '' }, 'cancel.id'],
      [{ id: 'x'.repeat(129) }, 'cancel.id'],
      [{ id: 7 }, 'cancel.id'],
      [throwing, 'cancel'],
      [revoked.proxy, 'cancel'],
    ];
    for (const [message, field] of cases) {
      expect(h.rt.checkCancel(message)).toMatchObject({ allowed: false, code: 'MALFORMED_MESSAGE', breaker: null });
      expect(h.events.at(-1)).toMatchObject({ type: 'InputRejected', details: { input: 'cancel', field } });
    }
    expect(h.rt.checkCancel({ id: 'x'.repeat(128) }).allowed).toBe(true);
  });
});

describe('checkModify: validation', () => {
  it('rejects a malformed one MALFORMED_MESSAGE naming the field, journals it, never throws', async () => {
    const h = await harness({ breakers: none });
    h.rt.updatePortfolio({ value: 1000 });
    const throwing = Object.defineProperty({ id: 'a' }, 'quantity', {
      get() {
        throw new Error('boom');
      },
    });
    const cases: [unknown, string][] = [
      [undefined, 'modify'],
      [{ id: 'a' }, 'modify'],
      [{ quantity: 1 }, 'modify.id'],
      [{ id: 'a', quantity: 0 }, 'modify.quantity'],
      [{ id: 'a', quantity: -1 }, 'modify.quantity'],
      [{ id: 'a', quantity: '1e400' }, 'modify.quantity'],
      [{ id: 'a', quantity: 'abc' }, 'modify.quantity'],
      [{ id: 'a', price: 0 }, 'modify.price'],
      [{ id: 'a', price: Number.NaN }, 'modify.price'],
      [throwing, 'modify'],
    ];
    for (const [message, field] of cases) {
      expect(h.rt.checkModify(message)).toMatchObject({ allowed: false, code: 'MALFORMED_MESSAGE', breaker: null });
      expect(h.events.at(-1)).toMatchObject({ type: 'InputRejected', details: { input: 'modify', field } });
    }
  });
});

describe('checkModify: decided like a submission', () => {
  it('without limits, ACTIVE: only the breakers decide (the runtime keeps no book to judge the order by)', async () => {
    const h = await harness({ breakers: none });
    expect(h.rt.checkModify({ id: 'a', quantity: 5 })).toMatchObject({ allowed: false, code: 'AWAITING_PORTFOLIO' });
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.checkModify({ id: 'anything', quantity: 5 })).toEqual({ allowed: true });
    h.rt.halt({ operator: 'ann', reason: 'lunch' });
    expect(h.rt.checkModify({ id: 'a', quantity: 5 })).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'manual', state: 'MANUALLY_HALTED' });
    await h.rt.stop();
    expect(h.rt.checkModify({ id: 'a', quantity: 5 })).toMatchObject({ allowed: false, code: 'RUNTIME_STOPPED' });
  });

  it('with limits: judged against its open order (symbol, side) with the new quantity and price; an unknown id is UNKNOWN_ORDER', async () => {
    const h = await harness({ breakers: none, limits: { maxPosition: 1000, maxOrderQuantity: 10, maxOrderNotional: '1000', priceCollar: 0.05 } });
    h.rt.updatePortfolio({ value: 1000, positions: [{ symbol: 'AAPL', quantity: 0, price: 100 }] });
    expect(h.rt.check({ ...AAPL, id: 'o1', quantity: 5, price: 100 })).toEqual({ allowed: true });
    // Exactly at the quantity and notional limits (a price not changed: valued at the last price, 10 × 100).
    expect(h.rt.checkModify({ id: 'o1', quantity: 10 })).toEqual({ allowed: true });
    expect(h.rt.checkModify({ id: 'o1', quantity: 11 })).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_QUANTITY', limit: 'maxOrderQuantity' });
    expect(h.rt.checkModify({ id: 'o1', price: 105 })).toEqual({ allowed: true }); // exactly at the collar
    expect(h.rt.checkModify({ id: 'o1', price: '105.01' })).toMatchObject({ allowed: false, code: 'LIMIT_PRICE_COLLAR' });
    expect(h.rt.checkModify({ id: 'o1', quantity: 10, price: 101 })).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_NOTIONAL' }); // 1010 > 1000
    expect(h.rt.checkModify({ id: 'o2', quantity: 1 })).toMatchObject({ allowed: false, code: 'UNKNOWN_ORDER' });
    expect(h.rt.status().controls.rejections).toMatchObject({ LIMIT_ORDER_QUANTITY: 1, LIMIT_PRICE_COLLAR: 1, LIMIT_ORDER_NOTIONAL: 1 });
  });

  it('a modification rejected by a control is journaled (OrderRejected) and counted as an order_rejected error', async () => {
    const h = await harness({ breakers: only({ errorRate: { maxErrors: 100, window: 60 } }), limits: { maxPosition: 1000 } });
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.checkModify({ id: 'nope', quantity: 1 })).toMatchObject({ allowed: false, code: 'UNKNOWN_ORDER', breaker: null });
    expect(h.events.find((e) => e.type === 'OrderRejected')).toMatchObject({ details: { code: 'UNKNOWN_ORDER', order: { message: 'modify', id: 'nope', quantity: '1', price: null } } });
    expect(h.rt.status().breakers.errorRate.figures).toMatchObject({ count: 1, byKind: { order_rejected: 1 } });
  });

  it('with limits the book does not keep orders for (per-order limits only): an unknown id is UNKNOWN_ORDER, saying why', async () => {
    const h = await harness({ breakers: none, limits: { maxOrderQuantity: 10 } });
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.check({ ...AAPL, id: 'o1', quantity: 5 })).toEqual({ allowed: true });
    const decision = h.rt.checkModify({ id: 'o1', quantity: 5 });
    expect(decision).toMatchObject({ allowed: false, code: 'UNKNOWN_ORDER' });
    expect(decision.allowed === false && decision.reason).toMatch(/per-order limits need its symbol and side/);
  });

  it('REDUCING: a modification that raises the open quantity is REDUCE_ONLY; lowering it or moving the price passes; an unknown id is UNKNOWN_ORDER', async () => {
    const h = await harness({ breakers: none });
    h.rt.updatePortfolio({ value: 1000, positions: [{ symbol: 'AAPL', quantity: 10, price: 100 }] });
    h.rt.halt({ operator: 'ann', reason: 'wind down', mode: 'reduceOnly' });
    expect(h.rt.tradingMode).toBe('REDUCING');
    expect(h.rt.check({ symbol: 'AAPL', side: 'sell', id: 's1', quantity: 6, price: 99 })).toEqual({ allowed: true });
    expect(h.rt.checkModify({ id: 's1', quantity: 7 })).toMatchObject({ allowed: false, code: 'REDUCE_ONLY', limit: 'reduceOnly', breaker: 'manual', state: 'MANUALLY_HALTED' });
    expect(h.rt.checkModify({ id: 's1', quantity: 6 })).toEqual({ allowed: true });
    expect(h.rt.checkModify({ id: 's1', quantity: '5.5', price: 98 })).toEqual({ allowed: true });
    expect(h.rt.checkModify({ id: 's1', price: 120 })).toEqual({ allowed: true });
    expect(h.rt.checkModify({ id: 'other', quantity: 1 })).toMatchObject({ allowed: false, code: 'UNKNOWN_ORDER' });
    // A closed order is no longer open.
    h.rt.recordOrderClosed({ id: 's1' });
    expect(h.rt.checkModify({ id: 's1', quantity: 1 })).toMatchObject({ allowed: false, code: 'UNKNOWN_ORDER' });
  });
});
