import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, TOKEN, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const ORDER = { symbol: 'AAPL', side: 'buy', quantity: 10 } as const;

describe('control API over HTTP', () => {
  it('binds loopback and lists strategies', async () => {
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await call(s.url, 'GET', '/api/strategies', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.strategies).toEqual([
      { name: 'alpha-1', state: 'NORMAL', ordersAllowed: false },
      { name: 'beta-2', state: 'NORMAL', ordersAllowed: false },
    ]);
  });

  it('serves status with live figures, 404 for an unknown strategy', async () => {
    expect((await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: '100000' } })).body).toEqual({ ok: true });
    const res = await call(s.url, 'GET', '/api/strategies/alpha-1/status', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ strategy: 'alpha-1', state: 'NORMAL', ordersAllowed: true, portfolio: { value: '100000' } });
    expect(res.body.breakers.drawdown.figures).toMatchObject({ highWaterMark: '100000', threshold: '-0.1' });
    expect(res.body.breakers.dailyLoss.figures).toMatchObject({ startValue: '100000', limit: '-0.05' });
    expect(res.body.breakers.orderRate.figures).toMatchObject({ count: 0, limit: 100, windowSeconds: 60 });
    const missing = await call(s.url, 'GET', '/api/strategies/nope/status');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('refuses state-changing calls without a token (401) or with a wrong one (403)', async () => {
    const body = { operator: 'mallory', reason: 'x' };
    for (const path of ['halt', 'reset', 'reset/confirm', 'portfolio', 'orders/check', 'errors']) {
      const none = await call(s.url, 'POST', `/api/strategies/beta-2/${path}`, { body, token: null });
      expect(none.status, path).toBe(401);
      expect(none.body.error.code).toBe('UNAUTHORIZED');
      const wrong = await call(s.url, 'POST', `/api/strategies/beta-2/${path}`, { body, token: 'not-the-token-at-all-123' });
      expect(wrong.status, path).toBe(403);
      expect(wrong.body.error.code).toBe('FORBIDDEN');
    }
    expect(s.runtimes.get('beta-2')!.state).toBe('NORMAL');
  });

  it('answers 400 naming the field for bad bodies', async () => {
    const cases: [string, unknown, string][] = [
      ['halt', { operator: 'ann' }, 'reason'],
      ['halt', { reason: 'x' }, 'operator'],
      ['halt', { operator: 'ann', reason: 'x', extra: 1 }, 'body'],
      ['reset', { operator: 'ann', breaker: 'bogus' }, 'breaker'],
      ['reset/confirm', { operator: 'ann' }, 'token'],
      ['portfolio', { value: 'abc' }, 'value'],
      ['portfolio', { value: -5 }, 'value'],
      ['orders/check', { symbol: 'AAPL', side: 'hold', quantity: 1 }, 'side'],
      ['orders/check', { symbol: 'AAPL', side: 'buy', quantity: -1 }, 'quantity'],
      ['errors', { kind: 'oops', message: 'x' }, 'kind'],
    ];
    for (const [path, body, field] of cases) {
      const res = await call(s.url, 'POST', `/api/strategies/beta-2/${path}`, { body });
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
      expect(res.body.error.field === field || (field === 'body' && res.body.error.field !== undefined), `${path}: ${JSON.stringify(res.body)}`).toBe(true);
    }
    const notJson = await fetch(`${s.url}/api/strategies/beta-2/halt`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{bad' });
    expect(notJson.status).toBe(400);
    const q = await call(s.url, 'GET', '/api/strategies/beta-2/journal?since=yesterday-ish');
    expect(q.status).toBe(400);
    expect(q.body.error.field).toBe('since');
  });

  it('halt → orders rejected → reset/confirm → orders allowed, every action journalled with its operator', async () => {
    const rt = s.runtimes.get('alpha-1')!;
    expect((await call(s.url, 'POST', '/api/strategies/alpha-1/orders/check', { body: ORDER })).body).toEqual({ allowed: true });
    const halted = await call(s.url, 'POST', '/api/strategies/alpha-1/halt', { body: { operator: 'alice', reason: 'fat finger' } });
    expect(halted.status).toBe(200);
    expect(halted.body).toEqual({ state: 'MANUALLY_HALTED' });
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'manual', state: 'MANUALLY_HALTED' });
    const rejected = await call(s.url, 'POST', '/api/strategies/alpha-1/orders/check', { body: ORDER });
    expect(rejected.body).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'manual' });
    expect(s.cancels).toContain('alpha-1/manual');

    const normal = await call(s.url, 'POST', '/api/strategies/alpha-1/reset', { body: { operator: 'bob', breaker: 'drawdown' } });
    expect(normal.status).toBe(409);
    expect(normal.body.error.code).toBe('RESET_NOT_ALLOWED');

    const ticket = await call(s.url, 'POST', '/api/strategies/alpha-1/reset', { body: { operator: 'bob', breaker: 'manual' } });
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({ breaker: 'manual', token: expect.any(String), expiresAt: expect.any(String) });
    const badToken = await call(s.url, 'POST', '/api/strategies/alpha-1/reset/confirm', { body: { operator: 'bob', token: 'nope' } });
    expect(badToken.status).toBe(409);
    expect(badToken.body.error).toMatchObject({ code: 'INVALID_TOKEN', field: 'token' });
    const confirmed = await call(s.url, 'POST', '/api/strategies/alpha-1/reset/confirm', { body: { operator: 'bob', token: ticket.body.token } });
    expect(confirmed.body).toEqual({ confirmed: true, breaker: 'manual', state: 'NORMAL', reason: null });
    expect(rt.check(ORDER)).toEqual({ allowed: true });
    expect((await call(s.url, 'POST', '/api/strategies/alpha-1/orders/check', { body: ORDER })).body).toEqual({ allowed: true });

    const journal = await call(s.url, 'GET', '/api/strategies/alpha-1/journal?types=ManualHalt,ResetRequested,ResetConfirmed', { token: null });
    expect(journal.body.entries.map((e: { type: string; operator: string }) => [e.type, e.operator])).toEqual([
      ['ManualHalt', 'alice'],
      ['ResetRequested', 'bob'],
      ['ResetConfirmed', 'bob'],
    ]);
    const limited = await call(s.url, 'GET', '/api/strategies/alpha-1/journal?limit=1');
    expect(limited.body.entries).toHaveLength(1);
    const future = await call(s.url, 'GET', `/api/strategies/alpha-1/journal?since=${Date.now() + 60_000}`);
    expect(future.body.entries).toEqual([]);
  });

  it('ingests errors into the error-rate breaker', async () => {
    const res = await call(s.url, 'POST', '/api/strategies/beta-2/errors', { body: { kind: 'broker_error', message: 'timeout' } });
    expect(res.body).toEqual({ ok: true });
    expect(s.runtimes.get('beta-2')!.status().breakers.errorRate.figures!.byKind.broker_error).toBe(1);
  });

  it('serves the dashboard at / and JSON 404s elsewhere', async () => {
    const page = await fetch(`${s.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const nothing = await call(s.url, 'GET', '/api/nothing');
    expect(nothing.status).toBe(404);
    expect(nothing.body.error.code).toBe('NOT_FOUND');
  });

  it('never puts the token in a response or a log line', async () => {
    await call(s.url, 'POST', '/api/strategies/beta-2/halt', { body: { operator: 'carol', reason: 'drill' }, token: TOKEN });
    await call(s.url, 'POST', '/api/strategies/beta-2/halt', { body: { operator: 'carol', reason: 'drill' }, token: 'wrong-token-xxxxxxxxxxxx' });
    const logs = JSON.stringify(s.logs);
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain('wrong-token-xxxxxxxxxxxx');
    expect(logs.toLowerCase()).not.toContain('authorization');
    expect(s.logs.some((l) => l.event === 'http_request' && l.status === 403)).toBe(true);
  });
});

describe('rate limiting', () => {
  it('answers 429 RATE_LIMITED once the per-minute budget is spent', async () => {
    const t = await startTestServer(['gamma-3'], { operator: 2 });
    try {
      const body = { operator: 'dan', reason: 'drill' };
      expect((await call(t.url, 'POST', '/api/strategies/gamma-3/halt', { body })).status).toBe(200);
      expect((await call(t.url, 'POST', '/api/strategies/gamma-3/halt', { body })).status).toBe(200);
      const third = await call(t.url, 'POST', '/api/strategies/gamma-3/halt', { body });
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
    } finally {
      await t.close();
    }
  });
});
