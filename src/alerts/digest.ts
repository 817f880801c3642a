import type { BreakerType } from '../../machines/rules/registry.ts';
import { AlertSeverity, DIGEST_EVENT_TYPE, SuppressionStatus, type AlertPayload, type DigestDetails, type SuppressionEntry } from './types.ts';

const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { info: 0, warning: 1, critical: 2 };

/** One digest: the alert that reports a run of suppressed alerts, and those alerts' markers, now folded into it. */
export interface Digest {
  readonly payload: AlertPayload;
  readonly folded: SuppressionEntry[];
}

/**
 * Folds suppressed alerts (at least one, of one rate key) into a digest sent at `now`: counts
 * per event type, the first and last times, the last event, and the most severe severity.
 */
export function foldIntoDigest(suppressed: readonly SuppressionEntry[], now: number): Digest {
  const sorted = [...suppressed].sort((a, b) => a.createdAt - b.createdAt);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const eventTypes: Record<string, number> = {};
  let severity: AlertSeverity = AlertSeverity.INFO;
  for (const s of sorted) {
    eventTypes[s.payload.event_type] = (eventTypes[s.payload.event_type] ?? 0) + 1;
    if (SEVERITY_RANK[s.payload.severity] > SEVERITY_RANK[severity]) severity = s.payload.severity;
  }
  const details: DigestDetails = {
    suppressed_count: sorted.length,
    first_at: new Date(first.createdAt).toISOString(),
    last_at: new Date(last.createdAt).toISOString(),
    event_types: eventTypes,
    last_event: { event_type: last.payload.event_type, timestamp: last.payload.timestamp, details: last.payload.details },
    suppressed_alert_ids: sorted.map((s) => s.alertId),
  };
  const digestId = `digest-${first.alertId}`;
  const payload: AlertPayload = {
    alert_id: digestId,
    event_id: last.payload.event_id,
    event_type: DIGEST_EVENT_TYPE,
    severity,
    strategy_name: first.payload.strategy_name,
    circuit_breaker_type: first.payload.circuit_breaker_type as BreakerType | null,
    details,
    timestamp: new Date(now).toISOString(),
  };
  return { payload, folded: sorted.map((s): SuppressionEntry => ({ ...s, status: SuppressionStatus.FOLDED, digestAlertId: digestId })) };
}
