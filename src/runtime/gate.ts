import { BREAKER_TYPES, BreakerState, type BreakerType, severest } from '../../machines/constants.ts';
import { RejectCode, type Decision } from './types.ts';

export type Rejected = Extract<Decision, { allowed: false }>;

/** What the gate knows of one breaker: only what its actor's snapshots said. */
export interface BreakerView {
  state: BreakerState;
  /** When the gate first saw the current state (ms); for display. */
  since: number;
  /** Why the breaker is not NORMAL, from the actor's context. */
  reason: string | null;
  /** Set while the actor has failed and is being restarted: orders are blocked meanwhile. */
  fault: string | null;
}

/**
 * The order gate: a cache written only from the breaker actors' synchronous snapshot
 * subscriptions, plus the runtime's own fault flags (bad data, runtime stopped). `check()`
 * reads `open` and `rejection`; both are recomputed only when something they depend on changes.
 */
export class Gate {
  readonly views: Record<BreakerType, BreakerView>;
  #dataFault: string | null;
  #awaitingFirstValue = true;
  #stopped = false;
  open = false;
  global: BreakerState = BreakerState.NORMAL;
  rejection: Rejected;

  constructor(now: number, initialDataFault: string) {
    this.views = Object.fromEntries(
      BREAKER_TYPES.map((t) => [t, { state: BreakerState.NORMAL, since: now, reason: null, fault: null }]),
    ) as Record<BreakerType, BreakerView>;
    this.#dataFault = initialDataFault;
    this.rejection = this.#recompute();
  }

  /** Records what an actor's snapshot says; returns the state the gate had before. */
  observe(kind: BreakerType, state: BreakerState, reason: string | null, now: number): BreakerState {
    const view = this.views[kind];
    const before = view.state;
    if (before !== state) view.since = now;
    view.state = state;
    view.reason = reason;
    view.fault = null;
    this.rejection = this.#recompute();
    return before;
  }

  /** An actor failed: its breaker blocks orders until a restarted actor reports. */
  fault(kind: BreakerType, reason: string): void {
    this.views[kind].fault = reason;
    this.rejection = this.#recompute();
  }

  get dataFault(): string | null {
    return this.#dataFault;
  }

  get awaitingFirstValue(): boolean {
    return this.#awaitingFirstValue;
  }

  setDataFault(reason: string): void {
    this.#dataFault = reason;
    this.rejection = this.#recompute();
  }

  /** A valid value was accepted: the data can be trusted again. */
  clearDataFault(): void {
    this.#awaitingFirstValue = false;
    if (this.#dataFault === null) return;
    this.#dataFault = null;
    this.rejection = this.#recompute();
  }

  stop(): void {
    this.#stopped = true;
    this.rejection = this.#recompute();
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  #recompute(): Rejected {
    const views = this.views;
    this.global = severest(BREAKER_TYPES.map((t) => views[t].state));
    const faulted = BREAKER_TYPES.find((t) => views[t].fault !== null) ?? null;
    this.open = !this.#stopped && faulted === null && this.global === BreakerState.NORMAL && this.#dataFault === null;
    const state = this.global;
    if (this.#stopped) return freeze(RejectCode.STOPPED, 'the runtime is stopped', null, state);
    if (state !== BreakerState.NORMAL) {
      const blocking = BREAKER_TYPES.find((t) => views[t].state === state)!;
      const why = views[blocking].reason;
      return freeze(RejectCode.BREAKER, `${blocking} breaker is ${state}${why ? `: ${why}` : ''}`, blocking, state);
    }
    if (faulted !== null) {
      return freeze(RejectCode.ACTOR_FAULT, `the ${faulted} breaker's actor failed and is being restarted: ${views[faulted].fault}`, faulted, state);
    }
    return freeze(
      this.#awaitingFirstValue ? RejectCode.NO_PORTFOLIO : RejectCode.DATA_FAULT,
      `trading is blocked until the data can be trusted: ${this.#dataFault ?? 'unknown'}`,
      null,
      state,
    );
  }
}

const freeze = (code: RejectCode, reason: string, breaker: BreakerType | null, state: BreakerState): Rejected =>
  Object.freeze({ allowed: false, code, reason, breaker, state });
