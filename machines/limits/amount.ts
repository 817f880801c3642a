import { Exact, isDecimalProblem, parseExact } from '../math/exact.ts';

/**
 * A decimal known two ways: as a double for the fast decision and exactly (lazily) for the
 * rare decision a double cannot settle. Limits decide with doubles only where the double's
 * error bound cannot change the answer; at a boundary they decide exactly.
 */
export interface Amount {
  /** The nearest double. */
  readonly n: number;
  /** The exact value. */
  readonly exact: Exact;
  /** Canonical decimal text, for messages and status. */
  readonly text: string;
}

/** Relative bound on the error of every double figure here (sums of a few thousand terms stay far inside it). */
export const SLACK = 1e-9;

export function amount(input: unknown): Amount {
  const exact = parseExact(input);
  if (isDecimalProblem(exact)) throw new RangeError(`not a decimal: ${String(input)}`);
  return { n: exact.toNumber(), exact, text: exact.toFixed() };
}

/** A validated decimal input (text, number or Decimal) as a double, without building a Decimal for text and numbers. */
export function toNumber(input: unknown): number {
  if (typeof input === 'number') return input;
  if (typeof input === 'string') return +input;
  return (input as Exact).toNumber();
}

/** A validated decimal input, exactly. */
export function toExact(input: unknown): Exact {
  if (input instanceof Exact) return input;
  return new Exact(input as string | number);
}

/**
 * Whether `fast` (a double within `magnitude × SLACK` of the true figure) is at or below
 * `limit`: 1 (clearly below or at), -1 (clearly above), 0 (too close: decide exactly).
 * No closure is passed: the hot path allocates nothing.
 */
export function compareFast(fast: number, magnitude: number, limit: Amount): -1 | 0 | 1 {
  const tolerance = (Math.abs(magnitude) + Math.abs(limit.n)) * SLACK;
  const d = fast - limit.n;
  return d < -tolerance ? 1 : d > tolerance ? -1 : 0;
}

/** Renders a double figure for a reason (exact figures are used where the decision was exact). */
export function show(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}
