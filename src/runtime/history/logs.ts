/**
 * Capped lists of recent items (marks, orders, fills, errors): rings numbered by a sequence
 * that only grows, so the persistence writes each item once under `<seq>` and deletes what
 * fell out. Pure: no I/O, no clock.
 */
import { Exact } from '../../../machines/math/exact.ts';
import type { ValidOrder } from '../inputs.ts';
import type { Decision, DecimalInput } from '../types.ts';
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
    this.#items = new Array<T | undefined>(cap);
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
 * The order decisions of `check()`. Recording one is three array stores (no allocation, no
 * formatting): the row is built when it is read or written to the store.
 */
export class OrderLog {
  readonly cap: number;
  readonly #at: number[];
  readonly #orders: (ValidOrder | null)[];
  readonly #decisions: (Decision | null)[];
  readonly #rows: (HistoryOrder | null)[];
  next = 0;

  constructor(cap: number = DEFAULT_LIST_CAP) {
    this.cap = cap;
    this.#at = new Array<number>(cap).fill(0);
    this.#orders = new Array<ValidOrder | null>(cap).fill(null);
    this.#decisions = new Array<Decision | null>(cap).fill(null);
    this.#rows = new Array<HistoryOrder | null>(cap).fill(null);
  }

  /** Records a decision; `order` is null for a malformed order (nothing of it is trusted). */
  record(at: number, order: ValidOrder | null, decision: Decision): void {
    const i = this.next++ % this.cap;
    this.#at[i] = at;
    this.#orders[i] = order;
    this.#decisions[i] = decision;
    this.#rows[i] = null;
  }

  get first(): number {
    return Math.max(0, this.next - this.cap);
  }

  /** Row `seq` (it must be held), built on first read. */
  get(seq: number): HistoryOrder {
    const i = seq % this.cap;
    return (this.#rows[i] ??= toRow(this.#at[i]!, this.#orders[i]!, this.#decisions[i]!));
  }

  restore(rows: readonly HistoryOrder[], next: number): void {
    const kept = rows.slice(-this.cap);
    this.next = next - kept.length;
    for (const row of kept) {
      const i = this.next++ % this.cap;
      this.#rows[i] = row;
      this.#at[i] = row.t;
      this.#orders[i] = null;
      this.#decisions[i] = null;
    }
  }

  since(since: number): HistoryOrder[] {
    const out: HistoryOrder[] = [];
    for (let s = this.first; s < this.next; s++) if (this.#at[s % this.cap]! >= since) out.push(this.get(s));
    return out;
  }
}

function toRow(t: number, order: ValidOrder | null, decision: Decision): HistoryOrder {
  const rejected = decision.allowed ? null : decision;
  return {
    t,
    id: order?.id ?? null,
    symbol: order?.symbol ?? null,
    side: order?.side ?? null,
    quantity: order ? decimalText(order.quantity) : null,
    price: order?.price === undefined ? null : decimalText(order.price),
    allowed: decision.allowed,
    code: rejected?.code ?? null,
    reason: rejected?.reason ?? null,
  };
}
