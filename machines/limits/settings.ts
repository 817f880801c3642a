/**
 * The zod pieces the limits' settings are written with (each limit's module holds its own
 * schema, built from these): amounts, fractions, windows, symbols, and "off for this symbol".
 */
import { z } from 'zod';
import { isDecimalProblem, parseExact } from '../math/exact.ts';
import { amount, type Amount } from './amount.ts';
import { symbolProblem } from './symbol.ts';

/** A positive decimal (text or number), validated as canonical decimal text. */
export const positive = z.union([z.string(), z.number()], { error: 'must be a positive amount, e.g. "250000" or 100' }).transform((value, ctx) => {
  const parsed = parseExact(value);
  if (isDecimalProblem(parsed) || !parsed.isPositive() || parsed.isZero()) {
    ctx.addIssue({ code: 'custom', input: value, message: isDecimalProblem(parsed) ? parsed.problem : 'must be a positive amount, e.g. "250000" or 100' });
    return z.NEVER;
  }
  return parsed.toFixed();
});

/** A whole number of ms, 1 ms to a day. */
export const windowMs = z.number({ error: 'must be a whole number of ms' }).int('must be a whole number of ms').min(1, 'must be at least 1 ms').max(86_400_000, 'must be at most 86400000 ms');

/** A symbol, by the runtime's own rule (symbol.ts). */
export const symbol = z.string({ error: 'must be a symbol' }).check((ctx) => {
  const problem = symbolProblem(ctx.value);
  if (problem !== null) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
});

/** A per-symbol override: `false` turns the limit off for that symbol. */
export const off = <T extends z.ZodType>(schema: T) => z.union([z.literal(false), schema], { error: 'must be false (off for this symbol) or a value' });

/** A validated amount setting as an {@link Amount} (undefined: not set). */
export const amountOf = (v: string | undefined): Amount | null => (v === undefined ? null : amount(v));

/** A symbol's override of a global setting: not given keeps the global one, `false` is off. */
export function override<G, V>(global: G | null, own: V | false | undefined, read: (v: V) => G): G | null {
  return own === undefined ? global : own === false ? null : read(own);
}
