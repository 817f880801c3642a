import { Signal } from '../../machines/figures/signal.ts';
import type { TimeTracker } from '../../machines/rules/rule.ts';
import type { CancelTimer, MonotonicClock } from '../clock.ts';

/**
 * The stale-data breaker's timer (the dead-man's switch), on the injected clock's monotonic
 * reading (a wall-clock step neither delays nor hastens it). It holds no
 * state that decides anything: when it fires it asks the rule's tracker what the time means
 * and hands a WARN or TRIP to the runtime, whose step sends it to the actor (its guard decides).
 * Nothing happens on the hot path: a fresh value only moves the time the tracker reads, and a
 * timer that fires early (a value arrived since) re-arms for the new deadline.
 */
export class StaleWatch {
  readonly #clock: MonotonicClock;
  readonly #tracker: Pick<TimeTracker, 'dueAt' | 'observe'>;
  readonly #signal: (signal: Signal) => void;
  #cancel: CancelTimer | null = null;
  #stopped = false;

  constructor(clock: MonotonicClock, tracker: Pick<TimeTracker, 'dueAt' | 'observe'>, signal: (signal: Signal) => void) {
    this.#clock = clock;
    this.#tracker = tracker;
    this.#signal = signal;
  }

  /** Arms (again) the check at the next instant the tracker could answer something new. */
  arm(): void {
    if (this.#stopped) return;
    this.#cancel?.();
    const now = this.#clock.monotonic();
    const due = this.#tracker.dueAt(now);
    // Nothing due (a timed rule with no pending grace): no timer until an input arms it again.
    if (!Number.isFinite(due)) return void (this.#cancel = null);
    this.#cancel = this.#clock.setTimer(() => this.#due(), due - now);
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
  }

  #due(): void {
    this.#cancel = null;
    if (this.#stopped) return;
    const signal = this.#tracker.observe(this.#clock.monotonic());
    // After a trip nothing is due until a fresh value arrives (the runtime re-arms then).
    if (signal !== Signal.TRIP) this.arm();
    if (signal !== Signal.NONE) this.#signal(signal);
  }
}
