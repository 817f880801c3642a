import { Subject, from, toArray, firstValueFrom, throwError, concat, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createActor, type InspectionEvent } from 'xstate';
import { createRiskRuntime, silentLogger, ManualClock, REGISTRY, supervisorMachine, type PortfolioUpdate, type ErrorReport, type Rejection, type StateSnapshot } from '../../src/index.ts';
import { harness, ORDER, only } from '../helpers.ts';

describe('RxJS API', () => {
  it('guard() passes allowed orders and sends rejected ones to rejected$', async () => {
    const h = await harness({ breakers: only({ orderRate: { maxOrders: 3, window: 60 } }) });
    h.rt.updatePortfolio({ value: 1000 });
    const rejected: Rejection[] = [];
    h.rt.rejected$.subscribe((r) => rejected.push(r));
    const orders = Array.from({ length: 5 }, (_, i) => ({ ...ORDER, id: `o${i}` }));
    const passed = await firstValueFrom(from(orders).pipe(h.rt.guard(), toArray()));
    expect(passed.map((o) => o.id)).toEqual(['o0', 'o1', 'o2']);
    expect(rejected.map((r) => (r.order as { id: string }).id)).toEqual(['o3', 'o4']);
    expect(rejected[0]!.decision).toMatchObject({ breaker: 'orderRate', state: 'TRIPPED' });
  });

  it('connect() feeds ledger, orders and errors; bad items are refused without ending the stream', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1 }, errorRate: { maxErrors: 5, window: 60 } }) });
    const ledger$ = new Subject<PortfolioUpdate>();
    const errors$ = new Subject<ErrorReport>();
    const orders$ = new Subject<unknown>();
    const rejected: Rejection[] = [];
    h.rt.rejected$.subscribe((r) => rejected.push(r));
    const disconnect = h.rt.connect({ ledger$, errors$, orders$ });
    ledger$.next({ value: 1000 });
    ledger$.next({ value: 'garbage' });
    ledger$.next({ value: 990 });
    errors$.next({ kind: 'broker_error', message: 'timeout' });
    errors$.next({ kind: 'weird', message: 'x' } as never);
    expect(h.rt.status().breakers.errorRate.figures?.byKind).toEqual({ order_rejected: 0, broker_error: 1, data_error: 2 });
    orders$.next(ORDER);
    ledger$.next({ value: 899 });
    orders$.next(ORDER);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.decision).toMatchObject({ breaker: 'drawdown' });
    disconnect();
    ledger$.next({ value: 5000 });
    expect(h.rt.status().portfolio.value).toBe('899');
  });

  it('a ledger stream that fails blocks orders (fail closed)', async () => {
    const h = await harness();
    h.rt.connect({ ledger$: concat(of({ value: 1000 }), throwError(() => new Error('feed down'))) });
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'DATA_FAULT', reason: expect.stringContaining('feed down') });
  });

  it('state$ emits the current state and every change', async () => {
    const h = await harness();
    const states: StateSnapshot[] = [];
    h.rt.state$.subscribe((s) => states.push(s));
    h.rt.updatePortfolio({ value: 1000 });
    h.rt.halt({ operator: 'ann', reason: 'x' });
    expect(states[0]).toMatchObject({ strategy: 'alpha-1', state: 'NORMAL', ordersAllowed: false });
    expect(states.at(-1)).toMatchObject({ state: 'MANUALLY_HALTED', ordersAllowed: false, breakers: { manual: 'MANUALLY_HALTED' } });
    expect(states.some((s) => s.ordersAllowed)).toBe(true);
  });

  it('the inspect option sees every actor, event and snapshot of the supervisor tree', async () => {
    const seen: InspectionEvent[] = [];
    const rt = await createRiskRuntime({ strategy: 'insp', logger: silentLogger, clock: new ManualClock(), inspect: (e) => seen.push(e) });
    rt.updatePortfolio({ value: 1000 });
    rt.halt({ operator: 'ann', reason: 'look' });
    const actorIds = new Set(seen.filter((e) => e.type === '@xstate.actor').map((e) => (e.actorRef as unknown as { id: string }).id));
    expect([...actorIds]).toEqual(expect.arrayContaining(['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'manual']));
    expect(seen.some((e) => e.type === '@xstate.event' && e.event.type === 'HALT')).toBe(true);
    expect(seen.some((e) => e.type === '@xstate.snapshot' && (e.actorRef as unknown as { id: string }).id === 'manual')).toBe(true);
    await rt.stop();
  });

  it('exports machine definitions that tools can use directly', () => {
    const actor = createActor(supervisorMachine, { input: { strategy: 'x', maxRestarts: 3, restartWindowMs: 60_000 } }).start();
    expect(Object.keys(actor.getSnapshot().children).sort()).toEqual(['cluster', 'dailyLoss', 'drawdown', 'errorRate', 'executionRate', 'manual', 'messageRate', 'orderRate', 'orderToTrade', 'reconciliation', 'staleData', 'tradeLosses']);
    // Each breaker's own chart shows only its own edges: drawdown cannot heal itself, order rate can.
    const events = (id: string) => Object.keys(REGISTRY.find((r) => r.kind === id)!.chart.states.TRIPPED?.config.on ?? {});
    expect(events('drawdown')).toEqual(['REQUEST_RESET']);
    expect(events('orderRate').sort()).toEqual(['REQUEST_RESET', 'WINDOW_CLEARED']);
    expect(REGISTRY.find((r) => r.kind === 'manual')!.chart.states).toHaveProperty('MANUALLY_HALTED');
    actor.stop();
  });
});

describe('fills', () => {
  it('recordFill emits validated fills on fills$ and refuses malformed ones as data errors', async () => {
    const h = await harness();
    const fills: unknown[] = [];
    h.rt.fills$.subscribe((f) => fills.push(f));
    h.rt.recordFill({ orderId: 'o-1', symbol: 'ES', side: 'buy', quantity: 2, price: '5012.25' });
    expect(fills).toEqual([{ orderId: 'o-1', symbol: 'ES', side: 'buy', quantity: '2', price: '5012.25', at: h.clock.now() }]);
    expect(() => h.rt.recordFill({ symbol: 'ES', side: 'buy', quantity: 0, price: 1 })).toThrow(/^fill\.quantity: must be positive/);
    expect(() => h.rt.recordFill({ symbol: 'ES', side: 'hold' as never, quantity: 1, price: 1 })).toThrow(/^fill\.side/);
    expect(h.rt.status().breakers.errorRate.figures?.byKind.data_error).toBe(2);
    expect(fills).toHaveLength(1);
  });
});
