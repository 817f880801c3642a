import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createAlertManager, LevelAlertOutbox, type DeliveryEntry } from '../../src/alerts/index.ts';
import { startHttpServer, tripEvent, type ReceivedRequest } from './helpers.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function tempDb(): Promise<{ dir: string; open: () => Promise<Level<string, unknown>> }> {
  const dir = await mkdtemp(join(tmpdir(), 'breakerbox-alerts-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return {
    dir,
    open: async () => {
      const db = new Level<string, unknown>(join(dir, 'db'), { valueEncoding: 'json' });
      await db.open();
      return db;
    },
  };
}

describe('durable LevelDB outbox', () => {
  it('an alert planned and written in the same batch as state, but never dispatched (crash), is delivered exactly once after reopen + resume()', async () => {
    const hook = await startHttpServer((_r: ReceivedRequest, res: ServerResponse) => res.writeHead(200).end());
    cleanup.push(() => hook.close());
    const config = { webhooks: [{ url: `${hook.url}/h` }, { name: 'second', url: `${hook.url}/h2` }], allowlist: [`${hook.url}/`] };
    const { open } = await tempDb();
    const clock = new ManualClock();

    // Run 1: plan + atomic batch with a "state" key, then crash before dispatch.
    let db = await open();
    let outbox = new LevelAlertOutbox(db);
    let m = createAlertManager(config, { clock, outbox });
    const trip = tripEvent();
    const entries = m.plan(trip);
    expect(entries).toHaveLength(2);
    await db.batch<string, unknown>([{ type: 'put', key: 'state:alpha-1', value: { drawdown: 'TRIPPED' } }, ...outbox.batchOps(entries)], { sync: true });
    await db.close();
    expect(hook.requests).toHaveLength(0);

    // Run 2: reopen, resume → delivered.
    db = await open();
    expect(await db.get('state:alpha-1')).toEqual({ drawdown: 'TRIPPED' });
    outbox = new LevelAlertOutbox(db);
    m = createAlertManager(config, { clock, outbox });
    await m.resume();
    await m.resume(); // idempotent
    await m.settled();
    expect(hook.requests.map((r) => r.url).sort()).toEqual(['/h', '/h2']);
    expect(hook.requests.every((r) => r.headers['idempotency-key'] === trip.id)).toBe(true);
    const stored = (await outbox.list()) as DeliveryEntry[];
    expect(stored.map((e) => e.status)).toEqual(['delivered', 'delivered']);
    expect((await outbox.attempts()).map((a) => a.outcome)).toEqual(['sent', 'sent']);
    await m.close();
    await db.close();

    // Run 3: nothing is re-sent.
    db = await open();
    m = createAlertManager(config, { clock, outbox: new LevelAlertOutbox(db) });
    await m.resume();
    await m.settled();
    expect(hook.requests).toHaveLength(2);
    await m.close();
    await db.close();
  });

  it('enqueue() persists before delivery; a channel down across a restart still gets the alert once, and attempts are queryable by time', async () => {
    let up = false;
    const hook = await startHttpServer((_r: ReceivedRequest, res: ServerResponse) => res.writeHead(up ? 200 : 503).end());
    cleanup.push(() => hook.close());
    const config = { webhooks: [{ url: `${hook.url}/h` }], allowlist: [`${hook.url}/`] };
    const { open } = await tempDb();
    const clock = new ManualClock();
    let db = await open();
    let m = createAlertManager(config, { clock, outbox: new LevelAlertOutbox(db, { prefix: 'a' }) });
    m.enqueue(tripEvent());
    await m.settled();
    expect(hook.requests).toHaveLength(1);
    await m.close(); // "crash" with a retry pending
    await db.close();

    up = true;
    clock.advance(10 * 60_000);
    db = await open();
    const outbox = new LevelAlertOutbox(db, { prefix: 'a' });
    m = createAlertManager(config, { clock, outbox });
    await m.resume();
    await m.settled();
    expect(hook.requests).toHaveLength(2);
    const all = await m.attempts();
    expect(all.map((a) => a.outcome)).toEqual(['failed', 'sent']);
    const late = await m.attempts({ since: all[1].at });
    expect(late.map((a) => a.outcome)).toEqual(['sent']);
    expect(await m.attempts({ until: all[1].at })).toHaveLength(1);
    expect(await outbox.prune(clock.now() + 1)).toBe(1);
    expect(await outbox.list()).toEqual([]);
    await m.close();
    await db.close();
  });

  it('suppressed alerts survive a restart and still produce the digest', async () => {
    const hook = await startHttpServer((_r: ReceivedRequest, res: ServerResponse) => res.writeHead(200).end());
    cleanup.push(() => hook.close());
    const config = { webhooks: [{ url: `${hook.url}/h` }], allowlist: [`${hook.url}/`], maxPerHour: 1 };
    const { open } = await tempDb();
    const clock = new ManualClock();
    let db = await open();
    let m = createAlertManager(config, { clock, outbox: new LevelAlertOutbox(db) });
    m.enqueue(tripEvent());
    m.enqueue(tripEvent());
    m.enqueue(tripEvent());
    await m.settled();
    expect(hook.requests).toHaveLength(1);
    await m.close();
    await db.close();

    db = await open();
    m = createAlertManager(config, { clock, outbox: new LevelAlertOutbox(db) });
    await m.resume();
    await m.settled();
    expect(hook.requests).toHaveLength(1); // window (rebuilt from the outbox) still full
    clock.advance(3_600_000);
    await m.settled();
    expect(hook.requests).toHaveLength(2);
    expect(JSON.parse(hook.requests[1].body)).toMatchObject({ event_type: 'AlertDigest', details: { suppressed_count: 2 } });
    await m.close();
    await db.close();
  });
});
