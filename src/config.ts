import { z } from 'zod';
import { isValidTimeZone, parseOpenTime, type MarketOpen } from '../machines/figures/tradingDay.ts';
import { ConfigError, describeValue, type ConfigIssue } from './errors.ts';

const decimalString = /^-?\d+(\.\d+)?$/;

const warnAt = z.number().gt(0).lt(1).optional();
const windowSeconds = z.number().positive().finite().max(86_400);

const drawdownSchema = z.strictObject({
  threshold: z.number().gt(-1, 'must be greater than -1 (a fraction of the high-water mark)').lt(0, 'must be negative, e.g. -0.10'),
  warnAt,
});
const dailyLossSchema = z.union([
  z.strictObject({
    limit: z.number().gt(-1, 'must be greater than -1 (a fraction of the start-of-day value)').lt(0, 'must be negative, e.g. -0.05'),
    warnAt,
  }),
  z.strictObject({
    limitAmount: z
      .union([z.string(), z.number()])
      .transform(String)
      .refine((s) => decimalString.test(s) && s.startsWith('-') && !/^-0*(\.0*)?$/.test(s), 'must be a negative decimal amount, e.g. "-5000"'),
    warnAt,
  }),
], { error: 'needs either { limit: <negative fraction> } or { limitAmount: "<negative amount>" }' });
const orderRateSchema = z.strictObject({ maxOrders: z.number().int().min(1).max(1_000_000), window: windowSeconds, warnAt });
const errorRateSchema = z.strictObject({ maxErrors: z.number().int().min(1).max(1_000_000), window: windowSeconds, warnAt });

const breakersSchema = z.strictObject({
  drawdown: drawdownSchema.optional(),
  dailyLoss: dailyLossSchema.optional(),
  orderRate: orderRateSchema.optional(),
  errorRate: errorRateSchema.optional(),
});

const marketOpenSchema = z.strictObject({
  time: z.string().refine((t) => parseOpenTime(t) !== null, 'must be HH:MM (24-hour), e.g. "09:30"'),
  timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone, e.g. "America/New_York"'),
});

/** Configuration of the five breakers; a breaker left out is disabled. */
export type BreakersConfig = z.input<typeof breakersSchema>;
export type DrawdownConfig = z.output<typeof drawdownSchema>;
export type DailyLossConfig = z.output<typeof dailyLossSchema>;
export type OrderRateConfig = z.output<typeof orderRateSchema>;
export type ErrorRateConfig = z.output<typeof errorRateSchema>;
export type ResolvedBreakersConfig = z.output<typeof breakersSchema>;

/** Ready-made limits. `moderate` is the default. */
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
    orderRate: { maxOrders: 300, window: 60 },
    errorRate: { maxErrors: 25, window: 60 },
  },
} as const satisfies Record<string, BreakersConfig>;
export type PresetName = keyof typeof presets;

/** The plain-data part of the runtime options, validated at start-up. */
export const runtimeSettingsSchema = z.object({
  strategy: z
    .string()
    .min(1, 'must not be empty')
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold letters, digits, ".", "_" and "-" only'),
  breakers: z.union([z.enum(Object.keys(presets) as [PresetName, ...PresetName[]]), breakersSchema]).optional(),
  warnAt: z.number().gt(0).lt(1).default(0.8),
  marketOpen: marketOpenSchema.default({ time: '00:00', timeZone: 'UTC' }),
  /** Seconds a reset confirmation token stays valid. */
  resetTimeout: z.number().positive().max(3600).default(60),
});

export interface ResolvedSettings {
  strategy: string;
  breakers: ResolvedBreakersConfig;
  warnAt: number;
  marketOpen: MarketOpen;
  resetTimeoutMs: number;
}

/** Turns zod's issues into ours: every problem, with a dotted path. */
export function toConfigIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object'
      ? `${issue.message} (got ${describeValue(issue.input)})`
      : issue.message,
  }));
}

/**
 * Validates the data part of the options. Throws a {@link ConfigError} listing every problem
 * (plus the extra issues found by the caller) at once.
 */
export function resolveSettings(input: unknown, extraIssues: ConfigIssue[] = []): ResolvedSettings {
  const parsed = runtimeSettingsSchema.safeParse(input, { reportInput: true });
  const issues = [...(parsed.success ? [] : toConfigIssues(parsed.error)), ...extraIssues];
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  const { breakers, ...rest } = parsed.data;
  const chosen = breakers === undefined ? presets.moderate : typeof breakers === 'string' ? presets[breakers] : breakers;
  return {
    strategy: rest.strategy,
    breakers: breakersSchema.parse(chosen),
    warnAt: rest.warnAt,
    marketOpen: rest.marketOpen,
    resetTimeoutMs: rest.resetTimeout * 1000,
  };
}
