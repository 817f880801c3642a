import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { BehaviorSubject, Observable, Subject, type OperatorFunction, type Subscription } from 'rxjs';
import { createActor, type Actor, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate';
import type { BreakerEvent, BreakerTransitionEvent } from '../../machines/breaker.ts';
import { breakerStateOf } from '../../machines/breaker.ts';
import {
  AUTOMATIC_BREAKERS,
  BREAKER_TYPES,
  BreakerState,
  BreakerType,
  ERROR_KINDS,
  ErrorKind,
  severest,
} from '../../machines/constants.ts';
import { DailyLossTracker, DrawdownTracker, QuietBand, RateTracker, Signal } from '../../machines/figures/index.ts';
import { supervisorMachine, type GlobalTransition } from '../../machines/supervisor.ts';
import type { AttemptRecord } from '../alerts/index.ts';
import type { Clock, CancelTimer } from '../clock.ts';
import type { ResolvedSettings } from '../config.ts';
import { InvalidInputError, ResetError, ErrorCode, describeValue } from '../errors.ts';
import { RiskEventType, type EventDetails, type RiskEvent } from '../events.ts';
import type { Logger } from '../logger.ts';
import { callCancelAllOrders, DEFAULT_CANCEL_TIMEOUT_MS } from '../broker/cancel.ts';
import { alertSink, type AlertWiring } from './alertWiring.ts';
import { describeTrip } from './describe.ts';
import { Durability, type DurableEventSink } from './durability.ts';
import { makeEvent, type JournalQuery } from './eventLog.ts';
import { orderProblem, parseDecimal, parseTimestamp, validateErrorReport, validateFill, validateOperator, validatePositions } from './inputs.ts';
import { RECORD_VERSION, type BreakerInfo, type StrategyRecord, type StrategyStore } from './persistence.ts';
import {
  RejectCode,
  type BreakerStatus,
  type Decision,
  type ErrorReport,
  type Fill,
  type FillReport,
  type OrderDecision,
  type PortfolioUpdate,
  type Position,
  type Rejection,
  type RuntimeStatus,
  type StateSnapshot,
} from './types.ts';

/** The broker port: called once on every trip and halt to cancel pending orders. */
export interface BrokerPort {
  cancelAllOrders(context: { strategy: string; breaker: BreakerType; reason: string }): unknown;
  /** Ms a returned promise or thenable may take to settle before it is reported as failed (default 5000). */
  readonly cancelTimeoutMs?: number;
}

/** An observer of every actor, event and snapshot (e.g. `createWebSocketInspector().inspect`). */
export type InspectOption = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/** Internal construction arguments (see createRiskRuntime for the public options). */
export interface RuntimeParts {
  settings: ResolvedSettings;
  clock: Clock;
  logger: Logger;
  store: StrategyStore;
  broker: BrokerPort | null;
  inspect?: InspectOption;
  /** A restored record, or null for a fresh start. */
  restored: StrategyRecord | null;
  /** When set, the strategy starts MANUALLY_HALTED with this reason (fail closed). */
  failClosedReason: string | null;
  /** How long counter-only changes may wait before they are saved. */
  figuresDebounceMs?: number;
  alerts?: AlertWiring;
}

type Rejected = Extract<Decision, { allowed: false }>;
const ALLOWED: Decision = Object.freeze({ allowed: true });
const SYSTEM_OPERATOR = 'breakerbox';

interface PendingReset {
  readonly breaker: BreakerType;
  readonly deadline: number;
  cancelTimer: CancelTimer;
}

/**
 * One strategy's risk runtime: hosts the supervisor actor, keeps the per-tick figures in plain
 * code and sends the machines only the events that can change their state.
 */
export class RiskRuntime {
  readonly strategy: string;
  readonly #settings: ResolvedSettings;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #store: StrategyStore;
  readonly #broker: BrokerPort | null;
  readonly #actor: Actor<typeof supervisorMachine>;
  readonly #children: Record<BreakerType, AnyActorRef>;

  // Per-tick figures, in plain code.
  readonly #drawdown: DrawdownTracker | null;
  readonly #dailyLoss: DailyLossTracker | null;
  readonly #orderRate: RateTracker | null;
  readonly #errorRate: RateTracker<ErrorKind> | null;
  /** The last accepted value as given (parsed into a Decimal only when needed). */
  #lastRaw: unknown = null;
  #lastParsed: Decimal | null = null;
  #lastTimestamp: number | null = null;
  /** Values that cannot change anything (see QuietBand), valid until `#bandUntil` (the next open). */
  #band: QuietBand | null = null;
  #bandUntil = -Infinity;
  #positions: readonly Position[] = [];
  #manual: { operator: string | null; reason: string | null; haltedAt: number | null } = { operator: null, reason: null, haltedAt: null };

  // The gate: read on every order, recomputed only when something it depends on changes.
  #globalState: BreakerState = BreakerState.NORMAL;
  readonly #breakerInfo: Record<BreakerType, BreakerInfo>;
  #dataFault: string | null = 'no portfolio value received yet';
  /** Set when the actor system failed: orders stay blocked until the process is restarted. */
  #fatal: string | null = null;
  #gateOpen = false;
  #rejection: Rejected;
  #stopped = false;
  /** A store write failed (StoreWriteFailed emitted). */
  #storeFailed = false;

  readonly #resets = new Map<string, PendingReset>();
  #orderRateTimer: CancelTimer | null = null;
  #pendingCancels: { breaker: BreakerType; reason: string }[] = [];
  #inTransition = 0;

  /** Everything written to the store goes through here, in order. */
  readonly #durability: Durability;
  #subscriptions: Subscription[] = [];

  readonly #events$ = new Subject<RiskEvent>();
  readonly #state$: BehaviorSubject<StateSnapshot>;
  readonly #rejected$ = new Subject<Rejection>();
  readonly #decisions$ = new Subject<OrderDecision>();
  readonly #portfolio$ = new Subject<{ value: string; positions: readonly Position[]; at: number }>();
  readonly #fills$ = new Subject<FillReport>();

  /** Every event (trips, warnings, operator actions, transitions, refused inputs). */
  readonly events$: Observable<RiskEvent> = this.#events$.asObservable();
  /** The global and per-breaker state, now and on every change. */
  readonly state$: Observable<StateSnapshot>;
  /** Orders rejected by {@link guard} or by the `orders$` connected with {@link connect}. */
  readonly rejected$: Observable<Rejection> = this.#rejected$.asObservable();
  /** Every order decision (allowed or not), for live views. */
  readonly decisions$: Observable<OrderDecision> = this.#decisions$.asObservable();
  /** Every accepted portfolio update, for live views. */
  readonly portfolio$ = this.#portfolio$.asObservable();
  /** Every fill reported with {@link recordFill}, for live views. */
  readonly fills$: Observable<FillReport> = this.#fills$.asObservable();
  /** Every alert delivery attempt (sent, failed, suppressed, delivery_failed); empty without alerts. */
  readonly alertAttempts$: Observable<AttemptRecord>;
  readonly #alerts: AlertWiring | null;

  constructor(parts: RuntimeParts) {
    const { settings, clock } = parts;
    this.strategy = settings.strategy;
    this.#settings = settings;
    this.#clock = clock;
    this.#log = parts.logger;
    this.#store = parts.store;
    this.#broker = parts.broker;
    this.#durability = new Durability(parts.store, clock, parts.figuresDebounceMs ?? 250, {
      record: () => this.#record(),
      highWaterMark: () => this.#drawdown?.highWaterMark?.toString() ?? null,
      onFailure: (error) => this.#onStoreFailure(error),
    });
    const b = settings.breakers;
    const warnAt = (own: number | undefined) => own ?? settings.warnAt;
    this.#drawdown = b.drawdown ? new DrawdownTracker(b.drawdown.threshold, warnAt(b.drawdown.warnAt)) : null;
    this.#dailyLoss = b.dailyLoss ? new DailyLossTracker(b.dailyLoss, warnAt(b.dailyLoss.warnAt), settings.marketOpen) : null;
    this.#orderRate = b.orderRate ? new RateTracker(b.orderRate.maxOrders, b.orderRate.window, warnAt(b.orderRate.warnAt)) : null;
    this.#errorRate = b.errorRate ? new RateTracker<ErrorKind>(b.errorRate.maxErrors, b.errorRate.window, warnAt(b.errorRate.warnAt)) : null;

    const now = clock.now();
    this.#breakerInfo = Object.fromEntries(
      BREAKER_TYPES.map((t) => [t, { state: BreakerState.NORMAL, since: now, reason: null }]),
    ) as Record<BreakerType, BreakerInfo>;
    this.#rejection = this.#buildRejection();

    const machine = supervisorMachine.provide({
      actions: {
        onBreakerTransition: (_, transition) => this.#onBreakerTransition(transition),
        onGlobalTransition: (_, transition) => this.#onGlobalTransition(transition),
      },
    });
    const restored = parts.restored;
    this.#actor = createActor(machine, {
      input: { strategy: settings.strategy },
      ...(restored ? { snapshot: restored.supervisor as never } : {}),
      ...(parts.inspect ? { inspect: parts.inspect } : {}),
    });
    if (restored) this.#restoreFigures(restored);
    // An error inside the actor system would stop every breaker: fail closed, for good.
    this.#actor.subscribe({ error: (error: unknown) => this.#onActorError(error) });
    this.#actor.start();
    const started = this.#actor.getSnapshot();
    if (started.status === 'error') throw started.error instanceof Error ? started.error : new Error(String(started.error));
    const children = this.#actor.getSnapshot().children as Record<string, AnyActorRef | undefined>;
    this.#children = Object.fromEntries(
      BREAKER_TYPES.map((t) => {
        const child = children[t];
        if (!child) throw new Error(`supervisor has no child actor for breaker ${t}`);
        return [t, child];
      }),
    ) as Record<BreakerType, AnyActorRef>;
    if (restored) this.#afterRestore();

    this.#state$ = new BehaviorSubject(this.#stateSnapshot());
    this.state$ = this.#state$.asObservable();
    this.#refreshGate();

    this.#alerts = parts.alerts ?? null;
    this.alertAttempts$ = this.#alerts ? this.#alerts.attempts$.asObservable() : new Subject<AttemptRecord>().asObservable();
    if (this.#alerts) this.addDurableSink(alertSink(this.#alerts));

    if (parts.failClosedReason !== null) this.#failClosed(parts.failClosedReason);
    this.#log.info({ event: 'runtime_started', strategy: this.strategy, restored: restored !== null, state: this.#globalState }, 'runtime started');
  }

  // ───────────────────────────── inputs ─────────────────────────────

  /**
   * Feeds a portfolio valuation. Throws {@link InvalidInputError} for a malformed update; the
   * bad update is then counted as a `data_error` and orders are blocked until a valid one arrives.
   */
  updatePortfolio(update: PortfolioUpdate): void {
    this.#assertRunning();
    // Fast path: a plain value inside the quiet band cannot warn, trip or move a baseline.
    if (this.#band !== null && this.#dataFault === null && typeof update === 'object' && update !== null && update.timestamp === undefined && update.positions === undefined) {
      const at = this.#clock.now();
      if (at < this.#bandUntil && (this.#lastTimestamp === null || at >= this.#lastTimestamp) && this.#band.contains(update.value)) {
        this.#lastRaw = update.value;
        this.#lastParsed = null;
        this.#lastTimestamp = at;
        if (this.#portfolio$.observed) this.#portfolio$.next({ value: String(update.value), positions: this.#positions, at });
        return;
      }
    }
    let value: Decimal;
    let at: number;
    try {
      if (typeof update !== 'object' || update === null) throw new InvalidInputError('update', update, 'must be an object with a value');
      value = parseDecimal(update.value, 'value');
      if (update.timestamp === undefined) {
        // The clock may step back (NTP); time used for the trading day never does.
        at = Math.max(this.#clock.now(), this.#lastTimestamp ?? -Infinity);
      } else {
        at = parseTimestamp(update.timestamp);
        if (this.#lastTimestamp !== null && at < this.#lastTimestamp) {
          throw new InvalidInputError('timestamp', update.timestamp, `goes backwards (last update was at ${new Date(this.#lastTimestamp).toISOString()})`);
        }
      }
      if (update.positions !== undefined) this.#positions = validatePositions(update.positions);
    } catch (error) {
      this.#rejectInput('portfolio', error);
      throw error;
    }
    this.#lastRaw = value;
    this.#lastParsed = value;
    this.#lastTimestamp = at;
    if (this.#dataFault !== null) this.#clearDataFault();

    const drawdown = this.#drawdown;
    if (drawdown) {
      const hwm = drawdown.highWaterMark;
      const signal = drawdown.observe(value);
      if (signal === Signal.TRIP) this.#trip(BreakerType.DRAWDOWN, this.#drawdownDetails());
      else if (signal === Signal.WARN) this.#warn(BreakerType.DRAWDOWN, this.#drawdownDetails());
      else if (hwm !== drawdown.highWaterMark) this.#durability.newHighWaterMark();
    }
    const dailyLoss = this.#dailyLoss;
    if (dailyLoss) {
      const observation = dailyLoss.observe(value, at);
      if (observation.opened) {
        this.#emit(RiskEventType.TRADING_DAY_OPENED, BreakerType.DAILY_LOSS, {
          tradingDay: observation.opened.day,
          openAt: new Date(observation.opened.openAt).toISOString(),
          startValue: dailyLoss.startValue?.toString() ?? null,
        });
      }
      if (observation.signal === Signal.TRIP) this.#trip(BreakerType.DAILY_LOSS, this.#dailyLossDetails());
      else if (observation.signal === Signal.WARN) this.#warn(BreakerType.DAILY_LOSS, this.#dailyLossDetails());
    }
    this.#recomputeBand();
    if (this.#portfolio$.observed) this.#portfolio$.next({ value: value.toString(), positions: this.#positions, at });
  }

  /** Recomputes the quiet band after anything that moves a level, a baseline or a warning. */
  #recomputeBand(): void {
    const drawdown = this.#drawdown;
    const dailyLoss = this.#dailyLoss;
    let low: Decimal | null = null;
    let high: Decimal | null = null;
    if (drawdown) {
      low = drawdown.armedLevel;
      high = drawdown.highWaterMark;
      if (low === null || high === null) return void (this.#band = null);
    }
    if (dailyLoss) {
      const level = dailyLoss.armedLevel;
      const day = dailyLoss.tradingDay;
      if (level === null || day === null) return void (this.#band = null);
      if (low === null || level.gt(low)) low = level;
      this.#bandUntil = day.nextOpenAt;
    } else {
      this.#bandUntil = Infinity;
    }
    this.#band = new QuietBand(low ?? new Decimal(0), high);
  }

  /** The last accepted portfolio value, or null when none was received (since the start or restart). */
  #currentValue(): Decimal | null {
    if (this.#lastParsed === null && this.#lastRaw !== null) this.#lastParsed = parseDecimal(this.#lastRaw, 'value');
    return this.#lastParsed;
  }

  /**
   * Records an error for the error-rate breaker. An unknown kind is refused with
   * {@link InvalidInputError} and still counted, as a `data_error`: an error is never dropped.
   */
  recordError(report: ErrorReport): void {
    this.#assertRunning();
    let valid: ErrorReport;
    try {
      valid = validateErrorReport(report);
    } catch (error) {
      this.#rejectInput('error', error);
      throw error;
    }
    // Journalled one by one (not only counted) so the error log can be read back and filtered by kind.
    this.#emit(RiskEventType.ERROR_RECORDED, BreakerType.ERROR_RATE, { kind: valid.kind, message: valid.message.slice(0, 500) });
    this.#countError(valid.kind, valid.message);
  }

  /**
   * Reports an execution from the broker, for live views (`fills$`, the dashboard). Fills do not
   * drive the breakers — the portfolio value does. A malformed fill is refused with
   * {@link InvalidInputError} and counted as a `data_error`.
   */
  recordFill(fill: Fill): void {
    this.#assertRunning();
    let report: FillReport;
    try {
      report = validateFill(fill, this.#clock.now());
    } catch (error) {
      this.#rejectInput('fill', error);
      throw error;
    }
    this.#fills$.next(report);
  }

  /** Synchronous pre-trade decision. Never throws; a malformed order is rejected with the field at fault. */
  check(order: unknown): Decision {
    if (this.#stopped) return this.#stoppedDecision();
    const problem = orderProblem(order);
    if (problem !== null) return this.#rejectMalformed(order, problem);
    const rate = this.#orderRate;
    if (rate !== null) {
      const now = this.#clock.now();
      const signal = rate.record(now);
      if (signal !== Signal.NONE) this.#onOrderRateSignal(signal, order, now);
      this.#durability.countersChanged();
    }
    const decision = this.#gateOpen ? ALLOWED : this.#rejection;
    if (this.#decisions$.observed) this.#decisions$.next({ order, decision, at: this.#clock.now() });
    return decision;
  }

  /** An RxJS operator: passes allowed orders on; rejected ones go to {@link rejected$}. */
  guard<T>(): OperatorFunction<T, T> {
    return (source) =>
      new Observable<T>((subscriber) =>
        source.subscribe({
          next: (order) => {
            const decision = this.check(order);
            if (decision.allowed) subscriber.next(order);
            else this.#rejected$.next({ order, decision, at: this.#clock.now() });
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      );
  }

  /**
   * Subscribes the runtime to RxJS input streams. Bad items are refused (and counted) without
   * ending the subscription. A ledger stream that errors blocks orders (fail closed).
   * `orders$` items are judged like {@link check}; rejections go to {@link rejected$}.
   * Returns a function that disconnects.
   */
  connect(inputs: { ledger$?: Observable<PortfolioUpdate>; orders$?: Observable<unknown>; errors$?: Observable<ErrorReport> }): () => void {
    this.#assertRunning();
    const subs: Subscription[] = [];
    if (inputs.ledger$) {
      subs.push(
        inputs.ledger$.subscribe({
          next: (update) => this.#swallow(() => this.updatePortfolio(update)),
          error: (error: unknown) => this.#setDataFault(`ledger stream failed: ${error instanceof Error ? error.message : describeValue(error)}`),
        }),
      );
    }
    if (inputs.errors$) {
      subs.push(inputs.errors$.subscribe({ next: (report) => this.#swallow(() => this.recordError(report)) }));
    }
    if (inputs.orders$) {
      subs.push(
        inputs.orders$.subscribe({
          next: (order) => {
            const decision = this.check(order);
            if (!decision.allowed) this.#rejected$.next({ order, decision, at: this.#clock.now() });
          },
        }),
      );
    }
    this.#subscriptions.push(...subs);
    return () => subs.forEach((s) => s.unsubscribe());
  }

  // ─────────────────────────── operator actions ───────────────────────────

  /** Halts the strategy at once: every new order is rejected and pending ones are cancelled. */
  halt(request: { operator: string; reason: string }): void {
    this.#assertRunning();
    const operator = validateOperator(request?.operator);
    const reason = this.#validateReason(request?.reason);
    this.#send(BreakerType.MANUAL, { type: 'HALT', operator, reason });
  }

  /**
   * Asks to reset a breaker that is not NORMAL. Returns a token that {@link confirmReset} must
   * present before it expires (60 s by default). Orders stay blocked meanwhile.
   */
  requestReset(request: { breaker: BreakerType; operator: string }): { token: string; breaker: BreakerType; expiresAt: string } {
    this.#assertRunning();
    const operator = validateOperator(request?.operator);
    const breaker = this.#validateBreaker(request?.breaker);
    const state = this.#breakerInfo[breaker].state;
    if (state === BreakerState.NORMAL) {
      throw new ResetError(ErrorCode.RESET_NOT_ALLOWED, `breaker: ${breaker} is NORMAL; there is nothing to reset`);
    }
    for (const [token, pending] of this.#resets) if (pending.breaker === breaker) this.#forgetReset(token);
    const token = randomUUID();
    const deadline = this.#clock.now() + this.#settings.resetTimeoutMs;
    this.#armReset(token, breaker, deadline);
    this.#send(breaker, { type: 'REQUEST_RESET', token, deadline, operator });
    return { token, breaker, expiresAt: new Date(deadline).toISOString() };
  }

  /**
   * Confirms a reset. The breaker returns to NORMAL only if its own re-check passes (daily loss
   * refuses while today's loss is beyond the limit); otherwise it goes back to TRIPPED.
   */
  confirmReset(request: { token: string; operator: string }): { confirmed: boolean; breaker: BreakerType; state: BreakerState; reason: string | null } {
    this.#assertRunning();
    const operator = validateOperator(request?.operator);
    const token = request?.token;
    const pending = typeof token === 'string' ? this.#resets.get(token) : undefined;
    if (!pending) throw new ResetError(ErrorCode.INVALID_TOKEN, `token: unknown or expired reset token (got ${describeValue(token)})`);
    const { breaker } = pending;
    this.#forgetReset(token as string);
    const recheck = this.#recheck(breaker);
    if (recheck.passed) this.#rebaseline(breaker);
    const details = recheck.passed ? this.#figureDetails(breaker) : recheck.details;
    this.#send(breaker, { type: 'CONFIRM_RESET', token: token as string, recheck: recheck.passed, operator, details });
    const state = this.#breakerInfo[breaker].state;
    return { confirmed: state === BreakerState.NORMAL, breaker, state, reason: recheck.passed ? null : recheck.reason };
  }

  // ─────────────────────────── observation ───────────────────────────

  /** The global state: the most severe of the breakers. */
  get state(): BreakerState {
    return this.#globalState;
  }

  /** Everything about the strategy now: states, figures, portfolio. */
  status(): RuntimeStatus {
    const now = this.#clock.now();
    const value = this.#currentValue();
    const breaker = <T extends BreakerType>(type: T, enabled: boolean, figures: BreakerStatus<T>['figures']): BreakerStatus<T> => {
      const info = this.#breakerInfo[type];
      const reset = [...this.#resets.values()].find((r) => r.breaker === type);
      return {
        type,
        enabled,
        state: info.state,
        since: new Date(info.since).toISOString(),
        reason: info.reason,
        resetExpiresAt: reset ? new Date(reset.deadline).toISOString() : null,
        figures,
      };
    };
    const rateFigures = (rate: RateTracker<unknown> | null) => {
      if (!rate) return null;
      const expiry = rate.window.nextExpiry(now);
      return { count: rate.window.count(now), limit: rate.limit, windowSeconds: rate.window.windowMs / 1000, nextExpiryInMs: expiry === null ? null : expiry - now };
    };
    const errorRate = this.#errorRate;
    return {
      strategy: this.strategy,
      state: this.#globalState,
      ordersAllowed: this.#gateOpen,
      dataFault: this.#dataFault,
      breakers: {
        drawdown: breaker(BreakerType.DRAWDOWN, this.#drawdown !== null, this.#drawdown?.figures(value) ?? null),
        dailyLoss: breaker(BreakerType.DAILY_LOSS, this.#dailyLoss !== null, this.#dailyLoss?.figures(value) ?? null),
        orderRate: breaker(BreakerType.ORDER_RATE, this.#orderRate !== null, rateFigures(this.#orderRate)),
        errorRate: breaker(
          BreakerType.ERROR_RATE,
          errorRate !== null,
          errorRate ? { ...rateFigures(errorRate)!, byKind: this.#errorCounts(now) } : null,
        ),
        manual: breaker(BreakerType.MANUAL, true, {
          operator: this.#manual.operator,
          reason: this.#manual.reason,
          haltedAt: this.#manual.haltedAt === null ? null : new Date(this.#manual.haltedAt).toISOString(),
        }),
      },
      portfolio: {
        value: value?.toString() ?? null,
        positions: this.#positions,
        timestamp: this.#lastTimestamp === null ? null : new Date(this.#lastTimestamp).toISOString(),
      },
      at: new Date(now).toISOString(),
    };
  }

  /** Reads the audit journal (every transition, trip, warning and operator action). */
  journal(query?: JournalQuery): Promise<RiskEvent[]> {
    return this.#store.journal(query);
  }

  /** Every recorded alert delivery attempt (sent, failed with reason, suppressed, delivery_failed). */
  alertHistory(query?: { since?: number; until?: number }): Promise<AttemptRecord[]> {
    return this.#alerts ? this.#alerts.manager.attempts(query) : Promise.resolve([]);
  }

  /** The supervisor actor, for tools and inspection. */
  get actor(): Actor<typeof supervisorMachine> {
    return this.#actor;
  }

  /** Resolves once everything that happened so far is durable (journal, snapshot, figures). */
  flush(): Promise<void> {
    return this.#durability.flush();
  }

  /**
   * Journals an alert that was given up (used by the alert manager). The journal then answers
   * which alerts never reached whom.
   */
  recordAlertFailure(details: { alertId: string; target: string; reason: string }): void {
    if (this.#stopped) return;
    this.#emit(RiskEventType.ALERT_FAILED, null, { ...details });
  }

  /** Adds a sink that sees each batch of events once it is durable (alerts use this). */
  addDurableSink(sink: DurableEventSink): () => void {
    return this.#durability.addSink(sink);
  }

  /** Stops the runtime: unsubscribes inputs, cancels timers, writes what is pending, closes the store. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    // A failed store must not stop the stop: what could be written was; the failure was alerted.
    await this.flush().catch(() => undefined);
    this.#stopped = true;
    this.#subscriptions.forEach((s) => s.unsubscribe());
    for (const token of [...this.#resets.keys()]) this.#forgetReset(token);
    this.#orderRateTimer?.();
    this.#actor.stop();
    this.#refreshGate();
    await this.#durability.close();
    if (this.#alerts) await this.#alerts.manager.close();
    this.#alerts?.attempts$.complete();
    await this.#store.close();
    this.#events$.complete();
    this.#state$.complete();
    this.#rejected$.complete();
    this.#decisions$.complete();
    this.#portfolio$.complete();
    this.#fills$.complete();
    this.#log.info({ event: 'runtime_stopped', strategy: this.strategy }, 'runtime stopped');
  }

  // ─────────────────────────── breakers ───────────────────────────

  #trip(breaker: BreakerType, details: EventDetails): void {
    if (this.#breakerInfo[breaker].state !== BreakerState.NORMAL) return;
    this.#send(breaker, { type: 'TRIP', details });
  }

  #warn(breaker: BreakerType, details: EventDetails): void {
    this.#durability.countersChanged();
    if (this.#breakerInfo[breaker].state !== BreakerState.NORMAL) return;
    this.#emit(RiskEventType.WARNING, breaker, { ...details, warnAt: this.#warnFraction(breaker) });
  }

  #onOrderRateSignal(signal: Signal, order: unknown, now: number): void {
    const rate = this.#orderRate!;
    const o = order as Record<string, unknown>;
    const details: EventDetails = {
      count: rate.window.count(now),
      maxOrders: rate.limit,
      windowSeconds: rate.window.windowMs / 1000,
      order: { symbol: String(o.symbol), side: String(o.side), quantity: String(o.quantity) },
    };
    if (signal === Signal.TRIP) {
      this.#trip(BreakerType.ORDER_RATE, details);
      this.#armOrderRateRecovery(now);
    } else {
      this.#warn(BreakerType.ORDER_RATE, details);
    }
  }

  /** Order rate heals itself: when its window clears, it passes through RESETTING back to NORMAL. */
  #armOrderRateRecovery(now: number): void {
    const rate = this.#orderRate;
    if (!rate || this.#orderRateTimer) return;
    const clearsAt = rate.window.clearsAt(now);
    if (clearsAt === null) return;
    this.#orderRateTimer = this.#clock.setTimer(() => {
      this.#orderRateTimer = null;
      if (this.#stopped) return;
      const at = this.#clock.now();
      if (rate.window.exceeded(at)) return this.#armOrderRateRecovery(at);
      const state = this.#breakerInfo.orderRate.state;
      if (state === BreakerState.TRIPPED || state === BreakerState.RESETTING) {
        for (const [token, pending] of this.#resets) if (pending.breaker === BreakerType.ORDER_RATE) this.#forgetReset(token);
        this.#send(BreakerType.ORDER_RATE, {
          type: 'WINDOW_CLEARED',
          details: { count: rate.window.count(at), maxOrders: rate.limit, windowSeconds: rate.window.windowMs / 1000 },
        });
      }
    }, clearsAt - now);
  }

  #countError(kind: ErrorKind, message: string): void {
    const rate = this.#errorRate;
    if (!rate) return;
    const now = this.#clock.now();
    const signal = rate.record(now, kind);
    this.#durability.countersChanged();
    if (signal === Signal.NONE) return;
    const details: EventDetails = {
      count: rate.window.count(now),
      maxErrors: rate.limit,
      windowSeconds: rate.window.windowMs / 1000,
      byKind: this.#errorCounts(now),
      lastError: { kind, message: message.slice(0, 500) },
    };
    if (signal === Signal.TRIP) this.#trip(BreakerType.ERROR_RATE, details);
    else this.#warn(BreakerType.ERROR_RATE, details);
  }

  #errorCounts(now: number): Record<ErrorKind, number> {
    const counts = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
    if (this.#errorRate) for (const [kind, n] of this.#errorRate.window.countByTag(now)) if (kind) counts[kind] = n;
    return counts;
  }

  /** The breaker's own re-check before a confirmed reset may return it to NORMAL. */
  #recheck(breaker: BreakerType): { passed: boolean; reason: string; details: EventDetails } {
    if (breaker === BreakerType.DAILY_LOSS && this.#dailyLoss) {
      const details = this.#dailyLossDetails();
      const value = this.#currentValue();
      if (value === null) return { passed: false, reason: "no portfolio value yet to re-check today's loss", details };
      if (this.#dailyLoss.breached(value)) {
        return { passed: false, reason: `today's loss is still beyond the limit (P&L ${details.pnl} from ${details.startValue})`, details };
      }
      return { passed: true, reason: '', details };
    }
    return { passed: true, reason: '', details: {} };
  }

  /** What a confirmed reset re-baselines: the drawdown's high-water mark, the rate windows. */
  #rebaseline(breaker: BreakerType): void {
    if (breaker === BreakerType.DRAWDOWN) this.#drawdown?.rebaseline(this.#currentValue());
    if (breaker === BreakerType.ORDER_RATE) this.#orderRate?.clear();
    if (breaker === BreakerType.ERROR_RATE) this.#errorRate?.clear();
    this.#recomputeBand();
    this.#durability.countersChanged();
  }

  #armReset(token: string, breaker: BreakerType, deadline: number): void {
    const cancelTimer = this.#clock.setTimer(() => {
      if (!this.#resets.has(token) || this.#stopped) return;
      this.#resets.delete(token);
      this.#send(breaker, { type: 'RESET_EXPIRED', token });
    }, deadline - this.#clock.now());
    this.#resets.set(token, { breaker, deadline, cancelTimer });
  }

  #forgetReset(token: string): void {
    this.#resets.get(token)?.cancelTimer();
    this.#resets.delete(token);
  }

  // ─────────────────────────── transitions ───────────────────────────

  #send(breaker: BreakerType, event: BreakerEvent): void {
    this.#inTransition++;
    try {
      this.#children[breaker].send(event);
    } finally {
      this.#inTransition--;
    }
    if (this.#inTransition === 0) this.#drainCancels();
  }

  /** Called by the supervisor (inside the actor's transition) whenever a breaker moves. */
  #onBreakerTransition(transition: BreakerTransitionEvent): void {
    const { breaker, from, to, cause } = transition;
    const now = this.#clock.now();
    const info = this.#breakerInfo[breaker];
    const changed = from !== to;
    if (changed) {
      info.state = to;
      info.since = now;
      if (to === BreakerState.NORMAL) info.reason = null;
    }
    if (from === BreakerState.RESETTING && to !== BreakerState.RESETTING) {
      for (const [token, pending] of this.#resets) if (pending.breaker === breaker) this.#forgetReset(token);
    }
    if (cause.type === 'TRIP') info.reason = describeTrip(breaker, cause.details);
    if (cause.type === 'HALT') info.reason = cause.reason;
    // Close (or reopen) the gate before anyone hears of the transition, so a listener that
    // checks an order synchronously already sees the new state.
    this.#refreshGate();
    this.#log.info({ event: 'transition', strategy: this.strategy, breaker, from, to, cause: cause.type }, `${breaker}: ${from} -> ${to}`);
    if (changed) this.#emit(RiskEventType.STATE_CHANGED, breaker, { from, to, cause: cause.type });

    switch (cause.type) {
      case 'TRIP': {
        const reason = describeTrip(breaker, cause.details);
        this.#emit(RiskEventType.TRIPPED, breaker, { ...cause.details, reason });
        this.#log.warn({ event: 'trip', strategy: this.strategy, breaker, details: cause.details }, `${breaker} TRIPPED: ${reason}`);
        this.#pendingCancels.push({ breaker, reason });
        break;
      }
      case 'HALT': {
        this.#manual = { operator: cause.operator, reason: cause.reason, haltedAt: now };
        this.#emit(RiskEventType.MANUAL_HALT, breaker, { reason: cause.reason, from }, cause.operator);
        this.#log.warn({ event: 'operator_action', action: 'halt', strategy: this.strategy, operator: cause.operator, reason: cause.reason }, 'strategy halted');
        this.#pendingCancels.push({ breaker, reason: cause.reason });
        break;
      }
      case 'REQUEST_RESET': {
        this.#emit(RiskEventType.RESET_REQUESTED, breaker, { expiresAt: new Date(cause.deadline).toISOString(), from }, cause.operator);
        this.#log.info({ event: 'operator_action', action: 'reset_requested', strategy: this.strategy, breaker, operator: cause.operator }, 'reset requested');
        break;
      }
      case 'CONFIRM_RESET': {
        if (to === BreakerState.NORMAL) {
          if (breaker === BreakerType.MANUAL) this.#manual = { operator: null, reason: null, haltedAt: null };
          this.#emit(RiskEventType.RESET_CONFIRMED, breaker, { ...cause.details }, cause.operator);
        } else {
          const reason = this.#recheck(breaker).reason || 're-check failed';
          this.#emit(RiskEventType.RESET_REFUSED, breaker, { ...cause.details, reason }, cause.operator);
        }
        this.#log.info(
          { event: 'operator_action', action: 'reset_confirmed', strategy: this.strategy, breaker, operator: cause.operator, outcome: to },
          to === BreakerState.NORMAL ? 'reset confirmed' : 'reset refused by re-check',
        );
        break;
      }
      case 'RESET_EXPIRED': {
        this.#emit(RiskEventType.RESET_EXPIRED, breaker, { backTo: to });
        this.#log.info({ event: 'reset_expired', strategy: this.strategy, breaker }, 'reset token expired');
        break;
      }
      case 'WINDOW_CLEARED': {
        if (to === BreakerState.NORMAL) {
          this.#emit(RiskEventType.RECOVERED, breaker, { ...cause.details });
          this.#log.info({ event: 'recovered', strategy: this.strategy, breaker }, `${breaker} recovered: window cleared`);
        }
        break;
      }
    }
  }

  #onGlobalTransition({ from, to }: GlobalTransition): void {
    this.#globalState = to;
    this.#refreshGate();
    this.#emit(RiskEventType.STATE_CHANGED, null, { from, to });
    this.#log.info({ event: 'transition', strategy: this.strategy, breaker: null, from, to }, `global: ${from} -> ${to}`);
    this.#state$?.next(this.#stateSnapshot());
  }

  #drainCancels(): void {
    while (this.#pendingCancels.length > 0) {
      const { breaker, reason } = this.#pendingCancels.shift()!;
      this.#cancelAllOrders(breaker, reason);
    }
  }

  #cancelAllOrders(breaker: BreakerType, reason: string): void {
    const broker = this.#broker;
    if (!broker) return;
    // A throw, a rejecting promise or thenable, or no settlement within the timeout: journalled and alerted.
    callCancelAllOrders((ctx: Parameters<BrokerPort['cancelAllOrders']>[0]) => broker.cancelAllOrders(ctx), { strategy: this.strategy, breaker, reason }, {
      clock: this.#clock,
      timeoutMs: broker.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS,
      onFailed: ({ error, timedOut }) => {
        if (this.#stopped) return;
        this.#log.error({ event: 'cancel_failed', strategy: this.strategy, breaker, error, timedOut }, 'cancelAllOrders failed');
        this.#emit(RiskEventType.CANCEL_FAILED, breaker, { error, timedOut });
      },
    });
  }

  // ─────────────────────────── gate ───────────────────────────

  /** The most severe breaker state, read from the breakers directly (never lags the supervisor). */
  #severestBreakerState(): BreakerState {
    return severest(BREAKER_TYPES.map((t) => this.#breakerInfo[t].state));
  }

  #refreshGate(): void {
    this.#gateOpen =
      !this.#stopped && this.#fatal === null && this.#severestBreakerState() === BreakerState.NORMAL && this.#dataFault === null;
    this.#rejection = this.#buildRejection();
    this.#state$?.next(this.#stateSnapshot());
  }

  #buildRejection(): Rejected {
    if (this.#stopped) return this.#stoppedDecision();
    if (this.#fatal !== null) {
      return { allowed: false, code: RejectCode.DATA_FAULT, reason: `runtime failure, restart required: ${this.#fatal}`, breaker: null, state: this.#globalState };
    }
    const state = this.#severestBreakerState();
    if (state !== BreakerState.NORMAL) {
      const blocking = BREAKER_TYPES.filter((t) => this.#breakerInfo[t].state === state)[0] ?? null;
      const why = blocking ? this.#breakerInfo[blocking].reason : null;
      return Object.freeze({
        allowed: false,
        code: RejectCode.BREAKER,
        reason: `${blocking ?? 'strategy'} breaker is ${state}${why ? `: ${why}` : ''}`,
        breaker: blocking,
        state,
      });
    }
    return Object.freeze({
      allowed: false,
      code: this.#lastRaw === null ? RejectCode.NO_PORTFOLIO : RejectCode.DATA_FAULT,
      reason: `trading is blocked until the data can be trusted: ${this.#dataFault ?? 'unknown'}`,
      breaker: null,
      state,
    });
  }

  #stoppedDecision(): Rejected {
    return { allowed: false, code: RejectCode.STOPPED, reason: 'the runtime is stopped', breaker: null, state: this.#globalState };
  }

  #onActorError(error: unknown): void {
    this.#fatal = error instanceof Error ? error.message : describeValue(error);
    this.#log.error({ event: 'actor_failed', strategy: this.strategy, error: this.#fatal }, 'supervisor actor failed: orders blocked');
    if (this.#rejection) this.#refreshGate();
  }

  #setDataFault(reason: string): void {
    const first = this.#dataFault === null;
    this.#dataFault = reason;
    this.#refreshGate();
    if (first) this.#log.warn({ event: 'data_fault', strategy: this.strategy, reason }, 'orders blocked: data cannot be trusted');
  }

  #clearDataFault(): void {
    this.#dataFault = null;
    this.#refreshGate();
  }

  #rejectMalformed(order: unknown, problem: InvalidInputError): Decision {
    this.#emit(RiskEventType.INPUT_REJECTED, null, { input: 'order', field: problem.field, error: problem.message });
    this.#log.warn({ event: 'input_rejected', strategy: this.strategy, input: 'order', error: problem.message }, 'malformed order rejected');
    const decision: Rejected = { allowed: false, code: RejectCode.MALFORMED, reason: problem.message, breaker: null, state: this.#globalState };
    if (this.#decisions$.observed) this.#decisions$.next({ order, decision, at: this.#clock.now() });
    return decision;
  }

  /** A refused input: logged, journalled, counted as a data_error; a bad portfolio value also blocks orders. */
  #rejectInput(input: 'portfolio' | 'error' | 'fill', error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    this.#emit(RiskEventType.INPUT_REJECTED, null, {
      input,
      field: error instanceof InvalidInputError ? error.field : null,
      error: message,
    });
    this.#log.warn({ event: 'input_rejected', strategy: this.strategy, input, error: message }, `malformed ${input} input rejected`);
    if (input === 'portfolio') this.#setDataFault(`last portfolio update was refused: ${message}`);
    this.#countError(ErrorKind.DATA_ERROR, `${input}: ${message}`);
  }

  #swallow(fn: () => void): void {
    try {
      fn();
    } catch {
      // Already logged, journalled and counted by the method itself; the stream goes on.
    }
  }

  #failClosed(reason: string): void {
    this.#log.error({ event: 'fail_closed', strategy: this.strategy, reason }, 'starting halted: state could not be restored');
    this.#emit(RiskEventType.RESTORE_FAILED, null, { reason });
    if (this.#breakerInfo.manual.state !== BreakerState.MANUALLY_HALTED) {
      this.#send(BreakerType.MANUAL, { type: 'HALT', operator: SYSTEM_OPERATOR, reason });
    }
  }

  // ─────────────────────────── events and persistence ───────────────────────────

  #emit(type: RiskEvent['type'], breaker: BreakerType | null, details: EventDetails, operator?: string): void {
    const event = makeEvent(this.strategy, type, breaker, this.#clock.now(), details, operator);
    this.#durability.event(event);
    if (type !== RiskEventType.STATE_CHANGED && type !== RiskEventType.INPUT_REJECTED && type !== RiskEventType.ERROR_RECORDED) {
      this.#log.info({ event: 'risk_event', strategy: this.strategy, type, breaker, operator, details }, type);
    }
    this.#events$.next(event);
  }

  /** A write that fails means a restart could forget: halt, fail closed. */
  #onStoreFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    this.#log.error({ event: 'store_failed', strategy: this.strategy, error: message }, 'store write failed');
    if (this.#stopped) return;
    // Said once, and alerted from memory (the alert sink dispatches what could not be stored).
    if (!this.#storeFailed) {
      this.#storeFailed = true;
      this.#emit(RiskEventType.STORE_FAILED, null, { error: message });
    }
    if (this.#breakerInfo.manual.state === BreakerState.MANUALLY_HALTED) return;
    this.#send(BreakerType.MANUAL, { type: 'HALT', operator: SYSTEM_OPERATOR, reason: `store write failed: ${message}` });
  }

  #record(): StrategyRecord {
    return {
      version: RECORD_VERSION,
      strategy: this.strategy,
      savedAt: this.#clock.now(),
      supervisor: this.#actor.getPersistedSnapshot() as StrategyRecord['supervisor'],
      figures: {
        drawdown: this.#drawdown?.save() ?? null,
        dailyLoss: this.#dailyLoss?.save() ?? null,
        orderRate: this.#orderRate?.save() ?? null,
        errorRate: this.#errorRate?.save() ?? null,
        manual: { ...this.#manual },
        breakers: structuredClone(this.#breakerInfo),
        lastValue: this.#currentValue()?.toString() ?? null,
        lastTimestamp: this.#lastTimestamp,
      },
    };
  }

  #restoreFigures(record: StrategyRecord): void {
    const f = record.figures;
    if (f.drawdown && this.#drawdown) this.#drawdown.load(f.drawdown);
    if (f.dailyLoss && this.#dailyLoss) this.#dailyLoss.load(f.dailyLoss);
    if (f.orderRate && this.#orderRate) this.#orderRate.load(f.orderRate);
    if (f.errorRate && this.#errorRate) this.#errorRate.load(f.errorRate);
    this.#manual = { ...f.manual };
    for (const type of BREAKER_TYPES) Object.assign(this.#breakerInfo[type], f.breakers[type]);
    // The last value is history, not the present: after a restart the runtime waits for a fresh
    // value (orders stay blocked) and a reset re-check never passes on a value from before the crash.
    this.#lastTimestamp = f.lastTimestamp;
  }

  /**
   * After a restore: take the breaker states from the restored actors, turn RESETTING into
   * TRIPPED (the confirmation died with the process) and re-arm timers from absolute deadlines.
   * Restoring is not a transition: no trip is re-emitted and no order is cancelled again.
   */
  #afterRestore(): void {
    const now = this.#clock.now();
    for (const type of BREAKER_TYPES) {
      const snapshot = this.#children[type].getSnapshot() as { value: unknown; context: { resetToken: string | null } };
      const state = breakerStateOf(snapshot.value);
      this.#breakerInfo[type].state = state;
      if (state === BreakerState.RESETTING && snapshot.context.resetToken) {
        // Expire it now: the operator who asked is gone with the old process's token holder.
        this.#send(type, { type: 'RESET_EXPIRED', token: snapshot.context.resetToken });
      }
    }
    this.#globalState = severest(BREAKER_TYPES.map((t) => this.#breakerInfo[t].state));
    if (this.#breakerInfo.orderRate.state === BreakerState.TRIPPED) this.#armOrderRateRecovery(now);
    this.#dataFault = 'no portfolio value received since restart';
  }

  #stateSnapshot(): StateSnapshot {
    return {
      strategy: this.strategy,
      state: this.#globalState,
      ordersAllowed: this.#gateOpen,
      breakers: Object.fromEntries(BREAKER_TYPES.map((t) => [t, this.#breakerInfo[t].state])) as Record<BreakerType, BreakerState>,
      at: this.#clock.now(),
    };
  }

  // ─────────────────────────── helpers ───────────────────────────

  /** The figures of a breaker as event details (empty for the manual breaker). */
  #figureDetails(breaker: BreakerType): EventDetails {
    const status = this.status().breakers[breaker];
    return status.figures === null ? {} : (JSON.parse(JSON.stringify(status.figures)) as EventDetails);
  }

  #drawdownDetails(): EventDetails {
    return { ...this.#drawdown!.figures(this.#currentValue()) };
  }

  #dailyLossDetails(): EventDetails {
    return { ...this.#dailyLoss!.figures(this.#currentValue()) };
  }

  #warnFraction(breaker: BreakerType): number {
    const b = this.#settings.breakers;
    const own = breaker === BreakerType.DRAWDOWN ? b.drawdown?.warnAt : breaker === BreakerType.DAILY_LOSS ? b.dailyLoss?.warnAt : breaker === BreakerType.ORDER_RATE ? b.orderRate?.warnAt : b.errorRate?.warnAt;
    return own ?? this.#settings.warnAt;
  }

  #validateBreaker(input: unknown): BreakerType {
    if (!BREAKER_TYPES.includes(input as BreakerType)) {
      throw new InvalidInputError('breaker', input, `must be one of ${BREAKER_TYPES.join(', ')}`);
    }
    return input as BreakerType;
  }

  #validateReason(input: unknown): string {
    if (typeof input !== 'string' || input.trim().length === 0 || input.length > 1000) {
      throw new InvalidInputError('reason', input, 'must be a non-empty string of at most 1000 characters');
    }
    return input.trim();
  }

  #assertRunning(): void {
    if (this.#stopped) throw new ResetError(ErrorCode.RUNTIME_STOPPED, `runtime for strategy ${this.strategy} is stopped`);
  }
}

export { AUTOMATIC_BREAKERS };
