import { z } from 'zod';
import { Exact } from '../math/exact.ts';
import { fractionWord, money, moneyWord, percent, ratio, signedPercent } from '../words/format.ts';
import { Signal } from '../figures/signal.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type QuietRange, type ValueObservation, type ValueTracker } from './rule.ts';
import { commonSettings, fraction } from './settings.ts';

/** Drawdown settings: `threshold` is a negative fraction of the high-water mark. */
/** Drawdown figures: money as decimal strings, exact. */
export interface DrawdownFigures {
  highWaterMark: string | null;
  value: string | null;
  /** (value − hwm) / hwm to 8 significant digits, e.g. "-0.104". */
  drawdown: string | null;
  threshold: string;
  warnAt: number;
  tripLevel: string | null;
  warnLevel: string | null;
  warned: boolean;
}

export interface DrawdownSettings {
  readonly threshold: number;
  readonly warnAt: number;
}

const NONE: ValueObservation = Object.freeze({ signal: Signal.NONE, opened: null, baselineRefused: null });
const WARN: ValueObservation = Object.freeze({ signal: Signal.WARN, opened: null, baselineRefused: null });
const TRIP: ValueObservation = Object.freeze({ signal: Signal.TRIP, opened: null, baselineRefused: null });

/**
 * Drawdown from the high-water mark (the highest value seen). Trips when
 * (value − hwm) / hwm ≤ threshold, decided exactly as value − hwm ≤ threshold × hwm (no
 * division, no rounding: inputs are bounded to 34 digits and the private Decimal has room for
 * every product). A confirmed reset re-baselines the high-water mark to the current value, and
 * is refused when that value is zero or less (a baseline is always positive).
 * Levels are computed lazily, so a market that sets a new high on every tick costs no arithmetic.
 */
class DrawdownTracker implements ValueTracker {
  readonly #threshold: Exact;
  readonly #warnFraction: Exact;
  #hwmText: string | null = null;
  #hwm: Exact | null = null;
  #tripLevel: Exact | null = null;
  #warnLevel: Exact | null = null;
  #warned = false;

  constructor(settings: DrawdownSettings) {
    this.#threshold = new Exact(settings.threshold);
    this.#warnFraction = new Exact(settings.warnAt);
  }

  observe(value: Exact, _at: number): ValueObservation {
    const hwm = this.#highWaterMark();
    if (hwm === null || value.gt(hwm)) {
      if (!value.isPositive() || value.isZero()) return hwm === null ? { ...NONE, baselineRefused: 'the high-water mark must be positive' } : NONE;
      this.#setHighWaterMark(value.toFixed(), value);
      return NONE;
    }
    this.#ensureLevels();
    if (value.lte(this.#tripLevel!)) {
      this.#warned = true;
      return TRIP;
    }
    if (!this.#warned && value.lte(this.#warnLevel!)) {
      this.#warned = true;
      return WARN;
    }
    return NONE;
  }

  /** A new high given as canonical text above the current one: no Decimal is built. */
  acceptNewHigh(text: string): void {
    this.#setHighWaterMark(text, null);
  }

  quiet(): QuietRange | null {
    if (this.#hwmText === null) return null;
    this.#ensureLevels();
    const low = this.#warned ? this.#tripLevel! : this.#warnLevel!;
    return { low, high: this.#hwmText, highValue: this.#hwm, until: Infinity, acceptsNewHigh: true };
  }

  figures(_now: number, value: Exact | null): Evidence {
    const hwm = this.#highWaterMark();
    if (hwm !== null) this.#ensureLevels();
    return {
      highWaterMark: hwm?.toFixed() ?? null,
      value: value?.toFixed() ?? null,
      drawdown: hwm && value ? value.minus(hwm).div(hwm).toSignificantDigits(8).toFixed() : null,
      threshold: this.#threshold.toFixed(),
      warnAt: this.#warnFraction.toNumber(),
      tripLevel: this.#tripLevel?.toFixed() ?? null,
      warnLevel: this.#warnLevel?.toFixed() ?? null,
      warned: this.#warned,
    };
  }

  tripEvidence(now: number, value: Exact | null): Evidence {
    return this.figures(now, value);
  }

  recheckEvidence(now: number, value: Exact | null): Evidence {
    return this.figures(now, value);
  }

  rebaseline(_now: number, value: Exact | null): void {
    if (value === null || !value.isPositive() || value.isZero()) {
      this.#hwmText = null;
      this.#hwm = this.#tripLevel = this.#warnLevel = null;
      this.#warned = false;
      return;
    }
    this.#setHighWaterMark(value.toFixed(), value);
  }

  save(): { highWaterMark: string | null; warned: boolean } {
    return { highWaterMark: this.#hwmText, warned: this.#warned };
  }

  load(saved: unknown): void {
    const s = saved as { highWaterMark?: unknown; warned?: unknown } | null;
    if (typeof s !== 'object' || s === null || typeof s.warned !== 'boolean') throw new TypeError('drawdown: saved figures are malformed');
    if (s.highWaterMark === null) this.rebaseline(0, null);
    else if (typeof s.highWaterMark === 'string' && /^\d+(\.\d+)?$/.test(s.highWaterMark) && new Exact(s.highWaterMark).gt(0)) {
      this.#setHighWaterMark(s.highWaterMark, null);
    } else throw new TypeError(`drawdown: saved high-water mark is not a positive decimal (${String(s.highWaterMark)})`);
    this.#warned = s.warned;
  }

  #highWaterMark(): Exact | null {
    if (this.#hwm === null && this.#hwmText !== null) this.#hwm = new Exact(this.#hwmText);
    return this.#hwm;
  }

  #setHighWaterMark(text: string, value: Exact | null): void {
    this.#hwmText = text;
    this.#hwm = value;
    this.#tripLevel = this.#warnLevel = null;
    this.#warned = false;
  }

  #ensureLevels(): void {
    if (this.#tripLevel !== null) return;
    const hwm = this.#highWaterMark()!;
    this.#tripLevel = hwm.plus(this.#threshold.times(hwm));
    this.#warnLevel = hwm.plus(this.#threshold.times(this.#warnFraction).times(hwm));
  }
}

const str = (e: Evidence, key: string): Exact => new Exact(String(e[key]));

/** Whether evidence text is a decimal above zero; anything unreadable is not. */
function positive(text: unknown): boolean {
  try {
    return new Exact(String(text)).gt(0);
  } catch {
    return false;
  }
}

/** The drawdown breaker's rule. */
export const drawdownRule = {
  kind: 'drawdown' as const,
  name: 'DRAWDOWN' as const,
  chart: ChartKind.AUTOMATIC,
  observes: [Observes.VALUE],
  settings: {
    schema: z.strictObject({ threshold: fraction('high-water mark', '-0.10').optional(), ...commonSettings }),
    presets: { conservative: { threshold: -0.05 }, moderate: { threshold: -0.1 }, aggressive: { threshold: -0.2 } },
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 1,
  track: (settings: DrawdownSettings) => new DrawdownTracker(settings),
  tripHolds(e: Evidence): boolean {
    if (e.value === null || e.highWaterMark === null) return false;
    const value = str(e, 'value');
    const hwm = str(e, 'highWaterMark');
    return value.minus(hwm).lte(str(e, 'threshold').times(hwm));
  },
  // A confirmed reset re-baselines the high-water mark to the current value, so that value must
  // be able to be one: zero or a loss would leave no high-water mark and open the gate.
  recheck(e: Evidence) {
    // No value yet: nothing is re-baselined; the next positive value sets the high-water mark.
    if (e.value === null || e.value === undefined) return { passed: true, reason: null };
    if (positive(e.value)) return { passed: true, reason: null };
    return { passed: false, reason: `the high-water mark must be positive: the reset would re-baseline it to the value ${String(e.value)}` };
  },
  cleared: () => false,
  describe: (e: Evidence) =>
    // Formatted as everywhere else; the exact figures travel in the event's details.
    `drawdown ${percent(e.drawdown, 2)} reached threshold ${percent(e.threshold, 2)} (value ${money(e.value)}, high-water mark ${money(e.highWaterMark)})`,
  resetEffects(f: Evidence): readonly string[] {
    if (f.value === null) return ['No value yet: the high-water mark is set by the next positive value.'];
    const value = str(f, 'value');
    if (!value.gt(0)) return [`The value ${String(f.value)} is not positive: it cannot be a high-water mark, so the reset will be refused.`];
    const trip = value.plus(str(f, 'threshold').times(value)).toFixed();
    return [
      `The high-water mark moves from ${money(f.highWaterMark)} to the current value ${money(value.toFixed())}.`,
      `The trip level moves from ${money(f.tripLevel)} to ${money(trip)} (${percent(f.threshold, 2)} of the new high-water mark).`,
      'The drawdown warning is re-armed.',
    ];
  },
  words: {
    label: 'Drawdown',
    shout: 'DRAWDOWN',
    view: (f: DrawdownFigures) => ({
      figure: f.drawdown === null ? 'no value yet' : `${percent(f.drawdown)} drawdown`,
      details: [`trips at ${percent(f.threshold)}`, `high-water mark ${money(f.highWaterMark)}`, `trip level ${money(f.tripLevel)}`],
      meter: { label: 'Drawdown against the threshold', use: ratio(f.drawdown, f.threshold), warnAt: f.warnAt },
    }),
    line: (f: DrawdownFigures) => `${signedPercent(f.drawdown)} from high-water mark ${money(f.highWaterMark)} (trips at ${signedPercent(f.threshold)})`,
    event: (d: Evidence) => `${fractionWord(d.drawdown)} from peak ${moneyWord(d.highWaterMark)}${d.threshold !== undefined ? ` (limit ${fractionWord(d.threshold)})` : ''}`,
    recovered: () => 'recovered',
  },
} satisfies BreakerRule<DrawdownSettings, DrawdownTracker, DrawdownFigures>;

export type { DrawdownTracker };
