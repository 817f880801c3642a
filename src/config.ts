/**
 * Runtime settings: schema, validation and the effective configuration shown at start and in
 * `status()`. The `breakers` option (schema, presets, merge) is generated from the registry in
 * src/breakersConfig.ts.
 */
import { z } from 'zod';
import { isValidTimeZone, parseOpenTime, type MarketOpen } from '../machines/figures/tradingDay.ts';
import { seconds, warnAt } from '../machines/rules/settings.ts';
import { breakersObjectSchema, effectiveBreakers, mergeBreakers, PRESET_NAMES, presetName, type EffectiveBreakers, type ResolvedBreakerSettings } from './breakersConfig.ts';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { toConfigIssues } from './configIssues.ts';

export { toConfigIssues } from './configIssues.ts';
import type { ClusterSettings } from '../machines/rules/cluster.ts';
import {
  clusterBreakerSettings, clusterSchema, firmLimitsSchema, publicCluster, resolveCluster, resolveFirmLimits, type ClusterConfig, type FirmLimits,
} from './clusterConfig.ts';
import { canonicalLimits, limitsSchema, type ParsedLimits } from './limitsConfig.ts';
import { SymbolCase } from '../machines/limits/symbol.ts';

export { presets, type BreakersConfig, type PresetName } from './breakersConfig.ts';

const numberError = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : 'must be a number') };

/** What a breaker does when it trips. */
export type OnTrip = 'halt' | 'reduceOnly';

/** The effective settings of each breaker, keyed by breaker type; null = turned off. */
export type ResolvedBreakersConfig = ResolvedBreakerSettings & {
  /** From the process-wide `cluster` option (not a `breakers` key); null without it. */
  readonly cluster: ClusterSettings | null;
};

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
  readonly breakers: EffectiveBreakers;
  readonly warnAt: number;
  readonly marketOpen: MarketOpen;
  readonly resetTimeout: number;
  readonly maxClockSkew: number;
  readonly supervision: { readonly maxRestarts: number; readonly window: number };
  readonly figuresDebounceMs: number;
  /** Seconds a trip's or halt's cancel has to see the open orders closed. */
  readonly cancelConfirmTimeout: number;
  /** Present only when the cluster option is set (without its secrets). */
  readonly cluster?: Record<string, unknown>;
  readonly firmLimits?: FirmLimits;
  /** The pre-trade limits, or false when none are configured. */
  readonly limits: ParsedLimits | false;
  readonly symbolCase: SymbolCase;
}

/** The effective configuration, for logging at start and for `status()`; a breaker turned off shows `false`. */
export function effectiveConfig(settings: ResolvedSettings): EffectiveConfig {
  return {
    strategy: settings.strategy,
    breakers: effectiveBreakers(settings.breakers),
    warnAt: settings.warnAt,
    marketOpen: { time: settings.marketOpen.time, timeZone: settings.marketOpen.timeZone },
    resetTimeout: settings.resetTimeoutMs / 1000,
    maxClockSkew: settings.maxClockSkewMs / 1000,
    supervision: { maxRestarts: settings.supervision.maxRestarts, window: settings.supervision.windowMs / 1000 },
    figuresDebounceMs: settings.figuresDebounceMs,
    cancelConfirmTimeout: settings.cancelConfirmTimeoutMs / 1000,
    ...(settings.cluster ? { cluster: publicCluster(settings.cluster) as Record<string, unknown> } : {}),
    ...(settings.firmLimits ? { firmLimits: settings.firmLimits } : {}),
    limits: settings.limits ?? false,
    symbolCase: settings.symbolCase,
  };
}
