import type { Exact } from '../math/exact.ts';
import type { ErrorKind } from '../constants.ts';
import type { Signal } from '../figures/signal.ts';
import type { SettingsPart } from './settings.ts';

/** JSON-safe data: figures, evidence and saved state are plain data so they persist and print as they are. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
/** The figures a rule decided on, carried by the chart events that act on them. */
export type Evidence = { readonly [key: string]: Json };

/** Which statechart a breaker runs: only the edges that breaker can take. */
export const ChartKind = {
  /** NORMAL → TRIPPED → RESETTING → NORMAL; leaves TRIPPED only by a confirmed reset. */
  AUTOMATIC: 'automatic',
  /** Like AUTOMATIC, and also heals itself (TRIPPED → RESETTING → NORMAL) once its condition clears. */
  SELF_HEALING: 'selfHealing',
  /** An operator's stop: NORMAL → MANUALLY_HALTED → RESETTING → NORMAL. */
  MANUAL: 'manual',
  /**
   * The cluster's: NORMAL → TRIPPED (link lost) → RESETTING → NORMAL (link back, by itself);
   * any state → MANUALLY_HALTED (a scoped halt) → RESETTING → NORMAL only when the cluster
   * lifts the halt (LIFT); no local reset edge.
   */
  CLUSTER: 'cluster',
} as const;
export type ChartKind = (typeof ChartKind)[keyof typeof ChartKind];

/**
 * The inputs a rule observes. Portfolio values go to value trackers, time to time trackers, the
 * cluster to the cluster's; the counted inputs (orders, modifications, cancellations, fills,
 * position reports, errors) go, as a {@link RuleInput}, to every rule that lists them.
 */
export const Observes = {
  VALUE: 'value',
  ORDER: 'order',
  MODIFY: 'modify',
  CANCEL: 'cancel',
  FILL: 'fill',
  REPORT: 'report',
  ERROR: 'error',
  TIME: 'time',
  NOTHING: 'nothing',
  CLUSTER: 'cluster',
} as const;
export type Observes = (typeof Observes)[keyof typeof Observes];
/** The counted inputs, routed to {@link InputTracker}s. */
export type CountedInput = Extract<Observes, 'order' | 'modify' | 'cancel' | 'fill' | 'report' | 'error'>;
export const COUNTED_INPUTS: readonly CountedInput[] = [Observes.ORDER, Observes.MODIFY, Observes.CANCEL, Observes.FILL, Observes.REPORT, Observes.ERROR];

/** A validated counted input as a rule sees it (symbols canonical, money as exact decimal text). */
export type RuleInput =
  | { readonly input: 'order' | 'modify' | 'cancel' }
  | {
      readonly input: 'fill';
      readonly symbol: string;
      readonly side: 'buy' | 'sell';
      readonly quantity: string;
      /** The profit or loss this fill realised, when the strategy reports it; null otherwise. */
      readonly realizedPnl: string | null;
      /** When it executed (wall clock, ms). */
      readonly executedAt: number;
    }
  | {
      readonly input: 'report';
      /** Each reported symbol's position (exact signed decimal text), symbols canonical; a symbol not listed is flat. */
      readonly positions: ReadonlyMap<string, string>;
      /** The wall-clock time the report is as of (ms): the fills it includes executed at or before it. */
      readonly asOf: number;
    }
  | { readonly input: 'error'; readonly kind: ErrorKind };

/** The outcome of a breaker's own re-check before a confirmed reset may return it to NORMAL. */
export interface Recheck {
  readonly passed: boolean;
  /** Why it failed, or null. */
  readonly reason: string | null;
}

/**
 * The pure decisions of a breaker, used by its statechart's guards: the chart itself decides
 * whether the evidence it is sent trips it, and whether a reset may pass.
 */
export interface RuleDecisions {
  /** Whether the evidence meets the trip condition (exactly). */
  tripHolds(evidence: Evidence): boolean;
  /** The re-check a confirmed reset must pass. */
  recheck(evidence: Evidence): Recheck;
  /** Whether the evidence shows a self-healing breaker's condition has cleared. */
  cleared(evidence: Evidence): boolean;
  /** One line explaining a trip from its evidence. */
  describe(evidence: Evidence): string;
}

/** Live figures of one breaker for one strategy: observe → signal, levels, re-baseline, save/load. */
export interface Tracker {
  /** The figures shown everywhere (true counts, exact levels), against the current value. */
  figures(now: number, value: Exact | null): Evidence;
  /** The evidence a TRIP event carries. */
  tripEvidence(now: number, value: Exact | null): Evidence;
  /** The evidence a CONFIRM_RESET event carries (what the re-check looks at). */
  recheckEvidence(now: number, value: Exact | null): Evidence;
  /** What a confirmed reset re-baselines (and re-arms the warning). */
  rebaseline(now: number, value: Exact | null): void;
  /**
   * Plain data to persist. A tracker that keeps instants (a window) adds `shiftMs` to each one it
   * saves: the runtime's trackers count on its monotonic clock and save on the wall clock.
   */
  save(shiftMs?: number): Json;
  /**
   * Restores what {@link save} returned; throws when it does not validate. Instants loaded are
   * moved by `shiftMs` and capped at `notAfter` (an instant from the future is taken as now).
   */
  load(saved: unknown, shiftMs?: number, notAfter?: number): void;
}

/** A tracker over portfolio values (drawdown, daily loss). */
export interface ValueTracker extends Tracker {
  /** Feeds a validated value observed at `at`. */
  observe(value: Exact, at: number): ValueObservation;
  /**
   * The band of values that cannot change this rule: strictly above `low` and at or below
   * `high` (null = unbounded), until `until` (ms). Null when every value must be evaluated.
   */
  quiet(): QuietRange | null;
  /** Takes a value above the band's high as a new high without arithmetic (only rules whose band says `acceptsNewHigh` and that keep a high). */
  acceptNewHigh?(text: string): void;
}

export interface QuietRange {
  /** The exclusive lower edge. */
  readonly low: Exact;
  /** The inclusive upper edge, or null: canonical decimal text (no exponent) and its value. */
  readonly high: string | null;
  readonly highValue: Exact | null;
  readonly until: number;
  /** Values above `high` that are only a new high: the rule takes them without arithmetic. */
  readonly acceptsNewHigh: boolean;
}

export interface ValueObservation {
  readonly signal: Signal;
  /** Set when this value became a new baseline (e.g. the start of a trading day). */
  readonly opened: Evidence | null;
  /** Set when the value cannot serve as a required baseline (zero or negative). */
  readonly baselineRefused: string | null;
}

/**
 * A tracker over counted inputs (orders, modifications, cancellations, fills, reports, errors):
 * the runtime gives it every input its rule observes, already validated, at `at` (monotonic ms).
 */
export interface InputTracker extends Tracker {
  observeInput(input: RuleInput, at: number): Signal;
  /** When a self-healing breaker's condition will clear if nothing new arrives, or null. */
  clearsAt(now: number): number | null;
  /**
   * For a rule that acts on time as well (a grace period): the next instant at which
   * {@link observeTime} could answer something new, or null when nothing is due.
   */
  dueAt?(now: number): number | null;
  /** What the time `now` means to a timed rule (TRIP once its grace ran out, else NONE). */
  observeTime?(now: number): Signal;
}

/**
 * A tracker over the time since something last happened (stale data: the last valid portfolio
 * value). The runtime tells it where that time comes from; it never reads a clock itself.
 */
export interface TimeTracker extends Tracker {
  /**
   * Points the tracker at the time (ms) of the last observation, on the clock the runtime passes
   * as `now` (its monotonic clock); `shownAt`, when given, is the same instant on the wall clock
   * (shown to people).
   */
  watch(lastAt: () => number, shownAt?: () => number): void;
  /** What the time `now` means: TRIP, a first WARN since the last observation, or NONE. */
  observe(now: number): Signal;
  /** The next instant at which {@link observe} could answer something new. */
  dueAt(now: number): number;
  /** Whether the condition holds at `now` (one subtraction: `check()` asks this on every order). */
  holds(now: number): boolean;
}

/**
 * Everything about one breaker, in its one module: its chart, its decisions, its figures, its
 * settings and presets, what its saved record holds since when, and its words. The registry
 * (machines/breakers.ts) generates the breaker kinds, the config schema, status and figures
 * types, record migration and every presentation from these.
 */
export interface BreakerRule<Settings, T extends Tracker | null, Figures = Evidence> extends RuleDecisions {
  /** The breaker's key everywhere (config, status, events, records), e.g. `dailyLoss`. */
  readonly kind: string;
  /** Its constant's name in `BreakerType`, e.g. `DAILY_LOSS`. */
  readonly name: string;
  readonly chart: ChartKind;
  /** The inputs it observes (one family: value, time, cluster, nothing, or counted inputs). */
  readonly observes: readonly Observes[];
  /** How it is configured under `breakers.<kind>`, or null when it is not (manual; cluster, from the `cluster` option). */
  readonly settings: SettingsPart | null;
  /** True for a breaker every strategy runs (its figures are never null). */
  readonly alwaysOn: boolean;
  /**
   * The persisted record version that first held this breaker: a record saved by an older
   * version restores it in its initial state (NORMAL), with a journal note.
   */
  readonly recordSince: number;
  /**
   * True for a breaker only a person may re-enable (RTS 6 Art 15(3)'s execution throttle): it
   * refuses `autoReset`. Absent or false: an AUTOMATIC-chart breaker accepts `autoReset: { after }`
   * (the registry's `acceptsAutoReset`); other charts never take it.
   */
  readonly manualResetOnly?: boolean;
  /** Builds the figures tracker for a strategy (null for breakers without figures). */
  track(settings: Settings, env: TrackerEnv): T;
  /**
   * What a confirmed reset would move, in plain sentences, from the breaker's current figures
   * (shown before an operator confirms: a new high-water mark and trip level, a cleared window).
   */
  resetEffects(figures: Evidence): readonly string[];
  /** How it describes itself to people. */
  readonly words: BreakerWords<Figures>;
}

/** A breaker's live figures in words: what the dashboard shows and the CLI prints. */
export interface FiguresInWords {
  /** The headline, e.g. "-4.0% drawdown". */
  readonly figure: string;
  readonly details: readonly string[];
  /** What a meter shows: the used fraction of the limit (past 1 when crossed; null when unknown), or null for no meter. */
  readonly meter: { readonly label: string; readonly use: number | null; readonly warnAt: number } | null;
}

/**
 * A breaker's words, written once: every view (status, CLI, dashboard, alerts, journal, demo)
 * takes them from here.
 */
export interface BreakerWords<Figures> {
  /** Its name as people read it, e.g. "Daily loss". */
  readonly label: string;
  /** Its name in an alert's head, e.g. "DAILY LOSS". */
  readonly shout: string;
  /** Its live figures (the breaker is on). */
  view(figures: Figures): FiguresInWords;
  /** Its live figures on one line (the CLI). */
  line(figures: Figures): string;
  /**
   * The figures of a trip or warning event in words. The details may come from disk, the wire
   * or an older version: any field may be missing or malformed, and the words say so rather than throw.
   */
  event(details: Evidence): string;
  /** A recovery (a self-healing breaker's condition cleared) in words, from the event's details. */
  recovered(details: Evidence): string;
}

/** What trackers may need besides their own settings. */
export interface TrackerEnv {
  readonly marketOpen: { readonly time: string; readonly timeZone: string };
}
