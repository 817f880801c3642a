import type { Clock } from '../clock.ts';

/** The demo's simulated time as it prints it: seconds since the simulation started (`t+  15s`). */
export class SimulatedTime {
  readonly #clock: Clock;
  #start = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Makes the clock's present t+0. */
  start(): void {
    this.#start = this.#clock.now();
  }

  /** Simulated seconds from t+0 to `at` (clock ms), unrounded. */
  secondsAt(at: number): number {
    return (at - this.#start) / 1000;
  }

  /** Whole simulated seconds since t+0. */
  elapsed(): number {
    return Math.round((this.#clock.now() - this.#start) / 1000);
  }

  /** The time column of an event line, e.g. `t+  15s`. */
  stamp(): string {
    return `t+${String(Math.max(0, this.elapsed())).padStart(4)}s`;
  }
}
