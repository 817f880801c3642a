import { BreakerState } from '../../machines/constants.ts';
import { BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import { effectiveConfig, type ResolvedSettings } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Controls } from './controls.ts';
import type { Figures } from './figures.ts';
import type { Gate } from './gate.ts';
import type { ActorHost } from './host.ts';
import { reconcile } from './reconcile.ts';
import type { BreakerStatus, Position, RuntimeStatus, StateSnapshot, UnconfirmedCancel } from './types.ts';

/** The compact state published on `state$`, from the gate (itself written from the actors). */
export function stateSnapshot(strategy: string, gate: Gate, now: number): StateSnapshot {
  return {
    strategy,
    state: gate.global,
    ordersAllowed: gate.open,
    tradingMode: gate.mode,
    breakers: Object.fromEntries(BREAKER_TYPES.map((t) => [t, gate.views[t].state])) as Record<BreakerType, BreakerState>,
    at: now,
  };
}

export interface StatusSources {
  strategy: string;
  /** The wall clock (timestamps shown). */
  now: number;
  /** The monotonic clock the trackers count on (ages, windows). */
  mono: number;
  gate: Gate;
  host: ActorHost;
  figures: Figures;
  positions: readonly Position[];
  /** The cash last reported, or null. */
  cash: string | null;
  settings: ResolvedSettings;
  controls: Controls;
  log: Logger;
  /** The orders a cancel did not see closed in time (cancelConfirm.ts). */
  cancels?: { list(): UnconfirmedCancel[] };
}

/**
 * Everything about a strategy now: each breaker's state and reason from its actor, its true
 * figures from its rule. Never throws: a breaker whose figures cannot be computed shows the
 * reason instead.
 */
export function buildStatus(s: StatusSources): RuntimeStatus {
  const { gate, host, figures, mono } = s;
  const value = safe(() => figures.value, null);
  const breaker = (type: BreakerType): BreakerStatus => {
    const view = gate.views[type];
    const context = safe(() => host.snapshot(type).context, null);
    const tracker = figures.trackers.get(type) ?? null;
    const figureSet =
      type === BreakerType.MANUAL
        ? {
            operator: view.state === BreakerState.NORMAL ? null : (context?.operator ?? null),
            reason: view.state === BreakerState.NORMAL ? null : (context?.reason ?? null),
            haltedAt: view.state === BreakerState.NORMAL ? null : new Date(view.since).toISOString(),
            mode: view.state === BreakerState.NORMAL ? null : (view.haltMode ?? 'halt'),
          }
        : tracker === null
          ? null
          : safe(() => tracker.figures(mono, value), { unavailable: 'the figures could not be computed' });
    return {
      type,
      enabled: type === BreakerType.MANUAL || tracker !== null,
      state: view.state,
      since: new Date(view.since).toISOString(),
      reason: view.fault !== null ? `actor failed: ${view.fault}` : view.reason,
      resetExpiresAt: context?.resetDeadline != null ? new Date(context.resetDeadline).toISOString() : null,
      onTrip: gate.isReduceOnly(type) ? 'reduceOnly' : 'halt',
      figures: figureSet,
    } as BreakerStatus;
  };
  return {
    strategy: s.strategy,
    state: gate.global,
    ordersAllowed: gate.open,
    tradingMode: gate.mode,
    dataFault: gate.dataFault,
    breakers: Object.fromEntries(BREAKER_TYPES.map((t) => [t, breaker(t)])) as RuntimeStatus['breakers'],
    config: safe(() => effectiveConfig(s.settings), null),
    supervision: safe(() => {
      const { restarts, lastFailure } = host.supervision;
      return { restarts: { ...restarts }, lastFailure };
    }, { restarts: {}, lastFailure: null }),
    portfolio: {
      value: value?.toFixed() ?? null,
      positions: s.positions,
      timestamp: figures.lastTimestamp === null ? null : new Date(figures.lastTimestamp).toISOString(),
      ...reconcile(value, s.positions, s.cash),
    },
    controls: safe(() => s.controls.status(), {
      limits: false,
      symbols: [],
      grossExposure: null,
      rejections: {},
      lastRejection: null,
      openOrders: 0,
      maxOpenOrders: null,
    }),
    unconfirmedCancels: safe(() => s.cancels?.list() ?? [], []),
    at: new Date(s.now).toISOString(),
  };
}

function safe<T>(compute: () => T, fallback: T): T {
  try {
    return compute();
  } catch {
    return fallback;
  }
}
