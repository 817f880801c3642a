/**
 * The process's open orders for `selfTrade` as slots of parallel arrays (struct of arrays): an
 * order is an index, its figures sit in typed arrays, so publishing one allocates nothing once
 * the arrays are large enough, and the heaps compare doubles read from one array. A slot is
 * held by every structure that lists it (its side's heap, its runtime's arrival list, the queue
 * of orders without an id) and is reused only once the last of them has let it go.
 */
/** What the book needs of an owner (the runtime's RestingOrders): only its identity. */
export type Owner = object;

let capacity = 256;
/** Limit price as a double; a market order: +Infinity for a buy, −Infinity for a sell. */
export let pxs = new Float64Array(capacity);
/** When it was allowed (wall-clock ms, stamped like the position book's). */
export let ats = new Float64Array(capacity);
/** 1 while open. */
export let live = new Uint8Array(capacity);
/** 1 for a sell. */
export let sells = new Uint8Array(capacity);
/** How many structures still list the slot (0: free). */
let holds = new Uint8Array(capacity);
export let owners: (Owner | null)[] = new Array<Owner | null>(capacity).fill(null);
export let symbols: string[] = new Array<string>(capacity).fill('');
export let ids: (string | undefined)[] = new Array<string | undefined>(capacity).fill(undefined);
/** The limit price as given. */
export let pxRaws: unknown[] = new Array<unknown>(capacity).fill(undefined);
/** What is left: the quantity as given (no Decimal is built per order) until a fill, then exact. */
export let remaining: unknown[] = new Array<unknown>(capacity).fill(undefined);
/** The heap each slot was pushed on (told when the slot dies). */
export let heapOf: (Dies | null)[] = new Array<Dies | null>(capacity).fill(null);
let free = new Int32Array(capacity);
let freeTop = 0;
/** Slots ever handed out (the rest of the arrays is unused). */
let used = 0;

/** A structure told when one of its slots dies (a heap rebuilds once mostly dead). */
export interface Dies {
  died(): void;
}

/** A new open order's slot, held by `holders` structures. */
export function allocate(owner: Owner, symbol: string, sell: boolean, id: string | undefined, px: number, pxRaw: unknown, qtyRaw: unknown, at: number, heap: Dies, holders: number): number {
  let s: number;
  if (freeTop > 0) s = free[--freeTop]!;
  else {
    if (used === capacity) grow();
    s = used++;
  }
  pxs[s] = px;
  ats[s] = at;
  live[s] = 1;
  sells[s] = sell ? 1 : 0;
  holds[s] = holders;
  owners[s] = owner;
  symbols[s] = symbol;
  ids[s] = id;
  pxRaws[s] = pxRaw;
  remaining[s] = qtyRaw;
  heapOf[s] = heap;
  return s;
}

/** One structure lets slot `s` go; the last one frees it (its references dropped: a price or quantity may be a caller's object). */
export function release(s: number): void {
  if (--holds[s]! !== 0) return;
  owners[s] = null;
  symbols[s] = '';
  ids[s] = undefined;
  pxRaws[s] = undefined;
  remaining[s] = undefined;
  heapOf[s] = null;
  free[freeTop++] = s;
}

function grow(): void {
  const next = capacity * 2;
  const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
    const b = new Float64Array(next);
    b.set(a);
    return b;
  };
  const u8 = (a: Uint8Array): Uint8Array<ArrayBuffer> => {
    const b = new Uint8Array(next);
    b.set(a);
    return b;
  };
  pxs = f64(pxs);
  ats = f64(ats);
  live = u8(live);
  sells = u8(sells);
  holds = u8(holds);
  const widen = <T>(a: T[], fill: T): T[] => {
    const b = new Array<T>(next).fill(fill);
    for (let i = 0; i < capacity; i++) b[i] = a[i]!;
    return b;
  };
  owners = widen(owners, null);
  symbols = widen(symbols, '');
  ids = widen(ids, undefined);
  pxRaws = widen(pxRaws, undefined);
  remaining = widen(remaining, undefined);
  heapOf = widen(heapOf, null);
  const f = new Int32Array(next);
  f.set(free);
  free = f;
  capacity = next;
}

/**
 * A growable list of slots, oldest first; entries leave from the front, and closed ones anywhere
 * when it is full (a runtime that never reports nor fills keeps only its open orders listed).
 */
export class SlotQueue {
  items = new Int32Array(16);
  head = 0;
  tail = 0;

  push(s: number): void {
    if (this.tail === this.items.length) this.#room();
    this.items[this.tail++] = s;
  }

  /** Full: the closed slots leave (in order, wherever they are), and the list doubles if still more than half full. */
  #room(): void {
    const items = this.items;
    let m = 0;
    for (let k = this.head; k < this.tail; k++) {
      const s = items[k]!;
      if (live[s] === 1) items[m++] = s;
      else release(s);
    }
    this.head = 0;
    this.tail = m;
    if (m * 2 > items.length) {
      const b = new Int32Array(items.length * 2);
      b.set(items.subarray(0, m));
      this.items = b;
    }
  }

  /** The oldest open slot, or −1 (closed ones at the front leave). */
  first(): number {
    const items = this.items;
    while (this.head < this.tail && live[items[this.head]!] === 0) release(items[this.head++]!);
    if (this.head === this.tail) this.head = this.tail = 0;
    return this.head < this.tail ? items[this.head]! : -1;
  }

  /** Lets every slot go. */
  clear(): void {
    for (let k = this.head; k < this.tail; k++) release(this.items[k]!);
    this.head = this.tail = 0;
  }
}

/**
 * A binary heap of open slots of one symbol and side, the one an incoming order meets first on
 * top (the highest buy, the lowest sell). Slots join a pending list whose best is kept as they
 * come (a push and one comparison): the best open order is the better of the heap's top and
 * that one, so pending slots enter the heap only once the pending best has closed (each slot
 * enters it at most once; most close first, and never cost a heap insertion). Closed slots
 * leave lazily. At equal prices the heap's (older) order is the one named.
 */
export class PriceHeap implements Dies {
  items = new Int32Array(16);
  n = 0;
  pending = new Int32Array(16);
  np = 0;
  /** The best slot of `pending` (−1: none pending). */
  best = -1;
  /** Closed slots still in `items` or `pending`. */
  dead = 0;
  readonly #buy: boolean;
  constructor(buy: boolean) {
    this.#buy = buy;
  }

  push(s: number): void {
    if (this.np === this.pending.length) this.pending = widened(this.pending);
    this.pending[this.np++] = s;
    const best = this.best;
    if (best < 0 || (this.#buy ? pxs[s]! > pxs[best]! : pxs[s]! < pxs[best]!)) this.best = s;
  }

  /** The best open slot, or −1. */
  top(): number {
    // The pending best closed: the pending slots enter the heap (the open ones).
    if (this.np > 0 && live[this.best] === 0) this.#flush();
    const items = this.items;
    while (this.n > 0 && live[items[0]!] === 0) {
      this.dead--;
      release(items[0]!);
      const last = items[--this.n]!;
      if (this.n === 0) break;
      items[0] = last;
      this.#down(0);
    }
    const top = this.n > 0 ? items[0]! : -1;
    return this.np > 0 && (top < 0 || this.#before(this.best, top)) ? this.best : top;
  }

  /** The k-th of every slot held, heap then pending, open or not (a search among equal prices). */
  slotAt(k: number): number {
    return k < this.n ? this.items[k]! : this.pending[k - this.n]!;
  }

  /** How many slots it holds. */
  get size(): number {
    return this.n + this.np;
  }

  #flush(): void {
    const pending = this.pending;
    for (let k = 0; k < this.np; k++) {
      const s = pending[k]!;
      if (live[s] === 0) {
        this.dead--;
        release(s);
        continue;
      }
      if (this.n === this.items.length) this.items = widened(this.items);
      this.items[this.n++] = s;
      this.#up(this.n - 1);
    }
    this.np = 0;
    this.best = -1;
  }

  /** One of its slots closed: rebuilt when mostly closed (memory stays bounded by what is open). */
  died(): void {
    if (++this.dead <= 64 || this.dead * 2 <= this.n + this.np) return;
    this.n = kept(this.items, this.n);
    this.np = kept(this.pending, this.np);
    // The pending best may have closed (and its slot been let go): found again among the open ones.
    this.best = -1;
    for (let k = 0; k < this.np; k++) if (this.best < 0 || this.#before(this.pending[k]!, this.best)) this.best = this.pending[k]!;
    this.dead = 0;
    for (let i = (this.n >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  #before(a: number, b: number): boolean {
    return this.#buy ? pxs[a]! > pxs[b]! : pxs[a]! < pxs[b]!;
  }

  #up(i: number): void {
    const items = this.items;
    const s = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!this.#before(s, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = s;
  }

  #down(i: number): void {
    const items = this.items;
    const n = this.n;
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

function widened(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Keeps the open slots of `a[0 … n)` in order (closed ones are let go); their count. */
function kept(a: Int32Array, n: number): number {
  let m = 0;
  for (let k = 0; k < n; k++) {
    const s = a[k]!;
    if (live[s] === 1) a[m++] = s;
    else release(s);
  }
  return m;
}
