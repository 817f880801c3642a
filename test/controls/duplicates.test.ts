import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateIndex } from '../../src/runtime/duplicates.ts';

/** The index's answers against a plain list of every allowed order (the reference). */
interface Allowed {
  readonly symbol: string;
  readonly side: string;
  readonly qty: string;
  readonly price: string;
  readonly at: number;
}
const keyOf = (v: unknown): string => (v === undefined ? '' : String(v));
const reference = (list: readonly Allowed[], symbol: string, side: string, qty: unknown, price: unknown, now: number, keepMs: number) => {
  let last: number | undefined;
  for (const a of list) {
    if (now - a.at >= keepMs) continue; // what the index may forget
    if (a.symbol === symbol && a.side === side && a.qty === keyOf(qty) && a.price === keyOf(price)) last = a.at;
  }
  return last;
};

describe('DuplicateIndex: the duplicate window’s memory of allowed orders', () => {
  it('compares the fields as written: 5 and "5" are one order, "5" and "5.0" are two, and market orders have no price', () => {
    const index = new DuplicateIndex();
    index.remember('ES', 'buy', '5', '100.25', 5, 100.25, 1000, 500);
    expect(index.last('ES', 'buy', 5, '100.25', 5, 100.25)).toBe(1000);
    expect(index.last('ES', 'buy', '5.0', '100.25', 5, 100.25)).toBeUndefined(); // same double, other text
    expect(index.last('ES', 'buy', '5', '100.250', 5, 100.25)).toBeUndefined();
    expect(index.last('ES', 'sell', '5', '100.25', 5, 100.25)).toBeUndefined();
    expect(index.last('NQ', 'buy', '5', '100.25', 5, 100.25)).toBeUndefined();
    expect(index.last('ES', 'buy', '5', undefined, 5, undefined)).toBeUndefined();
    index.remember('ES', 'buy', '5', undefined, 5, undefined, 1001, 500);
    expect(index.last('ES', 'buy', 5, undefined, 5, undefined)).toBe(1001);
  });

  it('answers the newest time of an order remembered twice', () => {
    const index = new DuplicateIndex();
    index.remember('ES', 'buy', '1', '2', 1, 2, 1000, 100);
    index.remember('ES', 'buy', '1', '2', 1, 2, 1200, 100);
    expect(index.last('ES', 'buy', '1', '2', 1, 2)).toBe(1200);
    // The first copy leaves at 1100 + 100; the second stays until 1300.
    index.remember('NQ', 'sell', '3', '4', 3, 4, 1250, 100);
    expect(index.last('ES', 'buy', '1', '2', 1, 2)).toBe(1200);
    index.remember('NQ', 'sell', '3', '4', 3, 4, 1300, 100);
    expect(index.last('ES', 'buy', '1', '2', 1, 2)).toBeUndefined();
    expect(index.last('NQ', 'sell', '3', '4', 3, 4)).toBe(1300);
  });

  it('keeps what the longest window asked for still needs', () => {
    const index = new DuplicateIndex();
    index.remember('ES', 'buy', '1', '2', 1, 2, 0, 10_000); // one symbol with a 10 s window
    for (let t = 1; t <= 5000; t++) index.remember('NQ', 'buy', String(t), '2', t, 2, t, 1); // another with 1 ms
    expect(index.last('ES', 'buy', '1', '2', 1, 2)).toBe(0);
  });

  it('agrees with a plain list over random orders, windows and growth (colliding doubles included)', () => {
    const order = fc.record({
      symbol: fc.constantFrom('ES', 'NQ', 'E', 'ESZ6'),
      side: fc.constantFrom('buy', 'sell'),
      // "1", "1.0" and "1.00" share a double: the hash collides, the text decides.
      qty: fc.constantFrom('1', '1.0', '1.00', '2', '3'),
      price: fc.option(fc.constantFrom('10', '10.0', '10.5'), { nil: undefined }),
      dt: fc.integer({ min: 0, max: 40 }),
      allow: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(order, { minLength: 1, maxLength: 3000 }), fc.constantFrom(1, 50, 200, 1_000_000), (orders, windowMs) => {
        const index = new DuplicateIndex();
        const list: Allowed[] = [];
        let now = 0;
        for (const o of orders) {
          now += o.dt;
          const px = o.price === undefined ? undefined : Number(o.price);
          const got = index.last(o.symbol, o.side, o.qty, o.price, Number(o.qty), px);
          const want = reference(list, o.symbol, o.side, o.qty, o.price, now, windowMs);
          // The index may still hold an entry the window no longer matches; never a wrong or missing one within it.
          if (want !== undefined) expect(got).toBe(want);
          else if (got !== undefined) expect(now - got).toBeGreaterThanOrEqual(windowMs);
          if (o.allow) {
            index.remember(o.symbol, o.side, o.qty, o.price, Number(o.qty), px, now, windowMs);
            list.push({ symbol: o.symbol, side: o.side, qty: o.qty, price: keyOf(o.price), at: now });
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
