import { SLACK, toExact } from './amount.ts';
import { LimitCode, type LimitRule } from './limit.ts';

/** Seconds, for messages. */
const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(6))} s`;

/**
 * `priceCollar`: a limit price may differ from the symbol's last price by at most that fraction
 * of it (a price exactly at the collar passes). Market orders are not collared. Without
 * `referenceMaxAge`, a symbol with no last price is not collared; with it, a limit order whose
 * symbol has no last price, or one older than `referenceMaxAge`, is rejected
 * `LIMIT_PRICE_REFERENCE` (an age exactly at it passes).
 */
export const priceCollarLimit: LimitRule = {
  name: 'priceCollar',
  code: LimitCode.PRICE_COLLAR,
  applies: (l) => l.priceCollar !== null,
  check(o, l, ctx) {
    if (o.price === undefined) return null;
    const { book } = ctx;
    const ref = book.lastPrice(o.symbol);
    const maxAge = l.referenceMaxAgeMs;
    if (maxAge !== null) {
      const age = ref === null ? undefined : ctx.referenceAge(o.symbol);
      if (age === undefined) return { code: LimitCode.PRICE_REFERENCE, reason: `no last price of ${o.symbol} is known to collar the limit price ${toExact(o.priceRaw).toFixed()} by (the collar needs one at most ${seconds(maxAge)} old)` };
      if (age > maxAge) return { code: LimitCode.PRICE_REFERENCE, reason: `the last price of ${o.symbol} is ${seconds(age)} old, older than the collar's referenceMaxAge of ${seconds(maxAge)}` };
    }
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
