import { duplicateLimit } from './duplicate.ts';
import { grossExposureLimit } from './grossExposure.ts';
import type { LimitRule } from './limit.ts';
import { orderNotionalLimit } from './orderNotional.ts';
import { orderQuantityLimit } from './orderQuantity.ts';
import { positionLimit } from './position.ts';
import { priceCollarLimit } from './priceCollar.ts';
import { restrictedLimit } from './restricted.ts';

/**
 * The pre-trade limits, in the order `check()` applies them (after the breakers, and after
 * reduce-only while REDUCING): the cheapest and the order's own first, the projections last.
 * Adding a limit is one file, one row here and one entry in the limits schema (src/limitsConfig.ts).
 */
export const LIMITS: readonly LimitRule[] = [
  restrictedLimit,
  orderQuantityLimit,
  priceCollarLimit,
  orderNotionalLimit,
  duplicateLimit,
  positionLimit,
  grossExposureLimit,
];

export { reduceOnlyLimit } from './reduceOnly.ts';
