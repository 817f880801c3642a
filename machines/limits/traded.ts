import { z } from 'zod';
import { SLACK, toExact, type Amount } from './amount.ts';
import type { OrderFacts } from './facts.ts';
import { noReference, orderPrice, orderPriceExact } from './orderNotional.ts';
import type { PositionBook } from './positions.ts';
import { defineLimit, PRICE_REFERENCE, type BesideSetting } from './rule.ts';
import { amountOf, off, override, positive } from './settings.ts';

/** `tradedWindow` (seconds, beside the traded limits): the rolling window their fills are counted over. */
export const tradedWindowSetting = {
  key: 'tradedWindow',
  schema: z.number({ error: 'must be a number of seconds, e.g. 60' }).gt(0, 'must be above 0 s').max(86_400, 'must be at most 86400 s'),
  words: 'Seconds of the rolling window maxTradedQuantity and maxTradedNotional count fills over.',
  requiredBy: ['maxTradedQuantity', 'maxTradedNotional'],
} as const satisfies BesideSetting<'tradedWindow', z.ZodType>;

/** The window in ms from the whole config (the schema required it beside a traded limit). */
const windowOf = (config: Readonly<Record<string, unknown>>): number | null => (typeof config['tradedWindow'] === 'number' ? Math.round(config['tradedWindow'] * 1000) : null);

/** Open buys + open sells of a symbol: what its open orders could still trade. */
const openBoth = (book: PositionBook, symbol: string) => book.before(symbol, 'buy') - book.before(symbol, 'sell');
const openBothExact = (book: PositionBook, symbol: string) => book.beforeExact(symbol, 'buy').minus(book.beforeExact(symbol, 'sell'));
const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(6))} s`;
const q = (o: OrderFacts) => toExact(o.qtyRaw).toFixed();

/** A symbol's `maxTradedQuantity` and the window (null: off; each row keeps its own copy of the window: a symbol's limits are every row's fields in one object). */
export interface TradedQuantityFields {
  readonly maxTradedQuantity: Amount | null;
  readonly quantityWindowMs: number | null;
}
const OFF_QTY: TradedQuantityFields = Object.freeze({ maxTradedQuantity: null, quantityWindowMs: null });

/**
 * `maxTradedQuantity` (per symbol, LIMIT_TRADED_QUANTITY): Σ|quantity| of the symbol's fills
 * recorded in the last `tradedWindow` seconds (monotonic clock) + its open orders on both sides +
 * the order may not exceed it (exactly at it passes): what could trade in the window.
 */
export const tradedQuantityLimit = defineLimit({
  name: 'maxTradedQuantity',
  code: 'LIMIT_TRADED_QUANTITY',
  also: [],
  rank: 8,
  onModify: false,
  words: 'Most quantity per symbol filled in the last tradedWindow seconds + open + the order.',
  key: 'maxTradedQuantity',
  schema: positive,
  perSymbol: { key: 'maxTradedQuantity', schema: off(positive) },
  defaults: (v, config): TradedQuantityFields => ({ maxTradedQuantity: amountOf(v), quantityWindowMs: windowOf(config) }),
  resolve: (d, own): TradedQuantityFields => {
    const max = override(d.maxTradedQuantity, own, amountOf);
    return max === null ? OFF_QTY : Object.freeze({ maxTradedQuantity: max, quantityWindowMs: d.quantityWindowMs });
  },
  off: OFF_QTY,
  needs: { clock: () => true, projection: true, fills: (l) => l.quantityWindowMs ?? 0 },
  applies: (l) => l.maxTradedQuantity !== null && l.quantityWindowMs !== null,
  check(o, l, ctx) {
    const max = l.maxTradedQuantity!;
    const w = l.quantityWindowMs!;
    const fills = ctx.traded(o.symbol, w);
    const open = openBoth(ctx.book, o.symbol);
    const total = fills.qty + open + o.qty;
    const tolerance = (fills.qty + Math.abs(ctx.book.magnitude(o.symbol)) + o.qty + max.n) * SLACK;
    if (total < max.n - tolerance) return null;
    const filled = fills.qtyExact();
    const openExact = openBothExact(ctx.book, o.symbol);
    const exact = filled.plus(openExact).plus(toExact(o.qtyRaw));
    if (exact.lte(max.exact)) return null;
    return `${o.side} ${q(o)} ${o.symbol}: filled ${filled.toFixed()} in the last ${seconds(w)} + open ${openExact.toFixed()} + this order = ${exact.toFixed()}, beyond the maximum traded quantity of ${max.text}`;
  },
});

/** A symbol's `maxTradedNotional` and the window (null: off). */
export interface TradedNotionalFields {
  readonly maxTradedNotional: Amount | null;
  readonly notionalWindowMs: number | null;
}
const OFF_NOTIONAL: TradedNotionalFields = Object.freeze({ maxTradedNotional: null, notionalWindowMs: null });

/**
 * `maxTradedNotional` (per symbol, LIMIT_TRADED_NOTIONAL): Σ|quantity| × price of the symbol's
 * fills in the window + (its open orders on both sides + the order) × the order's valuation price
 * (the higher of its limit price and the last price; a market order: the last price) may not
 * exceed it (exactly at it passes). No price to value the order by: `LIMIT_PRICE_REFERENCE`.
 */
export const tradedNotionalLimit = defineLimit({
  name: 'maxTradedNotional',
  code: 'LIMIT_TRADED_NOTIONAL',
  also: [PRICE_REFERENCE],
  rank: 9,
  onModify: false,
  words: 'Most notional per symbol filled in the last tradedWindow seconds + open and the order at its valuation price.',
  key: 'maxTradedNotional',
  schema: positive,
  perSymbol: { key: 'maxTradedNotional', schema: off(positive) },
  defaults: (v, config): TradedNotionalFields => ({ maxTradedNotional: amountOf(v), notionalWindowMs: windowOf(config) }),
  resolve: (d, own): TradedNotionalFields => {
    const max = override(d.maxTradedNotional, own, amountOf);
    return max === null ? OFF_NOTIONAL : Object.freeze({ maxTradedNotional: max, notionalWindowMs: d.notionalWindowMs });
  },
  off: OFF_NOTIONAL,
  needs: { clock: () => true, projection: true, fills: (l) => l.notionalWindowMs ?? 0 },
  applies: (l) => l.maxTradedNotional !== null && l.notionalWindowMs !== null,
  check(o, l, ctx) {
    const max = l.maxTradedNotional!;
    const w = l.notionalWindowMs!;
    const price = orderPrice(o, ctx.book);
    if (price === null) return noReference(o, `the traded notional of ${o.side} ${q(o)} ${o.symbol}`);
    const fills = ctx.traded(o.symbol, w);
    const open = openBoth(ctx.book, o.symbol);
    const total = fills.notional + (open + o.qty) * price;
    const tolerance = (fills.notional + (Math.abs(ctx.book.magnitude(o.symbol)) + o.qty) * price + max.n) * SLACK;
    if (total < max.n - tolerance) return null;
    const exactPrice = orderPriceExact(o, ctx.book)!;
    const filled = fills.notionalExact();
    const pending = openBothExact(ctx.book, o.symbol).plus(toExact(o.qtyRaw));
    const exact = filled.plus(pending.times(exactPrice));
    if (exact.lte(max.exact)) return null;
    return `${o.side} ${q(o)} ${o.symbol}: filled notional ${filled.toFixed()} in the last ${seconds(w)} + (open and this order ${pending.toFixed()}) × ${exactPrice.toFixed()} = ${exact.toFixed()}, beyond the maximum traded notional of ${max.text}`;
  },
});
