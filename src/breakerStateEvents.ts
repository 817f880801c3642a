import { RiskEventType } from './events.ts';

/** The events that change what a breaker shows: trips, halts, the reset steps and recoveries. */
export const BREAKER_STATE_EVENTS: readonly RiskEventType[] = [
  RiskEventType.TRIPPED,
  RiskEventType.MANUAL_HALT,
  RiskEventType.RESET_REQUESTED,
  RiskEventType.RESET_CONFIRMED,
  RiskEventType.RESET_REFUSED,
  RiskEventType.RESET_EXPIRED,
  RiskEventType.AUTO_RESET,
  RiskEventType.RECOVERED,
];
