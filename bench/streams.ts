/**
 * Event streams on the trip path: with 0 and 1,500 open SSE clients that never read (slow
 * clients, their sockets full), how late is `cancelAllOrders` called after the breaching
 * portfolio update, and what does `check()` cost?
 *
 * Before the fan-out was moved off the trip path (issue 10) the figures were 250–350 ms late
 * and 4.5 ms per check with 1,500 streams; both must now be independent of the stream count.
 *
 * Run alone: `npx tsx bench/streams.ts` (STREAMS=1500 ROUNDS=100 to change the sizes).
 */
import { connect, type Socket } from 'node:net';
import { createRiskRuntime, silentLogger, type RiskRuntime } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';
import { fmtNs, table } from './lib.ts';

const STREAMS = Number(process.env.STREAMS ?? 1500);
const ROUNDS = Number(process.env.ROUNDS ?? 100);
const CHECKS = 20_000;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ORDER = { symbol: 'ES', side: 'buy', quantity: 1 } as const;

function slowClient(url: URL, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.once('data', () => {
        socket.pause(); // never reads again
        resolve(socket);
      });
    });
    socket.on('error', reject);
  });
}

const tick = () => new Promise((r) => setImmediate(r));

interface Figures {
  streams: number;
  cancelNs: number[];
  checkNs: number[];
  open: number;
}

async function run(streams: number): Promise<Figures> {
  let cancelledAt = 0n;
  const rt: RiskRuntime = await createRiskRuntime({
    strategy: 'bench-streams',
    logger: silentLogger,
    store: false,
    breakers: { drawdown: { threshold: -0.1 }, dailyLoss: { limit: -0.99 }, orderRate: { maxOrders: 1e6, window: 1 }, errorRate: { maxErrors: 1e6, window: 1 } },
    broker: { cancelAllOrders: () => void (cancelledAt = process.hrtime.bigint()) },
  });
  const server = await createServer({ strategies: new Map([[rt.strategy, rt]]), token: 'bench-token-0123456789', logger: silentLogger, dashboard: false, streams: { maxStreams: streams + 10 } });
  const url = new URL(await server.listen({ port: 0 }));
  const sockets: Socket[] = [];
  for (let i = 0; i < streams; i += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, streams - i) }, () => slowClient(url, `/api/strategies/${rt.strategy}/events`)))));
  }
  // Fill the slow clients' buffers: portfolio updates and decisions for a while.
  rt.updatePortfolio({ value: 1_000_000 });
  for (let i = 0; i < 200; i++) {
    for (let j = 0; j < 50; j++) rt.updatePortfolio({ value: 1_000_000 + ((i * 50 + j) % 7) });
    for (let j = 0; j < 50; j++) rt.check(ORDER);
    await tick();
  }

  const cancelNs: number[] = [];
  for (let round = -10; round < ROUNDS; round++) { // 10 warm-up rounds, not counted
    rt.updatePortfolio({ value: 1_000_000 });
    await tick();
    cancelledAt = 0n;
    const start = process.hrtime.bigint();
    rt.updatePortfolio({ value: 880_000 }); // breach: trip, cancel
    if (cancelledAt === 0n) throw new Error('bench: no cancel');
    if (round >= 0) cancelNs.push(Number(cancelledAt - start));
    await tick(); // let the fan-out write to every client
    const { token } = rt.requestReset({ breaker: 'drawdown', operator: 'bench' });
    rt.confirmReset({ token, operator: 'bench' });
    await tick();
  }
  rt.updatePortfolio({ value: 1_000_000 });
  const checkNs: number[] = [];
  for (let i = 0; i < CHECKS; i++) {
    const start = process.hrtime.bigint();
    rt.check(ORDER);
    checkNs.push(Number(process.hrtime.bigint() - start));
    if (i % 500 === 0) await tick();
  }
  // Slow clients past the buffer bound were dropped; the rest are still open.
  const open = sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
  sockets.forEach((s) => s.destroy());
  await server.close();
  await rt.stop();
  return { streams, cancelNs: cancelNs.sort((a, b) => a - b), checkNs: checkNs.sort((a, b) => a - b), open };
}

export async function benchStreams(): Promise<string[]> {
  const results = [await run(0), await run(STREAMS)];
  const rows = [['slow streams', 'trip → cancel p50', 'p99', 'max', 'check() p50', 'p99', 'still open at end']];
  for (const r of results) {
    rows.push([
      String(r.streams),
      fmtNs(percentile(r.cancelNs, 50)),
      fmtNs(percentile(r.cancelNs, 99)),
      fmtNs(r.cancelNs[r.cancelNs.length - 1]!),
      fmtNs(percentile(r.checkNs, 50)),
      fmtNs(percentile(r.checkNs, 99)),
      String(r.open),
    ]);
  }
  return [
    `${ROUNDS} trips per row (breach → cancelAllOrders, measured inside the call); ${CHECKS} checks; clients never read after the headers`,
    ...table(rows),
    'before issue 10 (per-stream listeners writing inside the trip): cancel 250–350 ms late, check() 4.5 ms with 1,500 streams',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchStreams().then(
    (lines) => {
      for (const line of lines) console.log(line);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
