import type { BreakerEvent } from '../../machines/charts/breakerChart.ts';
import { BreakerState } from '../../machines/constants.ts';
import { BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import { callCancelAllOrders, DEFAULT_CANCEL_TIMEOUT_MS } from './cancel.ts';
import { RiskEventType } from '../events.ts';
import { describeValue, LOST_WITH_DIRECTORY, StoreNotRecreatedError, StoreRecreatedError } from '../errors.ts';
import type { BrokerPort } from './cancel.ts';
import type { CancelConfirmations } from './cancelConfirm.ts';
import type { Gate } from './gate.ts';
import type { ActorHost } from './host.ts';
import type { Breakers, GateView, StepBase } from './ports.ts';
import type { StrategyRecord } from './persistence.ts';
import type { CancelRequest } from './step.ts';

/** The operator name the runtime acts as when it fails closed on its own. */
export const SYSTEM_OPERATOR = 'breakerbox';

/** Whether a store failure was said (StoreWriteFailed emitted once): this module's own state, kept by the core. */
export interface StoreFailure {
  failed: boolean;
}

/**
 * What the fault steps take: the gate's fault flags and the views a restore dates, the actors,
 * the broker port with the cancels it must see confirmed, and the store-failure state.
 */
export interface FaultPort extends StepBase {
  readonly gate: GateView & Pick<Gate, 'fault'>;
  readonly host: Breakers & Pick<ActorHost, 'resumed'>;
  readonly broker: BrokerPort | null;
  readonly cancels: Pick<CancelConfirmations, 'cancelling'>;
  readonly storeFailure: StoreFailure;
}

const text = (error: unknown): string => (error instanceof Error ? error.message : describeValue(error));

/** A breaker actor failed: blocked until its supervisor's restart reports (within the same step). */
export function actorFailed(core: FaultPort, kind: BreakerType, error: unknown): void {
  const message = text(error);
  core.gate.fault(kind, message);
  core.log.error({ event: 'actor_failed', strategy: core.strategy, breaker: kind, error: message }, `${kind} actor failed: restarting it`);
  core.step.run(() => core.emit(RiskEventType.ACTOR_RESTARTED, kind, { error: message }));
}

/** The supervisor itself failed: nothing can be trusted until a restart. */
export function supervisorFailed(core: FaultPort, error: unknown): void {
  const message = text(error);
  for (const kind of BREAKER_TYPES) core.gate.fault(kind, `supervisor failed, restart required: ${message}`);
  core.log.error({ event: 'supervisor_failed', strategy: core.strategy, error: message }, 'supervisor actor failed: orders blocked');
  core.step.run(() => core.emit(RiskEventType.ACTOR_RESTARTED, null, { error: message, fatal: true }));
}

/** The state could not be restored: start halted, saying why. */
export function failClosed(core: FaultPort, reason: string): void {
  core.log.error({ event: 'fail_closed', strategy: core.strategy, reason }, 'starting halted: state could not be restored');
  core.emit(RiskEventType.RESTORE_FAILED, null, { reason });
  if (core.host.state(BreakerType.MANUAL) !== BreakerState.MANUALLY_HALTED) {
    core.host.send(BreakerType.MANUAL, { type: 'HALT', operator: SYSTEM_OPERATOR, reason });
  }
}

/**
 * A write that fails means a restart could forget: say so once (alerted from memory), halt, fail
 * closed. A store directory that vanished is re-created by the store: this journals, as the first
 * entry in the new directory, what was lost, and holds the strategy halted with that reason until
 * an operator resets it; a directory that cannot be re-created is said too (it is why).
 */
export function storeFailed(core: FaultPort, error: unknown): void {
  const message = text(error);
  const recreated = error instanceof StoreRecreatedError;
  core.log.error({ event: recreated ? 'store_recreated' : 'store_failed', strategy: core.strategy, error: message }, recreated ? 'store directory re-created' : 'store write failed');
  if (core.gate.stopped) return;
  core.step.run(() => {
    if (recreated) {
      core.emit(RiskEventType.STORE_FAILED, null, { error: message, directory: error.directory, recreated: true, lost: [...LOST_WITH_DIRECTORY] });
      // The store works again: a later failure is a new one, said again.
      core.storeFailure.failed = false;
    } else if (!core.storeFailure.failed || error instanceof StoreNotRecreatedError) {
      core.storeFailure.failed = true;
      core.emit(RiskEventType.STORE_FAILED, null, { error: message, ...(error instanceof StoreNotRecreatedError ? { recreated: false } : {}) });
    }
    if (core.host.state(BreakerType.MANUAL) === BreakerState.MANUALLY_HALTED) return;
    core.host.send(BreakerType.MANUAL, { type: 'HALT', operator: SYSTEM_OPERATOR, reason: recreated ? message : `store write failed: ${message}` });
  });
}

/** A listener or the broker port threw inside the step's delivery: logged, the step went on. */
export function listenerFailed(core: Pick<FaultPort, 'log' | 'strategy'>, error: unknown): void {
  core.log.error({ event: 'listener_failed', strategy: core.strategy, error: text(error) }, 'a listener or the broker port threw; the step went on');
}

/** After a restore: a RESETTING breaker's confirmation died with the process; restoring is not a transition. */
export function afterRestore(core: FaultPort, record: StrategyRecord): void {
  core.host.resumed();
  for (const kind of record.addedBreakers ?? []) {
    const reason = 'the saved record predates this breaker: it starts in its initial state (NORMAL)';
    core.log.info({ event: 'breaker_added', strategy: core.strategy, breaker: kind }, reason);
    core.emit(RiskEventType.BREAKER_ADDED, kind as BreakerType, { reason, savedAt: record.savedAt });
  }
  for (const kind of BREAKER_TYPES) {
    const since = record.figures.since[kind];
    if (typeof since === 'number') core.gate.views[kind].since = since;
    const { context } = core.host.snapshot(kind);
    if (core.host.state(kind) === BreakerState.RESETTING && context.resetToken) {
      core.host.send(kind, { type: 'RESET_EXPIRED', token: context.resetToken } satisfies BreakerEvent);
    }
  }
}

/** The broker port, after a trip or halt: a throw, a rejection or no settlement in time is journalled and alerted. */
export function cancelAllOrders(core: FaultPort, { breaker, reason }: CancelRequest): void {
  const broker = core.broker;
  // No broker port: nothing is cancelled, so nothing is awaited; else the open orders must be seen closed (cancelConfirm.ts).
  if (!broker) return;
  core.cancels.cancelling(breaker);
  callCancelAllOrders((context: Parameters<BrokerPort['cancelAllOrders']>[0]) => broker.cancelAllOrders(context), { strategy: core.strategy, breaker, reason }, {
    clock: core.clock,
    timeoutMs: broker.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS,
    onFailed: ({ error, timedOut }) => {
      if (core.gate.stopped) return;
      core.log.error({ event: 'cancel_failed', strategy: core.strategy, breaker, error, timedOut }, 'cancelAllOrders failed');
      core.step.run(() => core.emit(RiskEventType.CANCEL_FAILED, breaker, { error, timedOut }));
    },
  });
}
