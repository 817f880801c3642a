import { Decimal } from 'decimal.js';

/**
 * Exact decimal arithmetic for decisions, and bounded parsing of decimal input.
 *
 * Inputs are bounded (≤ 34 significant digits, magnitude below 1e21, nonzero magnitude at least
 * 1e-40), so every digit of an input lies between 1e20 and 1e-73: a difference of two inputs
 * needs at most 94 digits and a product at most 68, both within the 100 digits of `Exact`. No
 * rounding therefore takes part in a comparison built from sums, differences and products.
 *
 * Bounds are judged by scanning the text before any Decimal exists, so hostile text
 * ("1e999999999", a megabyte of digits) costs a few character reads, never arithmetic.
 * Pure: no imports from src/, no I/O, no clocks.
 */

/**
 * The runtime's own Decimal constructor: a clone, so the host's `Decimal.set(...)` never
 * changes it. Exponent notation starts beyond 1e±100, so bounded values always print plainly.
 */
export const Exact = Decimal.clone({
  precision: 100,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
  minE: -9e15,
  maxE: 9e15,
});
/** An instance of {@link Exact}. */
export type Exact = InstanceType<typeof Exact>;

/** The bounds every decimal input must respect (see PRODUCT.md, "Inputs and their bounds"). */
export const INPUT_BOUNDS = { maxSignificantDigits: 34, maxMagnitude: '1e21' } as const;

/** Longest decimal text judged at all; longer text is refused unread. */
export const MAX_DECIMAL_TEXT_LENGTH = 100;
/** Smallest adjusted exponent of a nonzero input: magnitudes below 1e-40 are refused. */
export const MIN_EXPONENT = -40;
const MAX_EXPONENT = 20; // adjusted exponent 20 ⇔ below 1e21
const MAX_EXPONENT_DIGITS = 6;
const MAX_SIG = INPUT_BOUNDS.maxSignificantDigits;

/** Why a value was refused; the caller names the field and the value. */
export interface DecimalProblem {
  readonly problem: string;
}

// Scan results. Accepted ones are ≥ 0.
const POSITIVE = 1;
const ZERO = 0;
const NEGATIVE = 2;
const SYNTAX = -1;
const TOO_LONG = -2;
const EXPONENT_DIGITS = -3;
const SIG_DIGITS = -4;
const TOO_LARGE = -5;
const TOO_SMALL = -6;

// Details of the last refusal, kept in module variables so the scan itself never allocates.
let lastSignificant = 0;
let lastExponent = 0;

/**
 * Judges decimal text: `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? 1–6 digits)?`,
 * no whitespace (text is never trimmed: " 5" is refused, so what is judged is what is used).
 * Significant digits run from the first to the last nonzero digit ("5012.2500" has 6).
 */
function scan(text: string): number {
  const n = text.length;
  if (n === 0) return SYNTAX;
  if (n > MAX_DECIMAL_TEXT_LENGTH) return TOO_LONG;
  let i = 0;
  let c = text.charCodeAt(0);
  let negative = false;
  if (c === 45 || c === 43) {
    negative = c === 45;
    i = 1;
  }
  let digits = 0;
  let point = -1;
  let first = -1;
  let last = -1;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) {
        if (first < 0) first = digits;
        last = digits;
      }
      digits++;
    } else if (c === 46 && point < 0) point = digits;
    else break;
  }
  if (digits === 0) return SYNTAX;
  if (point < 0) point = digits;
  let exponent = 0;
  if (i < n) {
    if (c !== 101 && c !== 69) return SYNTAX;
    i++;
    let negativeExponent = false;
    if (i < n) {
      c = text.charCodeAt(i);
      if (c === 45 || c === 43) {
        negativeExponent = c === 45;
        i++;
      }
    }
    if (i === n) return SYNTAX;
    for (const start = i; i < n; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) return SYNTAX;
      if (i - start === MAX_EXPONENT_DIGITS) return EXPONENT_DIGITS;
      exponent = exponent * 10 + (c - 48);
    }
    if (negativeExponent) exponent = -exponent;
  }
  if (first < 0) return ZERO;
  const significant = last - first + 1;
  if (significant > MAX_SIG) {
    lastSignificant = significant;
    return SIG_DIGITS;
  }
  const adjusted = point - 1 - first + exponent;
  if (adjusted > MAX_EXPONENT || adjusted < MIN_EXPONENT) {
    lastExponent = adjusted;
    return adjusted > MAX_EXPONENT ? TOO_LARGE : TOO_SMALL;
  }
  return negative ? NEGATIVE : POSITIVE;
}

/**
 * True when `text` is well-formed, bounded decimal text greater than zero. Scans characters
 * only (no allocation, no Decimal): this runs on every order's quantity and price.
 */
export function isPositiveDecimalText(text: string): boolean {
  return scan(text) === POSITIVE;
}

/** Longest text the one-pass fast path of {@link positiveDecimalValue} judges (at most 15 digits). */
const FAST_VALUE_LENGTH = 15;
/** Exact powers of ten as doubles (10^0 … 10^15). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Judges `text` exactly as {@link isPositiveDecimalText} does and, in the same pass, gives its
 * value as the nearest double (the same double as `Number(text)`); −1 when it is not
 * well-formed, bounded text greater than zero. Text of at most 15 characters made of digits and
 * one optional point (`"2"`, `"5012.25"`, `".5"`, `"5."`) is judged in one pass: it always has at
 * most 15 significant digits and a magnitude in [1e-14, 1e15), inside every bound, and its digits
 * form an integer a double holds exactly, so one division by an exact power of ten rounds once,
 * to the nearest double. Anything else (signs, exponents, longer text) goes through the full scan.
 * No allocation: this runs on every order's quantity and price.
 */
export function positiveDecimalValue(text: string): number {
  const n = text.length;
  if (n > FAST_VALUE_LENGTH) return scan(text) === POSITIVE ? +text : -1;
  let digits = 0;
  let point = -1;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) digits = digits * 10 + d;
    else if (d === -2 && point < 0) point = i;
    else return scan(text) === POSITIVE ? +text : -1;
  }
  // No nonzero digit: zero, "." or "" (none of them is positive).
  if (digits === 0) return -1;
  return point < 0 ? digits : digits / POW10[n - 1 - point]!;
}

/** True when `text` is well-formed, bounded decimal text of any sign. */
export function isDecimalText(text: string): boolean {
  return scan(text) >= 0;
}

/** True when `text` is well-formed, bounded decimal text ≥ 0 ("-0" counts as zero). */
export function isNonNegativeDecimalText(text: string): boolean {
  const r = scan(text);
  return r === POSITIVE || r === ZERO;
}

/** True for a finite number within the bounds and above zero (1e-40 ≤ x < 1e21). */
export function isPositiveFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && x >= 1e-40 && x < 1e21;
}

const NOT_FINITE = /^[+-]?(Infinity|NaN)$/;

function textProblem(result: number, text: string): DecimalProblem {
  switch (result) {
    case TOO_LONG:
      return { problem: `is ${text.length} characters long; at most ${MAX_DECIMAL_TEXT_LENGTH}` };
    case EXPONENT_DIGITS:
      return { problem: `has an exponent of more than ${MAX_EXPONENT_DIGITS} digits` };
    case SIG_DIGITS:
      return { problem: `has ${lastSignificant} significant digits; at most ${MAX_SIG}` };
    case TOO_LARGE:
      return { problem: `magnitude 1e+${lastExponent} is not below ${INPUT_BOUNDS.maxMagnitude}` };
    case TOO_SMALL:
      return { problem: `magnitude 1e${lastExponent} is below 1e${MIN_EXPONENT}, the smallest nonzero magnitude accepted` };
    default:
      return NOT_FINITE.test(text)
        ? { problem: 'must be a finite number' }
        : /\s/.test(text)
          ? { problem: 'must be a decimal number without spaces' }
          : { problem: 'must be a decimal number' };
  }
}

function fromText(text: string): Exact | DecimalProblem {
  const result = scan(text);
  if (result < 0) return textProblem(result, text);
  return result === ZERO ? new Exact(0) : new Exact(text);
}

const DECIMAL_TAG = '[object Decimal]';

/**
 * Parses a number, decimal text or a Decimal from any decimal.js constructor into an
 * {@link Exact}, or says why not. Never throws: a Proxy, a revoked Proxy or a throwing
 * getter or `toString` yields a problem. Numbers go through their shortest round-trip text;
 * Decimals through their string form; both then meet the same bounds as text. Zero (also
 * "-0") comes back as +0.
 */
export function parseExact(input: unknown): Exact | DecimalProblem {
  if (typeof input === 'string') return fromText(input);
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { problem: 'must be a finite number' };
    return fromText(String(input));
  }
  if (typeof input !== 'object' || input === null) return { problem: 'must be a number, a decimal string or a Decimal' };
  let text: unknown;
  try {
    // decimal.js marks every instance of every clone with this prototype property.
    const candidate = input as { toStringTag?: unknown; e?: unknown; d?: unknown; toString(): unknown };
    if (candidate.toStringTag !== DECIMAL_TAG) return { problem: 'must be a number, a decimal string or a Decimal' };
    const e = candidate.e;
    // Refuse huge exponents before toString could spell them out digit by digit.
    if (typeof e === 'number' && (e > 1e6 || e < -1e6)) return { problem: 'must be a finite number within the bounds' };
    if (candidate.d === null) return { problem: 'must be a finite number' };
    text = candidate.toString();
  } catch {
    return { problem: 'could not be read as a Decimal (it threw when read)' };
  }
  if (typeof text !== 'string') return { problem: 'could not be read as a Decimal (its toString did not return text)' };
  return fromText(text);
}

/** True when `parseExact` refused the value. */
export function isDecimalProblem(result: Exact | DecimalProblem): result is DecimalProblem {
  return !(result instanceof Exact);
}
