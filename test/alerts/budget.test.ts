/**
 * Alert budgets: trips and halts have their own; informational alerts (reset requested /
 * confirmed, warnings) can never delay a trip alert.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger } from '../../src/index.ts';
import { startHttpServer, waitFor } from './helpers.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('alert budgets', () => {
  it('after 5 reset cycles (trip, reset requested, reset confirmed) a new trip is alerted at once, not folded', async () => {
    const hook = await startHttpServer((_r, res) => res.writeHead(200).end());
    const clock = new ManualClock();
    const rt = await createRiskRuntime({
      strategy: 'alpha-1',
      breakers: { drawdown: { threshold: -0.1 }, dailyLoss: { limit: -0.99 } },
      store: false,
      clock,
      logger: silentLogger,
      alerts: { webhooks: [{ url: `${hook.url}/h`, format: 'json' }], allowlist: [`${hook.url}/`] },
    });
    cleanup.push(async () => {
      await rt.stop();
      await hook.close();
    });
    const sent = () => hook.requests.map((r) => JSON.parse(r.body) as { event_type: string; circuit_breaker_type: string | null });
    let value = 1_000_000;
    rt.updatePortfolio({ value });
    for (let cycle = 0; cycle < 5; cycle++) {
      value = Math.round(value * 0.88);
      clock.advance(60_000);
      rt.updatePortfolio({ value });
      expect(rt.status().breakers.drawdown.state).toBe('TRIPPED');
      const { token } = rt.requestReset({ breaker: 'drawdown', operator: 'desk' });
      expect(rt.confirmReset({ token, operator: 'desk' }).confirmed).toBe(true);
      await rt.flush();
      // Delivered before the (manual) clock moves on, so no delivery timeout fires meanwhile.
      await waitFor(async () => (await rt.alertHistory()).filter((a) => a.outcome === 'sent').length === 3 * (cycle + 1), `cycle ${cycle + 1} delivered`, 20_000).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; attempts: ${JSON.stringify((await rt.alertHistory()).map((a) => [a.eventType, a.outcome, a.reason]))}`);
      });
    }
    await waitFor(() => sent().filter((b) => b.event_type === 'ResetConfirmed').length === 5, 'five reset cycles alerted');
    expect(sent().filter((b) => b.circuit_breaker_type === 'drawdown').length).toBeGreaterThanOrEqual(15);

    // The sixth trip, in the same hour: sent at once (no clock advance needed), not suppressed.
    value = Math.round(value * 0.88);
    clock.advance(60_000);
    rt.updatePortfolio({ value });
    await rt.flush();
    await waitFor(() => sent().filter((b) => b.event_type === 'CircuitBreakerTripped').length === 6, 'the sixth trip alert');
    const attempts = await rt.alertHistory();
    expect(attempts.filter((a) => a.outcome === 'suppressed')).toEqual([]);
  });

  it('informational alerts past their own budget are folded, and trips still go out', async () => {
    const hook = await startHttpServer((_r, res) => res.writeHead(200).end());
    const clock = new ManualClock();
    const rt = await createRiskRuntime({
      strategy: 'beta-2',
      breakers: { drawdown: { threshold: -0.1 }, dailyLoss: { limit: -0.99 } },
      store: false,
      clock,
      logger: silentLogger,
      alerts: { webhooks: [{ url: `${hook.url}/h`, format: 'json' }], allowlist: [`${hook.url}/`], maxPerHour: 2 },
    });
    cleanup.push(async () => {
      await rt.stop();
      await hook.close();
    });
    let value = 1_000_000;
    rt.updatePortfolio({ value });
    for (let cycle = 0; cycle < 2; cycle++) {
      value = Math.round(value * 0.88);
      rt.updatePortfolio({ value });
      const { token } = rt.requestReset({ breaker: 'drawdown', operator: 'desk' });
      rt.confirmReset({ token, operator: 'desk' });
    }
    await rt.flush();
    const history = async () => rt.alertHistory();
    await waitFor(async () => (await history()).filter((a) => a.outcome === 'sent').length === 4, 'two trips and two info alerts sent');
    const suppressed = (await history()).filter((a) => a.outcome === 'suppressed').map((a) => a.eventType);
    expect(suppressed).toEqual(['ResetRequested', 'ResetConfirmed']);
    const sentTypes = (await history()).filter((a) => a.outcome === 'sent').map((a) => a.eventType).sort();
    expect(sentTypes).toEqual(['CircuitBreakerTripped', 'CircuitBreakerTripped', 'ResetConfirmed', 'ResetRequested']);
  });
});
