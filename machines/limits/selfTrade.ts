import { z } from 'zod';
import { defineLimit } from './rule.ts';

/** Whether self-trade prevention applies to a symbol. */
export interface SelfTradeFields {
  readonly selfTrade: boolean;
}
const OFF: SelfTradeFields = Object.freeze({ selfTrade: false });
const ON: SelfTradeFields = Object.freeze({ selfTrade: true });
const flag = z.boolean({ error: 'must be true or false' });

/**
 * `selfTrade: true` (LIMIT_SELF_TRADE): an order that could execute against an open order of the
 * other side in its symbol, of any strategy whose runtime runs in this process (its own included),
 * is rejected: a buy at or above an open sell's limit price, a sell at or below an open buy's, a
 * market order (or an open market order) against any. `perSymbol.<S>.selfTrade` turns it on or
 * off for S.
 */
export const selfTradeLimit = defineLimit({
  name: 'selfTrade',
  code: 'LIMIT_SELF_TRADE',
  also: [],
  rank: 10,
  onModify: false,
  words: 'Refuse an order that could execute against an open order of the other side from any strategy in this process.',
  key: 'selfTrade',
  schema: flag,
  perSymbol: { key: 'selfTrade', schema: flag },
  defaults: (on) => on === true,
  resolve: (on, own): SelfTradeFields => ((own ?? on) ? ON : OFF),
  off: OFF,
  needs: { shared: true },
  applies: (l) => l.selfTrade,
  check(o, _l, ctx) {
    const other = ctx.crossing(o);
    return other === null ? null : `${o.side} ${o.symbol}${o.price === undefined ? ' at market' : ''} could execute against ${other}`;
  },
});
