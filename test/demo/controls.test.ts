import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startDemo } from '../../src/demo/index.ts';
import type { RiskEvent } from '../../src/events.ts';
import type { RuntimeStatus } from '../../src/runtime/types.ts';
import { TEST_SPEED } from './speed.ts';

/**
 * The trading-controls scenarios of the demo (issue 12): fat finger, position limit, silent feed,
 * reduce-only flattening; and the issue-22 breakers' scenarios: cancel/replace loop (message
 * rate), losing streak (trade losses, lifted by its reset policy), fill storm (execution rate),
 * quote stuffing (order-to-trade), phantom position (reconciliation).
 */
describe('demo: trading-controls scenarios', () => {
  it('rejects a fat finger, stops a growing position at its limit, trips and recovers stale data, flattens a reduce-only strategy, and trips each issue-22 breaker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-demo-controls-'));
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const demo = await startDemo({ speed: TEST_SPEED, port: 0, dataDir: join(dir, 'data'), seed: 7, out, tty: false, token: 'controls-token-0123456789' });
    const get = async <T>(path: string): Promise<T> => (await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${demo.token}` } })).json() as Promise<T>;
    const journal = async (strategy: string, types: string) => (await get<{ entries: RiskEvent[] }>(`/api/strategies/${strategy}/journal?types=${types}`)).entries;
    let statuses: Record<string, RuntimeStatus>;
    try {
      const deadline = Date.now() + 20_000;
      while (!text.includes('scenario sequence complete') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(text, text).toContain('scenario sequence complete');
      statuses = Object.fromEntries(await Promise.all(['alpha', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'gamma'].map(async (s) => [s, await get<RuntimeStatus>(`/api/strategies/${s}/status`)] as const)));

      // 1. A fat-finger order: rejected by the order-size limit, nothing trips.
      const epsilonRejections = await journal('epsilon', 'OrderRejected');
      const fat = epsilonRejections.find((e) => e.details.code === 'LIMIT_ORDER_QUANTITY');
      expect(fat?.details).toMatchObject({ limit: 'maxOrderQuantity', order: { symbol: 'EPIC', side: 'buy', quantity: '25000' } });

      // 2. A position grown by a sizing bug: the buy that would pass 3 000 is rejected LIMIT_POSITION.
      const creep = epsilonRejections.filter((e) => e.details.code === 'LIMIT_POSITION');
      expect(creep).toHaveLength(1);
      expect(String(creep[0]!.details.reason)).toMatch(/beyond the maximum position of 3000/);
      const epic = statuses.epsilon!.controls.symbols.find((s) => s.symbol === 'EPIC')!;
      expect(Number(epic.projected)).toBeGreaterThan(2500);
      expect(Number(epic.projected)).toBeLessThanOrEqual(3000);
      expect(statuses.epsilon!.tradingMode).toBe('ACTIVE');
      expect(await journal('epsilon', 'CircuitBreakerTripped')).toEqual([]);

      // 3. A silent feed: stale data trips zeta after 30 s, and recovers by itself when values resume.
      const staleTrips = await journal('zeta', 'CircuitBreakerTripped');
      expect(staleTrips.map((e) => e.breaker)).toEqual(['staleData']);
      const recovered = await journal('zeta', 'CircuitBreakerRecovered');
      expect(recovered.map((e) => e.breaker)).toEqual(['staleData']);
      expect(recovered[0]!.at).toBeGreaterThan(staleTrips[0]!.at);
      expect(statuses.zeta!.breakers.staleData.state).toBe('NORMAL');
      expect(statuses.zeta!.tradingMode).toBe('ACTIVE');

      // 4. A reduce-only strategy: the crash trips alpha's loss breakers, alpha enters REDUCING,
      //    its sells flatten ACME and its buys are rejected REDUCE_ONLY.
      const modes = await journal('alpha', 'TradingModeChanged');
      expect(modes[0]?.details).toMatchObject({ from: 'ACTIVE', to: 'REDUCING' });
      const alphaTrips = await journal('alpha', 'CircuitBreakerTripped');
      expect(alphaTrips.map((e) => [e.breaker, e.details.onTrip])).toEqual(expect.arrayContaining([['dailyLoss', 'reduceOnly']]));
      const reduceOnly = (await journal('alpha', 'OrderRejected')).filter((e) => e.details.code === 'REDUCE_ONLY');
      expect(reduceOnly.length).toBeGreaterThan(0);
      expect(reduceOnly.every((e) => (e.details.order as { side: string }).side === 'buy')).toBe(true);
      expect(statuses.alpha!.tradingMode).toBe('REDUCING');
      expect(statuses.alpha!.controls.symbols.find((s) => s.symbol === 'ACME')?.projected).toBe('0');
      expect(statuses.alpha!.controls.rejections.REDUCE_ONLY).toBe(reduceOnly.length);
      expect(statuses.alpha!.breakers.errorRate.state).toBe('NORMAL'); // it backs off instead of hammering

      // 5. A cancel/replace loop: eta's messages (submissions, modifications AND cancellations)
      //    exceed 60 in 10 s; its cancellations still pass while it is tripped; it heals by itself.
      const etaTrips = await journal('eta', 'CircuitBreakerTripped');
      expect(etaTrips.map((e) => e.breaker)).toEqual(['messageRate']);
      const byKind = etaTrips[0]!.details.byKind as Record<string, number>;
      expect(byKind.order + byKind.modify + byKind.cancel).toBe(61);
      expect(byKind.modify).toBeGreaterThan(0);
      expect(byKind.cancel).toBeGreaterThan(0);
      expect((await journal('eta', 'CircuitBreakerRecovered')).map((e) => e.breaker)).toEqual(['messageRate']);
      expect(statuses.eta!.breakers.messageRate.state).toBe('NORMAL');

      // 6. A losing streak: theta's third losing fill within 60 s trips trade losses; its reset
      //    policy lifts it 20 s later (re-check passed). Then a fill storm trips execution rate,
      //    which stays TRIPPED until an operator re-enables it.
      const thetaTrips = await journal('theta', 'CircuitBreakerTripped');
      expect(thetaTrips.map((e) => e.breaker)).toEqual(['tradeLosses', 'executionRate']);
      expect(thetaTrips[0]!.details).toMatchObject({ count: 3, maxLosses: 3 });
      expect(Number(thetaTrips[0]!.details.lossSum)).toBeLessThan(0);
      const autoResets = await journal('theta', 'AutoReset');
      expect(autoResets.map((e) => [e.breaker, e.details.passed])).toEqual([['tradeLosses', true]]);
      // 20 s in simulated time, however slowly the machine steps it (the demo's clock never fires a timer early).
      expect(autoResets[0]!.at - thetaTrips[0]!.at).toBeGreaterThanOrEqual(20_000);
      expect(autoResets[0]!.at - thetaTrips[0]!.at).toBeLessThan(25_000);
      expect(thetaTrips[1]!.details).toMatchObject({ count: 21, maxFills: 20 });
      expect(statuses.theta!.breakers.tradeLosses.state).toBe('NORMAL');
      expect(statuses.theta!.breakers.executionRate.state).toBe('TRIPPED');

      // 7. Quote stuffing: iota's orders exceed 4 per fill over 20 s (with at least 20 orders).
      const iotaTrips = await journal('iota', 'CircuitBreakerTripped');
      expect(iotaTrips.map((e) => e.breaker)).toEqual(['orderToTrade']);
      expect(Number(iotaTrips[0]!.details.orders)).toBeGreaterThan(4 * Math.max(1, Number(iotaTrips[0]!.details.fills)));
      expect(Number(iotaTrips[0]!.details.orders)).toBeGreaterThanOrEqual(20);

      // 8. A phantom position: after the outage gamma's broker reports 500 CRUX its fills never
      //    made; reconciliation trips after its 10 s grace, listing the symbol.
      const gammaTrips = await journal('gamma', 'CircuitBreakerTripped');
      expect(gammaTrips.map((e) => e.breaker)).toEqual(['errorRate', 'reconciliation']);
      expect(gammaTrips[1]!.details.mismatches).toEqual([expect.objectContaining({ symbol: 'CRUX', difference: '500' })]);
      const gammaWarnings = (await journal('gamma', 'CircuitBreakerWarning')).filter((e) => e.breaker === 'reconciliation');
      expect(gammaTrips[1]!.at - gammaWarnings[0]!.at).toBeGreaterThanOrEqual(10_000);
      expect(statuses.gamma!.breakers.reconciliation.state).toBe('TRIPPED');
    } finally {
      await demo.stop();
    }

    // Each is one visible line with its code.
    expect(text).toMatch(/epsilon +REJECTED +LIMIT_ORDER_QUANTITY: /);
    expect(text).toMatch(/epsilon +REJECTED +LIMIT_POSITION: buy 250 EPIC/);
    expect(text).toMatch(/zeta +TRIPPED +staleData: /);
    expect(text).toMatch(/zeta +RECOVERED +staleData/);
    expect(text).toMatch(/alpha +MODE +ACTIVE -> REDUCING/);
    expect(text).toMatch(/alpha +REJECTED +REDUCE_ONLY: /);
    expect(text).toMatch(/alpha +REDUCING +sold \d+ ACME .*position 0: flat/);
    expect(text).toMatch(/eta +TRIPPED +messageRate: 61 messages within 10s exceed the limit of 60 \(submissions \d+, modifications \d+, cancellations \d+\)/);
    expect(text).toMatch(/eta +cancel of eta-\d+ allowed while orders are blocked/);
    expect(text).toMatch(/eta +RECOVERED +messageRate/);
    expect(text).toMatch(/theta +stop-loss sold 300 TIDE at [\d.]+ \(realised P&L -[\d.]+\)/);
    expect(text).toMatch(/theta +TRIPPED +tradeLosses: 3 losing fills within 60s reach the limit of 3/);
    expect(text).toMatch(/theta +AUTO-RESET tradeLosses back to NORMAL/);
    expect(text).toMatch(/theta +TRIPPED +executionRate: 21 fills within 5s exceed the limit of 20/);
    expect(text).toMatch(/iota +TRIPPED +orderToTrade: \d+ orders to \d+ fills within 20s/);
    expect(text).toMatch(/gamma +TRIPPED +reconciliation: .*CRUX expected [\d,]+, reported [\d,]+ \(difference 500\)/);
    expect(text).toMatch(
      /trips: drawdown=alpha dailyLoss=alpha orderRate=beta orderToTrade=iota reconciliation=gamma messageRate=eta errorRate=gamma executionRate=theta tradeLosses=theta staleData=zeta;/,
    );
  });
});
