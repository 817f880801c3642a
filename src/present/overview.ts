import type { TradingMode } from '../../machines/constants.ts';
import type { BreakerView } from './breakerView.ts';
import type { DashboardView } from './dashboardView.ts';
import { Light } from './labels.ts';

/** The breaker a desk should look at first, as the overview names it. */
export interface WorstBreaker {
  readonly type: string;
  readonly name: string;
  readonly light: Light;
  readonly stateLabel: string;
  /** The breaker's own figure line ("7 / 10 orders in 60 s", "halted by ops"). */
  readonly figure: string;
  /** e.g. "82% of the limit", or null when the breaker has no meter. */
  readonly meterText: string | null;
}

/** One strategy on the overview: every fact computed on the server (the page derives nothing). */
export interface OverviewRow {
  readonly strategy: string;
  readonly state: DashboardView['state'];
  readonly stateLabel: string;
  readonly tradingMode: TradingMode | null;
  readonly ordersAllowed: boolean;
  readonly ordersText: string;
  /** The portfolio value, formatted, or "–". */
  readonly value: string;
  /** Today's P&L, formatted with its fraction, or "–" when the daily-loss breaker is off. */
  readonly pnlToday: string;
  readonly pnlLoss: boolean;
  readonly worst: WorstBreaker | null;
  /** Allowed orders not yet filled or closed; null when not tracked (no pre-trade limits) or the status cannot be shown. */
  readonly openOrders: number | null;
  /** Why the strategy's figures cannot be shown or orders are blocked while NORMAL, or null. */
  readonly fault: string | null;
}

/** The overview of every strategy in one process. */
export interface Overview {
  readonly at: number;
  readonly strategies: readonly OverviewRow[];
  /** How many strategies are in each trading mode (UNKNOWN: status cannot be shown). */
  readonly counts: Readonly<Record<TradingMode | 'UNKNOWN', number>>;
}

const LIGHT_RANK: Readonly<Record<Light, number>> = {
  [Light.DISABLED]: -1,
  [Light.NORMAL]: 0,
  [Light.WARNING]: 1,
  [Light.RESETTING]: 2,
  [Light.TRIPPED]: 3,
  [Light.MANUALLY_HALTED]: 4,
};

/** The most severe enabled breaker; among equals, the one nearest its limit; null when none is enabled. */
export function worstBreaker(breakers: readonly BreakerView[]): WorstBreaker | null {
  let worst: BreakerView | null = null;
  for (const b of breakers) {
    if (!b.enabled) continue;
    if (worst === null) worst = b;
    else {
      const byLight = LIGHT_RANK[b.light] - LIGHT_RANK[worst.light];
      if (byLight > 0 || (byLight === 0 && (b.meter?.use ?? -1) > (worst.meter?.use ?? -1))) worst = b;
    }
  }
  return worst && { type: worst.type, name: worst.name, light: worst.light, stateLabel: worst.stateLabel, figure: worst.figure, meterText: worst.meter?.use == null ? null : worst.meter.text };
}

/** A strategy's overview row, from its dashboard view and its open-order count. */
export function overviewRow(view: DashboardView, openOrders: number | null): OverviewRow {
  return {
    strategy: view.strategy,
    state: view.state,
    stateLabel: view.stateLabel,
    tradingMode: view.tradingMode,
    ordersAllowed: view.ordersAllowed,
    ordersText: view.ordersText,
    value: view.value.find((f) => f.term === 'Value')?.value ?? '–',
    pnlToday: view.pnl.enabled ? `${view.pnl.text}${view.pnl.fraction}` : '–',
    pnlLoss: view.pnl.loss,
    worst: worstBreaker(view.breakers),
    openOrders,
    fault: view.fault,
  };
}

/** The overview from each strategy's row, newest clock first. */
export function overview(rows: readonly OverviewRow[], at: number): Overview {
  const counts = { ACTIVE: 0, REDUCING: 0, HALTED: 0, UNKNOWN: 0 };
  for (const r of rows) counts[r.tradingMode ?? 'UNKNOWN']++;
  return { at, strategies: rows, counts };
}
