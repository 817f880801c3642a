import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstBreaker } from '../../src/present/overview.ts';
import { call, startTestServer, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer(['alpha-1', 'beta-2', 'gamma-3']);
});
afterAll(async () => {
  await s.close();
});

const row = (body: any, name: string) => body.strategies.find((r: { strategy: string }) => r.strategy === name);

describe('GET /api/overview and POST /api/halt (every strategy of the process)', () => {
  it('lists every strategy with state, trading mode, value, P&L today, the worst breaker and open orders', async () => {
    await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: '100000' } });
    await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: '97000' } });
    await call(s.url, 'POST', '/api/strategies/beta-2/portfolio', { body: { value: '50000' } });
    expect((await call(s.url, 'POST', '/api/strategies/beta-2/orders/check', { body: { id: 'o1', symbol: 'ES', side: 'buy', quantity: 1, price: '10' } })).body.allowed).toBe(true);
    const res = await call(s.url, 'GET', '/api/overview', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.strategies.map((r: { strategy: string }) => r.strategy)).toEqual(['alpha-1', 'beta-2', 'gamma-3']);
    const a = row(res.body, 'alpha-1');
    expect(a).toMatchObject({ state: 'NORMAL', tradingMode: 'ACTIVE', ordersAllowed: true, value: '97,000.00', pnlLoss: true, openOrders: null });
    expect(a.pnlToday).toBe('-3,000.00 (-3.00%)');
    // 3 % down of a 5 % daily-loss limit (60 %) is nearer its limit than 3 % of a 10 % drawdown (30 %).
    expect(a.worst).toMatchObject({ type: 'dailyLoss', light: 'NORMAL', meterText: '60% of the limit' });
    // Open orders live in the position book, which only pre-trade limits keep: not tracked here.
    expect(row(res.body, 'beta-2')).toMatchObject({ value: '50,000.00', openOrders: null });
    // No value yet: orders are blocked, and the row says why.
    expect(row(res.body, 'gamma-3')).toMatchObject({ value: '–', ordersAllowed: false });
    expect(row(res.body, 'gamma-3').fault).toMatch(/blocked/);
    expect(res.body.counts).toEqual({ ACTIVE: 3, REDUCING: 0, HALTED: 0, UNKNOWN: 0 });
  });

  it('refuses a halt of every strategy without a token, or without a reason, and changes nothing', async () => {
    expect((await call(s.url, 'POST', '/api/halt', { body: { operator: 'ann', reason: 'x' }, token: null })).status).toBe(401);
    expect((await call(s.url, 'POST', '/api/halt', { body: { operator: 'ann', reason: 'x' }, token: 'wrong-token-0123456789' })).status).toBe(403);
    const bad = await call(s.url, 'POST', '/api/halt', { body: { operator: 'ann', mode: 'sideways', reason: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('mode');
    for (const rt of s.runtimes.values()) expect(rt.state).toBe('NORMAL');
  });

  it('halts every strategy reduce-only, then tightens every one to a full halt', async () => {
    const reducing = await call(s.url, 'POST', '/api/halt', { body: { operator: 'desk', reason: 'news', mode: 'reduceOnly' } });
    expect(reducing.status).toBe(200);
    expect(reducing.body.halted).toHaveLength(3);
    for (const r of reducing.body.halted) expect(r).toMatchObject({ state: 'MANUALLY_HALTED', tradingMode: 'REDUCING', error: null });
    expect(s.cancels.filter((c) => c.endsWith('/manual')).sort()).toEqual(['alpha-1/manual', 'beta-2/manual', 'gamma-3/manual']);
    const overview = (await call(s.url, 'GET', '/api/overview')).body;
    expect(overview.counts).toMatchObject({ REDUCING: 3, ACTIVE: 0 });
    expect(row(overview, 'alpha-1').worst).toMatchObject({ type: 'manual', light: 'MANUALLY_HALTED', figure: 'halted by desk' });

    const full = await call(s.url, 'POST', '/api/halt', { body: { operator: 'risk', reason: 'worse news' } });
    for (const r of full.body.halted) expect(r).toMatchObject({ state: 'MANUALLY_HALTED', tradingMode: 'HALTED', tightened: true, alreadyHalted: { operator: 'desk' } });
    for (const rt of s.runtimes.values()) expect(rt.check({ symbol: 'ES', side: 'sell', quantity: 1 }).allowed).toBe(false);
  });
});

describe('worstBreaker', () => {
  const b = (type: string, light: string, use: number | null, enabled = true) =>
    ({ type, name: type, enabled, light, stateLabel: light, figure: '', details: [], reason: null, resetExpiresInMs: null, canReset: false, meter: use === null ? null : { label: '', use, level: 'ok', text: `${Math.round(use * 100)}% of the limit` }, resetEffects: [] }) as never;
  it('takes the most severe light, then the breaker nearest its limit, never a disabled one', () => {
    expect(worstBreaker([])).toBeNull();
    expect(worstBreaker([b('x', 'DISABLED', 5, false)])).toBeNull();
    expect(worstBreaker([b('a', 'NORMAL', 0.2), b('b', 'NORMAL', 0.7), b('c', 'DISABLED', 9, false)])!.type).toBe('b');
    expect(worstBreaker([b('a', 'WARNING', 0.8), b('b', 'TRIPPED', null), b('c', 'NORMAL', 0.9)])!.type).toBe('b');
    expect(worstBreaker([b('a', 'TRIPPED', 1.2), b('m', 'MANUALLY_HALTED', null)])!.type).toBe('m');
    expect(worstBreaker([b('a', 'RESETTING', null), b('w', 'WARNING', 0.85)])!.type).toBe('a');
  });
});

describe('open orders on the overview', () => {
  it('counts the allowed orders still open when pre-trade limits keep the book', async () => {
    const { createRiskRuntime, createMemoryLogger } = await import('../../src/index.ts');
    const { overviewOf } = await import('../../src/server/overviewRoutes.ts');
    const rt = await createRiskRuntime({ strategy: 'limited', store: false, logger: createMemoryLogger(), limits: { maxPosition: 100 } });
    try {
      rt.updatePortfolio({ value: '1000' });
      expect(rt.check({ id: 'a', symbol: 'ES', side: 'buy', quantity: 1, price: '10' }).allowed).toBe(true);
      expect(rt.check({ id: 'b', symbol: 'NQ', side: 'sell', quantity: 2, price: '10' }).allowed).toBe(true);
      expect(overviewOf(new Map([['limited', rt]])).strategies[0]!.openOrders).toBe(2);
      rt.recordOrderClosed({ id: 'a' });
      expect(overviewOf(new Map([['limited', rt]])).strategies[0]!.openOrders).toBe(1);
    } finally {
      await rt.stop();
    }
  });
});
