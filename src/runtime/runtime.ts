import type { TraceStep } from './trace.ts';
import { Observable, Subject, type OperatorFunction, type Subscription } from 'rxjs';
import type { Actor } from 'xstate';
import { BreakerState, type OnTrip, type TradingMode } from '../../machines/constants.ts';
import { BreakerType } from '../../machines/rules/registry.ts';
import { Signal } from '../../machines/figures/signal.ts';
import type { supervisorMachine } from '../../machines/supervisor.ts';
import type { AttemptRecord } from '../alertAttempts.ts';
import { effectiveConfig } from '../config.ts';
import { ErrorCode, InvalidInputError, ResetError } from '../errors.ts';
import { RiskEventType, type RiskEvent } from '../events.ts';
import { RuntimeCore, type RuntimeParts } from './core.ts';
import type { DurableEventSink } from './durability.ts';
import type { JournalQuery } from './eventLog.ts';
import { afterRestore, failClosed } from './faults.ts';
import { defaultHistorySince } from './history/since.ts';
import type { StrategyHistory } from './history/types.ts';
import { parseTimestamp } from './inputs.ts';
import { OrderDraft, readOrderInto } from './orderInput.ts';
import { checkCancel, checkModify, type OrderCancellation, type OrderModification } from './messages.ts';
import { reportListenerErrors } from './listenerErrors.ts';
import { recordError, recordFill, recordOrderClosed } from './reports.ts';
import { shutDown } from './shutdown.ts';
import { connectInputs, guardOrders } from './streams.ts';
import { confirmReset, halt, requestReset, type HaltOutcome, type ResetOutcome } from './operator.ts';
import { authorizeOverride, type OverrideGrant, type OverrideRequest } from './overrides.ts';
import { applyPortfolioUpdate, type PortfolioContext } from './portfolio.ts';
import { checkFailed, countOrder, portfolioContext, rejectMalformed, staleDue } from './signals.ts';
import { decideOrder, decideSignalled } from './decideOrder.ts';
import { buildStatus, stateSnapshot } from './status.ts';
import type { CancelConfirmations } from './cancelConfirm.ts';
import type { Decision, ErrorReport, Fill, FillReport, GuardedOrder, Order, OrderDecision, PortfolioUpdate, Position, Rejection, RuntimeStatus, StateSnapshot, UntypedOrder } from './types.ts';

export type { InspectOption } from './host.ts';
export type { RuntimeParts } from './core.ts';
export type { BrokerPort } from './cancel.ts';


/**
 * One strategy's risk runtime: the public façade. Each input is one step (see step.ts); the
 * breakers' states live in their actors only, and the gate follows their snapshots. The parts
 * are wired in core.ts; the steps live in portfolio.ts, signals.ts, messages.ts, reports.ts,
 * operator.ts, overrides.ts and faults.ts, each taking its own narrow port, which the core satisfies.
 */
export class RiskRuntime {
  readonly strategy: string;
  readonly #core: RuntimeCore;
  /** What the portfolio step needs, built once (closures are not free on the hot path). */
  readonly #portfolio: PortfolioContext;
  readonly #unreportListenerErrors: () => void;
  /** The open orders each trip's or halt's cancel must see closed (the core's, cancelConfirm.ts). */
  readonly #cancels: CancelConfirmations;
  #subscriptions: Subscription[] = [];

  /** Every event (trips, warnings, operator actions, transitions, refused inputs), after its step. */
  readonly events$: Observable<RiskEvent>;
  /** The global and per-breaker state, now and after every step that changed it. */
  readonly state$: Observable<StateSnapshot>;
  /** Orders rejected by {@link guard} or by the `orders$` connected with {@link connect}. */
  readonly rejected$: Observable<Rejection>;
  /** Every order decision (allowed or not), for live views. */
  readonly decisions$: Observable<OrderDecision>;
  /** Every accepted portfolio update, for live views. */
  readonly portfolio$: Observable<{ value: string; positions: readonly Position[]; at: number }>;
  /** Every fill reported with {@link recordFill}, for live views. */
  readonly fills$: Observable<FillReport>;
  /** Every alert delivery attempt (sent, failed, suppressed, delivery_failed); empty without alerts. */
  readonly alertAttempts$: Observable<AttemptRecord>;

  constructor(parts: RuntimeParts) {
    const core = new RuntimeCore(parts);
    this.#core = core;
    this.strategy = core.strategy;
    this.#cancels = core.cancels;
    this.#portfolio = portfolioContext(core);
    this.#unreportListenerErrors = reportListenerErrors(parts.logger);
    this.events$ = core.events$.asObservable();
    this.state$ = core.state$.asObservable();
    this.rejected$ = core.rejected$.asObservable();
    // Counts its subscribers on the core: check() tells decisions$ only when someone listens, reading one field.
    this.decisions$ = new Observable<OrderDecision>((subscriber) => {
      core.decisionWatchers++;
      const inner = core.decisions$.subscribe(subscriber);
      return () => {
        core.decisionWatchers--;
        inner.unsubscribe();
      };
    });
    this.portfolio$ = core.portfolio$.asObservable();
    this.fills$ = core.fills$.asObservable();
    this.alertAttempts$ = core.alerts ? core.alerts.attempts$ : new Subject<AttemptRecord>().asObservable();
    if (core.alerts) this.addDurableSink(core.alerts.sink);
    const { restored } = parts;
    core.step.run(() => {
      core.host.start();
      if (restored) afterRestore(core, restored);
      if (parts.failClosedReason !== null) failClosed(core, parts.failClosedReason);
      core.cluster?.attach(core.clusterPort());
    });
    core.staleWatch?.arm();
    // A timed rule restored mid-grace (a reconciliation mismatch) is due at its restored instant.
    for (const watch of core.dueWatches) watch.arm();
    // The actors may have been restored into any state: state$ starts from what they say.
    core.state$.next(stateSnapshot(this.strategy, core.gate, core.clock.now()));
    core.log.info(
      { event: 'runtime_started', strategy: this.strategy, restored: restored !== null, state: core.gate.global, config: effectiveConfig(core.settings) },
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
    const cancels = this.#cancels;
    if (cancels.idle) applyPortfolioUpdate(this.#portfolio, update);
    else this.#core.step.run(() => (applyPortfolioUpdate(this.#portfolio, update), cancels.sweep()));
  }

  /**
   * Records an error for the error-rate breaker. An unknown kind is refused with
   * {@link InvalidInputError} and still counted, as a `data_error`: an error is never dropped.
   */
  recordError(report: ErrorReport): void {
    this.#assertRunning();
    recordError(this.#core, report);
  }

  /** Reports an execution from the broker, for live views. A malformed fill is refused and counted as a `data_error`. */
  recordFill(fill: Fill): void {
    this.#assertRunning();
    const core = this.#core;
    if (this.#cancels.idle) recordFill(core, fill);
    else core.step.run(() => (recordFill(core, fill), this.#cancels.sweep()));
  }

  /**
   * Reports that an order is closed (cancelled, rejected by the broker, expired or done): what is
   * left of it open is no longer reserved against its symbol's position. Returns whether an open
   * order with that id was known. An order checked without an `id` cannot be released this way:
   * the next position report releases it.
   */
  recordOrderClosed(request: { id: string }): boolean {
    this.#assertRunning();
    const core = this.#core;
    if (this.#cancels.idle) return recordOrderClosed(core, request);
    return core.step.run(() => {
      const known = recordOrderClosed(core, request);
      this.#cancels.sweep();
      return known;
    });
  }

  /**
   * Synchronous pre-trade decision. Never throws; a malformed order is rejected with the field at fault.
   *
   * Typed callers pass an {@link Order}: a wrong side or a missing quantity is a compile error.
   * A value of static type `unknown` (parsed JSON, a queue message) is accepted by the second
   * overload and validated at run time, like every input.
   */
  check(order: Order): Decision;
  check<T>(order: T & UntypedOrder<T>): Decision;
  check(order: unknown): Decision {
    // No closure is created here (a captured variable would cost a context allocation per call),
    // and the order is read into the runtime's draft: an allowed check allocates nothing.
    const core = this.#core;
    const gate = core.gate;
    if (gate.stopped) return gate.rejection;
    // check()'s own state stays one hop from the core (it is in no step's port: only check() writes it).
    const outer = core.checking;
    core.checking = true;
    try {
      const valid = outer ? new OrderDraft() : core.draft;
      const problem = readOrderInto(order, valid, core.symbolCase);
      if (problem !== null) return rejectMalformed(core, order, problem);
      // Windows and ages run on the monotonic clock; the limits and the history read the wall clock.
      const counted = core.orderTracker !== null;
      const timed = counted || core.stale !== null;
      const mono = timed ? core.clock.monotonic() : -1; // -1: not read (the limits read it if they need it)
      // Every rule that counts submissions (order rate, …) counts this one, allowed or not.
      const raised = counted ? countOrder(core, mono) : null;
      // The dead-man's switch, noticed by check(): one subtraction.
      const staleTrip = core.stale !== null && staleDue(core, mono);
      // A trip this order caused closes the gate before the order is decided, in one step (rare).
      if (raised !== null || staleTrip) return decideSignalled(core, order, valid, mono, raised, staleTrip);
      // Pre-trade limits (when configured) after the breakers; while REDUCING, only orders that reduce.
      return decideOrder(core, order, valid, timed, mono);
    } catch (error) {
      // A bug must never let an order through: fail closed for this order and say why.
      return checkFailed(core, error);
    } finally {
      core.checking = outer;
    }
  }

  /**
   * Checks a modification of an open order (RTS 6 Art 15(1)(d): a message). Never throws. Counted
   * by every rule that observes modifications (the message-rate breaker), allowed or not; then
   * rejected while a breaker blocks (as {@link check}), `UNKNOWN_ORDER` when the runtime must know
   * the order and holds no open order with that id, `REDUCE_ONLY` in REDUCING when it raises the
   * open quantity, or by a per-order limit (`maxOrderQuantity`, `maxOrderNotional`, `priceCollar`)
   * applied to the order's symbol and side with the new quantity and price. A malformed one is
   * rejected `MALFORMED_MESSAGE` with the field at fault. docs/api.md says exactly what is checked.
   */
  checkModify(modification: OrderModification): Decision;
  checkModify(modification: unknown): Decision;
  checkModify(modification: unknown): Decision {
    return checkModify(this.#core, modification);
  }

  /**
   * Checks a cancellation of an open order. Never throws. A well-formed cancellation is always
   * allowed, whatever any breaker's state (it reduces risk), and counted by every rule that
   * observes cancellations (the message-rate breaker). A malformed one is rejected
   * `MALFORMED_MESSAGE` with the field at fault, and journaled.
   */
  checkCancel(cancellation: OrderCancellation): Decision;
  checkCancel(cancellation: unknown): Decision;
  checkCancel(cancellation: unknown): Decision {
    return checkCancel(this.#core, cancellation);
  }

  /**
   * An RxJS operator: passes allowed orders on; rejected ones go to {@link rejected$}. The source
   * must emit {@link Order}s (or a subtype, kept as `T` downstream), or be an `Observable<unknown>`
   * whose items are validated at run time.
   */
  guard<T = Order>(): OperatorFunction<T & GuardedOrder<T>, T> {
    return guardOrders<T & GuardedOrder<T>>(this, this.#core);
  }

  /**
   * Subscribes the runtime to RxJS input streams. Bad items are refused (and counted) without
   * ending the subscription. A ledger stream that errors blocks orders (fail closed).
   * Returns a function that disconnects.
   */
  connect(inputs: { ledger$?: Observable<PortfolioUpdate>; orders$?: Observable<unknown>; errors$?: Observable<ErrorReport> }): () => void {
    this.#assertRunning();
    const subs = connectInputs(this, this.#core, inputs);
    this.#subscriptions.push(...subs);
    return () => subs.forEach((s) => s.unsubscribe());
  }

  // ─────────────────────────── operator actions ───────────────────────────

  /**
   * Halts the strategy at once: pending orders are cancelled and every new order is rejected —
   * or, with `mode: 'reduceOnly'`, only orders that reduce their symbol's position pass.
   * Halting a strategy that is already halted keeps the standing halt (who, why, since) and
   * journals the repeat, unless it tightens a reduce-only halt to a full one; the answer says which.
   */
  halt(request: { operator: string; reason: string; mode?: OnTrip }): HaltOutcome {
    this.#assertRunning();
    return halt(this.#core, request);
  }

  /** The trading mode: ACTIVE, REDUCING (only risk-reducing orders pass) or HALTED, from the breakers. */
  get tradingMode(): TradingMode {
    return this.#core.gate.mode;
  }

  /**
   * Asks to reset a breaker that is not NORMAL. Returns a token that {@link confirmReset} must
   * present before it expires (60 s by default). Orders stay blocked meanwhile.
   */
  requestReset(request: { breaker: BreakerType; operator: string }): { token: string; breaker: BreakerType; expiresAt: string } {
    this.#assertRunning();
    return requestReset(this.#core, request);
  }

  /**
   * Confirms a reset. The breaker's chart decides: it returns to NORMAL only if its own
   * re-check passes (daily loss refuses while today's loss is beyond the limit); otherwise it
   * goes back to TRIPPED. A confirmed reset re-baselines the breaker's figures.
   */
  confirmReset(request: { token: string; operator: string }): ResetOutcome {
    this.#assertRunning();
    return confirmReset(this.#core, request);
  }

  /**
   * Authorises one order past one pre-trade limit (RTS 6 Art 15(6)): the next order matching
   * `order` exactly (canonical symbol, side, quantity and price) passes the limit named (config key
   * or rejection code) once, within `ttl` seconds (monotonic clock); never a breaker. Journaled
   * (`OverrideAuthorized`, then `OverrideUsed`). Throws InvalidInputError naming the field at fault.
   */
  authorizeOverride(request: OverrideRequest): OverrideGrant;
  authorizeOverride(request: unknown): OverrideGrant;
  authorizeOverride(request: unknown): OverrideGrant {
    this.#assertRunning();
    return authorizeOverride(this.#core, request);
  }

  // ─────────────────────────── observation ───────────────────────────

  /** The global state: the most severe of the breakers, from their actors. */
  get state(): BreakerState {
    return this.#core.gate.global;
  }

  /** Everything about the strategy now: states, figures, portfolio. Never throws. */
  status(): RuntimeStatus {
    const core = this.#core;
    return buildStatus({
      strategy: this.strategy,
      now: core.clock.now(),
      mono: core.clock.monotonic(),
      gate: core.gate,
      host: core.host,
      figures: core.figures,
      positions: core.held.positions,
      cash: core.held.cash,
      settings: core.settings,
      controls: core.controls,
      log: core.log,
      cancels: this.#cancels,
    });
  }

  /**
   * The strategy's recent history, for charts: the portfolio value with its high-water mark,
   * trip levels and start-of-day value (downsampled: at most about 2,000 points over two days;
   * the value at every trip, halt and reset is kept), those events as marks, and the most
   * recent order decisions, fills and errors (500 of each). Persisted in the strategy's store
   * in batches (docs/persistence.md), so it survives a restart.
   *
   * @param since - ms since the epoch, a Date or an ISO-8601 time; default: the start of the
   *   current trading day or 24 hours ago, whichever is earlier.
   * @throws {@link InvalidInputError} when `since` is not a valid time (field `since`).
   */
  history(since?: number | Date | string): StrategyHistory {
    const core = this.#core;
    const from = since === undefined ? defaultHistorySince(core.clock.now(), core.settings.marketOpen) : parseTimestamp(since, 'since');
    return core.history.view(from);
  }

  /** Reads the audit journal (every transition, trip, warning and operator action). */
  journal(query?: JournalQuery): Promise<RiskEvent[]> {
    return this.#core.store.journal(query);
  }

  /** Every recorded alert delivery attempt (sent, failed with reason, suppressed, delivery_failed). */
  alertHistory(query?: { since?: number; until?: number }): Promise<AttemptRecord[]> {
    return this.#core.alerts ? this.#core.alerts.attempts(query) : Promise.resolve([]);
  }

  /**
   * The actors' recent steps (event, state before and after; 50 per actor), from
   * XState's inspection stream: what the dashboard's offline inspector shows. `since` is a `seq`.
   */
  actorTrace(since?: number): TraceStep[] {
    return this.#core.trace.since(since);
  }

  /** The supervisor actor (its children are the breakers), for tools and inspection. */
  get actor(): Actor<typeof supervisorMachine> {
    return this.#core.host.actor;
  }

  /**
   * Resolves once everything that happened so far is durable; rejects once a write has failed.
   * The history's pending batch is written too (its failure is logged, never rejected: it is
   * not a decision input).
   */
  async flush(): Promise<void> {
    const history = this.#core.history.flush();
    await this.#core.durability.flush();
    await history;
  }

  /** Journals an alert that was given up (used by the alert manager). */
  recordAlertFailure(details: { alertId: string; target: string; reason: string }): void {
    const core = this.#core;
    if (core.gate.stopped) return;
    core.step.run(() => core.emit(RiskEventType.ALERT_FAILED, null, { ...details }));
  }

  /** Adds a sink that sees each batch of events once it is durable (alerts use this). */
  addDurableSink(sink: DurableEventSink): () => void {
    return this.#core.durability.addSink(sink);
  }

  /** Stops the runtime: unsubscribes inputs, cancels timers, writes what is pending, closes the store. */
  async stop(): Promise<void> {
    if (this.#core.gate.stopped) return;
    // A failed store must not stop the stop: what could be written was; the failure was alerted.
    await this.flush().catch(() => undefined);
    this.#cancels.stop();
    await shutDown(this.#core, this.#subscriptions, this.#unreportListenerErrors);
  }

  #assertRunning(): void {
    if (this.#core.gate.stopped) throw new ResetError(ErrorCode.RUNTIME_STOPPED, `runtime for strategy ${this.strategy} is stopped`);
  }
}
