/**
 * The one book of open orders the runtimes of this process share for `selfTrade`
 * (LIMIT_SELF_TRADE): each runtime publishes its allowed orders with their limit prices, and
 * takes them out as its position book does (a fill of the order in full, a close, a report
 * covering it); a stopped runtime's orders leave at once. Per symbol and side, a heap keeps the
 * open order an incoming order would meet first (the highest buy, the lowest sell; an open market
 * order before any), so a check looks at one entry. Every runtime publishes, whether or not it
 * configures `selfTrade` and with or without `limits`, while some runtime of the process checks
 * self-trades (none: nothing is published, no cost).
 */
import { Exact } from '../../machines/math/exact.ts';
import { SLACK, toExact } from '../../machines/limits/amount.ts';
import type { OrderFacts } from '../../machines/limits/facts.ts';

type Side = 'buy' | 'sell';

/** An open order in the shared book. */
interface Resting {
  readonly owner: RestingOrders;
  readonly symbol: string;
  readonly side: Side;
  readonly id: string | undefined;
  /** When it was allowed (wall-clock ms, stamped like the position book's). */
  readonly at: number;
  /** Its limit price as a double; a market order: +Infinity for a buy, −Infinity for a sell (it meets anything). */
  readonly px: number;
  readonly pxRaw: unknown;
  /** What is left: the quantity as given (no Decimal is built per order) until a fill, then exact. */
  remaining: unknown;
  live: boolean;
  readonly heap: PriceHeap;
}

/**
 * A binary heap of open orders, the one an incoming order meets first on top. Orders join a
 * pending list (a push, nothing more: a process where no strategy checks self-trades pays no heap
 * work) and enter the heap when it is next asked; gone ones leave lazily.
 */
class PriceHeap {
  items: Resting[] = [];
  pending: Resting[] = [];
  /** Gone orders still in `items` or `pending`. */
  dead = 0;
  readonly #buy: boolean;
  constructor(side: Side) {
    this.#buy = side === 'buy';
  }

  #before(a: Resting, b: Resting): boolean {
    return this.#buy ? a.px > b.px : a.px < b.px;
  }

  push(r: Resting): void {
    this.pending.push(r);
  }

  /** The live order on top, or undefined. */
  top(): Resting | undefined {
    const items = this.items;
    const pending = this.pending;
    if (pending.length > 0) {
      for (let k = 0; k < pending.length; k++) {
        const r = pending[k]!;
        if (!r.live) {
          this.dead--;
          continue;
        }
        items.push(r);
        this.#up(items.length - 1);
      }
      pending.length = 0;
    }
    while (items.length > 0 && !items[0]!.live) {
      this.dead--;
      const last = items.pop()!;
      if (items.length === 0) break;
      items[0] = last;
      this.#down(0);
    }
    return items[0];
  }

  /** One of its orders went: rebuilt when mostly gone (memory stays bounded by what is open). */
  died(): void {
    if (++this.dead <= 64 || this.dead * 2 <= this.items.length + this.pending.length) return;
    const live = this.items.filter((r) => r.live);
    const pending = this.pending.filter((r) => r.live);
    this.items = live;
    this.pending = pending;
    this.dead = 0;
    for (let i = (live.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  #up(i: number): void {
    const items = this.items;
    const r = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!this.#before(r, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = r;
  }

  #down(i: number): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.#before(items[l]!, items[best]!)) best = l;
      if (r < n && this.#before(items[r]!, items[best]!)) best = r;
      if (best === i) return;
      const t = items[i]!;
      items[i] = items[best]!;
      items[best] = t;
      i = best;
    }
  }
}

/** Per symbol, its buys and sells, across the runtimes of the process. */
const SHARED = new Map<string, { readonly buy: PriceHeap; readonly sell: PriceHeap }>();

/** The symbol asked last and its heaps (orders in one symbol come in runs; heaps are never removed). */
let lastSymbol: string | null = null;
let lastHeaps: { readonly buy: PriceHeap; readonly sell: PriceHeap } | undefined;

function heapsOf(symbol: string): { readonly buy: PriceHeap; readonly sell: PriceHeap } {
  if (symbol === lastSymbol) return lastHeaps!;
  let heaps = SHARED.get(symbol);
  if (heaps === undefined) SHARED.set(symbol, (heaps = { buy: new PriceHeap('buy'), sell: new PriceHeap('sell') }));
  lastSymbol = symbol;
  lastHeaps = heaps;
  return heaps;
}

/** Runtimes of the process that check self-trades: while there are none, nothing is published (no cost). */
let checkers = 0;

/**
 * Whether some runtime of the process checks self-trades: then every runtime's allowed orders
 * must reach the shared book, a runtime without `limits` too (its check() leaves its quick path).
 */
export function selfTradeChecked(): boolean {
  return checkers > 0;
}

/** Most open orders one runtime keeps in the shared book; beyond it its oldest leaves (bounded memory for a strategy that never closes its orders). */
const MAX_OPEN = 100_000;

/** Whether `incoming` (a limit at `px`/`raw`; market: undefined) on `side` meets the resting order `r` of the other side. */
function meets(side: Side, px: number | undefined, raw: unknown, r: Resting): boolean {
  if (px === undefined || !Number.isFinite(r.px)) return true;
  const tolerance = (Math.abs(px) + Math.abs(r.px)) * SLACK;
  if (side === 'buy' ? r.px < px - tolerance : r.px > px + tolerance) return true;
  if (Math.abs(r.px - px) > tolerance) return false;
  const mine = toExact(raw);
  const theirs = toExact(r.pxRaw);
  return side === 'buy' ? theirs.lte(mine) : theirs.gte(mine);
}

/** Orders without an id of one symbol and side, oldest first; gone ones leave from the front. */
class Queue {
  items: Resting[] = [];
  head = 0;

  /** The oldest live order, or undefined (gone ones at the front are dropped). */
  first(): Resting | undefined {
    while (this.head < this.items.length && !this.items[this.head]!.live) this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return this.items[this.head];
  }
}

/** One runtime's orders in the shared book (its Controls keeps it; `stop()` when the runtime stops). */
export class RestingOrders {
  readonly #byId = new Map<string, Resting>();
  /** Orders without an id per symbol and side, oldest first (a fill without an id takes from these). */
  readonly #anonymous = new Map<string, { readonly buy: Queue; readonly sell: Queue }>();
  #lastAnonSymbol: string | null = null;
  #lastAnon: { readonly buy: Queue; readonly sell: Queue } | undefined;
  /** Every order, in the order they were allowed (their stamps never decrease): a report covers a prefix. */
  #all: Resting[] = [];
  #head = 0;
  #live = 0;
  #stamp = -Infinity;
  #stopped = false;
  #checks = false;

  /** This runtime checks self-trades: from now on every runtime with limits publishes its allowed orders. */
  checks(): void {
    if (this.#checks || this.#stopped) return;
    this.#checks = true;
    checkers++;
  }

  /** An allowed order at `at` (wall-clock ms). */
  open(o: OrderFacts, at: number): void {
    if (checkers === 0 || this.#stopped) return;
    if (at > this.#stamp) this.#stamp = at;
    const heap = heapsOf(o.symbol)[o.side];
    const px = o.price ?? (o.side === 'buy' ? Infinity : -Infinity);
    const r: Resting = { owner: this, symbol: o.symbol, side: o.side, id: o.id, at: this.#stamp, px, pxRaw: o.priceRaw, remaining: o.qtyRaw, live: true, heap };
    heap.push(r);
    this.#all.push(r);
    this.#live++;
    if (o.id !== undefined) this.#byId.set(o.id, r);
    else this.#queues(o.symbol)[o.side].items.push(r);
    while (this.#live > MAX_OPEN && this.#head < this.#all.length) this.#kill(this.#all[this.#head++]!);
  }

  /** A fill (as the position book takes it): its own order, or the orders without an id oldest first, lose its quantity. */
  fill(symbol: string, side: Side, quantity: Exact, orderId: string | null, at: number, executed: boolean): void {
    if (!executed && at > this.#stamp) this.#stamp = at;
    if (orderId !== null) {
      const r = this.#byId.get(orderId);
      if (r !== undefined && r.live && r.symbol === symbol && r.side === side) this.#take(r, quantity);
      return;
    }
    const queue = this.#anonymous.get(symbol)?.[side];
    if (queue === undefined) return;
    let left = quantity;
    for (let r = queue.first(); r !== undefined && !left.isZero(); r = queue.first()) {
      const taken = Exact.min(toExact(r.remaining), left);
      left = left.minus(taken);
      this.#take(r, taken);
    }
  }

  /** An order closed: it leaves. */
  close(id: string): void {
    const r = this.#byId.get(id);
    if (r !== undefined) this.#kill(r);
  }

  /** A position report as of `asOf` covers every order allowed up to then. */
  cover(asOf: number): void {
    const all = this.#all;
    while (this.#head < all.length && all[this.#head]!.at <= asOf) this.#kill(all[this.#head++]!);
    if (this.#head > 1024 && this.#head * 2 > all.length) {
      this.#all = all.slice(this.#head);
      this.#head = 0;
    }
    for (const queues of this.#anonymous.values()) {
      queues.buy.first();
      queues.sell.first();
    }
  }

  /** The runtime stopped: its orders leave the shared book and none join it any more. */
  stop(): void {
    if (this.#checks) checkers--;
    this.#checks = false;
    this.#stopped = true;
    for (let i = this.#head; i < this.#all.length; i++) this.#kill(this.#all[i]!);
    this.#all = [];
    this.#head = 0;
    this.#byId.clear();
    this.#anonymous.clear();
    this.#lastAnonSymbol = null;
    this.#lastAnon = undefined;
  }

  #queues(symbol: string): { readonly buy: Queue; readonly sell: Queue } {
    if (symbol === this.#lastAnonSymbol) return this.#lastAnon!;
    let queues = this.#anonymous.get(symbol);
    if (queues === undefined) this.#anonymous.set(symbol, (queues = { buy: new Queue(), sell: new Queue() }));
    this.#lastAnonSymbol = symbol;
    this.#lastAnon = queues;
    return queues;
  }

  /** The open order of the other side, of any runtime in the process, that `o` could execute against: its words, or null. */
  crossing(o: OrderFacts): string | null {
    const heaps = SHARED.get(o.symbol);
    if (heaps === undefined) return null;
    const heap = o.side === 'buy' ? heaps.sell : heaps.buy;
    const top = heap.top();
    if (top === undefined) return null;
    let hit: Resting | undefined = meets(o.side, o.price, o.priceRaw, top) ? top : undefined;
    // At a tie of doubles the exact prices decide, and another order at the same double may be the one that meets.
    if (hit === undefined && o.price !== undefined && Math.abs(top.px - o.price) <= (Math.abs(top.px) + Math.abs(o.price)) * SLACK) {
      hit = heap.items.find((r) => r.live && meets(o.side, o.price, o.priceRaw, r));
    }
    if (hit === undefined) return null;
    const price = Number.isFinite(hit.px) ? `at ${toExact(hit.pxRaw).toFixed()}` : 'at market';
    return `an open ${hit.side} of ${toExact(hit.remaining).toFixed()} ${hit.symbol} ${price}${hit.id === undefined ? '' : ` (order ${hit.id})`} of ${hit.owner === this ? 'this strategy' : 'another strategy in this process'}`;
  }

  #take(r: Resting, quantity: Exact): void {
    const rest = toExact(r.remaining);
    r.remaining = rest.lte(quantity) ? new Exact(0) : rest.minus(quantity);
    if (rest.lte(quantity)) this.#kill(r);
  }

  #kill(r: Resting): void {
    if (!r.live) return;
    r.live = false;
    this.#live--;
    if (r.id !== undefined && this.#byId.get(r.id) === r) this.#byId.delete(r.id);
    r.heap.died();
  }
}
