import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createAlertManager, type AlertManager } from '../../src/alerts/index.ts';
import { mailHeader, startSmtpServer, tripEvent, waitFor } from './helpers.ts';

const PASS = 'smtp-pass-SECRET-value';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function emailManager(clock: ManualClock, port: number, extra: object = {}): AlertManager {
  const m = createAlertManager(
    {
      email: { host: '127.0.0.1', port, requireTLS: false, auth: { user: 'alerts', pass: PASS }, from: 'breakerbox@example.com', to: ['ops@example.com', 'risk@example.com'], ...extra },
      retry: { baseDelayMs: 1_000, maxDelayMs: 10_000, jitter: 0 },
      timeoutMs: 5_000,
    },
    { clock },
  );
  cleanup.push(() => m.close());
  return m;
}

describe('e-mail alerts over SMTP (nodemailer → smtp-server on 127.0.0.1)', () => {
  it('sends one message per recipient with subject, headers, text and escaped HTML', async () => {
    let seenPass = '';
    const smtp = await startSmtpServer({
      allowInsecureAuth: true,
      onAuth(auth, _session, cb) {
        seenPass = auth.password ?? '';
        if (auth.username === 'alerts' && auth.password === PASS) cb(null, { user: 'alerts' });
        else cb(new Error('bad credentials'));
      },
    });
    cleanup.push(() => smtp.close());
    const m = emailManager(new ManualClock(), smtp.port);
    const trip = tripEvent({ strategy: 'alpha-1<b>' });
    m.enqueue(trip);
    await m.settled();
    expect(seenPass).toBe(PASS);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails.map((x) => x.to[0]).sort()).toEqual(['ops@example.com', 'risk@example.com']);
    const mail = smtp.mails[0];
    expect(mail.from).toBe('breakerbox@example.com');
    expect(mail.user).toBe('alerts');
    expect(mailHeader(mail.raw, 'Subject')).toBe('[breakerbox] DRAWDOWN breaker TRIPPED on alpha-1<b>: -10.4% from peak 1,050,000.00 (limit -10.0%)');
    expect(mailHeader(mail.raw, 'X-Breakerbox-Alert-Id')).toBe(trip.id);
    expect(mailHeader(mail.raw, 'X-Breakerbox-Severity')).toBe('critical');
    expect(mailHeader(mail.raw, 'Message-ID')).toContain(trip.id);
    const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    expect(body).toContain('Strategy: alpha-1<b>');
    expect(body).toContain('&lt;b&gt;');
    expect(body).not.toContain('<h2>DRAWDOWN breaker TRIPPED on alpha-1<b>');
    const attempts = await m.attempts();
    expect(attempts.filter((a) => a.outcome === 'sent').map((a) => a.target).sort()).toEqual(['email:ops@example.com', 'email:risk@example.com']);
    expect(JSON.stringify(attempts)).not.toContain(PASS);
  });

  it('upgrades with STARTTLS when requireTLS is set', async () => {
    const smtp = await startSmtpServer({ disabledCommands: [] });
    cleanup.push(() => smtp.close());
    const m = emailManager(new ManualClock(), smtp.port, { requireTLS: true, auth: undefined, tls: { rejectUnauthorized: false }, to: ['ops@example.com'] });
    m.enqueue(tripEvent());
    await m.settled();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0].secure).toBe(true);
  });

  it('refuses to send in clear when STARTTLS is required but not offered', async () => {
    const smtp = await startSmtpServer({ disabledCommands: ['STARTTLS'] });
    cleanup.push(() => smtp.close());
    const m = emailManager(new ManualClock(), smtp.port, { requireTLS: true, auth: undefined, to: ['ops@example.com'] });
    m.enqueue(tripEvent());
    await m.settled();
    expect(smtp.mails).toHaveLength(0);
    const [attempt] = await m.attempts();
    expect(attempt.outcome).toBe('failed');
    expect(attempt.reason).toMatch(/STARTTLS/i);
  });

  it('keeps retrying while the SMTP server refuses connections and delivers once it is back', async () => {
    // Reserve a port, then close it so connections are refused.
    const probe = await startSmtpServer();
    const port = probe.port;
    await probe.close();
    const clock = new ManualClock();
    const m = emailManager(clock, port, { auth: undefined, to: ['ops@example.com'] });
    m.enqueue(tripEvent());
    await m.settled();
    let attempts = await m.attempts();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', target: 'email:ops@example.com' });
    expect(attempts[0].reason).toMatch(/ECONNREFUSED|connect/i);
    clock.advance(1_000);
    await waitFor(async () => (await m.attempts()).length === 2 && m.inFlightCount === 0, 'second refused attempt');
    const smtp = await startSmtpServer({}, port);
    cleanup.push(() => smtp.close());
    clock.advance(2_000);
    await waitFor(() => smtp.mails.length === 1, 'mail after recovery');
    await m.settled();
    clock.advance(60_000);
    await m.settled();
    expect(smtp.mails).toHaveLength(1);
    attempts = await m.attempts();
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'sent']);
  });
});
