import { NO_LIMITS, type LimitCode, type LimitContext, type LimitName, type LimitRefusal, type LimitRule, type OrderFacts, type SymbolLimits } from '../../machines/limits/limit.ts';
import { PositionBook } from '../../machines/limits/positions.ts';
import { LIMITS, reduceOnlyLimit } from '../../machines/limits/registry.ts';
import type { LimitNeeds } from '../../machines/limits/rule.ts';
import { canonicalSymbol, SymbolCase } from '../../machines/limits/symbol.ts';
import { TradedFills } from '../../machines/limits/tradedFills.ts';
import { Exact } from '../../machines/math/exact.ts';
import { systemClock, withMonotonic, type Clock, type MonotonicClock } from '../clock.ts';
import { LimitSet, type ParsedLimits } from '../limitsConfig.ts';
import { DuplicateIndex } from './duplicates.ts';
import type { ValidOrder } from './orderInput.ts';
import { Overrides } from './overrideBook.ts';
import { RestingOrders } from './selfTrade.ts';
import type { ControlsStatus, FillReport, Position, SymbolControls } from './types.ts';

/** Why a pre-trade control rejected an order. */
export interface ControlVerdict {
  readonly code: LimitCode;
  readonly limit: LimitName;
  readonly reason: string;
}

/** A rule's answer as the runtime's verdict (a refusal may carry another code than the rule's own). */
function verdictOf(rule: { readonly name: LimitName; readonly code: LimitCode }, answer: string | LimitRefusal<LimitCode>): ControlVerdict {
  return typeof answer === 'string' ? { code: rule.code, limit: rule.name, reason: answer } : { code: answer.code, limit: rule.name, reason: answer.reason };
}

/** A symbol's limits, the rules they turn on and what those need from the runtime (read once per symbol). */
interface SymbolRules {
  readonly limits: SymbolLimits;
  readonly rules: readonly LimitRule[];
  /**
   * The rules' decisions, read out of their rows once (no row uses `this`): each row has its own
   * shape, so reading `rule.check` per order was a megamorphic property load per rule.
   */
  readonly checks: readonly LimitRule['check'][];
  /** Some rule reads `ctx.now` (the monotonic clock). */
  readonly clock: boolean;
  /** How long allowed orders are remembered for `ctx.lastSame` (ms; 0: not at all). */
  readonly historyMs: number;
  /** How long fills are kept for `ctx.traded` (ms; 0: not at all). */
  readonly fillsMs: number;
}

/** What the rules that apply to `limits` need (their rows say). */
function symbolRules(limits: SymbolLimits, rules: readonly LimitRule[]): SymbolRules {
  const needs: readonly LimitNeeds<SymbolLimits>[] = rules.map((r) => r.needs);
  return {
    limits,
    rules,
    checks: rules.map((r) => r.check),
    clock: needs.some((n) => n.clock?.(limits) === true),
    historyMs: Math.max(0, ...needs.map((n) => n.history?.(limits) ?? 0)),
    fillsMs: Math.max(0, ...needs.map((n) => n.fills?.(limits) ?? 0)),
  };
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
  // Maps, indexes and books below are made on first use: an idle strategy holds none of them.
  #rules: Map<string, SymbolRules> | null = null;
  /** The symbol decided last and its rules (orders in one symbol come in runs). */
  #lastSymbol: string | null = null;
  #lastRules: SymbolRules | null = null;
  /** Whether allowed orders are reserved in the book: some configured limit reads the projections. */
  readonly #reserve: boolean;
  #duplicates: DuplicateIndex | null = null;
  readonly #facts = new Facts();
  /** The fills in the traded window (`maxTradedQuantity`, `maxTradedNotional`), on the monotonic clock. */
  #tradedFills: TradedFills | null = null;
  /** This runtime's open orders in the process's shared book (`selfTrade`; selfTrade.ts). */
  #resting: RestingOrders | null = null;
  /** Operators' authorisations of one order past one limit (overrides.ts). */
  readonly overrides: Overrides;
  readonly #ctx: LimitContext & { now: number };
  readonly rejections: Record<string, number> = {};
  lastRejection: { code: string; reason: string; symbol: string | null; at: number } | null = null;
  /** How symbols are compared (orders are read in this form; fills and reports are put in it here). */
  readonly symbolCase: SymbolCase;
  readonly #clock: MonotonicClock;
  /** When (monotonic ms) each symbol's last price was set, for `priceCollar.referenceMaxAge`. */
  #priceAt: Map<string, number> | null = null;
  readonly #age: { symbol: string | null; at: number } = { symbol: null, at: NaN };

  /**
   * @param limits The limits, their symbols already canonical (config.ts).
   * @param clock Its monotonic reading measures the duplicate window and the reference price's age.
   */
  constructor(limits: ParsedLimits | null, symbolCase: SymbolCase = SymbolCase.UPPER, clock: Clock = systemClock) {
    this.limits = limits === null ? null : new LimitSet(limits);
    this.#reserve = this.limits?.needsProjection ?? false;
    this.symbolCase = symbolCase;
    this.#clock = withMonotonic(clock);
    // The symbol asked last and when its price was set (NaN: none): orders in one symbol come in runs.
    const age = this.#age;
    this.overrides = new Overrides(this.#clock);
    if (this.limits?.needsShared === true) this.resting.checks();
    const ctx = {
      book: this.book,
      /** The monotonic reading of this decision (read once, when a limit measures time). */
      now: 0,
      lastSame: (o: OrderFacts): number | undefined => this.#duplicates?.last(o.symbol, o.side, o.qtyRaw, o.priceRaw, o.qty, o.price),
      referenceAge: (symbol: string): number | undefined => {
        if (symbol !== age.symbol) {
          age.symbol = symbol;
          age.at = this.#priceAt?.get(symbol) ?? NaN;
        }
        return Number.isNaN(age.at) ? undefined : ctx.now - age.at;
      },
      traded: (symbol: string, windowMs: number) => this.#traded.within(symbol, ctx.now, windowMs),
      crossing: (o: OrderFacts) => this.resting.crossing(o),
    };
    this.#ctx = ctx;
  }

  /** This runtime's open orders in the process's shared book (`selfTrade`; selfTrade.ts), made on first use. */
  get resting(): RestingOrders {
    return (this.#resting ??= new RestingOrders());
  }

  /** The fills in the traded window, made on first use. */
  get #traded(): TradedFills {
    return (this.#tradedFills ??= new TradedFills());
  }

  /** A reported symbol (well formed: read by inputs.ts) in the form orders are compared in. */
  /** A symbol in its one canonical form (as the limits and positions know it). */
  canonical(symbol: string): string {
    return this.#canonical(symbol);
  }

  #canonical(symbol: string): string {
    return canonicalSymbol(symbol, this.symbolCase) ?? symbol;
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
    /** The monotonic clock now, when check() read it already (else −1: read here if a limit measures time). */
    mono = -1,
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
    const entry = this.#rulesFor(symbol);
    const { limits, rules } = entry;
    // Windows and ages run on the monotonic clock (a wall-clock step never moves them).
    if (entry.clock) ctx.now = mono < 0 ? this.#clock.monotonic() : mono;
    if (reducing) {
      const reason = reduceOnlyLimit.check(facts, limits, ctx);
      if (reason !== null) return verdictOf(reduceOnlyLimit, reason);
    }
    const overrides = this.overrides;
    if (overrides.size > 0) overrides.begin();
    const checks = entry.checks;
    for (let i = 0; i < checks.length; i++) {
      const reason = checks[i]!(facts, limits, ctx);
      // An operator's override lets the order past this one limit (used only if the order passes them all).
      if (reason !== null && (overrides.size === 0 || !overrides.excuse(facts, rules[i]!.name))) return verdictOf(rules[i]!, reason);
    }
    if (overrides.size > 0) overrides.commit(facts);
    // `now` is wall-clock ms: a position report's asOf is compared with it.
    if ((reducing && reduceOnlyLimit.needs.projection === true) || this.#reserve) this.book.open(facts, now);
    if (entry.historyMs > 0) (this.#duplicates ??= new DuplicateIndex()).remember(symbol, side, quantity, price, qty, px, ctx.now, entry.historyMs);
    this.resting.open(facts, now);
    return null;
  }

  /**
   * Judges an order against only the limits named (a modification: the per-order ones), without
   * reserving or remembering it: null when it passes, else the verdict (src/runtime/messages.ts).
   */
  judge(order: OrderFacts, names: ReadonlySet<LimitName>, mono = -1): ControlVerdict | null {
    const entry = this.#rulesFor(order.symbol);
    const ctx = this.#ctx;
    if (entry.clock) ctx.now = mono < 0 ? this.#clock.monotonic() : mono;
    for (const rule of entry.rules) {
      if (!names.has(rule.name)) continue;
      const reason = rule.check(order, entry.limits, ctx);
      if (reason !== null) return verdictOf(rule, reason);
    }
    return null;
  }

  /** Counts a rejection for status. */
  rejected(verdict: ControlVerdict, symbol: string | null, at: number): void {
    this.rejections[verdict.code] = (this.rejections[verdict.code] ?? 0) + 1;
    this.lastRejection = { code: verdict.code, reason: verdict.reason, symbol, at };
  }

  fill(fill: FillReport): void {
    const symbol = this.#canonical(fill.symbol);
    const price = this.book.lastPriceExact(symbol);
    const quantity = new Exact(fill.quantity);
    this.book.fill(symbol, fill.side, quantity, new Exact(fill.price), fill.orderId, fill.executedAt ?? fill.at, fill.executedAt !== undefined);
    this.#priced(symbol, price, 0);
    this.#resting?.fill(symbol, fill.side, quantity, fill.orderId, fill.executedAt ?? fill.at, fill.executedAt !== undefined);
    // The traded window counts a fill from when it is recorded, on the monotonic clock (a late fill's execution time is wall-clock).
    const keep = this.#rulesFor(symbol).fillsMs;
    if (keep > 0) this.#traded.add(symbol, quantity, new Exact(fill.price), this.#clock.monotonic(), keep);
  }

  close(id: string): boolean {
    this.#resting?.close(id);
    return this.book.close(id);
  }

  /** The runtime stopped: its open orders leave the process's shared book (selfTrade). */
  stop(): void {
    this.#resting?.stop();
  }

  /** A position report as of `asOf` (null: when received, at `receivedAt`); false when older than the newest accepted one (ignored). */
  report(positions: readonly Position[], asOf: number | null, receivedAt: number): boolean {
    const canonical = positions.map((p) => {
      const symbol = this.#canonical(p.symbol);
      return symbol === p.symbol ? p : { ...p, symbol };
    });
    const prices = canonical.map((p) => this.book.lastPriceExact(p.symbol));
    const accepted = this.book.report(canonical, asOf, receivedAt);
    // A price true as of `asOf` is that much older than its arrival.
    const lag = asOf === null ? 0 : Math.max(0, receivedAt - asOf);
    for (let i = 0; i < canonical.length; i++) this.#priced(canonical[i]!.symbol, prices[i]!, lag);
    // A report without asOf is as of its receipt: it covers every order this runtime published before it (whatever the wall clock did since).
    if (accepted) this.#resting?.cover(asOf ?? Infinity);
    return accepted;
  }

  /** Notes when a symbol's last price changed (the book sets a new one; a late one it keeps out leaves it as it was). */
  #priced(symbol: string, before: Exact | null, lagMs: number): void {
    if (this.book.lastPriceExact(symbol) !== before) {
      (this.#priceAt ??= new Map()).set(symbol, this.#clock.monotonic() - lagMs);
      this.#age.symbol = null;
    }
  }

  /** The controls for status(): limits, projected positions and their use, rejections. */
  status(): ControlsStatus {
    const mono = this.#clock.monotonic();
    const symbols: SymbolControls[] = this.book.projections().map((p) => {
      const limits = this.limits?.for(p.symbol) ?? NO_LIMITS;
      const max = limits.maxPosition;
      const windowMs = limits.quantityWindowMs ?? limits.notionalWindowMs;
      const filled = windowMs === null ? null : this.#traded.within(p.symbol, mono, windowMs);
      return {
        ...p,
        maxPosition: max?.text ?? null,
        positionUse: max === null ? null : new Exact(p.projected).abs().div(max.exact).toSignificantDigits(6).toFixed(),
        restricted: limits.restricted,
        openOrders: this.book.openCountOf(p.symbol),
        maxOpenOrders: limits.maxOpenOrdersPerSymbol,
        traded:
          filled === null || windowMs === null
            ? null
            : {
                quantity: filled.qtyExact().toFixed(),
                notional: filled.notionalExact().toFixed(),
                maxQuantity: limits.maxTradedQuantity?.exact.toFixed() ?? null,
                maxNotional: limits.maxTradedNotional?.exact.toFixed() ?? null,
                windowSeconds: windowMs / 1000,
              },
      };
    });
    const grossLimit = this.limits?.for('').maxGrossExposure ?? null;
    return this.#status(symbols, grossLimit === null ? null : { value: this.#gross(), limit: grossLimit.text });
  }

  /** The gross exposure as `maxGrossExposure` counts it (each symbol's worst side × its last price), or null when a held symbol has no price. */
  #gross(): string | null {
    const book = this.book;
    let total = new Exact(0);
    for (const symbol of book.symbols()) {
      const long = book.beforeExact(symbol, 'buy').abs();
      const short = book.beforeExact(symbol, 'sell').abs();
      if (long.isZero() && short.isZero()) continue;
      const price = book.lastPriceExact(symbol);
      if (price === null) return null;
      total = total.plus(Exact.max(long, short).times(price));
    }
    return total.toFixed();
  }

  #status(symbols: SymbolControls[], grossExposure: ControlsStatus['grossExposure']): ControlsStatus {
    const last = this.lastRejection;
    return {
      limits: this.limits === null ? false : this.limits.config,
      symbols,
      grossExposure,
      rejections: { ...this.rejections },
      lastRejection: last === null ? null : { code: last.code, reason: last.reason, symbol: last.symbol, at: new Date(last.at).toISOString() },
      openOrders: this.book.openCount,
      maxOpenOrders: this.limits?.for('').maxOpenOrdersTotal ?? null,
    };
  }

  #rulesFor(symbol: string): SymbolRules {
    if (symbol === this.#lastSymbol) return this.#lastRules!;
    const rules = (this.#rules ??= new Map());
    let entry = rules.get(symbol);
    if (entry === undefined) {
      const limits = this.limits?.for(symbol) ?? NO_LIMITS;
      entry = symbolRules(limits, LIMITS.filter((r) => r.applies(limits)));
      if (rules.size < 100_000) rules.set(symbol, entry);
    }
    this.#lastSymbol = symbol;
    this.#lastRules = entry;
    return entry;
  }
}
