/**
 * The `breakers` option, generated from the registry: its schema (each rule module's settings
 * schema, or `false`), the presets (each rule's preset values), the merge of a written object
 * over a preset, and the effective settings shown at start and in `status()`.
 *
 * Merge rule: the base is `presets[breakers.preset ?? 'moderate']`. A breaker not named keeps
 * the base's settings; `false` turns it off (nothing else does); an object is merged field by
 * field over the base's settings for that breaker (`orderRate: { maxOrders: 5 }` keeps the
 * 60 s window), except keys a rule says replace the preset (dailyLoss's `limit`/`limitAmount`).
 * A breaker with no preset value (staleData) is off unless configured.
 */
import { z } from 'zod';
import { AUTO_RESET_BREAKERS, type AutoResetBreakerType } from '../machines/rules/autoReset.ts';
import { CONFIGURABLE_BREAKERS, ruleOf, type AnyRule, type ConfigurableBreakerType } from '../machines/rules/registry.ts';
import { autoResetSettings, PRESET_NAMES, type AutoResetSettings, type CommonSettings, type PresetName } from '../machines/rules/settings.ts';

export { PRESET_NAMES, type PresetName };

type Configurable = Extract<AnyRule, { settings: object }>;
type SchemaOf<K extends ConfigurableBreakerType> = Extract<Configurable, { kind: K }>['settings']['schema'];

const onOff = <T extends z.ZodType>(schema: T) => z.union([z.literal(false), schema], { error: 'must be false (turns it off) or an object of settings' });
export const presetName = z.enum(PRESET_NAMES, { error: `must be a preset name: ${PRESET_NAMES.join(', ')}` });

const settingsPart = (kind: ConfigurableBreakerType) => ruleOf(kind)!.settings!;
const ACCEPTS_AUTO_RESET = new Set<string>(AUTO_RESET_BREAKERS);

/**
 * A breaker's schema under `breakers`: its rule's own, plus `autoReset` for the breakers the
 * registry says accept it (machines/rules/autoReset.ts). `safeExtend` keeps the rule's
 * refinements (dailyLoss's "limit or limitAmount") and its strictness: any other breaker
 * refuses `autoReset` as an unknown key.
 */
export function breakerSchema<S extends z.ZodObject>(schema: S, acceptsAutoReset: boolean): S {
  return (acceptsAutoReset ? schema.safeExtend(autoResetSettings) : schema) as S;
}
type WithAutoReset<K extends ConfigurableBreakerType> = K extends AutoResetBreakerType
  ? SchemaOf<K>['shape'] & typeof autoResetSettings extends infer Shape extends z.core.$ZodShape
    ? z.ZodObject<Shape, z.core.$strict>
    : never
  : SchemaOf<K>;

/** The `breakers` object's schema: `preset` and each configurable breaker's settings or `false`. */
export const breakersObjectSchema = z.strictObject({
  preset: presetName.optional(),
  ...(Object.fromEntries(CONFIGURABLE_BREAKERS.map((kind) => [kind, onOff(breakerSchema(settingsPart(kind).schema, ACCEPTS_AUTO_RESET.has(kind))).optional()])) as {
    [K in ConfigurableBreakerType]: z.ZodOptional<z.ZodUnion<[z.ZodLiteral<false>, WithAutoReset<K>]>>;
  }),
});

/** Breaker settings as written: `{ preset?, drawdown?, … }`, each an object or `false`. */
export type BreakersConfig = z.input<typeof breakersObjectSchema>;

/**
 * One breaker's resolved settings: its own (as validated) plus warnAt and onTrip, and for a
 * breaker that accepts a reset policy, `autoReset` (`{ after }` in seconds, or null: manual).
 */
export type BreakerSettingsOf<K extends ConfigurableBreakerType> = Omit<z.output<SchemaOf<K>>, 'warnAt' | 'onTrip'> &
  CommonSettings &
  (K extends AutoResetBreakerType ? { readonly autoReset: AutoResetSettings } : unknown);

/** The effective settings of each configurable breaker; null = turned off. */
export type ResolvedBreakerSettings = { readonly [K in ConfigurableBreakerType]: BreakerSettingsOf<K> | null };

/** One preset: each rule's preset value (a rule without one is off unless configured). */
function presetOf(name: PresetName): BreakersConfig {
  const out: Record<string, unknown> = {};
  for (const kind of CONFIGURABLE_BREAKERS) {
    const values = settingsPart(kind).presets;
    if (values !== null) out[kind] = values[name];
  }
  return out as BreakersConfig;
}

/** Ready-made limits, exactly the seed's numbers, from each rule's preset values. `moderate` is the default. */
export const presets: Readonly<Record<PresetName, BreakersConfig>> = Object.freeze(
  Object.fromEntries(PRESET_NAMES.map((name) => [name, presetOf(name)])) as Record<PresetName, BreakersConfig>,
);

/** Merges a validated `breakers` option over its preset, breaker by breaker. */
export function mergeBreakers(input: BreakersConfig | PresetName | undefined, globalWarnAt: number): ResolvedBreakerSettings {
  const written = typeof input === 'string' ? { preset: input } : (input ?? {});
  const base = presets[written.preset ?? 'moderate'] as Readonly<Record<string, object | undefined>>;
  const own = written as Readonly<Record<string, object | false | undefined>>;
  const out: Record<string, object | null> = {};
  for (const kind of CONFIGURABLE_BREAKERS) {
    const mine = own[kind];
    const preset = base[kind];
    if (mine === false || (mine === undefined && preset === undefined)) {
      out[kind] = null;
      continue;
    }
    const given = Object.fromEntries(Object.entries(mine ?? {}).filter(([, v]) => v !== undefined));
    const replaces = settingsPart(kind).replacesPreset.some((key) => given[key] !== undefined);
    const { warnAt, onTrip, ...rest } = (replaces ? given : { ...preset, ...given }) as { warnAt?: number; onTrip?: CommonSettings['onTrip'] };
    const settings: Record<string, unknown> = { ...rest, warnAt: warnAt ?? globalWarnAt, onTrip: onTrip ?? 'halt' };
    // The default stays manual: no preset sets a reset policy.
    if (ACCEPTS_AUTO_RESET.has(kind)) settings.autoReset = (settings.autoReset as AutoResetSettings | undefined) ?? null;
    out[kind] = settings;
  }
  return out as ResolvedBreakerSettings;
}

/** The effective `breakers` option as plain JSON: each breaker's settings, or `false` when off (valid as options again). */
export type EffectiveBreakers = { readonly [K in ConfigurableBreakerType]: BreakerSettingsOf<K> | false };

export function effectiveBreakers(resolved: ResolvedBreakerSettings): EffectiveBreakers {
  const own = resolved as Readonly<Record<string, object | null>>;
  return Object.fromEntries(CONFIGURABLE_BREAKERS.map((kind) => [kind, own[kind] === null ? false : { ...own[kind] }])) as EffectiveBreakers;
}

/** The keys each breaker's settings take (for "did you mean …?"), and the `breakers` object's own. */
export function breakerKeyLists(): Record<string, readonly string[]> {
  return {
    breakers: ['preset', ...CONFIGURABLE_BREAKERS],
    ...Object.fromEntries(CONFIGURABLE_BREAKERS.map((kind) => [kind, Object.keys(breakerSchema(settingsPart(kind).schema, ACCEPTS_AUTO_RESET.has(kind)).shape)])),
    autoReset: ['after'],
  };
}
