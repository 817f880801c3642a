/**
 * One process's connection to the firm's NATS JetStream: the key-value bucket of halts, P&L
 * figures, leases and process heartbeats, and the audit stream. It keeps a live copy of the
 * halts (read once, then watched), says whether the link and the bucket are reachable, and
 * tells its members (one per strategy) when either changes. It never touches a runtime.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { NatsConnection, QueuedIterator } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import { BreakerboxError, ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from './config.ts';
import { ensureAuditStream, publishAudit, readAudit } from './auditStream.ts';
import { openConnection } from './connection.ts';
import type { HaltValue, StoredHalt, StoredPnl } from './records.ts';
import { bucketName, haltKey, scopeOfHaltKey, type Scope } from './scopes.ts';

export type LinkChange = 'link' | 'halts' | 'pnl';

const enc = new TextEncoder();
const json = (value: unknown): Uint8Array => enc.encode(JSON.stringify(value));

export class ClusterLink {
  readonly config: ClusterConfig;
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  linkUp = false;
  bucketUp = false;
  /** When the link or the bucket last became unreachable (wall clock ms), or null while up. */
  downSince: number | null = Date.now();
  lagMs: number | null = null;
  readonly halts = new Map<Scope, StoredHalt>();
  /** Who lifted each scope's last halt (for the journals of the strategies it released). */
  readonly lifts = new Map<Scope, { operator: string; at: number }>();
  readonly pnl = new Map<string, StoredPnl>();
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #jsm: JetStreamManager | null = null;
  #kv: KV | null = null;
  #watchers: QueuedIterator<KvWatchEntry>[] = [];
  #synced = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  readonly #listeners = new Set<(change: LinkChange) => void>();
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  readonly #log: Logger;

  constructor(config: ClusterConfig, logger: Logger) {
    this.config = config;
    this.#log = logger;
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
  }

  get up(): boolean {
    return this.linkUp && this.bucketUp;
  }

  /** How often the bucket is probed (and a lost sync retried): a quarter of the heartbeat timeout, 100 ms to 1 s. */
  get probeMs(): number {
    return Math.min(1000, Math.max(100, (this.config.heartbeatTimeout * 1000) / 4));
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
    const kv = this.#requireKv();
    const key = haltKey(scope);
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await kv.get(key);
      const value = existing && existing.operation === 'PUT' ? (existing.json() as HaltValue) : null;
      if (value && !value.lifted) return { created: false, halt: { ...value, scope, revision: existing!.revision } };
      const next: HaltValue = { scope, operator, reason, at: Date.now() };
      const revision = existing ? existing.revision : 0;
      if (await this.compareAndSwap(key, next, revision)) {
        const stored = await kv.get(key);
        const halt = { scope, operator, reason, at: next.at, revision: stored?.revision ?? revision + 1 };
        this.#applyHalt(scope, halt);
        return { created: true, halt };
      }
    }
    throw new ClusterUnavailable(`could not set the halt at ${scope}: the key kept changing`);
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

  /** Reads a key with its revision (for compare-and-swap), or null. */
  async read(key: string): Promise<{ value: unknown; revision: number } | null> {
    const entry = await this.#requireKv().get(key);
    return entry && entry.operation === 'PUT' ? { value: entry.json(), revision: entry.revision } : null;
  }

  /** Creates (revision 0) or updates a key at a revision; false when someone else wrote it first. */
  async compareAndSwap(key: string, value: unknown, revision: number): Promise<boolean> {
    const kv = this.#requireKv();
    try {
      if (revision === 0) await kv.create(key, json(value));
      else await kv.update(key, json(value), revision);
      return true;
    } catch (error) {
      if (/wrong last sequence|key exists/i.test(error instanceof Error ? error.message : String(error))) return false;
      throw error;
    }
  }

  /** Publishes one record to the firm's audit stream (acknowledged by JetStream). */
  async audit(subject: string, record: unknown): Promise<void> {
    if (!this.#js) throw new Error('not connected to the cluster');
    await publishAudit(this.#js, subject, record);
  }

  /** Reads the firm's audit stream: the records since `since` (ms), at most `limit`, oldest first. */
  async readAudit(options: { since?: number; limit: number; subject?: string }): Promise<unknown[]> {
    if (!this.#js) throw new Error('not connected to the cluster');
    return readAudit(this.#js, this.config.firm, options);
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
      this.#js = jetstream(this.#nc, { timeout: Math.max(500, this.probeMs * 2) });
      this.#jsm = await jetstreamManager(this.#nc, { timeout: Math.max(500, this.probeMs * 2), checkAPI: false });
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

  /** One probe: re-reads everything when out of sync, else heartbeats through the bucket. */
  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      if (this.linkUp) {
        const started = performance.now();
        if (!this.#synced) await this.#sync();
        else await this.#kv!.put(`proc.${this.id}`, json({ id: this.id, desk: this.config.desk, at: Date.now() }));
        this.lagMs = performance.now() - started;
        this.#setState(true, true);
      }
    } catch (error) {
      if (this.bucketUp || this.#synced) this.#log.warn({ event: 'cluster_bucket', bucket: 'down', error: (error as Error).message }, 'cluster bucket unreachable');
      this.#synced = false;
      this.#stopWatchers();
      this.#setState(this.linkUp && !this.#nc?.isClosed(), false);
    } finally {
      this.#ticking = false;
      this.#schedule(this.probeMs);
    }
  }

  /** Opens the bucket and the stream, reads every halt and P&L figure, then watches from there on. */
  async #sync(): Promise<void> {
    const c = this.config;
    this.#kv ??= await new Kvm(this.#js!).create(bucketName(c.firm), { history: 1 });
    await ensureAuditStream(this.#jsm!, this.config.firm);
    this.#stopWatchers();
    const status = await this.#kv.status();
    const lastSeq = status.streamInfo.state.last_seq;
    const halts = new Map<Scope, StoredHalt>();
    const pnl = new Map<string, StoredPnl>();
    for (const prefix of ['halt', 'pnl']) {
      const keys = await this.#kv.keys(`${prefix}.>`);
      for await (const key of keys) {
        const entry = await this.#kv.get(key);
        if (!entry || entry.operation !== 'PUT') continue;
        if (prefix === 'halt') {
          const scope = scopeOfHaltKey(key);
          const value = entry.json() as HaltValue;
          if (scope && !value.lifted) halts.set(scope, { scope, operator: value.operator, reason: value.reason, at: value.at, revision: entry.revision });
          else if (scope && value.lifted) this.lifts.set(scope, value.lifted);
        } else pnl.set(key.slice(4), entry.json() as StoredPnl);
      }
    }
    this.halts.clear();
    for (const [k, v] of halts) this.halts.set(k, v);
    this.pnl.clear();
    for (const [k, v] of pnl) this.pnl.set(k, v);
    for (const key of ['halt.>', 'pnl.>']) {
      const watcher = await this.#kv.watch({ key, resumeFromRevision: lastSeq + 1 });
      this.#watchers.push(watcher);
      void this.#follow(watcher);
    }
    this.#synced = true;
    this.#emit('halts');
    this.#emit('pnl');
    this.#resolveReady();
  }

  async #follow(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    try {
      for await (const entry of watcher) {
        if (entry.key.startsWith('halt.')) {
          const scope = scopeOfHaltKey(entry.key);
          if (!scope) continue;
          const known = this.halts.get(scope);
          if (known && known.revision >= entry.revision) continue;
          const value = entry.operation === 'PUT' ? (entry.json() as HaltValue) : null;
          if (value && !value.lifted) this.#applyHalt(scope, { scope, operator: value.operator, reason: value.reason, at: value.at, revision: entry.revision });
          else this.#applyHalt(scope, null, value?.lifted ?? { operator: 'unknown (key deleted)', at: Date.now() });
        } else if (entry.key.startsWith('pnl.')) {
          if (entry.operation === 'PUT') this.pnl.set(entry.key.slice(4), entry.json() as StoredPnl);
          else this.pnl.delete(entry.key.slice(4));
          this.#emit('pnl');
        }
      }
    } catch (error) {
      this.#log.warn({ event: 'cluster_watch_failed', error: (error as Error).message }, 'cluster watch ended: re-reading');
      this.#synced = false;
      this.#schedule(0);
    }
  }

  #applyHalt(scope: Scope, halt: StoredHalt | null, lift?: { operator: string; at: number }): void {
    const known = this.halts.get(scope);
    if (halt === null) {
      if (lift) this.lifts.set(scope, lift);
      if (!known) return;
      this.halts.delete(scope);
    } else {
      if (known && known.revision >= halt.revision) return;
      this.halts.set(scope, halt);
    }
    this.#emit('halts');
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
    else if (wasUp || this.downSince === null) this.downSince = Date.now();
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

/** An operator action that needs the cluster while it is unreachable. */
export class ClusterUnavailable extends BreakerboxError {
  constructor(message: string) {
    super(ErrorCode.CLUSTER_UNAVAILABLE, message);
  }
}
