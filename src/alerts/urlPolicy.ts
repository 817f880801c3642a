import { isIP } from 'node:net';
import { BreakerboxError, ErrorCode, describeValue } from '../errors.ts';

/** Which webhook URLs may be called. */
export interface UrlPolicy {
  /** URL prefixes; a URL is allowed when it has the same origin and its path lies under a prefix's path. */
  readonly allowlist: readonly string[];
  /** Allow plain `http:` to non-loopback hosts (default false). */
  readonly allowInsecureHttp: boolean;
}

/** True for `localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Redacts a URL for logs: origin only (paths of e.g. Slack webhooks are secrets). */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/***`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Returns a problem with an allowlist prefix, or null when it is usable. */
export function checkAllowlistPrefix(prefix: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(prefix);
  } catch {
    return `not an absolute URL (got ${describeValue(redactUrl(prefix))})`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `protocol must be https or http (got ${describeValue(parsed.protocol)})`;
  if (parsed.username || parsed.password) return 'must not contain credentials';
  if (parsed.search || parsed.hash) return 'must not contain a query or fragment';
  return null;
}

function underPrefix(url: URL, prefix: URL): boolean {
  if (url.protocol !== prefix.protocol || url.host !== prefix.host) return false;
  const base = prefix.pathname;
  if (base === '/' || base.endsWith('/')) return url.pathname.startsWith(base);
  return url.pathname === base || url.pathname.startsWith(`${base}/`);
}

/**
 * Returns why `url` may not be called under `policy`, or null when it may. Checked when the
 * configuration is validated and again before every send.
 */
export function urlProblem(url: string, policy: UrlPolicy): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not an absolute URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `protocol ${parsed.protocol} is not allowed (https only)`;
  if (parsed.username || parsed.password) return 'URL must not contain credentials';
  if (parsed.protocol === 'http:' && !policy.allowInsecureHttp && !isLoopbackHost(parsed.hostname)) {
    return `plain http is only allowed for loopback hosts (host ${parsed.hostname}); use https or set allowInsecureHttp`;
  }
  const allowed = policy.allowlist.some((p) => {
    try {
      return underPrefix(parsed, new URL(p));
    } catch {
      return false;
    }
  });
  if (!allowed) return `${redactUrl(url)} does not match any allowlisted URL prefix`;
  return null;
}

/** Throws a `URL_NOT_ALLOWED` error when `url` may not be called. */
export function assertUrlAllowed(url: string, policy: UrlPolicy): void {
  const problem = urlProblem(url, policy);
  if (problem) throw new BreakerboxError(ErrorCode.URL_NOT_ALLOWED, `webhook URL refused: ${problem}`);
}
