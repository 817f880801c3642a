import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { ConfigError, createRiskRuntime, InvalidInputError, silentLogger } from '../../src/index.ts';
import { harness, ORDER, only } from '../helpers.ts';

describe('bad portfolio updates', () => {
  const cases: [string, unknown, RegExp][] = [
    ['NaN', NaN, /^value: must be a finite number \(got NaN\)$/],
    ['Infinity', Infinity, /^value: must be a finite number \(got Infinity\)$/],
    ['non-numeric text', 'abc', /^value: must be a decimal number \(got "abc"\)$/],
    ['a boolean', true, /^value: must be a number, a decimal string or a Decimal \(got true\)$/],
    ['NaN Decimal', new Decimal(NaN), /^value: must be a finite number/],
  ];
  for (const [name, value, message] of cases) {
    it(`refuses ${name} with a typed error naming the field and value, counts a data_error and blocks orders until good data`, async () => {
      const h = await harness();
      h.rt.updatePortfolio({ value: 1000 });
      let caught: unknown;
      try {
        h.rt.updatePortfolio({ value } as never);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidInputError);
      expect((caught as InvalidInputError).code).toBe('INVALID_INPUT');
      expect((caught as InvalidInputError).field).toBe('value');
      expect((caught as Error).message).toMatch(message);
      expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'DATA_FAULT' });
      expect(h.rt.status().breakers.errorRate.figures?.byKind.data_error).toBe(1);
      expect(h.rt.status().portfolio.value).toBe('1000'); // the last good value is kept
      h.rt.updatePortfolio({ value: 1001 });
      expect(h.rt.check(ORDER).allowed).toBe(true);
    });
  }

  it('refuses timestamps that go backwards', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000, timestamp: h.clock.now() });
    expect(() => h.rt.updatePortfolio({ value: 1000, timestamp: h.clock.now() - 1 })).toThrow(/^timestamp: goes backwards/);
    expect(() => h.rt.updatePortfolio({ value: 1000, timestamp: 'yesterday' })).toThrow(/^timestamp: must be a valid point in time.*\(got "yesterday"\)/);
    expect(() => h.rt.updatePortfolio({ value: 1000, positions: [{ symbol: '', quantity: 1 }] })).toThrow(/^positions\[0\]\.symbol/);
    expect(() => h.rt.updatePortfolio(null as never)).toThrow(/^update: must be an object/);
  });

  it('enough bad data trips the error-rate breaker (bad values are data_errors)', async () => {
    const h = await harness({ breakers: only({ errorRate: { maxErrors: 3, window: 60 } }) });
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 4; i++) expect(() => h.rt.updatePortfolio({ value: NaN })).toThrow(InvalidInputError);
    expect(h.rt.state).toBe('TRIPPED');
    expect(h.events.find((e) => e.type === 'CircuitBreakerTripped')!.details).toMatchObject({ byKind: { data_error: 4 } });
  });

  it('blocks orders until the first portfolio value arrives (fail closed)', async () => {
    const h = await harness();
    expect(h.rt.check(ORDER)).toMatchObject({ allowed: false, code: 'AWAITING_PORTFOLIO' });
    h.rt.updatePortfolio({ value: '1000' });
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });
});

describe('bad errors and orders', () => {
  it('an unknown error kind is refused and still counted, as a data_error', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000 });
    expect(() => h.rt.recordError({ kind: 'cosmic_ray' as never, message: 'x' })).toThrow(
      /^error\.kind: must be one of order_rejected, broker_error, data_error \(got "cosmic_ray"\)$/,
    );
    expect(h.rt.status().breakers.errorRate.figures?.byKind.data_error).toBe(1);
    expect(h.rt.check(ORDER).allowed).toBe(true);
  });

  const orders: [string, unknown, RegExp][] = [
    ['null', null, /^order: must be an object/],
    ['no symbol', { side: 'buy', quantity: 1 }, /^order\.symbol: must be a non-empty string \(got undefined\)/],
    ['bad side', { symbol: 'X', side: 'hold', quantity: 1 }, /^order\.side: must be "buy" or "sell" \(got "hold"\)/],
    ['zero quantity', { symbol: 'X', side: 'buy', quantity: 0 }, /^order\.quantity/],
    ['NaN quantity', { symbol: 'X', side: 'buy', quantity: NaN }, /^order\.quantity: .* \(got NaN\)/],
    ['text quantity', { symbol: 'X', side: 'buy', quantity: 'ten' }, /^order\.quantity/],
    ['negative price', { symbol: 'X', side: 'buy', quantity: 1, price: -3 }, /^order\.price/],
  ];
  for (const [name, order, message] of orders) {
    it(`rejects a malformed order (${name}) without throwing, naming the field`, async () => {
      const h = await harness();
      h.rt.updatePortfolio({ value: 1000 });
      const decision = h.rt.check(order);
      expect(decision).toMatchObject({ allowed: false, code: 'MALFORMED_ORDER', breaker: null });
      expect(decision.allowed === false && decision.reason).toMatch(message);
      expect(h.rt.check(ORDER).allowed).toBe(true); // the runtime goes on
    });
  }

  it('accepts decimal-string and Decimal quantities', async () => {
    const h = await harness();
    h.rt.updatePortfolio({ value: 1000 });
    expect(h.rt.check({ symbol: 'X', side: 'sell', quantity: '0.5', price: '101.25' }).allowed).toBe(true);
    expect(h.rt.check({ symbol: 'X', side: 'sell', quantity: new Decimal('2') }).allowed).toBe(true);
  });
});

describe('invalid configuration', () => {
  it('is refused at start-up, listing every problem at once with its path', async () => {
    let caught: unknown;
    try {
      await createRiskRuntime({
        strategy: 'bad name!',
        logger: silentLogger,
        breakers: {
          drawdown: { threshold: 0.1 },
          dailyLoss: { limitAmount: '5000' },
          orderRate: { maxOrders: 0, window: 60 },
          errorRate: { maxErrors: 10, window: -1 },
        },
        marketOpen: { time: '25:00', timeZone: 'Mars/Olympus' },
        broker: {} as never,
        brokr: 1,
      } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const paths = (caught as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'strategy', 'breakers.drawdown.threshold', 'breakers.dailyLoss.limitAmount', 'breakers.orderRate.maxOrders', 'breakers.errorRate.window',
        'marketOpen.time', 'marketOpen.timeZone', 'broker.cancelAllOrders', 'brokr',
      ]),
    );
    expect((caught as Error).message).toMatch(/invalid configuration: \d+ problems/);
    expect((caught as Error).message).toContain('breakers.drawdown.threshold: must be negative, e.g. -0.10 (got 0.1)');
    expect((caught as Error).message).toContain('marketOpen.timeZone: must be an IANA time zone, e.g. "America/New_York" (got "Mars/Olympus")');
  });

  it('accepts presets by name and defaults to moderate', async () => {
    const rt = await createRiskRuntime({ strategy: 's1', logger: silentLogger, breakers: 'conservative' });
    expect(rt.status().breakers.drawdown.figures?.threshold).toBe('-0.05');
    const def = await createRiskRuntime({ strategy: 's2', logger: silentLogger });
    expect(def.status().breakers.drawdown.figures?.threshold).toBe('-0.1');
    expect(def.status().breakers.orderRate.figures).toMatchObject({ limit: 100, windowSeconds: 60 });
    await rt.stop();
    await def.stop();
  });

  it('a breaker left out of an explicit config is disabled', async () => {
    const h = await harness({ breakers: only({ drawdown: { threshold: -0.1 } }) });
    expect(h.rt.status().breakers.orderRate).toMatchObject({ enabled: false, state: 'NORMAL', figures: null });
    h.rt.updatePortfolio({ value: 1000 });
    for (let i = 0; i < 500; i++) expect(h.rt.check(ORDER).allowed).toBe(true);
  });
});
