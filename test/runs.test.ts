import { describe, expect, it } from 'vitest';
import { isFull, runsIn } from './runs.ts';

describe('run counts of the two tiers (test/runs.ts)', () => {
  it('quick unless BREAKERBOX_FULL is 1 or true', () => {
    for (const value of [undefined, '', '0', 'false']) expect(runsIn({ BREAKERBOX_FULL: value }, 20_000, 1_000)).toBe(1_000);
    for (const value of ['1', 'true']) expect(runsIn({ BREAKERBOX_FULL: value }, 20_000, 1_000)).toBe(20_000);
  });

  it('a misspelt tier is an error, never a quiet quick run', () => {
    for (const value of ['yes', 'TRUE', '2', ' 1', 'full']) expect(() => isFull({ BREAKERBOX_FULL: value })).toThrow(`BREAKERBOX_FULL must be 1 (full counts) or 0 (quick counts) (got ${JSON.stringify(value)})`);
  });

  it('the override variable sets one test\'s count in either tier; a bad one is an error', () => {
    expect(runsIn({ DIFF_RUNS: '50000' }, 20_000, 1_000, 'DIFF_RUNS')).toBe(50_000);
    expect(runsIn({ DIFF_RUNS: '7', BREAKERBOX_FULL: '1' }, 20_000, 1_000, 'DIFF_RUNS')).toBe(7);
    expect(runsIn({ DIFF_RUNS: '' }, 20_000, 1_000, 'DIFF_RUNS')).toBe(1_000);
    for (const bad of ['0', '-5', '1.5', 'many', '1e400', 'NaN']) expect(() => runsIn({ DIFF_RUNS: bad }, 20_000, 1_000, 'DIFF_RUNS')).toThrow(`DIFF_RUNS must be a whole number ≥ 1 (got ${JSON.stringify(bad)})`);
  });

  it('a quick count is never zero nor above the full one', () => {
    for (const [full, quick] of [[100, 0], [100, -1], [100, 101], [100, 0.5], [Number.NaN, 1], [100, Number.POSITIVE_INFINITY]] as const) {
      expect(() => runsIn({}, full, quick)).toThrow(RangeError);
    }
    expect(runsIn({}, 1, 1)).toBe(1);
  });
});
