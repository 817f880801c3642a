import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { alertConfigFromEnv, assertUrlAllowed, parseAlertConfig } from '../../src/alerts/index.ts';

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

describe('alert configuration', () => {
  it('lists every problem at once, with paths', () => {
    const issues = issuesOf(() =>
      parseAlertConfig({
        email: { host: '', port: 70000, from: 'nope', to: [] },
        sms: { accountSid: 'XX', authToken: 'tok', from: '+15550001111', to: ['555'] },
        webhooks: [{ url: 'https://evil.example.net/hook', format: 'pagerduty' }],
        allowlist: ['https://hooks.example.com/'],
        maxPerHour: 0,
      }),
    );
    const paths = issues.map((i) => i.path);
    for (const p of [
      'alerts.email.host',
      'alerts.email.port',
      'alerts.email.from',
      'alerts.email.to',
      'alerts.sms.accountSid',
      'alerts.sms.to.0',
      'alerts.webhooks.0.url',
      'alerts.webhooks.0.routingKey',
      'alerts.maxPerHour',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('refuses non-allowlisted URLs, look-alike hosts and plain http to non-loopback hosts', () => {
    const base = { allowlist: ['https://hooks.example.com/alerts', 'http://127.0.0.1:9/'] };
    const bad = issuesOf(() =>
      parseAlertConfig({
        ...base,
        webhooks: [
          { url: 'https://hooks.example.com.evil.net/alerts' },
          { url: 'https://hooks.example.com/alertsX' },
          { url: 'http://hooks.example.com/alerts' },
          { url: 'https://user:pw@hooks.example.com/alerts' },
        ],
      }),
    );
    expect(bad.map((i) => i.path)).toEqual(['alerts.webhooks.0.url', 'alerts.webhooks.1.url', 'alerts.webhooks.2.url', 'alerts.webhooks.3.url']);
    expect(bad[2].message).toMatch(/plain http is only allowed for loopback/);
    const ok = parseAlertConfig({ ...base, webhooks: [{ url: 'https://hooks.example.com/alerts/team-a' }, { url: 'http://127.0.0.1:9/x' }] });
    expect(ok.webhooks.map((w) => w.name)).toEqual(['json-0', 'json-1']);
    // Insecure http to a remote host only with the explicit opt-in.
    expect(() => parseAlertConfig({ allowInsecureHttp: true, allowlist: ['http://hooks.example.com/'], webhooks: [{ url: 'http://hooks.example.com/a' }] })).not.toThrow();
    expect(() => assertUrlAllowed('https://other.example.com/a', { allowlist: ['https://hooks.example.com/'], allowInsecureHttp: false })).toThrow(
      expect.objectContaining({ code: 'URL_NOT_ALLOWED' }),
    );
    expect(issuesOf(() => parseAlertConfig({ webhooks: [{ url: 'https://hooks.example.com/' }] })).map((i) => i.path)).toEqual(['alerts.allowlist']);
  });

  it('reads the environment, defaulting the allowlist to the webhook URL', () => {
    const config = alertConfigFromEnv({
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '587',
      SMTP_USERNAME: 'alerts@example.com',
      SMTP_PASSWORD: 'smtp-pass-SECRET',
      ALERT_EMAIL: 'ops@example.com, risk@example.com',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'twilio-SECRET',
      TWILIO_FROM_NUMBER: '+15550001111',
      ALERT_PHONE: '+15550002222,+15550003333',
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/T0/B0/slackSECRETpath',
      ALERT_WEBHOOK_SECRET: 'whsec-SECRET-0123456789',
      ALERT_WEBHOOK_TOKEN: 'bearer-SECRET',
    });
    expect(config.email).toMatchObject({ host: 'smtp.example.com', port: 587, requireTLS: true, from: 'alerts@example.com', to: ['ops@example.com', 'risk@example.com'] });
    expect(config.sms?.to).toEqual(['+15550002222', '+15550003333']);
    expect(config.allowlist).toEqual(['https://hooks.example.com/T0/B0/slackSECRETpath']);
    expect(config.webhooks[0]).toMatchObject({ format: 'json', secret: 'whsec-SECRET-0123456789', token: 'bearer-SECRET' });
    // Secrets never appear in JSON or inspect output.
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 })]) {
      expect(text).not.toMatch(/SECRET/);
      expect(text).toContain('***');
    }
    expect(alertConfigFromEnv({}).webhooks).toEqual([]);
  });

  it('names env problems and never echoes secrets in errors', () => {
    try {
      alertConfigFromEnv({ SMTP_HOST: 'smtp.example.com', SMTP_PORT: 'abc', SMTP_PASSWORD: 'pw-SECRET', TWILIO_ACCOUNT_SID: 'bad', TWILIO_AUTH_TOKEN: 'tw-SECRET' });
      throw new Error('expected failure');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      const paths = e.issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['env.SMTP_PORT', 'env.ALERT_EMAIL', 'env.ALERT_EMAIL_FROM', 'env.ALERT_PHONE', 'alerts.sms.accountSid']));
      expect(e.message).not.toMatch(/SECRET/);
    }
  });
});
