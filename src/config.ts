/**
 * Runtime settings: schema, presets, the merge of a `breakers` object over a preset, and the
 * effective configuration shown at start and in `status()`.
 *
 * Merge rule: the base is `presets[breakers.preset ?? 'moderate']`. A breaker not named keeps
 * the base's settings; `false` turns it off (nothing else does); an object is merged field by
 * field over the base's settings for that breaker (`orderRate: { maxOrders: 5 }` keeps the
 * 60 s window). For dailyLoss, giving `limit` or `limitAmount` replaces the base's kind of
 * limit. `staleData` has no preset value: it is off unless configured, and then needs `maxAge`.
 */
import { z } from 'zod';
import { isValidTimeZone, parseOpenTime, type MarketOpen } from '../machines/figures/tradingDay.ts';
import { isDecimalProblem, parseExact } from '../machines/math/exact.ts';
import { ConfigError, describeValue, type ConfigIssue } from './errors.ts';
import { toConfigIssues } from './configIssues.ts';

export { toConfigIssues } from './configIssues.ts';
import type { ClusterSettings } from '../machines/rules/cluster.ts';
import {
  clusterBreakerSettings, clusterSchema, firmLimitsSchema, publicCluster, resolveCluster, resolveFirmLimits, type ClusterConfig, type FirmLimits,
} from './clusterConfig.ts';
import { canonicalLimits, limitsSchema, type ParsedLimits } from './limitsConfig.ts';
import { SymbolCase } from '../machines/limits/symbol.ts';

const numberError = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : 'must be a number') };
const between01 = 'must be above 0 and below 1, e.g. 0.8';
const warnAt = z.number(numberError).gt(0, between01).lt(1, between01);
const onTrip = z.enum(['halt', 'reduceOnly'], { error: 'must be "halt" or "reduceOnly"' });
const fraction = (of: string, example: string) =>
  z.number(numberError).gt(-1, `must be above -1 (a fraction of the ${of})`).lt(0, `must be negative, e.g. ${example}`);
const seconds = (max: number) => z.number(numberError).gt(0, 'must be a positive number of seconds').max(max, `must be at most ${max} seconds`);
const count = z.number(numberError).int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000');
const amount = z.union([z.string(), z.number()], { error: 'must be a negative amount, e.g. "-5000"' }).transform((value, ctx) => {
  const parsed = parseExact(value);
  if (isDecimalProblem(parsed) || !parsed.isNegative()) {
    ctx.addIssue({ code: 'custom', input: value, message: isDecimalProblem(parsed) ? parsed.problem : 'must be a negative amount, e.g. "-5000"' });
    return z.NEVER;
  }
  return parsed.toString();
});
const common = { warnAt: warnAt.optional(), onTrip: onTrip.optional() };

const drawdownSchema = z.strictObject({ threshold: fraction('high-water mark', '-0.10').optional(), ...common });
const dailyLossSchema = z
  .strictObject({ limit: fraction('start-of-day value', '-0.05').optional(), limitAmount: amount.optional(), ...common })
  .superRefine((value, ctx) => {
    if (value.limit !== undefined && value.limitAmount !== undefined) {
      ctx.addIssue({ code: 'custom', message: `give either limit or limitAmount, not both (got limit ${describeValue(value.limit)} and limitAmount ${describeValue(value.limitAmount)})` });
    }
  });
const orderRateSchema = z.strictObject({ maxOrders: count.optional(), window: seconds(86_400).optional(), ...common });
const errorRateSchema = z.strictObject({ maxErrors: count.optional(), window: seconds(86_400).optional(), ...common });
const staleDataSchema = z.strictObject({ maxAge: seconds(86_400), ...common });

const onOff = <T extends z.ZodType>(schema: T) => z.union([z.literal(false), schema], { error: 'must be false (turns it off) or an object of settings' });
const PRESET_NAMES = ['conservative', 'moderate', 'aggressive'] as const;
const presetName = z.enum(PRESET_NAMES, { error: `must be a preset name: ${PRESET_NAMES.join(', ')}` });
const breakersObjectSchema = z.strictObject({
  preset: presetName.optional(),
  drawdown: onOff(drawdownSchema).optional(),
  dailyLoss: onOff(dailyLossSchema).optional(),
  orderRate: onOff(orderRateSchema).optional(),
  errorRate: onOff(errorRateSchema).optional(),
  staleData: onOff(staleDataSchema).optional(),
});

/** Breaker settings as written: `{ preset?, drawdown?, dailyLoss?, orderRate?, errorRate?, staleData? }`, each an object or `false`. */
export type BreakersConfig = z.input<typeof breakersObjectSchema>;
export type PresetName = (typeof PRESET_NAMES)[number];
/** What a breaker does when it trips. */
export type OnTrip = z.output<typeof onTrip>;

interface CommonSettings {
  /** Fraction of the limit at which the breaker first warns (own, else the global warnAt). */
  readonly warnAt: number;
  readonly onTrip: OnTrip;
}
export interface DrawdownConfig extends CommonSettings {
  readonly threshold: number;
}
export type DailyLossConfig = CommonSettings & ({ readonly limit: number } | { readonly limitAmount: string });
export interface OrderRateConfig extends CommonSettings {
  readonly maxOrders: number;
  /** Seconds. */
  readonly window: number;
}
export interface ErrorRateConfig extends CommonSettings {
  readonly maxErrors: number;
  /** Seconds. */
  readonly window: number;
}
export interface StaleDataConfig extends CommonSettings {
  /** Seconds without a valid portfolio value before the breaker trips. */
  readonly maxAge: number;
}
/** The effective settings of each breaker, keyed by breaker type; null = turned off. */
export interface ResolvedBreakersConfig {
  readonly drawdown: DrawdownConfig | null;
  readonly dailyLoss: DailyLossConfig | null;
  readonly orderRate: OrderRateConfig | null;
  readonly errorRate: ErrorRateConfig | null;
  readonly staleData: StaleDataConfig | null;
  /** From the process-wide `cluster` option (not a `breakers` key); null without it. */
  readonly cluster: ClusterSettings | null;
}

/** Ready-made limits, exactly the seed's numbers. `moderate` is the default. */
export const presets = {
  conservative: {
    drawdown: { threshold: -0.05 },
    dailyLoss: { limit: -0.02 },
    orderRate: { maxOrders: 50, window: 60 },
    errorRate: { maxErrors: 5, window: 60 },
  },
  moderate: {
    drawdown: { threshold: -0.1 },
    dailyLoss: { limit: -0.05 },
    orderRate: { maxOrders: 100, window: 60 },
    errorRate: { maxErrors: 10, window: 60 },
  },
  aggressive: {
    drawdown: { threshold: -0.2 },
    dailyLoss: { limit: -0.1 },
    orderRate: { maxOrders: 200, window: 60 },
    errorRate: { maxErrors: 20, window: 60 },
  },
} as const satisfies Record<PresetName, BreakersConfig>;

const marketOpenSchema = z.strictObject({
  time: z.string({ error: 'must be HH:MM (24-hour), e.g. "09:30"' }).refine((t) => parseOpenTime(t) !== null, 'must be HH:MM (24-hour), e.g. "09:30"'),
  timeZone: z.string({ error: 'must be an IANA time zone, e.g. "America/New_York"' }).refine(isValidTimeZone, 'must be an IANA time zone, e.g. "America/New_York"'),
});

/** The plain-data part of the runtime options, validated at start-up (unknown top-level keys are the caller's to judge). */
export const runtimeSettingsSchema = z.object({
  strategy: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold letters, digits, ".", "_" and "-" only'),
  breakers: z.union([presetName, breakersObjectSchema], { error: `must be a preset name (${PRESET_NAMES.join(', ')}) or an object of breakers` }).optional(),
  warnAt: warnAt.default(0.8),
  marketOpen: marketOpenSchema.default({ time: '00:00', timeZone: 'UTC' }),
  /** Seconds a reset confirmation token stays valid. */
  resetTimeout: seconds(3600).default(60),
  /** Seconds a timestamp may be ahead of the runtime's clock. */
  maxClockSkew: seconds(3600).default(5),
  /** Seconds a trip's or halt's cancel has to see every open order closed before they are listed and alerted. */
  cancelConfirmTimeout: seconds(3600).default(5),
  /** How often the supervisor restarts a failed breaker actor within `window` seconds before failing closed. */
  supervision: z
    .strictObject({
      maxRestarts: z.number(numberError).int('must be a whole number').min(0, 'must be at least 0').max(100, 'must be at most 100').default(3),
      window: seconds(86_400).default(60),
    })
    .default({ maxRestarts: 3, window: 60 }),
  /** How long counter-only changes may wait before being saved (whole ms). */
  figuresDebounceMs: z.number(numberError).int('must be a whole number of ms').min(0, 'must be at least 0').max(60_000, 'must be at most 60000').default(250),
  /** The firm's NATS JetStream cluster (see docs/cluster.md); without it nothing changes. */
  cluster: clusterSchema.optional(),
  /** Firm-wide limits shared through the cluster (needs `cluster`). */
  firmLimits: firmLimitsSchema.optional(),
  /** Pre-trade limits (src/limitsConfig.ts); off unless configured. */
  limits: z.union([z.literal(false), limitsSchema], { error: 'must be false (none) or an object of limits' }).optional(),
  /** How symbols are compared everywhere: in upper case (default) or exactly as given. */
  symbolCase: z.enum([SymbolCase.UPPER, SymbolCase.EXACT], { error: 'must be "upper" or "exact"' }).default(SymbolCase.UPPER),
});

/** Validated settings, with the breakers merged and resolved. */
export interface ResolvedSettings {
  readonly strategy: string;
  readonly breakers: ResolvedBreakersConfig;
  readonly warnAt: number;
  readonly marketOpen: MarketOpen;
  readonly resetTimeoutMs: number;
  readonly maxClockSkewMs: number;
  readonly cancelConfirmTimeoutMs: number;
  readonly supervision: { readonly maxRestarts: number; readonly windowMs: number };
  readonly figuresDebounceMs: number;
  readonly cluster: ClusterConfig | null;
  readonly firmLimits: FirmLimits | null;
  /** Pre-trade limits as validated (symbols canonical), or null when none are configured. */
  readonly limits: ParsedLimits | null;
  /** How symbols are compared: in upper case or exactly as given. */
  readonly symbolCase: SymbolCase;
}

type Parsed = z.output<typeof runtimeSettingsSchema>;

function mergeBreakers(input: Parsed['breakers'], globalWarnAt: number): ResolvedBreakersConfig {
  const written = typeof input === 'string' ? { preset: input } : (input ?? {});
  const base: Record<string, object | undefined> = presets[written.preset ?? 'moderate'];
  const pick = <K extends keyof ResolvedBreakersConfig>(key: K): ResolvedBreakersConfig[K] => {
    const own = (written as Record<string, object | false | undefined>)[key];
    if (own === false) return null;
    const preset = base[key];
    if (own === undefined && preset === undefined) return null;
    const given = Object.fromEntries(Object.entries(own ?? {}).filter(([, v]) => v !== undefined));
    // For dailyLoss a new limit replaces the preset's kind of limit (limit and limitAmount exclude each other).
    const replaces = key === 'dailyLoss' && (given.limit !== undefined || given.limitAmount !== undefined);
    const merged: Record<string, unknown> = replaces ? given : { ...preset, ...given };
    const { warnAt: w, onTrip: t, ...rest } = merged as { warnAt?: number; onTrip?: OnTrip };
    return { ...rest, warnAt: w ?? globalWarnAt, onTrip: t ?? 'halt' } as unknown as ResolvedBreakersConfig[K];
  };
  return { drawdown: pick('drawdown'), dailyLoss: pick('dailyLoss'), orderRate: pick('orderRate'), errorRate: pick('errorRate'), staleData: pick('staleData'), cluster: null };
}

/**
 * Validates the data part of the options and merges the breakers over their preset. Throws a
 * {@link ConfigError} listing every problem (plus the extra issues found by the caller) at once.
 */
export function resolveSettings(input: unknown, extraIssues: readonly ConfigIssue[] = []): ResolvedSettings {
  const parsed = runtimeSettingsSchema.safeParse(input, { reportInput: true });
  const issues = [...(parsed.success ? [] : toConfigIssues(parsed.error)), ...extraIssues];
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  const s = parsed.data;
  const cluster = resolveCluster(s.cluster);
  if (s.firmLimits !== undefined && cluster === null) throw new ConfigError([{ path: 'firmLimits', message: 'needs the cluster option (firm-wide limits are shared through it)' }]);
  const limits = s.limits === undefined || s.limits === false ? null : canonicalLimits(s.limits, s.symbolCase);
  if (limits !== null && limits.issues.length > 0) throw new ConfigError(limits.issues);
  return {
    strategy: s.strategy,
    breakers: { ...mergeBreakers(s.breakers, s.warnAt), cluster: clusterBreakerSettings(cluster) },
    cluster,
    firmLimits: resolveFirmLimits(s.firmLimits),
    warnAt: s.warnAt,
    marketOpen: s.marketOpen,
    resetTimeoutMs: s.resetTimeout * 1000,
    maxClockSkewMs: s.maxClockSkew * 1000,
    cancelConfirmTimeoutMs: s.cancelConfirmTimeout * 1000,
    supervision: { maxRestarts: s.supervision.maxRestarts, windowMs: s.supervision.window * 1000 },
    figuresDebounceMs: s.figuresDebounceMs,
    limits: limits === null ? null : limits.limits,
    symbolCase: s.symbolCase,
  };
}

/** The effective configuration as plain JSON, in the options' own units; valid as options again. */
export interface EffectiveConfig {
  readonly strategy: string;
  readonly breakers: { readonly [K in Exclude<keyof ResolvedBreakersConfig, 'cluster'>]: NonNullable<ResolvedBreakersConfig[K]> | false };
  readonly warnAt: number;
  readonly marketOpen: MarketOpen;
  readonly resetTimeout: number;
  readonly maxClockSkew: number;
  readonly supervision: { readonly maxRestarts: number; readonly window: number };
  readonly figuresDebounceMs: number;
  /** Present only when the cluster option is set (without its secrets). */
  readonly cluster?: Record<string, unknown>;
  readonly firmLimits?: FirmLimits;
  /** The pre-trade limits, or false when none are configured. */
  readonly limits: ParsedLimits | false;
  readonly symbolCase: SymbolCase;
}

/** The effective configuration, for logging at start and for `status()`; a breaker turned off shows `false`. */
export function effectiveConfig(settings: ResolvedSettings): EffectiveConfig {
  const b = settings.breakers;
  const on = <T extends object>(x: T | null): T | false => (x === null ? false : { ...x });
  return {
    strategy: settings.strategy,
    breakers: { drawdown: on(b.drawdown), dailyLoss: on(b.dailyLoss), orderRate: on(b.orderRate), errorRate: on(b.errorRate), staleData: on(b.staleData) },
    warnAt: settings.warnAt,
    marketOpen: { time: settings.marketOpen.time, timeZone: settings.marketOpen.timeZone },
    resetTimeout: settings.resetTimeoutMs / 1000,
    maxClockSkew: settings.maxClockSkewMs / 1000,
    supervision: { maxRestarts: settings.supervision.maxRestarts, window: settings.supervision.windowMs / 1000 },
    figuresDebounceMs: settings.figuresDebounceMs,
    ...(settings.cluster ? { cluster: publicCluster(settings.cluster) as Record<string, unknown> } : {}),
    ...(settings.firmLimits ? { firmLimits: settings.firmLimits } : {}),
    limits: settings.limits ?? false,
    symbolCase: settings.symbolCase,
  };
}
