import type { AbstractLevel, AbstractSublevel } from 'abstract-level';
import type { AttemptQuery, AttemptRecord, OutboxEntry } from './types.ts';

/**
 * Durable store of planned alert deliveries, suppression markers and attempt records.
 * Entries are keyed by `entry.id`; `put` of an existing id replaces it.
 */
export interface AlertOutbox {
  /** Writes entries atomically (all or none). */
  put(entries: readonly OutboxEntry[]): Promise<void>;
  /** Every stored entry, in key order. */
  list(): Promise<OutboxEntry[]>;
  /** Appends an attempt record. */
  recordAttempt(record: AttemptRecord): Promise<void>;
  /** Attempt records with `since <= at < until`, oldest first. */
  attempts(query?: AttemptQuery): Promise<AttemptRecord[]>;
  /**
   * Deletes settled entries (delivered, given up, folded) created before `before` (clock ms) and
   * attempt records older than it. Returns how many entries were deleted.
   */
  prune(before: number): Promise<number>;
  /** Releases resources (never closes a database that was passed in). */
  close(): Promise<void>;
}

function isSettled(entry: OutboxEntry): boolean {
  return entry.kind === 'delivery' ? entry.status !== 'pending' : entry.status === 'folded';
}

function inRange(at: number, q: AttemptQuery | undefined): boolean {
  return (q?.since === undefined || at >= q.since) && (q?.until === undefined || at < q.until);
}

/** An outbox in process memory (stand-alone use and tests); not durable. */
export class InMemoryAlertOutbox implements AlertOutbox {
  readonly #entries = new Map<string, OutboxEntry>();
  readonly #attempts: AttemptRecord[] = [];

  async put(entries: readonly OutboxEntry[]): Promise<void> {
    for (const e of entries) this.#entries.set(e.id, structuredClone(e));
  }
  async list(): Promise<OutboxEntry[]> {
    return [...this.#entries.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => structuredClone(e));
  }
  async recordAttempt(record: AttemptRecord): Promise<void> {
    this.#attempts.push(structuredClone(record));
  }
  async attempts(query?: AttemptQuery): Promise<AttemptRecord[]> {
    return this.#attempts.filter((a) => inRange(a.at, query)).sort((a, b) => a.at - b.at).map((a) => structuredClone(a));
  }
  async prune(before: number): Promise<number> {
    let n = 0;
    for (const [id, e] of this.#entries) {
      if (e.createdAt < before && isSettled(e)) {
        this.#entries.delete(id);
        n++;
      }
    }
    for (let i = this.#attempts.length - 1; i >= 0; i--) if (this.#attempts[i].at < before) this.#attempts.splice(i, 1);
    return n;
  }
  async close(): Promise<void> {}
}

type Format = string | Buffer | Uint8Array;
/** A LevelDB database or sublevel (string keys, any default value encoding). */
export type LevelDatabase = AbstractLevel<Format, string, string> | AbstractLevel<Format, string, unknown>;
/** The sublevel holding outbox entries. */
export type OutboxSublevel<TDb extends LevelDatabase> = AbstractSublevel<TDb, Format, string, OutboxEntry>;

/**
 * A put operation for `db.batch()`: include these in the same atomic batch as the state
 * transition they report, e.g. `db.batch<string, unknown>([...stateOps, ...outbox.batchOps(entries)], { sync: true })`.
 */
export interface OutboxBatchOperation<TDb extends LevelDatabase> {
  readonly type: 'put';
  readonly key: string;
  readonly value: OutboxEntry;
  readonly sublevel: OutboxSublevel<TDb>;
}

interface SublevelFactory {
  sublevel<V>(name: string, options: { keyEncoding: 'utf8'; valueEncoding: 'json' }): AbstractLevel<Format, string, V>;
}

/** Key of an attempt record: zero-padded time, then a per-process sequence and a random tag. */
let attemptSeq = 0;
function attemptKey(at: number): string {
  attemptSeq = (attemptSeq + 1) % 1e9;
  return `${String(Math.max(0, Math.floor(at))).padStart(16, '0')}!${String(attemptSeq).padStart(9, '0')}!${Math.random().toString(36).slice(2, 8)}`;
}
function timeKey(at: number): string {
  return String(Math.max(0, Math.floor(at))).padStart(16, '0');
}

/**
 * A durable outbox in LevelDB. Uses two sublevels of `db` (JSON values):
 * `<prefix>-outbox` (key: entry id `<alert_id>|<target>`) and `<prefix>-attempts`
 * (key: `<16-digit ms>!<seq>!<rand>`, so time ranges are key ranges).
 * Pass the database whose `batch()` you call so {@link batchOps} can join your atomic writes.
 */
export class LevelAlertOutbox<TDb extends LevelDatabase> implements AlertOutbox {
  /** Sublevel of entries (exposed for `batchOps` and inspection). */
  readonly entries: OutboxSublevel<TDb>;
  readonly #attempts: AbstractLevel<Format, string, AttemptRecord>;

  constructor(db: TDb, options: { readonly prefix?: string } = {}) {
    const prefix = options.prefix ?? 'alerts';
    const factory = db as unknown as SublevelFactory;
    this.entries = factory.sublevel<OutboxEntry>(`${prefix}-outbox`, { keyEncoding: 'utf8', valueEncoding: 'json' }) as unknown as OutboxSublevel<TDb>;
    this.#attempts = factory.sublevel<AttemptRecord>(`${prefix}-attempts`, { keyEncoding: 'utf8', valueEncoding: 'json' });
  }

  /** Batch operations writing `entries`, for inclusion in the caller's atomic `db.batch()`. */
  batchOps(entries: readonly OutboxEntry[]): OutboxBatchOperation<TDb>[] {
    return entries.map((e) => ({ type: 'put', key: e.id, value: e, sublevel: this.entries }));
  }

  async put(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.entries.batch(entries.map((e) => ({ type: 'put' as const, key: e.id, value: e })));
  }

  async list(): Promise<OutboxEntry[]> {
    return this.entries.values().all();
  }

  async recordAttempt(record: AttemptRecord): Promise<void> {
    await this.#attempts.put(attemptKey(record.at), record);
  }

  async attempts(query?: AttemptQuery): Promise<AttemptRecord[]> {
    return this.#attempts
      .values({
        ...(query?.since !== undefined ? { gte: timeKey(query.since) } : {}),
        ...(query?.until !== undefined ? { lt: timeKey(query.until) } : {}),
      })
      .all();
  }

  async prune(before: number): Promise<number> {
    const stale = (await this.list()).filter((e) => e.createdAt < before && isSettled(e));
    if (stale.length > 0) await this.entries.batch(stale.map((e) => ({ type: 'del' as const, key: e.id })));
    await this.#attempts.clear({ lt: timeKey(before) });
    return stale.length;
  }

  async close(): Promise<void> {}
}
