import type { RateTracker } from '../figures/rate.ts';
import type { Signal } from '../figures/signal.ts';
import type { Evidence, InputTracker, Json, RuleInput } from './rule.ts';

/**
 * What every sliding-window breaker's tracker shares (order, error, message and execution rate):
 * its trip and re-check evidence are its figures, a confirmed reset clears the window, and it
 * saves and loads the window (instants shifted between the monotonic and the wall clock). A rule
 * adds how it counts an input, its figures, and whether it clears by itself.
 */
export abstract class WindowTracker<Tag = undefined> implements InputTracker {
  readonly rate: RateTracker<Tag>;
  /** Whether a saved entry's tag is one this rule counts (a record from elsewhere is refused). */
  readonly #isTag: (tag: unknown) => boolean;

  constructor(rate: RateTracker<Tag>, isTag: (tag: unknown) => boolean) {
    this.rate = rate;
    this.#isTag = isTag;
  }

  abstract observeInput(input: RuleInput, at: number): Signal;
  abstract figures(now: number): Evidence;

  /** When the window no longer holds more than the limit if nothing new arrives (a self-healing rule recovers then), or null. */
  clearsAt(now: number): number | null {
    return this.rate.window.clearsAt(now);
  }

  tripEvidence(now: number): Evidence {
    return this.figures(now);
  }

  recheckEvidence(now: number): Evidence {
    return this.figures(now);
  }

  rebaseline(): void {
    this.rate.clear();
  }

  save(shiftMs = 0): Json {
    return this.rate.save(shiftMs) as unknown as Json;
  }

  load(saved: unknown, shiftMs = 0, notAfter = Infinity): void {
    this.rate.load(saved, this.#isTag, shiftMs, notAfter);
  }
}

/** A window without tags accepts saved entries without one. */
export const untagged = (tag: unknown): boolean => tag === undefined || tag === null;
