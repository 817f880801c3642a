import type { BreakerContext } from '../../machines/charts/breakerChart.ts';
import { BreakerState } from '../../machines/constants.ts';
import { type BreakerType } from '../../machines/rules/registry.ts';
import type { CancelTimer, MonotonicClock } from '../clock.ts';

/**
 * Timers derived from the actors' snapshots: a reset confirmation's expiry (from the deadline
 * in the actor's context) and a self-healing breaker's recovery (while it is not NORMAL). They
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
  readonly #resets = new Map<BreakerType, { token: string; cancel: CancelTimer }>();
  readonly #recoveries = new Map<BreakerType, CancelTimer>();
  #stopped = false;

  constructor(deps: {
    clock: MonotonicClock;
    /** The longest a reset confirmation may wait (a restored deadline never waits longer). */
    resetTimeoutMs: number;
    selfHealing: ReadonlySet<BreakerType>;
    expire: (kind: BreakerType, token: string) => void;
    recover: (kind: BreakerType) => void;
    recoveryAt: (kind: BreakerType, now: number) => number | null;
  }) {
    this.#clock = deps.clock;
    this.#resetTimeoutMs = deps.resetTimeoutMs;
    this.#selfHealing = deps.selfHealing;
    this.#expire = deps.expire;
    this.#recover = deps.recover;
    this.#recoveryAt = deps.recoveryAt;
  }

  /** Follows a breaker's snapshot. */
  sync(kind: BreakerType, state: BreakerState, context: BreakerContext): void {
    if (this.#stopped) return;
    const armed = this.#resets.get(kind);
    const token = context.resetToken;
    if (token !== null && context.resetDeadline !== null) {
      if (armed?.token !== token) {
        armed?.cancel();
        const cancel = this.#clock.setTimer(() => {
          this.#resets.delete(kind);
          if (!this.#stopped) this.#expire(kind, token);
        }, Math.min(context.resetDeadline - this.#clock.now(), this.#resetTimeoutMs));
        this.#resets.set(kind, { token, cancel });
      }
    } else if (armed) {
      armed.cancel();
      this.#resets.delete(kind);
    }
    if (!this.#selfHealing.has(kind)) return;
    if (state === BreakerState.NORMAL) {
      this.#recoveries.get(kind)?.();
      this.#recoveries.delete(kind);
    } else if (!this.#recoveries.has(kind)) {
      this.armRecovery(kind);
    }
  }

  /** Arms (again) the recovery check of a self-healing breaker at the instant its condition clears. */
  armRecovery(kind: BreakerType): void {
    if (this.#stopped) return;
    const now = this.#clock.monotonic();
    const at = this.#recoveryAt(kind, now) ?? now;
    this.#recoveries.get(kind)?.();
    // Infinity: the breaker recovers on an input, not at a time (stale data: when a fresh value arrives).
    if (at === Infinity) return void this.#recoveries.delete(kind);
    this.#recoveries.set(
      kind,
      this.#clock.setTimer(() => {
        this.#recoveries.delete(kind);
        if (!this.#stopped) this.#recover(kind);
      }, at - now),
    );
  }

  /** The pending reset expiry of a breaker (ms), for status. */
  stop(): void {
    this.#stopped = true;
    for (const { cancel } of this.#resets.values()) cancel();
    for (const cancel of this.#recoveries.values()) cancel();
    this.#resets.clear();
    this.#recoveries.clear();
  }
}
