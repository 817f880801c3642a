import type { Projection } from '../../machines/limits/positions.ts';
import type { Decimal } from 'decimal.js';
import type { BreakerState, ErrorKind, OnTrip, TradingMode } from '../../machines/constants.ts';
import type { BreakerType, FiguresOf } from '../../machines/rules/registry.ts';
import type { LimitName } from '../../machines/limits/limit.ts';
import { LIMIT_REJECT_CODES } from '../../machines/limits/registry.ts';
import type { EffectiveConfig } from '../config.ts';

/** A number, a decimal string or a Decimal: how money and quantities may be given. */
export type DecimalInput = number | string | Decimal;

/** One holding, as the strategy reports it. */
export interface Position {
  readonly symbol: string;
  readonly quantity: DecimalInput;
  readonly price?: DecimalInput;
}

/** A portfolio valuation from the ledger. */
export interface PortfolioUpdate {
  /** Total portfolio value (≥ 0). */
  readonly value: DecimalInput;
  readonly positions?: readonly Position[];
  /** When the value was observed: ms since epoch, a Date or an ISO string. Defaults to the clock. */
  readonly timestamp?: number | Date | string;
  /**
   * When `positions` were true (ms since epoch, a Date or an ISO string; at most `maxClockSkew`
   * ahead). Defaults to `timestamp`, else to when the update is received. The report replaces
   * only the fills and orders recorded up to then; one older than the newest accepted report is
   * ignored (journaled, counted as a `data_error`).
   */
  readonly asOf?: number | Date | string;
  /**
   * Cash held (may be negative: a margin loan), for reconciliation: `status().portfolio` shows
   * value = Σ positions + cash and what is left unexplained. Kept until the next update that
   * carries cash. Same bounds as every decimal.
   */
  readonly cash?: DecimalInput;
}

export const OrderSide = { BUY: 'buy', SELL: 'sell' } as const;
export type OrderSide = (typeof OrderSide)[keyof typeof OrderSide];

/** An order the strategy wants to submit. */
export interface Order {
  readonly id?: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: DecimalInput;
  /** Limit price; omit for market orders. */
  readonly price?: DecimalInput;
}

/**
 * The parameter type of `check()`'s overload for untyped callers: `T` itself when its static type
 * is `unknown` (or `any`: a request body, a message from a queue), `never` for every other type.
 * So a value of type `unknown` is accepted (and validated at run time), while a typed value or an
 * object literal must be an {@link Order}: `check({ side: 'hold' })` does not compile.
 */
export type UntypedOrder<T> = unknown extends T ? T : never;

/**
 * What `guard<T>()` takes from its source: an {@link Order} (or a subtype) for a typed stream,
 * anything for an `Observable<unknown>` (its items are validated at run time).
 */
export type GuardedOrder<T> = unknown extends T ? unknown : Order;

/** An execution reported by the broker (shown in live views; fills do not drive the breakers). */
export interface Fill {
  readonly orderId?: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: DecimalInput;
  readonly price: DecimalInput;
  /**
   * When it was executed (ms since epoch, a Date or an ISO string; at most `maxClockSkew` ahead).
   * Default: when it is recorded. A fill executed at or before the newest position report's
   * `asOf` is in that report already: it releases its order's reservation and moves nothing.
   */
  readonly timestamp?: number | Date | string;
  /**
   * The profit or loss this fill realised (a decimal; negative for a loss), when the strategy
   * knows it: the trade-losses breaker counts losing fills by it.
   */
  readonly realizedPnl?: DecimalInput;
}

/** A validated fill, as emitted on `fills$`: quantities and prices as decimal strings. */
export interface FillReport {
  readonly orderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: string;
  readonly price: string;
  readonly at: number;
  /** When it was executed (ms), when the fill said so. */
  readonly executedAt?: number;
  /** The profit or loss it realised (decimal text), when the fill said so. */
  readonly realizedPnl?: string;
}

/** An error the strategy or its broker saw. */
export interface ErrorReport {
  readonly kind: ErrorKind;
  readonly message: string;
}

/** Why an order was rejected. */
export const RejectCode = {
  BREAKER: 'BREAKER_NOT_NORMAL',
  MALFORMED: 'MALFORMED_ORDER',
  NO_PORTFOLIO: 'AWAITING_PORTFOLIO',
  DATA_FAULT: 'DATA_FAULT',
  STOPPED: 'RUNTIME_STOPPED',
  /** A breaker's actor failed and is being restarted by its supervisor. */
  ACTOR_FAULT: 'ACTOR_FAULT',
  /** The process holds no lease on the firm's order budget (`firmLimits.orderRate`). */
  FIRM_ORDER_RATE: 'FIRM_ORDER_RATE',
  /** A modification or cancellation that is malformed (`checkModify`, `checkCancel`; the field at fault is named). */
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  /** A modification of an order the runtime does not hold open (src/runtime/messages.ts says when it must). */
  UNKNOWN_ORDER: 'UNKNOWN_ORDER',
  /**
   * The pre-trade controls' codes, each under its own name, generated from the limits' registry
   * (machines/limits/registry.ts; docs/controls.md): `LIMIT_*` (the order itself is beyond a limit,
   * or `LIMIT_PRICE_REFERENCE`: no reference price to value or collar it by) and `REDUCE_ONLY` (the
   * trading mode is REDUCING and the order would not reduce its symbol's position). Nothing trips.
   */
  ...LIMIT_REJECT_CODES,
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

/** The synchronous pre-trade decision. */
export type Decision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: RejectCode;
      readonly reason: string;
      /** The breaker that blocks, or null when the order itself or the data is at fault. */
      readonly breaker: BreakerType | null;
      /** The global state at the time of the decision. */
      readonly state: BreakerState;
      /** The pre-trade control that rejected the order (LIMIT_* and REDUCE_ONLY codes only). */
      readonly limit?: LimitName;
    };

/** A rejected order with the decision that rejected it (on `rejected$`). */
export interface Rejection {
  readonly order: unknown;
  readonly decision: Extract<Decision, { allowed: false }>;
  readonly at: number;
}

/** Every order decision, for live views (on `decisions$`). */
export interface OrderDecision {
  readonly order: unknown;
  readonly decision: Decision;
  readonly at: number;
}

export type { DrawdownFigures } from '../../machines/rules/drawdown.ts';
export type { DailyLossFigures } from '../../machines/rules/dailyLoss.ts';
export type { OrderRateFigures } from '../../machines/rules/orderRate.ts';
export type { MessageRateFigures } from '../../machines/rules/messageRate.ts';
export type { ErrorRateFigures } from '../../machines/rules/errorRate.ts';
export type { StaleDataFigures } from '../../machines/rules/staleData.ts';
export type { ManualFigures } from '../../machines/rules/manual.ts';
export type { ClusterFigures } from '../../machines/rules/cluster.ts';
export type { RateFigures } from '../../machines/words/rate.ts';

/** Live figures of each breaker, from its rule module (null while it is off; the manual breaker's never). */
export type BreakerFiguresMap = { [K in BreakerType]: FiguresOf<K> };

export interface BreakerStatus<T extends BreakerType = BreakerType> {
  readonly type: T;
  readonly enabled: boolean;
  readonly state: BreakerState;
  /** ISO time the breaker entered its current state. */
  readonly since: string;
  /** Why it is not NORMAL (the last trip, halt or refusal), or null. */
  readonly reason: string | null;
  /** Pending reset expiry (ISO) while RESETTING. */
  readonly resetExpiresAt: string | null;
  /** What the breaker does to orders while not NORMAL: 'halt' or 'reduceOnly' (configured; for manual, the halt's mode). */
  readonly onTrip: OnTrip;
  readonly figures: BreakerFiguresMap[T];
}

/** One symbol's projected position and how much of its limits it uses. */
export interface SymbolControls extends Projection {
  /** The symbol's effective maxPosition, or null. */
  readonly maxPosition: string | null;
  /** |projected| / maxPosition (e.g. "0.8" for 80 of 100), or null. */
  readonly positionUse: string | null;
  readonly restricted: boolean;
  /** Its open orders (allowed, neither filled in full, closed nor covered by a report), and its `maxOpenOrders.perSymbol`, or null. */
  readonly openOrders: number;
  readonly maxOpenOrders: number | null;
  /**
   * What it filled in the traded window (quantity and notional, exact decimal text) against its
   * `maxTradedQuantity` / `maxTradedNotional`, when either applies to it; else null.
   */
  readonly traded: {
    readonly quantity: string;
    readonly notional: string;
    readonly maxQuantity: string | null;
    readonly maxNotional: string | null;
    readonly windowSeconds: number;
  } | null;
}

/** The trading controls now: limits, their use, and the rejections they made. */
export interface ControlsStatus {
  /** The effective `limits` option, or false when none are configured. */
  readonly limits: unknown;
  readonly symbols: readonly SymbolControls[];
  /** Σ over symbols of max(|reported + filled + open buys|, |reported + filled − open sells|) × last price, as maxGrossExposure counts it; null when a held symbol has no price. */
  readonly grossExposure: { readonly value: string | null; readonly limit: string } | null;
  /** Rejections by LIMIT_* / REDUCE_ONLY code since the start. */
  readonly rejections: Readonly<Record<string, number>>;
  readonly lastRejection: { readonly code: string; readonly reason: string; readonly symbol: string | null; readonly at: string } | null;
  /** Allowed orders still reserved against the positions. */
  readonly openOrders: number;
  /** `maxOpenOrders.total`, or null. */
  readonly maxOpenOrders: number | null;
}

/** Everything the runtime knows about a strategy right now. */
export interface RuntimeStatus {
  readonly strategy: string;
  readonly state: BreakerState;
  /** Whether an order would pass the gate right now (state NORMAL and trustworthy data). */
  readonly ordersAllowed: boolean;
  /** ACTIVE (every breaker NORMAL), REDUCING (every other breaker is reduce-only) or HALTED. */
  readonly tradingMode: TradingMode;
  /** Why orders are blocked while the state is NORMAL (no portfolio yet, bad data), or null. */
  readonly dataFault: string | null;
  readonly breakers: { readonly [K in BreakerType]: BreakerStatus<K> };
  /** The effective configuration (presets merged with what was given); null only if it could not be built. */
  readonly config: EffectiveConfig | null;
  /** Supervision: actor restarts within the current window and the last failure. */
  readonly supervision: {
    readonly restarts: Readonly<Record<string, number>>;
    readonly lastFailure: { breaker: string; error: string; restarts: number; escalated: boolean } | null;
  };
  readonly portfolio: {
    readonly value: string | null;
    readonly positions: readonly Position[];
    readonly timestamp: string | null;
    /** The cash last reported with a portfolio update (`cash`), or null when none was. */
    readonly cash: string | null;
    /** Σ quantity × price of the last reported positions ("0" for none), or null when a held position has no price. */
    readonly positionsValue: string | null;
    /**
     * value − positionsValue − cash: "0" when the value is fully explained, another amount for a
     * mismatch, null when it cannot be computed (no cash reported, a price missing, no value).
     * Positions and cash are those last reported: a later value-only update can leave a difference.
     */
    readonly unexplained: string | null;
  };
  /** Pre-trade limits, projected positions and rejections (docs/controls.md). */
  readonly controls: ControlsStatus;
  /**
   * Open orders a trip's or halt's `cancelAllOrders` did not see closed (closed, fully filled or
   * covered by a position report) within `cancelConfirmTimeout` seconds; each leaves the list once
   * it is (docs/breakers.md, "Cancel confirmation").
   */
  readonly unconfirmedCancels: readonly UnconfirmedCancel[];
  readonly at: string;
}

/** An open order not confirmed closed within `cancelConfirmTimeout` of the cancel that should have closed it. */
export interface UnconfirmedCancel {
  readonly id: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** What is still open of it (decimal text). */
  readonly quantity: string;
  /** When the cancel was asked for (ISO-8601). */
  readonly since: string;
  /** The breaker whose trip (or the manual halt) asked for the cancel. */
  readonly breaker: BreakerType;
}

/** The compact state emitted on `state$`. */
export interface StateSnapshot {
  readonly strategy: string;
  readonly state: BreakerState;
  readonly ordersAllowed: boolean;
  readonly tradingMode: TradingMode;
  readonly breakers: Readonly<Record<BreakerType, BreakerState>>;
  readonly at: number;
}
