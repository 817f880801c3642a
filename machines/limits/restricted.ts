import { z } from 'zod';
import { defineLimit } from './rule.ts';
import { symbol } from './settings.ts';

/** Whether a symbol is restricted. */
export interface RestrictedFields {
  readonly restricted: boolean;
}
const OFF: RestrictedFields = Object.freeze({ restricted: false });
const YES: RestrictedFields = Object.freeze({ restricted: true });

/** `restrictedSymbols`: no order in a restricted symbol passes (not even a reducing one: ask your compliance desk). */
export const restrictedLimit = defineLimit({
  name: 'restrictedSymbols',
  code: 'LIMIT_RESTRICTED',
  also: [],
  rank: 0,
  onModify: false,
  words: 'Symbols no order may trade.',
  key: 'restrictedSymbols',
  schema: z.array(symbol, { error: 'must be a list of symbols' }).max(10_000, 'must hold at most 10000 symbols'),
  perSymbol: { key: 'restricted', schema: z.boolean({ error: 'must be true or false' }) },
  canonical: (symbols, canon) => [...new Set(symbols.map(canon))],
  defaults: (symbols): ReadonlySet<string> => new Set(symbols ?? []),
  resolve: (restricted, own, symbol): RestrictedFields => ((own ?? restricted.has(symbol)) ? YES : OFF),
  off: OFF,
  needs: {},
  applies: (l) => l.restricted,
  check: (o) => `${o.symbol} is a restricted symbol`,
});
