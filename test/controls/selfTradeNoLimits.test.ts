// selfTrade sees the open orders of every strategy in the process, also one created without any
// `limits` (whose check() otherwise allows at once): its allowed orders reach the shared book
// while some runtime checks self-trades, and leave it as its fills, closes and reports say.
import { afterEach, describe, expect, it } from 'vitest';
import { harness, only, type Harness } from '../helpers.ts';

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.rt.stop();
});

describe('selfTrade against a strategy without limits', () => {
  it('its open sell blocks another strategy\'s crossing buy; its close releases it', async () => {
    const alpha = await harness({ breakers: only({}), limits: { selfTrade: true }, strategy: 'alpha' });
    const plain = await harness({ breakers: only({}), strategy: 'plain' }); // no limits option at all
    running.push(alpha, plain);
    for (const h of [alpha, plain]) h.rt.updatePortfolio({ value: '1000000' });
    expect(plain.rt.check({ id: 'p1', symbol: 'ES', side: 'sell', quantity: 2, price: 100 }).allowed).toBe(true);
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 100 })).toMatchObject({ allowed: false, code: 'LIMIT_SELF_TRADE', reason: expect.stringContaining('another strategy') });
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 99 }).allowed).toBe(true);
    plain.rt.recordOrderClosed({ id: 'p1' });
    expect(alpha.rt.check({ symbol: 'ES', side: 'buy', quantity: 1, price: 100 }).allowed).toBe(true);
    // Its own orders are never refused for crossing: it does not check self-trades.
    expect(plain.rt.check({ symbol: 'ES', side: 'sell', quantity: 1, price: 1 }).allowed).toBe(true);
  });
});
