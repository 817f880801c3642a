/**
 * Model-based tests of the trading controls: positions, fills, closes and limit-bound orders,
 * against a small reference model of its own (integer quantities, plain arrays). Properties:
 * no order takes a symbol's projected position past maxPosition, in REDUCING no order increases
 * a position or crosses zero, and no order passes while the trading mode is HALTED.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';

const MAX = 10;
const SYMBOLS = ['A', 'B'] as const;
const NUM_RUNS = Math.max(50, Math.floor(Number(process.env.MODEL_RUNS ?? 1000) / 5));
type Side = 'buy' | 'sell';
type Mode = 'ACTIVE' | 'REDUCING' | 'HALTED';

interface Open {
  id: string;
  symbol: string;
  side: Side;
  remaining: number;
}

class ControlsModel {
  reported: Record<string, number> = { A: 0, B: 0 };
  filled: Record<string, number> = { A: 0, B: 0 };
  open: Open[] = [];
  mode: Mode = 'ACTIVE';
  seq = 0;

  openSum(symbol: string, side: Side): number {
    return this.open.filter((o) => o.symbol === symbol && o.side === side).reduce((s, o) => s + o.remaining, 0);
  }

  /** The position an order on `side` starts from (open orders on its own side count). */
  before(symbol: string, side: Side): number {
    const base = this.reported[symbol]! + this.filled[symbol]!;
    return side === 'buy' ? base + this.openSum(symbol, 'buy') : base - this.openSum(symbol, 'sell');
  }

  net(symbol: string): number {
    return this.reported[symbol]! + this.filled[symbol]! + this.openSum(symbol, 'buy') - this.openSum(symbol, 'sell');
  }

  decide(symbol: string, side: Side, qty: number): boolean {
    if (this.mode === 'HALTED') return false;
    const before = this.before(symbol, side);
    const after = side === 'buy' ? before + qty : before - qty;
    if (this.mode === 'REDUCING' && !(side === 'sell' ? before > 0 && after >= 0 : before < 0 && after <= 0)) return false;
    return Math.abs(after) <= MAX || Math.abs(after) < Math.abs(before);
  }
}

interface Real {
  rt: RiskRuntime;
}
type Cmd = fc.AsyncCommand<ControlsModel, Real>;

function verify(model: ControlsModel, real: Real): void {
  const status = real.rt.status();
  expect(status.tradingMode).toBe(model.mode);
  for (const symbol of SYMBOLS) {
    const shown = status.controls.symbols.find((s) => s.symbol === symbol);
    expect(`${symbol}:${Number(shown?.projected ?? 0)}`).toBe(`${symbol}:${model.net(symbol)}`);
  }
}

class PlaceOrder implements Cmd {
  constructor(readonly symbol: string, readonly side: Side, readonly qty: number, readonly withId: boolean) {}
  check = () => true;
  async run(model: ControlsModel, real: Real) {
    const id = this.withId ? `o${++model.seq}` : undefined;
    const before = model.before(this.symbol, this.side);
    const expected = model.decide(this.symbol, this.side, this.qty);
    const decision = real.rt.check({ ...(id ? { id } : {}), symbol: this.symbol, side: this.side, quantity: String(this.qty) });
    expect(decision.allowed).toBe(expected);
    if (decision.allowed) {
      const after = this.side === 'buy' ? before + this.qty : before - this.qty;
      // The invariants in their plainest form.
      expect(model.mode).not.toBe('HALTED');
      if (Math.abs(after) > Math.abs(before)) expect(Math.abs(after)).toBeLessThanOrEqual(MAX);
      if (model.mode === 'REDUCING') {
        expect(Math.abs(after)).toBeLessThan(Math.abs(before));
        expect(Math.sign(after) === 0 || Math.sign(after) === Math.sign(before)).toBe(true);
      }
      model.open.push({ id: id ?? `anon${++model.seq}`, symbol: this.symbol, side: this.side, remaining: this.qty });
    } else {
      expect(decision.code).toMatch(model.mode === 'HALTED' ? /BREAKER_NOT_NORMAL/ : /LIMIT_POSITION|REDUCE_ONLY/);
    }
    verify(model, real);
  }
  toString = () => `order(${this.side} ${this.qty} ${this.symbol}${this.withId ? ', id' : ''})`;
}

class FillOrder implements Cmd {
  constructor(readonly pick: number, readonly fraction: number) {}
  check = (model: Readonly<ControlsModel>) => model.open.some((o) => o.id.startsWith('o'));
  async run(model: ControlsModel, real: Real) {
    const named = model.open.filter((o) => o.id.startsWith('o'));
    const order = named[this.pick % named.length]!;
    const qty = Math.max(1, Math.floor(order.remaining * this.fraction));
    real.rt.recordFill({ orderId: order.id, symbol: order.symbol, side: order.side, quantity: qty, price: 100 });
    model.filled[order.symbol]! += order.side === 'buy' ? qty : -qty;
    order.remaining -= qty;
    model.open = model.open.filter((o) => o.remaining > 0);
    verify(model, real);
  }
  toString = () => `fill(#${this.pick}, ${this.fraction})`;
}

class CloseOrder implements Cmd {
  constructor(readonly pick: number) {}
  check = (model: Readonly<ControlsModel>) => model.open.some((o) => o.id.startsWith('o'));
  async run(model: ControlsModel, real: Real) {
    const named = model.open.filter((o) => o.id.startsWith('o'));
    const order = named[this.pick % named.length]!;
    expect(real.rt.recordOrderClosed({ id: order.id })).toBe(true);
    model.open = model.open.filter((o) => o !== order);
    verify(model, real);
  }
  toString = () => `close(#${this.pick})`;
}

class Report implements Cmd {
  constructor(readonly a: number, readonly b: number) {}
  check = () => true;
  async run(model: ControlsModel, real: Real) {
    real.rt.updatePortfolio({ value: '100000', positions: [{ symbol: 'A', quantity: this.a }, { symbol: 'B', quantity: this.b }] });
    model.reported = { A: this.a, B: this.b };
    model.filled = { A: 0, B: 0 };
    model.open = [];
    verify(model, real);
  }
  toString = () => `report(A ${this.a}, B ${this.b})`;
}

class Halt implements Cmd {
  constructor(readonly reduceOnly: boolean) {}
  check = () => true;
  async run(model: ControlsModel, real: Real) {
    real.rt.halt({ operator: 'model', reason: 'test', ...(this.reduceOnly ? { mode: 'reduceOnly' as const } : {}) });
    // A halt never loosens a halt: reduce-only over a full halt stays HALTED (only a confirmed reset lifts it).
    model.mode = this.reduceOnly && model.mode !== 'HALTED' ? 'REDUCING' : 'HALTED';
    verify(model, real);
  }
  toString = () => `halt(${this.reduceOnly ? 'reduceOnly' : 'halt'})`;
}

class Reset implements Cmd {
  check = (model: Readonly<ControlsModel>) => model.mode !== 'ACTIVE';
  async run(model: ControlsModel, real: Real) {
    const { token } = real.rt.requestReset({ breaker: 'manual', operator: 'model' });
    real.rt.confirmReset({ token, operator: 'model' });
    model.mode = 'ACTIVE';
    verify(model, real);
  }
  toString = () => 'reset';
}

const commands = [
  fc.tuple(fc.constantFrom(...SYMBOLS), fc.constantFrom<Side>('buy', 'sell'), fc.integer({ min: 1, max: 12 }), fc.boolean()).map(([s, side, q, id]) => new PlaceOrder(s, side, q, id)),
  fc.tuple(fc.constantFrom(...SYMBOLS), fc.constantFrom<Side>('buy', 'sell'), fc.integer({ min: 1, max: 4 }), fc.constant(true)).map(([s, side, q, id]) => new PlaceOrder(s, side, q, id)),
  fc.tuple(fc.nat(20), fc.constantFrom(0.3, 0.5, 1)).map(([p, f]) => new FillOrder(p, f)),
  fc.nat(20).map((p) => new CloseOrder(p)),
  fc.tuple(fc.integer({ min: -14, max: 14 }), fc.integer({ min: -14, max: 14 })).map(([a, b]) => new Report(a, b)),
  fc.boolean().map((r) => new Halt(r)),
  fc.constant(new Reset()),
];

describe('model-based: trading controls against their reference model', () => {
  it(`${NUM_RUNS} random sequences of positions, fills, closes, halts and limit-bound orders agree with the model`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'large' }), async (cmds) => {
        const rt = await createRiskRuntime({
          strategy: 'controls-model',
          clock: new ManualClock(),
          logger: silentLogger,
          breakers: { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false },
          limits: { maxPosition: MAX },
        });
        rt.updatePortfolio({ value: '100000' });
        try {
          await fc.asyncModelRun(() => ({ model: new ControlsModel(), real: { rt } }), cmds);
        } finally {
          await rt.stop();
        }
      }),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);
});
