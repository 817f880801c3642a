import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertManager, InMemoryAlertOutbox } from '../../src/alerts/index.ts';
import { createRiskRuntime, ManualClock, silentLogger, type Clock } from '../../src/index.ts';
import { startHttpServer, tripEvent, waitFor, type ReceivedRequest } from '../alerts/helpers.ts';
import { ScaledClock } from '../../src/demo/clock.ts';
import { ReplayClock } from '../../src/replay/clock.ts';
import { harness, only, ORDER } from '../helpers.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const STALE = { breakers: only({ staleData: { maxAge: 30 } }) };

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('ManualClock: two readings', () => {
  it('advance() and set() move both; stepWall() moves the wall clock alone, both ways, and fires no timer', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
    const start = clock.now();
    expect(clock.monotonic()).toBe(start);
    const fired: number[] = [];
    clock.setTimer(() => fired.push(clock.monotonic()), 30_000);
    clock.stepWall(-10 * MIN);
    expect(clock.now()).toBe(start - 10 * MIN);
    expect(clock.monotonic()).toBe(start);
    clock.stepWall(+HOUR);
    expect(fired).toEqual([]); // a wall step never fires a timer
    clock.stepWall(-HOUR);
    clock.advance(29_999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([start + 30_000]); // on the monotonic reading
    expect(clock.now()).toBe(start - 10 * MIN + 30_000);
    clock.set(clock.now() + 5);
    expect(clock.monotonic()).toBe(start + 30_005);
    expect(() => clock.set(clock.now() - 1)).toThrow(RangeError);
    expect(() => clock.stepWall(Number.NaN)).toThrow(RangeError);
  });
});

describe('the demo\'s and the replay\'s clocks: both readings', () => {
  it('ScaledClock and ReplayClock never step: their monotonic reading is their time, and never decreases', async () => {
    const replay = new ReplayClock(Date.UTC(2026, 0, 5));
    const fired: number[] = [];
    replay.setTimer(() => fired.push(replay.monotonic()), 1_000);
    replay.set(Date.UTC(2026, 0, 5) + 5_000);
    expect(fired).toEqual([Date.UTC(2026, 0, 5) + 1_000]);
    expect(replay.monotonic()).toBe(replay.now());
    const scaled = new ScaledClock(1_000, Date.UTC(2026, 0, 5));
    const seen = [scaled.monotonic()];
    scaled.pause();
    seen.push(scaled.monotonic());
    scaled.jumpTo(Date.UTC(2026, 0, 5) + 60_000);
    seen.push(scaled.monotonic());
    scaled.resume();
    scaled.jumpTo(Date.UTC(2026, 0, 4)); // the past: ignored
    seen.push(scaled.monotonic());
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    expect(seen[2]).toBe(Date.UTC(2026, 0, 5) + 60_000);
  });
});

describe('monotonic clock: the dead-man\'s switch', () => {
  it('a dead feed and the wall clock stepped back 10 minutes: trips at maxAge on the monotonic clock, and says why', async () => {
    const h = await harness(STALE);
    h.rt.updatePortfolio({ value: '1000' });
    h.clock.stepWall(-10 * MIN); // NTP, a resumed VM
    h.clock.advance(29_999);
    expect(h.rt.check(ORDER).allowed).toBe(true);
    h.clock.advance(1);
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'staleData' });
    expect(h.rt.tradingMode).toBe('HALTED');
    expect(h.rt.status().breakers.staleData.reason).toMatch(/last portfolio value is 30s old, beyond the maximum age of 30s/);
    expect(h.rt.status().breakers.staleData.figures).toMatchObject({ ageMs: 30_000, stale: true });
    expect(h.cancels.map((c) => c.breaker)).toEqual(['staleData']);
    // The attack as reported: still refused after 60 s and after 560 s.
    h.clock.advance(30_000);
    expect(h.rt.check(ORDER).allowed).toBe(false);
    h.clock.advance(500_000);
    expect(h.rt.check(ORDER).allowed).toBe(false);
    expect(h.rt.tradingMode).toBe('HALTED');
  });

  it('check() notices it on the monotonic clock even with the wall clock stepped back (no timer needed)', async () => {
    const h = await harness(STALE);
    h.rt.updatePortfolio({ value: '1000' });
    h.clock.stepWall(-10 * MIN);
    // Move the monotonic reading alone, without firing timers: only check() can notice.
    const mono = h.clock.monotonic();
    (h.clock as unknown as { monotonic: () => number }).monotonic = () => mono + 30_000;
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'staleData' });
  });

  it('the wall clock stepped forward 1 hour does not trip it early; a fresh value after a step back keeps it fresh', async () => {
    const h = await harness(STALE);
    h.rt.updatePortfolio({ value: '1000' });
    h.clock.advance(10_000);
    h.clock.stepWall(+HOUR);
    expect(h.rt.check(ORDER).allowed).toBe(true);
    expect(h.rt.status().breakers.staleData).toMatchObject({ state: 'NORMAL', figures: { ageMs: 10_000 } });
    h.clock.advance(19_999);
    expect(h.rt.status().breakers.staleData.state).toBe('NORMAL');
    h.rt.updatePortfolio({ value: '1000' });
    h.clock.stepWall(-2 * HOUR);
    h.rt.updatePortfolio({ value: '1001' }); // its time on the wall clock is held at the last one; its age is 0
    h.clock.advance(29_999);
    expect(h.rt.status().breakers.staleData.state).toBe('NORMAL');
    h.clock.advance(1);
    expect(h.rt.status().breakers.staleData.state).toBe('TRIPPED');
  });

  it('the last value\'s time is shown on the wall clock', async () => {
    const h = await harness(STALE);
    h.rt.updatePortfolio({ value: '1000' });
    const at = new Date(h.clock.now()).toISOString();
    h.clock.stepWall(-10 * MIN);
    h.clock.advance(5_000);
    expect(h.rt.status().breakers.staleData.figures).toMatchObject({ lastValueAt: at, ageMs: 5_000 });
  });
});

describe('monotonic clock: order and error windows', () => {
  it('the wall clock stepped forward 1 hour empties neither window', async () => {
    const h = await harness({ breakers: only({ orderRate: { maxOrders: 3, window: 60 }, errorRate: { maxErrors: 2, window: 60 } }) });
    h.rt.updatePortfolio({ value: '1000' });
    for (let i = 0; i < 3; i++) expect(h.rt.check(ORDER).allowed).toBe(true);
    h.rt.recordError({ kind: 'order_rejected', message: 'one' });
    h.rt.recordError({ kind: 'order_rejected', message: 'two' });
    h.clock.stepWall(+HOUR);
    expect(h.rt.status().breakers.orderRate.figures).toMatchObject({ count: 3 });
    expect(h.rt.status().breakers.errorRate.figures).toMatchObject({ count: 2 });
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'orderRate' });
    h.rt.recordError({ kind: 'order_rejected', message: 'three' });
    expect(h.rt.status().breakers.errorRate.state).toBe('TRIPPED');
  });

  it('the wall clock stepped back 1 hour does not hold a window: the order window clears after its 60 s', async () => {
    const h = await harness({ breakers: only({ orderRate: { maxOrders: 3, window: 60 } }) });
    h.rt.updatePortfolio({ value: '1000' });
    for (let i = 0; i < 4; i++) h.rt.check(ORDER);
    expect(h.rt.status().breakers.orderRate.state).toBe('TRIPPED');
    h.clock.stepWall(-HOUR);
    h.clock.advance(MIN);
    expect(h.rt.status().breakers.orderRate.state).toBe('NORMAL');
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });

  it('every order in a window is counted however the wall clock steps between them', async () => {
    const h = await harness({ breakers: only({ orderRate: { maxOrders: 3, window: 60 } }) });
    h.rt.updatePortfolio({ value: '1000' });
    h.rt.check(ORDER);
    h.clock.stepWall(-HOUR);
    h.rt.check(ORDER);
    h.clock.stepWall(+2 * HOUR);
    h.rt.check(ORDER);
    h.clock.advance(59_000);
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'orderRate' });
  });
});

describe('monotonic clock: reset-token expiry', () => {
  const tripped = async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1 } }) });
    h.rt.updatePortfolio({ value: '1000' });
    h.rt.updatePortfolio({ value: '890' });
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
    return h;
  };

  it('the wall clock stepped back 1 hour does not extend a token: it expires 60 s after the request', async () => {
    const h = await tripped();
    const { token, expiresAt } = h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    expect(expiresAt).toBe(new Date(h.clock.now() + 60_000).toISOString()); // shown on the wall clock
    h.clock.stepWall(-HOUR);
    h.clock.advance(60_000);
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(h.types()).toContain('ResetExpired');
    expect(() => h.rt.confirmReset({ token, operator: 'ann' })).toThrow(/token: unknown or expired reset token/);
  });

  it('the wall clock stepped forward 1 hour does not expire a token early', async () => {
    const h = await tripped();
    const { token } = h.rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    h.clock.stepWall(+HOUR);
    h.clock.advance(59_000);
    expect(h.rt.status().breakers.drawdown.state).toBe('RESETTING');
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
  });
});

describe('monotonic clock: the calendar stays on the wall clock', () => {
  it('a trading day opens when the wall clock crosses the market open, even by a step', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }), marketOpen: { time: '09:30', timeZone: 'UTC' } }, Date.UTC(2026, 0, 5, 12));
    h.rt.updatePortfolio({ value: '1000' });
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ tradingDay: '2026-01-05', startValue: '1000' });
    h.clock.stepWall(+22 * HOUR); // 2026-01-06 10:00 on the wall clock; no time passed on the monotonic one
    h.rt.updatePortfolio({ value: '900' });
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ tradingDay: '2026-01-06', startValue: '900' });
    expect(h.types().filter((t) => t === 'TradingDayOpened')).toHaveLength(2);
    // A step back does not reopen the day before.
    h.clock.stepWall(-22 * HOUR);
    h.rt.updatePortfolio({ value: '899' });
    expect(h.rt.status().breakers.dailyLoss.figures).toMatchObject({ tradingDay: '2026-01-06', startValue: '900' });
  });

  it('input timestamps are checked against the wall clock (skew)', async () => {
    const h = await harness(STALE);
    h.clock.stepWall(-10 * MIN);
    expect(() => h.rt.updatePortfolio({ value: '1000', timestamp: h.clock.now() + 10 * MIN })).toThrow(/ahead of the runtime's clock/);
  });
});

describe('monotonic clock: alert budgets', () => {
  const manager = async (maxPerHour: number) => {
    const hook = await startHttpServer((_r: ReceivedRequest, res: ServerResponse) => res.writeHead(200).end());
    cleanup.push(() => hook.close());
    const clock = new ManualClock();
    const m = createAlertManager({ webhooks: [{ url: `${hook.url}/h` }], allowlist: [`${hook.url}/`], maxPerHour }, { clock, outbox: new InMemoryAlertOutbox() });
    cleanup.push(() => m.close());
    const send = () => m.enqueue(tripEvent({ at: clock.now(), breaker: null, type: 'ManualHalt', operator: 'alice', details: { reason: 'r' } }));
    return { hook, clock, m, send };
  };

  it('the wall clock stepped forward 2 hours does not refill a used budget', async () => {
    const { hook, clock, m, send } = await manager(2);
    send();
    send();
    clock.stepWall(+2 * HOUR);
    send();
    await m.settled();
    expect(hook.requests).toHaveLength(2);
    expect((await m.attempts()).filter((a) => a.outcome === 'suppressed')).toHaveLength(1);
    // The digest goes out one hour (monotonic) after the first alert, not before.
    clock.advance(HOUR - 1);
    await m.settled();
    expect(hook.requests).toHaveLength(2);
    clock.advance(1);
    await m.settled();
    expect(hook.requests).toHaveLength(3);
    expect(JSON.parse(hook.requests[2].body)).toMatchObject({ event_type: 'AlertDigest' });
  });

  it('the wall clock stepped back 2 hours does not hold a budget: it refills one hour later', async () => {
    const { hook, clock, m, send } = await manager(2);
    send();
    send();
    clock.stepWall(-2 * HOUR);
    clock.advance(HOUR);
    send();
    await m.settled();
    expect(hook.requests).toHaveLength(3);
    expect((await m.attempts()).filter((a) => a.outcome === 'suppressed')).toHaveLength(0);
  });
});

describe('monotonic clock: alert delivery give-up', () => {
  const failing = async (step: number) => {
    const hook = await startHttpServer((_r: ReceivedRequest, res: ServerResponse) => res.writeHead(503).end());
    cleanup.push(() => hook.close());
    const clock = new ManualClock();
    const gaveUp: unknown[] = [];
    const m = createAlertManager(
      { webhooks: [{ url: `${hook.url}/h` }], allowlist: [`${hook.url}/`], retry: { baseDelayMs: 1_000, maxDelayMs: 2_000, jitter: 0.5 }, timeoutMs: 5_000, giveUpAfterMs: 10_000 },
      { clock, outbox: new InMemoryAlertOutbox(), onGiveUp: (info) => gaveUp.push(info) },
    );
    cleanup.push(() => m.close());
    m.enqueue(tripEvent({ at: clock.now() }));
    await waitFor(() => hook.requests.length >= 1, 'the first attempt');
    await m.settled();
    clock.stepWall(step);
    let advanced = 0;
    while (gaveUp.length === 0 && advanced < 30_000) {
      clock.advance(500);
      advanced += 500;
      await waitFor(() => m.inFlightCount === 0, 'the attempt');
      await m.settled();
    }
    return { advanced, gaveUp, attempts: hook.requests.length };
  };

  it('the wall clock stepped forward 1 hour does not give up early; stepped back 1 hour does not hold it: 10 s either way', async () => {
    for (const step of [+HOUR, -HOUR]) {
      const { advanced, gaveUp, attempts } = await failing(step);
      expect(gaveUp).toHaveLength(1);
      expect(advanced).toBeGreaterThanOrEqual(9_000);
      expect(advanced).toBeLessThanOrEqual(12_000);
      expect(attempts).toBeGreaterThan(2);
    }
  });
});

describe('monotonic clock: a clock without monotonic()', () => {
  it('still works (the highest now() seen), and a monotonic that is not a function is refused', async () => {
    const manual = new ManualClock();
    const legacy: Clock = { now: () => manual.now(), setTimer: (cb, ms) => manual.setTimer(cb, ms) };
    const rt = await createRiskRuntime({ strategy: 's', clock: legacy, logger: silentLogger, breakers: only({ staleData: { maxAge: 30 }, orderRate: { maxOrders: 2, window: 60 } }) });
    cleanup.push(() => rt.stop());
    rt.updatePortfolio({ value: '1000' });
    manual.advance(29_999);
    expect(rt.check(ORDER).allowed).toBe(true);
    manual.advance(1);
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'staleData' });
    await expect(
      createRiskRuntime({ strategy: 't', clock: { ...legacy, monotonic: 5 } as unknown as Clock, logger: silentLogger }),
    ).rejects.toThrow(/clock\.monotonic: must be a function returning a finite number of ms when given \(got number\)/);
    for (const [monotonic, got] of [[() => Number.NaN, 'NaN'], [() => undefined, 'undefined'], [() => { throw new Error('x'); }, 'undefined']] as const) {
      await expect(createRiskRuntime({ strategy: 't', clock: { ...legacy, monotonic } as unknown as Clock, logger: silentLogger })).rejects.toThrow(
        `clock.monotonic: must be a function returning a finite number of ms when given (got ${got})`,
      );
    }
  });
});

describe('monotonic clock: windows across a restart', () => {
  let dir: string;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const open = (clock: Clock) =>
    createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, breakers: only({ errorRate: { maxErrors: 3, window: 60 } }) });

  it('a restored window entry is as old as the wall clock says (a new process has another monotonic origin)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bb-mono-'));
    const first = new ManualClock(Date.UTC(2026, 0, 5, 12));
    first.stepWall(-5 * MIN); // this process's monotonic and wall readings differ
    let rt = await open(first);
    rt.recordError({ kind: 'order_rejected', message: 'a' });
    rt.recordError({ kind: 'order_rejected', message: 'b' });
    rt.recordError({ kind: 'order_rejected', message: 'c' });
    await rt.flush();
    await rt.stop();
    // 20 s later on the wall clock, a new process whose monotonic clock starts 3 days away.
    const second = new ManualClock(first.now() + 3 * 24 * HOUR + 20_000);
    second.stepWall(-3 * 24 * HOUR);
    expect(second.now()).toBe(first.now() + 20_000);
    rt = await open(second);
    cleanup.push(() => rt.stop());
    expect(rt.status().breakers.errorRate.figures).toMatchObject({ count: 3, nextExpiryInMs: 40_000 });
    second.advance(39_999);
    expect(rt.status().breakers.errorRate.figures).toMatchObject({ count: 3 });
    second.advance(1);
    expect(rt.status().breakers.errorRate.figures).toMatchObject({ count: 0 });
  });

  it('a wall clock stepped forward while running, with nothing counted since: the stop saves the windows on the new wall clock, a restart keeps every entry', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bb-mono-'));
    const first = new ManualClock(Date.UTC(2026, 0, 5, 12));
    let rt = await open(first);
    for (const m of ['a', 'b', 'c']) rt.recordError({ kind: 'order_rejected', message: m });
    await rt.flush();
    first.advance(2_000);
    // NTP steps the wall clock 10 s forward; nothing is counted after it, so no save carries the new offset.
    first.stepWall(10_000);
    await rt.stop();
    // Restarted at once on the same (stepped) wall clock: the entries are 2 s old, not 12 s.
    const second = new ManualClock(first.now());
    rt = await open(second);
    cleanup.push(() => rt.stop());
    expect(rt.status().breakers.errorRate.figures).toMatchObject({ count: 3, nextExpiryInMs: 58_000 });
    second.advance(57_999);
    expect(rt.status().breakers.errorRate.figures).toMatchObject({ count: 3 });
  });

  it('a wall clock that went back while the process was down keeps every entry for its whole window (fail closed)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bb-mono-'));
    const first = new ManualClock(Date.UTC(2026, 0, 5, 12));
    let rt = await open(first);
    for (const m of ['a', 'b', 'c']) rt.recordError({ kind: 'order_rejected', message: m });
    await rt.flush();
    await rt.stop();
    const second = new ManualClock(first.now() - HOUR);
    rt = await open(second);
    cleanup.push(() => rt.stop());
    expect(rt.status().breakers.errorRate.figures).toMatchObject({ count: 3, nextExpiryInMs: 60_000 });
    rt.recordError({ kind: 'order_rejected', message: 'd' });
    expect(rt.status().breakers.errorRate.state).toBe('TRIPPED');
  });
});
