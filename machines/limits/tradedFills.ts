/**
 * The fills the traded limits count (`maxTradedQuantity`, `maxTradedNotional`): per symbol, each
 * fill's |quantity| and |quantity| × price with the monotonic time it was recorded, kept while it
 * is inside the window. Sums are kept exactly and as doubles (changed only by a fill or by a fill
 * leaving the window), so a check reads them without adding anything up.
 */
import { Exact } from '../math/exact.ts';
import type { TradedFigures } from './rule.ts';

class SymbolFills implements TradedFigures {
  readonly at: number[] = [];
  readonly qtys: Exact[] = [];
  readonly notionals: Exact[] = [];
  head = 0;
  #qty = new Exact(0);
  #notional = new Exact(0);
  qty = 0;
  notional = 0;

  add(qty: Exact, notional: Exact, at: number): void {
    this.at.push(at);
    this.qtys.push(qty);
    this.notionals.push(notional);
    this.#set(this.#qty.plus(qty), this.#notional.plus(notional));
  }

  /** Drops the fills recorded at or before `until` (they left the window). */
  drop(until: number): void {
    if (this.head === this.at.length || this.at[this.head]! > until) return;
    let qty = this.#qty;
    let notional = this.#notional;
    while (this.head < this.at.length && this.at[this.head]! <= until) {
      qty = qty.minus(this.qtys[this.head]!);
      notional = notional.minus(this.notionals[this.head]!);
      this.head++;
    }
    if (this.head === this.at.length) {
      this.at.length = this.qtys.length = this.notionals.length = this.head = 0;
      qty = new Exact(0);
      notional = new Exact(0);
    } else if (this.head > 1024 && this.head * 2 > this.at.length) {
      this.at.splice(0, this.head);
      this.qtys.splice(0, this.head);
      this.notionals.splice(0, this.head);
      this.head = 0;
    }
    this.#set(qty, notional);
  }

  #set(qty: Exact, notional: Exact): void {
    this.#qty = qty;
    this.#notional = notional;
    this.qty = qty.toNumber();
    this.notional = notional.toNumber();
  }

  qtyExact(): Exact {
    return this.#qty;
  }

  notionalExact(): Exact {
    return this.#notional;
  }
}

const NONE: TradedFigures = Object.freeze({ qty: 0, notional: 0, qtyExact: () => new Exact(0), notionalExact: () => new Exact(0) });

/** The fills of every symbol in the traded window. Times are monotonic ms, non-decreasing. */
export class TradedFills {
  readonly #symbols = new Map<string, SymbolFills>();

  /** A fill recorded at `at` (monotonic ms), kept `keepMs` (fills older than that leave now: memory stays bounded by the window). */
  add(symbol: string, quantity: Exact, price: Exact, at: number, keepMs: number): void {
    let fills = this.#symbols.get(symbol);
    if (fills === undefined) this.#symbols.set(symbol, (fills = new SymbolFills()));
    fills.drop(at - keepMs);
    const qty = quantity.abs();
    fills.add(qty, qty.times(price.abs()), at);
  }

  /** The fills of `symbol` recorded in (now − windowMs, now]. */
  within(symbol: string, now: number, windowMs: number): TradedFigures {
    const fills = this.#symbols.get(symbol);
    if (fills === undefined) return NONE;
    fills.drop(now - windowMs);
    return fills;
  }
}
