import { describe, expect, it, vi } from 'vitest';
import { SLACK, amount, compareFast, show, toExact, toNumber } from '../../machines/limits/amount.ts';
import { duplicateLimit } from '../../machines/limits/duplicate.ts';
import { LimitCode } from '../../machines/limits/limit.ts';
import { orderNotionalLimit } from '../../machines/limits/orderNotional.ts';
import { orderQuantityLimit } from '../../machines/limits/orderQuantity.ts';
import { priceCollarLimit } from '../../machines/limits/priceCollar.ts';
import { LIMITS, reduceOnlyLimit } from '../../machines/limits/registry.ts';
import { restrictedLimit } from '../../machines/limits/restricted.ts';
import { context, limits, order, reported, x } from './limitFacts.ts';

describe('amount', () => {
  it('reads a decimal as a double, exactly and as canonical text; refuses what is not one', () => {
    const a = amount('1.50');
    expect([a.n, a.exact.toFixed(), a.text]).toEqual([1.5, '1.5', '1.5']);
    expect(amount(-2).text).toBe('-2');
    expect(() => amount('abc')).toThrow(new RangeError('not a decimal: abc'));
    expect(() => amount(Number.NaN)).toThrow(new RangeError('not a decimal: NaN'));
  });

  it('toNumber takes numbers, decimal text and Exact values', () => {
    expect(toNumber(5)).toBe(5);
    expect(toNumber('2.5')).toBe(2.5);
    expect(toNumber('1e3')).toBe(1000);
    expect(toNumber(x('3.25'))).toBe(3.25);
  });

  it('toExact uses an Exact as it is and reads text and numbers exactly', () => {
    const e = x('7.1');
    expect(toExact(e)).toBe(e);
    expect(toExact('1.10').toFixed()).toBe('1.1');
    expect(toExact(0.1).toFixed()).toBe('0.1');
  });

  it('compareFast: 1 clearly at or below, −1 clearly above, 0 within the error bound', () => {
    expect(compareFast(5, 5, amount('10'))).toBe(1);
    expect(compareFast(15, 15, amount('10'))).toBe(-1);
    expect(compareFast(10, 10, amount('10'))).toBe(0);
    expect(compareFast(10.000000001, 10, amount('10'))).toBe(0);
    expect(compareFast(-5, -5, amount('-10'))).toBe(-1);
    // Exactly at the tolerance (magnitude × SLACK from a zero limit) is still too close to call.
    const tolerance = 1000 * SLACK;
    expect(compareFast(-tolerance, 1000, amount('0'))).toBe(0);
    expect(compareFast(tolerance, 1000, amount('0'))).toBe(0);
    expect(compareFast(-2 * tolerance, 1000, amount('0'))).toBe(1);
    expect(compareFast(2 * tolerance, 1000, amount('0'))).toBe(-1);
  });

  it('show renders integers plainly and other doubles to 12 significant digits', () => {
    expect(show(5)).toBe('5');
    expect(show(-1e21)).toBe('-1e+21');
    expect(show(0.1 + 0.2)).toBe('0.3');
    expect(show(1 / 3)).toBe('0.333333333333');
  });
});

describe('the registry of limits', () => {
  it('lists the limits in the order check() applies them, each with its name and code', () => {
    expect(LIMITS.map((l) => [l.name, l.code])).toEqual([
      ['restrictedSymbols', LimitCode.RESTRICTED],
      ['maxOrderQuantity', LimitCode.ORDER_QUANTITY],
      ['priceCollar', LimitCode.PRICE_COLLAR],
      ['maxOrderNotional', LimitCode.ORDER_NOTIONAL],
      ['duplicateWindow', LimitCode.DUPLICATE],
      ['maxPosition', LimitCode.POSITION],
      ['maxGrossExposure', LimitCode.GROSS_EXPOSURE],
      ['maxOpenOrders', LimitCode.OPEN_ORDERS],
      ['maxTradedQuantity', LimitCode.TRADED_QUANTITY],
      ['maxTradedNotional', LimitCode.TRADED_NOTIONAL],
      ['selfTrade', LimitCode.SELF_TRADE],
    ]);
    expect([reduceOnlyLimit.name, reduceOnlyLimit.code]).toEqual(['reduceOnly', 'REDUCE_ONLY']);
  });

  it('applies each limit only when it is configured; reduce-only always (the runtime decides when)', () => {
    expect(LIMITS.map((l) => l.applies(limits()))).toEqual([false, false, false, false, false, false, false, false, false, false, false]);
    const all = limits(
      { maxOrderQuantity: '1', priceCollar: '0.1', maxOrderNotional: '1', maxPosition: '1', maxGrossExposure: '1' },
      { duplicateWindowMs: 0, restricted: true },
    );
    const more = { ...all, maxOpenOrdersTotal: 1, maxTradedQuantity: amount('1'), quantityWindowMs: 1000, maxTradedNotional: amount('1'), notionalWindowMs: 1000, selfTrade: true };
    expect(LIMITS.map((l) => l.applies(more))).toEqual([true, true, true, true, true, true, true, true, true, true, true]);
    // A traded limit without its window does not apply (the config refuses that: tradedWindow is required beside it).
    expect(LIMITS.filter((l) => l.applies({ ...more, quantityWindowMs: null, notionalWindowMs: null })).map((l) => l.name)).not.toContain('maxTradedQuantity');
    expect(reduceOnlyLimit.applies(limits())).toBe(true);
  });
});

describe('restrictedSymbols', () => {
  it('rejects every order, naming the symbol', () => {
    expect(restrictedLimit.check(order('sell', '1', { symbol: 'BAD' }), limits({}, { restricted: true }), context())).toBe('BAD is a restricted symbol');
  });
});

describe('maxOrderQuantity', () => {
  const check = (qty: string) => orderQuantityLimit.check(order('buy', qty), limits({ maxOrderQuantity: '100' }), context());

  it('passes a quantity clearly under or exactly at the maximum; rejects one a hair or a unit above', () => {
    expect(check('1')).toBeNull();
    expect(check('100')).toBeNull();
    expect(check('100.000000000000000001')).toBe('quantity 100.000000000000000001 of A exceeds the maximum order quantity of 100');
    expect(check('101')).toBe('quantity 101 of A exceeds the maximum order quantity of 100');
  });
});

describe('maxOrderNotional', () => {
  const max = limits({ maxOrderNotional: '1000' });
  const book = reported(['A', '0', '10']);

  it('passes a notional clearly under or exactly at the maximum; rejects one above, naming the figures', () => {
    expect(orderNotionalLimit.check(order('buy', '1', { price: '10' }), max, context(book))).toBeNull();
    expect(orderNotionalLimit.check(order('buy', '100', { price: '10' }), max, context(book))).toBeNull();
    expect(orderNotionalLimit.check(order('sell', '100.5', { price: '10.0' }), max, context(book))).toBe('notional 1005 (100.5 × 10) of A exceeds the maximum order notional of 1000');
  });

  it('values a market order at the last price, and rejects one in a symbol without a price', () => {
    expect(orderNotionalLimit.check(order('buy', '3'), max, context(book))).toBeNull();
    expect(orderNotionalLimit.check(order('buy', '101'), max, context(book))).toBe('notional 1010 (101 × 10) of A exceeds the maximum order notional of 1000');
    expect(orderNotionalLimit.check(order('buy', '1', { symbol: 'Z' }), max, context(book))).toEqual({
      code: 'LIMIT_PRICE_REFERENCE',
      reason: 'the notional of buy 1 Z cannot be valued: no last price is known for Z and the order has no limit price',
    });
  });
});

describe('priceCollar', () => {
  const collar = limits({ priceCollar: '0.05' });
  const book = () => reported(['A', '1', '200']); // ±10
  const check = (side: 'buy' | 'sell', price: string | undefined, symbol = 'A', on = book()) =>
    priceCollarLimit.check(order(side, '1', { symbol, ...(price === undefined ? {} : { price }) }), collar, context(on));

  it('passes a price at the collar on either side; rejects one a hair beyond it', () => {
    expect(check('buy', '210')).toBeNull();
    expect(check('sell', '190')).toBeNull();
    expect(check('buy', '210.0000001')).toBe('limit price 210.0000001 of A is 10.0000001 from the last price 200, beyond the collar of 0.05 (±10)');
    expect(check('sell', '189.999999999')).toBe('limit price 189.999999999 of A is 10.000000001 from the last price 200, beyond the collar of 0.05 (±10)');
    expect(check('sell', '150')).toBe('limit price 150 of A is 50 from the last price 200, beyond the collar of 0.05 (±10)');
  });

  it('does not collar a market order, nor a symbol without a last price', () => {
    expect(check('buy', undefined)).toBeNull();
    expect(check('buy', '1000000', 'Z')).toBeNull();
  });

  it('decides a price clearly inside the collar in doubles, without reading the exact last price', () => {
    const on = book();
    const exact = vi.spyOn(on, 'lastPriceExact');
    expect(check('buy', '205', 'A', on)).toBeNull();
    expect(check('sell', '195', 'A', on)).toBeNull();
    expect(exact).not.toHaveBeenCalled();
  });
});

describe('duplicateWindow', () => {
  const window = limits({}, { duplicateWindowMs: 500 });
  const limit = order('buy', '5.0', { price: '10.50' });

  it('passes an order never allowed before, or allowed at least the window ago', () => {
    expect(duplicateLimit.check(limit, window, context(undefined, 1000))).toBeNull();
    expect(duplicateLimit.check(limit, window, context(undefined, 1500, 1000))).toBeNull();
    expect(duplicateLimit.check(limit, window, context(undefined, 9000, 1000))).toBeNull();
  });

  it('rejects the same order within the window, naming it as written and how long ago it was allowed', () => {
    expect(duplicateLimit.check(limit, window, context(undefined, 1499, 1000))).toBe(
      'the same order (buy 5 A at 10.5) was allowed 499 ms ago, within the duplicate window of 500 ms',
    );
    expect(duplicateLimit.check(order('sell', '2', { symbol: 'B' }), window, context(undefined, 1000, 1000))).toBe(
      'the same order (sell 2 B market) was allowed 0 ms ago, within the duplicate window of 500 ms',
    );
  });
});
