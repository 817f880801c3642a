import { inspect } from 'node:util';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { WebhookFormat } from './types.ts';
import { checkAllowlistPrefix, redactUrl, urlProblem } from './urlPolicy.ts';

/** Default cap of alerts per strategy+breaker per window. */
export const DEFAULT_MAX_PER_HOUR = 10;
/** Default rate-limit window: one hour. */
export const DEFAULT_RATE_WINDOW_MS = 3_600_000;
/** Default time after which an undeliverable alert is given up: 24 hours. */
export const DEFAULT_GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** Default age after which settled outbox entries and attempt records are pruned: 7 days. */
export const DEFAULT_OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;
/** Default per-attempt timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const posInt = z.number().int().positive();
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const email = z.string().trim().regex(/^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/, 'must be an e-mail address like ops@example.com');
const phone = z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +15551234567');

const emailSchema = z.strictObject({
  host: nonEmpty,
  port: z.number().int().min(1).max(65_535),
  /** Implicit TLS (port 465). */
  secure: z.boolean().optional(),
  /** Refuse to send unless STARTTLS succeeds (default true). */
  requireTLS: z.boolean().optional(),
  tls: z.strictObject({ rejectUnauthorized: z.boolean().optional(), servername: z.string().optional() }).optional(),
  auth: z.strictObject({ user: nonEmpty, pass: nonEmpty }).optional(),
  from: email,
  to: z.array(email).min(1, 'needs at least one recipient'),
  timeoutMs: posInt.optional(),
});

const smsSchema = z.strictObject({
  accountSid: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC + 32 hex digits)'),
  authToken: nonEmpty,
  from: z.string().trim().regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32}|[A-Za-z0-9 ]{1,11})$/, 'must be an E.164 number, a messaging service SID or an alphanumeric sender id'),
  to: z.array(phone).min(1, 'needs at least one phone number'),
  /** Override of `https://api.twilio.com` (emulators and tests only). */
  apiBaseUrl: z.url().optional(),
  timeoutMs: posInt.optional(),
});

const webhookSchema = z.strictObject({
  /** Stable name of the target (default `<format>-<index>`); used in outbox keys and logs. */
  name: z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dot, dash or underscore').optional(),
  url: nonEmpty,
  format: z.enum([WebhookFormat.JSON, WebhookFormat.SLACK, WebhookFormat.PAGERDUTY]).default(WebhookFormat.JSON),
  /** HMAC-SHA256 signing secret. */
  secret: z.string().min(16, 'must be at least 16 characters').optional(),
  keyId: z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dot, dash or underscore').optional(),
  /** Sent as `Authorization: Bearer <token>`. */
  token: nonEmpty.optional(),
  /** PagerDuty Events API v2 integration key (required for format pagerduty). */
  routingKey: nonEmpty.optional(),
  timeoutMs: posInt.optional(),
});

const retrySchema = z.strictObject({
  baseDelayMs: posInt.default(1_000),
  maxDelayMs: posInt.default(300_000),
  /** Fraction of each delay that is randomised (0 = none, 1 = full jitter). */
  jitter: z.number().min(0).max(1).default(0.5),
});

const alertsSchema = z.strictObject({
  email: emailSchema.optional(),
  sms: smsSchema.optional(),
  webhooks: z.array(webhookSchema).default([]),
  allowlist: z.array(z.string()).optional(),
  allowInsecureHttp: z.boolean().default(false),
  maxPerHour: posInt.default(DEFAULT_MAX_PER_HOUR),
  rateWindowMs: posInt.default(DEFAULT_RATE_WINDOW_MS),
  giveUpAfterMs: posInt.default(DEFAULT_GIVE_UP_AFTER_MS),
  /** Settled outbox entries (delivered, given up, folded) and attempt records older than this are pruned. */
  outboxRetentionMs: posInt.default(DEFAULT_OUTBOX_RETENTION_MS),
  timeoutMs: posInt.default(DEFAULT_TIMEOUT_MS),
  retry: retrySchema.default({ baseDelayMs: 1_000, maxDelayMs: 300_000, jitter: 0.5 }),
});

/** Alert configuration as written in code (`alerts: { ... }`). */
export type AlertConfigInput = z.input<typeof alertsSchema>;
/** E-mail channel settings. */
export type EmailConfig = z.output<typeof emailSchema>;
/** SMS channel settings. */
export type SmsConfig = z.output<typeof smsSchema>;
/** One webhook, after validation (`name` filled in). */
export type WebhookConfig = z.output<typeof webhookSchema> & { readonly name: string };
/** Retry backoff settings. */
export type RetryConfig = z.output<typeof retrySchema>;

/** Validated alert configuration. `toJSON()` and `util.inspect` redact every secret. */
export type AlertConfig = Omit<z.output<typeof alertsSchema>, 'webhooks' | 'allowlist'> & {
  readonly webhooks: readonly WebhookConfig[];
  readonly allowlist: readonly string[];
  /** The configuration with secrets replaced by `"***"`. */
  toJSON(): RedactedAlertConfig;
};
/** JSON form of {@link AlertConfig} with secrets redacted. */
export type RedactedAlertConfig = { readonly [key: string]: unknown };

const REDACTED = '***';

function redact(config: Omit<AlertConfig, 'toJSON'>): RedactedAlertConfig {
  return {
    ...config,
    email: config.email && { ...config.email, auth: config.email.auth && { user: config.email.auth.user, pass: REDACTED } },
    sms: config.sms && { ...config.sms, authToken: REDACTED },
    webhooks: config.webhooks.map((w) => ({
      ...w,
      url: redactUrl(w.url),
      secret: w.secret === undefined ? undefined : REDACTED,
      token: w.token === undefined ? undefined : REDACTED,
      routingKey: w.routingKey === undefined ? undefined : REDACTED,
    })),
    allowlist: config.allowlist.map(redactUrl),
  };
}

/** Every secret value in a configuration (for scrubbing error messages and logs). */
export function configSecrets(config: Omit<AlertConfig, 'toJSON'>): string[] {
  const out: string[] = [];
  if (config.email?.auth?.pass) out.push(config.email.auth.pass);
  if (config.sms?.authToken) out.push(config.sms.authToken);
  for (const w of config.webhooks) {
    for (const s of [w.secret, w.token, w.routingKey]) if (s) out.push(s);
    // The path of a webhook URL may itself be a credential (Slack): scrub it too.
    try {
      const u = new URL(w.url);
      if (u.pathname.length > 8) out.push(u.pathname);
    } catch {
      /* validated elsewhere */
    }
  }
  return out.filter((s) => s.length >= 4);
}

function pathOf(path: readonly PropertyKey[]): string {
  return ['alerts', ...path.map(String)].join('.');
}

/** Cross-field checks that zod's per-field schema cannot express; run even when other fields are bad. */
function crossChecks(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof raw !== 'object' || raw === null) return issues;
  const r = raw as Record<string, unknown>;
  const allowInsecureHttp = r.allowInsecureHttp === true;
  const allowlist = Array.isArray(r.allowlist) ? r.allowlist.filter((p): p is string => typeof p === 'string') : undefined;
  if (Array.isArray(r.allowlist)) {
    r.allowlist.forEach((p, i) => {
      if (typeof p !== 'string') return;
      const problem = checkAllowlistPrefix(p);
      if (problem) issues.push({ path: `alerts.allowlist.${i}`, message: problem });
    });
  }
  const hooks = Array.isArray(r.webhooks) ? r.webhooks : [];
  if (hooks.length > 0 && allowlist === undefined) {
    issues.push({ path: 'alerts.allowlist', message: 'required when webhooks are configured (list the URL prefixes webhooks may call)' });
  }
  const names = new Map<string, number>();
  hooks.forEach((h, i) => {
    if (typeof h !== 'object' || h === null) return;
    const w = h as Record<string, unknown>;
    if (typeof w.url === 'string' && allowlist !== undefined) {
      const problem = urlProblem(w.url, { allowlist, allowInsecureHttp });
      if (problem) issues.push({ path: `alerts.webhooks.${i}.url`, message: problem });
    }
    if (w.format === WebhookFormat.PAGERDUTY && w.routingKey === undefined) {
      issues.push({ path: `alerts.webhooks.${i}.routingKey`, message: 'required for format "pagerduty"' });
    }
    const name = typeof w.name === 'string' ? w.name : `${typeof w.format === 'string' ? w.format : 'json'}-${i}`;
    const prev = names.get(name);
    if (prev !== undefined) issues.push({ path: `alerts.webhooks.${i}.name`, message: `duplicates the name of webhooks.${prev} (${JSON.stringify(name)})` });
    names.set(name, i);
  });
  if (r.email && typeof r.email === 'object') {
    const e = r.email as Record<string, unknown>;
    if (e.secure === true && e.requireTLS === true) {
      issues.push({ path: 'alerts.email.requireTLS', message: 'STARTTLS cannot be required together with secure (implicit TLS); set only one' });
    }
  }
  return issues;
}

/**
 * Validates an alert configuration written in code. Throws a {@link ConfigError} listing every
 * problem at once (paths like `alerts.webhooks.0.url`); messages never contain secret values.
 */
export function parseAlertConfig(input: unknown): AlertConfig {
  const result = alertsSchema.safeParse(input ?? {});
  const issues: ConfigIssue[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) issues.push({ path: pathOf(issue.path), message: issue.message });
  }
  issues.push(...crossChecks(input ?? {}));
  if (issues.length > 0 || !result.success) throw new ConfigError(issues, 'alert configuration');
  const data = result.data;
  const base: Omit<AlertConfig, 'toJSON'> = {
    ...data,
    allowlist: data.allowlist ?? [],
    webhooks: data.webhooks.map((w, i) => ({ ...w, name: w.name ?? `${w.format}-${i}` })),
  };
  const config: AlertConfig = {
    ...base,
    toJSON: () => redact(base),
  };
  Object.defineProperty(config, 'toJSON', { enumerable: false });
  Object.defineProperty(config, inspect.custom, { enumerable: false, value: () => redact(base) });
  return Object.freeze(config);
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Builds an alert configuration from environment variables (the seed story's `.env` names):
 * `SMTP_HOST`, `SMTP_PORT`, `SMTP_USERNAME`, `SMTP_PASSWORD`, `ALERT_EMAIL` (comma-separated),
 * `ALERT_EMAIL_FROM`, `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`, `TWILIO_FROM_NUMBER`,
 * `ALERT_PHONE` (comma-separated), `ALERT_WEBHOOK_URL`, `ALERT_WEBHOOK_SECRET`,
 * `ALERT_WEBHOOK_TOKEN`, `ALERT_WEBHOOK_ALLOWLIST` (comma-separated prefixes; default the webhook
 * URL itself). A channel is configured when its main variable is set (`SMTP_HOST`,
 * `TWILIO_ACCOUNT_SID`, `ALERT_WEBHOOK_URL`). Validated like {@link parseAlertConfig}.
 */
export function alertConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AlertConfig {
  const input: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  const host = env.SMTP_HOST?.trim();
  if (host) {
    const portText = env.SMTP_PORT?.trim() || '587';
    const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
    if (Number.isNaN(port)) issues.push({ path: 'env.SMTP_PORT', message: `must be a port number (got ${JSON.stringify(portText.slice(0, 20))})` });
    const user = env.SMTP_USERNAME?.trim();
    const pass = env.SMTP_PASSWORD;
    const to = list(env.ALERT_EMAIL);
    if (to.length === 0) issues.push({ path: 'env.ALERT_EMAIL', message: 'required when SMTP_HOST is set (comma-separated recipients)' });
    const from = env.ALERT_EMAIL_FROM?.trim() || (user && user.includes('@') ? user : undefined);
    if (!from) issues.push({ path: 'env.ALERT_EMAIL_FROM', message: 'required when SMTP_HOST is set and SMTP_USERNAME is not an e-mail address' });
    input.email = {
      host,
      port: Number.isNaN(port) ? 587 : port,
      secure: port === 465,
      ...(port === 465 ? {} : { requireTLS: true }),
      ...(user ? { auth: { user, pass: pass ?? '' } } : {}),
      from: from ?? 'breakerbox@localhost.invalid',
      to: to.length > 0 ? to : ['missing@localhost.invalid'],
    };
  }
  const sid = env.TWILIO_ACCOUNT_SID?.trim();
  if (sid) {
    const to = list(env.ALERT_PHONE);
    if (to.length === 0) issues.push({ path: 'env.ALERT_PHONE', message: 'required when TWILIO_ACCOUNT_SID is set (comma-separated E.164 numbers)' });
    input.sms = {
      accountSid: sid,
      authToken: env.TWILIO_AUTH_TOKEN ?? '',
      from: env.TWILIO_FROM_NUMBER?.trim() ?? '',
      to: to.length > 0 ? to : ['+10000000000'],
    };
  }
  const url = env.ALERT_WEBHOOK_URL?.trim();
  if (url) {
    input.webhooks = [
      {
        name: 'env',
        url,
        format: 'json',
        ...(env.ALERT_WEBHOOK_SECRET ? { secret: env.ALERT_WEBHOOK_SECRET } : {}),
        ...(env.ALERT_WEBHOOK_TOKEN ? { token: env.ALERT_WEBHOOK_TOKEN } : {}),
      },
    ];
    const allow = list(env.ALERT_WEBHOOK_ALLOWLIST);
    input.allowlist = allow.length > 0 ? allow : [url];
  }
  try {
    const config = parseAlertConfig(input);
    if (issues.length > 0) throw new ConfigError(issues, 'alert configuration (environment)');
    return config;
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...issues, ...err.issues.filter((i) => !issues.some((j) => j.path === i.path))], 'alert configuration (environment)');
    throw err;
  }
}
