import type { BreakerState, ErrorKind } from '../../machines/constants.ts';

/** What a breaker's light shows: its state, or WARNING (NORMAL past warnAt), or DISABLED. */
export const Light = {
  NORMAL: 'NORMAL',
  WARNING: 'WARNING',
  RESETTING: 'RESETTING',
  TRIPPED: 'TRIPPED',
  MANUALLY_HALTED: 'MANUALLY_HALTED',
  DISABLED: 'DISABLED',
} as const;
export type Light = (typeof Light)[keyof typeof Light];

/** A state or light as text: `MANUALLY HALTED` reads better than the constant. */
export function stateLabel(state: BreakerState | Light | string): string {
  return state === 'MANUALLY_HALTED' ? 'MANUALLY HALTED' : state;
}

/** The error kinds, in the order they are shown. */
export const ERROR_KIND_ORDER: readonly ErrorKind[] = ['order_rejected', 'broker_error', 'data_error'];
