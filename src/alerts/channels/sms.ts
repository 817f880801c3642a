import twilio from 'twilio';
import type { SmsConfig } from '../config.ts';
import { smsText } from '../format.ts';
import { ChannelKind, type AlertPayload } from '../types.ts';
import { DeliveryError, errorText, type AlertChannel, type ChannelTarget, type SendContext } from './channel.ts';

const TWILIO_API = 'https://api.twilio.com';
type TwilioRequestOptions = Parameters<twilio.RequestClient['request']>[0];

/** A Twilio RequestClient whose `https://api.twilio.com` requests go to another base URL (emulators, tests). */
function rebasedRequestClient(base: string, timeout: number): twilio.RequestClient {
  const client = new twilio.RequestClient({ timeout, autoRetry: false });
  const prefix = base.replace(/\/+$/, '');
  const original = client.request.bind(client);
  client.request = ((opts: TwilioRequestOptions) =>
    original({ ...opts, uri: opts.uri.startsWith(TWILIO_API) ? `${prefix}${opts.uri.slice(TWILIO_API.length)}` : opts.uri })) as typeof client.request;
  return client;
}

/** Sends SMS through the Twilio SDK, one message per phone number. */
export class SmsChannel implements AlertChannel {
  readonly kind = ChannelKind.SMS;
  readonly targets: readonly ChannelTarget[];
  readonly #config: SmsConfig;
  readonly #client: twilio.Twilio;

  constructor(config: SmsConfig, defaultTimeoutMs: number) {
    this.#config = config;
    const timeout = config.timeoutMs ?? defaultTimeoutMs;
    this.#client = twilio(config.accountSid, config.authToken, {
      timeout,
      autoRetry: false,
      ...(config.apiBaseUrl ? { httpClient: rebasedRequestClient(config.apiBaseUrl, timeout) } : {}),
    });
    this.targets = config.to.map((to) => ({ id: `sms:${to}`, channel: ChannelKind.SMS, accepts: () => true }));
  }

  async send(targetId: string, payload: AlertPayload, _context: SendContext): Promise<string> {
    const to = targetId.slice('sms:'.length);
    try {
      const message = await this.#client.messages.create({ to, from: this.#config.from, body: smsText(payload) });
      return `twilio ${message.sid} ${message.status ?? ''}`.trim();
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      const code = (err as { code?: unknown }).code;
      const httpStatus = typeof status === 'number' ? status : undefined;
      const retryable = httpStatus === undefined || httpStatus === 429 || httpStatus === 408 || httpStatus >= 500;
      throw new DeliveryError(
        `twilio${httpStatus ? ` HTTP ${httpStatus}` : ''}${typeof code === 'number' ? ` code ${code}` : ''}: ${errorText(err)}`,
        { retryable, ...(httpStatus ? { status: httpStatus } : {}), cause: err },
      );
    }
  }

  async close(): Promise<void> {}
}
