/**
 * Cancel confirmation (PRODUCT.md, "Cancel confirmation"): after a trip's or halt's cancel, every
 * open order the runtime knows by id must be seen closed (a close, a full fill, a position report
 * covering it) within `cancelConfirmTimeout`; the rest are listed in status(), journaled and
 * alerted once (`CancelUnconfirmed`), and leave the list when confirmed later (`CancelConfirmed`).
 * Manual clock; real LevelDB in a temp dir; a webhook receiver on loopback for the alert path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { resolveSettings } from '../../src/config.ts';
import { formatStatus } from '../../src/cli/format.ts';
import { describeAlert } from '../../src/alerts/format.ts';
import { BreakerboxMetrics } from '../../src/metrics/metrics.ts';
import { dashboardView } from '../../src/present/dashboardView.ts';
import { clockTime } from '../../src/present/format.ts';
import { detailText } from '../../src/present/journalText.ts';
import { startHttpServer, waitFor, type TestHttpServer } from '../alerts/helpers.ts';

let dir: string;
const cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bbx-cancel-confirm-'));
});
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
  await rm(dir, { recursive: true, force: true });
});

interface Setup {
  rt: RiskRuntime;
  clock: ManualClock;
  hook: TestHttpServer;
  cancels: string[];
}

/** A runtime with position tracking (maxPosition), a broker port and a webhook, on LevelDB. */
async function setup(options: { clock?: ManualClock; cancelConfirmTimeout?: number; onCancel?: (rt: RiskRuntime) => void } = {}): Promise<Setup> {
  const hook = await startHttpServer((_r, res) => res.writeHead(200).end());
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 0, 5, 14, 0));
  const cancels: string[] = [];
  let rt: RiskRuntime | null = null;
  rt = await createRiskRuntime({
    strategy: 'alpha-1',
    clock,
    logger: silentLogger,
    store: { path: dir },
    limits: { maxPosition: 1_000 },
    ...(options.cancelConfirmTimeout === undefined ? {} : { cancelConfirmTimeout: options.cancelConfirmTimeout }),
    broker: {
      cancelAllOrders: ({ breaker }) => {
        cancels.push(breaker);
        options.onCancel?.(rt!);
      },
    },
    alerts: { webhooks: [{ url: `${hook.url}/h`, format: 'json' }], allowlist: [`${hook.url}/`] },
  });
  const made = rt;
  cleanup.push(async () => {
    await made.stop();
    await hook.close();
  });
  return { rt, clock, hook, cancels };
}

/** Four open orders: o1 and o2 in AAPL (buy), o3 and o4 in MSFT (sell). */
function openFour(rt: RiskRuntime): void {
  rt.updatePortfolio({ value: 1_000_000 });
  for (const [id, symbol, side, quantity] of [
    ['o1', 'AAPL', 'buy', 10],
    ['o2', 'AAPL', 'buy', 20],
    ['o3', 'MSFT', 'sell', 5],
    ['o4', 'MSFT', 'sell', 7],
  ] as const) {
    expect(rt.check({ id, symbol, side, quantity }).allowed).toBe(true);
  }
  expect(rt.status().controls.openOrders).toBe(4);
}

const journalOf = async (rt: RiskRuntime, type: 'CancelUnconfirmed' | 'CancelConfirmed') => (await rt.journal({ types: [type] })).map((e) => ({ breaker: e.breaker, ...e.details }));
const alertsOf = (hook: TestHttpServer, type: string) =>
  hook.requests.map((r) => JSON.parse(r.body) as { event_type: string; details: Record<string, unknown> }).filter((b) => b.event_type === type);
const ids = (rt: RiskRuntime) => rt.status().unconfirmedCancels.map((o) => o.id);

describe('cancel confirmation after a trip', () => {
  it('lists and alerts exactly the orders neither closed nor filled within the default 5 s, once', async () => {
    const { rt, clock, hook, cancels } = await setup();
    openFour(rt);
    const tripAt = clock.now();
    rt.updatePortfolio({ value: 850_000 }); // drawdown (moderate: 10 %) trips
    expect(cancels).toEqual(['drawdown', 'dailyLoss']);
    clock.advance(1_000);
    expect(rt.recordOrderClosed({ id: 'o1' })).toBe(true); // cancelled
    rt.recordFill({ orderId: 'o3', symbol: 'MSFT', side: 'sell', quantity: 5, price: 300 }); // filled in full
    rt.recordFill({ orderId: 'o4', symbol: 'MSFT', side: 'sell', quantity: 2, price: 300 }); // partly filled: still open
    clock.advance(3_999);
    expect(rt.status().unconfirmedCancels).toEqual([]);
    clock.advance(1); // 5 s after the trip
    expect(rt.status().unconfirmedCancels).toEqual([
      { id: 'o2', symbol: 'AAPL', side: 'buy', quantity: '20', since: new Date(tripAt).toISOString(), breaker: 'drawdown' },
      { id: 'o4', symbol: 'MSFT', side: 'sell', quantity: '5', since: new Date(tripAt).toISOString(), breaker: 'drawdown' },
    ]);
    await rt.flush();
    const events = await journalOf(rt, 'CancelUnconfirmed');
    expect(events).toEqual([
      {
        breaker: 'drawdown',
        count: 2,
        timeoutSeconds: 5,
        orders: [
          { id: 'o2', symbol: 'AAPL', side: 'buy', quantity: '20', since: new Date(tripAt).toISOString(), breaker: 'drawdown' },
          { id: 'o4', symbol: 'MSFT', side: 'sell', quantity: '5', since: new Date(tripAt).toISOString(), breaker: 'drawdown' },
        ],
      },
    ]);
    const alerted = await waitFor(() => (alertsOf(hook, 'CancelUnconfirmed').length === 1 ? alertsOf(hook, 'CancelUnconfirmed') : null), 'the CancelUnconfirmed alert');
    expect(alerted[0]!.details).toMatchObject({ count: 2 });
    expect(describeAlert(alerted[0] as never)).toBe('2 ORDERS NOT CONFIRMED CANCELLED on alpha-1 within 5 s: o2 (AAPL buy 20), o4 (MSFT sell 5)');
    // The CLI's status says the same as the dashboard.
    const cli = formatStatus(rt.status());
    expect(cli).toContain('2 orders not confirmed cancelled: they may still be working at the broker:');
    expect(cli).toMatch(/\n {2}o2 · AAPL buy 20 · cancel asked .* on the drawdown trip\n {2}o4 · MSFT sell 5 · /);
    // Once: more time, another step, nothing new.
    clock.advance(60_000);
    rt.updatePortfolio({ value: 850_000 });
    await rt.flush();
    expect(await journalOf(rt, 'CancelUnconfirmed')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(alertsOf(hook, 'CancelUnconfirmed')).toHaveLength(1);
    expect(ids(rt)).toEqual(['o2', 'o4']);
  });

  it('a confirmation after the timeout clears the order from the list and is journaled', async () => {
    const { rt, clock } = await setup();
    openFour(rt);
    rt.updatePortfolio({ value: 850_000 });
    clock.advance(5_000);
    expect(ids(rt)).toEqual(['o1', 'o2', 'o3', 'o4']);
    rt.recordOrderClosed({ id: 'o2' });
    expect(ids(rt)).toEqual(['o1', 'o3', 'o4']);
    rt.recordFill({ orderId: 'o3', symbol: 'MSFT', side: 'sell', quantity: 5, price: 300 });
    expect(ids(rt)).toEqual(['o1', 'o4']);
    // A position report as of now covers every order allowed before it.
    rt.updatePortfolio({ value: 850_000, positions: [{ symbol: 'AAPL', quantity: 0 }] });
    expect(rt.status().unconfirmedCancels).toEqual([]);
    await rt.flush();
    const confirmed = await rt.journal({ types: ['CancelConfirmed'] });
    expect(confirmed.map((e) => (e.details.orders as { id: string }[]).map((o) => o.id))).toEqual([['o2'], ['o3'], ['o1', 'o4']]);
    expect(await journalOf(rt, 'CancelUnconfirmed')).toHaveLength(1);
  });

  it('orders closed from inside the broker port, and a trip with none open, leave nothing to confirm', async () => {
    const { rt, clock } = await setup({ onCancel: (self) => ['o1', 'o2', 'o3', 'o4'].forEach((id) => self.recordOrderClosed({ id })) });
    openFour(rt);
    rt.updatePortfolio({ value: 850_000 });
    clock.advance(10_000);
    await rt.flush();
    expect(rt.status().unconfirmedCancels).toEqual([]);
    expect(await journalOf(rt, 'CancelUnconfirmed')).toEqual([]);
    expect(await journalOf(rt, 'CancelConfirmed')).toEqual([]);
  });
});

describe('where the unconfirmed orders show', () => {
  it('the dashboard view words them (server side), the metrics count them, the journal line names them', async () => {
    const { rt, clock } = await setup();
    const metrics = new BreakerboxMetrics({ defaultMetrics: false });
    cleanup.push(async () => metrics.untrackAll());
    metrics.track(rt);
    openFour(rt);
    expect(dashboardView(rt.status()).unconfirmedCancels).toBeNull();
    rt.halt({ operator: 'desk', reason: 'runaway' });
    rt.recordOrderClosed({ id: 'o1' });
    clock.advance(5_000);
    const view = dashboardView(rt.status()).unconfirmedCancels!;
    expect(view.text).toBe('3 orders not confirmed cancelled: they may still be working at the broker');
    expect(view.orders).toEqual([
      `o2 · AAPL buy 20 · cancel asked ${clockTime(Date.UTC(2026, 0, 5, 14, 0))} on the halt`,
      `o3 · MSFT sell 5 · cancel asked ${clockTime(Date.UTC(2026, 0, 5, 14, 0))} on the halt`,
      `o4 · MSFT sell 7 · cancel asked ${clockTime(Date.UTC(2026, 0, 5, 14, 0))} on the halt`,
    ]);
    expect(await metrics.registry.metrics()).toContain('breakerbox_unconfirmed_cancels{strategy="alpha-1"} 3');
    await rt.flush();
    const [event] = await rt.journal({ types: ['CancelUnconfirmed'] });
    expect(detailText(event!)).toBe('not confirmed closed within 5 s: o2, o3, o4');
    rt.updatePortfolio({ value: 1_000_000, positions: [] });
    expect(dashboardView(rt.status()).unconfirmedCancels).toBeNull();
    expect(await metrics.registry.metrics()).toContain('breakerbox_unconfirmed_cancels{strategy="alpha-1"} 0');
    await rt.flush();
    const [confirmed] = await rt.journal({ types: ['CancelConfirmed'] });
    expect(detailText(confirmed!)).toBe('confirmed closed: o2, o3, o4');
  });
});

describe('cancel confirmation after a halt', () => {
  it('lists and alerts the orders a halt did not see closed, with a configured timeout', async () => {
    const { rt, clock, hook, cancels } = await setup({ cancelConfirmTimeout: 2 });
    openFour(rt);
    rt.halt({ operator: 'desk', reason: 'runaway' });
    expect(cancels).toEqual(['manual']);
    rt.recordOrderClosed({ id: 'o1' });
    rt.recordOrderClosed({ id: 'o2' });
    rt.recordFill({ orderId: 'o4', symbol: 'MSFT', side: 'sell', quantity: 7, price: 300 });
    clock.advance(1_999);
    expect(ids(rt)).toEqual([]);
    clock.advance(1);
    expect(rt.status().unconfirmedCancels).toMatchObject([{ id: 'o3', symbol: 'MSFT', side: 'sell', quantity: '5', breaker: 'manual' }]);
    await rt.flush();
    expect(await journalOf(rt, 'CancelUnconfirmed')).toMatchObject([{ breaker: 'manual', count: 1, timeoutSeconds: 2 }]);
    await waitFor(() => alertsOf(hook, 'CancelUnconfirmed').length === 1, 'the CancelUnconfirmed alert');
  });

  it('orders open at a second trip get their own deadline; those already awaited keep theirs', async () => {
    const { rt, clock } = await setup();
    openFour(rt);
    rt.halt({ operator: 'desk', reason: 'first' });
    clock.advance(3_000);
    rt.updatePortfolio({ value: 850_000 }); // drawdown trips: its cancel finds the same four orders
    clock.advance(2_000);
    expect(rt.status().unconfirmedCancels.map((o) => o.breaker)).toEqual(['manual', 'manual', 'manual', 'manual']);
    await rt.flush();
    expect(await journalOf(rt, 'CancelUnconfirmed')).toHaveLength(1);
  });
});

describe('what is awaited', () => {
  it('an order allowed after the cancel (reduce-only) is not awaited; one of the same id before it is', async () => {
    const { rt, clock } = await setup();
    rt.updatePortfolio({ value: 1_000_000, positions: [{ symbol: 'AAPL', quantity: 100, price: 10 }] });
    expect(rt.check({ id: 'o1', symbol: 'AAPL', side: 'sell', quantity: 10 }).allowed).toBe(true);
    rt.halt({ operator: 'desk', reason: 'reduce', mode: 'reduceOnly' });
    expect(rt.check({ id: 'o1', symbol: 'AAPL', side: 'sell', quantity: 5 }).allowed).toBe(true); // the id reused, reducing
    expect(rt.check({ id: 'o2', symbol: 'AAPL', side: 'sell', quantity: 5 }).allowed).toBe(true);
    clock.advance(5_000);
    expect(rt.status().unconfirmedCancels).toMatchObject([{ id: 'o1', quantity: '10', breaker: 'manual' }]);
  });

  it('without a broker port nothing is cancelled and nothing awaited; a stopped runtime never fires its deadline', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 14, 0));
    const bare = await createRiskRuntime({ strategy: 'bare', clock, logger: silentLogger, store: false, limits: { maxPosition: 1_000 } });
    openFour(bare);
    bare.halt({ operator: 'desk', reason: 'stop' });
    clock.advance(5_000);
    expect(bare.status().unconfirmedCancels).toEqual([]);
    await bare.stop();
    const { rt } = await setup({ clock });
    openFour(rt);
    rt.halt({ operator: 'desk', reason: 'stop' });
    await rt.stop();
    expect(() => clock.advance(5_000)).not.toThrow();
    const reopened = await setup({ clock });
    expect(await reopened.rt.journal({ types: ['ManualHalt'] })).toHaveLength(1);
    expect(await reopened.rt.journal({ types: ['CancelUnconfirmed'] })).toEqual([]);
  });
});

describe('restart', () => {
  it('the CancelUnconfirmed entry survives a restart in the journal; open orders are not persisted, so the restarted runtime awaits none', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 14, 0));
    const first = await setup({ clock });
    openFour(first.rt);
    first.rt.halt({ operator: 'desk', reason: 'runaway' });
    clock.advance(5_000);
    expect(ids(first.rt)).toHaveLength(4);
    await first.rt.flush();
    await cleanup.pop()!(); // stop it
    const second = await setup({ clock });
    expect(await journalOf(second.rt, 'CancelUnconfirmed')).toMatchObject([{ count: 4 }]);
    expect(second.rt.status().controls.openOrders).toBe(0);
    expect(second.rt.status().unconfirmedCancels).toEqual([]);
  });
});

describe('the CancelUnconfirmed alert text', () => {
  const payload = (details: Record<string, unknown>) =>
    ({ alert_id: 'a', event_id: 'a', event_type: 'CancelUnconfirmed', severity: 'critical', strategy_name: 'alpha-1', circuit_breaker_type: null, details, timestamp: '' }) as never;

  it('names ten orders and counts the rest; tolerates malformed details', () => {
    const orders = Array.from({ length: 12 }, (_, i) => ({ id: `o${i}`, symbol: 'ES', side: 'buy', quantity: '1' }));
    expect(describeAlert(payload({ count: 12, timeoutSeconds: 5, orders }))).toBe(
      `12 ORDERS NOT CONFIRMED CANCELLED on alpha-1 within 5 s: ${orders.slice(0, 10).map((o) => `${o.id} (ES buy 1)`).join(', ')} and 2 more`,
    );
    expect(describeAlert(payload({ count: 1, timeoutSeconds: 2, orders: [{ id: 'x\nBcc: y', symbol: 'A', side: 'sell', quantity: '3' }] }))).toBe(
      '1 ORDER NOT CONFIRMED CANCELLED on alpha-1 within 2 s: x Bcc: y (A sell 3)',
    );
    expect(describeAlert(payload({ orders: 'nope' }))).toBe('? ORDERS NOT CONFIRMED CANCELLED on alpha-1 within ? s');
    expect(describeAlert(payload({ count: 2, timeoutSeconds: 5, orders: [null, 7, { id: 'o9' }] }))).toBe('2 ORDERS NOT CONFIRMED CANCELLED on alpha-1 within 5 s: ?, ?, o9');
  });
});

describe('the cancelConfirmTimeout option', () => {
  it('defaults to 5 s and takes seconds like the other timeouts', () => {
    expect(resolveSettings({ strategy: 's' }).cancelConfirmTimeoutMs).toBe(5_000);
    expect(resolveSettings({ strategy: 's', cancelConfirmTimeout: 0.5 }).cancelConfirmTimeoutMs).toBe(500);
  });

  it('refuses a value that is not a positive number of seconds, naming the option', async () => {
    for (const [bad, message] of [
      [0, 'must be a positive number of seconds'],
      [-1, 'must be a positive number of seconds'],
      ['five', 'must be a number'],
      [3_601, 'must be at most 3600 seconds'],
    ] as const) {
      const error = await createRiskRuntime({ strategy: 's', store: false, logger: silentLogger, cancelConfirmTimeout: bad as number }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([expect.objectContaining({ path: 'cancelConfirmTimeout', message: expect.stringContaining(message) })]);
    }
  });
});
