/**
 * Replay: a recorded price or portfolio-value series through a real runtime on a simulated
 * clock. Each row sets the clock to its timestamp and feeds its value as a decimal string (the
 * documented input shape; values inside the quiet band cost no arithmetic). A tripped breaker is
 * reset by a simulated operator according to a {@link ResetPolicy}, at the first row at or after
 * the policy's time, once that row's value was taken (so a drawdown reset re-baselines the
 * high-water mark on it, and a daily-loss reset at the open re-checks against the new day).
 */
import { BreakerType } from '../../machines/rules/registry.ts';
import { tradingDayAt, type MarketOpen } from '../../machines/figures/tradingDay.ts';
import { ReplayClock } from './clock.ts';
import type { BreakersConfig, PresetName } from '../config.ts';
import { InvalidInputError } from '../errors.ts';
import { RiskEventType, type EventDetails, type RiskEvent } from '../events.ts';
import { silentLogger } from '../logger.ts';
import { createRiskRuntime } from '../app/create.ts';
import type { StrategyStore } from '../runtime/persistence.ts';
import { SeriesError, type Series } from './series.ts';
import { money, percent } from '../present/format.ts';

/**
 * When the simulated operator resets a tripped breaker: `'next-open'` (the next trading day's
 * open, the default), `'never'`, or `{ afterMs }` after the trip.
 */
export type ResetPolicy = 'next-open' | 'never' | { readonly afterMs: number };

/** The configuration a replay runs with: the runtime's plain settings and the reset policy. */
export interface ReplayOptions {
  /** A preset name or a breakers object merged over the moderate preset (default `'moderate'`). */
  readonly breakers?: BreakersConfig | PresetName;
  /** The trading day's open, for daily loss (default 00:00 UTC). */
  readonly marketOpen?: MarketOpen;
  /** Fraction of a limit at which a breaker first warns (default 0.8). */
  readonly warnAt?: number;
  /** When a tripped breaker is reset (default `'next-open'`). */
  readonly reset?: ResetPolicy;
  /** Called with each event as it happens (also collected in the result). */
  readonly onEvent?: (event: ReplayEvent) => void;
}

/** What a replay reports: a warning, a trip, a recovery (confirmed reset), or a refused reset. */
export type ReplayEventType = 'warning' | 'trip' | 'recovery' | 'reset_refused';

export interface ReplayEvent {
  readonly type: ReplayEventType;
  readonly breaker: string;
  /** 0-based row of the data the event happened on. */
  readonly index: number;
  /** ISO-8601 time of that row. */
  readonly timestamp: string;
  /** The row's value. */
  readonly value: string;
  /** One line explaining it. */
  readonly reason: string;
  /** For a recovery: how long the breaker held trading, in ms. */
  readonly heldMs?: number;
  /** The runtime's figures behind the event (drawdown, levels, start of day, …). */
  readonly details: EventDetails;
}

/** Per breaker: trips, and how long it held trading. */
export interface BreakerSummary {
  readonly trips: number;
  readonly warnings: number;
  /** Total time tripped (until its recovery, or the last row when still tripped), ms. */
  readonly heldMs: number;
  /** Whether it was still tripped at the last row. */
  readonly trippedAtEnd: boolean;
}

export interface ReplayResult {
  readonly rows: number;
  readonly from: string;
  readonly to: string;
  readonly events: readonly ReplayEvent[];
  readonly breakers: Readonly<Record<string, BreakerSummary>>;
  readonly trips: number;
  readonly firstTrip: { readonly index: number; readonly timestamp: string } | null;
  /** Time during which trading was not allowed (any breaker not NORMAL), ms. */
  readonly haltedMs: number;
  /** haltedMs over the series' time span (0 for a single row). */
  readonly haltedShare: number;
  /**
   * Worst drawdown (a negative fraction of the running peak) of the series itself, and of a
   * "flat while halted" account: it earns the series' return v[i]/v[i-1] over each interval
   * that starts with trading allowed, and stays flat over each that starts halted.
   */
  readonly worstDrawdown: { readonly withBreaker: number; readonly without: number };
}

const RELEVANT = new Map<string, ReplayEventType>([
  [RiskEventType.WARNING, 'warning'],
  [RiskEventType.TRIPPED, 'trip'],
  [RiskEventType.RESET_CONFIRMED, 'recovery'],
  [RiskEventType.RECOVERED, 'recovery'],
  [RiskEventType.RESET_REFUSED, 'reset_refused'],
]);
const YIELD_EVERY = 16_384;

/** A store that keeps nothing: a replay needs no durability and no journal. */
function discardStore(): StrategyStore {
  return {
    load: async () => null,
    commit: async () => undefined,
    saveFigures: async () => undefined,
    journal: async () => [],
    close: async () => undefined,
  };
}

/** Replays `series` through a fresh runtime and reports what happened. */
export async function replaySeries(series: Series, options: ReplayOptions = {}): Promise<ReplayResult> {
  const { at, values, lines } = series;
  const n = at.length;
  if (n === 0) throw new SeriesError(series.source, null, 'no data rows');
  const policy = options.reset ?? 'next-open';
  const marketOpen = options.marketOpen ?? { time: '00:00', timeZone: 'UTC' };
  const clock = new ReplayClock(at[0]!);
  const rt = await createRiskRuntime({
    strategy: 'replay',
    clock,
    logger: silentLogger,
    store: discardStore(),
    figuresDebounceMs: 60_000,
    breakers: options.breakers ?? 'moderate',
    marketOpen,
    ...(options.warnAt !== undefined ? { warnAt: options.warnAt } : {}),
  });
  const events: ReplayEvent[] = [];
  const tripped = new Map<string, { since: number; resetAt: number }>();
  const summaries: Record<string, { trips: number; warnings: number; heldMs: number; trippedAtEnd: boolean }> = {};
  const summary = (b: string) => (summaries[b] ??= { trips: 0, warnings: 0, heldMs: 0, trippedAtEnd: false });
  let row = 0;
  let firstTrip: ReplayResult['firstTrip'] = null;
  const resetTime = (from: number): number => {
    if (policy === 'never') return Infinity;
    if (policy === 'next-open') return tradingDayAt(from, marketOpen).nextOpenAt;
    return from + policy.afterMs;
  };
  const subscription = rt.events$.subscribe((e: RiskEvent) => {
    // A reset policy's attempt (autoReset in the breakers config) is a recovery when it passed.
    const type = e.type === RiskEventType.AUTO_RESET ? (e.details.passed === true ? 'recovery' : 'reset_refused') : RELEVANT.get(e.type);
    if (type === undefined || e.breaker === null) return;
    const breaker = e.breaker;
    const t = at[row]!;
    let heldMs: number | undefined;
    if (type === 'trip') {
      summary(breaker).trips++;
      tripped.set(breaker, { since: t, resetAt: resetTime(t) });
      firstTrip ??= { index: row, timestamp: new Date(t).toISOString() };
    } else if (type === 'warning') summary(breaker).warnings++;
    else if (type === 'recovery') {
      const open = tripped.get(breaker);
      if (open) {
        heldMs = t - open.since;
        summary(breaker).heldMs += heldMs;
        tripped.delete(breaker);
      }
    } else {
      const open = tripped.get(breaker);
      if (open) open.resetAt = resetTime(t);
    }
    const reason = typeof e.details.reason === 'string' ? e.details.reason : describeEvent(type, breaker, e.details);
    const event: ReplayEvent = { type, breaker, index: row, timestamp: new Date(t).toISOString(), value: values[row]!, reason, ...(heldMs !== undefined ? { heldMs } : {}), details: e.details };
    events.push(event);
    options.onEvent?.(event);
  });

  let haltedMs = 0;
  let peak = 0;
  let account = 0;
  let worstWith = 0;
  let seriesPeak = 0;
  let worstWithout = 0;
  let previous = NaN;
  let haltedBefore = false;
  try {
    for (row = 0; row < n; row++) {
      const t = at[row]!;
      clock.set(t);
      try {
        rt.updatePortfolio({ value: values[row]! });
      } catch (error) {
        if (error instanceof InvalidInputError) throw new SeriesError(series.source, lines[row] ?? null, `row ${row}: ${error.message}`);
        throw error;
      }
      if (tripped.size > 0) resetDue(rt, tripped, t);
      // Accounts: the interval (row-1, row] is earned only if it started with trading allowed.
      const v = Number(values[row]);
      if (row === 0) {
        account = peak = seriesPeak = v;
      } else {
        if (haltedBefore) haltedMs += t - at[row - 1]!;
        else if (previous > 0) account *= v / previous;
        if (account > peak) peak = account;
        else if (peak > 0 && account / peak - 1 < worstWith) worstWith = account / peak - 1;
        if (v > seriesPeak) seriesPeak = v;
        else if (seriesPeak > 0 && v / seriesPeak - 1 < worstWithout) worstWithout = v / seriesPeak - 1;
      }
      previous = v;
      haltedBefore = rt.state !== 'NORMAL';
      if ((row & (YIELD_EVERY - 1)) === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    row = n - 1;
    for (const [breaker, open] of tripped) {
      const s = summary(breaker);
      s.heldMs += at[n - 1]! - open.since;
      s.trippedAtEnd = true;
    }
  } finally {
    subscription.unsubscribe();
    await rt.stop();
  }
  const span = at[n - 1]! - at[0]!;
  return {
    rows: n,
    from: new Date(at[0]!).toISOString(),
    to: new Date(at[n - 1]!).toISOString(),
    events,
    breakers: summaries,
    trips: events.filter((e) => e.type === 'trip').length,
    firstTrip,
    haltedMs,
    haltedShare: span > 0 ? haltedMs / span : 0,
    worstDrawdown: { withBreaker: worstWith, without: worstWithout },
  };
}

/** Resets every tripped breaker whose reset time has come (the runtime's own two-step reset). */
function resetDue(rt: Awaited<ReturnType<typeof createRiskRuntime>>, tripped: Map<string, { since: number; resetAt: number }>, now: number): void {
  for (const [breaker, open] of [...tripped]) {
    if (open.resetAt > now) continue;
    const { token } = rt.requestReset({ breaker: breaker as BreakerType, operator: 'replay' });
    rt.confirmReset({ token, operator: 'replay' });
  }
}

function describeEvent(type: ReplayEventType, breaker: string, details: EventDetails): string {
  if (type === 'warning') {
    if (breaker === BreakerType.DRAWDOWN) return `drawdown ${percent(details.drawdown, 2)} reached the warning level (threshold ${percent(details.threshold, 2)})`;
    if (breaker === BreakerType.DAILY_LOSS) {
      const limit = details.limit !== null && details.limit !== undefined ? percent(details.limit, 2) : money(details.limitAmount);
      return `daily P&L ${percent(details.pnlFraction, 2)} reached the warning level (limit ${limit})`;
    }
    return `${breaker} reached its warning level`;
  }
  return type === 'recovery' ? `${breaker} reset and back to NORMAL` : `${breaker} tripped`;
}
