// The open-order and traded limits' use is visible: status().controls (per symbol and in total),
// the CLI's status, the dashboard's controls line (the same words) and the metrics.
import { afterEach, describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/cli/format.ts';
import { BreakerboxMetrics } from '../../src/metrics/metrics.ts';
import { parsePrometheus, sampleValue } from '../../src/metrics/parse.ts';
import { dashboardView } from '../../src/present/dashboardView.ts';
import { harness, only, type Harness } from '../helpers.ts';

const running: Harness[] = [];
afterEach(async () => {
  for (const h of running.splice(0)) await h.rt.stop();
});

describe('open orders and traded amounts in status, CLI, dashboard and metrics', () => {
  it('shows each symbol’s open orders against its cap, the total against its cap, and what it filled in the window against its traded limits', async () => {
    const h = await harness({
      breakers: only({}),
      limits: { maxOpenOrders: { total: 5, perSymbol: 3 }, maxTradedQuantity: 100, maxTradedNotional: '100000', tradedWindow: 60 },
    });
    running.push(h);
    const { rt, clock } = h;
    rt.updatePortfolio({ value: '1000000', positions: [{ symbol: 'ES', quantity: 0, price: 5000 }] });
    expect(rt.check({ id: 'o1', symbol: 'ES', side: 'buy', quantity: 2, price: 5000 }).allowed).toBe(true);
    expect(rt.check({ id: 'o2', symbol: 'ES', side: 'sell', quantity: 1, price: 5001 }).allowed).toBe(true);
    rt.recordFill({ orderId: 'o1', symbol: 'ES', side: 'buy', quantity: 2, price: 5000 });
    const c = rt.status().controls;
    expect(c).toMatchObject({ openOrders: 1, maxOpenOrders: 5 });
    expect(c.symbols.find((s) => s.symbol === 'ES')).toMatchObject({
      openOrders: 1,
      maxOpenOrders: 3,
      traded: { quantity: '2', notional: '10000', maxQuantity: '100', maxNotional: '100000', windowSeconds: 60 },
    });
    const words = ['open orders 1 of 5', 'ES open orders 1 of 3', 'ES traded 2 of 100, notional 10,000.00 of 100,000.00 in 60 s'];
    const cli = formatStatus(rt.status());
    const dashboard = dashboardView(rt.status()).controls ?? '';
    for (const w of words) {
      expect(cli).toContain(w);
      expect(dashboard).toContain(w);
    }
    // The fill leaves the traded window on the monotonic clock.
    clock.advance(60_000);
    expect(rt.status().controls.symbols.find((s) => s.symbol === 'ES')!.traded).toMatchObject({ quantity: '0', notional: '0' });
    const metrics = new BreakerboxMetrics();
    metrics.setStatus(rt.status());
    const parsed = parsePrometheus(await metrics.expose());
    expect(sampleValue(parsed, 'breakerbox_open_orders', { strategy: rt.strategy, symbol: 'ES' })).toBe(1);
    expect(sampleValue(parsed, 'breakerbox_traded_quantity', { strategy: rt.strategy, symbol: 'ES' })).toBe(0);
  });

  it('without those limits nothing about them is shown', async () => {
    const h = await harness({ breakers: only({}), limits: { maxPosition: 10 } });
    running.push(h);
    h.rt.updatePortfolio({ value: '1000000' });
    expect(h.rt.check({ id: 'x', symbol: 'ES', side: 'buy', quantity: 1 }).allowed).toBe(true);
    const c = h.rt.status().controls;
    expect(c.maxOpenOrders).toBeNull();
    expect(c.symbols[0]).toMatchObject({ openOrders: 1, maxOpenOrders: null, traded: null });
    expect(formatStatus(h.rt.status())).not.toMatch(/open orders|traded/);
  });
});
