// Builders for the pure tests of machines/limits/: orders, limits and contexts as check() sees them.
import { amount } from '../../machines/limits/amount.ts';
import { NO_LIMITS, type LimitContext, type OrderFacts, type SymbolLimits } from '../../machines/limits/limit.ts';
import { PositionBook } from '../../machines/limits/positions.ts';
import { Exact } from '../../machines/math/exact.ts';

export const x = (v: string | number) => new Exact(v);

/** An order as the runtime reads it: quantity and price as given, and as doubles. */
export function order(side: 'buy' | 'sell', qty: string, opts: { symbol?: string; price?: string; id?: string } = {}): OrderFacts {
  return {
    id: opts.id,
    symbol: opts.symbol ?? 'A',
    side,
    qty: Number(qty),
    qtyRaw: qty,
    price: opts.price === undefined ? undefined : Number(opts.price),
    priceRaw: opts.price,
  };
}


type LimitFigures = Partial<Record<'maxOrderQuantity' | 'maxOrderNotional' | 'maxPosition' | 'priceCollar' | 'maxGrossExposure', string>>;

/** Every limit off but the ones given (decimal text), plus the duplicate window and restriction. */
export function limits(figures: LimitFigures = {}, rest: { duplicateWindowMs?: number; restricted?: boolean; referenceMaxAgeMs?: number } = {}): SymbolLimits {
  const parsed = Object.fromEntries(Object.entries(figures).map(([name, text]) => [name, amount(text)]));
  return { ...NO_LIMITS, ...parsed, ...rest };
}

/** A context over `book` at `now`; `lastSame` answers for every order alike; `ages` gives each symbol's last price age (ms). */
export function context(book: PositionBook = new PositionBook(), now = 0, lastSame?: number, ages: Record<string, number> = {}): LimitContext {
  return {
    book,
    now,
    lastSame: () => lastSame,
    referenceAge: (symbol) => (Object.hasOwn(ages, symbol) ? ages[symbol] : book.lastPrice(symbol) === null ? undefined : 0),
    // No fills in any window and no other open orders (the runtime's tests cover the traded and self-trade limits).
    traded: () => ({ qty: 0, notional: 0, qtyExact: () => new Exact(0), notionalExact: () => new Exact(0) }),
    crossing: () => null,
  };
}

/** A book after a position report (`[symbol, quantity, price?]`). */
export function reported(...positions: [string, string, string?][]): PositionBook {
  const book = new PositionBook();
  book.report(positions.map(([symbol, quantity, price]) => (price === undefined ? { symbol, quantity } : { symbol, quantity, price })));
  return book;
}
