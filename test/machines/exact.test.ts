import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  Exact,
  INPUT_BOUNDS,
  MAX_DECIMAL_TEXT_LENGTH,
  MIN_EXPONENT,
  isDecimalProblem,
  isDecimalText,
  isNonNegativeDecimalText,
  isPositiveDecimalText,
  isPositiveFiniteNumber,
  parseExact,
  positiveDecimalValue,
} from '../../machines/math/exact.ts';

const problem = (input: unknown): string | null => {
  const r = parseExact(input);
  return isDecimalProblem(r) ? r.problem : null;
};
const value = (input: unknown): string => {
  const r = parseExact(input);
  if (isDecimalProblem(r)) throw new Error(`refused: ${r.problem}`);
  return r.toFixed();
};

describe('Exact: the private Decimal configuration', () => {
  it('has 100 digits, half-even rounding and plain printing up to 1e±100', () => {
    expect(Exact.precision).toBe(100);
    expect(Exact.rounding).toBe(Decimal.ROUND_HALF_EVEN);
    expect(Exact.toExpNeg).toBe(-100);
    expect(Exact.toExpPos).toBe(100);
    expect(Exact.minE).toBe(-9e15);
    expect(Exact.maxE).toBe(9e15);
    expect(new Exact('1e99').toString()).toBe(`1${'0'.repeat(99)}`);
    expect(new Exact('1e-99').toString()).toBe(`0.${'0'.repeat(98)}1`);
    expect(new Exact('1e100').toString()).toBe('1e+100');
    expect(new Exact('2.5').toDecimalPlaces(0).toString()).toBe('2');
    expect(new Exact('3.5').toDecimalPlaces(0).toString()).toBe('4');
  });

  it('exports its bounds', () => {
    expect(INPUT_BOUNDS).toEqual({ maxSignificantDigits: 34, maxMagnitude: '1e21' });
    expect(MAX_DECIMAL_TEXT_LENGTH).toBe(100);
    expect(MIN_EXPONENT).toBe(-40);
  });
});

describe('decimal text: exact bounds', () => {
  it('judges length: 100 characters are read, 101 are refused unread', () => {
    const hundred = `${'0'.repeat(99)}1`;
    expect(hundred).toHaveLength(100);
    expect(value(hundred)).toBe('1');
    expect(problem(`0${hundred}`)).toBe('is 101 characters long; at most 100');
    expect(isDecimalText(`0${hundred}`)).toBe(false);
  });

  it('counts significant digits from the first to the last nonzero digit: 34 pass, 35 do not', () => {
    const d34 = `1${'2'.repeat(32)}3`;
    const split = `${d34.slice(0, 10)}.${d34.slice(10)}`;
    expect(value(split)).toBe(split);
    expect(value(`0.${d34}`)).toBe(`0.${d34}`);
    expect(value(`0.000${d34}000`)).toBe(`0.000${d34}`);
    expect(problem(`0.${d34}4`)).toBe('has 35 significant digits; at most 34');
    expect(problem(`0.00${d34}4`)).toBe('has 35 significant digits; at most 34');
    expect(problem(`${split}5`)).toBe('has 35 significant digits; at most 34');
    expect(problem(`${split}5e-3`)).toBe('has 35 significant digits; at most 34');
    // Zeros inside count, zeros outside do not.
    expect(value(`0.1${'0'.repeat(32)}1`)).toBe(`0.1${'0'.repeat(32)}1`);
    expect(problem(`0.1${'0'.repeat(33)}1`)).toBe('has 35 significant digits; at most 34');
    expect(value(`1.${'0'.repeat(40)}`)).toBe('1');
    expect(value(`000${'7'.repeat(20)}`)).toBe('7'.repeat(20));
  });

  it('accepts magnitudes below 1e21 and at least 1e-40, nothing beyond', () => {
    expect(value('1e20')).toBe(`1${'0'.repeat(20)}`);
    expect(value('9'.repeat(21))).toBe('9'.repeat(21));
    expect(problem(`1${'0'.repeat(21)}`)).toBe('magnitude 1e+21 is not below 1e21');
    expect(problem('1e21')).toBe('magnitude 1e+21 is not below 1e21');
    expect(problem('-1e21')).toBe('magnitude 1e+21 is not below 1e21');
    expect(problem('12e20')).toBe('magnitude 1e+21 is not below 1e21');
    expect(problem('0.1e22')).toBe('magnitude 1e+21 is not below 1e21');
    expect(value('0.1e21')).toBe(`1${'0'.repeat(20)}`);
    expect(value('1e-40')).toBe(`0.${'0'.repeat(39)}1`);
    expect(value(`0.${'0'.repeat(39)}1`)).toBe(`0.${'0'.repeat(39)}1`);
    expect(problem('1e-41')).toBe('magnitude 1e-41 is below 1e-40, the smallest nonzero magnitude accepted');
    expect(problem(`0.${'0'.repeat(40)}1`)).toBe('magnitude 1e-41 is below 1e-40, the smallest nonzero magnitude accepted');
    expect(problem('10e-42')).toBe('magnitude 1e-41 is below 1e-40, the smallest nonzero magnitude accepted');
    expect(value('10e-41')).toBe(`0.${'0'.repeat(39)}1`);
    // Zero has no magnitude: any exponent is fine.
    expect(value('0e-99')).toBe('0');
    expect(value('0.000e50')).toBe('0');
  });

  it('reads exponents of up to 6 digits, either case, either sign', () => {
    expect(value('1E5')).toBe('100000');
    expect(value('1e+5')).toBe('100000');
    expect(value('25e-1')).toBe('2.5');
    expect(value('1e000005')).toBe('100000');
    expect(problem('1e0000005')).toBe('has an exponent of more than 6 digits');
    expect(problem('1e-0000005')).toBe('has an exponent of more than 6 digits');
    expect(problem('1e999999')).toBe('magnitude 1e+999999 is not below 1e21');
    for (const bad of ['1e', '1e+', '1e-', '1e5x', '1e5.', '1e/', '1e:', '1e5/', '1e5:', '1ee5', '1f5', '1x']) {
      expect(problem(bad), bad).toBe('must be a decimal number');
    }
  });

  it('reads digits, one point and a sign; nothing else', () => {
    expect(value('0')).toBe('0');
    expect(value('9')).toBe('9');
    expect(value('.5')).toBe('0.5');
    expect(value('5.')).toBe('5');
    expect(value('+5')).toBe('5');
    expect(value('-5.25')).toBe('-5.25');
    for (const bad of ['', '.', '-', '+', '+-1', '--1', 'e5', '.e5', '1.2.3', '1/', '1:', '/1', ':1', '1,5', '0x10', 'abc']) {
      expect(problem(bad), JSON.stringify(bad)).toBe('must be a decimal number');
    }
    for (const spaced of [' 5', '5 ', '1 000', '\t5']) expect(problem(spaced), JSON.stringify(spaced)).toBe('must be a decimal number without spaces');
    for (const nf of ['Infinity', '-Infinity', '+Infinity', 'NaN', '-NaN']) expect(problem(nf), nf).toBe('must be a finite number');
    for (const near of ['xInfinity', 'Infinityx', 'infinity', 'nan']) expect(problem(near), near).toBe('must be a decimal number');
  });

  it('tells the sign: positive, zero (also "-0"), negative', () => {
    expect(isPositiveDecimalText('0.001')).toBe(true);
    expect(isPositiveDecimalText('+1')).toBe(true);
    for (const t of ['0', '0.000', '-0', '+0', '-1', 'x', '1e21']) expect(isPositiveDecimalText(t), t).toBe(false);
    for (const t of ['0', '-0', '0.000', '5', '+5']) expect(isNonNegativeDecimalText(t), t).toBe(true);
    for (const t of ['-1', '-0.001', 'x', '']) expect(isNonNegativeDecimalText(t), t).toBe(false);
    for (const t of ['-1', '0', '-0', '1', '-1e20']) expect(isDecimalText(t), t).toBe(true);
    for (const t of ['-1e21', 'x', '-']) expect(isDecimalText(t), t).toBe(false);
    const negZero = parseExact('-0.000');
    expect(isDecimalProblem(negZero)).toBe(false);
    expect((negZero as Exact).isNegative()).toBe(false);
    expect((negZero as Exact).isZero()).toBe(true);
  });
});

describe('numbers', () => {
  it('isPositiveFiniteNumber: 1e-40 ≤ x < 1e21', () => {
    expect(isPositiveFiniteNumber(1e-40)).toBe(true);
    expect(isPositiveFiniteNumber(9.99e-41)).toBe(false);
    expect(isPositiveFiniteNumber(999999999999999900000)).toBe(true);
    expect(isPositiveFiniteNumber(1e21)).toBe(false);
    for (const x of [0, -0, -1, NaN, Infinity, '5', null, undefined]) expect(isPositiveFiniteNumber(x), String(x)).toBe(false);
  });

  it('parses numbers through their shortest text, with the same bounds', () => {
    expect(value(0.1)).toBe('0.1');
    expect(value(-2.5)).toBe('-2.5');
    expect(value(-0)).toBe('0');
    expect(value(1e20)).toBe(`1${'0'.repeat(20)}`);
    expect(problem(1e21)).toBe('magnitude 1e+21 is not below 1e21');
    expect(problem(1e-41)).toBe('magnitude 1e-41 is below 1e-40, the smallest nonzero magnitude accepted');
    for (const nf of [NaN, Infinity, -Infinity]) expect(problem(nf)).toBe('must be a finite number');
  });
});

describe('parseExact on objects', () => {
  it('refuses what is neither number, text nor Decimal', () => {
    for (const x of [null, undefined, true, 5n, {}, [], () => 1, { toStringTag: 'Decimal' }]) {
      expect(problem(x), String(x)).toBe('must be a number, a decimal string or a Decimal');
    }
  });

  it('reads Decimals of any constructor through their text', () => {
    expect(value(new Decimal('5012.25'))).toBe('5012.25');
    expect(value(new Exact('-3'))).toBe('-3');
    expect(value(new Decimal('1e-40'))).toBe(`0.${'0'.repeat(39)}1`);
    expect(problem(new Decimal('1e21'))).toBe('magnitude 1e+21 is not below 1e21');
    expect(problem(new Decimal('1.23456789012345678901234567890123456'))).toBe('has 36 significant digits; at most 34');
  });

  it('refuses non-finite Decimals and huge exponents before printing them', () => {
    expect(problem(new Decimal(NaN))).toBe('must be a finite number');
    expect(problem(new Decimal(Infinity))).toBe('must be a finite number');
    expect(problem(new Decimal('1e1000001'))).toBe('must be a finite number within the bounds');
    expect(problem(new Decimal('1e-1000001'))).toBe('must be a finite number within the bounds');
    // Exactly 1e6 is printed (7 exponent digits) and refused by the text bounds.
    expect(problem(new Decimal('1e1000000'))).toBe('has an exponent of more than 6 digits');
    expect(problem(new Decimal('1e-1000000'))).toBe('has an exponent of more than 6 digits');
  });

  it('never throws on hostile look-alikes', () => {
    const tag = '[object Decimal]';
    const throwing = { toStringTag: tag, get e(): number { throw new Error('boom'); }, d: [1], toString: () => '1' };
    expect(problem(throwing)).toBe('could not be read as a Decimal (it threw when read)');
    const throwingText = { toStringTag: tag, e: 0, d: [1], toString(): string { throw new Error('boom'); } };
    expect(problem(throwingText)).toBe('could not be read as a Decimal (it threw when read)');
    const notText = { toStringTag: tag, e: 0, d: [5], toString: () => 5 };
    expect(problem(notText)).toBe('could not be read as a Decimal (its toString did not return text)');
    const fine = { toStringTag: tag, e: 0, d: [5], toString: () => '5' };
    expect(value(fine)).toBe('5');
    const hugeButNotNumber = { toStringTag: tag, e: '99999999', d: [5], toString: () => '5' };
    expect(value(hugeButNotNumber)).toBe('5');
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(problem(revoked.proxy)).toBe('could not be read as a Decimal (it threw when read)');
  });

  it('isDecimalProblem tells refusals from values', () => {
    expect(isDecimalProblem(parseExact('1'))).toBe(false);
    expect(isDecimalProblem(parseExact('x'))).toBe(true);
    expect(isDecimalProblem({ problem: 'x' })).toBe(true);
  });
});

describe('positiveDecimalValue', () => {
  const texts = [
    '2', '5012.25', '.5', '5.', '0.1', '007', '0', '0.000', '.', '', '-1', '+1', '1e3', '1E-3', '1.5e+2', ' 5', '5 ', '1..2', '0x10',
    'Infinity', 'NaN', '999999999999999', '9999999999999999', '123456789012345.6', '0.00000000000001', '1e21', '9'.repeat(35),
    '0.' + '0'.repeat(39) + '1', '0.' + '0'.repeat(40) + '1', '１', '5012.250', '1e-40',
  ];
  it('judges text as isPositiveDecimalText does, and gives the same double as Number()', () => {
    for (const text of texts) {
      const v = positiveDecimalValue(text);
      if (isPositiveDecimalText(text)) expect(v, text).toBe(Number(text));
      else expect(v, text).toBe(-1);
    }
  });
  it('agrees on random short digit strings', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 5000; i++) {
      const n = 1 + (next() % 17);
      let text = '';
      for (let j = 0; j < n; j++) text += next() % 9 === 0 ? '.' : String(next() % 10);
      const v = positiveDecimalValue(text);
      expect(v, text).toBe(isPositiveDecimalText(text) ? Number(text) : -1);
    }
  });
});
