/**
 * Persistence benchmarks: how long until a trip is durable on disk, and what persistence costs
 * the portfolio update, each beside its baselines measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { createRiskRuntime, silentLogger, systemClock, type Clock } from '../src/index.ts';
import { fmtNs, measure, table, type BatchTask } from './lib.ts';

const wallClock: Clock = {
  now: () => Date.now(),
  monotonic: systemClock.monotonic, // windows and ages read it (src/clock.ts)
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return () => clearTimeout(handle);
  },
};

const ROUNDS = 200;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function tripToDurable(path: string | false): Promise<number[]> {
  const rt = await createRiskRuntime({
    strategy: 'bench-durable', logger: silentLogger, clock: wallClock,
    store: path === false ? false : { path }, breakers: { drawdown: { threshold: -0.1 } },
  });
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    rt.updatePortfolio({ value: '1000000' });
    await rt.flush();
    const start = process.hrtime.bigint();
    rt.updatePortfolio({ value: '899999.99' }); // breach: trip
    await rt.flush(); // resolves when the trip's batch (snapshot + journal) is synced
    samples.push(Number(process.hrtime.bigint() - start));
    if (rt.state !== 'TRIPPED') throw new Error('bench: the breach did not trip');
    const { token } = rt.requestReset({ breaker: 'drawdown', operator: 'bench' });
    rt.confirmReset({ token, operator: 'bench' });
    await rt.flush();
  }
  await rt.stop();
  return samples.sort((a, b) => a - b);
}

async function bareSyncPut(path: string): Promise<number[]> {
  const db = new Level<string, string>(path);
  await db.open();
  const samples: number[] = [];
  const value = 'x'.repeat(3000); // about the size of a strategy record
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await db.put('k', value, { sync: true } as never);
    samples.push(Number(process.hrtime.bigint() - start));
  }
  await db.close();
  return samples.sort((a, b) => a - b);
}

/** Breaching update → signed trip webhook received on loopback, through the runtime, its store and its outbox. */
async function tripToWebhook(path: string): Promise<number[]> {
  let arrived: (() => void) | null = null;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.writeHead(200).end('ok');
      if (body.includes('"event_type":"CircuitBreakerTripped"')) arrived?.();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const rt = await createRiskRuntime({
    strategy: 'bench-alert', logger: silentLogger, clock: wallClock, store: { path },
    breakers: { drawdown: { threshold: -0.1 } },
    alerts: { webhooks: [{ url, format: 'json', secret: 'bench-secret-0123456789' }], allowlist: [url], maxPerHour: 100_000 },
  });
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    rt.updatePortfolio({ value: '1000000' });
    await rt.flush();
    const received = new Promise<void>((r) => (arrived = r));
    const start = process.hrtime.bigint();
    rt.updatePortfolio({ value: '899999.99' });
    await received;
    samples.push(Number(process.hrtime.bigint() - start));
    arrived = null;
    const { token } = rt.requestReset({ breaker: 'drawdown', operator: 'bench' });
    rt.confirmReset({ token, operator: 'bench' });
    await rt.flush();
  }
  await rt.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  return samples.sort((a, b) => a - b);
}

export async function benchPersistence(): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bbx-bench-'));
  const lines: string[] = [];
  try {
    const durable = await tripToDurable(join(dir, 'trip'));
    const memory = await tripToDurable(false);
    const floor = await bareSyncPut(join(dir, 'floor'));
    lines.push(`(c) breaching update → trip durable on disk (${ROUNDS} trips, real clock, fsync'd LevelDB batch)`);
    lines.push(
      ...table([
        ['operation', 'median', 'p99'],
        ['breakerbox: update → trip synced (store: { path })', fmtNs(percentile(durable, 50)), fmtNs(percentile(durable, 99))],
        ['baseline: bare LevelDB put, sync: true, 3 KB', fmtNs(percentile(floor, 50)), fmtNs(percentile(floor, 99))],
        ['baseline: update → trip committed (store: false)', fmtNs(percentile(memory, 50)), fmtNs(percentile(memory, 99))],
      ]),
    );

    const webhook = await tripToWebhook(join(dir, 'webhook'));
    lines.push('');
    lines.push(`(e) breaching update → trip webhook received on loopback (${ROUNDS} trips; synced batch, then signed POST via undici; target p99 < 20 ms)`);
    lines.push(
      ...table([
        ['operation', 'median', 'p99'],
        ['breakerbox: update → durable → webhook arrives', fmtNs(percentile(webhook, 50)), fmtNs(percentile(webhook, 99))],
        ['baseline: update → trip synced (no alert), above', fmtNs(percentile(durable, 50)), fmtNs(percentile(durable, 99))],
      ]),
    );

    // (d) the hot path with and without persistence
    const mk = (path: string | false, name: string) =>
      createRiskRuntime({ strategy: name, logger: silentLogger, clock: wallClock, store: path === false ? false : { path }, breakers: 'moderate' });
    const steadyOn = await mk(join(dir, 'steady'), 'steady');
    const steadyOff = await mk(false, 'steady-mem');
    const risingOn = await mk(join(dir, 'rising'), 'rising');
    const risingOff = await mk(false, 'rising-mem');
    for (const rt of [steadyOn, steadyOff]) rt.updatePortfolio({ value: '2000000' });
    const values = Array.from({ length: 1024 }, (_, i) => (1_990_000 + (i % 97) * 13.25).toFixed(2));
    let k = 0;
    let level = 1_000_000;
    const BATCH = 1000;
    const tasks: BatchTask[] = [
      { name: 'update, no new high, store: { path }', batch: BATCH, fn: () => { for (let i = 0; i < BATCH; i++) steadyOn.updatePortfolio({ value: values[k++ & 1023]! }); } },
      { name: 'update, no new high, store: false', batch: BATCH, fn: () => { for (let i = 0; i < BATCH; i++) steadyOff.updatePortfolio({ value: values[k++ & 1023]! }); } },
      { name: 'update, new high every tick, store: { path }', batch: BATCH, fn: () => { for (let i = 0; i < BATCH; i++) risingOn.updatePortfolio({ value: String(level++) }); } },
      { name: 'update, new high every tick, store: false', batch: BATCH, fn: () => { for (let i = 0; i < BATCH; i++) risingOff.updatePortfolio({ value: String(level++) }); } },
    ];
    const measured = await measure(tasks, { time: 800 });
    for (const rt of [steadyOn, steadyOff, risingOn, risingOff]) {
      if (rt.state !== 'NORMAL') throw new Error(`bench: ${rt.strategy} tripped during the run`);
      await rt.stop();
    }
    lines.push('');
    lines.push('(d) updatePortfolio with persistence on vs off (per call; batches of 1,000)');
    lines.push(...table([['operation', 'median', 'p99'], ...measured.map((m) => [m.name, fmtNs(m.medianNs), fmtNs(m.p99Ns)])]));
    lines.push('    New highs are written at once (coalesced to one queued write); other counters are debounced (250 ms).');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}
