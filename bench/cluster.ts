/**
 * `npm run bench:cluster` (not a test): needs `nats-server` on PATH; starts its own on a free
 * loopback port in a temp directory.
 *
 * 1. Halt fan-out: from the put of a firm halt (a separate NATS connection, as the process the
 *    CLI talks to) to the last of 15 strategies rejecting orders; p50/p99 over 200 halts.
 *    Target p99 ≤ 10 ms on loopback. The 15 runtimes share this process's one connection (as
 *    the strategies of one `serve` do); in-memory stores, so no disk sync is measured.
 *    Diagnostics (not the figure): put → first strategy rejecting and first → last, the GC
 *    pauses (perf_hooks 'gc' entries) during the run and how many halts one overlapped, the
 *    p99 of the halts no GC pause overlapped, and the event loop's delay.
 *    Reference: the same put → a KV watch callback on another connection, with no strategy at
 *    all (the floor the host's scheduler and nats-server set).
 * 2. `check()` median with `cluster` and `firmLimits` on vs off (no network on the order path):
 *    target within 1.2×.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
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
  const windows: { t0: number; first: number; last: number }[] = [];
  const gcs: { start: number; end: number; kind: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration, kind: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0 });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  for (let i = 0; i < HALTS + 10; i++) {
    blockedAt.clear();
    const t0 = performance.now();
    await kv.put('halt.firm', enc({ scope: 'firm', operator: 'bench', reason: `halt ${i}`, at: Date.now() }));
    await wait(() => blockedAt.size === STRATEGIES);
    if (!runtimes.every((rt) => !rt.check(ORDER).allowed)) throw new Error('bench: a strategy still allows orders');
    if (i >= 10) samples.push(Math.max(...blockedAt.values()) - t0);
    if (i >= 10) windows.push({ t0, first: Math.min(...blockedAt.values()), last: Math.max(...blockedAt.values()) });
    await kv.put('halt.firm', enc({ scope: 'firm', operator: '', reason: '', at: Date.now(), lifted: { operator: 'bench', at: Date.now() } }));
    await wait(() => runtimes.every((rt) => rt.check(ORDER).allowed));
  }
  loopDelay.disable();
  await new Promise((r) => setTimeout(r, 20)); // the observer's last entries
  gcObserver.disconnect();
  await nc.close();
  await Promise.all(runtimes.map((rt) => rt.stop()));
  const during = gcs.filter((g) => g.end > windows[0]!.t0 && g.start < windows.at(-1)!.last);
  const hit = windows.map((w) => during.some((g) => g.end > w.t0 && g.start < w.last));
  const clean = samples.filter((_, i) => !hit[i]);
  const pauses = during.map((g) => g.end - g.start);
  const scavenges = during.filter((g) => g.kind === 1).length; // NODE_PERFORMANCE_GC_MINOR
  return [
    `halt fan-out, put → last of ${STRATEGIES} strategies rejecting (${HALTS} halts, 10 warm-up): p50 ${fmt(pct(samples, 50))}, p99 ${fmt(pct(samples, 99))}, max ${fmt(Math.max(...samples))} (target p99 ≤ 10 ms)`,
    `  breakdown: put → first strategy rejecting p50 ${fmt(pct(windows.map((w) => w.first - w.t0), 50))}, p99 ${fmt(pct(windows.map((w) => w.first - w.t0), 99))}; first → last p50 ${fmt(pct(windows.map((w) => w.last - w.first), 50))}, p99 ${fmt(pct(windows.map((w) => w.last - w.first), 99))}`,
    `  GC during the run (halts and lifts): ${during.length} pauses (${scavenges} scavenges), ${fmt(pauses.reduce((a, b) => a + b, 0))} in all, longest ${fmt(Math.max(0, ...pauses))}; ${hit.filter(Boolean).length} of ${samples.length} halts overlapped one; the ${clean.length} others: p99 ${fmt(pct(clean, 99))}`,
    `  event loop delay over the run: p50 ${fmt(loopDelay.percentile(50) / 1e6)}, p99 ${fmt(loopDelay.percentile(99) / 1e6)}, max ${fmt(loopDelay.max / 1e6)}`,
  ];
}

/** The floor: put → the watch callback of another connection, nothing else in the process. */
async function floor(nats: NatsServer): Promise<string[]> {
  const writer = await connect({ servers: nats.url });
  const reader = await connect({ servers: nats.url });
  const kv = await new Kvm(jetstream(writer)).create('bench_floor', { history: 1 });
  const watcher = await (await new Kvm(jetstream(reader)).open('bench_floor')).watch({ key: 'halt.>' });
  let seen = 0;
  void (async () => {
    for await (const _entry of watcher) seen = performance.now();
  })();
  const samples: number[] = [];
  for (let i = 0; i < HALTS + 10; i++) {
    seen = 0;
    const t0 = performance.now();
    await kv.put('halt.firm', new TextEncoder().encode(JSON.stringify({ i })));
    const end = Date.now() + 5000;
    while (seen === 0) {
      if (Date.now() > end) throw new Error('bench: floor timed out');
      await new Promise((r) => setImmediate(r));
    }
    if (i >= 10) samples.push(seen - t0);
  }
  watcher.stop();
  await Promise.all([writer.close(), reader.close()]);
  return [`  reference, put → KV watch callback on another connection, no strategies: p50 ${fmt(pct(samples, 50))}, p99 ${fmt(pct(samples, 99))}, max ${fmt(Math.max(...samples))}`];
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
  for (const line of await floor(nats)) console.log(line);
  for (const line of await checkCost(nats)) console.log(line);
} finally {
  await nats.kill();
}
