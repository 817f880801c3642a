/**
 * The allowed orders the duplicate window compares with: symbol → side → price → quantity →
 * when last allowed (ms). Fields are keyed as written (a number and its decimal text are one
 * key). Nested maps keyed by the order's own strings: a lookup builds no string, and a new
 * entry allocates a map only for a price not seen before in the window.
 */
/** One symbol's allowed orders, by side: price → quantity → when last allowed (ms). */
interface Sides {
  readonly buy: Map<unknown, Map<unknown, number>>;
  readonly sell: Map<unknown, Map<unknown, number>>;
}

export class DuplicateIndex {
  readonly #bySymbol = new Map<string, Sides>();
  #inserted = 0;
  #pruneAfter = 4096;
  /** The symbol looked up last and its sides (orders in one symbol come in runs). */
  #lastSymbol: string | null = null;
  #lastSides: Sides | undefined = undefined;
  /** What the last lookup found: its side and price and their quantities (a decision looks up, then remembers). */
  #found: { sides: Sides; side: string; price: unknown; quantities: Map<unknown, number> } | null = null;

  #sides(symbol: string): Sides | undefined {
    if (symbol === this.#lastSymbol) return this.#lastSides;
    const sides = this.#bySymbol.get(symbol);
    if (sides !== undefined) {
      this.#lastSymbol = symbol;
      this.#lastSides = sides;
    }
    return sides;
  }

  /** When the same order was last allowed (ms), or undefined. */
  last(symbol: string, side: string, qty: unknown, price: unknown): number | undefined {
    const sides = this.#sides(symbol);
    if (sides === undefined) return undefined;
    const p = key(price);
    const quantities = (side === 'buy' ? sides.buy : sides.sell).get(p);
    if (quantities === undefined) return undefined;
    const found = this.#found;
    if (found === null) this.#found = { sides, side, price: p, quantities };
    else {
      found.sides = sides;
      found.side = side;
      found.price = p;
      found.quantities = quantities;
    }
    return quantities.get(key(qty));
  }

  /** No state is carried between decisions (kept for callers that reset per decision). */
  forget(): void {}

  /** Records an allowed order; now and then forgets what is older than `windowMs`. */
  remember(symbol: string, side: string, qty: unknown, price: unknown, now: number, windowMs: number): void {
    const p = key(price);
    let sides = this.#sides(symbol);
    if (sides === undefined) this.#bySymbol.set(symbol, (sides = { buy: new Map(), sell: new Map() }));
    const found = this.#found;
    let quantities: Map<unknown, number> | undefined;
    // The lookup just made for this order found its map (maps are only dropped by a prune, which forgets this).
    if (found !== null && found.sides === sides && found.side === side && found.price === p) quantities = found.quantities;
    else {
      const prices = side === 'buy' ? sides.buy : sides.sell;
      quantities = prices.get(p);
      if (quantities === undefined) prices.set(p, (quantities = new Map()));
    }
    quantities.set(key(qty), now);
    if (++this.#inserted >= this.#pruneAfter) this.#prune(now, windowMs);
  }

  #prune(now: number, windowMs: number): void {
    this.#found = null;
    this.#lastSymbol = null;
    this.#lastSides = undefined;
    let kept = 0;
    this.#bySymbol.forEach((sides, symbol) => {
      for (const prices of [sides.buy, sides.sell]) {
        prices.forEach((quantities, p) => {
          quantities.forEach((at, q) => (now - at >= windowMs ? quantities.delete(q) : kept++));
          if (quantities.size === 0) prices.delete(p);
        });
      }
      if (sides.buy.size === 0 && sides.sell.size === 0) this.#bySymbol.delete(symbol);
    });
    this.#inserted = 0;
    this.#pruneAfter = Math.max(4096, kept);
  }
}

/** Text stays as written; numbers become their text (so 5 and "5" are one key); a Decimal its text; no price is "". */
const key = (value: unknown): unknown => (typeof value === 'string' ? value : value === undefined ? '' : String(value));
