/**
 * Pre-trade limits (`limits` option): schema, per-symbol resolution and the effective
 * configuration shown in `status()`. Off unless configured; each limit is off unless named.
 */
import { z } from 'zod';
import { LIMIT_BESIDE, LIMIT_ROWS, symbolLimits, type LimitRule, type SymbolLimits } from '../machines/limits/registry.ts';
import { canonicalSymbol, symbolProblem, type SymbolCase } from '../machines/limits/symbol.ts';
import type { ConfigIssue } from './errors.ts';

// The schema and key lists are generated from the registry (machines/limits/registry.ts): a limit's setting lives in its module.
type Row = (typeof LIMIT_ROWS)[number];
type PerOf<R> = NonNullable<R extends { readonly perSymbol: infer P } ? P : never>;
type Beside = (typeof LIMIT_BESIDE)[number];
type GlobalShape = { [R in Row as R['key']]: z.ZodOptional<R['schema']> } & { [B in Beside as B['key']]: z.ZodOptional<B['schema']> };
type PerSymbolShape = { [R in Row as PerOf<R>['key']]: z.ZodOptional<PerOf<R>['schema']> };
const PER_SYMBOL_ROWS = LIMIT_ROWS.flatMap((r) => (r.perSymbol === null ? [] : [r.perSymbol]));

// The two casts of this module: each shape is built by walking the very rows its type is mapped from.
const globalShape = Object.fromEntries([...LIMIT_ROWS, ...LIMIT_BESIDE].map((r) => [r.key, z.optional(r.schema)])) as GlobalShape;
const perSymbolShape = Object.fromEntries(PER_SYMBOL_ROWS.map((p) => [p.key, z.optional(p.schema)])) as PerSymbolShape;

const perSymbolSchema = z.strictObject(perSymbolShape);

/** Every limit's setting (its module says what it means), and `perSymbol`: overrides per symbol, `{ ES: { maxPosition: 10 } }`; `false` turns a limit off for that symbol. */
export const limitsSchema = z.strictObject({
  ...globalShape,
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
}).superRefine(
  (value, ctx) => {
    // A setting beside the limits (tradedWindow) is required by the rows that read it, set globally or for any symbol.
    // Judged even when other settings are wrong (every problem at once), so the values may be malformed here.
    const config: Readonly<Record<string, unknown>> = value;
    const perSymbol: unknown = value.perSymbol;
    const per = typeof perSymbol === 'object' && perSymbol !== null ? Object.values(perSymbol).filter((p): p is Readonly<Record<string, unknown>> => typeof p === 'object' && p !== null) : [];
    for (const beside of LIMIT_BESIDE) {
      if (config[beside.key] !== undefined) continue;
      const user = beside.requiredBy.find((key) => config[key] !== undefined || per.some((p) => p[key] !== undefined && p[key] !== false));
      if (user !== undefined) ctx.addIssue({ code: 'custom', input: undefined, path: [beside.key], message: `is required beside ${user} (${beside.words})` });
    }
  },
  { when: () => true },
);

/** The `limits` option as written. */
export type LimitsConfig = z.input<typeof limitsSchema>;
/** The `limits` option, validated (amounts as canonical decimal text). */
export type ParsedLimits = z.output<typeof limitsSchema>;

/** Keys of the limits (for "did you mean" hints). */
export const LIMIT_KEYS: readonly (Row['key'] | Beside['key'] | 'perSymbol')[] = [...LIMIT_ROWS.map((r) => r.key), ...LIMIT_BESIDE.map((b) => b.key), 'perSymbol'];
/** Keys of a symbol's overrides. */
export const PER_SYMBOL_KEYS: readonly PerOf<Row>['key'][] = PER_SYMBOL_ROWS.map((p) => p.key);

/** A row's setting in `config` (undefined: not set). */
const settingOf = (config: ParsedLimits, row: LimitRule): unknown => (config as Readonly<Record<string, unknown>>)[row.key];

/**
 * The limits with every symbol (restricted list, per-symbol keys) in its canonical form, as
 * orders, fills and reports are compared. Two per-symbol keys that are one symbol (`ES` and `es`
 * in upper case) are an issue each: which of their limits was meant cannot be guessed.
 */
export function canonicalLimits(limits: ParsedLimits, symbolCase: SymbolCase): { readonly limits: ParsedLimits; readonly issues: readonly ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const canon = (symbol: string) => canonicalSymbol(symbol, symbolCase) ?? symbol; // the schema refused malformed ones
  const out: Record<string, unknown> = { ...limits };
  for (const row of ROWS) {
    const setting = settingOf(limits, row);
    if (row.canonical !== undefined && setting !== undefined) out[row.key] = row.canonical(setting, canon);
  }
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
  return { limits: limitsSchema.parse(out), issues };
}

/** The rows as the runtime walks them. */
const ROWS: readonly LimitRule[] = LIMIT_ROWS;

/** The effective limits of each symbol, resolved once per symbol and cached. */
export class LimitSet {
  readonly config: ParsedLimits;
  /** Each row's global setting, read once (in registry order). */
  readonly #defaults: readonly unknown[];
  readonly #cache = new Map<string, SymbolLimits>();
  /** Whether any configured limit reads the projected positions (so allowed orders must be reserved). */
  readonly needsProjection: boolean;
  /** Whether any configured limit reads the process's shared book of open orders (selfTrade). */
  readonly needsShared: boolean;

  constructor(config: ParsedLimits) {
    this.config = config;
    this.#defaults = ROWS.map((row) => row.defaults(settingOf(config, row), config));
    const per: readonly Readonly<Record<string, unknown>>[] = Object.values(config.perSymbol ?? {});
    // Configured: set globally, or for some symbol to anything but false.
    const configured = (row: LimitRule) => settingOf(config, row) !== undefined || (row.perSymbol !== null && per.some((p) => p[row.perSymbol!.key] !== undefined && p[row.perSymbol!.key] !== false));
    this.needsProjection = ROWS.some((row) => row.needs.projection === true && configured(row));
    this.needsShared = ROWS.some((row) => row.needs.shared === true && configured(row));
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
    const own: Readonly<Record<string, unknown>> | undefined = Object.hasOwn(this.config.perSymbol ?? {}, symbol) ? this.config.perSymbol![symbol]! : undefined;
    const d = this.#defaults;
    return symbolLimits(ROWS.map((row, i) => row.resolve(d[i], row.perSymbol === null ? undefined : own?.[row.perSymbol.key], symbol)));
  }
}
