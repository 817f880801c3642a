import { randomUUID } from 'node:crypto';
import { BehaviorSubject, Observable, Subject, type OperatorFunction, type Subscription } from 'rxjs';
import type { Actor } from 'xstate';
import { acceptedEvents, type BreakerEvent } from '../../machines/charts/breakerChart.ts';
import { AUTOMATIC_BREAKERS, BREAKER_TYPES, BreakerState, BreakerType, ErrorKind, OnTrip, TradingMode } from '../../machines/constants.ts';
import { Signal } from '../../machines/figures/signal.ts';
import { REGISTRY } from '../../machines/rules/registry.ts';
import { ChartKind } from '../../machines/rules/rule.ts';
import type { StaleDataTracker } from '../../machines/rules/staleData.ts';
import type { supervisorMachine } from '../../machines/supervisor.ts';
import type { AttemptRecord } from '../alerts/index.ts';
import type { Clock } from '../clock.ts';
import { effectiveConfig, type ResolvedSettings } from '../config.ts';
import { ErrorCode, InvalidInputError, ResetError, describeValue } from '../errors.ts';
import { RiskEventType, type EventDetails, type RiskEvent } from '../events.ts';
import type { Logger } from '../logger.ts';
import { alertSink, type AlertWiring } from './alertWiring.ts';
import { Durability, type DurableEventSink } from './durability.ts';
import { makeEvent, type JournalQuery } from './eventLog.ts';
import { Controls, type ControlVerdict } from './controls.ts';
import { Figures } from './figures.ts';
import { Gate } from './gate.ts';
import { ActorHost, type InspectOption } from './host.ts';
import { MAX_NAME_LENGTH, readOrder, validateErrorReport, validateFill, validateOperator, type ValidOrder } from './inputs.ts';
import type { StrategyRecord, StrategyStore } from './persistence.ts';
import { RECORD_VERSION } from './record.ts';
import { buildStatus, stateSnapshot } from './status.ts';
import { StepRunner, type CancelRequest } from './step.ts';
import { StaleWatch } from './staleness.ts';
import { SnapshotTimers } from './timers.ts';
import { TransitionRecorder } from './transitions.ts';
import { applyPortfolioUpdate, type PortfolioContext } from './portfolio.ts';
import type { Decision, ErrorReport, Fill, FillReport, OrderDecision, PortfolioUpdate, Position, Rejection, RuntimeStatus, StateSnapshot } from './types.ts';

export type { InspectOption } from './host.ts';

/** The broker port: called once on every trip and halt to cancel pending orders. */
export interface BrokerPort {
  cancelAllOrders(context: { strategy: string; breaker: BreakerType; reason: string }): unknown;
}

/** Internal construction arguments (see createRiskRuntime for the public options). */
export interface RuntimeParts {
  settings: ResolvedSettings;
  clock: Clock;
  logger: Logger;
  store: StrategyStore;
  broker: BrokerPort | null;
  inspect?: InspectOption;
  /** A restored (validated) record, or null for a fresh start. */
  restored: StrategyRecord | null;
  /** When set, the strategy starts MANUALLY_HALTED with this reason (fail closed). */
  failClosedReason: string | null;
  /** How long counter-only changes may wait before they are saved. */
  figuresDebounceMs?: number;
  alerts?: AlertWiring;
}

const ALLOWED: Decision = Object.freeze({ allowed: true });
const SYSTEM_OPERATOR = 'breakerbox';
/** For each breaker, the states whose chart has a TRIP edge (read from the charts themselves). */
const TRIP_EDGES = new Map(REGISTRY.map((row) => [row.kind, new Set([...acceptedEvents(row.chart)].filter(([, events]) => events.has('TRIP')).map(([state]) => state))]));
const SELF_HEALING = new Set<BreakerType>(REGISTRY.filter((row) => row.rule.chart === ChartKind.SELF_HEALING).map((row) => row.kind));

/**
 * One strategy's risk runtime: the public façade. Each input is one step (see step.ts); the
 * breakers' states live in their actors only, and the gate follows their snapshots.
 */
export class RiskRuntime {
  readonly strategy: string;
  readonly #settings: ResolvedSettings;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #store: StrategyStore;
  readonly #broker: BrokerPort | null;
  readonly #gate: Gate;
  readonly #step: StepRunner;
  readonly #figures: Figures;
  readonly #host: ActorHost;
  readonly #timers: SnapshotTimers;
  readonly #durability: Durability;
  readonly #alerts: AlertWiring | null;
  readonly #controls: Controls;
  /** Whether any pre-trade limit is configured (else an allowed check builds nothing). */
  readonly #limited: boolean;
  readonly #stale: StaleDataTracker | null;
  readonly #staleWatch: StaleWatch | null;
  #positions: readonly Position[] = [];
  #subscriptions: Subscription[] = [];

  readonly #events$ = new Subject<RiskEvent>();
  readonly #state$: BehaviorSubject<StateSnapshot>;
  readonly #rejected$ = new Subject<Rejection>();
  readonly #decisions$ = new Subject<OrderDecision>();
  readonly #portfolio$ = new Subject<{ value: string; positions: readonly Position[]; at: number }>();
  readonly #fills$ = new Subject<FillReport>();

  /** Every event (trips, warnings, operator actions, transitions, refused inputs), after its step. */
  readonly events$: Observable<RiskEvent> = this.#events$.asObservable();
  /** The global and per-breaker state, now and after every step that changed it. */
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

  constructor(parts: RuntimeParts) {
    const { settings, clock, restored } = parts;
    this.strategy = settings.strategy;
    this.#settings = settings;
    this.#clock = clock;
    this.#log = parts.logger;
    this.#store = parts.store;
    this.#broker = parts.broker;
    const now = clock.now();
    const breakers = settings.breakers as unknown as Record<string, { onTrip?: OnTrip } | null>;
    const reduceOnly = new Set<BreakerType>(AUTOMATIC_BREAKERS.filter((kind) => breakers[kind]?.onTrip === OnTrip.REDUCE_ONLY));
    this.#gate = new Gate(now, restored ? 'no portfolio value received since restart' : 'no portfolio value received yet', reduceOnly);
    this.#controls = new Controls(settings.limits);
    this.#limited = settings.limits !== null;
    this.#step = new StepRunner((request) => this.#cancelAllOrders(request), (error) => this.#reportListenerError(error));
    this.#durability = new Durability(parts.store, clock, parts.figuresDebounceMs ?? 250, {
      record: () => this.#record(),
      highWaterMark: () => (this.#figures.drawdown?.save().highWaterMark as string | null | undefined) ?? null,
      onFailure: (error) => this.#onStoreFailure(error),
    });
    this.#figures = new Figures(settings);
    if (restored) this.#figures.load(restored.figures.trackers, restored.figures.lastTimestamp);
    this.#stale = this.#figures.staleData;
    if (this.#stale !== null) {
      // The age counts from the last valid value, or from this start: nothing from before a restart is trusted.
      this.#stale.watch(() => Math.max(this.#figures.lastTimestamp ?? -Infinity, now));
      this.#staleWatch = new StaleWatch(clock, this.#stale, (signal) => this.#step.run(() => this.#signal(BreakerType.STALE_DATA, signal)));
    } else {
      this.#staleWatch = null;
    }
    const recorder = new TransitionRecorder({
      gate: this.#gate,
      step: this.#step,
      log: this.#log,
      strategy: this.strategy,
      now: () => this.#clock.now(),
      sink: {
        emit: (type, breaker, details, operator) => this.#emit(type, breaker, details, operator),
        stateChanged: () => this.#publishState(),
        snapshotSeen: (kind, state, context) => {
          this.#timers?.sync(kind, state, context);
          if (kind === BreakerType.STALE_DATA) {
            // While the data is stale every value is evaluated (the quiet band would skip the recovery).
            this.#figures.holdBand = state !== BreakerState.NORMAL;
            if (this.#figures.holdBand) this.#figures.band = null;
          }
        },
      },
    });
    this.#timers = new SnapshotTimers({
      clock,
      selfHealing: SELF_HEALING,
      expire: (kind, token) => this.#step.run(() => this.#host.send(kind, { type: 'RESET_EXPIRED', token })),
      recover: (kind) => this.#step.run(() => this.#recover(kind)),
      recoveryAt: (kind, at) =>
        kind === BreakerType.ORDER_RATE ? (this.#figures.orderRate?.clearsAt(at) ?? null) : kind === BreakerType.STALE_DATA ? Infinity : null,
    });
    const supervision = settings.supervision;
    this.#host = new ActorHost({
      strategy: this.strategy,
      clock,
      maxRestarts: supervision.maxRestarts,
      restartWindowMs: supervision.windowMs,
      restored: restored?.supervisor ?? null,
      ...(parts.inspect ? { inspect: parts.inspect } : {}),
      listener: {
        snapshot: (kind, state, context) => recorder.snapshot(kind, state, context),
        failed: (kind, error) => this.#actorFailed(kind, error),
        supervisorFailed: (error) => this.#supervisorFailed(error),
      },
    });
    this.#state$ = new BehaviorSubject(stateSnapshot(this.strategy, this.#gate, now));
    this.state$ = this.#state$.asObservable();
    this.#alerts = parts.alerts ?? null;
    this.alertAttempts$ = this.#alerts ? this.#alerts.attempts$.asObservable() : new Subject<AttemptRecord>().asObservable();
    if (this.#alerts) this.addDurableSink(alertSink(this.#alerts));
    this.#step.run(() => {
      this.#host.start();
      if (restored) this.#afterRestore(restored);
      if (parts.failClosedReason !== null) this.#failClosed(parts.failClosedReason);
    });
    this.#staleWatch?.arm();
    this.#log.info(
      { event: 'runtime_started', strategy: this.strategy, restored: restored !== null, state: this.#gate.global, config: effectiveConfig(settings) },
      'runtime started',
    );
  }

  // ───────────────────────────── inputs ─────────────────────────────

  /**
   * Feeds a portfolio valuation as one step. Throws {@link InvalidInputError} for a malformed
   * update; it is then counted as a `data_error` and orders are blocked until a valid one arrives.
   */
  updatePortfolio(update: PortfolioUpdate): void {
    this.#assertRunning();
    const ctx = this.#portfolioContext();
    applyPortfolioUpdate(ctx, update);
  }

  /**
   * Records an error for the error-rate breaker. An unknown kind is refused with
   * {@link InvalidInputError} and still counted, as a `data_error`: an error is never dropped.
   */
  recordError(report: ErrorReport): void {
    this.#assertRunning();
    this.#step.run(() => {
      let valid: ErrorReport;
      try {
        valid = validateErrorReport(report);
      } catch (error) {
        this.#rejectInput('error', error);
        throw error;
      }
      this.#emit(RiskEventType.ERROR_RECORDED, BreakerType.ERROR_RATE, { kind: valid.kind, message: valid.message.slice(0, 500) });
      this.#countError(valid.kind, valid.message);
    });
  }

  /** Reports an execution from the broker, for live views. A malformed fill is refused and counted as a `data_error`. */
  recordFill(fill: Fill): void {
    this.#assertRunning();
    this.#step.run(() => {
      let report: FillReport;
      try {
        report = validateFill(fill, this.#clock.now());
      } catch (error) {
        this.#rejectInput('fill', error);
        throw error;
      }
      this.#controls.fill(report);
      this.#step.notify(() => this.#fills$.next(report));
    });
  }

  /**
   * Reports that an order is closed (cancelled, rejected by the broker, expired or done): what is
   * left of it open is no longer reserved against its symbol's position. Returns whether an open
   * order with that id was known. An order checked without an `id` cannot be released this way:
   * the next position report releases it.
   */
  recordOrderClosed(request: { id: string }): boolean {
    this.#assertRunning();
    let id: unknown;
    try {
      ({ id } = (request ?? {}) as { id?: unknown });
    } catch {
      throw new InvalidInputError('request', request, 'could not be read');
    }
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NAME_LENGTH) {
      throw new InvalidInputError('id', id, `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
    }
    return this.#step.run(() => this.#controls.close(id));
  }

  /** Synchronous pre-trade decision. Never throws; a malformed order is rejected with the field at fault. */
  check(order: unknown): Decision {
    const gate = this.#gate;
    if (gate.stopped) return gate.rejection;
    try {
      const valid = readOrder(order);
      if (valid instanceof InvalidInputError) return this.#rejectMalformed(order, valid);
      let now = -1;
      const rate = this.#figures.orderRate;
      if (rate !== null) {
        now = this.#clock.now();
        const signal = rate.observe(now);
        this.#durability.countersChanged();
        if (signal !== Signal.NONE) this.#onOrderRateSignal(signal, valid, now);
      }
      const stale = this.#stale;
      if (stale !== null && gate.views.staleData.state === BreakerState.NORMAL) {
        if (now < 0) now = this.#clock.now();
        // The dead-man's switch, noticed by check(): one subtraction; when stale, a step trips it.
        if (stale.holds(now)) this.#step.run(() => this.#signal(BreakerType.STALE_DATA, Signal.TRIP));
      }
      // Without limits an open gate allows at once; anything else is decided off the hot path.
      const decision = gate.open && !this.#limited ? ALLOWED : this.#decide(valid, now);
      if (this.#decisions$.observed) {
        const at = this.#clock.now();
        this.#step.notify(() => this.#decisions$.next({ order, decision, at }));
      }
      return decision;
    } catch (error) {
      // A bug must never let an order through: fail closed for this order and say why.
      const message = error instanceof Error ? error.message : describeValue(error);
      this.#log.error({ event: 'check_failed', strategy: this.strategy, error: message }, 'check() failed: order rejected');
      return { allowed: false, code: 'DATA_FAULT', reason: `internal error while checking the order: ${message}`, breaker: null, state: gate.global };
    }
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
   * Returns a function that disconnects.
   */
  connect(inputs: { ledger$?: Observable<PortfolioUpdate>; orders$?: Observable<unknown>; errors$?: Observable<ErrorReport> }): () => void {
    this.#assertRunning();
    const subs: Subscription[] = [];
    const swallow = (fn: () => void) => {
      try {
        fn();
      } catch {
        // Already logged, journalled and counted by the method itself; the stream goes on.
      }
    };
    if (inputs.ledger$) {
      subs.push(
        inputs.ledger$.subscribe({
          next: (update) => swallow(() => this.updatePortfolio(update)),
          error: (error: unknown) => this.#step.run(() => this.#setDataFault(`ledger stream failed: ${error instanceof Error ? error.message : describeValue(error)}`)),
        }),
      );
    }
    if (inputs.errors$) subs.push(inputs.errors$.subscribe({ next: (report) => swallow(() => this.recordError(report)) }));
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
  halt(request: { operator: string; reason: string; mode?: OnTrip }): void {
    this.#assertRunning();
    const { operator, reason, mode } = readOperatorRequest(request, true);
    this.#step.run(() => this.#host.send(BreakerType.MANUAL, { type: 'HALT', operator, reason: reason!, mode: mode ?? OnTrip.HALT }));
  }

  /** The trading mode: ACTIVE, REDUCING (only risk-reducing orders pass) or HALTED, from the breakers. */
  get tradingMode(): TradingMode {
    return this.#gate.mode;
  }

  /**
   * Asks to reset a breaker that is not NORMAL. Returns a token that {@link confirmReset} must
   * present before it expires (60 s by default). Orders stay blocked meanwhile.
   */
  requestReset(request: { breaker: BreakerType; operator: string }): { token: string; breaker: BreakerType; expiresAt: string } {
    this.#assertRunning();
    const { operator, breaker } = readOperatorRequest(request, false);
    if (this.#host.state(breaker) === BreakerState.NORMAL) {
      throw new ResetError(ErrorCode.RESET_NOT_ALLOWED, `breaker: ${breaker} is NORMAL; there is nothing to reset`);
    }
    const token = randomUUID();
    const deadline = this.#clock.now() + this.#settings.resetTimeoutMs;
    this.#step.run(() => this.#host.send(breaker, { type: 'REQUEST_RESET', token, deadline, operator }));
    if (this.#host.snapshot(breaker).context.resetToken !== token) {
      throw new ResetError(ErrorCode.RESET_NOT_ALLOWED, `breaker: ${breaker} did not accept the reset request in state ${this.#host.state(breaker)}`);
    }
    return { token, breaker, expiresAt: new Date(deadline).toISOString() };
  }

  /**
   * Confirms a reset. The breaker's chart decides: it returns to NORMAL only if its own
   * re-check passes (daily loss refuses while today's loss is beyond the limit); otherwise it
   * goes back to TRIPPED. A confirmed reset re-baselines the breaker's figures.
   */
  confirmReset(request: { token: string; operator: string }): { confirmed: boolean; breaker: BreakerType; state: BreakerState; reason: string | null } {
    this.#assertRunning();
    const { operator, token } = readOperatorRequest(request, false);
    const breaker = BREAKER_TYPES.find((kind) => token !== undefined && this.#host.snapshot(kind).context.resetToken === token);
    if (breaker === undefined) throw new ResetError(ErrorCode.INVALID_TOKEN, `token: unknown or expired reset token (got ${describeValue(token)})`);
    const now = this.#clock.now();
    const tracker = this.#figures.trackers.get(breaker) ?? null;
    const evidence = tracker?.recheckEvidence(now, this.#figures.value) ?? {};
    this.#step.run(() => {
      this.#host.send(breaker, { type: 'CONFIRM_RESET', token: token!, operator, evidence });
      if (this.#host.state(breaker) === BreakerState.NORMAL && tracker !== null) {
        tracker.rebaseline(now, this.#figures.value);
        this.#figures.recomputeBand();
        this.#durability.countersChanged();
      }
    });
    const { context } = this.#host.snapshot(breaker);
    const state = this.#host.state(breaker);
    const confirmed = state === BreakerState.NORMAL;
    return { confirmed, breaker, state, reason: confirmed ? null : (context.cause?.reason ?? 're-check failed') };
  }

  // ─────────────────────────── observation ───────────────────────────

  /** The global state: the most severe of the breakers, from their actors. */
  get state(): BreakerState {
    return this.#gate.global;
  }

  /** Everything about the strategy now: states, figures, portfolio. Never throws. */
  status(): RuntimeStatus {
    return buildStatus({
      strategy: this.strategy,
      now: this.#clock.now(),
      gate: this.#gate,
      host: this.#host,
      figures: this.#figures,
      positions: this.#positions,
      settings: this.#settings,
      controls: this.#controls,
      log: this.#log,
    });
  }

  /** Reads the audit journal (every transition, trip, warning and operator action). */
  journal(query?: JournalQuery): Promise<RiskEvent[]> {
    return this.#store.journal(query);
  }

  /** Every recorded alert delivery attempt (sent, failed with reason, suppressed, delivery_failed). */
  alertHistory(query?: { since?: number; until?: number }): Promise<AttemptRecord[]> {
    return this.#alerts ? this.#alerts.manager.attempts(query) : Promise.resolve([]);
  }

  /** The supervisor actor (its children are the breakers), for tools and inspection. */
  get actor(): Actor<typeof supervisorMachine> {
    return this.#host.actor;
  }

  /** Resolves once everything that happened so far is durable (journal, snapshot, figures). */
  flush(): Promise<void> {
    return this.#durability.flush();
  }

  /** Journals an alert that was given up (used by the alert manager). */
  recordAlertFailure(details: { alertId: string; target: string; reason: string }): void {
    if (this.#gate.stopped) return;
    this.#step.run(() => this.#emit(RiskEventType.ALERT_FAILED, null, { ...details }));
  }

  /** Adds a sink that sees each batch of events once it is durable (alerts use this). */
  addDurableSink(sink: DurableEventSink): () => void {
    return this.#durability.addSink(sink);
  }

  /** Stops the runtime: unsubscribes inputs, cancels timers, writes what is pending, closes the store. */
  async stop(): Promise<void> {
    if (this.#gate.stopped) return;
    await this.flush();
    this.#gate.stop();
    this.#subscriptions.forEach((s) => s.unsubscribe());
    this.#timers.stop();
    this.#staleWatch?.stop();
    this.#host.stop();
    await this.#durability.close();
    if (this.#alerts) await this.#alerts.manager.close();
    this.#alerts?.attempts$.complete();
    await this.#store.close();
    for (const subject of [this.#events$, this.#state$, this.#rejected$, this.#decisions$, this.#portfolio$, this.#fills$]) subject.complete();
    this.#log.info({ event: 'runtime_stopped', strategy: this.strategy }, 'runtime stopped');
  }

  // ─────────────────────────── evaluation ───────────────────────────

  #portfolioContext(): PortfolioContext {
    return {
      figures: this.#figures,
      step: this.#step,
      clock: this.#clock,
      maxClockSkewMs: this.#settings.maxClockSkewMs,
      newHighWaterMark: () => this.#durability.newHighWaterMark(),
      countersChanged: () => this.#durability.countersChanged(),
      setPositions: (positions) => {
        this.#positions = positions;
        this.#controls.report(positions);
      },
      fresh: () => this.#fresh(),
      positions: () => this.#positions,
      portfolio$: this.#portfolio$,
      rejectInput: (error) => this.#rejectInput('portfolio', error),
      setDataFault: (reason) => this.#setDataFault(reason),
      clearDataFault: () => {
        const wasOpen = this.#gate.open;
        this.#gate.clearDataFault();
        if (this.#gate.open !== wasOpen) this.#publishState();
      },
      signal: (kind, signal) => this.#signal(kind, signal),
      emit: (type, breaker, details) => this.#emit(type, breaker, details),
    };
  }

  /** A rule's signal: TRIP goes to the chart (its guard decides), WARN is emitted while NORMAL. */
  #signal(kind: BreakerType, signal: Signal, extra: EventDetails = {}): void {
    const tracker = this.#figures.trackers.get(kind);
    if (!tracker) return;
    const now = this.#clock.now();
    const state = this.#gate.views[kind].state;
    if (signal === Signal.TRIP) {
      if (TRIP_EDGES.get(kind)?.has(state)) this.#host.send(kind, { type: 'TRIP', evidence: { ...tracker.tripEvidence(now, this.#figures.value), ...extra } });
    } else if (signal === Signal.WARN && state === BreakerState.NORMAL) {
      this.#durability.countersChanged();
      this.#emit(RiskEventType.WARNING, kind, { ...tracker.figures(now, this.#figures.value), ...extra });
    }
  }

  #onOrderRateSignal(signal: Signal, order: { symbol: string; side: string; quantity: unknown }, now: number): void {
    const state = this.#gate.views.orderRate.state;
    // A tripped gate rejecting a runaway loop stays O(1): the chart has no TRIP edge there.
    if (signal === Signal.TRIP && !TRIP_EDGES.get(BreakerType.ORDER_RATE)?.has(state)) return;
    if (signal === Signal.WARN && state !== BreakerState.NORMAL) return;
    void now;
    this.#step.run(() => this.#signal(BreakerType.ORDER_RATE, signal, { order: { symbol: order.symbol, side: order.side, quantity: String(order.quantity) } }));
  }

  /** The decision when limits are configured or the gate is not open: the controls, or the gate's rejection. */
  #decide(valid: ValidOrder, now: number): Decision {
    const gate = this.#gate;
    if (!gate.open && !gate.reducing) return gate.rejection;
    return this.#control(valid.id, valid.symbol, valid.side, valid.quantity, valid.price, now < 0 ? this.#clock.now() : now);
  }

  /** An order the breakers let through (or that must reduce, while REDUCING) meets the pre-trade controls. */
  #control(id: string | undefined, symbol: string, side: ValidOrder['side'], quantity: ValidOrder['quantity'], price: ValidOrder['price'], now: number): Decision {
    const gate = this.#gate;
    const verdict = this.#controls.decide(id, symbol, side, quantity, price, now, gate.reducing);
    return verdict === null ? ALLOWED : this.#rejectByControl({ id, symbol, side, quantity, price }, verdict, now);
  }

  /** A control's rejection: no trip; counted as an order_rejected error and journalled (its own step). */
  #rejectByControl(order: ValidOrder, verdict: ControlVerdict, now: number): Decision {
    const gate = this.#gate;
    const decision = Object.freeze({
      allowed: false as const,
      code: verdict.code,
      reason: verdict.reason,
      breaker: verdict.code === 'REDUCE_ONLY' ? gate.rejection.breaker : null,
      state: gate.global,
      limit: verdict.limit,
    });
    this.#controls.rejected(verdict, order.symbol, now);
    this.#step.run(() => {
      const shown = { id: order.id ?? null, symbol: order.symbol, side: order.side, quantity: String(order.quantity), price: order.price === undefined ? null : String(order.price) };
      this.#emit(RiskEventType.ORDER_REJECTED, null, { code: verdict.code, limit: verdict.limit, reason: verdict.reason, order: shown, tradingMode: gate.mode });
      this.#log.info({ event: 'order_rejected', strategy: this.strategy, code: verdict.code, reason: verdict.reason }, 'order rejected by a pre-trade control');
      this.#countError(ErrorKind.ORDER_REJECTED, `${verdict.code}: ${verdict.reason}`);
    });
    return decision;
  }

  /** A valid value arrived: a stale-data breaker that is not NORMAL recovers if the value is fresh. */
  #fresh(): void {
    if (this.#stale === null) return;
    if (this.#gate.views.staleData.state !== BreakerState.NORMAL) this.#recover(BreakerType.STALE_DATA);
    if (this.#gate.views.staleData.state === BreakerState.NORMAL) this.#staleWatch?.arm();
  }

  #countError(kind: ErrorKind, message: string): void {
    const rate = this.#figures.errorRate;
    if (!rate) return;
    const signal = rate.observe(this.#clock.now(), kind);
    this.#durability.countersChanged();
    if (signal !== Signal.NONE) this.#signal(BreakerType.ERROR_RATE, signal, { lastError: { kind, message: message.slice(0, 500) } });
  }

  /** A self-healing breaker's recovery timer: once its condition cleared, WINDOW_CLEARED then RECOVER. */
  #recover(kind: BreakerType): void {
    const tracker = this.#figures.trackers.get(kind);
    if (!tracker) return;
    const now = this.#clock.now();
    const evidence = tracker.recheckEvidence(now, this.#figures.value);
    const row = REGISTRY.find((r) => r.kind === kind)!;
    if (!row.rule.cleared(evidence)) return this.#timers.armRecovery(kind);
    if (this.#host.state(kind) === BreakerState.TRIPPED) this.#host.send(kind, { type: 'WINDOW_CLEARED', evidence });
    if (this.#host.state(kind) === BreakerState.RESETTING) this.#host.send(kind, { type: 'RECOVER', evidence });
  }

  #rejectMalformed(order: unknown, problem: InvalidInputError): Decision {
    const decision = { allowed: false as const, code: 'MALFORMED_ORDER' as const, reason: problem.message, breaker: null, state: this.#gate.global };
    this.#step.run(() => {
      this.#emit(RiskEventType.INPUT_REJECTED, null, { input: 'order', field: problem.field, error: problem.message });
      this.#log.warn({ event: 'input_rejected', strategy: this.strategy, input: 'order', error: problem.message }, 'malformed order rejected');
      if (this.#decisions$.observed) {
        const at = this.#clock.now();
        this.#step.notify(() => this.#decisions$.next({ order, decision, at }));
      }
    });
    return decision;
  }

  /** A refused input: logged, journalled, counted as a data_error; a bad portfolio value also blocks orders. */
  #rejectInput(input: 'portfolio' | 'error' | 'fill', error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    this.#emit(RiskEventType.INPUT_REJECTED, null, { input, field: error instanceof InvalidInputError ? error.field : null, error: message });
    this.#log.warn({ event: 'input_rejected', strategy: this.strategy, input, error: message }, `malformed ${input} input rejected`);
    if (input === 'portfolio') this.#setDataFault(`last portfolio update was refused: ${message}`);
    this.#countError(ErrorKind.DATA_ERROR, `${input}: ${message}`);
  }

  #setDataFault(reason: string): void {
    const first = this.#gate.dataFault === null;
    this.#gate.setDataFault(reason);
    this.#figures.band = null;
    this.#publishState();
    if (first) this.#log.warn({ event: 'data_fault', strategy: this.strategy, reason }, 'orders blocked: data cannot be trusted');
  }

  // ─────────────────────────── faults ───────────────────────────

  #actorFailed(kind: BreakerType, error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    this.#gate.fault(kind, message);
    this.#log.error({ event: 'actor_failed', strategy: this.strategy, breaker: kind, error: message }, `${kind} actor failed: restarting it`);
    this.#step.run(() => this.#emit(RiskEventType.ACTOR_RESTARTED, kind, { error: message }));
  }

  #supervisorFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    for (const kind of BREAKER_TYPES) this.#gate.fault(kind, `supervisor failed, restart required: ${message}`);
    this.#log.error({ event: 'supervisor_failed', strategy: this.strategy, error: message }, 'supervisor actor failed: orders blocked');
    this.#step.run(() => this.#emit(RiskEventType.ACTOR_RESTARTED, null, { error: message, fatal: true }));
  }

  #failClosed(reason: string): void {
    this.#log.error({ event: 'fail_closed', strategy: this.strategy, reason }, 'starting halted: state could not be restored');
    this.#emit(RiskEventType.RESTORE_FAILED, null, { reason });
    if (this.#host.state(BreakerType.MANUAL) !== BreakerState.MANUALLY_HALTED) {
      this.#host.send(BreakerType.MANUAL, { type: 'HALT', operator: SYSTEM_OPERATOR, reason });
    }
  }

  /** A write that fails means a restart could forget: halt, fail closed. */
  #onStoreFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    this.#log.error({ event: 'store_failed', strategy: this.strategy, error: message }, 'store write failed');
    if (this.#gate.stopped || this.#host.state(BreakerType.MANUAL) === BreakerState.MANUALLY_HALTED) return;
    this.#step.run(() => this.#host.send(BreakerType.MANUAL, { type: 'HALT', operator: SYSTEM_OPERATOR, reason: `store write failed: ${message}` }));
  }

  #reportListenerError(error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    this.#log.error({ event: 'listener_failed', strategy: this.strategy, error: message }, 'a listener or the broker port threw; the step went on');
  }

  /** After a restore: a RESETTING breaker's confirmation died with the process; restoring is not a transition. */
  #afterRestore(record: StrategyRecord): void {
    for (const kind of BREAKER_TYPES) {
      const since = record.figures.since[kind];
      if (typeof since === 'number') this.#gate.views[kind].since = since;
      const { context } = this.#host.snapshot(kind);
      if (this.#host.state(kind) === BreakerState.RESETTING && context.resetToken) {
        this.#host.send(kind, { type: 'RESET_EXPIRED', token: context.resetToken } satisfies BreakerEvent);
      }
    }
  }

  // ─────────────────────────── outputs ───────────────────────────

  #cancelAllOrders({ breaker, reason }: CancelRequest): void {
    if (!this.#broker) return;
    const failed = (error: unknown) => {
      const message = error instanceof Error ? error.message : describeValue(error);
      this.#log.error({ event: 'cancel_failed', strategy: this.strategy, breaker, error: message }, 'cancelAllOrders failed');
      this.#step.run(() => this.#emit(RiskEventType.CANCEL_FAILED, breaker, { error: message }));
    };
    try {
      const result = this.#broker.cancelAllOrders({ strategy: this.strategy, breaker, reason }) as { then?: unknown } | null | undefined;
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        Promise.resolve(result as PromiseLike<unknown>).catch(failed);
      }
    } catch (error) {
      failed(error);
    }
  }

  #emit(type: RiskEvent['type'], breaker: BreakerType | null, details: EventDetails, operator?: string): void {
    const event = makeEvent(this.strategy, type, breaker, this.#clock.now(), details, operator);
    this.#durability.event(event);
    if (type !== RiskEventType.STATE_CHANGED && type !== RiskEventType.INPUT_REJECTED && type !== RiskEventType.ERROR_RECORDED) {
      this.#log.info({ event: 'risk_event', strategy: this.strategy, type, breaker, operator, details }, type);
    }
    this.#step.notify(() => this.#events$.next(event));
  }

  #publishState(): void {
    const snapshot = stateSnapshot(this.strategy, this.#gate, this.#clock.now());
    this.#step.notify(() => this.#state$.next(snapshot));
  }

  #record(): StrategyRecord {
    return {
      version: RECORD_VERSION,
      strategy: this.strategy,
      savedAt: this.#clock.now(),
      supervisor: this.#host.persisted(),
      figures: {
        trackers: this.#figures.save(),
        since: Object.fromEntries(BREAKER_TYPES.map((t) => [t, this.#gate.views[t].since])),
        lastValue: this.#figures.value?.toFixed() ?? null,
        lastTimestamp: this.#figures.lastTimestamp,
      },
    };
  }

  #assertRunning(): void {
    if (this.#gate.stopped) throw new ResetError(ErrorCode.RUNTIME_STOPPED, `runtime for strategy ${this.strategy} is stopped`);
  }
}

/** Reads an operator request's fields once each and validates them. */
function readOperatorRequest(request: unknown, withReason: boolean): { operator: string; reason?: string; breaker: BreakerType; token?: string; mode?: OnTrip } {
  let operator: unknown, reason: unknown, breaker: unknown, token: unknown, mode: unknown;
  try {
    ({ operator, reason, breaker, token, mode } = (request ?? {}) as Record<string, unknown>);
  } catch {
    throw new InvalidInputError('request', request, 'could not be read');
  }
  const validOperator = validateOperator(operator);
  if (withReason && (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 1000)) {
    throw new InvalidInputError('reason', reason, 'must be a non-empty string of at most 1000 characters');
  }
  if (withReason && mode !== undefined && mode !== OnTrip.HALT && mode !== OnTrip.REDUCE_ONLY) {
    throw new InvalidInputError('mode', mode, 'must be "halt" or "reduceOnly" when given');
  }
  const validBreaker = (withReason ? BreakerType.MANUAL : breaker) as BreakerType;
  if (!withReason && token === undefined && !BREAKER_TYPES.includes(validBreaker)) {
    throw new InvalidInputError('breaker', breaker, `must be one of ${BREAKER_TYPES.join(', ')}`);
  }
  return {
    operator: validOperator,
    ...(withReason ? { reason: (reason as string).trim() } : {}),
    breaker: validBreaker,
    ...(typeof token === 'string' ? { token } : {}),
    ...(withReason && mode !== undefined ? { mode: mode as OnTrip } : {}),
  };
}
