import type { Amount } from './amount.ts';
import type { OrderFacts } from './facts.ts';
import type { PositionBook } from './positions.ts';

/** The rejection code of each pre-trade control. */
export const LimitCode = {
  ORDER_QUANTITY: 'LIMIT_ORDER_QUANTITY',
  ORDER_NOTIONAL: 'LIMIT_ORDER_NOTIONAL',
  POSITION: 'LIMIT_POSITION',
  GROSS_EXPOSURE: 'LIMIT_GROSS_EXPOSURE',
  PRICE_COLLAR: 'LIMIT_PRICE_COLLAR',
  DUPLICATE: 'LIMIT_DUPLICATE',
  RESTRICTED: 'LIMIT_RESTRICTED',
  /** No reference price to value or collar the order by (none known, or older than `referenceMaxAge`). */
  PRICE_REFERENCE: 'LIMIT_PRICE_REFERENCE',
  REDUCE_ONLY: 'REDUCE_ONLY',
} as const;
export type LimitCode = (typeof LimitCode)[keyof typeof LimitCode];

/** The limits' names, as configured. */
export type LimitName =
  | 'maxOrderQuantity'
  | 'maxOrderNotional'
  | 'maxPosition'
  | 'maxGrossExposure'
  | 'priceCollar'
  | 'duplicateWindow'
  | 'restrictedSymbols'
  | 'reduceOnly';

export type { OrderFacts } from './facts.ts';

/** The effective limits of one symbol (the global ones with its overrides); null = off. */
export interface SymbolLimits {
  readonly maxOrderQuantity: Amount | null;
  readonly maxOrderNotional: Amount | null;
  readonly maxPosition: Amount | null;
  /** Fraction of the last known price a limit price may stray from it. */
  readonly priceCollar: Amount | null;
  /** With the collar: the oldest last price (ms) it may be measured from; null = any age. */
  readonly referenceMaxAgeMs: number | null;
  readonly duplicateWindowMs: number | null;
  readonly restricted: boolean;
  /** Firm-wide for the strategy: not per symbol. */
  readonly maxGrossExposure: Amount | null;
}

/** Limits that are all off: a symbol no configured limit applies to. */
export const NO_LIMITS: SymbolLimits = Object.freeze({
  maxOrderQuantity: null,
  maxOrderNotional: null,
  maxPosition: null,
  priceCollar: null,
  referenceMaxAgeMs: null,
  duplicateWindowMs: null,
  restricted: false,
  maxGrossExposure: null,
});

/** What a limit may read besides the order and the symbol's limits. */
export interface LimitContext {
  readonly book: PositionBook;
  readonly now: number;
  /** When an order with the same symbol, side, quantity and price was last allowed (ms), or undefined. */
  lastSame(order: OrderFacts): number | undefined;
  /** How long ago (ms, on the runtime's monotonic clock) the symbol's last price was set, or undefined when it has none. */
  referenceAge(symbol: string): number | undefined;
}

/** A refusal under another code than the rule's own (a rule that cannot value the order: `LIMIT_PRICE_REFERENCE`). */
export interface LimitRefusal {
  readonly code: LimitCode;
  readonly reason: string;
}

/** One pre-trade control: pure, one file each, listed in limits/registry.ts. */
export interface LimitRule {
  readonly name: LimitName;
  readonly code: LimitCode;
  /** Whether the symbol's limits turn this control on. */
  applies(limits: SymbolLimits): boolean;
  /** Null when the order passes, else the reason naming the figures (under the rule's code), or a refusal under another code. */
  check(order: OrderFacts, limits: SymbolLimits, ctx: LimitContext): string | LimitRefusal | null;
}

