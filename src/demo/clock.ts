import type { CancelTimer, Clock } from '../clock.ts';

/**
 * A clock whose time runs `speed` times faster than the wall clock, so windows of minutes pass
 * in seconds. Timers fire after `delay / speed` real milliseconds. Time never goes backwards.
 */
export class ScaledClock implements Clock {
  readonly speed: number;
  #origin: number;
  #realStart = performance.now();

  constructor(speed: number, origin = Date.now()) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number (got ${speed})`);
    this.speed = speed;
    this.#origin = origin;
  }

  now(): number {
    return Math.floor(this.#origin + (performance.now() - this.#realStart) * this.speed);
  }

  /** Moves simulated time forward to `at` (ignored if `at` is in the past). */
  jumpTo(at: number): void {
    if (at <= this.now()) return;
    this.#origin = at;
    this.#realStart = performance.now();
  }

  setTimer(callback: () => void, delayMs: number): CancelTimer {
    const handle = setTimeout(callback, Math.max(0, delayMs) / this.speed);
    handle.unref();
    return () => clearTimeout(handle);
  }
}
