import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCanonical, integerLength, QuietBand } from '../../machines/figures/quietBand.ts';

describe('quiet band (the fast path of updatePortfolio)', () => {
  it('recognises canonical decimal strings only', () => {
    expect(['0', '7', '10', '0.5', '1000000.25', '12.3400'].map(integerLength)).toEqual([1, 1, 2, 1, 7, 2]);
    for (const bad of ['', '.5', '5.', '-1', '+1', '1e6', '01', '00.5', ' 1', '1 ', '1.2.3', 'NaN', 'Infinity', '0x10', '1,000']) {
      expect(integerLength(bad), bad).toBe(-1);
    }
  });

  it('compares canonical strings exactly like Decimal does', () => {
    const canonical = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }))
      .map(([int, frac]) => (frac === undefined ? int.toString() : `${int}.${frac}`));
    fc.assert(
      fc.property(canonical, canonical, (a, b) => {
        const expected = new Decimal(a).comparedTo(new Decimal(b));
        expect(Math.sign(compareCanonical(a, integerLength(a), b, integerLength(b)))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('contains a value only when it is strictly above the low level and at most the high one — for strings and numbers', () => {
    const band = new QuietBand(new Decimal('945000'), new Decimal('1050000.5'));
    expect(band.contains('945000')).toBe(false);
    expect(band.contains('945000.00')).toBe(false);
    expect(band.contains('945000.01')).toBe(true);
    expect(band.contains('1050000.5')).toBe(true);
    expect(band.contains('1050000.50001')).toBe(false);
    expect(band.contains('1e6')).toBe(false); // exact path decides
    expect(band.contains(NaN)).toBe(false);
    expect(band.contains(945000)).toBe(false);
    expect(band.contains(1_000_000)).toBe(true);
    expect(band.contains(1_050_000.5)).toBe(false); // numbers keep a safety margin at the edges
    expect(band.contains(new Decimal(1_000_000))).toBe(false);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2e6, noNaN: true }), (x) => {
        if (band.contains(x)) expect(new Decimal(x).gt('945000') && new Decimal(x).lte('1050000.5')).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
