import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'X-Breakerbox-Signature';
/** Header naming which secret signed the request (for rotation). */
export const KEY_ID_HEADER = 'X-Breakerbox-Key-Id';
/** Header carrying the alert id; receivers drop repeats. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Default maximum age of a signature accepted by {@link verifySignature}: 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 of `"<t>.<body>"`. */
export function computeSignature(secret: string, timestampSeconds: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
}

/** Builds the {@link SIGNATURE_HEADER} value for a body sent at `nowMs`. */
export function signatureHeader(secret: string, body: string | Uint8Array, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${computeSignature(secret, t, body)}`;
}

/** Why a signature was refused. */
export const SignatureFailure = {
  MISSING: 'missing',
  MALFORMED: 'malformed',
  /** Timestamp older than the tolerance: a replay, or a badly delayed request. */
  EXPIRED: 'expired',
  /** Timestamp further in the future than the tolerance. */
  FUTURE: 'future',
  MISMATCH: 'mismatch',
} as const;
export type SignatureFailure = (typeof SignatureFailure)[keyof typeof SignatureFailure];

/** Result of {@link verifySignature}. */
export type VerifyResult = { readonly ok: true; readonly timestamp: number } | { readonly ok: false; readonly reason: SignatureFailure };

/** Arguments of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /** The `X-Breakerbox-Signature` header value. */
  readonly header: string | string[] | undefined;
  /** The raw request body, exactly as received (do not re-serialise parsed JSON). */
  readonly body: string | Uint8Array;
  /** The shared secret, or several during a rotation. */
  readonly secret: string | readonly string[];
  /** Maximum age (and future skew) accepted; default 300 s. */
  readonly toleranceSeconds?: number;
  /** The receiver's current time in ms (default `Date.now()`). */
  readonly now?: number;
}

/**
 * Verifies a webhook signature as a receiver should: parses `t` and every `v1`, refuses
 * timestamps outside the tolerance (replay protection), and compares HMACs in constant time.
 */
export function verifySignature(options: VerifySignatureOptions): VerifyResult {
  const header = Array.isArray(options.header) ? options.header[0] : options.header;
  if (!header) return { ok: false, reason: SignatureFailure.MISSING };
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) v1.push(value);
  }
  if (t === null || v1.length === 0) return { ok: false, reason: SignatureFailure.MALFORMED };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (nowSeconds - t > tolerance) return { ok: false, reason: SignatureFailure.EXPIRED };
  if (t - nowSeconds > tolerance) return { ok: false, reason: SignatureFailure.FUTURE };
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  for (const secret of secrets) {
    const expected = Buffer.from(computeSignature(secret, t, options.body), 'hex');
    for (const candidate of v1) {
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) return { ok: true, timestamp: t };
    }
  }
  return { ok: false, reason: SignatureFailure.MISMATCH };
}
