import { toExact } from './amount.ts';
import { defineLimit } from './rule.ts';
import { off, override, windowMs } from './settings.ts';

/** A symbol's duplicate window (ms; null: off). */
export interface DuplicateFields {
  readonly duplicateWindowMs: number | null;
}
const OFF: DuplicateFields = Object.freeze({ duplicateWindowMs: null });

/**
 * `duplicateWindow` (ms): an order with the same symbol, side, quantity and price (as written)
 * as an order allowed less than that many ms before is rejected as a likely duplicate. The
 * runtime remembers allowed orders for it and measures the window on its monotonic clock.
 */
export const duplicateLimit = defineLimit({
  name: 'duplicateWindow',
  code: 'LIMIT_DUPLICATE',
  also: [],
  rank: 4,
  onModify: false,
  words: 'ms within which the same order (symbol, side, quantity, price) is refused as a duplicate.',
  key: 'duplicateWindow',
  schema: windowMs,
  perSymbol: { key: 'duplicateWindow', schema: off(windowMs) },
  defaults: (ms) => ms ?? null,
  resolve: (d, own): DuplicateFields => ({ duplicateWindowMs: override(d, own, (ms) => ms) }),
  off: OFF,
  needs: { clock: () => true, history: (l) => l.duplicateWindowMs! },
  applies: (l) => l.duplicateWindowMs !== null,
  check(o, l, ctx) {
    const last = ctx.lastSame(o);
    if (last === undefined || ctx.now - last >= l.duplicateWindowMs!) return null;
    const price = o.priceRaw === undefined ? 'market' : `at ${toExact(o.priceRaw).toFixed()}`;
    return `the same order (${o.side} ${toExact(o.qtyRaw).toFixed()} ${o.symbol} ${price}) was allowed ${ctx.now - last} ms ago, within the duplicate window of ${l.duplicateWindowMs} ms`;
  },
});
