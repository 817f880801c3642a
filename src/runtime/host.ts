import { createActor, type Actor, type AnyActorRef, type InspectionEvent, type Observer, type Snapshot } from 'xstate';
import { breakerStateOf, type BreakerContext, type BreakerEvent } from '../../machines/charts/breakerChart.ts';
import { type BreakerState } from '../../machines/constants.ts';
import { BREAKER_TYPES, type BreakerType } from '../../machines/rules/registry.ts';
import { dormantChild, dormantSnapshot, isDormantChild, type ChildSnapshot } from './dormant.ts';
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
  /**
   * The breakers whose rule is on (and the manual one): each gets an actor at start. Any other
   * breaker is dormant: no actor until an event is sent to it (docs/architecture.md, "Dormant
   * breakers"); a restored one that is not in its initial state keeps its actor.
   */
  kinds: readonly BreakerType[];
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
  /** The breakers that have an actor from the start: the rules that are on, and restored ones not in their initial state. */
  readonly #kinds: readonly BreakerType[];

  constructor(options: HostOptions) {
    this.#listener = options.listener;
    const { clock } = options;
    const restored = options.restored ? withoutDormant(options.restored, options.kinds) : null;
    this.#kinds = restored ? BREAKER_TYPES.filter((t) => options.kinds.includes(t) || t in restored.children) : options.kinds;
    this.actor = createActor(supervisorMachine, {
      input: { strategy: options.strategy, maxRestarts: options.maxRestarts, restartWindowMs: options.restartWindowMs, breakers: this.#kinds },
      // Delayed events (the supervisor's restart window) run on the injected clock.
      clock: { setTimeout: (fn: () => void, ms: number) => clock.setTimer(fn, ms), clearTimeout: (cancel: () => void) => cancel() },
      ...(restored ? { snapshot: restored.snapshot as never } : {}),
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    this.actor.subscribe({
      next: (snapshot) => this.#adopt(snapshot.children as Record<string, AnyActorRef | undefined>),
      error: (error) => this.#listener.supervisorFailed(error),
    });
  }

  start(): void {
    this.actor.start();
    const missing = this.#kinds.filter((t) => !this.#children.has(t));
    if (missing.length > 0) throw new Error(`the supervisor has no actor for ${missing.join(', ')}`);
  }

  /** Sends an event to a breaker's actor (a dormant breaker's actor is spawned first); it is processed before this returns. */
  send(kind: BreakerType, event: BreakerEvent): void {
    if (this.#current(kind) === undefined) this.actor.send({ type: 'WAKE', breaker: kind });
    this.#current(kind)?.send(event);
  }

  /** Whether the breaker has an actor (a dormant one has none: its snapshot is its chart's initial one). */
  awake(kind: BreakerType): boolean {
    return this.#current(kind) !== undefined;
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

  /** A breaker actor's current snapshot (a dormant breaker's: its chart's initial snapshot). */
  snapshot(kind: BreakerType): ChildSnapshot {
    const child = this.#current(kind);
    return child === undefined ? dormantSnapshot(kind) : (child.getSnapshot() as ChildSnapshot);
  }

  state(kind: BreakerType): BreakerState {
    return breakerStateOf(this.snapshot(kind).value);
  }

  get supervision(): SupervisorContext {
    return this.actor.getSnapshot().context;
  }

  /**
   * The supervisor's persisted snapshot, with a dormant breaker's initial child where it has no
   * actor: a record always holds every breaker (an older release reads it as before).
   */
  persisted(): Snapshot<unknown> {
    const persisted = this.actor.getPersistedSnapshot() as Snapshot<unknown> & { children: Record<string, unknown> };
    if (this.#children.size === BREAKER_TYPES.length) return persisted;
    const children: Record<string, unknown> = {};
    for (const kind of BREAKER_TYPES) children[kind] = persisted.children[kind] ?? dormantChild(kind);
    return { ...persisted, children } as unknown as Snapshot<unknown>;
  }

  stop(): void {
    this.actor.stop();
  }

  /** Subscribes to every child not seen before (at start, and after each restart). */
  #adopt(children: Record<string, AnyActorRef | undefined>): void {
    for (const kind of BREAKER_TYPES) {
      const child = children[kind];
      if (!child || this.#children.get(kind) === child) continue;
      // A dormant breaker woken now: its actor may already have taken the event that woke it
      // (the supervisor's own escalation halts a sleeping manual breaker), so the runtime sees
      // the initial snapshot it left first, and that move as the transition it is.
      const woken = !this.#children.has(kind) && !this.#kinds.includes(kind);
      this.#children.set(kind, child);
      memoizePersisted(child);
      if (woken) {
        const initial = dormantSnapshot(kind);
        this.#listener.snapshot(kind, breakerStateOf(initial.value), initial.context);
      }
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
 * A restored supervisor snapshot without the children of breakers that are not in `kinds` and
 * are in their chart's initial state (nothing to keep: they are dormant, as at a fresh start).
 */
function withoutDormant(restored: Snapshot<unknown>, kinds: readonly BreakerType[]): { snapshot: Snapshot<unknown>; children: Record<string, unknown> } {
  const snapshot = restored as Snapshot<unknown> & { children: Record<string, unknown> };
  const children: Record<string, unknown> = {};
  for (const [kind, child] of Object.entries(snapshot.children)) {
    if (kinds.includes(kind as BreakerType) || !isDormantChild(kind as BreakerType, child)) children[kind] = child;
  }
  return { snapshot: { ...snapshot, children } as unknown as Snapshot<unknown>, children };
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
