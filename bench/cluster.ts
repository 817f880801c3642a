/**
 * `npm run bench:cluster` (not a test): needs `nats-server` on PATH; starts its own on a free
 * loopback port in a temp directory.
 *
 * 1. Halt fan-out: from the put of a firm halt (a separate NATS connection, as the process the
 *    CLI talks to) to the last of 15 strategies rejecting orders; p50/p99 over 200 halts.
 *    Target p99 ≤ 10 ms on loopback. The 15 runtimes share this process's one connection (as
 *    the strategies of one `serve` do); in-memory stores, so no disk sync is measured.
 * 2. `check()` median with `cluster` and `firmLimits` on vs off (no network on the order path):
 *    target within 1.2×.
 */
import { performance } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createMemoryLogger, createRiskRuntime, type RiskRuntime } from '../src/index.ts';
import { clusterNodes } from '../src/cluster/node.ts';
import { NatsServer } from '../test/cluster/nats.ts';

const HALTS = 200;
const STRATEGIES = 15;
const ORDER = { symbol: 'ES', side: 'buy', quantity: 1 } as const;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function fanOut(nats: NatsServer): Promise<string[]> {
  const cluster = { servers: nats.url, firm: 'bench', heartbeatTimeout: 5 };
  const runtimes: RiskRuntime[] = [];
  for (let i = 0; i < STRATEGIES; i++) {
    const rt = await createRiskRuntime({ strategy: `s${i}`, store: false, breakers: { orderRate: false }, logger: createMemoryLogger(), cluster: { ...cluster, desk: i % 3 === 0 ? 'rates' : 'fx' } });
    rt.updatePortfolio({ value: 100_000 });
    runtimes.push(rt);
  }
  const blockedAt = new Map<string, number>();
  for (const rt of runtimes) rt.state$.subscribe((s) => !s.ordersAllowed && !blockedAt.has(s.strategy) && blockedAt.set(s.strategy, performance.now()));
  const nc = await connect({ servers: nats.url });
  const kv = await new Kvm(jetstream(nc)).open('breakerbox_bench');
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const wait = async (done: () => boolean) => {
    const end = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > end) throw new Error('bench: timed out');
      await new Promise((r) => setImmediate(r));
    }
  };
  const samples: number[] = [];
  for (let i = 0; i < HALTS + 10; i++) {
    blockedAt.clear();
    const t0 = performance.now();
    await kv.put('halt.firm', enc({ scope: 'firm', operator: 'bench', reason: `halt ${i}`, at: Date.now() }));
    await wait(() => blockedAt.size === STRATEGIES);
    if (!runtimes.every((rt) => !rt.check(ORDER).allowed)) throw new Error('bench: a strategy still allows orders');
    if (i >= 10) samples.push(Math.max(...blockedAt.values()) - t0);
    await kv.put('halt.firm', enc({ scope: 'firm', operator: '', reason: '', at: Date.now(), lifted: { operator: 'bench', at: Date.now() } }));
    await wait(() => runtimes.every((rt) => rt.check(ORDER).allowed));
  }
  await nc.close();
  await Promise.all(runtimes.map((rt) => rt.stop()));
  return [
    `halt fan-out, put → last of ${STRATEGIES} strategies rejecting (${HALTS} halts, 10 warm-up): p50 ${fmt(pct(samples, 50))}, p99 ${fmt(pct(samples, 99))}, max ${fmt(Math.max(...samples))} (target p99 ≤ 10 ms)`,
  ];
}

async function checkMedian(rt: RiskRuntime): Promise<number> {
  const batches: number[] = [];
  for (let b = 0; b < 60; b++) {
    const t0 = performance.now();
    for (let i = 0; i < 5000; i++) rt.check(ORDER);
    batches.push(((performance.now() - t0) * 1e6) / 5000);
    await new Promise((r) => setImmediate(r)); // let lease refills land
  }
  return pct(batches.slice(10), 50);
}

async function checkCost(nats: NatsServer): Promise<string[]> {
  const common = { store: false as const, logger: createMemoryLogger(), breakers: { orderRate: false as const } };
  const off = await createRiskRuntime({ strategy: 'off', ...common });
  const on = await createRiskRuntime({
    strategy: 'on',
    ...common,
    cluster: { servers: nats.url, firm: 'benchcheck', heartbeatTimeout: 5 },
    firmLimits: { dailyLoss: { limitAmount: '-1000000' }, orderRate: { maxOrders: 10_000_000, window: 60, slice: 500_000 } },
  });
  for (const rt of [off, on]) rt.updatePortfolio({ value: 100_000 });
  const node = clusterNodes().find((n) => n.config.firm === 'benchcheck')!;
  while ((node.budget!.status().available as number) === 0) await new Promise((r) => setTimeout(r, 10));
  const medians = { off: [] as number[], on: [] as number[] };
  for (let round = 0; round < 3; round++) {
    medians.off.push(await checkMedian(off));
    medians.on.push(await checkMedian(on));
  }
  if (!on.check(ORDER).allowed) throw new Error('bench: the leased budget ran out');
  await Promise.all([off.stop(), on.stop()]);
  const a = pct(medians.off, 50);
  const b = pct(medians.on, 50);
  return [`check() median: cluster+firmLimits off ${a.toFixed(0)} ns, on ${b.toFixed(0)} ns, ratio ${(b / a).toFixed(2)}× (target ≤ 1.2×)`];
}

const nats = await NatsServer.start();
try {
  console.log(`breakerbox cluster bench (node ${process.version}, nats-server on ${nats.url})`);
  for (const line of await fanOut(nats)) console.log(line);
  for (const line of await checkCost(nats)) console.log(line);
} finally {
  await nats.kill();
}
