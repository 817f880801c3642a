import { z } from 'zod';
import { amount, SLACK, toExact, type Amount } from './amount.ts';
import { defineLimit, PRICE_REFERENCE } from './rule.ts';
import { off } from './settings.ts';

const band = z.number({ error: 'must be a fraction of the last price, e.g. 0.05' }).gt(0, 'must be above 0, e.g. 0.05').max(10, 'must be at most 10');
const referenceMaxAge = z.number({ error: 'must be a number of seconds, e.g. 5' }).gt(0, 'must be above 0 s').max(86_400, 'must be at most 86400 s');
/** `fraction | { band, referenceMaxAge }`: with `referenceMaxAge` (s), a last price older than that, or none, rejects the order. */
const collar = z.union([band, z.strictObject({ band, referenceMaxAge })], { error: 'must be a fraction of the last price (e.g. 0.05) or { band, referenceMaxAge }' });
type Collar = z.output<typeof collar>;

/** A symbol's collar (null: off). */
export interface PriceCollarFields {
  /** Fraction of the last known price a limit price may stray from it. */
  readonly priceCollar: Amount | null;
  /** With the collar: the oldest last price (ms) it may be measured from; null = any age. */
  readonly referenceMaxAgeMs: number | null;
}
const OFF: PriceCollarFields = Object.freeze({ priceCollar: null, referenceMaxAgeMs: null });
const fieldsOf = (c: Collar): PriceCollarFields =>
  typeof c === 'object' ? { priceCollar: amount(c.band), referenceMaxAgeMs: c.referenceMaxAge * 1000 } : { priceCollar: amount(c), referenceMaxAgeMs: null };

/** Seconds, for messages. */
const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(6))} s`;

/**
 * `priceCollar`: a limit price may differ from the symbol's last price by at most that fraction
 * of it (a price exactly at the collar passes). Market orders are not collared. Without
 * `referenceMaxAge`, a symbol with no last price is not collared; with it, a limit order whose
 * symbol has no last price, or one older than `referenceMaxAge`, is rejected
 * `LIMIT_PRICE_REFERENCE` (an age exactly at it passes).
 */
export const priceCollarLimit = defineLimit({
  name: 'priceCollar',
  code: 'LIMIT_PRICE_COLLAR',
  also: [PRICE_REFERENCE],
  rank: 2,
  onModify: true,
  words: 'Fraction of the last price a limit price may stray from it, or `{ band, referenceMaxAge }`.',
  key: 'priceCollar',
  schema: collar,
  perSymbol: { key: 'priceCollar', schema: off(collar) },
  defaults: (c): PriceCollarFields => (c === undefined ? OFF : fieldsOf(c)),
  resolve: (d, own): PriceCollarFields => (own === undefined ? d : own === false ? OFF : fieldsOf(own)),
  off: OFF,
  // The reference price's age runs on the monotonic clock.
  needs: { clock: (l) => l.referenceMaxAgeMs !== null },
  applies: (l) => l.priceCollar !== null,
  check(o, l, ctx) {
    if (o.price === undefined) return null;
    const { book } = ctx;
    const ref = book.lastPrice(o.symbol);
    const maxAge = l.referenceMaxAgeMs;
    if (maxAge !== null) {
      const age = ref === null ? undefined : ctx.referenceAge(o.symbol);
      if (age === undefined) return { code: PRICE_REFERENCE, reason: `no last price of ${o.symbol} is known to collar the limit price ${toExact(o.priceRaw).toFixed()} by (the collar needs one at most ${seconds(maxAge)} old)` };
      if (age > maxAge) return { code: PRICE_REFERENCE, reason: `the last price of ${o.symbol} is ${seconds(age)} old, older than the collar's referenceMaxAge of ${seconds(maxAge)}` };
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
});
