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
  resetEffects: (f: Evidence): readonly string[] => [
    f.operator ? `Lifts the halt set by ${String(f.operator)}${f.reason ? ` (${String(f.reason)})` : ''}.` : 'Lifts the manual halt.',
    'No figure is re-baselined; the other breakers keep their state.',
  ],
} satisfies BreakerRule<null, null>;
