import { randomUUID } from 'node:crypto';
import type { BreakerType } from '../../machines/rules/registry.ts';
import type { EventDetails, RiskEvent, RiskEventType } from '../events.ts';

/** The last timestamp formatted: a step's events (and a fan-out's strategies) share one instant. */
let lastAt = NaN;
let lastIso = '';
const isoOf = (at: number): string => (at === lastAt ? lastIso : ((lastAt = at), (lastIso = new Date(at).toISOString())));

/** Builds a RiskEvent with a fresh id. */
export function makeEvent(
  strategy: string,
  type: RiskEventType,
  breaker: BreakerType | null,
  at: number,
  details: EventDetails,
  operator?: string,
): RiskEvent {
  return {
    id: randomUUID(),
    type,
    strategy,
    breaker,
    at,
    timestamp: isoOf(at),
    ...(operator === undefined ? {} : { operator }),
    details,
  };
}

/** A query over the audit journal. */
export interface JournalQuery {
  /** Inclusive lower bound: ms since epoch, Date or ISO string. */
  since?: number | Date | string;
  /** Exclusive upper bound. */
  until?: number | Date | string;
  /** Only these event types. */
  types?: readonly RiskEventType[];
  /** At most this many (the newest when `newestFirst`, else the oldest). */
  limit?: number;
  newestFirst?: boolean;
}

const toMs = (t: number | Date | string | undefined, fallback: number): number =>
  t === undefined ? fallback : typeof t === 'number' ? t : new Date(t).getTime();

/** Applies a journal query to events already in time order. */
export function filterJournal(events: readonly RiskEvent[], query: JournalQuery = {}): RiskEvent[] {
  const since = toMs(query.since, -Infinity);
  const until = toMs(query.until, Infinity);
  const types = query.types ? new Set(query.types) : null;
  let out = events.filter((e) => e.at >= since && e.at < until && (!types || types.has(e.type)));
  if (query.newestFirst) out = out.reverse();
  if (query.limit !== undefined) out = out.slice(0, query.limit);
  return out;
}
