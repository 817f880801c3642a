import { Decimal } from 'decimal.js';
import { ERROR_KINDS, type ErrorKind } from '../../machines/constants.ts';
import { InvalidInputError } from '../errors.ts';
import type { ErrorReport, FillReport, Position } from './types.ts';

const DECIMAL_TEXT = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i;

/** Parses money or a quantity into a Decimal; refuses NaN, Infinity, non-numeric text and (by default) negatives. */
export function parseDecimal(input: unknown, field: string, options: { allowNegative?: boolean } = {}): Decimal {
  let value: Decimal;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new InvalidInputError(field, input, 'must be a finite number');
    value = new Decimal(input);
  } else if (typeof input === 'string') {
    if (!DECIMAL_TEXT.test(input)) throw new InvalidInputError(field, input, 'must be a decimal number');
    value = new Decimal(input.trim());
  } else if (Decimal.isDecimal(input)) {
    value = input as Decimal;
    if (!value.isFinite()) throw new InvalidInputError(field, input, 'must be a finite number');
  } else {
    throw new InvalidInputError(field, input, 'must be a number, a decimal string or a Decimal');
  }
  if (!options.allowNegative && value.isNegative() && !value.isZero()) {
    throw new InvalidInputError(field, input, 'must not be negative');
  }
  return value;
}

/** Parses an optional timestamp into ms since the epoch. */
export function parseTimestamp(input: unknown, field = 'timestamp'): number {
  let at: number;
  if (typeof input === 'number') at = input;
  else if (input instanceof Date) at = input.getTime();
  else if (typeof input === 'string') at = Date.parse(input);
  else throw new InvalidInputError(field, input, 'must be ms since the epoch, a Date or an ISO-8601 string');
  if (!Number.isFinite(at) || at < 0) throw new InvalidInputError(field, input, 'must be a valid point in time');
  return at;
}

/** Validates positions; returns them unchanged when they are well formed. */
export function validatePositions(input: unknown): readonly Position[] {
  if (!Array.isArray(input)) throw new InvalidInputError('positions', input, 'must be an array');
  input.forEach((p: unknown, i) => {
    if (typeof p !== 'object' || p === null) throw new InvalidInputError(`positions[${i}]`, p, 'must be an object');
    const position = p as Record<string, unknown>;
    if (typeof position.symbol !== 'string' || position.symbol.length === 0) {
      throw new InvalidInputError(`positions[${i}].symbol`, position.symbol, 'must be a non-empty string');
    }
    parseDecimal(position.quantity, `positions[${i}].quantity`, { allowNegative: true });
    if (position.price !== undefined) parseDecimal(position.price, `positions[${i}].price`);
  });
  return input as readonly Position[];
}

const isPositiveQuantity = (q: unknown): boolean =>
  typeof q === 'number'
    ? q > 0 && q < Infinity
    : typeof q === 'string'
      ? DECIMAL_TEXT.test(q) && !q.trim().startsWith('-') && new Decimal(q.trim()).gt(0)
      : Decimal.isDecimal(q) && (q as Decimal).isFinite() && (q as Decimal).gt(0);

/**
 * Checks an order's shape. Returns null when it is well formed, else the error that names the
 * field at fault. Cheap on the happy path (no allocation), because it runs on every order.
 */
export function orderProblem(order: unknown): InvalidInputError | null {
  if (typeof order !== 'object' || order === null) return new InvalidInputError('order', order, 'must be an object');
  const o = order as Record<string, unknown>;
  if (typeof o.symbol !== 'string' || o.symbol.length === 0) return new InvalidInputError('order.symbol', o.symbol, 'must be a non-empty string');
  if (o.side !== 'buy' && o.side !== 'sell') return new InvalidInputError('order.side', o.side, 'must be "buy" or "sell"');
  if (!isPositiveQuantity(o.quantity)) return new InvalidInputError('order.quantity', o.quantity, 'must be a positive finite number');
  if (o.price !== undefined && !isPositiveQuantity(o.price)) return new InvalidInputError('order.price', o.price, 'must be a positive finite number when given');
  return null;
}

/** Validates an error report. */
export function validateErrorReport(input: unknown): ErrorReport {
  if (typeof input !== 'object' || input === null) throw new InvalidInputError('error', input, 'must be an object with kind and message');
  const report = input as Record<string, unknown>;
  if (!ERROR_KINDS.includes(report.kind as ErrorKind)) {
    throw new InvalidInputError('error.kind', report.kind, `must be one of ${ERROR_KINDS.join(', ')}`);
  }
  if (typeof report.message !== 'string') throw new InvalidInputError('error.message', report.message, 'must be a string');
  return { kind: report.kind as ErrorKind, message: report.message };
}

/** Validates an operator's name (operator actions are always attributed). */
export function validateOperator(input: unknown, field = 'operator'): string {
  if (typeof input !== 'string' || input.trim().length === 0 || input.length > 128) {
    throw new InvalidInputError(field, input, 'must be a non-empty string of at most 128 characters naming who acts');
  }
  return input.trim();
}

/** Validates a fill; quantities and prices come back as decimal strings. */
export function validateFill(input: unknown, at: number): FillReport {
  if (typeof input !== 'object' || input === null) throw new InvalidInputError('fill', input, 'must be an object with symbol, side, quantity and price');
  const fill = input as Record<string, unknown>;
  if (typeof fill.symbol !== 'string' || fill.symbol.length === 0) throw new InvalidInputError('fill.symbol', fill.symbol, 'must be a non-empty string');
  if (fill.side !== 'buy' && fill.side !== 'sell') throw new InvalidInputError('fill.side', fill.side, 'must be "buy" or "sell"');
  const quantity = parseDecimal(fill.quantity, 'fill.quantity');
  if (quantity.isZero()) throw new InvalidInputError('fill.quantity', fill.quantity, 'must be positive');
  const price = parseDecimal(fill.price, 'fill.price');
  if (fill.orderId !== undefined && typeof fill.orderId !== 'string') throw new InvalidInputError('fill.orderId', fill.orderId, 'must be a string when given');
  return { orderId: (fill.orderId as string | undefined) ?? null, symbol: fill.symbol, side: fill.side, quantity: quantity.toString(), price: price.toString(), at };
}
