/**
 * The broker port: a cancelAllOrders that hangs, rejects (native promise or any thenable) or
 * throws is journalled and alerted as CancelOrdersFailed (webhook receiver on loopback).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { startHttpServer, waitFor, type TestHttpServer } from '../alerts/helpers.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(cancelAllOrders: () => unknown, cancelTimeoutMs?: number): Promise<{ rt: RiskRuntime; clock: ManualClock; hook: TestHttpServer; calls: number[] }> {
  const hook = await startHttpServer((_r, res) => res.writeHead(200).end());
  const clock = new ManualClock();
  const calls: number[] = [];
  const rt = await createRiskRuntime({
    strategy: 'alpha-1',
    store: false,
    clock,
    logger: silentLogger,
    broker: {
      cancelAllOrders: () => {
        calls.push(clock.now());
        return cancelAllOrders();
      },
      ...(cancelTimeoutMs === undefined ? {} : { cancelTimeoutMs }),
    },
    alerts: { webhooks: [{ url: `${hook.url}/h`, format: 'json' }], allowlist: [`${hook.url}/`] },
  });
  cleanup.push(async () => {
    await rt.stop();
    await hook.close();
  });
  return { rt, clock, hook, calls };
}

const cancelFailures = async (rt: RiskRuntime) => (await rt.journal({ types: ['CancelOrdersFailed'] })).map((e) => e.details);
const alerted = (hook: TestHttpServer) =>
  hook.requests.map((r) => JSON.parse(r.body) as { event_type: string; details: Record<string, unknown> }).filter((b) => b.event_type === 'CancelOrdersFailed');

describe('broker port failures', () => {
  it('a cancel that never settles is journalled and alerted once the timeout (default 5 s) passes', async () => {
    const { rt, clock, hook, calls } = await setup(() => new Promise(() => undefined));
    rt.halt({ operator: 'desk', reason: 'stop' });
    expect(calls).toHaveLength(1);
    clock.advance(4_999);
    await rt.flush();
    expect(await cancelFailures(rt)).toEqual([]);
    clock.advance(1);
    await rt.flush();
    expect(await cancelFailures(rt)).toEqual([{ error: 'cancelAllOrders did not settle within 5000 ms', timedOut: true }]);
    await waitFor(() => alerted(hook).length === 1, 'the CancelOrdersFailed alert');
    expect(alerted(hook)[0]!.details).toMatchObject({ timedOut: true });
    clock.advance(60_000);
    await rt.flush();
    expect(await cancelFailures(rt)).toHaveLength(1);
  });

  it('honours a configured timeout', async () => {
    const { rt, clock } = await setup(() => new Promise(() => undefined), 250);
    rt.halt({ operator: 'desk', reason: 'stop' });
    clock.advance(250);
    await rt.flush();
    expect(await cancelFailures(rt)).toEqual([{ error: 'cancelAllOrders did not settle within 250 ms', timedOut: true }]);
  });

  it('a non-native thenable that rejects is handled like a promise', async () => {
    const thenable = { then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('broker session expired')) };
    const { rt, hook } = await setup(() => thenable);
    rt.halt({ operator: 'desk', reason: 'stop' });
    await waitFor(async () => (await cancelFailures(rt)).length === 1, 'the journal entry');
    expect(await cancelFailures(rt)).toEqual([{ error: 'broker session expired', timedOut: false }]);
    await waitFor(() => alerted(hook).length === 1, 'the alert');
  });

  it('a thenable whose then throws, a rejecting promise and a throw are each reported', async () => {
    for (const make of [
      () => ({ then: () => { throw new Error('then threw'); } }),
      () => Promise.reject(new Error('rejected')),
      () => { throw new Error('threw'); },
    ]) {
      const { rt } = await setup(make);
      rt.halt({ operator: 'desk', reason: 'stop' });
      await waitFor(async () => (await cancelFailures(rt)).length === 1, 'the journal entry');
      expect((await cancelFailures(rt))[0]).toMatchObject({ error: expect.stringMatching(/then threw|rejected|threw/), timedOut: false });
    }
  });

  it('a cancel that settles in time, or returns synchronously, is not reported', async () => {
    for (const make of [() => Promise.resolve(3), () => ({ then: (ok: (v: number) => void) => ok(1) }), () => undefined]) {
      const { rt, clock } = await setup(make);
      rt.halt({ operator: 'desk', reason: 'stop' });
      await new Promise((r) => setImmediate(r));
      clock.advance(10_000);
      await rt.flush();
      expect(await cancelFailures(rt)).toEqual([]);
    }
  });
});
