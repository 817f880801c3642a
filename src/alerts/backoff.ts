import type { RetryConfig } from './config.ts';

/**
 * Delay before retry number `attempt` (1 = after the first failure): exponential backoff with
 * jitter, `min(max, base·2^(attempt-1))`, of which the `jitter` fraction is randomised by `random()` in [0, 1).
 */
export function backoffDelay(retry: RetryConfig, attempt: number, random: () => number): number {
  const { baseDelayMs, maxDelayMs, jitter } = retry;
  const full = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(full * (1 - jitter * random()));
}
