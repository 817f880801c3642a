import { and, assign, sendParent, setup } from 'xstate';
import { BreakerState, type BreakerType } from './constants.ts';
import type { EventDetails } from '../src/events.ts';

/** Events a breaker machine accepts. All carry data the runtime computed with machines/figures. */
export type BreakerEvent =
  | { type: 'TRIP'; details: EventDetails }
  | { type: 'HALT'; operator: string; reason: string }
  | { type: 'REQUEST_RESET'; token: string; deadline: number; operator: string }
  | { type: 'CONFIRM_RESET'; token: string; recheck: boolean; operator: string; details: EventDetails }
  | { type: 'RESET_EXPIRED'; token: string }
  | { type: 'WINDOW_CLEARED'; details: EventDetails };

/** What a breaker tells its supervisor on every transition. */
export interface BreakerTransitionEvent {
  type: 'BREAKER_TRANSITION';
  breaker: BreakerType;
  from: BreakerState;
  to: BreakerState;
  cause: BreakerEvent;
}

export interface BreakerContext {
  readonly breaker: BreakerType;
  /** Whether the breaker heals itself once its condition clears (order rate). */
  readonly selfHealing: boolean;
  /** The pending reset token while RESETTING. */
  resetToken: string | null;
  /** Absolute expiry (clock ms) of the pending reset token; the host re-arms its timer from it. */
  resetDeadline: number | null;
}

export interface BreakerInput {
  breaker: BreakerType;
  selfHealing?: boolean;
}

type Edge = { from: BreakerState; to: BreakerState };
const notify = (from: BreakerState, to: BreakerState) => ({ type: 'notifyTransition' as const, params: { from, to } });

const { NORMAL, TRIPPED, RESETTING, MANUALLY_HALTED } = BreakerState;

const breakerSetup = setup({
  types: {
    context: {} as BreakerContext,
    events: {} as BreakerEvent,
    input: {} as BreakerInput,
  },
  guards: {
    tokenMatches: ({ context, event }) =>
      'token' in event && context.resetToken !== null && event.token === context.resetToken,
    recheckPasses: ({ event }) => event.type === 'CONFIRM_RESET' && event.recheck,
    isSelfHealing: ({ context }) => context.selfHealing,
  },
  actions: {
    notifyTransition: sendParent(
      ({ context, event }, params: Edge): BreakerTransitionEvent => ({
        type: 'BREAKER_TRANSITION',
        breaker: context.breaker,
        from: params.from,
        to: params.to,
        cause: event,
      }),
    ),
    storeToken: assign({
      resetToken: ({ event }) => (event.type === 'REQUEST_RESET' ? event.token : null),
      resetDeadline: ({ event }) => (event.type === 'REQUEST_RESET' ? event.deadline : null),
    }),
    clearToken: assign({ resetToken: null, resetDeadline: null }),
  },
});

/**
 * An automatic breaker: NORMAL → TRIPPED → RESETTING → NORMAL.
 * A failed re-check or an expired token sends RESETTING back to TRIPPED. A self-healing breaker
 * (order rate) also moves TRIPPED → RESETTING → NORMAL by itself when its window clears.
 */
export const automaticBreakerMachine = breakerSetup.createMachine({
  id: 'breaker',
  context: ({ input }) => ({
    breaker: input.breaker,
    selfHealing: input.selfHealing ?? false,
    resetToken: null,
    resetDeadline: null,
  }),
  initial: NORMAL,
  states: {
    [NORMAL]: {
      on: { TRIP: { target: TRIPPED, actions: notify(NORMAL, TRIPPED) } },
    },
    [TRIPPED]: {
      on: {
        REQUEST_RESET: { target: RESETTING, actions: ['storeToken', notify(TRIPPED, RESETTING)] },
        WINDOW_CLEARED: {
          guard: 'isSelfHealing',
          target: `${RESETTING}.autoRecovering`,
          actions: notify(TRIPPED, RESETTING),
        },
      },
    },
    [RESETTING]: {
      initial: 'awaitingConfirmation',
      states: {
        awaitingConfirmation: {},
        // Transient: a self-healing breaker passes through RESETTING so the recovery is visible.
        autoRecovering: {
          always: { target: `#breaker.${NORMAL}`, actions: ['clearToken', notify(RESETTING, NORMAL)] },
        },
      },
      on: {
        REQUEST_RESET: { target: `.awaitingConfirmation`, actions: ['storeToken', notify(RESETTING, RESETTING)] },
        CONFIRM_RESET: [
          { guard: and(['tokenMatches', 'recheckPasses']), target: NORMAL, actions: ['clearToken', notify(RESETTING, NORMAL)] },
          { guard: 'tokenMatches', target: TRIPPED, actions: ['clearToken', notify(RESETTING, TRIPPED)] },
        ],
        RESET_EXPIRED: { guard: 'tokenMatches', target: TRIPPED, actions: ['clearToken', notify(RESETTING, TRIPPED)] },
        WINDOW_CLEARED: { guard: 'isSelfHealing', target: NORMAL, actions: ['clearToken', notify(RESETTING, NORMAL)] },
      },
    },
  },
});

/**
 * The manual breaker: an operator's stop. NORMAL → MANUALLY_HALTED → RESETTING → NORMAL;
 * an expired confirmation goes back to MANUALLY_HALTED; a halt wins from any state.
 */
export const manualBreakerMachine = breakerSetup.createMachine({
  id: 'breaker',
  context: ({ input }) => ({ breaker: input.breaker, selfHealing: false, resetToken: null, resetDeadline: null }),
  initial: NORMAL,
  states: {
    [NORMAL]: { on: { HALT: { target: MANUALLY_HALTED, actions: notify(NORMAL, MANUALLY_HALTED) } } },
    [MANUALLY_HALTED]: {
      on: {
        HALT: { target: MANUALLY_HALTED, actions: notify(MANUALLY_HALTED, MANUALLY_HALTED) },
        REQUEST_RESET: { target: RESETTING, actions: ['storeToken', notify(MANUALLY_HALTED, RESETTING)] },
      },
    },
    [RESETTING]: {
      on: {
        HALT: { target: MANUALLY_HALTED, actions: ['clearToken', notify(RESETTING, MANUALLY_HALTED)] },
        REQUEST_RESET: { target: RESETTING, actions: ['storeToken', notify(RESETTING, RESETTING)] },
        CONFIRM_RESET: { guard: 'tokenMatches', target: NORMAL, actions: ['clearToken', notify(RESETTING, NORMAL)] },
        RESET_EXPIRED: { guard: 'tokenMatches', target: MANUALLY_HALTED, actions: ['clearToken', notify(RESETTING, MANUALLY_HALTED)] },
      },
    },
  },
});

/** The top-level state value of a breaker snapshot (RESETTING has sub-states). */
export function breakerStateOf(value: unknown): BreakerState {
  const top = typeof value === 'string' ? value : Object.keys(value as object)[0];
  return top as BreakerState;
}
