import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, describeValue } from '../../src/errors.ts';
import {
  formatDuration,
  parseDecimal,
  parseTimestamp,
  readPortfolioUpdate,
  validateErrorReport,
  validateFill,
  validateOperator,
  validatePositions,
} from '../../src/runtime/inputs.ts';
import { orderProblem, readOrder } from '../../src/runtime/orderInput.ts';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);

function caught(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

function revoked<T extends object>(target: T): T {
  const r = Proxy.revocable(target, {});
  r.revoke();
  return r.proxy;
}

/** An object whose fields count their reads and answer differently each time. */
function counting(fields: Record<string, unknown[]>): { object: Record<string, unknown>; reads: Record<string, number> } {
  const reads: Record<string, number> = {};
  const object = {};
  for (const [key, answers] of Object.entries(fields)) {
    reads[key] = 0;
    Object.defineProperty(object, key, { enumerable: true, get: () => answers[Math.min(reads[key]!++, answers.length - 1)] });
  }
  return { object, reads };
}

describe('parseDecimal', () => {
  it.each<[unknown, RegExp]>([
    ['1e999999999', /^v: has an exponent of more than 6 digits \(got "1e999999999"\)$/],
    ['9e-999999999', /^v: has an exponent of more than 6 digits/],
    ['1e25', /^v: magnitude 1e\+25 is not below 1e21 \(got "1e25"\)$/],
    [Infinity, /^v: must be a finite number \(got Infinity\)$/],
    [NaN, /^v: must be a finite number \(got NaN\)$/],
    ['1'.repeat(35), /^v: has 35 significant digits; at most 34/],
    ['1'.repeat(1 << 20), /^v: is 1048576 characters long; at most 100 \(got "1111/],
    ['-5', /^v: must not be negative \(got "-5"\)$/],
    [{}, /^v: must be a number, a decimal string or a Decimal \(got \{\}\)$/],
  ])('refuses %s naming field and value', (input, message) => {
    const error = caught(() => parseDecimal(input, 'v'));
    expect(error.field).toBe('v');
    expect(error.message).toMatch(message);
  });

  it('applies the sign option', () => {
    expect(parseDecimal('-5', 'v', { sign: 'any' }).toString()).toBe('-5');
    expect(parseDecimal('0', 'v').toString()).toBe('0');
    expect(caught(() => parseDecimal('-0', 'v', { sign: 'positive' })).message).toMatch(/must be positive/);
    expect(parseDecimal('1e-3', 'v', { sign: 'positive' }).toString()).toBe('0.001');
  });

  it('accepts Decimals from a clone and from the default Decimal after Decimal.set', () => {
    try {
      Decimal.set({ precision: 5, toExpPos: 3 });
      expect(parseDecimal(new Decimal('123456.789'), 'v').toString()).toBe('123456.789');
      expect(parseDecimal(new (Decimal.clone({ precision: 2 }))('0.333333'), 'v').toString()).toBe('0.333333');
    } finally {
      Decimal.set({ defaults: true });
    }
  });

  it('turns hostile Decimals into InvalidInputError', () => {
    const hostile = new Proxy(new Decimal(1), { get: () => { throw new Error('boom'); } });
    expect(caught(() => parseDecimal(hostile, 'v')).message).toMatch(/^v: could not be read as a Decimal .*\(got a Proxy\)$/);
    expect(caught(() => parseDecimal(revoked(new Decimal(1)), 'v')).message).toMatch(/^v: could not be read/);
  });
});

describe('parseTimestamp', () => {
  const limits = { now: NOW, maxSkewMs: 5000, last: null };
  it('accepts ms, ISO strings with a zone, and Dates', () => {
    expect(parseTimestamp(NOW, 'timestamp', limits)).toBe(NOW);
    expect(parseTimestamp(NOW + 0.7, 'timestamp', limits)).toBe(NOW);
    expect(parseTimestamp('2026-01-05T12:00:00Z', 'timestamp', limits)).toBe(NOW);
    expect(parseTimestamp('2026-01-05T13:00:00.000+01:00', 'timestamp', limits)).toBe(NOW);
    expect(parseTimestamp(new Date(NOW), 'timestamp', limits)).toBe(NOW);
    expect(parseTimestamp(NOW + 5000, 'timestamp', limits)).toBe(NOW + 5000);
  });

  it.each<[unknown, string]>([
    [1_767_614_400, 'timestamp: looks like seconds since the epoch, expected milliseconds (got 1767614400)'],
    [1_767_614_400_000_000, 'timestamp: looks like microseconds since the epoch, expected milliseconds (got 1767614400000000)'],
    [1_767_614_400_000_000_000, 'timestamp: looks like nanoseconds since the epoch, expected milliseconds'],
    [NOW + 3 * 3600_000, "timestamp: is 3h 0m ahead of the runtime's clock; at most 5 s allowed"],
    [NOW + 5001, "timestamp: is 5 s ahead of the runtime's clock; at most 5 s allowed"],
    ['yesterday', 'timestamp: must be a valid point in time'],
    ['2026-01-05T12:00:00', 'timestamp: must be a valid point in time'],
    ['2026-01-05', 'timestamp: must be a valid point in time'],
    [NaN, 'timestamp: must be a valid point in time'],
    [new Date(NaN), 'timestamp: is an invalid Date'],
    [-5, 'timestamp: is before 1970'],
    [{ getTime: () => NOW }, 'timestamp: must be a valid point in time'],
  ])('refuses %s', (input, message) => {
    expect(caught(() => parseTimestamp(input, 'timestamp', limits)).message).toContain(message);
  });

  it('refuses a timestamp that goes backwards', () => {
    expect(caught(() => parseTimestamp(NOW - 1500, 'timestamp', { now: NOW, last: NOW })).message).toBe(
      'timestamp: goes backwards: 1.5 s before the last accepted timestamp (2026-01-05T12:00:00.000Z) (got 1767614398500)',
    );
    expect(parseTimestamp(NOW, 'timestamp', { now: NOW, last: NOW })).toBe(NOW);
  });

  it('refuses Date proxies, revoked proxies and Dates with throwing getters without throwing otherwise', () => {
    const date = new Date(NOW);
    Object.defineProperty(date, 'getTime', { get: () => { throw new Error('no'); } });
    expect(parseTimestamp(date, 'timestamp', limits)).toBe(NOW); // the brand check runs no user code
    expect(caught(() => parseTimestamp(new Proxy(new Date(NOW), {}), 't')).message).toMatch(/^t: must be a valid point in time.*\(got a Proxy\)$/);
    expect(caught(() => parseTimestamp(revoked(new Date(NOW)), 't')).field).toBe('t');
  });

  it('formats durations', () => {
    expect([450, 5000, 125_000, 3 * 3600_000, 2 * 86_400_000 + 4 * 3600_000].map(formatDuration)).toEqual(['450 ms', '5 s', '2m 5s', '3h 0m', '2d 4h']);
  });
});

describe('readOrder', () => {
  it('returns the fields as given, reading each once', () => {
    const { object, reads } = counting({ id: ['o1', 'x'], symbol: ['AAPL', ''], side: ['buy', 'hold'], quantity: ['10', 'NaN'], price: ['5012.25', '-1'] });
    expect(readOrder(object)).toEqual({ id: 'o1', symbol: 'AAPL', side: 'buy', quantity: '10', price: '5012.25' });
    expect(reads).toEqual({ id: 1, symbol: 1, side: 1, quantity: 1, price: 1 });
  });

  it('a field that changes between reads is judged on its one read', () => {
    const { object, reads } = counting({ symbol: ['X'], side: ['sell'], quantity: ['-1', '1'] });
    const result = readOrder(object);
    expect(result).toBeInstanceOf(InvalidInputError);
    expect((result as InvalidInputError).message).toBe('order.quantity: must be positive (got "-1")');
    expect(reads.quantity).toBe(1);
  });

  it('accepts numbers and Decimals; a Decimal comes back as an Exact', () => {
    expect(readOrder({ symbol: 'X', side: 'sell', quantity: 3, price: 1.5 })).toEqual({ id: undefined, symbol: 'X', side: 'sell', quantity: 3, price: 1.5 });
    const r = readOrder({ symbol: 'X', side: 'buy', quantity: new (Decimal.clone())('2.5') });
    expect(r).not.toBeInstanceOf(InvalidInputError);
    expect(String((r as { quantity: unknown }).quantity)).toBe('2.5');
  });

  it.each<[string, unknown, RegExp]>([
    ['null', null, /^order: must be an object \(got null\)$/],
    ['no symbol', { side: 'buy', quantity: 1 }, /^order\.symbol: must be a non-empty string \(got undefined\)$/],
    ['bad side', { symbol: 'X', side: 'hold', quantity: 1 }, /^order\.side: must be "buy" or "sell" \(got "hold"\)$/],
    ['zero quantity', { symbol: 'X', side: 'buy', quantity: '0e5' }, /^order\.quantity: must be positive/],
    ['huge exponent', { symbol: 'X', side: 'buy', quantity: '1e999999999' }, /^order\.quantity: has an exponent of more than 6 digits/],
    ['1 MB quantity', { symbol: 'X', side: 'buy', quantity: '1'.repeat(1 << 20) }, /^order\.quantity: is 1048576 characters long/],
    ['35 digits', { symbol: 'X', side: 'buy', quantity: '1'.repeat(35) }, /^order\.quantity: has 35 significant digits/],
    ['Infinity price', { symbol: 'X', side: 'buy', quantity: 1, price: Infinity }, /^order\.price: must be a finite number \(got Infinity\)$/],
    ['negative price', { symbol: 'X', side: 'buy', quantity: 1, price: -3 }, /^order\.price: must be positive \(got -3\)$/],
    ['null price', { symbol: 'X', side: 'buy', quantity: 1, price: null }, /^order\.price: must be a number/],
    ['numeric id', { id: 7, symbol: 'X', side: 'buy', quantity: 1 }, /^order\.id: must be a non-empty string when given \(got 7\)$/],
    ['a throwing getter', { symbol: 'X', side: 'buy', get quantity(): never { throw new Error('boom'); } }, /^order: could not be read; reading it threw: boom/],
    ['a Proxy that throws', new Proxy({}, { get: () => { throw new Error('trap'); } }), /^order: could not be read; reading it threw: trap \(got a Proxy\)$/],
    ['a revoked Proxy', revoked({ symbol: 'X', side: 'buy', quantity: 1 }), /^order: could not be read; reading it threw: .*\(got a Proxy\)$/],
  ])('rejects %s without throwing', (_name, order, message) => {
    const result = readOrder(order);
    expect(result).toBeInstanceOf(InvalidInputError);
    expect((result as InvalidInputError).message).toMatch(message);
    expect(orderProblem(order)?.message).toBe((result as InvalidInputError).message);
  });

  it('accepts a well-behaved Proxy order', () => {
    expect(readOrder(new Proxy({ symbol: 'X', side: 'buy', quantity: '1' }, {}))).toMatchObject({ symbol: 'X', quantity: '1' });
    expect(orderProblem({ symbol: 'X', side: 'buy', quantity: '1' })).toBeNull();
  });
});

describe('positions and updates', () => {
  it('validatePositions reads each field once and returns fresh plain objects', () => {
    const { object, reads } = counting({ symbol: ['X', ''], quantity: ['-5', 'abc'], price: [new Decimal('10.5'), 'abc'] });
    const positions = validatePositions([object]);
    expect(reads).toEqual({ symbol: 1, quantity: 1, price: 1 });
    expect(positions[0]).not.toBe(object);
    expect(positions[0]!.quantity).toBe('-5');
    expect(String(positions[0]!.price)).toBe('10.5');
  });

  it('refuses bad, hostile and proxied positions by path', () => {
    expect(caught(() => validatePositions([{ symbol: 'X', quantity: 1 }, { symbol: '', quantity: 1 }])).field).toBe('positions[1].symbol');
    expect(caught(() => validatePositions([{ symbol: 'X', quantity: '1e30' }])).message).toMatch(/^positions\[0\]\.quantity: magnitude 1e\+30/);
    expect(caught(() => validatePositions([{ symbol: 'X', quantity: 1, price: -1 }])).field).toBe('positions[0].price');
    expect(caught(() => validatePositions(revoked([]))).message).toMatch(/^positions: could not be read/);
    expect(caught(() => validatePositions([revoked({})])).message).toMatch(/^positions\[0\]: could not be read/);
    expect(caught(() => validatePositions(new Proxy([1], { get: () => { throw new Error('x'); } }))).field).toBe('positions');
    expect(caught(() => validatePositions('nope')).message).toMatch(/^positions: must be an array/);
    expect(caught(() => validatePositions({ length: 1e9 })).message).toMatch(/must be an array/);
  });

  it('readPortfolioUpdate reads value, timestamp and positions once', () => {
    const { object, reads } = counting({ value: ['1000', 'abc'], timestamp: [NOW, NOW + 1e9], positions: [[{ symbol: 'X', quantity: 1 }], null] });
    const update = readPortfolioUpdate(object, { now: NOW, last: null });
    expect(update.value.toString()).toBe('1000');
    expect(update.at).toBe(NOW);
    expect(update.positions).toEqual([{ symbol: 'X', quantity: 1 }]);
    expect(reads).toEqual({ value: 1, timestamp: 1, positions: 1 });
  });

  it('readPortfolioUpdate refuses hostile updates with typed errors', () => {
    expect(caught(() => readPortfolioUpdate(revoked({ value: 1 }))).field).toBe('update');
    expect(caught(() => readPortfolioUpdate(new Proxy({}, { get: () => { throw new Error('x'); } }))).message).toMatch(/^update: could not be read/);
    expect(caught(() => readPortfolioUpdate(null)).message).toMatch(/^update: must be an object/);
    expect(caught(() => readPortfolioUpdate({ value: 0 }, { valueSign: 'positive' })).message).toMatch(/^value: must be positive/);
    expect(readPortfolioUpdate({ value: -50 }).value.toString()).toBe('-50');
    expect(caught(() => readPortfolioUpdate({ value: 1, timestamp: 1_767_614_400 }, { now: NOW })).message).toMatch(/seconds since the epoch/);
  });
});

describe('errors, operators and fills', () => {
  it('validates error reports, reading once, truncating long messages', () => {
    const { object, reads } = counting({ kind: ['broker_error', 'x'], message: ['down', 5] });
    expect(validateErrorReport(object)).toEqual({ kind: 'broker_error', message: 'down' });
    expect(reads).toEqual({ kind: 1, message: 1 });
    expect(validateErrorReport({ kind: 'data_error', message: 'x'.repeat(5000) }).message).toHaveLength(1001);
    expect(caught(() => validateErrorReport({ kind: 'cosmic_ray', message: 'x' })).message).toBe(
      'error.kind: must be one of order_rejected, broker_error, data_error (got "cosmic_ray")',
    );
    expect(caught(() => validateErrorReport(revoked({}))).field).toBe('error');
  });

  it('validates operators', () => {
    expect(validateOperator('  ann ')).toBe('ann');
    expect(caught(() => validateOperator(' ')).field).toBe('operator');
    expect(caught(() => validateOperator('x'.repeat(129), 'by')).field).toBe('by');
  });

  it('validates fills, reading once, into canonical strings', () => {
    const { object, reads } = counting({ orderId: ['o1', 5], symbol: ['X', ''], side: ['sell', 'x'], quantity: [new Decimal('2.50'), 'x'], price: ['1e2', 'x'] });
    expect(validateFill(object, NOW)).toEqual({ orderId: 'o1', symbol: 'X', side: 'sell', quantity: '2.5', price: '100', at: NOW });
    expect(reads).toEqual({ orderId: 1, symbol: 1, side: 1, quantity: 1, price: 1 });
    expect(caught(() => validateFill({ symbol: 'X', side: 'buy', quantity: 0, price: 1 }, NOW)).message).toMatch(/^fill\.quantity: must be positive/);
    expect(caught(() => validateFill(revoked({}), NOW)).field).toBe('fill');
  });
});

describe('describeValue', () => {
  it('never throws, and runs no Proxy trap', () => {
    const toJson = { toJSON: () => { throw new Error('x'); } };
    expect(describeValue(revoked({}))).toBe('a Proxy');
    expect(describeValue(toJson)).toBe('[object Object]');
    expect(describeValue(new Date(NOW))).toBe('Date(2026-01-05T12:00:00.000Z)');
    expect(describeValue(Symbol('s'))).toBe('a symbol');
    const tagThrows = Object.defineProperty({ toJSON: () => { throw new Error('x'); } }, Symbol.toStringTag, { get: () => { throw new Error('y'); } });
    expect(describeValue(tagThrows)).toBe('an unreadable object');
  });
});
