import { toExact } from './amount.ts';
import { LimitCode, type LimitRule } from './limit.ts';

/**
 * `duplicateWindow` (ms): an order with the same symbol, side, quantity and price (as written)
 * as an order allowed less than that many ms before is rejected as a likely duplicate.
 */
export const duplicateLimit: LimitRule = {
  name: 'duplicateWindow',
  code: LimitCode.DUPLICATE,
  applies: (l) => l.duplicateWindowMs !== null,
  check(o, l, ctx) {
    const last = ctx.lastSame(o);
    if (last === undefined || ctx.now - last >= l.duplicateWindowMs!) return null;
    const price = o.priceRaw === undefined ? 'market' : `at ${toExact(o.priceRaw).toFixed()}`;
    return `the same order (${o.side} ${toExact(o.qtyRaw).toFixed()} ${o.symbol} ${price}) was allowed ${ctx.now - last} ms ago, within the duplicate window of ${l.duplicateWindowMs} ms`;
  },
};
