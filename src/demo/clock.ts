import type { CancelTimer, Clock } from '../clock.ts';

/**
 * A clock whose time runs `speed` times faster than the wall clock, so windows of minutes pass
 * in seconds. Time never goes backwards. A timer waits `delay / speed` real milliseconds and then
 * fires only once the clock's reading has reached its deadline (else it waits for the rest): the
 * demo steps a paused clock, and a slow machine steps it more slowly than `speed`, so a timer
 * must not fire early in simulated time (a reset policy's 20 s would become 10). After
 * {@link release} timers fire after their real delay whatever the reading (the demo is stopping
 * and steps it no more).
 */
export class ScaledClock implements Clock {
  readonly speed: number;
  #origin: number;
  #realStart = performance.now();
  /** The simulated time while paused, else null. */
  #pausedAt: number | null = null;
  #released = false;

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

  /** From now on timers fire after their real delay, whether or not simulated time has reached them. */
  release(): void {
    this.#released = true;
  }

  setTimer(callback: () => void, delayMs: number): CancelTimer {
    const due = this.now() + Math.max(0, delayMs);
    let handle: NodeJS.Timeout;
    const arm = (realMs: number) => {
      handle = setTimeout(() => {
        const left = due - this.now();
        // Not yet in simulated time: wait for the rest (at least a few ms, not a busy loop while paused).
        if (left > 0 && !this.#released) arm(Math.max(10, left / this.speed));
        else callback();
      }, realMs);
      handle.unref();
    };
    arm(Math.max(0, delayMs) / this.speed);
    return () => clearTimeout(handle);
  }
}
