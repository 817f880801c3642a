import { duplicateLimit } from './duplicate.ts';
import { grossExposureLimit } from './grossExposure.ts';
import { openOrderCountLimit } from './openOrderCount.ts';
import { orderNotionalLimit } from './orderNotional.ts';
import { orderQuantityLimit } from './orderQuantity.ts';
import { positionLimit } from './position.ts';
import { priceCollarLimit } from './priceCollar.ts';
import { reduceOnlyLimit } from './reduceOnly.ts';
import { restrictedLimit } from './restricted.ts';
import { selfTradeLimit } from './selfTrade.ts';
import { tradedNotionalLimit, tradedQuantityLimit, tradedWindowSetting } from './traded.ts';
import type { BesideSetting, LimitRow } from './rule.ts';
import type { z } from 'zod';

/**
 * The one list of pre-trade limits, one row each (its module holds it whole), in the order of
 * the `limits` settings. Everything else is generated from it: the names and codes (and so
 * `RejectCode`'s limit codes), a symbol's limits and {@link NO_LIMITS}, the limits schema and
 * its key lists (src/limitsConfig.ts), what the runtime keeps for them (src/runtime/controls.ts).
 * Adding a limit is its module, one row here, its docs and its tests.
 */
export const LIMIT_ROWS = [orderQuantityLimit, orderNotionalLimit, positionLimit, grossExposureLimit, priceCollarLimit, duplicateLimit, restrictedLimit, openOrderCountLimit, tradedQuantityLimit, tradedNotionalLimit, selfTradeLimit] as const;

/** The settings beside the limits' own keys that some rows read (rule.ts, {@link BesideSetting}): the traded limits' `tradedWindow`. */
export const LIMIT_BESIDE = [tradedWindowSetting] as const satisfies readonly BesideSetting<string, z.ZodType>[];

type Row = (typeof LIMIT_ROWS)[number];
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type Flat<T> = { readonly [K in keyof T]: T[K] };

/** The limits' names, as configured (and `reduceOnly`, applied while REDUCING). */
export type LimitName = Row['name'] | typeof reduceOnlyLimit.name;

/** The rejection code of each pre-trade control. */
export type LimitCode = Row['code'] | Row['also'][number] | typeof reduceOnlyLimit.code;

/** The effective limits of one symbol (the global ones with its overrides): every row's fields; null (or false) = off. */
export type SymbolLimits = Flat<Intersection<Row['off']>>;

/** Any limit's row, as the runtime walks them: it decides over a symbol's whole limits and yields its own fields. */
export interface LimitRule extends Omit<LimitRow<LimitName, LimitCode, LimitCode, string, z.ZodType, string, z.ZodType, unknown, SymbolLimits>, 'resolve' | 'off'> {
  resolve(defaults: unknown, own: unknown, symbol: string): object;
  readonly off: object;
}

/**
 * One object of every row's fields. The one cast of the registry: the type is generated from
 * the same rows the caller walks, so it cannot hide a row's missing part.
 */
export function symbolLimits(parts: readonly object[]): SymbolLimits {
  return Object.freeze(Object.assign({}, ...parts)) as SymbolLimits;
}

/** Limits that are all off: a symbol no configured limit applies to. */
export const NO_LIMITS: SymbolLimits = symbolLimits(LIMIT_ROWS.map((r) => r.off));

/** The pre-trade limits, in the order `check()` applies them (after the breakers, and after reduce-only while REDUCING). */
export const LIMITS: readonly LimitRule[] = [...LIMIT_ROWS].sort((a, b) => a.rank - b.rank);

/** The limits a modification of an open order is checked against (src/runtime/messages.ts). */
export const MODIFY_LIMITS: ReadonlySet<LimitName> = new Set(LIMIT_ROWS.filter((r) => r.onModify).map((r) => r.name));

type CodeKey<C extends string> = C extends `LIMIT_${infer R}` ? R : C;
const CODES: readonly LimitCode[] = [...new Set<LimitCode>([...LIMIT_ROWS.map((r) => r.code), ...LIMIT_ROWS.flatMap((r): LimitCode[] => [...r.also]), reduceOnlyLimit.code])];

/** The codes by short name (`ORDER_QUANTITY: 'LIMIT_ORDER_QUANTITY'`), generated from the rows (cast as {@link symbolLimits}). */
export const LimitCode = Object.freeze(Object.fromEntries(CODES.map((c) => [c.replace(/^LIMIT_/, ''), c]))) as { readonly [C in LimitCode as CodeKey<C>]: C };

/** Each code under its own name, for `RejectCode` (src/runtime/types.ts). */
export const LIMIT_REJECT_CODES = Object.freeze(Object.fromEntries(CODES.map((c) => [c, c]))) as { readonly [C in LimitCode]: C };

export { reduceOnlyLimit };
