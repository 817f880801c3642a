import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { call, rawRequest, startTestServer, TOKEN, type TestServer } from './helpers.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
async function start(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const s = await startTestServer(...args);
  servers.push(s);
  return s;
}
const hostOf = (url: string) => new URL(url).host;
const halt = { operator: 'desk', reason: 'real emergency' };

/** Opens an event stream on a raw socket that never reads what it is sent (a slow client). */
function slowStream(url: string, path: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.once('data', () => {
        socket.pause();
        resolve(socket);
      });
    });
    socket.on('error', reject);
  });
}

describe('rate limit after authentication', () => {
  it('70 unauthenticated text/plain POSTs do not spend the budget: the desk\'s real halt still succeeds', async () => {
    const s = await start(['alpha-1'], { operator: 60 });
    for (let i = 0; i < 70; i++) {
      const res = await rawRequest(s.url, {
        method: 'POST',
        path: '/api/strategies/alpha-1/halt',
        headers: { host: hostOf(s.url), 'content-type': 'text/plain' },
        body: JSON.stringify(halt),
      });
      expect(res.status).toBe(401);
    }
    // Wrong tokens do not spend it either.
    for (let i = 0; i < 10; i++) expect((await call(s.url, 'POST', '/api/strategies/alpha-1/halt', { body: halt, token: 'x'.repeat(32) })).status).toBe(403);
    const real = await call(s.url, 'POST', '/api/strategies/alpha-1/halt', { body: halt });
    expect(real.status).toBe(200);
    expect(real.body.state).toBe('MANUALLY_HALTED');
    expect(s.cancels).toEqual(['alpha-1/manual']);
  });

  it('authenticated calls still have their own budget (429 past it)', async () => {
    const s = await start(['alpha-1'], { operator: 3 });
    for (let i = 0; i < 3; i++) expect((await call(s.url, 'POST', '/api/strategies/alpha-1/halt', { body: halt })).status).toBe(200);
    expect((await call(s.url, 'POST', '/api/strategies/alpha-1/halt', { body: halt })).body.error.code).toBe('RATE_LIMITED');
  });
});

describe('Host and Origin', () => {
  it('refuses a foreign Host (DNS rebinding) on reads, streams and metrics; accepts the bound address and localhost', async () => {
    const s = await start(['alpha-1']);
    const port = new URL(s.url).port;
    for (const path of ['/api/strategies', '/api/strategies/alpha-1/status', '/api/strategies/alpha-1/journal', '/api/strategies/alpha-1/events', '/metrics', '/']) {
      const res = await rawRequest(s.url, { path, headers: { host: `attacker.example:${port}` } });
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('HOST_NOT_ALLOWED');
    }
    expect((await rawRequest(s.url, { path: '/api/strategies', headers: { host: `127.0.0.1:${port}` } })).status).toBe(200);
    expect((await rawRequest(s.url, { path: '/api/strategies', headers: { host: `localhost:${port}` } })).status).toBe(200);
    // The right name on another port is another server.
    expect((await rawRequest(s.url, { path: '/api/strategies', headers: { host: 'localhost:1' } })).status).toBe(403);
  });

  it('accepts configured reverse-proxy names', async () => {
    const s = await start(['alpha-1'], undefined, { allowedHosts: ['risk.example.com'] });
    expect((await rawRequest(s.url, { path: '/api/strategies', headers: { host: 'risk.example.com' } })).status).toBe(200);
    expect((await rawRequest(s.url, { path: '/api/strategies', headers: { host: 'risk.example.com', origin: 'https://risk.example.com' } })).status).toBe(200);
    expect((await rawRequest(s.url, { path: '/api/strategies', headers: { host: 'evil.example.com' } })).status).toBe(403);
  });

  it('refuses another site\'s Origin, Origin null and Sec-Fetch-Site cross-site, even with the token', async () => {
    const s = await start(['alpha-1']);
    const host = hostOf(s.url);
    const post = (headers: Record<string, string>) =>
      rawRequest(s.url, {
        method: 'POST',
        path: '/api/strategies/alpha-1/halt',
        headers: { host, 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
        body: JSON.stringify(halt),
      });
    const attempts: Record<string, string>[] = [{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'http://localhost:1' }];
    for (const headers of attempts) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    }
    expect(s.runtimes.get('alpha-1')!.state).toBe('NORMAL');
    // The dashboard's own origin passes.
    expect((await post({ origin: s.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });
});

describe('event streams', () => {
  it('caps the number of open streams (503 past it) and frees a slot when one closes', async () => {
    const s = await start(['alpha-1'], undefined, { streams: { maxStreams: 3 } });
    const sockets = await Promise.all([0, 1, 2].map(() => slowStream(s.url, '/api/strategies/alpha-1/events')));
    const refused = await call(s.url, 'GET', '/api/strategies/alpha-1/events');
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('TOO_MANY_STREAMS');
    sockets[0]!.destroy();
    await expect.poll(() => s.server.app.server.listening && sockets.length, { timeout: 2000 }).toBe(3);
    let reopened: Socket | null = null;
    await expect.poll(async () => (reopened = await slowStream(s.url, '/api/strategies/alpha-1/events').catch(() => null)) !== null, { timeout: 3000 }).toBe(true);
    [reopened as Socket | null, ...sockets].forEach((x) => x?.destroy());
  });

  it('drops a client that does not read once its buffer passes the bound; the others and the runtime carry on', async () => {
    const s = await start(['alpha-1'], undefined, { streams: { maxBufferBytes: 64 * 1024 } });
    const slow = await slowStream(s.url, '/api/strategies/alpha-1/events');
    const closed = new Promise<void>((resolve) => slow.once('close', () => resolve()));
    const rt = s.runtimes.get('alpha-1')!;
    rt.updatePortfolio({ value: 100_000 });
    // Risk events are never skipped, so a client that never reads grows its buffer until dropped.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 250; i++) rt.recordError({ kind: 'broker_error', message: `timeout ${'x'.repeat(400)}` });
      await new Promise((r) => setImmediate(r));
    }
    // Reading now, the client finds its stream ended by the server (a kept stream would never end).
    slow.resume();
    await closed;
    expect(slow.bytesRead).toBeLessThan(5_000_000);
    expect(rt.status().breakers.errorRate.state).toBe('TRIPPED');
    expect((await call(s.url, 'GET', '/api/strategies/alpha-1/status')).status).toBe(200);
  });
});

describe('a poisoned strategy', () => {
  it('a nanosecond timestamp leaves the server, the other strategies and every route up', async () => {
    const s = await start(['alpha-1', 'beta-2']);
    const poisoned = await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: 100_000, timestamp: 1_767_614_400_000_000_000 } });
    expect([200, 400, 500]).toContain(poisoned.status); // a failed request, never a failed server (400 once refused at the edge)
    const list = await call(s.url, 'GET', '/api/strategies');
    expect(list.status).toBe(200);
    expect(list.body.strategies.map((x: { name: string }) => x.name)).toEqual(['alpha-1', 'beta-2']);
    expect((await call(s.url, 'GET', '/api/strategies/alpha-1/status')).status).toBe(200);
    // Opening the poisoned strategy's stream (the dashboard does) does not crash anything.
    const stream = await slowStream(s.url, '/api/strategies/alpha-1/events');
    await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: 99_000 } });
    await call(s.url, 'POST', '/api/strategies/alpha-1/halt', { body: halt });
    await new Promise((r) => setTimeout(r, 50));
    stream.destroy();
    expect((await call(s.url, 'GET', '/metrics')).status).toBe(200);
    expect((await call(s.url, 'POST', '/api/strategies/beta-2/halt', { body: halt })).status).toBe(200);
  });

  it('a strategy whose status throws is shown as faulted with the reason; the others are unaffected', async () => {
    const s = await start(['alpha-1', 'beta-2']);
    const bad = s.runtimes.get('alpha-1')!;
    (bad as unknown as { status: () => never }).status = () => {
      throw new RangeError('Invalid time value');
    };
    const list = await call(s.url, 'GET', '/api/strategies');
    expect(list.status).toBe(200);
    expect(list.body.strategies).toEqual([
      { name: 'alpha-1', state: 'NORMAL', ordersAllowed: false, faulted: { reason: 'status cannot be shown: RangeError: Invalid time value' } },
      { name: 'beta-2', state: 'NORMAL', ordersAllowed: false },
    ]);
    const status = await call(s.url, 'GET', '/api/strategies/alpha-1/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ strategy: 'alpha-1', faulted: { reason: expect.stringContaining('Invalid time value') } });
    // Its stream sends the faulted status instead of crashing the process.
    const res = await fetch(`${s.url}/api/strategies/alpha-1/events`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: status')) text += (await reader.read()).value ?? '';
    expect(text).toContain('"faulted"');
    bad.halt({ operator: 'desk', reason: 'stop' });
    while (!text.includes('ManualHalt')) text += (await reader.read()).value ?? '';
    await reader.cancel();
    expect((await call(s.url, 'GET', '/metrics')).status).toBe(200);
    expect((await call(s.url, 'GET', '/api/strategies/beta-2/status')).body.state).toBe('NORMAL');
  });
});
