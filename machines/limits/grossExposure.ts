import { Exact } from '../math/exact.ts';
import { SLACK, toExact, type Amount } from './amount.ts';
import type { OrderFacts } from './facts.ts';
import { noReference, orderPrice, orderPriceExact } from './orderNotional.ts';
import type { PositionBook } from './positions.ts';
import { defineLimit, PRICE_REFERENCE } from './rule.ts';
import { amountOf, positive } from './settings.ts';

/** The strategy's `maxGrossExposure` (null: off); the same for every symbol. */
export interface GrossExposureFields {
  readonly maxGrossExposure: Amount | null;
}
const OFF: GrossExposureFields = Object.freeze({ maxGrossExposure: null });

/** A symbol's exposure: the larger of its long-side and short-side projections, in size, × its price. */
function exposure(price: number, long: number, short: number): number {
  return Math.max(Math.abs(long), Math.abs(short)) * price;
}

/** Scratch for the double figures (check() is synchronous: no allocation per call). */
const fast = { before: 0, after: 0, missing: null as string | null };

/** The gross exposure before and after an order, as doubles, into `fast`; `missing` names a held symbol with no known price. */
function gross(book: PositionBook, o: OrderFacts): void {
  let before = 0;
  let after = 0;
  fast.missing = null;
  // An array, not an iterator: nothing is allocated per check.
  const symbols = book.symbols();
  for (let i = 0; i < symbols.length; i++) {
    const symbol = symbols[i]!;
    const long = book.before(symbol, 'buy');
    const short = book.before(symbol, 'sell');
    const mine = symbol === o.symbol;
    if (long === 0 && short === 0 && !mine) continue;
    const price = mine ? orderPrice(o, book) : book.lastPrice(symbol);
    if (price === null) {
      fast.missing = symbol;
      return;
    }
    const e = exposure(price, long, short);
    before += e;
    after += mine ? exposure(price, o.side === 'buy' ? long + o.qty : long, o.side === 'sell' ? short - o.qty : short) : e;
  }
  if (!book.has(o.symbol)) {
    const price = orderPrice(o, book);
    if (price === null) {
      fast.missing = o.symbol;
      return;
    }
    after += o.qty * price;
  }
  fast.before = before;
  fast.after = after;
}

function grossExact(book: PositionBook, o: OrderFacts): { before: Exact; after: Exact } {
  let before = new Exact(0);
  let after = new Exact(0);
  const q = toExact(o.qtyRaw);
  const size = (long: Exact, short: Exact) => Exact.max(long.abs(), short.abs());
  const symbols = new Set([...book.symbols(), o.symbol]);
  for (const symbol of symbols) {
    const long = book.beforeExact(symbol, 'buy');
    const short = book.beforeExact(symbol, 'sell');
    const mine = symbol === o.symbol;
    if (long.isZero() && short.isZero() && !mine) continue;
    const price = mine ? orderPriceExact(o, book)! : book.lastPriceExact(symbol)!;
    const e = size(long, short).times(price);
    before = before.plus(e);
    after = after.plus(mine ? size(o.side === 'buy' ? long.plus(q) : long, o.side === 'sell' ? short.minus(q) : short).times(price) : e);
  }
  return { before, after };
}

/**
 * `maxGrossExposure`: Σ over symbols of max(|reported + filled + open buys|, |reported + filled −
 * open sells|) × the symbol's reference price, the order counted as one more open order, may
 * not exceed it. The reference is the last price; for the order's own symbol the higher of the
 * last price and the order's limit price (before and after alike). An order that does not raise
 * the gross exposure passes even above the limit (counted as an open order it can at most leave
 * it as it was: a reducing order). A held symbol, or a market order's own, with no last price
 * cannot be valued: rejected `LIMIT_PRICE_REFERENCE`.
 */
export const grossExposureLimit = defineLimit({
  name: 'maxGrossExposure',
  code: 'LIMIT_GROSS_EXPOSURE',
  also: [PRICE_REFERENCE],
  rank: 6,
  onModify: false,
  words: 'Largest Σ over symbols of the worst side\'s projected size × reference price.',
  key: 'maxGrossExposure',
  schema: positive,
  // Firm-wide for the strategy: not per symbol.
  perSymbol: null,
  defaults: (v): GrossExposureFields => (v === undefined ? OFF : Object.freeze({ maxGrossExposure: amountOf(v) })),
  resolve: (d): GrossExposureFields => d,
  off: OFF,
  needs: { projection: true },
  applies: (l) => l.maxGrossExposure !== null,
  check(o, l, { book }) {
    const max = l.maxGrossExposure!;
    gross(book, o);
    if (fast.missing === o.symbol) return noReference(o, 'the gross exposure');
    if (fast.missing !== null) return { code: PRICE_REFERENCE, reason: `the gross exposure cannot be valued: no last price is known for ${fast.missing}, which is held` };
    const tolerance = (fast.after + max.n) * SLACK;
    if (fast.after < max.n - tolerance || fast.after < fast.before - tolerance) return null;
    const exact = grossExact(book, o);
    if (exact.after.lte(max.exact) || exact.after.lte(exact.before)) return null;
    return `${o.side} ${q(o)} ${o.symbol} would take the gross exposure from ${exact.before.toFixed()} to ${exact.after.toFixed()}, beyond the maximum of ${max.text}`;
  },
});

const q = (o: OrderFacts) => toExact(o.qtyRaw).toFixed();
