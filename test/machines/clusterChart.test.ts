/**
 * The cluster breaker's chart on its own (no NATS): exactly its edges, each guard at its
 * boundary, and the context every edge leaves (what status, the journal and the dashboard read).
 * Part of the mutation suite (test/machines/).
 */
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { acceptedEvents } from '../../machines/charts/breakerChart.ts';
import { registryRow } from '../../machines/rules/registry.ts';

const chart = registryRow('cluster').chart;
/** Link and bucket up, nothing halted: what a healthy process reports. */
const up = { linkUp: true, bucketUp: true, downForMs: 0, timeoutMs: 5000, halts: 0 };
const down = (ms: number) => ({ ...up, linkUp: false, downForMs: ms });
const start = () => createActor(chart, { input: { breaker: 'cluster' } }).start();
/** An actor taken to `state` by the chart's own edges. */
function at(state: 'TRIPPED' | 'RESETTING' | 'MANUALLY_HALTED') {
  const a = start();
  if (state === 'MANUALLY_HALTED') a.send({ type: 'HALT', operator: 'risk', reason: 'drill', scope: 'desk/fx' });
  else a.send({ type: 'TRIP', evidence: down(5000) });
  if (state === 'RESETTING') a.send({ type: 'WINDOW_CLEARED', evidence: up });
  expect(a.getSnapshot().value).toBe(state);
  return a;
}

describe('the cluster chart', () => {
  it('has exactly its own edges: no local reset anywhere', () => {
    const edges = Object.fromEntries([...acceptedEvents(chart)].map(([s, e]) => [s, [...e].sort()]));
    expect(edges).toEqual({
      NORMAL: ['HALT', 'TRIP'],
      TRIPPED: ['HALT', 'WINDOW_CLEARED'],
      RESETTING: ['HALT', 'RECOVER', 'TRIP'],
      MANUALLY_HALTED: ['HALT', 'LIFT'],
    });
  });

  it('trips only when the link has been down for the heartbeat timeout, and heals itself in two steps', () => {
    const a = start();
    a.send({ type: 'TRIP', evidence: down(4999) });
    expect(a.getSnapshot().value).toBe('NORMAL');
    a.send({ type: 'TRIP', evidence: down(5000) });
    expect(a.getSnapshot().value).toBe('TRIPPED');
    a.send({ type: 'REQUEST_RESET', token: 't', deadline: 1, operator: 'x' });
    expect(a.getSnapshot().value).toBe('TRIPPED'); // no local reset edge
    a.send({ type: 'WINDOW_CLEARED', evidence: { ...up, bucketUp: false } });
    expect(a.getSnapshot().value).toBe('TRIPPED');
    a.send({ type: 'WINDOW_CLEARED', evidence: up });
    expect(a.getSnapshot().value).toBe('RESETTING');
    a.send({ type: 'RECOVER', evidence: up });
    expect(a.getSnapshot().value).toBe('NORMAL');
  });

  it('a trip records why, a clearing and a recovery record their evidence, and a recovery clears the rest', () => {
    const a = start();
    a.send({ type: 'TRIP', evidence: down(5000) });
    expect(a.getSnapshot().context).toMatchObject({
      reason: 'cluster link unreachable for 5.0s (heartbeatTimeout 5s)',
      evidence: down(5000),
      operator: null,
      cause: { type: 'TRIP', reason: 'cluster link unreachable for 5.0s (heartbeatTimeout 5s)', evidence: down(5000), operator: null, deadline: null },
    });
    a.send({ type: 'WINDOW_CLEARED', evidence: { ...up, halts: 1 } }); // a halt in scope: not cleared
    expect(a.getSnapshot().value).toBe('TRIPPED');
    a.send({ type: 'WINDOW_CLEARED', evidence: up });
    expect(a.getSnapshot().context).toMatchObject({ resetToken: null, cause: { type: 'WINDOW_CLEARED', evidence: up } });
    a.send({ type: 'RECOVER', evidence: down(10) }); // down again: stays RESETTING
    expect(a.getSnapshot().value).toBe('RESETTING');
    a.send({ type: 'RECOVER', evidence: up });
    expect(a.getSnapshot()).toMatchObject({
      value: 'NORMAL',
      context: { reason: null, operator: null, haltMode: null, resetToken: null, resetDeadline: null, cause: { type: 'RECOVER', operator: null, evidence: up } },
    });
  });

  it('while RESETTING, a fresh loss trips again and a loss short of the timeout does not', () => {
    const a = at('RESETTING');
    a.send({ type: 'TRIP', evidence: down(4999) });
    expect(a.getSnapshot().value).toBe('RESETTING');
    a.send({ type: 'TRIP', evidence: down(6000) });
    expect(a.getSnapshot()).toMatchObject({ value: 'TRIPPED', context: { reason: 'cluster link unreachable for 6.0s (heartbeatTimeout 5s)' } });
  });

  it('a scoped halt wins from every state, with who, why, the mode and the scope', () => {
    for (const state of ['NORMAL', 'TRIPPED', 'RESETTING'] as const) {
      const a = state === 'NORMAL' ? start() : at(state);
      a.send({ type: 'HALT', operator: 'risk', reason: 'drill', scope: 'desk/fx' });
      const evidence = { operator: 'risk', reason: 'drill', mode: 'halt', scope: 'desk/fx' };
      expect(a.getSnapshot()).toMatchObject({
        value: 'MANUALLY_HALTED',
        context: { operator: 'risk', reason: 'drill', haltMode: 'halt', evidence, resetToken: null, cause: { type: 'HALT', operator: 'risk', reason: 'drill', evidence } },
      });
    }
    const reducing = start();
    reducing.send({ type: 'HALT', operator: 'risk', reason: 'trim only', scope: 'firm', mode: 'reduceOnly' });
    expect(reducing.getSnapshot().context).toMatchObject({ haltMode: 'reduceOnly', evidence: { mode: 'reduceOnly', scope: 'firm' } });
  });

  it('a wider halt replaces the one shown; only a lift with no halt left in scope leaves, and the recovery completes it', () => {
    const a = at('MANUALLY_HALTED');
    a.send({ type: 'HALT', operator: 'cro', reason: 'all stop', scope: 'firm' });
    expect(a.getSnapshot().context).toMatchObject({ operator: 'cro', reason: 'all stop', evidence: { scope: 'firm', operator: 'cro' } });
    a.send({ type: 'LIFT', operator: 'cro', scope: 'firm', evidence: { ...up, halts: 1, scopes: ['desk/fx'] } });
    expect(a.getSnapshot()).toMatchObject({ value: 'MANUALLY_HALTED', context: { cause: { type: 'HALT', operator: 'cro' } } });
    a.send({ type: 'CONFIRM_RESET', token: 'x', operator: 'x', evidence: {} });
    expect(a.getSnapshot().value).toBe('MANUALLY_HALTED');
    a.send({ type: 'LIFT', operator: 'cro', scope: 'firm', evidence: up });
    expect(a.getSnapshot()).toMatchObject({
      value: 'RESETTING',
      // The halt stays what the breaker shows until the recovery; the cause is the lift.
      context: { operator: 'cro', reason: 'all stop', resetToken: null, resetDeadline: null, cause: { type: 'LIFT', operator: 'cro', reason: 'halt at firm lifted', evidence: { ...up, scope: 'firm' }, deadline: null } },
    });
    a.send({ type: 'RECOVER', evidence: up });
    expect(a.getSnapshot()).toMatchObject({ value: 'NORMAL', context: { operator: null, reason: null, haltMode: null } });
  });
});
