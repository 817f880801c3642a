import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAlertManager } from '../src/alerts/index.ts';
import type { RiskEvent } from '../src/events.ts';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * Latency from `enqueue(trip)` to the signed webhook request arriving at a loopback node:http
 * receiver (real clock, in-memory outbox, rate limit lifted). Returns lines of text to print.
 */
export async function benchAlerts(options: { readonly runs?: number; readonly warmup?: number } = {}): Promise<string[]> {
  const runs = options.runs ?? 200;
  const warmup = options.warmup ?? 20;
  let arrived: ((at: number) => void) | null = null;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200).end();
      arrived?.(at);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const manager = createAlertManager({
    webhooks: [{ url: `${url}/hook`, secret: 'bench-secret-0123456789' }],
    allowlist: [`${url}/`],
    maxPerHour: 1_000_000,
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const now = Date.now();
      const event: RiskEvent = {
        id: `bench-${now}-${i}`,
        type: 'CircuitBreakerTripped',
        strategy: 'bench',
        breaker: 'drawdown',
        at: now,
        timestamp: new Date(now).toISOString(),
        details: { value: '940000', highWaterMark: '1050000', drawdown: '-0.1047', threshold: '-0.10' },
      };
      const received = new Promise<number>((resolve) => {
        arrived = resolve;
      });
      const start = performance.now();
      manager.enqueue(event);
      const end = await received;
      if (i >= warmup) samples.push(end - start);
      await manager.settled();
    }
  } finally {
    await manager.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length;
  return [
    `alerts: enqueue(trip) → signed webhook received on loopback, ${samples.length} runs (${warmup} warm-up)`,
    `  median ${percentile(samples, 50).toFixed(3)} ms   p99 ${percentile(samples, 99).toFixed(3)} ms   mean ${mean.toFixed(3)} ms   max ${samples[samples.length - 1].toFixed(3)} ms`,
  ];
}
