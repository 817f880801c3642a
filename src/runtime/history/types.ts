import type { BreakerType } from '../../../machines/rules/registry.ts';
import type { RiskEventType } from '../../events.ts';
import type { OrderSide } from '../types.ts';

/** One point of a strategy's value chart: `t` in ms since the epoch, money as decimal strings. */
export interface HistoryPoint {
  readonly t: number;
  readonly value: string;
  /** The drawdown breaker's high-water mark, or null when it is off or has no baseline yet. */
  readonly highWaterMark: string | null;
  /** The value at or below which the drawdown breaker trips. */
  readonly drawdownTripLevel: string | null;
  /** The value at or below which the daily-loss breaker trips. */
  readonly dailyLossTripLevel: string | null;
  /** The daily-loss breaker's start-of-day value. */
  readonly startOfDay: string | null;
}

/** A trip, halt, reset or recovery, to mark on the chart. */
export interface HistoryMark {
  readonly t: number;
  readonly type: RiskEventType;
  readonly breaker: BreakerType | null;
  /** Why (the trip's or halt's reason), or null when the event has none. */
  readonly reason: string | null;
  /** Who did it, for operator actions. */
  readonly operator: string | null;
}

/** One order decision. A malformed order has no symbol, side, quantity or price. */
export interface HistoryOrder {
  readonly t: number;
  readonly id: string | null;
  readonly symbol: string | null;
  readonly side: OrderSide | null;
  readonly quantity: string | null;
  readonly price: string | null;
  readonly allowed: boolean;
  /** The rejection code (e.g. `BREAKER_NOT_NORMAL`, `LIMIT_POSITION`), null when allowed. */
  readonly code: string | null;
  readonly reason: string | null;
}

/** One fill reported with `recordFill`. */
export interface HistoryFill {
  readonly t: number;
  readonly orderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: string;
  readonly price: string;
}

/** An error reported with `recordError`, a refused input (`data_error`) or a failed cancel. */
export interface HistoryError {
  readonly t: number;
  /** `order_rejected`, `broker_error`, `data_error` or `cancel_failed`. */
  readonly kind: string;
  readonly message: string;
}

/** A time the strategy was not running (between its last record and the next start): charts leave a gap. */
export interface HistoryGap {
  /** When the strategy started again (ms since the epoch). */
  readonly t: number;
  /** The last time it had recorded anything before that start. */
  readonly from: number;
}

/** A strategy's recent history (`rt.history(since)`, `GET /api/strategies/:name/history`). */
export interface StrategyHistory {
  readonly strategy: string;
  /** The start of the window asked for (ms since the epoch). */
  readonly since: number;
  /** The runtime's clock when the history was read. */
  readonly now: number;
  /** Downsampled, oldest first; the last one is the latest value. */
  readonly points: readonly HistoryPoint[];
  /** Oldest first. */
  readonly marks: readonly HistoryMark[];
  /** The most recent ones (at most 500 of each list), oldest first. */
  readonly orders: readonly HistoryOrder[];
  readonly fills: readonly HistoryFill[];
  readonly errors: readonly HistoryError[];
  /** Downtimes that end in the window, oldest first: the value is unknown between `from` and `t`. */
  readonly gaps: readonly HistoryGap[];
}
