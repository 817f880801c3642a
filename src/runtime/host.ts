import { createActor, type Actor, type AnyActorRef, type InspectionEvent, type Observer, type Snapshot } from 'xstate';
import { breakerStateOf, type BreakerContext, type BreakerEvent } from '../../machines/charts/breakerChart.ts';
import { type BreakerState } from '../../machines/constants.ts';
import { BREAKER_TYPES, type BreakerType } from '../../machines/rules/registry.ts';
import { supervisorMachine, type SupervisorContext } from '../../machines/supervisor.ts';
import type { Clock } from '../clock.ts';

/** An observer of every actor, event and snapshot (e.g. `createWebSocketInspector().inspect`). */
export type InspectOption = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/** What the host reports to the runtime, synchronously, from the actors' own subscriptions. */
export interface HostListener {
  /** A breaker actor published a snapshot (a transition, a self-transition, or its first one). */
  snapshot(kind: BreakerType, state: BreakerState, context: BreakerContext): void;
  /** A breaker actor failed; its supervisor restarts it. */
  failed(kind: BreakerType, error: unknown): void;
  /** The supervisor itself failed: nothing can be trusted any more. */
  supervisorFailed(error: unknown): void;
}

export interface HostOptions {
  strategy: string;
  clock: Clock;
  maxRestarts: number;
  restartWindowMs: number;
  inspect?: InspectOption;
  /** A validated persisted supervisor snapshot to restore, or null. */
  restored: Snapshot<unknown> | null;
  listener: HostListener;
}

/**
 * Creates (or restores) the supervisor actor and subscribes to each of its children
 * synchronously, re-subscribing when the supervisor restarts one. It keeps no state of its own
 * about the breakers: it relays what the actors publish.
 */
export class ActorHost {
  readonly actor: Actor<typeof supervisorMachine>;
  readonly #listener: HostListener;
  readonly #children = new Map<BreakerType, AnyActorRef>();

  constructor(options: HostOptions) {
    this.#listener = options.listener;
    const { clock } = options;
    this.actor = createActor(supervisorMachine, {
      input: { strategy: options.strategy, maxRestarts: options.maxRestarts, restartWindowMs: options.restartWindowMs },
      // Delayed events (the supervisor's restart window) run on the injected clock.
      clock: { setTimeout: (fn: () => void, ms: number) => clock.setTimer(fn, ms), clearTimeout: (cancel: () => void) => cancel() },
      ...(options.restored ? { snapshot: options.restored as never } : {}),
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    this.actor.subscribe({
      next: (snapshot) => this.#adopt(snapshot.children as Record<string, AnyActorRef | undefined>),
      error: (error) => this.#listener.supervisorFailed(error),
    });
  }

  start(): void {
    this.actor.start();
    const missing = BREAKER_TYPES.filter((t) => !this.#children.has(t));
    if (missing.length > 0) throw new Error(`the supervisor has no actor for ${missing.join(', ')}`);
  }

  /** Sends an event to a breaker's actor; it is processed before this returns. */
  send(kind: BreakerType, event: BreakerEvent): void {
    this.#current(kind)?.send(event);
  }

  /** The supervisor's current child (adopted first if it was just restarted). */
  #current(kind: BreakerType): AnyActorRef | undefined {
    const children = this.actor.getSnapshot().children as Record<string, AnyActorRef | undefined>;
    if (children[kind] !== undefined && children[kind] !== this.#children.get(kind)) this.#adopt(children);
    return this.#children.get(kind);
  }

  /** After a restore: the supervisor forgets remembered failures a full window from now. */
  resumed(): void {
    this.actor.send({ type: 'RESUMED' });
  }

  /** A breaker actor's current snapshot. */
  snapshot(kind: BreakerType): { value: unknown; context: BreakerContext; status: string } {
    return this.#current(kind)!.getSnapshot() as { value: unknown; context: BreakerContext; status: string };
  }

  state(kind: BreakerType): BreakerState {
    return breakerStateOf(this.snapshot(kind).value);
  }

  get supervision(): SupervisorContext {
    return this.actor.getSnapshot().context;
  }

  persisted(): Snapshot<unknown> {
    return this.actor.getPersistedSnapshot();
  }

  stop(): void {
    this.actor.stop();
  }

  /** Subscribes to every child not seen before (at start, and after each restart). */
  #adopt(children: Record<string, AnyActorRef | undefined>): void {
    for (const kind of BREAKER_TYPES) {
      const child = children[kind];
      if (!child || this.#children.get(kind) === child) continue;
      this.#children.set(kind, child);
      memoizePersisted(child);
      const publish = (snapshot: { value: unknown; context: BreakerContext; status: string }) => {
        if (this.#children.get(kind) !== child || snapshot.status !== 'active') return;
        this.#listener.snapshot(kind, breakerStateOf(snapshot.value), snapshot.context);
      };
      child.subscribe({
        next: publish,
        error: (error: unknown) => {
          if (this.#children.get(kind) === child) this.#listener.failed(kind, error);
        },
      });
      publish(child.getSnapshot());
    }
  }
}

/**
 * Every commit saves the supervisor's persisted snapshot, which XState rebuilds from every
 * breaker's snapshot (a rest-spread and copies per actor). A halt changes one breaker: the others'
 * persisted snapshots are reused as long as their snapshot object is the same (XState snapshots
 * are immutable; a transition makes a new one). Saves most of a record's allocations per step.
 */
function memoizePersisted(child: AnyActorRef): void {
  // XState passes its parent's options through (none in this runtime's use): only those calls are memoized.
  const persist = child.getPersistedSnapshot.bind(child) as (...options: unknown[]) => Snapshot<unknown>;
  let from: unknown = null;
  let persisted: Snapshot<unknown> | null = null;
  child.getPersistedSnapshot = (...options: unknown[]) => {
    if (options[0] !== undefined) return persist(...options);
    const current = child.getSnapshot();
    if (current !== from || persisted === null) {
      persisted = persist();
      from = current;
    }
    return persisted;
  };
}
