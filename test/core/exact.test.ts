import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Exact,
  INPUT_BOUNDS,
  isDecimalProblem,
  isDecimalText,
  isNonNegativeDecimalText,
  isPositiveDecimalText,
  isPositiveFiniteNumber,
  parseExact,
  type DecimalProblem,
} from '../../machines/math/exact.ts';

/** A fresh, independent constructor as the reference. */
const Ref = Decimal.clone();
const GRAMMAR = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function problemOf(input: unknown): string {
  const r = parseExact(input);
  if (!isDecimalProblem(r)) throw new Error(`expected a problem for ${String(input)}, got ${r.toString()}`);
  return r.problem;
}

function exactOf(input: unknown): Exact {
  const r = parseExact(input);
  if (isDecimalProblem(r)) throw new Error(`expected a value for ${String(input)}, got ${r.problem}`);
  return r;
}

/** Independent judgement of the bounds, through the reference constructor. */
function withinBounds(text: string): boolean {
  if (text.length > 100 || !GRAMMAR.test(text)) return false;
  const exp = /[eE][+-]?(\d+)$/.exec(text);
  if (exp && exp[1]!.length > 6) return false;
  const ref = new Ref(text);
  if (ref.isZero()) return true;
  return ref.sd() <= 34 && ref.e <= 20 && ref.e >= -40;
}

const digits = (min: number, max: number) => fc.array(fc.constantFrom(...'0000123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const decimalText = fc
  .tuple(
    fc.constantFrom('', '', '+', '-'),
    digits(0, 40),
    fc.option(digits(0, 40)),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 8))),
  )
  .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : exp.join('')}`);
const interesting = fc.constantFrom('+5', '.5', '5.', '-0', '0e5', '0.0', '00012.50', '1e-40', '1e-41', '9.99e20', '1e21', '-.5', '.', '-', 'e5', '1e', '1e+', '1.2.3');

describe('Exact', () => {
  afterEach(() => {
    Decimal.set({ defaults: true });
  });

  it('is not affected by the host Decimal.set', () => {
    const before = new Exact('1234567890.123456789').times('987654321.987654321').toString();
    Decimal.set({ precision: 5, rounding: Decimal.ROUND_DOWN, toExpPos: 2, toExpNeg: -2 });
    expect(new Exact('1234567890.123456789').times('987654321.987654321').toString()).toBe(before);
    expect(before).toBe(Ref.clone({ precision: 200 })('1234567890.123456789').times('987654321.987654321').toFixed());
    expect(new Exact('0.001').toString()).toBe('0.001');
  });

  it('multiplies and subtracts bounded inputs exactly and prints them without exponents', () => {
    const Wide = Decimal.clone({ precision: 1000, toExpNeg: -1000, toExpPos: 1000 });
    const [x, y] = [`${'9'.repeat(20)}.${'9'.repeat(14)}`, `-${'9'.repeat(34)}e-73`];
    expect(exactOf(x).minus(exactOf(y)).toString()).toBe(new Wide(x).minus(y).toString());
    expect(exactOf(x).times(exactOf(y)).toString()).toBe(new Wide(x).times(y).toString());
    expect(exactOf('1.234567890123456789012345678901234e-7').toString()).toBe('0.0000001234567890123456789012345678901234');
    const nines = `${'9'.repeat(20)}.${'9'.repeat(14)}`;
    expect(exactOf(nines).times(exactOf(nines)).toString()).toBe(new Wide(nines).times(nines).toString());
  });

  it('exports the bounds', () => {
    expect(INPUT_BOUNDS).toEqual({ maxSignificantDigits: 34, maxMagnitude: '1e21' });
  });
});

describe('parseExact', () => {
  it.each([
    ['5012.25', '5012.25'],
    ['+5', '5'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['-0', '0'],
    ['0e999999', '0'],
    ['1.5E3', '1500'],
    ['-12e-3', '-0.012'],
    ['00012.50', '12.5'],
    [`${'1'.repeat(18)}00`, `${'1'.repeat(18)}00`],
    [`${'1'.repeat(20)}.${'1'.repeat(14)}00`, `${'1'.repeat(20)}.${'1'.repeat(14)}`],
    ['1e-40', `0.${'0'.repeat(39)}1`],
  ])('accepts %s', (text, expected) => {
    expect(exactOf(text).toString()).toBe(expected);
  });

  it.each<[unknown, string]>([
    ['1e999999999', 'has an exponent of more than 6 digits'],
    ['9e-999999999', 'has an exponent of more than 6 digits'],
    ['1e25', 'magnitude 1e+25 is not below 1e21'],
    ['1e21', 'magnitude 1e+21 is not below 1e21'],
    ['1e999999', 'magnitude 1e+999999 is not below 1e21'],
    ['1e-41', 'magnitude 1e-41 is below 1e-40'],
    ['1'.repeat(35), 'has 35 significant digits; at most 34'],
    [`0.${'1'.repeat(40)}`, 'has 40 significant digits; at most 34'],
    ['Infinity', 'must be a finite number'],
    ['-Infinity', 'must be a finite number'],
    ['NaN', 'must be a finite number'],
    [' 5', 'must be a decimal number'],
    ['5 ', 'must be a decimal number'],
    ['0x10', 'must be a decimal number'],
    ['1_000', 'must be a decimal number'],
    ['', 'must be a decimal number'],
    ['1e', 'must be a decimal number'],
    [Infinity, 'must be a finite number'],
    [NaN, 'must be a finite number'],
    [1e21, 'magnitude 1e+21 is not below 1e21'],
    [-1e300, 'magnitude 1e+300 is not below 1e21'],
    [5e-324, 'magnitude 1e-324 is below 1e-40'],
    [true, 'must be a number, a decimal string or a Decimal'],
    [10n, 'must be a number, a decimal string or a Decimal'],
    [{ toString: () => '5' }, 'must be a number, a decimal string or a Decimal'],
  ])('refuses %s', (input, message) => {
    expect(problemOf(input)).toContain(message);
  });

  it('refuses a 1 MB string and a 1 MB exponent at once, without reading them', () => {
    expect(problemOf('1'.repeat(1 << 20))).toBe('is 1048576 characters long; at most 100');
    expect(problemOf(`1e${'9'.repeat(1 << 20)}`)).toContain('characters long');
    expect(problemOf(`1e${'9'.repeat(90)}`)).toBe('has an exponent of more than 6 digits');
  });

  it('accepts numbers through their shortest round-trip text', () => {
    expect(exactOf(0.1).toString()).toBe('0.1');
    expect(exactOf(-0).toString()).toBe('0');
    expect(exactOf(1e-7).toString()).toBe('0.0000001');
    expect(exactOf(123456789.123).toString()).toBe('123456789.123');
    expect(exactOf(9.99e20).toString()).toBe('999000000000000000000');
  });

  it('accepts Decimals from any constructor, even after the host Decimal.set', () => {
    try {
      Decimal.set({ precision: 5, toExpPos: 2, toExpNeg: -2 });
      expect(exactOf(new Decimal('1234567.891')).toString()).toBe('1234567.891');
      expect(exactOf(new Decimal('0.000123')).toString()).toBe('0.000123');
      const Clone = Decimal.clone({ precision: 3 });
      expect(exactOf(new Clone('-42.125')).toString()).toBe('-42.125');
      expect(exactOf(new Exact('7')).toString()).toBe('7');
      expect(problemOf(new Decimal(NaN))).toBe('must be a finite number');
      expect(problemOf(new Decimal(Infinity))).toBe('must be a finite number');
      expect(problemOf(new Decimal('1e25'))).toContain('magnitude 1e+25');
      expect(problemOf(new Decimal('1e9000000000000'))).toContain('within the bounds');
      expect(problemOf(new Decimal('1'.repeat(40)))).toContain('40 significant digits');
    } finally {
      Decimal.set({ defaults: true });
    }
  });

  it('never throws on hostile objects', () => {
    const revocable = Proxy.revocable(new Decimal(5), {});
    revocable.revoke();
    const throwing = Object.create(Decimal.prototype, { toStringTag: { get: () => { throw new Error('boom'); } } });
    const badToString = Object.assign(Object.create(Object.getPrototypeOf(new Decimal(1))), { s: 1, e: 0, d: [1], toString: () => { throw new Error('no'); } });
    const trap = new Proxy(new Decimal(5), { get: () => { throw new Error('trap'); } });
    const numberText = Object.assign(Object.create(Object.getPrototypeOf(new Decimal(1))), { s: 1, e: 0, d: [1], toString: () => 5 });
    for (const hostile of [revocable.proxy, throwing, badToString, trap]) expect(problemOf(hostile)).toContain('could not be read');
    expect(problemOf(numberText)).toContain('did not return text');
    expect(exactOf(new Proxy(new Decimal('2.5'), {})).toString()).toBe('2.5');
  });
});

describe('text scanning', () => {
  it('judges common and edge cases', () => {
    expect(isPositiveDecimalText('5012.25')).toBe(true);
    expect(isPositiveDecimalText('.5')).toBe(true);
    expect(isPositiveDecimalText('5.')).toBe(true);
    expect(isPositiveDecimalText('+1e3')).toBe(true);
    for (const t of ['0', '-0', '0e5', '0.000', '-1', '', '.', 'abc', '5 ', '1e21', '1'.repeat(35), '1e1234567', 'Infinity']) {
      expect(isPositiveDecimalText(t)).toBe(false);
    }
    expect(isDecimalText('-5')).toBe(true);
    expect(isDecimalText('-')).toBe(false);
    expect(isNonNegativeDecimalText('-0')).toBe(true);
    expect(isNonNegativeDecimalText('-0.1')).toBe(false);
  });

  it('judges numbers', () => {
    expect(isPositiveFiniteNumber(1)).toBe(true);
    expect(isPositiveFiniteNumber(9.99e20)).toBe(true);
    for (const x of [0, -0, -1, 1e21, Infinity, NaN, 1e-41, '1']) expect(isPositiveFiniteNumber(x)).toBe(false);
  });
});

describe('properties', () => {
  it('parseExact agrees with a plain Decimal on every accepted value; every refused value is out of bounds', () => {
    fc.assert(
      fc.property(fc.oneof(decimalText, interesting), (text) => {
        const r = parseExact(text);
        if (isDecimalProblem(r)) {
          expect(withinBounds(text), `${text}: ${(r as DecimalProblem).problem}`).toBe(false);
        } else {
          expect(withinBounds(text)).toBe(true);
          expect(new Ref(r.toString()).eq(new Ref(text))).toBe(true);
          expect(r.toString()).not.toMatch(/e/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('isPositiveDecimalText and isDecimalText agree with parseExact', () => {
    fc.assert(
      fc.property(fc.oneof(decimalText, interesting), (text) => {
        const r = parseExact(text);
        expect(isDecimalText(text)).toBe(!isDecimalProblem(r));
        expect(isPositiveDecimalText(text)).toBe(!isDecimalProblem(r) && r.gt(0));
        expect(isNonNegativeDecimalText(text)).toBe(!isDecimalProblem(r) && r.gte(0));
      }),
      { numRuns: 3000 },
    );
  });

  it('numbers: parseExact agrees with the number and with isPositiveFiniteNumber', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const r = parseExact(x);
        if (!isDecimalProblem(r)) expect(r.toNumber()).toBe(x === 0 ? 0 : x);
        else expect(!Number.isFinite(x) || Math.abs(x) >= 1e21 || Math.abs(x) < 1e-40).toBe(true);
        expect(isPositiveFiniteNumber(x)).toBe(!isDecimalProblem(r) && r.gt(0));
      }),
      { numRuns: 2000 },
    );
  });
});
