import { z } from 'zod';
import { SlidingWindow } from '../figures/slidingWindow.ts';
import { Signal } from '../figures/signal.ts';
import { Exact, isDecimalProblem, parseExact } from '../math/exact.ts';
import { duration } from '../words/format.ts';
import { countWord } from '../words/rate.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type InputTracker, type Json } from './rule.ts';
import { commonSettings, count, numberError, seconds } from './settings.ts';

/** Order-to-trade settings: at most `maxRatio` submissions per fill within `window` seconds, once `minOrders` were submitted. */
export interface OrderToTradeSettings {
  readonly maxRatio: number;
  readonly window: number;
  readonly minOrders: number;
  readonly warnAt: number;
}

/** Order-to-trade figures (true counts in the window (t − window, t]). */
export interface OrderToTradeFigures {
  /** Submissions in the window (allowed or rejected). */
  orders: number;
  /** Fills in the window. */
  fills: number;
  /** orders ÷ max(fills, 1), for display (decisions are exact, from the counts). */
  ratio: number;
  maxRatio: number;
  minOrders: number;
  windowSeconds: number;
  warnAt: number;
  warned: boolean;
  /** Milliseconds until the condition clears if nothing new arrives (0: clear now; null: it holds no more). */
  clearsInMs: number | null;
  /** Milliseconds until the oldest submission or fill leaves the window, or null when both are empty. */
  nextExpiryInMs: number | null;
}

/** A positive ratio, at most 1,000,000 with at most 6 decimals (so decisions are exact integer products). */
const ratioSetting = z
  .number(numberError)
  .gt(0, 'must be a positive ratio, e.g. 20')
  .max(1_000_000, 'must be at most 1000000')
  .refine((n) => {
    const parsed = parseExact(n);
    return !isDecimalProblem(parsed) && parsed.decimalPlaces() <= 6;
  }, 'must have at most 6 decimals');

/** A decimal as a fraction over a power of ten: value = units / scale (exact, via exact.ts). */
interface Scaled {
  readonly units: bigint;
  readonly scale: bigint;
}
function scaled(value: unknown): Scaled | null {
  const parsed = parseExact(value);
  if (isDecimalProblem(parsed) || parsed.isNegative()) return null;
  const places = parsed.decimalPlaces();
  return { units: BigInt(parsed.times(new Exact(10).pow(places)).toFixed(0)), scale: 10n ** BigInt(places) };
}

/** a × b > c × d on whole numbers, exactly (BigInt, parsed once by the caller). */
const exceeds = (orders: number, scale: bigint, units: bigint, fills: number): boolean => BigInt(orders) * scale > units * BigInt(Math.max(fills, 1));

/**
 * The ratio's two thresholds, parsed once: whether orders ÷ max(fills, 1) exceeds `maxRatio`
 * (the trip) or reaches `warnAt × maxRatio` (the warning), with at least `minOrders` submissions.
 */
class RatioRule {
  readonly #ratio: Scaled;
  readonly #warn: Scaled;
  readonly #minOrders: number;

  constructor(maxRatio: unknown, warnAt: unknown, minOrders: number) {
    const r = scaled(maxRatio);
    const w = scaled(warnAt);
    if (r === null || w === null) throw new TypeError('order-to-trade: maxRatio and warnAt must be decimals');
    this.#ratio = r;
    // warnAt × maxRatio as one fraction.
    this.#warn = { units: r.units * w.units, scale: r.scale * w.scale };
    this.#minOrders = minOrders;
  }

  exceeded(orders: number, fills: number): boolean {
    return orders >= this.#minOrders && exceeds(orders, this.#ratio.scale, this.#ratio.units, fills);
  }

  warns(orders: number, fills: number): boolean {
    return orders >= this.#minOrders && BigInt(orders) * this.#warn.scale >= this.#warn.units * BigInt(Math.max(fills, 1));
  }
}

/** Whether `orders` ÷ max(`fills`, 1) exceeds `maxRatio` with at least `minOrders` submissions (exact; from evidence, which may be malformed). */
export function ratioExceeded(orders: number, fills: number, maxRatio: unknown, minOrders: number): boolean {
  const r = scaled(maxRatio);
  if (r === null || !Number.isInteger(orders) || !Number.isInteger(fills)) return false;
  return orders >= minOrders && exceeds(orders, r.scale, r.units, fills);
}

/**
 * Counts submissions and fills in two sliding windows (t − window, t]. Decides on each
 * submission (the one that makes the ratio exceed the limit trips); a fill only lowers the ratio.
 */
class OrderToTradeTracker implements InputTracker {
  readonly orders: SlidingWindow;
  readonly fills: SlidingWindow;
  readonly settings: OrderToTradeSettings;
  readonly #rule: RatioRule;
  #warned = false;

  constructor(settings: OrderToTradeSettings) {
    this.settings = settings;
    this.#rule = new RatioRule(settings.maxRatio, settings.warnAt, settings.minOrders);
    this.orders = new SlidingWindow(Infinity, settings.window * 1000);
    this.fills = new SlidingWindow(Infinity, settings.window * 1000);
  }

  #holds(orders: number, fills: number): boolean {
    return this.#rule.exceeded(orders, fills);
  }

  observeInput(input: { readonly input: string }, at: number): Signal {
    if (input.input === 'fill') {
      this.fills.record(at);
      return Signal.NONE;
    }
    if (input.input !== 'order') return Signal.NONE;
    const orders = this.orders.add(at);
    const fills = this.fills.count(at);
    if (this.#holds(orders, fills)) {
      this.#warned = true;
      return Signal.TRIP;
    }
    const warns = this.#rule.warns(orders, fills);
    // The warning re-arms once a submission finds the ratio below the warning level again.
    if (!warns) this.#warned = false;
    else if (!this.#warned) {
      this.#warned = true;
      return Signal.WARN;
    }
    return Signal.NONE;
  }

  /**
   * The first instant at which the condition no longer holds if nothing new arrives: entries leave
   * the window at their instant + window (a fill leaving raises the ratio, a submission leaving
   * lowers it), so the expiries are walked in order. Null when it does not hold now; always
   * finite otherwise (once every submission has left, fewer than minOrders remain).
   */
  clearsAt(now: number): number | null {
    let orders = this.orders.count(now);
    let fills = this.fills.count(now);
    if (!this.#holds(orders, fills)) return null;
    const w = this.orders.windowMs;
    const leaving = [
      ...this.orders.entries().map((e) => ({ at: e.at + w, orders: e.count, fills: 0 })),
      ...this.fills.entries().map((e) => ({ at: e.at + w, orders: 0, fills: e.count })),
    ].sort((a, b) => a.at - b.at);
    let i = 0;
    while (i < leaving.length) {
      // Everything leaving at the same instant leaves together.
      const at = leaving[i]!.at;
      for (; i < leaving.length && leaving[i]!.at === at; i++) {
        orders -= leaving[i]!.orders;
        fills -= leaving[i]!.fills;
      }
      if (!this.#holds(orders, fills)) return at;
    }
    return now + w;
  }

  figures(now: number): Evidence {
    const orders = this.orders.count(now);
    const fills = this.fills.count(now);
    const clearsAt = this.clearsAt(now);
    const expiries = [this.orders.nextExpiry(now), this.fills.nextExpiry(now)].filter((x): x is number => x !== null);
    return {
      orders,
      fills,
      ratio: orders / Math.max(fills, 1),
      maxRatio: this.settings.maxRatio,
      minOrders: this.settings.minOrders,
      windowSeconds: this.settings.window,
      warnAt: this.settings.warnAt,
      warned: this.#warned,
      clearsInMs: clearsAt === null ? null : clearsAt - now,
      nextExpiryInMs: expiries.length === 0 ? null : Math.min(...expiries) - now,
    };
  }

  tripEvidence(now: number): Evidence {
    return this.figures(now);
  }

  recheckEvidence(now: number): Evidence {
    return this.figures(now);
  }

  /** A confirmed reset clears both windows and re-arms the warning. */
  rebaseline(): void {
    this.orders.clear();
    this.fills.clear();
    this.#warned = false;
  }

  save(shiftMs = 0): Json {
    const shift = (w: SlidingWindow) => w.entries().map((e) => ({ at: e.at + shiftMs, count: e.count }));
    return { orders: shift(this.orders), fills: shift(this.fills), warned: this.#warned };
  }

  load(saved: unknown, shiftMs = 0, notAfter = Infinity): void {
    const s = saved as { orders?: unknown; fills?: unknown; warned?: unknown } | null;
    if (typeof s !== 'object' || s === null || typeof s.warned !== 'boolean') throw new TypeError('order-to-trade: saved figures are malformed');
    const entries = (list: unknown) => {
      if (!Array.isArray(list)) throw new TypeError('order-to-trade: saved windows are malformed');
      return list.map((e: unknown) => {
        const { at, count: n } = (e ?? {}) as { at?: unknown; count?: unknown };
        if (typeof at !== 'number' || !Number.isFinite(at) || typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new TypeError('order-to-trade: a saved entry is malformed');
        // An entry saved in what is now the future counts as just made (it stays in the window: fail closed).
        return { at: Math.min(at + shiftMs, notAfter), count: n, tag: undefined };
      });
    };
    const orders = entries(s.orders);
    const fills = entries(s.fills);
    this.orders.load(orders);
    this.fills.load(fills);
    this.#warned = s.warned;
  }
}

const holds = (e: Evidence): boolean => ratioExceeded(Number(e.orders), Number(e.fills), e.maxRatio, Number(e.minOrders));
const ratioWord = (value: unknown): string => (typeof value === 'number' && Number.isFinite(value) ? (Math.round(value * 100) / 100).toString() : '?');

/** The order-to-trade breaker's rule: it heals itself once the ratio falls back (a fill, or the window moving on). */
export const orderToTradeRule = {
  kind: 'orderToTrade' as const,
  name: 'ORDER_TO_TRADE' as const,
  chart: ChartKind.SELF_HEALING,
  observes: [Observes.ORDER, Observes.FILL],
  // No preset value: a sensible ratio depends on the venue's own order-to-trade rules; off unless configured.
  settings: {
    schema: z.strictObject({ maxRatio: ratioSetting, window: seconds(86_400), minOrders: count, ...commonSettings }),
    presets: null,
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 3,
  track: (settings: OrderToTradeSettings) => new OrderToTradeTracker(settings),
  tripHolds: holds,
  // A confirmed reset clears both windows: nothing to re-check.
  recheck: () => ({ passed: true, reason: null }),
  cleared: (e: Evidence) => !holds(e),
  describe: (e: Evidence) =>
    `${String(e.orders)} orders to ${String(e.fills)} fills within ${String(e.windowSeconds)}s (ratio ${ratioWord(e.ratio)}) exceed the order-to-trade limit of ${String(e.maxRatio)}`,
  resetEffects: (f: Evidence): readonly string[] => [
    `The order and fill windows are cleared: ${String(f.orders)} orders and ${String(f.fills)} fills counted now go to 0 (max ratio ${String(f.maxRatio)} in ${String(f.windowSeconds)} s).`,
    'This breaker also recovers by itself once the ratio falls back to the limit (a fill, or the window moving on).',
  ],
  words: {
    label: 'Order-to-trade',
    shout: 'ORDER-TO-TRADE',
    view: (f: OrderToTradeFigures) => ({
      figure: `${f.orders} orders / ${f.fills} fills in ${f.windowSeconds} s (ratio ${ratioWord(f.ratio)}, max ${f.maxRatio})`,
      details: [
        f.orders < f.minOrders ? `below ${f.minOrders} orders: never trips` : `at least ${f.minOrders} orders: the ratio counts`,
        f.clearsInMs === null ? (f.nextExpiryInMs === null ? 'window empty' : `oldest leaves the window in ${duration(f.nextExpiryInMs)}`) : `clears in ${duration(f.clearsInMs)}`,
      ],
      meter: { label: 'orders per fill', use: f.orders < f.minOrders ? 0 : f.ratio / f.maxRatio, warnAt: f.warnAt },
    }),
    line: (f: OrderToTradeFigures) =>
      `${f.orders} orders/${f.fills} fills in ${f.windowSeconds}s (ratio ${ratioWord(f.ratio)}, max ${f.maxRatio}, min ${f.minOrders} orders)${f.clearsInMs === null ? '' : `, clears in ${Math.ceil(f.clearsInMs / 1000)}s`}`,
    event: (d: Evidence) =>
      `${countWord(d.orders)} orders to ${countWord(d.fills)} fills in ${countWord(d.windowSeconds)}s (ratio ${ratioWord(d.ratio)}, max ${typeof d.maxRatio === 'number' ? String(d.maxRatio) : '?'})`,
    recovered: (d: Evidence) => `ratio back within the limit (${countWord(d.orders)} orders to ${countWord(d.fills)} fills)`,
  },
} satisfies BreakerRule<OrderToTradeSettings, OrderToTradeTracker, OrderToTradeFigures>;

export type { OrderToTradeTracker };
