/** A handle returned by {@link Clock.setTimer}; call it to cancel the timer. */
export type CancelTimer = () => void;

/**
 * Where the runtime gets time from. Injected so every window, market open and expiry can be
 * tested without waiting: production uses {@link systemClock}, tests a {@link ManualClock}.
 *
 * Two readings: {@link now} is the wall clock, for calendar facts (market opens, trading days,
 * timestamps shown to people, the skew check of input timestamps); {@link monotonic} is for
 * every age, deadline and window (stale data, order and error windows, alert budgets), so a
 * wall-clock step (NTP, a resumed VM) never delays or hastens a trip.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (the wall clock: it may step backwards or forwards). */
  now(): number;
  /**
   * Milliseconds on a clock that never goes backwards and is not moved by wall-clock steps (any
   * origin; only differences count). Optional so clocks written before it still work: without
   * it the runtime reads the highest `now()` seen so far, which cannot tell a step back from time
   * standing still (ages stop growing until the wall clock catches up). Implement it.
   */
  monotonic?(): number;
  /** Runs `callback` once `delayMs` have passed on this clock's monotonic reading. */
  setTimer(callback: () => void, delayMs: number): CancelTimer;
}

/** A {@link Clock} whose monotonic reading is always there (what the runtime works with). */
export interface MonotonicClock extends Clock {
  monotonic(): number;
}

/** Read once: the getter costs as much as the clock read itself. */
const TIME_ORIGIN = performance.timeOrigin;

/**
 * The wall clock and Node's timers (which run on a monotonic clock). The monotonic reading is
 * `performance.timeOrigin + performance.now()`: it starts near the wall time of the process's
 * start and only moves forward. Timers are unref'd so they never keep a process alive.
 */
export const systemClock: MonotonicClock = {
  now: () => Date.now(),
  monotonic: () => TIME_ORIGIN + performance.now(),
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

const wrapped = new WeakMap<Clock, MonotonicClock>();

/**
 * The clock with a monotonic reading: itself when it has one, else (once per clock, so every
 * reader shares one view) a wrapper whose monotonic reading is the highest `now()` seen.
 */
export function withMonotonic(clock: Clock): MonotonicClock {
  if (typeof clock.monotonic === 'function') return clock as MonotonicClock;
  let known = wrapped.get(clock);
  if (known === undefined) {
    let highest = -Infinity;
    known = {
      now: () => clock.now(),
      monotonic: () => (highest = Math.max(highest, clock.now())),
      setTimer: (callback, delayMs) => clock.setTimer(callback, delayMs),
    };
    wrapped.set(clock, known);
  }
  return known;
}

interface PendingTimer {
  readonly id: number;
  /** On the monotonic reading. */
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to; timers fire synchronously inside {@link advance} and
 * {@link set}, on the monotonic reading. Both readings start at `start`; {@link advance} and
 * {@link set} move both, {@link stepWall} moves the wall clock alone (as NTP or a resumed VM does).
 */
export class ManualClock implements MonotonicClock {
  #wall: number;
  #mono: number;
  #timers: PendingTimer[] = [];
  #nextId = 1;

  constructor(start: number | Date = Date.UTC(2026, 0, 5, 12, 0, 0)) {
    this.#wall = typeof start === 'number' ? start : start.getTime();
    this.#mono = this.#wall;
  }

  now(): number {
    return this.#wall;
  }

  monotonic(): number {
    return this.#mono;
  }

  setTimer(callback: () => void, delayMs: number): CancelTimer {
    const timer: PendingTimer = { id: this.#nextId++, dueAt: this.#mono + Math.max(0, delayMs), callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== timer.id);
    };
  }

  /** Moves both readings forward by `ms`, firing every timer that falls due, in due order. */
  advance(ms: number): void {
    this.set(this.#wall + ms);
  }

  /** Moves the wall clock forward to `at` (never backwards) and the monotonic reading by as much, firing due timers in order. */
  set(at: number | Date): void {
    const target = typeof at === 'number' ? at : at.getTime();
    if (!(target >= this.#wall)) throw new RangeError(`ManualClock cannot go backwards: ${target} < ${this.#wall}`);
    const monoTarget = this.#mono + (target - this.#wall);
    for (;;) {
      const due = this.#timers
        .filter((t) => t.dueAt <= monoTarget)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t.id !== due.id);
      if (due.dueAt > this.#mono) {
        this.#wall += due.dueAt - this.#mono;
        this.#mono = due.dueAt;
      }
      due.callback();
    }
    this.#wall = target;
    this.#mono = monoTarget;
  }

  /**
   * Steps the wall clock alone by `ms` (negative: backwards), as NTP or a resumed VM does. The
   * monotonic reading does not move, so no timer fires and no age, deadline or window changes.
   */
  stepWall(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`ManualClock.stepWall needs a finite number of ms (got ${ms})`);
    this.#wall += ms;
  }

  /** Number of timers not yet fired (for tests). */
  get pendingTimers(): number {
    return this.#timers.length;
  }
}
