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
  /** Starting value in currency units, 0.01 to 1e12 (default 100000). */
  readonly start?: number;
  /** Most steps after the start, a whole number from 1 to 10000 (default 40). */
  readonly maxSteps?: number;
  /** Which shapes to draw from: at least one (default all). */
  readonly kinds?: readonly PathKind[];
}

/** The largest size any arbitrary here accepts (steps, orders, errors, chunks): far above a useful test. */
export const MAX_ARBITRARY_SIZE = 10_000;

/**
 * A size option: a whole number from `min` to {@link MAX_ARBITRARY_SIZE}, else a RangeError
 * naming the option and the value (fast-check's own message names neither).
 */
function size(name: string, value: number | undefined, fallback: number, min = 1, max = MAX_ARBITRARY_SIZE): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max} (got ${typeof value === 'number' ? String(value) : JSON.stringify(value) ?? typeof value})`);
  }
  return value;
}

const PATH_KINDS: readonly PathKind[] = ['walk', 'crash', 'gap', 'rising'];

const cents = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

/** The highest value a path reaches: 1e13 in cents, a safe integer, far inside the runtime's decimal bounds. */
const MAX_CENTS = 1e15;

/** Applies moves in basis points to a value in cents, never below one cent nor above {@link MAX_CENTS}. */
function walk(startCents: number, bps: readonly number[]): string[] {
  let c = startCents;
  return bps.map((b) => cents((c = Math.min(MAX_CENTS, Math.max(1, Math.round((c * (10_000 + b)) / 10_000))))));
}

/**
 * A market path: portfolio values as decimal text with two decimals (the documented shape).
 * `walk`: small moves with occasional jumps; `crash`: a walk then a run of 2–8 % drops;
 * `gap`: a walk with one jump of up to ±25 %; `rising`: every step a new high (until the path
 * reaches 1e13, where every path stops rising). A path has 1 to `maxSteps` steps after its start.
 * Throws a RangeError naming the option for a size or start it does not accept.
 */
export function marketPath(options: MarketPathOptions = {}): fc.Arbitrary<string[]> {
  const startUnits = options.start ?? 100_000;
  if (typeof startUnits !== 'number' || !Number.isFinite(startUnits) || startUnits < 0.01 || startUnits > 1e12) {
    throw new RangeError(`marketPath: start must be a number from 0.01 to 1e12 (got ${String(startUnits)})`);
  }
  const start = Math.round(startUnits * 100);
  const max = size('marketPath: maxSteps', options.maxSteps, 40);
  const kinds: readonly PathKind[] = options.kinds ?? PATH_KINDS;
  if (!Array.isArray(options.kinds ?? PATH_KINDS) || kinds.length === 0 || kinds.some((k) => !PATH_KINDS.includes(k))) {
    throw new RangeError(`marketPath: kinds must be a non-empty list of ${PATH_KINDS.join(', ')} (got ${JSON.stringify(kinds)})`);
  }
  // Integer halves: fast-check refuses a fractional maxLength (maxSteps 7 once asked for 3.5).
  // Every shape stays within `max` steps: a gap is `before + jump + after`, a crash `walk + drops`.
  const half = Math.floor((max - 1) / 2);
  const drops = Math.min(8, max);
  const move = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -150, max: 150 }) }, { weight: 1, arbitrary: fc.integer({ min: -1500, max: 1500 }) });
  const shapes: Record<PathKind, fc.Arbitrary<number[]>> = {
    walk: fc.array(move, { minLength: 1, maxLength: max }),
    crash: fc
      .tuple(fc.array(move, { maxLength: max - drops }), fc.array(fc.integer({ min: -800, max: -200 }), { minLength: Math.min(2, drops), maxLength: drops }))
      .map(([before, run]) => [...before, ...run]),
    gap: fc
      .tuple(fc.array(move, { maxLength: half }), fc.integer({ min: -2500, max: 2500 }), fc.array(move, { maxLength: max - 1 - half }))
      .map(([a, jump, b]) => [...a, jump, ...b]),
    rising: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: max }),
  };
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
    .array(fc.integer({ min: 0, max: size('orderBurst: maxSpacingMs', options.maxSpacingMs, 500, 0, 86_400_000) }), { minLength: 1, maxLength: size('orderBurst: max', options.max, 150) })
    .map((gaps) => gaps.flatMap((ms) => [...(ms > 0 ? [command({ kind: 'advance', ms })] : []), command({ kind: 'signal', order })]));
}

/** A storm of 1–`max` errors, all of one kind or mixed (default: any kind). */
export function errorStorm(options: { readonly max?: number; readonly kinds?: readonly ErrorKind[] } = {}): fc.Arbitrary<ScenarioCommand[]> {
  const kinds: readonly ErrorKind[] = options.kinds ?? ERROR_KINDS;
  if (!Array.isArray(options.kinds ?? ERROR_KINDS) || kinds.length === 0 || kinds.some((k) => !ERROR_KINDS.includes(k))) {
    throw new RangeError(`errorStorm: kinds must be a non-empty list of ${ERROR_KINDS.join(', ')} (got ${JSON.stringify(kinds)})`);
  }
  return fc
    .array(fc.tuple(fc.constantFrom(...kinds), fc.integer({ min: 0, max: 2000 })), { minLength: 1, maxLength: size('errorStorm: max', options.max, 30) })
    .map((items) => items.flatMap(([errorKind, ms]) => [...(ms > 0 ? [command({ kind: 'advance', ms })] : []), command({ kind: 'error', errorKind })]));
}

/** The broker rejects the next 1–`max` orders, then the strategy trades (its retries meet the rejections). */
export function brokerRejectStorm(options: { readonly max?: number; readonly order?: Order } = {}): fc.Arbitrary<ScenarioCommand[]> {
  return fc.integer({ min: 1, max: size('brokerRejectStorm: max', options.max, 25) }).map((count) => [command({ kind: 'brokerRejects', count }), command({ kind: 'signal', order: options.order ?? DEFAULT_ORDER })]);
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
    { weight: 2, arbitrary: orderBurst({ max: size('scenario: maxBurst', options.maxBurst, 150), ...(options.order ? { order: options.order } : {}) }) },
    { weight: 2, arbitrary: errorStorm({ max: size('scenario: maxErrors', options.maxErrors, 30) }) },
    { weight: 2, arbitrary: brokerRejectStorm(options.order ? { order: options.order } : {}) },
    { weight: 2, arbitrary: clockAdvance().map((c) => [c]) },
    ...(options.noOperator ? [] : [{ weight: 2, arbitrary: operatorAction().map((c) => [c]) }]),
  );
  return fc
    .tuple(marketTicks({ maxSteps: 6, ...options.market }), fc.array(chunk, { maxLength: size('scenario: maxChunks', options.maxChunks, 12, 0) }))
    .map(([first, rest]) => [...first, ...rest.flat()]);
}
