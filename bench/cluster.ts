/**
 * `npm run bench:cluster` (not a test): needs `nats-server` on PATH; starts its own on a free
 * loopback port in a temp directory.
 *
 * 1. Halt fan-out: from the put of a firm halt (a separate NATS connection, as the process the
 *    CLI talks to) to the last of 15 strategies rejecting orders; p50/p99 over 200 halts, each
 *    followed by a lift. Target p99 ≤ 10 ms on loopback. The 15 runtimes share this process's
 *    one connection (as the strategies of one `serve` do); in-memory stores, so no disk sync is
 *    measured. Two paces:
 *    - operational (the target's figure): each halt is put once the process has published the
 *      audit records of the previous halt and lift (its audit backlog is empty), as a real halt
 *      finds a process that is not still publishing one from a few ms before;
 *    - back to back (a stress figure): the next halt as soon as the lift has reached every
 *      strategy. A halt and a lift make 30 audit records; published one at a time (≈ 0.4 ms
 *      each here) they cannot keep up with a halt every few ms, so the backlog grows through the
 *      run and its survivors lengthen every scavenge.
 *    The bench waits on the strategies' `state$`, not in a busy loop: a spinning bench would take
 *    a core from nats-server and from this process's own I/O, which a `serve` process never does.
 *    Diagnostics (not the figure): put → first strategy rejecting and first → last, the GC
 *    pauses (perf_hooks 'gc' entries) during the run and how many halts one overlapped, the
 *    p99 of the halts no GC pause overlapped, and the event loop's delay.
 *    Reference: the same put → a KV watch callback on another connection, with no strategy at
 *    all (the floor the host's scheduler and nats-server set).
 * 2. `check()` median with `cluster` and `firmLimits` on vs off (no network on the order path):
 *    target within 1.2×; sequential batches and, less at the mercy of the machine's mood, paired
 *    alternating batches (as bench/lib.ts's pairedRatio, with the event loop turned between
 *    pairs so the leased budget is refilled).
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
const CHECK_BATCH = 5000;
const PAIRS = 400;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function fanOut(nats: NatsServer, pace: 'operational' | 'back to back'): Promise<string[]> {
  const firm = pace === 'operational' ? 'bench' : 'bench-b2b';
  const cluster = { servers: nats.url, firm, heartbeatTimeout: 5 };
  const runtimes: RiskRuntime[] = [];
  for (let i = 0; i < STRATEGIES; i++) {
    const rt = await createRiskRuntime({ strategy: `s${i}`, store: false, breakers: { orderRate: false }, logger: createMemoryLogger(), cluster: { ...cluster, desk: i % 3 === 0 ? 'rates' : 'fx' } });
    rt.updatePortfolio({ value: 100_000 });
    runtimes.push(rt);
  }
  const node = clusterNodes().find((n) => n.config.firm === firm)!;
  const blockedAt = new Map<string, number>();
  let wake: (() => void) | null = null;
  for (const rt of runtimes) {
    rt.state$.subscribe((s) => {
      if (!s.ordersAllowed && !blockedAt.has(s.strategy)) blockedAt.set(s.strategy, performance.now());
      wake?.();
    });
  }
  const nc = await connect({ servers: nats.url });
  const kv = await new Kvm(jetstream(nc)).open(`breakerbox_${firm}`);
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  /** Waits for `done`, woken by any strategy's state$ (a 50 ms timer as a backstop), 5 s at most. */
  const wait = async (done: () => boolean) => {
    const end = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > end) throw new Error('bench: timed out');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
      wake = null;
    }
  };
  const drained = async () => {
    const end = Date.now() + 10_000;
    while (node.auditBacklog > 0) {
      if (Date.now() > end) throw new Error('bench: the audit backlog did not drain');
      await new Promise((r) => setTimeout(r, 1));
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
  let backlogMax = 0;
  for (let i = 0; i < HALTS + 10; i++) {
    if (pace === 'operational') await drained();
    backlogMax = Math.max(backlogMax, node.auditBacklog);
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
  const target = pace === 'operational' ? ` (target p99 ≤ 10 ms: ${pct(samples, 99) <= 10 ? 'MET' : 'MISSED'})` : ' (stress figure, no target)';
  return [
    `halt fan-out, ${pace}, put → last of ${STRATEGIES} strategies rejecting (${HALTS} halts, 10 warm-up): p50 ${fmt(pct(samples, 50))}, p99 ${fmt(pct(samples, 99))}, max ${fmt(Math.max(...samples))}${target}`,
    `  breakdown: put → first strategy rejecting p50 ${fmt(pct(windows.map((w) => w.first - w.t0), 50))}, p99 ${fmt(pct(windows.map((w) => w.first - w.t0), 99))}; first → last p50 ${fmt(pct(windows.map((w) => w.last - w.first), 50))}, p99 ${fmt(pct(windows.map((w) => w.last - w.first), 99))}`,
    `  audit backlog when a halt was put: at most ${backlogMax} records`,
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

/** Per-call ns of one batch; counts refusals (none expected: the leased budget is refilled between batches). */
function timeBatch(rt: RiskRuntime, refused: { n: number }): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CHECK_BATCH; i++) if (!rt.check(ORDER).allowed) refused.n++;
  return Number(process.hrtime.bigint() - t0) / CHECK_BATCH;
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
  // Sequential: 60 batches of one, then 60 of the other, three rounds (medians of the batches).
  const refused = { n: 0 };
  const medians = { off: [] as number[], on: [] as number[] };
  for (let round = 0; round < 3; round++) {
    for (const [key, rt] of [['off', off], ['on', on]] as const) {
      const batches: number[] = [];
      for (let b = 0; b < 60; b++) {
        batches.push(timeBatch(rt, refused));
        await new Promise((r) => setImmediate(r)); // let lease refills land
      }
      medians[key].push(pct(batches.slice(10), 50));
    }
  }
  // Paired: one batch of each side by side, alternating which goes first; the median of the ratios.
  const ratios: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const [a, b] = i & 1 ? [timeBatch(on, refused), timeBatch(off, refused)] : [timeBatch(off, refused), timeBatch(on, refused)];
    ratios.push(i & 1 ? a / b : b / a);
    await new Promise((r) => setImmediate(r));
  }
  if (refused.n > 0) throw new Error(`bench: ${refused.n} checks were refused (the leased budget ran out)`);
  await Promise.all([off.stop(), on.stop()]);
  const a = pct(medians.off, 50);
  const b = pct(medians.on, 50);
  const paired = pct(ratios, 50);
  return [
    `check() median: cluster+firmLimits off ${a.toFixed(0)} ns, on ${b.toFixed(0)} ns, ratio ${(b / a).toFixed(2)}× (target ≤ 1.2×: ${b / a <= 1.2 ? 'MET' : 'MISSED'})`,
    `  paired (${PAIRS} alternating batches of ${CHECK_BATCH}): on / off median ${paired.toFixed(2)}× (p10 ${pct(ratios, 10).toFixed(2)}×, p90 ${pct(ratios, 90).toFixed(2)}×), target ≤ 1.2×: ${paired <= 1.2 ? 'MET' : 'MISSED'}`,
  ];
}

const nats = await NatsServer.start();
try {
  console.log(`breakerbox cluster bench (node ${process.version}, nats-server on ${nats.url})`);
  for (const line of await fanOut(nats, 'operational')) console.log(line);
  for (const line of await fanOut(nats, 'back to back')) console.log(line);
  for (const line of await floor(nats)) console.log(line);
  for (const line of await checkCost(nats)) console.log(line);
} finally {
  await nats.kill();
}
