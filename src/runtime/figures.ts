import { type ErrorKind } from '../../machines/constants.ts';
import { BreakerType } from '../../machines/rules/registry.ts';
import { QuietBand } from '../../machines/figures/quietBand.ts';
import { Exact } from '../../machines/math/exact.ts';
import type { DailyLossTracker } from '../../machines/rules/dailyLoss.ts';
import type { DrawdownTracker } from '../../machines/rules/drawdown.ts';
import type { ErrorRateTracker } from '../../machines/rules/errorRate.ts';
import type { OrderRateTracker } from '../../machines/rules/orderRate.ts';
import type { StaleDataTracker } from '../../machines/rules/staleData.ts';
import { REGISTRY } from '../../machines/rules/registry.ts';
import { Observes, type Json, type Tracker, type ValueObservation, type ValueTracker } from '../../machines/rules/rule.ts';
import type { MonotonicClock } from '../clock.ts';
import type { ResolvedSettings } from '../config.ts';

/** One value tracker's answer to an observation. */
export interface ValueSignal extends ValueObservation {
  readonly kind: BreakerType;
}

/**
 * The per-strategy figures of every enabled breaker (built from the registry), the last
 * accepted portfolio value and the quiet band: the values that cannot change any rule.
 */
export class Figures {
  readonly trackers = new Map<BreakerType, Tracker>();
  readonly valueTrackers: { kind: BreakerType; tracker: ValueTracker }[] = [];
  readonly drawdown: DrawdownTracker | null;
  readonly dailyLoss: DailyLossTracker | null;
  readonly orderRate: OrderRateTracker | null;
  readonly errorRate: ErrorRateTracker | null;
  readonly staleData: StaleDataTracker | null;
  /** While set (the stale-data breaker is not NORMAL), there is no quiet band: every value is evaluated. */
  holdBand = false;
  /** The last accepted value as given (parsed only when needed), and when it was observed. */
  lastRaw: string | number | null = null;
  #lastParsed: Exact | null = null;
  lastTimestamp: number | null = null;
  /**
   * When the last valid value was observed on the monotonic clock (the stale-data age counts from
   * it), or null when none came in this process. Kept only while the stale-data rule is on.
   */
  lastMono: number | null = null;
  band: QuietBand | null = null;
  bandUntil = -Infinity;
  /** Whether values above the band are new highs the drawdown rule takes without arithmetic. */
  newHighs = false;

  /** Read only while the stale-data rule is on (the time of each value on the monotonic clock). */
  readonly #clock: MonotonicClock | null;

  constructor(settings: ResolvedSettings, clock: MonotonicClock | null = null) {
    for (const row of REGISTRY) {
      const own = (settings.breakers as unknown as Record<string, unknown>)[row.kind];
      if (own === null || own === undefined || row.rule.observes === Observes.NOTHING) continue;
      const tracker = (row.rule.track as (s: unknown, env: { marketOpen: ResolvedSettings['marketOpen'] }) => Tracker | null)(own, {
        marketOpen: settings.marketOpen,
      });
      if (tracker === null) continue;
      this.trackers.set(row.kind, tracker);
      if (row.rule.observes === Observes.VALUE) this.valueTrackers.push({ kind: row.kind, tracker: tracker as ValueTracker });
    }
    this.drawdown = (this.trackers.get(BreakerType.DRAWDOWN) as DrawdownTracker | undefined) ?? null;
    this.dailyLoss = (this.trackers.get(BreakerType.DAILY_LOSS) as DailyLossTracker | undefined) ?? null;
    this.orderRate = (this.trackers.get(BreakerType.ORDER_RATE) as OrderRateTracker | undefined) ?? null;
    this.errorRate = (this.trackers.get(BreakerType.ERROR_RATE) as ErrorRateTracker | undefined) ?? null;
    this.staleData = (this.trackers.get(BreakerType.STALE_DATA) as StaleDataTracker | undefined) ?? null;
    this.#clock = this.staleData === null ? null : clock;
  }

  /**
   * A valid value observed at `at` (wall clock; null: now): when it was observed on the monotonic
   * clock. A value timestamped in the past arrives that old (wall now − its timestamp, never
   * negative); from then on only the monotonic clock counts, so a later wall-clock step moves no age.
   */
  #observed(at: number | null): void {
    const clock = this.#clock;
    if (clock === null) return;
    const mono = clock.monotonic();
    if (at === null) return void (this.lastMono = mono);
    const wall = clock.now();
    this.lastMono = at >= wall ? mono : mono - (wall - at);
  }

  /** The last accepted value, or null when none was received since the start or restart. */
  get value(): Exact | null {
    if (this.#lastParsed === null && this.lastRaw !== null) this.#lastParsed = new Exact(this.lastRaw);
    return this.#lastParsed;
  }

  /** Takes a quiet value (never one with its own timestamp: `at` is the clock's now): nothing but the last value and its time change. */
  acceptQuiet(raw: string | number, at: number): void {
    this.lastRaw = raw;
    this.#lastParsed = null;
    this.lastTimestamp = at;
    this.#observed(null);
  }

  /** Takes a new high given as canonical text: only the high-water mark moves, without arithmetic. */
  acceptNewHigh(text: string, at: number): void {
    this.acceptQuiet(text, at);
    this.drawdown!.acceptNewHigh(text);
    // The levels below the new high are not computed yet: only further new highs stay quiet.
    this.band = QuietBand.newHighsAbove(text);
  }

  /** Feeds a validated value to every value rule; returns their signals. */
  observe(value: Exact, at: number): ValueSignal[] {
    this.lastRaw = value.toFixed();
    this.#lastParsed = value;
    this.lastTimestamp = at;
    this.#observed(at);
    const out: ValueSignal[] = [];
    for (const { kind, tracker } of this.valueTrackers) out.push({ kind, ...tracker.observe(value, at) });
    return out;
  }

  /** Counts an order submission; returns the order-rate signal. */
  countOrder(at: number) {
    return this.orderRate!.observe(at);
  }

  countError(at: number, kind: ErrorKind) {
    return this.errorRate!.observe(at, kind);
  }

  /** Recomputes the quiet band from every value rule (after anything moves a level or baseline). */
  recomputeBand(): void {
    if (this.holdBand) return void (this.band = null);
    let low: Exact | null = null;
    let high: string | null = null;
    let highValue: Exact | null = null;
    let until = Infinity;
    let newHighs = true;
    for (const { tracker } of this.valueTrackers) {
      const range = tracker.quiet();
      if (range === null) return void (this.band = null);
      if (low === null || range.low.gt(low)) low = range.low;
      if (range.high !== null && (highValue === null || range.highValue!.lt(highValue))) {
        high = range.high;
        highValue = range.highValue ?? new Exact(range.high);
      }
      if (range.until < until) until = range.until;
      newHighs &&= range.acceptsNewHigh;
    }
    if (this.valueTrackers.length === 0 || low === null || low.isNegative() || (highValue !== null && highValue.lte(low))) {
      this.band = null;
      return;
    }
    this.band = new QuietBand(low, high);
    this.bandUntil = until;
    this.newHighs = newHighs && this.drawdown !== null;
  }

  /**
   * Saved figures of every tracker, keyed by breaker. Instants are saved on the wall clock
   * (`wallMinusMono`: wall − monotonic now), the only clock a later process shares with this one.
   */
  save(wallMinusMono = 0): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [kind, tracker] of this.trackers) out[kind] = tracker.save(wallMinusMono);
    return out;
  }

  /**
   * Restores saved figures; throws when one does not validate. Saved (wall-clock) instants are
   * moved onto this process's monotonic clock (`monoMinusWall`: monotonic − wall now): an age
   * restored is the wall-clock time since it, and never less than zero (a wall clock that went
   * back while the process was down keeps every entry in its window: fail closed).
   */
  load(saved: Record<string, unknown>, lastTimestamp: number | null, monoMinusWall = 0, monoNow = Infinity): void {
    for (const [kind, tracker] of this.trackers) if (saved[kind] !== undefined) tracker.load(saved[kind], monoMinusWall, monoNow);
    // The last value is history, not the present: the runtime waits for a fresh one.
    this.lastTimestamp = lastTimestamp;
    this.recomputeBand();
    this.band = null;
  }
}
