/**
 * The firm on a real three-node JetStream cluster (three nats-server processes routed to each
 * other, the bucket and the audit stream created by breakerbox at R3). Two links stand for two
 * processes (each its own connection, given every server's URL). Any one node lost — the
 * bucket's leader, the audit stream's leader, a follower, each restarted — loses no halt and no audit
 * record and trips nothing; both links converge on the same halts. The quorum lost fails
 * closed and heals. Time is real here (cross-process); waits are on conditions, never sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { clusterNodes, type ClusterNode as FirmProcess } from '../../src/cluster/node.ts';
import { createMemoryLogger, createRiskRuntime, type RiskRuntime } from '../../src/index.ts';
import { NatsCluster, until } from './nats.ts';

const FIRM = 'tri';
const HEARTBEAT = 5; // seconds: the default
const BUCKET = `KV_breakerbox_${FIRM}`;
const STREAM = `BREAKERBOX_AUDIT_${FIRM}`;
const ORDER = { symbol: 'ES', side: 'buy', quantity: 1 } as const;

let cluster: NatsCluster;
let observer: NatsConnection;
let jsm: JetStreamManager;
const runtimes: { rt: RiskRuntime; process: 'A' | 'B'; desk: string }[] = [];
/** Each process's log (its link logs through its first runtime's logger). */
const logs = { A: createMemoryLogger(), B: createMemoryLogger() };
const clusterLog = () =>
  (['A', 'B'] as const).map((p) => `--- process ${p}:\n${logs[p].entries.filter((e) => String(e.event).startsWith('cluster')).map((e) => JSON.stringify(e)).slice(-30).join('\n')}`).join('\n');
let A: FirmProcess;
let B: FirmProcess;
/** Every state any strategy's cluster breaker was seen in, sampled every 20 ms. */
const seen: { at: number; strategy: string; state: string }[] = [];
let sampler: NodeJS.Timeout;

const clusterState = (rt: RiskRuntime) => (rt.status().breakers.cluster as unknown as { state: string }).state;

async function leaderOf(stream: string): Promise<string> {
  for (;;) {
    try {
      const leader = (await jsm.streams.info(stream)).cluster?.leader;
      if (leader) return leader;
    } catch {
      // electing: ask again
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every replica of the bucket and the stream is current (a restarted node has caught up). */
async function allCurrent(): Promise<boolean> {
  try {
    for (const name of [BUCKET, STREAM]) {
      const info = await jsm.streams.info(name);
      const replicas = info.cluster?.replicas ?? [];
      if (!info.cluster?.leader || replicas.length !== 2 || !replicas.every((r) => r.current && !r.offline)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

async function untilAsync(what: string, predicate: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${cluster.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  cluster = await NatsCluster.start();
  observer = await connect({ servers: cluster.urls });
  jsm = await jetstreamManager(observer, { checkAPI: false, timeout: 2000 });
  const make = async (strategy: string, process: 'A' | 'B', desk: string) => {
    // Two processes: two connections (the same servers, listed in another order).
    const servers = process === 'A' ? cluster.urls : [...cluster.urls].reverse();
    const rt = await createRiskRuntime({ strategy, store: false, logger: logs[process], cluster: { servers, firm: FIRM, desk, heartbeatTimeout: HEARTBEAT, replicas: 3 } });
    rt.updatePortfolio({ value: 100_000 });
    runtimes.push({ rt, process, desk });
  };
  await Promise.all([make('a1', 'A', 'rates'), make('b1', 'B', 'rates')]);
  await Promise.all([make('a2', 'A', 'fx'), make('b2', 'B', 'fx')]);
  const nodes = clusterNodes().filter((n) => n.config.firm === FIRM);
  A = nodes.find((n) => n.config.servers[0] === cluster.urls[0])!;
  B = nodes.find((n) => n.config.servers[0] !== cluster.urls[0])!;
  await until(() => A.link.up && B.link.up, 30_000);
  sampler = setInterval(() => {
    for (const { rt } of runtimes) seen.push({ at: Date.now(), strategy: rt.strategy, state: clusterState(rt) });
  }, 20);
}, 90_000);

afterAll(async () => {
  clearInterval(sampler);
  await Promise.all(runtimes.map(({ rt }) => rt.stop()));
  await observer?.close();
  await cluster?.stop();
}, 30_000);

/** Halts a strategy's scope through one process and lifts it through the same one (two steps). */
async function haltAndLift(process: FirmProcess, strategy: string, i: number): Promise<void> {
  const scope = `strategy/${strategy}` as const;
  const { created } = await process.control.halt(scope, 'drill', `cycle ${i}`);
  expect(created).toBe(true);
  const ticket = process.control.requestReset(scope, 'drill');
  await process.control.confirmReset(ticket.token, 'drill');
}

describe('a three-node JetStream cluster', () => {
  it('breakerbox creates the bucket and the audit stream at R3 (cluster.replicas)', async () => {
    for (const name of [BUCKET, STREAM]) expect((await jsm.streams.info(name)).config.num_replicas).toBe(3);
  });

  it("kill the bucket's leader, the audit stream's leader, then a follower, each restarted, during halts and lifts: nothing lost, nothing tripped, both processes converge", async () => {
    const started = Date.now();
    let cycle = 0;
    for (const victim of [BUCKET, STREAM, 'a follower of both'] as const) {
      const leaders = [await leaderOf(BUCKET), await leaderOf(STREAM)];
      const name = victim === BUCKET ? leaders[0] : victim === STREAM ? leaders[1] : cluster.nodes.find((n) => !leaders.includes(n.name))?.name;
      if (name === undefined) continue; // one node leads both: its two followers were covered
      const node = cluster.nodes.find((n) => n.name === name)!;
      await node.kill();
      // A stream of halts and lifts through both processes while that node is gone.
      for (let i = 0; i < 3; i++) {
        await haltAndLift(i % 2 === 0 ? A : B, i % 2 === 0 ? 'a1' : 'b1', cycle++);
      }
      await node.restart();
      await untilAsync(`${name} to catch up`, allCurrent, 60_000);
    }
    // A halt that stays: both processes see it, every strategy in scope halted, the others not.
    await B.control.halt('desk/fx', 'drill', 'final');
    await until(() => runtimes.every(({ rt, desk }) => clusterState(rt) === (desk === 'fx' ? 'MANUALLY_HALTED' : 'NORMAL')), 15_000);
    expect([...A.link.halts.keys()]).toEqual(['desk/fx']);
    expect([...B.link.halts.keys()]).toEqual(['desk/fx']);
    for (const { rt, desk } of runtimes) expect(rt.check(ORDER).allowed).toBe(desk !== 'fx');

    // Nothing tripped while a quorum held.
    expect(seen.filter((s) => s.at >= started && s.state === 'TRIPPED'), clusterLog()).toEqual([]);
    // Nothing lost: every halt and every confirmed lift reached the audit stream, once.
    await until(() => A.auditBacklog === 0 && B.auditBacklog === 0, 30_000);
    const audit = (await A.link.readAudit({ limit: 10_000 })) as { type?: string; details?: { reason?: string } }[];
    const halts = audit.filter((e) => e.type === 'ScopeHalted' && /^cycle \d+$/.test(String(e.details?.reason)));
    expect(halts.map((e) => e.details!.reason).sort()).toEqual(Array.from({ length: cycle }, (_, i) => `cycle ${i}`).sort());
    expect(audit.filter((e) => e.type === 'ScopeResetConfirmed')).toHaveLength(cycle);
    const lift = B.control.requestReset('desk/fx', 'drill');
    await B.control.confirmReset(lift.token, 'drill');
    await until(() => runtimes.every(({ rt }) => clusterState(rt) === 'NORMAL'), 15_000);
  }, 180_000);

  it('the quorum lost fails closed (every cluster breaker trips) and heals when it is back', async () => {
    const [first, second] = cluster.nodes.slice(1);
    await Promise.all([first!.kill(), second!.kill()]);
    const lost = Date.now();
    await until(() => runtimes.every(({ rt }) => clusterState(rt) === 'TRIPPED'), (HEARTBEAT + 15) * 1000);
    expect(Date.now() - lost).toBeGreaterThanOrEqual(0);
    for (const { rt } of runtimes) expect(rt.check(ORDER).allowed).toBe(false);
    // A halt asked for now cannot be confirmed: a clean 503 error, never a hang or a raw error,
    // saying that the write may still take effect (the cluster may have taken it without a quorum).
    const refused = A.control.halt('firm', 'drill', 'no quorum');
    await expect(refused).rejects.toMatchObject({ code: 'CLUSTER_UNAVAILABLE' });
    await expect(refused).rejects.toThrow(/may still take effect once a quorum is back/);
    await Promise.all([first!.restart(), second!.restart()]);
    await until(() => A.link.up && B.link.up, 60_000);
    // If the cluster did take that halt, it is applied now, in both processes alike, and lifted
    // with the two-step reset like any other; otherwise there is none. Either way nothing else.
    await new Promise((r) => setTimeout(r, 500));
    expect([...A.link.halts.keys()]).toEqual([...B.link.halts.keys()]);
    expect([...A.link.halts.keys()].filter((scope) => scope !== 'firm')).toEqual([]);
    if (A.link.halts.has('firm')) {
      expect(A.link.halts.get('firm')).toMatchObject({ operator: 'drill', reason: 'no quorum' });
      const lift = A.control.requestReset('firm', 'drill');
      await A.control.confirmReset(lift.token, 'drill');
    }
    await untilAsync('every breaker NORMAL again', async () => runtimes.every(({ rt }) => clusterState(rt) === 'NORMAL'), 60_000).catch((error: Error) => {
      const states = runtimes.map(({ rt }) => `${rt.strategy}: ${JSON.stringify(rt.status().breakers.cluster)}`).join('\n');
      throw new Error(`${error.message.split('\n')[0]}\n${states}\nA halts: ${[...A.link.halts.keys()]}; B halts: ${[...B.link.halts.keys()]}\n${clusterLog()}`);
    });
    for (const { rt } of runtimes) expect(rt.check(ORDER)).toEqual({ allowed: true });
  }, 180_000);
});
