import { withMonotonic, type CancelTimer, type Clock, type MonotonicClock } from '../clock.ts';
import { backoffDelay } from './backoff.ts';
import { DeliveryError, errorText } from './channels/channel.ts';
import type { RetryConfig } from './config.ts';
import type { AlertJournal } from './journal.ts';
import type { TargetSlot } from './targets.ts';
import { AttemptOutcome, DeliveryStatus, type AlertLogger, type AttemptRecord, type DeliveryEntry } from './types.ts';

/** Passed to `onGiveUp` when an alert is abandoned for one target. */
export interface GiveUpInfo {
  readonly entry: DeliveryEntry;
  readonly reason: string;
  /** The `delivery_failed` attempt record (journal it). */
  readonly record: AttemptRecord;
}

/** What {@link DeliveryRunner} needs. */
export interface DeliveryRunnerOptions {
  readonly targets: ReadonlyMap<string, TargetSlot>;
  readonly journal: AlertJournal;
  readonly clock: Clock;
  readonly logger: AlertLogger;
  readonly scrub: (text: string) => string;
  /** How long after its creation an alert is given up for a target. */
  readonly giveUpAfterMs: number;
  readonly retry: RetryConfig;
  /** Random source for backoff jitter, in [0, 1). */
  readonly random: () => number;
  readonly onGiveUp: ((info: GiveUpInfo) => void) | undefined;
  /** Whether the manager is closed (no new attempts, no retries). */
  readonly isClosed: () => boolean;
}

/** How many delivered entry ids are remembered, so that a duplicate dispatch is not sent twice. */
const DELIVERED_MEMORY = 100_000;

/**
 * Delivers outbox entries to their targets: one attempt at a time per entry, each with a
 * timeout; retryable failures are retried with backoff until `giveUpAfterMs`, permanent ones
 * are given up at once. Every step is journalled.
 */
export class DeliveryRunner {
  readonly #targets: ReadonlyMap<string, TargetSlot>;
  readonly #journal: AlertJournal;
  readonly #clock: MonotonicClock;
  readonly #logger: AlertLogger;
  readonly #scrub: (text: string) => string;
  readonly #giveUpAfterMs: number;
  readonly #retry: RetryConfig;
  readonly #random: () => number;
  readonly #onGiveUp: ((info: GiveUpInfo) => void) | undefined;
  readonly #isClosed: () => boolean;
  readonly #retryTimers = new Map<string, CancelTimer>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #aborts = new Set<AbortController>();
  readonly #delivered = new Set<string>();
  /** When each entry still being delivered was created, on the monotonic clock (its give-up deadline counts from it). */
  readonly #born = new Map<string, number>();

  constructor(options: DeliveryRunnerOptions) {
    this.#targets = options.targets;
    this.#journal = options.journal;
    this.#clock = withMonotonic(options.clock);
    this.#logger = options.logger;
    this.#scrub = options.scrub;
    this.#giveUpAfterMs = options.giveUpAfterMs;
    this.#retry = options.retry;
    this.#random = options.random;
    this.#onGiveUp = options.onGiveUp;
    this.#isClosed = options.isClosed;
  }

  /** Deliveries currently being attempted. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Deliveries waiting for a backoff timer. */
  get pendingRetryCount(): number {
    return this.#retryTimers.size;
  }

  /** The attempts running now. */
  get running(): Promise<void>[] {
    return [...this.#inFlight.values()];
  }

  /** Starts an attempt of `entry` (unless closed, already running or already delivered); a waiting retry is taken over. */
  attempt(entry: DeliveryEntry): void {
    if (this.#isClosed() || this.#inFlight.has(entry.id) || this.#delivered.has(entry.id)) return;
    this.#retryTimers.get(entry.id)?.();
    this.#retryTimers.delete(entry.id);
    if (!this.#born.has(entry.id)) {
      // Created at a wall-clock time (maybe by an earlier process): as old as the wall clock says, never younger than now.
      this.#born.set(entry.id, this.#clock.monotonic() - Math.max(0, this.#clock.now() - entry.createdAt));
    }
    const run = this.#run(entry).finally(() => this.#inFlight.delete(entry.id));
    this.#inFlight.set(entry.id, run);
  }

  /** Cancels the retry timers and aborts the running attempts (their entries stay pending in the outbox). */
  stop(): void {
    for (const cancel of this.#retryTimers.values()) cancel();
    this.#retryTimers.clear();
    for (const ac of this.#aborts) ac.abort(new Error('alert manager closed'));
  }

  async #run(entry: DeliveryEntry): Promise<void> {
    await Promise.resolve(); // never run channel code synchronously inside the caller's enqueue()
    const slot = this.#targets.get(entry.target);
    if (!slot) {
      await this.#giveUp(entry, `target ${entry.target} is no longer configured`);
      return;
    }
    const start = this.#clock.now();
    const attemptNo = entry.attempts + 1;
    const ac = new AbortController();
    this.#aborts.add(ac);
    const cancelTimeout = this.#clock.setTimer(() => ac.abort(new DeliveryError(`timed out after ${slot.timeoutMs} ms`, { retryable: true })), slot.timeoutMs);
    const aborted = new Promise<never>((_, reject) => {
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    try {
      const send = Promise.resolve().then(() => slot.channel.send(entry.target, entry.payload, { signal: ac.signal, now: start }));
      send.catch(() => {});
      const receipt = await Promise.race([send, aborted]);
      const end = this.#clock.now();
      this.#delivered.add(entry.id);
      if (this.#delivered.size > DELIVERED_MEMORY) this.#delivered.delete(this.#delivered.values().next().value as string);
      this.#born.delete(entry.id);
      const done: DeliveryEntry = { ...entry, status: DeliveryStatus.DELIVERED, attempts: attemptNo, deliveredAt: end, nextAttemptAt: end };
      this.#journal.record(this.#journal.attemptRecord(entry.payload, entry.target, entry.channel, AttemptOutcome.SENT, attemptNo, start, { reason: receipt, durationMs: end - start }));
      await this.#journal.store([done]);
    } catch (err) {
      const end = this.#clock.now();
      const reason = this.#scrub(ac.signal.aborted && ac.signal.reason instanceof Error ? errorText(ac.signal.reason) : errorText(err));
      const retryable = !(err instanceof DeliveryError) || err.retryable;
      const failed: DeliveryEntry = { ...entry, attempts: attemptNo, lastError: reason };
      this.#journal.record(this.#journal.attemptRecord(entry.payload, entry.target, entry.channel, AttemptOutcome.FAILED, attemptNo, start, { reason, durationMs: end - start }));
      if (this.#isClosed()) {
        await this.#journal.store([failed]);
        return;
      }
      // The give-up deadline runs on the monotonic clock: a wall-clock step neither hastens nor delays it.
      const age = this.#clock.monotonic() - (this.#born.get(entry.id) ?? this.#clock.monotonic());
      if (!retryable) {
        await this.#giveUp(failed, `permanent failure: ${reason}`);
      } else if (age >= this.#giveUpAfterMs) {
        await this.#giveUp(failed, `gave up after ${attemptNo} attempts over ${Math.round(age / 1000)} s: ${reason}`);
      } else {
        const delay = Math.min(backoffDelay(this.#retry, attemptNo, this.#random), Math.max(0, this.#giveUpAfterMs - age));
        const next: DeliveryEntry = { ...failed, nextAttemptAt: end + delay };
        await this.#journal.store([next]);
        if (!this.#isClosed()) {
          this.#retryTimers.set(
            entry.id,
            this.#clock.setTimer(() => {
              this.#retryTimers.delete(entry.id);
              const running = this.#inFlight.get(entry.id);
              if (running) void running.then(() => this.attempt(next));
              else this.attempt(next);
            }, delay),
          );
        }
      }
    } finally {
      cancelTimeout();
      this.#aborts.delete(ac);
    }
  }

  async #giveUp(entry: DeliveryEntry, reason: string): Promise<void> {
    this.#born.delete(entry.id);
    const failed: DeliveryEntry = { ...entry, status: DeliveryStatus.FAILED, lastError: this.#scrub(reason) };
    const record = this.#journal.attemptRecord(entry.payload, entry.target, entry.channel, AttemptOutcome.DELIVERY_FAILED, entry.attempts, this.#clock.now(), { reason });
    this.#journal.record(record);
    await this.#journal.store([failed]);
    try {
      this.#onGiveUp?.({ entry: failed, reason: record.reason ?? '', record });
    } catch (err) {
      this.#logger.warn({ err: this.#scrub(errorText(err)) }, 'alerts: onGiveUp callback threw');
    }
  }
}
