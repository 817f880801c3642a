/**
 * `onDisconnect: 'reduceOnly'`: a lost cluster link lets only risk-reducing orders pass
 * (REDUCING); a firm or desk halt through the same breaker still blocks every order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterNodes } from '../../src/cluster/node.ts';
import { createMemoryLogger, createRiskRuntime, ManualClock } from '../../src/index.ts';
import { NatsServer, until } from './nats.ts';

let nats: NatsServer;
beforeAll(async () => void (nats = await NatsServer.start()), 20_000);
afterAll(async () => await nats?.kill());

const LONG = [{ symbol: 'ES', quantity: '5', price: '5000' }];
const SELL_2 = { symbol: 'ES', side: 'sell', quantity: '2', price: '5000' } as const;
const SELL_6 = { symbol: 'ES', side: 'sell', quantity: '6', price: '5000' } as const;
const BUY_1 = { symbol: 'ES', side: 'buy', quantity: '1', price: '5000' } as const;

describe("cluster onDisconnect: 'reduceOnly'", () => {
  it('a lost link: REDUCING — a sell that shrinks the long passes, a buy or a sell through zero is rejected REDUCE_ONLY', async () => {
    const clock = new ManualClock(Date.now());
    const rt = await createRiskRuntime({
      strategy: 'cut-off',
      store: false,
      clock,
      logger: createMemoryLogger(),
      cluster: { servers: 'nats://127.0.0.1:1', firm: 'nobody', heartbeatTimeout: 0.5, onDisconnect: 'reduceOnly' },
    });
    rt.updatePortfolio({ value: 100_000, positions: LONG, timestamp: clock.now() });
    const status = rt.status();
    expect(status.breakers.cluster).toMatchObject({ state: 'TRIPPED', figures: { link: 'down' } });
    expect(status.tradingMode).toBe('REDUCING');
    expect(rt.check(SELL_2)).toEqual({ allowed: true });
    expect(rt.check(BUY_1)).toMatchObject({ allowed: false, code: 'REDUCE_ONLY', breaker: 'cluster' });
    expect(rt.check(SELL_6)).toMatchObject({ allowed: false, code: 'REDUCE_ONLY' }); // 5 − 2 reserved − 6 would cross zero
    await rt.stop();
  });

  it("the default 'halt': a lost link blocks every order, a reducing sell too", async () => {
    const clock = new ManualClock(Date.now());
    const rt = await createRiskRuntime({
      strategy: 'cut-off-halt',
      store: false,
      clock,
      logger: createMemoryLogger(),
      cluster: { servers: 'nats://127.0.0.1:1', firm: 'nobody', heartbeatTimeout: 0.5 },
    });
    rt.updatePortfolio({ value: 100_000, positions: LONG, timestamp: clock.now() });
    expect(rt.status().tradingMode).toBe('HALTED');
    expect(rt.check(SELL_2)).toMatchObject({ allowed: false, breaker: 'cluster' });
    await rt.stop();
  });

  it('a desk halt through the same breaker is a full halt: the reducing sell is rejected too', async () => {
    const rt = await createRiskRuntime({
      strategy: 'desk-halted',
      store: false,
      logger: createMemoryLogger(),
      cluster: { servers: nats.url, firm: 'disc', desk: 'fx', heartbeatTimeout: 1, onDisconnect: 'reduceOnly' },
    });
    rt.updatePortfolio({ value: 100_000, positions: LONG });
    expect(rt.check(SELL_2)).toEqual({ allowed: true });
    const node = clusterNodes().find((n) => n.config.firm === 'disc')!;
    await node.control.halt('desk/fx', 'risk', 'fx drill');
    await until(() => rt.state === 'MANUALLY_HALTED', 3000);
    expect(rt.status().tradingMode).toBe('HALTED');
    expect(rt.check(SELL_2)).toMatchObject({ allowed: false, breaker: 'cluster' });
    await rt.stop();
  });
});
