import type { BreakerContext } from '../../machines/charts/breakerChart.ts';
import { BreakerState, TradingMode } from '../../machines/constants.ts';
import { AUTO_RESET_OPERATOR } from '../../machines/rules/autoReset.ts';
import { type BreakerType } from '../../machines/rules/registry.ts';
import { RiskEventType, type EventDetails } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { Gate } from './gate.ts';
import type { StepRunner } from './step.ts';

/** How the recorder reaches the rest of the runtime. */
export interface TransitionSink {
  emit(type: RiskEventType, breaker: BreakerType | null, details: EventDetails, operator?: string): void;
  /** The global state or a breaker state changed: publish `state$` after the step. */
  stateChanged(): void;
  /** A breaker's snapshot changed (timers derived from snapshots re-arm here). */
  snapshotSeen(kind: BreakerType, state: BreakerState, context: BreakerContext): void;
}

/**
 * Turns what the actors publish into the gate's cache, the journal and the step's cancels.
 * Called synchronously from the actors' subscriptions; it never calls out (no listener, no
 * broker port): those run after the step.
 */
export class TransitionRecorder {
  readonly #causes = new Map<BreakerType, BreakerContext['cause'] | undefined>();
  readonly #gate: Gate;
  readonly #step: StepRunner;
  readonly #log: Logger;
  readonly #strategy: string;
  readonly #now: () => number;
  readonly #sink: TransitionSink;

  constructor(deps: { gate: Gate; step: StepRunner; log: Logger; strategy: string; now: () => number; sink: TransitionSink }) {
    this.#gate = deps.gate;
    this.#step = deps.step;
    this.#log = deps.log;
    this.#strategy = deps.strategy;
    this.#now = deps.now;
    this.#sink = deps.sink;
  }

  /** An actor's snapshot: update the gate, and journal the transition it shows, if any. */
  snapshot(kind: BreakerType, to: BreakerState, context: BreakerContext): void {
    const globalBefore = this.#gate.global;
    const modeBefore = this.#gate.mode;
    const from = this.#gate.observe(kind, to, to === BreakerState.NORMAL ? null : context.reason, this.#now(), context.haltMode ?? null);
    const seen = this.#causes.has(kind);
    const previousCause = this.#causes.get(kind);
    this.#causes.set(kind, context.cause);
    this.#sink.snapshotSeen(kind, to, context);
    // The first snapshot of an actor (start, restore, restart) is not a transition.
    if (!seen || (previousCause === context.cause && from === to)) return;
    this.#record(kind, from, to, context);
    if (from !== to) this.#sink.stateChanged();
    const globalAfter = this.#gate.global;
    if (globalAfter !== globalBefore) {
      this.#sink.emit(RiskEventType.STATE_CHANGED, null, { from: globalBefore, to: globalAfter });
      this.#log.info({ event: 'transition', strategy: this.#strategy, breaker: null, from: globalBefore, to: globalAfter }, `global: ${globalBefore} -> ${globalAfter}`);
    }
    const modeAfter = this.#gate.mode;
    // ACTIVE ↔ HALTED is told by the global StateChanged as before; entering or leaving REDUCING has its own event.
    if (modeAfter !== modeBefore && (modeAfter === TradingMode.REDUCING || modeBefore === TradingMode.REDUCING)) {
      if (from === to) this.#sink.stateChanged();
      this.#sink.emit(RiskEventType.TRADING_MODE_CHANGED, null, { from: modeBefore, to: modeAfter, breaker: kind });
      this.#log.info({ event: 'trading_mode', strategy: this.#strategy, from: modeBefore, to: modeAfter }, `trading mode: ${modeBefore} -> ${modeAfter}`);
    }
  }

  /** The first snapshot of a restarted actor must be taken as a first one again only if its cause changed. */
  forget(kind: BreakerType): void {
    this.#causes.delete(kind);
  }

  #record(kind: BreakerType, from: BreakerState, to: BreakerState, context: BreakerContext): void {
    const cause = context.cause;
    const type = cause?.type ?? 'UNKNOWN';
    const emit = this.#sink.emit;
    this.#log.info({ event: 'transition', strategy: this.#strategy, breaker: kind, from, to, cause: type }, `${kind}: ${from} -> ${to}`);
    if (from !== to) emit(RiskEventType.STATE_CHANGED, kind, { from, to, cause: type });
    if (!cause) return;
    const operator = cause.operator ?? undefined;
    // The reset policy's own request and confirmation are journaled once, as AutoReset (autoReset.ts), never as a person's reset.
    if (operator === AUTO_RESET_OPERATOR && (cause.type === 'REQUEST_RESET' || cause.type === 'CONFIRM_RESET')) return;
    switch (cause.type) {
      case 'TRIP': {
        const reason = cause.reason ?? 'tripped';
        emit(RiskEventType.TRIPPED, kind, { ...(cause.evidence ?? {}), reason, onTrip: this.#gate.isReduceOnly(kind) ? 'reduceOnly' : 'halt', tradingMode: this.#gate.mode });
        this.#log.warn({ event: 'trip', strategy: this.#strategy, breaker: kind, details: cause.evidence }, `${kind} TRIPPED: ${reason}`);
        this.#step.cancel({ breaker: kind, reason });
        break;
      }
      case 'HALT': {
        const reason = cause.reason ?? 'halted';
        const evidence = cause.evidence ?? {};
        const scope = evidence.scope;
        // A repeated halt leaves the standing one in force (the chart kept it); a tightening one replaced it.
        const repeat: EventDetails =
          evidence.repeated === true ? { repeated: true, standing: evidence.standing ?? null } : evidence.tightened === true ? { tightened: true, earlier: evidence.earlier ?? null } : {};
        const mode = evidence.repeated === true ? evidence.mode : (context.haltMode ?? 'halt');
        emit(RiskEventType.MANUAL_HALT, kind, { reason, from, mode: mode ?? 'halt', ...(typeof scope === 'string' ? { scope } : {}), ...repeat }, operator);
        this.#log.warn(
          { event: 'operator_action', action: evidence.repeated === true ? 'halt_repeated' : 'halt', strategy: this.#strategy, operator, reason, ...repeat },
          evidence.repeated === true ? 'strategy already halted: halt repeated, the standing halt stays' : evidence.tightened === true ? 'reduce-only halt tightened to a full halt' : 'strategy halted',
        );
        this.#step.cancel({ breaker: kind, reason });
        break;
      }
      case 'REQUEST_RESET':
        emit(RiskEventType.RESET_REQUESTED, kind, { expiresAt: cause.deadline === null ? null : new Date(cause.deadline).toISOString(), from }, operator);
        this.#log.info({ event: 'operator_action', action: 'reset_requested', strategy: this.#strategy, breaker: kind, operator }, 'reset requested');
        break;
      case 'CONFIRM_RESET':
        if (to === BreakerState.NORMAL) emit(RiskEventType.RESET_CONFIRMED, kind, { ...(cause.evidence ?? {}) }, operator);
        else emit(RiskEventType.RESET_REFUSED, kind, { ...(cause.evidence ?? {}), reason: cause.reason ?? 're-check failed' }, operator);
        this.#log.info(
          { event: 'operator_action', action: 'reset_confirmed', strategy: this.#strategy, breaker: kind, operator, outcome: to },
          to === BreakerState.NORMAL ? 'reset confirmed' : 'reset refused by re-check',
        );
        break;
      case 'RESET_EXPIRED':
        emit(RiskEventType.RESET_EXPIRED, kind, { backTo: to });
        this.#log.info({ event: 'reset_expired', strategy: this.#strategy, breaker: kind }, 'reset token expired');
        break;
      case 'LIFT':
        // A cluster scope's halt was lifted by its two-step reset (recorded at that scope).
        emit(RiskEventType.RESET_CONFIRMED, kind, { ...(cause.evidence ?? {}), from }, operator);
        this.#log.info({ event: 'scope_lifted', strategy: this.#strategy, breaker: kind, operator, scope: cause.evidence?.scope ?? null }, cause.reason ?? 'halt lifted');
        break;
      case 'WINDOW_CLEARED':
        this.#log.info({ event: 'recovering', strategy: this.#strategy, breaker: kind }, `${kind} recovering: condition cleared`);
        break;
      case 'RECOVER':
        emit(RiskEventType.RECOVERED, kind, { ...(cause.evidence ?? {}) });
        this.#log.info({ event: 'recovered', strategy: this.#strategy, breaker: kind }, `${kind} recovered: condition cleared`);
        break;
    }
  }
}
