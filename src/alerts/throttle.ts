import { withMonotonic, type CancelTimer, type Clock, type MonotonicClock } from '../clock.ts';
import { foldIntoDigest } from './digest.ts';
import { AlertRateLimiter } from './rateLimiter.ts';
import { SuppressionStatus, type AlertPayload, type DeliveryEntry, type OutboxEntry, type SuppressionEntry } from './types.ts';

/** What {@link AlertThrottle} needs. */
export interface AlertThrottleOptions {
  /** Alerts allowed per rate key within `rateWindowMs`. */
  readonly maxPerHour: number;
  readonly rateWindowMs: number;
  readonly clock: Clock;
  /** The deliveries of a payload (one per accepting target). */
  readonly deliveries: (payload: AlertPayload, rateKey: string, now: number) => DeliveryEntry[];
  /** Takes a digest that became due on its timer (store it, then dispatch it). */
  readonly onDigest: (entries: OutboxEntry[]) => void;
  /** Whether the manager is closed (no digests are scheduled then). */
  readonly isClosed: () => boolean;
}

/**
 * Rate limiting with digests: an alert within its rate key's limit becomes deliveries; one over
 * it becomes a suppression marker, and the suppressed alerts of a key go out together as one
 * digest as soon as the window has room again (at the next alert of that key, or on a timer).
 * The budgets count on the clock's monotonic reading (a wall-clock step neither refills nor
 * drains them); the times written into entries and shown are wall-clock times.
 */
export class AlertThrottle {
  readonly #limiter: AlertRateLimiter;
  readonly #clock: MonotonicClock;
  readonly #deliveries: AlertThrottleOptions['deliveries'];
  readonly #onDigest: AlertThrottleOptions['onDigest'];
  readonly #isClosed: () => boolean;
  /** Pending suppressions per rate key, waiting for the digest. */
  readonly #suppressed = new Map<string, SuppressionEntry[]>();
  readonly #digestTimers = new Map<string, CancelTimer>();

  constructor(options: AlertThrottleOptions) {
    this.#limiter = new AlertRateLimiter(options.maxPerHour, options.rateWindowMs);
    this.#clock = withMonotonic(options.clock);
    this.#deliveries = options.deliveries;
    this.#onDigest = options.onDigest;
    this.#isClosed = options.isClosed;
  }

  /** Suppressed alerts waiting for a digest, over all keys. */
  get suppressedCount(): number {
    return [...this.#suppressed.values()].reduce((n, l) => n + l.length, 0);
  }

  /**
   * The entries for `payload` under `rateKey` at `now`: a due digest first, then the deliveries,
   * or one suppression marker when the limit is reached. Counts what goes out.
   */
  plan(payload: AlertPayload, rateKey: string, now: number): OutboxEntry[] {
    const mono = this.#clock.monotonic();
    const out = this.#takeDigest(rateKey, now, mono);
    if (!this.#limiter.hasRoom(rateKey, mono)) {
      const entry: SuppressionEntry = {
        kind: 'suppressed',
        id: `${payload.alert_id}|suppressed`,
        alertId: payload.alert_id,
        rateKey,
        payload,
        createdAt: now,
        status: SuppressionStatus.PENDING,
      };
      this.restoreSuppressed(entry);
      out.push(entry);
      return out;
    }
    this.#limiter.record(rateKey, mono);
    out.push(...this.#deliveries(payload, rateKey, now));
    return out;
  }

  /**
   * Counts an alert sent earlier at `at` (wall clock; rebuilding the window from the outbox after
   * a restart): as old as the wall clock says, never younger than now (a wall clock that went
   * back counts it as just sent: the budget stays used).
   */
  countSent(rateKey: string, at: number): void {
    const mono = this.#clock.monotonic();
    this.#limiter.record(rateKey, mono - Math.max(0, this.#clock.now() - at));
  }

  /** Queues a pending suppression marker for its key's digest (a duplicate is ignored). */
  restoreSuppressed(entry: SuppressionEntry): void {
    const list = this.#suppressed.get(entry.rateKey) ?? [];
    if (list.some((e) => e.id === entry.id)) return;
    list.push(entry);
    this.#suppressed.set(entry.rateKey, list);
    this.#scheduleDigest(entry.rateKey);
  }

  /** When `rateKey` has room for one more alert again, on the wall clock (`now`), as far ahead as the monotonic window says. */
  nextOpening(rateKey: string, now: number): number {
    const mono = this.#clock.monotonic();
    return now + (this.#limiter.nextOpening(rateKey, mono) - mono);
  }

  /** Cancels the digest timers (the markers stay pending in the outbox). */
  stop(): void {
    for (const cancel of this.#digestTimers.values()) cancel();
    this.#digestTimers.clear();
  }

  #scheduleDigest(key: string): void {
    if (this.#digestTimers.has(key) || this.#isClosed()) return;
    const mono = this.#clock.monotonic();
    const at = this.#limiter.nextOpening(key, mono);
    const cancel = this.#clock.setTimer(() => {
      this.#digestTimers.delete(key);
      if (this.#isClosed()) return;
      const entries = this.#takeDigest(key, this.#clock.now(), this.#clock.monotonic());
      if (entries.length > 0) this.#onDigest(entries);
      else if (this.#suppressed.has(key)) this.#scheduleDigest(key);
    }, Math.max(0, at - mono));
    this.#digestTimers.set(key, cancel);
  }

  /** When suppressed alerts wait for `key` and the window has room (at `mono`): the digest's entries (sent at `now`, wall) plus the folded markers. */
  #takeDigest(key: string, now: number, mono: number): OutboxEntry[] {
    const waiting = this.#suppressed.get(key);
    if (!waiting || waiting.length === 0 || !this.#limiter.hasRoom(key, mono)) return [];
    this.#suppressed.delete(key);
    this.#digestTimers.get(key)?.();
    this.#digestTimers.delete(key);
    const { payload, folded } = foldIntoDigest(waiting, now);
    this.#limiter.record(key, mono);
    return [...this.#deliveries(payload, key, now), ...folded];
  }
}
