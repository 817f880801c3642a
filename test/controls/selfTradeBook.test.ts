/**
 * The process's self-trade book (src/runtime/selfTrade.ts over slots of parallel arrays) against
 * a plain list of open orders: after every open, fill, close, report (cover) and stop, an order
 * crosses exactly when some open order of the other side meets it, and the order named is one of
 * those. Many orders per run, so slots are reused and heaps rebuilt (more than 64 closed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toExact } from '../../machines/limits/amount.ts';
import type { OrderFacts } from '../../machines/limits/facts.ts';
import { Exact } from '../../machines/math/exact.ts';
import { RestingOrders } from '../../src/runtime/selfTrade.ts';

type Side = 'buy' | 'sell';
interface Ref {
  owner: number;
  symbol: string;
  side: Side;
  id: string | undefined;
  raw: string | undefined;
  left: Exact;
  at: number;
  live: boolean;
}

// Equal doubles written differently, and a tie of doubles the exact prices decide.
const PRICES = [undefined, '99', '100', '100.00', '100.0000000001', '99.9999999999', '101'] as const;
const meets = (side: Side, raw: string | undefined, other: Ref): boolean =>
  raw === undefined || other.raw === undefined || (side === 'buy' ? toExact(other.raw).lte(toExact(raw)) : toExact(other.raw).gte(toExact(raw)));

type Cmd =
  | { k: 'open'; owner: number; symbol: string; side: Side; price: number; qty: number; withId: boolean }
  | { k: 'fill'; owner: number; symbol: string; side: Side; qty: number; pick: number; byId: boolean }
  | { k: 'close'; owner: number; pick: number }
  | { k: 'cover'; owner: number; back: number }
  | { k: 'ask'; symbol: string; side: Side; price: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('open' as const), owner: fc.nat(1), symbol: fc.constantFrom('ES', 'NQ'), side: fc.constantFrom<Side>('buy', 'sell'), price: fc.nat(PRICES.length - 1), qty: fc.integer({ min: 1, max: 5 }), withId: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('fill' as const), owner: fc.nat(1), symbol: fc.constantFrom('ES', 'NQ'), side: fc.constantFrom<Side>('buy', 'sell'), qty: fc.integer({ min: 1, max: 7 }), pick: fc.nat(), byId: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('close' as const), owner: fc.nat(1), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cover' as const), owner: fc.nat(1), back: fc.nat(40) }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('ask' as const), symbol: fc.constantFrom('ES', 'NQ'), side: fc.constantFrom<Side>('buy', 'sell'), price: fc.nat(PRICES.length - 1) }) },
);

function facts(symbol: string, side: Side, raw: string | undefined, qty: number, id: string | undefined): OrderFacts {
  return { id, symbol, side, qty, qtyRaw: String(qty), price: raw === undefined ? undefined : Number(raw), priceRaw: raw };
}

/** Runs the commands on two fresh runtimes' books and the reference; stops both at the end. */
function run(cmds: readonly Cmd[]): void {
  const books = [new RestingOrders(), new RestingOrders()] as const;
  books[0].checks();
  const ref: Ref[] = [];
  let t = 0;
  let ids = 0;
  const check = (symbol: string, side: Side, raw: string | undefined): void => {
    const other: Side = side === 'buy' ? 'sell' : 'buy';
    const hits = ref.filter((r) => r.live && r.symbol === symbol && r.side === other && meets(side, raw, r));
    const words = books[0].crossing(facts(symbol, side, raw, 1, undefined));
    expect(words !== null, `${side} ${symbol} ${raw ?? 'market'}: ${words ?? 'no crossing'}`).toBe(hits.length > 0);
    if (words === null) return;
    const named = /\(order (o\d+)\)/.exec(words)?.[1];
    expect(named === undefined ? hits.some((r) => r.id === undefined) : hits.some((r) => r.id === named), words).toBe(true);
    const owner = ref.find((r) => r.id !== undefined && r.id === named)?.owner;
    if (owner !== undefined) expect(words.endsWith(owner === 0 ? 'of this strategy' : 'of another strategy in this process'), words).toBe(true);
  };
  try {
    for (const c of cmds) {
      t++;
      if (c.k === 'open') {
        const raw = PRICES[c.price];
        const id = c.withId ? `o${ids++}` : undefined;
        books[c.owner]!.open(facts(c.symbol, c.side, raw, c.qty, id), t);
        ref.push({ owner: c.owner, symbol: c.symbol, side: c.side, id, raw, left: new Exact(c.qty), at: t, live: true });
      } else if (c.k === 'fill') {
        const mine = ref.filter((r) => r.owner === c.owner && r.live && r.symbol === c.symbol && r.side === c.side);
        let left = new Exact(c.qty);
        if (c.byId) {
          const withId = mine.filter((r) => r.id !== undefined);
          const r = withId.length === 0 ? undefined : withId[c.pick % withId.length]!;
          books[c.owner]!.fill(c.symbol, c.side, left, r?.id ?? 'unknown', t, false);
          if (r !== undefined) {
            r.left = r.left.lte(left) ? new Exact(0) : r.left.minus(left);
            if (r.left.isZero()) r.live = false;
          }
        } else {
          books[c.owner]!.fill(c.symbol, c.side, left, null, t, false);
          for (const r of mine.filter((x) => x.id === undefined)) {
            if (left.isZero()) break;
            const taken = Exact.min(r.left, left);
            left = left.minus(taken);
            r.left = r.left.minus(taken);
            if (r.left.isZero()) r.live = false;
          }
        }
      } else if (c.k === 'close') {
        const open = ref.filter((r) => r.owner === c.owner && r.live && r.id !== undefined);
        if (open.length === 0) continue;
        const r = open[c.pick % open.length]!;
        books[c.owner]!.close(r.id!);
        r.live = false;
      } else if (c.k === 'cover') {
        const asOf = t - c.back;
        books[c.owner]!.cover(asOf);
        for (const r of ref) if (r.owner === c.owner && r.at <= asOf) r.live = false;
      } else check(c.symbol, c.side, PRICES[c.price]);
    }
    for (const symbol of ['ES', 'NQ']) for (const side of ['buy', 'sell'] as const) for (const raw of PRICES) check(symbol, side, raw);
    // A stopped runtime's orders leave at once.
    books[1].stop();
    for (const r of ref) if (r.owner === 1) r.live = false;
    for (const side of ['buy', 'sell'] as const) check('ES', side, undefined);
  } finally {
    books[0].stop();
    books[1].stop();
  }
}

describe('selfTrade book (slots) against a list of open orders', () => {
  it('agrees on every crossing over random opens, fills, closes, reports and stops', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 1, maxLength: 600 }), (cmds) => run(cmds)),
      { numRuns: 150 },
    );
  });

  it('agrees over long runs where most orders close (heaps rebuilt, slots reused)', () => {
    fc.assert(fc.property(fc.array(cmd, { minLength: 3000, maxLength: 4000 }), (cmds) => run(cmds)), { numRuns: 5 });
  });

  it('finds the open orders left after most of a side closed before any was asked for (rebuilt while pending)', () => {
    const cmds: Cmd[] = [];
    for (let i = 0; i < 200; i++) cmds.push({ k: 'open', owner: 1, symbol: 'ES', side: 'sell', price: 2 + (i % 5), qty: 1, withId: true });
    for (let i = 0; i < 150; i++) cmds.push({ k: 'close', owner: 1, pick: i * 7 });
    cmds.push({ k: 'ask', symbol: 'ES', side: 'buy', price: 6 });
    run(cmds);
  });

  it('with no runtime checking self-trades, nothing is published', () => {
    const a = new RestingOrders();
    a.open(facts('ES', 'sell', '100', 1, 'x'), 1);
    const b = new RestingOrders();
    b.checks();
    expect(b.crossing(facts('ES', 'buy', '101', 1, undefined))).toBeNull();
    a.stop();
    b.stop();
  });
});
