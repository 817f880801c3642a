import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../../src/alerts/index.ts';

const secret = 'whsec_0123456789abcdef';
const body = '{"alert_id":"a1","event_type":"CircuitBreakerTripped"}';
const now = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('webhook signatures', () => {
  it('signs t.<body> with HMAC-SHA256 (checked with node:crypto directly)', () => {
    const header = signatureHeader(secret, body, now);
    const t = Math.floor(now / 1000);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
    expect(verifySignature({ header, body, secret, now })).toEqual({ ok: true, timestamp: t });
  });

  it('refuses a replayed request whose timestamp is older than the tolerance', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature({ header, body, secret, now: now + 299_000, toleranceSeconds: 300 }).ok).toBe(true);
    expect(verifySignature({ header, body, secret, now: now + 301_000, toleranceSeconds: 300 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifySignature({ header, body, secret, now: now - 301_000, toleranceSeconds: 300 })).toEqual({ ok: false, reason: 'future' });
  });

  it('refuses tampered bodies, wrong secrets and malformed headers; accepts a rotated secret list', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature({ header, body: body.replace('a1', 'a2'), secret, now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ header, body, secret: 'other-secret-value!', now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature({ header, body, secret: ['old-secret-value-123', secret], now }).ok).toBe(true);
    expect(verifySignature({ header: 'v1=abc', body, secret, now })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature({ header: undefined, body, secret, now })).toEqual({ ok: false, reason: 'missing' });
    // A timestamp swapped into a valid v1 breaks the HMAC.
    const forged = header.replace(/t=\d+/, `t=${Math.floor(now / 1000) + 1}`);
    expect(verifySignature({ header: forged, body, secret, now })).toEqual({ ok: false, reason: 'mismatch' });
  });
});
