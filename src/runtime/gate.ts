import { BreakerState, OnTrip, TradingMode, severest } from '../../machines/constants.ts';
import { BREAKER_TYPES, type BreakerType } from '../../machines/rules/registry.ts';
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
  /** The halt's mode from the actor's context (manual breaker), or null: then the configured onTrip counts. */
  haltMode: OnTrip | null;
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
  readonly #reduceOnly: ReadonlySet<BreakerType>;
  open = false;
  /** Trading mode REDUCING and nothing else blocks: only risk-reducing orders pass (check() asks the controls). */
  reducing = false;
  global: BreakerState = BreakerState.NORMAL;
  /** Derived from the breakers' states (and their onTrip / halt mode) only. */
  mode: TradingMode = TradingMode.ACTIVE;
  rejection: Rejected;

  /** `reduceOnly`: the breakers configured `onTrip: 'reduceOnly'`. */
  constructor(now: number, initialDataFault: string, reduceOnly: ReadonlySet<BreakerType> = new Set()) {
    this.#reduceOnly = reduceOnly;
    this.views = Object.fromEntries(
      BREAKER_TYPES.map((t) => [t, { state: BreakerState.NORMAL, since: now, reason: null, fault: null, haltMode: null }]),
    ) as Record<BreakerType, BreakerView>;
    this.#dataFault = initialDataFault;
    this.rejection = this.#recompute();
  }

  /** Records what an actor's snapshot says; returns the state the gate had before. */
  observe(kind: BreakerType, state: BreakerState, reason: string | null, now: number, haltMode: OnTrip | null = null): BreakerState {
    const view = this.views[kind];
    const before = view.state;
    // A new state, or a halt that changed its mode (a full halt over a reduce-only one), starts a new "since".
    if (before !== state || (state !== BreakerState.NORMAL && haltMode !== view.haltMode)) view.since = now;
    view.state = state;
    view.reason = reason;
    view.fault = null;
    view.haltMode = state === BreakerState.NORMAL ? null : haltMode;
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

  /** Whether a breaker that is not NORMAL lets risk-reducing orders pass. */
  isReduceOnly(kind: BreakerType): boolean {
    const view = this.views[kind];
    return view.haltMode !== null ? view.haltMode === OnTrip.REDUCE_ONLY : this.#reduceOnly.has(kind);
  }

  #recompute(): Rejected {
    const views = this.views;
    this.global = severest(BREAKER_TYPES.map((t) => views[t].state));
    const faulted = BREAKER_TYPES.find((t) => views[t].fault !== null) ?? null;
    const halting = BREAKER_TYPES.filter((t) => views[t].state !== BreakerState.NORMAL && !this.isReduceOnly(t));
    this.mode = this.global === BreakerState.NORMAL ? TradingMode.ACTIVE : halting.length === 0 ? TradingMode.REDUCING : TradingMode.HALTED;
    const clear = !this.#stopped && faulted === null && this.#dataFault === null;
    this.open = clear && this.mode === TradingMode.ACTIVE;
    this.reducing = clear && this.mode === TradingMode.REDUCING;
    const state = this.global;
    if (this.#stopped) return freeze(RejectCode.STOPPED, 'the runtime is stopped', null, state);
    if (state !== BreakerState.NORMAL) {
      // The breaker that blocks: the most severe of those that halt (all are reduce-only while REDUCING).
      const candidates = halting.length > 0 ? halting : BREAKER_TYPES.filter((t) => views[t].state !== BreakerState.NORMAL);
      const worst = severest(candidates.map((t) => views[t].state));
      const blocking = candidates.find((t) => views[t].state === worst)!;
      const why = views[blocking].reason;
      const mode = halting.length > 0 ? '' : ' (reduce-only)';
      return freeze(RejectCode.BREAKER, `${blocking} breaker is ${worst}${mode}${why ? `: ${why}` : ''}`, blocking, state);
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
