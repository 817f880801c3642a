// authorizeOverride (RTS 6 Art 15(6)) through the public API with the manual clock: one order past
// one limit, once, exactly matched, before its ttl; never past a breaker; journaled twice.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/index.ts';
import { harness, only, type Harness } from '../helpers.ts';

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.rt.stop();
});

async function setup(breakers = only({})) {
  const h = await harness({ breakers, limits: { maxOrderNotional: '100000', maxOrderQuantity: 10 } });
  h.rt.updatePortfolio({ value: '1000000' });
  running.push(h);
  return h;
}

const ES = { symbol: 'ES', side: 'buy', quantity: 25, price: 4500 } as const; // 112500 > 100000

describe('authorizeOverride', () => {
  it('the next exactly matching order passes that one limit once; a second identical order is rejected again; both steps journaled', async () => {
    const h = await setup();
    const { rt } = h;
    expect(rt.check(ES)).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
    // Past the quantity limit only: the notional limit still refuses it.
    rt.authorizeOverride({ operator: 'alice', reason: 'block trade agreed with the desk', limit: 'maxOrderQuantity', order: { symbol: 'es', side: 'buy', quantity: '25', price: '4500.00' }, ttl: 60 });
    expect(rt.check(ES)).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL' });
    const { token } = rt.authorizeOverride({ operator: 'alice', reason: 'block trade agreed with the desk', limit: 'LIMIT_ORDER_NOTIONAL', order: { symbol: 'ES', side: 'buy', quantity: 25, price: 4500 }, ttl: 60 });
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(rt.check(ES)).toEqual({ allowed: true });
    expect(rt.check(ES)).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_QUANTITY' });
    const authorized = h.events.filter((e) => e.type === 'OverrideAuthorized');
    const used = h.events.filter((e) => e.type === 'OverrideUsed');
    expect(authorized).toHaveLength(2);
    expect(authorized[1]).toMatchObject({ operator: 'alice', details: { reason: 'block trade agreed with the desk', limit: 'maxOrderNotional', order: { symbol: 'ES', side: 'buy', quantity: '25', price: '4500' }, token, ttlSeconds: 60 } });
    expect(used).toHaveLength(2);
    expect(used.map((e) => e.details.limit).sort()).toEqual(['maxOrderNotional', 'maxOrderQuantity']);
    expect(used.find((e) => e.details.limit === 'maxOrderNotional')).toMatchObject({ operator: 'alice', details: { token, order: { symbol: 'ES', quantity: '25', price: '4500' } } });
  });

  it('an override for an order that does not match exactly does nothing (and stays for the one that does)', async () => {
    const h = await setup();
    const { rt } = h;
    rt.authorizeOverride({ operator: 'bob', reason: 'r', limit: 'maxOrderQuantity', order: { symbol: 'ES', side: 'buy', quantity: 11, price: 100 }, ttl: 60 });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 11, price: '100.0000001' })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 12, price: 100 })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
    expect(rt.check({ symbol: 'ES', side: 'sell', quantity: 11, price: 100 })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
    expect(rt.check({ symbol: 'NQ', side: 'buy', quantity: 11, price: 100 })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 11 })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' }); // market ≠ priced
    expect(h.events.filter((e) => e.type === 'OverrideUsed')).toHaveLength(0);
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: '11.0', price: 100 })).toEqual({ allowed: true });
  });

  it('an expired override does nothing (ttl on the monotonic clock: exactly at the ttl it has lapsed)', async () => {
    const { rt, clock } = await setup();
    rt.authorizeOverride({ operator: 'bob', reason: 'r', limit: 'maxOrderQuantity', order: { symbol: 'ES', side: 'buy', quantity: 11, price: 100 }, ttl: 5 });
    rt.authorizeOverride({ operator: 'bob', reason: 'r', limit: 'maxOrderQuantity', order: { symbol: 'ES', side: 'buy', quantity: 12, price: 100 }, ttl: 5 });
    clock.stepWall(-60_000); // the wall clock stepping back gives it no more time
    clock.advance(4_999);
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 11, price: 100 })).toEqual({ allowed: true });
    clock.advance(1);
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 12, price: 100 })).toMatchObject({ code: 'LIMIT_ORDER_QUANTITY' });
  });

  it('never past a breaker: an order a breaker blocks stays blocked, and the override is not used up', async () => {
    const h = await setup();
    const { rt } = h;
    rt.authorizeOverride({ operator: 'bob', reason: 'r', limit: 'maxOrderQuantity', order: { symbol: 'ES', side: 'buy', quantity: 11, price: 100 }, ttl: 60 });
    rt.halt({ operator: 'carol', reason: 'stop' });
    const blocked = rt.check({ symbol: 'ES', side: 'buy', quantity: 11, price: 100 });
    expect(blocked).toMatchObject({ allowed: false, breaker: 'manual' });
    expect(h.events.filter((e) => e.type === 'OverrideUsed')).toHaveLength(0);
    expect(rt.status().breakers.manual.state).toBe('MANUALLY_HALTED');
  });

  it('refuses a malformed request naming the field; breakers and REDUCE_ONLY cannot be named', async () => {
    const { rt } = await setup();
    const ok = { operator: 'bob', reason: 'r', limit: 'maxOrderQuantity', order: { symbol: 'ES', side: 'buy', quantity: 1, price: 1 }, ttl: 60 };
    const field = (request: unknown) => {
      try {
        rt.authorizeOverride(request);
        return null;
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        return (e as InvalidInputError).field;
      }
    };
    expect(field(ok)).toBeNull();
    expect(field({ ...ok, operator: '' })).toBe('operator');
    expect(field({ ...ok, reason: ' ' })).toBe('reason');
    expect(field({ ...ok, limit: 'dailyLoss' })).toBe('limit');
    expect(field({ ...ok, limit: 'REDUCE_ONLY' })).toBe('limit');
    expect(field({ ...ok, limit: 'LIMIT_PRICE_REFERENCE' })).toBe('limit');
    expect(field({ ...ok, order: { ...ok.order, symbol: 'ES ' } })).toBe('order.symbol');
    expect(field({ ...ok, order: { ...ok.order, side: 'short' } })).toBe('order.side');
    expect(field({ ...ok, order: { ...ok.order, quantity: 0 } })).toBe('order.quantity');
    expect(field({ ...ok, order: { ...ok.order, price: 'abc' } })).toBe('order.price');
    expect(field({ ...ok, ttl: 0 })).toBe('ttl');
    expect(field({ ...ok, ttl: 3601 })).toBe('ttl');
    expect(field({ ...ok, ttl: 3600 })).toBeNull();
  });
});
