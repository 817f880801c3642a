import type { BreakerContext, BreakerEvent } from '../../machines/charts/breakerChart.ts';
import type { BreakerState } from '../../machines/constants.ts';
import type { ClusterTracker } from '../../machines/rules/cluster.ts';
import type { Observable } from 'rxjs';
import type { MonotonicClock } from '../clock.ts';
import type { RiskEvent } from '../events.ts';
import type { Decision } from './types.ts';

/**
 * What a runtime lends its cluster member (src/cluster): every input from the cluster (a halt,
 * a lift, a link loss or return) is run through `step` and reaches the `cluster` actor by `send`;
 * the actor's guards decide. The member never touches the gate.
 */
export interface ClusterPort {
  readonly strategy: string;
  readonly clock: MonotonicClock;
  /** The cluster breaker's figures (link, halts in scope). */
  readonly tracker: ClusterTracker;
  /** Runs `body` as one step of the runtime (commit → gate → cancel → persist → notify). */
  step<T>(body: () => T): T;
  /** Sends an event to the `cluster` breaker's actor (inside a step). */
  send(event: BreakerEvent): void;
  state(): BreakerState;
  context(): BreakerContext;
  /** The figures changed without a transition: publish the state and save. */
  figuresChanged(): void;
  /** The runtime's events, after their steps (for the firm's audit stream). */
  readonly events$: Observable<RiskEvent>;
  /** Accepted portfolio values (the P&L the firm's limit sums is published after them). */
  readonly portfolio$: Observable<unknown>;
  /** Today's P&L from the daily-loss figures, or null when there is none. */
  dailyPnl(): { pnl: string; tradingDay: string | null } | null;
}

/** A lease on the firm's order budget: `take()` is a local counter decrement, never a network call. */
export interface OrderLease {
  take(): boolean;
  /** The decision returned when the process holds no lease. */
  readonly rejection: Extract<Decision, { allowed: false }>;
}

/** The runtime's side of a cluster membership (see src/cluster/member.ts). */
export interface ClusterBinding {
  /** Called once, inside the runtime's first step, before any input. */
  attach(port: ClusterPort): void;
  /** Called by stop(): timers cancelled, the link released. */
  detach(): Promise<void>;
  readonly lease: OrderLease | null;
}
