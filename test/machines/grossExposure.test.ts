import { describe, expect, it, vi } from 'vitest';
import { grossExposureLimit } from '../../machines/limits/grossExposure.ts';
import type { OrderFacts } from '../../machines/limits/limit.ts';
import type { PositionBook } from '../../machines/limits/positions.ts';
import { context, limits, order, reported } from './limitFacts.ts';

/** The gross-exposure verdict of an order against `max` (null: it passes). */
const check = (book: PositionBook, o: OrderFacts, max: string) => grossExposureLimit.check(o, limits({ maxGrossExposure: max }), context(book));
const beyond = (what: string, from: string, to: string, max: string) => `${what} would take the gross exposure from ${from} to ${to}, beyond the maximum of ${max}`;

describe('maxGrossExposure: an order in a symbol the book has not seen', () => {
  it('is valued at its limit price: exactly at the maximum passes, a unit above is rejected', () => {
    const book = reported();
    expect(check(book, order('buy', '100', { symbol: 'C', price: '100' }), '10000')).toBeNull();
    expect(check(book, order('sell', '100', { symbol: 'C', price: '100' }), '10000')).toBeNull();
    expect(check(book, order('buy', '101', { symbol: 'C', price: '100' }), '10000')).toBe(beyond('buy 101 C', '0', '10100', '10000'));
    expect(check(book, order('sell', '101', { symbol: 'C', price: '100' }), '10000')).toBe(beyond('sell 101 C', '0', '10100', '10000'));
  });

  it('is rejected a hair above the maximum, within the doubles’ error bound (decided exactly)', () => {
    expect(check(reported(), order('buy', '1', { symbol: 'C', price: '10000.00001' }), '10000')).toBe(beyond('buy 1 C', '0', '10000.00001', '10000'));
  });

  it('as a market order cannot be valued and is rejected', () => {
    expect(check(reported(['A', '1', '5']), order('buy', '1', { symbol: 'C' }), '10000')).toEqual({
      code: 'LIMIT_PRICE_REFERENCE',
      reason: 'the gross exposure cannot be valued: no last price is known for C and the order has no limit price',
    });
  });
});

describe('maxGrossExposure: held symbols', () => {
  // 50 × 100 + |−20| × 50 = 6000
  const book = () => reported(['A', '50', '100'], ['B', '-20', '50']);

  it('adds a buy to the long side of its symbol: exactly at the maximum passes, one more is rejected', () => {
    expect(check(book(), order('buy', '40', { price: '100' }), '10000')).toBeNull();
    expect(check(book(), order('buy', '41', { price: '100' }), '10000')).toBe(beyond('buy 41 A', '6000', '10100', '10000'));
  });

  it('adds a sell to the short side of its symbol: exactly at the maximum passes, one more is rejected', () => {
    expect(check(book(), order('sell', '80', { symbol: 'B', price: '50' }), '10000')).toBeNull();
    expect(check(book(), order('sell', '81', { symbol: 'B', price: '50' }), '10000')).toBe(beyond('sell 81 B', '6000', '10050', '10000'));
  });

  it('values the order’s own symbol at its limit price, before and after', () => {
    expect(check(book(), order('buy', '1', { price: '200' }), '11000')).toBe(beyond('buy 1 A', '11000', '11200', '11000'));
  });

  it('values a market order in a held symbol at its last price', () => {
    expect(check(book(), order('buy', '40'), '10000')).toBeNull();
    expect(check(book(), order('buy', '40.5'), '10000')).toBe(beyond('buy 40.5 A', '6000', '10050', '10000'));
  });

  it('rejects an order when a held symbol, or a market order’s own, has no known price', () => {
    const unpriced = reported(['A', '50', '100'], ['B', '5']);
    const held = { code: 'LIMIT_PRICE_REFERENCE', reason: 'the gross exposure cannot be valued: no last price is known for B, which is held' };
    expect(check(unpriced, order('buy', '1', { price: '100' }), '1000000')).toEqual(held);
    expect(check(unpriced, order('sell', '1', { symbol: 'B' }), '1000000')).toEqual({
      code: 'LIMIT_PRICE_REFERENCE',
      reason: 'the gross exposure cannot be valued: no last price is known for B and the order has no limit price',
    });
  });

  it('skips a symbol with nothing held or open, even without a price', () => {
    const withFlat = reported(['Z', '0'], ['A', '50', '100']);
    expect(check(withFlat, order('buy', '50', { price: '100' }), '10000')).toBeNull(); // at the maximum: decided exactly
    expect(check(withFlat, order('buy', '51', { price: '100' }), '10000')).toBe(beyond('buy 51 A', '5000', '10100', '10000'));
    expect(check(withFlat, order('buy', '1', { symbol: 'C', price: '10' }), '10000')).toBeNull();
  });

  it('counts the order in its own symbol when that symbol is held flat', () => {
    const flat = reported(['A', '0', '100']);
    expect(check(flat, order('buy', '100'), '10000')).toBeNull();
    expect(check(flat, order('buy', '100.0000001'), '10000')).toBe(beyond('buy 100.0000001 A', '0', '10000.00001', '10000'));
    expect(check(flat, order('sell', '101'), '10000')).toBe(beyond('sell 101 A', '0', '10100', '10000'));
  });

  it('counts a symbol whose open orders exactly offset its position on one side', () => {
    const offset = reported(['B', '-5', '100']);
    offset.open(order('buy', '5', { symbol: 'B' })); // long side 0, short side −5: exposure 500
    expect(check(offset, order('buy', '5', { price: '100' }), '1000')).toBeNull();
    expect(check(offset, order('buy', '5', { price: '100.00000001' }), '1000')).toBe(beyond('buy 5 A', '500', '1000.00000005', '1000'));
    expect(check(offset, order('buy', '6', { price: '100' }), '1000')).toBe(beyond('buy 6 A', '500', '1100', '1000'));
  });

  it('counts a symbol held only through its open buys', () => {
    const opening = reported(['B', '0', '100']);
    opening.open(order('buy', '5', { symbol: 'B' })); // long side 5, short side 0: exposure 500
    expect(check(opening, order('buy', '5', { price: '100' }), '1000')).toBeNull();
    expect(check(opening, order('buy', '6', { price: '100' }), '1000')).toBe(beyond('buy 6 A', '500', '1100', '1000'));
  });
});

describe('maxGrossExposure: an order that does not raise the gross exposure passes', () => {
  it('a sell from a long, even while the exposure is beyond the maximum; a sell that crosses zero further is rejected', () => {
    const over = reported(['A', '100', '100']); // 10000
    expect(check(over, order('sell', '10'), '5000')).toBeNull();
    expect(check(over, order('sell', '200'), '5000')).toBeNull(); // long 100 or short 100: still 10000
    expect(check(over, order('sell', '201'), '5000')).toBe(beyond('sell 201 A', '10000', '10100', '5000'));
  });

  it('a sell of part of a long exactly at the maximum (its long side stays the larger)', () => {
    expect(check(reported(['A', '50', '100']), order('sell', '10'), '5000')).toBeNull();
  });

  it('a buy a hair above a gross exposure already beyond the maximum is rejected', () => {
    const over = reported(['A', '50', '100']);
    expect(check(over, order('buy', '0.00000001'), '4000')).toBe(beyond('buy 0.00000001 A', '5000', '5000.000001', '4000'));
  });
});

describe('maxGrossExposure: doubles that round below the exact figure', () => {
  it('decides exactly when the double sum lands just under the maximum', () => {
    // 0.1 + 0.7 is 0.7999999999999999 in doubles; exactly 0.1 + 0.70000000000000001 is above 0.8.
    const book = reported(['X', '1', '0.1']);
    expect(check(book, order('buy', '1', { price: '0.70000000000000001' }), '0.8')).toBe(beyond('buy 1 A', '0.1', '0.80000000000000001', '0.8'));
    expect(check(book, order('buy', '1', { price: '0.7' }), '0.8')).toBeNull();
  });
});

describe('maxGrossExposure: a clear decision is taken in doubles', () => {
  // 50 × 100 + 20 × 50 = 6000. Clear of the maximum by far more than the error bound: no exact figure is read.
  const cases: [string, OrderFacts, string][] = [
    ['a buy well under the maximum', order('buy', '10', { price: '100' }), '7500'],
    ['a sell that leaves its long side the larger', order('sell', '10', { price: '100' }), '6500'],
    ['a buy that shrinks a short', order('buy', '10', { symbol: 'B', price: '50' }), '6500'],
  ];
  it.each(cases)('%s', (_name, o, max) => {
    const book = reported(['A', '50', '100'], ['B', '-20', '50']);
    const exact = vi.spyOn(book, 'beforeExact');
    expect(check(book, o, max)).toBeNull();
    expect(exact).not.toHaveBeenCalled();
  });
});
