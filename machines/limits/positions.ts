import { Exact } from '../math/exact.ts';
import { SLACK, toExact, toNumber } from './amount.ts';
import type { OrderFacts } from './limit.ts';

/** An allowed order not yet filled, closed or covered by a position report. */
interface OpenOrder {
  readonly id: string | undefined;
  /** What is still open: as given until a partial fill, then exact. */
  remaining: unknown;
  remainingN: number;
}

/** One symbol: the last reported position, the fills since, and the open orders on each side. */
class SymbolBook {
  reported = new Exact(0);
  filled = new Exact(0);
  /** reported + filled, as a double. */
  baseN = 0;
  readonly buys: OpenOrder[] = [];
  readonly sells: OpenOrder[] = [];
  openBuyN = 0;
  openSellN = 0;
  lastPrice: Exact | null = null;
  lastPriceN: number | null = null;

  resum(): void {
    this.baseN = this.reported.plus(this.filled).toNumber();
    this.openBuyN = this.buys.reduce((s, o) => s + o.remainingN, 0);
    this.openSellN = this.sells.reduce((s, o) => s + o.remainingN, 0);
  }

  openExact(side: 'buy' | 'sell'): Exact {
    return (side === 'buy' ? this.buys : this.sells).reduce((s, o) => s.plus(toExact(o.remaining)), new Exact(0));
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

  #book(symbol: string): SymbolBook {
    let book = this.#symbols.get(symbol);
    if (book === undefined) this.#symbols.set(symbol, (book = new SymbolBook()));
    return book;
  }

  /** The position an order on `side` starts from, as a double, and its magnitude for the error bound. */
  before(symbol: string, side: 'buy' | 'sell'): number {
    const book = this.#symbols.get(symbol);
    if (book === undefined) return 0;
    return side === 'buy' ? book.baseN + book.openBuyN : book.baseN - book.openSellN;
  }

  /** Magnitude of the terms of {@link before} (for the error bound). */
  magnitude(symbol: string): number {
    const book = this.#symbols.get(symbol);
    return book === undefined ? 0 : Math.abs(book.baseN) + book.openBuyN + book.openSellN;
  }

  /** {@link before}, exactly. */
  beforeExact(symbol: string, side: 'buy' | 'sell'): Exact {
    const book = this.#symbols.get(symbol);
    if (book === undefined) return new Exact(0);
    const base = book.reported.plus(book.filled);
    return side === 'buy' ? base.plus(book.openExact('buy')) : base.minus(book.openExact('sell'));
  }

  /** The last known price of a symbol (from a position report or a fill). */
  lastPrice(symbol: string): number | null {
    return this.#symbols.get(symbol)?.lastPriceN ?? null;
  }

  lastPriceExact(symbol: string): Exact | null {
    return this.#symbols.get(symbol)?.lastPrice ?? null;
  }

  has(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /** The symbols with a book, for the gross exposure. */
  symbols(): IterableIterator<string> {
    return this.#symbols.keys();
  }

  /** An allowed order: its quantity is reserved until filled, closed or reported. */
  open(order: OrderFacts): void {
    const book = this.#book(order.symbol);
    const entry: OpenOrder = { id: order.id, remaining: order.qtyRaw, remainingN: order.qty };
    if (order.side === 'buy') {
      book.buys.push(entry);
      book.openBuyN += order.qty;
    } else {
      book.sells.push(entry);
      book.openSellN += order.qty;
    }
    // A reused id replaces the older order's handle (the older one stays reserved until a report).
    if (order.id !== undefined) this.#byId.set(order.id, { book, side: order.side, order: entry });
  }

  /** An execution: quantity moves from open to filled (its order by id, else the side's oldest). */
  fill(symbol: string, side: 'buy' | 'sell', quantity: Exact, price: Exact, orderId: string | null): void {
    const book = this.#book(symbol);
    book.filled = side === 'buy' ? book.filled.plus(quantity) : book.filled.minus(quantity);
    if (!price.isZero()) {
      book.lastPrice = price;
      book.lastPriceN = price.toNumber();
    }
    const list = side === 'buy' ? book.buys : book.sells;
    const known = orderId === null ? undefined : this.#byId.get(orderId);
    const targets = known !== undefined && known.book === book && known.side === side ? [known.order, ...list] : [...list];
    let left = quantity;
    for (const order of targets) {
      if (left.isZero()) break;
      const open = toExact(order.remaining);
      if (open.isZero()) continue;
      const take = open.lt(left) ? open : left;
      order.remaining = open.minus(take);
      order.remainingN = (order.remaining as Exact).toNumber();
      left = left.minus(take);
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

  /** A position report replaces everything: reported positions, no fills since, nothing open. */
  report(positions: readonly { symbol: string; quantity: unknown; price?: unknown }[]): void {
    for (const book of this.#symbols.values()) {
      book.reported = new Exact(0);
      book.filled = new Exact(0);
      book.buys.length = 0;
      book.sells.length = 0;
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
      const buy = book.openExact('buy');
      const sell = book.openExact('sell');
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
    for (const book of this.#symbols.values()) n += book.buys.length + book.sells.length;
    return n;
  }

  #prune(book: SymbolBook): void {
    for (const list of [book.buys, book.sells]) {
      for (let i = list.length - 1; i >= 0; i--) {
        const order = list[i]!;
        if (order.remainingN === 0 && toExact(order.remaining).isZero()) {
          list.splice(i, 1);
          if (order.id !== undefined && this.#byId.get(order.id)?.order === order) this.#byId.delete(order.id);
        }
      }
    }
  }
}

export { SLACK };
