import { describe, expect, it } from 'vitest';
import { harness, ORDER, only } from '../helpers.ts';

describe('order rate breaker', () => {
  const config = { breakers: only({ orderRate: { maxOrders: 10, window: 60 } }) };

  it('the 11th order within the window trips the breaker and is itself rejected', async () => {
    const h = await harness(config);
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 10; i++) {
      expect(h.rt.check(ORDER).allowed).toBe(true);
      h.clock.advance(1000);
    }
    const eleventh = h.rt.check(ORDER);
    expect(eleventh).toMatchObject({ allowed: false, breaker: 'orderRate', state: 'TRIPPED' });
    expect(h.cancels).toHaveLength(1);
    expect(h.events.find((e) => e.type === 'CircuitBreakerTripped')!.details).toMatchObject({ count: 11, maxOrders: 10, windowSeconds: 60 });
  });

  it('orders spread beyond the window never trip', async () => {
    const h = await harness(config);
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 50; i++) {
      expect(h.rt.check(ORDER).allowed).toBe(true);
      h.clock.advance(6000); // 10 per 60 s exactly
    }
    expect(h.rt.state).toBe('NORMAL');
  });

  it('recovers by itself through RESETTING once the window no longer holds more than the limit', async () => {
    const h = await harness(config);
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 11; i++) h.rt.check(ORDER); // all at t0
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(59_999);
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(1);
    expect(h.rt.state).toBe('NORMAL');
    const moves = h.events.filter((e) => e.type === 'StateChanged' && e.breaker === 'orderRate').map((e) => `${e.details.from}->${e.details.to}`);
    expect(moves).toEqual(['NORMAL->TRIPPED', 'TRIPPED->RESETTING', 'RESETTING->NORMAL']);
    expect(h.types()).toContain('CircuitBreakerRecovered');
    expect(h.logs.some((l) => l.event === 'transition' && l.breaker === 'orderRate' && l.to === 'RESETTING')).toBe(true);
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });

  it('keeps counting a runaway loop while tripped, so it stays blocked until the loop stops', async () => {
    const h = await harness(config);
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 11; i++) h.rt.check(ORDER);
    for (let i = 0; i < 30; i++) {
      h.clock.advance(10_000);
      h.rt.check(ORDER); // still hammering: 6 per minute would be fine, but the window also holds the burst
      h.rt.check(ORDER);
    }
    // 12 attempts per minute > 10: never recovered.
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(60_000);
    expect(h.rt.state).toBe('NORMAL');
  });

  it('warns once at 80% of the limit', async () => {
    const h = await harness(config);
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 9; i++) h.rt.check(ORDER);
    expect(h.types().filter((t) => t === 'CircuitBreakerWarning')).toHaveLength(1);
    expect(h.events.find((e) => e.type === 'CircuitBreakerWarning')!.details).toMatchObject({ count: 8, maxOrders: 10 });
  });
});

describe('error rate breaker', () => {
  const config = { breakers: only({ errorRate: { maxErrors: 10, window: 60 } }) };

  it('the 11th error within the window trips, with counts per kind, and needs a manual reset', async () => {
    const h = await harness(config);
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 6; i++) h.rt.recordError({ kind: 'order_rejected', message: 'insufficient margin' });
    for (let i = 0; i < 4; i++) h.rt.recordError({ kind: 'broker_error', message: 'timeout' });
    expect(h.rt.state).toBe('NORMAL');
    h.rt.recordError({ kind: 'data_error', message: 'stale quote' });
    expect(h.rt.state).toBe('TRIPPED');
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(trip.details).toMatchObject({ count: 11, maxErrors: 10, byKind: { order_rejected: 6, broker_error: 4, data_error: 1 } });
    expect(h.cancels).toEqual([{ breaker: 'errorRate', reason: expect.any(String) }]);

    h.clock.advance(3_600_000); // the window clears, but error rate does not heal itself
    expect(h.rt.state).toBe('TRIPPED');
    const { token } = h.rt.requestReset({ breaker: 'errorRate', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' }).confirmed).toBe(true);
    expect(h.rt.status().breakers.errorRate.figures).toMatchObject({ count: 0 });
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });

  it('errors older than the window do not count', async () => {
    const h = await harness(config);
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 30; i++) {
      h.clock.advance(6000);
      h.rt.recordError({ kind: 'broker_error', message: 'x' });
    }
    expect(h.rt.state).toBe('NORMAL');
    expect(h.rt.status().breakers.errorRate.figures).toMatchObject({ count: 10, byKind: { broker_error: 10 } });
  });
});
