import { Decimal } from 'decimal.js';
import { Subject, type Observable } from 'rxjs';
import type { BrokerPort } from '../runtime/runtime.ts';
import type { ErrorReport, Fill, OrderSide, PortfolioUpdate } from '../runtime/types.ts';

/** An order as the demo strategies submit it. */
export interface PaperOrder {
  readonly id: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly quantity: number;
  /** Limit price; market order when absent. */
  readonly price?: number;
}

/** What happened to a submitted order. */
export type SubmitResult =
  | { readonly status: 'filled'; readonly price: number; readonly realizedPnl?: string }
  | { readonly status: 'pending' }
  | { readonly status: 'rejected'; readonly reason: string };

/** A paper account as saved between demo runs: cash, and per symbol the position, its cost and last price (decimal text). */
export interface PaperAccount {
  readonly cash: string;
  readonly positions: Readonly<Record<string, { readonly quantity: string; readonly cost: string; readonly price: number }>>;
}

/** How the simulated broker behaves. */
export type BrokerMode = 'normal' | 'outage';

/** A broker error thrown while in outage mode. */
export class PaperBrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaperBrokerError';
  }
}

/**
 * A paper broker: holds cash, positions and pending limit orders, fills at the simulated price,
 * and cancels everything pending on `cancelAllOrders` (the runtime calls it on every trip and
 * halt). In `outage` mode it rejects orders and fails its position sync; every such failure is
 * reported on `errors$` (feed it to the runtime's error-rate breaker).
 */
export class PaperBroker implements BrokerPort {
  readonly name: string;
  mode: BrokerMode = 'normal';
  #cash: Decimal;
  readonly #positions = new Map<string, Decimal>();
  /** Cost of each open position (signed, like the position), for the P&L a closing fill realises. */
  readonly #costs = new Map<string, Decimal>();
  readonly #now: (() => number) | null;
  /** The `asOf` of the last position report, so that a fill after it is stamped after it. */
  #reportedAt = -Infinity;
  readonly #prices = new Map<string, number>();
  #pending: PaperOrder[] = [];
  readonly #errors$ = new Subject<ErrorReport>();
  readonly #cancels$ = new Subject<{ count: number; reason: string }>();
  readonly #fills$ = new Subject<Fill>();
  /** Filled orders so far. */
  fills = 0;
  /**
   * A position the broker's reports show but no fill made (a booking error on its side), or null:
   * added to the reported positions only; cash and value stay what the fills made them.
   */
  phantom: { readonly symbol: string; readonly quantity: number } | null = null;

  /** Broker failures (order rejections, sync errors), as error reports. */
  readonly errors$: Observable<ErrorReport> = this.#errors$.asObservable();
  /** Every execution, as the runtime's `recordFill` takes it. */
  readonly fills$: Observable<Fill> = this.#fills$.asObservable();
  /** Every cancelAllOrders call, with how many pending orders it cancelled. */
  readonly cancels$: Observable<{ count: number; reason: string }> = this.#cancels$.asObservable();

  /**
   * With `now` (the simulated clock), every fill carries its execution time and every snapshot its
   * `asOf`, so that position reports can be reconciled with the fills (docs/breakers.md).
   */
  constructor(name: string, cash: Decimal.Value, now?: () => number) {
    this.name = name;
    this.#cash = new Decimal(cash);
    this.#now = now ?? null;
  }

  /** Buys `quantity` at `price` without an order (initial holdings). */
  seedPosition(symbol: string, quantity: number, price: number): void {
    this.#prices.set(symbol, price);
    this.#positions.set(symbol, (this.#positions.get(symbol) ?? new Decimal(0)).plus(quantity));
    this.#costs.set(symbol, (this.#costs.get(symbol) ?? new Decimal(0)).plus(new Decimal(quantity).times(price)));
    this.#cash = this.#cash.minus(new Decimal(quantity).times(price));
  }

  /** A new market price: pending limit orders that cross it fill. In outage, the position sync fails. */
  setPrice(symbol: string, price: number): void {
    this.#prices.set(symbol, price);
    if (this.mode === 'outage') {
      this.#errors$.next({ kind: 'broker_error', message: `${this.name}: position sync failed: connection reset by broker (simulated outage)` });
      return;
    }
    const still: PaperOrder[] = [];
    for (const order of this.#pending) {
      const crosses = order.symbol === symbol && (order.side === 'buy' ? price <= order.price! : price >= order.price!);
      if (crosses) this.#fill(order, order.price!);
      else still.push(order);
    }
    this.#pending = still;
  }

  /** Submits an order: market orders fill at once, limit orders fill now or wait. */
  submit(order: PaperOrder): SubmitResult {
    if (this.mode === 'outage') {
      const reason = `${this.name}: order ${order.id} rejected: broker unavailable (simulated outage)`;
      this.#errors$.next({ kind: 'order_rejected', message: reason });
      return { status: 'rejected', reason };
    }
    const market = this.#prices.get(order.symbol);
    if (market === undefined) {
      const reason = `${this.name}: no market for ${order.symbol}`;
      this.#errors$.next({ kind: 'order_rejected', message: reason });
      return { status: 'rejected', reason };
    }
    const limit = order.price;
    if (limit === undefined || (order.side === 'buy' ? market <= limit : market >= limit)) {
      const realizedPnl = this.#fill(order, market);
      return realizedPnl === undefined ? { status: 'filled', price: market } : { status: 'filled', price: market, realizedPnl };
    }
    this.#pending.push(order);
    return { status: 'pending' };
  }

  /** The account (cash and positions; pending orders are not kept, as a broker cancels day orders). */
  account(): PaperAccount {
    const positions: Record<string, { quantity: string; cost: string; price: number }> = {};
    for (const [symbol, quantity] of this.#positions) {
      if (!quantity.isZero()) positions[symbol] = { quantity: quantity.toString(), cost: (this.#costs.get(symbol) ?? new Decimal(0)).toString(), price: this.#prices.get(symbol) ?? 0 };
    }
    return { cash: this.#cash.toString(), positions };
  }

  /** Continues a saved account: replaces cash and positions (before any trading). */
  restoreAccount(account: PaperAccount): void {
    this.#cash = new Decimal(account.cash);
    this.#positions.clear();
    this.#costs.clear();
    for (const [symbol, p] of Object.entries(account.positions)) {
      this.#positions.set(symbol, new Decimal(p.quantity));
      this.#costs.set(symbol, new Decimal(p.cost));
      if (!this.#prices.has(symbol)) this.#prices.set(symbol, p.price);
    }
  }

  /** Cancels one pending order; false when it is not pending (filled, cancelled or never placed). */
  cancel(id: string): boolean {
    const before = this.#pending.length;
    this.#pending = this.#pending.filter((o) => o.id !== id);
    return this.#pending.length < before;
  }

  /** Moves a pending limit order to a new price (it fills if the new price crosses the market); false when not pending. */
  amend(id: string, price: number): boolean {
    const order = this.#pending.find((o) => o.id === id);
    if (order === undefined) return false;
    this.cancel(id);
    this.submit({ ...order, price });
    return true;
  }

  /** Cancels every pending order (the runtime's broker port). */
  cancelAllOrders(context: { reason: string }): number {
    const count = this.#pending.length;
    this.#pending = [];
    this.#cancels$.next({ count, reason: context.reason });
    return count;
  }

  /** Position held in a symbol (filled orders only). */
  position(symbol: string): number {
    return this.#positions.get(symbol)?.toNumber() ?? 0;
  }

  /** Net position in a symbol, counting pending orders. */
  exposure(symbol: string): number {
    const held = this.#positions.get(symbol)?.toNumber() ?? 0;
    return this.#pending.filter((o) => o.symbol === symbol).reduce((q, o) => q + (o.side === 'buy' ? o.quantity : -o.quantity), held);
  }

  /** Pending orders now. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Cash plus the market value of every position, as Decimal. */
  value(): Decimal {
    let total = this.#cash;
    for (const [symbol, qty] of this.#positions) total = total.plus(qty.times(this.#prices.get(symbol) ?? 0));
    return total;
  }

  /**
   * The portfolio as the runtime's ledger wants it: every symbol with a market price, flat ones
   * as quantity 0 (so the runtime knows the price a market order will be valued at).
   */
  snapshot(): PortfolioUpdate {
    const symbols = new Set([...this.#prices.keys(), ...[...this.#positions].filter(([, q]) => !q.isZero()).map(([symbol]) => symbol)]);
    const reported = (symbol: string) => (this.#positions.get(symbol) ?? new Decimal(0)).plus(this.phantom?.symbol === symbol ? this.phantom.quantity : 0);
    const update: PortfolioUpdate = {
      value: this.value().toDecimalPlaces(2).toString(),
      cash: this.#cash.toString(),
      positions: [...symbols].map((symbol) => ({ symbol, quantity: reported(symbol).toString(), price: String(this.#prices.get(symbol) ?? 0) })),
    };
    if (this.#now === null) return update;
    this.#reportedAt = this.#now();
    return { ...update, asOf: this.#reportedAt };
  }

  /** Books a fill and reports it; returns the P&L it realised, if it closed any of the position. */
  #fill(order: PaperOrder, price: number): string | undefined {
    const qty = new Decimal(order.quantity).times(order.side === 'buy' ? 1 : -1);
    const held = this.#positions.get(order.symbol) ?? new Decimal(0);
    const cost = this.#costs.get(order.symbol) ?? new Decimal(0);
    // A fill against the position realises P&L on the part it closes, at the position's average cost.
    let realizedPnl: string | undefined;
    let newCost = cost.plus(qty.times(price));
    if (!held.isZero() && held.isNegative() !== qty.isNegative()) {
      const closed = Decimal.min(held.abs(), qty.abs());
      const avg = cost.div(held);
      realizedPnl = new Decimal(price).minus(avg).times(closed).times(held.isNegative() ? -1 : 1).toDecimalPlaces(2).toString();
      const left = held.plus(qty);
      // What is left of the old position keeps its average cost; a flip opens at this price.
      newCost = left.isZero() ? new Decimal(0) : left.isNegative() === held.isNegative() ? avg.times(left) : left.times(price);
    }
    this.#positions.set(order.symbol, held.plus(qty));
    this.#costs.set(order.symbol, newCost);
    this.#cash = this.#cash.minus(qty.times(price));
    this.fills++;
    this.#fills$.next({
      orderId: order.id,
      symbol: order.symbol,
      side: order.side,
      quantity: order.quantity,
      price: price.toFixed(2),
      ...(realizedPnl === undefined ? {} : { realizedPnl }),
      ...(this.#now === null ? {} : { timestamp: this.#stamp() }),
    });
    return realizedPnl;
  }

  /**
   * When a fill executed: now, or just after the last report when that is now. Simulated time moves
   * in whole steps, so a report and the fills after it in the same step share a millisecond; a real
   * broker's clock tells them apart, and a fill at the report's own asOf would count as in it.
   */
  #stamp(): number {
    const now = this.#now!();
    return now > this.#reportedAt ? now : this.#reportedAt + 1;
  }
}
