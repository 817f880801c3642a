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

describe('quiet band: one pass classifies inside, new high or outside, exactly', () => {
  it('agrees with Decimal on every canonical string, with and without an upper edge', async () => {
    const { QuietBand: Band, INSIDE, NEW_HIGH } = await import('../../machines/figures/quietBand.ts');
    const canonical = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.option(fc.stringMatching(/^[0-9]{1,4}$/), { nil: undefined }))
      .map(([int, frac]) => (frac === undefined ? int.toString() : `${int}.${frac}`));
    fc.assert(
      fc.property(canonical, canonical, canonical, fc.boolean(), (a, b, v, bounded) => {
        const [low, high] = new Decimal(a).lte(b) ? [a, b] : [b, a];
        const band = new Band(low, bounded ? high : null);
        const place = band.classify(v);
        const x = new Decimal(v);
        if (place === INSIDE) expect(x.gt(low) && (!bounded || x.lte(high))).toBe(true);
        if (place === NEW_HIGH) expect(bounded && x.gt(high) && x.gt(low)).toBe(true);
        if (bounded && x.gt(high) && x.gt(low) && low !== high) expect(place).toBe(NEW_HIGH);
        if (x.gt(low) && (!bounded || x.lte(high)) && low !== high) expect(place).toBe(INSIDE);
      }),
      { numRuns: 3000 },
    );
    const newHighs = Band.newHighsAbove('1000.5');
    expect(newHighs.classify('1000.5')).toBe(0);
    expect(newHighs.classify('1000.51')).toBe(NEW_HIGH);
    expect(newHighs.classify('999')).toBe(0);
  });
});
