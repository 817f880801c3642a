import { compareFast, toExact } from './amount.ts';
import { LimitCode, type LimitRule } from './limit.ts';

/** `maxOrderQuantity`: an order's quantity may not exceed it (an order exactly at it passes). */
export const orderQuantityLimit: LimitRule = {
  name: 'maxOrderQuantity',
  code: LimitCode.ORDER_QUANTITY,
  applies: (l) => l.maxOrderQuantity !== null,
  check(o, l) {
    const max = l.maxOrderQuantity!;
    const fast = compareFast(o.qty, o.qty, max);
    if (fast === 1 || (fast === 0 && toExact(o.qtyRaw).lte(max.exact))) return null;
    return `quantity ${toExact(o.qtyRaw).toFixed()} of ${o.symbol} exceeds the maximum order quantity of ${max.text}`;
  },
};
