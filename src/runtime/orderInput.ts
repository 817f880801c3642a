/**
 * Reading an order: the hot path of `check()`. Each field is read once; quantity and price are
 * judged by one scan of their text that also yields their doubles (no Decimal built for text or
 * numbers, nothing allocated); a malformed order comes back as the error naming the field.
 */
import { canonicalSymbol, SymbolCase, symbolProblem } from '../../machines/limits/symbol.ts';
import { isDecimalProblem, isPositiveFiniteNumber, parseExact, positiveDecimalValue, type Exact } from '../../machines/math/exact.ts';
import { InvalidInputError } from '../errors.ts';
import { isObject, nameProblem, threw } from './inputs.ts';
import type { DecimalInput, OrderSide } from './types.ts';

/** An order as read once from what the strategy passed. */
export interface OrderRead {
  readonly id: string | undefined;
  /** In its canonical form (upper case unless `symbolCase: 'exact'`). */
  readonly symbol: string;
  readonly side: OrderSide;
  /** As given (text or number); a Decimal comes back as an Exact. */
  readonly quantity: DecimalInput;
  /** As given, or undefined for a market order. */
  readonly price: DecimalInput | undefined;
}

/** An order as the runtime uses it: as read, plus its figures as doubles (for the limits' fast decisions). */
export interface ValidOrder extends OrderRead {
  /** The quantity as the nearest double. */
  readonly qty: number;
  /** The price as the nearest double, or undefined for a market order. */
  readonly px: number | undefined;
}

/**
 * Where an order is read into. `check()` reuses one per runtime (no allocation per order) and a
 * fresh one when a listener re-enters it while another order is being decided.
 */
export class OrderDraft implements ValidOrder {
  id: string | undefined = undefined;
  symbol = '';
  side: OrderSide = 'buy';
  quantity: DecimalInput = 0;
  price: DecimalInput | undefined = undefined;
  qty = 0;
  px: number | undefined = undefined;
}

interface OrderFields {
  id?: unknown;
  symbol?: unknown;
  side?: unknown;
  quantity?: unknown;
  price?: unknown;
}

/** The Exact of the last amount that was neither text nor a number (read right after `amountOf`). */
let lastExact: Exact | null = null;

/**
 * Fast path: a positive bounded amount as the nearest double, else −1. Text is judged by one
 * scan that also yields its value (no allocation, no Decimal); a Decimal is parsed into an Exact,
 * left in `lastExact` for the caller.
 */
function amountOf(value: unknown): number {
  if (typeof value === 'string') return positiveDecimalValue(value);
  if (typeof value === 'number') return isPositiveFiniteNumber(value) ? value : -1;
  const parsed = parseExact(value);
  if (isDecimalProblem(parsed) || !parsed.isPositive() || parsed.isZero()) return -1;
  lastExact = parsed;
  return parsed.toNumber();
}

function amountError(field: string, value: unknown): InvalidInputError {
  const parsed = parseExact(value);
  return new InvalidInputError(field, value, isDecimalProblem(parsed) ? parsed.problem : 'must be positive');
}

/**
 * Reads and checks an order (the hot path of `check()`) into `into`: each field once, quantity
 * and price judged by one scan that also yields their doubles (no Decimal built for text or
 * numbers, nothing allocated), the symbol put in its canonical form (machines/limits/symbol.ts).
 * Returns null, or the error naming the field at fault (`into` is then partly written); never throws.
 */
export function readOrderInto(order: unknown, into: OrderDraft, symbolCase: SymbolCase = SymbolCase.UPPER): InvalidInputError | null {
  if (!isObject(order)) return new InvalidInputError('order', order, 'must be an object');
  let id: unknown, symbol: unknown, side: unknown, quantity: unknown, price: unknown;
  try {
    ({ id, symbol, side, quantity, price } = order as OrderFields);
  } catch (error) {
    return new InvalidInputError('order', order, `could not be read; ${threw(error)}`);
  }
  const canonical = typeof symbol === 'string' ? canonicalSymbol(symbol, symbolCase) : null;
  if (canonical === null) return new InvalidInputError('order.symbol', symbol, symbolProblem(symbol) ?? 'is malformed');
  if (side !== 'buy' && side !== 'sell') return new InvalidInputError('order.side', side, 'must be "buy" or "sell"');
  const qty = amountOf(quantity);
  if (qty < 0) return amountError('order.quantity', quantity);
  // A Decimal comes back as the Exact it was parsed into (it is an object that could change).
  into.quantity = typeof quantity === 'string' || typeof quantity === 'number' ? quantity : lastExact!;
  into.qty = qty;
  if (price === undefined) {
    into.price = undefined;
    into.px = undefined;
  } else {
    const px = amountOf(price);
    if (px < 0) return amountError('order.price', price);
    into.price = typeof price === 'string' || typeof price === 'number' ? price : lastExact!;
    into.px = px;
  }
  if (id !== undefined && nameProblem(id) !== null) return new InvalidInputError('order.id', id, `${nameProblem(id)!} when given`);
  into.id = id as string | undefined;
  into.symbol = canonical;
  into.side = side;
  return null;
}

/** Reads and checks an order: the order as read (symbol canonical), or the error naming the field at fault; never throws. */
export function readOrder(order: unknown, symbolCase: SymbolCase = SymbolCase.UPPER): OrderRead | InvalidInputError {
  const draft = new OrderDraft();
  const problem = readOrderInto(order, draft, symbolCase);
  return problem ?? { id: draft.id, symbol: draft.symbol, side: draft.side, quantity: draft.quantity, price: draft.price };
}

/** Checks an order's shape: null when well formed, else the error naming the field at fault. */
export function orderProblem(order: unknown): InvalidInputError | null {
  const read = readOrder(order);
  return read instanceof InvalidInputError ? read : null;
}
