/**
 * The sidecar's cost: an order check over loopback from Node (undici, one keep-alive
 * connection) and from Python (the client, spawned), beside a bare route of the same server
 * (same body, same hooks, a constant answer) measured in the same run, interleaved; median and
 * p99 per call, and checks per second over one connection, one after the other.
 * Target (docs/performance.md): a check within 1.5× of the bare route, median, for both.
 *
 * Run alone: `npx tsx bench/sidecar.ts` (SIDECAR_ROUNDS=20000 to change the size).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client as UndiciClient } from 'undici';
import { createRiskRuntime, silentLogger } from '../src/index.ts';
import { createServer } from '../src/server/index.ts';
import { fmtNs, table } from './lib.ts';

const ROUNDS = Number(process.env.SIDECAR_ROUNDS ?? 10_000);
const TOKEN = 'bench-token-0123456789abcdef';
const STRATEGY = 'bench-sidecar';
const BODY = JSON.stringify({ symbol: 'ES', side: 'buy', quantity: '1', price: '5012.25' });
const TARGET = 1.5;

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

interface Figures {
  readonly check: number[];
  readonly bare: number[];
  readonly perSecond: number;
}

async function nodeClient(url: string): Promise<Figures> {
  const client = new UndiciClient(url, { pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  const post = async (path: string): Promise<void> => {
    const res = await client.request({ method: 'POST', path, headers, body: BODY });
    const text = await res.body.text();
    if (res.statusCode !== 200 || !text.startsWith('{"allowed":true')) throw new Error(`${path}: ${res.statusCode} ${text}`);
  };
  const checkPath = `/api/strategies/${STRATEGY}/orders/check`;
  for (let i = 0; i < Math.min(2000, ROUNDS); i++) {
    await post(checkPath);
    await post('/bench/bare');
  }
  const out: Figures = { check: [], bare: [], perSecond: 0 };
  for (let block = 0; block < ROUNDS / 50; block++) {
    for (const [path, samples] of [[checkPath, out.check], ['/bench/bare', out.bare]] as const) {
      for (let i = 0; i < 50; i++) {
        const t0 = process.hrtime.bigint();
        await post(path);
        samples.push(Number(process.hrtime.bigint() - t0));
      }
    }
  }
  let n = 0;
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() - start < 1_000_000_000n) {
    await post(checkPath);
    n++;
  }
  await client.close();
  return { ...out, perSecond: n / (Number(process.hrtime.bigint() - start) / 1e9) };
}

function pythonClient(url: string): Promise<Figures | string> {
  const python = ['/usr/bin/python3', 'python3'].find((p) => !p.startsWith('/') || existsSync(p)) ?? 'python3';
  const root = fileURLToPath(new URL('..', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(python, [fileURLToPath(new URL('./sidecar.py', import.meta.url)), url, TOKEN, STRATEGY, String(ROUNDS)], {
      env: { ...process.env, PYTHONPATH: `${root}clients/python/src` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(`python could not be started: ${e.message}`));
    child.on('close', (code) => {
      if (code !== 0) return resolve(`python exited with ${code}: ${err.trim().split('\n').at(-1) ?? ''}`);
      resolve(JSON.parse(out) as Figures);
    });
  });
}

function rows(client: string, f: Figures): string[][] {
  const check = [...f.check].sort((a, b) => a - b);
  const bare = [...f.bare].sort((a, b) => a - b);
  const ratio = percentile(check, 50) / percentile(bare, 50);
  return [
    [`${client}: order check`, fmtNs(percentile(check, 50)), fmtNs(percentile(check, 99)), `${(f.perSecond / 1000).toFixed(1)} k/s`, `${ratio.toFixed(2)}× ${ratio <= TARGET ? '✓' : '✗'} (≤ ${TARGET}×)`],
    [`${client}: bare route`, fmtNs(percentile(bare, 50)), fmtNs(percentile(bare, 99)), '', ''],
  ];
}

/** The sidecar suite for bench/run.ts. */
export async function benchSidecar(): Promise<string[]> {
  const rt = await createRiskRuntime({
    strategy: STRATEGY,
    logger: silentLogger,
    store: false,
    breakers: { drawdown: { threshold: -0.5 }, dailyLoss: { limit: -0.99 }, orderRate: { maxOrders: 1e6, window: 1 }, errorRate: { maxErrors: 1e6, window: 1 } },
  });
  rt.updatePortfolio({ value: '1000000' });
  const server = await createServer({ strategies: new Map([[STRATEGY, rt]]), token: TOKEN, logger: silentLogger, rateLimit: { ingest: 1e9, read: 1e9, operator: 1e9 }, dashboard: false });
  // The bench's own bare route: same server, same hooks and body parsing, a constant answer.
  const constant = { allowed: true };
  server.app.post('/bench/bare', async () => constant);
  const url = await server.listen({ port: 0 });
  try {
    const node = await nodeClient(url);
    const py = await pythonClient(url);
    const lines = table([
      ['over loopback, one keep-alive connection', 'median', 'p99', 'checks/s', 'check ÷ bare'],
      ...rows('Node (undici)', node),
      ...(typeof py === 'string' ? [] : rows('Python (breakerbox_client)', py)),
    ]);
    if (typeof py === 'string') lines.push(`Python skipped: ${py}`);
    lines.push(`${ROUNDS} calls each, interleaved in blocks of 50; checks/s: one connection, one call after the other, for 1 s`);
    return lines;
  } finally {
    await server.close();
    await rt.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchSidecar().then(
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
