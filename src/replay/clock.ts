import type { CancelTimer, Clock } from '../clock.ts';

interface Timer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * The replay's simulated clock: like {@link ManualClock} (only moves when set, fires due timers
 * in order inside {@link set}), with a cheap {@link set} when no timer is due, which is almost
 * every row of a replay.
 */
export class ReplayClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #nextDue = Infinity;
  #nextId = 1;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** A replay's time only moves forward (rows in order): the same reading. */
  monotonic(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): CancelTimer {
    const timer: Timer = { id: this.#nextId++, dueAt: this.#now + Math.max(0, delayMs), callback };
    this.#timers.push(timer);
    if (timer.dueAt < this.#nextDue) this.#nextDue = timer.dueAt;
    return () => {
      const i = this.#timers.indexOf(timer);
      if (i >= 0) {
        this.#timers.splice(i, 1);
        this.#recomputeDue();
      }
    };
  }

  /** Moves time forward to `at` (never backwards), firing due timers in due order. */
  set(at: number): void {
    if (at < this.#now) throw new RangeError(`ReplayClock cannot go backwards: ${at} < ${this.#now}`);
    while (this.#nextDue <= at) {
      let first = 0;
      for (let i = 1; i < this.#timers.length; i++) {
        const t = this.#timers[i]!;
        const f = this.#timers[first]!;
        if (t.dueAt < f.dueAt || (t.dueAt === f.dueAt && t.id < f.id)) first = i;
      }
      const [due] = this.#timers.splice(first, 1);
      this.#recomputeDue();
      this.#now = Math.max(this.#now, due!.dueAt);
      due!.callback();
    }
    this.#now = at;
  }

  #recomputeDue(): void {
    let due = Infinity;
    for (const t of this.#timers) if (t.dueAt < due) due = t.dueAt;
    this.#nextDue = due;
  }
}
