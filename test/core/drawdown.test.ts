import { describe, expect, it } from 'vitest';
import { harness, ORDER, only } from '../helpers.ts';

const onlyDrawdown = { breakers: only({ drawdown: { threshold: -0.1 } }) };

describe('drawdown breaker', () => {
  it('trips exactly at the threshold, not one cent above it', async () => {
    const above = await harness(onlyDrawdown);
    above.rt.updatePortfolio({ value: '1000000.00' });
    above.rt.updatePortfolio({ value: '900000.01' }); // drawdown -0.09999999
    expect(above.rt.state).toBe('NORMAL');
    expect(above.rt.check(ORDER).allowed).toBe(true);

    const at = await harness(onlyDrawdown);
    at.rt.updatePortfolio({ value: '1000000.00' });
    at.rt.updatePortfolio({ value: '900000.00' }); // exactly -0.10
    expect(at.rt.state).toBe('TRIPPED');
    const decision = at.rt.check(ORDER);
    expect(decision).toMatchObject({ allowed: false, breaker: 'drawdown', state: 'TRIPPED', code: 'BREAKER_NOT_NORMAL' });
    expect(at.cancels).toEqual([{ breaker: 'drawdown', reason: expect.stringContaining("-10.00%") }]);
    const trip = at.events.find((e) => e.type === 'CircuitBreakerTripped')!;
    expect(trip.details).toMatchObject({ value: '900000', highWaterMark: '1000000', drawdown: '-0.1', threshold: '-0.1' });
  });

  it('follows the high-water mark up and trips on a drop from the new peak', async () => {
    const h = await harness(onlyDrawdown);
    h.rt.updatePortfolio({ value: 1_000_000 });
    h.rt.updatePortfolio({ value: 1_200_000 });
    h.rt.updatePortfolio({ value: 1_080_001 }); // -9.99992% from 1.2M: no trip, though -0.1 from 1.2M is 1.08M
    expect(h.rt.state).toBe('NORMAL');
    expect(h.rt.status().breakers.drawdown.figures).toMatchObject({ highWaterMark: '1200000', tripLevel: '1080000' });
    h.rt.updatePortfolio({ value: 1_080_000 });
    expect(h.rt.state).toBe('TRIPPED');
  });

  it('warns once at 80% of the threshold, before it trips', async () => {
    const h = await harness(onlyDrawdown);
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 921 });
    expect(h.types()).not.toContain('CircuitBreakerWarning');
    h.rt.updatePortfolio({ value: 920 }); // -8% = 0.8 × -10%
    h.rt.updatePortfolio({ value: 915 });
    h.rt.updatePortfolio({ value: 930 });
    h.rt.updatePortfolio({ value: 919 });
    expect(h.types().filter((t) => t === 'CircuitBreakerWarning')).toHaveLength(1);
    expect(h.rt.state).toBe('NORMAL');
  });

  it('a confirmed reset re-baselines the high-water mark, and it can trip again from there', async () => {
    const h = await harness(onlyDrawdown);
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 850 });
    expect(h.rt.state).toBe('TRIPPED');
    const { token } = h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    expect(h.rt.state).toBe('RESETTING');
    expect(h.rt.check(ORDER).allowed).toBe(false);
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(h.rt.status().breakers.drawdown.figures).toMatchObject({ highWaterMark: '850', drawdown: '0' });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    h.rt.updatePortfolio({ value: 766 }); // -9.88% from 850
    expect(h.rt.state).toBe('NORMAL');
    h.rt.updatePortfolio({ value: 765 }); // -10% from 850
    expect(h.rt.state).toBe('TRIPPED');
    expect(h.cancels).toHaveLength(2);
  });

  it('rejects the first order after a breaching update, even from a synchronous listener', async () => {
    const h = await harness(onlyDrawdown);
    h.rt.updatePortfolio({ value: 1000 });
    const seenByListener: boolean[] = [];
    h.rt.events$.subscribe((e) => {
      if (e.type === 'CircuitBreakerTripped') seenByListener.push(h.rt.check(ORDER).allowed);
    });
    h.rt.updatePortfolio({ value: 899 });
    expect(seenByListener).toEqual([false]);
    expect(h.rt.check(ORDER).allowed).toBe(false);
  });
});
