import type { AlertPayload, ChannelKind } from '../types.ts';

/** One place a channel delivers to (an e-mail recipient, a phone number, a webhook). */
export interface ChannelTarget {
  /** Stable id used in outbox keys and attempt records, e.g. `email:ops@example.com`. */
  readonly id: string;
  readonly channel: ChannelKind;
  /** Whether this target is told about the alert at all (PagerDuty only gets trigger/resolve). */
  accepts(payload: AlertPayload): boolean;
}

/** Context of one send. */
export interface SendContext {
  /** Aborted when the attempt times out or the manager closes. */
  readonly signal: AbortSignal;
  /** Clock ms at the start of the attempt (used for signature timestamps). */
  readonly now: number;
}

/** A delivery channel. `send` resolves on success and rejects with {@link DeliveryError} otherwise. */
export interface AlertChannel {
  readonly kind: ChannelKind;
  readonly targets: readonly ChannelTarget[];
  /** Delivers `payload` to the target with id `targetId`; resolves to a short receipt (message id, status). */
  send(targetId: string, payload: AlertPayload, context: SendContext): Promise<string>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A failed send. `retryable` false means retrying cannot help (e.g. HTTP 400, redirect, 5xx SMTP reply). */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'DeliveryError';
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
  }
}

/** Error message of an unknown thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${typeof code === 'string' && !err.message.includes(code) ? `${code}: ` : ''}${err.message}`;
  }
  return String(err);
}
