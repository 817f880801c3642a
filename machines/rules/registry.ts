import { BreakerType } from '../constants.ts';
import { breakerChart } from '../charts/breakerChart.ts';
import { clusterRule } from './cluster.ts';
import { dailyLossRule } from './dailyLoss.ts';
import { drawdownRule } from './drawdown.ts';
import { errorRateRule } from './errorRate.ts';
import { manualRule } from './manual.ts';
import { orderRateRule } from './orderRate.ts';
import { staleDataRule } from './staleData.ts';

/**
 * The one list of breakers. The supervisor's children, the runtime's trackers, status, metrics
 * and wording are generated from it. Adding a breaker is one rule file, one row here and one
 * entry in the config schema (src/config.ts).
 */
export const REGISTRY = [
  { kind: BreakerType.DRAWDOWN, rule: drawdownRule, chart: breakerChart(BreakerType.DRAWDOWN, drawdownRule.chart, drawdownRule) },
  { kind: BreakerType.DAILY_LOSS, rule: dailyLossRule, chart: breakerChart(BreakerType.DAILY_LOSS, dailyLossRule.chart, dailyLossRule) },
  { kind: BreakerType.ORDER_RATE, rule: orderRateRule, chart: breakerChart(BreakerType.ORDER_RATE, orderRateRule.chart, orderRateRule) },
  { kind: BreakerType.ERROR_RATE, rule: errorRateRule, chart: breakerChart(BreakerType.ERROR_RATE, errorRateRule.chart, errorRateRule) },
  { kind: BreakerType.STALE_DATA, rule: staleDataRule, chart: breakerChart(BreakerType.STALE_DATA, staleDataRule.chart, staleDataRule) },
  { kind: BreakerType.MANUAL, rule: manualRule, chart: breakerChart(BreakerType.MANUAL, manualRule.chart, manualRule) },
  { kind: BreakerType.CLUSTER, rule: clusterRule, chart: breakerChart(BreakerType.CLUSTER, clusterRule.chart, clusterRule) },
] as const;

export type RegistryRow = (typeof REGISTRY)[number];

/** The registry row of a breaker. */
export function registryRow(kind: BreakerType): RegistryRow {
  const row = REGISTRY.find((r) => r.kind === kind);
  if (!row) throw new RangeError(`no breaker ${String(kind)} in the registry`);
  return row;
}
