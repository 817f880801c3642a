import type { CancelTimer, Clock } from '../clock.ts';
import { ErrorCode, StoreError } from '../errors.ts';
import { RiskEventType, type RiskEvent } from '../events.ts';
import { BreakerType } from '../../machines/rules/registry.ts';
import type { ExtraWrite, StrategyRecord, StrategyStore } from './persistence.ts';

/** Receives each batch of events once it is durable, and may add writes to the same batch. */
export interface DurableEventSink {
  /** Called synchronously before the batch is written; returned writes join the same atomic batch. */
  prepare?(events: readonly RiskEvent[]): { writes: readonly ExtraWrite[]; handle: unknown };
  /** Called after the batch is durable. */
  afterCommit(events: readonly RiskEvent[], handle: unknown): void;
  /** Called when the batch could NOT be written: act from memory (alerts are still sent). */
  onCommitFailed?(events: readonly RiskEvent[], handle: unknown, error: unknown): void;
}

/** What the pipeline needs from its runtime. */
export interface DurabilityHost {
  /** The strategy record as it is now. */
  record(): StrategyRecord;
  /** The current high-water mark, or null. */
  highWaterMark(): string | null;
  /** A write failed: a restart could forget something. */
  onFailure(error: unknown): void;
}

/**
 * Everything the runtime writes, in order, on one promise chain: events of the same tick are
 * committed in one synced batch with the record (and the sinks' extra writes, e.g. the alert
 * outbox) and handed to the sinks after it; counter-only changes are debounced; new
 * high-water marks are written at once, coalesced.
 */
export class Durability {
  readonly #store: StrategyStore;
  readonly #clock: Clock;
  readonly #debounceMs: number;
  readonly #host: DurabilityHost;
  #uncommitted: RiskEvent[] = [];
  #commitScheduled = false;
  #chain: Promise<void> = Promise.resolve();
  #countersDirty = false;
  #countersTimer: CancelTimer | null = null;
  #hwmWriteQueued = false;
  #sinks: DurableEventSink[] = [];
  #closed = false;
  /** The first write that failed: from then on flush() rejects (the state is not durable). */
  #failure: unknown = null;
  /** The store's notice that its directory was re-created, until an operator's reset acknowledges it. */
  #recreated: Error | null = null;
  #recreateQueued = false;
  readonly #unsubscribe: () => void;

  constructor(store: StrategyStore, clock: Clock, debounceMs: number, host: DurabilityHost) {
    this.#store = store;
    this.#clock = clock;
    this.#debounceMs = debounceMs;
    this.#host = host;
    const unsubscribe = [store.onRecreated?.((notice) => this.#afterRecreated(notice)), store.onVanished?.((error) => this.#failed(error))];
    this.#unsubscribe = () => unsubscribe.forEach((off) => off?.());
  }

  addSink(sink: DurableEventSink): () => void {
    this.#sinks.push(sink);
    return () => {
      this.#sinks = this.#sinks.filter((s) => s !== sink);
    };
  }

  /** Queues an event for the next commit (this tick's batch). */
  event(event: RiskEvent): void {
    if (this.#recreated !== null && event.type === RiskEventType.RESET_CONFIRMED && event.breaker === BreakerType.MANUAL) this.#acknowledged();
    this.#uncommitted.push(event);
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    queueMicrotask(() => this.#commit());
  }

  /** A counter changed (window entry, warning flag): saved within the debounce period. */
  countersChanged(): void {
    this.#countersDirty = true;
    if (this.#countersTimer !== null || this.#closed) return;
    this.#countersTimer = this.#clock.setTimer(() => {
      this.#countersTimer = null;
      this.#saveCounters();
    }, this.#debounceMs);
  }

  /**
   * A lost high-water mark would make the drawdown breaker looser after a restart, so a new high
   * is written at once (coalesced: at most one write queued, carrying the latest high).
   */
  newHighWaterMark(): void {
    this.countersChanged();
    const store = this.#store;
    if (this.#hwmWriteQueued || !store.saveHighWaterMark) return;
    this.#hwmWriteQueued = true;
    this.#chain = this.#chain
      .then(() => {
        this.#hwmWriteQueued = false;
        const hwm = this.#host.highWaterMark();
        return hwm !== null && !this.#closed ? store.saveHighWaterMark!(hwm) : undefined;
      })
      .catch((error: unknown) => this.#failed(error));
  }

  /**
   * Resolves once everything queued so far is durable; rejects (StoreError STORE_UNAVAILABLE)
   * once any write has failed, since then a restart could forget what happened.
   */
  async flush(): Promise<void> {
    if (this.#commitScheduled) this.#commit();
    if (this.#countersDirty) this.#saveCounters();
    await this.#chain;
    if (this.#failure !== null && this.#failure === this.#recreated) {
      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, this.#recreated.message, { cause: this.#recreated });
    }
    if (this.#failure !== null) {
      const message = this.#failure instanceof Error ? this.#failure.message : String(this.#failure);
      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, `store: write failed, state is not durable: ${message}`, { cause: this.#failure });
    }
  }

  /**
   * Queues the figures to be saved once more, now, while the actors still run (at a stop):
   * windows are saved on the wall clock, so a wall step since the last save would otherwise
   * restore every entry older than it is, and let orders through.
   */
  saveFiguresNow(): void {
    this.#countersDirty = true;
    this.#saveCounters();
  }

  /** Flushes (a failed store does not stop the close), then refuses further writes. */
  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    this.#closed = true;
    this.#countersTimer?.();
    this.#countersTimer = null;
    this.#unsubscribe();
    await this.#chain;
  }

  #commit(): void {
    if (!this.#commitScheduled) return;
    this.#commitScheduled = false;
    const events = this.#uncommitted;
    this.#uncommitted = [];
    if (this.#closed) return;
    const record = this.#host.record();
    this.#countersDirty = false;
    const sinks = this.#sinks;
    const prepared = sinks.map((sink) => sink.prepare?.(events) ?? { writes: [], handle: undefined });
    const writes = prepared.flatMap((p) => p.writes);
    this.#chain = this.#chain
      .then(() => this.#store.commit(record, events, writes))
      .then(
        () => sinks.forEach((sink, i) => sink.afterCommit(events, prepared[i]?.handle)),
        (error: unknown) => {
          // Not durable: the sinks act from memory (alerts still leave), then the host fails closed.
          sinks.forEach((sink, i) => {
            try {
              sink.onCommitFailed?.(events, prepared[i]?.handle, error);
            } catch {
              // a sink's own failure must not hide the store failure
            }
          });
          this.#failed(error);
        },
      );
  }

  #failed(error: unknown): void {
    this.#failure ??= error;
    this.#host.onFailure(error);
    this.#recreate();
  }

  /**
   * A failed write may mean the directory vanished: the store re-creates it (next on the chain,
   * before anything queued after the failure) and tells every strategy in it. When it cannot, that
   * failure (saying why) becomes the one flush() reports, and the runtime stays failed closed.
   */
  #recreate(): void {
    const store = this.#store;
    if (this.#recreateQueued || this.#closed || !store.recreate) return;
    this.#recreateQueued = true;
    this.#chain = this.#chain.then(async () => {
      this.#recreateQueued = false;
      try {
        await store.recreate!();
      } catch (error) {
        this.#failure = error;
        this.#host.onFailure(error);
      }
    });
  }

  /**
   * The directory was re-created (by this strategy's failed write or another's): the host halts
   * and journals what was lost, whose commit writes the whole current record into the new
   * directory. flush() keeps rejecting, saying so, until an operator's reset acknowledges it.
   */
  #afterRecreated(notice: Error): void {
    if (this.#closed) return;
    this.#recreated = notice;
    this.#failure = notice;
    this.#host.onFailure(notice);
    // The whole record is written even if the host had nothing to journal.
    if (!this.#commitScheduled) {
      this.#commitScheduled = true;
      queueMicrotask(() => this.#commit());
    }
  }

  /** An operator reset the halt after a re-creation: the state has been written whole since. */
  #acknowledged(): void {
    if (this.#failure === this.#recreated) this.#failure = null;
    this.#recreated = null;
    this.#store.acknowledgeRecreated?.();
  }

  #saveCounters(): void {
    if (!this.#countersDirty || this.#closed) return;
    this.#countersDirty = false;
    const record = this.#host.record();
    this.#chain = this.#chain.then(() => this.#store.saveFigures(record)).catch((error: unknown) => this.#failed(error));
  }
}
