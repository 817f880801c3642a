import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createAlertManager, type AlertManager } from '../../src/alerts/index.ts';
import { startHttpServer, tripEvent, TWILIO_SID, TWILIO_TOKEN, waitFor, type ReceivedRequest } from './helpers.ts';
import type { ServerResponse } from 'node:http';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Mode = 201 | 400 | 429;
/** Loopback emulation of Twilio's Messages API (as documented: form POST, basic auth, JSON replies). */
async function twilioEmulator(modes: Mode[]) {
  let n = 0;
  const server = await startHttpServer((req: ReceivedRequest, res: ServerResponse) => {
    const json = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url);
    const auth = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (req.method !== 'POST' || !m) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    if (auth !== `${m[1]}:${TWILIO_TOKEN}`) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    const mode = modes[Math.min(n++, modes.length - 1)];
    const form = new URLSearchParams(req.body);
    if (mode === 429) return json(429, { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
    if (mode === 400)
      return json(400, { code: 21211, message: `The 'To' number ${form.get('To')} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
    return json(201, {
      sid: `SM${'a'.repeat(32)}`,
      account_sid: m[1],
      to: form.get('To'),
      from: form.get('From'),
      body: form.get('Body'),
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${m[1]}/Messages/SM${'a'.repeat(32)}.json`,
    });
  });
  cleanup.push(() => server.close());
  return server;
}

function smsManager(clock: ManualClock, base: string, to: string[]): AlertManager {
  const m = createAlertManager(
    { sms: { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: '+15550001111', to, apiBaseUrl: base }, retry: { baseDelayMs: 1_000, maxDelayMs: 10_000, jitter: 0 } },
    { clock },
  );
  cleanup.push(() => m.close());
  return m;
}

describe('SMS alerts through the real twilio SDK (loopback Messages API)', () => {
  it('POSTs To, From and Body with basic auth; 201 → sent', async () => {
    const api = await twilioEmulator([201]);
    const m = smsManager(new ManualClock(), api.url, ['+15550002222', '+15550003333']);
    m.enqueue(tripEvent());
    await m.settled();
    expect(api.requests).toHaveLength(2);
    const req = api.requests[0];
    expect(req.url).toBe(`/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`);
    expect(req.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
    expect(req.headers['user-agent']).toMatch(/^twilio-node\//);
    const forms = api.requests.map((r) => new URLSearchParams(r.body));
    expect(forms.map((f) => f.get('To')).sort()).toEqual(['+15550002222', '+15550003333']);
    expect(forms[0].get('From')).toBe('+15550001111');
    expect(forms[0].get('Body')).toBe('breakerbox CRITICAL: DRAWDOWN breaker TRIPPED on alpha-1: -10.4% from peak 1,050,000.00 (limit -10.0%)');
    expect(forms[0].get('Body')!.length).toBeLessThanOrEqual(160);
    const attempts = await m.attempts();
    expect(attempts.map((a) => a.outcome)).toEqual(['sent', 'sent']);
    expect(attempts[0].reason).toContain(`SM${'a'.repeat(32)}`);
    expect(JSON.stringify(attempts)).not.toContain(TWILIO_TOKEN);
  });

  it('400 (invalid number) is permanent: given up without retrying', async () => {
    const api = await twilioEmulator([400]);
    const clock = new ManualClock();
    const m = smsManager(clock, api.url, ['+15550002222']);
    m.enqueue(tripEvent());
    await m.settled();
    clock.advance(3_600_000);
    await m.settled();
    expect(api.requests).toHaveLength(1);
    const attempts = await m.attempts();
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'delivery_failed']);
    expect(attempts[0].reason).toMatch(/HTTP 400 code 21211/);
  });

  it('429 is retried with backoff until Twilio accepts: exactly one message', async () => {
    const api = await twilioEmulator([429, 429, 201]);
    const clock = new ManualClock();
    const m = smsManager(clock, api.url, ['+15550002222']);
    m.enqueue(tripEvent());
    await m.settled();
    clock.advance(1_000);
    await waitFor(() => api.requests.length === 2 && m.inFlightCount === 0, 'second attempt');
    await m.settled();
    clock.advance(2_000);
    await waitFor(() => api.requests.length === 3, 'third attempt');
    await m.settled();
    clock.advance(60_000);
    await m.settled();
    expect(api.requests).toHaveLength(3);
    const attempts = await m.attempts();
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'sent']);
    expect(attempts[0].reason).toMatch(/HTTP 429 code 20429/);
  });
});
