import { Signal } from './signal.ts';
import { SlidingWindow } from './slidingWindow.ts';

export interface RateState<Tag> {
  entries: { at: number; tag: Tag | undefined }[];
  warned: boolean;
}

/**
 * A rate limit over a sliding window: trips on the entry that makes the window hold more than
 * `limit`, warns once when it first holds `warnAt × limit`, and re-arms the warning when the
 * window has fallen back to half of that (hysteresis, so a rate hovering at the warning level
 * does not warn on every entry).
 */
export class RateTracker<Tag = undefined> {
  readonly window: SlidingWindow<Tag>;
  readonly warnCount: number;
  readonly rearmCount: number;
  #warned = false;

  constructor(limit: number, windowSeconds: number, warnFraction: number) {
    this.window = new SlidingWindow<Tag>(limit, windowSeconds * 1000);
    this.warnCount = Math.min(limit, Math.max(1, Math.ceil(limit * warnFraction)));
    this.rearmCount = Math.max(1, Math.floor(this.warnCount / 2));
  }

  get limit(): number {
    return this.window.limit;
  }

  /** Records one entry at `at` and says whether the window now trips or first warns. */
  record(at: number, tag?: Tag): Signal {
    const window = this.window;
    window.record(at, tag);
    if (window.exceeded(at)) {
      this.#warned = true;
      return Signal.TRIP;
    }
    if (this.#warned) {
      if (!window.holdsAtLeast(this.rearmCount, at)) this.#warned = false;
      return Signal.NONE;
    }
    if (window.holdsAtLeast(this.warnCount, at)) {
      this.#warned = true;
      return Signal.WARN;
    }
    return Signal.NONE;
  }

  /** Forgets everything (a confirmed reset clears the window). */
  clear(): void {
    this.window.clear();
    this.#warned = false;
  }

  save(): RateState<Tag> {
    return { entries: this.window.entries(), warned: this.#warned };
  }

  load(state: RateState<Tag>): void {
    this.window.clear();
    for (const entry of state.entries) this.window.record(entry.at, entry.tag);
    this.#warned = state.warned;
  }
}
