import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random bearer token (32 bytes, base64url). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The expected token's digest, computed once per token (a server checks the same token on every call). */
let expectedToken: string | null = null;
let expectedDigest: Buffer | null = null;
function digestOfExpected(expected: string): Buffer {
  if (expectedToken !== expected || expectedDigest === null) {
    expectedDigest = digest(expected);
    expectedToken = expected;
  }
  return expectedDigest;
}

/**
 * Compares a presented token with the expected one in constant time: both are hashed to
 * equal-length SHA-256 digests first, so neither the content nor the length leaks through timing.
 */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digestOfExpected(expected));
}

/** Outcome of checking an `Authorization` header. */
export type AuthOutcome = 'ok' | 'missing' | 'wrong';

/** Checks an `Authorization: Bearer <token>` header value. */
export function checkBearer(header: string | undefined, expected: string): AuthOutcome {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return 'missing';
  return tokensMatch(match[1]!, expected) ? 'ok' : 'wrong';
}
