import { describe, expect, it } from 'vitest';
import { harness, ORDER, only } from '../helpers.ts';

describe('manual halt and the two-step reset', () => {
  it('halt blocks at once, cancels once, and only a confirmed manual reset leaves it', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.halt({ operator: 'ann', reason: 'news: exchange outage' });
    expect(h.rt.state).toBe('MANUALLY_HALTED');
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'manual', state: 'MANUALLY_HALTED' });
    expect(h.cancels).toEqual([{ breaker: 'manual', reason: 'news: exchange outage' }]);
    const halt = h.events.find((e) => e.type === 'ManualHalt')!;
    expect(halt).toMatchObject({ operator: 'ann', details: { reason: 'news: exchange outage' } });
    expect(h.rt.status().breakers.manual.figures).toMatchObject({ operator: 'ann', reason: 'news: exchange outage' });

    const { token, expiresAt } = h.rt.requestReset({ breaker: 'manual', operator: 'bob' });
    expect(Date.parse(expiresAt) - h.clock.now()).toBe(60_000);
    expect(h.rt.state).toBe('RESETTING');
    expect(h.rt.check(ORDER).allowed).toBe(false);
    expect(h.rt.confirmReset({ token, operator: 'bob' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    expect(h.rt.check(ORDER).allowed).toBe(true);
    expect(h.types()).toEqual(['TradingDayOpened', 'ManualHalt', 'ResetRequested', 'ResetConfirmed']);
  });

  it('an unconfirmed reset expires after 60 s and goes back to the blocking state', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.halt({ operator: 'ann', reason: 'stop' });
    const { token } = h.rt.requestReset({ breaker: 'manual', operator: 'ann' });
    h.clock.advance(59_999);
    expect(h.rt.state).toBe('RESETTING');
    h.clock.advance(1);
    expect(h.rt.state).toBe('MANUALLY_HALTED');
    expect(h.types()).toContain('ResetExpired');
    expect(() => h.rt.confirmReset({ token, operator: 'ann' })).toThrow(/token: unknown or expired reset token/);
    expect(h.rt.state).toBe('MANUALLY_HALTED');
  });

  it('the reset timeout is configurable', async () => {
    const h = await harness({ resetTimeout: 5, breakers: only({ drawdown: { threshold: -0.1 } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 800 });
    h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    h.clock.advance(5000);
    expect(h.rt.state).toBe('TRIPPED');
  });

  it('refuses to reset a NORMAL breaker, an unknown breaker, and anonymous operators', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000 });
    expect(() => h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' })).toThrow(/drawdown is NORMAL/);
    expect(() => h.rt.requestReset({ breaker: 'nope' as never, operator: 'ann' })).toThrow(/breaker: must be one of .* \(got "nope"\)/);
    expect(() => h.rt.halt({ operator: '', reason: 'x' })).toThrow(/operator: must be a non-empty string/);
    expect(() => h.rt.halt({ operator: 'ann', reason: '' })).toThrow(/reason: must be a non-empty string/);
    expect(h.rt.state).toBe('NORMAL');
  });

  it('a new request replaces the old token', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.halt({ operator: 'ann', reason: 'stop' });
    const first = h.rt.requestReset({ breaker: 'manual', operator: 'ann' });
    const second = h.rt.requestReset({ breaker: 'manual', operator: 'ann' });
    expect(() => h.rt.confirmReset({ token: first.token, operator: 'ann' })).toThrow(/token/);
    expect(h.rt.confirmReset({ token: second.token, operator: 'ann' }).confirmed).toBe(true);
  });

  it('a halt during RESETTING wins', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.halt({ operator: 'ann', reason: 'stop' });
    const { token } = h.rt.requestReset({ breaker: 'manual', operator: 'ann' });
    h.rt.halt({ operator: 'bob', reason: 'no, wait' });
    expect(h.rt.state).toBe('MANUALLY_HALTED');
    expect(() => h.rt.confirmReset({ token, operator: 'ann' })).toThrow(/token/);
    expect(h.cancels).toHaveLength(2);
  });

  it('the global state is the most severe of the breakers', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1 }, errorRate: { maxErrors: 1, window: 60 } }) });
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.updatePortfolio({ value: 800 }); // drawdown TRIPPED
    const { token } = h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    expect(h.rt.state).toBe('RESETTING');
    h.rt.recordError({ kind: 'broker_error', message: 'a' });
    h.rt.recordError({ kind: 'broker_error', message: 'b' }); // error rate TRIPPED
    expect(h.rt.state).toBe('TRIPPED');
    h.rt.halt({ operator: 'ann', reason: 'enough' });
    expect(h.rt.state).toBe('MANUALLY_HALTED');
    h.rt.confirmReset({ token, operator: 'ann' });
    expect(h.rt.status().breakers).toMatchObject({
      drawdown: { state: 'NORMAL' }, errorRate: { state: 'TRIPPED' }, manual: { state: 'MANUALLY_HALTED' },
    });
    expect(h.rt.state).toBe('MANUALLY_HALTED');
  });
});
