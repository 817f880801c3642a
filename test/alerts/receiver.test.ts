import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSignature, createReceiver } from '../../examples/webhook-receiver.ts';
import { ManualClock } from '../../src/clock.ts';
import { createAlertManager, signatureHeader, verifySignature } from '../../src/alerts/index.ts';
import { tripEvent } from './helpers.ts';

const SECRET = 'receiver-secret-0123456789';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('examples/webhook-receiver.ts', () => {
  it('accepts breakerbox deliveries, drops duplicates, refuses replays and forgeries', async () => {
    const clock = new ManualClock(Date.now());
    const alerts: Record<string, unknown>[] = [];
    const server = createReceiver(SECRET, (a) => alerts.push(a), () => clock.now());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const m = createAlertManager({ webhooks: [{ url: `${url}/hook`, secret: SECRET }], allowlist: [`${url}/`] }, { clock });
    cleanup.push(() => m.close());
    const trip = tripEvent();
    m.enqueue(trip);
    await m.settled();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ alert_id: trip.id, event_type: 'CircuitBreakerTripped' });

    // Replay the exact captured request 10 minutes later: refused by both the example and verifySignature.
    const body = JSON.stringify({ alert_id: 'x', event_type: 'CircuitBreakerTripped' });
    const header = signatureHeader(SECRET, body, clock.now());
    clock.advance(10 * 60_000);
    const replay = await request(`${url}/hook`, { method: 'POST', body, headers: { 'x-breakerbox-signature': header, 'idempotency-key': 'x' } });
    expect(replay.statusCode).toBe(401);
    expect(await replay.body.text()).toMatch(/too old/);
    expect(verifySignature({ header, body, secret: SECRET, now: clock.now() })).toEqual({ ok: false, reason: 'expired' });

    // A forged body with a fresh timestamp but the wrong secret.
    const forged = signatureHeader('attacker-secret-000000', body, clock.now());
    const bad = await request(`${url}/hook`, { method: 'POST', body, headers: { 'x-breakerbox-signature': forged } });
    expect(bad.statusCode).toBe(401);
    await bad.body.text();

    // The same alert delivered twice is processed once.
    const fresh = signatureHeader(SECRET, body, clock.now());
    for (const expected of [204, 200]) {
      const r = await request(`${url}/hook`, { method: 'POST', body, headers: { 'x-breakerbox-signature': fresh, 'idempotency-key': 'dup-1' } });
      expect(r.statusCode).toBe(expected);
      await r.body.text();
    }
    expect(alerts).toHaveLength(2);
    expect(checkSignature(fresh, Buffer.from(body), SECRET, clock.now())).toBeNull();
  });
});
