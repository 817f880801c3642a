/**
 * fast-check arbitraries for property tests of a breakerbox configuration and strategy: market
 * paths (random walks with jumps, crashes, gaps, rising markets that set new highs), order
 * bursts, error storms by kind, clock advances across market opens and DST changes, operator
 * actions, and whole scenarios mixing them.
 */
import fc from 'fast-check';
import { ERROR_KINDS, type ErrorKind } from '../../machines/constants.ts';
import type { Order } from '../runtime/types.ts';
import { command, type ScenarioCommand } from './commands.ts';
import { ORACLE_BREAKERS } from './oracle.ts';

/** The shape of a market path. */
export type PathKind = 'walk' | 'crash' | 'gap' | 'rising';

export interface MarketPathOptions {
  /** Starting value in whole currency units (default 100000). */
  readonly start?: number;
  /** Most steps (default 40). */
  readonly maxSteps?: number;
  /** Which shapes to draw from (default all). */
  readonly kinds?: readonly PathKind[];
}

const cents = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

/** Applies moves in basis points to a value in cents, never below one cent. */
function walk(startCents: number, bps: readonly number[]): string[] {
  let c = startCents;
  return bps.map((b) => cents((c = Math.max(1, Math.round((c * (10_000 + b)) / 10_000)))));
}

/**
 * A market path: portfolio values as decimal text with two decimals (the documented shape).
 * `walk`: small moves with occasional jumps; `crash`: a walk then a run of 2–8 % drops;
 * `gap`: a walk with one jump of up to ±25 %; `rising`: every step a new high.
 */
export function marketPath(options: MarketPathOptions = {}): fc.Arbitrary<string[]> {
  const start = Math.round((options.start ?? 100_000) * 100);
  const max = options.maxSteps ?? 40;
  const move = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -150, max: 150 }) }, { weight: 1, arbitrary: fc.integer({ min: -1500, max: 1500 }) });
  const shapes: Record<PathKind, fc.Arbitrary<number[]>> = {
    walk: fc.array(move, { minLength: 1, maxLength: max }),
    crash: fc
      .tuple(fc.array(move, { maxLength: Math.max(1, max - 8) }), fc.array(fc.integer({ min: -800, max: -200 }), { minLength: 2, maxLength: 8 }))
      .map(([before, drops]) => [...before, ...drops]),
    gap: fc
      .tuple(fc.array(move, { maxLength: max / 2 }), fc.integer({ min: -2500, max: 2500 }), fc.array(move, { maxLength: max / 2 }))
      .map(([a, jump, b]) => [...a, jump, ...b]),
    rising: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: max }),
  };
  const kinds = options.kinds ?? (Object.keys(shapes) as PathKind[]);
  return fc.oneof(...kinds.map((k) => shapes[k])).map((bps) => [cents(start), ...walk(start, bps)]);
}

/** A market path as scenario commands: ticks with time passing between them (seconds to a weekend). */
export function marketTicks(options: MarketPathOptions = {}): fc.Arbitrary<ScenarioCommand[]> {
  return marketPath(options).chain((values) =>
    fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 60 }).map((s) => s * 1000) }, { weight: 1, arbitrary: fc.constantFrom(3_600_000, 16 * 3_600_000, 64 * 3_600_000) }), {
      minLength: values.length,
      maxLength: values.length,
    }).map((gaps) => values.flatMap((value, i) => [command({ kind: 'advance', ms: gaps[i]! }), command({ kind: 'tick', value })])),
  );
}

/** A default order: buy 1 ES. */
export const DEFAULT_ORDER: Order = Object.freeze({ symbol: 'ES', side: 'buy', quantity: 1 });

/** A burst of 1–`max` orders (signals), `spacingMs` apart at most (default 0–500 ms). */
export function orderBurst(options: { readonly max?: number; readonly order?: Order; readonly maxSpacingMs?: number } = {}): fc.Arbitrary<ScenarioCommand[]> {
  const order = options.order ?? DEFAULT_ORDER;
  return fc
    .array(fc.integer({ min: 0, max: options.maxSpacingMs ?? 500 }), { minLength: 1, maxLength: options.max ?? 150 })
    .map((gaps) => gaps.flatMap((ms) => [...(ms > 0 ? [command({ kind: 'advance', ms })] : []), command({ kind: 'signal', order })]));
}

/** A storm of 1–`max` errors, all of one kind or mixed (default: any kind). */
export function errorStorm(options: { readonly max?: number; readonly kinds?: readonly ErrorKind[] } = {}): fc.Arbitrary<ScenarioCommand[]> {
  const kinds = options.kinds ?? ERROR_KINDS;
  return fc
    .array(fc.tuple(fc.constantFrom(...kinds), fc.integer({ min: 0, max: 2000 })), { minLength: 1, maxLength: options.max ?? 30 })
    .map((items) => items.flatMap(([errorKind, ms]) => [...(ms > 0 ? [command({ kind: 'advance', ms })] : []), command({ kind: 'error', errorKind })]));
}

/** The broker rejects the next 1–`max` orders, then the strategy trades (its retries meet the rejections). */
export function brokerRejectStorm(options: { readonly max?: number; readonly order?: Order } = {}): fc.Arbitrary<ScenarioCommand[]> {
  return fc.integer({ min: 1, max: options.max ?? 25 }).map((count) => [command({ kind: 'brokerRejects', count }), command({ kind: 'signal', order: options.order ?? DEFAULT_ORDER })]);
}

/**
 * A clock move: a few ms to a day, or to just before / at / after the next market open or the
 * next DST change of the market's zone (the harness resolves those against its clock).
 */
export function clockAdvance(): fc.Arbitrary<ScenarioCommand> {
  const near = fc.oneof(fc.constant(0), fc.integer({ min: -120_000, max: 120_000 }), fc.constantFrom(-1, 1, -60_000, 3_600_000));
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 600 }).map((s) => s * 1000), fc.integer({ min: 1, max: 30 }).map((h) => h * 3_600_000)).map((ms) => command({ kind: 'advance', ms })) },
    { weight: 2, arbitrary: near.map((offsetMs) => command({ kind: 'toNextOpen', offsetMs })) },
    { weight: 1, arbitrary: near.map((offsetMs) => command({ kind: 'toDstChange', offsetMs })) },
  );
}

/** An operator: halt, request a reset of any breaker, confirm the newest (or an older, or a bogus) token. */
export function operatorAction(): fc.Arbitrary<ScenarioCommand> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(command({ kind: 'halt' })) },
    { weight: 3, arbitrary: fc.constantFrom(...ORACLE_BREAKERS).map((breaker) => command({ kind: 'requestReset', breaker })) },
    { weight: 3, arbitrary: fc.integer({ min: -1, max: 2 }).map((pick) => command({ kind: 'confirmReset', pick })) },
  );
}

export interface ScenarioOptions {
  /** Most chunks (a path, a burst, a storm, a clock move, an operator action); default 12. */
  readonly maxChunks?: number;
  readonly market?: MarketPathOptions;
  readonly order?: Order;
  /** Longest order burst (default 150: enough to cross the moderate order-rate limit). */
  readonly maxBurst?: number;
  /** Longest error storm (default 30). */
  readonly maxErrors?: number;
  /** Leave operator actions out (default false). */
  readonly noOperator?: boolean;
}

/** Whole scenarios: a market path first (so there is a portfolio value), then a mix of everything. */
export function scenario(options: ScenarioOptions = {}): fc.Arbitrary<ScenarioCommand[]> {
  const chunk = fc.oneof(
    { weight: 4, arbitrary: marketTicks({ maxSteps: 12, ...options.market }) },
    { weight: 2, arbitrary: orderBurst({ max: options.maxBurst ?? 150, ...(options.order ? { order: options.order } : {}) }) },
    { weight: 2, arbitrary: errorStorm({ max: options.maxErrors ?? 30 }) },
    { weight: 2, arbitrary: brokerRejectStorm(options.order ? { order: options.order } : {}) },
    { weight: 2, arbitrary: clockAdvance().map((c) => [c]) },
    ...(options.noOperator ? [] : [{ weight: 2, arbitrary: operatorAction().map((c) => [c]) }]),
  );
  return fc
    .tuple(marketTicks({ maxSteps: 6, ...options.market }), fc.array(chunk, { maxLength: options.maxChunks ?? 12 }))
    .map(([first, rest]) => [...first, ...rest.flat()]);
}
