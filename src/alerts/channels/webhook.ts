import { Agent, request } from 'undici';
import type { WebhookConfig } from '../config.ts';
import { pagerDutyAction, pagerDutyBody, slackBody } from '../format.ts';
import { IDEMPOTENCY_HEADER, KEY_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from '../signing.ts';
import { ChannelKind, WebhookFormat, type AlertPayload } from '../types.ts';
import { redactUrl, urlProblem, type UrlPolicy } from '../urlPolicy.ts';
import { DeliveryError, errorText, type AlertChannel, type ChannelTarget, type SendContext } from './channel.ts';

function redirectTarget(location: string, base: string): string {
  try {
    return redactUrl(new URL(location, base).href);
  } catch {
    return '(unparseable location)';
  }
}

/** Target id of a webhook: `webhook:<name>`. */
export function webhookTargetId(hook: Pick<WebhookConfig, 'name'>): string {
  return `webhook:${hook.name}`;
}

/** The exact body bytes sent for a payload in a given format (null: this format skips the alert). */
export function webhookBody(hook: Pick<WebhookConfig, 'format' | 'routingKey'>, payload: AlertPayload): string | null {
  switch (hook.format) {
    case WebhookFormat.SLACK:
      return JSON.stringify(slackBody(payload));
    case WebhookFormat.PAGERDUTY: {
      const body = pagerDutyBody(payload, hook.routingKey ?? '');
      return body ? JSON.stringify(body) : null;
    }
    default:
      return JSON.stringify(payload);
  }
}

/**
 * POSTs alerts to webhooks with undici: signed (`X-Breakerbox-Signature`), optional bearer token,
 * `Idempotency-Key: <alert_id>`; URL re-checked against the allowlist before every send;
 * redirects are never followed (3xx is a permanent failure).
 */
export class WebhookChannel implements AlertChannel {
  readonly kind = ChannelKind.WEBHOOK;
  readonly targets: readonly ChannelTarget[];
  readonly #hooks: ReadonlyMap<string, WebhookConfig>;
  readonly #policy: UrlPolicy;
  readonly #agent: Agent;
  readonly #defaultTimeoutMs: number;

  constructor(hooks: readonly WebhookConfig[], policy: UrlPolicy, defaultTimeoutMs: number) {
    this.#hooks = new Map(hooks.map((h) => [webhookTargetId(h), h]));
    this.#policy = policy;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#agent = new Agent({ connections: 16, keepAliveTimeout: 10_000 });
    this.targets = hooks.map((h) => ({
      id: webhookTargetId(h),
      channel: ChannelKind.WEBHOOK,
      accepts: (p: AlertPayload) => h.format !== WebhookFormat.PAGERDUTY || pagerDutyAction(p) !== null,
    }));
  }

  async send(targetId: string, payload: AlertPayload, context: SendContext): Promise<string> {
    const hook = this.#hooks.get(targetId);
    if (!hook) throw new DeliveryError(`${targetId} is not configured`, { retryable: false });
    const problem = urlProblem(hook.url, this.#policy);
    if (problem) throw new DeliveryError(`URL_NOT_ALLOWED: ${problem}`, { retryable: false });
    const body = webhookBody(hook, payload);
    if (body === null) return 'skipped (format does not carry this alert)';
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'breakerbox-alerts/1',
      [IDEMPOTENCY_HEADER]: payload.alert_id,
      'x-breakerbox-alert-id': payload.alert_id,
      'x-breakerbox-event-type': payload.event_type,
    };
    if (hook.secret) {
      headers[SIGNATURE_HEADER] = signatureHeader(hook.secret, body, context.now);
      headers[KEY_ID_HEADER] = hook.keyId ?? 'default';
    }
    if (hook.token) headers.authorization = `Bearer ${hook.token}`;
    const timeout = hook.timeoutMs ?? this.#defaultTimeoutMs;
    let status: number;
    let text: string;
    let location: string | undefined;
    try {
      const res = await request(hook.url, {
        method: 'POST',
        headers,
        body,
        signal: context.signal,
        dispatcher: this.#agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      status = res.statusCode;
      const loc = res.headers.location;
      location = Array.isArray(loc) ? loc[0] : loc;
      text = (await res.body.text()).slice(0, 200);
    } catch (err) {
      throw new DeliveryError(`POST ${redactUrl(hook.url)}: ${errorText(err)}`, { retryable: true, cause: err });
    }
    if (status >= 200 && status < 300) return `HTTP ${status}`;
    if (status >= 300 && status < 400) {
      throw new DeliveryError(`HTTP ${status} redirect to ${location ? redirectTarget(location, hook.url) : '(none)'} refused: redirects are never followed`, {
        retryable: false,
        status,
      });
    }
    const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
    throw new DeliveryError(`HTTP ${status}${text ? `: ${text.replace(/\s+/g, ' ')}` : ''}`, { retryable, status });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
