import { QuietBand } from '../../machines/figures/quietBand.ts';
import { Exact } from '../../machines/math/exact.ts';
import { REGISTRY, type BreakerType, type RuleOf } from '../../machines/rules/registry.ts';
import { COUNTED_INPUTS, Observes, type CountedInput, type InputTracker, type Json, type TimeTracker, type Tracker, type ValueObservation, type ValueTracker } from '../../machines/rules/rule.ts';
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
  /** For each counted input, the trackers of the rules that observe it (routed by what a rule says it observes). */
  readonly observers: Readonly<Record<CountedInput, readonly { readonly kind: BreakerType; readonly tracker: InputTracker }[]>>;
  /** The trackers that act on time as well as on inputs (a grace period): the runtime arms a timer for each. */
  readonly timed: readonly { readonly kind: BreakerType; readonly tracker: InputTracker }[];
  /** The time tracker (the dead-man's switch: the age of the last valid value), or null while it is off. */
  readonly staleData: TimeTracker | null;
  /** The breaker whose time tracker that is, or null. */
  readonly staleKind: BreakerType | null;
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
    const observers = Object.fromEntries(COUNTED_INPUTS.map((input) => [input, [] as { kind: BreakerType; tracker: InputTracker }[]])) as Record<CountedInput, { kind: BreakerType; tracker: InputTracker }[]>;
    const timed: { kind: BreakerType; tracker: InputTracker }[] = [];
    let time: TimeTracker | null = null;
    let timeKind: BreakerType | null = null;
    const resolved = settings.breakers as Readonly<Record<string, unknown>>;
    for (const row of REGISTRY) {
      const own = resolved[row.kind];
      if (own === null || own === undefined || row.rule.observes.length === 0) continue;
      const tracker = (row.rule.track as (s: unknown, env: { marketOpen: ResolvedSettings['marketOpen'] }) => Tracker | null)(own, { marketOpen: settings.marketOpen });
      if (tracker === null) continue;
      this.trackers.set(row.kind, tracker);
      for (const input of row.rule.observes) {
        if (input === Observes.VALUE) this.valueTrackers.push({ kind: row.kind, tracker: tracker as ValueTracker });
        else if (input === Observes.TIME) [time, timeKind] = [tracker as TimeTracker, row.kind];
        else if (input !== Observes.CLUSTER) observers[input].push({ kind: row.kind, tracker: tracker as InputTracker });
      }
      if (typeof (tracker as InputTracker).observeTime === 'function') timed.push({ kind: row.kind, tracker: tracker as InputTracker });
    }
    this.observers = observers;
    this.timed = timed;
    this.staleData = time;
    this.staleKind = timeKind;
    this.#clock = this.staleData === null ? null : clock;
  }

  /** The tracker of one breaker, typed by its rule (null while the breaker is off). */
  of<K extends BreakerType>(kind: K): ReturnType<RuleOf<K>['track']> | null {
    return (this.trackers.get(kind) as ReturnType<RuleOf<K>['track']> | undefined) ?? null;
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
    for (const { tracker } of this.valueTrackers) tracker.acceptNewHigh?.(text);
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
    this.newHighs = newHighs && this.valueTrackers.some(({ tracker }) => tracker.acceptNewHigh !== undefined);
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
