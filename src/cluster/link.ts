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
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from './config.ts';
import { ensureAuditStream, publishAudit, readAudit } from './auditStream.ts';
import { openConnection } from './connection.ts';
import type { Checked, HaltValue, InvalidRecord, StoredHalt, StoredPnl } from './records.ts';
import { readBucket } from './bucketRead.ts';
import { BucketMirror } from './bucketMirror.ts';
import { ClusterUnavailable, compareAndSwap, json, setHaltInBucket } from './bucketWrite.ts';
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
  #kv: KV | null = null;
  #watchers: QueuedIterator<KvWatchEntry>[] = [];
  #synced = false;
  /** Bumped by every sync attempt and every abandoned one: a late answer to an old attempt changes nothing. */
  #generation = 0;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  readonly #listeners = new Set<(change: LinkChange) => void>();
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  readonly #log: Logger;
  readonly #readBucket: typeof readBucket;

  /** `deps.readBucket` replaces the bucket's reader (tests: a read that never answers). */
  constructor(config: ClusterConfig, logger: Logger, deps: { readBucket?: typeof readBucket } = {}) {
    this.config = config;
    this.#log = logger;
    this.#readBucket = deps.readBucket ?? readBucket;
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
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

  /** How often the bucket is probed (and a lost sync retried): a quarter of the heartbeat timeout, 100 ms to 1 s. */
  get probeMs(): number {
    return Math.min(1000, Math.max(100, (this.config.heartbeatTimeout * 1000) / 4));
  }

  /** How long one probe or re-read may take before it is abandoned and retried (ms). */
  get attemptMs(): number {
    return Math.max(2000, this.requestMs * 4);
  }

  /** Each JetStream request's own timeout (ms). */
  get requestMs(): number {
    return Math.max(500, this.probeMs * 2);
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
    const outcome = await setHaltInBucket(this.#requireKv(), scope, operator, reason);
    if (outcome.created) this.#applyHalt(scope, outcome.halt);
    return outcome;
  }

  /**
   * Lifts a halt: compare-and-swap on the revision that was confirmed (a newer halt there is not
   * lifted), leaving a marker that says who lifted it. Returns false when the halt changed.
   */
  async liftHalt(scope: Scope, revision: number, operator: string): Promise<boolean> {
    const ok = await this.compareAndSwap(haltKey(scope), { scope, operator: '', reason: '', at: Date.now(), lifted: { operator, at: Date.now() } } satisfies HaltValue, revision);
    if (ok) this.#applyHalt(scope, null, { operator, at: Date.now() });
    return ok;
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
  async audit(subject: string, record: unknown): Promise<void> {
    if (!this.#js) throw new Error('not connected to the cluster');
    await publishAudit(this.#js, subject, record);
  }

  /** Reads the firm's audit stream: the records since `since` (ms), at most `limit`, oldest first. */
  async readAudit(options: { since?: number; limit: number; subject?: string }): Promise<unknown[]> {
    if (!this.#js) throw new Error('not connected to the cluster');
    return readAudit(this.#js, this.config.firm, options, (record) => {
      this.mirror.invalidSeen++;
      this.mirror.onInvalid(record);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#stopWatchers();
    this.#listeners.clear();
    await this.#nc?.close().catch(() => undefined);
  }

  // ───────────────────────────── connection ─────────────────────────────

  async #connect(): Promise<void> {
    try {
      this.#nc = await openConnection(this.config, this.id);
      if (this.#closed) return void (await this.#nc.close());
      this.#js = jetstream(this.#nc, { timeout: this.requestMs });
      this.#jsm = await jetstreamManager(this.#nc, { timeout: this.requestMs, checkAPI: false });
    } catch (error) {
      // Never an unhandled rejection: the link stays down and the cluster breaker trips in time.
      this.#log.error({ event: 'cluster_connect_failed', error: (error as Error).message }, 'cannot connect to the cluster');
      return;
    }
    this.linkUp = true;
    void this.#watchStatus(this.#nc);
    this.#schedule(0);
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection') {
        this.#log.warn({ event: 'cluster_link', link: 'down', type: status.type }, 'cluster link lost');
        this.#generation++; // an attempt under way when the link dropped says nothing about now
        this.#synced = false;
        this.#stopWatchers();
        this.#setState(false, false);
      } else if (status.type === 'reconnect') {
        this.#log.info({ event: 'cluster_link', link: 'up' }, 'cluster link back: re-reading the halts');
        this.linkUp = true;
        this.#schedule(0);
      } else if (status.type === 'slowConsumer') {
        this.#log.warn({ event: 'cluster_slow_consumer', pending: status.pending }, 'slow consumer: re-reading the halts');
        this.#synced = false;
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
   * One probe: re-reads everything when out of sync, else heartbeats through the bucket. An
   * attempt that has not answered within `attemptMs` is abandoned (a consumer that never
   * delivers after a server restart must not stall recovery for ever) and the next one starts.
   */
  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    let deadline: NodeJS.Timeout | undefined;
    try {
      if (this.linkUp) {
        const started = performance.now();
        const generation = this.#synced ? this.#generation : ++this.#generation;
        const attempt = this.#synced ? this.#heartbeat() : this.#sync(generation);
        attempt.catch(() => undefined); // an abandoned attempt's late failure is expected, not unhandled
        const abandoned = new Promise<never>((_, reject) => {
          deadline = setTimeout(() => reject(new AttemptAbandoned(`no answer from the cluster within ${this.attemptMs} ms`)), this.attemptMs);
          deadline.unref?.(); // as the probe timer: never what keeps a stopping process alive
        });
        await Promise.race([attempt, abandoned]);
        if (generation !== this.#generation || !this.linkUp) throw new Error('the link dropped during the probe');
        this.lagMs = performance.now() - started;
        this.#setState(true, true);
        this.#resolveReady();
      }
    } catch (error) {
      if (error instanceof AttemptAbandoned) this.#log.warn({ event: 'cluster_attempt_abandoned', error: error.message }, 'cluster read abandoned: retrying');
      else if (this.bucketUp || this.#synced) this.#log.warn({ event: 'cluster_bucket', bucket: 'down', error: (error as Error).message }, 'cluster bucket unreachable');
      this.#generation++;
      this.#synced = false;
      this.#stopWatchers();
      this.#setState(this.linkUp && !this.#nc?.isClosed(), false);
    } finally {
      clearTimeout(deadline);
      this.#ticking = false;
      this.#schedule(this.probeMs);
    }
  }

  async #heartbeat(): Promise<void> {
    await this.#kv!.put(`proc.${this.id}`, json({ id: this.id, desk: this.config.desk, at: Date.now() }));
  }

  /**
   * Opens the bucket and the stream, reads every halt and P&L figure, then watches from there on.
   * Attempt `generation` commits nothing once a newer attempt has started or it was abandoned.
   */
  async #sync(generation: number): Promise<void> {
    const c = this.config;
    const current = (): void => {
      if (generation !== this.#generation || this.#closed) throw new Error('sync attempt abandoned');
    };
    const kv = (this.#kv ??= await new Kvm(this.#js!).create(bucketName(c.firm), { history: 1 }));
    await ensureAuditStream(this.#jsm!, this.config.firm);
    current();
    this.#stopWatchers();
    const contents = await this.#readBucket(kv, current);
    const watchers: QueuedIterator<KvWatchEntry>[] = [];
    try {
      for (const key of ['halt.>', 'pnl.>']) watchers.push(await kv.watch({ key, resumeFromRevision: contents.lastSeq + 1 }));
      current();
    } catch (error) {
      for (const w of watchers) w.stop();
      throw error;
    }
    // Commit: nothing above changed what the members see.
    this.mirror.replace(contents);
    this.#watchers.push(...watchers);
    for (const watcher of watchers) void this.#follow(watcher, generation);
    this.#synced = true;
    this.#emit('halts');
    this.#emit('pnl');
    this.#emit('records');
  }

  async #follow(watcher: QueuedIterator<KvWatchEntry>, generation: number): Promise<void> {
    try {
      for await (const entry of watcher) {
        if (generation !== this.#generation) return;
        const change = this.mirror.apply(entry);
        if (change) this.#emit(change);
      }
    } catch (error) {
      // A watcher of an attempt already replaced ends quietly.
      if (generation !== this.#generation) return;
      this.#log.warn({ event: 'cluster_watch_failed', error: (error as Error).message }, 'cluster watch ended: re-reading');
      this.#synced = false;
      this.#schedule(0);
    }
  }

  #applyHalt(scope: Scope, halt: StoredHalt | null, lift?: { operator: string; at: number }): void {
    if (this.mirror.applyHalt(scope, halt, lift)) this.#emit('halts');
  }

  #stopWatchers(): void {
    for (const w of this.#watchers) w.stop();
    this.#watchers = [];
  }

  #setState(linkUp: boolean, bucketUp: boolean): void {
    const wasUp = this.up;
    const changed = linkUp !== this.linkUp || bucketUp !== this.bucketUp;
    this.linkUp = linkUp;
    this.bucketUp = bucketUp;
    if (this.up) this.downSince = null;
    else if (wasUp || this.downSince === null) this.downSince = systemClock.monotonic();
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
    if (!this.#kv || !this.linkUp) throw new ClusterUnavailable(`the cluster (${this.config.servers.join(', ')}) is unreachable`);
    return this.#kv;
  }
}

/** A probe or re-read that did not answer in time (internal: it is retried, never thrown out). */
class AttemptAbandoned extends Error {}
