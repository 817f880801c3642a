import type { CancelTimer, Clock } from '../clock.ts';

/**
 * A clock whose time runs `speed` times faster than the wall clock, so windows of minutes pass
 * in seconds. Timers fire after `delay / speed` real milliseconds. Time never goes backwards.
 */
export class ScaledClock implements Clock {
  readonly speed: number;
  #origin: number;
  #realStart = performance.now();
  /** The simulated time while paused, else null. */
  #pausedAt: number | null = null;

  constructor(speed: number, origin = Date.now()) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number (got ${speed})`);
    this.speed = speed;
    this.#origin = origin;
  }

  now(): number {
    if (this.#pausedAt !== null) return this.#pausedAt;
    return Math.floor(this.#origin + (performance.now() - this.#realStart) * this.speed);
  }

  /** Simulated time never steps back (it is built on `performance.now()`): the same reading. */
  monotonic(): number {
    return this.now();
  }

  /**
   * Stops simulated time until {@link resume} (the demo holds it while it starts up, so a slow
   * start does not look like minutes of silence to the stale-data breaker). Timers still fire in
   * real time; the runtime's timers re-check the clock and re-arm.
   */
  pause(): void {
    this.#pausedAt ??= this.now();
  }

  /** Lets simulated time run again from where it stood. */
  resume(): void {
    if (this.#pausedAt === null) return;
    this.#origin = this.#pausedAt;
    this.#realStart = performance.now();
    this.#pausedAt = null;
  }

  /** Moves simulated time forward to `at` (ignored if `at` is in the past). */
  jumpTo(at: number): void {
    if (at <= this.now()) return;
    if (this.#pausedAt !== null) {
      this.#pausedAt = at;
      return;
    }
    this.#origin = at;
    this.#realStart = performance.now();
  }

  setTimer(callback: () => void, delayMs: number): CancelTimer {
    const handle = setTimeout(callback, Math.max(0, delayMs) / this.speed);
    handle.unref();
    return () => clearTimeout(handle);
  }
}
