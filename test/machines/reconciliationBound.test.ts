/**
 * Reconciliation keeps the fills no report covers yet. When reports stop while fills go on, that
 * list is bounded (MAX_PENDING_FILLS): the oldest half is merged per symbol. A report covering
 * every fill still agrees to the unit; a report inside a merged range shows a mismatch that a
 * later report clears; a real mismatch is still seen.
 */
import { describe, expect, it } from 'vitest';
import { Signal } from '../../machines/figures/signal.ts';
import { MAX_PENDING_FILLS, reconciliationRule } from '../../machines/rules/reconciliation.ts';
import type { RuleInput } from '../../machines/rules/rule.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const fill = (i: number, side: 'buy' | 'sell' = 'buy'): RuleInput => ({ input: 'fill', symbol: i % 2 === 0 ? 'ES' : 'NQ', side, quantity: '1', realizedPnl: null, executedAt: T0 + 1 + i });
const report = (positions: Record<string, string>, asOf: number): RuleInput => ({ input: 'report', positions: new Map(Object.entries(positions)), asOf });

function tracker() {
  const t = reconciliationRule.track({ tolerance: '0', grace: 30, warnAt: 0.8, onTrip: 'halt' } as never);
  expect(t.observeInput(report({}, T0), 0)).toBe(Signal.NONE); // the baseline: flat
  return t;
}
const pendingOf = (t: ReturnType<typeof tracker>) => (t.save() as { pending: unknown[] }).pending.length;

describe('reconciliation: the fills no report covers are bounded', () => {
  const N = MAX_PENDING_FILLS * 2 + 1;

  it(`${N} fills with no report keep at most ${MAX_PENDING_FILLS} entries, and a report covering them all agrees to the unit`, () => {
    const t = tracker();
    for (let i = 0; i < N; i++) t.observeInput(fill(i), i);
    expect(pendingOf(t)).toBeLessThanOrEqual(MAX_PENDING_FILLS);
    const es = Math.ceil(N / 2);
    expect(t.observeInput(report({ ES: String(es), NQ: String(N - es) }, T0 + N + 1), N)).toBe(Signal.NONE);
    expect(reconciliationRule.recheck(t.recheckEvidence(N + 1))).toEqual({ passed: true, reason: null });
  });

  it('a report inside a merged range warns (those fills are taken as not yet covered); the next report covering them clears it', () => {
    const t = tracker();
    for (let i = 0; i < N; i++) t.observeInput(fill(i), i);
    // As of the 100th fill: the report holds 50 ES and 50 NQ; the merged oldest fills count only once a report covers their latest.
    expect(t.observeInput(report({ ES: '50', NQ: '50' }, T0 + 100), N)).toBe(Signal.WARN);
    const es = Math.ceil(N / 2);
    expect(t.observeInput(report({ ES: String(es), NQ: String(N - es) }, T0 + N + 1), N + 1)).toBe(Signal.NONE);
    expect((t.figures(N + 2) as { mismatches?: unknown[] }).mismatches ?? []).toEqual([]);
  });

  it('a real mismatch is still seen after merging: one unit missing is reported', () => {
    const t = tracker();
    for (let i = 0; i < N; i++) t.observeInput(fill(i), i);
    const es = Math.ceil(N / 2);
    expect(t.observeInput(report({ ES: String(es - 1), NQ: String(N - es) }, T0 + N + 1), N)).toBe(Signal.WARN);
  });
});
