/**
 * Exact decimal comparison for the oracle, on BigInt: written apart from the runtime's own
 * Decimal so that the oracle is an independent judge. A value is n / 10^s.
 */
export interface Dec {
  readonly n: bigint;
  readonly s: number;
}

/** Parses a finite number or decimal text (exponent notation allowed). */
export function dec(value: string | number): Dec {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`not a decimal: ${JSON.stringify(text)}`);
  const frac = m[3] ?? '';
  let n = BigInt(`${m[2] || '0'}${frac}`);
  let s = frac.length - Number(m[4] ?? 0);
  if (s < 0) {
    n *= 10n ** BigInt(-s);
    s = 0;
  }
  return { n: m[1] === '-' ? -n : n, s };
}

function numberText(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  return String(x);
}

function align(a: Dec, b: Dec): [bigint, bigint] {
  if (a.s === b.s) return [a.n, b.n];
  return a.s > b.s ? [a.n, b.n * 10n ** BigInt(a.s - b.s)] : [a.n * 10n ** BigInt(b.s - a.s), b.n];
}

export const add = (a: Dec, b: Dec): Dec => {
  const [x, y] = align(a, b);
  return { n: x + y, s: Math.max(a.s, b.s) };
};
export const sub = (a: Dec, b: Dec): Dec => add(a, { n: -b.n, s: b.s });
export const mul = (a: Dec, b: Dec): Dec => ({ n: a.n * b.n, s: a.s + b.s });
export const cmp = (a: Dec, b: Dec): number => {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
};
export const isPositive = (a: Dec): boolean => a.n > 0n;
