import { describe, expect, it } from 'vitest';
import { PositionBook } from '../../machines/limits/positions.ts';
import { order, reported, x } from './limitFacts.ts';

/** One symbol's projection, as status shows it. */
const projection = (book: PositionBook, symbol = 'A') => book.projections().find((p) => p.symbol === symbol);
const buy = (qty: string, id?: string, symbol = 'A') => order('buy', qty, { symbol, ...(id === undefined ? {} : { id }) });
const sell = (qty: string, id?: string, symbol = 'A') => order('sell', qty, { symbol, ...(id === undefined ? {} : { id }) });

describe('PositionBook: a symbol it has never seen', () => {
  it('is flat, has no price, no book and nothing open', () => {
    const book = new PositionBook();
    expect(book.before('Z', 'buy')).toBe(0);
    expect(book.before('Z', 'sell')).toBe(0);
    expect(book.magnitude('Z')).toBe(0);
    expect(book.beforeExact('Z', 'sell').toFixed()).toBe('0');
    expect(book.lastPrice('Z')).toBeNull();
    expect(book.lastPriceExact('Z')).toBeNull();
    expect(book.has('Z')).toBe(false);
    expect(book.openCount).toBe(0);
    expect(book.projections()).toEqual([]);
    expect([...book.symbols()]).toEqual([]);
  });
});

describe('PositionBook: open orders', () => {
  it('reserves each side for the orders on it: a buy starts from open buys, a sell from open sells', () => {
    const book = reported(['A', '-10', '20']);
    book.open(buy('2'));
    book.open(buy('3', 'b1'));
    book.open(sell('4'));
    expect(book.has('A')).toBe(true);
    expect(book.before('A', 'buy')).toBe(-5);
    expect(book.before('A', 'sell')).toBe(-14);
    expect(book.beforeExact('A', 'buy').toFixed()).toBe('-5');
    expect(book.beforeExact('A', 'sell').toFixed()).toBe('-14');
    // |−10| + 5 open buys + 4 open sells: the terms' size, for the error bound.
    expect(book.magnitude('A')).toBe(19);
    expect(book.openCount).toBe(3);
    expect(projection(book)).toEqual({ symbol: 'A', reported: '-10', filled: '0', openBuy: '5', openSell: '4', projected: '-9', lastPrice: '20' });
  });

  it('counts anonymous orders one by one, on both sides and in every symbol', () => {
    const book = new PositionBook();
    book.open(buy('1'));
    book.open(buy('1'));
    book.open(sell('1'));
    book.open(buy('1', undefined, 'B'));
    expect(book.openCount).toBe(4);
    expect(book.beforeExact('A', 'buy').toFixed()).toBe('2');
  });

  it('keeps up to 100 000 anonymous quantities as given, then folds the older half into one exact sum', () => {
    const book = new PositionBook();
    for (let i = 0; i < 100_000; i++) book.open(buy('0.1'), 1000 + i);
    expect(book.openCount).toBe(100_000);
    book.open(buy('0.1'), 200_000);
    expect(book.openCount).toBe(1 + 50_001); // the folded sum, and the newer half one by one
    expect(book.beforeExact('A', 'buy').toFixed()).toBe('10000.1');
    // The folded sum carries the latest of its times: a report as of before it keeps it all.
    book.report([], 1000 + 49_998);
    expect(book.beforeExact('A', 'buy').toFixed()).toBe('10000.1');
    book.report([], 1000 + 49_999);
    expect(book.beforeExact('A', 'buy').toFixed()).toBe('5000.1');
    book.report([], 1000 + 50_000);
    expect(book.beforeExact('A', 'buy').toFixed()).toBe('5000');
  });
});

describe('PositionBook: fills', () => {
  it('take from the order named first, and only from an order of the same symbol and side', () => {
    const book = new PositionBook();
    book.open(buy('5', 'a'));
    book.open(buy('3', 'b'));
    book.open(sell('4', 's'));
    book.open(buy('6', 'other', 'B'));
    book.fill('A', 'buy', x(3), x(10), 'b');
    expect(book.close('b')).toBe(false); // filled in full: no longer open
    expect(projection(book)).toMatchObject({ filled: '3', openBuy: '5', openSell: '4', projected: '4' });
    // A sell's id on a buy, another symbol's id: not that order's fill; it moves the position
    // and takes no reservation (never another order's).
    book.fill('A', 'buy', x(1), x(10), 's');
    book.fill('A', 'buy', x(1), x(10), 'other');
    expect(projection(book)).toMatchObject({ filled: '5', openBuy: '5', openSell: '4' });
    expect(projection(book, 'B')).toMatchObject({ filled: '0', openBuy: '6' });
    book.fill('A', 'sell', x(4), x(10), 's');
    expect(projection(book)).toMatchObject({ filled: '1', openBuy: '5', openSell: '0', projected: '6' });
    expect(book.close('a')).toBe(true);
    expect(book.before('A', 'buy')).toBe(1);
  });

  it('without an id take only the anonymous orders, oldest first: never a named order', () => {
    const book = new PositionBook();
    book.open(buy('5'));
    book.open(buy('5'));
    book.open(buy('4', 'n1'));
    book.open(buy('4', 'n2'));
    book.fill('A', 'buy', x(2), x(10), null);
    // The oldest anonymous order partly filled (3 left); both named orders untouched.
    expect(book.openCount).toBe(4);
    expect(book.before('A', 'buy')).toBe(18);
    book.fill('A', 'buy', x(9), x(10), null); // 8 anonymous, and 1 that takes nothing
    expect(book.openCount).toBe(2);
    expect(book.before('A', 'buy')).toBe(19);
    expect(book.close('n1')).toBe(true); // releases its 4
    expect(book.before('A', 'buy')).toBe(15);
    expect(projection(book)).toMatchObject({ filled: '11', openBuy: '4' });
  });

  it('on the sell side take the open sells, and a short fill moves the position down', () => {
    const book = new PositionBook();
    book.open(sell('5'));
    book.open(buy('7'));
    book.fill('A', 'sell', x(5), x(10), null);
    expect(projection(book)).toMatchObject({ filled: '-5', openBuy: '7', openSell: '0', projected: '2' });
    expect(book.before('A', 'sell')).toBe(-5);
    expect(book.openCount).toBe(1);
  });

  it('re-sum what is left open of partly filled orders', () => {
    const book = new PositionBook();
    book.open(buy('5', 'a'));
    book.open(buy('3', 'b'));
    book.open(sell('2', 'c'));
    book.fill('A', 'buy', x(2), x(10), 'a');
    expect(book.before('A', 'buy')).toBe(8); // 2 filled + 3 + 3 open
    expect(book.before('A', 'sell')).toBe(0); // 2 filled − 2 open
    expect(book.magnitude('A')).toBe(10);
    expect(book.openCount).toBe(3);
  });

  it('set the last price, except a zero price (a fill without one)', () => {
    const book = new PositionBook();
    book.fill('A', 'buy', x(1), x('10.5'), null);
    expect(book.lastPrice('A')).toBe(10.5);
    expect(book.lastPriceExact('A')?.toFixed()).toBe('10.5');
    book.fill('A', 'sell', x(1), x(0), null);
    expect(book.lastPrice('A')).toBe(10.5);
    expect(book.lastPriceExact('A')?.toFixed()).toBe('10.5');
    expect(projection(book)).toMatchObject({ filled: '0', lastPrice: '10.5' });
  });
});

describe('PositionBook: closing orders', () => {
  it('releases only the closed order; an unknown or already closed id is refused', () => {
    const book = new PositionBook();
    book.open(buy('5', 'a'));
    book.open(buy('3', 'b'));
    expect(book.close('a')).toBe(true);
    expect(book.openCount).toBe(1);
    expect(book.before('A', 'buy')).toBe(3);
    expect(book.close('a')).toBe(false);
    expect(book.close('nosuch')).toBe(false);
    expect(book.close('b')).toBe(true);
    expect(book.openCount).toBe(0);
    expect(book.before('A', 'buy')).toBe(0);
  });

  it('forgets an order filled in full, in either list and at any place in it', () => {
    const book = new PositionBook();
    book.open(sell('2', 's1'));
    book.open(buy('4', 'b1'));
    book.fill('A', 'sell', x(2), x(10), 's1');
    book.fill('A', 'buy', x(4), x(10), 'b1');
    expect(book.openCount).toBe(0);
    expect(book.close('s1')).toBe(false);
    expect(book.close('b1')).toBe(false);
    expect(projection(book)).toMatchObject({ filled: '2', openBuy: '0', openSell: '0' });
  });

  it('a reused id names the newer order: its fill and close reach the newer; the older stays reserved until a report', () => {
    const book = new PositionBook();
    book.open(buy('5', 'r'), 1000);
    book.open(buy('3', 'r'), 2000);
    book.fill('A', 'buy', x(1), x(10), 'r'); // the newer 'r'
    expect(book.openCount).toBe(2);
    expect(book.close('r')).toBe(true); // releases the newer's last 2
    expect(book.before('A', 'buy')).toBe(6);
    expect(book.close('r')).toBe(false);
    expect(book.openCount).toBe(1);
    book.report([], 1500);
    expect(book.before('A', 'buy')).toBe(1);
    expect(book.openCount).toBe(0);
  });
});

describe('PositionBook: position reports', () => {
  it('replace reported positions, fills and every open order', () => {
    const book = new PositionBook();
    book.open(buy('2'));
    book.open(sell('3', 's'));
    book.fill('A', 'buy', x(1), x(10), null);
    book.report([{ symbol: 'A', quantity: '7' }]);
    expect(book.openCount).toBe(0);
    expect(book.before('A', 'buy')).toBe(7);
    expect(book.before('A', 'sell')).toBe(7);
    expect(book.beforeExact('A', 'buy').toFixed()).toBe('7');
    expect(book.close('s')).toBe(false);
    expect(projection(book)).toEqual({ symbol: 'A', reported: '7', filled: '0', openBuy: '0', openSell: '0', projected: '7', lastPrice: '10' });
  });

  it('take a positive price as the last price; an absent or zero price keeps the one known', () => {
    const book = reported(['A', '1', '12.5']);
    book.report([{ symbol: 'A', quantity: '2' }]);
    expect(book.lastPrice('A')).toBe(12.5);
    book.report([{ symbol: 'A', quantity: '2', price: 0 }]);
    expect(book.lastPrice('A')).toBe(12.5);
    book.report([{ symbol: 'A', quantity: '2', price: '13' }]);
    expect(book.lastPriceExact('A')?.toFixed()).toBe('13');
    book.report([{ symbol: 'B', quantity: 0, price: '0' }]);
    expect(book.lastPrice('B')).toBeNull();
  });

  it('add up repeated rows of one symbol and keep the symbols of earlier reports, flat', () => {
    const book = reported(['A', '1'], ['A', '2.5'], ['B', '-3', '4']);
    expect(book.beforeExact('A', 'sell').toFixed()).toBe('3.5');
    book.report([{ symbol: 'A', quantity: 1 }]);
    expect(book.has('B')).toBe(true);
    expect(book.before('B', 'buy')).toBe(0);
    expect(book.lastPrice('B')).toBe(4);
  });
});

describe('PositionBook: position reports as of a time', () => {
  it('replace only the fills and orders up to asOf; later ones stay on top', () => {
    const book = new PositionBook();
    book.open(buy('2'), 1000);
    book.open(buy('3', 'b1'), 2000);
    book.fill('A', 'buy', x(1), x(10), 'b1', 2500);
    book.open(sell('4', 's1'), 3000);
    book.fill('A', 'sell', x(5), x(11), null, 3500); // no anonymous sell open: takes nothing
    expect(projection(book)).toMatchObject({ filled: '-4', openBuy: '4', openSell: '4', projected: '-4' });
    expect(book.report([{ symbol: 'A', quantity: '10' }], 2500)).toBe(true);
    // Covered: the anonymous buy (1000), b1 (2000) and the fill at 2500; kept: s1 and the fill at 3500.
    expect(projection(book)).toMatchObject({ reported: '10', filled: '-5', openBuy: '0', openSell: '4', projected: '1' });
    expect(book.close('b1')).toBe(false);
    expect(book.close('s1')).toBe(true);
    expect(book.reportAsOf).toBe(2500);
  });

  it('an older report than the newest accepted one changes nothing; the same asOf replaces', () => {
    const book = reported(['A', '5', '20']);
    expect(book.report([{ symbol: 'A', quantity: '1', price: '30' }], 5000)).toBe(true);
    book.open(buy('2', 'b'), 6000);
    expect(book.accepts(4999)).toBe(false);
    expect(book.report([{ symbol: 'A', quantity: '-7', price: '1' }], 4999)).toBe(false);
    expect(projection(book)).toMatchObject({ reported: '1', openBuy: '2', lastPrice: '30' });
    expect(book.report([{ symbol: 'A', quantity: '3' }], 5000)).toBe(true);
    expect(projection(book)).toMatchObject({ reported: '3', openBuy: '2' });
  });

  it('without asOf cover everything recorded, even stamped ahead of a clock that stepped back', () => {
    const book = new PositionBook();
    book.open(buy('2', 'b'), 10_000);
    book.open(buy('3'), 9_000); // the clock stepped back: stamped 10 000
    book.fill('A', 'buy', x(1), x(10), null, 8_000);
    expect(book.report([{ symbol: 'A', quantity: '4' }], null, 7_000)).toBe(true);
    expect(projection(book)).toMatchObject({ reported: '4', filled: '0', openBuy: '0' });
    expect(book.reportAsOf).toBe(10_000);
  });

  it('a late report price never replaces a later fill price', () => {
    const book = new PositionBook();
    book.fill('A', 'buy', x(1), x(12), null, 5000);
    book.report([{ symbol: 'A', quantity: '1', price: '10' }], 4000);
    expect(book.lastPriceExact('A')?.toFixed()).toBe('12');
    book.report([{ symbol: 'A', quantity: '1', price: '13' }], 5000);
    expect(book.lastPriceExact('A')?.toFixed()).toBe('13');
  });

  it('a fill of an order a report covered moves the position and takes no other reservation', () => {
    const book = new PositionBook();
    book.open(buy('5', 'a'), 1000);
    book.open(buy('5', 'b'), 2000);
    book.report([], 1500);
    book.fill('A', 'buy', x(5), x(10), 'a', 3000);
    expect(projection(book)).toMatchObject({ filled: '5', openBuy: '5', projected: '10' });
  });
});

describe('PositionBook: projections', () => {
  it('list every symbol by name, with no last price where none is known', () => {
    const book = reported(['D', '1'], ['B', '2', '3'], ['A', '0'], ['E', '-1'], ['C', '5']);
    expect(book.projections().map((p) => p.symbol)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(projection(book, 'D')?.lastPrice).toBeNull();
    expect(projection(book, 'B')?.lastPrice).toBe('3');
  });

  it('sort many symbols by name whatever order they arrived in', () => {
    const names = Array.from({ length: 60 }, (_, i) => `S${String((i * 37) % 60).padStart(2, '0')}`);
    const book = reported(...names.map((symbol): [string, string] => [symbol, '1']));
    expect(book.projections().map((p) => p.symbol)).toEqual([...names].sort());
  });
});

describe('PositionBook: bounded memory without reports', () => {
  it('keeps up to 100 000 fills of a symbol one by one, then merges the older half (with the latest of their times)', () => {
    const book = new PositionBook();
    for (let i = 0; i < 100_001; i++) book.fill('A', 'buy', x(1), x(10), null, 1000 + i);
    expect(projection(book)).toMatchObject({ filled: '100001' });
    // The older 50 000 are one entry, as of the latest of them (1000 + 49 999).
    book.report([], 1000 + 49_998);
    expect(projection(book)?.filled).toBe('100001');
    book.report([], 1000 + 49_999);
    expect(projection(book)?.filled).toBe('50001');
    book.report([], 1000 + 100_000);
    expect(projection(book)?.filled).toBe('0');
  });
});
