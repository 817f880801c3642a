import { BehaviorSubject, Subject } from 'rxjs';
import { BreakerState, OnTrip } from '../../machines/constants.ts';
import { AUTOMATIC_BREAKERS, BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import type { InputTracker, TimeTracker } from '../../machines/rules/rule.ts';
import { Controls } from './controls.ts';
import type { SymbolCase } from '../../machines/limits/symbol.ts';
import { StaleWatch } from './staleness.ts';
import { REGISTRY } from '../../machines/rules/registry.ts';
import { ChartKind } from '../../machines/rules/rule.ts';
import { withMonotonic, type Clock, type MonotonicClock } from '../clock.ts';
import { ActorTrace } from './trace.ts';
import type { ResolvedSettings } from '../config.ts';
import { makeEvent } from './eventLog.ts';
import { RiskEventType, type EventDetails, type RiskEvent } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { AlertPort } from './alertPort.ts';
import type { ClusterBinding, ClusterPort, OrderLease } from './clusterPort.ts';
import type { ClusterTracker } from '../../machines/rules/cluster.ts';
import { Durability } from './durability.ts';
import { Figures } from './figures.ts';
import { Gate } from './gate.ts';
import { HistoryRecorder } from './history/recorder.ts';
import type { HistoryStore } from './history/persistence.ts';
import { ActorHost, type InspectOption } from './host.ts';
import type { StrategyRecord, StrategyStore } from './persistence.ts';
import { RECORD_VERSION } from './record.ts';
import { stateSnapshot } from './status.ts';
import { OrderDraft } from './orderInput.ts';
import { StepRunner } from './step.ts';
import { SnapshotTimers } from './timers.ts';
import { autoReset, autoResetTimers } from './autoReset.ts';
import type { BrokerPort } from './cancel.ts';
import { CancelConfirmations } from './cancelConfirm.ts';
import { actorFailed, cancelAllOrders, listenerFailed, storeFailed, supervisorFailed, type StoreFailure } from './faults.ts';
import type { HeldPortfolio } from './ports.ts';
import { recover, signal } from './signals.ts';
import { TransitionRecorder } from './transitions.ts';
import type { FillReport, OrderDecision, Position, Rejection, StateSnapshot } from './types.ts';

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
  alerts?: AlertPort;
  /** The cluster membership (src/cluster), when the `cluster` option is set. */
  cluster?: ClusterBinding | null;
  /** Where the history persists (null: memory only) and what it held at start. */
  history?: { readonly store: HistoryStore | null; readonly stored: readonly (readonly [string, string])[] };
}

/** Breakers whose chart heals itself (read from the registry). */
const SELF_HEALING = new Set<BreakerType>(REGISTRY.filter((row) => row.rule.chart === ChartKind.SELF_HEALING).map((row) => row.kind));

/**
 * One strategy's runtime parts, wired: the gate, the step runner, the rules' figures, the actor
 * host, the snapshot-derived timers, the durable pipeline and the outward subjects. The façade
 * (runtime.ts) calls the step modules with it; each step module takes its own narrow port
 * (ports.ts; docs/architecture.md, "Ports"), which the core satisfies structurally. The parts'
 * callbacks (a trip's cancel, a failed actor or store, a timer's signal) call the fault and rule
 * steps directly: nothing is set after construction.
 */
export class RuntimeCore {
  // check()'s fields first and side by side: V8 lays a class's fields out in the order they are
  // declared, and over many strategies each cache line the hot path reads is a miss
  // (bench/memory.ts, the round robin over 1,000 strategies).
  readonly gate: Gate;
  /** Where check() reads its order (nothing allocated per order); see {@link checking}. */
  readonly draft = new OrderDraft();
  /**
   * A check() is deciding an order: one re-entered from a listener reads into a fresh draft.
   * Written by the façade's check() only (no step's port has it); a plain field, one hop on the hot path.
   */
  checking = false;
  /** How order symbols are compared (the controls' setting, one hop nearer). */
  readonly symbolCase: SymbolCase;
  /**
   * check()'s hot path, one hop from the core (the generic `figures.observers.order` is three):
   * the trackers of the rules that count submissions, their kinds, and which of `dueWatches`
   * a submission re-arms. Over many strategies each hop is a cache miss.
   */
  readonly orderTrackers: readonly InputTracker[];
  readonly orderKinds: readonly BreakerType[];
  /** Which of `dueWatches` a submission re-arms, or null when none (no array to read). */
  readonly orderTimed: readonly number[] | null;
  /** The first of `orderTrackers` (most strategies count with one rule), or null: read without the array. */
  readonly orderTracker: InputTracker | null;
  readonly orderTrackerCount: number;
  /** The dead-man's switch: its figures and its timer, or null when off. */
  readonly stale: TimeTracker | null;
  /** The injected clock, with a monotonic reading for every age, deadline and window (src/clock.ts). */
  readonly clock: MonotonicClock;
  readonly durability: Durability;
  /** Whether any pre-trade limit is configured (else an allowed check builds nothing). */
  readonly limited: boolean;
  /** The firm's order budget: a local lease (one counter decrement per order), or null. */
  readonly lease: OrderLease | null;
  /** The recent history: value series, marks, orders, fills, errors (src/runtime/history). */
  readonly history: HistoryRecorder;
  readonly decisions$ = new Subject<OrderDecision>();
  /** Subscribers of the façade's `decisions$` (its subscribe and teardown keep it): check() reads this, not the subject. */
  decisionWatchers = 0;
  /** Wall − monotonic as last read, and when (monotonic): see {@link wallAt}. */
  #wallOffset = 0;
  #wallOffsetAt = -Infinity;

  readonly strategy: string;
  readonly settings: ResolvedSettings;
  readonly log: Logger;
  readonly store: StrategyStore;
  readonly broker: BrokerPort | null;
  readonly alerts: AlertPort | null;
  readonly step: StepRunner;
  readonly figures: Figures;
  readonly host: ActorHost;
  /** The actors' recent steps, from XState's inspection stream (the dashboard's inspector). */
  readonly trace: ActorTrace;
  readonly timers: SnapshotTimers;
  readonly cluster: ClusterBinding | null;
  /** Reduce-only and the pre-trade limits (docs/controls.md). */
  readonly controls: Controls;
  readonly staleWatch: StaleWatch | null;
  /** The timers of the rules that act on time as well as on inputs (a grace period), one per rule. */
  readonly dueWatches: readonly StaleWatch[];
  /** The open orders each trip's or halt's cancel must see closed (cancelConfirm.ts). */
  readonly cancels: CancelConfirmations;
  /** The last accepted positions and cash (canonical decimal text, or null): written by the portfolio step only (signals.ts `portfolioContext`). */
  readonly held: HeldPortfolio = { positions: [], cash: null };
  /** Whether a store write failure was said (StoreWriteFailed emitted once): faults.ts `storeFailed` keeps it. */
  readonly storeFailure: StoreFailure = { failed: false };

  readonly events$ = new Subject<RiskEvent>();
  readonly state$: BehaviorSubject<StateSnapshot>;
  readonly rejected$ = new Subject<Rejection>();
  readonly portfolio$ = new Subject<{ value: string; positions: readonly Position[]; at: number }>();
  readonly fills$ = new Subject<FillReport>();

  constructor(parts: RuntimeParts) {
    const { settings, restored } = parts;
    const clock = withMonotonic(parts.clock);
    this.strategy = settings.strategy;
    this.settings = settings;
    this.clock = clock;
    this.trace = new ActorTrace(clock);
    this.log = parts.logger;
    this.store = parts.store;
    this.broker = parts.broker;
    this.alerts = parts.alerts ?? null;
    this.cluster = parts.cluster ?? null;
    this.lease = this.cluster?.lease ?? null;
    const now = clock.now();
    const startMono = clock.monotonic();
    const breakers = settings.breakers as Readonly<Record<string, { readonly onTrip?: OnTrip } | null>>;
    const reduceOnly = new Set<BreakerType>(AUTOMATIC_BREAKERS.filter((kind) => breakers[kind]?.onTrip === OnTrip.REDUCE_ONLY));
    // A lost cluster link with `onDisconnect: 'reduceOnly'` lets risk-reducing orders pass.
    if (settings.cluster?.onDisconnect === 'reduceOnly') reduceOnly.add(BreakerType.CLUSTER);
    this.gate = new Gate(now, restored ? 'no portfolio value received since restart' : 'no portfolio value received yet', reduceOnly);
    this.controls = new Controls(settings.limits, settings.symbolCase, clock);
    this.symbolCase = this.controls.symbolCase;
    this.limited = settings.limits !== null;
    this.cancels = new CancelConfirmations({
      book: this.controls.book,
      clock,
      timeoutMs: settings.cancelConfirmTimeoutMs,
      step: (body) => this.step.run(body),
      emit: (type, breaker, details) => this.emit(type, breaker, details),
      stopped: () => this.gate.stopped,
    });
    this.step = new StepRunner((request) => cancelAllOrders(this, request), (error) => listenerFailed(this, error));
    this.durability = new Durability(parts.store, clock, parts.figuresDebounceMs ?? 250, {
      record: () => this.record(),
      highWaterMark: () => (this.figures.of(BreakerType.DRAWDOWN)?.save().highWaterMark as string | null | undefined) ?? null,
      onFailure: (error) => storeFailed(this, error),
    });
    this.figures = new Figures(settings, clock);
    // Saved instants are on the wall clock (a new process's monotonic origin differs): see Figures.load.
    if (restored) this.figures.load(restored.figures.trackers, restored.figures.lastTimestamp, startMono - now, startMono);
    this.stale = this.figures.staleData;
    this.history = new HistoryRecorder({
      strategy: this.strategy,
      clock,
      log: this.log,
      figures: this.figures,
      events$: this.events$,
      fills$: this.fills$,
      store: parts.history?.store ?? null,
      stored: parts.history?.stored ?? [],
    });
    if (this.stale !== null) {
      // The age counts (monotonic) from the last valid value, or from this start: nothing from before a restart is trusted.
      const figures = this.figures;
      this.stale.watch(
        () => Math.max(figures.lastMono ?? -Infinity, startMono),
        () => (figures.lastMono === null ? now : (figures.lastTimestamp ?? now)),
      );
      const kind = this.figures.staleKind!;
      this.staleWatch = new StaleWatch(clock, this.stale, (what) => this.step.run(() => signal(this, kind, what)));
    } else {
      this.staleWatch = null;
    }
    const counting = this.figures.observers.order;
    this.orderTrackers = counting.map((o) => o.tracker);
    this.orderKinds = counting.map((o) => o.kind);
    const orderTimed = this.figures.timed.flatMap((t, i) => (counting.some((o) => o.kind === t.kind) ? [i] : []));
    this.orderTimed = orderTimed.length > 0 ? orderTimed : null;
    this.orderTracker = this.orderTrackers[0] ?? null;
    this.orderTrackerCount = this.orderTrackers.length;
    this.dueWatches = this.figures.timed.map(({ kind, tracker }) => {
      const due = { dueAt: (at: number) => tracker.dueAt!(at) ?? Infinity, observe: (at: number) => tracker.observeTime!(at) };
      return new StaleWatch(clock, due, (what) => this.step.run(() => signal(this, kind, what)));
    });
    const recorder = new TransitionRecorder({
      gate: this.gate,
      step: this.step,
      log: this.log,
      strategy: this.strategy,
      now: () => this.clock.now(),
      sink: {
        emit: (type, breaker, details, operator) => this.emit(type, breaker, details, operator),
        stateChanged: () => this.publishState(),
        snapshotSeen: (kind, state, context) => {
          this.timers?.sync(kind, state, context);
          if (kind === this.figures.staleKind) {
            // While the data is stale every value is evaluated (the quiet band would skip the recovery).
            this.figures.holdBand = state !== BreakerState.NORMAL;
            if (this.figures.holdBand) this.figures.band = null;
          }
        },
      },
    });
    this.timers = new SnapshotTimers({
      clock,
      resetTimeoutMs: settings.resetTimeoutMs,
      selfHealing: SELF_HEALING,
      expire: (kind, token) => this.step.run(() => this.host.send(kind, { type: 'RESET_EXPIRED', token })),
      recover: (kind) => this.step.run(() => recover(this, kind)),
      // A counting rule clears when its window does; the time rule recovers on a fresh value (an input, not a time).
      recoveryAt: (kind, at) => (kind === this.figures.staleKind ? Infinity : ((this.figures.trackers.get(kind) as Partial<InputTracker> | undefined)?.clearsAt?.(at) ?? null)),
      autoReset: autoResetTimers(settings, restored, { now, monotonic: startMono }, (kind) => autoReset(this, kind, (breakers[kind] as { autoReset: { after: number } }).autoReset.after)),
    });
    this.host = new ActorHost({
      strategy: this.strategy,
      clock,
      maxRestarts: settings.supervision.maxRestarts,
      restartWindowMs: settings.supervision.windowMs,
      restored: restored?.supervisor ?? null,
      // Only the rules that are on get an actor at start; the others (the manual breaker until its first halt) are dormant.
      kinds: BREAKER_TYPES.filter((kind) => this.figures.trackers.has(kind)),
      inspect: this.trace.observer(parts.inspect),
      listener: {
        snapshot: (kind, state, context) => recorder.snapshot(kind, state, context),
        failed: (kind, error) => actorFailed(this, kind, error),
        supervisorFailed: (error) => supervisorFailed(this, error),
      },
    });
    this.state$ = new BehaviorSubject(stateSnapshot(this.strategy, this.gate, now));
  }

  /**
   * The wall-clock time at monotonic `mono`, the wall clock re-read at most once per second of the
   * monotonic one: check() reads one clock (each read costs as much as the rest of an allowed
   * check). Only for times shown (the history's order times): a wall step shows there within 1 s.
   */
  wallAt(mono: number): number {
    if (!(mono - this.#wallOffsetAt < 1000)) {
      this.#wallOffset = this.clock.now() - mono;
      this.#wallOffsetAt = mono;
    }
    return mono + this.#wallOffset;
  }

  /** Queues an event for the journal (this step's durable batch) and for `events$` after the step. */
  emit(type: RiskEvent['type'], breaker: BreakerType | null, details: EventDetails, operator?: string): void {
    const event = makeEvent(this.strategy, type, breaker, this.clock.now(), details, operator);
    this.durability.event(event);
    if (type !== RiskEventType.STATE_CHANGED && type !== RiskEventType.INPUT_REJECTED && type !== RiskEventType.ERROR_RECORDED) {
      this.log.info({ event: 'risk_event', strategy: this.strategy, type, breaker, operator, details }, type);
    }
    this.step.notify(() => this.events$.next(event));
  }

  /** Publishes the gate's state on `state$` after the step. */
  publishState(): void {
    const snapshot = stateSnapshot(this.strategy, this.gate, this.clock.now());
    this.step.notify(() => this.state$.next(snapshot));
  }

  /** What the cluster member may use: every cluster input runs as a step and reaches the `cluster` actor. */
  clusterPort(): ClusterPort {
    return {
      strategy: this.strategy,
      clock: this.clock,
      tracker: this.figures.trackers.get(BreakerType.CLUSTER) as ClusterTracker,
      step: (body) => (this.gate.stopped ? (undefined as never) : this.step.run(body)),
      send: (event) => this.host.send(BreakerType.CLUSTER, event),
      state: () => this.host.state(BreakerType.CLUSTER),
      context: () => this.host.snapshot(BreakerType.CLUSTER).context,
      figuresChanged: () => this.publishState(),
      events$: this.events$.asObservable(),
      portfolio$: this.portfolio$.asObservable(),
      dailyPnl: () => {
        const f = this.figures.of(BreakerType.DAILY_LOSS)?.figures(this.clock.now(), this.figures.value) as { pnl?: unknown; tradingDay?: unknown } | undefined;
        return typeof f?.pnl === 'string' ? { pnl: f.pnl, tradingDay: typeof f.tradingDay === 'string' ? f.tradingDay : null } : null;
      },
    };
  }

  /** The strategy record as it is now. */
  record(): StrategyRecord {
    return {
      version: RECORD_VERSION,
      strategy: this.strategy,
      savedAt: this.clock.now(),
      supervisor: this.host.persisted(),
      figures: {
        trackers: this.figures.save(this.clock.now() - this.clock.monotonic()),
        since: Object.fromEntries(BREAKER_TYPES.map((t) => [t, this.gate.views[t].since])),
        lastValue: this.figures.value?.toFixed() ?? null,
        lastTimestamp: this.figures.lastTimestamp,
      },
    };
  }
}
