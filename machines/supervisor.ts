import { assign, setup } from 'xstate';
import { automaticBreakerMachine, manualBreakerMachine, type BreakerTransitionEvent } from './breaker.ts';
import { BreakerState, BreakerType, severest } from './constants.ts';

export type BreakerStates = Record<BreakerType, BreakerState>;

export interface SupervisorContext {
  readonly strategy: string;
  /** The state of every breaker, as last reported by the breakers themselves. */
  breakers: BreakerStates;
}

/** Raised on every change of the global state (for the host to observe). */
export interface GlobalTransition {
  readonly from: BreakerState;
  readonly to: BreakerState;
}

const { NORMAL, TRIPPED, RESETTING, MANUALLY_HALTED } = BreakerState;
const GLOBAL_STATES = [NORMAL, RESETTING, TRIPPED, MANUALLY_HALTED] as const;

const allNormal = (): BreakerStates => ({
  drawdown: NORMAL,
  dailyLoss: NORMAL,
  orderRate: NORMAL,
  errorRate: NORMAL,
  manual: NORMAL,
});

const supervisorSetup = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as BreakerTransitionEvent,
    input: {} as { strategy: string },
  },
  // Children are registered by name so persisted snapshots can restore them.
  actors: {
    drawdownBreaker: automaticBreakerMachine,
    dailyLossBreaker: automaticBreakerMachine,
    orderRateBreaker: automaticBreakerMachine,
    errorRateBreaker: automaticBreakerMachine,
    manualBreaker: manualBreakerMachine,
  },
  guards: {
    severestIs: ({ context }, params: { state: BreakerState }) =>
      severest(Object.values(context.breakers)) === params.state,
  },
  actions: {
    recordBreakerState: assign({
      breakers: ({ context, event }) => ({ ...context.breakers, [event.breaker]: event.to }),
    }),
    /** Hook for the host: a breaker moved. Provided by the runtime; a no-op here. */
    onBreakerTransition: (_args, _params: BreakerTransitionEvent) => {},
    /** Hook for the host: the global state moved. Provided by the runtime; a no-op here. */
    onGlobalTransition: (_args, _params: GlobalTransition) => {},
  },
});

/** Each global state re-derives itself from the breakers after every breaker transition. */
function globalState(self: BreakerState) {
  return {
    always: GLOBAL_STATES.filter((target) => target !== self).map((target) => ({
      guard: { type: 'severestIs' as const, params: { state: target } },
      target: `#supervisor.${target}`,
      actions: { type: 'onGlobalTransition' as const, params: { from: self, to: target } },
    })),
  };
}

/**
 * One supervisor per strategy. It owns the five breakers as child actors and its own state is
 * the global state: the most severe of its breakers (MANUALLY_HALTED > TRIPPED > RESETTING > NORMAL).
 */
export const supervisorMachine = supervisorSetup.createMachine({
  id: 'supervisor',
  context: ({ input }) => ({ strategy: input.strategy, breakers: allNormal() }),
  invoke: [
    { id: BreakerType.DRAWDOWN, src: 'drawdownBreaker', input: { breaker: BreakerType.DRAWDOWN } },
    { id: BreakerType.DAILY_LOSS, src: 'dailyLossBreaker', input: { breaker: BreakerType.DAILY_LOSS } },
    { id: BreakerType.ORDER_RATE, src: 'orderRateBreaker', input: { breaker: BreakerType.ORDER_RATE, selfHealing: true } },
    { id: BreakerType.ERROR_RATE, src: 'errorRateBreaker', input: { breaker: BreakerType.ERROR_RATE } },
    { id: BreakerType.MANUAL, src: 'manualBreaker', input: { breaker: BreakerType.MANUAL } },
  ],
  on: {
    BREAKER_TRANSITION: {
      actions: ['recordBreakerState', { type: 'onBreakerTransition', params: ({ event }) => event }],
    },
  },
  initial: NORMAL,
  states: {
    [NORMAL]: globalState(NORMAL),
    [RESETTING]: globalState(RESETTING),
    [TRIPPED]: globalState(TRIPPED),
    [MANUALLY_HALTED]: globalState(MANUALLY_HALTED),
  },
});
