import type { BreakerContext } from '../../machines/charts/breakerChart.ts';
import { BreakerState } from '../../machines/constants.ts';
import { type BreakerType } from '../../machines/rules/registry.ts';
import type { CancelTimer, MonotonicClock } from '../clock.ts';

/** A breaker's reset policy as the timers need it (see autoReset.ts). */
export interface AutoResetTimers {
  /** The breakers with `autoReset: { after }`, and `after` in ms. */
  readonly afterMs: ReadonlyMap<BreakerType, number>;
  /**
   * For a restored breaker: when it entered its saved state, on this process's monotonic clock
   * (its saved wall-clock "since", shifted). Read at that breaker's first snapshot only.
   */
  readonly enteredAt: ReadonlyMap<BreakerType, number>;
  /** The attempt: the breaker asks for its own reset (a step; its chart's re-check decides). */
  fire(kind: BreakerType): void;
}

/** How long a self-healing breaker whose condition still holds at its own `clearsAt` waits before the next re-check (ms). */
export const RECOVERY_RETRY_MS = 1_000;

/**
 * Timers derived from the actors' snapshots: a reset confirmation's expiry (from the deadline
 * in the actor's context), a self-healing breaker's recovery (while it is not NORMAL), and a
 * reset policy's attempt (`after` from each entry into TRIPPED, while it stays TRIPPED). They
 * hold no state that decides anything: when one fires, the runtime sends the actor an event
 * and the actor's guards decide. Both run on the clock's monotonic reading: the reset deadline
 * in the context is a wall-clock time (shown to people), so its timer is armed once, when the
 * token appears, for the time left then, and never longer than the reset timeout.
 */
export class SnapshotTimers {
  readonly #clock: MonotonicClock;
  readonly #resetTimeoutMs: number;
  readonly #expire: (kind: BreakerType, token: string) => void;
  readonly #recover: (kind: BreakerType) => void;
  readonly #recoveryAt: (kind: BreakerType, now: number) => number | null;
  readonly #selfHealing: ReadonlySet<BreakerType>;
  // Created on first use: an idle strategy holds no empty maps.
  #resets: Map<BreakerType, { token: string; cancel: CancelTimer }> | null = null;
  #recoveries: Map<BreakerType, CancelTimer> | null = null;
  readonly #auto: AutoResetTimers | null;
  readonly #autoEntered: Map<BreakerType, number> | null;
  #autoArmed: Map<BreakerType, CancelTimer> | null = null;
  /** The breakers whose last snapshot was TRIPPED (an attempt that changed nothing re-arms). */
  #tripped: Set<BreakerType> | null = null;
  #stopped = false;

  constructor(deps: {
    clock: MonotonicClock;
    /** The longest a reset confirmation may wait (a restored deadline never waits longer). */
    resetTimeoutMs: number;
    selfHealing: ReadonlySet<BreakerType>;
    expire: (kind: BreakerType, token: string) => void;
    recover: (kind: BreakerType) => void;
    recoveryAt: (kind: BreakerType, now: number) => number | null;
    autoReset?: AutoResetTimers | null;
  }) {
    this.#clock = deps.clock;
    this.#resetTimeoutMs = deps.resetTimeoutMs;
    this.#selfHealing = deps.selfHealing;
    this.#expire = deps.expire;
    this.#recover = deps.recover;
    this.#recoveryAt = deps.recoveryAt;
    this.#auto = deps.autoReset ?? null;
    this.#autoEntered = this.#auto && this.#auto.enteredAt.size > 0 ? new Map(this.#auto.enteredAt) : null;
  }

  /** Follows a breaker's snapshot. */
  sync(kind: BreakerType, state: BreakerState, context: BreakerContext): void {
    if (this.#stopped) return;
    const armed = this.#resets?.get(kind);
    const token = context.resetToken;
    if (token !== null && context.resetDeadline !== null) {
      if (armed?.token !== token) {
        armed?.cancel();
        const cancel = this.#clock.setTimer(() => {
          this.#resets?.delete(kind);
          if (!this.#stopped) this.#expire(kind, token);
        }, Math.min(context.resetDeadline - this.#clock.now(), this.#resetTimeoutMs));
        (this.#resets ??= new Map()).set(kind, { token, cancel });
      }
    } else if (armed) {
      armed.cancel();
      this.#resets?.delete(kind);
    }
    this.#syncAutoReset(kind, state);
    if (!this.#selfHealing.has(kind)) return;
    if (state === BreakerState.NORMAL) {
      this.#recoveries?.get(kind)?.();
      this.#recoveries?.delete(kind);
    } else if (!this.#recoveries?.has(kind)) {
      this.armRecovery(kind);
    }
  }

  /**
   * Arms (again) the recovery check of a self-healing breaker at the instant its condition clears.
   * `retry`: a check just found the condition still holding. A rule whose `clearsAt` still says
   * "now" then would be re-checked at the same instant for ever (a rule bug): it is re-checked
   * {@link RECOVERY_RETRY_MS} later instead, and stays blocked meanwhile (fail closed).
   */
  armRecovery(kind: BreakerType, retry = false): void {
    if (this.#stopped) return;
    const now = this.#clock.monotonic();
    let at = this.#recoveryAt(kind, now) ?? now;
    if (retry && at <= now) at = now + RECOVERY_RETRY_MS;
    this.#recoveries?.get(kind)?.();
    // Infinity: the breaker recovers on an input, not at a time (stale data: when a fresh value arrives).
    if (at === Infinity) return void this.#recoveries?.delete(kind);
    (this.#recoveries ??= new Map()).set(
      kind,
      this.#clock.setTimer(() => {
        this.#recoveries?.delete(kind);
        if (!this.#stopped) this.#recover(kind);
      }, at - now),
    );
  }

  /**
   * A reset policy's attempt is armed while the breaker is TRIPPED: `after` from the snapshot that
   * showed it enter TRIPPED (a refused attempt enters TRIPPED again, so the next is `after` later),
   * or, for a breaker restored TRIPPED, the time left since it entered (at once when it has run out).
   */
  #syncAutoReset(kind: BreakerType, state: BreakerState): void {
    const after = this.#auto?.afterMs.get(kind);
    const restored = this.#autoEntered?.get(kind);
    this.#autoEntered?.delete(kind);
    if (after === undefined) return;
    if (state !== BreakerState.TRIPPED) {
      this.#tripped?.delete(kind);
      this.#autoArmed?.get(kind)?.();
      this.#autoArmed?.delete(kind);
      return;
    }
    (this.#tripped ??= new Set()).add(kind);
    if (this.#autoArmed?.has(kind)) return;
    const now = this.#clock.monotonic();
    this.#armAutoReset(kind, after, Math.max(0, (restored ?? now) + after - now));
  }

  #armAutoReset(kind: BreakerType, after: number, delayMs: number): void {
    (this.#autoArmed ??= new Map()).set(
      kind,
      this.#clock.setTimer(() => {
        this.#autoArmed?.delete(kind);
        if (this.#stopped) return;
        this.#auto!.fire(kind);
        // An attempt that moved nothing (the chart took no token) tries again `after` later.
        if (!this.#stopped && this.#tripped?.has(kind) && !this.#autoArmed?.has(kind)) this.#armAutoReset(kind, after, after);
      }, delayMs),
    );
  }

  /** Cancels every timer (the runtime stops). */
  stop(): void {
    this.#stopped = true;
    for (const cancel of this.#autoArmed?.values() ?? []) cancel();
    this.#autoArmed?.clear();
    for (const { cancel } of this.#resets?.values() ?? []) cancel();
    for (const cancel of this.#recoveries?.values() ?? []) cancel();
    this.#resets?.clear();
    this.#recoveries?.clear();
  }
}
