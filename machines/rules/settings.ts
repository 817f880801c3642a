/**
 * The building blocks of every breaker's settings schema (zod, pure): a rule module declares its
 * own schema from these, so the config schema, its key lists and its messages follow from the
 * registry. Messages name what is wrong the way a user fixes it.
 */
import { z } from 'zod';
import { isDecimalProblem, parseExact } from '../math/exact.ts';

/** The ready-made sets of breaker settings. `moderate` is the default. */
export const PRESET_NAMES = ['conservative', 'moderate', 'aggressive'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const numberError = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : 'must be a number') };
const between01 = 'must be above 0 and below 1, e.g. 0.8';
/** A fraction of the limit at which a breaker first warns. */
export const warnAt = z.number(numberError).gt(0, between01).lt(1, between01);
/** What a breaker does to orders while tripped. */
export const onTrip = z.enum(['halt', 'reduceOnly'], { error: 'must be "halt" or "reduceOnly"' });
/** A negative fraction of a baseline, e.g. -0.10. */
export const fraction = (of: string, example: string) =>
  z.number(numberError).gt(-1, `must be above -1 (a fraction of the ${of})`).lt(0, `must be negative, e.g. ${example}`);
/** A positive number of seconds, at most `max`. */
export const seconds = (max: number) => z.number(numberError).gt(0, 'must be a positive number of seconds').max(max, `must be at most ${max} seconds`);
/** A whole count from 1 to 1,000,000. */
export const count = z.number(numberError).int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1000000');
/** A negative amount of money as a decimal string (or number), kept as canonical text. */
export const negativeAmount = z.union([z.string(), z.number()], { error: 'must be a negative amount, e.g. "-5000"' }).transform((value, ctx) => {
  const parsed = parseExact(value);
  if (isDecimalProblem(parsed) || !parsed.isNegative()) {
    ctx.addIssue({ code: 'custom', input: value, message: isDecimalProblem(parsed) ? parsed.problem : 'must be a negative amount, e.g. "-5000"' });
    return z.NEVER;
  }
  return parsed.toString();
});
/** The settings every configurable breaker takes besides its own. */
export const commonSettings = { warnAt: warnAt.optional(), onTrip: onTrip.optional() };

/** The longest `autoReset.after` (a week, in seconds): far below what a timer can wait. */
export const AUTO_RESET_MAX_SECONDS = 604_800;
/** `autoReset: { after }`: seconds in TRIPPED before the breaker asks for its own reset (its re-check decides); null = manual. */
export const autoReset = z
  .strictObject(
    { after: z.number(numberError).min(1, 'must be at least 1 second').max(AUTO_RESET_MAX_SECONDS, `must be at most ${AUTO_RESET_MAX_SECONDS} seconds (a week)`) },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be an object { after: seconds } or null (manual reset only)' : undefined) },
  )
  .nullable();
/** The reset-policy key of the breakers that accept it (see machines/rules/autoReset.ts); added by the `breakers` schema. */
export const autoResetSettings = { autoReset: autoReset.optional() };
/** A resolved reset policy: seconds in TRIPPED before an automatic reset attempt, or null (an operator resets). */
export type AutoResetSettings = { readonly after: number } | null;

/** What every configurable breaker's resolved settings hold besides its own. */
export interface CommonSettings {
  /** Fraction of the limit at which the breaker first warns (its own, else the global warnAt). */
  readonly warnAt: number;
  readonly onTrip: z.output<typeof onTrip>;
}

/**
 * How a breaker is configured under `breakers.<kind>`: its schema as written (its own keys plus
 * {@link commonSettings}), its preset values, and how a written object merges over the preset.
 */
export interface SettingsPart<Schema extends z.ZodObject = z.ZodObject> {
  readonly schema: Schema;
  /** The value of each preset, or null: the breaker is off unless configured. */
  readonly presets: Readonly<Record<PresetName, Readonly<Record<string, unknown>>>> | null;
  /**
   * Keys that, when written, replace the preset's settings instead of merging over them (the
   * daily-loss limit kinds exclude each other); empty for a field-by-field merge.
   */
  readonly replacesPreset: readonly string[];
}
