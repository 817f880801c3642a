import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { dashboardView, faultedView } from '../../src/present/dashboardView.ts';
import { createServer, type BreakerboxServer } from '../../src/server/app.ts';

const opened: { rt?: RiskRuntime; server?: BreakerboxServer }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.server?.close();
    await o.rt?.stop();
  }
});

async function runtime(clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'))): Promise<{ rt: RiskRuntime; clock: ManualClock }> {
  const rt = await createRiskRuntime({
    strategy: 'viewed',
    clock,
    store: false,
    logger: silentLogger,
    breakers: { drawdown: { threshold: -0.1 }, dailyLoss: { limitAmount: '-1000' }, orderRate: { maxOrders: 10, window: 60 } },
  });
  opened.push({ rt });
  return { rt, clock };
}

const light = (rt: RiskRuntime, type: string) => dashboardView(rt.status()).breakers.find((b) => b.type === type)!;

describe('the dashboard view (computed on the server)', () => {
  it('raises WARNING from the breaker’s own figure, and clears it when the rule re-arms it', async () => {
    const { rt } = await runtime();
    rt.updatePortfolio({ value: '100000' });
    expect(light(rt, 'drawdown').light).toBe('NORMAL');
    rt.updatePortfolio({ value: '91900' }); // -8.1 %: past warnAt 0.8 of -10 %
    expect(light(rt, 'drawdown')).toMatchObject({ light: 'WARNING', stateLabel: 'NORMAL — WARNING' });
    rt.updatePortfolio({ value: '100001' }); // a new high re-arms the warning
    expect(light(rt, 'drawdown').light).toBe('NORMAL');
  });

  it('shows the true use of a limit beyond 100 % (a loss of 4.64 × the limit reads 464 %)', async () => {
    const { rt } = await runtime();
    rt.updatePortfolio({ value: '100000' });
    rt.updatePortfolio({ value: '95360' }); // -4640 against -1000
    const daily = light(rt, 'dailyLoss');
    expect(daily.light).toBe('TRIPPED');
    expect(daily.meter).toMatchObject({ level: 'over', text: '464% of the limit' });
    expect(daily.meter!.use).toBeCloseTo(4.64, 10);
    expect(dashboardView(rt.status()).pnl.meter!.text).toBe('464% of the limit');
  });

  it('states what a reset moves, from the rule: the new high-water mark and trip level, the cleared window', async () => {
    const { rt } = await runtime();
    rt.updatePortfolio({ value: '101000' });
    rt.updatePortfolio({ value: '85000' });
    const dd = light(rt, 'drawdown');
    expect(dd.canReset).toBe(true);
    expect(dd.resetEffects).toContain('The high-water mark moves from 101,000.00 to the current value 85,000.00.');
    expect(dd.resetEffects).toContain('The trip level moves from 90,900.00 to 76,500.00 (-10.00% of the new high-water mark).');
    for (let i = 0; i < 11; i++) rt.check({ id: `o${i}`, symbol: 'ES', side: 'sell', quantity: '1' });
    expect(light(rt, 'orderRate').resetEffects[0]).toMatch(/^The order window is cleared: 11 orders counted now go to 0/);
    expect(light(rt, 'manual').resetEffects).toEqual([]); // NORMAL: nothing to reset
    const { token } = rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    expect(light(rt, 'drawdown').resetExpiresInMs).toBe(60_000); // on the runtime's clock
    rt.confirmReset({ token, operator: 'ann' });
    expect(rt.status().breakers.drawdown.figures!.tripLevel).toBe('76500');
  });

  it('shows DISABLED breakers as such, and a faulted strategy as UNKNOWN with no breaker shown', async () => {
    const { rt } = await runtime();
    expect(light(rt, 'staleData')).toMatchObject({ light: 'DISABLED', enabled: false, canReset: false });
    const v = faultedView('broken', 'status cannot be shown: boom', false, 0);
    expect(v).toMatchObject({ state: 'UNKNOWN', stateLabel: 'UNKNOWN', ordersText: 'orders BLOCKED', breakers: [] });
  });
});

describe('the actor trace (the offline inspector’s source)', () => {
  it('records each actor’s event with the state before and after, by XState inspection', async () => {
    const { rt, clock } = await runtime();
    rt.updatePortfolio({ value: '100000' });
    const start = rt.actorTrace();
    clock.advance(1000);
    rt.halt({ operator: 'ann', reason: 'drill' });
    const steps = rt.actorTrace(start.at(-1)!.seq);
    // The manual breaker sleeps (no actor) until its first halt: the supervisor wakes it, then it halts.
    expect(steps.map((s) => s.event)).toEqual(['xstate.init', 'WAKE', 'HALT']);
    expect(steps[0]).toMatchObject({ actor: 'manual', from: null, to: 'NORMAL' });
    expect(steps.at(-1)).toEqual(expect.objectContaining({ actor: 'manual', event: 'HALT', from: 'NORMAL', to: 'MANUALLY_HALTED', at: Date.parse('2026-11-26T10:00:01Z') }));
    rt.updatePortfolio({ value: '85000' });
    expect(rt.actorTrace(steps.at(-1)!.seq).map((s) => `${s.actor}:${s.event}:${s.from}->${s.to}`)).toContain('drawdown:TRIP:NORMAL->TRIPPED');
  });
});

describe('the event stream’s heartbeat, view and trace', () => {
  it('sends view and trace on open, then a heartbeat each interval, and the view again when it changed', async () => {
    const { rt } = await runtime(undefined);
    rt.updatePortfolio({ value: '100000' });
    const server = await createServer({ strategies: new Map([['viewed', rt]]), token: 't'.repeat(32), logger: silentLogger, streams: { heartbeatMs: 100 } });
    opened.push({ server });
    const url = new URL(await server.listen({ host: '127.0.0.1', port: 0 }));
    const events: { event: string; data: unknown }[] = [];
    const req = request({ host: url.hostname, port: url.port, path: '/api/strategies/viewed/events', headers: { accept: 'text/event-stream' } });
    let buffer = '';
    req.on('response', (res) =>
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }),
    );
    req.end();
    await expect.poll(() => events.filter((e) => e.event === 'heartbeat').length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(['status', 'view']);
    expect((events[1]!.data as { breakers: unknown[] }).breakers).toHaveLength(12);
    expect(events.some((e) => e.event === 'trace')).toBe(true);
    const views = () => events.filter((e) => e.event === 'view').length;
    const before = views();
    rt.halt({ operator: 'ann', reason: 'drill' });
    await expect.poll(views, { timeout: 5000 }).toBeGreaterThan(before);
    const last = events.filter((e) => e.event === 'view').at(-1)!.data as { stateLabel: string; ordersText: string };
    expect(last).toMatchObject({ stateLabel: 'MANUALLY HALTED', ordersText: 'orders BLOCKED' });
    await expect.poll(() => events.some((e) => e.event === 'trace' && (e.data as { event: string }[]).some((s) => s.event === 'HALT')), { timeout: 5000 }).toBe(true);
    req.destroy();
  });
});
