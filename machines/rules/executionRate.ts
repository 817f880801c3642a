import { z } from 'zod';
import { RateTracker } from '../figures/rate.ts';
import type { Signal } from '../figures/signal.ts';
import { rateEvent, rateLine, rateRecovered, rateView, type RateFigures } from '../words/rate.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type RuleInput } from './rule.ts';
import { untagged, WindowTracker } from './windowTracker.ts';
import { commonSettings, count, seconds } from './settings.ts';

/** Execution-rate settings: at most `maxFills` fills within `window` seconds (RTS 6 Art 15(3)). */
export interface ExecutionRateSettings {
  readonly maxFills: number;
  readonly window: number;
  readonly warnAt: number;
}

/** Execution-rate figures: the rate's, with its limit by name. */
export interface ExecutionRateFigures extends RateFigures {
  maxFills: number;
}

/**
 * Counts fills in the sliding window (t − window, t], each at the instant it is RECORDED on the
 * runtime's monotonic clock, not at its `executedAt`: a backlog of late fills counts when it
 * arrives (fail closed), and a wall-clock step never moves an entry.
 */
class ExecutionRateTracker extends WindowTracker {
  constructor(settings: ExecutionRateSettings) {
    super(new RateTracker(settings.maxFills, settings.window, settings.warnAt), untagged);
  }

  observeInput(_fill: RuleInput, at: number): Signal {
    return this.rate.record(at);
  }

  // Never heals by itself: only an operator's confirmed reset re-enables trading.
  override clearsAt(): null {
    return null;
  }

  figures(now: number): Evidence {
    const common = this.rate.figures(now);
    return { ...common, maxFills: common.limit };
  }





}

/**
 * The execution-rate breaker's rule (RTS 6 Art 15(3)): the fill that makes the window hold more
 * than `maxFills` trips it; it stays TRIPPED until an operator's confirmed reset, which clears the
 * window (so the re-check passes). It never takes `autoReset`.
 */
export const executionRateRule = {
  kind: 'executionRate' as const,
  name: 'EXECUTION_RATE' as const,
  chart: ChartKind.AUTOMATIC,
  observes: [Observes.FILL],
  settings: {
    schema: z.strictObject({ maxFills: count.optional(), window: seconds(86_400).optional(), ...commonSettings }),
    // Off unless configured: a sensible fill rate depends wholly on the strategy.
    presets: null,
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 3,
  // RTS 6 Art 15(3): only a designated person re-enables trading, so `autoReset` is refused.
  manualResetOnly: true,
  track: (settings: ExecutionRateSettings) => new ExecutionRateTracker(settings),
  tripHolds: (e: Evidence) => Number(e.count) > Number(e.maxFills),
  // The confirmed reset is the designated person's re-enable and clears the window: nothing to re-check.
  recheck: () => ({ passed: true, reason: null }),
  cleared: () => false,
  describe: (e: Evidence) => `${String(e.count)} fills within ${String(e.windowSeconds)}s exceed the limit of ${String(e.maxFills)}`,
  resetEffects: (f: Evidence): readonly string[] => [
    `The fill window is cleared: ${String(f.count)} fills counted now go to 0 (limit ${String(f.maxFills)} in ${String(f.windowSeconds)} s).`,
    'Confirming re-enables trading (RTS 6 Art 15(3)): this breaker never resets by itself.',
  ],
  words: {
    label: 'Execution rate',
    shout: 'EXECUTION RATE',
    view: (f: ExecutionRateFigures) => rateView(f, 'fills'),
    line: (f: ExecutionRateFigures) => rateLine(f, 'fills'),
    event: (d: Evidence) => rateEvent(d, 'fills', 'maxFills'),
    recovered: (d: Evidence) => rateRecovered(d, 'fills', 'maxFills'),
  },
} satisfies BreakerRule<ExecutionRateSettings, ExecutionRateTracker, ExecutionRateFigures>;

export type { ExecutionRateTracker };
