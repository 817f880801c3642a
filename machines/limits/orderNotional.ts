import type { Exact } from '../math/exact.ts';
import { compareFast, toExact, type Amount } from './amount.ts';
import type { OrderFacts } from './facts.ts';
import type { PositionBook } from './positions.ts';
import { defineLimit, PRICE_REFERENCE, type LimitRefusal } from './rule.ts';
import { amountOf, off, override, positive } from './settings.ts';

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
export function noReference(o: OrderFacts, what: string): LimitRefusal<typeof PRICE_REFERENCE> {
  return { code: PRICE_REFERENCE, reason: `${what} cannot be valued: no last price is known for ${o.symbol} and the order has no limit price` };
}

/** A symbol's `maxOrderNotional` (null: off). */
export interface OrderNotionalFields {
  readonly maxOrderNotional: Amount | null;
}
const OFF: OrderNotionalFields = Object.freeze({ maxOrderNotional: null });

/**
 * `maxOrderNotional`: quantity × the higher of the limit price and the symbol's last price (a
 * market order: the last price) may not exceed it. A market order in a symbol with no last price
 * cannot be valued: rejected `LIMIT_PRICE_REFERENCE`.
 */
export const orderNotionalLimit = defineLimit({
  name: 'maxOrderNotional',
  code: 'LIMIT_ORDER_NOTIONAL',
  also: [PRICE_REFERENCE],
  rank: 3,
  onModify: true,
  words: 'Most quantity × price one order may carry (the higher of the limit and the last price).',
  key: 'maxOrderNotional',
  schema: positive,
  perSymbol: { key: 'maxOrderNotional', schema: off(positive) },
  defaults: amountOf,
  resolve: (d, own): OrderNotionalFields => ({ maxOrderNotional: override(d, own, amountOf) }),
  off: OFF,
  needs: {},
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
});
