/**
 * `POST /api/strategies/:name/overrides` on a real loopback server: operator-authenticated like
 * halts and resets, 400 naming the field for a malformed body, and a granted override lets the
 * matching order past its limit once (both steps in the journal).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger, createRiskRuntime, type RiskRuntime } from '../../src/index.ts';
import { createServer, type BreakerboxServer } from '../../src/server/index.ts';
import { call, TOKEN } from './helpers.ts';

let server: BreakerboxServer;
let url: string;
let rt: RiskRuntime;
beforeAll(async () => {
  rt = await createRiskRuntime({ strategy: 'alpha-1', breakers: { orderRate: false, errorRate: false }, limits: { maxOrderNotional: '100000' }, store: false, logger: createMemoryLogger() });
  rt.updatePortfolio({ value: '1000000' });
  server = await createServer({ strategies: new Map([['alpha-1', rt]]), token: TOKEN, logger: createMemoryLogger() });
  url = await server.listen({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await rt.stop();
});

const PATH = '/api/strategies/alpha-1/overrides';
const BODY = { operator: 'alice', reason: 'block trade approved by risk', limit: 'maxOrderNotional', order: { symbol: 'ES', side: 'buy', quantity: '25', price: '4500' }, ttl: 60 };

describe('overrides over HTTP', () => {
  it('refuses calls without a token (401) or with a wrong one (403); 404 for an unknown strategy', async () => {
    expect((await call(url, 'POST', PATH, { body: BODY, token: null })).status).toBe(401);
    expect((await call(url, 'POST', PATH, { body: BODY, token: 'not-the-token-at-all-123' })).status).toBe(403);
    expect((await call(url, 'POST', '/api/strategies/nope/overrides', { body: BODY })).status).toBe(404);
    expect((await rt.journal()).filter((e) => e.type === 'OverrideAuthorized')).toHaveLength(0);
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const cases: [unknown, string][] = [
      [{ ...BODY, limit: 'drawdown' }, 'limit'],
      [{ ...BODY, ttl: 0 }, 'ttl'],
      [{ ...BODY, order: { ...BODY.order, side: 'x' } }, 'order.side'],
      [{ ...BODY, operator: '' }, 'operator'],
    ];
    for (const [body, field] of cases) {
      const res = await call(url, 'POST', PATH, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION', field });
    }
  });

  it('grants a token; the matching order passes its limit once; both steps are journaled', async () => {
    const order = { symbol: 'ES', side: 'buy', quantity: 25, price: 4500 } as const;
    expect(rt.check(order)).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL' });
    const res = await call(url, 'POST', PATH, { body: BODY });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token: expect.any(String), limit: 'maxOrderNotional', expiresAt: expect.any(String) });
    expect(rt.check(order)).toEqual({ allowed: true });
    expect(rt.check(order)).toMatchObject({ code: 'LIMIT_ORDER_NOTIONAL' });
    await rt.flush();
    const journal = await rt.journal();
    expect(journal.filter((e) => e.type === 'OverrideAuthorized')).toEqual([expect.objectContaining({ operator: 'alice', details: expect.objectContaining({ limit: 'maxOrderNotional', token: res.body.token }) })]);
    expect(journal.filter((e) => e.type === 'OverrideUsed')).toEqual([expect.objectContaining({ operator: 'alice', details: expect.objectContaining({ token: res.body.token }) })]);
  });
});
