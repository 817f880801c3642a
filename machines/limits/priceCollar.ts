import { SLACK, toExact } from './amount.ts';
import { LimitCode, type LimitRule } from './limit.ts';

/**
 * `priceCollar`: a limit price may differ from the symbol's last known price by at most that
 * fraction of it (a price exactly at the collar passes). Market orders, and symbols without a
 * known price, are not collared.
 */
export const priceCollarLimit: LimitRule = {
  name: 'priceCollar',
  code: LimitCode.PRICE_COLLAR,
  applies: (l) => l.priceCollar !== null,
  check(o, l, { book }) {
    if (o.price === undefined) return null;
    const ref = book.lastPrice(o.symbol);
    if (ref === null) return null;
    const collar = l.priceCollar!;
    const distance = Math.abs(o.price - ref);
    const allowed = collar.n * ref;
    const tolerance = (o.price + ref) * SLACK;
    if (distance < allowed - tolerance) return null;
    const refExact = book.lastPriceExact(o.symbol)!;
    const exactDistance = toExact(o.priceRaw).minus(refExact).abs();
    const exactAllowed = collar.exact.times(refExact);
    if (distance <= allowed + tolerance && exactDistance.lte(exactAllowed)) return null;
    return `limit price ${toExact(o.priceRaw).toFixed()} of ${o.symbol} is ${exactDistance.toFixed()} from the last price ${refExact.toFixed()}, beyond the collar of ${collar.text} (±${exactAllowed.toFixed()})`;
  },
};
