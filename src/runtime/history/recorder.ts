/**
 * The history recorder of one strategy: the value series (fed by the portfolio step at bucket
 * boundaries only), the marks, errors and fills (from `events$` and `fills$`), the order
 * decisions (three array stores per `check()`), and their batched persistence.
 *
 * Cost on the hot paths: a quiet-band portfolio update compares its time with
 * {@link HistoryRecorder.bucketEnd}; only the first update of a new bucket closes the previous
 * one (its last value is still the runtime's last value, so nothing is kept per update).
 */
import type { Observable, Subscription } from 'rxjs';
import { BreakerType } from '../../../machines/rules/registry.ts';
import type { CancelTimer, Clock } from '../../clock.ts';
import { BREAKER_STATE_EVENTS } from '../../breakerStateEvents.ts';
import { RiskEventType, type RiskEvent } from '../../events.ts';
import type { Logger } from '../../logger.ts';
import type { Figures } from '../figures.ts';
import type { Decision, DecimalInput, FillReport, OrderSide } from '../types.ts';
import { CappedLog, decimalText, OrderLog } from './logs.ts';
import { decodeHistory, HistoryBatcher, type HistoryState, type HistoryStore, type RestoredHistory } from './persistence.ts';
import { DEFAULT_SERIES_OPTIONS, Series, seriesPoint, type SeriesOptions, type SeriesPoint } from './series.ts';
import type { HistoryError, HistoryFill, HistoryGap, HistoryMark, HistoryPoint, StrategyHistory } from './types.ts';

/** Events marked on the chart (each pins the value it happened at). */
const MARKS = new Set<string>([
  ...BREAKER_STATE_EVENTS,
  RiskEventType.RESTORE_FAILED,
  RiskEventType.STORE_FAILED,
]);

/** How often a batch is written (ms) while something changed. */
export const HISTORY_BATCH_MS = 1_000;

export interface HistoryOptions {
  readonly strategy: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly figures: Figures;
  readonly events$: Observable<RiskEvent>;
  readonly fills$: Observable<FillReport>;
  /** Where the history persists (null: in memory only) and what it held at start. */
  readonly store: HistoryStore | null;
  readonly stored?: readonly (readonly [string, string])[];
  readonly series?: SeriesOptions;
  readonly listCap?: number;
}

/** How many downtimes are kept. */
const GAP_CAP = 50;

/** The time of the last thing a restored history holds, or null when it holds nothing. */
function lastRecorded(r: RestoredHistory): number | null {
  let last = -Infinity;
  const seen = (t: number | undefined) => {
    if (t !== undefined && t > last) last = t;
  };
  seen(r.points[r.points.length - 1]?.t);
  seen(r.open?.t);
  for (const list of [r.marks, r.orders, r.fills, r.errors]) seen(list.items[list.items.length - 1]?.t);
  return last === -Infinity ? null : last;
}

const text = (x: unknown): string | null => (typeof x === 'string' ? x : null);

export class HistoryRecorder {
  /** Portfolio updates at or after this time close the current bucket (see {@link roll}). */
  bucketEnd = -Infinity;
  readonly series: Series;
  readonly marks: CappedLog<HistoryMark>;
  readonly orders: OrderLog;
  readonly fills: CappedLog<HistoryFill>;
  readonly errors: CappedLog<HistoryError>;
  /** Downtimes: a restart after the last thing recorded (few are kept: the chart spans a day). */
  readonly gaps: CappedLog<HistoryGap>;
  readonly #strategy: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #figures: Figures;
  readonly #store: HistoryStore | null;
  readonly #batcher: HistoryBatcher | null;
  readonly #subscriptions: Subscription[];
  /** The last value appended as a point (so a bucket is not closed twice with it). */
  #emittedT = NaN;
  #emittedRaw: string | number | null = null;
  #timer: CancelTimer | null = null;
  #chain: Promise<void> = Promise.resolve();
  #failed = false;
  #closed = false;

  constructor(options: HistoryOptions) {
    this.#strategy = options.strategy;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#figures = options.figures;
    this.#store = options.store;
    const restored = options.stored && options.stored.length > 0 ? decodeHistory(options.stored) : null;
    const cap = options.listCap;
    this.series = new Series(options.series ?? DEFAULT_SERIES_OPTIONS, restored?.points ?? []);
    this.marks = new CappedLog(cap);
    this.orders = new OrderLog(cap);
    this.fills = new CappedLog(cap);
    this.errors = new CappedLog(cap);
    this.gaps = new CappedLog(Math.min(cap ?? GAP_CAP, GAP_CAP));
    if (restored) {
      this.marks.restore(restored.marks.items, restored.marks.next);
      this.orders.restore(restored.orders.items, restored.orders.next);
      this.fills.restore(restored.fills.items, restored.fills.next);
      this.errors.restore(restored.errors.items, restored.errors.next);
      this.gaps.restore(restored.gaps.items, restored.gaps.next);
      // Nothing was recorded between the last thing stored and this start: the chart shows a gap there.
      const from = lastRecorded(restored);
      const now = this.#clock.now();
      if (from !== null && now > from) this.gaps.push({ t: now, from });
    }
    // The latest value from before the restart becomes a point of its own.
    const open = restored?.open ?? null;
    if (open !== null && open.t > (this.series.last?.t ?? -Infinity)) this.series.append(plain(open), false, this.#clock.now());
    this.#batcher = this.#store ? new HistoryBatcher(restored) : null;
    this.#subscriptions = [
      options.events$.subscribe((event) => this.#guard(() => this.#event(event))),
      options.fills$.subscribe((fill) => this.#guard(() => this.#fill(fill))),
    ];
  }

  /**
   * The first portfolio update at or after {@link bucketEnd}: the runtime's last value (the last
   * one of the bucket that ends) becomes a point. Called before the update is taken.
   */
  roll(at: number): void {
    this.#guard(() => {
      this.#close(at);
      const width = this.series.finestBucketMs;
      this.bucketEnd = (Math.floor(at / width) + 1) * width;
    });
  }

  /**
   * Records an order decision from the validated order's fields (`symbol` null for a malformed
   * order). `at` < 0 means "now". The order object itself is not kept.
   */
  order(
    at: number,
    symbol: string | null,
    side: OrderSide | null,
    quantity: DecimalInput | null,
    price: DecimalInput | undefined,
    id: string | undefined,
    decision: Decision,
  ): void {
    this.orders.record(at < 0 ? this.#clock.now() : at, symbol, side, quantity, price, id, decision);
    if (this.#timer === null && this.#store !== null) this.#changed();
  }

  /** The history from `since` (ms) to now. */
  view(since: number): StrategyHistory {
    const now = this.#clock.now();
    const points: HistoryPoint[] = this.series.since(since).map(plain);
    const open = this.#open();
    if (open !== null && open.t >= since && (points.length === 0 || open.t >= points[points.length - 1]!.t)) points.push(plain(open));
    return {
      strategy: this.#strategy,
      since,
      now,
      points,
      marks: this.marks.since(since),
      orders: this.orders.since(since),
      fills: this.fills.since(since),
      errors: this.errors.since(since),
      gaps: this.gaps.since(since),
    };
  }

  /** Writes what changed since the last batch (a no-op in memory). */
  flush(): Promise<void> {
    this.#timer?.();
    this.#timer = null;
    const store = this.#store;
    if (store === null || this.#batcher === null || this.#closed) return this.#chain;
    let ops;
    try {
      ops = this.#batcher.next(this.#state());
    } catch (error) {
      this.#warn(error);
      return this.#chain;
    }
    if (ops.length > 0) this.#chain = this.#chain.then(() => store.write(ops)).catch((error: unknown) => this.#warn(error));
    return this.#chain;
  }

  /** Writes the last batch and stops recording. */
  async close(): Promise<void> {
    this.#subscriptions.forEach((s) => s.unsubscribe());
    await this.flush();
    this.#closed = true;
  }

  #state(): HistoryState {
    return { series: this.series, open: this.#open(), marks: this.marks, orders: this.orders, fills: this.fills, errors: this.errors, gaps: this.gaps };
  }

  /** The runtime's latest value when it is not a point yet, or null. */
  #open(): SeriesPoint | null {
    const f = this.#figures;
    if (f.lastRaw === null || f.lastTimestamp === null) return null;
    if (f.lastTimestamp === this.#emittedT && f.lastRaw === this.#emittedRaw) return null;
    return seriesPoint(this.#point(f.lastTimestamp, f.lastRaw), 'open', false);
  }

  #close(at: number): void {
    const f = this.#figures;
    if (f.lastRaw === null || f.lastTimestamp === null) return;
    if (f.lastTimestamp === this.#emittedT && f.lastRaw === this.#emittedRaw) return;
    this.#append(this.#point(f.lastTimestamp, f.lastRaw), false, at);
  }

  #append(point: HistoryPoint, pinned: boolean, now: number): void {
    this.series.append(point, pinned, now);
    this.#emittedT = point.t;
    this.#emittedRaw = this.#figures.lastRaw;
    this.#changed();
  }

  /** A point of the value `raw` at `t`, with the levels the trackers hold now (already computed text). */
  #point(t: number, raw: string | number): HistoryPoint {
    const f = this.#figures;
    const drawdown = f.of(BreakerType.DRAWDOWN)?.figures(t, null);
    const daily = f.of(BreakerType.DAILY_LOSS)?.figures(t, null);
    return {
      t,
      value: typeof raw === 'string' ? raw : decimalText(raw),
      highWaterMark: text(drawdown?.highWaterMark),
      drawdownTripLevel: text(drawdown?.tripLevel),
      dailyLossTripLevel: text(daily?.tripLevel),
      startOfDay: text(daily?.startValue),
    };
  }

  #event(event: RiskEvent): void {
    const d = event.details;
    if (MARKS.has(event.type)) {
      const reason = text(d.reason) ?? text(d.error) ?? (event.type === RiskEventType.RESET_EXPIRED ? `back to ${String(d.backTo)}` : null);
      this.marks.push({ t: event.at, type: event.type, breaker: event.breaker as BreakerType | null, reason, operator: event.operator ?? null });
      const f = this.#figures;
      // One pinned point per value: two breakers tripping on the same value share it.
      const pinnedAlready = f.lastTimestamp === this.#emittedT && f.lastRaw === this.#emittedRaw && this.series.last?.pinned === true;
      if (f.lastRaw !== null && f.lastTimestamp !== null && !pinnedAlready) this.#append(this.#point(f.lastTimestamp, f.lastRaw), true, event.at);
      this.#changed();
    } else if (event.type === RiskEventType.ERROR_RECORDED) {
      this.#error(event.at, String(d.kind), String(d.message));
    } else if (event.type === RiskEventType.INPUT_REJECTED) {
      this.#error(event.at, 'data_error', `${String(d.input)}: ${String(d.error)}`);
    } else if (event.type === RiskEventType.CANCEL_FAILED) {
      this.#error(event.at, 'cancel_failed', String(d.error));
    }
  }

  #error(t: number, kind: string, message: string): void {
    this.errors.push({ t, kind, message: message.slice(0, 500) });
    this.#changed();
  }

  #fill(fill: FillReport): void {
    this.fills.push({ t: fill.at, orderId: fill.orderId, symbol: fill.symbol, side: fill.side, quantity: fill.quantity, price: fill.price });
    this.#changed();
  }

  /** Something changed: a batch is written within {@link HISTORY_BATCH_MS}. */
  #changed(): void {
    if (this.#timer !== null || this.#store === null || this.#closed) return;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = null;
      void this.flush();
    }, HISTORY_BATCH_MS);
  }

  /** History must never break a step or a listener: a failure is logged and recording goes on. */
  #guard(body: () => void): void {
    try {
      body();
    } catch (error) {
      this.#warn(error);
    }
  }

  #warn(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    const message = error instanceof Error ? error.message : String(error);
    this.#log.warn({ event: 'history_failed', strategy: this.#strategy, error: message }, 'history could not be recorded or written (it is not a decision input; trading is unaffected)');
  }
}

function plain(p: SeriesPoint): HistoryPoint {
  return {
    t: p.t,
    value: p.value,
    highWaterMark: p.highWaterMark,
    drawdownTripLevel: p.drawdownTripLevel,
    dailyLossTripLevel: p.dailyLossTripLevel,
    startOfDay: p.startOfDay,
  };
}
