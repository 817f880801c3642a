import { describe, expect, it } from 'vitest';
import { harness, only } from '../helpers.ts';

const STALE = { breakers: only({ staleData: { maxAge: 30 } }) };

describe('staleData: the dead-man\'s switch', () => {
  it('trips after maxAge seconds without a value (timer on the injected clock), warns first, cancels orders', async () => {
    const h = await harness(STALE);
    h.rt.updatePortfolio({ value: '1000' });
    h.clock.advance(23_999);
    expect(h.types()).not.toContain('CircuitBreakerWarning');
    h.clock.advance(1); // 80 % of 30 s
    expect(h.types()).toContain('CircuitBreakerWarning');
    h.clock.advance(5_999);
    expect(h.rt.status().breakers.staleData.state).toBe('NORMAL');
    h.clock.advance(1);
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
    expect(h.rt.status().tradingMode).toBe('HALTED');
    expect(h.cancels.map((c) => c.breaker)).toEqual(['staleData']);
    const trip = h.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(trip.details).toMatchObject({ ageMs: 30_000, maxAge: 30 });
    expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, breaker: 'staleData' });
  });

  it('quiet values keep it fresh (the quiet band path) and re-arm the warning', async () => {
    const h = await harness({ breakers: only({ staleData: { maxAge: 30 }, drawdown: { threshold: -0.1 } }) });
    h.rt.updatePortfolio({ value: '1000' });
    for (let i = 0; i < 10; i++) {
      h.clock.advance(25_000);
      h.rt.updatePortfolio({ value: '999' });
    }
    expect(h.rt.status().breakers.staleData.state).toBe('NORMAL');
    expect(h.types().filter((t) => t === 'CircuitBreakerWarning')).toHaveLength(10);
  });

  it('is noticed by check() even before its timer fires, and recovers through RESETTING when a fresh value arrives', async () => {
    const h = await harness(STALE);
    h.rt.updatePortfolio({ value: '1000' });
    // Move the clock (both readings) without firing timers: check() compares the monotonic now with the last value time.
    const now = h.clock.now();
    const mono = h.clock.monotonic();
    (h.clock as unknown as { now: () => number }).now = () => now + 30_000;
    (h.clock as unknown as { monotonic: () => number }).monotonic = () => mono + 30_000;
    expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'staleData' });
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
    const edges: string[] = [];
    h.rt.events$.subscribe((e) => e.type === 'StateChanged' && e.breaker === 'staleData' && edges.push(`${e.details.from}>${e.details.to}`));
    h.rt.updatePortfolio({ value: '1000' });
    expect(edges).toEqual(['TRIPPED>RESETTING', 'RESETTING>NORMAL']);
    expect(h.types()).toContain('CircuitBreakerRecovered');
    expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 1 }).allowed).toBe(true);
  });

  it('a value that is itself too old does not clear it; a manual reset is refused while stale', async () => {
    const h = await harness(STALE);
    h.rt.updatePortfolio({ value: '1000' });
    h.clock.advance(40_000);
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
    h.rt.updatePortfolio({ value: '1000', timestamp: h.clock.now() - 35_000 });
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
    const { token } = h.rt.requestReset({ breaker: 'staleData', operator: 'ops' });
    h.clock.advance(1000);
    expect(h.rt.confirmReset({ token, operator: 'ops' })).toMatchObject({ confirmed: false, state: 'TRIPPED' });
    h.rt.updatePortfolio({ value: '1000' });
    expect(h.rt.status().breakers.staleData.state).toBe('NORMAL');
    // And the switch is armed again.
    h.clock.advance(30_000);
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
  });

  it('a feed that never starts trips it maxAge after the start; off unless configured', async () => {
    const h = await harness(STALE);
    h.clock.advance(30_000);
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
    const off = await harness({ breakers: only({}) });
    off.clock.advance(3_600_000);
    expect(off.rt.status().breakers.staleData).toMatchObject({ enabled: false, state: 'NORMAL', figures: null });
  });

  it('onTrip reduceOnly: a dead feed lets the strategy flatten', async () => {
    const h = await harness({ breakers: only({ staleData: { maxAge: 30, onTrip: 'reduceOnly' as const } }) });
    h.rt.updatePortfolio({ value: '1000', positions: [{ symbol: 'A', quantity: 3 }] });
    h.clock.advance(30_000);
    expect(h.rt.tradingMode).toBe('REDUCING');
    expect(h.rt.check({ symbol: 'A', side: 'sell', quantity: 3 }).allowed).toBe(true);
    expect(h.rt.check({ symbol: 'A', side: 'buy', quantity: 1 })).toMatchObject({ code: 'REDUCE_ONLY' });
  });
});
