import type { RiskEvent, RiskEventType } from '../events.ts';
import { AlertSeverity, type AlertPayload } from './types.ts';

/**
 * Which runtime events alert, and how urgently. Events not listed (StateChanged,
 * TradingDayOpened, InputRejected) never alert.
 */
export const ALERT_SEVERITY: Readonly<Partial<Record<RiskEventType, AlertSeverity>>> = {
  CircuitBreakerTripped: AlertSeverity.CRITICAL,
  ManualHalt: AlertSeverity.CRITICAL,
  CancelOrdersFailed: AlertSeverity.CRITICAL,
  CancelUnconfirmed: AlertSeverity.CRITICAL,
  RestoreFailed: AlertSeverity.CRITICAL,
  StoreWriteFailed: AlertSeverity.CRITICAL,
  CircuitBreakerWarning: AlertSeverity.WARNING,
  ResetRefused: AlertSeverity.WARNING,
  ResetExpired: AlertSeverity.WARNING,
  ResetRequested: AlertSeverity.INFO,
  ResetConfirmed: AlertSeverity.INFO,
  CircuitBreakerRecovered: AlertSeverity.INFO,
  TradingModeChanged: AlertSeverity.WARNING,
};

/**
 * An AutoReset alerts (info) only when its re-check passed and trading resumed without a person;
 * a refused one repeats every `after` seconds while the breaker stays TRIPPED (its trip was
 * alerted, critical): journaled, never alerted.
 */
const severityOf = (event: RiskEvent): AlertSeverity | undefined =>
  event.type === 'AutoReset' ? (event.details.passed === true ? AlertSeverity.INFO : undefined) : ALERT_SEVERITY[event.type];

/** The channel-independent payload of an event (null when the event does not alert). */
export function alertPayload(event: RiskEvent): AlertPayload | null {
  const severity = severityOf(event);
  if (!severity) return null;
  return {
    alert_id: event.id,
    event_id: event.id,
    event_type: event.type,
    severity,
    strategy_name: event.strategy,
    circuit_breaker_type: event.breaker,
    ...(event.operator !== undefined ? { operator: event.operator } : {}),
    details: event.details,
    timestamp: event.timestamp,
  };
}
