export * from './constants.ts';
export { automaticBreakerMachine, manualBreakerMachine, breakerStateOf } from './breaker.ts';
export type { BreakerEvent, BreakerTransitionEvent, BreakerContext, BreakerInput } from './breaker.ts';
export { supervisorMachine } from './supervisor.ts';
export type { SupervisorContext, BreakerStates, GlobalTransition } from './supervisor.ts';
export * from './figures/index.ts';
