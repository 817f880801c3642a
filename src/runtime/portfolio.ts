import type { Subject } from 'rxjs';
import { BreakerType } from '../../machines/rules/registry.ts';
import type { Signal } from '../../machines/figures/signal.ts';
import type { Exact } from '../../machines/math/exact.ts';
import { INSIDE, NEW_HIGH } from '../../machines/figures/quietBand.ts';
import type { Clock } from '../clock.ts';
import { InvalidInputError } from '../errors.ts';
import { RiskEventType, type EventDetails } from '../events.ts';
import type { Figures } from './figures.ts';
import type { HistoryRecorder } from './history/recorder.ts';
import { parseDecimal, parseTimestamp, validatePositions } from './inputs.ts';
import type { StepRunner } from './step.ts';
import type { PortfolioUpdate, Position } from './types.ts';

/** What a portfolio update needs from its runtime. */
export interface PortfolioContext {
  readonly figures: Figures;
  readonly step: StepRunner;
  readonly clock: Clock;
  readonly maxClockSkewMs: number;
  readonly portfolio$: Subject<{ value: string; positions: readonly Position[]; at: number }>;
  newHighWaterMark(): void;
  countersChanged(): void;
  positions(): readonly Position[];
  /**
   * A position report as of `asOf` (null: when received, at `receivedAt`). False when it is older
   * than the newest accepted one: then nothing changed.
   */
  setPositions(positions: readonly Position[], asOf: number | null, receivedAt: number): boolean;
  /** A position report was ignored (older than the newest accepted one): journaled, counted as a data_error. */
  reportIgnored(field: string, value: unknown, reason: string): void;
  /** The `asOf` of the newest accepted position report, or null. */
  reportAsOf(): number | null;
  /** The cash reported with the update (canonical decimal text). */
  setCash(cash: string): void;
  /** The history: an update at or after `history.bucketEnd` closes the bucket before it is taken. */
  readonly history: HistoryRecorder;
  rejectInput(error: unknown): void;
  setDataFault(reason: string): void;
  clearDataFault(): void;
  /** No data fault is set (the quiet band never skips the step that would clear one). */
  dataTrusted(): boolean;
  signal(kind: BreakerType, signal: Signal): void;
  /** A valid value was taken, with every rule evaluated: a stale-data breaker may recover. */
  fresh(): void;
  emit(type: RiskEventType, breaker: BreakerType | null, details: EventDetails): void;
}

/**
 * One portfolio update, as one step: read each field once → validate → evaluate every value
 * rule → commit (TRIP events to the charts) → and only then may the gate reopen. A value inside
 * the quiet band (or a plain new high) changes nothing a rule decides, so it skips the step.
 */
export function applyPortfolioUpdate(ctx: PortfolioContext, update: PortfolioUpdate): void {
  let value: unknown, positions: unknown, timestamp: unknown, cash: unknown, asOf: unknown;
  if (typeof update !== 'object' || update === null) return refuse(ctx, new InvalidInputError('update', update, 'must be an object with a value'));
  try {
    ({ value, positions, timestamp, cash, asOf } = update as { value?: unknown; positions?: unknown; timestamp?: unknown; cash?: unknown; asOf?: unknown });
  } catch (error) {
    return refuse(ctx, new InvalidInputError('update', update, `could not be read (${error instanceof Error ? error.message : 'it threw'})`));
  }
  const { figures } = ctx;
  const band = figures.band;
  if (band !== null && positions === undefined && timestamp === undefined && cash === undefined && asOf === undefined && ctx.dataTrusted()) {
    const at = ctx.clock.now();
    if (at < figures.bandUntil && (figures.lastTimestamp === null || at >= figures.lastTimestamp)) {
      const place = band.classify(value);
      if (place === INSIDE) {
        if (at >= ctx.history.bucketEnd) ctx.history.roll(at);
        figures.acceptQuiet(value as string | number, at);
        if (ctx.portfolio$.observed) publish(ctx, String(value), at);
        return;
      }
      if (place === NEW_HIGH && figures.newHighs) {
        if (at >= ctx.history.bucketEnd) ctx.history.roll(at);
        figures.acceptNewHigh(value as string, at);
        ctx.newHighWaterMark();
        if (ctx.portfolio$.observed) publish(ctx, value as string, at);
        return;
      }
    }
  }
  ctx.step.run(() => evaluate(ctx, value, positions, timestamp, cash, asOf));
}

function evaluate(ctx: PortfolioContext, rawValue: unknown, rawPositions: unknown, rawTimestamp: unknown, rawCash: unknown, rawAsOf: unknown): void {
  const { figures } = ctx;
  let value: Exact;
  let at: number;
  let positions: readonly Position[] | undefined;
  let cash: string | undefined;
  let asOf: number | null;
  let now: number;
  try {
    value = parseDecimal(rawValue, 'value', { sign: 'any' });
    now = ctx.clock.now();
    // The clock may step back (NTP); time used for the trading day never does.
    at =
      rawTimestamp === undefined
        ? Math.max(now, figures.lastTimestamp ?? -Infinity)
        : parseTimestamp(rawTimestamp, 'timestamp', { now, maxSkewMs: ctx.maxClockSkewMs, last: figures.lastTimestamp });
    positions = rawPositions === undefined ? undefined : validatePositions(rawPositions);
    // The positions' time: `asOf`, else the update's timestamp, else when received. Not held to
    // the last accepted timestamp: an older report is ignored (below), not refused.
    asOf =
      rawAsOf !== undefined
        ? parseTimestamp(rawAsOf, 'asOf', { now, maxSkewMs: ctx.maxClockSkewMs })
        : rawTimestamp !== undefined
          ? at
          : null;
    // Cash may be negative (a margin loan); same bounds as every decimal.
    cash = rawCash === undefined ? undefined : parseDecimal(rawCash, 'cash', { sign: 'any' }).toFixed();
    if ((value.isNegative() || value.isZero()) && !hasBaseline(figures)) {
      throw new InvalidInputError('value', rawValue, 'the first portfolio value must be positive: zero or a loss cannot be a baseline');
    }
  } catch (error) {
    ctx.rejectInput(error);
    throw error;
  }
  if (at >= ctx.history.bucketEnd) ctx.history.roll(at);
  const hwmBefore = figures.of(BreakerType.DRAWDOWN)?.save().highWaterMark ?? null;
  const signals = figures.observe(value, at);
  // A report older than the newest accepted one is ignored with its cash (the same stale
  // snapshot); the value has its own timestamp and is taken.
  const stale = positions !== undefined && !ctx.setPositions(positions, asOf, now);
  if (stale) {
    const newest = ctx.reportAsOf()!;
    const field = rawAsOf !== undefined ? 'asOf' : 'timestamp';
    const what = cash !== undefined ? 'position report (and its cash)' : 'position report';
    ctx.reportIgnored(field, rawAsOf ?? rawTimestamp, `${what} as of ${new Date(asOf!).toISOString()} is older than the newest accepted one (${new Date(newest).toISOString()}): ignored`);
  }
  if (cash !== undefined && !stale) ctx.setCash(cash);
  let refused: string | null = null;
  for (const s of signals) {
    if (s.opened) ctx.emit(RiskEventType.TRADING_DAY_OPENED, s.kind, s.opened);
    if (s.baselineRefused) refused = `${s.kind}: ${s.baselineRefused} (got ${value.toFixed()})`;
    if (s.signal !== 0) ctx.signal(s.kind, s.signal);
  }
  ctx.fresh();
  const drawdown = figures.of(BreakerType.DRAWDOWN);
  if (drawdown && drawdown.save().highWaterMark !== hwmBefore) ctx.newHighWaterMark();
  ctx.countersChanged();
  figures.recomputeBand();
  // Only now, with every rule evaluated and every trip committed, may the data be trusted again.
  if (refused !== null) ctx.setDataFault(refused);
  else ctx.clearDataFault();
  if (ctx.portfolio$.observed) publish(ctx, value.toFixed(), at);
}

function hasBaseline(figures: Figures): boolean {
  return figures.valueTrackers.some(({ tracker }) => tracker.quiet() !== null) || figures.lastRaw !== null;
}

function publish(ctx: PortfolioContext, value: string, at: number): void {
  const positions = ctx.positions();
  ctx.step.notify(() => ctx.portfolio$.next({ value, positions, at }));
}

function refuse(ctx: PortfolioContext, error: InvalidInputError): never {
  ctx.step.run(() => ctx.rejectInput(error));
  throw error;
}
