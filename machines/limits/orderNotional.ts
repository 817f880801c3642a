import type { Exact } from '../math/exact.ts';
import { compareFast, toExact } from './amount.ts';
import { LimitCode, type LimitRefusal, type LimitRule, type OrderFacts } from './limit.ts';
import type { PositionBook } from './positions.ts';

/**
 * The price an order is valued at: the higher of its limit price and the symbol's last price (a
 * market order: the last price), so a marketable sell priced at 0.01 is valued at the market;
 * null when neither is known.
 */
export function orderPrice(o: OrderFacts, book: PositionBook): number | null {
  const last = book.lastPrice(o.symbol);
  if (o.price === undefined) return last;
  return last === null || o.price >= last ? o.price : last;
}

/** {@link orderPrice}, exactly. */
export function orderPriceExact(o: OrderFacts, book: PositionBook): Exact | null {
  const last = book.lastPriceExact(o.symbol);
  if (o.priceRaw === undefined) return last;
  const limit = toExact(o.priceRaw);
  return last === null || limit.gte(last) ? limit : last;
}

/** The refusal of an order that cannot be valued: a market order in a symbol with no last price. */
export function noReference(o: OrderFacts, what: string): LimitRefusal {
  return { code: LimitCode.PRICE_REFERENCE, reason: `${what} cannot be valued: no last price is known for ${o.symbol} and the order has no limit price` };
}

/**
 * `maxOrderNotional`: quantity × the higher of the limit price and the symbol's last price (a
 * market order: the last price) may not exceed it. A market order in a symbol with no last price
 * cannot be valued: rejected `LIMIT_PRICE_REFERENCE`.
 */
export const orderNotionalLimit: LimitRule = {
  name: 'maxOrderNotional',
  code: LimitCode.ORDER_NOTIONAL,
  applies: (l) => l.maxOrderNotional !== null,
  check(o, l, { book }) {
    const max = l.maxOrderNotional!;
    const price = orderPrice(o, book);
    if (price === null) return noReference(o, `the notional of ${o.side} ${toExact(o.qtyRaw).toFixed()} ${o.symbol}`);
    const notional = o.qty * price;
    const fast = compareFast(notional, notional, max);
    if (fast === 1) return null;
    const exactPrice = orderPriceExact(o, book)!;
    const exact = toExact(o.qtyRaw).times(exactPrice);
    if (fast === 0 && exact.lte(max.exact)) return null;
    return `notional ${exact.toFixed()} (${toExact(o.qtyRaw).toFixed()} × ${exactPrice.toFixed()}) of ${o.symbol} exceeds the maximum order notional of ${max.text}`;
  },
};
