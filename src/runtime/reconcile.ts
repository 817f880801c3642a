/**
 * Portfolio reconciliation for status(): value = Σ positions + cash, and what is left
 * unexplained. Presentation only (no decision reads it), computed when status() is asked for,
 * never on the portfolio step; exact in the runtime's private Decimal clone.
 */
import { Exact, isDecimalProblem, parseExact } from '../../machines/math/exact.ts';
import type { Position } from './types.ts';

/** How the reported value splits into positions and cash. Money as decimal strings. */
export interface Reconciliation {
  /** The cash last reported with a portfolio update, or null when none was. */
  readonly cash: string | null;
  /** Σ quantity × price of the reported positions ("0" for none), or null when a held position has no price. */
  readonly positionsValue: string | null;
  /** value − positionsValue − cash, or null when one of them is unknown. Anything but "0" is a mismatch. */
  readonly unexplained: string | null;
}

/** Reconciles the last value with the last reported positions and cash. Never throws. */
export function reconcile(value: Exact | null, positions: readonly Position[], cash: string | null): Reconciliation {
  try {
    const positionsValue = sumPositions(positions);
    const unexplained = value === null || positionsValue === null || cash === null ? null : value.minus(positionsValue).minus(new Exact(cash)).toFixed();
    return { cash, positionsValue: positionsValue?.toFixed() ?? null, unexplained };
  } catch {
    return { cash, positionsValue: null, unexplained: null };
  }
}

function sumPositions(positions: readonly Position[]): Exact | null {
  let total = new Exact(0);
  for (const position of positions) {
    const quantity = parseExact(position.quantity);
    if (isDecimalProblem(quantity)) return null;
    if (quantity.isZero()) continue;
    if (position.price === undefined) return null;
    const price = parseExact(position.price);
    if (isDecimalProblem(price)) return null;
    total = total.plus(quantity.times(price));
  }
  return total;
}
