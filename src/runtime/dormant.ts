import { createActor } from 'xstate';
import type { BreakerContext } from '../../machines/charts/breakerChart.ts';
import { REGISTRY, type BreakerType } from '../../machines/rules/registry.ts';

/** What the runtime reads of a breaker actor's snapshot. */
export interface ChildSnapshot {
  readonly value: unknown;
  readonly context: BreakerContext;
  readonly status: string;
}

/**
 * A dormant breaker (its rule is off) has no actor: nothing can send it an input, so it stays in
 * its chart's initial state. Its snapshot and its saved child are read from a real actor of its
 * chart, made once per breaker per process, never from a second copy of the chart's rule. An
 * idle strategy then holds only the actors of the rules it uses (bench/memory.ts).
 */
interface Initial {
  readonly snapshot: ChildSnapshot;
  /** The child as the supervisor's persisted snapshot holds it. */
  readonly child: unknown;
  /** The child's persisted snapshot as canonical JSON (keys sorted), to recognise an initial one. */
  readonly canonical: string;
}

const initials = new Map<BreakerType, Initial>();

function initial(kind: BreakerType): Initial {
  let found = initials.get(kind);
  if (found === undefined) {
    const row = REGISTRY.find((r) => r.kind === kind);
    if (row === undefined) throw new Error(`no registry row for breaker ${String(kind)}`);
    const actor = createActor(row.chart, { input: { breaker: kind } });
    const snapshot = actor.getSnapshot() as unknown as ChildSnapshot;
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as unknown;
    found = {
      snapshot: deepFreeze({ value: snapshot.value, context: snapshot.context, status: snapshot.status }),
      // As XState writes a child (systemId is undefined for the supervisor's children).
      child: deepFreeze({ snapshot: persisted, src: kind, syncSnapshot: false }),
      canonical: canonicalJson(persisted),
    };
    initials.set(kind, found);
  }
  return found;
}

/** A dormant breaker's snapshot: its chart's initial one (frozen, shared). */
export function dormantSnapshot(kind: BreakerType): ChildSnapshot {
  return initial(kind).snapshot;
}

/** A dormant breaker's child in a saved supervisor snapshot (frozen, shared). */
export function dormantChild(kind: BreakerType): unknown {
  return initial(kind).child;
}

/** Whether a saved child is the breaker's initial one (then it can stay dormant when restored). */
export function isDormantChild(kind: BreakerType, child: unknown): boolean {
  const snapshot = (child as { snapshot?: unknown } | null)?.snapshot;
  return snapshot !== undefined && canonicalJson(snapshot) === initial(kind).canonical;
}

/** JSON with every object's keys sorted: two equal values print the same whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
