import type { AlertChannel, ChannelTarget } from './channels/channel.ts';
import { EmailChannel } from './channels/email.ts';
import { SmsChannel } from './channels/sms.ts';
import { WebhookChannel, webhookTargetId } from './channels/webhook.ts';
import type { AlertConfig } from './config.ts';
import { DeliveryStatus, type AlertPayload, type DeliveryEntry } from './types.ts';

/** A configured target, the channel that delivers to it, and how long one attempt may take. */
export interface TargetSlot {
  readonly target: ChannelTarget;
  readonly channel: AlertChannel;
  readonly timeoutMs: number;
}

/** The channels the configuration asks for (e-mail, SMS, webhooks). */
export function buildChannels(config: AlertConfig): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (config.email) channels.push(new EmailChannel(config.email, config.timeoutMs));
  if (config.sms) channels.push(new SmsChannel(config.sms, config.timeoutMs));
  if (config.webhooks.length > 0) {
    channels.push(new WebhookChannel(config.webhooks, { allowlist: config.allowlist, allowInsecureHttp: config.allowInsecureHttp }, config.timeoutMs));
  }
  return channels;
}

/** Every target of `channels` by id, each with its timeout (the target's own, else its channel's, else the default). */
export function targetSlots(channels: readonly AlertChannel[], config: AlertConfig): Map<string, TargetSlot> {
  const slots = new Map<string, TargetSlot>();
  for (const channel of channels) {
    for (const target of channel.targets) {
      const hook = config.webhooks.find((h) => webhookTargetId(h) === target.id);
      const timeoutMs =
        channel.kind === 'webhook' ? (hook?.timeoutMs ?? config.timeoutMs) : channel.kind === 'email' ? (config.email?.timeoutMs ?? config.timeoutMs) : (config.sms?.timeoutMs ?? config.timeoutMs);
      slots.set(target.id, { target, channel, timeoutMs });
    }
  }
  return slots;
}

/** One pending delivery of `payload` per target that accepts it. */
export function deliveryEntries(slots: ReadonlyMap<string, TargetSlot>, payload: AlertPayload, rateKey: string, now: number): DeliveryEntry[] {
  const out: DeliveryEntry[] = [];
  for (const { target } of slots.values()) {
    if (!target.accepts(payload)) continue;
    out.push({
      kind: 'delivery',
      id: `${payload.alert_id}|${target.id}`,
      alertId: payload.alert_id,
      target: target.id,
      channel: target.channel,
      rateKey,
      payload,
      createdAt: now,
      status: DeliveryStatus.PENDING,
      attempts: 0,
      nextAttemptAt: now,
    });
  }
  return out;
}
