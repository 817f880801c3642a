/**
 * Resuming an event stream: every `risk` message carries its journal position as its SSE `id:`
 * (`<at>.<event id>`), and a client that reconnects with `Last-Event-ID` is sent the journal
 * entries after that position before it goes live again (EventSource does this by itself).
 */
import type { RiskEvent } from '../events.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';

/** Most journal entries replayed to one reconnecting client; beyond it the replay says it is incomplete. */
export const MAX_REPLAY = 10_000;

/** A journal position: the event's time and its unique id (the journal is ordered by time, then by write order). */
export interface JournalPosition {
  readonly at: number;
  readonly id: string;
}

/** The SSE id of a risk event: its journal position. */
export const eventIdOf = (event: RiskEvent): string => `${event.at}.${event.id}`;

/** Parses a `Last-Event-ID` header; null when absent, malformed or too long (an attacker's header is only a string). */
export function parseLastEventId(header: string | string[] | undefined): JournalPosition | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value.length > 80) return null;
  const m = /^(\d{1,15})\.([0-9A-Za-z-]{1,64})$/.exec(value.trim());
  if (!m) return null;
  const at = Number(m[1]);
  return Number.isSafeInteger(at) ? { at, id: m[2]! } : null;
}

/** What a reconnecting client is sent before it goes live. */
export interface Replay {
  readonly events: readonly RiskEvent[];
  /**
   * False when entries may be missing: the position is no longer in the journal (pruned, or an
   * in-memory store that restarted), more than {@link MAX_REPLAY} followed it, or the journal
   * could not be read. The client then knows its record has a gap.
   */
  readonly complete: boolean;
}

/**
 * The journal entries after `from`, oldest first. Pending writes are flushed first, so every
 * event already published on `events$` is in the journal when it is read.
 */
export async function replayAfter(rt: RiskRuntime, from: JournalPosition): Promise<Replay> {
  try {
    await rt.flush();
    const entries = await rt.journal({ since: from.at, limit: MAX_REPLAY + 1 });
    const index = entries.findIndex((e) => e.id === from.id);
    // Not found: everything after its instant (an entry of the same millisecond cannot be placed).
    const after = index >= 0 ? entries.slice(index + 1) : entries.filter((e) => e.at > from.at);
    const complete = index >= 0 && entries.length <= MAX_REPLAY;
    return { events: after.slice(0, MAX_REPLAY), complete };
  } catch {
    return { events: [], complete: false };
  }
}
