import { LimitCode, type LimitRule } from './limit.ts';

/** `restrictedSymbols`: no order in a restricted symbol passes (not even a reducing one: ask your compliance desk). */
export const restrictedLimit: LimitRule = {
  name: 'restrictedSymbols',
  code: LimitCode.RESTRICTED,
  applies: (l) => l.restricted,
  check: (o) => `${o.symbol} is a restricted symbol`,
};
