/**
 * Keeps the link's copy of the firm's bucket current: opens the bucket (and, once per process,
 * checks the bucket's and the audit stream's replicas), reads it whole, then watches it from the
 * revision read. A read is committed only if no newer attempt started meanwhile; the watchers of
 * the last committed read are the only ones applied.
 */
import type { QueuedIterator } from '@nats-io/nats-core';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../clusterConfig.ts';
import { ensureAuditStream, raiseReplicas } from './auditStream.ts';
import type { BucketMirror, MirrorChange } from './bucketMirror.ts';
import type { readBucket } from './bucketRead.ts';
import { bucketName } from './scopes.ts';

/** What the sync needs from its link. */
export interface BucketSyncDeps {
  readonly config: ClusterConfig;
  readonly log: Logger;
  readonly mirror: BucketMirror;
  readonly readBucket: typeof readBucket;
  /** Tells the link's listeners what changed. */
  readonly emit: (change: MirrorChange) => void;
  /** A watcher ended: re-read soon. */
  readonly resync: () => void;
}

export class BucketSync {
  /** The bucket, once opened (the link's writes go through it). */
  kv: KV | null = null;
  /** Whether the watched copy is current: false after a drop, a slow consumer or a failed watcher (then re-read). */
  synced = false;
  /** Bumped by every sync attempt and every abandoned one: a late answer to an old attempt changes nothing. */
  generation = 0;
  /** The bucket's and the stream's replicas have been checked (once per process). */
  #ensured = false;
  #watchers: QueuedIterator<KvWatchEntry>[] = [];
  #closed = false;
  readonly #deps: BucketSyncDeps;

  constructor(deps: BucketSyncDeps) {
    this.#deps = deps;
  }

  /** The copy is stale: the next probe re-reads it, and an attempt under way commits nothing. */
  invalidate(): void {
    this.generation++;
    this.synced = false;
  }

  /**
   * Opens the bucket and the stream, reads every halt and P&L figure, then watches from there on.
   * Attempt `generation` commits nothing once a newer attempt has started or it was abandoned;
   * `onCommit` runs as it commits, before anyone hears of the new copy.
   */
  async sync(js: JetStreamClient, jsm: JetStreamManager, generation: number, onCommit: () => void): Promise<void> {
    const c = this.#deps.config;
    const current = (): void => {
      if (generation !== this.generation || this.#closed) throw new Error('sync attempt abandoned');
    };
    const kv = (this.kv ??= await new Kvm(js).create(bucketName(c.firm), { history: 1, replicas: c.replicas }));
    if (!this.#ensured) {
      // Once per process: these ask the JetStream API (its leader), which a re-read need not.
      const bucket = await jsm.streams.info(`KV_${bucketName(c.firm)}`);
      const replicas = { bucket: await raiseReplicas(jsm, bucket.config, c.replicas), stream: await ensureAuditStream(jsm, c.firm, c.replicas) };
      if (replicas.bucket < c.replicas || replicas.stream < c.replicas) this.#deps.log.warn({ event: 'cluster_replicas', configured: c.replicas, ...replicas }, 'the firm bucket or audit stream has fewer replicas than configured');
      this.#ensured = true;
    }
    current();
    const contents = await this.#deps.readBucket(kv, current);
    const watchers: QueuedIterator<KvWatchEntry>[] = [];
    try {
      for (const key of ['halt.>', 'pnl.>']) watchers.push(await kv.watch({ key, resumeFromRevision: contents.lastSeq + 1 }));
      current();
    } catch (error) {
      for (const w of watchers) w.stop();
      throw error;
    }
    // Commit: nothing above changed what the members see; the old watchers stop here.
    this.stopWatchers();
    this.#deps.mirror.replace(contents);
    this.#watchers.push(...watchers);
    for (const watcher of watchers) void this.#follow(watcher);
    this.synced = true;
    onCommit();
    this.#deps.emit('halts');
    this.#deps.emit('pnl');
    this.#deps.emit('records');
  }

  /** Stops watching for good (the link is closing). */
  close(): void {
    this.#closed = true;
    this.stopWatchers();
  }

  stopWatchers(): void {
    for (const w of this.#watchers) w.stop();
    this.#watchers = [];
  }

  async #follow(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    try {
      for await (const entry of watcher) {
        // Only the watchers of the last committed read apply (until a newer read replaces them).
        if (!this.#watchers.includes(watcher)) return;
        const change = this.#deps.mirror.apply(entry);
        if (change) this.#deps.emit(change);
      }
    } catch (error) {
      // A watcher of an attempt already replaced ends quietly.
      if (!this.#watchers.includes(watcher)) return;
      this.#deps.log.warn({ event: 'cluster_watch_failed', error: (error as Error).message }, 'cluster watch ended: re-reading');
      this.synced = false;
      this.#deps.resync();
    }
  }
}
