import { Exact } from '../math/exact.ts';
import { SLACK, toExact, toNumber } from './amount.ts';
import type { OrderFacts } from './facts.ts';
import { FillLog, Side, type OpenOrder } from './openOrders.ts';

/** One symbol: the last reported position, the fills since, and the open orders on each side. */
class SymbolBook {
  reported = new Exact(0);
  readonly fills = new FillLog();
  /** reported + filled, as a double. */
  baseN = 0;
  readonly buy = new Side();
  readonly sell = new Side();
  lastPrice: Exact | null = null;
  lastPriceN: number | null = null;
  /** When the last price was seen (a late report's price never replaces a later fill's). */
  lastPriceAt = -Infinity;

  get filled(): Exact {
    return this.fills.total;
  }

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
 * both up to its `asOf` (fills and orders recorded after it stay applied on top of it, and a
 * report older than the newest accepted one is ignored). A fill of an unknown or closed order
 * moves the position and takes no reservation; a fill without an order id takes only from
 * orders allowed without one. Decisions use the side an order moves: a buy is judged against
 * reported + filled + open buys (open sells may never fill), a sell against reported + filled −
 * open sells.
 *
 * Times are wall-clock ms (a report's `asOf` is a wall-clock time); the book stamps every order
 * and every fill recorded without its own time with the latest time seen so far when the given
 * one is earlier, so a wall clock stepping back never reorders what a report covers. A fill that
 * carries its execution time keeps it.
 */
export class PositionBook {
  readonly #symbols = new Map<string, SymbolBook>();
  /** The symbols with a book, in the order they came (books are never removed): walked without an iterator. */
  readonly #list: string[] = [];
  readonly #byId = new Map<string, { book: SymbolBook; symbol: string; side: 'buy' | 'sell'; order: OpenOrder }>();
  /** The symbol looked up last and its book (books are never removed): the limits of one order ask several times. */
  #lastSymbol: string | null = null;
  #lastBook: SymbolBook | undefined = undefined;
  /** The latest time stamped on an order or a fill. */
  #stamp = -Infinity;
  /** The `asOf` of the newest accepted report (null: none yet). */
  #reportAsOf: number | null = null;

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
    if (book === undefined) {
      this.#symbols.set(symbol, (book = new SymbolBook()));
      this.#list.push(symbol);
    }
    return book;
  }

  #at(at: number): number {
    if (at > this.#stamp) this.#stamp = at;
    return this.#stamp;
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
  symbols(): readonly string[] {
    return this.#list;
  }

  /**
   * An allowed order (at `at`, wall-clock ms; none: the latest time seen): its quantity is
   * reserved until filled, closed or covered by a report.
   */
  open(order: OrderFacts, at = -Infinity): void {
    const book = this.#book(order.symbol);
    const side = order.side === 'buy' ? book.buy : book.sell;
    const stamped = at > this.#stamp ? (this.#stamp = at) : this.#stamp;
    if (order.id === undefined) return side.push(order.qtyRaw, order.qty, stamped);
    const entry: OpenOrder = { id: order.id, at: stamped, remaining: order.qtyRaw, remainingN: order.qty };
    side.add(entry);
    // A reused id replaces the older order's handle (the older one stays reserved until a report).
    this.#byId.set(order.id, { book, symbol: order.symbol, side: order.side, order: entry });
  }

  /**
   * An execution at `at` (wall-clock ms; none: the latest time seen; `executed`: `at` is the time
   * the fill carried, else when it was recorded): the position moves by it, unless it carried a
   * time at or before the newest report's asOf (that report includes it). Quantity leaves "open" only
   * where the fill belongs: its own order (known, open, same symbol and side) up to what is left
   * of it, or, for a fill without an order id, the orders allowed without one, oldest first. A fill
   * of an unknown or closed order never uses up another order's reservation.
   */
  fill(symbol: string, side: 'buy' | 'sell', quantity: Exact, price: Exact, orderId: string | null, at = -Infinity, executed = false): void {
    const book = this.#book(symbol);
    // A fill carrying its execution time keeps it; one at or before the newest report's asOf is
    // in that report already: it releases its order's reservation but moves nothing.
    const stamped = executed ? at : this.#at(at);
    const reported = executed && this.#reportAsOf !== null && at <= this.#reportAsOf;
    if (!reported) book.fills.add(side === 'buy' ? quantity : quantity.negated(), stamped);
    if (!reported && !price.isZero() && stamped >= book.lastPriceAt) {
      book.lastPrice = price;
      book.lastPriceN = price.toNumber();
      book.lastPriceAt = stamped;
    }
    const open = side === 'buy' ? book.buy : book.sell;
    if (orderId === null) {
      open.takeAnonymous(quantity);
    } else {
      const known = this.#byId.get(orderId);
      if (known !== undefined && known.book === book && known.side === side) {
        const order = known.order;
        const rest = toExact(order.remaining);
        order.remaining = rest.lt(quantity) ? new Exact(0) : rest.minus(quantity);
        order.remainingN = (order.remaining as Exact).toNumber();
      }
    }
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

  /** The `asOf` of the newest accepted report, or null. */
  get reportAsOf(): number | null {
    return this.#reportAsOf;
  }

  /**
   * Whether a report as of `asOf` would be taken: false when it is older than the newest accepted
   * one. `asOf` null means "when received" (`receivedAt`), which covers everything recorded.
   */
  accepts(asOf: number | null): boolean {
    return asOf === null || this.#reportAsOf === null || asOf >= this.#reportAsOf;
  }

  /**
   * A position report as of `asOf` (null: when received, at `receivedAt`; it covers everything
   * recorded so far). It replaces, for every symbol, the reported position (0 where absent), the
   * fills recorded up to `asOf` and the orders allowed up to then; later ones stay on top of it.
   * Returns false, changing nothing, when it is older than the newest accepted report.
   */
  report(positions: readonly { symbol: string; quantity: unknown; price?: unknown }[], asOf: number | null = null, receivedAt = -Infinity): boolean {
    if (!this.accepts(asOf)) return false;
    const at = asOf ?? Math.max(receivedAt, this.#stamp, this.#reportAsOf ?? -Infinity);
    for (const book of this.#symbols.values()) {
      book.reported = new Exact(0);
      book.fills.cover(at);
      for (const side of [book.buy, book.sell]) {
        for (const order of side.cover(at)) if (this.#byId.get(order.id)?.order === order) this.#byId.delete(order.id);
      }
    }
    for (const p of positions) {
      const book = this.#book(p.symbol);
      book.reported = book.reported.plus(toExact(p.quantity));
      if (p.price !== undefined && toNumber(p.price) > 0 && at >= book.lastPriceAt) {
        book.lastPrice = toExact(p.price);
        book.lastPriceN = book.lastPrice.toNumber();
        book.lastPriceAt = at;
      }
    }
    for (const book of this.#symbols.values()) book.resum();
    this.#reportAsOf = at;
    return true;
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

  /** The open orders that have an id (a reused id's older order too), for the cancel confirmation. */
  *named(): Generator<{ readonly symbol: string; readonly side: 'buy' | 'sell'; readonly order: Readonly<OpenOrder> }> {
    for (const [symbol, book] of this.#symbols) {
      for (const order of book.buy.named) yield { symbol, side: 'buy', order };
      for (const order of book.sell.named) yield { symbol, side: 'sell', order };
    }
  }

  /** The open order that holds this id (the newest, for a reused id), with its symbol and side; null when none. O(1). */
  openOrder(id: string): { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly order: Readonly<OpenOrder> } | null {
    return this.#byId.get(id) ?? null;
  }

  /** Open orders in one symbol (`maxOpenOrders.perSymbol`). */
  openCountOf(symbol: string): number {
    const book = this.#find(symbol);
    return book === undefined ? 0 : book.buy.count + book.sell.count;
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
