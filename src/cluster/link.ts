/**
 * One process's connection to the firm's NATS JetStream: the key-value bucket of halts, P&L
 * figures, leases and process heartbeats, and the audit stream. It keeps a live copy of the
 * halts (read once, then watched), says whether the link and the bucket are reachable, and
 * tells its members (one per strategy) when either changes. It never touches a runtime.
 * Whether it is up is the monitor's (linkMonitor.ts); this is the members' view and the writes.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../clusterConfig.ts';
import { retryWithin } from './attempts.ts';
import { publishAudit, readAudit } from './auditStream.ts';
import { checkHalt, type Checked, type HaltValue, type InvalidRecord, type StoredHalt, type StoredPnl } from './records.ts';
import { readBucket } from './bucketRead.ts';
import { BucketMirror } from './bucketMirror.ts';
import { ClusterUnavailable, compareAndSwap, json, setHaltInBucket, type BucketEntry } from './bucketWrite.ts';
import { LinkMonitor, type LinkChange } from './linkMonitor.ts';
import { linkTimings, type LinkTimings } from './linkTimings.ts';
import { bucketName, haltKey, type Scope } from './scopes.ts';

export type { LinkChange } from './linkMonitor.ts';

export class ClusterLink {
  readonly config: ClusterConfig;
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  /** The live copy of the bucket: halts in force, last lifts, P&L figures. */
  readonly mirror = new BucketMirror();
  readonly #monitor: LinkMonitor;
  readonly #timings: LinkTimings;
  #closed = false;
  readonly #listeners = new Set<(change: LinkChange) => void>();
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  readonly #log: Logger;

  /** `deps.readBucket` replaces the bucket's reader (tests: a read that never answers). */
  constructor(config: ClusterConfig, logger: Logger, deps: { readBucket?: typeof readBucket } = {}) {
    this.config = config;
    this.#log = logger;
    this.#timings = linkTimings(config.heartbeatTimeout);
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.#monitor = new LinkMonitor({
      id: this.id,
      config,
      timings: this.#timings,
      log: logger,
      mirror: this.mirror,
      readBucket: deps.readBucket ?? readBucket,
      emit: (change) => this.#emit(change),
      onUp: () => this.#resolveReady(),
    });
    this.mirror.onInvalid = (record) =>
      this.#log.warn({ event: 'cluster_record_invalid', firm: config.firm, key: record.key, problem: record.problem }, `cluster_record_invalid: firm record ${record.key} ignored: ${record.problem}`);
  }

  /** Whether the connection is up (the client reconnects by itself while it is not). */
  get linkUp(): boolean {
    return this.#monitor.linkUp;
  }

  /** Whether the bucket answers reads and a write reached a quorum within the grace. */
  get bucketUp(): boolean {
    return this.#monitor.bucketUp;
  }

  /** Since when the link or the bucket is down, on the monotonic clock (systemClock.monotonic()), or null while up. */
  get downSince(): number | null {
    return this.#monitor.downSince;
  }

  /** The last probe's round trip (ms), or null while down. */
  get lagMs(): number | null {
    return this.#monitor.lagMs;
  }

  /** Records in the bucket now that failed validation, by key (never used). */
  get invalid(): ReadonlyMap<string, InvalidRecord> {
    return this.mirror.invalid;
  }

  get halts(): ReadonlyMap<Scope, StoredHalt> {
    return this.mirror.halts;
  }

  /** Who lifted each scope's last halt (for the journals of the strategies it released). */
  get lifts(): ReadonlyMap<Scope, { operator: string; at: number }> {
    return this.mirror.lifts;
  }

  get pnl(): ReadonlyMap<string, StoredPnl> {
    return this.mirror.pnl;
  }

  get up(): boolean {
    return this.#monitor.up;
  }

  /** How often the bucket is probed (ms; see {@link LinkTimings}). */
  get probeMs(): number {
    return this.#timings.probeMs;
  }

  /** How long one probe or re-read may take before it is abandoned and retried (ms). */
  get attemptMs(): number {
    return this.#timings.attemptMs;
  }

  /** Each JetStream request's own timeout (ms). */
  get requestMs(): number {
    return this.#timings.requestMs;
  }

  /** How long a write asked for by an operator is retried, failing over between servers (ms). */
  get writeBudgetMs(): number {
    return this.#timings.writeBudgetMs;
  }

  /** How long the bucket may take no write while its replicas answer reads before it counts as down (ms). */
  get quorumGraceMs(): number {
    return this.#timings.quorumGraceMs;
  }

  /** Connects in the background (retrying for ever); resolves at once. */
  start(): void {
    void this.#monitor.start();
  }

  /** Resolves once the halts have been read, or after `timeoutMs`, whichever is first. */
  async ready(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.#ready, timeout]);
    clearTimeout(timer);
    return this.up;
  }

  onChange(listener: (change: LinkChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ───────────────────────────── writes ─────────────────────────────

  /**
   * Sets a halt at a scope (compare-and-swap: an active halt there is kept, its first setter
   * stays on record). Returns whether this call set it, and the halt in force.
   */
  async setHalt(scope: Scope, operator: string, reason: string): Promise<{ created: boolean; halt: StoredHalt }> {
    // One halt, whatever the retries: a retry after a lost answer finds its own write and says so.
    const next: HaltValue = { scope, operator, reason, at: Date.now() };
    const outcome = await this.#retrying(`setting the halt at ${scope}`, (kv) => setHaltInBucket(kv, this.#leaderRead, scope, next));
    if (outcome.created) {
      this.#monitor.heartbeat.wrote();
      this.#applyHalt(scope, outcome.halt);
    }
    return outcome;
  }

  /**
   * Lifts a halt: compare-and-swap on the revision that was confirmed (a newer halt there is not
   * lifted), leaving a marker that says who lifted it. Returns false when the halt changed.
   */
  async liftHalt(scope: Scope, revision: number, operator: string): Promise<boolean> {
    const at = Date.now();
    const marker = { scope, operator: '', reason: '', at, lifted: { operator, at } } satisfies HaltValue;
    const key = haltKey(scope);
    const ok = await this.#retrying(`lifting the halt at ${scope}`, async (kv) => {
      if (await compareAndSwap(kv, key, marker, revision)) return true;
      // An earlier try may have written it and lost only the answer: our own marker is a success
      // (read from the leader: a lagging replica would not show it yet).
      const entry = await this.#leaderRead(key);
      const current = entry?.operation === 'PUT' ? checkHalt(key, scope, entry.value) : null;
      return current?.ok === true && current.value.lifted?.operator === operator && current.value.lifted.at === at;
    });
    if (ok) {
      this.#monitor.heartbeat.wrote();
      this.#applyHalt(scope, null, { operator, at });
    }
    return ok;
  }

  /** A key's latest entry from its stream's leader (see {@link LeaderRead}); throws while there is no leader (the write retries). */
  readonly #leaderRead = async (key: string): Promise<BucketEntry | null> => {
    const jsm = this.#monitor.jsm;
    if (!jsm) throw new Error('not connected to the cluster');
    const bucket = bucketName(this.config.firm);
    const stored = await jsm.streams.getMessage(`KV_${bucket}`, { last_by_subj: `$KV.${bucket}.${key}` });
    if (stored === null) return null;
    const op = stored.header?.get('KV-Operation');
    return { revision: stored.seq, operation: op === 'DEL' || op === 'PURGE' ? op : 'PUT', value: stored.data };
  };

  /**
   * Runs a write, retrying (the client fails over to another server; JetStream elects a new
   * leader) until it succeeds or `writeBudgetMs` has passed; then a ClusterUnavailable (503),
   * never a raw client error.
   */
  #retrying<T>(what: string, write: (kv: KV) => Promise<T>): Promise<T> {
    const options = { what, budgetMs: this.writeBudgetMs, servers: this.config.servers, stopped: () => this.#closed };
    return retryWithin(options, () => {
      const { bucket, nc } = this.#monitor;
      return bucket.kv && nc && !nc.isClosed() ? write(bucket.kv) : null;
    });
  }

  async publishPnl(record: StoredPnl): Promise<void> {
    await this.#requireKv().put(`pnl.${record.strategy}`, json(record));
    this.#monitor.heartbeat.wrote();
  }

  /** Reads a key with its revision (for compare-and-swap), validated by `check`, or null. */
  async read<T>(key: string, check: (key: string, bytes: Uint8Array) => Checked<T>): Promise<{ checked: Checked<T>; revision: number } | null> {
    const entry = await this.#requireKv().get(key);
    if (!entry || entry.operation !== 'PUT') return null;
    const checked = check(key, entry.value);
    if (!checked.ok) {
      this.mirror.invalidSeen++;
      this.mirror.onInvalid(checked.invalid);
    }
    return { checked, revision: entry.revision };
  }

  /** Creates (revision 0) or updates a key at a revision; false when someone else wrote it first. */
  async compareAndSwap(key: string, value: unknown, revision: number): Promise<boolean> {
    const swapped = await compareAndSwap(this.#requireKv(), key, value, revision);
    if (swapped) this.#monitor.heartbeat.wrote(); // acknowledged: a quorum has it
    return swapped;
  }

  /** Publishes one record to the firm's audit stream (acknowledged by JetStream). */
  async audit(subject: string, record: unknown, msgID: string): Promise<void> {
    const js = this.#monitor.js;
    if (!js) throw new Error('not connected to the cluster');
    await publishAudit(js, subject, record, msgID, this.requestMs);
  }

  /** Reads the firm's audit stream: the records since `since` (ms), at most `limit`, oldest first. */
  async readAudit(options: { since?: number; limit: number; subject?: string }): Promise<unknown[]> {
    // Retried like a write (the stream may be electing a leader): a 503 at the end, never a raw timeout.
    return this.#retrying('reading the audit stream', () => {
      const js = this.#monitor.js;
      if (!js) throw new Error('not connected to the cluster');
      return readAudit(js, this.config.firm, options, (record) => {
        this.mirror.invalidSeen++;
        this.mirror.onInvalid(record);
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#monitor.close();
  }

  #applyHalt(scope: Scope, halt: StoredHalt | null, lift?: { operator: string; at: number }): void {
    if (this.mirror.applyHalt(scope, halt, lift)) this.#emit('halts');
  }

  #emit(change: LinkChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.#log.error({ event: 'cluster_listener_failed', error: (error as Error).message }, 'a cluster listener threw');
      }
    }
  }

  #requireKv(): KV {
    const kv = this.#monitor.bucket.kv;
    if (!kv || !this.linkUp) throw new ClusterUnavailable(`the cluster (${this.config.servers.join(', ')}) is unreachable`);
    return kv;
  }
}
