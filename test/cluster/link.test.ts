/**
 * The link's own recovery against a real nats-server: a read of the bucket that never answers
 * (as a consumer can after a server restart) is abandoned after `attemptMs` and retried, and its
 * late answer changes nothing. Without the deadline the link stays down for ever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { readBucket, type BucketContents } from '../../src/cluster/bucketRead.ts';
import type { ClusterConfig } from '../../src/clusterConfig.ts';
import { ClusterLink } from '../../src/cluster/link.ts';
import { bucketName } from '../../src/cluster/scopes.ts';
import { createMemoryLogger } from '../../src/index.ts';
import { NatsServer, until } from './nats.ts';

let nats: NatsServer;
beforeAll(async () => void (nats = await NatsServer.start()), 20_000);
afterAll(async () => await nats?.kill());

const config = (firm: string): ClusterConfig => ({ servers: [nats.url], firm, desk: 'rates', heartbeatTimeout: 1, onDisconnect: 'halt', replicas: 1 });

describe('the cluster link', () => {
  it('abandons a read of the bucket that never answers, retries, and ignores the late answer', async () => {
    const logger = createMemoryLogger();
    // Another process halts the firm first, so the real read has a halt to find.
    const other = new ClusterLink(config('hang'), createMemoryLogger());
    other.start();
    expect(await other.ready(5000)).toBe(true);
    await other.setHalt('firm', 'risk', 'real halt');

    let release: (contents: BucketContents) => void = () => undefined;
    let reads = 0;
    const hangOnce = (kv: KV, stillWanted: () => void): Promise<BucketContents> => {
      reads++;
      // The first read hangs until released, then answers with contents nobody wrote.
      if (reads === 1) return new Promise((resolve) => (release = resolve));
      return readBucket(kv, stillWanted);
    };
    const link = new ClusterLink(config('hang'), logger, { readBucket: hangOnce });
    const started = Date.now();
    link.start();
    expect(await link.ready(link.attemptMs + 3000)).toBe(true);
    const took = Date.now() - started;
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(took).toBeGreaterThanOrEqual(link.attemptMs - 50);
    expect(logger.entries.some((e) => e.event === 'cluster_attempt_abandoned' && /no answer from the cluster within 2000 ms/.test(String(e.error)))).toBe(true);
    expect([...link.halts.keys()]).toEqual(['firm']);

    // The abandoned read answers late with a stale picture: no halt at all. It is not committed.
    release({ lastSeq: 0, halts: new Map(), lifts: new Map(), pnl: new Map(), invalid: new Map() });
    await new Promise((r) => setTimeout(r, 50));
    expect([...link.halts.keys()]).toEqual(['firm']);
    expect(link.up).toBe(true);

    // And the link still follows the bucket: a lift by the other process arrives.
    await other.liftHalt('firm', link.halts.get('firm')!.revision, 'risk');
    await until(() => link.halts.size === 0);
    await Promise.all([link.close(), other.close()]);
  }, 20_000);

  it('a read that fails late after being abandoned is not an unhandled rejection', async () => {
    let reads = 0;
    let fail: (error: Error) => void = () => undefined;
    const link = new ClusterLink(config('late'), createMemoryLogger(), {
      readBucket: (kv, stillWanted) => (++reads === 1 ? new Promise((_, reject) => (fail = reject)) : readBucket(kv, stillWanted)),
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    link.start();
    expect(await link.ready(link.attemptMs + 3000)).toBe(true);
    fail(new Error('late failure'));
    await new Promise((r) => setTimeout(r, 50));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(link.up).toBe(true);
    await link.close();
  }, 20_000);

  it('a re-read that cannot finish after a reconnect holds back neither the probe nor the heartbeat', async () => {
    // A re-read asks the stream's leader; during an election it times out. Awaited by the probe,
    // it held the next probe and heartbeat back until it was abandoned, so one election could
    // look like a quorum lost (no write for 12 s) and trip every strategy.
    let reads = 0;
    const link = new ClusterLink(config('beat'), createMemoryLogger(), {
      readBucket: (kv, stillWanted) => (++reads === 1 ? readBucket(kv, stillWanted) : new Promise<BucketContents>(() => undefined)),
    });
    link.start();
    expect(await link.ready(5000)).toBe(true);
    await nats.kill();
    await until(() => !link.up, 5000);
    await nats.restart();
    await until(() => link.linkUp, 10_000);
    // The re-read hangs for `attemptMs` (2 s here); meanwhile the link is up again within a few
    // probes and the heartbeat is written every probe (250 ms), not once.
    await until(() => link.up, 1000);
    expect(reads).toBeGreaterThanOrEqual(2);
    // Seen from a plain client of its own: the process's heartbeat key keeps being rewritten.
    const observer = await connect({ servers: [nats.url] });
    const kv = await new Kvm(jetstream(observer)).open(bucketName('beat'));
    let beats = 0;
    const watch = await kv.watch({ key: `proc.${link.id}` });
    void (async () => {
      for await (const entry of watch) if (entry.operation === 'PUT') beats++;
    })();
    await until(() => beats >= 4, link.attemptMs - 500);
    watch.stop();
    await observer.close();
    await link.close();
  }, 30_000);
});
