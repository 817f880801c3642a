import { assign, enqueueActions, setup, type AnyActorRef } from 'xstate';
import { BreakerType } from './rules/registry.ts';
import { restorable, type BreakerInput, type BreakerRestore } from './charts/breakerChart.ts';
import { REGISTRY } from './rules/registry.ts';

const ERROR_PREFIX = 'xstate.error.actor.';

export interface SupervisorInput {
  readonly strategy: string;
  /** Restarts of one breaker allowed within the window before the supervisor fails closed. */
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  /**
   * The breakers that get an actor at start (default: every registry row). The others are
   * dormant until a `WAKE` spawns theirs in its initial state (the runtime sends one before any
   * event to a dormant breaker).
   */
  readonly breakers?: readonly BreakerType[];
}

export interface SupervisorContext extends SupervisorInput {
  /** Restarts per breaker within the current window. */
  restarts: Record<string, number>;
  /** The last child failure, for status and the journal. */
  lastFailure: { breaker: string; error: string; restarts: number; escalated: boolean } | null;
}

type SupervisorEvent =
  | { type: 'RESTART_FORGOTTEN'; breaker: string }
  | { type: 'RESUMED' }
  | { type: 'WAKE'; breaker: BreakerType }
  | { type: `${typeof ERROR_PREFIX}${string}`; error: unknown };

const message = (error: unknown): string => {
  try {
    // XState prefixes guard failures with where they happened, on two lines: keep it, on one.
    return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  } catch {
    return 'unprintable error';
  }
};

/** The operator name the supervisor acts as when it fails closed. */
export const SUPERVISOR_OPERATOR = 'breakerbox-supervisor';

/**
 * One supervisor per strategy. It spawns one child per registry row and supervises them
 * one-for-one: a child that fails is restarted from its last committed snapshot; more than
 * `maxRestarts` failures of one child within `restartWindowMs` also halts the strategy
 * (the manual breaker goes MANUALLY_HALTED with the reason). The global state is not kept here:
 * it is derived from the children's snapshots by whoever reads them.
 */
export const supervisorMachine = setup({
  types: { context: {} as SupervisorContext, events: {} as SupervisorEvent, input: {} as SupervisorInput },
  actors: Object.fromEntries(REGISTRY.map((row) => [row.kind, restorable(row.chart)])) as Record<BreakerType, (typeof REGISTRY)[number]['chart']>,
}).createMachine({
  id: 'supervisor',
  // The list of breakers to spawn is an input, not a fact to keep: the children say which exist.
  context: ({ input }) => ({ strategy: input.strategy, maxRestarts: input.maxRestarts, restartWindowMs: input.restartWindowMs, restarts: {}, lastFailure: null }),
  entry: enqueueActions(({ enqueue, event }) => {
    const only = (event as { input?: SupervisorInput }).input?.breakers;
    for (const row of REGISTRY) {
      if (only === undefined || only.includes(row.kind)) enqueue.spawnChild(row.kind, { id: row.kind, input: { breaker: row.kind } satisfies BreakerInput });
    }
  }),
  initial: 'supervising',
  states: {
    supervising: {
      on: {
        'xstate.error.actor.*': {
          actions: enqueueActions(({ context, event, enqueue, self }) => {
            const breaker = event.type.slice(ERROR_PREFIX.length) as BreakerType;
            const failed = (self.getSnapshot().children as Record<string, AnyActorRef | undefined>)[breaker];
            const last = failed?.getSnapshot() as { value: unknown; context: BreakerRestore['context'] } | undefined;
            const restarts = (context.restarts[breaker] ?? 0) + 1;
            const escalated = restarts > context.maxRestarts;
            const error = message((event as { error?: unknown }).error);
            enqueue.assign({
              restarts: { ...context.restarts, [breaker]: restarts },
              lastFailure: { breaker, error, restarts, escalated },
            });
            enqueue.stopChild(breaker);
            enqueue.spawnChild(breaker, {
              id: breaker,
              input: { breaker, restore: last ? { value: last.value, context: last.context } : null } satisfies BreakerInput,
            });
            enqueue.raise({ type: 'RESTART_FORGOTTEN', breaker }, { delay: context.restartWindowMs });
            if (escalated) {
              // The manual breaker is dormant (no actor) until its first event: this is one.
              const children = self.getSnapshot().children as Record<string, AnyActorRef | undefined>;
              if (breaker !== BreakerType.MANUAL && children[BreakerType.MANUAL] === undefined) {
                enqueue.spawnChild(BreakerType.MANUAL, { id: BreakerType.MANUAL, input: { breaker: BreakerType.MANUAL } satisfies BreakerInput });
              }
              enqueue.sendTo(BreakerType.MANUAL, {
                type: 'HALT',
                operator: SUPERVISOR_OPERATOR,
                reason: `supervisor: the ${breaker} breaker failed ${restarts} times within ${context.restartWindowMs / 1000}s (last error: ${error}); failing closed`,
              });
            }
          }),
        },
        // Restored from a snapshot, the delayed forgetting died with the old process: each
        // remembered failure is forgotten a full window from now (never earlier than it would have been).
        RESUMED: {
          actions: enqueueActions(({ context, enqueue }) => {
            for (const [breaker, count] of Object.entries(context.restarts)) {
              for (let i = 0; i < count; i++) enqueue.raise({ type: 'RESTART_FORGOTTEN', breaker }, { delay: context.restartWindowMs });
            }
          }),
        },
        // A dormant breaker's first event: its actor starts in the chart's initial state.
        WAKE: {
          actions: enqueueActions(({ event, enqueue, self }) => {
            const breaker = (event as { breaker: BreakerType }).breaker;
            if ((self.getSnapshot().children as Record<string, AnyActorRef | undefined>)[breaker] !== undefined) return;
            if (!REGISTRY.some((row) => row.kind === breaker)) return;
            enqueue.spawnChild(breaker, { id: breaker, input: { breaker } satisfies BreakerInput });
          }),
        },
        RESTART_FORGOTTEN: {
          actions: assign({
            restarts: ({ context, event }) => {
              const breaker = (event as { breaker: string }).breaker;
              return { ...context.restarts, [breaker]: Math.max(0, (context.restarts[breaker] ?? 0) - 1) };
            },
          }),
        },
      },
    },
  },
});
