/** A handle returned by {@link Clock.setTimer}; call it to cancel the timer. */
export type CancelTimer = () => void;

/**
 * Where the runtime gets time from. Injected so every window, market open and expiry can be
 * tested without waiting: production uses {@link systemClock}, tests a {@link ManualClock}.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` once `delayMs` have passed on this clock. */
  setTimer(callback: () => void, delayMs: number): CancelTimer;
}

/** The wall clock and Node's timers. Timers are unref'd so they never keep a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

interface PendingTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/** A clock that only moves when told to; timers fire synchronously inside {@link advance}. */
export class ManualClock implements Clock {
  #now: number;
  #timers: PendingTimer[] = [];
  #nextId = 1;

  constructor(start: number | Date = Date.UTC(2026, 0, 5, 12, 0, 0)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): CancelTimer {
    const timer: PendingTimer = { id: this.#nextId++, dueAt: this.#now + Math.max(0, delayMs), callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== timer.id);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in due order. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Moves time forward to `at` (never backwards), firing due timers in order. */
  set(at: number | Date): void {
    const target = typeof at === 'number' ? at : at.getTime();
    if (target < this.#now) throw new RangeError(`ManualClock cannot go backwards: ${target} < ${this.#now}`);
    for (;;) {
      const due = this.#timers
        .filter((t) => t.dueAt <= target)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t.id !== due.id);
      this.#now = Math.max(this.#now, due.dueAt);
      due.callback();
    }
    this.#now = target;
  }

  /** Number of timers not yet fired (for tests). */
  get pendingTimers(): number {
    return this.#timers.length;
  }
}
