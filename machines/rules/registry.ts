/**
 * The one list of breakers. Everything else follows from it: the breaker kinds (`BreakerType`),
 * the supervisor's children, the runtime's trackers, the `breakers` config schema and presets,
 * the status and figures types, record migration, and every presentation (each rule's words).
 * Adding a breaker is its rule module and one row here.
 */
import { breakerChart } from '../charts/breakerChart.ts';
import { ChartKind } from './rule.ts';
import { clusterRule } from './cluster.ts';
import { dailyLossRule } from './dailyLoss.ts';
import { drawdownRule } from './drawdown.ts';
import { errorRateRule } from './errorRate.ts';
import { executionRateRule } from './executionRate.ts';
import { manualRule } from './manual.ts';
import { messageRateRule } from './messageRate.ts';
import { orderRateRule } from './orderRate.ts';
import { orderToTradeRule } from './orderToTrade.ts';
import { reconciliationRule } from './reconciliation.ts';
import { staleDataRule } from './staleData.ts';
import { tradeLossesRule } from './tradeLosses.ts';

/** The rule modules, in the order they are shown. */
const RULES = [drawdownRule, dailyLossRule, orderRateRule, orderToTradeRule, reconciliationRule, messageRateRule, errorRateRule, executionRateRule, tradeLossesRule, staleDataRule, manualRule, clusterRule] as const;

/** One rule module. */
export type AnyRule = (typeof RULES)[number];

/** The breakers every strategy runs, keyed by constant name: `BreakerType.DAILY_LOSS === 'dailyLoss'`. */
export const BreakerType = Object.freeze(Object.fromEntries(RULES.map((r) => [r.name, r.kind]))) as {
  readonly [R in AnyRule as R['name']]: R['kind'];
};
export type BreakerType = AnyRule['kind'];

/** Every breaker kind, in the registry's order. */
export const BREAKER_TYPES: readonly BreakerType[] = RULES.map((r) => r.kind);

/** The rule module of one kind. */
export type RuleOf<K extends BreakerType> = Extract<AnyRule, { kind: K }>;

const rowOf = <R extends AnyRule>(rule: R) => ({ kind: rule.kind as R['kind'], rule, chart: breakerChart(rule.kind, rule.chart, rule) });

/** The registry: each breaker's kind, rule module and statechart. */
export const REGISTRY = RULES.map(rowOf);
export type RegistryRow = (typeof REGISTRY)[number];

/** Breakers that trip on their own figures (automatic and self-healing charts). */
export const AUTOMATIC_BREAKERS: readonly BreakerType[] = RULES.filter((r) => r.chart === ChartKind.AUTOMATIC || r.chart === ChartKind.SELF_HEALING).map((r) => r.kind);
export type AutomaticBreakerType = Extract<AnyRule, { chart: 'automatic' | 'selfHealing' }>['kind'];

/** The kinds configured under `breakers` (those with a settings part). */
export type ConfigurableBreakerType = Exclude<AnyRule, { settings: null }>['kind'];
export const CONFIGURABLE_BREAKERS: readonly ConfigurableBreakerType[] = RULES.flatMap((r) => (r.settings === null ? [] : [r.kind as ConfigurableBreakerType]));

/** The figures a breaker's status carries: its words' input; null when the breaker is off (never for one always on). */
export type FiguresOf<K extends BreakerType> = RuleOf<K> extends { words: { view(f: infer F): unknown } } ? (RuleOf<K>['alwaysOn'] extends true ? F : F | null) : never;

const BY_KIND = new Map<string, AnyRule>(RULES.map((r) => [r.kind, r]));
const ROW_BY_KIND = new Map<string, RegistryRow>(REGISTRY.map((r) => [r.kind, r]));

/** The registry row of a breaker. */
export function registryRow(kind: BreakerType): RegistryRow {
  const row = ROW_BY_KIND.get(kind);
  if (!row) throw new RangeError(`no breaker ${String(kind)} in the registry`);
  return row;
}

/** The rule module of a breaker kind, or undefined for a kind not in the registry (e.g. from an old or foreign record). */
export function ruleOf(kind: string): AnyRule | undefined {
  return BY_KIND.get(kind);
}
