import { z } from 'zod';
import { Exact, isDecimalText, isNonNegativeDecimalText } from '../math/exact.ts';
import { Signal } from '../figures/signal.ts';
import { SlidingWindow } from '../figures/slidingWindow.ts';
import { countWord } from '../words/rate.ts';
import { duration, money, moneyWord } from '../words/format.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type InputTracker, type Json, type RuleInput } from './rule.ts';
import { commonSettings, count, seconds } from './settings.ts';

/** Trade-losses settings: `maxLosses` losing fills within `lookback` seconds trip it (Freqtrade's StoplossGuard). */
export interface TradeLossesSettings {
  readonly maxLosses: number;
  readonly lookback: number;
  readonly warnAt: number;
}

/** Trade-losses figures: the losing fills in the lookback against the limit, and what they lost. */
export interface TradeLossesFigures {
  /** Losing fills inside the lookback now (the true count, however far past the limit). */
  count: number;
  /** The count that trips when REACHED (`maxLosses`; the window gauges show it as the limit). */
  limit: number;
  maxLosses: number;
  lookbackSeconds: number;
  /** The sum of those fills' realised P&L: exact decimal text, negative, "0" when none. */
  lossSum: string;
  warnAt: number;
  /** The count that first warns (ceil(warnAt × maxLosses); at or past maxLosses the trip comes first). */
  warnCount: number;
  warned: boolean;
  /** Milliseconds until the oldest losing fill leaves the lookback, or null when none is in it. */
  nextExpiryInMs: number | null;
}

/** True for decimal text below zero ("0" and "-0" are not a loss). */
const isLoss = (text: string): boolean => isDecimalText(text) && !isNonNegativeDecimalText(text);

/**
 * Counts losing fills (realizedPnl < 0) in the sliding lookback (t − lookback, t], each at the
 * instant it is RECORDED on the runtime's monotonic clock (a late fill counts from its arrival:
 * fail closed), tagged with its P&L text so the sum of the losses stays exact.
 */
class TradeLossesTracker implements InputTracker {
  readonly window: SlidingWindow<string>;
  readonly warnFraction: number;
  readonly warnCount: number;
  readonly rearmCount: number;
  #warned = false;

  constructor(settings: TradeLossesSettings) {
    this.window = new SlidingWindow<string>(settings.maxLosses, settings.lookback * 1000, true);
    this.warnFraction = settings.warnAt;
    // Exact: 0.07 × 100 in floating point is 7.000000000000001, whose ceiling would be 8.
    this.warnCount = Math.max(1, new Exact(settings.warnAt).times(settings.maxLosses).ceil().toNumber());
    this.rearmCount = Math.max(1, Math.floor(this.warnCount / 2));
  }

  /** A losing fill is counted: TRIP when the count reaches maxLosses, WARN when it first reaches warnCount. */
  observeInput(input: RuleInput, at: number): Signal {
    if (input.input !== 'fill' || input.realizedPnl === null || !isLoss(input.realizedPnl)) return Signal.NONE;
    const n = this.window.add(at, input.realizedPnl);
    if (n >= this.window.limit) {
      this.#warned = true;
      return Signal.TRIP;
    }
    // As the rate breakers: re-armed once the count has fallen back below half the warning level.
    if (this.#warned) {
      if (n < this.rearmCount) this.#warned = false;
      return Signal.NONE;
    }
    if (n >= this.warnCount) {
      this.#warned = true;
      return Signal.WARN;
    }
    return Signal.NONE;
  }

  // Never heals by itself: a confirmed reset (or an autoReset) clears the lookback.
  clearsAt(): null {
    return null;
  }

  /** The exact sum of the losses inside the lookback at `now`. */
  lossSum(now: number): string {
    let sum = new Exact(0);
    for (const [pnl, n] of this.window.countByTag(now)) if (pnl !== undefined) sum = sum.plus(new Exact(pnl).times(n));
    return sum.toString();
  }

  figures(now: number): Evidence {
    const expiry = this.window.nextExpiry(now);
    return {
      count: this.window.count(now),
      limit: this.window.limit,
      maxLosses: this.window.limit,
      lookbackSeconds: this.window.windowMs / 1000,
      lossSum: this.lossSum(now),
      warnAt: this.warnFraction,
      warnCount: this.warnCount,
      warned: this.#warned,
      nextExpiryInMs: expiry === null ? null : expiry - now,
    };
  }

  tripEvidence(now: number): Evidence {
    return this.figures(now);
  }

  recheckEvidence(now: number): Evidence {
    return this.figures(now);
  }

  rebaseline(): void {
    this.window.clear();
    this.#warned = false;
  }

  save(shiftMs = 0): Json {
    return { entries: this.window.entries().map((e) => ({ at: e.at + shiftMs, count: e.count, tag: e.tag ?? null })), warned: this.#warned };
  }

  /** Restores saved losses moved by `shiftMs` and capped at `notAfter` (a loss from what is now the future counts as just made). */
  load(saved: unknown, shiftMs = 0, notAfter = Infinity): void {
    const s = saved as { entries?: unknown; warned?: unknown } | null;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.entries) || typeof s.warned !== 'boolean') {
      throw new TypeError('trade losses: saved figures are malformed');
    }
    const entries = s.entries.map((e: unknown) => {
      const { at, count: n, tag } = (e ?? {}) as { at?: unknown; count?: unknown; tag?: unknown };
      if (typeof at !== 'number' || !Number.isFinite(at) || typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1e7 || typeof tag !== 'string' || !isLoss(tag)) {
        throw new TypeError('trade losses: a saved loss is malformed');
      }
      return { at: Math.min(at + shiftMs, notAfter), count: n, tag: new Exact(tag).toString() };
    });
    this.window.load(entries);
    this.#warned = s.warned;
  }
}

const reached = (e: Evidence): boolean => Number(e.count) >= Number(e.maxLosses);

/** "3 losing fills in 3600s (limit 3; losses -1,250.00)", from details that may be malformed. */
function lossesEvent(d: Evidence): string {
  return `${countWord(d.count)} losing fills in ${countWord(d.lookbackSeconds)}s (limit ${countWord(d.maxLosses)}; losses ${moneyWord(d.lossSum)})`;
}

/**
 * The trade-losses breaker's rule (as Freqtrade's StoplossGuard): the losing fill that makes the
 * count of losing fills in the lookback REACH `maxLosses` trips it (the rate breakers trip on
 * exceeding). A confirmed reset clears the lookback, so its re-check passes.
 */
export const tradeLossesRule = {
  kind: 'tradeLosses' as const,
  name: 'TRADE_LOSSES' as const,
  chart: ChartKind.AUTOMATIC,
  observes: [Observes.FILL],
  settings: {
    schema: z.strictObject({ maxLosses: count.optional(), lookback: seconds(604_800).optional(), ...commonSettings }),
    // Off unless configured: it needs fills that carry realizedPnl.
    presets: null,
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 3,
  track: (settings: TradeLossesSettings) => new TradeLossesTracker(settings),
  tripHolds: reached,
  // The reset clears the lookback (StoplossGuard's lock ends): nothing left to re-check.
  recheck: () => ({ passed: true, reason: null }),
  cleared: () => false,
  describe: (e: Evidence) =>
    `${String(e.count)} losing fills within ${String(e.lookbackSeconds)}s reach the limit of ${String(e.maxLosses)} (losses ${money(e.lossSum)})`,
  resetEffects: (f: Evidence): readonly string[] => [
    `The lookback is cleared: ${String(f.count)} losing fills counted now go to 0 (limit ${String(f.maxLosses)} in ${String(f.lookbackSeconds)} s).`,
    'The trade-losses warning is re-armed.',
  ],
  words: {
    label: 'Trade losses',
    shout: 'TRADE LOSSES',
    view: (f: TradeLossesFigures) => ({
      figure: `${f.count} / ${f.maxLosses} losing fills in ${f.lookbackSeconds} s`,
      details: [`losses ${money(f.lossSum)}`, f.nextExpiryInMs === null ? 'no losses in the lookback' : `oldest leaves the lookback in ${duration(f.nextExpiryInMs)}`],
      meter: { label: 'losing fills in the lookback', use: f.count / f.maxLosses, warnAt: f.warnAt },
    }),
    line: (f: TradeLossesFigures) =>
      `${f.count}/${f.maxLosses} losses in ${f.lookbackSeconds}s (sum ${money(f.lossSum)})${f.nextExpiryInMs === null ? '' : `, oldest leaves in ${Math.ceil(f.nextExpiryInMs / 1000)}s`}`,
    event: lossesEvent,
    recovered: (d: Evidence) => `lookback cleared (${countWord(d.count)}/${countWord(d.maxLosses)} losing fills)`,
  },
} satisfies BreakerRule<TradeLossesSettings, TradeLossesTracker, TradeLossesFigures>;

export type { TradeLossesTracker };
