import { only } from '../helpers.ts';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger } from '../../src/index.ts';
import { bundleFixture, Child } from './childProcess.ts';

interface Received {
  id: string;
  body: Record<string, unknown>;
  signatureOk: boolean;
  answered: number | null;
}

/** A webhook receiver on loopback that verifies signatures with node:crypto and can be told to hang. */
async function receiver(secret: string) {
  const received: Received[] = [];
  let mode: 'hang' | 'ok' = 'ok';
  const hanging: ServerResponse[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const header = String(req.headers['x-breakerbox-signature'] ?? '');
      const t = /t=(\d+)/.exec(header)?.[1] ?? '';
      const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1] ?? '';
      const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex');
      const signatureOk = v1.length === expected.length && timingSafeEqual(Buffer.from(v1), Buffer.from(expected));
      const entry: Received = { id: String(req.headers['idempotency-key']), body: JSON.parse(raw) as Record<string, unknown>, signatureOk, answered: null };
      received.push(entry);
      waiters.splice(0).forEach((w) => w());
      if (mode === 'hang') return void hanging.push(res);
      entry.answered = 200;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    setMode: (m: 'hang' | 'ok') => (mode = m),
    next: () => new Promise<void>((r) => waiters.push(r)),
    close: () => {
      hanging.forEach((res) => res.destroy());
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bbx-alert-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('alerts are durable', () => {
  it('an alert whose trip was durable but not yet delivered at a SIGKILL is delivered after the restart, once', async () => {
    const script = await bundleFixture(join(__dirname, 'fixtures', 'crashChild.ts'), 'crash-child');
    const hook = await receiver('crash-secret-0123456789');
    const now = Date.UTC(2026, 0, 5, 14);
    try {
      hook.setMode('hang');
      let child = new Child(script, [dir, String(now), hook.url]);
      child.send({ op: 'report' });
      await child.waitFor('report');
      const arrived = hook.next();
      child.send({ op: 'update', value: '100000' });
      child.send({ op: 'update', value: '89000' }); // drawdown and daily loss trip
      child.send({ op: 'ack', n: 1 });
      await child.waitFor('ack 1'); // the trips and their outbox entries are on disk
      await arrived; // a delivery is in flight and will never be answered
      expect(hook.received.every((r) => r.answered === null)).toBe(true);
      await child.kill();

      hook.setMode('ok');
      const countBefore = hook.received.length;
      child = new Child(script, [dir, String(now), hook.url]);
      child.send({ op: 'alerts' });
      const trips = JSON.parse((await child.waitFor('alerts')).slice('alerts '.length)) as { id: string; breaker: string }[];
      expect(trips.map((t) => t.breaker).sort()).toEqual(['dailyLoss', 'drawdown']);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !trips.every((t) => hook.received.some((r) => r.id === t.id && r.answered === 200))) {
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const trip of trips) {
        const delivered = hook.received.filter((r) => r.id === trip.id && r.answered === 200);
        expect(delivered, `trip alert ${trip.id} delivered once after restart`).toHaveLength(1);
        expect(delivered[0]!.signatureOk).toBe(true);
        expect(delivered[0]!.body).toMatchObject({ event_type: 'CircuitBreakerTripped', strategy_name: 'crashy', circuit_breaker_type: trip.breaker });
      }
      expect(hook.received.length).toBeGreaterThan(countBefore);
      await child.kill();
    } finally {
      await hook.close();
    }
  }, 60_000);

  it('an alert leaves only after its trip is in the journal, and the gate was closed before delivery began', async () => {
    const hook = await receiver('s3cret-0123456789abcdef');
    const clock = new ManualClock();
    const rt = await createRiskRuntime({
      strategy: 'alerting', clock, logger: silentLogger, store: { path: join(dir, 'inproc') },
      breakers: only({ drawdown: { threshold: -0.1 } }),
      alerts: { webhooks: [{ url: hook.url, format: 'json', secret: 's3cret-0123456789abcdef' }], allowlist: [hook.url] },
    });
    try {
      const seen: { journalHasTrip: boolean; gateClosed: boolean }[] = [];
      const arrived = hook.next().then(async () => {
        const journal = await rt.journal({ types: ['CircuitBreakerTripped'] });
        seen.push({ journalHasTrip: journal.some((e) => e.id === hook.received[0]!.id), gateClosed: !rt.check({ symbol: 'X', side: 'buy', quantity: 1 }).allowed });
      });
      rt.updatePortfolio({ value: 1000 });
      rt.updatePortfolio({ value: 900 });
      await arrived;
      expect(seen).toEqual([{ journalHasTrip: true, gateClosed: true }]);
      expect(hook.received[0]).toMatchObject({ signatureOk: true, body: { event_type: 'CircuitBreakerTripped', circuit_breaker_type: 'drawdown' } });
    } finally {
      await rt.stop();
      await hook.close();
    }
  });
});
