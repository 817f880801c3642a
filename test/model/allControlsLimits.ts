/**
 * The limits half of the combined reference model (allControls.model.test.ts): the position
 * books of two runtimes of one process (A with every v3 limit, B with selfTrade on ES only), A's
 * traded window, last prices and overrides (PRODUCT.md, "Pre-trade limits", "More limits"), in
 * integer quantities and prices, as moreLimits.model.test.ts models them, plus what the book
 * stamps (a report covers the orders and fills stamped up to its asOf; a late fill at or before
 * the newest report's asOf is in it already) so that every figure of status().controls compares.
 */
export type Side = 'buy' | 'sell';
export type Sym = 'ES' | 'NQ';
export const SYMS: readonly Sym[] = ['ES', 'NQ'];
export type Who = 'A' | 'B';
export type LimitKey = 'maxOpenOrders' | 'maxTradedQuantity' | 'maxTradedNotional' | 'selfTrade';
export const CODE: Record<LimitKey, string> = { maxOpenOrders: 'LIMIT_OPEN_ORDERS', maxTradedQuantity: 'LIMIT_TRADED_QUANTITY', maxTradedNotional: 'LIMIT_TRADED_NOTIONAL', selfTrade: 'LIMIT_SELF_TRADE' };
export const LIMITS_A = { maxOpenOrders: { total: 3, perSymbol: 3 }, maxTradedQuantity: 8, maxTradedNotional: '900', tradedWindow: 10, selfTrade: true, perSymbol: { ES: { maxOpenOrders: 1 } } };
export const LIMITS_B = { perSymbol: { ES: { selfTrade: true } } };
/** NQ's cap is the global perSymbol 3, ES's its own 1; the total 3 binds first for NQ once ES holds one. */
const PER_SYMBOL_CAP: Record<Sym, number> = { ES: 1, NQ: 3 };
export const TOTAL_CAP = 3;
const MAX_QTY = 8;
const MAX_NOTIONAL = 900;
const TRADED_MS = 10_000;

export interface OrderSpec {
  symbol: Sym;
  side: Side;
  qty: number;
  price: number | undefined;
}
interface Open extends OrderSpec {
  who: Who;
  id: string | undefined;
  remaining: number;
  /** The book's stamp (wall ms, never decreasing): a report as of a later or equal time covers it. */
  stamp: number;
}
interface Override extends OrderSpec {
  limit: LimitKey;
  expires: number;
}

export class LimitsModel {
  open: Open[] = [];
  /** Per runtime: the latest time stamped on an order or an untimed fill, and the newest accepted report's asOf. */
  stamp: Record<Who, number> = { A: -Infinity, B: -Infinity };
  bookAsOf: Record<Who, number | null> = { A: null, B: null };
  /** A's fills in the traded window (monotonic recording instants). */
  traded: { symbol: Sym; at: number; qty: number; notional: number }[] = [];
  /** A's fills not yet covered by a report (signed), with their stamps. */
  filled: { symbol: Sym; signed: number; stamp: number }[] = [];
  reported: Record<Sym, number> = { ES: 0, NQ: 0 };
  lastPrice: Partial<Record<Sym, { price: number; at: number }>> = {};
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

  /** A's limits (the gate is open): null (allowed; the overrides it matched are used up) or the code. */
  decideA(o: OrderSpec, mono: number): string | null {
    const pending: Override[] = [];
    this.overrides = this.overrides.filter((v) => v.expires > mono);
    const refuse = (limit: LimitKey, code: string): string | null => {
      const match = this.overrides.find((v) => v.limit === limit && !pending.includes(v) && v.symbol === o.symbol && v.side === o.side && v.qty === o.qty && v.price === o.price);
      if (match === undefined) return code;
      pending.push(match);
      return null;
    };
    const mine = this.openOf('A', o.symbol);
    let code: string | null = null;
    if (mine.length + 1 > PER_SYMBOL_CAP[o.symbol] || this.openOf('A').length + 1 > TOTAL_CAP) code = refuse('maxOpenOrders', CODE.maxOpenOrders);
    if (code !== null) return code;
    const windowed = this.tradedIn(o.symbol, mono);
    const openQty = mine.reduce((s, r) => s + r.remaining, 0);
    if (windowed.qty + openQty + o.qty > MAX_QTY) code = refuse('maxTradedQuantity', CODE.maxTradedQuantity);
    if (code !== null) return code;
    const last = this.lastPrice[o.symbol]?.price;
    const ref = o.price === undefined ? last : last === undefined ? o.price : Math.max(o.price, last);
    if (ref === undefined) code = refuse('maxTradedNotional', 'LIMIT_PRICE_REFERENCE');
    else if (windowed.notional + (openQty + o.qty) * ref > MAX_NOTIONAL) code = refuse('maxTradedNotional', CODE.maxTradedNotional);
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

  /** An allowed order enters its runtime's book (and the process's self-trade book). */
  add(who: Who, id: string | undefined, o: OrderSpec, wall: number): void {
    this.stamp[who] = Math.max(this.stamp[who], wall);
    this.open.push({ who, id, ...o, remaining: o.qty, stamp: this.stamp[who] });
  }

  tradedIn(symbol: Sym, mono: number): { qty: number; notional: number } {
    this.traded = this.traded.filter((f) => mono - f.at < TRADED_MS);
    let qty = 0;
    let notional = 0;
    for (const f of this.traded) if (f.symbol === symbol) [qty, notional] = [qty + f.qty, notional + f.notional];
    return { qty, notional };
  }

  /**
   * A fill recorded by `who` (`id`: its order id, or undefined for a fill without one; `executedAt`:
   * the timestamp it carried, or undefined): its own order (or the orders without an id, oldest
   * first) loses the quantity; in A it moves the position (unless the newest report covers it),
   * may set the last price, and enters the traded window.
   */
  fill(who: Who, id: string | undefined, symbol: Sym, side: Side, qty: number, price: number, executedAt: number | undefined, wall: number, mono: number): void {
    if (executedAt === undefined) this.stamp[who] = Math.max(this.stamp[who], wall);
    const stamped = executedAt ?? this.stamp[who];
    let left = qty;
    const own = id === undefined ? this.openOf(who, symbol).filter((o) => o.id === undefined && o.side === side) : this.openOf(who, symbol).filter((o) => o.id === id && o.side === side);
    for (const o of own) {
      const taken = Math.min(o.remaining, left);
      o.remaining -= taken;
      left -= taken;
    }
    this.open = this.open.filter((o) => o.remaining > 0);
    if (who === 'B') return;
    const asOf = this.bookAsOf.A;
    const reported = executedAt !== undefined && asOf !== null && executedAt <= asOf;
    if (!reported) {
      this.filled.push({ symbol, signed: side === 'buy' ? qty : -qty, stamp: stamped });
      const last = this.lastPrice[symbol];
      if (last === undefined || stamped >= last.at) this.lastPrice[symbol] = { price, at: stamped };
    }
    this.traded.push({ symbol, at: mono, qty, notional: qty * price });
  }

  close(who: Who, id: string): void {
    this.open = this.open.filter((o) => !(o.who === who && o.id === id));
  }

  /** A position report as of `asOf` (null: when received at `wall`, covering everything recorded); false when older than the newest accepted one. */
  report(who: Who, positions: Map<Sym, number>, asOf: number | null, wall: number): boolean {
    const newest = this.bookAsOf[who];
    if (asOf !== null && newest !== null && asOf < newest) return false;
    const at = asOf ?? Math.max(wall, this.stamp[who], newest ?? -Infinity);
    this.open = this.open.filter((o) => o.who !== who || o.stamp > at);
    this.bookAsOf[who] = at;
    if (who === 'A') {
      this.filled = this.filled.filter((f) => f.stamp > at);
      this.reported = { ES: positions.get('ES') ?? 0, NQ: positions.get('NQ') ?? 0 };
    }
    return true;
  }

  /** A runtime stopped and a new one started: its book, window, prices and overrides are forgotten. */
  restart(who: Who): void {
    this.open = this.open.filter((o) => o.who !== who);
    this.stamp[who] = -Infinity;
    this.bookAsOf[who] = null;
    if (who === 'B') return;
    this.traded = [];
    this.filled = [];
    this.reported = { ES: 0, NQ: 0 };
    this.lastPrice = {};
    this.overrides = [];
  }

  /** A symbol's figures as status().controls.symbols[] shows them. */
  symbolFigures(symbol: Sym, mono: number) {
    const mine = this.openOf('A', symbol);
    const openBuy = mine.filter((o) => o.side === 'buy').reduce((s, o) => s + o.remaining, 0);
    const openSell = mine.filter((o) => o.side === 'sell').reduce((s, o) => s + o.remaining, 0);
    const filled = this.filled.filter((f) => f.symbol === symbol).reduce((s, f) => s + f.signed, 0);
    const t = this.tradedIn(symbol, mono);
    return {
      reported: String(this.reported[symbol]),
      filled: String(filled),
      openBuy: String(openBuy),
      openSell: String(openSell),
      projected: String(this.reported[symbol] + filled + openBuy - openSell),
      lastPrice: this.lastPrice[symbol] === undefined ? null : String(this.lastPrice[symbol]!.price),
      openOrders: mine.length,
      maxOpenOrders: PER_SYMBOL_CAP[symbol],
      traded: { quantity: String(t.qty), notional: String(t.notional) },
    };
  }
}
