import { SLACK, toExact, type Amount } from './amount.ts';
import { defineLimit } from './rule.ts';
import { amountOf, off, override, positive } from './settings.ts';

/** A symbol's `maxPosition` (null: off). */
export interface PositionFields {
  readonly maxPosition: Amount | null;
}
const OFF: PositionFields = Object.freeze({ maxPosition: null });

/**
 * `maxPosition` (per symbol): the projected position after the order, on the side the order
 * moves, may not exceed it in size (a position exactly at the limit passes). An order that
 * leaves the position smaller in size than before passes even while it is still beyond the
 * limit (reducing is always allowed).
 */
export const positionLimit = defineLimit({
  name: 'maxPosition',
  code: 'LIMIT_POSITION',
  also: [],
  rank: 5,
  onModify: false,
  words: 'Largest projected position, in size, per symbol.',
  key: 'maxPosition',
  schema: positive,
  perSymbol: { key: 'maxPosition', schema: off(positive) },
  defaults: amountOf,
  resolve: (d, own): PositionFields => ({ maxPosition: override(d, own, amountOf) }),
  off: OFF,
  needs: { projection: true },
  applies: (l) => l.maxPosition !== null,
  check(o, l, { book }) {
    const max = l.maxPosition!;
    const buy = o.side === 'buy';
    const before = book.before(o.symbol, o.side);
    const after = buy ? before + o.qty : before - o.qty;
    // Size after, and the most it may be: the limit, or the size before when that is larger and the order shrinks it.
    const size = Math.abs(after);
    const tolerance = (book.magnitude(o.symbol) + o.qty + max.n) * SLACK;
    if (size < max.n - tolerance) return null;
    if ((buy ? after : -after) < -tolerance) return null; // moving towards zero from the other side
    const exactBefore = book.beforeExact(o.symbol, o.side);
    const q = toExact(o.qtyRaw);
    const exactAfter = buy ? exactBefore.plus(q) : exactBefore.minus(q);
    if (exactAfter.abs().lte(max.exact) || exactAfter.abs().lt(exactBefore.abs())) return null;
    return `${o.side} ${q.toFixed()} ${o.symbol} would take its projected position from ${exactBefore.toFixed()} to ${exactAfter.toFixed()}, beyond the maximum position of ${max.text}`;
  },
});
