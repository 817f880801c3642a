/**
 * `npm run soak`: a long run through a real LevelDB store, with alerts delivered to a webhook
 * receiver on loopback — portfolio updates, orders and errors, with trips, resets and the
 * retention of outbox (automatic) and journal (pruned as an operator would, every simulated
 * hour, keeping two hours). The process's memory and the store's size are sampled along the
 * way; the run fails if either keeps growing (the second half's peak must stay within 1.5× the
 * first half's, plus slack). Not part of `npm test`.
 *
 *   SOAK_UPDATES=10000000 (default) — portfolio updates; an order check every 10; an error every 1,000
 *
 * With position limits on, orders carry ids across symbols spelled in mixed case; fills follow
 * (some late: of closed, covered or unknown orders; some with their execution time), closes, and a position report every 1,000
 * updates as of 3 s earlier (ms or ISO), plus a report older than the newest every 100,000
 * (ignored and counted): the book of open orders, fills and reports must stay bounded too.
 *   SOAK_SAMPLES=20 — samples printed
 *
 * Time is simulated (10 ms per update: 10 million updates ≈ 28 simulated hours).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BreakerState } from '../machines/constants.ts';
import { createRiskRuntime, ManualClock, silentLogger } from '../src/index.ts';
import { directoryBytes } from '../src/store/database.ts';
import { storeInfo } from '../src/store/registry.ts';
import { table } from './lib.ts';

const UPDATES = Number(process.env.SOAK_UPDATES ?? 10_000_000);
const SAMPLES = Number(process.env.SOAK_SAMPLES ?? 20);
const STEP_MS = 10;
const BATCH = 1_000;
const HOUR = 3_600_000;
const ORDER = { symbol: 'ES', side: 'buy', quantity: 1, price: 5000 } as const;
/** One instrument in several spellings, and another (canonicalised where the runtime does). */
const SYMBOLS = ['ES', 'es', 'Es', 'NQ', 'nq'] as const;
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-soak-'));
  let received = 0;
  const hook = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;

  const clock = new ManualClock(Date.UTC(2026, 0, 5, 0, 0, 0));
  let cancels = 0;
  const rt = await createRiskRuntime({
    strategy: 'soak',
    store: { path: join(dir, 'data') },
    clock,
    logger: silentLogger,
    breakers: {
      drawdown: { threshold: -0.1 },
      dailyLoss: { limit: -0.5 },
      orderRate: { maxOrders: 700, window: 60 },
      errorRate: { maxErrors: 10, window: 60 },
    },
    broker: { cancelAllOrders: () => void cancels++ },
    // Position limits: every allowed order is reserved, so the book is in the loop.
    limits: { maxPosition: 1_000_000 },
    alerts: {
      webhooks: [{ url: `${hookUrl}/hook`, format: 'json' }],
      allowlist: [`${hookUrl}/`],
      outboxRetentionMs: HOUR,
      // Simulated time runs ~1,000× faster than real time: never time out a real delivery.
      timeoutMs: 24 * HOUR,
    },
  });
  const level = storeInfo(rt)!.level!;
  const path = storeInfo(rt)!.path!;

  const counts = { trips: 0, resets: 0, errors: 0, orders: 0, journalPruned: 0, fills: 0, reports: 0, ignored: 0 };
  rt.events$.subscribe((e) => {
    if (e.type === 'CircuitBreakerTripped') counts.trips++;
    if (e.type === 'ResetConfirmed') counts.resets++;
    if (e.type === 'InputRejected' && e.details.field === 'asOf') counts.ignored++;
  });

  const samples: { at: number; rss: number; heap: number; store: number; sent: number }[] = [];
  const every = Math.max(BATCH, Math.floor(UPDATES / SAMPLES / BATCH) * BATCH);
  const started = performance.now();
  let value = 1_000_000;
  let lastJournalPrune = clock.now();

  const resetAll = () => {
    const status = rt.status();
    for (const b of ['drawdown', 'dailyLoss', 'errorRate'] as const) {
      if (status.breakers[b].state === BreakerState.TRIPPED) {
        const { token } = rt.requestReset({ breaker: b, operator: 'soak' });
        rt.confirmReset({ token, operator: 'soak' });
      }
    }
  };

  /** Fills (of the order placed 20 updates before, of closed and of unknown orders), closes and as-of reports. */
  const positionEvents = (j: number) => {
    if (j % 10 !== 0 || j % 20 === 0) {
      if (j % 1_000 === 700) {
        const asOf = clock.now() - 3_000;
        const positions = SYMBOLS.map((symbol, k) => ({ symbol, quantity: ((j + k) % 7) - 3, price: 100 + k }));
        rt.updatePortfolio({ value, positions, asOf: j % 2_000 === 700 ? asOf : new Date(asOf).toISOString() });
        counts.reports++;
      }
      if (j % 100_000 === 900) rt.updatePortfolio({ value, positions: [], asOf: clock.now() - HOUR }); // older: ignored
      return;
    }
    if (j < 20) return;
    const id = `o${j - 20}`;
    if (j % 60 === 30) rt.recordOrderClosed({ id });
    else {
      const fill = { orderId: j % 330 === 30 ? `gone-${j}` : id, symbol: SYMBOLS[((j - 20) / 10) % SYMBOLS.length]!, side: (j - 20) % 40 === 10 ? ('buy' as const) : ('sell' as const), quantity: 1, price: 100 };
      // Every 7th fill carries its execution time, some before the last report's asOf (already in it).
      rt.recordFill(j % 70 === 50 ? { ...fill, timestamp: clock.now() - ((j / 70) % 2 ? 500 : 6_000) } : fill);
    }
    counts.fills++;
  };

  rt.updatePortfolio({ value });
  for (let i = 0; i < UPDATES; i += BATCH) {
    for (let j = i; j < i + BATCH && j < UPDATES; j++) {
      clock.advance(STEP_MS);
      // A quiet walk around the level, a crash every 250,000 updates, then a recovery.
      const phase = j % 250_000;
      value = phase === 0 && j > 0 ? value * 0.85 : phase < 50_000 ? value : 1_000_000 + ((j * 7919) % 2001) - 1000;
      rt.updatePortfolio({ value });
      if (j % 10 === 0) {
        rt.check(j % 20 === 0 ? ORDER : { id: `o${j}`, symbol: SYMBOLS[(j / 10) % SYMBOLS.length]!, side: j % 40 === 10 ? 'buy' : 'sell', quantity: 1 });
        counts.orders++;
      }
      positionEvents(j);
      if (j % 1_000 === 500) {
        rt.recordError({ kind: 'broker_error', message: `soak error ${j}` });
        counts.errors++;
      }
      // A burst of errors every 300,000 updates trips the error rate; a burst of orders every
      // 400,000 trips the order rate (which heals by itself).
      if (j % 300_000 === 150_000) for (let k = 0; k < 12; k++) rt.recordError({ kind: 'order_rejected', message: 'burst' });
      if (j % 400_000 === 200_000) for (let k = 0; k < 750; k++) rt.check(ORDER);
      if (phase === 10 || j % 300_000 === 150_010) resetAll();
    }
    await rt.flush();
    // The operator's retention policy: every simulated hour, prune the journal older than 2 h.
    if (clock.now() - lastJournalPrune >= HOUR) {
      lastJournalPrune = clock.now();
      counts.journalPruned += await level.pruneJournal(clock.now() - 2 * HOUR, 'soak', clock.now());
    }
    await new Promise((r) => setImmediate(r));
    if ((i + BATCH) % every === 0 || i + BATCH >= UPDATES) {
      // Retained memory: collect first when the soak runs with --expose-gc (npm run soak does).
      (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      samples.push({ at: Math.min(UPDATES, i + BATCH), rss: mem.rss, heap: mem.heapUsed, store: (await directoryBytes(path)) ?? 0, sent: received });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const openAtEnd = rt.status().controls.openOrders;
  const attempts = await rt.alertHistory();
  await rt.stop();
  await new Promise<void>((r) => hook.close(() => r()));
  rmSync(dir, { recursive: true, force: true });

  const lines = [
    `soak: ${UPDATES.toLocaleString('en')} portfolio updates, ${counts.orders.toLocaleString('en')} order checks (+ bursts), ${counts.errors.toLocaleString('en')}+ errors in ${seconds.toFixed(0)} s ` +
      `(${Math.round(UPDATES / seconds).toLocaleString('en')} updates/s), ${((UPDATES * STEP_MS) / HOUR).toFixed(1)} simulated hours`,
    `trips ${counts.trips}, confirmed resets ${counts.resets}, cancels ${cancels}, webhook requests received ${received}, attempt records kept at the end ${attempts.length}, journal entries pruned ${counts.journalPruned}`,
    `fills and closes ${counts.fills.toLocaleString('en')}, position reports as of 3 s before ${counts.reports.toLocaleString('en')}, older reports ignored ${counts.ignored}, open orders at the end ${openAtEnd}`,
    ...table([
      ['updates', 'rss', 'heap used', 'store on disk', 'alerts received'],
      ...samples.map((s) => [s.at.toLocaleString('en'), mb(s.rss), mb(s.heap), mb(s.store), String(s.sent)]),
    ]),
  ];
  for (const line of lines) console.log(line);

  // Flat means bounded: the second half's peak stays near the first half's.
  const half = Math.floor(samples.length / 2);
  const peak = (xs: number[]) => Math.max(...xs);
  const verdicts = [
    ['heap', peak(samples.slice(half).map((s) => s.heap)), peak(samples.slice(0, half).map((s) => s.heap)), 16 * 1_048_576],
    ['store', peak(samples.slice(half).map((s) => s.store)), peak(samples.slice(0, half).map((s) => s.store)), 8 * 1_048_576],
  ] as const;
  let ok = true;
  for (const [what, second, first, slack] of verdicts) {
    const bounded = second <= first * 1.5 + slack;
    ok &&= bounded;
    console.log(`${what}: first-half peak ${mb(first)}, second-half peak ${mb(second)} → ${bounded ? 'flat (bounded)' : 'GROWING'}`);
  }
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
