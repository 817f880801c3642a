/**
 * The allowed orders the duplicate window compares with. Fields are compared as written (a
 * number and its decimal text are one key; "5" and "5.0" are two). A chained hash table over
 * the order's doubles (quantity, price) finds the candidates; the fields as written confirm.
 * Entries are kept in arrival order in a ring and leave from the front once older than the
 * longest window asked for. Each entry is a slot of parallel arrays (time, hash and chain links
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
  /** Ring of slots: live entries are head … head + size − 1 (mod capacity), oldest first. */
  #at = new Float64Array(INITIAL_SLOTS);
  #hashes = new Int32Array(INITIAL_SLOTS);
  /** The next older slot of the same bucket, or NONE. */
  #older = new Int32Array(INITIAL_SLOTS);
  /** The next newer slot of the same bucket, or NONE (the bucket's head). */
  #newer = new Int32Array(INITIAL_SLOTS);
  #symbols: string[] = new Array<string>(INITIAL_SLOTS).fill('');
  #sides: string[] = new Array<string>(INITIAL_SLOTS).fill('');
  #qtys: unknown[] = new Array<unknown>(INITIAL_SLOTS).fill('');
  #prices: unknown[] = new Array<unknown>(INITIAL_SLOTS).fill('');
  /** Bucket → its newest slot, or NONE. */
  #buckets = new Int32Array(INITIAL_SLOTS).fill(NONE);
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
    let q: unknown = null;
    let p: unknown = null;
    for (let i = this.#buckets[hash & (this.#buckets.length - 1)]!; i !== NONE; i = older[i]!) {
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
    const i = (this.#head + this.#size) & (this.#at.length - 1);
    this.#at[i] = now;
    this.#hashes[i] = hash;
    this.#symbols[i] = symbol;
    this.#sides[i] = side;
    this.#qtys[i] = key(qtyRaw);
    this.#prices[i] = key(priceRaw);
    this.#size++;
    this.#link(i);
  }

  /** Puts slot `i` at the head of its bucket (buckets hold their entries newest first). */
  #link(i: number): void {
    const b = this.#hashes[i]! & (this.#buckets.length - 1);
    const head = this.#buckets[b]!;
    this.#older[i] = head;
    this.#newer[i] = NONE;
    if (head !== NONE) this.#newer[head] = i;
    this.#buckets[b] = i;
  }

  /** Drops the entries that no window can match any more (the oldest of each bucket go first). */
  #evict(now: number): void {
    const mask = this.#at.length - 1;
    const cutoff = now - this.#keepMs;
    while (this.#size > 0) {
      const i = this.#head;
      if (this.#at[i]! > cutoff) break;
      // The oldest live entry is the oldest of its bucket: its tail.
      const newer = this.#newer[i]!;
      if (newer === NONE) this.#buckets[this.#hashes[i]! & (this.#buckets.length - 1)] = NONE;
      else this.#older[newer] = NONE;
      // Drop the references (a quantity or price may be a caller's object).
      this.#qtys[i] = this.#prices[i] = '';
      this.#head = (i + 1) & mask;
      this.#size--;
    }
  }

  /** Doubles the ring and the buckets, keeping every live entry in order and relinking it. */
  #grow(): void {
    const capacity = this.#at.length;
    const mask = capacity - 1;
    const next = capacity * 2;
    const at = new Float64Array(next);
    const hashes = new Int32Array(next);
    const symbols = new Array<string>(next).fill('');
    const sides = new Array<string>(next).fill('');
    const qtys = new Array<unknown>(next).fill('');
    const prices = new Array<unknown>(next).fill('');
    for (let k = 0; k < this.#size; k++) {
      const from = (this.#head + k) & mask;
      at[k] = this.#at[from]!;
      hashes[k] = this.#hashes[from]!;
      symbols[k] = this.#symbols[from]!;
      sides[k] = this.#sides[from]!;
      qtys[k] = this.#qtys[from];
      prices[k] = this.#prices[from];
    }
    this.#at = at;
    this.#hashes = hashes;
    this.#symbols = symbols;
    this.#sides = sides;
    this.#qtys = qtys;
    this.#prices = prices;
    this.#older = new Int32Array(next);
    this.#newer = new Int32Array(next);
    this.#buckets = new Int32Array(next).fill(NONE);
    this.#head = 0;
    for (let k = 0; k < this.#size; k++) this.#link(k);
  }
}

/** Text stays as written; numbers become their text (so 5 and "5" are one key); a Decimal its text; no price is "". */
const key = (value: unknown): unknown => (typeof value === 'string' ? value : value === undefined ? '' : String(value));
