/**
 * The records of alert delivery attempts, as the runtime's public API exposes them
 * (`rt.alertAttempts$`, `rt.alertHistory()`): here, below both the runtime and the alerts adapter
 * that writes them, so neither imports the other for them.
 */
import type { BreakerType } from '../machines/rules/registry.ts';
import type { RiskEventType } from './events.ts';

/** The delivery channels. */
export const ChannelKind = {
  EMAIL: 'email',
  SMS: 'sms',
  WEBHOOK: 'webhook',
} as const;
export type ChannelKind = (typeof ChannelKind)[keyof typeof ChannelKind];

/** The event type of a digest alert (several rate-limited alerts folded into one). */
export const DIGEST_EVENT_TYPE = 'AlertDigest' as const;
export type AlertEventType = RiskEventType | typeof DIGEST_EVENT_TYPE;

/** Outcome of one delivery attempt (or decision). */
export const AttemptOutcome = {
  SENT: 'sent',
  FAILED: 'failed',
  SUPPRESSED: 'suppressed',
  /** Given up: the alert will not be delivered to this target. */
  DELIVERY_FAILED: 'delivery_failed',
} as const;
export type AttemptOutcome = (typeof AttemptOutcome)[keyof typeof AttemptOutcome];

/** One recorded attempt, queryable with `AlertManager.attempts()`. Never contains secrets. */
export interface AttemptRecord {
  /** Clock ms of the attempt. */
  readonly at: number;
  readonly alertId: string;
  readonly eventId: string;
  readonly eventType: AlertEventType;
  readonly strategy: string;
  readonly breaker: BreakerType | null;
  /** Target id, or `*` for a suppression (which concerns every target). */
  readonly target: string;
  readonly channel: ChannelKind | null;
  readonly outcome: AttemptOutcome;
  /** 1-based attempt number for sent/failed; 0 for suppressed. */
  readonly attempt: number;
  /** Why it failed or was suppressed (secrets redacted). */
  readonly reason?: string;
  /** Wall time spent on the attempt (ms, from the clock). */
  readonly durationMs?: number;
}

/** A time range over attempt records (`since` inclusive, `until` exclusive, clock ms). */
export interface AttemptQuery {
  readonly since?: number;
  readonly until?: number;
}
