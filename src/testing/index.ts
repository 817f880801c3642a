/**
 * `breakerbox/testing`: a kit for users' property tests and for tuning limits.
 *
 * - fast-check arbitraries: {@link marketPath}, {@link marketTicks}, {@link orderBurst},
 *   {@link errorStorm}, {@link brokerRejectStorm}, {@link clockAdvance}, {@link operatorAction},
 *   whole {@link scenario}s;
 * - the controllable clock ({@link ManualClock});
 * - the reference model as a public oracle ({@link Oracle});
 * - {@link runScenario} / {@link checkScenarios}: a command sequence against a real runtime with
 *   the user's {@link Strategy} in the loop, checking the invariants, with a readable shrunk
 *   counterexample on failure;
 * - replay and threshold sweeps of recorded series ({@link replaySeries}, {@link sweep}).
 *
 * @packageDocumentation
 */
export { ManualClock, type Clock } from '../clock.ts';
export {
  marketPath,
  marketTicks,
  orderBurst,
  errorStorm,
  brokerRejectStorm,
  clockAdvance,
  operatorAction,
  scenario,
  DEFAULT_ORDER,
  MAX_ARBITRARY_SIZE,
  type PathKind,
  type MarketPathOptions,
  type ScenarioOptions,
} from './arbitraries.ts';
export { command, describeCommand, type ScenarioCommand } from './commands.ts';
export { Oracle, ALLOWED_EDGES, ORACLE_BREAKERS, type OracleBreaker, type OracleOptions, type OracleState } from './oracle.ts';
export { openOn, tradingDayOf, nextOffsetChange, type MarketOpenSpec } from './calendar.ts';
export { runScenario, checkScenarios, InvariantViolation, type Strategy, type StrategyContext, type RunOptions, type CheckOptions } from './harness.ts';
export { readSeries, parseSeries, SeriesError, MAX_SERIES_BYTES, type Series } from '../replay/series.ts';
export { replaySeries, type ReplayOptions, type ReplayResult, type ReplayEvent, type ReplayEventType, type ResetPolicy, type BreakerSummary } from '../replay/replay.ts';
export { sweep, parseSweepSpec, sweepSettings, applySetting, type SweepAxis, type SweepRow, type SweepOptions } from '../replay/sweep.ts';
export { renderHtmlReport, type HtmlReportInput } from '../replay/html.ts';
// Types the kit's signatures use, so users of `breakerbox/testing` can name them from here too.
export type { RiskRuntime } from '../runtime/runtime.ts';
export type { RiskRuntimeOptions } from '../app/create.ts';
export type { Decision, Order } from '../runtime/types.ts';
export type { BreakersConfig, PresetName } from '../config.ts';
export type { EventDetails } from '../events.ts';
export type { CancelTimer } from '../clock.ts';
export type { MarketOpen } from '../../machines/figures/tradingDay.ts';
