import { systemClock, type Clock } from '../clock.ts';
import type { RiskEvent } from '../events.ts';
import { BackgroundWork } from './backgroundWork.ts';
import type { AlertChannel } from './channels/channel.ts';
import { configSecrets, parseAlertConfig, type AlertConfig, type AlertConfigInput } from './config.ts';
import { DeliveryRunner, type GiveUpInfo } from './delivery.ts';
import { describeAlert } from './format.ts';
import { AlertJournal } from './journal.ts';
import { InMemoryAlertOutbox, type AlertOutbox } from './outbox.ts';
import { alertPayload } from './payload.ts';
import { OutboxPruner } from './pruner.ts';
import { rateKey } from './rateLimiter.ts';
import { secretScrubber } from './scrub.ts';
import { buildChannels, deliveryEntries, targetSlots, type TargetSlot } from './targets.ts';
import { AlertThrottle } from './throttle.ts';
import {
  AlertSeverity,
  AttemptOutcome,
  DeliveryStatus,
  SuppressionStatus,
  noopLogger,
  type AlertLogger,
  type AlertPayload,
  type AttemptQuery,
  type AttemptRecord,
  type DeliveryEntry,
  type OutboxEntry,
} from './types.ts';

/** Construction options of {@link AlertManager}. */
export interface AlertManagerOptions {
  /** Validated configuration (see {@link parseAlertConfig} / `alertConfigFromEnv`). */
  readonly config: AlertConfig;
  /** Durable store; default an {@link InMemoryAlertOutbox}. */
  readonly outbox?: AlertOutbox;
  /** Time source for rate limits, backoff, timeouts and give-up; default the system clock. */
  readonly clock?: Clock;
  /** pino-compatible logger; default no-op. Never receives secrets. */
  readonly logger?: AlertLogger;
  /** Called once when an alert is given up for a target (after `giveUpAfterMs` or a permanent failure). */
  readonly onGiveUp?: (info: GiveUpInfo) => void;
  /** Called for every attempt record (sent, failed, suppressed, delivery_failed). */
  readonly onAttempt?: (record: AttemptRecord) => void;
  /** Replaces the channels built from config (tests, custom channels). */
  readonly channels?: readonly AlertChannel[];
  /** Random source for backoff jitter, in [0, 1); default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Turns runtime events into alerts and delivers them through every configured channel target,
 * concurrently, with rate limiting, a durable outbox, retries with backoff and jitter, and give-up.
 *
 * Atomic use with the runtime's store:
 * ```ts
 * const entries = manager.plan(event);             // pure decision + rate-limit accounting
 * await db.batch<string, unknown>([...stateOps, ...outbox.batchOps(entries)], { sync: true });
 * manager.dispatch(entries);                       // async delivery, never blocks
 * ```
 * Stand-alone: `manager.enqueue(event)` (plan + outbox.put + dispatch). On start: `await manager.resume()`.
 */
export class AlertManager {
  readonly config: AlertConfig;
  readonly outbox: AlertOutbox;
  readonly #clock: Clock;
  readonly #logger: AlertLogger;
  readonly #channels: readonly AlertChannel[];
  readonly #targets: ReadonlyMap<string, TargetSlot>;
  readonly #work: BackgroundWork;
  readonly #journal: AlertJournal;
  readonly #throttle: AlertThrottle;
  readonly #delivery: DeliveryRunner;
  readonly #pruner: OutboxPruner;
  #closed = false;
  #resumed = false;

  constructor(options: AlertManagerOptions) {
    this.config = options.config;
    this.outbox = options.outbox ?? new InMemoryAlertOutbox();
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
    const scrub = secretScrubber(configSecrets(this.config));
    const isClosed = () => this.#closed;
    this.#channels = options.channels ?? buildChannels(this.config);
    const targets = targetSlots(this.#channels, this.config);
    this.#targets = targets;
    this.#work = new BackgroundWork(this.#logger, scrub);
    this.#journal = new AlertJournal({ outbox: this.outbox, logger: this.#logger, scrub, work: this.#work, onAttempt: options.onAttempt });
    this.#throttle = new AlertThrottle({
      maxPerHour: this.config.maxPerHour,
      rateWindowMs: this.config.rateWindowMs,
      clock: this.#clock,
      deliveries: (payload, key, now) => deliveryEntries(targets, payload, key, now),
      onDigest: (entries) => this.#storeThenDispatch(entries),
      isClosed,
    });
    this.#delivery = new DeliveryRunner({
      targets,
      journal: this.#journal,
      clock: this.#clock,
      logger: this.#logger,
      scrub,
      giveUpAfterMs: this.config.giveUpAfterMs,
      retry: this.config.retry,
      random: options.random ?? Math.random,
      onGiveUp: options.onGiveUp,
      isClosed,
    });
    this.#pruner = new OutboxPruner({
      outbox: this.outbox,
      retentionMs: this.config.outboxRetentionMs,
      clock: this.#clock,
      logger: this.#logger,
      scrub,
      work: this.#work,
      isClosed,
    });
  }

  /** Ids of every configured channel target. */
  get targetIds(): string[] {
    return [...this.#targets.keys()];
  }

  /** Deliveries currently being attempted. */
  get inFlightCount(): number {
    return this.#delivery.inFlightCount;
  }

  /** Deliveries waiting for a backoff timer. */
  get pendingRetryCount(): number {
    return this.#delivery.pendingRetryCount;
  }

  /** Builds the channel-independent payload of an event (null when the event type does not alert). */
  payloadFor(event: RiskEvent): AlertPayload | null {
    return alertPayload(event);
  }

  /**
   * Decides what to do about `event`: returns the outbox entries to write (one delivery per
   * accepting target; or one suppression marker when the rate limit is hit; plus a digest when
   * suppressed alerts are waiting and the window has room again). Synchronous; updates only the
   * in-memory rate-limit accounting. Write the entries (atomically with the state change), then
   * call {@link dispatch}. Returns `[]` for events that do not alert.
   */
  plan(event: RiskEvent): OutboxEntry[] {
    const payload = this.payloadFor(event);
    if (!payload) return [];
    const key = rateKey(event.strategy, event.breaker, payload.severity === AlertSeverity.CRITICAL ? 'critical' : 'info');
    return this.#throttle.plan(payload, key, this.#clock.now());
  }

  /**
   * Starts delivering planned entries (after they were written to the outbox). Returns at once;
   * delivery runs in the background. Records `suppressed` attempts for suppression markers.
   */
  dispatch(entries: readonly OutboxEntry[]): void {
    if (this.#closed) return;
    for (const entry of entries) {
      if (entry.kind === 'suppressed') {
        if (entry.status === SuppressionStatus.PENDING) {
          const opening = this.#throttle.nextOpening(entry.rateKey, this.#clock.now());
          this.#journal.record(
            this.#journal.attemptRecord(entry.payload, '*', null, AttemptOutcome.SUPPRESSED, 0, this.#clock.now(), {
              reason: `rate limit ${this.config.maxPerHour} per ${this.config.rateWindowMs / 60_000} min reached for ${entry.rateKey}; folded into a digest at ${new Date(opening).toISOString()}`,
            }),
          );
        }
        continue;
      }
      if (entry.status === DeliveryStatus.PENDING) this.#delivery.attempt(entry);
    }
  }

  /**
   * Plans, stores and dispatches `event` (stand-alone use). Returns the planned entries at once;
   * storage and delivery continue in the background and never block or throw to the caller.
   */
  enqueue(event: RiskEvent): OutboxEntry[] {
    const entries = this.plan(event);
    if (entries.length > 0) this.#storeThenDispatch(entries);
    return entries;
  }

  /**
   * Re-sends everything in the outbox not yet delivered or given up (call once on start, after
   * a restart), rebuilds the rate-limit window from recent entries and reschedules digests for
   * suppressed alerts.
   */
  async resume(): Promise<void> {
    if (this.#resumed || this.#closed) return;
    this.#resumed = true;
    const now = this.#clock.now();
    const all = await this.outbox.list();
    const counted = new Set<string>();
    const pending: DeliveryEntry[] = [];
    for (const e of all) {
      if (e.kind === 'delivery') {
        if (e.createdAt > now - this.config.rateWindowMs && !counted.has(e.alertId)) {
          counted.add(e.alertId);
          this.#throttle.countSent(e.rateKey, e.createdAt);
        }
        if (e.status === DeliveryStatus.PENDING) pending.push(e);
      } else if (e.status === SuppressionStatus.PENDING) {
        this.#throttle.restoreSuppressed(e);
      }
    }
    this.#logger.info({ pending: pending.length, suppressed: this.#throttle.suppressedCount }, 'alerts: resuming outbox');
    for (const e of pending) this.#delivery.attempt(e);
    this.#pruner.schedule(0);
  }

  /**
   * Deletes settled outbox entries and attempt records older than `outboxRetentionMs`
   * (pending deliveries and suppressions are never pruned). Runs at resume and then every hour
   * of the clock; returns how many entries were deleted.
   */
  async prune(): Promise<number> {
    return this.#pruner.prune();
  }

  /** Attempt records (sent / failed / suppressed / delivery_failed) in a clock-ms range, oldest first. */
  async attempts(query?: AttemptQuery): Promise<AttemptRecord[]> {
    await this.settled({ includeDeliveries: false });
    return this.outbox.attempts(query);
  }

  /**
   * Resolves once no delivery attempt is running and every outbox/attempt write has finished
   * (scheduled retries and digests are not waited for). For tests and graceful shutdown.
   */
  async settled(options: { readonly includeDeliveries?: boolean } = {}): Promise<void> {
    const deliveries = options.includeDeliveries ?? true;
    for (let i = 0; i < 10_000; i++) {
      const waiting = [...this.#work.pending, ...(deliveries ? this.#delivery.running : [])];
      if (waiting.length === 0) return;
      await Promise.allSettled(waiting);
    }
  }

  /** Stops timers, aborts running attempts and closes the channels (undelivered alerts stay in the outbox). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pruner.cancel();
    this.#throttle.stop();
    this.#delivery.stop();
    await this.settled();
    await Promise.allSettled(this.#channels.map((c) => c.close()));
  }

  /** Stores `entries` in the background, then dispatches them (stored or not: see AlertJournal.store). */
  #storeThenDispatch(entries: OutboxEntry[]): void {
    this.#work.track(this.#journal.store(entries).then((ok) => ok && this.dispatch(entries)));
  }
}

/** Options of {@link createAlertManager} besides the configuration. */
export type CreateAlertManagerOptions = Omit<AlertManagerOptions, 'config'>;

/**
 * Builds an {@link AlertManager} from a configuration (raw input is validated; throws
 * ConfigError listing every problem) and an outbox. Call `resume()` after construction.
 */
export function createAlertManager(config: AlertConfig | AlertConfigInput, options: CreateAlertManagerOptions = {}): AlertManager {
  const parsed = isParsed(config) ? config : parseAlertConfig(config);
  return new AlertManager({ ...options, config: parsed });
}

function isParsed(config: AlertConfig | AlertConfigInput): config is AlertConfig {
  return Object.isFrozen(config) && typeof (config as { toJSON?: unknown }).toJSON === 'function';
}

// Re-exported so that the manager's public surface stays in one place (see alerts/index.ts).
export { ALERT_SEVERITY } from './payload.ts';
export type { GiveUpInfo };

/** A one-line description of an alert, as used in e-mail subjects and SMS. */
export { describeAlert };
