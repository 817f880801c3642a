/**
 * Capped lists of recent items (marks, orders, fills, errors): rings numbered by a sequence
 * that only grows, so the persistence writes each item once under `<seq>` and deletes what
 * fell out. Pure: no I/O, no clock.
 */
import { Exact } from '../../../machines/math/exact.ts';
import type { Decision, DecimalInput, OrderSide } from '../types.ts';
import type { HistoryOrder } from './types.ts';

/** How many items each list keeps. */
export const DEFAULT_LIST_CAP = 500;

/** What every list item has: its time. */
interface Timed {
  readonly t: number;
}

/** A ring of the last `cap` items; item number `seq` is at `seq % cap`. */
export class CappedLog<T extends Timed> {
  readonly cap: number;
  readonly #items: (T | undefined)[];
  /** The sequence number the next item gets (= how many were ever added). */
  next = 0;

  constructor(cap: number = DEFAULT_LIST_CAP) {
    this.cap = cap;
    // Grows as items come (slot seq % cap is the next index until the ring is full): an idle
    // strategy holds no 500-slot arrays.
    this.#items = [];
  }

  push(item: T): void {
    this.#items[this.next % this.cap] = item;
    this.next++;
  }

  /** Sequence number of the oldest item still held. */
  get first(): number {
    return Math.max(0, this.next - this.cap);
  }

  /** Item `seq` (it must be held). */
  get(seq: number): T {
    return this.#items[seq % this.cap]!;
  }

  /** Restores items in their order, with the sequence number after the last one. */
  restore(items: readonly T[], next: number): void {
    const kept = items.slice(-this.cap);
    this.next = next - kept.length;
    for (const item of kept) this.push(item);
  }

  /** Held items at or after `since`, oldest first. */
  since(since: number): T[] {
    const out: T[] = [];
    for (let s = this.first; s < this.next; s++) {
      const item = this.get(s);
      if (item.t >= since) out.push(item);
    }
    return out;
  }
}

/** Decimal input as canonical text (plain notation, no exponent). */
export function decimalText(x: DecimalInput): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number') {
    const text = String(x);
    return text.includes('e') ? new Exact(x).toFixed() : text;
  }
  return new Exact(x.toString()).toFixed();
}

/**
 * The order decisions of `check()`. Recording one stores the order's fields (not the order
 * object, so `check()` need not keep it) in preallocated arrays: no allocation, no formatting.
 * The row is built when it is read or written to the store.
 */
/** Fields per slot in {@link OrderLog}'s cells. */
const STRIDE = 6;

export class OrderLog {
  readonly cap: number;
  /** Each slot's time (a packed array of doubles: no number is boxed). */
  readonly at: number[];
  /**
   * The other fields of each slot side by side (symbol, side, quantity, price, id, decision at
   * `slot * STRIDE`): recording touches one backing store, not six. Over many strategies each
   * separate array is a cache miss on every check (bench/core.ts, the round robin).
   */
  readonly #cells: unknown[];
  readonly #rows: (HistoryOrder | null)[];
  /** The sequence number each cached row belongs to (absent: none). */
  readonly #rowSeq: number[];
  /** The slot the next decision goes to. */
  slot = 0;
  /** The sequence number the next decision gets (= how many were ever recorded). */
  next = 0;

  constructor(cap: number = DEFAULT_LIST_CAP) {
    this.cap = cap;
    // Arrays grow as decisions come (the ring wraps only once `cap` are held): an idle strategy
    // holds empty arrays, not 500 slots.
    this.at = [];
    this.#cells = [];
    this.#rows = [];
    this.#rowSeq = [];
  }

  /** Records a decision from the order's fields; a malformed order has a null symbol, side and quantity. */
  record(
    at: number,
    symbol: string | null,
    side: OrderSide | null,
    quantity: DecimalInput | null,
    price: DecimalInput | undefined,
    id: string | undefined,
    decision: Decision,
  ): void {
    const i = this.slot;
    const c = i * STRIDE;
    const cells = this.#cells;
    this.at[i] = at;
    cells[c] = symbol;
    cells[c + 1] = side;
    cells[c + 2] = quantity;
    cells[c + 3] = price;
    cells[c + 4] = id;
    cells[c + 5] = decision;
    this.slot = i + 1 === this.cap ? 0 : i + 1;
    this.next++;
  }

  get first(): number {
    return Math.max(0, this.next - this.cap);
  }

  /** Row `seq` (it must be held), built on first read. */
  get(seq: number): HistoryOrder {
    const i = seq % this.cap;
    if (this.#rowSeq[i] === seq) return this.#rows[i]!;
    const c = i * STRIDE;
    const cells = this.#cells;
    const decision = cells[c + 5] as Decision;
    const rejected = decision.allowed ? null : decision;
    const quantity = cells[c + 2] as DecimalInput | null;
    const price = cells[c + 3] as DecimalInput | undefined;
    const row: HistoryOrder = {
      t: this.at[i]!,
      id: (cells[c + 4] as string | undefined) ?? null,
      symbol: cells[c] as string | null,
      side: cells[c + 1] as OrderSide | null,
      quantity: quantity === null ? null : decimalText(quantity),
      price: price === undefined ? null : decimalText(price),
      allowed: decision.allowed,
      code: rejected?.code ?? null,
      reason: rejected?.reason ?? null,
    };
    this.#rows[i] = row;
    this.#rowSeq[i] = seq;
    return row;
  }

  restore(rows: readonly HistoryOrder[], next: number): void {
    const kept = rows.slice(-this.cap);
    this.next = next - kept.length;
    this.slot = this.next % this.cap;
    for (const row of kept) {
      const i = this.slot;
      this.#rows[i] = row;
      this.#rowSeq[i] = this.next;
      this.at[i] = row.t;
      this.slot = i + 1 === this.cap ? 0 : i + 1;
      this.next++;
    }
  }

  since(since: number): HistoryOrder[] {
    const out: HistoryOrder[] = [];
    for (let s = this.first; s < this.next; s++) if (this.at[s % this.cap]! >= since) out.push(this.get(s));
    return out;
  }
}
