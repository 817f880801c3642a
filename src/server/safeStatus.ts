import type { RiskRuntime } from '../runtime/runtime.ts';
import type { RuntimeStatus, StateSnapshot } from '../runtime/types.ts';

/** What the server shows for a strategy whose figures cannot be computed. */
export interface FaultedStatus {
  readonly strategy: string;
  readonly state: string;
  readonly ordersAllowed: boolean;
  /** Why the full status could not be shown. */
  readonly faulted: { readonly reason: string };
  readonly at: string;
}

const message = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);

/** The last state snapshot of a runtime (state$ replays it synchronously), or null. */
export function lastSnapshot(rt: RiskRuntime): StateSnapshot | null {
  let snapshot: StateSnapshot | null = null;
  try {
    rt.state$.subscribe((s) => (snapshot = s)).unsubscribe();
  } catch {
    snapshot = null;
  }
  return snapshot;
}

/**
 * `rt.status()`, or — when it throws (a value it cannot render, a bug) — a faulted status with
 * the reason and the gate as last published. Never throws: one strategy can never take a
 * route, a stream or the server down.
 */
export function safeStatus(rt: RiskRuntime): RuntimeStatus | FaultedStatus {
  try {
    return rt.status();
  } catch (error) {
    return faulted(rt, error);
  }
}

/** The faulted form of a strategy's status. */
export function faulted(rt: RiskRuntime, error: unknown): FaultedStatus {
  let state = 'UNKNOWN';
  try {
    state = rt.state;
  } catch {
    // keep UNKNOWN
  }
  const snapshot = lastSnapshot(rt);
  return {
    strategy: rt.strategy,
    state,
    // Never claim orders flow for a strategy whose figures cannot be shown unless its gate said so.
    ordersAllowed: snapshot?.ordersAllowed === true,
    faulted: { reason: `status cannot be shown: ${message(error)}` },
    at: new Date().toISOString(),
  };
}

/** One row of `GET /api/strategies`. */
export function summary(rt: RiskRuntime): { name: string; state: string; ordersAllowed: boolean; faulted?: { reason: string } } {
  const status = safeStatus(rt);
  return 'faulted' in status
    ? { name: rt.strategy, state: status.state, ordersAllowed: status.ordersAllowed, faulted: status.faulted }
    : { name: rt.strategy, state: status.state, ordersAllowed: status.ordersAllowed };
}
