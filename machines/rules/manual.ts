import { BreakerType } from '../constants.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence } from './rule.ts';

/** The manual breaker's rule: an operator's stop has no figures; its reason is the operator's. */
export const manualRule = {
  kind: BreakerType.MANUAL,
  chart: ChartKind.MANUAL,
  observes: Observes.NOTHING,
  track: () => null,
  tripHolds: () => false,
  recheck: () => ({ passed: true, reason: null }),
  cleared: () => false,
  describe: (e: Evidence) => String(e.reason ?? 'halted'),
} satisfies BreakerRule<null, null>;
