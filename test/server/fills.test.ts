/**
 * `POST …/fills` over HTTP on a real server (loopback) feeds the fill-driven breakers: a fill's
 * `realizedPnl` reaches the trade-losses breaker, its `timestamp` the position book; a malformed
 * `realizedPnl` answers 400 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger, createRiskRuntime, type RiskRuntime } from '../../src/index.ts';
import { createServer, type BreakerboxServer } from '../../src/server/index.ts';
import { call } from './helpers.ts';

let server: BreakerboxServer;
let url: string;
let rt: RiskRuntime;
beforeAll(async () => {
  rt = await createRiskRuntime({
    strategy: 'alpha-1',
    breakers: { tradeLosses: { maxLosses: 2, lookback: 3600 }, executionRate: { maxFills: 100, window: 60 } },
    store: false,
    logger: createMemoryLogger(),
  });
  server = await createServer({ strategies: new Map([['alpha-1', rt]]), token: 'a-token-of-at-least-16', logger: createMemoryLogger() });
  url = await server.listen({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await rt.stop();
});

const fill = (extra: Record<string, unknown>) => ({ symbol: 'ES', side: 'sell', quantity: '1', price: '5000', ...extra });

describe('fills over HTTP', () => {
  it('a fill with realizedPnl reaches the trade-losses breaker: the second loss trips it; a gain and zero do not count', async () => {
    const post = (body: unknown) => call(url, 'POST', '/api/strategies/alpha-1/fills', { body, token: 'a-token-of-at-least-16' });
    rt.updatePortfolio({ value: '1000000' });
    expect((await post(fill({ realizedPnl: '-120.50' }))).status).toBe(200);
    expect((await post(fill({ realizedPnl: '300' }))).status).toBe(200);
    expect((await post(fill({ realizedPnl: 0 }))).status).toBe(200);
    expect(rt.status().breakers.tradeLosses).toMatchObject({ state: 'NORMAL', figures: { count: 1, lossSum: '-120.5' } });
    expect(rt.status().breakers.executionRate.figures).toMatchObject({ count: 3 });
    expect((await post(fill({ realizedPnl: '-0.01', timestamp: new Date().toISOString() }))).status).toBe(200);
    expect(rt.status().breakers.tradeLosses.state).toBe('TRIPPED');
    expect(rt.check({ symbol: 'ES', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, breaker: 'tradeLosses' });
  });

  it('a malformed realizedPnl answers 400 naming the field, and nothing is counted', async () => {
    const before = rt.status().breakers.executionRate.figures!.count;
    for (const bad of ['lots', true, { x: 1 }]) {
      const res = await call(url, 'POST', '/api/strategies/alpha-1/fills', { body: fill({ realizedPnl: bad }), token: 'a-token-of-at-least-16' });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain('realizedPnl');
    }
    expect(rt.status().breakers.executionRate.figures!.count).toBe(before);
  });
});
