/**
 * A sliding count window (t − window, t] over every entry, run-length encoded by timestamp and
 * tag: entries recorded at the same millisecond with the same tag share one slot. Recording and
 * counting are O(1) (amortised eviction from the front), the count is the true count however
 * far it is over the limit, and memory is bounded by the distinct timestamps inside one window.
 */
/** Slots a window starts with (it doubles when full). */
const INITIAL_SLOTS = 4;

export class SlidingWindow<Tag = undefined> {
  readonly limit: number;
  readonly windowMs: number;
  /**
   * Slot i's time at `2i` and its count at `2i + 1`, in one array of doubles (a ring of
   * `capacity` slots): recording touches one backing store. Over many strategies each separate
   * array is a cache miss on every check (bench/core.ts, the round robin).
   */
  #slots: number[] = new Array<number>(2 * INITIAL_SLOTS).fill(0);
  /** Slot i's tag, or null while every tag recorded was undefined (most windows never tag). */
  #tags: (Tag | undefined)[] | null = null;
  #capacity = INITIAL_SLOTS;
  #head = 0;
  #size = 0;
  #total = 0;
  /** Entries by tag, kept only by a window that counts tags (an idle strategy holds no empty maps). */
  readonly #byTag: Map<Tag | undefined, number> | null;

  constructor(limit: number, windowMs: number, tagged = false) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#byTag = tagged ? new Map() : null;
  }

  /** Records one entry at `at` (never earlier than the last one: the runtime's clock only moves on). */
  record(at: number, tag?: Tag): void {
    this.add(at, tag);
  }

  /**
   * Records one entry at `at` and returns the entries inside the window at `at` (the true count),
   * evicting once. An entry at the same millisecond and tag as the newest slot only bumps it: that
   * slot was recorded at `at`, so everything older than `at − window` has already left.
   */
  add(at: number, tag?: Tag): number {
    const size = this.#size;
    if (size > 0) {
      const last = (this.#head + size - 1) & (this.#capacity - 1);
      if (this.#slots[2 * last] === at && this.#tagAt(last) === tag) {
        this.#slots[2 * last + 1]! += 1;
        this.#bump(tag, 1);
        return this.#total;
      }
    }
    this.#append(at, tag);
    return this.#total;
  }

  #append(at: number, tag: Tag | undefined, n = 1): void {
    this.#evict(at);
    if (this.#size > 0) {
      const last = (this.#head + this.#size - 1) & (this.#capacity - 1);
      if (this.#slots[2 * last] === at && this.#tagAt(last) === tag) {
        this.#slots[2 * last + 1]! += n;
        this.#bump(tag, n);
        return;
      }
    }
    if (this.#size === this.#capacity) this.#grow();
    const slot = (this.#head + this.#size) & (this.#capacity - 1);
    this.#slots[2 * slot] = at;
    this.#slots[2 * slot + 1] = n;
    if (tag !== undefined || this.#tags !== null) (this.#tags ??= new Array<Tag | undefined>(this.#capacity))[slot] = tag;
    this.#size++;
    this.#bump(tag, n);
  }

  /** Entries inside the window at `now` (the true count). */
  count(now: number): number {
    this.#evict(now);
    return this.#total;
  }

  /** True when the window holds more than `limit` entries at `now`. */
  exceeded(now: number): boolean {
    return this.count(now) > this.limit;
  }

  /** True when the window holds at least `n` entries at `now`. */
  holdsAtLeast(n: number, now: number): boolean {
    return this.count(now) >= n;
  }

  /** Entries inside the window at `now`, by tag. */
  countByTag(now: number): Map<Tag | undefined, number> {
    this.#evict(now);
    return new Map(this.#byTag ?? []);
  }

  /**
   * The instant at which the window will hold no more than `limit` entries if nothing new
   * arrives, or null when it does not hold more now. Walks only the entries that must leave.
   */
  clearsAt(now: number): number | null {
    this.#evict(now);
    let excess = this.#total - this.limit;
    if (excess <= 0) return null;
    const mask = this.#capacity - 1;
    for (let i = 0; i < this.#size; i++) {
      const slot = (this.#head + i) & mask;
      excess -= this.#slots[2 * slot + 1]!;
      if (excess <= 0) return this.#slots[2 * slot]! + this.windowMs;
    }
    return now + this.windowMs;
  }

  /** When the oldest entry now inside the window leaves it, or null when it is empty. */
  nextExpiry(now: number): number | null {
    this.#evict(now);
    return this.#size === 0 ? null : this.#slots[2 * this.#head]! + this.windowMs;
  }

  /** Forgets every entry (a confirmed reset clears the window). */
  clear(): void {
    this.#head = 0;
    this.#size = 0;
    this.#total = 0;
    this.#tags?.fill(undefined);
    this.#byTag?.clear();
  }

  /** Entries oldest first (run-length encoded), for persistence. */
  entries(): { at: number; count: number; tag: Tag | undefined }[] {
    const out: { at: number; count: number; tag: Tag | undefined }[] = [];
    const mask = this.#capacity - 1;
    for (let i = 0; i < this.#size; i++) {
      const slot = (this.#head + i) & mask;
      out.push({ at: this.#slots[2 * slot]!, count: this.#slots[2 * slot + 1]!, tag: this.#tagAt(slot) });
    }
    return out;
  }

  /** Restores saved entries (oldest first). */
  load(entries: readonly { at: number; count: number; tag: Tag | undefined }[]): void {
    this.clear();
    // A saved slot comes back as one slot (a count of millions is one append, not millions).
    for (const entry of entries) if (entry.count > 0) this.#append(entry.at, entry.tag, entry.count);
  }

  #evict(now: number): void {
    const cutoff = now - this.windowMs;
    const mask = this.#capacity - 1;
    const slots = this.#slots;
    while (this.#size > 0 && slots[2 * this.#head]! <= cutoff) {
      const head = this.#head;
      const n = slots[2 * head + 1]!;
      this.#total -= n;
      const tags = this.#tags;
      if (tags !== null) {
        this.#bump(tags[head], -n, false);
        tags[head] = undefined;
      } else {
        this.#bump(undefined, -n, false);
      }
      this.#head = (head + 1) & mask;
      this.#size--;
    }
  }

  /** Slot `slot`'s tag (undefined while no tag was ever recorded). */
  #tagAt(slot: number): Tag | undefined {
    return this.#tags === null ? undefined : this.#tags[slot];
  }

  #bump(tag: Tag | undefined, n: number, total = true): void {
    if (total) this.#total += n;
    const byTag = this.#byTag;
    if (byTag === null) return;
    const next = (byTag.get(tag) ?? 0) + n;
    if (next === 0) byTag.delete(tag);
    else byTag.set(tag, next);
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const slots = new Array<number>(2 * capacity).fill(0);
    const tags = this.#tags === null ? null : new Array<Tag | undefined>(capacity);
    const mask = this.#capacity - 1;
    for (let i = 0; i < this.#size; i++) {
      const slot = (this.#head + i) & mask;
      slots[2 * i] = this.#slots[2 * slot]!;
      slots[2 * i + 1] = this.#slots[2 * slot + 1]!;
      if (tags !== null) tags[i] = this.#tags![slot];
    }
    this.#slots = slots;
    this.#tags = tags;
    this.#capacity = capacity;
    this.#head = 0;
  }
}
