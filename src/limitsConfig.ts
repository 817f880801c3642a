/**
 * Pre-trade limits (`limits` option): schema, per-symbol resolution and the effective
 * configuration shown in `status()`. Off unless configured; each limit is off unless named.
 */
import { z } from 'zod';
import { amount, type Amount } from '../machines/limits/amount.ts';
import type { SymbolLimits } from '../machines/limits/limit.ts';
import { canonicalSymbol, symbolProblem, type SymbolCase } from '../machines/limits/symbol.ts';
import { isDecimalProblem, parseExact } from '../machines/math/exact.ts';
import type { ConfigIssue } from './errors.ts';

const positive = z.union([z.string(), z.number()], { error: 'must be a positive amount, e.g. "250000" or 100' }).transform((value, ctx) => {
  const parsed = parseExact(value);
  if (isDecimalProblem(parsed) || !parsed.isPositive() || parsed.isZero()) {
    ctx.addIssue({ code: 'custom', input: value, message: isDecimalProblem(parsed) ? parsed.problem : 'must be a positive amount, e.g. "250000" or 100' });
    return z.NEVER;
  }
  return parsed.toFixed();
});
const band = z.number({ error: 'must be a fraction of the last price, e.g. 0.05' }).gt(0, 'must be above 0, e.g. 0.05').max(10, 'must be at most 10');
const referenceMaxAge = z.number({ error: 'must be a number of seconds, e.g. 5' }).gt(0, 'must be above 0 s').max(86_400, 'must be at most 86400 s');
/** `fraction | { band, referenceMaxAge }`: with `referenceMaxAge` (s), a last price older than that, or none, rejects the order. */
const collar = z.union([band, z.strictObject({ band, referenceMaxAge })], { error: 'must be a fraction of the last price (e.g. 0.05) or { band, referenceMaxAge }' });
const windowMs = z.number({ error: 'must be a whole number of ms' }).int('must be a whole number of ms').min(1, 'must be at least 1 ms').max(86_400_000, 'must be at most 86400000 ms');
const symbol = z.string({ error: 'must be a symbol' }).check((ctx) => {
  const problem = symbolProblem(ctx.value);
  if (problem !== null) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
});
const off = <T extends z.ZodType>(schema: T) => z.union([z.literal(false), schema], { error: 'must be false (off for this symbol) or a value' });

const perSymbolSchema = z.strictObject({
  maxOrderQuantity: off(positive).optional(),
  maxOrderNotional: off(positive).optional(),
  maxPosition: off(positive).optional(),
  priceCollar: off(collar).optional(),
  duplicateWindow: off(windowMs).optional(),
  restricted: z.boolean({ error: 'must be true or false' }).optional(),
});

export const limitsSchema = z.strictObject({
  /** Most quantity one order may carry. */
  maxOrderQuantity: positive.optional(),
  /** Most quantity × price one order may carry (the higher of the limit and the last price). */
  maxOrderNotional: positive.optional(),
  /** Largest projected position, in size, per symbol. */
  maxPosition: positive.optional(),
  /** Largest Σ over symbols of the worst side's projected size × reference price. */
  maxGrossExposure: positive.optional(),
  /** Fraction of the last price a limit price may stray from it, or `{ band, referenceMaxAge }`. */
  priceCollar: collar.optional(),
  /** ms within which the same order (symbol, side, quantity, price) is refused as a duplicate. */
  duplicateWindow: windowMs.optional(),
  /** Symbols no order may trade. */
  restrictedSymbols: z.array(symbol, { error: 'must be a list of symbols' }).max(10_000, 'must hold at most 10000 symbols').optional(),
  /** Overrides per symbol: `{ ES: { maxPosition: 10 } }`; `false` turns a limit off for that symbol. */
  perSymbol: z
    .record(z.string(), perSymbolSchema, { error: 'must map symbols to their limits' })
    .check((ctx) => {
      // Each key is a symbol: judged here so the issue names it (a record's key issue would not say why).
      for (const key of Object.keys(ctx.value)) {
        const problem = symbolProblem(key);
        if (problem !== null) ctx.issues.push({ code: 'custom', input: key, path: [key], message: `symbol ${JSON.stringify(key)} ${problem}` });
      }
    })
    .optional(),
});

/** The `limits` option as written. */
export type LimitsConfig = z.input<typeof limitsSchema>;
/** The `limits` option, validated (amounts as canonical decimal text). */
export type ParsedLimits = z.output<typeof limitsSchema>;

/** Keys of the limits (for "did you mean" hints). */
export const LIMIT_KEYS = ['maxOrderQuantity', 'maxOrderNotional', 'maxPosition', 'maxGrossExposure', 'priceCollar', 'duplicateWindow', 'restrictedSymbols', 'perSymbol'] as const;
export const PER_SYMBOL_KEYS = ['maxOrderQuantity', 'maxOrderNotional', 'maxPosition', 'priceCollar', 'duplicateWindow', 'restricted'] as const;

/**
 * The limits with every symbol (restricted list, per-symbol keys) in its canonical form, as
 * orders, fills and reports are compared. Two per-symbol keys that are one symbol (`ES` and `es`
 * in upper case) are an issue each: which of their limits was meant cannot be guessed.
 */
export function canonicalLimits(limits: ParsedLimits, symbolCase: SymbolCase): { readonly limits: ParsedLimits; readonly issues: readonly ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const canon = (symbol: string) => canonicalSymbol(symbol, symbolCase) ?? symbol; // the schema refused malformed ones
  const out: ParsedLimits = { ...limits };
  if (limits.restrictedSymbols !== undefined) out.restrictedSymbols = [...new Set(limits.restrictedSymbols.map(canon))];
  if (limits.perSymbol !== undefined) {
    const per: NonNullable<ParsedLimits['perSymbol']> = {};
    const from = new Map<string, string>();
    for (const [key, value] of Object.entries(limits.perSymbol)) {
      const symbol = canon(key);
      const first = from.get(symbol);
      if (first !== undefined) {
        issues.push({ path: `limits.perSymbol.${key}`, message: `is the same symbol as ${JSON.stringify(first)} (both are ${JSON.stringify(symbol)}; symbols are compared ${symbolCase === 'upper' ? 'in upper case' : 'exactly'}): give its limits once` });
        continue;
      }
      from.set(symbol, key);
      per[symbol] = value;
    }
    out.perSymbol = per;
  }
  return { limits: out, issues };
}

type Collar = NonNullable<ParsedLimits['priceCollar']>;
const bandOf = (c: Collar | undefined): number | undefined => (typeof c === 'object' ? c.band : c);
const maxAgeOf = (c: Collar | undefined): number | null => (typeof c === 'object' ? c.referenceMaxAge * 1000 : null);

/** The effective limits of each symbol, resolved once per symbol and cached. */
export class LimitSet {
  readonly config: ParsedLimits;
  readonly #defaults: SymbolLimits;
  readonly #restricted: ReadonlySet<string>;
  readonly #cache = new Map<string, SymbolLimits>();
  /** Whether any limit reads the projected positions (so allowed orders must be reserved). */
  readonly needsProjection: boolean;

  constructor(config: ParsedLimits) {
    this.config = config;
    const a = (v: string | number | undefined): Amount | null => (v === undefined ? null : amount(v));
    this.#defaults = Object.freeze({
      maxOrderQuantity: a(config.maxOrderQuantity),
      maxOrderNotional: a(config.maxOrderNotional),
      maxPosition: a(config.maxPosition),
      priceCollar: a(bandOf(config.priceCollar)),
      referenceMaxAgeMs: maxAgeOf(config.priceCollar),
      duplicateWindowMs: config.duplicateWindow ?? null,
      restricted: false,
      maxGrossExposure: a(config.maxGrossExposure),
    });
    this.#restricted = new Set(config.restrictedSymbols ?? []);
    const per = Object.values(config.perSymbol ?? {});
    this.needsProjection = config.maxPosition !== undefined || config.maxGrossExposure !== undefined || per.some((p) => p.maxPosition !== undefined && p.maxPosition !== false);
  }

  /** The effective limits of a symbol. */
  for(symbol: string): SymbolLimits {
    let limits = this.#cache.get(symbol);
    if (limits === undefined) {
      limits = this.#resolve(symbol);
      if (this.#cache.size < 100_000) this.#cache.set(symbol, limits);
    }
    return limits;
  }

  #resolve(symbol: string): SymbolLimits {
    const own = Object.hasOwn(this.config.perSymbol ?? {}, symbol) ? this.config.perSymbol![symbol]! : undefined;
    const d = this.#defaults;
    const pick = (v: string | number | false | undefined, base: Amount | null): Amount | null => (v === undefined ? base : v === false ? null : amount(v));
    return Object.freeze({
      maxOrderQuantity: pick(own?.maxOrderQuantity, d.maxOrderQuantity),
      maxOrderNotional: pick(own?.maxOrderNotional, d.maxOrderNotional),
      maxPosition: pick(own?.maxPosition, d.maxPosition),
      priceCollar: own?.priceCollar === undefined ? d.priceCollar : own.priceCollar === false ? null : amount(bandOf(own.priceCollar)!),
      referenceMaxAgeMs: own?.priceCollar === undefined ? d.referenceMaxAgeMs : own.priceCollar === false ? null : maxAgeOf(own.priceCollar),
      duplicateWindowMs: own?.duplicateWindow === undefined ? d.duplicateWindowMs : own.duplicateWindow === false ? null : own.duplicateWindow,
      restricted: own?.restricted ?? this.#restricted.has(symbol),
      maxGrossExposure: d.maxGrossExposure,
    });
  }
}
