/**
 * Model-based test of the v3 limits and overrides (PRODUCT.md, "Pre-trade limits": "More limits
 * (v3)"), against a small model of its own (integer quantities and prices, plain arrays): two
 * runtimes in one process on one manual clock. A: maxOpenOrders { total 4, perSymbol 3 } (ES: 2),
 * maxTradedQuantity 12 and maxTradedNotional 900 over a 10 s tradedWindow, selfTrade. B:
 * selfTrade on ES only (NQ off), no other limit (it still publishes its open orders). Commands:
 * orders (named, anonymous, market, in either runtime), fills (of an order, or without an id),
 * closes, position reports (each covers its runtime's open orders), clock steps, overrides of
 * A's limits (by key or code, any ttl) and the orders that match them, and B stopping and a new
 * B starting. Every decision is compared (allowed, or the code), and after every command A's open
 * orders and the overrides journaled (authorised, used).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { runs } from '../runs.ts';

/** Full tier 500 sequences, quick 60 (test/runs.ts); MORE_LIMITS_MODEL_RUNS sets it outright. */
const NUM_RUNS = runs(500, 60, 'MORE_LIMITS_MODEL_RUNS');
type Side = 'buy' | 'sell';
type Sym = 'ES' | 'NQ';
type Who = 'A' | 'B';
type LimitKey = 'maxOpenOrders' | 'maxTradedQuantity' | 'maxTradedNotional' | 'selfTrade';
const CODE: Record<LimitKey, string> = { maxOpenOrders: 'LIMIT_OPEN_ORDERS', maxTradedQuantity: 'LIMIT_TRADED_QUANTITY', maxTradedNotional: 'LIMIT_TRADED_NOTIONAL', selfTrade: 'LIMIT_SELF_TRADE' };
const OFF = { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false } as const;
const LIMITS_A = { maxOpenOrders: { total: 4, perSymbol: 3 }, maxTradedQuantity: 12, maxTradedNotional: '900', tradedWindow: 10, selfTrade: true, perSymbol: { ES: { maxOpenOrders: 2 } } };
const LIMITS_B = { perSymbol: { ES: { selfTrade: true } } };
const PER_SYMBOL_CAP: Record<Sym, number> = { ES: 2, NQ: 3 };
const WINDOW_MS = 10_000;

interface Open {
  who: Who;
  id: string | undefined;
  symbol: Sym;
  side: Side;
  price: number | undefined;
  remaining: number;
}
interface Override {
  limit: LimitKey;
  symbol: Sym;
  side: Side;
  qty: number;
  price: number | undefined;
  expires: number;
}
interface OrderSpec {
  symbol: Sym;
  side: Side;
  qty: number;
  price: number | undefined;
}

class Model {
  now = 0;
  seq = 0;
  open: Open[] = [];
  /** A's fills: when recorded, size and notional. */
  fills: { symbol: Sym; at: number; qty: number; notional: number }[] = [];
  /** A's last prices. */
  last: Partial<Record<Sym, number>> = {};
  overrides: Override[] = [];
  authorized = 0;
  used = 0;

  openOf(who: Who, symbol?: Sym): Open[] {
    return this.open.filter((o) => o.who === who && (symbol === undefined || o.symbol === symbol));
  }

  /** Whether an open order of the other side, of either runtime, could meet the order. */
  crosses(o: OrderSpec): boolean {
    return this.open.some((r) => r.symbol === o.symbol && r.side !== o.side && (o.price === undefined || r.price === undefined || (o.side === 'buy' ? r.price <= o.price : r.price >= o.price)));
  }

  /** A's decision: null (allowed; overrides matched are used) or the code. */
  decideA(o: OrderSpec): string | null {
    const pending: Override[] = [];
    const refuse = (limit: LimitKey, code: string): string | null => {
      this.overrides = this.overrides.filter((v) => v.expires > this.now);
      const match = this.overrides.find((v) => v.limit === limit && !pending.includes(v) && v.symbol === o.symbol && v.side === o.side && v.qty === o.qty && v.price === o.price);
      if (match === undefined) return code;
      pending.push(match);
      return null;
    };
    const mine = this.openOf('A', o.symbol);
    let code: string | null = null;
    if (mine.length + 1 > PER_SYMBOL_CAP[o.symbol] || this.openOf('A').length + 1 > 4) code = refuse('maxOpenOrders', CODE.maxOpenOrders);
    if (code !== null) return code;
    const windowed = this.fills.filter((f) => f.symbol === o.symbol && this.now - f.at < WINDOW_MS);
    const openQty = mine.reduce((s, r) => s + r.remaining, 0);
    if (windowed.reduce((s, f) => s + f.qty, 0) + openQty + o.qty > 12) code = refuse('maxTradedQuantity', CODE.maxTradedQuantity);
    if (code !== null) return code;
    const last = this.last[o.symbol];
    const ref = o.price === undefined ? last : last === undefined ? o.price : Math.max(o.price, last);
    if (ref === undefined) code = refuse('maxTradedNotional', 'LIMIT_PRICE_REFERENCE');
    else if (windowed.reduce((s, f) => s + f.notional, 0) + (openQty + o.qty) * ref > 900) code = refuse('maxTradedNotional', CODE.maxTradedNotional);
    if (code !== null) return code;
    if (this.crosses(o)) code = refuse('selfTrade', CODE.selfTrade);
    if (code !== null) return code;
    this.overrides = this.overrides.filter((v) => !pending.includes(v));
    this.used += pending.length;
    return null;
  }

  decideB(o: OrderSpec): string | null {
    return o.symbol === 'ES' && this.crosses(o) ? CODE.selfTrade : null;
  }
}

interface Real {
  clock: ManualClock;
  rts: Record<Who, RiskRuntime>;
  events: { authorized: number; used: number };
}
type Cmd = fc.AsyncCommand<Model, Real>;

async function start(clock: ManualClock, who: Who, events: Real['events']): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({ strategy: `more-${who}`, clock, logger: silentLogger, breakers: OFF, limits: who === 'A' ? LIMITS_A : LIMITS_B });
  rt.events$.subscribe((e) => {
    if (e.type === 'OverrideAuthorized') events.authorized++;
    if (e.type === 'OverrideUsed') events.used++;
  });
  rt.updatePortfolio({ value: '100000' });
  return rt;
}

function verify(model: Model, real: Real): void {
  expect(real.rts.A.status().controls.openOrders).toBe(model.openOf('A').length);
  expect(real.events).toEqual({ authorized: model.authorized, used: model.used });
}

/** What the runs exercised (so a run that never reaches a limit or an override cannot pass unnoticed). */
const seen = { codes: new Set<string>(), used: 0 };

function place(model: Model, real: Real, who: Who, o: OrderSpec, withId: boolean): void {
  const id = withId ? `${who}${++model.seq}` : undefined;
  const expected = who === 'A' ? model.decideA(o) : model.decideB(o);
  const d = real.rts[who].check({ ...(id ? { id } : {}), symbol: o.symbol, side: o.side, quantity: o.qty, ...(o.price === undefined ? {} : { price: String(o.price) }) });
  expect(d.allowed ? null : d.code, d.allowed ? 'allowed' : d.reason).toBe(expected);
  if (!d.allowed) seen.codes.add(`${who}:${d.code}`);
  if (d.allowed) model.open.push({ who, id, symbol: o.symbol, side: o.side, price: o.price, remaining: o.qty });
}

const show = (o: OrderSpec) => `${o.side} ${o.qty} ${o.symbol}${o.price === undefined ? '' : ` @ ${o.price}`}`;

class Place implements Cmd {
  constructor(readonly who: Who, readonly o: OrderSpec, readonly withId: boolean) {}
  check = () => true;
  async run(model: Model, real: Real) {
    place(model, real, this.who, this.o, this.withId);
    verify(model, real);
  }
  toString = () => `${this.who}.order(${show(this.o)}${this.withId ? ', id' : ''})`;
}

class Fill implements Cmd {
  constructor(readonly who: Who, readonly pick: number, readonly qty: number, readonly price: number, readonly anonymous: boolean) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const mine = model.openOf(this.who).filter((o) => (this.anonymous ? o.id === undefined : o.id !== undefined));
    const target = mine.length === 0 ? undefined : mine[this.pick % mine.length]!;
    const symbol: Sym = target?.symbol ?? (this.pick % 2 === 0 ? 'ES' : 'NQ');
    const side: Side = target?.side ?? 'buy';
    real.rts[this.who].recordFill({ ...(this.anonymous ? {} : { orderId: target?.id ?? 'unknown' }), symbol, side, quantity: this.qty, price: this.price });
    if (this.who === 'A') {
      model.fills.push({ symbol, at: model.now, qty: this.qty, notional: this.qty * this.price });
      model.last[symbol] = this.price;
    }
    // Its own order, or the orders without an id of that symbol and side, oldest first, lose the quantity.
    let left = this.qty;
    const takers = this.anonymous ? model.openOf(this.who, symbol).filter((o) => o.id === undefined && o.side === side) : target === undefined ? [] : [target];
    for (const o of takers) {
      const taken = Math.min(o.remaining, left);
      o.remaining -= taken;
      left -= taken;
    }
    model.open = model.open.filter((o) => o.remaining > 0);
    verify(model, real);
  }
  toString = () => `${this.who}.fill(#${this.pick}${this.anonymous ? ' no id' : ''}, ${this.qty} @ ${this.price})`;
}

class Close implements Cmd {
  constructor(readonly who: Who, readonly pick: number) {}
  check = (model: Readonly<Model>) => model.open.some((o) => o.who === this.who && o.id !== undefined);
  async run(model: Model, real: Real) {
    const named = model.openOf(this.who).filter((o) => o.id !== undefined);
    const order = named[this.pick % named.length]!;
    real.rts[this.who].recordOrderClosed({ id: order.id! });
    model.open = model.open.filter((o) => o !== order);
    verify(model, real);
  }
  toString = () => `${this.who}.close(#${this.pick})`;
}

class Report implements Cmd {
  constructor(readonly who: Who, readonly price: number | undefined) {}
  check = () => true;
  async run(model: Model, real: Real) {
    real.rts[this.who].updatePortfolio({ value: '100000', positions: this.price === undefined ? [] : [{ symbol: 'NQ', quantity: 0, price: this.price }] });
    model.open = model.open.filter((o) => o.who !== this.who);
    if (this.who === 'A' && this.price !== undefined) model.last.NQ = this.price;
    verify(model, real);
  }
  toString = () => `${this.who}.report(${this.price ?? ''})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    real.clock.advance(this.ms);
    model.now += this.ms;
    verify(model, real);
  }
  toString = () => `advance(${this.ms})`;
}

/** To a held override's lapse, exactly or 1 ms before (the ttl's edge). */
class AdvanceToLapse implements Cmd {
  constructor(readonly pick: number, readonly before: boolean) {}
  check = (model: Readonly<Model>) => model.overrides.some((v) => v.expires - model.now > 1);
  async run(model: Model, real: Real) {
    const ahead = model.overrides.filter((v) => v.expires - model.now > 1);
    const ms = ahead[this.pick % ahead.length]!.expires - model.now - (this.before ? 1 : 0);
    real.clock.advance(ms);
    model.now += ms;
    verify(model, real);
  }
  toString = () => `advanceToLapse(#${this.pick}${this.before ? ', 1 ms before' : ''})`;
}

class Authorize implements Cmd {
  constructor(readonly limit: LimitKey, readonly byCode: boolean, readonly o: OrderSpec, readonly ttl: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    real.rts.A.authorizeOverride({ operator: 'op', reason: 'model', limit: this.byCode ? CODE[this.limit] : this.limit, order: { symbol: this.o.symbol.toLowerCase(), side: this.o.side, quantity: this.o.qty, price: this.o.price ?? null }, ttl: this.ttl });
    model.overrides.push({ limit: this.limit, ...this.o, expires: model.now + this.ttl * 1000 });
    model.authorized++;
    verify(model, real);
  }
  toString = () => `authorize(${this.byCode ? CODE[this.limit] : this.limit}, ${show(this.o)}, ttl ${this.ttl})`;
}

/** The order an override (held, perhaps lapsed) names, checked by A. */
class PlaceOverridden implements Cmd {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.overrides.length > 0;
  async run(model: Model, real: Real) {
    const v = model.overrides[this.pick % model.overrides.length]!;
    place(model, real, 'A', { symbol: v.symbol, side: v.side, qty: v.qty, price: v.price }, this.pick % 2 === 0);
    verify(model, real);
  }
  toString = () => `A.orderOfOverride(#${this.pick})`;
}

class RestartB implements Cmd {
  check = () => true;
  async run(model: Model, real: Real) {
    await real.rts.B.stop();
    model.open = model.open.filter((o) => o.who !== 'B');
    real.rts.B = await start(real.clock, 'B', real.events);
    verify(model, real);
  }
  toString = () => 'B.stop+start';
}

const PRICES = [90, 100, 110];
const spec = fc.record({
  symbol: fc.constantFrom<Sym>('ES', 'NQ'),
  side: fc.constantFrom<Side>('buy', 'sell'),
  qty: fc.integer({ min: 1, max: 5 }),
  price: fc.option(fc.constantFrom(...PRICES), { nil: undefined, freq: 4 }),
});
const who = fc.constantFrom<Who>('A', 'A', 'B');
const commands = [
  fc.tuple(who, spec, fc.boolean()).map(([w, o, id]) => new Place(w, o, id)),
  fc.tuple(who, spec, fc.boolean()).map(([w, o, id]) => new Place(w, o, id)),
  fc.tuple(who, fc.nat(10), fc.integer({ min: 1, max: 4 }), fc.constantFrom(...PRICES), fc.boolean()).map(([w, p, q, px, anon]) => new Fill(w, p, q, px, anon)),
  fc.tuple(who, fc.nat(10)).map(([w, p]) => new Close(w, p)),
  fc.tuple(who, fc.option(fc.constantFrom(...PRICES), { nil: undefined })).map(([w, px]) => new Report(w, px)),
  fc.constantFrom(1, 999, 1000, 4000, 9999, 10_000).map((ms) => new Advance(ms)),
  fc.tuple(fc.constantFrom<LimitKey>('maxOpenOrders', 'maxTradedQuantity', 'maxTradedNotional', 'selfTrade'), fc.boolean(), spec, fc.constantFrom(1, 5, 30)).map(([l, c, o, t]) => new Authorize(l, c, o, t)),
  fc.nat(10).map((p) => new PlaceOverridden(p)),
  fc.nat(10).map((p) => new PlaceOverridden(p)),
  fc.tuple(fc.nat(10), fc.boolean()).map(([p, b]) => new AdvanceToLapse(p, b)),
  fc.constant(new RestartB()),
];

describe('model-based: maxOpenOrders, the traded limits, selfTrade across two runtimes, overrides', () => {
  it(`${NUM_RUNS} random sequences agree with the model decision by decision`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'large' }), async (cmds) => {
        const clock = new ManualClock();
        const events = { authorized: 0, used: 0 };
        const rts = { A: await start(clock, 'A', events), B: await start(clock, 'B', events) };
        try {
          await fc.asyncModelRun(() => ({ model: new Model(), real: { clock, rts, events } }), cmds);
        } finally {
          seen.used += events.used;
          await rts.A.stop();
          await rts.B.stop();
        }
      }),
      { numRuns: NUM_RUNS },
    );
    expect([...seen.codes].sort()).toEqual(['A:LIMIT_OPEN_ORDERS', 'A:LIMIT_PRICE_REFERENCE', 'A:LIMIT_SELF_TRADE', 'A:LIMIT_TRADED_NOTIONAL', 'A:LIMIT_TRADED_QUANTITY', 'B:LIMIT_SELF_TRADE']);
    expect(seen.used).toBeGreaterThan(0);
  }, 300_000);
});
