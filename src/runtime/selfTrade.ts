/**
 * The one book of open orders the runtimes of this process share for `selfTrade`
 * (LIMIT_SELF_TRADE): each runtime publishes its allowed orders with their limit prices, and
 * takes them out as its position book does (a fill of the order in full, a close, a report
 * covering it); a stopped runtime's orders leave at once. Per symbol and side, a heap keeps the
 * open order an incoming order would meet first (the highest buy, the lowest sell; an open market
 * order before any), so a check looks at one entry. Every runtime publishes, whether or not it
 * configures `selfTrade` and with or without `limits`, while some runtime of the process checks
 * self-trades (none: nothing is published, no cost). Orders are slots of parallel arrays
 * (selfTradeSlots.ts): publishing one allocates no object.
 */
import { Exact } from '../../machines/math/exact.ts';
import { SLACK, toExact } from '../../machines/limits/amount.ts';
import type { OrderFacts } from '../../machines/limits/facts.ts';
import { allocate, ats, heapOf, ids, live, owners, PriceHeap, pxRaws, pxs, release, remaining, sells, SlotQueue, symbols } from './selfTradeSlots.ts';

type Side = 'buy' | 'sell';

/** Per symbol, its buys and sells, across the runtimes of the process. */
const SHARED = new Map<string, { readonly buy: PriceHeap; readonly sell: PriceHeap }>();

/** The symbol asked last and its heaps (orders in one symbol come in runs; heaps are never removed). */
let lastSymbol: string | null = null;
let lastHeaps: { readonly buy: PriceHeap; readonly sell: PriceHeap } | undefined;

function heapsOf(symbol: string): { readonly buy: PriceHeap; readonly sell: PriceHeap } {
  if (symbol === lastSymbol) return lastHeaps!;
  let heaps = SHARED.get(symbol);
  if (heaps === undefined) SHARED.set(symbol, (heaps = { buy: new PriceHeap(true), sell: new PriceHeap(false) }));
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

/** Whether `incoming` (a limit at `px`/`raw`; market: undefined) on `side` meets the open slot `s` of the other side. */
function meets(side: Side, px: number | undefined, raw: unknown, s: number): boolean {
  const theirPx = pxs[s]!;
  if (px === undefined || !Number.isFinite(theirPx)) return true;
  const tolerance = (Math.abs(px) + Math.abs(theirPx)) * SLACK;
  if (side === 'buy' ? theirPx < px - tolerance : theirPx > px + tolerance) return true;
  if (Math.abs(theirPx - px) > tolerance) return false;
  const mine = toExact(raw);
  const theirs = toExact(pxRaws[s]);
  return side === 'buy' ? theirs.lte(mine) : theirs.gte(mine);
}

/** One runtime's orders in the shared book (its Controls keeps it; `stop()` when the runtime stops). */
export class RestingOrders {
  readonly #byId = new Map<string, number>();
  /** Orders without an id per symbol and side, oldest first (a fill without an id takes from these). */
  readonly #anonymous = new Map<string, { readonly buy: SlotQueue; readonly sell: SlotQueue }>();
  #lastAnonSymbol: string | null = null;
  #lastAnon: { readonly buy: SlotQueue; readonly sell: SlotQueue } | undefined;
  /** Every order, in the order they were allowed (their stamps never decrease): a report covers a prefix. */
  readonly #all = new SlotQueue();
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
    const buy = o.side === 'buy';
    const heaps = heapsOf(o.symbol);
    const heap = buy ? heaps.buy : heaps.sell;
    const px = o.price ?? (buy ? Infinity : -Infinity);
    const id = o.id;
    // Held by its heap and the arrival list, and by its queue when it has no id.
    const s = allocate(this, o.symbol, !buy, id, px, o.priceRaw, o.qtyRaw, this.#stamp, heap, id === undefined ? 3 : 2);
    heap.push(s);
    this.#all.push(s);
    this.#live++;
    if (id !== undefined) this.#byId.set(id, s);
    else {
      const queues = this.#queues(o.symbol);
      (buy ? queues.buy : queues.sell).push(s);
    }
    const all = this.#all;
    while (this.#live > MAX_OPEN && all.head < all.tail) this.#let(all.items[all.head++]!);
  }

  /** A fill (as the position book takes it): its own order, or the orders without an id oldest first, lose its quantity. */
  fill(symbol: string, side: Side, quantity: Exact, orderId: string | null, at: number, executed: boolean): void {
    if (!executed && at > this.#stamp) this.#stamp = at;
    if (orderId !== null) {
      const s = this.#byId.get(orderId);
      if (s !== undefined && live[s] === 1 && symbols[s] === symbol && sells[s] === (side === 'sell' ? 1 : 0)) this.#take(s, quantity);
      return;
    }
    const queues = this.#anonymous.get(symbol);
    if (queues === undefined) return;
    const queue = side === 'buy' ? queues.buy : queues.sell;
    let left = quantity;
    for (let s = queue.first(); s >= 0 && !left.isZero(); s = queue.first()) {
      const taken = Exact.min(toExact(remaining[s]), left);
      left = left.minus(taken);
      this.#take(s, taken);
    }
  }

  /** An order closed: it leaves. */
  close(id: string): void {
    const s = this.#byId.get(id);
    if (s !== undefined) this.#kill(s);
  }

  /** A position report as of `asOf` covers every order allowed up to then. */
  cover(asOf: number): void {
    const all = this.#all;
    while (all.head < all.tail && ats[all.items[all.head]!]! <= asOf) this.#let(all.items[all.head++]!);
    if (all.head === all.tail) all.head = all.tail = 0;
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
    const all = this.#all;
    for (let k = all.head; k < all.tail; k++) this.#kill(all.items[k]!);
    all.clear();
    for (const queues of this.#anonymous.values()) {
      queues.buy.clear();
      queues.sell.clear();
    }
    this.#byId.clear();
    this.#anonymous.clear();
    this.#lastAnonSymbol = null;
    this.#lastAnon = undefined;
  }

  #queues(symbol: string): { readonly buy: SlotQueue; readonly sell: SlotQueue } {
    if (symbol === this.#lastAnonSymbol) return this.#lastAnon!;
    let queues = this.#anonymous.get(symbol);
    if (queues === undefined) this.#anonymous.set(symbol, (queues = { buy: new SlotQueue(), sell: new SlotQueue() }));
    this.#lastAnonSymbol = symbol;
    this.#lastAnon = queues;
    return queues;
  }

  /** The open order of the other side, of any runtime in the process, that `o` could execute against: its words, or null. */
  crossing(o: OrderFacts): string | null {
    const heaps = o.symbol === lastSymbol ? lastHeaps : SHARED.get(o.symbol);
    if (heaps === undefined) return null;
    const heap = o.side === 'buy' ? heaps.sell : heaps.buy;
    const top = heap.top();
    if (top < 0) return null;
    let hit = meets(o.side, o.price, o.priceRaw, top) ? top : -1;
    // At a tie of doubles the exact prices decide, and another order at the same double may be the one that meets.
    if (hit < 0 && o.price !== undefined && Math.abs(pxs[top]! - o.price) <= (Math.abs(pxs[top]!) + Math.abs(o.price)) * SLACK) {
      for (let k = 0; k < heap.size; k++) {
        const s = heap.slotAt(k);
        if (live[s] === 1 && meets(o.side, o.price, o.priceRaw, s)) {
          hit = s;
          break;
        }
      }
    }
    if (hit < 0) return null;
    const price = Number.isFinite(pxs[hit]!) ? `at ${toExact(pxRaws[hit]).toFixed()}` : 'at market';
    const id = ids[hit];
    return `an open ${sells[hit] === 1 ? 'sell' : 'buy'} of ${toExact(remaining[hit]).toFixed()} ${symbols[hit]} ${price}${id === undefined ? '' : ` (order ${id})`} of ${owners[hit] === this ? 'this strategy' : 'another strategy in this process'}`;
  }

  #take(s: number, quantity: Exact): void {
    const rest = toExact(remaining[s]);
    remaining[s] = rest.lte(quantity) ? new Exact(0) : rest.minus(quantity);
    if (rest.lte(quantity)) this.#kill(s);
  }

  /** The arrival list lets slot `s` go (it leaves the book if still open). */
  #let(s: number): void {
    this.#kill(s);
    release(s);
  }

  #kill(s: number): void {
    if (live[s] === 0) return;
    live[s] = 0;
    this.#live--;
    const id = ids[s];
    if (id !== undefined && this.#byId.get(id) === s) this.#byId.delete(id);
    heapOf[s]!.died();
  }
}
