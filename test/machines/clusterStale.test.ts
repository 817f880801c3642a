import { describe, expect, it } from 'vitest';
import { Signal } from '../../machines/figures/signal.ts';
import { ClusterTracker, clusterRule, type ScopedHalt } from '../../machines/rules/cluster.ts';
import { ChartKind, Observes } from '../../machines/rules/rule.ts';
import { staleDataRule } from '../../machines/rules/staleData.ts';

const settings = { firm: 'acme', desk: 'rates', heartbeatTimeout: 5, onDisconnect: 'halt' as const };
const halt = (scope: string, at: number, revision = 1): ScopedHalt => ({ scope, operator: `op-${scope}`, reason: `why ${scope}`, at, revision });

describe('cluster rule and tracker (pure)', () => {
  it('is the cluster chart, fed by the cluster port', () => {
    expect(clusterRule.kind).toBe('cluster');
    expect(clusterRule.chart).toBe(ChartKind.CLUSTER);
    expect(clusterRule.observes).toEqual([Observes.CLUSTER]);
    expect(clusterRule.track(settings)).toBeInstanceOf(ClusterTracker);
  });

  it('counts the time down from the first loss of the link or the bucket; both back clears it', () => {
    const t = new ClusterTracker(settings);
    expect(t.up).toBe(false);
    expect(t.setLink(true, true, 1000)).toBe(true);
    expect(t.up).toBe(true);
    expect(t.downSince).toBeNull();
    expect(t.setLink(true, true, 1500)).toBe(false);
    expect(t.setLink(true, false, 2000)).toBe(true);
    expect(t.downSince).toBe(2000);
    expect(t.setLink(false, false, 3000)).toBe(false); // still down: the count goes on from 2000
    expect(t.downSince).toBe(2000);
    expect(t.tripEvidence(6999)).toEqual({ linkUp: false, bucketUp: false, downForMs: 4999, timeoutMs: 5000, onDisconnect: 'halt' });
    expect(clusterRule.tripHolds(t.tripEvidence(6999))).toBe(false);
    expect(clusterRule.tripHolds(t.tripEvidence(7000))).toBe(true); // reaching the timeout trips
    expect(t.tripEvidence(1000).downForMs).toBe(0); // a clock behind never gives a negative time
    expect(t.setLink(true, true, 8000)).toBe(true);
    expect(t.downSince).toBeNull();
    expect(t.tripEvidence(9000).downForMs).toBe(0);
    expect(clusterRule.tripHolds({ linkUp: true, bucketUp: true, downForMs: 99_999, timeoutMs: 5000 })).toBe(false);
    expect(clusterRule.tripHolds({ linkUp: true, bucketUp: false, downForMs: 5000, timeoutMs: 5000 })).toBe(true);
  });

  it('shows the most senior halt: firm before desk before strategy, then the earliest', () => {
    const t = new ClusterTracker(settings);
    expect(t.senior).toBeNull();
    t.halts = [halt('strategy/s1', 1), halt('desk/rates', 5), halt('desk/rates', 3, 2)];
    expect(t.senior).toMatchObject({ scope: 'desk/rates', at: 3 });
    t.halts = [...t.halts, halt('firm', 9)];
    expect(t.senior?.scope).toBe('firm');
    t.halts = [halt('strategy/s1', 2), halt('strategy/s2', 1)];
    expect(t.senior?.scope).toBe('strategy/s2');
  });

  it('figures: the link as seen, the lag, the halts in scope with ISO times', () => {
    const t = new ClusterTracker({ ...settings, onDisconnect: 'reduceOnly' });
    t.setLink(false, true, 100);
    t.lagMs = 1.5;
    t.synced = true;
    t.halts = [halt('firm', Date.parse('2026-11-26T10:00:00Z'))];
    expect(t.figures(350)).toEqual({
      firm: 'acme',
      desk: 'rates',
      link: 'down',
      bucket: 'up',
      synced: true,
      downForMs: 250,
      heartbeatTimeout: 5,
      onDisconnect: 'reduceOnly',
      lagMs: 1.5,
      scope: 'firm',
      operator: 'op-firm',
      reason: 'why firm',
      halts: [{ scope: 'firm', operator: 'op-firm', reason: 'why firm', at: '2026-11-26T10:00:00.000Z' }],
    });
    const fresh = new ClusterTracker(settings);
    expect(fresh.figures(0)).toMatchObject({ link: 'down', bucket: 'down', synced: false, downForMs: 0, lagMs: null, scope: null, operator: null, reason: null, halts: [] });
    fresh.setLink(true, true, 0);
    expect(fresh.figures(10)).toMatchObject({ link: 'up', bucket: 'up' });
  });

  it('a lift re-checks that no halt is left in scope; it recovers only with the link, the bucket and no halt', () => {
    const t = new ClusterTracker(settings);
    t.setLink(true, true, 0);
    t.halts = [halt('desk/rates', 1), halt('firm', 2)];
    const e = t.recheckEvidence(10);
    expect(e).toMatchObject({ halts: 2, scopes: ['desk/rates', 'firm'] });
    expect(clusterRule.recheck(e)).toEqual({ passed: false, reason: 'still halted at desk/rates, firm' });
    expect(clusterRule.cleared(e)).toBe(false);
    t.halts = [];
    expect(clusterRule.recheck(t.recheckEvidence(10))).toEqual({ passed: true, reason: null });
    expect(clusterRule.cleared(t.recheckEvidence(10))).toBe(true);
    t.setLink(false, true, 20);
    expect(clusterRule.cleared(t.recheckEvidence(30))).toBe(false);
    expect(clusterRule.recheck({ halts: 1 })).toEqual({ passed: false, reason: 'still halted at another scope' });
  });

  it('describes a scoped halt by its reason, a lost link by what is down and for how long', () => {
    expect(clusterRule.describe({ reason: 'drill', operator: 'ann' })).toBe('drill');
    expect(clusterRule.describe({ linkUp: false, downForMs: 5200, timeoutMs: 5000 })).toBe('cluster link unreachable for 5.2s (heartbeatTimeout 5s)');
    expect(clusterRule.describe({ linkUp: true, downForMs: 6000, timeoutMs: 5000 })).toBe('cluster bucket unreachable for 6.0s (heartbeatTimeout 5s)');
  });

  it('keeps nothing: the bucket is the record', () => {
    const t = new ClusterTracker(settings);
    expect(t.save()).toBeNull();
    t.load();
    t.rebaseline();
    expect(t.halts).toEqual([]);
  });
});

describe('stale-data rule and tracker (pure)', () => {
  const make = (maxAge = 30, warnAt = 0.8) => {
    const t = staleDataRule.track({ maxAge, warnAt });
    let last = -Infinity;
    t.watch(() => last);
    return { t, set: (at: number) => (last = at) };
  };

  it('is a self-healing chart watching time', () => {
    expect(staleDataRule.kind).toBe('staleData');
    expect(staleDataRule.chart).toBe(ChartKind.SELF_HEALING);
    expect(staleDataRule.observes).toEqual([Observes.TIME]);
  });

  it('warns once at warnAt × maxAge and trips at maxAge, both inclusive; a fresh value re-arms the warning', () => {
    const { t, set } = make(30, 0.8);
    expect(t.maxAgeMs).toBe(30_000);
    expect(t.warnAfterMs).toBe(24_000);
    set(1000);
    expect(t.observe(24_999)).toBe(Signal.NONE);
    expect(t.observe(25_000)).toBe(Signal.WARN);
    expect(t.observe(26_000)).toBe(Signal.NONE); // once
    expect(t.holds(30_999)).toBe(false);
    expect(t.observe(30_999)).toBe(Signal.NONE);
    expect(t.holds(31_000)).toBe(true);
    expect(t.observe(31_000)).toBe(Signal.TRIP);
    set(40_000);
    expect(t.observe(64_000)).toBe(Signal.WARN);
  });

  it('is due at the warning, then at the trip, never in the past', () => {
    const { t, set } = make(10, 0.5);
    set(0);
    expect(t.dueAt(1000)).toBe(5000);
    t.observe(5000);
    expect(t.dueAt(5000)).toBe(10_000);
    expect(t.dueAt(12_000)).toBe(12_000);
  });

  it('figures: the age in ms and s, the time of the last value, warned and stale', () => {
    const { t, set } = make(30, 0.8);
    expect(t.figures(5000)).toEqual({ ageMs: null, ageSeconds: null, maxAgeMs: 30_000, maxAge: 30, lastValueAt: null, warnAt: 0.8, warned: false, stale: true });
    set(Date.parse('2026-11-26T10:00:00Z'));
    const now = Date.parse('2026-11-26T10:00:25Z');
    t.observe(now);
    expect(t.figures(now)).toEqual({ ageMs: 25_000, ageSeconds: 25, maxAgeMs: 30_000, maxAge: 30, lastValueAt: '2026-11-26T10:00:00.000Z', warnAt: 0.8, warned: true, stale: false });
    expect(t.figures(now + 5000).stale).toBe(true);
    expect(t.figures(now - 30_000).ageMs).toBe(0); // a clock behind never gives a negative age
    expect(t.tripEvidence(now)).toEqual(t.figures(now));
    expect(t.recheckEvidence(now)).toEqual(t.figures(now));
  });

  it('rule: stale when no value or at maxAge exactly; recheck and cleared agree; describes the age', () => {
    expect(staleDataRule.tripHolds({ ageMs: 30_000, maxAgeMs: 30_000 })).toBe(true);
    expect(staleDataRule.tripHolds({ ageMs: 29_999, maxAgeMs: 30_000 })).toBe(false);
    expect(staleDataRule.tripHolds({ ageMs: null, maxAgeMs: 30_000 })).toBe(true);
    expect(staleDataRule.cleared({ ageMs: 29_999, maxAgeMs: 30_000 })).toBe(true);
    expect(staleDataRule.cleared({ ageMs: 30_000, maxAgeMs: 30_000 })).toBe(false);
    expect(staleDataRule.recheck({ ageMs: 1, maxAgeMs: 30_000 })).toEqual({ passed: true, reason: null });
    expect(staleDataRule.recheck({ ageMs: 31_000, ageSeconds: 31, maxAgeMs: 30_000, maxAge: 30 })).toEqual({ passed: false, reason: 'the data is still stale: the last portfolio value is 31s old (max 30s)' });
    expect(staleDataRule.describe({ ageMs: null, ageSeconds: null, maxAge: 30 })).toBe('no portfolio value yet, beyond the maximum age of 30s');
    expect(staleDataRule.describe({ ageMs: 40_000, ageSeconds: 40, maxAge: 30 })).toBe('the last portfolio value is 40s old, beyond the maximum age of 30s');
  });

  it('saves nothing: after a restart the age counts from the restart', () => {
    const { t } = make();
    expect(t.save()).toBeNull();
    t.load();
    t.rebaseline();
  });
});
