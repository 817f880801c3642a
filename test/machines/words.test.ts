import { describe, expect, it } from 'vitest';
import { addDec, formatDec, money, mulDec, parseDec, percent, price, quantity, signedMoney, signedPercent } from '../../machines/words/format.ts';

/** The one number format at its edges (machines/words/format.ts; every figure a person reads uses it). */
describe('number formats', () => {
  it('parses decimal strings and finite numbers, nothing else', () => {
    expect(parseDec('12.50')).toEqual({ units: 1250n, scale: 2 });
    expect(parseDec(' -0.5 ')).toEqual({ units: -5n, scale: 1 });
    expect(parseDec('+3')).toEqual({ units: 3n, scale: 0 });
    expect(parseDec('1.5e3')).toEqual({ units: 1500n, scale: 0 });
    expect(parseDec('25e-3')).toEqual({ units: 25n, scale: 3 });
    expect(parseDec('.5')).toEqual({ units: 5n, scale: 1 });
    expect(parseDec('5.')).toEqual({ units: 5n, scale: 0 });
    expect(parseDec(7)).toEqual({ units: 7n, scale: 0 });
    for (const bad of ['', '.', '-', 'abc', '1,000', '1e', 'NaN', NaN, Infinity, null, undefined, {}, true]) expect(parseDec(bad), String(bad)).toBeNull();
    // Display only: an exponent past 400 (or 400 digits) is refused, never expanded.
    expect(parseDec('1e400')).not.toBeNull();
    expect(parseDec('1e401')).toBeNull();
    expect(parseDec('1e-401')).toBeNull();
    expect(parseDec('1'.repeat(401))).toBeNull();
    expect(parseDec('1'.repeat(400))).not.toBeNull();
  });

  it('adds and multiplies exactly', () => {
    expect(formatDec(mulDec(parseDec('0.1')!, parseDec('3')!), 2)).toBe('0.30');
    expect(formatDec(addDec(parseDec('0.1')!, parseDec('0.25')!), 3)).toBe('0.350');
    expect(addDec(parseDec('1.5')!, parseDec('2')!)).toEqual({ units: 35n, scale: 1 });
  });

  it('rounds half away from zero and groups thousands', () => {
    expect(formatDec(parseDec('1234567.005')!, 2)).toBe('1,234,567.01');
    expect(formatDec(parseDec('-1234567.005')!, 2)).toBe('-1,234,567.01');
    expect(formatDec(parseDec('0.004')!, 2)).toBe('0.00');
    expect(formatDec(parseDec('-0.004')!, 2)).toBe('0.00');
    expect(formatDec(parseDec('999.995')!, 2)).toBe('1,000.00');
    expect(formatDec(parseDec('12')!, 0)).toBe('12');
    expect(formatDec(parseDec('123456')!, 0)).toBe('123,456');
    expect(formatDec(parseDec('5')!, 3)).toBe('5.000');
  });

  it('money, quantities, prices and percentages', () => {
    expect(money('901647.783')).toBe('901,647.78');
    expect(money('901647.783', 0)).toBe('901,648');
    expect(money('x')).toBe('–');
    expect(quantity('10000.5')).toBe('10,000.5');
    expect(quantity('3')).toBe('3');
    expect(quantity('0.123456789')).toBe('0.12345679');
    expect(quantity(null)).toBe('–');
    expect(price('88.85388405545673')).toBe('88.8539');
    expect(price('1.0875')).toBe('1.0875');
    expect(price('5000')).toBe('5,000.00');
    expect(price('5000.1')).toBe('5,000.10');
    expect(price('0.012345678')).toBe('0.012346');
    expect(price('-0.5')).toBe('-0.50');
    expect(price('1')).toBe('1.00');
    expect(price('-1.23456')).toBe('-1.2346');
    expect(price(undefined)).toBe('–');
    expect(percent('-0.1760949')).toBe('-17.6%');
    expect(percent('-0.1760949', 2)).toBe('-17.61%');
    expect(percent('-0.00001', 1)).toBe('0.0%');
    expect(percent('1.5', 0)).toBe('150%');
    expect(percent('12345', 0)).toBe('1234500%');
    expect(percent(null)).toBe('–');
    expect(signedPercent('0.0125')).toBe('+1.25%');
    expect(signedPercent('-0.12')).toBe('-12.00%');
    expect(signedPercent('0')).toBe('0.00%');
    expect(signedPercent('0', 0)).toBe('0%');
    expect(signedPercent(undefined)).toBe('–');
    expect(signedMoney('1200')).toBe('+1,200.00');
    expect(signedMoney('-3000')).toBe('-3,000.00');
    expect(signedMoney('0')).toBe('0.00');
    expect(signedMoney('0.001')).toBe('0.00');
    expect(signedMoney(null)).toBe('–');
  });
});
