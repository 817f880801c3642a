import type { OnTrip } from '../constants.ts';
import { clockTime } from '../words/format.ts';
import { ChartKind, type BreakerRule, type Evidence } from './rule.ts';

/** The manual breaker's figures: who halted, why, when, and what the halt lets through. */
export interface ManualFigures {
  operator: string | null;
  reason: string | null;
  haltedAt: string | null;
  /** What the halt lets through: 'reduceOnly' (risk-reducing orders) or 'halt' (none); null while NORMAL. */
  mode: OnTrip | null;
}

/** The manual breaker's rule: an operator's stop has no figures; its reason is the operator's. */
export const manualRule = {
  kind: 'manual' as const,
  name: 'MANUAL' as const,
  chart: ChartKind.MANUAL,
  observes: [],
  settings: null,
  alwaysOn: true,
  recordSince: 1,
  track: () => null,
  tripHolds: () => false,
  recheck: () => ({ passed: true, reason: null }),
  cleared: () => false,
  describe: (e: Evidence) => String(e.reason ?? 'halted'),
  resetEffects: (f: Evidence): readonly string[] => [
    f.operator ? `Lifts the halt set by ${String(f.operator)}${f.reason ? ` (${String(f.reason)})` : ''}.` : 'Lifts the manual halt.',
    'No figure is re-baselined; the other breakers keep their state.',
  ],
  words: {
    label: 'Manual halt',
    shout: 'MANUAL',
    view: (f: ManualFigures) =>
      f.mode === null
        ? { figure: 'not halted', details: [], meter: null }
        : {
            figure: f.operator ? `halted by ${f.operator}` : 'halted',
            details: [...(f.haltedAt ? [`at ${clockTime(f.haltedAt)}`] : []), ...(f.mode === 'reduceOnly' ? ['reduce-only: risk-reducing orders pass'] : [])],
            meter: null,
          },
    line: (f: ManualFigures) => (f.operator ? `halted by ${f.operator} at ${String(f.haltedAt)}${f.mode === 'reduceOnly' ? ' (reduce-only)' : ''}` : ''),
    event: (d: Evidence) => String(d.reason ?? ''),
    recovered: () => 'halt lifted',
  },
} satisfies BreakerRule<null, null, ManualFigures>;
