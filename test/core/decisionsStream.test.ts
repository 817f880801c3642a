/**
 * `decisions$` counts its subscribers itself (check() reads the count, not the subject): every
 * subscriber hears every decision while subscribed, none after it leaves, and a subscriber that
 * joins later or re-subscribes is counted again.
 */
import { expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger } from '../../src/index.ts';

const order = { symbol: 'ES', side: 'buy' as const, quantity: 1 };
/** Decisions are told after the check, in a microtask. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

it('every subscriber hears each decision while subscribed, and only then', async () => {
  const rt = await createRiskRuntime({ strategy: 'watch', clock: new ManualClock(0), logger: silentLogger, store: false });
  rt.updatePortfolio({ value: '1000' });
  const a: boolean[] = [];
  const b: boolean[] = [];
  rt.check(order); // nobody listens: nothing to hear
  await tick();
  const subA = rt.decisions$.subscribe((d) => a.push(d.decision.allowed));
  rt.check(order);
  await tick();
  const subB = rt.decisions$.subscribe((d) => b.push(d.decision.allowed));
  rt.check(order);
  await tick();
  subA.unsubscribe();
  rt.check(order);
  await tick();
  subB.unsubscribe();
  rt.check(order);
  await tick();
  expect([a.length, b.length]).toEqual([2, 2]);
  const again = rt.decisions$.subscribe((d) => a.push(d.decision.allowed));
  rt.check({ symbol: 'ES', side: 'buy', quantity: -1 }); // a malformed order is a decision too
  await tick();
  expect(a).toEqual([true, true, false]);
  again.unsubscribe();
  await rt.stop();
});

it('a subscriber is completed at stop, and its count goes with it', async () => {
  const rt = await createRiskRuntime({ strategy: 'watch', clock: new ManualClock(0), logger: silentLogger, store: false });
  let completed = false;
  rt.decisions$.subscribe({ complete: () => void (completed = true) });
  await rt.stop();
  expect(completed).toBe(true);
});
