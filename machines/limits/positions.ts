import { Exact } from '../math/exact.ts';
import { SLACK, toExact, toNumber } from './amount.ts';
import type { OrderFacts } from './facts.ts';

/** An allowed order with an id, not yet filled, closed or covered by a position report. */
interface OpenOrder {
  readonly id: string;
  /** What is still open: as given until a partial fill, then exact. */
  remaining: unknown;
  remainingN: number;
}

/** Most anonymous quantities kept as given before they are folded into one exact sum. */
const MAX_PENDING = 100_000;

/**
 * The open orders on one side of a symbol. Orders without an id are only summed (their raw
 * quantities are kept as given and folded exactly when needed): reserving one allocates nothing.
 */
class Side {
  /** Everything open, as a double. */
  n = 0;
  /** Anonymous open quantity folded so far, exactly. */
  folded = new Exact(0);
  /** Anonymous quantities as given, not folded yet. */
  readonly pending: unknown[] = [];
  readonly named: OpenOrder[] = [];

  fold(): Exact {
    if (this.pending.length > 0) {
      let sum = this.folded;
      for (const raw of this.pending) sum = sum.plus(toExact(raw));
      this.folded = sum;
      this.pending.length = 0;
    }
    return this.folded;
  }

  exact(): Exact {
    return this.named.reduce((s, o) => s.plus(toExact(o.remaining)), this.fold());
  }

  resum(): void {
    this.n = this.fold().toNumber() + this.named.reduce((s, o) => s + o.remainingN, 0);
  }

  clear(): void {
    this.n = 0;
    this.folded = new Exact(0);
    this.pending.length = 0;
    this.named.length = 0;
  }

  get count(): number {
    return this.named.length + (this.folded.isZero() ? 0 : 1) + this.pending.length;
  }
}

/** One symbol: the last reported position, the fills since, and the open orders on each side. */
class SymbolBook {
  reported = new Exact(0);
  filled = new Exact(0);
  /** reported + filled, as a double. */
  baseN = 0;
  readonly buy = new Side();
  readonly sell = new Side();
  lastPrice: Exact | null = null;
  lastPriceN: number | null = null;

  resum(): void {
    this.baseN = this.reported.plus(this.filled).toNumber();
    this.buy.resum();
    this.sell.resum();
  }
}

/** A symbol's projection, for status. */
export interface Projection {
  readonly symbol: string;
  readonly reported: string;
  readonly filled: string;
  readonly openBuy: string;
  readonly openSell: string;
  /** reported + filled + open buys − open sells. */
  readonly projected: string;
  readonly lastPrice: string | null;
}

/**
 * The projected positions: per symbol, the last reported position + the fills recorded since
 * + the open orders (allowed, neither filled nor closed, nor covered by a later report). A fill
 * moves quantity from open to filled; a close releases what is left open; a report replaces
 * everything. Decisions use the side an order moves: a buy is judged against reported + filled
 * + open buys (open sells may never fill), a sell against reported + filled − open sells.
 */
export class PositionBook {
  readonly #symbols = new Map<string, SymbolBook>();
  readonly #byId = new Map<string, { book: SymbolBook; side: 'buy' | 'sell'; order: OpenOrder }>();
  /** The symbol looked up last and its book (books are never removed): the limits of one order ask several times. */
  #lastSymbol: string | null = null;
  #lastBook: SymbolBook | undefined = undefined;

  /** The book of a symbol, or undefined when it has none. */
  #find(symbol: string): SymbolBook | undefined {
    if (symbol === this.#lastSymbol) return this.#lastBook;
    const book = this.#symbols.get(symbol);
    if (book !== undefined) {
      this.#lastSymbol = symbol;
      this.#lastBook = book;
    }
    return book;
  }

  #book(symbol: string): SymbolBook {
    let book = this.#find(symbol);
    if (book === undefined) this.#symbols.set(symbol, (book = new SymbolBook()));
    return book;
  }

  /** The position an order on `side` starts from, as a double, and its magnitude for the error bound. */
  before(symbol: string, side: 'buy' | 'sell'): number {
    const book = this.#find(symbol);
    if (book === undefined) return 0;
    return side === 'buy' ? book.baseN + book.buy.n : book.baseN - book.sell.n;
  }

  /** Magnitude of the terms of {@link before} (for the error bound). */
  magnitude(symbol: string): number {
    const book = this.#find(symbol);
    return book === undefined ? 0 : Math.abs(book.baseN) + book.buy.n + book.sell.n;
  }

  /** {@link before}, exactly. */
  beforeExact(symbol: string, side: 'buy' | 'sell'): Exact {
    const book = this.#find(symbol);
    if (book === undefined) return new Exact(0);
    const base = book.reported.plus(book.filled);
    return side === 'buy' ? base.plus(book.buy.exact()) : base.minus(book.sell.exact());
  }

  /** The last known price of a symbol (from a position report or a fill). */
  lastPrice(symbol: string): number | null {
    return this.#find(symbol)?.lastPriceN ?? null;
  }

  lastPriceExact(symbol: string): Exact | null {
    return this.#find(symbol)?.lastPrice ?? null;
  }

  has(symbol: string): boolean {
    return this.#find(symbol) !== undefined;
  }

  /** The symbols with a book, for the gross exposure. */
  symbols(): IterableIterator<string> {
    return this.#symbols.keys();
  }

  /** An allowed order: its quantity is reserved until filled, closed or reported. */
  open(order: OrderFacts): void {
    const book = this.#book(order.symbol);
    const side = order.side === 'buy' ? book.buy : book.sell;
    side.n += order.qty;
    if (order.id === undefined) {
      side.pending.push(order.qtyRaw);
      if (side.pending.length > MAX_PENDING) side.fold();
      return;
    }
    const entry: OpenOrder = { id: order.id, remaining: order.qtyRaw, remainingN: order.qty };
    side.named.push(entry);
    // A reused id replaces the older order's handle (the older one stays reserved until a report).
    this.#byId.set(order.id, { book, side: order.side, order: entry });
  }

  /** An execution: quantity moves from open to filled (its order by id first, then anonymous orders, then the oldest). */
  fill(symbol: string, side: 'buy' | 'sell', quantity: Exact, price: Exact, orderId: string | null): void {
    const book = this.#book(symbol);
    book.filled = side === 'buy' ? book.filled.plus(quantity) : book.filled.minus(quantity);
    if (!price.isZero()) {
      book.lastPrice = price;
      book.lastPriceN = price.toNumber();
    }
    const open = side === 'buy' ? book.buy : book.sell;
    const known = orderId === null ? undefined : this.#byId.get(orderId);
    let left = quantity;
    const take = (order: OpenOrder) => {
      const rest = toExact(order.remaining);
      const taken = rest.lt(left) ? rest : left;
      order.remaining = rest.minus(taken);
      order.remainingN = (order.remaining as Exact).toNumber();
      left = left.minus(taken);
    };
    if (known !== undefined && known.book === book && known.side === side) take(known.order);
    const anonymous = open.fold();
    if (!left.isZero() && !anonymous.isZero()) {
      const taken = anonymous.lt(left) ? anonymous : left;
      open.folded = anonymous.minus(taken);
      left = left.minus(taken);
    }
    for (const order of open.named) if (!left.isZero()) take(order);
    this.#prune(book);
    book.resum();
  }

  /** An order closed (cancelled, expired, done): what is left open is released. False when unknown. */
  close(id: string): boolean {
    const known = this.#byId.get(id);
    if (known === undefined) return false;
    this.#byId.delete(id);
    known.order.remaining = 0;
    known.order.remainingN = 0;
    this.#prune(known.book);
    known.book.resum();
    return true;
  }

  /** A position report replaces everything: reported positions, no fills since, nothing open. */
  report(positions: readonly { symbol: string; quantity: unknown; price?: unknown }[]): void {
    for (const book of this.#symbols.values()) {
      book.reported = new Exact(0);
      book.filled = new Exact(0);
      book.buy.clear();
      book.sell.clear();
    }
    this.#byId.clear();
    for (const p of positions) {
      const book = this.#book(p.symbol);
      book.reported = book.reported.plus(toExact(p.quantity));
      if (p.price !== undefined && toNumber(p.price) > 0) {
        book.lastPrice = toExact(p.price);
        book.lastPriceN = book.lastPrice.toNumber();
      }
    }
    for (const book of this.#symbols.values()) book.resum();
  }

  /** Every symbol's projection, for status. */
  projections(): Projection[] {
    const out: Projection[] = [];
    for (const [symbol, book] of this.#symbols) {
      const base = book.reported.plus(book.filled);
      const buy = book.buy.exact();
      const sell = book.sell.exact();
      out.push({
        symbol,
        reported: book.reported.toFixed(),
        filled: book.filled.toFixed(),
        openBuy: buy.toFixed(),
        openSell: sell.toFixed(),
        projected: base.plus(buy).minus(sell).toFixed(),
        lastPrice: book.lastPrice?.toFixed() ?? null,
      });
    }
    return out.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Open orders in total (for status and tests). */
  get openCount(): number {
    let n = 0;
    for (const book of this.#symbols.values()) n += book.buy.count + book.sell.count;
    return n;
  }

  #prune(book: SymbolBook): void {
    for (const list of [book.buy.named, book.sell.named]) {
      for (let i = list.length - 1; i >= 0; i--) {
        const order = list[i]!;
        if (order.remainingN === 0 && toExact(order.remaining).isZero()) {
          list.splice(i, 1);
          if (this.#byId.get(order.id)?.order === order) this.#byId.delete(order.id);
        }
      }
    }
  }
}

export { SLACK };
