import { SLACK, toExact } from './amount.ts';
import type { ModeRule } from './rule.ts';

/**
 * Reduce-only (the REDUCING trading mode): an order passes only if it moves its symbol's
 * projected position towards zero without crossing it. A sell is judged against the reported
 * position + fills − the sells already allowed and still open (so two sells that together
 * exceed the long: the second is rejected); a buy against reported + fills + open buys.
 * Not configured: the runtime applies it while the trading mode is REDUCING.
 */
export const reduceOnlyLimit: ModeRule<'reduceOnly', 'REDUCE_ONLY'> = {
  name: 'reduceOnly',
  code: 'REDUCE_ONLY',
  // It reads the projected positions: while REDUCING every allowed order is reserved.
  needs: { projection: true },
  applies: () => true,
  check(o, _l, { book }) {
    const buy = o.side === 'buy';
    const before = book.before(o.symbol, o.side);
    // Towards zero without crossing: a sell needs before ≥ qty > 0, a buy needs −before ≥ qty.
    const room = buy ? -before : before;
    const tolerance = (book.magnitude(o.symbol) + o.qty) * SLACK;
    if (room - o.qty > tolerance) return null;
    if (room - o.qty >= -tolerance) {
      const exactBefore = book.beforeExact(o.symbol, o.side);
      const exactRoom = buy ? exactBefore.neg() : exactBefore;
      if (exactRoom.gte(toExact(o.qtyRaw))) return null;
    }
    const exactBefore = book.beforeExact(o.symbol, o.side).toFixed();
    const q = toExact(o.qtyRaw).toFixed();
    return room <= tolerance
      ? `reduce-only: ${o.side} ${q} ${o.symbol} would increase the position (projected ${exactBefore}); only orders that reduce a position pass`
      : `reduce-only: ${o.side} ${q} ${o.symbol} would cross zero (projected ${exactBefore}, at most ${exactBefore.replace('-', '')} may be ${buy ? 'bought' : 'sold'})`;
  },
};
