import { describe, expect, it } from 'vitest';
import { harness, ORDER, only } from '../helpers.ts';

/**
 * A reset never creates a baseline of zero or less (PRODUCT.md, "Inputs and their bounds" and
 * drawdown): a reset confirmed while the value is zero or negative is refused and the breaker
 * goes back to TRIPPED, so zero never opens the gate.
 */
describe('a reset never creates a baseline ≤ 0', () => {
  for (const value of ['0', '0.00', '-0', '-5', '-1e-30']) {
    it(`drawdown: a reset confirmed at value ${value} is refused and orders stay blocked`, async () => {
      const h = await harness({ breakers: only({ drawdown: { threshold: -0.1 } }) });
      h.rt.updatePortfolio({ value: 1000 });
      h.rt.updatePortfolio({ value });
      expect(h.rt.state).toBe('TRIPPED');
      const { token } = h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
      const outcome = h.rt.confirmReset({ token, operator: 'ann' });
      expect(outcome).toMatchObject({ confirmed: false, state: 'TRIPPED', reason: expect.stringMatching(/high-water mark.*positive/) });
      expect(h.rt.status().breakers.drawdown.figures).toMatchObject({ highWaterMark: '1000' });
      expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'drawdown', state: 'TRIPPED' });
      expect(h.types()).toContain('ResetRefused');
      // A positive value later makes the reset possible again, from that value.
      h.rt.updatePortfolio({ value: 500 });
      const again = h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
      expect(h.rt.confirmReset({ token: again.token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
      expect(h.rt.status().breakers.drawdown.figures).toMatchObject({ highWaterMark: '500' });
      expect(h.rt.check(ORDER).allowed).toBe(true);
    });
  }

  it('drawdown: the reset preview says a non-positive value will be refused', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1 } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 0 });
    const { token } = h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' }).confirmed).toBe(false);
    // A value of zero after the refusal does not open the gate either.
    h.rt.updatePortfolio({ value: 0 });
    expect(h.rt.check(ORDER).allowed).toBe(false);
  });

  it('daily loss: a reset at a new trading day whose only value is zero is refused (no start-of-day value)', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limitAmount: '-50' } }) }, Date.UTC(2026, 0, 5, 12));
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 900 });
    expect(h.rt.state).toBe('TRIPPED');
    h.clock.advance(24 * 3600_000);
    h.rt.updatePortfolio({ value: 0 });
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ startValue: null });
    const { token } = h.rt.requestReset({ breaker: 'dailyLoss', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: false, state: 'TRIPPED', reason: expect.stringMatching(/start-of-day value.*positive/) });
    expect(h.rt.check(ORDER).allowed).toBe(false);
    h.rt.updatePortfolio({ value: 800 });
    const again = h.rt.requestReset({ breaker: 'dailyLoss', operator: 'ann' });
    expect(h.rt.confirmReset({ token: again.token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ startValue: '800' });
  });

  it('daily loss: a reset at value zero against a positive start value is judged on the loss (the baseline stays positive)', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 0 });
    const { token } = h.rt.requestReset({ breaker: 'dailyLoss', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: false, state: 'TRIPPED' });
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ startValue: '1000' });
    expect(h.rt.check(ORDER).allowed).toBe(false);
  });
});
