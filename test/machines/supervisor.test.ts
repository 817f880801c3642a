import { createActor, SimulatedClock, type AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import { breakerChart, restorable } from '../../machines/charts/breakerChart.ts';
import { BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import type { Evidence, RuleDecisions } from '../../machines/rules/rule.ts';
import { SUPERVISOR_OPERATOR, supervisorMachine } from '../../machines/supervisor.ts';

/**
 * A rule that throws whatever the evidence carries in `throw`: from its re-check (a guard, whose
 * error XState wraps in its own message) and from its description (an action: thrown as is).
 */
const fragile: RuleDecisions = {
  tripHolds: (e) => e.trip === true,
  recheck: (e) => {
    if ('throw' in e) throw (e as { throw: unknown }).throw;
    return { passed: true, reason: null };
  },
  cleared: () => false,
  describe: (e) => {
    if ('throw' in e) throw (e as { throw: unknown }).throw;
    return 'tripped';
  },
};
const fragileMachine = supervisorMachine.provide({
  actors: { drawdown: restorable(breakerChart(BreakerType.DRAWDOWN, 'automatic', fragile)!) } as never,
});

const INPUT = { strategy: 'alpha', maxRestarts: 2, restartWindowMs: 60_000 };

function start(machine = fragileMachine, input = INPUT) {
  const clock = new SimulatedClock();
  const sup = createActor(machine, { input, clock }).start();
  const child = (id: string) => (sup.getSnapshot().children as Record<string, AnyActorRef>)[id]!;
  const snap = (id: string) => child(id).getSnapshot() as { value: unknown; status: string; context: { resetToken: string | null; reason: string | null; operator: string | null; breaker: string } };
  return { sup, clock, child, snap };
}

/** Trips the drawdown child and asks for a reset, so a failing confirmation has a state to return to. */
function toResetting(h: ReturnType<typeof start>) {
  h.child('drawdown').send({ type: 'TRIP', evidence: { trip: true } });
  h.child('drawdown').send({ type: 'REQUEST_RESET', token: 'tok', deadline: 1, operator: 'ops' });
  expect(h.snap('drawdown').value).toBe('RESETTING');
}
const fail = (h: ReturnType<typeof start>, thrown: unknown) =>
  h.child('drawdown').send({ type: 'CONFIRM_RESET', token: 'tok', operator: 'ops', evidence: { throw: thrown } as unknown as Evidence });

describe('supervisor', () => {
  it('spawns one child per registry row, each told its breaker', () => {
    const h = start(supervisorMachine);
    expect(h.sup.getSnapshot().machine.id).toBe('supervisor');
    expect(Object.keys(h.sup.getSnapshot().children).sort()).toEqual([...BREAKER_TYPES].sort());
    for (const kind of BREAKER_TYPES) {
      expect(h.snap(kind).value).toBe('NORMAL');
      expect(h.snap(kind).context.breaker).toBe(kind);
    }
    expect(h.sup.getSnapshot().context).toEqual({ ...INPUT, restarts: {}, lastFailure: null });
    expect(h.sup.getSnapshot().value).toBe('supervising');
    expect(SUPERVISOR_OPERATOR).toBe('breakerbox-supervisor');
  });

  it('restarts a failed child from its last committed snapshot (one-for-one)', () => {
    const h = start();
    toResetting(h);
    h.child('orderRate').send({ type: 'TRIP', evidence: { count: 11, maxOrders: 10 } });
    const before = h.child('drawdown');
    fail(h, new Error('boom'));
    const after = h.child('drawdown');
    expect(after).not.toBe(before);
    expect(h.snap('drawdown').status).toBe('active');
    expect(h.snap('drawdown').value).toBe('RESETTING');
    expect(h.snap('drawdown').context.resetToken).toBe('tok');
    expect(h.sup.getSnapshot().context.restarts).toEqual({ drawdown: 1 });
    expect(h.sup.getSnapshot().context.lastFailure).toMatchObject({ breaker: 'drawdown', restarts: 1, escalated: false });
    expect(h.sup.getSnapshot().context.lastFailure?.error).toMatch(/boom$/);
    // Siblings are untouched; the restarted child goes on working.
    expect(h.snap('orderRate').value).toBe('TRIPPED');
    expect(h.snap('manual').value).toBe('NORMAL');
    h.child('drawdown').send({ type: 'CONFIRM_RESET', token: 'tok', operator: 'ops', evidence: {} });
    expect(h.snap('drawdown').value).toBe('NORMAL');
  });

  it('fails closed once a child failed more than maxRestarts times within the window', () => {
    const h = start();
    toResetting(h);
    fail(h, new Error('one'));
    fail(h, new Error('two'));
    expect(h.sup.getSnapshot().context.lastFailure).toMatchObject({ breaker: 'drawdown', restarts: 2, escalated: false });
    expect(h.snap('manual').value).toBe('NORMAL');
    fail(h, new Error('three'));
    const last = h.sup.getSnapshot().context.lastFailure!;
    expect(last).toMatchObject({ breaker: 'drawdown', restarts: 3, escalated: true });
    expect(h.snap('manual').value).toBe('MANUALLY_HALTED');
    expect(h.snap('manual').context.operator).toBe(SUPERVISOR_OPERATOR);
    expect(h.snap('manual').context.reason).toBe(`supervisor: the drawdown breaker failed 3 times within 60s (last error: ${last.error}); failing closed`);
    expect(last.error).toMatch(/three$/);
    // The failed child itself is still restarted.
    expect(h.snap('drawdown').value).toBe('RESETTING');
  });

  it('forgets each restart once the window has passed since it', () => {
    const h = start();
    toResetting(h);
    fail(h, new Error('a'));
    fail(h, new Error('b'));
    h.clock.increment(30_000);
    fail(h, new Error('c'));
    expect(h.sup.getSnapshot().context.restarts).toEqual({ drawdown: 3 });
    h.clock.increment(29_999);
    expect(h.sup.getSnapshot().context.restarts).toEqual({ drawdown: 3 });
    h.clock.increment(1);
    expect(h.sup.getSnapshot().context.restarts).toEqual({ drawdown: 1 });
    h.clock.increment(30_000);
    expect(h.sup.getSnapshot().context.restarts).toEqual({ drawdown: 0 });
    // Two failures in a fresh window do not escalate.
    fail(h, new Error('d'));
    fail(h, new Error('e'));
    expect(h.sup.getSnapshot().context.lastFailure).toMatchObject({ restarts: 2, escalated: false });
  });

  it('never counts below zero', () => {
    const h = start();
    h.sup.send({ type: 'RESTART_FORGOTTEN', breaker: 'errorRate' });
    expect(h.sup.getSnapshot().context.restarts).toEqual({ errorRate: 0 });
  });

  it('reports any thrown value, even one that cannot be printed', () => {
    const h = start(fragileMachine, { ...INPUT, maxRestarts: 10 });
    const failOnTrip = (thrown: unknown) => h.child('drawdown').send({ type: 'TRIP', evidence: { trip: true, throw: thrown } as unknown as Evidence });
    failOnTrip(new Error('boom'));
    expect(h.sup.getSnapshot().context.lastFailure?.error).toBe('boom');
    expect(h.snap('drawdown').value).toBe('NORMAL');
    failOnTrip('plain text');
    expect(h.sup.getSnapshot().context.lastFailure?.error).toBe('plain text');
    failOnTrip(42);
    expect(h.sup.getSnapshot().context.lastFailure?.error).toBe('42');
    failOnTrip({ toString: () => { throw new Error('no'); } });
    expect(h.sup.getSnapshot().context.lastFailure?.error).toBe('unprintable error');
    expect(h.sup.getSnapshot().context.restarts).toEqual({ drawdown: 4 });
    expect(h.snap('manual').value).toBe('NORMAL');
  });

  it('supervises the real charts: a rule that throws on bad evidence is restarted, counted per breaker', () => {
    const h = start(supervisorMachine, { ...INPUT, maxRestarts: 0, restartWindowMs: 5000 });
    const dl = () => h.child('dailyLoss');
    dl().send({ type: 'TRIP', evidence: { value: '90', startValue: '100', limit: '-0.05', limitAmount: null } });
    expect(h.snap('dailyLoss').value).toBe('TRIPPED');
    dl().send({ type: 'REQUEST_RESET', token: 't', deadline: 1, operator: 'ops' });
    dl().send({ type: 'CONFIRM_RESET', token: 't', operator: 'ops', evidence: { value: 'garbage', startValue: '100', limit: '-0.05', limitAmount: null } });
    expect(h.snap('dailyLoss').value).toBe('RESETTING');
    expect(h.sup.getSnapshot().context.restarts).toEqual({ dailyLoss: 1 });
    const failure = h.sup.getSnapshot().context.lastFailure!;
    expect(failure).toMatchObject({ breaker: 'dailyLoss', restarts: 1, escalated: true });
    expect(failure.error).toMatch(/garbage/);
    expect(h.snap('manual').value).toBe('MANUALLY_HALTED');
    expect(h.snap('manual').context.reason).toMatch(/^supervisor: the dailyLoss breaker failed 1 times within 5s \(last error: .*garbage.*\); failing closed$/);
  });
});
