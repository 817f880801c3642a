import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Subscription } from 'rxjs';
import { BreakerState, STATE_SEVERITY } from '../../machines/constants.ts';
import { AUTOMATIC_BREAKERS, BREAKER_TYPES, ruleOf, type BreakerType } from '../../machines/rules/registry.ts';
import type { BreakerWords } from '../../machines/rules/rule.ts';
import type { RateFigures } from '../../machines/words/rate.ts';
import type { AttemptRecord } from '../alerts/types.ts';
import { RiskEventType } from '../events.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import { storeInfo } from '../store/registry.ts';
import type { Decision, RuntimeStatus } from '../runtime/types.ts';

/** Where a timed order check came from (label `source` of the latency histogram). */
export type CheckSource = 'api' | 'demo';

const STATES = Object.values(BreakerState);

/** Numeric code of each state in `breakerbox_breaker_state_code` (same as the severity order). */
export const STATE_CODES: Readonly<Record<BreakerState, number>> = STATE_SEVERITY;

/** Buckets of the decision latency histogram, in seconds (1 µs … 10 ms). */
export const CHECK_BUCKETS = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 1e-2];

/** A breaker's used fraction of its limit, from its rule's words; null when unknown or when its words throw. */
function safeUse(breaker: BreakerType, figures: unknown): number | null {
  try {
    const use = (ruleOf(breaker)!.words as BreakerWords<unknown>).view(figures).meter?.use ?? null;
    return use !== null && Number.isFinite(use) ? use : null;
  } catch {
    return null;
  }
}

const num = (value: string | null | undefined): number | null => {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

/**
 * The Prometheus metrics of one server: its own Registry (never the global one), fed from each
 * tracked runtime's streams. See docs/operations.md for the list.
 */
export class BreakerboxMetrics {
  /** The registry to expose at `/metrics`. */
  readonly registry: Registry;
  readonly #breakerState: Gauge<'strategy' | 'breaker' | 'state'>;
  readonly #breakerStateCode: Gauge<'strategy' | 'breaker'>;
  readonly #ordersAllowedNow: Gauge<'strategy'>;
  readonly #trips: Counter<'strategy' | 'breaker'>;
  readonly #warnings: Counter<'strategy' | 'breaker'>;
  readonly #events: Counter<'strategy' | 'type'>;
  readonly #orders: Counter<'strategy' | 'outcome' | 'code'>;
  readonly #alerts: Counter<'strategy' | 'channel' | 'outcome'>;
  readonly #checkSeconds: Histogram<'strategy' | 'source'>;
  readonly #value: Gauge<'strategy'>;
  readonly #drawdown: Gauge<'strategy'>;
  readonly #drawdownThreshold: Gauge<'strategy'>;
  readonly #hwm: Gauge<'strategy'>;
  readonly #dailyPnl: Gauge<'strategy'>;
  readonly #dailyPnlRatio: Gauge<'strategy'>;
  readonly #dailyLimitRatio: Gauge<'strategy'>;
  readonly #limitUse: Gauge<'strategy' | 'breaker'>;
  readonly #symbolOpenOrders: Gauge<'strategy' | 'symbol'>;
  readonly #tradedQuantity: Gauge<'strategy' | 'symbol'>;
  readonly #tradedNotional: Gauge<'strategy' | 'symbol'>;
  readonly #windowCount: Gauge<'strategy' | 'breaker'>;
  readonly #windowLimit: Gauge<'strategy' | 'breaker'>;
  readonly #windowClears: Gauge<'strategy' | 'breaker'>;
  readonly #tradingMode: Gauge<'strategy' | 'mode'>;
  readonly #position: Gauge<'strategy' | 'symbol'>;
  readonly #positionUse: Gauge<'strategy' | 'symbol'>;
  readonly #staleAge: Gauge<'strategy'>;
  readonly #unconfirmedCancels: Gauge<'strategy'>;
  readonly #tracked = new Map<string, { rt: RiskRuntime; subs: Subscription[] }>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    // Registered first: its collect() refreshes the live figures (windows move with time, not only
    // on updates) before the other metrics are read at a scrape.
    const self = this;
    new Gauge({
      name: 'breakerbox_strategies',
      help: 'Number of strategies this process hosts',
      registers,
      collect() {
        self.refreshAll();
        this.set(self.#tracked.size);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'breakerbox_' });
    new Gauge({
      name: 'breakerbox_store_healthy',
      help: '1 while the strategy\'s store can be written and its directory is in place; 0 after a failed write, a removed directory or a fail-closed start',
      labelNames: ['strategy'],
      registers,
      async collect() {
        this.reset();
        for (const { rt } of self.#tracked.values()) {
          const info = storeInfo(rt);
          if (!info) continue;
          const health = await info.health().catch(() => ({ healthy: false }));
          this.set({ strategy: rt.strategy }, health.healthy ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'breakerbox_store_bytes',
      help: 'Bytes used by each LevelDB store directory (shared by the strategies stored in it)',
      labelNames: ['path'],
      registers,
      async collect() {
        this.reset();
        const paths = new Map<string, () => Promise<number | null>>();
        for (const { rt } of self.#tracked.values()) {
          const info = storeInfo(rt);
          if (info?.persistent && info.path) paths.set(info.path, () => info.bytes());
        }
        for (const [path, bytes] of paths) {
          const n = await bytes().catch(() => null);
          if (n !== null) this.set({ path }, n);
        }
      },
    });
    this.#breakerState = new Gauge({
      name: 'breakerbox_breaker_state',
      help: 'Breaker state: 1 for the state the breaker is in, 0 for the others (breaker="global" is the strategy)',
      labelNames: ['strategy', 'breaker', 'state'],
      registers,
    });
    this.#breakerStateCode = new Gauge({
      name: 'breakerbox_breaker_state_code',
      help: 'Breaker state as a number: 0 NORMAL, 1 RESETTING, 2 TRIPPED, 3 MANUALLY_HALTED (breaker="global" is the strategy)',
      labelNames: ['strategy', 'breaker'],
      registers,
    });
    this.#ordersAllowedNow = new Gauge({ name: 'breakerbox_orders_allowed', help: '1 when an order would pass the gate now, else 0', labelNames: ['strategy'], registers });
    this.#trips = new Counter({ name: 'breakerbox_trips_total', help: 'Breaker trips (CircuitBreakerTripped events)', labelNames: ['strategy', 'breaker'], registers });
    this.#warnings = new Counter({ name: 'breakerbox_warnings_total', help: 'Breaker warnings (CircuitBreakerWarning events)', labelNames: ['strategy', 'breaker'], registers });
    this.#events = new Counter({ name: 'breakerbox_events_total', help: 'Risk events by type', labelNames: ['strategy', 'type'], registers });
    this.#orders = new Counter({
      name: 'breakerbox_orders_total',
      help: 'Order decisions: outcome allowed|rejected, code ALLOWED or the rejection code',
      labelNames: ['strategy', 'outcome', 'code'],
      registers,
    });
    this.#alerts = new Counter({
      name: 'breakerbox_alert_deliveries_total',
      help: 'Alert delivery attempts by channel and outcome (sent, failed, suppressed, delivery_failed)',
      labelNames: ['strategy', 'channel', 'outcome'],
      registers,
    });
    this.#checkSeconds = new Histogram({
      name: 'breakerbox_check_duration_seconds',
      help: 'Time to decide an order (rt.check), measured around the call',
      labelNames: ['strategy', 'source'],
      buckets: CHECK_BUCKETS,
      registers,
    });
    const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['strategy'] as const, registers });
    this.#value = gauge('breakerbox_portfolio_value', 'Last accepted portfolio value (currency)');
    this.#drawdown = gauge('breakerbox_drawdown_ratio', 'Current drawdown from the high-water mark, e.g. -0.04');
    this.#drawdownThreshold = gauge('breakerbox_drawdown_threshold_ratio', 'Drawdown trip threshold, e.g. -0.10');
    this.#hwm = gauge('breakerbox_high_water_mark', 'High-water mark of the portfolio value (currency)');
    this.#dailyPnl = gauge('breakerbox_daily_pnl', "Today's P&L against the start-of-day value (currency)");
    this.#dailyPnlRatio = gauge('breakerbox_daily_pnl_ratio', "Today's P&L as a fraction of the start-of-day value");
    this.#dailyLimitRatio = gauge('breakerbox_daily_loss_limit_ratio', 'Daily loss limit as a fraction (when configured as a fraction)');
    const windowGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['strategy', 'breaker'] as const, registers });
    this.#windowCount = windowGauge('breakerbox_window_count', 'Entries in the sliding window now (orderRate: orders, errorRate: errors, …)');
    this.#limitUse = windowGauge('breakerbox_breaker_limit_use_ratio', "A breaker's figure as a fraction of its limit (1 = at the limit), as its meter shows it");
    this.#windowLimit = windowGauge('breakerbox_window_limit', "The window's limit: the count a rate breaker trips on exceeding (tradeLosses: on reaching)");
    this.#windowClears = windowGauge('breakerbox_window_next_expiry_seconds', 'Seconds until the oldest window entry leaves the window (0 when empty)');
    this.#tradingMode = new Gauge({ name: 'breakerbox_trading_mode', help: 'Trading mode: 1 for the current one (ACTIVE, REDUCING, HALTED), 0 for the others', labelNames: ['strategy', 'mode'] as const, registers });
    const symbolGauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['strategy', 'symbol'] as const, registers });
    this.#position = symbolGauge('breakerbox_projected_position', 'Projected position per symbol: reported + fills since + open orders');
    this.#positionUse = symbolGauge('breakerbox_position_limit_use_ratio', 'Projected position as a fraction of maxPosition (1 = at the limit)');
    this.#symbolOpenOrders = symbolGauge('breakerbox_open_orders', 'Open orders per symbol (allowed, neither filled in full, closed nor covered by a report); maxOpenOrders counts these');
    this.#tradedQuantity = symbolGauge('breakerbox_traded_quantity', 'Quantity filled in the traded window (maxTradedQuantity counts it with the open orders)');
    this.#tradedNotional = symbolGauge('breakerbox_traded_notional', 'Notional filled in the traded window (maxTradedNotional counts it with the open orders)');
    this.#staleAge = gauge('breakerbox_portfolio_value_age_seconds', 'Age of the last valid portfolio value (staleData breaker)');
    this.#unconfirmedCancels = gauge('breakerbox_unconfirmed_cancels', 'Open orders a trip\'s or halt\'s cancel did not see closed within cancelConfirmTimeout (status().unconfirmedCancels)');
  }

  /** Starts following a runtime; returns a function that stops following it. */
  track(rt: RiskRuntime): () => void {
    const strategy = rt.strategy;
    for (const breaker of AUTOMATIC_BREAKERS) {
      this.#trips.inc({ strategy, breaker }, 0);
      this.#warnings.inc({ strategy, breaker }, 0);
    }
    this.#orders.inc({ strategy, outcome: 'allowed', code: 'ALLOWED' }, 0);
    const subs: Subscription[] = [
      rt.state$.subscribe(() => this.refresh(rt)),
      rt.events$.subscribe((event) => {
        this.#events.inc({ strategy, type: event.type });
        if (event.type === RiskEventType.TRIPPED && event.breaker) this.#trips.inc({ strategy, breaker: event.breaker });
        if (event.type === RiskEventType.WARNING && event.breaker) this.#warnings.inc({ strategy, breaker: event.breaker });
      }),
      rt.decisions$.subscribe(({ decision }) => this.countDecision(strategy, decision)),
      rt.portfolio$.subscribe(() => this.refresh(rt)),
    ];
    subs.push(rt.alertAttempts$.subscribe((a) => this.countAlert(a)));
    this.#tracked.set(strategy, { rt, subs });
    this.refresh(rt);
    return () => {
      subs.forEach((s) => s.unsubscribe());
      this.#tracked.delete(strategy);
    };
  }

  /** Stops following every runtime. */
  untrackAll(): void {
    for (const { subs } of this.#tracked.values()) subs.forEach((s) => s.unsubscribe());
    this.#tracked.clear();
  }

  /**
   * Decides an order with `rt.check` and records how long the decision took
   * (process.hrtime.bigint around the call) in `breakerbox_check_duration_seconds`.
   */
  timedCheck(rt: RiskRuntime, order: unknown, source: CheckSource): Decision {
    const started = process.hrtime.bigint();
    const decision = rt.check(order);
    const elapsed = process.hrtime.bigint() - started;
    this.#checkSeconds.observe({ strategy: rt.strategy, source }, Number(elapsed) / 1e9);
    return decision;
  }

  /** Counts one alert delivery attempt. */
  countAlert(attempt: AttemptRecord): void {
    this.#alerts.inc({ strategy: attempt.strategy, channel: attempt.channel ?? 'all', outcome: attempt.outcome });
  }

  /** Counts one order decision. */
  countDecision(strategy: string, decision: Decision): void {
    if (decision.allowed) this.#orders.inc({ strategy, outcome: 'allowed', code: 'ALLOWED' });
    else this.#orders.inc({ strategy, outcome: 'rejected', code: decision.code });
  }

  /** Re-reads every tracked runtime's status into the gauges. */
  refreshAll(): void {
    for (const { rt } of this.#tracked.values()) this.refresh(rt);
  }

  /** Re-reads one runtime's status into the gauges. */
  refresh(rt: RiskRuntime): void {
    let status: RuntimeStatus;
    try {
      status = rt.status();
    } catch {
      return;
    }
    this.setStatus(status);
  }

  /** Sets the state and figure gauges from a status. */
  setStatus(status: RuntimeStatus): void {
    const strategy = status.strategy;
    const setState = (breaker: string, current: BreakerState) => {
      for (const state of STATES) this.#breakerState.set({ strategy, breaker, state }, state === current ? 1 : 0);
      this.#breakerStateCode.set({ strategy, breaker }, STATE_CODES[current]);
    };
    setState('global', status.state);
    for (const type of BREAKER_TYPES) if (status.breakers[type].enabled) setState(type, status.breakers[type].state);
    this.#ordersAllowedNow.set({ strategy }, status.ordersAllowed ? 1 : 0);
    for (const mode of ['ACTIVE', 'REDUCING', 'HALTED']) this.#tradingMode.set({ strategy, mode }, status.tradingMode === mode ? 1 : 0);
    for (const p of status.controls?.symbols ?? []) {
      this.#position.set({ strategy, symbol: p.symbol }, Number(p.projected));
      if (p.positionUse !== null) this.#positionUse.set({ strategy, symbol: p.symbol }, Number(p.positionUse));
      this.#symbolOpenOrders.set({ strategy, symbol: p.symbol }, p.openOrders);
      if (p.traded !== null) {
        this.#tradedQuantity.set({ strategy, symbol: p.symbol }, Number(p.traded.quantity));
        this.#tradedNotional.set({ strategy, symbol: p.symbol }, Number(p.traded.notional));
      }
    }
    const stale = status.breakers.staleData?.figures;
    if (stale && stale.ageSeconds !== null) this.#staleAge.set({ strategy }, stale.ageSeconds);
    this.#unconfirmedCancels.set({ strategy }, status.unconfirmedCancels?.length ?? 0);
    const setIf = (g: Gauge<'strategy'>, v: number | null) => {
      if (v !== null) g.set({ strategy }, v);
    };
    setIf(this.#value, num(status.portfolio.value));
    const dd = status.breakers.drawdown.figures;
    if (dd) {
      setIf(this.#drawdown, num(dd.drawdown));
      setIf(this.#drawdownThreshold, num(dd.threshold));
      setIf(this.#hwm, num(dd.highWaterMark));
    }
    const dl = status.breakers.dailyLoss.figures;
    if (dl) {
      setIf(this.#dailyPnl, num(dl.pnl));
      setIf(this.#dailyPnlRatio, num(dl.pnlFraction));
      setIf(this.#dailyLimitRatio, num(dl.limit));
    }
    for (const breaker of BREAKER_TYPES) {
      const figures = status.breakers[breaker].figures;
      if (figures === null) continue;
      // Every breaker's use of its limit, from its rule's own words (the meter the dashboard shows).
      const use = safeUse(breaker, figures);
      if (use !== null) this.#limitUse.set({ strategy, breaker }, use);
      // Every sliding-window breaker's count, limit and next expiry.
      const f = figures as Partial<RateFigures>;
      if (typeof f.count !== 'number' || typeof f.limit !== 'number') continue;
      this.#windowCount.set({ strategy, breaker }, f.count);
      this.#windowLimit.set({ strategy, breaker }, f.limit);
      this.#windowClears.set({ strategy, breaker }, typeof f.nextExpiryInMs === 'number' ? f.nextExpiryInMs / 1000 : 0);
    }
  }

  /** The exposition text (what `/metrics` answers). */
  expose(): Promise<string> {
    return this.registry.metrics();
  }
}
