import { createActor, createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { acceptedEvents, breakerChart, breakerStateOf, restorable, type BreakerContext } from '../../machines/charts/breakerChart.ts';
import { BreakerState, ERROR_KINDS, ErrorKind, STATE_SEVERITY, severest } from '../../machines/constants.ts';
import { AUTOMATIC_BREAKERS, BREAKER_TYPES, BreakerType } from '../../machines/rules/registry.ts';
import type { Evidence, RuleDecisions } from '../../machines/rules/rule.ts';

/** A rule whose decisions are read from the evidence: `{ trip, pass, clear }` flags. */
const rule: RuleDecisions = {
  tripHolds: (e) => e.trip === true,
  recheck: (e) => (e.pass === true ? { passed: true, reason: null } : { passed: false, reason: (e.why as string | undefined) ?? null }),
  cleared: (e) => e.clear === true,
  describe: (e) => `described ${String(e.n)}`,
};

const start = (chart: 'automatic' | 'selfHealing' | 'manual', kind: BreakerType = BreakerType.DRAWDOWN) =>
  createActor(breakerChart(kind, chart, rule)!, { input: { breaker: kind } }).start();
type Actor = ReturnType<typeof start>;
const state = (a: Actor) => a.getSnapshot().value;
const ctx = (a: Actor): BreakerContext => a.getSnapshot().context;

const TRIP = (evidence: Evidence) => ({ type: 'TRIP' as const, evidence });
const REQUEST = (token: string, operator = 'ops') => ({ type: 'REQUEST_RESET' as const, token, deadline: 60_000, operator });
const CONFIRM = (token: string, evidence: Evidence = { pass: true }, operator = 'ops2') => ({ type: 'CONFIRM_RESET' as const, token, operator, evidence });

describe('constants', () => {
  it('name states, breakers and error kinds, and order severity', () => {
    expect(BreakerState).toEqual({ NORMAL: 'NORMAL', TRIPPED: 'TRIPPED', RESETTING: 'RESETTING', MANUALLY_HALTED: 'MANUALLY_HALTED' });
    expect(STATE_SEVERITY).toEqual({ NORMAL: 0, RESETTING: 1, TRIPPED: 2, MANUALLY_HALTED: 3 });
    expect(BREAKER_TYPES).toEqual(['drawdown', 'dailyLoss', 'orderRate', 'orderToTrade', 'reconciliation', 'messageRate', 'errorRate', 'executionRate', 'tradeLosses', 'staleData', 'manual', 'cluster']);
    expect(AUTOMATIC_BREAKERS).toEqual(['drawdown', 'dailyLoss', 'orderRate', 'orderToTrade', 'reconciliation', 'messageRate', 'errorRate', 'executionRate', 'tradeLosses', 'staleData']);
    expect(ErrorKind).toEqual({ ORDER_REJECTED: 'order_rejected', BROKER_ERROR: 'broker_error', DATA_ERROR: 'data_error' });
    expect(ERROR_KINDS).toEqual(['order_rejected', 'broker_error', 'data_error']);
  });

  it('severest: the most severe state, NORMAL for none', () => {
    expect(severest([])).toBe('NORMAL');
    expect(severest(['NORMAL', 'NORMAL'])).toBe('NORMAL');
    expect(severest(['NORMAL', 'RESETTING'])).toBe('RESETTING');
    expect(severest(['RESETTING', 'TRIPPED', 'NORMAL'])).toBe('TRIPPED');
    expect(severest(['TRIPPED', 'RESETTING'])).toBe('TRIPPED');
    expect(severest(['MANUALLY_HALTED', 'TRIPPED'])).toBe('MANUALLY_HALTED');
    expect(severest(new Set(['TRIPPED', 'MANUALLY_HALTED'] as const))).toBe('MANUALLY_HALTED');
  });
});

describe('automatic chart: NORMAL → TRIPPED → RESETTING → NORMAL', () => {
  it('starts NORMAL with an empty context', () => {
    const a = start('automatic');
    expect(state(a)).toBe('NORMAL');
    expect(ctx(a)).toEqual({ breaker: 'drawdown', resetToken: null, resetDeadline: null, reason: null, operator: null, evidence: null, haltMode: null, cause: null });
    expect(a.getSnapshot().machine.id).toBe('drawdown');
  });

  it('trips only when its guard finds the evidence meets the condition', () => {
    const a = start('automatic');
    a.send(TRIP({ trip: false, n: 1 }));
    expect(state(a)).toBe('NORMAL');
    expect(ctx(a).cause).toBeNull();
    a.send(TRIP({ trip: true, n: 2 }));
    expect(state(a)).toBe('TRIPPED');
    expect(ctx(a)).toMatchObject({
      reason: 'described 2',
      evidence: { trip: true, n: 2 },
      operator: null,
      cause: { type: 'TRIP', operator: null, reason: 'described 2', evidence: { trip: true, n: 2 }, deadline: null },
    });
    a.send(TRIP({ trip: true, n: 3 })); // no TRIP edge while TRIPPED
    expect(ctx(a).reason).toBe('described 2');
  });

  it('ignores what it has no edge for', () => {
    const a = start('automatic');
    a.send(REQUEST('t'));
    a.send({ type: 'HALT', operator: 'o', reason: 'r' });
    a.send({ type: 'WINDOW_CLEARED', evidence: { clear: true } });
    expect(state(a)).toBe('NORMAL');
    expect(ctx(a).resetToken).toBeNull();
    a.send(TRIP({ trip: true }));
    a.send(CONFIRM('t'));
    a.send({ type: 'RESET_EXPIRED', token: 't' });
    a.send({ type: 'WINDOW_CLEARED', evidence: { clear: true } });
    expect(state(a)).toBe('TRIPPED');
  });

  it('a reset request stores the token; a matching confirmation whose re-check passes returns to NORMAL', () => {
    const a = start('automatic');
    a.send(TRIP({ trip: true, n: 1 }));
    a.send(REQUEST('tok-1', 'alice'));
    expect(state(a)).toBe('RESETTING');
    expect(ctx(a)).toMatchObject({
      resetToken: 'tok-1',
      resetDeadline: 60_000,
      reason: 'described 1',
      cause: { type: 'REQUEST_RESET', operator: 'alice', reason: null, evidence: null, deadline: 60_000 },
    });
    a.send(CONFIRM('wrong'));
    expect(state(a)).toBe('RESETTING');
    a.send(CONFIRM('tok-1', { pass: true, v: 9 }, 'bob'));
    expect(state(a)).toBe('NORMAL');
    expect(ctx(a)).toMatchObject({
      resetToken: null,
      resetDeadline: null,
      reason: null,
      operator: null,
      cause: { type: 'CONFIRM_RESET', operator: 'bob', reason: null, evidence: { pass: true, v: 9 }, deadline: null },
    });
  });

  it('a repeated request replaces the token', () => {
    const a = start('automatic');
    a.send(TRIP({ trip: true }));
    a.send(REQUEST('one'));
    a.send({ ...REQUEST('two'), deadline: 90_000 });
    expect(ctx(a)).toMatchObject({ resetToken: 'two', resetDeadline: 90_000 });
    a.send(CONFIRM('one'));
    expect(state(a)).toBe('RESETTING');
    a.send(CONFIRM('two'));
    expect(state(a)).toBe('NORMAL');
  });

  it('a failed re-check goes back to TRIPPED with the refusal as the cause', () => {
    const a = start('automatic');
    a.send(TRIP({ trip: true, n: 1 }));
    a.send(REQUEST('t'));
    a.send(CONFIRM('t', { pass: false, why: 'still losing' }, 'carol'));
    expect(state(a)).toBe('TRIPPED');
    expect(ctx(a)).toMatchObject({
      resetToken: null,
      resetDeadline: null,
      reason: 'described 1',
      cause: { type: 'CONFIRM_RESET', operator: 'carol', reason: 'still losing', evidence: { pass: false, why: 'still losing' }, deadline: null },
    });
    a.send(REQUEST('u'));
    a.send(CONFIRM('u', { pass: false }));
    expect(state(a)).toBe('TRIPPED');
    expect(ctx(a).cause?.reason).toBe('re-check failed');
  });

  it('an expired confirmation goes back to TRIPPED; an expiry of another token does nothing', () => {
    const a = start('automatic');
    a.send(TRIP({ trip: true }));
    a.send(REQUEST('t'));
    a.send({ type: 'RESET_EXPIRED', token: 'old' });
    expect(state(a)).toBe('RESETTING');
    a.send({ type: 'RESET_EXPIRED', token: 't' });
    expect(state(a)).toBe('TRIPPED');
    expect(ctx(a)).toMatchObject({ resetToken: null, resetDeadline: null, cause: { type: 'RESET_EXPIRED', operator: null, reason: null, evidence: null, deadline: null } });
  });

  it('a missing token never matches', () => {
    const a = start('automatic');
    a.send(TRIP({ trip: true }));
    a.send(REQUEST(null as unknown as string));
    expect(state(a)).toBe('RESETTING');
    a.send(CONFIRM(null as unknown as string));
    expect(state(a)).toBe('RESETTING');
  });

  it('has no self-healing edges', () => {
    const a = start('automatic');
    a.send(TRIP({ trip: true }));
    a.send(REQUEST('t'));
    a.send({ type: 'RECOVER', evidence: { clear: true } });
    expect(state(a)).toBe('RESETTING');
  });
});

describe('self-healing chart', () => {
  it('TRIPPED → RESETTING (WINDOW_CLEARED) → NORMAL (RECOVER), each only once the condition cleared', () => {
    const a = start('selfHealing', BreakerType.ORDER_RATE);
    a.send(TRIP({ trip: true, n: 1 }));
    a.send({ type: 'WINDOW_CLEARED', evidence: { clear: false } });
    expect(state(a)).toBe('TRIPPED');
    a.send({ type: 'WINDOW_CLEARED', evidence: { clear: true, c: 1 } });
    expect(state(a)).toBe('RESETTING');
    expect(ctx(a)).toMatchObject({
      resetToken: null,
      resetDeadline: null,
      cause: { type: 'WINDOW_CLEARED', operator: null, reason: null, evidence: { clear: true, c: 1 }, deadline: null },
    });
    a.send({ type: 'RECOVER', evidence: { clear: false } });
    expect(state(a)).toBe('RESETTING');
    a.send({ type: 'RECOVER', evidence: { clear: true, c: 2 } });
    expect(state(a)).toBe('NORMAL');
    expect(ctx(a)).toMatchObject({
      reason: null,
      cause: { type: 'RECOVER', operator: null, reason: null, evidence: { clear: true, c: 2 }, deadline: null },
    });
  });

  it('also takes a manual reset, with its re-check', () => {
    const a = start('selfHealing', BreakerType.ORDER_RATE);
    a.send(TRIP({ trip: true }));
    a.send(REQUEST('t'));
    expect(state(a)).toBe('RESETTING');
    a.send(REQUEST('u'));
    expect(ctx(a).resetToken).toBe('u');
    a.send(CONFIRM('u', { pass: false }));
    expect(state(a)).toBe('TRIPPED');
    a.send(REQUEST('v'));
    a.send({ type: 'RESET_EXPIRED', token: 'v' });
    expect(state(a)).toBe('TRIPPED');
    a.send(REQUEST('w'));
    a.send(CONFIRM('w'));
    expect(state(a)).toBe('NORMAL');
  });

  it('trips only when its rule holds, and an unguarded or unknown event never errors the actor', () => {
    const a = start('selfHealing', BreakerType.ORDER_RATE);
    a.send(TRIP({ trip: false, n: 1 }));
    expect(state(a)).toBe('NORMAL');
    a.send(TRIP({ trip: true, n: 2 }));
    expect(state(a)).toBe('TRIPPED');
    expect(ctx(a)).toMatchObject({ reason: 'described 2', cause: { type: 'TRIP' } });
    expect(a.getSnapshot().status).toBe('active');
  });

  it('an expiry with another token leaves a manual reset waiting (the actor stays active)', () => {
    const a = start('manual', BreakerType.MANUAL);
    a.send({ type: 'HALT', operator: 'alice', reason: 'r' });
    a.send(REQUEST('t'));
    a.send({ type: 'RESET_EXPIRED', token: 'other' });
    expect(a.getSnapshot()).toMatchObject({ value: 'RESETTING', status: 'active', context: { resetToken: 't' } });
    a.send({ type: 'RESET_EXPIRED', token: 't' });
    expect(a.getSnapshot()).toMatchObject({ value: 'MANUALLY_HALTED', status: 'active', context: { resetToken: null } });
  });

  it('does not heal from NORMAL', () => {
    const a = start('selfHealing', BreakerType.ORDER_RATE);
    a.send({ type: 'WINDOW_CLEARED', evidence: { clear: true } });
    a.send({ type: 'RECOVER', evidence: { clear: true } });
    expect(state(a)).toBe('NORMAL');
    expect(ctx(a).cause).toBeNull();
  });
});

describe('manual chart', () => {
  it('a halt wins from NORMAL and records who and why', () => {
    const a = start('manual', BreakerType.MANUAL);
    a.send(TRIP({ trip: true }));
    expect(state(a)).toBe('NORMAL');
    a.send({ type: 'HALT', operator: 'alice', reason: 'fat finger' });
    expect(state(a)).toBe('MANUALLY_HALTED');
    expect(ctx(a)).toEqual({
      breaker: 'manual',
      resetToken: null,
      resetDeadline: null,
      reason: 'fat finger',
      operator: 'alice',
      evidence: { operator: 'alice', reason: 'fat finger', mode: 'halt' },
      haltMode: 'halt',
      cause: { type: 'HALT', operator: 'alice', reason: 'fat finger', evidence: { operator: 'alice', reason: 'fat finger', mode: 'halt' }, deadline: null },
    });
    // A repeated halt keeps the standing one (who, why, mode); only its cause records the repeat.
    a.send({ type: 'HALT', operator: 'bob', reason: 'again' });
    expect(state(a)).toBe('MANUALLY_HALTED');
    expect(ctx(a)).toMatchObject({ operator: 'alice', reason: 'fat finger', haltMode: 'halt', evidence: { operator: 'alice', reason: 'fat finger', mode: 'halt' } });
    expect(ctx(a).cause).toEqual({
      type: 'HALT',
      operator: 'bob',
      reason: 'again',
      evidence: { operator: 'bob', reason: 'again', mode: 'halt', repeated: true, standing: { operator: 'alice', reason: 'fat finger', mode: 'halt' } },
      deadline: null,
    });
    // A reduce-only halt never loosens a full one.
    a.send({ type: 'HALT', operator: 'carol', reason: 'loosen', mode: 'reduceOnly' });
    expect(ctx(a)).toMatchObject({ operator: 'alice', reason: 'fat finger', haltMode: 'halt' });
  });

  it('a full halt over a reduce-only halt tightens it (and replaces it); a reduce-only one over it is a repeat', () => {
    const a = start('manual', BreakerType.MANUAL);
    a.send({ type: 'HALT', operator: 'alice', reason: 'flatten', mode: 'reduceOnly' });
    a.send({ type: 'HALT', operator: 'bob', reason: 'flatten too', mode: 'reduceOnly' });
    expect(ctx(a)).toMatchObject({ operator: 'alice', reason: 'flatten', haltMode: 'reduceOnly' });
    expect(ctx(a).cause?.evidence).toMatchObject({ repeated: true });
    a.send({ type: 'HALT', operator: 'carol', reason: 'stop everything' });
    expect(state(a)).toBe('MANUALLY_HALTED');
    expect(ctx(a)).toMatchObject({ operator: 'carol', reason: 'stop everything', haltMode: 'halt' });
    expect(ctx(a).cause?.evidence).toEqual({
      operator: 'carol',
      reason: 'stop everything',
      mode: 'halt',
      tightened: true,
      earlier: { operator: 'alice', reason: 'flatten', mode: 'reduceOnly' },
    });
  });

  it('a halt during a reset cancels it; an expired reset stays halted; a matching confirmation resets without re-check', () => {
    const a = start('manual', BreakerType.MANUAL);
    a.send({ type: 'HALT', operator: 'alice', reason: 'r' });
    a.send(REQUEST('t'));
    expect(state(a)).toBe('RESETTING');
    expect(ctx(a).resetToken).toBe('t');
    a.send({ type: 'HALT', operator: 'bob', reason: 'not yet' });
    expect(state(a)).toBe('MANUALLY_HALTED');
    expect(ctx(a)).toMatchObject({ resetToken: null, resetDeadline: null, operator: 'bob', reason: 'not yet' });
    a.send(REQUEST('u'));
    a.send(REQUEST('v'));
    expect(ctx(a).resetToken).toBe('v');
    a.send({ type: 'RESET_EXPIRED', token: 'u' });
    expect(state(a)).toBe('RESETTING');
    a.send({ type: 'RESET_EXPIRED', token: 'v' });
    expect(state(a)).toBe('MANUALLY_HALTED');
    a.send(REQUEST('w'));
    a.send(CONFIRM('x', { pass: false }));
    expect(state(a)).toBe('RESETTING');
    a.send(CONFIRM('w', { pass: false }, 'carol'));
    expect(state(a)).toBe('NORMAL');
    expect(ctx(a)).toMatchObject({ reason: null, operator: null, resetToken: null, cause: { type: 'CONFIRM_RESET', operator: 'carol' } });
  });
});

describe('chart helpers', () => {
  it('acceptedEvents reads each state’s edges from the chart', () => {
    const sets = (chart: 'automatic' | 'selfHealing' | 'manual') =>
      Object.fromEntries([...acceptedEvents(breakerChart(BreakerType.DRAWDOWN, chart, rule)!)].map(([s, e]) => [s, [...e].sort()]));
    expect(sets('automatic')).toEqual({
      NORMAL: ['TRIP'],
      TRIPPED: ['REQUEST_RESET'],
      RESETTING: ['CONFIRM_RESET', 'REQUEST_RESET', 'RESET_EXPIRED'],
    });
    expect(sets('selfHealing')).toEqual({
      NORMAL: ['TRIP'],
      TRIPPED: ['REQUEST_RESET', 'WINDOW_CLEARED'],
      RESETTING: ['CONFIRM_RESET', 'RECOVER', 'REQUEST_RESET', 'RESET_EXPIRED'],
    });
    expect(sets('manual')).toEqual({
      NORMAL: ['HALT'],
      MANUALLY_HALTED: ['HALT', 'REQUEST_RESET'],
      RESETTING: ['CONFIRM_RESET', 'HALT', 'REQUEST_RESET', 'RESET_EXPIRED'],
    });
    const bare = createMachine({ initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } });
    expect(acceptedEvents(bare)).toEqual(new Map([['a', new Set(['GO'])], ['b', new Set()]]));
  });

  it('breakerStateOf reads the top-level state of a value', () => {
    expect(breakerStateOf('TRIPPED')).toBe('TRIPPED');
    expect(breakerStateOf({ RESETTING: 'waiting' })).toBe('RESETTING');
  });

  it('restorable starts a chart where it was, or from the beginning', () => {
    const chart = restorable(breakerChart(BreakerType.DRAWDOWN, 'automatic', rule)!);
    const context: BreakerContext = {
      breaker: BreakerType.DRAWDOWN,
      resetToken: 'tok',
      resetDeadline: 5,
      reason: 'why',
      operator: null,
      evidence: { n: 1 },
      cause: null,
    };
    const restored = createActor(chart, { input: { breaker: BreakerType.DRAWDOWN, restore: { value: 'RESETTING', context } } }).start();
    expect(restored.getSnapshot().value).toBe('RESETTING');
    expect(restored.getSnapshot().context).toEqual(context);
    restored.send(CONFIRM('tok'));
    expect(restored.getSnapshot().value).toBe('NORMAL');
    for (const input of [{ breaker: BreakerType.DRAWDOWN }, { breaker: BreakerType.DRAWDOWN, restore: null }]) {
      const fresh = createActor(chart, { input }).start();
      expect(fresh.getSnapshot().value).toBe('NORMAL');
      expect(fresh.getSnapshot().context.resetToken).toBeNull();
    }
  });
});
