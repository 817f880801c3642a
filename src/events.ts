import type { BreakerState } from '../machines/constants.ts';
import type { BreakerType } from '../machines/rules/registry.ts';

/** Every kind of event the runtime emits on `events$`, persists to the journal and may alert on. */
export const RiskEventType = {
  /** A breaker's condition was met; orders are blocked and pending ones cancelled. */
  TRIPPED: 'CircuitBreakerTripped',
  /** An automatic breaker first reached its warning fraction of the limit. */
  WARNING: 'CircuitBreakerWarning',
  /** An operator halted the strategy. */
  MANUAL_HALT: 'ManualHalt',
  /** An operator asked to reset a breaker; a confirmation token was issued. */
  RESET_REQUESTED: 'ResetRequested',
  /** A reset was confirmed and the breaker's re-check passed: back to NORMAL. */
  RESET_CONFIRMED: 'ResetConfirmed',
  /** A confirmation was refused (re-check failed, bad or foreign token). */
  RESET_REFUSED: 'ResetRefused',
  /**
   * A breaker with a reset policy (`autoReset: { after }`) asked for its own reset after `after`
   * seconds in TRIPPED: `details.passed` says whether its re-check passed (back to NORMAL) or not
   * (still TRIPPED, next attempt `after` later), with `reason`, `afterSeconds` and the re-check's
   * figures. Never journaled as a person's reset; alerted (info) only when it passed.
   */
  AUTO_RESET: 'AutoReset',
  /** A reset token expired before it was confirmed: back to the previous blocking state. */
  RESET_EXPIRED: 'ResetExpired',
  /** A self-healing breaker (order rate) recovered once its window cleared. */
  RECOVERED: 'CircuitBreakerRecovered',
  /** Any breaker or the global state moved from one state to another. */
  STATE_CHANGED: 'StateChanged',
  /** The daily-loss breaker re-baselined at the trading day's open. */
  TRADING_DAY_OPENED: 'TradingDayOpened',
  /** An error was reported (`recordError`) and counted by the error-rate breaker. */
  ERROR_RECORDED: 'ErrorRecorded',
  /** An input (portfolio update, error, order) was refused as malformed. */
  INPUT_REJECTED: 'InputRejected',
  /** The broker port's cancelAllOrders failed. */
  CANCEL_FAILED: 'CancelOrdersFailed',
  /**
   * Open orders were not confirmed closed within `cancelConfirmTimeout` of a trip's or halt's
   * cancel (listed in `details.orders`); emitted once per order.
   */
  CANCEL_UNCONFIRMED: 'CancelUnconfirmed',
  /** Orders listed by a `CancelUnconfirmed` were later confirmed closed (`details.orders`); journaled, never alerted. */
  CANCEL_CONFIRMED: 'CancelConfirmed',
  /** An alert could not be delivered to a target and was given up. */
  ALERT_FAILED: 'AlertDeliveryFailed',
  /** A breaker's actor failed and its supervisor restarted it from its last committed snapshot. */
  ACTOR_RESTARTED: 'ActorRestarted',
  /** The trading mode (ACTIVE / REDUCING / HALTED) changed. */
  TRADING_MODE_CHANGED: 'TradingModeChanged',
  /** A pre-trade control rejected an order (a LIMIT_* or REDUCE_ONLY code); counted as an order_rejected error. */
  ORDER_REJECTED: 'OrderRejected',
  /**
   * An operator authorised one order past one pre-trade limit (RTS 6 Art 15(6)): `operator`, and
   * `details` with `reason`, `limit`, `order` (symbol, side, quantity, price), `token`, `ttlSeconds`, `expiresAt`.
   */
  OVERRIDE_AUTHORIZED: 'OverrideAuthorized',
  /** An order matching an override passed its limit by it (once): the authorisation's `operator`, `reason`, `limit`, `order`, `token`. */
  OVERRIDE_USED: 'OverrideUsed',
  /**
   * A breaker this release runs was not in the restored record (it was saved before the breaker
   * existed): the breaker starts in its initial state, NORMAL. Journaled, never alerted.
   */
  BREAKER_ADDED: 'BreakerAdded',
  /** The runtime started in a fail-closed halt because its state could not be restored. */
  RESTORE_FAILED: 'RestoreFailed',
  /**
   * The store could not be written (disk full, directory gone): the strategy halts (fail closed)
   * and this is alerted from memory. Emitted once per runtime.
   */
  STORE_FAILED: 'StoreWriteFailed',
  /** An operator pruned the journal up to a date (written by the store, never alerted). */
  JOURNAL_PRUNED: 'JournalPruned',
} as const;
export type RiskEventType = (typeof RiskEventType)[keyof typeof RiskEventType];

/** JSON-safe figures and facts that explain an event. Money values are decimal strings. */
export type EventDetails = { readonly [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One event emitted by a strategy's runtime. */
export interface RiskEvent {
  /** Unique id (also the alert idempotency key). */
  readonly id: string;
  readonly type: RiskEventType;
  readonly strategy: string;
  /** The breaker concerned, or null for strategy-wide events. */
  readonly breaker: BreakerType | null;
  /** Milliseconds since the epoch, from the runtime's clock. */
  readonly at: number;
  /** ISO-8601 form of `at`. */
  readonly timestamp: string;
  /** Who did it, for operator actions. */
  readonly operator?: string;
  readonly details: EventDetails;
}

/** A state change of one breaker, or of the global state when `breaker` is null. */
export interface StateChange {
  readonly breaker: BreakerType | null;
  readonly from: BreakerState;
  readonly to: BreakerState;
}
