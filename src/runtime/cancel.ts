import type { BreakerType } from '../../machines/rules/registry.ts';
import type { CancelTimer, Clock } from '../clock.ts';
import { describeValue } from '../errors.ts';

/** The broker port: called once on every trip and halt to cancel pending orders. */
export interface BrokerPort {
  cancelAllOrders(context: { strategy: string; breaker: BreakerType; reason: string }): unknown;
  /** Ms a returned promise or thenable may take to settle before it is reported as failed (default 5000). */
  readonly cancelTimeoutMs?: number;
}

/** How long a `cancelAllOrders` may take to settle before it is reported as failed (ms). */
export const DEFAULT_CANCEL_TIMEOUT_MS = 5_000;

/** Why a cancel failed. */
export interface CancelFailure {
  readonly error: string;
  /** True when it did not settle within the timeout (it may still settle later). */
  readonly timedOut: boolean;
}

const text = (error: unknown): string => (error instanceof Error ? error.message : describeValue(error));

/**
 * Calls the broker port's `cancelAllOrders` and reports, once, a call that throws, returns a
 * promise or any thenable that rejects, or has not settled within `timeoutMs` of the clock.
 * A synchronous return (not a thenable) is a success. Never throws; never waits.
 */
export function callCancelAllOrders<C>(
  cancelAllOrders: (context: C) => unknown,
  context: C,
  options: { readonly clock: Clock; readonly timeoutMs: number; readonly onFailed: (failure: CancelFailure) => void },
): void {
  let settled = false;
  let cancelTimer: CancelTimer | null = null;
  const done = (failure: CancelFailure | null) => {
    if (settled) return;
    settled = true;
    cancelTimer?.();
    if (failure) options.onFailed(failure);
  };
  let result: unknown;
  let then: unknown;
  try {
    result = cancelAllOrders(context);
    then = (typeof result === 'object' || typeof result === 'function') && result !== null ? (result as { then?: unknown }).then : undefined;
  } catch (error) {
    return done({ error: text(error), timedOut: false });
  }
  if (typeof then !== 'function') return;
  cancelTimer = options.clock.setTimer(
    () => done({ error: `cancelAllOrders did not settle within ${options.timeoutMs} ms`, timedOut: true }),
    options.timeoutMs,
  );
  // A thenable (native or not) is adopted like a promise; a `then` that throws is a rejection.
  new Promise<unknown>((resolve, reject) => {
    try {
      (then as (ok: (v: unknown) => void, fail: (e: unknown) => void) => unknown).call(result, resolve, reject);
    } catch (error) {
      reject(error);
    }
  }).then(
    () => done(null),
    (error: unknown) => done({ error: text(error), timedOut: false }),
  );
}
