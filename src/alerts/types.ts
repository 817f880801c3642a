import type { BreakerType } from '../../machines/rules/registry.ts';
import type { EventDetails, RiskEventType } from '../events.ts';
import { AttemptOutcome, ChannelKind, DIGEST_EVENT_TYPE, type AlertEventType, type AttemptQuery, type AttemptRecord } from '../alertAttempts.ts';

export { AttemptOutcome, ChannelKind, DIGEST_EVENT_TYPE, type AlertEventType, type AttemptQuery, type AttemptRecord };

/** How urgent an alert is. */
export const AlertSeverity = {
  CRITICAL: 'critical',
  WARNING: 'warning',
  INFO: 'info',
} as const;
export type AlertSeverity = (typeof AlertSeverity)[keyof typeof AlertSeverity];

/** Webhook body formats. */
export const WebhookFormat = {
  JSON: 'json',
  SLACK: 'slack',
  PAGERDUTY: 'pagerduty',
} as const;
export type WebhookFormat = (typeof WebhookFormat)[keyof typeof WebhookFormat];

/** What a digest alert's `details` hold. */
export interface DigestDetails {
  readonly [key: string]: EventDetails[string];
  /** How many alerts were suppressed by the rate limit and folded into this digest. */
  readonly suppressed_count: number;
  /** ISO time of the first and last suppressed alert. */
  readonly first_at: string;
  readonly last_at: string;
  /** Count of suppressed alerts per event type. */
  readonly event_types: { readonly [type: string]: number };
  /** The most recent suppressed event (type, details, timestamp). */
  readonly last_event: { readonly event_type: string; readonly timestamp: string; readonly details: EventDetails };
  /** The alert ids that were folded. */
  readonly suppressed_alert_ids: readonly string[];
}

/**
 * The channel-independent alert, as sent in the generic JSON webhook and stored in the outbox.
 * `alert_id` is the idempotency key: a receiver that sees the same id twice can drop the copy.
 */
export interface AlertPayload {
  readonly alert_id: string;
  readonly event_id: string;
  readonly event_type: AlertEventType;
  readonly severity: AlertSeverity;
  readonly strategy_name: string;
  readonly circuit_breaker_type: BreakerType | null;
  readonly operator?: string;
  readonly details: EventDetails;
  /** ISO-8601 time of the event (of the digest's creation for digests). */
  readonly timestamp: string;
}

/** Status of one delivery entry in the outbox. */
export const DeliveryStatus = {
  PENDING: 'pending',
  DELIVERED: 'delivered',
  FAILED: 'failed',
} as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

/** One alert to be delivered to one channel target (e.g. one e-mail recipient, one webhook). */
export interface DeliveryEntry {
  readonly kind: 'delivery';
  /** `<alert_id>|<target>`; unique in the outbox. */
  readonly id: string;
  readonly alertId: string;
  /** Target id, e.g. `email:ops@example.com`, `sms:+15550001111`, `webhook:pagerduty-0`. */
  readonly target: string;
  readonly channel: ChannelKind;
  /** Rate-limit key `<strategy>/<breaker or "strategy">`. */
  readonly rateKey: string;
  readonly payload: AlertPayload;
  /** Clock ms at which the entry was planned; the give-up deadline counts from here. */
  readonly createdAt: number;
  readonly status: DeliveryStatus;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Clock ms of the next attempt (informational; resume retries immediately). */
  readonly nextAttemptAt: number;
  readonly deliveredAt?: number;
  readonly lastError?: string;
}

/** Status of a suppression marker. */
export const SuppressionStatus = {
  /** Waiting to be folded into the next digest. */
  PENDING: 'pending',
  /** Already folded into the digest named by `digestAlertId`. */
  FOLDED: 'folded',
} as const;
export type SuppressionStatus = (typeof SuppressionStatus)[keyof typeof SuppressionStatus];

/** Records that an alert was suppressed by the rate limit, so the digest survives restarts. */
export interface SuppressionEntry {
  readonly kind: 'suppressed';
  /** `<alert_id>|suppressed`. */
  readonly id: string;
  readonly alertId: string;
  readonly rateKey: string;
  readonly payload: AlertPayload;
  readonly createdAt: number;
  readonly status: SuppressionStatus;
  readonly digestAlertId?: string;
}

/** Everything the outbox stores for alerts. */
export type OutboxEntry = DeliveryEntry | SuppressionEntry;

/** pino-compatible logger. */
export interface AlertLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** A logger that discards everything (the default). */
export const noopLogger: AlertLogger = {
  info() {},
  warn() {},
};
