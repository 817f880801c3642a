import { describe, expect, it } from 'vitest';
import { parseSeries } from '../../src/replay/series.ts';
import { sweepChart } from '../../src/replay/report/sweepChart.ts';
import { labelRows } from '../../src/replay/report/svg.ts';
import { decimalsFor, niceTicks, thin } from '../../src/replay/report/ticks.ts';
import { tradingAxis } from '../../src/replay/report/tradingAxis.ts';
import type { SweepRow } from '../../src/replay/sweep.ts';
import { weekOfMinuteBars } from './weekOfBars.ts';

const DAY = 86_400_000;
const row = (setting: Record<string, number>, trips: number, haltedShare: number): SweepRow => ({
  setting,
  trips,
  firstTrip: null,
  haltedShare,
  worstDrawdown: { withBreaker: -0.01, without: -0.02 },
});

describe('trading-time axis', () => {
  it('folds the four nights of a week of minute bars and labels each trading day', () => {
    const series = parseSeries(weekOfMinuteBars(), 'week.csv');
    const axis = tradingAxis(series.at);
    expect(axis.folds.map((f) => f.index)).toEqual([390, 780, 1170, 1560]);
    // 17 h 31 min closed each night (16:00 → 09:30 next day, bars stamped at their start).
    for (const f of axis.folds) expect(f.closedMs).toBe(DAY - 389 * 60_000);
    // 1950 bars of one minute, a fold counted as one step: 1949 minutes of trading time.
    expect(axis.span).toBe(1949 * 60_000);
    expect(axis.ticks.map((t) => t.label)).toEqual(['Mon 2024-03-11', 'Tue 2024-03-12', 'Wed 2024-03-13', 'Thu 2024-03-14', 'Fri 2024-03-15']);
    // Positions never go back, and each day is as wide as the next.
    for (let i = 1; i < axis.pos.length; i++) expect(axis.pos[i]!).toBeGreaterThan(axis.pos[i - 1]!);
    expect(axis.pos[780]! - axis.pos[390]!).toBe(axis.pos[1170]! - axis.pos[780]!);
  });

  it('folds weekends of daily bars and labels months', () => {
    const at: number[] = [];
    for (let d = Date.UTC(2024, 0, 1); d < Date.UTC(2024, 2, 1); d += DAY) if (![0, 6].includes(new Date(d).getUTCDay())) at.push(d);
    const axis = tradingAxis(at);
    expect(axis.folds.length).toBe(8); // eight weekends in January and February 2024
    expect(axis.folds.every((f) => f.closedMs === 3 * DAY)).toBe(true);
    expect(axis.ticks.map((t) => t.label)).toEqual(['2024-01', '2024-02']);
  });

  it('leaves an evenly spaced series as it is, and copes with one row or repeated times', () => {
    const even = tradingAxis([0, 10, 20, 30]);
    expect(even.folds).toEqual([]);
    expect([...even.pos]).toEqual([0, 10, 20, 30]);
    expect(tradingAxis([5]).span).toBe(1);
    expect([...tradingAxis([0, 0, 10]).pos]).toEqual([0, 0, 10]);
  });
});

describe('ticks and labels', () => {
  it('round ticks covering the range, and the decimals their labels need', () => {
    expect(niceTicks(4531, 5032, 6)).toEqual([4600, 4800, 5000]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 1, 6)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
    expect(decimalsFor([4600, 4800])).toBe(0);
    expect(decimalsFor([0.25, 0.5])).toBe(2);
    expect(thin([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4)).toEqual([1, 4, 7, 10]);
  });

  it('puts labels that would overlap on rows of their own, and leaves a label out when every row is taken', () => {
    expect(labelRows([{ x: 0, width: 50 }, { x: 60, width: 50 }], 3)).toEqual([0, 0]);
    expect(labelRows([{ x: 0, width: 50 }, { x: 10, width: 50 }, { x: 20, width: 50 }, { x: 70, width: 10 }], 2)).toEqual([0, 1, -1, 0]);
  });
});

describe('sweep chart', () => {
  it('one parameter: a line over its values, the parameter named on the axis', () => {
    const svg = sweepChart([row({ 'drawdown.threshold': -0.02 }, 4, 0.2), row({ 'drawdown.threshold': -0.04 }, 1, 0.05)])!;
    expect(svg).toContain('class="sweep-line"');
    expect(svg.match(/class="trips-dot"/g)).toHaveLength(2);
    expect(svg).toContain('>drawdown.threshold</text>');
    expect(svg).toContain('>-0.02</text>');
    expect(svg).not.toContain('rect class="bar"');
  });

  it('two parameters: a heat map with one cell per setting and both parameters named', () => {
    const rows: SweepRow[] = [];
    for (const a of [-0.01, -0.02, -0.03]) for (const b of [-0.05, -0.1]) rows.push(row({ 'drawdown.threshold': a, 'dailyLoss.limit': b }, Math.round(-a * 100), -a * 10));
    const svg = sweepChart(rows)!;
    expect(svg).toContain('class="sweep-heatmap"');
    expect(svg.match(/<g class="cell">/g)).toHaveLength(6);
    expect(svg).toContain('>drawdown.threshold</text>');
    expect(svg).toContain('>dailyLoss.limit</text>');
    // Every x label once (no repeated -0.01, -0.01, …), every y label once.
    for (const v of ['-0.01', '-0.02', '-0.03', '-0.05', '-0.1']) expect(svg.split(`>${v}</text>`).length - 1).toBe(1);
    // The halted share sets the colour: never halted is white, always halted is red.
    expect(svg).toContain('fill="rgb(255,255,255)"');
  });

  it('three parameters: no chart (the table shows them)', () => {
    expect(sweepChart([row({ a: 1, b: 2, c: 3 }, 0, 0)])).toBeNull();
    expect(sweepChart([])).toBeNull();
  });
});
