import type { AbstractSublevel } from 'abstract-level';
import type { Level } from 'level';
import { randomUUID } from 'node:crypto';
import { RiskEventType, type RiskEvent } from '../events.ts';
import { ErrorCode, StoreError } from '../errors.ts';
import type { JournalQuery } from '../runtime/eventLog.ts';
import type { ExtraWrite, StrategyRecord, StrategyStore } from '../runtime/persistence.ts';
import { directoryBytes, directoryProblem, openDatabase, releaseDatabase, type SharedDatabase } from './database.ts';
import { parseRecord } from './records.ts';
import { recreateDirectory, StoreRecreatedError, watchDirectory } from './recreate.ts';

type Db = Level<string, string>;
type Sub<V> = AbstractSublevel<Db, string | Buffer | Uint8Array, string, V>;

const RECORD_KEY = 'record';
/** The high-water mark is also written on its own, immediately, on every new high (see saveHighWaterMark). */
const HWM_KEY = 'high-water-mark';
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const journalKey = (at: number, seq: number) => `${pad(at, 15)}.${pad(seq, 12)}`;
const toMs = (t: number | Date | string) => (typeof t === 'number' ? t : new Date(t).getTime());

/**
 * One strategy's durable state in a shared LevelDB: the versioned record (supervisor snapshot and
 * figures) and an append-only journal keyed by time, each in a sublevel of the strategy's own.
 */
export class LevelStrategyStore implements StrategyStore {
  readonly strategy: string;
  readonly #shared: SharedDatabase;
  readonly #state: Sub<string>;
  readonly #journal: Sub<RiskEvent>;
  /** The strategy's sublevel, for other durable parts (the alert outbox) that join its batches. */
  readonly strategyDb: AbstractSublevel<Db, string | Buffer | Uint8Array, string, string>;
  #seq = 0;
  #closed = false;
  /** Why the last failed write failed (null while every write succeeded). */
  #failure: string | null = null;
  /** Told when the directory was re-created (the runtime's durability writes everything again). */
  readonly #recreatedListeners = new Set<(recreated: Error) => void>();
  readonly #vanishedListeners = new Set<(error: Error) => void>();
  readonly #onVanished = (problem: string): void => {
    const error = new StoreError(ErrorCode.STORE_UNAVAILABLE, `store: ${problem}`);
    this.#failure ??= error.message;
    for (const listener of [...this.#vanishedListeners]) listener(error);
  };
  readonly #onShared = (recreated: StoreRecreatedError): void => {
    // Healthy again only once an operator has acknowledged the loss (acknowledgeRecreated).
    this.#failure = recreated.message;
    for (const listener of [...this.#recreatedListeners]) listener(recreated);
  };

  private constructor(shared: SharedDatabase, strategy: string) {
    this.#shared = shared;
    this.strategy = strategy;
    this.strategyDb = shared.db.sublevel<string, string>(strategy, { valueEncoding: 'utf8' });
    this.#state = this.strategyDb.sublevel<string, string>('state', { valueEncoding: 'utf8' }) as unknown as Sub<string>;
    this.#journal = this.strategyDb.sublevel<string, RiskEvent>('journal', { valueEncoding: 'json' }) as unknown as Sub<RiskEvent>;
    shared.recreatedListeners.add(this.#onShared);
    shared.vanishedListeners.add(this.#onVanished);
  }

  /** Opens the store of `strategy` in the LevelDB directory `path` (shared within the process). */
  static async open(path: string, strategy: string): Promise<LevelStrategyStore> {
    const shared = await openDatabase(path);
    if (shared.strategies.has(strategy)) {
      throw new StoreError(ErrorCode.STORE_LOCKED, `store: strategy ${strategy} is already running in this process on ${shared.path}`);
    }
    shared.strategies.add(strategy);
    const store = new LevelStrategyStore(shared, strategy);
    watchDirectory(shared);
    try {
      for await (const key of store.#journal.keys({ reverse: true, limit: 1 })) store.#seq = Number(key.split('.')[1]) + 1;
    } catch (error) {
      await releaseDatabase(shared, strategy);
      throw new StoreError(ErrorCode.STORE_UNAVAILABLE, `store: cannot read the journal of ${strategy} in ${shared.path}: ${(error as Error).message}`);
    }
    return store;
  }

  /** The shared database (for the alert outbox's batch operations). */
  get db(): Db {
    return this.#shared.db;
  }

  get path(): string {
    return this.#shared.path;
  }

  /**
   * The saved record, or null for a new strategy. A record that cannot be trusted is copied aside
   * (`record.refused.<time>`) before the error is thrown, so the fail-closed start that follows
   * never destroys the evidence.
   */
  async load(): Promise<StrategyRecord | null> {
    const text = await this.#state.get(RECORD_KEY);
    if (text === undefined) return null;
    try {
      const record = parseRecord(text, this.strategy, this.#shared.path);
      const hwm = await this.#state.get(HWM_KEY);
      // A new high is written at once, apart from the (debounced) record: the later one wins.
      const drawdown = record.figures.trackers.drawdown as { highWaterMark: string | null; warned: boolean } | undefined;
      if (hwm !== undefined && hwm !== '' && drawdown && drawdown.highWaterMark !== hwm) {
        record.figures.trackers.drawdown = { highWaterMark: hwm, warned: false };
      }
      return record;
    } catch (error) {
      await this.#putSynced(`${RECORD_KEY}.refused.${Date.now()}`, text);
      throw error;
    }
  }

  /** Writes raw text as the record (for corruption tests and manual repair). */
  async writeRawRecord(text: string): Promise<void> {
    await this.#putSynced(RECORD_KEY, text);
  }

  async #putSynced(key: string, value: string): Promise<void> {
    await this.#shared.db.batch([{ type: 'put', key, value, sublevel: this.#state }] as never, { sync: true });
  }

  /**
   * Every write goes through here: the directory is checked first (a removed or replaced one
   * fails the write), and a failure is remembered for {@link health}.
   */
  async #write(run: () => Promise<void>): Promise<void> {
    try {
      const problem = await directoryProblem(this.#shared);
      if (problem !== null) throw new StoreError(ErrorCode.STORE_UNAVAILABLE, `store: ${problem}`);
      await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#failure ??= message;
      throw error instanceof StoreError ? error : new StoreError(ErrorCode.STORE_UNAVAILABLE, `store: cannot write to ${this.#shared.path}: ${message}`, { cause: error });
    }
  }

  /**
   * After a failed write: when the directory vanished (removed, emptied, or replaced by an empty
   * one), re-creates it, once for every strategy in it, and resolves true; every store on it is
   * then told through {@link onRecreated}. False when the directory is there and fine (the
   * failure was something else: a full disk). Throws a StoreError saying why it cannot be
   * re-created (a file in its place, no permission).
   */
  async recreate(): Promise<boolean> {
    if (this.#closed) return false;
    const problem = await directoryProblem(this.#shared);
    if (problem === null && this.#shared.recreating === null) return false;
    try {
      await recreateDirectory(this.#shared, problem ?? `the store directory ${this.#shared.path} was removed while in use`);
    } catch (error) {
      this.#failure = (error as Error).message;
      throw error;
    }
    return true;
  }

  /** Calls `listener` when the watch finds the directory gone before any write failed; returns the unsubscribe. */
  onVanished(listener: (error: Error) => void): () => void {
    this.#vanishedListeners.add(listener);
    return () => void this.#vanishedListeners.delete(listener);
  }

  /** Calls `listener` whenever the directory was re-created; returns the unsubscribe. */
  onRecreated(listener: (recreated: Error) => void): () => void {
    this.#recreatedListeners.add(listener);
    return () => void this.#recreatedListeners.delete(listener);
  }

  /** An operator reset the halt that followed a re-creation: the loss is acknowledged, the store healthy again. */
  acknowledgeRecreated(): void {
    this.#failure = null;
  }

  /** Healthy while no write failed and the directory is still there (checked now). */
  async health(): Promise<{ healthy: boolean; reason: string | null }> {
    if (this.#failure !== null) return { healthy: false, reason: this.#failure };
    const problem = this.#closed ? null : await directoryProblem(this.#shared);
    return problem === null ? { healthy: true, reason: null } : { healthy: false, reason: problem };
  }

  /** Bytes used by the store directory (shared by every strategy in it). */
  bytes(): Promise<number | null> {
    return directoryBytes(this.#shared.path);
  }

  async commit(record: StrategyRecord, events: readonly RiskEvent[], extra: readonly ExtraWrite[] = []): Promise<void> {
    const ops: unknown[] = [
      { type: 'put', key: RECORD_KEY, value: JSON.stringify(record), sublevel: this.#state },
      { type: 'put', key: HWM_KEY, value: highWaterMarkOf(record), sublevel: this.#state },
    ];
    for (const event of events) ops.push({ type: 'put', key: journalKey(event.at, this.#seq++), value: event, sublevel: this.#journal });
    ops.push(...extra);
    await this.#write(() => this.#shared.db.batch(ops as never, { sync: true }));
  }

  async saveFigures(record: StrategyRecord): Promise<void> {
    // Not synced: survives a process crash (the write reached the OS), may be lost on power loss.
    const ops = [
      { type: 'put', key: RECORD_KEY, value: JSON.stringify(record), sublevel: this.#state },
      { type: 'put', key: HWM_KEY, value: highWaterMarkOf(record), sublevel: this.#state },
    ];
    await this.#write(() => this.#shared.db.batch(ops as never));
  }

  async saveHighWaterMark(value: string): Promise<void> {
    await this.#write(() => this.#state.put(HWM_KEY, value));
  }

  async journal(query: JournalQuery = {}): Promise<RiskEvent[]> {
    await this.#shared.recreating?.catch(() => undefined);
    try {
      return await this.#readJournal(query);
    } catch (error) {
      // A re-creation closed the database under the read: read the new one once it is open.
      if (this.#shared.recreating === null) throw error;
      await this.#shared.recreating.catch(() => undefined);
      return this.#readJournal(query);
    }
  }

  async #readJournal(query: JournalQuery): Promise<RiskEvent[]> {
    const range: { gte?: string; lt?: string; reverse?: boolean } = { reverse: query.newestFirst ?? false };
    if (query.since !== undefined) range.gte = pad(Math.max(0, toMs(query.since)), 15);
    if (query.until !== undefined) range.lt = pad(Math.max(0, toMs(query.until)), 15);
    const types = query.types ? new Set(query.types) : null;
    const out: RiskEvent[] = [];
    for await (const event of this.#journal.values(range)) {
      if (types && !types.has(event.type)) continue;
      out.push(event);
      if (query.limit !== undefined && out.length >= query.limit) break;
    }
    return out;
  }

  /** Journal entries with `since <= at < before`, oldest first, one at a time (for a JSON-lines export). */
  async *exportJournal(range: { since?: number; before?: number } = {}): AsyncGenerator<RiskEvent> {
    await this.#shared.recreating?.catch(() => undefined);
    const opts: { gte?: string; lt?: string } = {};
    if (range.since !== undefined) opts.gte = pad(Math.max(0, range.since), 15);
    if (range.before !== undefined) opts.lt = pad(Math.max(0, range.before), 15);
    for await (const event of this.#journal.values(opts)) yield event;
  }

  /**
   * Deletes the journal entries before `before` (ms) and records the prune itself in the journal
   * (a `JournalPruned` entry: who, up to when, how many), in batches of 1,000, synced.
   */
  async pruneJournal(before: number, operator: string, at: number): Promise<number> {
    const lt = pad(Math.max(0, before), 15);
    let deleted = 0;
    for (;;) {
      const keys = await this.#journal.keys({ lt, limit: 1_000 }).all();
      if (keys.length === 0) break;
      const ops = keys.map((key) => ({ type: 'del', key, sublevel: this.#journal }));
      await this.#write(() => this.#shared.db.batch(ops as never, { sync: true }));
      deleted += keys.length;
    }
    const entry: RiskEvent = {
      id: randomUUID(),
      type: RiskEventType.JOURNAL_PRUNED,
      strategy: this.strategy,
      breaker: null,
      at,
      timestamp: new Date(at).toISOString(),
      operator,
      details: { before: new Date(before).toISOString(), deleted },
    };
    const put = [{ type: 'put', key: journalKey(at, this.#seq++), value: entry, sublevel: this.#journal }];
    await this.#write(() => this.#shared.db.batch(put as never, { sync: true }));
    return deleted;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#shared.recreatedListeners.delete(this.#onShared);
    this.#shared.vanishedListeners.delete(this.#onVanished);
    await releaseDatabase(this.#shared, this.strategy);
  }
}

/** The drawdown high-water mark inside a record, or "" when there is none. */
function highWaterMarkOf(record: StrategyRecord): string {
  const drawdown = record.figures.trackers.drawdown as { highWaterMark?: unknown } | undefined;
  return typeof drawdown?.highWaterMark === 'string' ? drawdown.highWaterMark : '';
}
