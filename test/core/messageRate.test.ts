/**
 * The message-rate breaker (RTS 6 Art 15(1)(d)) through the public API, on the manual clock:
 * submissions, modifications and cancellations share one window (t − window, t]; the message that
 * makes the count exceed maxMessages trips it and, unless it is a cancellation, is itself
 * rejected; while TRIPPED cancellations pass and still count; it recovers by itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { alertPayload } from '../../src/alerts/payload.ts';
import { describeAlert } from '../../src/alerts/format.ts';
import { breakerFigures } from '../../src/cli/format.ts';
import { BreakerboxMetrics } from '../../src/metrics/metrics.ts';
import { parsePrometheus, sampleValue } from '../../src/metrics/parse.ts';
import { dashboardView } from '../../src/present/dashboardView.ts';
import { detailText } from '../../src/present/journalText.ts';
import { harness, ORDER, only } from '../helpers.ts';

const config = (over: object = {}) => ({ breakers: only({ messageRate: { maxMessages: 3, window: 10, ...over } }) });
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

describe('message rate: the exact boundary', () => {
  it('exactly maxMessages messages pass; the submission that makes the count exceed it trips and is itself rejected', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    expect(h.rt.checkModify({ id: 'a', quantity: 5 }).allowed).toBe(true);
    expect(h.rt.checkCancel({ id: 'a' }).allowed).toBe(true);
    expect(h.rt.status().breakers.messageRate).toMatchObject({ state: 'NORMAL', figures: { count: 3, maxMessages: 3, byKind: { order: 1, modify: 1, cancel: 1 } } });
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'messageRate', state: 'TRIPPED' });
    expect(h.cancels).toEqual([expect.objectContaining({ breaker: 'messageRate' })]);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(trip.details).toMatchObject({ count: 4, maxMessages: 3, byKind: { order: 2, modify: 1, cancel: 1 } });
    expect(h.rt.status().breakers.messageRate.reason).toBe('4 messages within 10s exceed the limit of 3 (submissions 2, modifications 1, cancellations 1)');
  });

  it('a modification that makes the count exceed it trips and is itself rejected', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 3; i++) h.rt.check(ORDER);
    expect(h.rt.checkModify({ id: 'a', price: 101 })).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'messageRate' });
  });

  it('a cancellation that makes the count exceed it trips it and is still allowed', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 3; i++) h.rt.check(ORDER);
    expect(h.rt.checkCancel({ id: 'a' })).toEqual({ allowed: true });
    expect(h.rt.status().breakers.messageRate).toMatchObject({ state: 'TRIPPED', figures: { count: 4 } });
    expect(h.rt.check(ORDER).allowed).toBe(false);
  });

  it('window edges (t − window, t]: a message exactly `window` old has left, one a millisecond younger has not', async () => {
    const left = await harness(config());
    left.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 3; i++) left.rt.checkCancel({ id: 'x' });
    left.clock.advance(10_000);
    expect(left.rt.check(ORDER).allowed).toBe(true);
    expect(left.rt.status().breakers.messageRate.figures).toMatchObject({ count: 1 });

    const inside = await harness(config());
    inside.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 3; i++) inside.rt.checkCancel({ id: 'x' });
    inside.clock.advance(9_999);
    expect(inside.rt.check(ORDER).allowed).toBe(false);
    expect(inside.rt.status().breakers.messageRate).toMatchObject({ state: 'TRIPPED', figures: { count: 4 } });
  });

  it('rejected and malformed messages: every well-formed one counts, a malformed one does not', async () => {
    const h = await harness(config({ maxMessages: 10 }));
    // No portfolio yet: submissions and modifications are rejected (AWAITING_PORTFOLIO) and still count.
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'AWAITING_PORTFOLIO' });
    expect(h.rt.checkModify({ id: 'a', quantity: 1 })).toMatchObject({ allowed: false, code: 'AWAITING_PORTFOLIO' });
    expect(h.rt.checkCancel({ id: 'a' })).toEqual({ allowed: true });
    expect(h.rt.checkCancel({ id: '' })).toMatchObject({ allowed: false, code: 'MALFORMED_MESSAGE' });
    expect(h.rt.checkModify({ id: 'a' })).toMatchObject({ allowed: false, code: 'MALFORMED_MESSAGE' });
    expect(h.rt.status().breakers.messageRate.figures).toMatchObject({ count: 3, byKind: { order: 1, modify: 1, cancel: 1 } });
  });

  it('warns once when the window first holds warnAt × maxMessages', async () => {
    const h = await harness(config({ maxMessages: 10, warnAt: 0.7 }));
    for (let i = 0; i < 6; i++) h.rt.checkCancel({ id: 'x' });
    expect(h.types()).not.toContain('CircuitBreakerWarning');
    h.rt.checkCancel({ id: 'x' });
    h.rt.checkCancel({ id: 'x' });
    const warnings = h.events.filter((e) => e.type === 'CircuitBreakerWarning');
    expect(warnings.map((w) => [w.breaker, w.details.count, w.details.maxMessages])).toEqual([['messageRate', 7, 10]]);
    expect(describeAlert(alertPayload(warnings[0]!)!)).toBe('MESSAGE RATE breaker WARNING on alpha-1: 7 messages in 10s (max 10; submissions 0, modifications 0, cancellations 7)');
  });

  it('off unless configured: no preset turns it on', async () => {
    const h = await harness({});
    expect(h.rt.status().breakers.messageRate).toMatchObject({ enabled: false, state: 'NORMAL', figures: null });
    for (let i = 0; i < 1000; i++) expect(h.rt.checkCancel({ id: 'x' }).allowed).toBe(true);
  });
});

describe('message rate: while tripped', () => {
  it('cancellations always pass and still count; submissions and modifications are rejected; it recovers by itself', async () => {
    const h = await harness(config());
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 4; i++) h.rt.check(ORDER);
    expect(h.rt.status().breakers.messageRate.state).toBe('TRIPPED');
    h.clock.advance(5000);
    for (let i = 0; i < 5; i++) expect(h.rt.checkCancel({ id: `c${i}` })).toEqual({ allowed: true });
    expect(h.rt.checkModify({ id: 'a', quantity: 1 })).toMatchObject({ allowed: false, breaker: 'messageRate' });
    expect(h.rt.status().breakers.messageRate.figures).toMatchObject({ count: 10, byKind: { order: 4, modify: 1, cancel: 5 } });
    // The submissions leave at 10 s, the rest at 15 s: then the window holds 0 and it recovers.
    h.clock.advance(5000);
    expect(h.rt.status().breakers.messageRate.state).toBe('TRIPPED');
    h.clock.advance(5000);
    expect(h.rt.status().breakers.messageRate).toMatchObject({ state: 'NORMAL', figures: { count: 0 } });
    expect(h.types()).toContain('CircuitBreakerRecovered');
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });
});

describe('message rate: restarts (LevelDB)', () => {
  it('the window, its kinds and a trip survive a restart; time passed while down ages the window', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bbx-msg-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, ...config() });
    let rt: RiskRuntime = await open();
    rt.checkCancel({ id: 'a' });
    clock.advance(4000);
    rt.checkModify({ id: 'a', quantity: 1 });
    rt.check(ORDER);
    await rt.stop();
    clock.advance(2000);
    rt = await open();
    expect(rt.status().breakers.messageRate).toMatchObject({ state: 'NORMAL', figures: { count: 3, nextExpiryInMs: 4000, byKind: { order: 1, modify: 1, cancel: 1 } } });
    clock.advance(3999);
    rt.checkCancel({ id: 'b' });
    expect(rt.status().breakers.messageRate).toMatchObject({ state: 'TRIPPED', figures: { count: 4 } });
    await rt.stop();
    clock.advance(1000);
    rt = await open();
    expect(rt.status().breakers.messageRate.state).not.toBe('NORMAL');
    expect(rt.checkCancel({ id: 'c' })).toEqual({ allowed: true });
    await rt.stop();
  });
});

describe('message rate: where it shows', () => {
  it('status, the CLI line, the dashboard, the journal, the alert text and the metrics', async () => {
    const h = await harness(config());
    const metrics = new BreakerboxMetrics({ defaultMetrics: false });
    cleanup.push(async () => metrics.untrackAll());
    metrics.track(h.rt);
    h.rt.checkCancel({ id: 'a' });
    h.clock.advance(2500);
    h.rt.checkModify({ id: 'a', price: 5 });
    const status = h.rt.status();
    expect(breakerFigures(status, 'messageRate')).toBe('2/3 messages in 10s (submissions 0, modifications 1, cancellations 1), clears in 8s');
    const view = dashboardView(status).breakers.find((b) => b.type === 'messageRate')!;
    expect(view).toMatchObject({
      name: 'Message rate',
      figure: '2 / 3 messages in 10 s',
      details: ['submissions 0 · modifications 1 · cancellations 1', 'oldest leaves the window in 8 s'],
      meter: { label: 'messages in the window', level: 'ok' },
    });
    let families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_window_count', { strategy: 'alpha-1', breaker: 'messageRate' })).toBe(2);
    expect(sampleValue(families, 'breakerbox_window_limit', { strategy: 'alpha-1', breaker: 'messageRate' })).toBe(3);
    expect(sampleValue(families, 'breakerbox_breaker_limit_use_ratio', { strategy: 'alpha-1', breaker: 'messageRate' })).toBeCloseTo(2 / 3, 9);
    h.rt.checkCancel({ id: 'b' });
    h.rt.checkCancel({ id: 'c' });
    families = parsePrometheus(await metrics.expose());
    expect(sampleValue(families, 'breakerbox_trips_total', { strategy: 'alpha-1', breaker: 'messageRate' })).toBe(1);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(describeAlert(alertPayload(trip)!)).toBe('MESSAGE RATE breaker TRIPPED on alpha-1: 4 messages in 10s (max 3; submissions 0, modifications 1, cancellations 3)');
    expect(detailText(trip)).toBe('4 messages within 10s exceed the limit of 3 (submissions 0, modifications 1, cancellations 3)');
    expect(describeAlert({ ...alertPayload(trip)!, details: { count: 'x', maxMessages: null, byKind: 7 } })).toBe(
      'MESSAGE RATE breaker TRIPPED on alpha-1: ? messages in ?s (max ?; submissions ?, modifications ?, cancellations ?)',
    );
  });
});
