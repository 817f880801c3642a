/**
 * One process's connection to the firm's NATS JetStream: the key-value bucket of halts, P&L
 * figures, leases and process heartbeats, and the audit stream. It keeps a live copy of the
 * halts (read once, then watched), says whether the link and the bucket are reachable, and
 * tells its members (one per strategy) when either changes. It never touches a runtime.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../clock.ts';
import type { NatsConnection } from '@nats-io/nats-core';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../clusterConfig.ts';
import { AttemptAbandoned, QuorumLost, retryWithin, withDeadline } from './attempts.ts';
import { publishAudit, readAudit } from './auditStream.ts';
import { ConnectLoop } from './connection.ts';
import { checkHalt, type Checked, type HaltValue, type InvalidRecord, type StoredHalt, type StoredPnl } from './records.ts';
import { readBucket } from './bucketRead.ts';
import { BucketMirror } from './bucketMirror.ts';
import { BucketSync } from './bucketSync.ts';
import { ClusterUnavailable, compareAndSwap, json, setHaltInBucket, type BucketEntry } from './bucketWrite.ts';
import { linkTimings, type LinkTimings } from './linkTimings.ts';
import { bucketName, haltKey, type Scope } from './scopes.ts';

/** What changed: the link's state, the halts in force, the P&L figures, the set of invalid records. */
export type LinkChange = 'link' | 'halts' | 'pnl' | 'records';

export class ClusterLink {
  readonly config: ClusterConfig;
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  linkUp = false;
  bucketUp = false;
  /** When the link or the bucket last became unreachable (wall clock ms), or null while up. */
  /** Since when the link or the bucket is down, on the monotonic clock (systemClock.monotonic()), or null while up. */
  downSince: number | null = systemClock.monotonic();
  lagMs: number | null = null;
  /** The live copy of the bucket: halts in force, last lifts, P&L figures. */
  readonly mirror = new BucketMirror();
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #jsm: JetStreamManager | null = null;
  /** The bucket's read and watch (it opens the bucket: `#bucket.kv`). */
  readonly #bucket: BucketSync;
  readonly #timings: LinkTimings;
  /** Whether the bucket has been read whole once: after that, the watched copy stands while a re-read waits. */
  #everSynced = false;
  /** Bumped each time the connection drops (a probe spanning a drop says nothing about now). */
  #drops = 0;
  /** A best-effort heartbeat write in flight (at most one). */
  #beating = false;
  /** When a write last reached a quorum of the bucket (monotonic ms). */
  #lastWrite = systemClock.monotonic();
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  readonly #connecting = new ConnectLoop();
  readonly #listeners = new Set<(change: LinkChange) => void>();
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  readonly #log: Logger;

  /** `deps.readBucket` replaces the bucket's reader (tests: a read that never answers). */
  constructor(config: ClusterConfig, logger: Logger, deps: { readBucket?: typeof readBucket } = {}) {
    this.config = config;
    this.#log = logger;
    this.#timings = linkTimings(config.heartbeatTimeout);
    this.#bucket = new BucketSync({
      config,
      log: logger,
      mirror: this.mirror,
      readBucket: deps.readBucket ?? readBucket,
      emit: (change) => this.#emit(change),
      resync: () => this.#schedule(0),
    });
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
    this.#ready.then(() => (this.#everSynced = true), () => undefined);
    this.mirror.onInvalid = (record) =>
      this.#log.warn({ event: 'cluster_record_invalid', firm: config.firm, key: record.key, problem: record.problem }, `cluster_record_invalid: firm record ${record.key} ignored: ${record.problem}`);
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
    return this.linkUp && this.bucketUp;
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
    void this.#connect();
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
    if (outcome.created) this.#applyHalt(scope, outcome.halt);
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
    if (ok) this.#applyHalt(scope, null, { operator, at });
    return ok;
  }

  /** A key's latest entry from its stream's leader (see {@link LeaderRead}); throws while there is no leader (the write retries). */
  readonly #leaderRead = async (key: string): Promise<BucketEntry | null> => {
    if (!this.#jsm) throw new Error('not connected to the cluster');
    const bucket = bucketName(this.config.firm);
    const stored = await this.#jsm.streams.getMessage(`KV_${bucket}`, { last_by_subj: `$KV.${bucket}.${key}` });
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
      const kv = this.#bucket.kv;
      return kv && this.#nc && !this.#nc.isClosed() ? write(kv) : null;
    });
  }

  async publishPnl(record: StoredPnl): Promise<void> {
    await this.#requireKv().put(`pnl.${record.strategy}`, json(record));
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
    return compareAndSwap(this.#requireKv(), key, value, revision);
  }

  /** Publishes one record to the firm's audit stream (acknowledged by JetStream). */
  async audit(subject: string, record: unknown, msgID: string): Promise<void> {
    if (!this.#js) throw new Error('not connected to the cluster');
    await publishAudit(this.#js, subject, record, msgID, this.requestMs);
  }

  /** Reads the firm's audit stream: the records since `since` (ms), at most `limit`, oldest first. */
  async readAudit(options: { since?: number; limit: number; subject?: string }): Promise<unknown[]> {
    // Retried like a write (the stream may be electing a leader): a 503 at the end, never a raw timeout.
    return this.#retrying('reading the audit stream', () => {
      if (!this.#js) throw new Error('not connected to the cluster');
      return readAudit(this.#js, this.config.firm, options, (record) => {
        this.mirror.invalidSeen++;
        this.mirror.onInvalid(record);
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#connecting.stop();
    this.#bucket.close();
    this.#listeners.clear();
    await this.#nc?.close().catch(() => undefined);
  }

  // ───────────────────────────── connection ─────────────────────────────

  /** Connects in the background (see {@link ConnectLoop}), then probes. */
  async #connect(): Promise<void> {
    const connected = await this.#connecting.run(this.config, this.id, this.requestMs, this.#log);
    if (this.#closed || connected === null) return;
    ({ nc: this.#nc, js: this.#js, jsm: this.#jsm } = connected);
    this.linkUp = true;
    void this.#watchStatus(connected.nc);
    this.#schedule(0);
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection') {
        this.#log.warn({ event: 'cluster_link', link: 'down', type: status.type }, 'cluster link lost');
        // An attempt under way when the link dropped says nothing about now. Re-read once back;
        // the watchers (ordered consumers) resume by themselves meanwhile.
        this.#bucket.invalidate();
        this.#drops++;
        this.#setState(false, false);
      } else if (status.type === 'reconnect') {
        this.#log.info({ event: 'cluster_link', link: 'up', server: status.server }, 'cluster link back: re-reading the halts');
        this.linkUp = true;
        this.#schedule(0);
      } else if (status.type === 'slowConsumer') {
        this.#log.warn({ event: 'cluster_slow_consumer', pending: status.pending }, 'slow consumer: re-reading the halts');
        this.#bucket.synced = false;
        this.#schedule(0);
      }
    }
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref?.();
  }

  /**
   * One probe: re-reads everything when out of sync, else reads through the bucket. Once read
   * whole, a re-read that cannot finish (its stream is electing a leader after a node died) does
   * not take the bucket down: the watched copy stands, and the bucket is up while any replica
   * answers a read. An attempt that has not answered within `attemptMs` is abandoned (a
   * consumer that never delivers after a server restart must not stall recovery for ever).
   */
  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      if (this.linkUp) {
        const started = performance.now();
        const drops = this.#drops;
        // Every probe also writes (best effort): a write reaching a quorum is what tells a lost quorum from an election.
        this.#beat();
        if (!this.#bucket.synced) {
          const generation = ++this.#bucket.generation;
          try {
            await this.#deadline(this.#sync(generation));
          } catch (error) {
            if (!this.#everSynced) throw error;
            if (error instanceof AttemptAbandoned) this.#log.warn({ event: 'cluster_attempt_abandoned', error: error.message }, 'cluster re-read abandoned: retrying; the watched copy stands');
            this.#bucket.generation++;
            await this.#deadline(this.#probe());
          }
        } else await this.#deadline(this.#probe());
        if (drops !== this.#drops || !this.linkUp) throw new Error('the link dropped during the probe');
        const unwritten = systemClock.monotonic() - this.#lastWrite;
        if (unwritten > this.quorumGraceMs) {
          // Replicas still answer reads, but nothing reaches a quorum: the bucket is down since the last write.
          throw new QuorumLost(`no write has reached a quorum of the bucket for ${(unwritten / 1000).toFixed(1)} s`, this.#lastWrite);
        }
        this.lagMs = performance.now() - started;
        this.#setState(true, true);
        this.#resolveReady();
      }
    } catch (error) {
      if (error instanceof AttemptAbandoned) this.#log.warn({ event: 'cluster_attempt_abandoned', error: error.message }, 'cluster read abandoned: retrying');
      else if (this.bucketUp || this.#bucket.synced) this.#log.warn({ event: 'cluster_bucket', bucket: 'down', error: (error as Error).message }, 'cluster bucket unreachable');
      this.#bucket.invalidate();
      this.#setState(this.linkUp && !this.#nc?.isClosed(), false, error instanceof QuorumLost ? error.since : undefined);
    } finally {
      this.#ticking = false;
      this.#schedule(this.probeMs);
    }
  }

  /** Races an attempt against `attemptMs` (see {@link withDeadline}). */
  #deadline<T>(attempt: Promise<T>): Promise<T> {
    return withDeadline(attempt, this.attemptMs);
  }

  /**
   * Reads through the bucket (a direct get: any replica answers, so a stream electing a leader
   * still reads), and heartbeats the process's key best effort (a write needs the leader).
   */
  async #probe(): Promise<void> {
    await this.#bucket.kv!.get(`proc.${this.id}`);
  }

  /** Starts a heartbeat write unless one is in flight (each bounded by `attemptMs`). */
  #beat(): void {
    if (this.#beating || !this.#bucket.kv) return;
    this.#beating = true;
    this.#deadline(this.#heartbeat())
      .catch(() => undefined)
      .finally(() => (this.#beating = false));
  }

  async #heartbeat(): Promise<void> {
    await this.#bucket.kv!.put(`proc.${this.id}`, json({ id: this.id, desk: this.config.desk, at: Date.now() }));
    this.#lastWrite = systemClock.monotonic();
  }

  /** One read of the bucket (see {@link BucketSync.sync}); the quorum's grace runs from the first one. */
  #sync(generation: number): Promise<void> {
    return this.#bucket.sync(this.#js!, this.#jsm!, generation, () => {
      if (!this.#everSynced) this.#lastWrite = systemClock.monotonic();
    });
  }

  #applyHalt(scope: Scope, halt: StoredHalt | null, lift?: { operator: string; at: number }): void {
    if (this.mirror.applyHalt(scope, halt, lift)) this.#emit('halts');
  }

  #setState(linkUp: boolean, bucketUp: boolean, downSince?: number): void {
    const wasUp = this.up;
    const changed = linkUp !== this.linkUp || bucketUp !== this.bucketUp;
    this.linkUp = linkUp;
    this.bucketUp = bucketUp;
    if (this.up) this.downSince = null;
    else if (wasUp || this.downSince === null) this.downSince = downSince ?? systemClock.monotonic();
    // A lag is only shown while it can be measured: a down link has none (not its last one).
    if (!this.up) this.lagMs = null;
    if (changed) this.#emit('link');
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
    const kv = this.#bucket.kv;
    if (!kv || !this.linkUp) throw new ClusterUnavailable(`the cluster (${this.config.servers.join(', ')}) is unreachable`);
    return kv;
  }
}
