/**
 * Symbols in one canonical form. A symbol is 1–64 characters, already in Unicode NFKC form, with
 * no control, format or line-separator characters and no leading, trailing or repeated
 * whitespace; anything else is malformed. Well-formed symbols are compared in their canonical
 * form: upper case (`'upper'`, the default) or exactly as given (`'exact'`). So `"XYZ "`,
 * `"xyz"`, `"XYZ\u200b"` and `"ＸＹＺ"` can never be a way around a limit on `XYZ`.
 */

/** How symbols are compared: in upper case, or exactly as given. */
export const SymbolCase = { UPPER: 'upper', EXACT: 'exact' } as const;
export type SymbolCase = (typeof SymbolCase)[keyof typeof SymbolCase];

/** Longest symbol, in characters (code points). */
export const MAX_SYMBOL_LENGTH = 64;

/** Control (Cc), format (Cf: zero-width, bidi overrides) and line/paragraph separators (Zl, Zp). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const LONE_SURROGATE = /\p{Cs}/u;
const EDGE_SPACE = /^\s|\s$/u;
const REPEATED_SPACE = /\s\s/u;

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a symbol is malformed, or null when it is well formed. Never throws. */
export function symbolProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (asciiScan(value) >= 0) return null;
  // 64 code points are at most 128 code units: a longer string is refused before it is read further.
  if (value.length > 2 * MAX_SYMBOL_LENGTH) return `must be at most ${MAX_SYMBOL_LENGTH} characters long`;
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  let count = 0;
  for (const _ of value) count++;
  if (count > MAX_SYMBOL_LENGTH) return `must be at most ${MAX_SYMBOL_LENGTH} characters long`;
  const invisible = INVISIBLE.exec(value);
  if (invisible !== null) return `must not hold control or format characters (${hex(invisible[0].codePointAt(0)!)} at index ${invisible.index})`;
  if (EDGE_SPACE.test(value)) return 'must not begin or end with whitespace';
  if (REPEATED_SPACE.test(value)) return 'must not hold repeated whitespace';
  const nfkc = value.normalize('NFKC');
  if (nfkc !== value) return `must be in Unicode NFKC form (e.g. no full-width or compatibility characters): write ${JSON.stringify(nfkc)}`;
  return null;
}

/**
 * One scan of a symbol for the common case, printable ASCII with single inner spaces: 1 when it
 * is such a symbol and holds a lower-case letter, 0 when it holds none, −1 when it is not one
 * (malformed, or not ASCII: the full checks decide).
 */
function asciiScan(value: string): -1 | 0 | 1 {
  const n = value.length;
  if (n === 0 || n > MAX_SYMBOL_LENGTH) return -1;
  let lower = false;
  let space = true; // a leading space is refused like a repeated one
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) {
      if (c >= 0x61 && c <= 0x7a) lower = true;
      space = false;
    } else if (c === 0x20 && !space) {
      space = true;
    } else {
      return -1;
    }
  }
  return space ? -1 : lower ? 1 : 0; // a trailing space is refused
}

/**
 * The canonical form of a symbol, or null when it is malformed ({@link symbolProblem} says why).
 * The hot path of `check()`: printable ASCII with single inner spaces is judged by one scan and
 * upper-cased only when it holds a lower-case letter; anything else gets the full Unicode checks.
 */
export function canonicalSymbol(value: string, symbolCase: SymbolCase): string | null {
  // Orders in one symbol come in runs: the last answer is kept (a pure function of its two inputs).
  if (value === memo.value && symbolCase === memo.symbolCase) return memo.canonical;
  const canonical = canonicalOf(value, symbolCase);
  memo.value = value;
  memo.symbolCase = symbolCase;
  memo.canonical = canonical;
  return canonical;
}

const memo: { value: string; symbolCase: SymbolCase; canonical: string | null } = { value: '', symbolCase: SymbolCase.UPPER, canonical: null };

function canonicalOf(value: string, symbolCase: SymbolCase): string | null {
  const ascii = asciiScan(value);
  if (ascii === 0) return value;
  if (ascii === 1) return symbolCase === SymbolCase.UPPER ? value.toUpperCase() : value;
  if (symbolProblem(value) !== null) return null;
  // Upper-casing may leave a form NFKC writes differently (e.g. "ΐ" → "Ϊ́"): normalise again so the form is stable.
  return symbolCase === SymbolCase.UPPER ? value.toUpperCase().normalize('NFKC') : value;
}
