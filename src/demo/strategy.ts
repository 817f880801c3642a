import { Subject, from, mergeMap, type Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { filter } from 'rxjs/operators';
import type { BreakerboxMetrics } from '../metrics/metrics.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import type { Decision } from '../runtime/types.ts';
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

/** Why a demo strategy sends an order. */
export type OrderPurpose = 'rebalance' | 'quote' | 'loop' | 'accumulate' | 'fatFinger' | 'flatten' | 'replace' | 'stuff' | 'dip' | 'stop';

interface Intent {
  readonly order: PaperOrder;
  readonly purpose: OrderPurpose;
}

/** How long a strategy waits before rebalancing again after a control rejected it (doubling, capped). */
const BACKOFF_MS = { first: 10_000, max: 300_000 } as const;
/** In REDUCING, a strategy unwinds a quarter of its position every 5 s. */
const FLATTEN = { slices: 4, everyMs: 5_000 } as const;

/**
 * A small momentum / buy-and-hold strategy: on every tick it rebalances towards a target
 * position (fast vs slow moving average), now and then rests a small limit order, and — when
 * the demo switches on `runaway` — resubmits the same order in a loop like a buggy retry.
 * Orders go through the runtime's gate before they reach the paper broker.
 *
 * It also behaves the way the trading controls expect (docs/controls.md): when a pre-trade
 * control rejects a rebalance it backs off (10 s, doubling) instead of hammering the limit —
 * each such rejection counts towards the error-rate breaker; in REDUCING it stops quoting and
 * unwinds its position in quarters, one every 5 s, while its signal's buys are rejected
 * REDUCE_ONLY. The demo can also make it send one fat-finger order, grow its position with
 * a sizing bug until the position limit stops it, cancel/replace and amend a quote in a loop
 * (`checkCancel`, `check`, `checkModify`), stuff the book with quotes that never trade, and buy
 * dips that its stop-loss sells at a loss.
 */
export class DemoStrategy {
  /** Orders per simulated second sent by the simulated runaway loop (0 = off). */
  runaway = 0;
  /** Cancel/replace rounds per simulated second of a repricing bug (0 = off): cancel the quote, re-send it, amend it. */
  cancelReplace = 0;
  /** Quotes per simulated second placed far from the market, never to trade (0 = off). */
  stuffing = 0;
  readonly ticks$ = new Subject<Tick>();
  /** What the strategy did that is worth a line (flattening sells, the sizing bug stopping). */
  readonly notes$ = new Subject<string>();
  readonly #rt: RiskRuntime;
  readonly #broker: PaperBroker;
  readonly #params: StrategyParams;
  readonly #random: Random;
  readonly #prices: number[] = [];
  #seq = 0;
  #nextQuoteAt = 0;
  #rebalanceAfter = 0;
  #backoffMs = 0;
  #fatFinger: number | null = null;
  #accumulate: { lot: number; everyMs: number; nextAt: number } | null = null;
  /** Shares bought by the sizing bug, on top of the target (so the rebalance does not undo them). */
  #extra = 0;
  #flatten: { lot: number; nextAt: number } | null = null;
  /** The quote the repricing bug cancels and replaces next. */
  #replacing: string | null = null;
  #cancelledWhileBlocked = false;
  #dips: { lot: number; everyMs: number; stop: number; nextAt: number } | null = null;
  /** Lots the dip buyer holds, each with its entry price and stop. */
  #lots: { quantity: number; stopAt: number }[] = [];

  constructor(rt: RiskRuntime, broker: PaperBroker, params: StrategyParams, random: Random) {
    this.#rt = rt;
    this.#broker = broker;
    this.#params = params;
    this.#random = random;
  }

  /** Sends one order for `quantity` on the next tick, as if a trader had keyed extra zeros. */
  fatFinger(quantity: number): void {
    this.#fatFinger = quantity;
  }

  /** A sizing bug: buys `lot` more every `everySeconds`, on top of its target, until a buy is rejected. */
  accumulate(lot: number, everySeconds: number): void {
    this.#accumulate = { lot, everyMs: everySeconds * 1000, nextAt: 0 };
  }

  /**
   * A buy-the-dip bug: buys `lot` every `everySeconds` and sells each lot by a stop-loss `stop`
   * (a fraction) below its entry; `null` switches it off (the lots it holds stay).
   */
  buyDips(dips: { lot: number; everySeconds: number; stop: number } | null): void {
    this.#dips = dips === null ? null : { lot: dips.lot, everyMs: dips.everySeconds * 1000, stop: dips.stop, nextAt: 0 };
  }

  /** Wires ticks → orders → gate → broker. */
  start(metrics: BreakerboxMetrics): Subscription {
    const intents$: Observable<{ intent: Intent; tick: Tick }> = this.ticks$.pipe(mergeMap((tick) => from(this.#decide(tick).map((intent) => ({ intent, tick })))));
    return intents$.subscribe(({ intent, tick }) => {
      if (intent.purpose === 'replace') this.#cancelQuote();
      const decision = metrics.timedCheck(this.#rt, intent.order, 'demo');
      if (decision.allowed) this.#submit(intent);
      else this.#rejected(intent, decision, tick);
      if (intent.purpose === 'replace') this.#amendQuote(intent.order);
    });
  }

  #submit({ order, purpose }: Intent): void {
    const result = this.#broker.submit(order);
    if (purpose === 'rebalance') this.#backoffMs = 0;
    if (purpose === 'dip' && result.status === 'filled' && this.#dips) {
      this.#extra += order.quantity;
      this.#lots.push({ quantity: order.quantity, stopAt: result.price * (1 - this.#dips.stop) });
    }
    if (purpose === 'stop' && result.status === 'filled') {
      this.#extra -= order.quantity;
      this.#lots.shift();
      this.notes$.next(`stop-loss sold ${order.quantity} ${order.symbol} at ${result.price.toFixed(2)} (realised P&L ${result.realizedPnl ?? '0'})`);
    }
    if (purpose === 'flatten' && result.status === 'filled') {
      const left = this.#broker.position(order.symbol);
      this.notes$.next(`REDUCING  ${order.side === 'sell' ? 'sold' : 'bought back'} ${order.quantity} ${order.symbol} at ${result.price.toFixed(2)} to flatten (position ${left}${left === 0 ? ': flat' : ' left'})`);
    }
  }

  #rejected({ order, purpose }: Intent, decision: Extract<Decision, { allowed: false }>, tick: Tick): void {
    if (decision.limit === undefined && decision.code !== 'REDUCE_ONLY') return; // a breaker blocks: nothing to learn
    if (purpose === 'rebalance') {
      this.#backoffMs = Math.min(BACKOFF_MS.max, Math.max(BACKOFF_MS.first, this.#backoffMs * 2));
      this.#rebalanceAfter = tick.at + this.#backoffMs;
    } else if (purpose === 'accumulate' && this.#accumulate) {
      this.#extra -= order.quantity;
      this.#accumulate = null;
      this.notes$.next(`sizing bug stopped by ${decision.code}: no more buys of ${order.quantity} ${order.symbol} (position ${this.#broker.position(order.symbol)})`);
    }
  }

  /** The repricing bug's cancel: always allowed by the runtime, even while orders are blocked (it reduces risk). */
  #cancelQuote(): void {
    const id = this.#replacing;
    if (id === null) return;
    this.#replacing = null;
    const decision = this.#rt.checkCancel({ id });
    if (!decision.allowed) return;
    this.#broker.cancel(id);
    if (this.#rt.tradingMode === 'HALTED' && !this.#cancelledWhileBlocked) {
      this.#cancelledWhileBlocked = true;
      this.notes$.next(`cancel of ${id} allowed while orders are blocked (a cancellation is never refused: it reduces risk)`);
    }
    if (this.#rt.tradingMode !== 'HALTED') this.#cancelledWhileBlocked = false;
  }

  /** The repricing bug's amendment of the quote it just sent, whatever the answer to the send (it never looks). */
  #amendQuote(order: PaperOrder): void {
    this.#replacing = order.id;
    const price = Math.round(order.price! * (order.side === 'buy' ? 0.9995 : 1.0005) * 100) / 100;
    if (this.#rt.checkModify({ id: order.id, price }).allowed) this.#broker.amend(order.id, price);
  }

  #intent(purpose: OrderPurpose, side: 'buy' | 'sell', quantity: number, price?: number): Intent {
    return { purpose, order: { id: `${this.#rt.strategy}-${++this.#seq}`, symbol: this.#params.symbol, side, quantity, ...(price === undefined ? {} : { price: Math.round(price * 100) / 100 }) } };
  }

  #decide(tick: Tick): Intent[] {
    const p = this.#params;
    const intents: Intent[] = [];
    const reducing = this.#rt.tradingMode === 'REDUCING';
    this.#prices.push(tick.price);
    if (this.#prices.length > 30) this.#prices.shift();
    const held = this.#broker.position(p.symbol);
    // REDUCING: unwind the position in quarters (of what was held when REDUCING began).
    if (!reducing) this.#flatten = null;
    else if (held !== 0) {
      this.#flatten ??= { lot: Math.ceil(Math.abs(held) / FLATTEN.slices), nextAt: tick.at };
      if (tick.at >= this.#flatten.nextAt) {
        intents.push(this.#intent('flatten', held > 0 ? 'sell' : 'buy', Math.min(Math.abs(held), this.#flatten.lot)));
        this.#flatten.nextAt = tick.at + FLATTEN.everyMs;
      }
    }
    if (tick.at >= this.#rebalanceAfter) {
      const value = this.#broker.value().toNumber();
      const avg = (n: number) => this.#prices.slice(-n).reduce((a, b) => a + b, 0) / Math.min(n, this.#prices.length);
      const uptrend = p.style === 'hold' || this.#prices.length < 20 || avg(5) >= avg(20);
      const target = Math.floor(((uptrend ? p.allocation : p.allocation / 3) * value) / tick.price) + this.#extra;
      const delta = target - this.#broker.exposure(p.symbol);
      if (Math.abs(delta) * tick.price > value * 0.05) intents.push(this.#intent('rebalance', delta > 0 ? 'buy' : 'sell', Math.abs(delta)));
    }
    if (!reducing && tick.at >= this.#nextQuoteAt) {
      const side = this.#random() < 0.5 ? 'buy' : 'sell';
      const offset = 1 + (side === 'buy' ? -1 : 1) * (0.0005 + this.#random() * 0.002);
      intents.push(this.#intent('quote', side, 10, tick.price * offset));
      this.#nextQuoteAt = tick.at + (0.5 + this.#random()) * p.quoteEverySeconds * 1000;
    }
    if (this.#fatFinger !== null) {
      intents.push(this.#intent('fatFinger', 'buy', this.#fatFinger));
      this.#fatFinger = null;
    }
    if (this.#accumulate && tick.at >= this.#accumulate.nextAt) {
      intents.push(this.#intent('accumulate', 'buy', this.#accumulate.lot));
      this.#extra += this.#accumulate.lot;
      this.#accumulate.nextAt = tick.at + this.#accumulate.everyMs;
    }
    const perTick = (rate: number) => (rate > 0 ? Math.max(1, Math.round(rate * tick.dt)) : 0);
    for (let i = 0; i < perTick(this.runaway); i++) intents.push(this.#intent('loop', 'buy', 1));
    // The repricing bug quotes just behind the touch; quote stuffing 3 % away, where nothing trades.
    for (let i = 0; i < perTick(this.cancelReplace); i++) intents.push(this.#intent('replace', 'buy', 10, tick.price * 0.998));
    for (let i = 0; i < perTick(this.stuffing); i++) intents.push(this.#intent('stuff', i % 2 === 0 ? 'buy' : 'sell', 10, tick.price * (i % 2 === 0 ? 0.97 : 1.03)));
    if (this.#dips) {
      const lot = this.#lots[0];
      if (lot && tick.price <= lot.stopAt) intents.push(this.#intent('stop', 'sell', lot.quantity));
      if (tick.at >= this.#dips.nextAt) {
        intents.push(this.#intent('dip', 'buy', this.#dips.lot));
        this.#dips.nextAt = tick.at + this.#dips.everyMs;
      }
    }
    return intents;
  }
}
