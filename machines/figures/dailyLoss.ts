import { Decimal } from 'decimal.js';
import { Signal } from './signal.ts';
import { tradingDayAt, type MarketOpen, type TradingDay } from './tradingDay.ts';

/** Either a fraction of the start-of-day value (`limit`, e.g. -0.05) or a currency amount (`limitAmount`, e.g. "-5000"). */
export type DailyLossLimit = { readonly limit: Decimal.Value } | { readonly limitAmount: Decimal.Value };

export interface DailyLossFigures {
  tradingDay: string | null;
  startValue: string | null;
  value: string | null;
  pnl: string | null;
  pnlFraction: string | null;
  limit: string | null;
  limitAmount: string | null;
  tripLevel: string | null;
  nextOpenAt: number | null;
}

export interface DailyLossState {
  tradingDay: string | null;
  openAt: number | null;
  nextOpenAt: number | null;
  startValue: string | null;
  warned: boolean;
}

/** Result of one observation: did a new trading day open, and what does the value signal? */
export interface DailyLossObservation {
  opened: TradingDay | null;
  signal: Signal;
}

const NOTHING: DailyLossObservation = Object.freeze({ opened: null, signal: Signal.NONE });
const WARN: DailyLossObservation = Object.freeze({ opened: null, signal: Signal.WARN });
const TRIP: DailyLossObservation = Object.freeze({ opened: null, signal: Signal.TRIP });

/**
 * Today's loss against the first value at or after the trading day's open. Trips when
 * value ≤ start × (1 + limit) (fraction) or value ≤ start + limitAmount (currency); the levels
 * are computed once per day, so each observation is one comparison.
 */
export class DailyLossTracker {
  readonly fraction: Decimal | null;
  readonly amount: Decimal | null;
  readonly warnFraction: Decimal;
  readonly open: MarketOpen;
  #day: TradingDay | null = null;
  #start: Decimal | null = null;
  #tripLevel: Decimal | null = null;
  #warnLevel: Decimal | null = null;
  #warned = false;

  constructor(limit: DailyLossLimit, warnFraction: Decimal.Value, open: MarketOpen) {
    this.fraction = 'limit' in limit ? new Decimal(limit.limit) : null;
    this.amount = 'limitAmount' in limit ? new Decimal(limit.limitAmount) : null;
    this.warnFraction = new Decimal(warnFraction);
    this.open = open;
  }

  get startValue(): Decimal | null {
    return this.#start;
  }

  get tradingDay(): TradingDay | null {
    return this.#day;
  }

  /**
   * Feeds a value observed at instant `at`. `opened` is set when this value became the day's
   * start value (the first non-zero value at or after the open). Zero is never a start value.
   */
  observe(value: Decimal, at: number): DailyLossObservation {
    if (this.#day === null || at >= this.#day.nextOpenAt) {
      this.#day = tradingDayAt(at, this.open);
      this.#setStart(null);
    }
    const tripLevel = this.#tripLevel;
    if (tripLevel === null) {
      if (value.isZero()) return NOTHING;
      this.#setStart(value);
      return { opened: this.#day, signal: Signal.NONE };
    }
    if (value.lte(tripLevel)) {
      this.#warned = true;
      return TRIP;
    }
    if (!this.#warned && value.lte(this.#warnLevel!)) {
      this.#warned = true;
      return WARN;
    }
    return NOTHING;
  }

  /** Whether `value` is at or beyond today's limit (the re-check a confirmed reset must pass). */
  breached(value: Decimal | null): boolean {
    return value !== null && this.#tripLevel !== null && value.lte(this.#tripLevel);
  }

  #setStart(start: Decimal | null): void {
    this.#start = start;
    this.#warned = false;
    if (start === null) {
      this.#tripLevel = this.#warnLevel = null;
      return;
    }
    if (this.fraction !== null) {
      this.#tripLevel = start.times(this.fraction.plus(1));
      this.#warnLevel = start.times(this.fraction.times(this.warnFraction).plus(1));
    } else {
      this.#tripLevel = start.plus(this.amount!);
      this.#warnLevel = start.plus(this.amount!.times(this.warnFraction));
    }
  }

  /** The lowest value that can neither warn nor trip today (see DrawdownTracker.armedLevel). */
  get armedLevel(): Decimal | null {
    return this.#warned ? this.#tripLevel : this.#warnLevel;
  }

  /** The figures against the current value. */
  figures(value: Decimal | null): DailyLossFigures {
    const start = this.#start;
    return {
      tradingDay: this.#day?.day ?? null,
      startValue: start?.toString() ?? null,
      value: value?.toString() ?? null,
      pnl: start && value ? value.minus(start).toString() : null,
      pnlFraction: start && value ? value.minus(start).div(start).toSignificantDigits(8).toString() : null,
      limit: this.fraction?.toString() ?? null,
      limitAmount: this.amount?.toString() ?? null,
      tripLevel: this.#tripLevel?.toString() ?? null,
      nextOpenAt: this.#day?.nextOpenAt ?? null,
    };
  }

  save(): DailyLossState {
    return {
      tradingDay: this.#day?.day ?? null,
      openAt: this.#day?.openAt ?? null,
      nextOpenAt: this.#day?.nextOpenAt ?? null,
      startValue: this.#start?.toString() ?? null,
      warned: this.#warned,
    };
  }

  load(state: DailyLossState): void {
    this.#day =
      state.tradingDay !== null && state.openAt !== null && state.nextOpenAt !== null
        ? { day: state.tradingDay, openAt: state.openAt, nextOpenAt: state.nextOpenAt }
        : null;
    this.#setStart(state.startValue === null ? null : new Decimal(state.startValue));
    this.#warned = state.warned;
  }
}
