/**
 * The pieces of a symbol's projection that carry time: the open orders of one side and the fills
 * recorded since the last position report. Each entry keeps the (wall-clock) time it was
 * recorded, so a report replaces only what happened up to its `asOf` (PRODUCT.md, "Order of
 * events"). Orders are stamped non-decreasing by the book, so the orders a report covers are
 * always a prefix; a fill may carry its own execution time, so the fill log is filtered by time.
 */
import { Exact } from '../math/exact.ts';
import { toExact } from './amount.ts';

/** An allowed order with an id, not yet filled, closed or covered by a position report. */
export interface OpenOrder {
  readonly id: string;
  /** When it was allowed. */
  readonly at: number;
  /** What is still open: as given until a partial fill, then exact. */
  remaining: unknown;
  remainingN: number;
}

/** Most anonymous open orders kept one by one; older ones are folded into one sum (with the latest of their times). */
const MAX_PENDING = 100_000;

/**
 * The open orders on one side of a symbol. Orders without an id are kept in a queue of raw
 * quantities and times (reserving one allocates nothing), summed exactly only when needed.
 */
export class Side {
  /** Everything open, as a double. */
  n = 0;
  /**
   * Anonymous quantities as given (an Exact once partly filled) and their times; live in
   * [head, tail). The arrays keep their length when emptied (a report covering every order
   * does not make the next run of orders grow them again); slots outside are undefined.
   */
  readonly #qty: unknown[] = [];
  readonly #at: number[] = [];
  #head = 0;
  #tail = 0;
  /** Exact sum of the queue entries in [head, summed). */
  #sum = new Exact(0);
  #summed = 0;
  /** Anonymous orders folded past MAX_PENDING: their sum and the latest of their times. */
  #folded = new Exact(0);
  #foldedAt = -Infinity;
  readonly named: OpenOrder[] = [];

  /** An anonymous order. */
  push(raw: unknown, qty: number, at: number): void {
    this.n += qty;
    const t = this.#tail++;
    if (t === this.#qty.length) {
      this.#qty.push(raw);
      this.#at.push(at);
    } else {
      this.#qty[t] = raw;
      this.#at[t] = at;
    }
    if (this.#tail - this.#head > MAX_PENDING) this.#foldHalf();
  }

  /** A named order. */
  add(order: OpenOrder): void {
    this.n += order.remainingN;
    this.named.push(order);
  }

  /** Everything open on this side, exactly. */
  exact(): Exact {
    return this.named.reduce((s, o) => s.plus(toExact(o.remaining)), this.#anonymous());
  }

  /** An anonymous fill: takes from the anonymous orders, oldest first; returns what it could not place. */
  takeAnonymous(quantity: Exact): Exact {
    let left = quantity;
    if (!this.#folded.isZero()) {
      const taken = this.#folded.lt(left) ? this.#folded : left;
      this.#folded = this.#folded.minus(taken);
      left = left.minus(taken);
    }
    while (!left.isZero() && this.#head < this.#tail) {
      const rest = toExact(this.#qty[this.#head]);
      if (rest.lte(left)) {
        left = left.minus(rest);
        this.#dropHead(rest);
      } else {
        this.#qty[this.#head] = rest.minus(left);
        if (this.#head < this.#summed) this.#sum = this.#sum.minus(left);
        left = new Exact(0);
      }
    }
    this.#compact();
    return left;
  }

  /** A report as of `asOf`: every order allowed up to then is covered by it. Returns the named orders dropped. */
  cover(asOf: number): OpenOrder[] {
    if (this.#foldedAt <= asOf) this.#folded = new Exact(0);
    let k = this.#head;
    while (k < this.#tail && this.#at[k]! <= asOf) k++;
    if (k > this.#head) {
      // No exact arithmetic per covered order (a report may cover many thousands): what is left is
      // summed again when next needed.
      this.#qty.fill(undefined, this.#head, k);
      this.#head = this.#summed = k;
      this.#sum = new Exact(0);
      this.#compact();
    }
    let covered = 0;
    while (covered < this.named.length && this.named[covered]!.at <= asOf) covered++;
    return this.named.splice(0, covered);
  }

  /** Recomputes the double sum (after anything but a plain reservation). */
  resum(): void {
    this.n = this.#anonymous().toNumber() + this.named.reduce((s, o) => s + o.remainingN, 0);
  }

  /** Open orders kept (anonymous ones folded count as one). */
  get count(): number {
    return this.named.length + (this.#folded.isZero() ? 0 : 1) + (this.#tail - this.#head);
  }

  #anonymous(): Exact {
    let sum = this.#sum;
    for (; this.#summed < this.#tail; this.#summed++) sum = sum.plus(toExact(this.#qty[this.#summed]));
    this.#sum = sum;
    return sum.plus(this.#folded);
  }

  #dropHead(rest: Exact): void {
    if (this.#head < this.#summed) this.#sum = this.#sum.minus(rest);
    this.#qty[this.#head] = undefined;
    this.#head++;
    if (this.#summed < this.#head) this.#summed = this.#head;
  }

  #compact(): void {
    if (this.#head === this.#tail) {
      // Every slot before head is undefined already (covered or taken).
      this.#head = this.#tail = this.#summed = 0;
      this.#sum = new Exact(0);
    } else if (this.#head > 1024 && this.#head * 2 > this.#tail) this.#shift(this.#head);
  }

  /** Moves the live entries from `from` on to the front (what was before `from` is dropped). */
  #shift(from: number): void {
    const live = this.#tail - from;
    this.#qty.copyWithin(0, from, this.#tail);
    this.#at.copyWithin(0, from, this.#tail);
    this.#qty.fill(undefined, live, this.#tail);
    this.#summed = Math.max(0, this.#summed - from);
    this.#head = 0;
    this.#tail = live;
  }

  /** Bounds memory: the older half of the queue becomes one sum, covered only by a report after the latest of them. */
  #foldHalf(): void {
    const stop = this.#head + Math.floor((this.#tail - this.#head) / 2);
    let folded = this.#folded;
    for (let i = this.#head; i < stop; i++) {
      const q = toExact(this.#qty[i]);
      folded = folded.plus(q);
      if (i < this.#summed) this.#sum = this.#sum.minus(q);
      this.#foldedAt = Math.max(this.#foldedAt, this.#at[i]!);
    }
    this.#folded = folded;
    this.#summed = Math.max(this.#summed, stop);
    this.#shift(stop);
  }
}

/** Most fills kept one by one per symbol between reports; beyond it the older half merges into one (with the latest of their times). */
const MAX_FILLS = 100_000;

/** The fills of one symbol since its last report, signed (a sell negative), with their times. */
export class FillLog {
  /** Their sum, exactly. */
  total = new Exact(0);
  readonly #qty: Exact[] = [];
  readonly #at: number[] = [];

  /** A fill at `at`; times may come out of order (a fill carrying its execution time). */
  add(signed: Exact, at: number): void {
    this.total = this.total.plus(signed);
    const last = this.#qty.length - 1;
    // Fills at the same ms can never be told apart by a report: one entry.
    if (last >= 0 && this.#at[last] === at) {
      this.#qty[last] = this.#qty[last]!.plus(signed);
      return;
    }
    this.#qty.push(signed);
    this.#at.push(at);
    if (this.#qty.length > MAX_FILLS) {
      // Bounded memory, amortised O(1) per fill: a report as of before the merged fills' latest
      // time keeps them all applied (they cannot be told apart any more).
      const half = this.#qty.length >> 1;
      const merged = this.#qty.slice(0, half).reduce((sum, q) => sum.plus(q), new Exact(0));
      const latest = this.#at.slice(0, half).reduce((a, b) => Math.max(a, b), -Infinity);
      this.#qty.splice(0, half, merged);
      this.#at.splice(0, half, latest);
    }
  }

  /** A report as of `asOf` replaces every fill up to then (wherever it sits in the log). */
  cover(asOf: number): void {
    let kept = 0;
    for (let i = 0; i < this.#at.length; i++) {
      if (this.#at[i]! <= asOf) continue;
      this.#qty[kept] = this.#qty[i]!;
      this.#at[kept++] = this.#at[i]!;
    }
    if (kept === this.#at.length) return;
    this.#qty.length = kept;
    this.#at.length = kept;
    this.total = this.#qty.reduce((s, q) => s.plus(q), new Exact(0));
  }

  get size(): number {
    return this.#qty.length;
  }
}
