import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/index.ts';
import { PaperBroker } from '../../src/demo/broker.ts';
import { harness, ORDER } from '../helpers.ts';

describe('cash and reconciliation', () => {
  it('refuses bad cash with a typed error naming the field and value, counts a data_error, and keeps working', async () => {
    const { rt, events } = await harness({ breakers: 'moderate', store: false });
    rt.updatePortfolio({ value: '1000', cash: '1000' });
    for (const bad of ['abc', '1e999', 'NaN', Number.POSITIVE_INFINITY, '1'.repeat(40), { amount: 5 }, ' 5', null]) {
      let error: unknown;
      try {
        rt.updatePortfolio({ value: '1000', cash: bad as never });
      } catch (e) {
        error = e;
      }
      expect(error, String(bad)).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe('cash');
      expect((error as InvalidInputError).message).toMatch(/^cash: /);
      // Nothing of the refused update was taken: the cash shown is the last valid one.
      expect(rt.status().portfolio.cash).toBe('1000');
    }
    const refused = events.filter((e) => e.type === 'InputRejected');
    expect(refused.length).toBe(8);
    expect(refused.every((e) => e.details.field === 'cash')).toBe(true);
    expect(rt.status().breakers.errorRate.figures!.byKind.data_error).toBe(8);
    // A valid update after the refusals is taken and orders flow again.
    rt.updatePortfolio({ value: '1000', cash: '-250.5' });
    expect(rt.status().portfolio.cash).toBe('-250.5');
    expect(rt.check(ORDER).allowed).toBe(true);
    await rt.stop();
  });

  it('reads cash once (a getter is not asked twice) and takes it through the full step, not the quiet band', async () => {
    const { rt } = await harness({ breakers: 'moderate', store: false });
    rt.updatePortfolio({ value: '1000' });
    let reads = 0;
    const update = {
      value: '1000',
      get cash() {
        reads++;
        return reads === 1 ? '400' : 'garbage';
      },
    };
    rt.updatePortfolio(update);
    expect(reads).toBe(1);
    expect(rt.status().portfolio.cash).toBe('400');
    await rt.stop();
  });

  it('status().portfolio shows value = positions + cash, exactly, and what is unexplained', async () => {
    const { rt } = await harness({ breakers: 'moderate', store: false });
    expect(rt.status().portfolio).toMatchObject({ value: null, cash: null, positionsValue: '0', unexplained: null });
    const positions = [
      { symbol: 'AAPL', quantity: '10', price: '187.13' },
      { symbol: 'ES', quantity: -2, price: 5012.25 },
      { symbol: 'FLAT', quantity: '0' }, // flat: no price needed
    ];
    // 1871.3 − 10024.5 + 18153.2 = 10000
    rt.updatePortfolio({ value: '10000', positions, cash: '18153.2' });
    expect(rt.status().portfolio).toMatchObject({ value: '10000', cash: '18153.2', positionsValue: '-8153.2', unexplained: '0' });
    // Values that binary floating point would not add up exactly.
    rt.updatePortfolio({ value: '0.3', positions: [{ symbol: 'X', quantity: '1', price: '0.1' }], cash: '0.2' });
    expect(rt.status().portfolio).toMatchObject({ positionsValue: '0.1', unexplained: '0' });
    // A mismatch is shown as the amount left over.
    rt.updatePortfolio({ value: '0.35', positions: [{ symbol: 'X', quantity: '1', price: '0.1' }], cash: '0.2' });
    expect(rt.status().portfolio.unexplained).toBe('0.05');
    // A held position without a price: the positions' value, and so the difference, cannot be told.
    rt.updatePortfolio({ value: '0.35', positions: [{ symbol: 'X', quantity: '1' }] });
    expect(rt.status().portfolio).toMatchObject({ cash: '0.2', positionsValue: null, unexplained: null });
    await rt.stop();
  });

  it('the demo\'s paper broker reports its cash: its portfolio reconciles', async () => {
    const { rt } = await harness({ breakers: 'moderate', store: false });
    const broker = new PaperBroker('demo', 10_000);
    broker.seedPosition('X', 10, 100.25);
    broker.setPrice('X', 101.5);
    rt.updatePortfolio(broker.snapshot());
    // 10,000 − 10 × 100.25 in cash, 10 × 101.5 in X.
    expect(rt.status().portfolio).toMatchObject({ value: '10012.5', cash: '8997.5', positionsValue: '1015', unexplained: '0' });
    await rt.stop();
  });
});
