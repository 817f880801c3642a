import { acceptedEvents } from '../../machines/charts/breakerChart.ts';
import { BreakerState, ErrorKind } from '../../machines/constants.ts';
import { BreakerType } from '../../machines/rules/registry.ts';
import { Signal } from '../../machines/figures/signal.ts';
import { REGISTRY } from '../../machines/rules/registry.ts';
import { ChartKind, type InputTracker, type RuleInput } from '../../machines/rules/rule.ts';
import { describeValue, InvalidInputError } from '../errors.ts';
import { RiskEventType, type EventDetails } from '../events.ts';
import type { Subject } from 'rxjs';
import type { Durability } from './durability.ts';
import type { Figures } from './figures.ts';
import type { Gate } from './gate.ts';
import type { HistoryRecorder } from './history/recorder.ts';
import type { DataFaultPort, GateView, HeldPortfolio, RulesPort, StalePort } from './ports.ts';
import type { StaleWatch } from './staleness.ts';
import type { PortfolioContext } from './portfolio.ts';
import type { Controls, ControlVerdict } from './controls.ts';
import type { ValidOrder } from './orderInput.ts';
import type { Decision, OrderDecision } from './types.ts';

const ALLOWED: Decision = Object.freeze({ allowed: true });

/**
 * What check()'s steps take besides the rules: the submission counters (one hop from the port,
 * see core.ts `orderTrackers`), the pre-trade controls, the history and `decisions$`.
 */
export interface CheckPort extends StalePort {
  readonly orderTrackers: readonly InputTracker[];
  readonly orderKinds: readonly BreakerType[];
  readonly orderTimed: readonly number[] | null;
  readonly orderTracker: InputTracker | null;
  readonly orderTrackerCount: number;
  readonly controls: Pick<Controls, 'decide' | 'rejected'>;
  readonly history: Pick<HistoryRecorder, 'order'>;
  readonly decisions$: Pick<Subject<OrderDecision>, 'observed' | 'next'>;
}

/** What {@link portfolioContext} builds the portfolio step's context from. */
export interface PortfolioParts extends RulesPort, DataFaultPort {
  readonly gate: GateView & Pick<Gate, 'setDataFault' | 'clearDataFault'>;
  readonly figures: Figures;
  readonly settings: { readonly maxClockSkewMs: number };
  readonly portfolio$: PortfolioContext['portfolio$'];
  readonly durability: Pick<Durability, 'countersChanged' | 'newHighWaterMark'>;
  readonly controls: Pick<Controls, 'report' | 'canonical' | 'book'>;
  readonly history: HistoryRecorder;
  /** The stale-data breaker's timer, re-armed by a fresh value. */
  readonly staleWatch: Pick<StaleWatch, 'arm'> | null;
  /** The last accepted positions and cash: written here only ({@link PortfolioContext.setPositions}, `setCash`). */
  readonly held: HeldPortfolio;
}

/** For each breaker, the states whose chart has a TRIP edge (read from the charts themselves). */
const TRIP_EDGES = new Map(
  REGISTRY.map((row) => [row.kind, new Set([...acceptedEvents(row.chart)].filter(([, events]) => events.has('TRIP')).map(([state]) => state))]),
);

/** The breakers that heal themselves (their recovery is looked at again when a fill or report may have cleared them). */
const SELF_HEALING_KINDS = new Set<BreakerType>(REGISTRY.filter((row) => row.rule.chart === ChartKind.SELF_HEALING).map((row) => row.kind));

/** Whether a breaker's chart can take a TRIP in the state the gate last saw it in. */
export function canTrip(core: { readonly gate: GateView }, kind: BreakerType): boolean {
  return TRIP_EDGES.get(kind)?.has(core.gate.views[kind].state) ?? false;
}

/** A rule's signal: TRIP goes to the chart (its guard decides), WARN is emitted while NORMAL. */
export function signal(core: RulesPort, kind: BreakerType, what: Signal, extra: EventDetails = {}): void {
  const tracker = core.figures.trackers.get(kind);
  if (!tracker) return;
  // Trackers count on the monotonic clock (ages, windows); none reads the calendar from `now`.
  const now = core.clock.monotonic();
  if (what === Signal.TRIP) {
    if (canTrip(core, kind)) core.host.send(kind, { type: 'TRIP', evidence: { ...tracker.tripEvidence(now, core.figures.value), ...extra } });
  } else if (what === Signal.WARN && core.gate.views[kind].state === BreakerState.NORMAL) {
    core.durability.countersChanged();
    core.emit(RiskEventType.WARNING, kind, { ...tracker.figures(now, core.figures.value), ...extra });
  }
}

/**
 * A counted input (a validated order, modification, cancellation, fill, report or error) for
 * every rule that observes it: each tracker counts it, and its signal becomes a step only when
 * the chart can act on it (a tripped gate stays O(1)). `mono` is the monotonic clock's reading.
 */
export function observeInput(core: RulesPort, input: RuleInput, mono: number, details: EventDetails): void {
  const observers = core.figures.observers[input.input];
  for (let i = 0; i < observers.length; i++) {
    const { kind, tracker } = observers[i]!;
    const what = tracker.observeInput(input, mono);
    core.durability.countersChanged();
    // A fill or report may clear a tripped self-healing rule at once (a fill lowers the order-to-trade ratio): look now, not at the armed time.
    if ((input.input === 'fill' || input.input === 'report') && SELF_HEALING_KINDS.has(kind) && core.gate.views[kind].state !== BreakerState.NORMAL) core.step.run(() => recover(core, kind));
    if (what === Signal.NONE) continue;
    if (what === Signal.TRIP && !canTrip(core, kind)) continue;
    if (what === Signal.WARN && core.gate.views[kind].state !== BreakerState.NORMAL) continue;
    core.step.run(() => signal(core, kind, what, details));
  }
  // Only the timed rules that observe this input re-arm (a submission does not move a reconciliation's grace).
  const timed = core.figures.timed;
  for (let i = 0; i < timed.length; i++) for (let j = 0; j < observers.length; j++) if (observers[j]!.kind === timed[i]!.kind) core.dueWatches[i]!.arm();
}

/** The input every submission is to the rules that count submissions. */
export const ORDER_INPUT: RuleInput = Object.freeze({ input: 'order' });

/**
 * A submission for every rule that counts submissions: {@link observeInput} for an order, on
 * check()'s hot path (the core's own arrays; the order's details built only for a signal).
 */
/**
 * Counts a submission for every rule that counts submissions. The signals they give are returned
 * (null: none, the usual case), not raised: check() raises them inside the step that decides the
 * order, so a listener that hears of the trip (and resets the breaker) runs only once the
 * tripping order has been decided, and rejected (PRODUCT.md: the message that trips is rejected).
 */
/** (Only when `core.orderTracker` is set.) */
export function countOrder(core: CheckPort, mono: number): [BreakerType, Signal][] | null {
  // The first rule one hop from the core, the others (if any) from the array: over many strategies each object read is a cache miss.
  const first = core.orderTracker!.observeInput(ORDER_INPUT, mono);
  let raised: [BreakerType, Signal][] | null = first === Signal.NONE ? null : [[core.orderKinds[0]!, first]];
  const count = core.orderTrackerCount;
  if (count > 1) {
    const trackers = core.orderTrackers;
    for (let i = 1; i < count; i++) {
      const what = trackers[i]!.observeInput(ORDER_INPUT, mono);
      if (what !== Signal.NONE) (raised ??= []).push([core.orderKinds[i]!, what]);
    }
  }
  core.durability.countersChanged();
  const timed = core.orderTimed;
  if (timed !== null) for (let i = 0; i < timed.length; i++) core.dueWatches[timed[i]!]!.arm();
  return raised;
}

/** Raises the signals a submission gave (see {@link countOrder}); each is a step of its own, nested in the caller's. */
export function raiseOrderSignals(core: RulesPort, raised: readonly (readonly [BreakerType, Signal])[], order: ValidOrder): void {
  for (const [kind, what] of raised) orderSignal(core, kind, what, order);
}

function orderSignal(core: RulesPort, kind: BreakerType, what: Signal, order: ValidOrder): void {
  if (what === Signal.TRIP && !canTrip(core, kind)) return;
  if (what === Signal.WARN && core.gate.views[kind].state !== BreakerState.NORMAL) return;
  const extra = orderDetails(order);
  core.step.run(() => signal(core, kind, what, extra));
}

/** What an order's signal carries: the order that made it. */
function orderDetails(order: ValidOrder): EventDetails {
  return { order: { symbol: order.symbol, side: order.side, quantity: String(order.quantity) } };
}

/** The stale-data breaker, noticed by check() while NORMAL: trips it (a step) once no value came for too long (`mono`: the monotonic clock). */
export function noticeStale(core: StalePort, mono: number): void {
  if (staleDue(core, mono)) core.step.run(() => signal(core, core.figures.staleKind!, Signal.TRIP));
}

/** Whether the stale-data breaker is NORMAL and its data is stale at `mono` (then a step must trip it). */
export function staleDue(core: StalePort, mono: number): boolean {
  const kind = core.figures.staleKind!;
  return core.gate.views[kind].state === BreakerState.NORMAL && core.stale!.holds(mono);
}

/** Tells `decisions$` about a decision, after the step. */
export function notifyDecision(core: Pick<CheckPort, 'clock' | 'step' | 'decisions$'>, order: unknown, decision: Decision): void {
  const at = core.clock.now();
  core.step.notify(() => core.decisions$.next({ order, decision, at }));
}

/** check() itself failed (a bug): the order is rejected, and the failure logged. */
export function checkFailed(core: Pick<RulesPort, 'log' | 'strategy' | 'gate'>, error: unknown): Decision {
  const message = error instanceof Error ? error.message : describeValue(error);
  core.log.error({ event: 'check_failed', strategy: core.strategy, error: message }, 'check() failed: order rejected');
  return { allowed: false, code: 'DATA_FAULT', reason: `internal error while checking the order: ${message}`, breaker: null, state: core.gate.global };
}

/** Counts an error for every rule that observes errors. */
export function countError(core: RulesPort, kind: ErrorKind, message: string): void {
  observeInput(core, { input: 'error', kind }, core.clock.monotonic(), { lastError: { kind, message: message.slice(0, 500) } });
}

/** A self-healing breaker's recovery timer: once its condition cleared, WINDOW_CLEARED then RECOVER. */
export function recover(core: RulesPort, kind: BreakerType): void {
  const tracker = core.figures.trackers.get(kind);
  if (!tracker) return;
  const evidence = tracker.recheckEvidence(core.clock.monotonic(), core.figures.value);
  const row = REGISTRY.find((r) => r.kind === kind)!;
  if (!row.rule.cleared(evidence)) return core.timers.armRecovery(kind, true);
  if (core.host.state(kind) === BreakerState.TRIPPED) core.host.send(kind, { type: 'WINDOW_CLEARED', evidence });
  if (core.host.state(kind) === BreakerState.RESETTING) core.host.send(kind, { type: 'RECOVER', evidence });
}

/** A malformed order: rejected, journalled, never counted as a submission. */
export function rejectMalformed(core: CheckPort, order: unknown, problem: InvalidInputError): Decision {
  const decision = { allowed: false as const, code: 'MALFORMED_ORDER' as const, reason: problem.message, breaker: null, state: core.gate.global };
  core.history.order(-1, null, null, null, undefined, undefined, decision);
  core.step.run(() => {
    core.emit(RiskEventType.INPUT_REJECTED, null, { input: 'order', field: problem.field, error: problem.message });
    core.log.warn({ event: 'input_rejected', strategy: core.strategy, input: 'order', error: problem.message }, 'malformed order rejected');
    if (core.decisions$.observed) {
      const at = core.clock.now();
      core.step.notify(() => core.decisions$.next({ order, decision, at }));
    }
  });
  return decision;
}

/** A refused input: logged, journalled, counted as a data_error; a bad portfolio value also blocks orders. */
export function rejectInput(core: RulesPort & DataFaultPort, input: 'portfolio' | 'error' | 'fill', error: unknown): void {
  const message = error instanceof Error ? error.message : describeValue(error);
  core.emit(RiskEventType.INPUT_REJECTED, null, { input, field: error instanceof InvalidInputError ? error.field : null, error: message });
  core.log.warn({ event: 'input_rejected', strategy: core.strategy, input, error: message }, `malformed ${input} input rejected`);
  if (input === 'portfolio') setDataFault(core, `last portfolio update was refused: ${message}`);
  countError(core, ErrorKind.DATA_ERROR, `${input}: ${message}`);
}

/** A position report older than the newest accepted one: ignored (no data fault), journaled, counted as a data_error. */
function reportIgnored(core: RulesPort, field: string, value: unknown, reason: string): void {
  core.emit(RiskEventType.INPUT_REJECTED, null, { input: 'portfolio', field, value: describeValue(value), error: reason });
  core.log.warn({ event: 'position_report_ignored', strategy: core.strategy, error: reason }, 'late position report ignored');
  countError(core, ErrorKind.DATA_ERROR, `portfolio: ${reason}`);
}

/** The data cannot be trusted: orders blocked, and no value skips the step that would clear it. */
export function setDataFault(core: DataFaultPort, reason: string): void {
  const first = core.gate.dataFault === null;
  core.gate.setDataFault(reason);
  core.figures.band = null;
  core.publishState();
  if (first) core.log.warn({ event: 'data_fault', strategy: core.strategy, reason }, 'orders blocked: data cannot be trusted');
}

/** What the portfolio step needs, built once per runtime (closures are not free on the hot path). */
export function portfolioContext(core: PortfolioParts): PortfolioContext {
  return {
    figures: core.figures,
    step: core.step,
    clock: core.clock,
    maxClockSkewMs: core.settings.maxClockSkewMs,
    portfolio$: core.portfolio$,
    newHighWaterMark: () => core.durability.newHighWaterMark(),
    countersChanged: () => core.durability.countersChanged(),
    setPositions: (positions, asOf, receivedAt) => {
      if (!core.controls.report(positions, asOf, receivedAt)) return false;
      core.held.positions = positions;
      // Every rule that observes position reports (reconciliation) sees it, symbols canonical.
      if (core.figures.observers.report.length > 0) {
        const reported = new Map<string, string>();
        for (const p of positions) reported.set(core.controls.canonical(p.symbol), String(p.quantity));
        observeInput(core, { input: 'report', positions: reported, asOf: asOf ?? receivedAt }, core.clock.monotonic(), { asOf: new Date(asOf ?? receivedAt).toISOString() });
      }
      return true;
    },
    reportIgnored: (field, value, reason) => reportIgnored(core, field, value, reason),
    reportAsOf: () => core.controls.book.reportAsOf,
    setCash: (cash) => {
      core.held.cash = cash;
    },
    history: core.history,
    fresh: () => fresh(core),
    positions: () => core.held.positions,
    rejectInput: (error) => rejectInput(core, 'portfolio', error),
    setDataFault: (reason) => setDataFault(core, reason),
    dataTrusted: () => core.gate.dataFault === null,
    clearDataFault: () => {
      const wasOpen = core.gate.open;
      core.gate.clearDataFault();
      if (core.gate.open !== wasOpen) core.publishState();
    },
    signal: (kind, what) => signal(core, kind, what),
    emit: (type, breaker, details) => core.emit(type, breaker, details),
  };
}

/** An order the breakers let through (or that must reduce, while REDUCING) meets the pre-trade controls. */
export function control(core: CheckPort, order: ValidOrder, now: number, mono = -1): Decision {
  const gate = core.gate;
  if (!gate.open && !gate.reducing) return gate.rejection;
  // `mono`: check()'s monotonic reading, or −1 when it took none (the limits read the clock only if they measure time).
  const verdict = core.controls.decide(order.id, order.symbol, order.side, order.quantity, order.price, now < 0 ? core.clock.now() : now, gate.reducing, order.qty, order.px, mono);
  return verdict === null ? ALLOWED : rejectByControl(core, order, verdict, now);
}

/** A control's rejection: no trip; counted as an order_rejected error and journalled (its own step). */
function rejectByControl(core: CheckPort, order: ValidOrder, verdict: ControlVerdict, now: number): Decision {
  const gate = core.gate;
  const decision = Object.freeze({
    allowed: false as const,
    code: verdict.code,
    reason: verdict.reason,
    breaker: verdict.code === 'REDUCE_ONLY' ? gate.rejection.breaker : null,
    state: gate.global,
    limit: verdict.limit,
  });
  core.controls.rejected(verdict, order.symbol, now);
  core.step.run(() => {
    const shown = { id: order.id ?? null, symbol: order.symbol, side: order.side, quantity: String(order.quantity), price: order.price === undefined ? null : String(order.price) };
    core.emit(RiskEventType.ORDER_REJECTED, null, { code: verdict.code, limit: verdict.limit, reason: verdict.reason, order: shown, tradingMode: gate.mode });
    core.log.info({ event: 'order_rejected', strategy: core.strategy, code: verdict.code, reason: verdict.reason }, 'order rejected by a pre-trade control');
    countError(core, ErrorKind.ORDER_REJECTED, `${verdict.code}: ${verdict.reason}`);
  });
  return decision;
}

/** A valid value arrived: a stale-data breaker that is not NORMAL recovers if the value is fresh. */
function fresh(core: PortfolioParts): void {
  const kind = core.figures.staleKind;
  if (kind === null) return;
  if (core.gate.views[kind].state !== BreakerState.NORMAL) recover(core, kind);
  if (core.gate.views[kind].state === BreakerState.NORMAL) core.staleWatch?.arm();
}
