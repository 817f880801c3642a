/**
 * Firm records are input: anyone who can write the firm's bucket can write anything. Each
 * attack here writes its record through a separate plain NATS connection (as an attacker
 * would) into the bucket a real runtime watches on a real nats-server. A record that fails
 * validation is never used: logged (`cluster_record_invalid`, naming its key), counted, and a
 * firm limit that cannot be computed fails closed through the `cluster` breaker, naming the
 * key, until the record is fixed or removed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm, type KV } from '@nats-io/kv';
import { Registry } from 'prom-client';
import Fastify from 'fastify';
import { clusterNodes } from '../../src/cluster/node.ts';
import { registerFirmRoutes } from '../../src/server/firmRoutes.ts';
import { createMemoryLogger, createRiskRuntime, type RiskRuntime } from '../../src/index.ts';
import { NatsServer, until } from './nats.ts';

let nats: NatsServer;
let attacker: NatsConnection;
beforeAll(async () => {
  nats = await NatsServer.start();
  attacker = await connect({ servers: nats.url });
}, 20_000);
afterAll(async () => {
  await attacker?.close();
  await nats?.kill();
});

const ORDER = { symbol: 'ES', side: 'buy', quantity: 1 } as const;
const enc = new TextEncoder();
const utcDay = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** A runtime of firm `firm` with a firm daily-loss limit of -1000, and the bucket as the attacker opens it. */
async function firmWith(firm: string, strategy: string): Promise<{ rt: RiskRuntime; kv: KV; logger: ReturnType<typeof createMemoryLogger> }> {
  const logger = createMemoryLogger();
  const rt = await createRiskRuntime({
    strategy,
    store: false,
    logger,
    cluster: { servers: nats.url, firm, desk: 'rates', heartbeatTimeout: 1 },
    firmLimits: { dailyLoss: { limitAmount: '-1000' } },
  });
  rt.updatePortfolio({ value: 100_000 });
  const node = clusterNodes().find((n) => n.config.firm === firm)!;
  await until(() => node.link.up, 10_000);
  const kv = await new Kvm(attacker).open(`breakerbox_${firm}`);
  return { rt, kv, logger };
}

const cluster = (rt: RiskRuntime) => rt.status().breakers.cluster as unknown as { state: string; reason: string | null; figures: Record<string, unknown> };

describe('firm records are validated before use', () => {
  it('a P&L record "1e1000000000" is refused by its bounds: no crash, the cluster breaker fails closed naming the key, and heals when it is removed', async () => {
    const { rt, kv, logger } = await firmWith('huge', 'h1');
    await kv.put('pnl.ghost', enc.encode(JSON.stringify({ strategy: 'ghost', desk: 'rates', pnl: '1e1000000000', tradingDay: utcDay(), at: Date.now() })));
    await until(() => cluster(rt).state === 'TRIPPED', 5000);
    expect(cluster(rt).reason).toContain('cluster_record_invalid');
    expect(cluster(rt).reason).toContain('pnl.ghost');
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'cluster' });
    const logged = logger.entries.find((e) => e.event === 'cluster_record_invalid');
    expect(logged).toMatchObject({ level: 'warn', key: 'pnl.ghost' });
    // The trip is an event like any other: journalled (and alerted) with the key in its reason.
    const tripped = (await rt.journal()).find((e) => e.type === 'CircuitBreakerTripped' && e.breaker === 'cluster');
    expect(JSON.stringify(tripped)).toContain('pnl.ghost');

    await kv.delete('pnl.ghost');
    await until(() => cluster(rt).state === 'NORMAL', 5000);
    expect(rt.check(ORDER)).toEqual({ allowed: true });
    await rt.stop();
  }, 30_000);

  it('a P&L record "NaN" cannot switch the firm limit off: fails closed; removed, the firm limit halts a loss of 2,000 against -1,000', async () => {
    const { rt, kv } = await firmWith('nan', 'n1');
    await kv.put('pnl.ghost', enc.encode(JSON.stringify({ strategy: 'ghost', desk: 'rates', pnl: 'NaN', tradingDay: utcDay(), at: Date.now() })));
    rt.updatePortfolio({ value: 98_000 }); // -2,000 today: within the strategy's own -5%, beyond the firm's -1,000
    await until(() => rt.check(ORDER).allowed === false, 5000);
    expect(cluster(rt)).toMatchObject({ state: 'TRIPPED', figures: { invalidRecord: 'pnl.ghost' } });
    const node = clusterNodes().find((n) => n.config.firm === 'nan')!;
    expect(node.control.status()).toMatchObject({ invalidRecords: [{ key: 'pnl.ghost', problem: expect.stringContaining('finite') }] });

    await kv.delete('pnl.ghost');
    await until(() => cluster(rt).state === 'MANUALLY_HALTED', 5000);
    expect(cluster(rt).figures).toMatchObject({ scope: 'firm', operator: 'breakerbox-firm-limits' });
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'cluster' });
    await rt.stop();
  }, 30_000);

  it("a record with a later tradingDay hides no other strategy's loss; one far in the future fails closed", async () => {
    const { rt, kv } = await firmWith('later', 'l1');
    // A desk in a zone already in tomorrow: a real, current record; it is summed with the others.
    await kv.put('pnl.east', enc.encode(JSON.stringify({ strategy: 'east', desk: 'asia', pnl: '0', tradingDay: utcDay(1), at: Date.now() })));
    rt.updatePortfolio({ value: 98_000 });
    await until(() => cluster(rt).state === 'MANUALLY_HALTED', 5000);
    expect(cluster(rt).figures).toMatchObject({ scope: 'firm', operator: 'breakerbox-firm-limits' });
    const node = clusterNodes().find((n) => n.config.firm === 'later')!;
    expect(node.limits.status()).toMatchObject({ dailyLoss: { pnl: '-2000', strategies: 2 } });

    // No zone's trading day is a week ahead: junk, never used, the limit fails closed on it.
    await kv.put('pnl.junk', enc.encode(JSON.stringify({ strategy: 'junk', desk: 'asia', pnl: '5000', tradingDay: utcDay(7), at: Date.now() })));
    await until(() => node.limits.blocking?.key === 'pnl.junk', 5000);
    expect(node.limits.blocking!.problem).toContain('days after today');
    expect(cluster(rt).figures).toMatchObject({ invalidRecord: 'pnl.junk' });
    await rt.stop();
  }, 30_000);

  it('other spellings of bad records: wrong key, seconds, huge text, not JSON, extra fields; a junk halt record fails closed and a real halt repairs it', async () => {
    const { rt, kv, logger } = await firmWith('spell', 's1');
    const bad: [string, string][] = [
      ['pnl.a', JSON.stringify({ strategy: 'b', desk: 'rates', pnl: '1', tradingDay: utcDay(), at: Date.now() })],
      ['pnl.c', JSON.stringify({ strategy: 'c', desk: 'rates', pnl: '1', tradingDay: utcDay(), at: Math.floor(Date.now() / 1000) })],
      ['pnl.d', JSON.stringify({ strategy: 'd', desk: 'rates', pnl: '1'.repeat(40), tradingDay: utcDay(), at: Date.now() })],
      ['pnl.e', '{"strategy":'],
      ['pnl.f', JSON.stringify({ strategy: 'f', desk: 'rates', pnl: '1', tradingDay: '2026-02-30', at: Date.now() })],
      ['pnl.g', JSON.stringify({ strategy: 'g', desk: 'rates', pnl: 1, tradingDay: utcDay(), at: Date.now() })],
      ['pnl.h', JSON.stringify({ strategy: 'h', desk: 'rates', pnl: '1', tradingDay: utcDay(), at: Date.now(), __proto__x: 1 })],
      ['pnl.i', JSON.stringify({ strategy: 'i', desk: 'rates', pnl: 'Infinity', tradingDay: utcDay(), at: Date.now() })],
    ];
    for (const [key, value] of bad) await kv.put(key, enc.encode(value));
    const node = clusterNodes().find((n) => n.config.firm === 'spell')!;
    await until(() => bad.every(([key]) => node.link.invalid.has(key)), 5000);
    expect([...node.link.pnl.keys()].filter((k) => k !== 's1')).toEqual([]); // its own figure at most
    for (const [key] of bad) expect(logger.entries.some((e) => e.event === 'cluster_record_invalid' && e.key === key)).toBe(true);
    const registry = new Registry();
    const app = Fastify();
    registerFirmRoutes(app, { read: {}, operator: {}, registry });
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/breakerbox_cluster_records_invalid\{firm="spell"\} 8/);
    expect(metrics).toMatch(/breakerbox_cluster_records_invalid_total\{firm="spell"\} (8|9|[1-9]\d)/);
    await app.close();
    for (const [key] of bad) await kv.delete(key);
    await until(() => node.link.invalid.size === 0 && cluster(rt).state === 'NORMAL', 5000);

    // A halt record nobody can read: a halt may be in force there, so it fails closed.
    await kv.put('halt.firm', enc.encode(JSON.stringify({ scope: 'desk/other', operator: 'x', reason: 'y', at: Date.now() })));
    await until(() => cluster(rt).state === 'TRIPPED', 5000);
    expect(cluster(rt).reason).toContain('halt.firm');
    // A real halt replaces the junk; its lift lifts everything.
    await node.control.halt('firm', 'risk', 'drill');
    await until(() => cluster(rt).state === 'MANUALLY_HALTED', 5000);
    const ticket = node.control.requestReset('firm', 'risk');
    await node.control.confirmReset(ticket.token, 'risk');
    await until(() => cluster(rt).state === 'NORMAL', 5000);
    expect(rt.check(ORDER)).toEqual({ allowed: true });

    // A record on the audit stream that is not a record is shown by where it is, never as one.
    await attacker.request(`breakerbox.spell.audit.scope.firm`, enc.encode('not json'), { timeout: 2000 });
    const entries = await node.link.readAudit({ limit: 100 });
    expect(entries).toContainEqual(expect.objectContaining({ unreadable: 'breakerbox.spell.audit.scope.firm', problem: expect.stringContaining('not JSON') }));
    await rt.stop();
  }, 40_000);
});
