/**
 * The allowed orders the duplicate window compares with: symbol → side → price → quantity →
 * when last allowed (ms). Fields are keyed as written (a number and its decimal text are one
 * key). Nested maps keyed by the order's own strings: a lookup builds no string, and a new
 * entry allocates a map only for a price not seen before in the window.
 */
export class DuplicateIndex {
  readonly #bySymbol = new Map<string, Map<string, Map<unknown, Map<unknown, number>>>>();
  #inserted = 0;
  #pruneAfter = 4096;

  /** When the same order was last allowed (ms), or undefined. */
  last(symbol: string, side: string, qty: unknown, price: unknown): number | undefined {
    return this.#bySymbol.get(symbol)?.get(side)?.get(key(price))?.get(key(qty));
  }

  /** No state is carried between decisions (kept for callers that reset per decision). */
  forget(): void {}

  /** Records an allowed order; now and then forgets what is older than `windowMs`. */
  remember(symbol: string, side: string, qty: unknown, price: unknown, now: number, windowMs: number): void {
    let sides = this.#bySymbol.get(symbol);
    if (sides === undefined) this.#bySymbol.set(symbol, (sides = new Map()));
    let prices = sides.get(side);
    if (prices === undefined) sides.set(side, (prices = new Map()));
    const p = key(price);
    let quantities = prices.get(p);
    if (quantities === undefined) prices.set(p, (quantities = new Map()));
    quantities.set(key(qty), now);
    if (++this.#inserted >= this.#pruneAfter) this.#prune(now, windowMs);
  }

  #prune(now: number, windowMs: number): void {
    let kept = 0;
    this.#bySymbol.forEach((sides, symbol) => {
      sides.forEach((prices, side) => {
        prices.forEach((quantities, p) => {
          quantities.forEach((at, q) => (now - at >= windowMs ? quantities.delete(q) : kept++));
          if (quantities.size === 0) prices.delete(p);
        });
        if (prices.size === 0) sides.delete(side);
      });
      if (sides.size === 0) this.#bySymbol.delete(symbol);
    });
    this.#inserted = 0;
    this.#pruneAfter = Math.max(4096, kept);
  }
}

/** Text stays as written; numbers become their text (so 5 and "5" are one key); a Decimal its text; no price is "". */
const key = (value: unknown): unknown => (typeof value === 'string' ? value : value === undefined ? '' : String(value));
