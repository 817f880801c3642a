/**
 * A sliding count window over the most recent `limit + 1` timestamps (a ring buffer).
 * An entry recorded at `t` is inside the window at `now` while `now - t < windowMs`.
 * Holding only `limit + 1` entries is enough to answer "does the window hold more than
 * `limit`?" in O(1), which is the question the rate breakers ask on every order or error.
 */
export class SlidingWindow<Tag = undefined> {
  readonly limit: number;
  readonly windowMs: number;
  readonly #times: Float64Array;
  readonly #tags: (Tag | undefined)[];
  #head = 0; // index of the next write
  #size = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#times = new Float64Array(limit + 1);
    this.#tags = new Array<Tag | undefined>(limit + 1);
  }

  /** Records an entry at `at`. */
  record(at: number, tag?: Tag): void {
    this.#times[this.#head] = at;
    this.#tags[this.#head] = tag;
    this.#head = this.#head === this.#times.length - 1 ? 0 : this.#head + 1;
    if (this.#size < this.#times.length) this.#size++;
  }

  /** Timestamp of the n-th most recent entry (1 = newest), or -Infinity when there is none. */
  nthNewest(n: number): number {
    if (n < 1 || n > this.#size) return -Infinity;
    let index = this.#head - n;
    if (index < 0) index += this.#times.length;
    return this.#times[index]!;
  }

  /** True when the window holds at least `n` entries at `now`. */
  holdsAtLeast(n: number, now: number): boolean {
    return now - this.nthNewest(n) < this.windowMs;
  }

  /** True when the window holds more than `limit` entries at `now`. */
  exceeded(now: number): boolean {
    return this.holdsAtLeast(this.limit + 1, now);
  }

  /** When the window will stop holding more than `limit` entries if nothing new arrives, or null if it does not now. */
  clearsAt(now: number): number | null {
    return this.exceeded(now) ? this.nthNewest(this.limit + 1) + this.windowMs : null;
  }

  /** Entries inside the window at `now` (capped at `limit + 1`). */
  count(now: number): number {
    let n = 0;
    while (n < this.#size && this.holdsAtLeast(n + 1, now)) n++;
    return n;
  }

  /** Entries inside the window at `now`, counted by tag. */
  countByTag(now: number): Map<Tag | undefined, number> {
    const counts = new Map<Tag | undefined, number>();
    for (let n = 1; n <= this.#size && this.holdsAtLeast(n, now); n++) {
      let index = this.#head - n;
      if (index < 0) index += this.#times.length;
      const tag = this.#tags[index];
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }
    return counts;
  }

  /** Time at which the oldest entry now inside the window leaves it, or null when empty. */
  nextExpiry(now: number): number | null {
    const n = this.count(now);
    return n === 0 ? null : this.nthNewest(n) + this.windowMs;
  }

  /** Forgets every entry (a confirmed reset clears the window). */
  clear(): void {
    this.#head = 0;
    this.#size = 0;
    this.#tags.fill(undefined);
  }

  /** Entries oldest first, for persistence. */
  entries(): { at: number; tag: Tag | undefined }[] {
    const out: { at: number; tag: Tag | undefined }[] = [];
    for (let n = this.#size; n >= 1; n--) {
      let index = this.#head - n;
      if (index < 0) index += this.#times.length;
      out.push({ at: this.#times[index]!, tag: this.#tags[index] });
    }
    return out;
  }
}
