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
  | { readonly status: 'filled'; readonly price: number }
  | { readonly status: 'pending' }
  | { readonly status: 'rejected'; readonly reason: string };

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
  readonly #prices = new Map<string, number>();
  #pending: PaperOrder[] = [];
  readonly #errors$ = new Subject<ErrorReport>();
  readonly #cancels$ = new Subject<{ count: number; reason: string }>();
  readonly #fills$ = new Subject<Fill>();
  /** Filled orders so far. */
  fills = 0;

  /** Broker failures (order rejections, sync errors), as error reports. */
  readonly errors$: Observable<ErrorReport> = this.#errors$.asObservable();
  /** Every execution, as the runtime's `recordFill` takes it. */
  readonly fills$: Observable<Fill> = this.#fills$.asObservable();
  /** Every cancelAllOrders call, with how many pending orders it cancelled. */
  readonly cancels$: Observable<{ count: number; reason: string }> = this.#cancels$.asObservable();

  constructor(name: string, cash: Decimal.Value) {
    this.name = name;
    this.#cash = new Decimal(cash);
  }

  /** Buys `quantity` at `price` without an order (initial holdings). */
  seedPosition(symbol: string, quantity: number, price: number): void {
    this.#prices.set(symbol, price);
    this.#positions.set(symbol, (this.#positions.get(symbol) ?? new Decimal(0)).plus(quantity));
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
      this.#fill(order, market);
      return { status: 'filled', price: market };
    }
    this.#pending.push(order);
    return { status: 'pending' };
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
    return {
      value: this.value().toDecimalPlaces(2).toString(),
      cash: this.#cash.toString(),
      positions: [...symbols].map((symbol) => ({ symbol, quantity: (this.#positions.get(symbol) ?? new Decimal(0)).toString(), price: String(this.#prices.get(symbol) ?? 0) })),
    };
  }

  #fill(order: PaperOrder, price: number): void {
    const qty = new Decimal(order.quantity).times(order.side === 'buy' ? 1 : -1);
    this.#positions.set(order.symbol, (this.#positions.get(order.symbol) ?? new Decimal(0)).plus(qty));
    this.#cash = this.#cash.minus(qty.times(price));
    this.fills++;
    this.#fills$.next({ orderId: order.id, symbol: order.symbol, side: order.side, quantity: order.quantity, price: price.toFixed(2) });
  }
}
