import { z } from 'zod';
import { ERROR_KINDS, type ErrorKind } from '../constants.ts';
import { RateTracker } from '../figures/rate.ts';
import type { Signal } from '../figures/signal.ts';
import { countWord, rateEvent, rateLine, rateRecovered, rateView, type RateFigures } from '../words/rate.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type RuleInput } from './rule.ts';
import { WindowTracker } from './windowTracker.ts';
import { commonSettings, count, seconds } from './settings.ts';

/** Error-rate figures: the rate's, with its limit by name and the count of each kind. */
export interface ErrorRateFigures extends RateFigures {
  maxErrors: number;
  byKind: Record<ErrorKind, number>;
}

/** The kinds counted in untrusted details, those above zero: "order_rejected 3, data_error 1". */
function kindsWord(byKind: unknown, all = false, separator = ', '): string {
  const counts = typeof byKind === 'object' && byKind !== null && !Array.isArray(byKind) ? (byKind as Record<string, unknown>) : {};
  return ERROR_KINDS.filter((k) => all || (typeof counts[k] === 'number' && (counts[k] as number) > 0))
    .map((k) => `${k} ${countWord(counts[k] ?? 0)}`)
    .join(separator);
}

/** Error-rate settings: at most `maxErrors` errors (of any kind) within `window` seconds. */
export interface ErrorRateSettings {
  readonly maxErrors: number;
  readonly window: number;
  readonly warnAt: number;
}

/** Counts errors by kind in the sliding window; the trip carries the counts per kind. */
class ErrorRateTracker extends WindowTracker<ErrorKind> {
  constructor(settings: ErrorRateSettings) {
    super(new RateTracker<ErrorKind>(settings.maxErrors, settings.window, settings.warnAt, true), (tag) => ERROR_KINDS.includes(tag as ErrorKind));
  }

  observeInput(input: RuleInput, at: number): Signal {
    return this.rate.record(at, input.input === 'error' ? input.kind : undefined);
  }

  /** Counts one error of `kind` at `at`. */
  observe(at: number, kind?: ErrorKind): Signal {
    return this.rate.record(at, kind);
  }


  byKind(now: number): Record<ErrorKind, number> {
    const counts = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
    for (const [kind, n] of this.rate.window.countByTag(now)) if (kind !== undefined) counts[kind] = n;
    return counts;
  }

  figures(now: number): Evidence {
    const common = this.rate.figures(now);
    return { ...common, maxErrors: common.limit, byKind: this.byKind(now) };
  }





}

/** The error-rate breaker's rule: a manual reset clears the window. */
export const errorRateRule = {
  kind: 'errorRate' as const,
  name: 'ERROR_RATE' as const,
  chart: ChartKind.AUTOMATIC,
  observes: [Observes.ERROR],
  settings: {
    schema: z.strictObject({ maxErrors: count.optional(), window: seconds(86_400).optional(), ...commonSettings }),
    presets: { conservative: { maxErrors: 5, window: 60 }, moderate: { maxErrors: 10, window: 60 }, aggressive: { maxErrors: 20, window: 60 } },
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 1,
  track: (settings: ErrorRateSettings) => new ErrorRateTracker(settings),
  tripHolds: (e: Evidence) => Number(e.count) > Number(e.maxErrors),
  recheck: () => ({ passed: true, reason: null }),
  cleared: () => false,
  describe: (e: Evidence) =>
    `${String(e.count)} errors within ${String(e.windowSeconds)}s exceed the limit of ${String(e.maxErrors)} (${JSON.stringify(e.byKind)})`,
  resetEffects: (f: Evidence): readonly string[] => [`The error window is cleared: ${String(f.count)} errors counted now go to 0 (limit ${String(f.maxErrors)} in ${String(f.windowSeconds)} s).`, 'The error-rate warning is re-armed.'],
  words: {
    label: 'Error rate',
    shout: 'ERROR RATE',
    view: (f: ErrorRateFigures) => rateView(f, 'errors', [kindsWord(f.byKind, true, ' · ')]),
    line: (f: ErrorRateFigures) => rateLine(f, 'errors', kindsWord(f.byKind)),
    event: (d: Evidence) => rateEvent(d, 'errors', 'maxErrors', kindsWord(d.byKind)),
    recovered: (d: Evidence) => rateRecovered(d, 'errors', 'maxErrors'),
  },
} satisfies BreakerRule<ErrorRateSettings, ErrorRateTracker, ErrorRateFigures>;

export type { ErrorRateTracker };
