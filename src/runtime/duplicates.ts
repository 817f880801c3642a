/**
 * The allowed orders the duplicate window compares with. Fields are compared as written (a
 * number and its decimal text are one key; "5" and "5.0" are two). A chained hash table over
 * the order's doubles (quantity, price) finds the candidates; the fields as written confirm.
 * Entries are kept in arrival order in a ring and leave from the front once older than the
 * longest window asked for (chains run newest to oldest by arrival number, so a walk stops at the
 * first entry that left: leaving unlinks nothing). Each entry is a slot of parallel arrays (time, hash and chain links
 * in typed arrays): a busy window of thousands of orders stays compact in memory, and
 * remembering an order allocates nothing once the ring is large enough.
 */

// Small until used: a strategy without a duplicate window never grows it.
const INITIAL_SLOTS = 16;
const NONE = -1;
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

/** Mixes a double's 64 bits into `h` (doubles that are equal mix equally; 0 and −0 never reach here). */
function mix(h: number, x: number): number {
  scratch[0] = x;
  h = Math.imul(h ^ words[0]!, 0x9e3779b1);
  h = Math.imul(h ^ words[1]!, 0x85ebca77);
  return h ^ (h >>> 15);
}

/** The bucket hash of an order: side, symbol (its length and two characters), quantity, price (−1 for none). */
function hashOf(symbol: string, side: string, qty: number, px: number | undefined): number {
  const n = symbol.length;
  const seed = (side === 'buy' ? 0x51ed27 : 0x2c1b3c6d) ^ (n << 16) ^ (symbol.charCodeAt(0) << 8) ^ symbol.charCodeAt(n - 1);
  return mix(mix(seed, qty), px === undefined ? -1 : px);
}

export class DuplicateIndex {
  // Entries are numbered in arrival order (seq); entry s lives in slot s & (capacity − 1) while
  // head ≤ s < head + size. A bucket's chain links seqs newest to oldest, so a walk stops at the
  // first seq below head: evicting an entry is moving head past it (nothing to unlink).
  #at = new Float64Array(INITIAL_SLOTS);
  #hashes = new Int32Array(INITIAL_SLOTS);
  /** The seq of the next older entry of the same bucket, or NONE. */
  #older = new Float64Array(INITIAL_SLOTS);
  #symbols: string[] = new Array<string>(INITIAL_SLOTS).fill('');
  #sides: string[] = new Array<string>(INITIAL_SLOTS).fill('');
  #qtys: unknown[] = new Array<unknown>(INITIAL_SLOTS).fill('');
  #prices: unknown[] = new Array<unknown>(INITIAL_SLOTS).fill('');
  /** Bucket → the seq of its newest entry, or NONE. */
  #buckets = new Float64Array(INITIAL_SLOTS).fill(NONE);
  /** The seq of the oldest live entry. */
  #head = 0;
  #size = 0;
  /** The longest window asked for: nothing younger leaves. */
  #keepMs = 0;
  /** The last lookup's order and hash (a decision looks up, then remembers the same order). */
  #lastQty: unknown = undefined;
  #lastPrice: unknown = undefined;
  #lastSymbol = '';
  #lastSide = '';
  #lastHash = 0;

  #hash(symbol: string, side: string, qtyRaw: unknown, priceRaw: unknown, qty: number, px: number | undefined): number {
    if (qtyRaw === this.#lastQty && priceRaw === this.#lastPrice && symbol === this.#lastSymbol && side === this.#lastSide) return this.#lastHash;
    const hash = hashOf(symbol, side, qty, px);
    this.#lastQty = qtyRaw;
    this.#lastPrice = priceRaw;
    this.#lastSymbol = symbol;
    this.#lastSide = side;
    this.#lastHash = hash;
    return hash;
  }

  /**
   * When the same order was last allowed (ms), or undefined. `qty` and `px` are the quantity and
   * the price as doubles (read with the order); the fields as written decide.
   */
  last(symbol: string, side: string, qtyRaw: unknown, priceRaw: unknown, qty: number, px: number | undefined): number | undefined {
    if (this.#size === 0) return undefined;
    const hash = this.#hash(symbol, side, qtyRaw, priceRaw, qty, px);
    const hashes = this.#hashes;
    const older = this.#older;
    const mask = this.#at.length - 1;
    const head = this.#head;
    let q: unknown = null;
    let p: unknown = null;
    for (let s = this.#buckets[hash & mask]!; s >= head; ) {
      const i = s & mask;
      s = older[i]!;
      if (hashes[i] !== hash || this.#symbols[i] !== symbol || this.#sides[i] !== side) continue;
      q ??= key(qtyRaw);
      p ??= key(priceRaw);
      if (this.#qtys[i] === q && this.#prices[i] === p) return this.#at[i];
    }
    return undefined;
  }
  /** No state is carried between decisions (kept for callers that reset per decision). */
  forget(): void {}

  /** Records an allowed order at `now`; entries older than the longest window asked for leave. */
  remember(symbol: string, side: string, qtyRaw: unknown, priceRaw: unknown, qty: number, px: number | undefined, now: number, windowMs: number): void {
    if (windowMs > this.#keepMs) this.#keepMs = windowMs;
    this.#evict(now);
    const hash = this.#hash(symbol, side, qtyRaw, priceRaw, qty, px);
    if (this.#size === this.#at.length) this.#grow();
    const s = this.#head + this.#size;
    const i = s & (this.#at.length - 1);
    this.#at[i] = now;
    this.#hashes[i] = hash;
    this.#symbols[i] = symbol;
    this.#sides[i] = side;
    this.#qtys[i] = key(qtyRaw);
    this.#prices[i] = key(priceRaw);
    this.#size++;
    this.#link(s, i);
  }

  /** Puts entry `s` (in slot `i`) at the head of its bucket (buckets hold their entries newest first). */
  #link(s: number, i: number): void {
    const b = this.#hashes[i]! & (this.#buckets.length - 1);
    this.#older[i] = this.#buckets[b]!;
    this.#buckets[b] = s;
  }

  /** Drops the entries that no window can match any more, oldest first (a chain's walk stops before them). */
  #evict(now: number): void {
    const mask = this.#at.length - 1;
    const cutoff = now - this.#keepMs;
    while (this.#size > 0) {
      const i = this.#head & mask;
      if (this.#at[i]! > cutoff) break;
      // Drop the references (a quantity or price may be a caller's object).
      this.#qtys[i] = this.#prices[i] = '';
      this.#head++;
      this.#size--;
    }
  }

  /** Doubles the ring and the buckets, keeping every live entry (and its seq) and relinking it. */
  #grow(): void {
    const mask = this.#at.length - 1;
    const next = this.#at.length * 2;
    const nextMask = next - 1;
    const at = new Float64Array(next);
    const hashes = new Int32Array(next);
    const symbols = new Array<string>(next).fill('');
    const sides = new Array<string>(next).fill('');
    const qtys = new Array<unknown>(next).fill('');
    const prices = new Array<unknown>(next).fill('');
    for (let s = this.#head; s < this.#head + this.#size; s++) {
      const from = s & mask;
      const to = s & nextMask;
      at[to] = this.#at[from]!;
      hashes[to] = this.#hashes[from]!;
      symbols[to] = this.#symbols[from]!;
      sides[to] = this.#sides[from]!;
      qtys[to] = this.#qtys[from];
      prices[to] = this.#prices[from];
    }
    this.#at = at;
    this.#hashes = hashes;
    this.#symbols = symbols;
    this.#sides = sides;
    this.#qtys = qtys;
    this.#prices = prices;
    this.#older = new Float64Array(next);
    this.#buckets = new Float64Array(next).fill(NONE);
    for (let s = this.#head; s < this.#head + this.#size; s++) this.#link(s, s & nextMask);
  }
}

/** Text stays as written; numbers become their text (so 5 and "5" are one key); a Decimal its text; no price is "". */
const key = (value: unknown): unknown => (typeof value === 'string' ? value : value === undefined ? '' : String(value));
