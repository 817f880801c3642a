import { systemClock, type CancelTimer, type Clock } from '../clock.ts';
import type { RiskEvent, RiskEventType } from '../events.ts';
import type { BreakerType } from '../../machines/constants.ts';
import { DeliveryError, errorText, type AlertChannel, type ChannelTarget } from './channels/channel.ts';
import { EmailChannel } from './channels/email.ts';
import { SmsChannel } from './channels/sms.ts';
import { WebhookChannel, webhookTargetId } from './channels/webhook.ts';
import { configSecrets, parseAlertConfig, type AlertConfig, type AlertConfigInput } from './config.ts';
import { describeAlert } from './format.ts';
import { InMemoryAlertOutbox, type AlertOutbox } from './outbox.ts';
import { AlertRateLimiter, rateKey } from './rateLimiter.ts';
import {
  AlertSeverity,
  AttemptOutcome,
  DIGEST_EVENT_TYPE,
  DeliveryStatus,
  SuppressionStatus,
  noopLogger,
  type AlertLogger,
  type AlertPayload,
  type AttemptQuery,
  type AttemptRecord,
  type DeliveryEntry,
  type DigestDetails,
  type OutboxEntry,
  type SuppressionEntry,
} from './types.ts';

/**
 * Which runtime events alert, and how urgently. Events not listed (StateChanged,
 * TradingDayOpened, InputRejected) never alert.
 */
export const ALERT_SEVERITY: Readonly<Partial<Record<RiskEventType, AlertSeverity>>> = {
  CircuitBreakerTripped: AlertSeverity.CRITICAL,
  ManualHalt: AlertSeverity.CRITICAL,
  CancelOrdersFailed: AlertSeverity.CRITICAL,
  RestoreFailed: AlertSeverity.CRITICAL,
  StoreWriteFailed: AlertSeverity.CRITICAL,
  CircuitBreakerWarning: AlertSeverity.WARNING,
  ResetRefused: AlertSeverity.WARNING,
  ResetExpired: AlertSeverity.WARNING,
  ResetRequested: AlertSeverity.INFO,
  ResetConfirmed: AlertSeverity.INFO,
  CircuitBreakerRecovered: AlertSeverity.INFO,
  TradingModeChanged: AlertSeverity.WARNING,
};

/** How often the outbox is pruned (clock ms). */
const PRUNE_EVERY_MS = 3_600_000;

const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { info: 0, warning: 1, critical: 2 };

/** Passed to `onGiveUp` when an alert is abandoned for one target. */
export interface GiveUpInfo {
  readonly entry: DeliveryEntry;
  readonly reason: string;
  /** The `delivery_failed` attempt record (journal it). */
  readonly record: AttemptRecord;
}

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
  readonly #onGiveUp: ((info: GiveUpInfo) => void) | undefined;
  readonly #onAttempt: ((record: AttemptRecord) => void) | undefined;
  readonly #random: () => number;
  readonly #channels: readonly AlertChannel[];
  readonly #targets = new Map<string, { readonly target: ChannelTarget; readonly channel: AlertChannel; readonly timeoutMs: number }>();
  readonly #limiter: AlertRateLimiter;
  readonly #secrets: readonly string[];
  /** Pending suppressions per rate key, waiting for the digest. */
  readonly #suppressed = new Map<string, SuppressionEntry[]>();
  readonly #digestTimers = new Map<string, CancelTimer>();
  readonly #retryTimers = new Map<string, CancelTimer>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #aborts = new Set<AbortController>();
  readonly #delivered = new Set<string>();
  readonly #work = new Set<Promise<unknown>>();
  #closed = false;
  #resumed = false;
  #pruneTimer: CancelTimer | null = null;

  constructor(options: AlertManagerOptions) {
    this.config = options.config;
    this.outbox = options.outbox ?? new InMemoryAlertOutbox();
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
    this.#onGiveUp = options.onGiveUp;
    this.#onAttempt = options.onAttempt;
    this.#random = options.random ?? Math.random;
    this.#limiter = new AlertRateLimiter(this.config.maxPerHour, this.config.rateWindowMs);
    this.#secrets = configSecrets(this.config);
    this.#channels = options.channels ?? buildChannels(this.config);
    const cfg = this.config;
    for (const channel of this.#channels) {
      for (const target of channel.targets) {
        const hook = cfg.webhooks.find((h) => webhookTargetId(h) === target.id);
        const timeoutMs =
          channel.kind === 'webhook' ? (hook?.timeoutMs ?? cfg.timeoutMs) : channel.kind === 'email' ? (cfg.email?.timeoutMs ?? cfg.timeoutMs) : (cfg.sms?.timeoutMs ?? cfg.timeoutMs);
        this.#targets.set(target.id, { target, channel, timeoutMs });
      }
    }
  }

  /** Ids of every configured channel target. */
  get targetIds(): string[] {
    return [...this.#targets.keys()];
  }

  /** Deliveries currently being attempted. */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  /** Deliveries waiting for a backoff timer. */
  get pendingRetryCount(): number {
    return this.#retryTimers.size;
  }

  /** Builds the channel-independent payload of an event (null when the event type does not alert). */
  payloadFor(event: RiskEvent): AlertPayload | null {
    const severity = ALERT_SEVERITY[event.type];
    if (!severity) return null;
    return {
      alert_id: event.id,
      event_id: event.id,
      event_type: event.type,
      severity,
      strategy_name: event.strategy,
      circuit_breaker_type: event.breaker,
      ...(event.operator !== undefined ? { operator: event.operator } : {}),
      details: event.details,
      timestamp: event.timestamp,
    };
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
    const now = this.#clock.now();
    const key = rateKey(event.strategy, event.breaker, payload.severity === AlertSeverity.CRITICAL ? 'critical' : 'info');
    const out = this.#takeDigest(key, now);
    if (!this.#limiter.hasRoom(key, now)) {
      const entry: SuppressionEntry = {
        kind: 'suppressed',
        id: `${payload.alert_id}|suppressed`,
        alertId: payload.alert_id,
        rateKey: key,
        payload,
        createdAt: now,
        status: SuppressionStatus.PENDING,
      };
      this.#addSuppressed(entry);
      out.push(entry);
      return out;
    }
    this.#limiter.record(key, now);
    out.push(...this.#deliveries(payload, key, now));
    return out;
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
          const opening = this.#limiter.nextOpening(entry.rateKey, this.#clock.now());
          this.#record(
            this.#attemptRecord(entry.payload, '*', null, AttemptOutcome.SUPPRESSED, 0, this.#clock.now(), {
              reason: `rate limit ${this.config.maxPerHour} per ${this.config.rateWindowMs / 60_000} min reached for ${entry.rateKey}; folded into a digest at ${new Date(opening).toISOString()}`,
            }),
          );
        }
        continue;
      }
      if (entry.status === DeliveryStatus.PENDING) this.#attempt(entry);
    }
  }

  /**
   * Plans, stores and dispatches `event` (stand-alone use). Returns the planned entries at once;
   * storage and delivery continue in the background and never block or throw to the caller.
   */
  enqueue(event: RiskEvent): OutboxEntry[] {
    const entries = this.plan(event);
    if (entries.length > 0) this.#track(this.#store(entries).then((ok) => ok && this.dispatch(entries)));
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
          this.#limiter.record(e.rateKey, e.createdAt);
        }
        if (e.status === DeliveryStatus.PENDING) pending.push(e);
      } else if (e.status === SuppressionStatus.PENDING) {
        this.#addSuppressed(e);
      }
    }
    this.#logger.info({ pending: pending.length, suppressed: [...this.#suppressed.values()].reduce((n, l) => n + l.length, 0) }, 'alerts: resuming outbox');
    for (const e of pending) this.#attempt(e);
    this.#schedulePrune(0);
  }

  /**
   * Deletes settled outbox entries and attempt records older than `outboxRetentionMs`
   * (pending deliveries and suppressions are never pruned). Runs at resume and then every hour
   * of the clock; returns how many entries were deleted.
   */
  async prune(): Promise<number> {
    const before = this.#clock.now() - this.config.outboxRetentionMs;
    try {
      const n = await this.outbox.prune(before);
      if (n > 0) this.#logger.info({ pruned: n, before: new Date(before).toISOString() }, 'alerts: outbox pruned');
      return n;
    } catch (err) {
      this.#logger.warn({ err: this.#scrub(errorText(err)) }, 'alerts: outbox prune failed');
      return 0;
    }
  }

  #schedulePrune(delayMs: number): void {
    if (this.#closed) return;
    this.#pruneTimer?.();
    this.#pruneTimer = this.#clock.setTimer(() => {
      this.#pruneTimer = null;
      if (this.#closed) return;
      this.#track(this.prune().then(() => this.#schedulePrune(PRUNE_EVERY_MS)));
    }, delayMs);
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
      const waiting = [...this.#work, ...(deliveries ? this.#inFlight.values() : [])];
      if (waiting.length === 0) return;
      await Promise.allSettled(waiting);
    }
  }

  /** Stops timers, aborts running attempts and closes the channels (undelivered alerts stay in the outbox). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pruneTimer?.();
    this.#pruneTimer = null;
    for (const cancel of [...this.#retryTimers.values(), ...this.#digestTimers.values()]) cancel();
    this.#retryTimers.clear();
    this.#digestTimers.clear();
    for (const ac of this.#aborts) ac.abort(new Error('alert manager closed'));
    await this.settled();
    await Promise.allSettled(this.#channels.map((c) => c.close()));
  }

  // ---------------------------------------------------------------------------------------

  #deliveries(payload: AlertPayload, key: string, now: number): DeliveryEntry[] {
    const out: DeliveryEntry[] = [];
    for (const { target } of this.#targets.values()) {
      if (!target.accepts(payload)) continue;
      out.push({
        kind: 'delivery',
        id: `${payload.alert_id}|${target.id}`,
        alertId: payload.alert_id,
        target: target.id,
        channel: target.channel,
        rateKey: key,
        payload,
        createdAt: now,
        status: DeliveryStatus.PENDING,
        attempts: 0,
        nextAttemptAt: now,
      });
    }
    return out;
  }

  #addSuppressed(entry: SuppressionEntry): void {
    const list = this.#suppressed.get(entry.rateKey) ?? [];
    if (list.some((e) => e.id === entry.id)) return;
    list.push(entry);
    this.#suppressed.set(entry.rateKey, list);
    this.#scheduleDigest(entry.rateKey);
  }

  #scheduleDigest(key: string): void {
    if (this.#digestTimers.has(key) || this.#closed) return;
    const now = this.#clock.now();
    const at = this.#limiter.nextOpening(key, now);
    const cancel = this.#clock.setTimer(() => {
      this.#digestTimers.delete(key);
      if (this.#closed) return;
      const entries = this.#takeDigest(key, this.#clock.now());
      if (entries.length > 0) this.#track(this.#store(entries).then((ok) => ok && this.dispatch(entries)));
      else if (this.#suppressed.has(key)) this.#scheduleDigest(key);
    }, Math.max(0, at - now));
    this.#digestTimers.set(key, cancel);
  }

  /** When suppressed alerts wait for `key` and the window has room: the digest's entries plus the folded markers. */
  #takeDigest(key: string, now: number): OutboxEntry[] {
    const folded = this.#suppressed.get(key);
    if (!folded || folded.length === 0 || !this.#limiter.hasRoom(key, now)) return [];
    this.#suppressed.delete(key);
    this.#digestTimers.get(key)?.();
    this.#digestTimers.delete(key);
    const sorted = [...folded].sort((a, b) => a.createdAt - b.createdAt);
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    const eventTypes: Record<string, number> = {};
    let severity: AlertSeverity = AlertSeverity.INFO;
    for (const s of sorted) {
      eventTypes[s.payload.event_type] = (eventTypes[s.payload.event_type] ?? 0) + 1;
      if (SEVERITY_RANK[s.payload.severity] > SEVERITY_RANK[severity]) severity = s.payload.severity;
    }
    const details: DigestDetails = {
      suppressed_count: sorted.length,
      first_at: new Date(first.createdAt).toISOString(),
      last_at: new Date(last.createdAt).toISOString(),
      event_types: eventTypes,
      last_event: { event_type: last.payload.event_type, timestamp: last.payload.timestamp, details: last.payload.details },
      suppressed_alert_ids: sorted.map((s) => s.alertId),
    };
    const digestId = `digest-${first.alertId}`;
    const payload: AlertPayload = {
      alert_id: digestId,
      event_id: last.payload.event_id,
      event_type: DIGEST_EVENT_TYPE,
      severity,
      strategy_name: first.payload.strategy_name,
      circuit_breaker_type: first.payload.circuit_breaker_type as BreakerType | null,
      details,
      timestamp: new Date(now).toISOString(),
    };
    this.#limiter.record(key, now);
    return [
      ...this.#deliveries(payload, key, now),
      ...sorted.map((s): SuppressionEntry => ({ ...s, status: SuppressionStatus.FOLDED, digestAlertId: digestId })),
    ];
  }

  #track<T>(promise: Promise<T>): void {
    const p = promise.catch((err: unknown) => this.#logger.warn({ err: this.#scrub(errorText(err)) }, 'alerts: background task failed'));
    this.#work.add(p);
    void p.finally(() => this.#work.delete(p));
  }

  async #store(entries: readonly OutboxEntry[]): Promise<boolean> {
    try {
      await this.outbox.put(entries);
    } catch (err) {
      // Still deliver: an alert that cannot be stored is better sent than lost.
      this.#logger.warn({ err: this.#scrub(errorText(err)), entries: entries.length }, 'alerts: outbox write failed; delivering without durability');
    }
    return true;
  }

  #scrub(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join('***');
    return out;
  }

  #attemptRecord(
    payload: AlertPayload,
    target: string,
    channel: AttemptRecord['channel'],
    outcome: AttemptOutcome,
    attempt: number,
    at: number,
    extra: { reason?: string; durationMs?: number } = {},
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

  #record(record: AttemptRecord): void {
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
    this.#track(this.outbox.recordAttempt(record));
  }

  #attempt(entry: DeliveryEntry): void {
    if (this.#closed || this.#inFlight.has(entry.id) || this.#delivered.has(entry.id)) return;
    this.#retryTimers.get(entry.id)?.();
    this.#retryTimers.delete(entry.id);
    const run = this.#run(entry).finally(() => this.#inFlight.delete(entry.id));
    this.#inFlight.set(entry.id, run);
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
      if (this.#delivered.size > 100_000) this.#delivered.delete(this.#delivered.values().next().value as string);
      const done: DeliveryEntry = { ...entry, status: DeliveryStatus.DELIVERED, attempts: attemptNo, deliveredAt: end, nextAttemptAt: end };
      this.#record(this.#attemptRecord(entry.payload, entry.target, entry.channel, AttemptOutcome.SENT, attemptNo, start, { reason: receipt, durationMs: end - start }));
      await this.#store([done]);
    } catch (err) {
      const end = this.#clock.now();
      const reason = this.#scrub(ac.signal.aborted && ac.signal.reason instanceof Error ? errorText(ac.signal.reason) : errorText(err));
      const retryable = !(err instanceof DeliveryError) || err.retryable;
      const failed: DeliveryEntry = { ...entry, attempts: attemptNo, lastError: reason };
      this.#record(this.#attemptRecord(entry.payload, entry.target, entry.channel, AttemptOutcome.FAILED, attemptNo, start, { reason, durationMs: end - start }));
      if (this.#closed) {
        await this.#store([failed]);
        return;
      }
      const deadline = entry.createdAt + this.config.giveUpAfterMs;
      if (!retryable) {
        await this.#giveUp(failed, `permanent failure: ${reason}`);
      } else if (end >= deadline) {
        await this.#giveUp(failed, `gave up after ${attemptNo} attempts over ${Math.round((end - entry.createdAt) / 1000)} s: ${reason}`);
      } else {
        const delay = Math.min(this.#backoff(attemptNo), Math.max(0, deadline - end));
        const next: DeliveryEntry = { ...failed, nextAttemptAt: end + delay };
        await this.#store([next]);
        if (!this.#closed) {
          this.#retryTimers.set(
            entry.id,
            this.#clock.setTimer(() => {
              this.#retryTimers.delete(entry.id);
              const running = this.#inFlight.get(entry.id);
              if (running) void running.then(() => this.#attempt(next));
              else this.#attempt(next);
            }, delay),
          );
        }
      }
    } finally {
      cancelTimeout();
      this.#aborts.delete(ac);
    }
  }

  /** Exponential backoff with jitter: `min(max, base·2^(n-1))`, of which `jitter` is randomised. */
  #backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs, jitter } = this.config.retry;
    const full = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 30));
    return Math.round(full * (1 - jitter * this.#random()));
  }

  async #giveUp(entry: DeliveryEntry, reason: string): Promise<void> {
    const failed: DeliveryEntry = { ...entry, status: DeliveryStatus.FAILED, lastError: this.#scrub(reason) };
    const record = this.#attemptRecord(entry.payload, entry.target, entry.channel, AttemptOutcome.DELIVERY_FAILED, entry.attempts, this.#clock.now(), { reason });
    this.#record(record);
    await this.#store([failed]);
    try {
      this.#onGiveUp?.({ entry: failed, reason: record.reason ?? '', record });
    } catch (err) {
      this.#logger.warn({ err: this.#scrub(errorText(err)) }, 'alerts: onGiveUp callback threw');
    }
  }
}

function buildChannels(config: AlertConfig): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (config.email) channels.push(new EmailChannel(config.email, config.timeoutMs));
  if (config.sms) channels.push(new SmsChannel(config.sms, config.timeoutMs));
  if (config.webhooks.length > 0) {
    channels.push(new WebhookChannel(config.webhooks, { allowlist: config.allowlist, allowInsecureHttp: config.allowInsecureHttp }, config.timeoutMs));
  }
  return channels;
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

/** A one-line description of an alert, as used in e-mail subjects and SMS. */
export { describeAlert };
