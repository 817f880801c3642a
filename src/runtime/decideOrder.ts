import type { BreakerType } from '../../machines/rules/registry.ts';
import { Signal } from '../../machines/figures/signal.ts';
import type { ValidOrder } from './orderInput.ts';
import type { HistoryRecorder } from './history/recorder.ts';
import type { OrderLease } from './clusterPort.ts';
import { selfTradeChecked } from './selfTrade.ts';
import { control, notifyDecision, raiseOrderSignals, signal, type CheckPort } from './signals.ts';
import type { Decision } from './types.ts';

const ALLOWED: Decision = Object.freeze({ allowed: true });

/** What check()'s decision reads besides the ports of its steps. */
export interface DecidePort extends CheckPort {
  readonly limited: boolean;
  readonly lease: OrderLease | null;
  readonly history: Pick<HistoryRecorder, 'order'>;
  /** How many subscribe to `decisions$` (read instead of the subject: one field on the hot path). */
  readonly decisionWatchers: number;
  /** The wall clock at monotonic `mono`, read at most once a second (core.ts). */
  wallAt(mono: number): number;
}

/**
 * check()'s decision once the order is read and counted: the breakers (the gate), then the
 * pre-trade limits, then the firm's lease; recorded in the history and on `decisions$`.
 * `timed`: whether `mono` is a monotonic reading (−1 otherwise). No closure, no allocation on an
 * allowed order.
 */
export function decideOrder(core: DecidePort, order: unknown, valid: ValidOrder, timed: boolean, mono: number): Decision {
  const gate = core.gate;
  // Without limits an open gate allows at once; anything else is decided off the hot path.
  // A runtime without limits still publishes its orders while another checks self-trades.
  const quick = gate.open && !core.limited && !selfTradeChecked();
  // The limits compare exact wall times (asOf); the history's order time may come from the monotonic read (one clock read per check).
  const now = !quick ? core.clock.now() : timed ? core.wallAt(mono) : -1; // -1: not read (the history reads it then)
  let decision = quick ? ALLOWED : control(core, valid, now, mono);
  // The firm's order budget: a local lease, one counter decrement (never a network call).
  const lease = core.lease;
  if (lease !== null && decision.allowed && !lease.take()) decision = lease.rejection;
  core.history.order(now, valid.symbol, valid.side, valid.quantity, valid.price, valid.id, decision);
  if (core.decisionWatchers > 0) notifyDecision(core, order, decision);
  return decision;
}

/**
 * The order made a rule trip or warn (or found the data stale): its signals and its decision are
 * one step, so the trip closes the gate before the order is decided and the trip's listeners
 * (which may reset the breaker) run only after. The tripping order is rejected.
 */
export function decideSignalled(
  core: DecidePort,
  order: unknown,
  valid: ValidOrder,
  mono: number,
  raised: readonly (readonly [BreakerType, Signal])[] | null,
  staleTrip: boolean,
): Decision {
  return core.step.run(() => {
    if (raised !== null) raiseOrderSignals(core, raised, valid);
    if (staleTrip) core.step.run(() => signal(core, core.figures.staleKind!, Signal.TRIP));
    return decideOrder(core, order, valid, true, mono);
  });
}
