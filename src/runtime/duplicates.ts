/**
 * The allowed orders the duplicate window compares with. Fields are compared as written (a
 * number and its decimal text are one key; "5" and "5.0" are two). A chained hash table over
 * the order's doubles (quantity, price) finds the candidates; the fields as written confirm.
 * Entries are kept in arrival order and leave from the front once older than the longest
 * window asked for, and are reused: remembering an order allocates nothing in a steady state.
 */
class Entry {
  at = 0;
  hash = 0;
  symbol = '';
  side = '';
  qty: unknown = '';
  price: unknown = '';
  /** The next older entry of the same bucket. */
  older: Entry | null = null;
  /** The next newer entry of the same bucket (null: the bucket's head). */
  newer: Entry | null = null;
}

// Small until used: a strategy without a duplicate window never grows it (1,024 cost 16 KiB each).
const INITIAL_BUCKETS = 16;
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
  #buckets: (Entry | null)[] = new Array<Entry | null>(INITIAL_BUCKETS).fill(null);
  /** Live entries, oldest first (a ring). */
  #queue: (Entry | null)[] = new Array<Entry | null>(INITIAL_BUCKETS).fill(null);
  #head = 0;
  #size = 0;
  /** Entries that left the window, for reuse. */
  readonly #free: Entry[] = [];
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
    const hash = this.#hash(symbol, side, qtyRaw, priceRaw, qty, px);
    let e = this.#buckets[hash & (this.#buckets.length - 1)] ?? null;
    if (e === null) return undefined;
    let q: unknown = null;
    let p: unknown = null;
    for (; e !== null; e = e.older) {
      if (e.hash !== hash || e.symbol !== symbol || e.side !== side) continue;
      q ??= key(qtyRaw);
      p ??= key(priceRaw);
      if (e.qty === q && e.price === p) return e.at;
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
    const entry = this.#free.pop() ?? new Entry();
    entry.at = now;
    entry.hash = hash;
    entry.symbol = symbol;
    entry.side = side;
    entry.qty = key(qtyRaw);
    entry.price = key(priceRaw);
    if (this.#size === this.#queue.length) this.#grow();
    this.#queue[(this.#head + this.#size) & (this.#queue.length - 1)] = entry;
    this.#size++;
    this.#link(entry);
  }

  /** Puts an entry at the head of its bucket (buckets hold their entries newest first). */
  #link(entry: Entry): void {
    const buckets = this.#buckets;
    const b = entry.hash & (buckets.length - 1);
    const head = buckets[b]!;
    entry.older = head;
    entry.newer = null;
    if (head !== null) head.newer = entry;
    buckets[b] = entry;
  }

  /** Drops the entries that no window can match any more (the oldest of each bucket go first). */
  #evict(now: number): void {
    const queue = this.#queue;
    const mask = queue.length - 1;
    const cutoff = now - this.#keepMs;
    while (this.#size > 0) {
      const entry = queue[this.#head]!;
      if (entry.at > cutoff) break;
      // The oldest live entry is the oldest of its bucket: its tail.
      if (entry.newer === null) this.#buckets[entry.hash & (this.#buckets.length - 1)] = null;
      else entry.newer.older = null;
      entry.newer = null;
      entry.qty = entry.price = '';
      queue[this.#head] = null;
      this.#head = (this.#head + 1) & mask;
      this.#size--;
      if (this.#free.length < 4096) this.#free.push(entry);
    }
  }

  /** Doubles the queue and the buckets, relinking every live entry oldest first. */
  #grow(): void {
    const old = this.#queue;
    const mask = old.length - 1;
    const queue = new Array<Entry | null>(old.length * 2).fill(null);
    for (let i = 0; i < this.#size; i++) queue[i] = old[(this.#head + i) & mask]!;
    this.#queue = queue;
    this.#head = 0;
    this.#buckets = new Array<Entry | null>(queue.length).fill(null);
    for (let i = 0; i < this.#size; i++) this.#link(queue[i]!);
  }
}

/** Text stays as written; numbers become their text (so 5 and "5" are one key); a Decimal its text; no price is "". */
const key = (value: unknown): unknown => (typeof value === 'string' ? value : value === undefined ? '' : String(value));
