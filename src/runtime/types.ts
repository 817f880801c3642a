import type { Decimal } from 'decimal.js';
import type { BreakerState, BreakerType, ErrorKind } from '../../machines/constants.ts';

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

/** An execution reported by the broker (shown in live views; fills do not drive the breakers). */
export interface Fill {
  readonly orderId?: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: DecimalInput;
  readonly price: DecimalInput;
}

/** A validated fill, as emitted on `fills$`: quantities and prices as decimal strings. */
export interface FillReport {
  readonly orderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: string;
  readonly price: string;
  readonly at: number;
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

/** Drawdown figures: money as decimal strings, exact. */
export interface DrawdownFigures {
  highWaterMark: string | null;
  value: string | null;
  /** (value − hwm) / hwm to 8 significant digits, e.g. "-0.104". */
  drawdown: string | null;
  threshold: string;
  warnAt: number;
  tripLevel: string | null;
  warnLevel: string | null;
  warned: boolean;
}

/** Daily-loss figures against today's start value. */
export interface DailyLossFigures {
  tradingDay: string | null;
  startValue: string | null;
  value: string | null;
  pnl: string | null;
  pnlFraction: string | null;
  limit: string | null;
  limitAmount: string | null;
  warnAt: number;
  tripLevel: string | null;
  warnLevel: string | null;
  warned: boolean;
  nextOpenAt: number | null;
}

export interface RateFigures {
  /** Entries inside the window now: the true count, however far over the limit. */
  count: number;
  /** The most entries the window may hold without tripping. */
  limit: number;
  windowSeconds: number;
  warnAt: number;
  warnCount: number;
  warned: boolean;
  /** Milliseconds until the oldest entry leaves the window, or null when empty. */
  nextExpiryInMs: number | null;
}

export interface OrderRateFigures extends RateFigures {
  maxOrders: number;
  /** Milliseconds until the window no longer holds more than the limit, or null. */
  clearsInMs: number | null;
}

export interface ErrorRateFigures extends RateFigures {
  maxErrors: number;
  byKind: Record<ErrorKind, number>;
}

export interface ManualFigures {
  operator: string | null;
  reason: string | null;
  haltedAt: string | null;
}

/** The cluster breaker's figures: the link as this process sees it and the halts in scope. */
export interface ClusterFigures {
  firm: string;
  desk: string;
  link: 'up' | 'down';
  bucket: 'up' | 'down';
  /** Whether the firm's halts have been read since start. */
  synced: boolean;
  downForMs: number;
  heartbeatTimeout: number;
  onDisconnect: 'halt' | 'reduceOnly';
  lagMs: number | null;
  /** The most senior halt in scope: its scope, operator and reason (null when none). */
  scope: string | null;
  operator: string | null;
  reason: string | null;
  halts: { scope: string; operator: string; reason: string; at: string }[];
}

/** Live figures of each breaker. */
export interface BreakerFiguresMap {
  drawdown: DrawdownFigures | null;
  dailyLoss: DailyLossFigures | null;
  orderRate: OrderRateFigures | null;
  errorRate: ErrorRateFigures | null;
  manual: ManualFigures;
  /** Null when the process has no `cluster` configured. */
  cluster: ClusterFigures | null;
}

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
  readonly figures: BreakerFiguresMap[T];
}

/** Everything the runtime knows about a strategy right now. */
export interface RuntimeStatus {
  readonly strategy: string;
  readonly state: BreakerState;
  /** Whether an order would pass the gate right now (state NORMAL and trustworthy data). */
  readonly ordersAllowed: boolean;
  /** Why orders are blocked while the state is NORMAL (no portfolio yet, bad data), or null. */
  readonly dataFault: string | null;
  readonly breakers: { readonly [K in BreakerType]: BreakerStatus<K> };
  /** The effective configuration (presets merged with what was given). */
  readonly config: unknown;
  /** Supervision: actor restarts within the current window and the last failure. */
  readonly supervision: {
    readonly restarts: Readonly<Record<string, number>>;
    readonly lastFailure: { breaker: string; error: string; restarts: number; escalated: boolean } | null;
  };
  readonly portfolio: {
    readonly value: string | null;
    readonly positions: readonly Position[];
    readonly timestamp: string | null;
  };
  readonly at: string;
}

/** The compact state emitted on `state$`. */
export interface StateSnapshot {
  readonly strategy: string;
  readonly state: BreakerState;
  readonly ordersAllowed: boolean;
  readonly breakers: Readonly<Record<BreakerType, BreakerState>>;
  readonly at: number;
}
