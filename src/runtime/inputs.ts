/**
 * Validation of everything that enters the runtime. Each validator reads every field of its
 * input exactly once (one destructuring inside a try), so a getter that throws or changes its
 * answer, a Proxy or a revoked Proxy yields an InvalidInputError naming the field, never a
 * throw of another kind and never two different views of one input. Orders, the hot path of
 * `check()`, are read in orderInput.ts.
 */
import { ERROR_KINDS, type ErrorKind } from '../../machines/constants.ts';
import { AUTO_RESET_OPERATOR } from '../../machines/rules/autoReset.ts';
import { symbolProblem } from '../../machines/limits/symbol.ts';
import type { Exact } from '../../machines/math/exact.ts';
import { isDecimalProblem, parseExact } from '../../machines/math/exact.ts';
import { InvalidInputError } from '../errors.ts';
import type { DecimalInput, ErrorReport, FillReport, Position } from './types.ts';

/** Which signs a decimal field accepts. */
export type DecimalSign = 'positive' | 'nonNegative' | 'any';

/** Longest symbol, order id and operator name accepted. */
export const MAX_NAME_LENGTH = 128;
/** Most positions one portfolio update may carry. */
export const MAX_POSITIONS = 10_000;
/** Error messages longer than this are kept truncated (the error still counts). */
export const MAX_ERROR_MESSAGE_LENGTH = 1_000;

/** Why reading threw, in a few words, without ever throwing itself. */
export function threw(error: unknown): string {
  try {
    const message = error instanceof Error ? error.message : undefined;
    return typeof message === 'string' && message.length > 0 ? `reading it threw: ${message.slice(0, 100)}` : 'reading it threw';
  } catch {
    return 'reading it threw';
  }
}

export const isObject = (x: unknown): x is object => typeof x === 'object' && x !== null;

/**
 * Parses money or a quantity into an {@link Exact}, within the input bounds. Throws an
 * InvalidInputError naming `field` and the value. `sign` defaults to `'nonNegative'`.
 */
export function parseDecimal(input: unknown, field: string, options: { readonly sign?: DecimalSign } = {}): Exact {
  const parsed = parseExact(input);
  if (isDecimalProblem(parsed)) throw new InvalidInputError(field, input, parsed.problem);
  const sign = options.sign ?? 'nonNegative';
  if (sign !== 'any' && parsed.isNegative()) throw new InvalidInputError(field, input, 'must not be negative');
  if (sign === 'positive' && parsed.isZero()) throw new InvalidInputError(field, input, 'must be positive');
  return parsed;
}

/** What a timestamp is checked against. Checks whose reference is absent are skipped. */
export interface TimestampLimits {
  /** The runtime's clock now (ms since the epoch). */
  readonly now?: number;
  /** How far ahead of `now` a timestamp may be (ms, default 5000). */
  readonly maxSkewMs?: number;
  /** The last accepted timestamp; an earlier one goes backwards. */
  readonly last?: number | null;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const WHAT_TIME = 'must be a valid point in time: ms since the epoch, a Date or an ISO-8601 date-time with a zone (e.g. "2026-01-05T12:00:00Z")';

/** Renders a duration for messages: "450 ms", "5 s", "2m 5s", "3h 0m", "2d 4h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

function unitProblem(ms: number): string | null {
  if (ms < 0) return 'is before 1970; expected milliseconds since the epoch';
  if (ms < 1e11) return 'looks like seconds since the epoch, expected milliseconds';
  if (ms >= 1e17) return 'looks like nanoseconds since the epoch, expected milliseconds';
  if (ms >= 1e14) return 'looks like microseconds since the epoch, expected milliseconds';
  return null;
}

/**
 * Parses a timestamp into whole ms since the epoch. Accepts a number of ms (a fraction is
 * dropped: every clock inside is whole ms), a Date, or an ISO-8601 date-time with an explicit
 * zone (no zone would mean the host's local time). A number in seconds, microseconds or
 * nanoseconds is refused by name; so is a time more than `maxSkewMs` ahead of `now`, or
 * before `last`.
 */
export function parseTimestamp(input: unknown, field = 'timestamp', limits: TimestampLimits = {}): number {
  let at: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new InvalidInputError(field, input, WHAT_TIME);
    const problem = unitProblem(input);
    if (problem !== null) throw new InvalidInputError(field, input, problem);
    at = Math.floor(input);
  } else if (typeof input === 'string') {
    at = input.length <= 40 && ISO_DATE_TIME.test(input) ? Date.parse(input) : NaN;
    if (Number.isNaN(at)) throw new InvalidInputError(field, input, WHAT_TIME);
  } else if (isObject(input)) {
    try {
      at = Date.prototype.getTime.call(input); // a brand check: runs no user code, refuses look-alikes
    } catch {
      throw new InvalidInputError(field, input, WHAT_TIME);
    }
    if (Number.isNaN(at)) throw new InvalidInputError(field, input, 'is an invalid Date');
  } else {
    throw new InvalidInputError(field, input, WHAT_TIME);
  }
  if (at < 0) throw new InvalidInputError(field, input, 'is before 1970; expected a time after the epoch');
  const { now, maxSkewMs = 5000, last } = limits;
  if (now !== undefined && at - now > maxSkewMs) {
    throw new InvalidInputError(field, input, `is ${formatDuration(at - now)} ahead of the runtime's clock; at most ${formatDuration(maxSkewMs)} allowed`);
  }
  if (last !== undefined && last !== null && at < last) {
    throw new InvalidInputError(field, input, `goes backwards: ${formatDuration(last - at)} before the last accepted timestamp (${new Date(last).toISOString()})`);
  }
  return at;
}

/** Why a symbol, id or name is refused, or null. */
export function nameProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  return value.length > MAX_NAME_LENGTH ? `must be at most ${MAX_NAME_LENGTH} characters long` : null;
}

/** A decimal field kept as given when it is a string or number; a Decimal comes back as an Exact (it is an object that could change). */
function keepDecimal(input: unknown, field: string, sign: DecimalSign): DecimalInput {
  const exact = parseDecimal(input, field, { sign });
  return typeof input === 'string' || typeof input === 'number' ? input : exact;
}

function readPosition(input: unknown, field: string): Position {
  if (!isObject(input)) throw new InvalidInputError(field, input, 'must be an object');
  let symbol: unknown, quantity: unknown, price: unknown;
  try {
    ({ symbol, quantity, price } = input as { symbol?: unknown; quantity?: unknown; price?: unknown });
  } catch (error) {
    throw new InvalidInputError(field, input, `could not be read; ${threw(error)}`);
  }
  // A malformed symbol is a data error; its case is made canonical where it is compared (Controls).
  const problem = symbolProblem(symbol);
  if (problem !== null) throw new InvalidInputError(`${field}.symbol`, symbol, problem);
  const position: { symbol: string; quantity: DecimalInput; price?: DecimalInput } = {
    symbol: symbol as string,
    quantity: keepDecimal(quantity, `${field}.quantity`, 'any'),
  };
  if (price !== undefined) position.price = keepDecimal(price, `${field}.price`, 'nonNegative');
  return position;
}

/**
 * Validates positions and returns a fresh array of plain positions (quantity any sign, price
 * ≥ 0 when given), so later readers never touch the caller's objects again.
 */
export function validatePositions(input: unknown, field = 'positions'): readonly Position[] {
  let length: unknown;
  try {
    if (!Array.isArray(input)) throw new InvalidInputError(field, input, 'must be an array');
    length = input.length;
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(field, input, `could not be read; ${threw(error)}`);
  }
  if (typeof length !== 'number' || length > MAX_POSITIONS) throw new InvalidInputError(field, input, `must hold at most ${MAX_POSITIONS} positions`);
  const positions: Position[] = [];
  for (let i = 0; i < length; i++) {
    let item: unknown;
    try {
      item = (input as unknown[])[i];
    } catch (error) {
      throw new InvalidInputError(`${field}[${i}]`, undefined, `could not be read; ${threw(error)}`);
    }
    positions.push(readPosition(item, `${field}[${i}]`));
  }
  return Object.freeze(positions);
}

/** A portfolio update, read once. */
export interface ValidPortfolioUpdate {
  readonly value: Exact;
  /** ms since the epoch, or null when the update carried no timestamp. */
  readonly at: number | null;
  readonly positions: readonly Position[] | undefined;
  /** When the positions were true (ms): `asOf`, else the timestamp; null when neither was given (when received). */
  readonly asOf: number | null;
}

/**
 * Reads a portfolio update: `value` (sign per `valueSign`, default any: a later value may be
 * zero or negative), optional `timestamp` (checked against `limits`) and optional `positions`.
 */
export function readPortfolioUpdate(input: unknown, options: TimestampLimits & { readonly valueSign?: DecimalSign } = {}): ValidPortfolioUpdate {
  if (!isObject(input)) throw new InvalidInputError('update', input, 'must be an object with a value');
  let value: unknown, timestamp: unknown, positions: unknown, asOf: unknown;
  try {
    ({ value, timestamp, positions, asOf } = input as { value?: unknown; timestamp?: unknown; positions?: unknown; asOf?: unknown });
  } catch (error) {
    throw new InvalidInputError('update', input, `could not be read; ${threw(error)}`);
  }
  const exact = parseDecimal(value, 'value', { sign: options.valueSign ?? 'any' });
  const at = timestamp === undefined ? null : parseTimestamp(timestamp, 'timestamp', options);
  // An older asOf than the newest report is not malformed (it is ignored where it is applied): no `last` here.
  const { now, maxSkewMs } = options;
  const asOfAt = asOf === undefined ? at : parseTimestamp(asOf, 'asOf', { ...(now === undefined ? {} : { now }), ...(maxSkewMs === undefined ? {} : { maxSkewMs }) });
  return { value: exact, at, positions: positions === undefined ? undefined : validatePositions(positions), asOf: asOfAt };
}

/** Validates an error report; a message longer than {@link MAX_ERROR_MESSAGE_LENGTH} is truncated, not refused. */
export function validateErrorReport(input: unknown): ErrorReport {
  if (!isObject(input)) throw new InvalidInputError('error', input, 'must be an object with kind and message');
  let kind: unknown, message: unknown;
  try {
    ({ kind, message } = input as { kind?: unknown; message?: unknown });
  } catch (error) {
    throw new InvalidInputError('error', input, `could not be read; ${threw(error)}`);
  }
  if (!ERROR_KINDS.includes(kind as ErrorKind)) throw new InvalidInputError('error.kind', kind, `must be one of ${ERROR_KINDS.join(', ')}`);
  if (typeof message !== 'string') throw new InvalidInputError('error.message', message, 'must be a string');
  const text = message.length > MAX_ERROR_MESSAGE_LENGTH ? `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : message;
  return { kind: kind as ErrorKind, message: text };
}

/** Validates an operator's name (operator actions are always attributed); returns it trimmed. */
export function validateOperator(input: unknown, field = 'operator'): string {
  if (typeof input !== 'string' || input.trim().length === 0 || input.length > MAX_NAME_LENGTH) {
    throw new InvalidInputError(field, input, `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters naming who acts`);
  }
  // Reserved: the journal tells a reset policy's own resets (AutoReset) from a person's by this name.
  if (input.trim() === AUTO_RESET_OPERATOR) throw new InvalidInputError(field, input, `is reserved for the reset policy's automatic resets; name who acts`);
  return input.trim();
}

/** Validates a fill; quantity (> 0) and price (≥ 0) come back as canonical decimal strings. */
export function validateFill(input: unknown, at: number, options: { readonly maxSkewMs?: number } = {}): FillReport {
  if (!isObject(input)) throw new InvalidInputError('fill', input, 'must be an object with symbol, side, quantity and price');
  let orderId: unknown, symbol: unknown, side: unknown, quantity: unknown, price: unknown, timestamp: unknown, realizedPnl: unknown;
  try {
    ({ orderId, symbol, side, quantity, price, timestamp, realizedPnl } = input as {
      orderId?: unknown;
      symbol?: unknown;
      side?: unknown;
      quantity?: unknown;
      price?: unknown;
      timestamp?: unknown;
      realizedPnl?: unknown;
    });
  } catch (error) {
    throw new InvalidInputError('fill', input, `could not be read; ${threw(error)}`);
  }
  const problem = symbolProblem(symbol);
  if (problem !== null) throw new InvalidInputError('fill.symbol', symbol, problem);
  if (side !== 'buy' && side !== 'sell') throw new InvalidInputError('fill.side', side, 'must be "buy" or "sell"');
  const q = parseDecimal(quantity, 'fill.quantity', { sign: 'positive' });
  const p = parseDecimal(price, 'fill.price', { sign: 'nonNegative' });
  if (orderId !== undefined && nameProblem(orderId) !== null) throw new InvalidInputError('fill.orderId', orderId, `${nameProblem(orderId)!} when given`);
  // The execution time: like every timestamp, but never held to the last one (fills come late).
  const executedAt = timestamp === undefined ? undefined : parseTimestamp(timestamp, 'fill.timestamp', { now: at, ...(options.maxSkewMs === undefined ? {} : { maxSkewMs: options.maxSkewMs }) });
  const pnl = realizedPnl === undefined ? undefined : parseDecimal(realizedPnl, 'fill.realizedPnl', { sign: 'any' }).toString();
  const report: FillReport = { orderId: (orderId as string | undefined) ?? null, symbol: symbol as string, side, quantity: q.toString(), price: p.toString(), at };
  return { ...report, ...(executedAt === undefined ? {} : { executedAt }), ...(pnl === undefined ? {} : { realizedPnl: pnl }) };
}
