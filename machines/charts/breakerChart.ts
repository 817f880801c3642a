import { and, assign, setup, type AnyStateMachine } from 'xstate';
import { BreakerState, OnTrip } from '../constants.ts';
import { ChartKind, type Evidence, type RuleDecisions } from '../rules/rule.ts';

/** Events a breaker chart accepts. Evidence is the rule's figures; the chart's guards judge it. */
export type BreakerEvent =
  | { type: 'TRIP'; evidence: Evidence }
  | { type: 'HALT'; operator: string; reason: string; scope?: string; mode?: OnTrip }
  | { type: 'LIFT'; operator: string; scope: string; evidence: Evidence }
  | { type: 'REQUEST_RESET'; token: string; deadline: number; operator: string }
  | { type: 'CONFIRM_RESET'; token: string; operator: string; evidence: Evidence }
  | { type: 'RESET_EXPIRED'; token: string }
  | { type: 'WINDOW_CLEARED'; evidence: Evidence }
  | { type: 'RECOVER'; evidence: Evidence };
export type BreakerEventType = BreakerEvent['type'];

/** The event that last moved a breaker, as its chart recorded it (the journal is written from it). */
export interface Cause {
  readonly type: BreakerEventType;
  readonly operator: string | null;
  /** The trip's description, the halt's reason or the re-check's refusal. */
  readonly reason: string | null;
  readonly evidence: Evidence | null;
  /** For REQUEST_RESET: when the confirmation expires (ms). */
  readonly deadline: number | null;
}

export interface BreakerContext {
  readonly breaker: string;
  /** The pending reset token while RESETTING; the only copy. */
  resetToken: string | null;
  /** When the pending reset token expires (ms); the host arms its timer from it. */
  resetDeadline: number | null;
  /** Why the breaker is not NORMAL (the trip's description or the halt's reason), or null. */
  reason: string | null;
  /** Who halted it (manual breaker), or null. */
  operator: string | null;
  /** The evidence of the last trip or halt. */
  evidence: Evidence | null;
  /**
   * What a manual halt lets through while it holds: `'reduceOnly'` lets risk-reducing orders
   * pass, `'halt'` none; null while NORMAL (and for automatic breakers, whose mode is configured).
   * Absent in records saved before it existed (read as `'halt'`).
   */
  haltMode?: OnTrip | null;
  /** The last event that moved the chart (also self-transitions such as a repeated halt). */
  cause: Cause | null;
}

/** A persisted breaker (value and context), used to restart an actor where it was. */
export interface BreakerRestore {
  readonly value: unknown;
  readonly context: BreakerContext;
}

export interface BreakerInput {
  readonly breaker: string;
  /** When set, the actor starts from this value and context (a supervisor restart). */
  readonly restore?: BreakerRestore | null;
}

const { NORMAL, TRIPPED, RESETTING, MANUALLY_HALTED } = BreakerState;

const cause = (type: BreakerEventType, fields: Partial<Omit<Cause, 'type'>> = {}): Cause => ({
  type,
  operator: fields.operator ?? null,
  reason: fields.reason ?? null,
  evidence: fields.evidence ?? null,
  deadline: fields.deadline ?? null,
});

/** The halt in force, as the evidence of a later halt names it. */
const standingHalt = (context: BreakerContext) => ({ operator: context.operator, reason: context.reason, mode: context.haltMode ?? OnTrip.HALT });

/** The context a halt sets: who, why, its mode, no pending reset. */
function newHalt(event: Extract<BreakerEvent, { type: 'HALT' }>, extra: Evidence = {}): Partial<BreakerContext> {
  const evidence: Evidence = { operator: event.operator, reason: event.reason, mode: event.mode ?? OnTrip.HALT, ...(event.scope === undefined ? {} : { scope: event.scope }), ...extra };
  return {
    reason: event.reason,
    operator: event.operator,
    haltMode: event.mode ?? OnTrip.HALT,
    evidence,
    resetToken: null,
    resetDeadline: null,
    cause: cause('HALT', { operator: event.operator, reason: event.reason, evidence }),
  };
}

/** The guards and actions every chart shares, bound to one rule's decisions. */
function chartSetup(rule: RuleDecisions) {
  return setup({
    types: { context: {} as BreakerContext, events: {} as BreakerEvent, input: {} as BreakerInput },
    guards: {
      tripHolds: ({ event }) => event.type === 'TRIP' && rule.tripHolds(event.evidence),
      tokenMatches: ({ context, event }) =>
        'token' in event && context.resetToken !== null && event.token === context.resetToken,
      recheckPasses: ({ event }) => event.type === 'CONFIRM_RESET' && rule.recheck(event.evidence).passed,
      conditionCleared: ({ event }) => (event.type === 'WINDOW_CLEARED' || event.type === 'RECOVER') && rule.cleared(event.evidence),
      liftPasses: ({ event }) => event.type === 'LIFT' && rule.recheck(event.evidence).passed,
      /** A full halt over a reduce-only one: the only halt that changes a standing halt. */
      tightens: ({ context, event }) => event.type === 'HALT' && (event.mode ?? OnTrip.HALT) === OnTrip.HALT && context.haltMode === OnTrip.REDUCE_ONLY,
    },
    actions: {
      tripped: assign(({ event }) => {
        const evidence = event.type === 'TRIP' ? event.evidence : null;
        const reason = evidence ? rule.describe(evidence) : null;
        return { reason, evidence, operator: null, cause: cause('TRIP', { reason, evidence }) };
      }),
      halted: assign(({ event }) => (event.type === 'HALT' ? newHalt(event) : {})),
      /** The `tightens` edge: a full halt replaces a standing reduce-only one; its evidence names the halt it replaced. */
      tightened: assign(({ context, event }) => (event.type === 'HALT' ? newHalt(event, { tightened: true, earlier: standingHalt(context) }) : {})),
      /**
       * A halt while already MANUALLY_HALTED that does not tighten it: the standing halt (who, why,
       * mode, since) stays what the breaker shows; only the cause records the repeat, for the journal.
       */
      haltRepeated: assign(({ context, event }) => {
        if (event.type !== 'HALT') return {};
        const evidence: Evidence = { operator: event.operator, reason: event.reason, mode: event.mode ?? OnTrip.HALT, repeated: true, standing: standingHalt(context) };
        return { cause: cause('HALT', { operator: event.operator, reason: event.reason, evidence }) };
      }),
      storeToken: assign(({ event }) =>
        event.type === 'REQUEST_RESET'
          ? {
              resetToken: event.token,
              resetDeadline: event.deadline,
              cause: cause('REQUEST_RESET', { operator: event.operator, deadline: event.deadline }),
            }
          : {},
      ),
      confirmed: assign(({ event }) => ({
        resetToken: null,
        resetDeadline: null,
        reason: null,
        operator: null,
        haltMode: null,
        cause: cause(event.type, {
          operator: event.type === 'CONFIRM_RESET' ? event.operator : null,
          evidence: 'evidence' in event ? event.evidence : null,
        }),
      })),
      refused: assign(({ event }) => {
        if (event.type !== 'CONFIRM_RESET') return {};
        const refusal = rule.recheck(event.evidence).reason ?? 're-check failed';
        return {
          resetToken: null,
          resetDeadline: null,
          cause: cause('CONFIRM_RESET', { operator: event.operator, reason: refusal, evidence: event.evidence }),
        };
      }),
      lifted: assign(({ event }) =>
        event.type === 'LIFT'
          ? {
              resetToken: null,
              resetDeadline: null,
              cause: cause('LIFT', { operator: event.operator, reason: `halt at ${event.scope} lifted`, evidence: { ...event.evidence, scope: event.scope } }),
            }
          : {},
      ),
      expired: assign({ resetToken: null, resetDeadline: null, cause: () => cause('RESET_EXPIRED') }),
      recovering: assign(({ event }) => ({
        resetToken: null,
        resetDeadline: null,
        cause: cause('WINDOW_CLEARED', { evidence: 'evidence' in event ? event.evidence : null }),
      })),
    },
  });
}

const initialContext = ({ input }: { input: BreakerInput }): BreakerContext => ({
  breaker: input.breaker,
  resetToken: null,
  resetDeadline: null,
  reason: null,
  operator: null,
  evidence: null,
  haltMode: null,
  cause: null,
});

/** The reset edges automatic breakers share: a matching confirmation passes only if the re-check does. */
const resetting = {
  on: {
    REQUEST_RESET: { target: RESETTING, reenter: true, actions: 'storeToken' },
    CONFIRM_RESET: [
      { guard: and(['tokenMatches', 'recheckPasses']), target: NORMAL, actions: 'confirmed' },
      { guard: 'tokenMatches', target: TRIPPED, actions: 'refused' },
    ],
    RESET_EXPIRED: { guard: 'tokenMatches', target: TRIPPED, actions: 'expired' },
  },
} as const;

/** NORMAL → TRIPPED → RESETTING → NORMAL (a failed re-check or an expiry goes back to TRIPPED). */
function automaticChart(kind: string, rule: RuleDecisions) {
  return chartSetup(rule).createMachine({
    id: kind,
    context: initialContext,
    initial: NORMAL,
    states: {
      [NORMAL]: { on: { TRIP: { guard: 'tripHolds', target: TRIPPED, actions: 'tripped' } } },
      [TRIPPED]: { on: { REQUEST_RESET: { target: RESETTING, actions: 'storeToken' } } },
      [RESETTING]: resetting,
    },
  });
}

/**
 * An automatic breaker that also heals itself: once its condition clears, TRIPPED → RESETTING
 * (WINDOW_CLEARED) → NORMAL (RECOVER), two visible steps.
 */
function selfHealingChart(kind: string, rule: RuleDecisions) {
  return chartSetup(rule).createMachine({
    id: kind,
    context: initialContext,
    initial: NORMAL,
    states: {
      [NORMAL]: { on: { TRIP: { guard: 'tripHolds', target: TRIPPED, actions: 'tripped' } } },
      [TRIPPED]: {
        on: {
          REQUEST_RESET: { target: RESETTING, actions: 'storeToken' },
          WINDOW_CLEARED: { guard: 'conditionCleared', target: RESETTING, actions: 'recovering' },
        },
      },
      [RESETTING]: {
        on: {
          ...resetting.on,
          RECOVER: { guard: 'conditionCleared', target: NORMAL, actions: 'confirmed' },
        },
      },
    },
  });
}

/**
 * An operator's stop: a halt wins from any state; only a confirmed manual reset leaves it. A halt
 * while already halted does not replace the standing halt (its operator, reason and time stay what
 * the breaker shows; the repeat is journalled) unless it tightens it: a full halt over a
 * reduce-only one. A halt never loosens a halt; only a confirmed reset does.
 */
function manualChart(kind: string, rule: RuleDecisions) {
  const halt = { target: MANUALLY_HALTED, actions: 'halted' } as const;
  return chartSetup(rule).createMachine({
    id: kind,
    context: initialContext,
    initial: NORMAL,
    states: {
      [NORMAL]: { on: { HALT: halt } },
      [MANUALLY_HALTED]: {
        on: {
          HALT: [{ target: MANUALLY_HALTED, guard: 'tightens', reenter: true, actions: 'tightened' }, { actions: 'haltRepeated' }],
          REQUEST_RESET: { target: RESETTING, actions: 'storeToken' },
        },
      },
      [RESETTING]: {
        on: {
          HALT: halt,
          REQUEST_RESET: { target: RESETTING, reenter: true, actions: 'storeToken' },
          CONFIRM_RESET: { guard: 'tokenMatches', target: NORMAL, actions: 'confirmed' },
          RESET_EXPIRED: { guard: 'tokenMatches', target: MANUALLY_HALTED, actions: 'expired' },
        },
      },
    },
  });
}

/**
 * The cluster's breaker: a lost link trips it and it heals itself once link and bucket are back
 * (TRIPPED → RESETTING → NORMAL, two visible steps); a scoped halt wins from any state and only
 * the cluster's lift of that scope leaves it (LIFT, guarded by the rule: no halt left in scope).
 * It has no REQUEST_RESET edge: a local reset cannot lift a firm's halt.
 */
function clusterChart(kind: string, rule: RuleDecisions) {
  const halt = { target: MANUALLY_HALTED, actions: 'halted' } as const;
  const trip = { guard: 'tripHolds', target: TRIPPED, actions: 'tripped' } as const;
  return chartSetup(rule).createMachine({
    id: kind,
    context: initialContext,
    initial: NORMAL,
    states: {
      [NORMAL]: { on: { TRIP: trip, HALT: halt } },
      [TRIPPED]: { on: { HALT: halt, WINDOW_CLEARED: { guard: 'conditionCleared', target: RESETTING, actions: 'recovering' } } },
      [RESETTING]: { on: { HALT: halt, TRIP: trip, RECOVER: { guard: 'conditionCleared', target: NORMAL, actions: 'confirmed' } } },
      [MANUALLY_HALTED]: {
        on: { HALT: { ...halt, reenter: true }, LIFT: { guard: 'liftPasses', target: RESETTING, actions: 'lifted' } },
      },
    },
  });
}

/** Builds the chart a rule asks for. */
export function breakerChart(kind: string, chart: ChartKind, rule: RuleDecisions) {
  switch (chart) {
    case ChartKind.AUTOMATIC:
      return automaticChart(kind, rule);
    case ChartKind.SELF_HEALING:
      return selfHealingChart(kind, rule);
    case ChartKind.MANUAL:
      return manualChart(kind, rule);
    case ChartKind.CLUSTER:
      return clusterChart(kind, rule);
  }
}
export type BreakerChart = ReturnType<typeof automaticChart>;

/**
 * Wraps a chart so a supervisor can start it from a given value and context (one-for-one
 * restart from the last committed snapshot). Everything else is the chart's own logic.
 */
export function restorable<M extends AnyStateMachine>(chart: M): M {
  const logic = Object.create(chart) as M;
  Object.defineProperty(logic, 'getInitialSnapshot', {
    value: (scope: unknown, input: BreakerInput | undefined) =>
      input?.restore ? chart.resolveState({ value: input.restore.value as never, context: input.restore.context }) : chart.getInitialSnapshot(scope as never, input),
  });
  return logic;
}

/** The top-level state of a breaker snapshot. */
export function breakerStateOf(value: unknown): BreakerState {
  return (typeof value === 'string' ? value : Object.keys(value as object)[0]) as BreakerState;
}

/**
 * The events each state of a chart has an edge for, read from the chart's own definition (so a
 * caller can skip sending an event the chart would ignore, without a second copy of the rule).
 */
export function acceptedEvents(chart: AnyStateMachine): ReadonlyMap<string, ReadonlySet<string>> {
  const out = new Map<string, Set<string>>();
  for (const [state, node] of Object.entries(chart.states)) {
    out.set(state, new Set(Object.keys((node as { config: { on?: object } }).config.on ?? {})));
  }
  return out;
}
