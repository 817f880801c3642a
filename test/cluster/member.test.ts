/**
 * The cluster breaker in one process: cancels on a scoped halt, the link's heartbeat on the
 * injected clock, the order budget's lease, the audit backlog, and nothing changes without
 * `cluster`. Its chart's edges are tested on their own in test/machines/clusterChart.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { registerFirmRoutes } from '../../src/server/firmRoutes.ts';
import { clusterNodes } from '../../src/cluster/node.ts';
import { createMemoryLogger, createRiskRuntime, ManualClock, type RiskRuntime } from '../../src/index.ts';
import { NatsServer, until } from './nats.ts';

let nats: NatsServer;
beforeAll(async () => void (nats = await NatsServer.start()), 20_000);
afterAll(async () => await nats?.kill());

const ORDER = { symbol: 'ES', side: 'buy', quantity: 1 } as const;

describe('a runtime in the cluster', () => {
  it('without cluster nothing changes: the breaker is there, NORMAL and disabled', async () => {
    const rt = await createRiskRuntime({ strategy: 'solo', store: false, logger: createMemoryLogger() });
    rt.updatePortfolio({ value: 1000 });
    expect(rt.status().breakers.cluster).toMatchObject({ enabled: false, state: 'NORMAL', figures: null });
    expect(rt.check(ORDER)).toEqual({ allowed: true });
    expect(clusterNodes()).toHaveLength(0);
    await rt.stop();
  });

  it('a scoped halt is one step: MANUALLY_HALTED with operator, reason and scope, orders cancelled, a typed error for a local reset', async () => {
    const cancels: string[] = [];
    const cluster = { servers: nats.url, firm: 'unit', desk: 'rates', heartbeatTimeout: 1 };
    const make = (strategy: string, desk: string) =>
      createRiskRuntime({ strategy, store: false, logger: createMemoryLogger(), cluster: { ...cluster, desk }, broker: { cancelAllOrders: ({ breaker }) => void cancels.push(`${strategy}/${breaker}`) } });
    const [a, b] = (await Promise.all([make('a', 'rates'), make('b', 'fx')])) as [RiskRuntime, RiskRuntime];
    for (const rt of [a, b]) rt.updatePortfolio({ value: 1000 });
    const node = clusterNodes().find((n) => n.config.firm === 'unit')!;
    await node.control.halt('desk/fx', 'risk', 'fx drill');
    await until(() => b.state === 'MANUALLY_HALTED');
    expect(a.check(ORDER)).toEqual({ allowed: true });
    expect(b.check(ORDER)).toMatchObject({ allowed: false, breaker: 'cluster', reason: 'cluster breaker is MANUALLY_HALTED: fx drill' });
    expect(cancels).toEqual(['b/cluster']);
    expect(() => b.requestReset({ breaker: 'cluster', operator: 'trader' })).toThrow(expect.objectContaining({ code: 'SCOPED_HALT', message: expect.stringContaining('scope desk/fx') }));
    const ticket = node.control.requestReset('desk/fx', 'risk');
    expect(ticket.confirm).toBe('fx');
    await node.control.confirmReset(ticket.token, 'risk');
    await until(() => b.state === 'NORMAL');
    await Promise.all([a.stop(), b.stop()]);
    expect(clusterNodes().find((n) => n.config.firm === 'unit')).toBeUndefined();
  });

  it('the heartbeat timeout runs on the injected clock; start without a reachable cluster trips at once', async () => {
    const clock = new ManualClock(Date.now());
    const rt = await createRiskRuntime({ strategy: 'lonely', store: false, clock, logger: createMemoryLogger(), cluster: { servers: 'nats://127.0.0.1:1', firm: 'nobody', heartbeatTimeout: 0.5 } });
    rt.updatePortfolio({ value: 1000, timestamp: clock.now() });
    expect(rt.status().breakers.cluster).toMatchObject({ state: 'TRIPPED', figures: { link: 'down', synced: false } });
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'cluster' });
    await rt.stop();
  });

  it('an unreadable credentials file is a logged connect failure and a tripped cluster breaker, not a crash', async () => {
    const clock = new ManualClock(Date.now());
    const logger = createMemoryLogger();
    const missing = '/nonexistent/breakerbox-test.creds';
    const rt = await createRiskRuntime({ strategy: 'nocreds', store: false, clock, logger, cluster: { servers: nats.url, firm: 'nocreds', credentials: missing, heartbeatTimeout: 0.5 } });
    rt.updatePortfolio({ value: 1000, timestamp: clock.now() });
    await until(() => logger.entries.some((e) => e.event === 'cluster_connect_failed'));
    expect(logger.entries.find((e) => e.event === 'cluster_connect_failed')).toMatchObject({ level: 'error', error: expect.stringContaining(missing) });
    expect(rt.status().breakers.cluster).toMatchObject({ state: 'TRIPPED', figures: { link: 'down' } });
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'cluster' });
    await rt.stop();
  });

  it('the firm order budget is leased in slices: check() decrements locally and rejects without a lease', async () => {
    const rt = await createRiskRuntime({
      strategy: 'budgeted',
      store: false,
      logger: createMemoryLogger(),
      breakers: { orderRate: false },
      cluster: { servers: nats.url, firm: 'budget', heartbeatTimeout: 1 },
      firmLimits: { orderRate: { maxOrders: 10, window: 3600, slice: 4 } },
    });
    rt.updatePortfolio({ value: 1000 });
    const node = clusterNodes().find((n) => n.config.firm === 'budget')!;
    await until(() => (node.budget!.status().leased as number) > 0);
    let allowed = 0;
    for (let i = 0; i < 30; i++) {
      if (rt.check(ORDER).allowed) allowed++;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(allowed).toBe(10);
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, code: 'FIRM_ORDER_RATE' });
    await rt.stop();
  });
  it('audit records are kept while the stream is unreachable, counted in the firm status and the metrics, and published once it is back', async () => {
    const own = await NatsServer.start();
    const registry = new Registry();
    const app = Fastify();
    registerFirmRoutes(app, { read: {}, operator: {}, registry });
    const backlogMetric = async () => {
      const line = (await registry.metrics()).split('\n').find((l) => l.startsWith('breakerbox_cluster_audit_backlog{firm="audited"}'));
      return line === undefined ? null : Number(line.split(' ').at(-1));
    };
    try {
      const rt = await createRiskRuntime({ strategy: 'audited-1', store: false, logger: createMemoryLogger(), cluster: { servers: own.url, firm: 'audited', heartbeatTimeout: 1 } });
      rt.updatePortfolio({ value: 1000 });
      const node = clusterNodes().find((n) => n.config.firm === 'audited')!;
      await until(() => node.link.up, 5000);
      await own.kill();
      await until(() => !node.link.up, 5000);
      rt.halt({ operator: 'risk', reason: 'while the stream is away' });
      expect(node.auditBacklog).toBeGreaterThanOrEqual(1);
      expect(node.control.status()).toMatchObject({ link: 'down', lagMs: null, auditBacklog: node.auditBacklog });
      expect(await backlogMetric()).toBe(node.auditBacklog);
      await own.restart();
      await until(() => node.link.up && node.auditBacklog === 0, 15_000);
      expect(node.control.status()).toMatchObject({ auditBacklog: 0 });
      expect(await backlogMetric()).toBe(0);
      const published = (await node.link.readAudit({ limit: 100 })) as { type?: string; strategy?: string; operator?: string }[];
      expect(published).toContainEqual(expect.objectContaining({ type: 'ManualHalt', strategy: 'audited-1', operator: 'risk' }));
      await rt.stop();
    } finally {
      await app.close();
      await own.kill();
    }
  }, 30_000);
});
