import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '../../machines/constants.ts';
import { brokerRejectStorm, errorStorm, marketPath, marketTicks, MAX_ARBITRARY_SIZE, orderBurst, scenario, type PathKind } from '../../src/testing/index.ts';

const KINDS: readonly PathKind[] = ['walk', 'crash', 'gap', 'rising'];
/** A few values of an arbitrary, reproducibly. */
const some = <T>(arb: fc.Arbitrary<T>, seed: number, numRuns = 5): T[] => fc.sample(arb, { seed, numRuns });
/** Every size an option accepts: the small ones one by one, then any up to the limit. */
const sizes = (min: number) => fc.oneof(fc.integer({ min, max: 40 }), fc.integer({ min, max: MAX_ARBITRARY_SIZE }));

describe("the arbitraries work for every option they accept (a property over their options)", () => {
  it('marketPath({ maxSteps: 1..19 }) builds for every size, odd ones included (fast-check once refused maxLength 3.5)', () => {
    for (let maxSteps = 1; maxSteps <= 19; maxSteps++) {
      for (const kind of KINDS) {
        const paths = some(marketPath({ maxSteps, kinds: [kind] }), maxSteps, 20);
        for (const path of paths) expect(path.length - 1, `${kind} maxSteps ${maxSteps}`).toBeLessThanOrEqual(maxSteps);
      }
    }
  });

  it('marketPath: any start, size and non-empty set of kinds gives 1..maxSteps steps of positive two-decimal values within 1e13', () => {
    fc.assert(
      fc.property(
        fc.record({
          start: fc.oneof(fc.constantFrom(0.01, 0.005 + 0.01, 1e12), fc.double({ min: 0.01, max: 1e12, noNaN: true })),
          maxSteps: sizes(1),
          kinds: fc.subarray([...KINDS], { minLength: 1 }),
        }),
        fc.integer(),
        (options, seed) => {
          for (const path of some(marketPath(options), seed, 2)) {
            expect(path.length).toBeGreaterThanOrEqual(2);
            expect(path.length - 1).toBeLessThanOrEqual(options.maxSteps);
            for (const value of path) {
              expect(value).toMatch(/^\d+\.\d{2}$/);
              expect(Number(value)).toBeGreaterThan(0);
              expect(Number(value)).toBeLessThanOrEqual(1e13);
            }
          }
          // As ticks: an advance before every value.
          const ticks = some(marketTicks({ ...options, maxSteps: Math.min(options.maxSteps, 50) }), seed, 1)[0]!;
          expect(ticks.filter((c) => c.kind === 'advance').length).toBe(ticks.filter((c) => c.kind === 'tick').length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('orderBurst, errorStorm and brokerRejectStorm: every size from 1 to the limit gives 1..max items', () => {
    fc.assert(
      fc.property(sizes(1), fc.integer({ min: 0, max: 86_400_000 }), fc.subarray([...ERROR_KINDS], { minLength: 1 }), fc.integer(), (max, maxSpacingMs, kinds, seed) => {
        for (const burst of some(orderBurst({ max, maxSpacingMs }), seed, 2)) {
          const signals = burst.filter((c) => c.kind === 'signal').length;
          expect(signals).toBeGreaterThanOrEqual(1);
          expect(signals).toBeLessThanOrEqual(max);
        }
        for (const storm of some(errorStorm({ max, kinds }), seed, 2)) {
          const errors = storm.filter((c) => c.kind === 'error');
          expect(errors.length).toBeGreaterThanOrEqual(1);
          expect(errors.length).toBeLessThanOrEqual(max);
          expect(errors.every((c) => c.kind === 'error' && kinds.includes(c.errorKind))).toBe(true);
        }
        for (const [rejects] of some(brokerRejectStorm({ max }), seed, 2)) {
          expect(rejects!.kind === 'brokerRejects' && rejects.count >= 1 && rejects.count <= max).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('scenario: any maxChunks from 0, burst, error and path sizes builds', () => {
    fc.assert(
      fc.property(
        fc.record({ maxChunks: fc.integer({ min: 0, max: 30 }), maxBurst: fc.integer({ min: 1, max: 200 }), maxErrors: fc.integer({ min: 1, max: 60 }), market: fc.record({ maxSteps: fc.integer({ min: 1, max: 19 }) }), noOperator: fc.boolean() }),
        fc.integer(),
        (options, seed) => {
          for (const commands of some(scenario(options), seed, 2)) expect(commands.some((c) => c.kind === 'tick')).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a size or start outside what they accept is a RangeError naming the arbitrary, the option and the value (not a fast-check internal)', () => {
    for (const bad of [0, -1, 1.5, 7.5, NaN, Infinity, MAX_ARBITRARY_SIZE + 1, '7' as unknown as number]) {
      expect(() => marketPath({ maxSteps: bad }), String(bad)).toThrow(RangeError);
      expect(() => marketPath({ maxSteps: bad })).toThrow(/^marketPath: maxSteps must be a whole number from 1 to 10000 \(got /);
      expect(() => orderBurst({ max: bad })).toThrow(/^orderBurst: max /);
      expect(() => errorStorm({ max: bad })).toThrow(/^errorStorm: max /);
      expect(() => brokerRejectStorm({ max: bad })).toThrow(/^brokerRejectStorm: max /);
      expect(() => scenario({ maxBurst: bad })).toThrow(/^scenario: maxBurst /);
    }
    expect(() => marketPath({ maxSteps: 7.5 })).toThrow('(got 7.5)');
    expect(() => scenario({ maxChunks: -1 })).toThrow(/^scenario: maxChunks must be a whole number from 0/);
    expect(() => orderBurst({ maxSpacingMs: -1 })).toThrow(/^orderBurst: maxSpacingMs/);
    for (const start of [0, -5, 0.001, NaN, 1e13]) expect(() => marketPath({ start }), String(start)).toThrow(/^marketPath: start must be a number from 0.01 to 1e12/);
    expect(() => marketPath({ kinds: [] })).toThrow(/^marketPath: kinds must be a non-empty list/);
    expect(() => marketPath({ kinds: ['sideways' as PathKind] })).toThrow(/"sideways"/);
    expect(() => errorStorm({ kinds: [] })).toThrow(/^errorStorm: kinds/);
  });
});
