/**
 * Scenario commands: plain data a property test generates and {@link runScenario} replays
 * against a runtime. Each prints readably in a fast-check counterexample.
 */
import fc from 'fast-check';
import type { ErrorKind } from '../../machines/constants.ts';
import type { Order } from '../runtime/types.ts';
import type { OracleBreaker } from './oracle.ts';

export type ScenarioCommand =
  /** A portfolio value (decimal text). */
  | { readonly kind: 'tick'; readonly value: string }
  /** A portfolio update the runtime must refuse (not a number). */
  | { readonly kind: 'badTick' }
  /** The strategy wants to place this order (it calls `onSignal`, by default `ctx.submit`). */
  | { readonly kind: 'signal'; readonly order: Order }
  /** The broker rejects the next `count` orders sent to it (the strategy's `onBrokerReject` hears of each). */
  | { readonly kind: 'brokerRejects'; readonly count: number }
  /** An error reported with `recordError`. */
  | { readonly kind: 'error'; readonly errorKind: ErrorKind }
  /** The clock moves forward by `ms`. */
  | { readonly kind: 'advance'; readonly ms: number }
  /** The clock moves to the next market open, plus `offsetMs` (may be negative: just before it). */
  | { readonly kind: 'toNextOpen'; readonly offsetMs: number }
  /** The clock moves to the next DST change of the market's zone, plus `offsetMs`. */
  | { readonly kind: 'toDstChange'; readonly offsetMs: number }
  /** An operator halts the strategy. */
  | { readonly kind: 'halt' }
  /** An operator requests a reset of `breaker`. */
  | { readonly kind: 'requestReset'; readonly breaker: OracleBreaker }
  /** An operator confirms a reset: `pick` counts back from the newest token issued (-1: a bogus token). */
  | { readonly kind: 'confirmReset'; readonly pick: number };

/** How a command prints (in counterexamples and violation reports). */
export function describeCommand(c: ScenarioCommand): string {
  switch (c.kind) {
    case 'tick':
      return `tick(${c.value})`;
    case 'signal':
      return `signal(${c.order.side} ${String(c.order.quantity)} ${c.order.symbol})`;
    case 'brokerRejects':
      return `brokerRejects(${c.count})`;
    case 'error':
      return `error(${c.errorKind})`;
    case 'advance':
      return `advance(${formatMs(c.ms)})`;
    case 'toNextOpen':
      return `toNextOpen(${c.offsetMs >= 0 ? '+' : '-'}${formatMs(Math.abs(c.offsetMs))})`;
    case 'toDstChange':
      return `toDstChange(${c.offsetMs >= 0 ? '+' : '-'}${formatMs(Math.abs(c.offsetMs))})`;
    case 'requestReset':
      return `requestReset(${c.breaker})`;
    case 'confirmReset':
      return `confirmReset(${c.pick})`;
    default:
      return `${c.kind}()`;
  }
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Gives a command its readable form in fast-check's output. */
export function command<C extends ScenarioCommand>(c: C): C {
  return Object.defineProperty(c, fc.toStringMethod, { value: () => describeCommand(c), enumerable: false });
}
