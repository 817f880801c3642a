import { z } from 'zod';
import { defineLimit } from './rule.ts';
import { off } from './settings.ts';

/** A count of orders: a whole number, 1 to a million. */
const count = z.number({ error: 'must be a whole number of orders' }).int('must be a whole number of orders').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000');
/** `{ total?, perSymbol? }`: at least one of them. */
const setting = z
  .strictObject({ total: count.optional(), perSymbol: count.optional() }, { error: 'must be { total?, perSymbol? }, e.g. { total: 50, perSymbol: 10 }' })
  .refine((s) => s.total !== undefined || s.perSymbol !== undefined, 'must set total, perSymbol or both');

/** The open-order caps that apply to a symbol (null: off). */
export interface OpenOrderFields {
  /** Most open orders of the strategy, all symbols together. */
  readonly maxOpenOrdersTotal: number | null;
  /** Most open orders in this symbol. */
  readonly maxOpenOrdersPerSymbol: number | null;
}
const OFF: OpenOrderFields = Object.freeze({ maxOpenOrdersTotal: null, maxOpenOrdersPerSymbol: null });

/**
 * `maxOpenOrders: { total?, perSymbol? }` (LIMIT_OPEN_ORDERS): the open orders of the position
 * book (allowed, neither filled in full nor closed nor covered by a later report), the order under
 * check counted as one more, may not exceed `total` (all symbols) nor `perSymbol` (its symbol);
 * exactly at a cap passes. `perSymbol.<S>.maxOpenOrders` replaces the per-symbol cap for S
 * (`false`: none for S); the total is the strategy's.
 */
export const openOrderCountLimit = defineLimit({
  name: 'maxOpenOrders',
  code: 'LIMIT_OPEN_ORDERS',
  also: [],
  rank: 7,
  onModify: false,
  words: 'Most open orders: `{ total?, perSymbol? }` (the order under check counted as one more).',
  key: 'maxOpenOrders',
  schema: setting,
  perSymbol: { key: 'maxOpenOrders', schema: off(count) },
  defaults: (s): OpenOrderFields => (s === undefined ? OFF : Object.freeze({ maxOpenOrdersTotal: s.total ?? null, maxOpenOrdersPerSymbol: s.perSymbol ?? null })),
  resolve: (d, own): OpenOrderFields =>
    own === undefined ? d : Object.freeze({ maxOpenOrdersTotal: d.maxOpenOrdersTotal, maxOpenOrdersPerSymbol: own === false ? null : own }),
  off: OFF,
  needs: { projection: true },
  applies: (l) => l.maxOpenOrdersTotal !== null || l.maxOpenOrdersPerSymbol !== null,
  check(o, l, { book }) {
    const per = l.maxOpenOrdersPerSymbol;
    if (per !== null) {
      const open = book.openCountOf(o.symbol);
      if (open + 1 > per) return `${open} orders are open in ${o.symbol}: one more would exceed the maximum of ${per} open orders per symbol`;
    }
    const total = l.maxOpenOrdersTotal;
    if (total !== null) {
      const open = book.openCount;
      if (open + 1 > total) return `${open} orders are open: one more would exceed the maximum of ${total} open orders in total`;
    }
    return null;
  },
});
