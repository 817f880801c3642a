import { z } from 'zod';
import { RateTracker } from '../figures/rate.ts';
import type { Signal } from '../figures/signal.ts';
import { rateEvent, rateLine, rateRecovered, rateView, type RateFigures } from '../words/rate.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence } from './rule.ts';
import { untagged, WindowTracker } from './windowTracker.ts';
import { commonSettings, count, seconds } from './settings.ts';

/** Order-rate settings: at most `maxOrders` submissions within `window` seconds. */
export interface OrderRateSettings {
  readonly maxOrders: number;
  readonly window: number;
  readonly warnAt: number;
}

/** Order-rate figures: the rate's, with its limit by name and when the condition clears. */
export interface OrderRateFigures extends RateFigures {
  maxOrders: number;
  /** Milliseconds until the window no longer holds more than the limit, or null. */
  clearsInMs: number | null;
}

/** Counts order submissions in the sliding window (t − window, t]; every well-formed submission counts. */
class OrderRateTracker extends WindowTracker {
  constructor(settings: OrderRateSettings) {
    super(new RateTracker(settings.maxOrders, settings.window, settings.warnAt), untagged);
  }

  observeInput(_order: unknown, at: number): Signal {
    return this.rate.record(at);
  }

  /** Counts one submission at `at`. */
  observe(at: number): Signal {
    return this.rate.record(at);
  }


  figures(now: number): Evidence {
    const common = this.rate.figures(now);
    const clearsAt = this.rate.window.clearsAt(now);
    return { ...common, maxOrders: common.limit, clearsInMs: clearsAt === null ? null : clearsAt - now };
  }





}

const over = (e: Evidence): boolean => Number(e.count) > Number(e.maxOrders);

/** The order-rate breaker's rule: it heals itself once the window clears. */
export const orderRateRule = {
  kind: 'orderRate' as const,
  name: 'ORDER_RATE' as const,
  chart: ChartKind.SELF_HEALING,
  observes: [Observes.ORDER],
  settings: {
    schema: z.strictObject({ maxOrders: count.optional(), window: seconds(86_400).optional(), ...commonSettings }),
    presets: { conservative: { maxOrders: 50, window: 60 }, moderate: { maxOrders: 100, window: 60 }, aggressive: { maxOrders: 200, window: 60 } },
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 1,
  track: (settings: OrderRateSettings) => new OrderRateTracker(settings),
  tripHolds: over,
  // A confirmed reset clears the window: nothing to re-check.
  recheck: () => ({ passed: true, reason: null }),
  cleared: (e: Evidence) => !over(e),
  describe: (e: Evidence) => `${String(e.count)} orders within ${String(e.windowSeconds)}s exceed the limit of ${String(e.maxOrders)}`,
  resetEffects: (f: Evidence): readonly string[] => [
    `The order window is cleared: ${String(f.count)} orders counted now go to 0 (limit ${String(f.maxOrders)} in ${String(f.windowSeconds)} s).`,
    'This breaker also recovers by itself once the window holds no more than the limit.',
  ],
  words: {
    label: 'Order rate',
    shout: 'ORDER RATE',
    view: (f: OrderRateFigures) => rateView(f, 'orders'),
    line: (f: OrderRateFigures) => rateLine(f, 'orders'),
    event: (d: Evidence) => rateEvent(d, 'orders', 'maxOrders'),
    recovered: (d: Evidence) => rateRecovered(d, 'orders', 'maxOrders'),
  },
} satisfies BreakerRule<OrderRateSettings, OrderRateTracker, OrderRateFigures>;

export type { OrderRateTracker };
