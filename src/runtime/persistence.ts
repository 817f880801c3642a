import type { RiskEvent } from '../events.ts';
import { filterJournal, type JournalQuery } from './eventLog.ts';
import type { StrategyRecord } from './record.ts';

export { RECORD_VERSION, type StrategyRecord } from './record.ts';

/** An extra write to include in the same atomic batch as a commit (e.g. alert outbox entries). */
export interface ExtraWrite {
  readonly type: 'put' | 'del';
  readonly key: string;
  readonly value?: unknown;
  /** Opaque handle of the sublevel the key belongs to (store-specific). */
  readonly sublevel?: unknown;
}

/**
 * Durable storage of one strategy. `commit` writes the record and the journal entries in one
 * atomic, synced batch; it resolves only once they are durable.
 */
export interface StrategyStore {
  /** The record saved last, or null for a new strategy. Throws StoreError when it cannot be read. */
  load(): Promise<StrategyRecord | null>;
  commit(record: StrategyRecord, events: readonly RiskEvent[], extra?: readonly ExtraWrite[]): Promise<void>;
  /** Saves a counter-only change (no journal entry). May be less durable than commit. */
  saveFigures(record: StrategyRecord): Promise<void>;
  /**
   * Saves a new high-water mark at once (not debounced): losing one would make the drawdown
   * breaker looser after a restart. Optional; stores without it rely on saveFigures.
   */
  saveHighWaterMark?(value: string): Promise<void>;
  journal(query?: JournalQuery): Promise<RiskEvent[]>;
  close(): Promise<void>;
  /**
   * After a failed write: re-creates a store whose directory vanished while in use; true when it
   * did (listeners of {@link onRecreated} were told), false when the store was not the problem.
   * Throws when it cannot (the runtime stays failed closed). Optional: stores without a directory.
   */
  recreate?(): Promise<boolean>;
  /** Calls `listener` when the store finds itself gone before a write failed (a watched directory); returns the unsubscribe. */
  onVanished?(listener: (error: Error) => void): () => void;
  /** Calls `listener` with what happened each time the store was re-created; returns the unsubscribe. */
  onRecreated?(listener: (recreated: Error) => void): () => void;
  /** An operator reset the halt that followed a re-creation: the store may say it is healthy again. */
  acknowledgeRecreated?(): void;
}

/**
 * Keeps everything in memory (`store: false`). Journal entries are kept as their JSON text, as
 * the LevelDB store keeps them: one flat string per event rather than a graph of a dozen small
 * objects (the id alone is a rope of concatenated pieces). A journal only grows; what it holds
 * is copied by every scavenge that promotes it, and a scavenge pauses every strategy of the
 * process (docs/performance.md, the cluster bench).
 */
export class MemoryStrategyStore implements StrategyStore {
  #record: StrategyRecord | null = null;
  readonly #events: string[] = [];

  async load(): Promise<StrategyRecord | null> {
    return this.#record;
  }

  async commit(record: StrategyRecord, events: readonly RiskEvent[]): Promise<void> {
    this.#record = record;
    for (const event of events) this.#events.push(JSON.stringify(event));
  }

  async saveFigures(record: StrategyRecord): Promise<void> {
    this.#record = record;
  }

  async journal(query?: JournalQuery): Promise<RiskEvent[]> {
    return filterJournal(this.#events.map((text) => JSON.parse(text) as RiskEvent), query);
  }

  async close(): Promise<void> {}
}
