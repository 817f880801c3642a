import { NO_LIMITS, type LimitCode, type LimitContext, type LimitName, type LimitRule, type OrderFacts, type SymbolLimits } from '../../machines/limits/limit.ts';
import { PositionBook } from '../../machines/limits/positions.ts';
import { LIMITS, reduceOnlyLimit } from '../../machines/limits/registry.ts';
import { Exact } from '../../machines/math/exact.ts';
import { LimitSet, type ParsedLimits } from '../limitsConfig.ts';
import { DuplicateIndex } from './duplicates.ts';
import type { ValidOrder } from './orderInput.ts';
import type { ControlsStatus, FillReport, Position, SymbolControls } from './types.ts';

/** Why a pre-trade control rejected an order. */
export interface ControlVerdict {
  readonly code: LimitCode;
  readonly limit: LimitName;
  readonly reason: string;
}


/** A reusable order view (one per runtime: check() is synchronous and never re-entered mid-decision). */
class Facts implements OrderFacts {
  id: string | undefined = undefined;
  symbol = '';
  side: 'buy' | 'sell' = 'buy';
  qty = 0;
  qtyRaw: unknown = 0;
  price: number | undefined = undefined;
  priceRaw: unknown = undefined;
}

/**
 * The trading controls of one strategy: the pre-trade limits (after the breakers), reduce-only
 * (while the trading mode is REDUCING) and the projected positions they read. Plain code: the
 * breakers' states stay in their actors; the gate tells `check()` which of these to apply.
 */
export class Controls {
  readonly book = new PositionBook();
  readonly limits: LimitSet | null;
  readonly #rules = new Map<string, { limits: SymbolLimits; rules: readonly LimitRule[] }>();
  /** The symbol decided last and its rules (orders in one symbol come in runs). */
  #lastSymbol: string | null = null;
  #lastRules: { limits: SymbolLimits; rules: readonly LimitRule[] } | null = null;
  readonly #duplicates = new DuplicateIndex();
  readonly #facts = new Facts();
  readonly #ctx: LimitContext & { now: number };
  readonly rejections: Record<string, number> = {};
  lastRejection: { code: string; reason: string; symbol: string | null; at: number } | null = null;

  constructor(limits: ParsedLimits | null) {
    this.limits = limits === null ? null : new LimitSet(limits);
    const duplicates = this.#duplicates;
    const ctx = {
      book: this.book,
      now: 0,
      lastSame: (o: OrderFacts): number | undefined => duplicates.last(o.symbol, o.side, o.qtyRaw, o.priceRaw, o.qty, o.price),
    };
    this.#ctx = ctx;
  }

  /**
   * Decides an order the breakers let through (or that must reduce, while REDUCING): null when
   * it passes (its quantity is then reserved), else the verdict. No Decimal is built unless a
   * figure sits at a limit's boundary.
   */
  decide(
    id: string | undefined,
    symbol: string,
    side: ValidOrder['side'],
    quantity: ValidOrder['quantity'],
    price: ValidOrder['price'],
    now: number,
    reducing: boolean,
    /** The quantity and the price as doubles (read with the order: no second parse). */
    qty: number,
    px: number | undefined,
  ): ControlVerdict | null {
    const facts = this.#facts;
    facts.id = id;
    facts.symbol = symbol;
    facts.side = side;
    facts.qtyRaw = quantity;
    facts.qty = qty;
    facts.priceRaw = price;
    facts.price = px;
    const ctx = this.#ctx;
    ctx.now = now;
    this.#duplicates.forget();
    const { limits, rules } = this.#rulesFor(symbol);
    if (reducing) {
      const reason = reduceOnlyLimit.check(facts, limits, ctx);
      if (reason !== null) return { code: reduceOnlyLimit.code, limit: reduceOnlyLimit.name, reason };
    }
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      const reason = rule.check(facts, limits, ctx);
      if (reason !== null) return { code: rule.code, limit: rule.name, reason };
    }
    // `now` is wall-clock ms: a position report's asOf is compared with it.
    if (reducing || this.limits!.needsProjection) this.book.open(facts, now);
    if (limits.duplicateWindowMs !== null) this.#duplicates.remember(symbol, side, quantity, price, qty, px, now, limits.duplicateWindowMs);
    return null;
  }

  /** Counts a rejection for status. */
  rejected(verdict: ControlVerdict, symbol: string | null, at: number): void {
    this.rejections[verdict.code] = (this.rejections[verdict.code] ?? 0) + 1;
    this.lastRejection = { code: verdict.code, reason: verdict.reason, symbol, at };
  }

  fill(fill: FillReport): void {
    this.book.fill(fill.symbol, fill.side, new Exact(fill.quantity), new Exact(fill.price), fill.orderId, fill.at);
  }

  close(id: string): boolean {
    return this.book.close(id);
  }

  /** A position report as of `asOf` (null: when received, at `receivedAt`); false when older than the newest accepted one (ignored). */
  report(positions: readonly Position[], asOf: number | null, receivedAt: number): boolean {
    return this.book.report(positions, asOf, receivedAt);
  }

  /** The controls for status(): limits, projected positions and their use, rejections. */
  status(): ControlsStatus {
    const symbols: SymbolControls[] = this.book.projections().map((p) => {
      const limits = this.limits?.for(p.symbol) ?? NO_LIMITS;
      const max = limits.maxPosition;
      return {
        ...p,
        maxPosition: max?.text ?? null,
        positionUse: max === null ? null : new Exact(p.projected).abs().div(max.exact).toSignificantDigits(6).toFixed(),
        restricted: limits.restricted,
      };
    });
    const grossLimit = this.limits?.for('').maxGrossExposure ?? null;
    let gross: string | null = null;
    if (grossLimit !== null) {
      let total = new Exact(0);
      for (const p of symbols) {
        if (new Exact(p.projected).isZero()) continue;
        if (p.lastPrice === null) {
          total = new Exact(NaN);
          break;
        }
        total = total.plus(new Exact(p.projected).abs().times(p.lastPrice));
      }
      gross = total.isNaN() ? null : total.toFixed();
    }
    const last = this.lastRejection;
    return {
      limits: this.limits === null ? false : this.limits.config,
      symbols,
      grossExposure: grossLimit === null ? null : { value: gross, limit: grossLimit.text },
      rejections: { ...this.rejections },
      lastRejection: last === null ? null : { code: last.code, reason: last.reason, symbol: last.symbol, at: new Date(last.at).toISOString() },
      openOrders: this.book.openCount,
    };
  }

  #rulesFor(symbol: string): { limits: SymbolLimits; rules: readonly LimitRule[] } {
    if (symbol === this.#lastSymbol) return this.#lastRules!;
    let entry = this.#rules.get(symbol);
    if (entry === undefined) {
      const limits = this.limits?.for(symbol) ?? NO_LIMITS;
      entry = { limits, rules: LIMITS.filter((r) => r.applies(limits)) };
      if (this.#rules.size < 100_000) this.#rules.set(symbol, entry);
    }
    this.#lastSymbol = symbol;
    this.#lastRules = entry;
    return entry;
  }
}
