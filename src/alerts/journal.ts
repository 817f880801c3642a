import { errorText } from './channels/channel.ts';
import type { BackgroundWork } from './backgroundWork.ts';
import type { AlertOutbox } from './outbox.ts';
import { AttemptOutcome, type AlertLogger, type AlertPayload, type AttemptRecord, type OutboxEntry } from './types.ts';

/** What {@link AlertJournal} writes to and tells. */
export interface AlertJournalOptions {
  readonly outbox: AlertOutbox;
  readonly logger: AlertLogger;
  readonly scrub: (text: string) => string;
  readonly work: BackgroundWork;
  readonly onAttempt: ((record: AttemptRecord) => void) | undefined;
}

/** Reason and duration of an attempt record, when known. */
export interface AttemptExtra {
  reason?: string;
  durationMs?: number;
}

/**
 * Writes down what happens to alerts: outbox entries, and attempt records (logged, passed to
 * `onAttempt` and stored). Never throws: a write that fails is logged.
 */
export class AlertJournal {
  readonly #outbox: AlertOutbox;
  readonly #logger: AlertLogger;
  readonly #scrub: (text: string) => string;
  readonly #work: BackgroundWork;
  readonly #onAttempt: ((record: AttemptRecord) => void) | undefined;

  constructor(options: AlertJournalOptions) {
    this.#outbox = options.outbox;
    this.#logger = options.logger;
    this.#scrub = options.scrub;
    this.#work = options.work;
    this.#onAttempt = options.onAttempt;
  }

  /** Writes `entries` to the outbox; resolves true even when the write failed (delivery goes on). */
  async store(entries: readonly OutboxEntry[]): Promise<boolean> {
    try {
      await this.#outbox.put(entries);
    } catch (err) {
      // Still deliver: an alert that cannot be stored is better sent than lost.
      this.#logger.warn({ err: this.#scrub(errorText(err)), entries: entries.length }, 'alerts: outbox write failed; delivering without durability');
    }
    return true;
  }

  /** An attempt record of `payload` for `target` (its reason scrubbed of secrets and capped). */
  attemptRecord(
    payload: AlertPayload,
    target: string,
    channel: AttemptRecord['channel'],
    outcome: AttemptOutcome,
    attempt: number,
    at: number,
    extra: AttemptExtra = {},
  ): AttemptRecord {
    return {
      at,
      alertId: payload.alert_id,
      eventId: payload.event_id,
      eventType: payload.event_type,
      strategy: payload.strategy_name,
      breaker: payload.circuit_breaker_type,
      target,
      channel,
      outcome,
      attempt,
      ...(extra.reason !== undefined ? { reason: this.#scrub(extra.reason).slice(0, 500) } : {}),
      ...(extra.durationMs !== undefined ? { durationMs: extra.durationMs } : {}),
    };
  }

  /** Logs `record` (failures as warnings), hands it to `onAttempt` and stores it in the background. */
  record(record: AttemptRecord): void {
    const fields = {
      alert_id: record.alertId,
      event_id: record.eventId,
      event_type: record.eventType,
      strategy: record.strategy,
      breaker: record.breaker,
      target: record.target,
      channel: record.channel,
      outcome: record.outcome,
      attempt: record.attempt,
      ...(record.reason !== undefined ? { reason: record.reason } : {}),
      ...(record.durationMs !== undefined ? { duration_ms: record.durationMs } : {}),
    };
    if (record.outcome === AttemptOutcome.SENT || record.outcome === AttemptOutcome.SUPPRESSED) this.#logger.info(fields, `alert ${record.outcome}`);
    else this.#logger.warn(fields, `alert ${record.outcome}`);
    try {
      this.#onAttempt?.(record);
    } catch (err) {
      this.#logger.warn({ err: this.#scrub(errorText(err)) }, 'alerts: onAttempt callback threw');
    }
    this.#work.track(this.#outbox.recordAttempt(record));
  }
}
