import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createAlertManager, DeliveryError, WebhookChannel, type AlertConfigInput, type AlertLogger, type AlertManager, type GiveUpInfo } from '../../src/alerts/index.ts';
import { startHttpServer, tripEvent, waitFor, type ReceivedRequest, type TestHttpServer } from './helpers.ts';

const SECRET = 'whsec-test-SECRET-0123456789';
const TOKEN = 'bearer-test-SECRET';
const ROUTING = 'pd-routing-SECRET';

/** Independent receiver-side check with node:crypto only (not the sender's code). */
function validSignature(req: ReceivedRequest, secret: string, nowMs: number): boolean {
  const header = String(req.headers['x-breakerbox-signature'] ?? '');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  if (Math.abs(Math.floor(nowMs / 1000) - Number(m[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${req.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function server(respond: Parameters<typeof startHttpServer>[0]): Promise<TestHttpServer> {
  const s = await startHttpServer(respond);
  cleanup.push(() => s.close());
  return s;
}

function manager(clock: ManualClock, hooks: NonNullable<AlertConfigInput['webhooks']>, extra: object = {}, opts: { logger?: AlertLogger; onGiveUp?: (i: GiveUpInfo) => void } = {}): AlertManager {
  // Allow exactly each hook's origin (the redirect target in one test is deliberately not listed).
  const allowlist = hooks.map((h) => `${new URL(h.url).origin}/`);
  const m = createAlertManager(
    { webhooks: hooks, allowlist, retry: { baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.5 }, timeoutMs: 5_000, ...extra },
    { clock, ...opts },
  );
  cleanup.push(() => m.close());
  return m;
}

const ok = (_req: ReceivedRequest, res: import('node:http').ServerResponse) => {
  res.writeHead(200).end('ok');
};

describe('webhook delivery', () => {
  it('posts signed JSON, Slack and PagerDuty bodies concurrently, with key id, bearer token and idempotency key', async () => {
    const clock = new ManualClock();
    const json = await server(ok);
    const slack = await server(ok);
    const pd = await server((_r, res) => res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"success"}'));
    const m = manager(clock, [
      { url: `${json.url}/hook`, format: 'json', secret: SECRET, keyId: 'k2026', token: TOKEN },
      { url: `${slack.url}/slack`, format: 'slack', secret: SECRET },
      { url: `${pd.url}/v2/enqueue`, format: 'pagerduty', routingKey: ROUTING },
    ]);
    const trip = tripEvent();
    m.enqueue(trip);
    await m.settled();
    expect(json.requests).toHaveLength(1);
    const req = json.requests[0];
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe(trip.id);
    expect(req.headers['x-breakerbox-key-id']).toBe('k2026');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(validSignature(req, SECRET, clock.now())).toBe(true);
    expect(validSignature(req, 'wrong-secret-000000000', clock.now())).toBe(false);
    expect(JSON.parse(req.body)).toMatchObject({
      alert_id: trip.id,
      event_type: 'CircuitBreakerTripped',
      strategy_name: 'alpha-1',
      circuit_breaker_type: 'drawdown',
      severity: 'critical',
      timestamp: trip.timestamp,
      details: { drawdown: '-0.104', highWaterMark: '1050000' },
    });
    expect(validSignature(slack.requests[0], SECRET, clock.now())).toBe(true);
    expect(JSON.parse(slack.requests[0].body).text).toContain('DRAWDOWN breaker TRIPPED on alpha-1: -10.4% from peak 1,050,000.00');
    expect(pd.requests[0].headers['x-breakerbox-signature']).toBeUndefined();
    expect(JSON.parse(pd.requests[0].body)).toMatchObject({ routing_key: ROUTING, event_action: 'trigger', dedup_key: 'breakerbox/alpha-1/drawdown' });

    // A warning does not page; a confirmed reset resolves the incident.
    m.enqueue(tripEvent({ type: 'CircuitBreakerWarning' }));
    m.enqueue(tripEvent({ type: 'ResetConfirmed', operator: 'alice', details: {} }));
    await m.settled();
    expect(json.requests).toHaveLength(3);
    expect(pd.requests.map((r) => JSON.parse(r.body).event_action)).toEqual(['trigger', 'resolve']);
    // StateChanged does not alert at all.
    expect(m.enqueue(tripEvent({ type: 'StateChanged' }))).toEqual([]);
    const sent = (await m.attempts()).filter((a) => a.outcome === 'sent');
    expect(sent).toHaveLength(3 + 3 + 2); // json, slack, pagerduty (trigger + resolve)
  });

  it('retries a webhook answering 500 until it answers 200: delivered exactly once', async () => {
    const clock = new ManualClock();
    let failures = 2;
    const hook = await server((_r, res) => {
      if (failures-- > 0) res.writeHead(500).end('boom');
      else res.writeHead(200).end('ok');
    });
    const m = manager(clock, [{ url: `${hook.url}/h`, secret: SECRET }]);
    const trip = tripEvent();
    m.enqueue(trip);
    await m.settled();
    expect(hook.requests).toHaveLength(1);
    expect(m.pendingRetryCount).toBe(1);
    clock.advance(999); // the first backoff is at most 1 s
    await m.settled();
    clock.advance(1); // 1 s has passed: retry #1 (500 again)
    await waitFor(() => hook.requests.length === 2 && m.inFlightCount === 0, 'second attempt');
    await m.settled();
    clock.advance(2_000); // second backoff is at most 2 s
    await waitFor(() => hook.requests.length === 3, 'third attempt');
    await m.settled();
    clock.advance(60_000);
    await m.settled();
    expect(hook.requests).toHaveLength(3);
    expect(new Set(hook.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([trip.id]));
    const attempts = await m.attempts();
    expect(attempts.map((a) => [a.outcome, a.attempt])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['sent', 3],
    ]);
    expect(attempts[0].reason).toContain('HTTP 500');
    expect(m.pendingRetryCount).toBe(0);
  });

  it('a hanging webhook times out on the clock and is retried; enqueue never waits and other targets are unaffected', async () => {
    const clock = new ManualClock();
    const hung: Array<import('node:http').ServerResponse> = [];
    const slow = await server((_r, res, i) => {
      if (i === 0) hung.push(res); // never answers
      else res.writeHead(200).end('ok');
    });
    const fast = await server(ok);
    const m = manager(clock, [
      { name: 'slow', url: `${slow.url}/h` },
      { name: 'fast', url: `${fast.url}/h` },
    ]);
    const entries = m.enqueue(tripEvent()); // synchronous: returns the planned entries, not a promise
    expect(entries).toHaveLength(2);
    expect(slow.requests).toHaveLength(0); // nothing was sent, or waited for, inside enqueue
    await waitFor(() => fast.requests.length === 1 && slow.requests.length === 1, 'both requests');
    await waitFor(async () => (await m.outbox.attempts()).some((a) => a.target === 'webhook:fast' && a.outcome === 'sent'), 'fast delivery');
    expect(m.inFlightCount).toBe(1);
    clock.advance(5_000); // per-attempt timeout
    await m.settled();
    const failed = (await m.attempts()).find((a) => a.target === 'webhook:slow');
    expect(failed).toMatchObject({ outcome: 'failed', attempt: 1 });
    expect(failed?.reason).toMatch(/timed out after 5000 ms/);
    clock.advance(1_000);
    await waitFor(() => slow.requests.length === 2, 'retry');
    await m.settled();
    const slowSent = (await m.attempts()).filter((a) => a.target === 'webhook:slow' && a.outcome === 'sent');
    expect(slowSent).toHaveLength(1);
    expect(fast.requests).toHaveLength(1);
    for (const res of hung) res.destroy();
  });

  it('never follows a redirect (3xx is a permanent failure) and gives up with a delivery_failed record', async () => {
    const clock = new ManualClock();
    const outside = await server(ok);
    const hook = await server((_r, res) => res.writeHead(307, { location: `${outside.url}/steal` }).end());
    const gaveUp: GiveUpInfo[] = [];
    const m = manager(clock, [{ url: `${hook.url}/h`, secret: SECRET }], {}, { onGiveUp: (i) => gaveUp.push(i) });
    m.enqueue(tripEvent());
    await m.settled();
    clock.advance(3_600_000);
    await m.settled();
    expect(hook.requests).toHaveLength(1);
    expect(outside.requests).toHaveLength(0);
    const outcomes = (await m.attempts()).map((a) => a.outcome);
    expect(outcomes).toEqual(['failed', 'delivery_failed']);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0].reason).toMatch(/HTTP 307 redirect .* refused/);
    const stored = (await m.outbox.list()).find((e) => e.kind === 'delivery');
    expect(stored).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('gives up after giveUpAfterMs and never leaks secrets into logs, attempts or errors', async () => {
    const clock = new ManualClock();
    const hook = await server((_r, res) => res.writeHead(503).end(`echo ${TOKEN}`));
    const lines: string[] = [];
    const logger: AlertLogger = {
      info: (o, msg) => lines.push(JSON.stringify({ ...o, msg })),
      warn: (o, msg) => lines.push(JSON.stringify({ ...o, msg })),
    };
    const gaveUp: GiveUpInfo[] = [];
    const m = manager(clock, [{ url: `${hook.url}/h`, secret: SECRET, token: TOKEN }], { giveUpAfterMs: 10_000 }, { logger, onGiveUp: (i) => gaveUp.push(i) });
    m.enqueue(tripEvent());
    for (let i = 0; i < 20 && gaveUp.length === 0; i++) {
      await m.settled();
      clock.advance(4_000);
      await waitFor(() => m.inFlightCount === 0 || hook.requests.length > 0, 'attempt');
      await m.settled();
    }
    expect(gaveUp).toHaveLength(1);
    const attempts = await m.attempts();
    expect(attempts.at(-1)?.outcome).toBe('delivery_failed');
    expect(attempts.filter((a) => a.outcome === 'failed').length).toBe(hook.requests.length);
    expect(attempts.at(-1)!.at - attempts[0].at).toBeGreaterThanOrEqual(10_000);
    const everything = JSON.stringify([lines, attempts, await m.outbox.list(), gaveUp]);
    expect(everything).toContain('HTTP 503');
    expect(everything).not.toContain('SECRET');
    expect(lines.some((l) => l.includes('"outcome":"failed"'))).toBe(true);
  });

  it('re-checks the allowlist at send time and refuses without sending', async () => {
    const hook = await server(ok);
    const channel = new WebhookChannel(
      [{ name: 'h', url: `${hook.url}/h`, format: 'json' }],
      { allowlist: ['https://hooks.example.com/'], allowInsecureHttp: false },
      1_000,
    );
    cleanup.push(() => channel.close());
    const p = channel.send('webhook:h', { alert_id: 'a', event_id: 'a', event_type: 'ManualHalt', severity: 'critical', strategy_name: 's', circuit_breaker_type: null, details: {}, timestamp: '' }, { signal: new AbortController().signal, now: 0 });
    await expect(p).rejects.toBeInstanceOf(DeliveryError);
    await expect(p).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/^URL_NOT_ALLOWED: .*does not match any allowlisted URL prefix/) });
    expect(hook.requests).toHaveLength(0);
  });
});
