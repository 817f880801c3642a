/**
 * Model-based test of the pre-trade limits with symbols in several spellings and the v3
 * valuation (PRODUCT.md, "Inputs and their bounds" and "Pre-trade limits"), against a small
 * model of its own: integer quantities and prices (every figure exact in doubles), plain arrays.
 * Every decision is compared (allowed, and the code when rejected), and after every command the
 * projections and the gross exposure that status() shows.
 *
 * Symbols: ES, NQ and XYZ (restricted), each in upper, lower and mixed case (one symbol) and in
 * malformed spellings (spaces, control and format characters, full-width letters), in orders,
 * fills and position reports. Valuation: notional at the higher of the limit and the last price,
 * gross exposure at each symbol's worst side × its reference price, LIMIT_PRICE_REFERENCE where
 * no reference exists, and a price collar whose reference may be at most 5 s old (NQ: no collar, so an order priced far
 * from the market meets the valuation rules).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRiskRuntime, InvalidInputError, ManualClock, silentLogger, type Decision, type RiskRuntime } from '../../src/index.ts';
import { runs } from '../runs.ts';

/** Full tier 1000 sequences, quick 100 (test/runs.ts); LIMITS_MODEL_RUNS sets it outright. */
const NUM_RUNS = runs(1000, 100, 'LIMITS_MODEL_RUNS');
type Side = 'buy' | 'sell';
type Canonical = 'ES' | 'NQ' | 'XYZ';
const CANONICAL: readonly Canonical[] = ['ES', 'NQ', 'XYZ'];

/** As configured: per-symbol keys and the restricted list in other spellings too. */
const LIMITS = {
  maxPosition: 20,
  maxOrderNotional: '1000',
  maxGrossExposure: '1500',
  priceCollar: { band: 0.2, referenceMaxAge: 5 },
  restrictedSymbols: ['xyz'],
  perSymbol: { es: { maxPosition: 10 }, Nq: { priceCollar: false as const } },
};
const MAX_POSITION: Record<Canonical, number> = { ES: 10, NQ: 20, XYZ: 20 };
const NOTIONAL = 1000;
const GROSS = 1500;
const MAX_AGE_MS = 5000;

/** Well-formed spellings of a symbol (one symbol in upper case) and malformed ones. */
const spellings = (c: string) => [c, c.toLowerCase(), c[0] + c.slice(1).toLowerCase()];
const malformed = (c: string) => [
  `${c} `,
  ` ${c}`,
  `${c}\n`,
  `${c}\t`,
  `${c}\0`,
  `${c}\u200b`,
  `\u202e${c}`,
  [...c].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(''), // full-width
];
/** XYZ (restricted) less often than the symbols that can trade. */
const WEIGHTED: readonly Canonical[] = ['ES', 'ES', 'NQ', 'NQ', 'XYZ'];
const spelled = fc.tuple(fc.constantFrom(...WEIGHTED), fc.nat(2)).map(([c, i]) => spellings(c)[i]!);
const anySymbol = fc.oneof({ weight: 4, arbitrary: spelled }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CANONICAL), fc.nat(7)).map(([c, i]) => malformed(c)[i]!) });

const canonicalOf = (s: string): Canonical | null => (CANONICAL as readonly string[]).includes(s.toUpperCase()) && /^[A-Za-z]+$/.test(s) ? (s.toUpperCase() as Canonical) : null;

interface Open {
  id: string;
  symbol: Canonical;
  side: Side;
  remaining: number;
}

class LimitsModel {
  now = 0;
  reported: Record<string, number> = {};
  filled: Record<string, number> = {};
  last: Record<string, number> = {};
  lastAt: Record<string, number> = {};
  open: Open[] = [];
  seq = 0;
  known = new Set<Canonical>();

  openSum(symbol: string, side: Side): number {
    return this.open.filter((o) => o.symbol === symbol && o.side === side).reduce((s, o) => s + o.remaining, 0);
  }
  base(symbol: string): number {
    return (this.reported[symbol] ?? 0) + (this.filled[symbol] ?? 0);
  }
  long(symbol: string): number {
    return this.base(symbol) + this.openSum(symbol, 'buy');
  }
  short(symbol: string): number {
    return this.base(symbol) - this.openSum(symbol, 'sell');
  }
  net(symbol: string): number {
    return this.base(symbol) + this.openSum(symbol, 'buy') - this.openSum(symbol, 'sell');
  }

  /** Σ worst side × reference price (the order's own symbol at `ownRef`), the order added to its side; null: a held symbol has no price. */
  gross(order: { symbol: Canonical; side: Side; qty: number; ownRef: number } | null): number | null {
    let total = 0;
    for (const s of CANONICAL) {
      const mine = order !== null && order.symbol === s;
      let long = this.long(s);
      let short = this.short(s);
      if (mine && order.side === 'buy') long += order.qty;
      if (mine && order.side === 'sell') short -= order.qty;
      if (long === 0 && short === 0) continue;
      const ref = mine ? order.ownRef : this.last[s];
      if (ref === undefined) return null;
      total += Math.max(Math.abs(long), Math.abs(short)) * ref;
    }
    return total;
  }

  /** The code the order is rejected with, or null when it passes (the registry's order: restricted, collar, notional, position, gross). */
  decide(symbol: string, side: Side, qty: number, price: number | undefined): string | null {
    const c = canonicalOf(symbol);
    if (c === null) return 'MALFORMED_ORDER';
    if (c === 'XYZ') return 'LIMIT_RESTRICTED';
    const last = this.last[c];
    if (price !== undefined) {
      // NQ has no collar: an order priced far from the market is valued at the higher of its price and the last one.
      if (c !== 'NQ') {
        if (last === undefined || this.now - this.lastAt[c]! > MAX_AGE_MS) return 'LIMIT_PRICE_REFERENCE';
        if (5 * Math.abs(price - last) > last) return 'LIMIT_PRICE_COLLAR'; // band 0.2
      }
    }
    const ref = price === undefined ? last : last === undefined ? price : Math.max(price, last);
    if (ref === undefined) return 'LIMIT_PRICE_REFERENCE';
    if (qty * ref > NOTIONAL) return 'LIMIT_ORDER_NOTIONAL';
    const before = side === 'buy' ? this.long(c) : this.short(c);
    const after = side === 'buy' ? before + qty : before - qty;
    if (Math.abs(after) > MAX_POSITION[c] && Math.abs(after) >= Math.abs(before)) return 'LIMIT_POSITION';
    const grossBefore = this.gross({ symbol: c, side, qty: 0, ownRef: ref });
    const grossAfter = this.gross({ symbol: c, side, qty, ownRef: ref });
    if (grossBefore === null || grossAfter === null) return 'LIMIT_PRICE_REFERENCE';
    if (grossAfter > GROSS && grossAfter > grossBefore) return 'LIMIT_GROSS_EXPOSURE';
    return null;
  }
}

interface Real {
  rt: RiskRuntime;
  clock: ManualClock;
}
type Cmd = fc.AsyncCommand<LimitsModel, Real>;

function verify(model: LimitsModel, real: Real): void {
  const status = real.rt.status().controls;
  // One row per canonical symbol, never one per spelling.
  for (const row of status.symbols) expect(CANONICAL, `status shows ${JSON.stringify(row.symbol)}`).toContain(row.symbol);
  for (const s of CANONICAL) {
    const row = status.symbols.find((r) => r.symbol === s);
    expect(`${s}:${Number(row?.projected ?? 0)}:${row?.lastPrice ?? null}`).toBe(`${s}:${model.net(s)}:${model.last[s] === undefined ? null : String(model.last[s])}`);
  }
  const gross = model.gross(null);
  expect(status.grossExposure).toEqual({ value: gross === null ? null : String(gross), limit: '1500' });
}

class PlaceOrder implements Cmd {
  constructor(readonly symbol: string, readonly side: Side, readonly qty: number, readonly price: number | undefined, readonly withId: boolean) {}
  check = () => true;
  async run(model: LimitsModel, real: Real) {
    const id = this.withId ? `o${++model.seq}` : undefined;
    const expected = model.decide(this.symbol, this.side, this.qty, this.price);
    const decision: Decision = real.rt.check({ ...(id ? { id } : {}), symbol: this.symbol, side: this.side, quantity: this.qty, ...(this.price === undefined ? {} : { price: String(this.price) }) });
    expect(decision.allowed ? null : decision.code, decision.allowed ? 'allowed' : decision.reason).toBe(expected);
    if (decision.allowed) model.open.push({ id: id ?? `anon${++model.seq}`, symbol: canonicalOf(this.symbol)!, side: this.side, remaining: this.qty });
    verify(model, real);
  }
  toString = () => `order(${this.side} ${this.qty} ${JSON.stringify(this.symbol)}${this.price === undefined ? '' : ` @ ${this.price}`}${this.withId ? ', id' : ''})`;
}

class FillOrder implements Cmd {
  constructor(readonly pick: number, readonly fraction: number, readonly price: number, readonly spelling: number) {}
  check = (model: Readonly<LimitsModel>) => model.open.some((o) => o.id.startsWith('o'));
  async run(model: LimitsModel, real: Real) {
    const named = model.open.filter((o) => o.id.startsWith('o'));
    const order = named[this.pick % named.length]!;
    const qty = Math.max(1, Math.floor(order.remaining * this.fraction));
    const symbol = spellings(order.symbol)[this.spelling % 3]!;
    real.rt.recordFill({ orderId: order.id, symbol, side: order.side, quantity: qty, price: this.price });
    model.filled[order.symbol] = (model.filled[order.symbol] ?? 0) + (order.side === 'buy' ? qty : -qty);
    model.last[order.symbol] = this.price;
    model.lastAt[order.symbol] = model.now;
    order.remaining -= qty;
    model.open = model.open.filter((o) => o.remaining > 0);
    verify(model, real);
  }
  toString = () => `fill(#${this.pick}, ${this.fraction} @ ${this.price}, spelling ${this.spelling})`;
}

class MalformedFill implements Cmd {
  constructor(readonly symbol: string) {}
  check = () => true;
  async run(model: LimitsModel, real: Real) {
    expect(() => real.rt.recordFill({ symbol: this.symbol, side: 'buy', quantity: 1, price: 1 })).toThrow(InvalidInputError);
    verify(model, real);
  }
  toString = () => `malformedFill(${JSON.stringify(this.symbol)})`;
}

class CloseOrder implements Cmd {
  constructor(readonly pick: number) {}
  check = (model: Readonly<LimitsModel>) => model.open.some((o) => o.id.startsWith('o'));
  async run(model: LimitsModel, real: Real) {
    const named = model.open.filter((o) => o.id.startsWith('o'));
    const order = named[this.pick % named.length]!;
    expect(real.rt.recordOrderClosed({ id: order.id })).toBe(true);
    model.open = model.open.filter((o) => o !== order);
    verify(model, real);
  }
  toString = () => `close(#${this.pick})`;
}

class Report implements Cmd {
  constructor(readonly positions: readonly { symbol: string; quantity: number; price?: number }[]) {}
  check = () => true;
  async run(model: LimitsModel, real: Real) {
    const bad = this.positions.some((p) => canonicalOf(p.symbol) === null);
    if (bad) {
      expect(() => real.rt.updatePortfolio({ value: '100000', positions: this.positions })).toThrow(InvalidInputError);
      // A refused update blocks orders (DATA_FAULT) until a valid value arrives: one without positions changes no projection.
      expect(real.rt.check({ symbol: 'ES', side: 'buy', quantity: 1 })).toMatchObject({ code: 'DATA_FAULT' });
      real.rt.updatePortfolio({ value: '100000' });
    } else {
      real.rt.updatePortfolio({ value: '100000', positions: this.positions });
      model.reported = {};
      model.filled = {};
      model.open = [];
      for (const p of this.positions) {
        const c = canonicalOf(p.symbol)!;
        model.reported[c] = (model.reported[c] ?? 0) + p.quantity;
        if (p.price !== undefined) {
          model.last[c] = p.price;
          model.lastAt[c] = model.now;
        }
      }
    }
    verify(model, real);
  }
  toString = () => `report(${this.positions.map((p) => `${JSON.stringify(p.symbol)} ${p.quantity}${p.price === undefined ? '' : ` @ ${p.price}`}`).join(', ')})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: LimitsModel, real: Real) {
    real.clock.advance(this.ms);
    model.now += this.ms;
    verify(model, real);
  }
  toString = () => `advance(${this.ms})`;
}

const PRICES = [1, 5, 10, 11, 50, 60, 100, 120, 150, 200];
const LAST_PRICES = [10, 50, 100, 150] as const;
const position = fc.record({ symbol: anySymbol, quantity: fc.integer({ min: -12, max: 12 }), price: fc.option(fc.constantFrom(...LAST_PRICES), { nil: undefined }) }, { requiredKeys: ['symbol', 'quantity'] });
const order = fc
  .tuple(anySymbol, fc.constantFrom<Side>('buy', 'sell'), fc.integer({ min: 1, max: 12 }), fc.option(fc.constantFrom(...PRICES), { nil: undefined }), fc.boolean())
  .map(([s, side, q, p, id]) => new PlaceOrder(s, side, q, p, id));
const commands = [
  order,
  order,
  order,
  fc.tuple(fc.nat(20), fc.constantFrom(0.3, 0.5, 1), fc.constantFrom(...LAST_PRICES), fc.nat(2)).map(([p, f, px, sp]) => new FillOrder(p, f, px, sp)),
  fc.tuple(fc.constantFrom(...CANONICAL), fc.nat(7)).map(([c, i]) => new MalformedFill(malformed(c)[i]!)),
  fc.nat(20).map((p) => new CloseOrder(p)),
  // One position per symbol: a symbol twice in one report (in two spellings) would sum.
  fc.uniqueArray(position, { maxLength: 3, selector: (p) => p.symbol.toUpperCase().trim() }).map((ps) => new Report(ps)),
  fc.constantFrom(1, 500, 1000, 2500, 6000).map((ms) => new Advance(ms)),
];

describe('model-based: pre-trade limits with symbol spellings and the v3 valuation', () => {
  it(`${NUM_RUNS} random sequences of spelled orders, fills, closes, reports and clock steps agree with the model decision by decision`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 80, size: 'large' }), async (cmds) => {
        const clock = new ManualClock();
        const rt = await createRiskRuntime({ strategy: 'limits-model', clock, logger: silentLogger, breakers: { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false }, limits: LIMITS });
        rt.updatePortfolio({ value: '100000', positions: [{ symbol: 'es', quantity: 0, price: 100 }, { symbol: 'NQ', quantity: 0, price: 50 }] });
        const model = new LimitsModel();
        Object.assign(model.last, { ES: 100, NQ: 50 });
        Object.assign(model.lastAt, { ES: 0, NQ: 0 });
        Object.assign(model.reported, { ES: 0, NQ: 0 });
        try {
          await fc.asyncModelRun(() => ({ model, real: { rt, clock } }), cmds);
        } finally {
          await rt.stop();
        }
      }),
      { numRuns: NUM_RUNS },
    );
  }, 300_000);
});
