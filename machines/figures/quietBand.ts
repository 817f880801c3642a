/** Where a value falls: outside (the exact path decides), inside the band, or a plain new high. */
export const OUTSIDE = 0;
export const INSIDE = 1;
export const NEW_HIGH = 2;
export type BandPlace = typeof OUTSIDE | typeof INSIDE | typeof NEW_HIGH;

/** A level given as canonical text or as a Decimal (of any clone). */
type Level = string | { toFixed(): string; toNumber(): number };
const text = (level: Level): string => (typeof level === 'string' ? level : level.toFixed());
const num = (level: Level): number => (typeof level === 'string' ? Number(level) : level.toNumber());
/** Longest text the fast path judges; longer values (up to 34 significant digits) take the exact path. */
const MAX_FAST_LENGTH = 34;

/**
 * The range of portfolio values that cannot change anything: above every armed warning or trip
 * level and at or below the high-water mark. A value inside it needs no Decimal arithmetic; the
 * test is exact for decimal strings (compared digit by digit) and conservative for numbers (a
 * relative margin far above a double's rounding), so it never decides a trip, only that
 * nothing can happen.
 */
export class QuietBand {
  readonly #lowText: string;
  readonly #lowInt: number;
  readonly #highText: string | null;
  readonly #highInt: number;
  /** The upper edge's characters (none when unbounded), read by {@link classify} without charCodeAt. */
  readonly #highCodes: Uint8Array;
  readonly #low: Level;
  readonly #high: Level | null;
  /** Float edges, computed when the first number arrives (strings never need them). */
  #lowNum = NaN;
  #highNum = NaN;

  /** `low` is exclusive, `high` (null = unbounded) inclusive; both non-negative canonical levels. */
  constructor(low: Level, high: Level | null) {
    this.#low = low;
    this.#high = high;
    this.#lowText = text(low);
    this.#lowInt = integerLength(this.#lowText);
    this.#highText = high === null ? null : text(high);
    this.#highInt = this.#highText === null ? 0 : integerLength(this.#highText);
    const highText = this.#highText ?? '';
    this.#highCodes = new Uint8Array(highText.length);
    for (let i = 0; i < highText.length; i++) this.#highCodes[i] = highText.charCodeAt(i);
  }

  /** A band that holds no value and takes only new highs above `high` (its levels are not known yet). */
  static newHighsAbove(high: string): QuietBand {
    return new QuietBand(high, high);
  }

  /**
   * One pass over a value: {@link INSIDE} when it is certainly inside the band, {@link NEW_HIGH}
   * when it is canonical text certainly above the upper edge (and so above the lower one),
   * {@link OUTSIDE} otherwise (the exact path decides). Text is read once: the same loop checks
   * its canonical form, finds its integer length and compares it with the upper edge digit by
   * digit (as {@link compareCanonical} does) until the first difference.
   */
  classify(value: unknown): BandPlace {
    if (typeof value !== 'string') return this.contains(value) ? INSIDE : OUTSIDE;
    const n = value.length;
    if (n > MAX_FAST_LENGTH || n === 0) return OUTSIDE;
    const high = this.#highText;
    const h = this.#highCodes;
    const hn = h.length;
    const hInt = this.#highInt;
    let dot = -1;
    // The value against the upper edge as if their integer parts had the same length: the first difference.
    let vsHigh = high === null ? 1 : 0;
    let i = 0;
    for (; vsHigh === 0 && i < n; i++) {
      const c = value.charCodeAt(i);
      if (c - 48 >>> 0 > 9) {
        if (c !== 46 || dot >= 0 || i === 0 || i === n - 1) return OUTSIDE;
        dot = i;
      }
      const e = i < hn ? h[i]! : i === hInt ? 46 : 48;
      if (c !== e) vsHigh = c < e ? -1 : 1;
    }
    // The rest of the value: its form only.
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c - 48 >>> 0 > 9) {
        if (c !== 46 || dot >= 0 || i === 0 || i === n - 1) return OUTSIDE;
        dot = i;
      }
    }
    const int = dot < 0 ? n : dot;
    if (int > 1 && value.charCodeAt(0) === 48) return OUTSIDE;
    if (high !== null) {
      if (int !== hInt) vsHigh = int < hInt ? -1 : 1;
      // The edge is longer: the value's missing places are its point and zeros.
      for (let i = n; vsHigh === 0 && i < hn; i++) {
        const c = i === int ? 46 : 48;
        if (c !== h[i]) vsHigh = c < h[i]! ? -1 : 1;
      }
      if (vsHigh > 0) {
        if (int > 21) return OUTSIDE;
        return this.#lowText === high || this.#aboveLow(value, int) ? NEW_HIGH : OUTSIDE;
      }
    }
    return this.#lowText !== high && this.#aboveLow(value, int) ? INSIDE : OUTSIDE;
  }

  /** Canonical text strictly above the lower edge (integer lengths first: mostly one comparison). */
  #aboveLow(value: string, int: number): boolean {
    const lowInt = this.#lowInt;
    return int !== lowInt ? int > lowInt : compareCanonical(value, int, this.#lowText, lowInt) > 0;
  }

  /** True only when `value` is certainly a well-formed value strictly inside the band. */
  contains(value: unknown): boolean {
    if (typeof value === 'string') {
      if (value.length > MAX_FAST_LENGTH) return false;
      const int = integerLength(value);
      if (int < 0 || compareCanonical(value, int, this.#lowText, this.#lowInt) <= 0) return false;
      return this.#highText === null || compareCanonical(value, int, this.#highText, this.#highInt) <= 0;
    }
    if (typeof value === 'number') {
      if (Number.isNaN(this.#lowNum)) this.#numericEdges();
      return value > this.#lowNum && value < this.#highNum;
    }
    return false;
  }

  #numericEdges(): void {
    const lowNum = num(this.#low);
    this.#lowNum = lowNum + Math.abs(lowNum) * 1e-12 + Number.MIN_VALUE;
    // No upper edge: every number above the lower one is inside (Infinity − Infinity would be NaN).
    const highNum = this.#high === null ? Infinity : num(this.#high);
    this.#highNum = highNum === Infinity ? Infinity : highNum - Math.abs(highNum) * 1e-12;
  }

  /**
   * True only when `value` is canonical decimal text certainly above the band's upper edge (and
   * so above its lower one): a new high that changes nothing but the high-water mark.
   */
  above(value: string): boolean {
    if (this.#highText === null || value.length > MAX_FAST_LENGTH) return false;
    const int = integerLength(value);
    if (int < 0 || int > 21) return false;
    if (compareCanonical(value, int, this.#highText, this.#highInt) <= 0) return false;
    // The lower edge is at or below the upper one whenever the band holds anything.
    return this.#lowText === this.#highText || compareCanonical(value, int, this.#lowText, this.#lowInt) > 0;
  }
}

/**
 * Length of the integer part of a canonical non-negative decimal string ("123", "0.5",
 * "1000000.25": digits, at most one dot with digits after it, no leading zeros), or -1 when the
 * text is not in that form (such values take the exact Decimal path).
 */
export function integerLength(text: string): number {
  const n = text.length;
  if (n === 0) return -1;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot >= 0 || i === 0 || i === n - 1) return -1;
      dot = i;
    } else if (c < 48 || c > 57) return -1;
  }
  const int = dot < 0 ? n : dot;
  if (int > 1 && text.charCodeAt(0) === 48) return -1;
  return int;
}

/** Compares two canonical decimal strings exactly (by integer length, then digit by digit). */
export function compareCanonical(a: string, aInt: number, b: string, bInt: number): number {
  if (aInt !== bInt) return aInt < bInt ? -1 : 1;
  const n = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const ca = i < a.length ? a.charCodeAt(i) : i === aInt ? 46 : 48;
    const cb = i < b.length ? b.charCodeAt(i) : i === bInt ? 46 : 48;
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return 0;
}
