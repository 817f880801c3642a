import { compareFast, toExact, type Amount } from './amount.ts';
import { defineLimit } from './rule.ts';
import { amountOf, off, override, positive } from './settings.ts';

/** A symbol's `maxOrderQuantity` (null: off). */
export interface OrderQuantityFields {
  readonly maxOrderQuantity: Amount | null;
}
const OFF: OrderQuantityFields = Object.freeze({ maxOrderQuantity: null });

/** `maxOrderQuantity`: an order's quantity may not exceed it (an order exactly at it passes). */
export const orderQuantityLimit = defineLimit({
  name: 'maxOrderQuantity',
  code: 'LIMIT_ORDER_QUANTITY',
  also: [],
  rank: 1,
  onModify: true,
  words: 'Most quantity one order may carry.',
  key: 'maxOrderQuantity',
  schema: positive,
  perSymbol: { key: 'maxOrderQuantity', schema: off(positive) },
  defaults: amountOf,
  resolve: (d, own): OrderQuantityFields => ({ maxOrderQuantity: override(d, own, amountOf) }),
  off: OFF,
  needs: {},
  applies: (l) => l.maxOrderQuantity !== null,
  check(o, l) {
    const max = l.maxOrderQuantity!;
    const fast = compareFast(o.qty, o.qty, max);
    if (fast === 1 || (fast === 0 && toExact(o.qtyRaw).lte(max.exact))) return null;
    return `quantity ${toExact(o.qtyRaw).toFixed()} of ${o.symbol} exceeds the maximum order quantity of ${max.text}`;
  },
});
