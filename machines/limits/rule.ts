/**
 * What one pre-trade limit is: a row that carries it whole (its setting's key and zod schema,
 * whether it may be set per symbol, its code, its words, the fields it adds to a symbol's limits,
 * what it needs from the runtime, and its decision). Each limit is one module exporting one row,
 * listed in registry.ts; limit.ts generates the names, codes and `SymbolLimits` from the list.
 */
import type { z } from 'zod';
import type { Exact } from '../math/exact.ts';
import type { OrderFacts } from './facts.ts';
import type { PositionBook } from './positions.ts';

/** The code of a refusal for want of a reference price (none known, or older than `referenceMaxAge`). */
export const PRICE_REFERENCE = 'LIMIT_PRICE_REFERENCE';

/** What a limit may read besides the order and the symbol's limits. */
export interface LimitContext {
  readonly book: PositionBook;
  readonly now: number;
  /** When an order with the same symbol, side, quantity and price was last allowed (ms), or undefined. */
  lastSame(order: OrderFacts): number | undefined;
  /** How long ago (ms, on the runtime's monotonic clock) the symbol's last price was set, or undefined when it has none. */
  referenceAge(symbol: string): number | undefined;
  /** The fills of a symbol recorded in the last `windowMs` ms, (now − windowMs, now] on the monotonic clock (a row that reads it says `needs.fills`). */
  traded(symbol: string, windowMs: number): TradedFigures;
  /**
   * An open order of the other side in the order's symbol, of any runtime in this process, that
   * the order could execute against (a buy at or above an open sell's price, a sell at or below
   * an open buy's price, a market order on either side against any): its words, or null.
   */
  crossing(order: OrderFacts): string | null;
}

/** Σ|quantity| and Σ|quantity| × price of a symbol's fills in a window, as doubles and exactly. */
export interface TradedFigures {
  readonly qty: number;
  readonly notional: number;
  qtyExact(): Exact;
  notionalExact(): Exact;
}

/**
 * A setting beside the limits' own keys that some rows read (`tradedWindow` beside the traded
 * limits): declared in the module of the rows that read it, listed in registry.ts, read by those
 * rows' `defaults` from the whole config. Setting a key of `requiredBy` (globally or for a symbol)
 * without it is a config error naming it.
 */
export interface BesideSetting<K extends string, S extends z.ZodType> {
  readonly key: K;
  readonly schema: S;
  readonly words: string;
  readonly requiredBy: readonly string[];
}

/** A refusal under another code than the rule's own (a rule that cannot value the order: `LIMIT_PRICE_REFERENCE`). */
export interface LimitRefusal<C extends string = string> {
  readonly code: C;
  readonly reason: string;
}

/** What a limit needs the runtime to keep or read for it (nothing unless said). */
export interface LimitNeeds<F> {
  /** `ctx.now`, the decision's monotonic reading, under these settings. */
  readonly clock?: (limits: F) => boolean;
  /** The projected positions: while any such limit is configured, every allowed order is reserved in the book. */
  readonly projection?: boolean;
  /** `ctx.lastSame`: each allowed order is remembered for this many ms under these settings. */
  readonly history?: (limits: F) => number;
  /** `ctx.traded`: each fill is kept for this many ms (monotonic) under these settings. */
  readonly fills?: (limits: F) => number;
  /** `ctx.crossing`: while such a limit is configured in some runtime of the process, every runtime with limits publishes its open orders. */
  readonly shared?: boolean;
}

/** A setting a symbol may override (`perSymbol.<symbol>.<key>`). */
export interface PerSymbolSetting<K extends string, S extends z.ZodType> {
  readonly key: K;
  readonly schema: S;
}

/**
 * One pre-trade limit, whole. `F` is the fields it adds to a symbol's limits (null or false: off);
 * `D` its global setting as read once.
 */
export interface LimitRow<
  Name extends string,
  Code extends string,
  Also extends string,
  Key extends string,
  S extends z.ZodType,
  PK extends string,
  PS extends z.ZodType,
  D,
  F extends object,
> {
  readonly name: Name;
  readonly code: Code;
  /** The other codes it may refuse under (an order it cannot value: {@link PRICE_REFERENCE}). */
  readonly also: readonly Also[];
  /** Its place in check()'s order (lower first: the cheapest and the order's own first, the projections last). */
  readonly rank: number;
  /** Whether a modification of an open order is checked against it (it judges the order's own quantity and price alone). */
  readonly onModify: boolean;
  /** What the setting means (the schema's description). */
  readonly words: string;
  /** The setting's key under `limits`. */
  readonly key: Key;
  readonly schema: S;
  /** The key and schema of a symbol's override, or null when the limit is not set per symbol. */
  readonly perSymbol: PerSymbolSetting<PK, PS> | null;
  /** The setting with the symbols it lists in canonical form (only for a setting that lists symbols). */
  canonical?(setting: z.output<S>, canon: (symbol: string) => string): z.output<S>;
  /** The global setting, read once (undefined: not configured), and the whole validated `limits` (for a {@link BesideSetting}). */
  defaults(setting: z.output<S> | undefined, config: Readonly<Record<string, unknown>>): D;
  /** A symbol's fields, from the defaults and the symbol's own override (undefined: none). */
  resolve(defaults: D, own: z.output<PS> | undefined, symbol: string): F;
  /** Its fields when it is not configured. */
  readonly off: F;
  readonly needs: LimitNeeds<F>;
  /** Whether the symbol's limits turn it on. */
  applies(limits: F): boolean;
  /** Null when the order passes, else the reason naming the figures (under the rule's code), or a refusal under another code. */
  check(order: OrderFacts, limits: F, ctx: LimitContext): string | LimitRefusal<Code | Also> | null;
}

/** A limit's row, its types inferred (a row that misses a part does not compile). */
export function defineLimit<
  const Name extends string,
  const Code extends string,
  const Key extends string,
  S extends z.ZodType,
  D,
  F extends object,
  const Also extends string = never,
  const PK extends string = never,
  PS extends z.ZodType = z.ZodNever,
>(row: LimitRow<Name, Code, Also, Key, S, PK, PS, D, F>): LimitRow<Name, Code, Also, Key, S, PK, PS, D, F> {
  return row;
}

/**
 * A control applied by the runtime rather than configured (reduce-only, while the trading mode
 * is REDUCING): a name, a code and a decision, over the symbol's limits.
 */
export interface ModeRule<Name extends string, Code extends string> {
  readonly name: Name;
  readonly code: Code;
  readonly needs: LimitNeeds<object>;
  applies(limits: object): boolean;
  check(order: OrderFacts, limits: object, ctx: LimitContext): string | LimitRefusal<Code> | null;
}
