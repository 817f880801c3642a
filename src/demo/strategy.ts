import { Subject, from, mergeMap, type Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { filter } from 'rxjs/operators';
import type { BreakerboxMetrics } from '../metrics/metrics.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import type { PaperBroker, PaperOrder } from './broker.ts';
import type { Random } from './prng.ts';

/** One market tick as a strategy sees it. */
export interface Tick {
  /** Simulated time (ms since the epoch). */
  readonly at: number;
  readonly price: number;
  /** Simulated seconds since the previous tick. */
  readonly dt: number;
}

/** How a demo strategy trades. */
export interface StrategyParams {
  readonly symbol: string;
  /** Fraction of the portfolio held in an uptrend (a third of it in a downtrend). */
  readonly allocation: number;
  /** `hold`: keep the allocation whatever the trend; `momentum`: follow moving averages. */
  readonly style: 'hold' | 'momentum';
  /** Mean simulated seconds between small resting quotes (limit orders). */
  readonly quoteEverySeconds: number;
}

/**
 * An RxJS operator that decides each order with `rt.check` (timed into the metrics' latency
 * histogram) and passes on only the allowed ones.
 */
export function timedGuard<T>(rt: RiskRuntime, metrics: BreakerboxMetrics): OperatorFunction<T, T> {
  return filter((order: T) => metrics.timedCheck(rt, order, 'demo').allowed);
}

/**
 * A small momentum / buy-and-hold strategy: on every tick it rebalances towards a target
 * position (fast vs slow moving average), now and then rests a small limit order, and — when
 * the demo switches on `runaway` — resubmits the same order in a loop like a buggy retry.
 * Orders go through the runtime's gate before they reach the paper broker.
 */
export class DemoStrategy {
  /** Orders per simulated second sent by the simulated runaway loop (0 = off). */
  runaway = 0;
  readonly ticks$ = new Subject<Tick>();
  readonly #rt: RiskRuntime;
  readonly #broker: PaperBroker;
  readonly #params: StrategyParams;
  readonly #random: Random;
  readonly #prices: number[] = [];
  #seq = 0;
  #nextQuoteAt = 0;

  constructor(rt: RiskRuntime, broker: PaperBroker, params: StrategyParams, random: Random) {
    this.#rt = rt;
    this.#broker = broker;
    this.#params = params;
    this.#random = random;
  }

  /** Wires ticks → orders → gate → broker. */
  start(metrics: BreakerboxMetrics): Subscription {
    const orders$: Observable<PaperOrder> = this.ticks$.pipe(mergeMap((tick) => from(this.#decide(tick))));
    return orders$.pipe(timedGuard<PaperOrder>(this.#rt, metrics)).subscribe((order) => this.#broker.submit(order));
  }

  #order(side: 'buy' | 'sell', quantity: number, price?: number): PaperOrder {
    return { id: `${this.#rt.strategy}-${++this.#seq}`, symbol: this.#params.symbol, side, quantity, ...(price === undefined ? {} : { price: Math.round(price * 100) / 100 }) };
  }

  #decide(tick: Tick): PaperOrder[] {
    const p = this.#params;
    const orders: PaperOrder[] = [];
    this.#prices.push(tick.price);
    if (this.#prices.length > 30) this.#prices.shift();
    const value = this.#broker.value().toNumber();
    const avg = (n: number) => this.#prices.slice(-n).reduce((a, b) => a + b, 0) / Math.min(n, this.#prices.length);
    const uptrend = p.style === 'hold' || this.#prices.length < 20 || avg(5) >= avg(20);
    const target = Math.floor(((uptrend ? p.allocation : p.allocation / 3) * value) / tick.price);
    const delta = target - this.#broker.exposure(p.symbol);
    if (Math.abs(delta) * tick.price > value * 0.05) orders.push(this.#order(delta > 0 ? 'buy' : 'sell', Math.abs(delta)));
    if (tick.at >= this.#nextQuoteAt) {
      const side = this.#random() < 0.5 ? 'buy' : 'sell';
      const offset = 1 + (side === 'buy' ? -1 : 1) * (0.0005 + this.#random() * 0.002);
      orders.push(this.#order(side, 10, tick.price * offset));
      this.#nextQuoteAt = tick.at + (0.5 + this.#random()) * p.quoteEverySeconds * 1000;
    }
    const loop = this.runaway > 0 ? Math.max(1, Math.round(this.runaway * tick.dt)) : 0;
    for (let i = 0; i < loop; i++) orders.push(this.#order('buy', 1));
    return orders;
  }
}
