/**
 * Whether a process's link to the firm's cluster and its bucket are up, and since when not:
 * connects (retrying for ever), follows the connection's status, probes the bucket every
 * `probeMs`, keeps the copy of the bucket read and watched (bucketSync.ts), and writes the
 * process's heartbeat (heartbeat.ts), whose acknowledged writes tell a lost quorum from an
 * election. It reports every change of state through `emit('link')`.
 */
import { performance } from 'node:perf_hooks';
import type { NatsConnection } from '@nats-io/nats-core';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { systemClock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../clusterConfig.ts';
import { AttemptAbandoned, QuorumLost, withDeadline } from './attempts.ts';
import type { BucketMirror, MirrorChange } from './bucketMirror.ts';
import type { readBucket } from './bucketRead.ts';
import { BucketSync } from './bucketSync.ts';
import { json } from './bucketWrite.ts';
import { ConnectLoop } from './connection.ts';
import { Heartbeat } from './heartbeat.ts';
import type { LinkTimings } from './linkTimings.ts';

/** What changed: the link's state, the halts in force, the P&L figures, the set of invalid records. */
export type LinkChange = 'link' | MirrorChange;

/** What the monitor is given by its link. */
export interface LinkMonitorDeps {
  readonly id: string;
  readonly config: ClusterConfig;
  readonly timings: LinkTimings;
  readonly log: Logger;
  readonly mirror: BucketMirror;
  readonly readBucket: typeof readBucket;
  readonly emit: (change: LinkChange) => void;
  /** The bucket has been read whole and the link is up (the first time: the link is ready). */
  readonly onUp: () => void;
}

export class LinkMonitor {
  linkUp = false;
  bucketUp = false;
  /** Since when the link or the bucket is down, on the monotonic clock (systemClock.monotonic()), or null while up. */
  downSince: number | null = systemClock.monotonic();
  /** The last probe's round trip (ms), or null while down. */
  lagMs: number | null = null;
  /** The connection, once made (the client reconnects by itself from then on). */
  nc: NatsConnection | null = null;
  js: JetStreamClient | null = null;
  jsm: JetStreamManager | null = null;
  /** The bucket's read and watch (it opens the bucket: `bucket.kv`). */
  readonly bucket: BucketSync;
  /** The process's heartbeat writes, and when a write last reached a quorum of the bucket. */
  readonly heartbeat: Heartbeat;
  /** Whether the bucket has been read whole once: after that, the watched copy stands while a re-read waits. */
  #everSynced = false;
  /** Bumped each time the connection drops (a probe spanning a drop says nothing about now). */
  #drops = 0;
  /** A background re-read is under way (at most one). */
  #resyncing = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  readonly #connecting = new ConnectLoop();
  readonly #deps: LinkMonitorDeps;

  constructor(deps: LinkMonitorDeps) {
    this.#deps = deps;
    this.bucket = new BucketSync({ ...deps, resync: () => this.#schedule(0) });
    this.heartbeat = new Heartbeat(deps.timings.probeMs, deps.timings.attemptMs, () => {
      const kv = this.bucket.kv;
      return kv && this.linkUp ? kv.put(`proc.${deps.id}`, json({ id: deps.id, desk: deps.config.desk, at: Date.now() })) : null;
    });
  }

  get up(): boolean {
    return this.linkUp && this.bucketUp;
  }

  /** Connects in the background (see {@link ConnectLoop}), then probes. */
  async start(): Promise<void> {
    const { config, id, timings, log } = this.#deps;
    const connected = await this.#connecting.run(config, id, timings.requestMs, log);
    if (this.#closed || connected === null) return;
    ({ nc: this.nc, js: this.js, jsm: this.jsm } = connected);
    this.linkUp = true;
    void this.#watchStatus(connected.nc);
    this.#schedule(0);
    this.heartbeat.start();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#connecting.stop();
    this.heartbeat.stop();
    this.bucket.close();
    await this.nc?.close().catch(() => undefined);
  }

  async #watchStatus(nc: NatsConnection): Promise<void> {
    const log = this.#deps.log;
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection') {
        log.warn({ event: 'cluster_link', link: 'down', type: status.type }, 'cluster link lost');
        // An attempt under way when the link dropped says nothing about now. Re-read once back;
        // the watchers (ordered consumers) resume by themselves meanwhile.
        this.bucket.invalidate();
        this.#drops++;
        this.#setState(false, false);
      } else if (status.type === 'reconnect') {
        log.info({ event: 'cluster_link', link: 'up', server: status.server }, 'cluster link back: re-reading the halts');
        this.linkUp = true;
        this.#schedule(0);
        this.heartbeat.start();
      } else if (status.type === 'slowConsumer') {
        log.warn({ event: 'cluster_slow_consumer', pending: status.pending }, 'slow consumer: re-reading the halts');
        this.bucket.synced = false;
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
   * One probe: reads through the bucket, re-reading it whole in the background when out of sync
   * (the first read is awaited: nothing is up before it). Once read whole, a re-read that cannot
   * finish (its stream is electing a leader after a node died) does not take the bucket down: the
   * watched copy stands, and the bucket is up while any replica answers a read and a write
   * reached a quorum within the grace. An attempt that has not answered within `attemptMs` is
   * abandoned (a consumer that never delivers after a server restart must not stall recovery).
   */
  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    const log = this.#deps.log;
    try {
      if (this.linkUp) {
        const started = performance.now();
        const drops = this.#drops;
        // Nothing is up before the bucket has been read whole once (the halts in force must be known).
        if (!this.#everSynced) await this.#deadline(this.#sync(++this.bucket.generation));
        else {
          this.#resync();
          await this.#deadline(this.#probe());
        }
        if (drops !== this.#drops || !this.linkUp) throw new Error('the link dropped during the probe');
        const lastWrite = this.heartbeat.lastWrite;
        const unwritten = systemClock.monotonic() - lastWrite;
        if (unwritten > this.#deps.timings.quorumGraceMs) {
          // Replicas still answer reads, but nothing reaches a quorum: the bucket is down since the last write.
          throw new QuorumLost(`no write has reached a quorum of the bucket for ${(unwritten / 1000).toFixed(1)} s`, lastWrite);
        }
        this.lagMs = performance.now() - started;
        this.#setState(true, true);
        this.#everSynced = true;
        this.#deps.onUp();
      }
    } catch (error) {
      if (error instanceof AttemptAbandoned) log.warn({ event: 'cluster_attempt_abandoned', error: error.message }, 'cluster read abandoned: retrying');
      else if (this.bucketUp || this.bucket.synced) log.warn({ event: 'cluster_bucket', bucket: 'down', error: (error as Error).message }, 'cluster bucket unreachable');
      this.bucket.invalidate();
      this.#setState(this.linkUp && !this.nc?.isClosed(), false, error instanceof QuorumLost ? error.since : undefined);
    } finally {
      this.#ticking = false;
      this.#schedule(this.#deps.timings.probeMs);
    }
  }

  /** Races an attempt against `attemptMs` (see {@link withDeadline}). */
  #deadline<T>(attempt: Promise<T>): Promise<T> {
    return withDeadline(attempt, this.#deps.timings.attemptMs);
  }

  /** Reads through the bucket (a direct get: any replica answers, so a stream electing a leader still reads). */
  async #probe(): Promise<void> {
    await this.bucket.kv!.get(`proc.${this.#deps.id}`);
  }

  /**
   * Re-reads the bucket in the background, one attempt at a time (each bounded by `attemptMs`):
   * the probes and heartbeats go on meanwhile. A re-read asks the stream's leader, which an
   * election takes seconds to give; awaited by the probe, its timeouts held the next probe and
   * heartbeat back by 2 to 8 s each time.
   */
  #resync(): void {
    if (this.bucket.synced || this.#resyncing) return;
    this.#resyncing = true;
    this.#deadline(this.#sync(++this.bucket.generation))
      .catch((error: unknown) => {
        if (error instanceof AttemptAbandoned) this.#deps.log.warn({ event: 'cluster_attempt_abandoned', error: error.message }, 'cluster re-read abandoned: retrying; the watched copy stands');
        this.bucket.generation++; // its late answer commits nothing
      })
      .finally(() => (this.#resyncing = false));
  }

  /** One read of the bucket (see {@link BucketSync.sync}); the quorum's grace runs from the first one. */
  #sync(generation: number): Promise<void> {
    return this.bucket.sync(this.js!, this.jsm!, generation, () => {
      if (!this.#everSynced) this.heartbeat.wrote();
    });
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
    if (changed) this.#deps.emit('link');
  }
}
