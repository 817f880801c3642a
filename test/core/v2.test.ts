import { Decimal } from 'decimal.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config as rxjsConfig } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, InvalidInputError, ManualClock, silentLogger, type Decision } from '../../src/index.ts';
import { harness, only, ORDER } from '../helpers.ts';

const DRAWDOWN = { breakers: only({ drawdown: { threshold: -0.1 } }) };

describe('the gate follows the actors, even from inside a listener (one step per input)', () => {
  it('a halt() from an events$ listener closes the gate before check() in the same listener', async () => {
    const h = await harness(DRAWDOWN);
    h.rt.updatePortfolio({ value: '1000' });
    const seen: Decision[] = [];
    h.rt.events$.subscribe((e) => {
      if (e.type !== 'TradingDayOpened' && e.type !== 'StateChanged' && e.type !== 'ErrorRecorded' && seen.length === 0) {
        h.rt.halt({ operator: 'listener', reason: 'from inside a listener' });
        seen.push(h.rt.check(ORDER));
      }
    });
    h.rt.recordError({ kind: 'broker_error', message: 'x' }); // ErrorRecorded, ignored above
    h.rt.updatePortfolio({ value: '950' }); // a warning (drawdown -5 % of -10 % at warnAt 0.8? no: warns at -8 %)
    h.rt.updatePortfolio({ value: '915' }); // CircuitBreakerWarning
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ allowed: false, breaker: 'manual', state: 'MANUALLY_HALTED' });
    expect(h.rt.actor.getSnapshot().children.manual!.getSnapshot().value).toBe('MANUALLY_HALTED');
  });

  it('a -50 % update from a state$ listener closes the gate before check() in the same listener', async () => {
    const h = await harness(DRAWDOWN);
    const seen: boolean[] = [];
    let armed = true;
    h.rt.state$.subscribe((s) => {
      if (s.ordersAllowed && armed) {
        armed = false;
        h.rt.updatePortfolio({ value: '500' });
        seen.push(h.rt.check(ORDER).allowed);
      }
    });
    h.rt.updatePortfolio({ value: '1000' }); // opens the gate: the listener crashes the value
    expect(seen).toEqual([false]);
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
  });

  it('calls from inside the broker port take effect before they return, and listeners hear events in order', async () => {
    const clock = new ManualClock();
    const decisions: boolean[] = [];
    const rt = await createRiskRuntime({
      strategy: 'port',
      clock,
      logger: silentLogger,
      breakers: only({ drawdown: { threshold: -0.1 } }),
      broker: {
        cancelAllOrders: ({ breaker }) => {
          if (breaker === 'drawdown') {
            rt.halt({ operator: 'port', reason: 'cancel failed, halting' });
            decisions.push(rt.check(ORDER).allowed);
          }
        },
      },
    });
    const order: string[] = [];
    rt.events$.subscribe((e) => e.type !== 'StateChanged' && order.push(e.type));
    rt.updatePortfolio({ value: '1000' });
    rt.updatePortfolio({ value: '800' });
    expect(decisions).toEqual([false]);
    expect(rt.state).toBe('MANUALLY_HALTED');
    expect(order).toEqual(['TradingDayOpened', 'CircuitBreakerTripped', 'ManualHalt'].filter((t) => t !== 'TradingDayOpened'));
    await rt.stop();
  });

  it('a listener that throws does not crash the process: breakerbox logs it (RxJS onUnhandledError) unless the host handles it', async () => {
    const h = await harness(DRAWDOWN);
    h.rt.events$.subscribe(() => {
      throw new Error('listener bug, unhandled by the host');
    });
    h.rt.updatePortfolio({ value: '1000' });
    h.rt.updatePortfolio({ value: '850' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(h.logs.some((l) => l.event === 'listener_failed' && String(l.error).includes('listener bug'))).toBe(true);
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(h.cancels).toHaveLength(1);
  });

  it('a listener that throws neither breaks the step nor starves the other listeners; it is reported', async () => {
    const reported: unknown[] = [];
    const previous = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = (error) => reported.push(error);
    try {
      const h = await harness(DRAWDOWN);
      h.rt.events$.subscribe(() => {
        throw new Error('listener bug');
      });
      const others: string[] = [];
      h.rt.events$.subscribe((e) => others.push(e.type));
      h.rt.updatePortfolio({ value: '1000' });
      h.rt.updatePortfolio({ value: '800' });
      expect(h.rt.state).toBe('TRIPPED');
      expect(h.cancels).toHaveLength(1);
      expect(others).toContain('CircuitBreakerTripped');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(reported.length).toBeGreaterThan(0);
    } finally {
      rxjsConfig.onUnhandledError = previous;
    }
  });
});

describe('an update is judged before the gate opens', () => {
  let dir: string;
  afterEach(async () => dir && rm(dir, { recursive: true, force: true }));

  it('after a restart, an order at -15 % from the high-water mark is not allowed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bbx-v2-'));
    const clock = new ManualClock();
    const open = () => createRiskRuntime({ strategy: 's', clock, logger: silentLogger, store: { path: dir }, breakers: only({ drawdown: { threshold: -0.1 } }) });
    const first = await open();
    first.updatePortfolio({ value: '1000' });
    await first.stop();
    const rt = await open();
    const allowedWhenOpened: boolean[] = [];
    rt.state$.subscribe((s) => s.ordersAllowed && allowedWhenOpened.push(true));
    rt.updatePortfolio({ value: '850' });
    expect(rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'drawdown' });
    expect(allowedWhenOpened).toEqual([]);
    await rt.stop();
  });

  it('after a refused value, a breaching one trips rather than reopening the gate', async () => {
    const h = await harness(DRAWDOWN);
    h.rt.updatePortfolio({ value: '1000' });
    expect(() => h.rt.updatePortfolio({ value: 'garbage' })).toThrow(InvalidInputError);
    h.rt.updatePortfolio({ value: '850' });
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'BREAKER_NOT_NORMAL', breaker: 'drawdown' });
  });
});

describe('inputs that try to fool the runtime', () => {
  const refusals: [string, unknown, RegExp][] = [
    ['a huge exponent (12 characters)', '1e999999999', /^value: /],
    ['a tiny exponent', '9e-999999999', /^value: /],
    ['an exponent beyond the magnitude bound', '1e21', /^value: /],
    ['35 significant digits', '1234567890123456789012345678901234.5', /significant digits/],
    ['a megabyte of digits', '9'.repeat(1_000_000), /^value: /],
    ['Infinity as text', 'Infinity', /^value: /],
    ['Infinity', Infinity, /finite/],
  ];
  for (const [name, value, message] of refusals) {
    it(`refuses ${name} with a typed error; the runtime keeps working and nothing is allowed that should not be`, async () => {
      const h = await harness(DRAWDOWN);
      h.rt.updatePortfolio({ value: '1000' });
      expect(() => h.rt.updatePortfolio({ value: value as string })).toThrow(message);
      expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'DATA_FAULT' });
      expect(h.rt.status().breakers.errorRate.figures).toBeNull(); // errorRate off here
      h.rt.updatePortfolio({ value: '899.99' });
      expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'drawdown' });
    });
  }

  for (const [unit, stamp] of [
    ['seconds', 1_767_614_400],
    ['microseconds', 1_767_614_400_000_000],
    ['nanoseconds', 1_767_614_400_000_000_000],
  ] as const) {
    it(`refuses a timestamp in ${unit} by name, before it is applied; daily loss still evaluates afterwards`, async () => {
      const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }) });
      h.rt.updatePortfolio({ value: '1000' });
      expect(() => h.rt.updatePortfolio({ value: '1000', timestamp: stamp })).toThrow(new RegExp(unit));
      expect(() => h.rt.status()).not.toThrow();
      h.rt.updatePortfolio({ value: '500' });
      expect(h.rt.status().breakers.dailyLoss.state).toBe('TRIPPED');
    });
  }

  it('refuses a timestamp from the future beyond maxClockSkew: it cannot start the next trading day early', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }), maxClockSkew: 5 });
    h.rt.updatePortfolio({ value: '1000' });
    expect(() => h.rt.updatePortfolio({ value: '600', timestamp: h.clock.now() + 12 * 3_600_000 })).toThrow(/ahead of the runtime's clock/);
    expect(h.rt.status().breakers.dailyLoss.figures?.startValue).toBe('1000');
    h.rt.updatePortfolio({ value: '950', timestamp: h.clock.now() + 4_000 }); // within the skew
    expect(h.rt.status().breakers.dailyLoss.state).toBe('TRIPPED');
  });

  it('check() never throws: throwing getters, revoked proxies and changing getters are malformed orders', async () => {
    const h = await harness(DRAWDOWN);
    h.rt.updatePortfolio({ value: '1000' });
    const throwing = { symbol: 'ES', side: 'buy', get quantity(): string { throw new Error('boom'); } };
    const { proxy, revoke } = Proxy.revocable({ symbol: 'ES', side: 'buy', quantity: '1' }, {});
    revoke();
    let reads = 0;
    const changing = { symbol: 'ES', side: 'buy', get quantity() { return ++reads === 1 ? '1' : '-1e999999999'; } };
    // Malformed on purpose: typed as unknown, as untyped callers' input (check()'s unknown overload).
    for (const order of [throwing, proxy, new Proxy({}, { get() { throw new Error('trap'); } })] as unknown[]) {
      expect(h.rt.check(order)).toMatchObject({ allowed: false, code: 'MALFORMED_ORDER' });
    }
    expect(h.rt.check(changing as unknown).allowed).toBe(true);
    expect(reads).toBe(1); // each field is read once
  });

  it('guard() turns a throwing order into a rejection, not an uncaught exception', async () => {
    const { Subject } = await import('rxjs');
    const h = await harness(DRAWDOWN);
    h.rt.updatePortfolio({ value: '1000' });
    const orders$ = new Subject<unknown>();
    const passed: unknown[] = [];
    const rejected: string[] = [];
    h.rt.rejected$.subscribe((r) => rejected.push(r.decision.code));
    orders$.pipe(h.rt.guard()).subscribe((o) => passed.push(o));
    orders$.next({ symbol: 'ES', side: 'buy', get quantity(): string { throw new Error('boom'); } });
    orders$.next({ symbol: 'ES', side: 'buy', quantity: '1', price: '5012.25' });
    expect(rejected).toEqual(['MALFORMED_ORDER']);
    expect(passed).toHaveLength(1);
  });

  it('a first value of zero or below is refused: it never opens the gate', async () => {
    const h = await harness();
    for (const value of ['0', 0, '-5']) {
      expect(() => h.rt.updatePortfolio({ value })).toThrow(/first portfolio value must be positive/);
      expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'AWAITING_PORTFOLIO' });
    }
  });

  it('a later value of zero or below is a loss: it trips, it is not bad data', async () => {
    const h = await harness(DRAWDOWN);
    h.rt.updatePortfolio({ value: '1000' });
    h.rt.updatePortfolio({ value: '-250' });
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(h.rt.status().dataFault).toBeNull();
  });
});

describe('exact decisions in a private Decimal', () => {
  afterEach(() => {
    Decimal.set({ precision: 20, rounding: Decimal.ROUND_HALF_UP });
  });

  it("the host's Decimal.set({ precision: 5 }) cannot make a -10.00008 % drawdown pass", async () => {
    Decimal.set({ precision: 5, rounding: Decimal.ROUND_DOWN });
    const h = await harness(DRAWDOWN);
    h.rt.updatePortfolio({ value: new Decimal('1000000') });
    h.rt.updatePortfolio({ value: '899999.2' }); // -10.00008 %
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
  });

  it('34-digit values exactly at the level trip, one unit in the last place above does not', async () => {
    const hwm = '1234567890123456.78901234567890123'; // 33 significant digits
    const Reference = Decimal.clone({ precision: 100 });
    const exactly = new Reference(hwm).times('0.9').toFixed(); // the level, exactly (34 digits)
    const decimals = exactly.split('.')[1]!.length;
    const above = new Reference(exactly).plus(new Reference(10).pow(-decimals)).toFixed(); // one unit in the last place above
    expect(exactly.replace('.', '')).toHaveLength(34);
    const at = await harness(DRAWDOWN);
    at.rt.updatePortfolio({ value: hwm });
    at.rt.updatePortfolio({ value: above });
    expect(at.rt.status().breakers.drawdown.state).toBe('NORMAL');
    at.rt.updatePortfolio({ value: exactly });
    expect(at.rt.status().breakers.drawdown.state).toBe('TRIPPED');
  });
});

describe('true figures, re-armed warnings', () => {
  it('a window that holds 36 errors shows 36, not the limit plus one', async () => {
    const h = await harness({ breakers: only({ errorRate: { maxErrors: 10, window: 60 } }) });
    for (let i = 0; i < 36; i++) h.rt.recordError({ kind: 'broker_error', message: String(i) });
    expect(h.rt.status().breakers.errorRate.figures).toMatchObject({ count: 36, limit: 10, byKind: { broker_error: 36 } });
  });

  it('the daily-loss warning is re-armed after a confirmed reset', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }) });
    h.rt.updatePortfolio({ value: '1000' });
    h.rt.updatePortfolio({ value: '955' }); // warns at -4.5 % (0.8 × -5 %)
    h.rt.updatePortfolio({ value: '940' }); // trips
    h.rt.updatePortfolio({ value: '990' }); // recovers within the day
    const { token } = h.rt.requestReset({ breaker: 'dailyLoss', operator: 'ann' });
    expect(h.rt.confirmReset({ token, operator: 'ann' }).confirmed).toBe(true);
    h.rt.updatePortfolio({ value: '958' });
    expect(h.types().filter((t) => t === 'CircuitBreakerWarning')).toHaveLength(2);
  });
});

describe('supervision: a failed breaker actor is restarted one-for-one; repeated failures fail closed', () => {
  const poison = () => new Proxy({}, { get() { throw new Error('injected fault'); }, ownKeys() { throw new Error('injected fault'); } });

  it('restarts the failed actor from its last committed snapshot, journals it, keeps orders blocked only meanwhile', async () => {
    const h = await harness({ breakers: only({ dailyLoss: { limit: -0.05 } }), supervision: { maxRestarts: 2, window: 60 } });
    h.rt.updatePortfolio({ value: '1000' });
    h.rt.updatePortfolio({ value: '900' }); // TRIPPED
    const { token } = h.rt.requestReset({ breaker: 'dailyLoss', operator: 'ann' });
    const before = h.rt.actor.getSnapshot().children.dailyLoss!;
    // The re-check guard reads the evidence: a fault inside the actor's transition.
    before.send({ type: 'CONFIRM_RESET', token, operator: 'ann', evidence: poison() } as never);
    const after = h.rt.actor.getSnapshot().children.dailyLoss!;
    expect(after).not.toBe(before);
    expect(after.getSnapshot()).toMatchObject({ value: 'RESETTING', context: { resetToken: token } });
    expect(h.rt.status().breakers.dailyLoss.state).toBe('RESETTING');
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'dailyLoss' });
    expect(h.types()).toContain('ActorRestarted');
    expect(h.rt.status().supervision.restarts).toEqual({ dailyLoss: 1 });
    // The restarted actor still honours the token; the re-check still refuses today's loss.
    expect(h.rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: false, state: 'TRIPPED' });
  });

  it('more than maxRestarts failures within the window halt the strategy with the reason; the window is on the injected clock', async () => {
    const h = await harness({ ...DRAWDOWN, supervision: { maxRestarts: 2, window: 60 } });
    h.rt.updatePortfolio({ value: '1000' });
    const fail = () => h.rt.actor.getSnapshot().children.drawdown!.send({ type: 'TRIP', evidence: poison() } as never);
    fail();
    fail();
    expect(h.rt.check(ORDER).allowed).toBe(true);
    h.clock.advance(61_000); // both failures are forgotten
    fail();
    fail();
    expect(h.rt.check(ORDER).allowed).toBe(true);
    fail(); // the third within 60 s
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, breaker: 'manual', state: 'MANUALLY_HALTED' });
    await Promise.resolve(); // outside a step, the broker port runs once XState is done
    expect(h.rt.status().breakers.manual.reason).toMatch(
      /^supervisor: the drawdown breaker failed 3 times within 60s \(last error: Unable to evaluate guard 'tripHolds'.*: injected fault\); failing closed$/,
    );
    expect(h.cancels.at(-1)?.breaker).toBe('manual');
    // Only an explicit manual reset leaves it; the restarted drawdown actor works.
    const { token } = h.rt.requestReset({ breaker: 'manual', operator: 'ann' });
    h.rt.confirmReset({ token, operator: 'ann' });
    h.rt.updatePortfolio({ value: '850' });
    expect(h.rt.status().breakers.drawdown.state).toBe('TRIPPED');
  });
});
