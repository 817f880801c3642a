import { z } from 'zod';
import { Exact } from '../math/exact.ts';
import { describeSetting, fractionWord, money, moneyWord, percent, ratio, signedMoney, signedPercent } from '../words/format.ts';
import { Signal } from '../figures/signal.ts';
import { tradingDayAt, type MarketOpen, type TradingDay } from '../figures/tradingDay.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type QuietRange, type ValueObservation, type ValueTracker } from './rule.ts';
import { commonSettings, fraction, negativeAmount } from './settings.ts';

/** Daily-loss figures against today's start value. */
export interface DailyLossFigures {
  tradingDay: string | null;
  startValue: string | null;
  value: string | null;
  pnl: string | null;
  pnlFraction: string | null;
  limit: string | null;
  limitAmount: string | null;
  warnAt: number;
  tripLevel: string | null;
  warnLevel: string | null;
  warned: boolean;
  nextOpenAt: number | null;
}

const settingsSchema = z
  .strictObject({ limit: fraction('start-of-day value', '-0.05').optional(), limitAmount: negativeAmount.optional(), ...commonSettings })
  .superRefine((value, ctx) => {
    if (value.limit !== undefined && value.limitAmount !== undefined) {
      ctx.addIssue({ code: 'custom', message: `give either limit or limitAmount, not both (got limit ${describeSetting(value.limit)} and limitAmount ${describeSetting(value.limitAmount)})` });
    }
  });

/** Daily-loss settings: a fraction of the start-of-day value (`limit`) or a currency amount (`limitAmount`). */
export type DailyLossSettings =
  | { readonly limit: number; readonly limitAmount?: undefined; readonly warnAt: number }
  | { readonly limitAmount: string; readonly limit?: undefined; readonly warnAt: number };

const NONE: ValueObservation = Object.freeze({ signal: Signal.NONE, opened: null, baselineRefused: null });
const WARN: ValueObservation = Object.freeze({ signal: Signal.WARN, opened: null, baselineRefused: null });
const TRIP: ValueObservation = Object.freeze({ signal: Signal.TRIP, opened: null, baselineRefused: null });

/**
 * Today's loss against the start value: the first positive value at or after the trading day's
 * open. Trips when (value − start) / start ≤ limit, decided exactly as value − start ≤ limit ×
 * start, or when value − start ≤ limitAmount. Levels are computed once per day.
 */
class DailyLossTracker implements ValueTracker {
  readonly #fraction: Exact | null;
  readonly #amount: Exact | null;
  readonly #warnFraction: Exact;
  readonly #open: MarketOpen;
  #day: TradingDay | null = null;
  #start: Exact | null = null;
  #tripLevel: Exact | null = null;
  #warnLevel: Exact | null = null;
  #warned = false;

  constructor(settings: DailyLossSettings, open: MarketOpen) {
    this.#fraction = settings.limit !== undefined ? new Exact(settings.limit) : null;
    this.#amount = settings.limitAmount !== undefined ? new Exact(settings.limitAmount) : null;
    this.#warnFraction = new Exact(settings.warnAt);
    this.#open = open;
  }

  observe(value: Exact, at: number): ValueObservation {
    if (this.#day === null || at >= this.#day.nextOpenAt) {
      this.#day = tradingDayAt(at, this.#open);
      this.#setStart(null);
    }
    const tripLevel = this.#tripLevel;
    if (tripLevel === null) {
      if (!value.isPositive() || value.isZero()) return { ...NONE, baselineRefused: "the start-of-day value must be positive" };
      this.#setStart(value);
      const day = this.#day;
      return { ...NONE, opened: { tradingDay: day.day, openAt: new Date(day.openAt).toISOString(), startValue: value.toFixed() } };
    }
    if (value.lte(tripLevel)) {
      this.#warned = true;
      return TRIP;
    }
    if (!this.#warned && value.lte(this.#warnLevel!)) {
      this.#warned = true;
      return WARN;
    }
    return NONE;
  }

  quiet(): QuietRange | null {
    if (this.#day === null || this.#tripLevel === null) return null;
    const low = this.#warned ? this.#tripLevel : this.#warnLevel!;
    return { low, high: null, highValue: null, until: this.#day.nextOpenAt, acceptsNewHigh: true };
  }

  figures(_now: number, value: Exact | null): Evidence {
    const start = this.#start;
    return {
      tradingDay: this.#day?.day ?? null,
      startValue: start?.toFixed() ?? null,
      value: value?.toFixed() ?? null,
      pnl: start && value ? value.minus(start).toFixed() : null,
      pnlFraction: start && value ? value.minus(start).div(start).toSignificantDigits(8).toFixed() : null,
      limit: this.#fraction?.toFixed() ?? null,
      limitAmount: this.#amount?.toFixed() ?? null,
      warnAt: this.#warnFraction.toNumber(),
      tripLevel: this.#tripLevel?.toFixed() ?? null,
      warnLevel: this.#warnLevel?.toFixed() ?? null,
      warned: this.#warned,
      nextOpenAt: this.#day?.nextOpenAt ?? null,
    };
  }

  tripEvidence(now: number, value: Exact | null): Evidence {
    return this.figures(now, value);
  }

  recheckEvidence(now: number, value: Exact | null): Evidence {
    return this.figures(now, value);
  }

  /** A confirmed reset keeps today's start value and re-arms the warning. */
  rebaseline(): void {
    this.#warned = false;
  }

  save(): { tradingDay: string | null; openAt: number | null; nextOpenAt: number | null; startValue: string | null; warned: boolean } {
    return {
      tradingDay: this.#day?.day ?? null,
      openAt: this.#day?.openAt ?? null,
      nextOpenAt: this.#day?.nextOpenAt ?? null,
      startValue: this.#start?.toFixed() ?? null,
      warned: this.#warned,
    };
  }

  load(saved: unknown): void {
    const s = saved as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null || typeof s.warned !== 'boolean') throw new TypeError('dailyLoss: saved figures are malformed');
    const { tradingDay, openAt, nextOpenAt, startValue } = s;
    if (typeof tradingDay === 'string' && typeof openAt === 'number' && typeof nextOpenAt === 'number' && openAt < nextOpenAt) {
      this.#day = { day: tradingDay, openAt, nextOpenAt };
    } else if (tradingDay === null) this.#day = null;
    else throw new TypeError('dailyLoss: saved trading day is malformed');
    if (startValue === null) this.#setStart(null);
    else if (typeof startValue === 'string' && /^\d+(\.\d+)?$/.test(startValue) && new Exact(startValue).gt(0)) this.#setStart(new Exact(startValue));
    else throw new TypeError(`dailyLoss: saved start value is not a positive decimal (${String(startValue)})`);
    this.#warned = s.warned;
  }

  #setStart(start: Exact | null): void {
    this.#start = start;
    this.#warned = false;
    if (start === null) {
      this.#tripLevel = this.#warnLevel = null;
    } else if (this.#fraction !== null) {
      this.#tripLevel = start.plus(this.#fraction.times(start));
      this.#warnLevel = start.plus(this.#fraction.times(this.#warnFraction).times(start));
    } else {
      this.#tripLevel = start.plus(this.#amount!);
      this.#warnLevel = start.plus(this.#amount!.times(this.#warnFraction));
    }
  }
}

/** Whether the figures are at or beyond the limit, decided from the evidence alone. */
function beyondLimit(e: Evidence): boolean {
  if (e.value === null || e.startValue === null) return false;
  const value = new Exact(String(e.value));
  const start = new Exact(String(e.startValue));
  const pnl = value.minus(start);
  if (e.limit !== null) return pnl.lte(new Exact(String(e.limit)).times(start));
  return pnl.lte(new Exact(String(e.limitAmount)));
}

/** The daily-loss breaker's rule. */
export const dailyLossRule = {
  kind: 'dailyLoss' as const,
  name: 'DAILY_LOSS' as const,
  chart: ChartKind.AUTOMATIC,
  observes: [Observes.VALUE],
  settings: {
    schema: settingsSchema,
    presets: { conservative: { limit: -0.02 }, moderate: { limit: -0.05 }, aggressive: { limit: -0.1 } },
    // A new limit replaces the preset's kind of limit (limit and limitAmount exclude each other).
    replacesPreset: ['limit', 'limitAmount'],
  },
  alwaysOn: false,
  recordSince: 1,
  track: (settings: DailyLossSettings, env: { marketOpen: MarketOpen }) => new DailyLossTracker(settings, env.marketOpen),
  tripHolds: beyondLimit,
  recheck(e: Evidence) {
    if (e.value === null) return { passed: false, reason: "no portfolio value yet to re-check today's loss" };
    // No start-of-day value and a value of zero or less: passing would leave no baseline.
    if (e.startValue === null && !new Exact(String(e.value)).gt(0)) return { passed: false, reason: `the start-of-day value must be positive: no positive value since the open (value ${String(e.value)})` };
    if (beyondLimit(e)) return { passed: false, reason: `today's loss is still beyond the limit (P&L ${signedMoney(e.pnl)} from ${money(e.startValue)})` };
    return { passed: true, reason: null };
  },
  cleared: () => false,
  describe: (e: Evidence) =>
    `daily P&L ${signedMoney(e.pnl)} (${signedPercent(e.pnlFraction)}) from start ${money(e.startValue)} reached limit ${e.limit !== null && e.limit !== undefined ? percent(e.limit, 2) : money(e.limitAmount)}`,
  resetEffects(f: Evidence): readonly string[] {
    const refused = f.value === null ? "There is no value yet: the reset will be refused." : f.startValue === null && !new Exact(String(f.value)).gt(0) ? `There is no positive value since the open (value ${String(f.value)}): no start-of-day value, the reset will be refused.` : beyondLimit(f) ? `Today's loss is still beyond the limit (P&L ${signedMoney(f.pnl)}): the reset will be refused.` : "Today's loss is within the limit: the re-check passes.";
    return [refused, `The start-of-day value stays ${money(f.startValue)} and the trip level ${money(f.tripLevel)} until the next market open.`, 'The daily-loss warning is re-armed.'];
  },
  words: {
    label: 'Daily loss',
    shout: 'DAILY LOSS',
    view: (f: DailyLossFigures) => ({
      figure: f.pnl === null ? 'no value yet today' : `${signedMoney(f.pnl)} (${percent(f.pnlFraction, 2)}) today`,
      details: [`limit ${f.limit !== null ? percent(f.limit) : money(f.limitAmount)}`, `start ${money(f.startValue)}`, `trip level ${money(f.tripLevel)}`],
      meter: { label: 'Loss against the limit', use: f.limit !== null ? ratio(f.pnlFraction, f.limit) : ratio(f.pnl, f.limitAmount), warnAt: f.warnAt },
    }),
    line: (f: DailyLossFigures) =>
      `P&L ${money(f.pnl)} (${signedPercent(f.pnlFraction)}) since ${f.tradingDay ?? '–'} open at ${money(f.startValue)}; limit ${f.limit !== null ? signedPercent(f.limit) : money(f.limitAmount)}`,
    event: (d: Evidence) => {
      const pct = d.pnlFraction !== undefined ? ` (${fractionWord(d.pnlFraction)})` : '';
      const limit = d.limitAmount !== undefined && d.limitAmount !== null ? moneyWord(d.limitAmount) : d.limit !== undefined && d.limit !== null ? fractionWord(d.limit) : null;
      return `P&L ${moneyWord(d.pnl)}${pct} since open ${moneyWord(d.startValue)}${limit ? `, limit ${limit}` : ''}`;
    },
    recovered: () => 'recovered',
  },
} satisfies BreakerRule<DailyLossSettings, DailyLossTracker, DailyLossFigures>;

export type { DailyLossTracker };
