import { Decimal } from 'decimal.js';
import { Signal } from './signal.ts';

export interface DrawdownFigures {
  highWaterMark: string | null;
  value: string | null;
  /** (value − hwm) / hwm as a decimal string, e.g. "-0.104". */
  drawdown: string | null;
  threshold: string;
  tripLevel: string | null;
  warnLevel: string | null;
}

export interface DrawdownState {
  highWaterMark: string | null;
  warned: boolean;
}

/**
 * Drawdown from the high-water mark. Trips when (value − hwm) / hwm ≤ threshold, evaluated
 * without division as value ≤ hwm × (1 + threshold); the trip and warning levels are
 * recomputed only when the high-water mark moves.
 */
export class DrawdownTracker {
  readonly threshold: Decimal;
  readonly warnFraction: Decimal;
  #hwm: Decimal | null = null;
  #tripLevel: Decimal | null = null;
  #warnLevel: Decimal | null = null;
  #warned = false;

  constructor(threshold: Decimal.Value, warnFraction: Decimal.Value) {
    this.threshold = new Decimal(threshold);
    this.warnFraction = new Decimal(warnFraction);
  }

  get highWaterMark(): Decimal | null {
    return this.#hwm;
  }

  /** Feeds a value; returns whether it warns or trips. Zero never becomes a high-water mark. */
  observe(value: Decimal): Signal {
    const tripLevel = this.#tripLevel;
    if (tripLevel === null || value.gt(this.#hwm!)) {
      if (value.isZero()) return Signal.NONE;
      this.#setHighWaterMark(value);
      return Signal.NONE;
    }
    if (value.lte(tripLevel)) {
      this.#warned = true;
      return Signal.TRIP;
    }
    if (!this.#warned && value.lte(this.#warnLevel!)) {
      this.#warned = true;
      return Signal.WARN;
    }
    return Signal.NONE;
  }

  /** Whether `value` is at or beyond the trip level against the current high-water mark. */
  breached(value: Decimal): boolean {
    return this.#tripLevel !== null && value.lte(this.#tripLevel);
  }

  /** A confirmed reset re-baselines the high-water mark to the current value. */
  rebaseline(value: Decimal | null): void {
    if (value === null || value.isZero()) {
      this.#hwm = this.#tripLevel = this.#warnLevel = null;
      this.#warned = false;
      return;
    }
    this.#setHighWaterMark(value);
  }

  #setHighWaterMark(value: Decimal): void {
    this.#hwm = value;
    this.#tripLevel = value.times(this.threshold.plus(1));
    this.#warnLevel = value.times(this.threshold.times(this.warnFraction).plus(1));
    this.#warned = false;
  }

  /**
   * The lowest value that can neither warn nor trip: the warning level until it has warned, then
   * the trip level. Null while there is no high-water mark.
   */
  get armedLevel(): Decimal | null {
    return this.#warned ? this.#tripLevel : this.#warnLevel;
  }

  /** The figures against the current value. */
  figures(value: Decimal | null): DrawdownFigures {
    const hwm = this.#hwm;
    return {
      highWaterMark: hwm?.toString() ?? null,
      value: value?.toString() ?? null,
      drawdown: hwm && value ? value.minus(hwm).div(hwm).toSignificantDigits(8).toString() : null,
      threshold: this.threshold.toString(),
      tripLevel: this.#tripLevel?.toString() ?? null,
      warnLevel: this.#warnLevel?.toString() ?? null,
    };
  }

  save(): DrawdownState {
    return { highWaterMark: this.#hwm?.toString() ?? null, warned: this.#warned };
  }

  load(state: DrawdownState): void {
    if (state.highWaterMark === null) this.rebaseline(null);
    else this.#setHighWaterMark(new Decimal(state.highWaterMark));
    this.#warned = state.warned;
  }
}
