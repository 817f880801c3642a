import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from './helpers.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer(['alpha-1', 'beta-2']);
});
afterAll(async () => {
  await s.close();
});

interface SseMessage {
  event: string;
  data: any;
  receivedAt: number;
}

/** Opens the event stream and collects parsed messages as they arrive. */
async function openStream(url: string) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  const messages: SseMessage[] = [];
  const waiters: (() => void)[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let idx: number;
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) messages.push({ event, data: JSON.parse(data), receivedAt: performance.now() });
          waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted
    }
  })();
  const waitFor = async (pred: (m: SseMessage) => boolean, timeoutMs = 3000): Promise<SseMessage> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = messages.find(pred);
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`no matching SSE message; got ${messages.map((m) => m.event).join(',')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  return { res, messages, waitFor, close: async () => {
      await reader.cancel().catch(() => undefined);
      controller.abort();
      await pump;
    },
  };
}

describe('server-sent events', () => {
  it('sends status first, then portfolio, decision and a trip within the same second', async () => {
    const stream = await openStream(`${s.url}/api/strategies/alpha-1/events`);
    try {
      expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
      const first = await stream.waitFor(() => true);
      expect(first.event).toBe('status');
      expect(first.data).toMatchObject({ strategy: 'alpha-1', state: 'NORMAL' });

      await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: 100000 } });
      expect((await stream.waitFor((m) => m.event === 'portfolio')).data).toMatchObject({ value: '100000' });
      await call(s.url, 'POST', '/api/strategies/alpha-1/orders/check', { body: { symbol: 'AAPL', side: 'buy', quantity: 1 } });
      expect((await stream.waitFor((m) => m.event === 'decision')).data).toMatchObject({ order: { symbol: 'AAPL' }, decision: { allowed: true } });

      // A breach through the ingest endpoint: -12 % trips drawdown (and daily loss).
      const sentAt = performance.now();
      const res = await call(s.url, 'POST', '/api/strategies/alpha-1/portfolio', { body: { value: 88000 } });
      expect(res.status).toBe(200);
      const trip = await stream.waitFor((m) => m.event === 'risk' && m.data.type === 'CircuitBreakerTripped' && m.data.breaker === 'drawdown', 1000);
      expect(trip.receivedAt - sentAt).toBeLessThan(1000);
      expect(trip.data).toMatchObject({ strategy: 'alpha-1', details: { value: '88000', highWaterMark: '100000' } });
      const status = await stream.waitFor((m) => m.event === 'status' && m.data.state === 'TRIPPED', 1000);
      expect(status.data.breakers.drawdown.state).toBe('TRIPPED');
      expect(stream.messages.some((m) => m.event === 'risk' && m.data.type === 'StateChanged')).toBe(true);
    } finally {
      await stream.close();
    }
  });

  it('streams fills posted to the fills endpoint, and refuses a malformed fill naming the field', async () => {
    const stream = await openStream(`${s.url}/api/strategies/beta-2/events`);
    try {
      await stream.waitFor(() => true);
      const ok = await call(s.url, 'POST', '/api/strategies/beta-2/fills', { body: { orderId: 'o-9', symbol: 'ES', side: 'sell', quantity: '2', price: '5012.25' } });
      expect(ok).toMatchObject({ status: 200, body: { ok: true } });
      expect((await stream.waitFor((m) => m.event === 'fill')).data).toMatchObject({ orderId: 'o-9', symbol: 'ES', side: 'sell', quantity: '2', price: '5012.25' });
      const bad = await call(s.url, 'POST', '/api/strategies/beta-2/fills', { body: { symbol: 'ES', side: 'sell', quantity: '2', price: 'abc' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'VALIDATION', field: expect.stringContaining('price') });
      expect((await call(s.url, 'POST', '/api/strategies/beta-2/fills', { body: { symbol: 'ES', side: 'sell', quantity: 1, price: 1 }, token: null })).status).toBe(401);
    } finally {
      await stream.close();
    }
  });

  it('404s for an unknown strategy', async () => {
    expect((await call(s.url, 'GET', '/api/strategies/nope/events')).status).toBe(404);
  });
});
