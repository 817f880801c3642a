import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FAST_SPEED } from '../../src/cli/commands/demo.ts';
import { PaperBroker, PriceCsvError, deriveSeed, mulberry32, parsePriceCsv, ScaledClock, startDemo } from '../../src/demo/index.ts';
import { Simulation, type SimulationOptions } from '../../src/demo/simulation.ts';
import { TEST_SPEED } from './speed.ts';

describe('demo building blocks', () => {
  it('mulberry32 is deterministic per seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(deriveSeed(1, 'alpha')).not.toBe(deriveSeed(1, 'beta'));
  });

  it('parses price CSVs with or without timestamps and header, naming the bad line', () => {
    expect(parsePriceCsv('price\n10\n10.5\n')).toEqual([10, 10.5]);
    expect(parsePriceCsv('timestamp,price\n2026-01-05T14:30:00Z,101.2\n2026-01-05T14:30:01Z,100.9\n')).toEqual([101.2, 100.9]);
    expect(() => parsePriceCsv('10\nabc\n')).toThrow(PriceCsvError);
    expect(() => parsePriceCsv('10\n-3\n')).toThrow(/line 2/);
  });

  it('the paper broker fills, holds pending orders, cancels them, and fails in an outage', () => {
    const broker = new PaperBroker('t', 10_000);
    broker.setPrice('X', 100);
    expect(broker.submit({ id: '1', symbol: 'X', side: 'buy', quantity: 10 })).toEqual({ status: 'filled', price: 100 });
    expect(broker.submit({ id: '2', symbol: 'X', side: 'buy', quantity: 5, price: 95 })).toEqual({ status: 'pending' });
    expect(broker.exposure('X')).toBe(15);
    expect(broker.value().toString()).toBe('10000');
    broker.setPrice('X', 110);
    expect(broker.value().toString()).toBe('10100');
    expect(broker.cancelAllOrders({ reason: 'trip' })).toBe(1);
    const errors: string[] = [];
    broker.errors$.subscribe((e) => errors.push(e.kind));
    broker.mode = 'outage';
    expect(broker.submit({ id: '3', symbol: 'X', side: 'sell', quantity: 1 }).status).toBe('rejected');
    broker.setPrice('X', 111);
    expect(errors).toEqual(['order_rejected', 'broker_error']);
  });

  it('the paper broker realises P&L at average cost, stamps fills after the report of the same instant, and shows a phantom only in its reports', () => {
    let now = 1_000;
    const broker = new PaperBroker('t', 10_000, () => now);
    const fills: { realizedPnl?: unknown; timestamp?: unknown }[] = [];
    broker.fills$.subscribe((f) => fills.push(f));
    broker.setPrice('X', 100);
    broker.submit({ id: '1', symbol: 'X', side: 'buy', quantity: 10 });
    broker.setPrice('X', 110);
    broker.submit({ id: '2', symbol: 'X', side: 'buy', quantity: 10 }); // average cost 105
    expect(broker.snapshot().asOf).toBe(1_000);
    expect(broker.submit({ id: '3', symbol: 'X', side: 'sell', quantity: 4 })).toEqual({ status: 'filled', price: 110, realizedPnl: '20' });
    now = 2_000;
    broker.setPrice('X', 95);
    expect(broker.submit({ id: '4', symbol: 'X', side: 'sell', quantity: 20 })).toEqual({ status: 'filled', price: 95, realizedPnl: '-160' }); // 16 closed at -10, 4 opened short
    expect(broker.submit({ id: '5', symbol: 'X', side: 'buy', quantity: 4 })).toEqual({ status: 'filled', price: 95, realizedPnl: '0' });
    expect(fills.map((f) => [f.timestamp, f.realizedPnl])).toEqual([
      [1_000, undefined],
      [1_000, undefined],
      [1_001, '20'], // after the report as of 1 000: stamped after it
      [2_000, '-160'],
      [2_000, '0'],
    ]);
    broker.phantom = { symbol: 'X', quantity: 500 };
    expect(broker.snapshot().positions).toEqual([{ symbol: 'X', quantity: '500', price: '95' }]);
    expect(broker.position('X')).toBe(0);
    expect(broker.account().positions).toEqual({});
  });

  it('the paper broker cancels and amends one pending order, and continues a saved account', () => {
    const broker = new PaperBroker('t', 10_000);
    broker.setPrice('X', 100);
    broker.submit({ id: '1', symbol: 'X', side: 'buy', quantity: 10 });
    expect(broker.submit({ id: '2', symbol: 'X', side: 'buy', quantity: 5, price: 95 })).toEqual({ status: 'pending' });
    expect(broker.amend('2', 94)).toBe(true);
    expect(broker.pendingCount).toBe(1);
    expect(broker.cancel('2')).toBe(true);
    expect(broker.cancel('2')).toBe(false);
    expect(broker.amend('2', 93)).toBe(false);
    const again = new PaperBroker('t', 1);
    again.restoreAccount(broker.account());
    expect(again.account()).toEqual(broker.account());
    expect(again.value().toString()).toBe('10000');
  });

  it('the tests\' speed plays the run --fast plays, one simulated second per tick, in less real time', () => {
    // Only the speed matters to the step; the rest is never read by the constructor.
    const step = (speed: number) => {
      const simulation = new Simulation({ speed } as SimulationOptions);
      return { realTickMs: simulation.realTickMs, simulatedMs: Math.round(simulation.realTickMs * speed) };
    };
    expect(step(FAST_SPEED).simulatedMs).toBe(1000);
    expect(step(TEST_SPEED).simulatedMs).toBe(1000);
    expect(step(TEST_SPEED).realTickMs).toBeLessThan(step(FAST_SPEED).realTickMs);
  });

  it('the scaled clock runs faster than the wall clock', async () => {
    const clock = new ScaledClock(100, 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(clock.now()).toBeGreaterThanOrEqual(4000);
    const fired = await new Promise<number>((resolve) => {
      const t = performance.now();
      clock.setTimer(() => resolve(performance.now() - t), 3000);
    });
    expect(fired).toBeLessThan(1000);
  });

  it('the scaled clock never fires a timer before its simulated deadline, until released', async () => {
    const clock = new ScaledClock(1000, 0);
    clock.pause();
    let fired = 0;
    clock.setTimer(() => fired++, 5000); // 5 ms of real time, but simulated time stands still
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(0);
    clock.jumpTo(clock.now() + 5000);
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(1);
    clock.setTimer(() => fired++, 5000);
    clock.release(); // a stopping demo steps the clock no more: real time decides
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(2);
  });

  it('the scaled clock stands still while paused and resumes where it stood', async () => {
    const clock = new ScaledClock(100, 0);
    clock.pause();
    const at = clock.now();
    await new Promise((r) => setTimeout(r, 30));
    expect(clock.now()).toBe(at);
    clock.jumpTo(at + 5000);
    expect(clock.now()).toBe(at + 5000);
    clock.resume();
    await new Promise((r) => setTimeout(r, 30));
    expect(clock.now()).toBeGreaterThanOrEqual(at + 5000 + 2000);
  });

  it('the paper broker reports flat symbols with their price, so market orders can be valued', () => {
    const broker = new PaperBroker('t', 10_000);
    broker.setPrice('X', 100);
    expect(broker.snapshot().positions).toEqual([{ symbol: 'X', quantity: '0', price: '100' }]);
    broker.submit({ id: '1', symbol: 'X', side: 'buy', quantity: 10 });
    expect(broker.position('X')).toBe(10);
    expect(broker.snapshot().positions).toEqual([{ symbol: 'X', quantity: '10', price: '100' }]);
  });
});

describe('demo --prices replay', () => {
  it('replays a CSV for alpha: a 15 % fall trips its drawdown and daily loss', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-replay-'));
    const csv = join(dir, 'prices.csv');
    const prices = ['timestamp,price', ...Array.from({ length: 40 }, (_, i) => `${i},${i < 10 ? 100 : Math.max(80, 100 - (i - 10) * 2)}`)];
    writeFileSync(csv, prices.join('\n'));
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const demo = await startDemo({ speed: TEST_SPEED, port: 0, dataDir: join(dir, 'data'), pricesFile: csv, out, tty: false, token: 'replay-token-0123456789' });
    try {
      const deadline = Date.now() + 8000;
      while (!/alpha\s+TRIPPED\s+drawdown/.test(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await demo.stop();
    }
    expect(text).toContain('replaying 40 prices');
    expect(text).toMatch(/alpha\s+TRIPPED\s+dailyLoss/);
    expect(text).toMatch(/alpha\s+TRIPPED\s+drawdown/);
  });
});
