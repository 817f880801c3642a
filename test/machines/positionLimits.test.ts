import { describe, expect, it, vi } from 'vitest';
import type { OrderFacts } from '../../machines/limits/limit.ts';
import { positionLimit } from '../../machines/limits/position.ts';
import type { PositionBook } from '../../machines/limits/positions.ts';
import { reduceOnlyLimit } from '../../machines/limits/reduceOnly.ts';
import { context, limits, order, reported } from './limitFacts.ts';

const position = (book: PositionBook, o: OrderFacts, max: string) => positionLimit.check(o, limits({ maxPosition: max }), context(book));
const beyond = (what: string, from: string, to: string, max: string) => `${what} would take its projected position from ${from} to ${to}, beyond the maximum position of ${max}`;
const reduceOnly = (book: PositionBook, o: OrderFacts) => reduceOnlyLimit.check(o, limits(), context(book));

describe('maxPosition', () => {
  it('passes a projected position exactly at the maximum, long or short; rejects a unit or a hair beyond', () => {
    const flat = reported();
    expect(position(flat, order('buy', '100'), '100')).toBeNull();
    expect(position(flat, order('sell', '100'), '100')).toBeNull();
    expect(position(flat, order('buy', '101'), '100')).toBe(beyond('buy 101 A', '0', '101', '100'));
    expect(position(flat, order('sell', '101'), '100')).toBe(beyond('sell 101 A', '0', '-101', '100'));
    expect(position(flat, order('buy', '100.00000001'), '100')).toBe(beyond('buy 100.00000001 A', '0', '100.00000001', '100'));
  });

  it('starts a buy from the open buys and a sell from the open sells', () => {
    const book = reported(['A', '40']);
    book.open(order('buy', '50'));
    book.open(order('sell', '30'));
    expect(position(book, order('buy', '10'), '100')).toBeNull();
    expect(position(book, order('buy', '11'), '100')).toBe(beyond('buy 11 A', '90', '101', '100'));
    expect(position(book, order('sell', '110'), '100')).toBeNull();
    expect(position(book, order('sell', '111'), '100')).toBe(beyond('sell 111 A', '10', '-101', '100'));
  });

  it('passes an order that leaves a position beyond the maximum smaller in size, on either side', () => {
    expect(position(reported(['A', '150']), order('sell', '10'), '100')).toBeNull();
    expect(position(reported(['A', '-150']), order('buy', '10'), '100')).toBeNull();
    // Through zero to a smaller short: −149 is smaller than 150.
    expect(position(reported(['A', '150']), order('sell', '299'), '100')).toBeNull();
    expect(position(reported(['A', '150']), order('sell', '300'), '100')).toBe(beyond('sell 300 A', '150', '-150', '100'));
    expect(position(reported(['A', '150']), order('buy', '1'), '100')).toBe(beyond('buy 1 A', '150', '151', '100'));
  });

  it('rejects a small buy beyond the maximum though large open sells widen the error bound', () => {
    const book = reported();
    book.open(order('sell', '10000000000'));
    expect(position(book, order('buy', '5'), '1')).toBe(beyond('buy 5 A', '0', '5', '1'));
  });

  it('decides exactly where the double sum rounds just under the maximum', () => {
    // 0.1 + 0.7 + 0.1 is 0.8999999999999999 in doubles, exactly 0.9: above 0.89999999999999999.
    const long = reported(['A', '0.1']);
    long.open(order('buy', '0.7'));
    expect(position(long, order('buy', '0.1'), '0.89999999999999999')).toBe(beyond('buy 0.1 A', '0.8', '0.9', '0.89999999999999999'));
    // −0.1 + 0.3 is 0.19999999999999998 in doubles, exactly 0.2: above 0.199999999999999998.
    const short = reported(['A', '-0.1']);
    expect(position(short, order('buy', '0.3'), '0.199999999999999998')).toBe(beyond('buy 0.3 A', '-0.1', '0.2', '0.199999999999999998'));
  });

  it('decides a clear pass in doubles, without reading the exact projection', () => {
    const book = reported(['A', '150']);
    const exact = vi.spyOn(book, 'beforeExact');
    expect(position(book, order('sell', '10'), '100')).toBeNull(); // reducing
    expect(position(book, order('sell', '200'), '100')).toBeNull(); // to −50: within
    expect(position(reported(), order('buy', '10'), '100')).toBeNull();
    expect(exact).not.toHaveBeenCalled();
  });
});

describe('reduce-only', () => {
  it('passes a sell of all or part of a long; rejects one that would cross zero', () => {
    const long = reported(['A', '100']);
    expect(reduceOnly(long, order('sell', '100'))).toBeNull();
    expect(reduceOnly(long, order('sell', '1'))).toBeNull();
    expect(reduceOnly(long, order('sell', '100.00000001'))).toBe(
      'reduce-only: sell 100.00000001 A would cross zero (projected 100, at most 100 may be sold)',
    );
    expect(reduceOnly(long, order('sell', '101'))).toBe('reduce-only: sell 101 A would cross zero (projected 100, at most 100 may be sold)');
  });

  it('passes a buy of all or part of a short; rejects one that would cross zero', () => {
    const short = reported(['A', '-5']);
    expect(reduceOnly(short, order('buy', '5'))).toBeNull();
    expect(reduceOnly(short, order('buy', '4.5'))).toBeNull();
    expect(reduceOnly(short, order('buy', '6'))).toBe('reduce-only: buy 6 A would cross zero (projected -5, at most 5 may be bought)');
  });

  it('rejects an order that would open or increase a position', () => {
    const increase = (side: string, projected: string) =>
      `reduce-only: ${side} A would increase the position (projected ${projected}); only orders that reduce a position pass`;
    expect(reduceOnly(reported(), order('sell', '1'))).toBe(increase('sell 1', '0'));
    expect(reduceOnly(reported(), order('buy', '1'))).toBe(increase('buy 1', '0'));
    expect(reduceOnly(reported(['A', '5']), order('buy', '1'))).toBe(increase('buy 1', '5'));
    expect(reduceOnly(reported(['A', '-5']), order('sell', '0.5'))).toBe(increase('sell 0.5', '-5'));
  });

  it('counts the sells already open against a long', () => {
    const book = reported(['A', '100']);
    book.open(order('sell', '60'));
    expect(reduceOnly(book, order('sell', '40'))).toBeNull();
    expect(reduceOnly(book, order('sell', '41'))).toBe('reduce-only: sell 41 A would cross zero (projected 40, at most 40 may be sold)');
  });

  it('decides a clear reduction in doubles, without reading the exact projection', () => {
    const book = reported(['A', '100']);
    const exact = vi.spyOn(book, 'beforeExact');
    expect(reduceOnly(book, order('sell', '50'))).toBeNull();
    expect(exact).not.toHaveBeenCalled();
  });
});
