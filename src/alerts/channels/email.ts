import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { EmailConfig } from '../config.ts';
import { emailHtml, emailSubject, emailText } from '../format.ts';
import { ChannelKind, type AlertPayload } from '../types.ts';
import { DeliveryError, errorText, type AlertChannel, type ChannelTarget, type SendContext } from './channel.ts';

/** Sends one e-mail per recipient through SMTP (nodemailer), STARTTLS required unless configured otherwise. */
export class EmailChannel implements AlertChannel {
  readonly kind = ChannelKind.EMAIL;
  readonly targets: readonly ChannelTarget[];
  readonly #config: EmailConfig;
  readonly #transport: Transporter;

  constructor(config: EmailConfig, defaultTimeoutMs: number) {
    this.#config = config;
    const timeout = config.timeoutMs ?? defaultTimeoutMs;
    this.#transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure ?? false,
      requireTLS: config.secure ? false : (config.requireTLS ?? true),
      ...(config.tls ? { tls: config.tls } : {}),
      ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.targets = config.to.map((to) => ({ id: `email:${to}`, channel: ChannelKind.EMAIL, accepts: () => true }));
  }

  async send(targetId: string, payload: AlertPayload, _context: SendContext): Promise<string> {
    const to = targetId.slice('email:'.length);
    try {
      const info = await this.#transport.sendMail({
        from: this.#config.from,
        to,
        subject: emailSubject(payload),
        text: emailText(payload),
        html: emailHtml(payload),
        messageId: `<${payload.alert_id}.${Buffer.from(to).toString('hex').slice(0, 16)}@breakerbox>`,
        headers: {
          'X-Breakerbox-Alert-Id': payload.alert_id,
          'X-Breakerbox-Severity': payload.severity,
          'X-Breakerbox-Event-Type': payload.event_type,
        },
      });
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length > 0) throw new DeliveryError(`recipient rejected: ${rejected.join(', ')}`, { retryable: false });
      return `smtp ${String(info.response ?? '').slice(0, 100)}`;
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      const responseCode = (err as { responseCode?: unknown }).responseCode;
      const permanent = typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
      throw new DeliveryError(`smtp: ${errorText(err)}`, {
        retryable: !permanent,
        ...(typeof responseCode === 'number' ? { status: responseCode } : {}),
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
