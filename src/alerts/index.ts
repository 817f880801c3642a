/**
 * Alerts: e-mail (SMTP), SMS (Twilio) and webhooks (JSON, Slack, PagerDuty) for risk events,
 * with signing, URL allowlist, rate limiting with digests, a durable outbox and retries.
 * @packageDocumentation
 */
export {
  AlertManager,
  ALERT_SEVERITY,
  createAlertManager,
  describeAlert,
  type AlertManagerOptions,
  type CreateAlertManagerOptions,
  type GiveUpInfo,
} from './manager.ts';
export {
  alertConfigFromEnv,
  parseAlertConfig,
  configSecrets,
  DEFAULT_GIVE_UP_AFTER_MS,
  DEFAULT_MAX_PER_HOUR,
  DEFAULT_RATE_WINDOW_MS,
  DEFAULT_TIMEOUT_MS,
  type AlertConfig,
  type AlertConfigInput,
  type EmailConfig,
  type RedactedAlertConfig,
  type RetryConfig,
  type SmsConfig,
  type WebhookConfig,
} from './config.ts';
export {
  InMemoryAlertOutbox,
  LevelAlertOutbox,
  type AlertOutbox,
  type LevelDatabase,
  type OutboxBatchOperation,
  type OutboxSublevel,
} from './outbox.ts';
export {
  computeSignature,
  signatureHeader,
  verifySignature,
  DEFAULT_TOLERANCE_SECONDS,
  IDEMPOTENCY_HEADER,
  KEY_ID_HEADER,
  SIGNATURE_HEADER,
  SignatureFailure,
  type VerifyResult,
  type VerifySignatureOptions,
} from './signing.ts';
export {
  emailHtml,
  emailSubject,
  emailText,
  escapeHtml,
  pagerDutyAction,
  pagerDutyBody,
  pagerDutyDedupKey,
  PagerDutyAction,
  slackBody,
  smsText,
  SMS_MAX_LENGTH,
} from './format.ts';
export { AlertRateLimiter, rateKey, type AlertBudget } from './rateLimiter.ts';
export { assertUrlAllowed, isLoopbackHost, urlProblem, type UrlPolicy } from './urlPolicy.ts';
export { DeliveryError, type AlertChannel, type ChannelTarget, type SendContext } from './channels/channel.ts';
export { EmailChannel } from './channels/email.ts';
export { SmsChannel } from './channels/sms.ts';
export { WebhookChannel, webhookBody, webhookTargetId } from './channels/webhook.ts';
export {
  AlertSeverity,
  AttemptOutcome,
  ChannelKind,
  DeliveryStatus,
  DIGEST_EVENT_TYPE,
  noopLogger,
  SuppressionStatus,
  WebhookFormat,
  type AlertEventType,
  type AlertLogger,
  type AlertPayload,
  type AttemptQuery,
  type AttemptRecord,
  type DeliveryEntry,
  type DigestDetails,
  type OutboxEntry,
  type SuppressionEntry,
} from './types.ts';
