/**
 * The message checks over HTTP on a real server (loopback): `orders/check/modify` and
 * `orders/check/cancel` answer the runtime's Decision, with the ingest routes' auth, a 400 naming
 * the field for a malformed body, and the message-rate breaker counting every well-formed one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger, createRiskRuntime, type RiskRuntime } from '../../src/index.ts';
import { createServer, type BreakerboxServer } from '../../src/server/index.ts';
import { call, TOKEN } from './helpers.ts';

let server: BreakerboxServer;
let url: string;
let rt: RiskRuntime;
beforeAll(async () => {
  rt = await createRiskRuntime({
    strategy: 'alpha-1',
    breakers: { messageRate: { maxMessages: 4, window: 3600 }, orderRate: false, errorRate: false },
    limits: { maxPosition: 100, maxOrderQuantity: 10 },
    store: false,
    logger: createMemoryLogger(),
  });
  server = await createServer({ strategies: new Map([['alpha-1', rt]]), token: TOKEN, logger: createMemoryLogger() });
  url = await server.listen({ port: 0 });
});
afterAll(async () => {
  await server.close();
  await rt.stop();
});

const path = (p: string) => `/api/strategies/alpha-1/orders/check/${p}`;

describe('message checks over HTTP', () => {
  it('refuses calls without a token (401) or with a wrong one (403); 404 for an unknown strategy', async () => {
    for (const p of ['modify', 'cancel']) {
      expect((await call(url, 'POST', path(p), { body: { id: 'a' }, token: null })).status).toBe(401);
      expect((await call(url, 'POST', path(p), { body: { id: 'a' }, token: 'not-the-token-at-all-123' })).status).toBe(403);
      expect((await call(url, 'POST', `/api/strategies/nope/orders/check/${p}`, { body: { id: 'a' } })).status).toBe(404);
    }
    expect(rt.status().breakers.messageRate.figures).toMatchObject({ count: 0 });
  });

  it('answers 400 naming the field for a malformed body (journaled, not counted)', async () => {
    const cases: [string, unknown, string][] = [
      ['modify', { id: 'a' }, 'body'],
      ['modify', { id: '', quantity: 1 }, 'id'],
      ['modify', { id: 'a', quantity: -1 }, 'quantity'],
      ['modify', { id: 'a', price: 'abc' }, 'price'],
      ['cancel', { id: 7 }, 'id'],
      ['cancel', [], 'id'],
    ];
    for (const [p, body, field] of cases) {
      const res = await call(url, 'POST', path(p), { body });
      expect(res.status, `${p} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION', field });
    }
    const journal = await rt.journal();
    expect(journal.filter((e) => e.type === 'InputRejected').length).toBe(cases.length);
    expect(rt.status().breakers.messageRate.figures).toMatchObject({ count: 0 });
  });

  it('decides like the API: a modification judged against its open order, a cancellation always allowed; the message rate trips and cancellations still pass', async () => {
    expect((await call(url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: '1000' } })).status).toBe(200);
    expect((await call(url, 'POST', '/api/strategies/alpha-1/orders/check', { body: { id: 'o1', symbol: 'AAPL', side: 'buy', quantity: 5 } })).body).toEqual({ allowed: true });
    expect((await call(url, 'POST', path('modify'), { body: { id: 'o1', quantity: 10 } })).body).toEqual({ allowed: true });
    expect((await call(url, 'POST', path('modify'), { body: { id: 'o1', quantity: '11' } })).body).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_QUANTITY', limit: 'maxOrderQuantity' });
    expect((await call(url, 'POST', path('cancel'), { body: { id: 'o1' } })).body).toEqual({ allowed: true });
    // The fifth message in the window trips the breaker and is itself rejected.
    expect((await call(url, 'POST', path('modify'), { body: { id: 'o1', price: 1 } })).body).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'messageRate' });
    expect((await call(url, 'POST', path('cancel'), { body: { id: 'o1' } })).body).toEqual({ allowed: true });
    const status = await call(url, 'GET', '/api/strategies/alpha-1/status', { token: null });
    expect(status.body.breakers.messageRate).toMatchObject({ state: 'TRIPPED', figures: { count: 6, byKind: { order: 1, modify: 3, cancel: 2 } } });
  });
});
