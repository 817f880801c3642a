/**
 * The narrow ports the step modules take instead of the whole runtime core: the pieces, and the
 * ports several step modules share (RulesPort, StalePort, DataFaultPort). A port that one module
 * alone takes is declared in that module (faults.ts `FaultPort`, messages.ts `MessagesPort`, …):
 * only what its steps read or call, readonly. core.ts satisfies every port structurally and
 * passes itself (types only: no adapter, no extra hop on check()'s hot path). docs/architecture.md
 * lists which step takes which port.
 */
import type { BreakerType } from '../../machines/rules/registry.ts';
import type { TimeTracker } from '../../machines/rules/rule.ts';
import type { MonotonicClock } from '../clock.ts';
import type { EventDetails, RiskEventType } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { Durability } from './durability.ts';
import type { Figures } from './figures.ts';
import type { Gate } from './gate.ts';
import type { ActorHost } from './host.ts';
import type { StaleWatch } from './staleness.ts';
import type { StepRunner } from './step.ts';
import type { SnapshotTimers } from './timers.ts';
import type { Position } from './types.ts';

/** What every step has: whose runtime, its clock and log, the step runner and the journal. */
export interface StepBase {
  readonly strategy: string;
  /** The injected clock, with a monotonic reading for every age, deadline and window (src/clock.ts). */
  readonly clock: MonotonicClock;
  readonly log: Logger;
  readonly step: StepRunner;
  /** Queues an event for the journal (this step's durable batch) and for `events$` after the step. */
  emit(type: RiskEventType, breaker: BreakerType | null, details: EventDetails, operator?: string): void;
}

/**
 * The gate as a step reads it. It is written from the actors' snapshots (transitions.ts); a step
 * that sets or clears a fault flag names that method of {@link Gate} in its own port.
 */
export type GateView = Readonly<Pick<Gate, 'views' | 'global' | 'mode' | 'open' | 'reducing' | 'rejection' | 'stopped' | 'dataFault'>>;

/** The breakers' actors as a step drives them: events in; state and context out. */
export type Breakers = Pick<ActorHost, 'send' | 'state' | 'snapshot'>;

/** The last accepted position report and cash (canonical decimal text, or null): written by the portfolio step only. */
export interface HeldPortfolio {
  positions: readonly Position[];
  cash: string | null;
}

/**
 * What the rules' steps take (a signal, a counted input, a recovery): the rules' figures and the
 * timers of the timed ones, the actors, the gate as read, and the counters' save.
 */
export interface RulesPort extends StepBase {
  readonly gate: GateView;
  readonly figures: Figures;
  readonly host: Breakers;
  readonly durability: Pick<Durability, 'countersChanged'>;
  readonly timers: Pick<SnapshotTimers, 'armRecovery'>;
  /** The timers of the rules that act on time as well as on inputs, one per `figures.timed` entry. */
  readonly dueWatches: readonly Pick<StaleWatch, 'arm'>[];
}

/** The rules, and the dead-man's switch that an order or a message notices (signals.ts `noticeStale`). */
export interface StalePort extends RulesPort {
  readonly stale: Pick<TimeTracker, 'holds'> | null;
}

/** What refusing the data takes: the gate's data-fault flag, the quiet band (dropped), `state$`. */
export interface DataFaultPort {
  readonly strategy: string;
  readonly log: Logger;
  readonly gate: GateView & Pick<Gate, 'setDataFault'>;
  readonly figures: Pick<Figures, 'band'>;
  /** Publishes the gate's state on `state$` after the step. */
  publishState(): void;
}
