import { z } from 'zod';
import { duration, ratio } from '../words/format.ts';
import { Signal } from '../figures/signal.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type Json, type TimeTracker } from './rule.ts';
import { commonSettings, seconds } from './settings.ts';

/** Stale-data figures: the age of the last valid portfolio value. */
export interface StaleDataFigures {
  ageMs: number | null;
  ageSeconds: number | null;
  maxAgeMs: number;
  maxAge: number;
  /** ISO time of the last valid value (or of the start, when none arrived since). */
  lastValueAt: string | null;
  warnAt: number;
  warned: boolean;
  stale: boolean;
}

/** Whole seconds from untrusted details ("31s"), or "?". */
const secs = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? `${Math.round(v)}s` : '?');

/** Stale-data settings: trips after `maxAge` seconds without a valid portfolio value. */
export interface StaleDataSettings {
  readonly maxAge: number;
  readonly warnAt: number;
}

/**
 * The dead-man's switch: the age of the last valid portfolio value. Nothing is counted on the
 * hot path: the runtime points the tracker at the time of its last accepted value (which the
 * quiet path updates anyway) and asks, on a timer and in `check()`, how old it is.
 */
class StaleDataTracker implements TimeTracker {
  readonly maxAgeMs: number;
  readonly warnAfterMs: number;
  readonly warnFraction: number;
  #lastAt: () => number = () => -Infinity;
  #shownAt: (() => number) | null = null;
  /** The last-value time the warning was given for (a fresh value re-arms it). */
  #warnedFor: number | null = null;

  constructor(settings: StaleDataSettings) {
    this.maxAgeMs = Math.round(settings.maxAge * 1000);
    this.warnFraction = settings.warnAt;
    this.warnAfterMs = Math.round(settings.maxAge * settings.warnAt * 1000);
  }

  watch(lastAt: () => number, shownAt?: () => number): void {
    this.#lastAt = lastAt;
    this.#shownAt = shownAt ?? null;
  }

  holds(now: number): boolean {
    return now - this.#lastAt() >= this.maxAgeMs;
  }

  observe(now: number): Signal {
    const last = this.#lastAt();
    const age = now - last;
    if (age >= this.maxAgeMs) {
      this.#warnedFor = last;
      return Signal.TRIP;
    }
    if (age >= this.warnAfterMs && this.#warnedFor !== last) {
      this.#warnedFor = last;
      return Signal.WARN;
    }
    return Signal.NONE;
  }

  dueAt(now: number): number {
    const last = this.#lastAt();
    if (this.#warnedFor !== last && last + this.warnAfterMs > now) return last + this.warnAfterMs;
    return Math.max(now, last + this.maxAgeMs);
  }

  figures(now: number): Evidence {
    const last = this.#lastAt();
    const known = Number.isFinite(last);
    const ageMs = known ? Math.max(0, now - last) : null;
    return {
      ageMs,
      ageSeconds: ageMs === null ? null : ageMs / 1000,
      maxAgeMs: this.maxAgeMs,
      maxAge: this.maxAgeMs / 1000,
      lastValueAt: known ? new Date(this.#shownAt?.() ?? last).toISOString() : null,
      warnAt: this.warnFraction,
      warned: this.#warnedFor === last,
      stale: ageMs === null ? true : ageMs >= this.maxAgeMs,
    };
  }

  tripEvidence(now: number): Evidence {
    return this.figures(now);
  }

  recheckEvidence(now: number): Evidence {
    return this.figures(now);
  }

  /** Nothing to re-baseline: only a fresh value makes the data fresh. */
  rebaseline(): void {}

  /** Nothing to save: after a restart, the age counts from the restart (no value is trusted from before it). */
  save(): Json {
    return null;
  }

  load(): void {}
}

const stale = (e: Evidence): boolean => e.ageMs === null || Number(e.ageMs) >= Number(e.maxAgeMs);
const age = (e: Evidence): string => (e.ageSeconds === null ? 'no portfolio value yet' : `the last portfolio value is ${String(e.ageSeconds)}s old`);

/** The stale-data breaker's rule: it heals itself (through RESETTING) when a fresh value arrives. */
export const staleDataRule = {
  kind: 'staleData' as const,
  name: 'STALE_DATA' as const,
  chart: ChartKind.SELF_HEALING,
  observes: [Observes.TIME],
  // No preset value: off unless configured, and then it needs maxAge.
  settings: { schema: z.strictObject({ maxAge: seconds(86_400), ...commonSettings }), presets: null, replacesPreset: [] },
  alwaysOn: false,
  recordSince: 2,
  track: (settings: StaleDataSettings) => new StaleDataTracker(settings),
  tripHolds: stale,
  recheck: (e: Evidence) => (stale(e) ? { passed: false, reason: `the data is still stale: ${age(e)} (max ${String(e.maxAge)}s)` } : { passed: true, reason: null }),
  cleared: (e: Evidence) => !stale(e),
  describe: (e: Evidence) => `${age(e)}, beyond the maximum age of ${String(e.maxAge)}s`,
  resetEffects: (f: Evidence): readonly string[] => [
    stale(f) ? `The data is still stale (${age(f)}): the reset will be refused until a fresh value arrives.` : 'A fresh value has arrived: the re-check passes.',
    'Nothing is re-baselined: only a fresh portfolio value makes the data fresh (the breaker recovers by itself then).',
  ],
  words: {
    label: 'Stale data',
    shout: 'STALE DATA',
    view: (f: StaleDataFigures) => ({
      figure: f.ageMs === null ? 'no value yet' : `last value ${duration(f.ageMs)} old`,
      details: [`trips after ${f.maxAge} s without a value`],
      meter: { label: 'Age of the last value', use: f.ageMs === null ? null : ratio(f.ageMs, f.maxAgeMs), warnAt: f.warnAt },
    }),
    line: (f: StaleDataFigures) => `${f.ageSeconds === null ? 'no value yet' : `last value ${f.ageSeconds}s old`} (max ${f.maxAge}s)`,
    event: (d: Evidence) => `no portfolio value for ${secs(d.ageSeconds)} (trips at ${secs(d.maxAge)})`,
    recovered: () => 'fresh values again',
  },
} satisfies BreakerRule<StaleDataSettings, StaleDataTracker, StaleDataFigures>;

export type { StaleDataTracker };
