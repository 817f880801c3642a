import { Signal } from './signal.ts';
import { SlidingWindow } from './slidingWindow.ts';
import { Exact } from '../math/exact.ts';

/** Saved window entries (run-length encoded) and the warning flag. */
export interface RateState<Tag> {
  entries: { at: number; count: number; tag: Tag | null }[];
  warned: boolean;
}

/**
 * A rate limit over a sliding window: trips on the entry that makes the window hold more than
 * `limit`, warns once when it first holds `warnAt × limit`, and re-arms the warning when the
 * window has fallen back to half of that (hysteresis, so a rate hovering at the warning level
 * does not warn on every entry) or after a confirmed reset.
 */
export class RateTracker<Tag = undefined> {
  readonly window: SlidingWindow<Tag>;
  readonly warnCount: number;
  readonly rearmCount: number;
  readonly warnFraction: number;
  #warned = false;

  constructor(limit: number, windowSeconds: number, warnFraction: number, tagged = false) {
    this.window = new SlidingWindow<Tag>(limit, windowSeconds * 1000, tagged);
    this.warnFraction = warnFraction;
    // Exact: 0.07 × 100 in floating point is 7.000000000000001, whose ceiling would be 8.
    this.warnCount = Math.min(limit, Math.max(1, new Exact(warnFraction).times(limit).ceil().toNumber()));
    this.rearmCount = Math.max(1, Math.floor(this.warnCount / 2));
  }

  get limit(): number {
    return this.window.limit;
  }

  /** Records one entry at `at` and says whether the window now trips or first warns. O(1). */
  record(at: number, tag?: Tag): Signal {
    const window = this.window;
    const count = window.add(at, tag);
    if (count > window.limit) {
      this.#warned = true;
      return Signal.TRIP;
    }
    if (this.#warned) {
      if (count < this.rearmCount) this.#warned = false;
      return Signal.NONE;
    }
    if (count >= this.warnCount) {
      this.#warned = true;
      return Signal.WARN;
    }
    return Signal.NONE;
  }

  get warned(): boolean {
    return this.#warned;
  }

  /** The figures every rate rule shows: the true count, the limit, the window and the warning. */
  figures(now: number): { count: number; limit: number; windowSeconds: number; warnAt: number; warnCount: number; warned: boolean; nextExpiryInMs: number | null } {
    const window = this.window;
    const expiry = window.nextExpiry(now);
    return {
      count: window.count(now),
      limit: window.limit,
      windowSeconds: window.windowMs / 1000,
      warnAt: this.warnFraction,
      warnCount: this.warnCount,
      warned: this.#warned,
      nextExpiryInMs: expiry === null ? null : expiry - now,
    };
  }

  /** Forgets everything (a confirmed reset clears the window and re-arms the warning). */
  clear(): void {
    this.window.clear();
    this.#warned = false;
  }

  /** The entries and the warning flag; `shiftMs` is added to each entry's instant (another clock's reading). */
  save(shiftMs = 0): RateState<Tag> {
    return { entries: this.window.entries().map((e) => ({ at: e.at + shiftMs, count: e.count, tag: e.tag ?? null })), warned: this.#warned };
  }

  /**
   * Restores saved entries, moved by `shiftMs` onto this clock and capped at `notAfter` (an entry
   * saved in what is now the future counts as just made, so it stays in the window: fail closed).
   */
  load(state: unknown, isTag: (tag: unknown) => boolean, shiftMs = 0, notAfter = Infinity): void {
    const s = state as { entries?: unknown; warned?: unknown } | null;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.entries) || typeof s.warned !== 'boolean') {
      throw new TypeError('rate window: saved figures are malformed');
    }
    const entries = s.entries.map((e: unknown) => {
      const { at, count, tag } = (e ?? {}) as { at?: unknown; count?: unknown; tag?: unknown };
      if (typeof at !== 'number' || !Number.isFinite(at) || typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1e7 || !isTag(tag)) {
        throw new TypeError('rate window: a saved entry is malformed');
      }
      return { at: Math.min(at + shiftMs, notAfter), count, tag: (tag ?? undefined) as Tag | undefined };
    });
    this.window.load(entries);
    this.#warned = s.warned;
  }
}
