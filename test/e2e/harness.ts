import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createRiskRuntime, silentLogger, type BreakersConfig, type RiskRuntime } from '../../src/index.ts';
import { createServer, type BreakerboxServer } from '../../src/server/app.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = `${ROOT}test-artifacts`;

/** Breakers of the scenario: drawdown trips at -10 %; the daily-loss limit is wide enough not to. */
export const SCENARIO_BREAKERS: BreakersConfig = {
  drawdown: { threshold: -0.1 },
  dailyLoss: { limit: -0.2 },
  orderRate: { maxOrders: 100, window: 60 },
  errorRate: { maxErrors: 10, window: 60 },
};

export interface Harness {
  readonly url: string;
  readonly token: string;
  readonly runtimes: ReadonlyMap<string, RiskRuntime>;
  readonly server: BreakerboxServer;
  close(): Promise<void>;
}

/**
 * Starts real runtimes (system clock, in-memory store) behind the real control API server
 * (src/server/app.ts `createServer`, which registers the dashboard) on a free local port.
 */
export async function startHarness(names: readonly string[] = ['alpha-1', 'beta-2']): Promise<Harness> {
  const runtimes = new Map<string, RiskRuntime>();
  for (const strategy of names) {
    runtimes.set(strategy, await createRiskRuntime({ strategy, breakers: SCENARIO_BREAKERS, store: false, logger: silentLogger, resetTimeout: 60 }));
  }
  const token = 'e2e-operator-token-0123456789abcdef';
  const server = await createServer({ strategies: runtimes, token, logger: silentLogger, rateLimit: { read: 100_000, operator: 1000, ingest: 100_000 } });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    token,
    runtimes,
    server,
    async close() {
      await server.close();
      await Promise.allSettled([...runtimes.values()].map((rt) => rt.stop()));
    },
  };
}

/** Launches Debian's chromium headless, offline-friendly (no background networking). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
