import type { InspectionEvent } from 'xstate';
import type { Clock } from '../clock.ts';
import type { InspectOption } from './host.ts';

/** One step of one actor: the event it took and the state before and after (XState inspection). */
export interface TraceStep {
  /** Increasing over the runtime's life (not persisted). */
  readonly seq: number;
  /** The runtime clock (ms epoch) when the actor published the snapshot. */
  readonly at: number;
  /** `supervisor` or a breaker type. */
  readonly actor: string;
  /** The event's type (`TRIP`, `HALT`, `CONFIRM_RESET`, `xstate.init`, …). */
  readonly event: string;
  /** The state before the event (null for the first snapshot). */
  readonly from: string | null;
  /** The state after the event: the snapshot's value, top-level state first (`RESETTING.awaiting`). */
  readonly to: string;
}

/** Steps kept per actor. */
export const TRACE_DEPTH = 50;

const stateText = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    return key === undefined ? '' : inner === undefined || inner === null ? key : `${key}.${stateText(inner)}`;
  }
  return String(value);
};

/**
 * The recent steps of a strategy's actors, recorded from XState's own inspection stream (the
 * `@xstate.snapshot` events the actors emit), so the dashboard's inspector needs no internet and
 * shows what the actors did, not a copy of their rules. Bounded: {@link TRACE_DEPTH} per actor.
 * Actors receive events only on trips, halts, resets and failures, so this costs nothing on the
 * order path.
 */
export class ActorTrace {
  readonly #clock: Clock;
  readonly #steps = new Map<string, TraceStep[]>();
  readonly #last = new Map<string, string>();
  #seq = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The inspection observer to give the supervisor actor, combined with the host's own (if any). */
  observer(also?: InspectOption): (event: InspectionEvent) => void {
    const forward = typeof also === 'function' ? also : also ? (e: InspectionEvent) => also.next?.(e) : null;
    return (event) => {
      try {
        this.#record(event);
      } finally {
        forward?.(event);
      }
    };
  }

  /** Steps with `seq` above `since`, oldest first, over every actor. */
  since(since = 0): TraceStep[] {
    const out: TraceStep[] = [];
    for (const steps of this.#steps.values()) for (const s of steps) if (s.seq > since) out.push(s);
    return out.sort((a, b) => a.seq - b.seq);
  }

  #record(event: InspectionEvent): void {
    if (event.type !== '@xstate.snapshot') return;
    const actor = (event.actorRef as { id?: string }).id ?? "?";
    const snapshot = event.snapshot as { value?: unknown; status?: string };
    if (snapshot.status !== 'active' || snapshot.value === undefined) return;
    const to = stateText(snapshot.value);
    const from = this.#last.get(actor) ?? null;
    this.#last.set(actor, to);
    const steps = this.#steps.get(actor) ?? [];
    steps.push({ seq: ++this.#seq, at: this.#clock.now(), actor, event: String(event.event.type), from, to });
    if (steps.length > TRACE_DEPTH) steps.shift();
    this.#steps.set(actor, steps);
  }
}
