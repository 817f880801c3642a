/**
 * Cancel confirmation (PRODUCT.md, "Cancel confirmation"): after a trip's or halt's
 * `cancelAllOrders`, every open order the position book knows by id must be seen closed — a
 * close, a full fill or a position report that covers it — within `cancelConfirmTimeout`. Those
 * that are not are listed in `status()` and reported once (`CancelUnconfirmed`); one confirmed
 * later leaves the list (`CancelConfirmed`). The deadline runs on the monotonic clock; its timer
 * and every check of the book happen inside a step.
 */
import type { BreakerType } from '../../machines/rules/registry.ts';
import { toExact } from '../../machines/limits/amount.ts';
import type { OpenOrder } from '../../machines/limits/openOrders.ts';
import type { PositionBook } from '../../machines/limits/positions.ts';
import type { CancelTimer, MonotonicClock } from '../clock.ts';
import { RiskEventType, type EventDetails } from '../events.ts';
import type { UnconfirmedCancel } from './types.ts';

/** What the confirmations need from the runtime. */
export interface CancelConfirmDeps {
  readonly book: PositionBook;
  readonly clock: MonotonicClock;
  readonly timeoutMs: number;
  /** Runs `body` as a step (nothing is checked or emitted outside one). */
  step(body: () => void): void;
  emit(type: RiskEventType, breaker: BreakerType | null, details: EventDetails): void;
  /** True once the runtime has stopped: a late timer does nothing. */
  stopped(): boolean;
}

/** An order a cancel must see closed. */
interface Awaited {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** The book's own entry (its remaining quantity moves with partial fills). */
  readonly order: Readonly<OpenOrder>;
  /** Wall-clock ms of the cancel. */
  readonly since: number;
  /** Monotonic ms by which it must be closed. */
  readonly deadline: number;
  readonly breaker: BreakerType;
  /** Past its deadline and reported. */
  unconfirmed: boolean;
}

const remaining = (order: Readonly<OpenOrder>): string => toExact(order.remaining).toFixed();

/** The orders awaited after the cancels of one strategy's trips and halts. */
export class CancelConfirmations {
  readonly #deps: CancelConfirmDeps;
  /** By the book's entry: a reused id's newer order is another entry, never mistaken for the older one. */
  readonly #awaited = new Map<Readonly<OpenOrder>, Awaited>();
  #timer: CancelTimer | null = null;
  #timerAt = Infinity;

  constructor(deps: CancelConfirmDeps) {
    this.#deps = deps;
  }

  /** Nothing awaited: fills, closes and reports need no check (the hot paths test this first). */
  get idle(): boolean {
    return this.#awaited.size === 0;
  }

  /**
   * A trip or halt asks for a cancel: every named open order not already awaited must now be
   * closed within the timeout (read before the broker port is called, so closes it reports
   * from inside the call confirm them).
   */
  cancelling(breaker: BreakerType): void {
    const { book, clock, timeoutMs } = this.#deps;
    const since = clock.now();
    const deadline = clock.monotonic() + timeoutMs;
    for (const { symbol, side, order } of book.named()) {
      if (!this.#awaited.has(order)) this.#awaited.set(order, { symbol, side, order, since, deadline, breaker, unconfirmed: false });
    }
    this.#arm();
  }

  /** Inside a step that may have closed orders (a fill, a close, a position report): drops those confirmed. */
  sweep(): void {
    if (this.#awaited.size === 0) return;
    this.#confirm();
    this.#arm();
  }

  #confirm(): void {
    const open = new Set<Readonly<OpenOrder>>();
    for (const { order } of this.#deps.book.named()) if (this.#awaited.has(order)) open.add(order);
    const confirmed: Awaited[] = [];
    for (const [order, awaited] of this.#awaited) {
      if (open.has(order)) continue;
      this.#awaited.delete(order);
      if (awaited.unconfirmed) confirmed.push(awaited);
    }
    if (confirmed.length > 0) this.#deps.emit(RiskEventType.CANCEL_CONFIRMED, breakerOf(confirmed), { orders: confirmed.map(orderDetails), count: confirmed.length });
  }

  /** The orders past their deadline, oldest cancel first. */
  list(): UnconfirmedCancel[] {
    const out: UnconfirmedCancel[] = [];
    for (const a of this.#awaited.values()) {
      if (a.unconfirmed) out.push({ id: a.order.id, symbol: a.symbol, side: a.side, quantity: remaining(a.order), since: new Date(a.since).toISOString(), breaker: a.breaker });
    }
    return out;
  }

  /** Cancels the timer (the runtime stops). */
  stop(): void {
    this.#timer?.();
    this.#timer = null;
    this.#timerAt = Infinity;
  }

  /** The deadline passed (a step): the orders still open are reported once. */
  #expire(): void {
    this.#timer = null;
    this.#timerAt = Infinity;
    this.#confirm();
    const now = this.#deps.clock.monotonic();
    const due: Awaited[] = [];
    for (const a of this.#awaited.values()) {
      if (!a.unconfirmed && a.deadline <= now) {
        a.unconfirmed = true;
        due.push(a);
      }
    }
    if (due.length > 0) {
      this.#deps.emit(RiskEventType.CANCEL_UNCONFIRMED, breakerOf(due), { orders: due.map(orderDetails), count: due.length, timeoutSeconds: this.#deps.timeoutMs / 1000 });
    }
    this.#arm();
  }

  /** One timer, at the earliest deadline still to come. */
  #arm(): void {
    let next = Infinity;
    for (const a of this.#awaited.values()) if (!a.unconfirmed && a.deadline < next) next = a.deadline;
    if (next === this.#timerAt) return;
    this.stop();
    if (next === Infinity) return;
    const { clock } = this.#deps;
    this.#timerAt = next;
    this.#timer = clock.setTimer(() => {
      if (!this.#deps.stopped()) this.#deps.step(() => this.#expire());
    }, next - clock.monotonic());
  }
}

/** The breaker of a set of orders, or null when they came from the cancels of several. */
function breakerOf(orders: readonly Awaited[]): BreakerType | null {
  const first = orders[0]!.breaker;
  return orders.every((o) => o.breaker === first) ? first : null;
}

function orderDetails(a: Awaited): { [key: string]: string } {
  return { id: a.order.id, symbol: a.symbol, side: a.side, quantity: remaining(a.order), since: new Date(a.since).toISOString(), breaker: a.breaker };
}
