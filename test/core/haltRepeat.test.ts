import { describe, expect, it } from 'vitest';
import { harness, only } from '../helpers.ts';

const LONG = [{ symbol: 'ACME', quantity: 100, price: '10' }];

describe('a halt over a standing halt (issue 13)', () => {
  it('is not silent: the standing halt stays what status shows, the repeat is journalled and logged, the answer names the standing halt', async () => {
    const h = await harness({ breakers: only({}) }, Date.parse('2026-11-24T09:00:00Z'));
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.halt({ operator: 'ann', reason: 'exchange outage' })).toEqual({ alreadyHalted: null, tightened: false });
    h.clock.advance(60_000);
    const again = h.rt.halt({ operator: 'bob', reason: 'runaway algo' });
    expect(again).toEqual({
      alreadyHalted: { operator: 'ann', reason: 'exchange outage', since: '2026-11-24T09:00:00.000Z', mode: 'halt' },
      tightened: false,
    });
    const manual = h.rt.status().breakers.manual;
    expect(manual.figures).toEqual({ operator: 'ann', reason: 'exchange outage', haltedAt: '2026-11-24T09:00:00.000Z', mode: 'halt' });
    expect(manual.reason).toBe('exchange outage');
    expect(manual.since).toBe('2026-11-24T09:00:00.000Z');
    const halts = h.events.filter((e) => e.type === 'ManualHalt');
    expect(halts).toHaveLength(2);
    expect(halts[1]).toMatchObject({
      operator: 'bob',
      details: { reason: 'runaway algo', from: 'MANUALLY_HALTED', mode: 'halt', repeated: true, standing: { operator: 'ann', reason: 'exchange outage', mode: 'halt' } },
    });
    await h.rt.flush();
    expect((await h.rt.journal({ types: ['ManualHalt'] })).map((e) => e.operator)).toEqual(['ann', 'bob']);
    expect(h.logs).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'operator_action', action: 'halt_repeated', operator: 'bob', repeated: true })]));
    // Still one halt to lift: one confirmed reset returns to NORMAL.
    const { token } = h.rt.requestReset({ breaker: 'manual', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' }).confirmed).toBe(true);
    expect(h.rt.state).toBe('NORMAL');
  });

  it('a full halt over a reduce-only halt tightens it and becomes the standing halt (new since); a reduce-only halt never loosens a full one', async () => {
    const h = await harness({ breakers: only({}) }, Date.parse('2026-11-24T09:00:00Z'));
    h.rt.updatePortfolio({ value: '1000', positions: LONG });
    h.rt.halt({ operator: 'ann', reason: 'flatten', mode: 'reduceOnly' });
    expect(h.rt.tradingMode).toBe('REDUCING');
    h.clock.advance(30_000);
    const tighter = h.rt.halt({ operator: 'bob', reason: 'stop everything' });
    expect(tighter).toEqual({ alreadyHalted: { operator: 'ann', reason: 'flatten', since: '2026-11-24T09:00:00.000Z', mode: 'reduceOnly' }, tightened: true });
    expect(h.rt.tradingMode).toBe('HALTED');
    expect(h.rt.check({ symbol: 'ACME', side: 'sell', quantity: 10 })).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL' });
    expect(h.rt.status().breakers.manual.figures).toEqual({ operator: 'bob', reason: 'stop everything', haltedAt: '2026-11-24T09:00:30.000Z', mode: 'halt' });
    expect(h.events.filter((e) => e.type === 'ManualHalt').at(-1)).toMatchObject({
      operator: 'bob',
      details: { mode: 'halt', tightened: true, earlier: { operator: 'ann', reason: 'flatten', mode: 'reduceOnly' } },
    });
    h.clock.advance(30_000);
    const looser = h.rt.halt({ operator: 'carol', reason: 'let sells through', mode: 'reduceOnly' });
    expect(looser).toEqual({ alreadyHalted: { operator: 'bob', reason: 'stop everything', since: '2026-11-24T09:00:30.000Z', mode: 'halt' }, tightened: false });
    expect(h.rt.tradingMode).toBe('HALTED');
    expect(h.events.filter((e) => e.type === 'ManualHalt').at(-1)).toMatchObject({ operator: 'carol', details: { mode: 'reduceOnly', repeated: true } });
  });
});
