/** The four states every breaker (and the supervisor's global state) can be in. */
export const BreakerState = {
  NORMAL: 'NORMAL',
  TRIPPED: 'TRIPPED',
  RESETTING: 'RESETTING',
  MANUALLY_HALTED: 'MANUALLY_HALTED',
} as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

/** Severity order used to derive the global state: higher wins. */
export const STATE_SEVERITY: Readonly<Record<BreakerState, number>> = {
  NORMAL: 0,
  RESETTING: 1,
  TRIPPED: 2,
  MANUALLY_HALTED: 3,
};

/**
 * What orders may do, derived from the breakers: ACTIVE (every breaker NORMAL), REDUCING (every
 * breaker that is not NORMAL is reduce-only: only orders that move a position towards zero
 * pass), HALTED (otherwise).
 */
export const TradingMode = {
  ACTIVE: 'ACTIVE',
  REDUCING: 'REDUCING',
  HALTED: 'HALTED',
} as const;
export type TradingMode = (typeof TradingMode)[keyof typeof TradingMode];

/** What a breaker (or a manual halt) does to orders while it is not NORMAL. */
export const OnTrip = { HALT: 'halt', REDUCE_ONLY: 'reduceOnly' } as const;
export type OnTrip = (typeof OnTrip)[keyof typeof OnTrip];

/** Error kinds counted by the error-rate breaker. */
export const ErrorKind = {
  ORDER_REJECTED: 'order_rejected',
  BROKER_ERROR: 'broker_error',
  DATA_ERROR: 'data_error',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];
export const ERROR_KINDS: readonly ErrorKind[] = Object.values(ErrorKind);

/** Returns the most severe of the given states (NORMAL for none). */
export function severest(states: Iterable<BreakerState>): BreakerState {
  let worst: BreakerState = BreakerState.NORMAL;
  for (const state of states) {
    if (STATE_SEVERITY[state] > STATE_SEVERITY[worst]) worst = state;
  }
  return worst;
}
