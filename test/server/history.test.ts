import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rawRequest, startTestServer, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe('GET /api/strategies/:name/history', () => {
  it('answers the history without a token: points with levels, trip marks, orders, fills, errors; money as decimal strings', async () => {
    const started = Date.now();
    expect((await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: '100000', cash: '100000', positions: [] } })).status).toBe(200);
    await call(s.url, 'POST', '/api/strategies/alpha-1/orders/check', { body: { id: 'o-1', symbol: 'AAPL', side: 'buy', quantity: 10, price: 101.5 } });
    await call(s.url, 'POST', '/api/strategies/alpha-1/fills', { body: { orderId: 'o-1', symbol: 'AAPL', side: 'buy', quantity: 10, price: '101.5' } });
    await call(s.url, 'POST', '/api/strategies/alpha-1/errors', { body: { kind: 'broker_error', message: 'slow ack' } });
    await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: '88000' } }); // trips
    const res = await call(s.url, 'GET', '/api/strategies/alpha-1/history', { token: null });
    expect(res.status).toBe(200);
    const h = res.body;
    expect(Object.keys(h).sort()).toEqual(['errors', 'fills', 'gaps', 'marks', 'now', 'orders', 'points', 'since', 'strategy']);
    expect(h.gaps).toEqual([]); // no restart in this test
    expect(h.strategy).toBe('alpha-1');
    expect(typeof h.since).toBe('number');
    expect(h.since).toBeLessThanOrEqual(started - 24 * 3600_000 + 1000);
    expect(h.now).toBeGreaterThanOrEqual(started);
    // Both values fell in one 5 s bucket: the trip's value is the point kept, with the levels it crossed.
    const trip = h.points.find((p: { value: string }) => p.value === '88000');
    expect(trip).toMatchObject({ highWaterMark: '100000', drawdownTripLevel: '90000', dailyLossTripLevel: '95000', startOfDay: '100000' });
    expect(typeof trip.t).toBe('number');
    expect(h.marks.map((m: { type: string; breaker: string }) => `${m.type}/${m.breaker}`).sort()).toEqual(['CircuitBreakerTripped/dailyLoss', 'CircuitBreakerTripped/drawdown']);
    expect(h.orders).toEqual([expect.objectContaining({ id: 'o-1', symbol: 'AAPL', side: 'buy', quantity: '10', price: '101.5', allowed: true, code: null })]);
    expect(h.fills).toEqual([expect.objectContaining({ orderId: 'o-1', quantity: '10', price: '101.5' })]);
    expect(h.errors).toEqual([expect.objectContaining({ kind: 'broker_error', message: 'slow ack' })]);
    // status() carries the reconciliation of the last update that reported cash.
    const status = await call(s.url, 'GET', '/api/strategies/alpha-1/status', { token: null });
    expect(status.body.portfolio).toMatchObject({ value: '88000', cash: '100000', positionsValue: '0', unexplained: '-12000' });
  });

  it('takes `since` as ms or ISO time', async () => {
    const now = Date.now();
    const ms = await call(s.url, 'GET', `/api/strategies/beta-2/history?since=${now - 1000}`, { token: null });
    expect(ms.status).toBe(200);
    expect(ms.body.since).toBe(now - 1000);
    const iso = new Date(now - 60_000).toISOString();
    const res = await call(s.url, 'GET', `/api/strategies/beta-2/history?since=${encodeURIComponent(iso)}`, { token: null });
    expect(res.status).toBe(200);
    expect(res.body.since).toBe(now - 60_000);
  });

  it('answers 400 naming `since` and the value for a bad one, 404 for an unknown strategy', async () => {
    for (const bad of ['yesterday', '1700000000', '2026-01-05', '', 'since=1&since=2']) {
      const query = bad.startsWith('since=') ? bad : `since=${encodeURIComponent(bad)}`;
      const res = await call(s.url, 'GET', `/api/strategies/alpha-1/history?${query}`, { token: null });
      expect(res.status, bad).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION', field: 'since' });
      if (bad === 'yesterday' || bad === '1700000000') expect(res.body.error.message).toContain(bad);
    }
    const unknown = await call(s.url, 'GET', '/api/strategies/alpha-1/history?until=1', { token: null });
    expect(unknown.status).toBe(400);
    const missing = await call(s.url, 'GET', '/api/strategies/nope/history', { token: null });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('is checked for Host and Origin like every read', async () => {
    const port = new URL(s.url).port;
    const host = await rawRequest(s.url, { path: '/api/strategies/alpha-1/history', headers: { host: `attacker.example:${port}` } });
    expect(host.status).toBe(403);
    expect(host.body.error.code).toBe('HOST_NOT_ALLOWED');
    const origin = await rawRequest(s.url, { path: '/api/strategies/alpha-1/history', headers: { host: `127.0.0.1:${port}`, origin: 'http://evil.example' } });
    expect(origin.status).toBe(403);
    expect(origin.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('refuses bad cash on POST /portfolio with 400 naming the field', async () => {
    const res = await call(s.url, 'POST', '/api/strategies/beta-2/portfolio', { body: { value: '1000', cash: '1e999' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION', field: 'cash' });
    const wrongType = await call(s.url, 'POST', '/api/strategies/beta-2/portfolio', { body: { value: '1000', cash: true } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.field).toBe('cash');
  });
});
