/**
 * Model-based tests of the order of events (PRODUCT.md, "Inputs and their bounds" and
 * "Pre-trade limits"): position reports with an `asOf` in the past, older than the newest
 * accepted one, or none; fills of open, closed, report-covered and unknown orders, fills
 * without an id, overfills; wall-clock steps back. A small model of its own (integer
 * quantities, plain arrays with times) decides every order and predicts every symbol's
 * projection; the runtime must agree after every command.
 *
 * The model's rules, straight from the contract: a report as of T replaces the reported
 * positions, the fills recorded and the orders allowed up to T (later ones stay); one older than
 * the newest accepted report is ignored and journaled; a fill moves the position (unless it
 * carries an execution time at or before the newest report's asOf: that report has it) and takes
 * quantity out of "open" only from its own open order (same symbol and side) or, without an id,
 * from the orders allowed without one, oldest first. Times are the wall clock when recorded,
 * never earlier than a time already recorded (so a clock stepped back cannot reorder them); a
 * fill's execution time is kept as given.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskEvent, type RiskRuntime } from '../../src/index.ts';
import { runs } from '../runs.ts';

const MAX = 10;
const SYMBOLS = ['A', 'B'] as const;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
/** Full tier 1000 sequences, quick 100 (test/runs.ts); ORDER_MODEL_RUNS sets it outright. */
const NUM_RUNS = runs(1000, 100, 'ORDER_MODEL_RUNS');
type Side = 'buy' | 'sell';
type Mode = 'ACTIVE' | 'REDUCING' | 'HALTED';

interface Open {
  id: string | null;
  symbol: string;
  side: Side;
  remaining: number;
  at: number;
}

export class OrderOfEventsModel {
  wall = T0;
  /** The latest time recorded on an order or a fill. */
  stamp = -Infinity;
  reportAsOf: number | null = null;
  reported: Record<string, number> = { A: 0, B: 0 };
  fills: { symbol: string; qty: number; at: number }[] = [];
  open: Open[] = [];
  /** Ids whose orders are closed, filled or covered: a fill of one is late. */
  gone: string[] = [];
  ignored = 0;
  mode: Mode = 'ACTIVE';
  seq = 0;

  stamped(): number {
    this.stamp = Math.max(this.stamp, this.wall);
    return this.stamp;
  }

  filled(symbol: string): number {
    return this.fills.filter((f) => f.symbol === symbol).reduce((s, f) => s + f.qty, 0);
  }

  openSum(symbol: string, side: Side): number {
    return this.open.filter((o) => o.symbol === symbol && o.side === side).reduce((s, o) => s + o.remaining, 0);
  }

  before(symbol: string, side: Side): number {
    const base = this.reported[symbol]! + this.filled(symbol);
    return side === 'buy' ? base + this.openSum(symbol, 'buy') : base - this.openSum(symbol, 'sell');
  }

  decide(symbol: string, side: Side, qty: number): boolean {
    if (this.mode === 'HALTED') return false;
    const before = this.before(symbol, side);
    const after = side === 'buy' ? before + qty : before - qty;
    if (this.mode === 'REDUCING' && !(side === 'sell' ? before > 0 && after >= 0 : before < 0 && after <= 0)) return false;
    return Math.abs(after) <= MAX || Math.abs(after) < Math.abs(before);
  }

  /** A fill; `executedAt`: the time it carried (a report as of then or later includes it already). */
  fill(id: string | null, symbol: string, side: Side, qty: number, executedAt: number | null = null): void {
    const at = executedAt ?? this.stamped();
    const inReport = executedAt !== null && this.reportAsOf !== null && executedAt <= this.reportAsOf;
    if (!inReport) this.fills.push({ symbol, qty: side === 'buy' ? qty : -qty, at });
    let left = qty;
    for (const o of this.open) {
      if (left === 0) break;
      if (o.symbol !== symbol || o.side !== side || o.id !== id) continue;
      const taken = Math.min(o.remaining, left);
      o.remaining -= taken;
      // An id names one order: what its fill has beyond it goes nowhere.
      left = id === null ? left - taken : 0;
    }
    this.#drop((o) => o.remaining === 0);
  }

  close(id: string): void {
    this.#drop((o) => o.id === id);
  }

  /** Returns whether the report was taken. */
  report(positions: Record<string, number>, asOf: number | null): boolean {
    if (asOf !== null && this.reportAsOf !== null && asOf < this.reportAsOf) {
      this.ignored++;
      return false;
    }
    const at = asOf ?? Math.max(this.wall, this.stamp, this.reportAsOf ?? -Infinity);
    this.reported = { A: 0, B: 0, ...positions };
    this.fills = this.fills.filter((f) => f.at > at);
    this.#drop((o) => o.at <= at);
    this.reportAsOf = at;
    return true;
  }

  #drop(gone: (o: Open) => boolean): void {
    for (const o of this.open) if (gone(o) && o.id !== null) this.gone.push(o.id);
    this.open = this.open.filter((o) => !gone(o));
  }
}

interface Real {
  rt: RiskRuntime;
  clock: ManualClock;
  events: RiskEvent[];
}
type Cmd = fc.AsyncCommand<OrderOfEventsModel, Real>;

function verify(model: OrderOfEventsModel, real: Real): void {
  const status = real.rt.status();
  expect(status.tradingMode).toBe(model.mode);
  for (const symbol of SYMBOLS) {
    const shown = status.controls.symbols.find((s) => s.symbol === symbol);
    const got = `${symbol}: reported ${Number(shown?.reported ?? 0)} filled ${Number(shown?.filled ?? 0)} buy ${Number(shown?.openBuy ?? 0)} sell ${Number(shown?.openSell ?? 0)}`;
    expect(got).toBe(`${symbol}: reported ${model.reported[symbol]} filled ${model.filled(symbol)} buy ${model.openSum(symbol, 'buy')} sell ${model.openSum(symbol, 'sell')}`);
  }
  expect(real.events.filter((e) => e.type === 'InputRejected' && e.details.field === 'asOf').length).toBe(model.ignored);
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    real.clock.advance(this.ms);
    model.wall += this.ms;
    verify(model, real);
  }
  toString = () => `advance(${this.ms})`;
}

/** The wall clock alone steps back (NTP, a resumed VM). */
class StepBack implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    real.clock.stepWall(-this.ms);
    model.wall -= this.ms;
    verify(model, real);
  }
  toString = () => `stepWall(-${this.ms})`;
}

class PlaceOrder implements Cmd {
  constructor(readonly symbol: string, readonly side: Side, readonly qty: number, readonly withId: boolean) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    const id = this.withId ? `o${++model.seq}` : null;
    const expected = model.decide(this.symbol, this.side, this.qty);
    const decision = real.rt.check({ ...(id ? { id } : {}), symbol: this.symbol, side: this.side, quantity: String(this.qty) });
    expect(decision.allowed).toBe(expected);
    if (decision.allowed) model.open.push({ id, symbol: this.symbol, side: this.side, remaining: this.qty, at: model.stamped() });
    else expect(decision.code).toMatch(model.mode === 'HALTED' ? /BREAKER_NOT_NORMAL/ : /LIMIT_POSITION|REDUCE_ONLY/);
    verify(model, real);
  }
  toString = () => `order(${this.side} ${this.qty} ${this.symbol}${this.withId ? ', id' : ''})`;
}

/** A fill of an open order by its id: part of it, all of it, or more than it. */
class FillOpen implements Cmd {
  constructor(readonly pick: number, readonly factor: number) {}
  check = (model: Readonly<OrderOfEventsModel>) => model.open.some((o) => o.id !== null);
  async run(model: OrderOfEventsModel, real: Real) {
    const named = model.open.filter((o) => o.id !== null);
    const o = named[this.pick % named.length]!;
    const qty = Math.max(1, Math.round(o.remaining * this.factor));
    real.rt.recordFill({ orderId: o.id!, symbol: o.symbol, side: o.side, quantity: qty, price: 100 });
    model.fill(o.id, o.symbol, o.side, qty);
    verify(model, real);
  }
  toString = () => `fillOpen(#${this.pick}, ×${this.factor})`;
}

/** A late fill: of an order closed, filled or covered by a report, or of an id never seen. */
class LateFill implements Cmd {
  constructor(readonly pick: number, readonly symbol: string, readonly side: Side, readonly qty: number) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    const id = model.gone.length === 0 || this.pick % 5 === 0 ? `unknown-${this.pick}` : model.gone[this.pick % model.gone.length]!;
    real.rt.recordFill({ orderId: id, symbol: this.symbol, side: this.side, quantity: this.qty, price: 100 });
    model.fill(id, this.symbol, this.side, this.qty);
    verify(model, real);
  }
  toString = () => `lateFill(#${this.pick}, ${this.side} ${this.qty} ${this.symbol})`;
}

/** A fill that carries its execution time, `lag` ms before the wall clock: of an open, a gone or an unknown order, or without an id. */
class ExecutedFill implements Cmd {
  constructor(readonly pick: number, readonly symbol: string, readonly side: Side, readonly qty: number, readonly lag: number) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    const named = model.open.filter((o) => o.id !== null);
    const open = this.pick % 3 === 0 && named.length > 0 ? named[this.pick % named.length]! : null;
    const id = open?.id ?? (this.pick % 3 === 1 ? null : (model.gone[this.pick % Math.max(1, model.gone.length)] ?? `unknown-${this.pick}`));
    const symbol = open?.symbol ?? this.symbol;
    const side = open?.side ?? this.side;
    const executedAt = model.wall - this.lag;
    real.rt.recordFill({ ...(id === null ? {} : { orderId: id }), symbol, side, quantity: this.qty, price: 100, timestamp: this.pick % 2 ? executedAt : new Date(executedAt).toISOString() });
    model.fill(id, symbol, side, this.qty, executedAt);
    verify(model, real);
  }
  toString = () => `executedFill(#${this.pick}, ${this.side} ${this.qty} ${this.symbol}, −${this.lag} ms)`;
}

class AnonymousFill implements Cmd {
  constructor(readonly symbol: string, readonly side: Side, readonly qty: number) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    real.rt.recordFill({ symbol: this.symbol, side: this.side, quantity: this.qty, price: 100 });
    model.fill(null, this.symbol, this.side, this.qty);
    verify(model, real);
  }
  toString = () => `fill(${this.side} ${this.qty} ${this.symbol}, no id)`;
}

class CloseOrder implements Cmd {
  constructor(readonly pick: number) {}
  check = (model: Readonly<OrderOfEventsModel>) => model.open.some((o) => o.id !== null);
  async run(model: OrderOfEventsModel, real: Real) {
    const named = model.open.filter((o) => o.id !== null);
    const o = named[this.pick % named.length]!;
    expect(real.rt.recordOrderClosed({ id: o.id! })).toBe(true);
    model.close(o.id!);
    verify(model, real);
  }
  toString = () => `close(#${this.pick})`;
}

/** A report as of `lag` ms before the wall clock (null: no asOf, when received); ISO or ms. */
class Report implements Cmd {
  constructor(readonly a: number, readonly b: number, readonly lag: number | null, readonly iso: boolean) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    const asOf = this.lag === null ? null : model.wall - this.lag;
    const shown = asOf === null ? {} : { asOf: this.iso ? new Date(asOf).toISOString() : asOf };
    real.rt.updatePortfolio({ value: '100000', positions: [{ symbol: 'A', quantity: this.a }, { symbol: 'B', quantity: this.b }], ...shown });
    model.report({ A: this.a, B: this.b }, asOf);
    verify(model, real);
  }
  toString = () => `report(A ${this.a}, B ${this.b}, ${this.lag === null ? 'now' : `asOf −${this.lag}${this.iso ? ' ISO' : ''}`})`;
}

class Halt implements Cmd {
  constructor(readonly reduceOnly: boolean) {}
  check = () => true;
  async run(model: OrderOfEventsModel, real: Real) {
    real.rt.halt({ operator: 'model', reason: 'test', ...(this.reduceOnly ? { mode: 'reduceOnly' as const } : {}) });
    model.mode = this.reduceOnly && model.mode !== 'HALTED' ? 'REDUCING' : 'HALTED';
    verify(model, real);
  }
  toString = () => `halt(${this.reduceOnly ? 'reduceOnly' : 'halt'})`;
}

class Reset implements Cmd {
  check = (model: Readonly<OrderOfEventsModel>) => model.mode !== 'ACTIVE';
  async run(model: OrderOfEventsModel, real: Real) {
    const { token } = real.rt.requestReset({ breaker: 'manual', operator: 'model' });
    real.rt.confirmReset({ token, operator: 'model' });
    model.mode = 'ACTIVE';
    verify(model, real);
  }
  toString = () => 'reset';
}

const side = fc.constantFrom<Side>('buy', 'sell');
const symbol = fc.constantFrom(...SYMBOLS);
export const orderOfEventsCommands = [
  fc.integer({ min: 0, max: 3000 }).map((ms) => new Advance(ms)),
  fc.integer({ min: 1, max: 4000 }).map((ms) => new StepBack(ms)),
  fc.tuple(symbol, side, fc.integer({ min: 1, max: 12 }), fc.boolean()).map(([s, d, q, id]) => new PlaceOrder(s, d, q, id)),
  fc.tuple(symbol, side, fc.integer({ min: 1, max: 4 }), fc.constant(true)).map(([s, d, q, id]) => new PlaceOrder(s, d, q, id)),
  fc.tuple(fc.nat(20), fc.constantFrom(0.3, 0.5, 1, 1.5)).map(([p, f]) => new FillOpen(p, f)),
  fc.tuple(fc.nat(20), symbol, side, fc.integer({ min: 1, max: 6 })).map(([p, s, d, q]) => new LateFill(p, s, d, q)),
  fc.tuple(symbol, side, fc.integer({ min: 1, max: 6 })).map(([s, d, q]) => new AnonymousFill(s, d, q)),
  fc.tuple(fc.nat(20), symbol, side, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6000 })).map(([p, s, d, q, lag]) => new ExecutedFill(p, s, d, q, lag)),
  fc.nat(20).map((p) => new CloseOrder(p)),
  fc
    .tuple(fc.integer({ min: -14, max: 14 }), fc.integer({ min: -14, max: 14 }), fc.option(fc.integer({ min: 0, max: 6000 }), { freq: 3 }), fc.boolean())
    .map(([a, b, lag, iso]) => new Report(a, b, lag, iso)),
  fc.boolean().map((r) => new Halt(r)),
  fc.constant(new Reset()),
];

describe('model-based: the order of events against its reference model', () => {
  it(`${NUM_RUNS} random sequences of late and out-of-order reports and fills, closes, halts and orders agree with the model`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(orderOfEventsCommands, { maxCommands: 60, size: 'large' }), async (cmds) => {
        const clock = new ManualClock(T0);
        const rt = await createRiskRuntime({
          strategy: 'order-of-events-model',
          clock,
          logger: silentLogger,
          store: false,
          breakers: { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false },
          limits: { maxPosition: MAX },
        });
        const events: RiskEvent[] = [];
        rt.events$.subscribe((e) => events.push(e));
        rt.updatePortfolio({ value: '100000' });
        try {
          await fc.asyncModelRun(() => ({ model: new OrderOfEventsModel(), real: { rt, clock, events } }), cmds);
        } finally {
          await rt.stop();
        }
      }),
      { numRuns: NUM_RUNS },
    );
  }, 300_000);
});
