import type { Exact } from '../math/exact.ts';
import { compareFast, toExact } from './amount.ts';
import { LimitCode, type LimitRule, type OrderFacts } from './limit.ts';
import type { PositionBook } from './positions.ts';

/** The price an order is valued at: its limit price, else the symbol's last known price (null: none known). */
export function orderPrice(o: OrderFacts, book: PositionBook): number | null {
  return o.price !== undefined ? o.price : book.lastPrice(o.symbol);
}

export function orderPriceExact(o: OrderFacts, book: PositionBook): Exact | null {
  return o.priceRaw !== undefined ? toExact(o.priceRaw) : book.lastPriceExact(o.symbol);
}

/**
 * `maxOrderNotional`: quantity × price (the limit price, else the last known price) may not
 * exceed it. A market order in a symbol whose price is not known is rejected: it cannot be valued.
 */
export const orderNotionalLimit: LimitRule = {
  name: 'maxOrderNotional',
  code: LimitCode.ORDER_NOTIONAL,
  applies: (l) => l.maxOrderNotional !== null,
  check(o, l, { book }) {
    const max = l.maxOrderNotional!;
    const price = orderPrice(o, book);
    if (price === null) return `a market order in ${o.symbol} cannot be valued: no price is known for it (give a limit price)`;
    const notional = o.qty * price;
    const fast = compareFast(notional, notional, max);
    if (fast === 1) return null;
    const exact = toExact(o.qtyRaw).times(orderPriceExact(o, book)!);
    if (fast === 0 && exact.lte(max.exact)) return null;
    return `notional ${exact.toFixed()} (${toExact(o.qtyRaw).toFixed()} × ${orderPriceExact(o, book)!.toFixed()}) of ${o.symbol} exceeds the maximum order notional of ${max.text}`;
  },
};
