import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/replay/html.ts';
import { replaySeries } from '../../src/replay/replay.ts';
import { parseSeries } from '../../src/replay/series.ts';
import { parseSweepSpec, sweep } from '../../src/replay/sweep.ts';
import { weekOfMinuteBars } from '../replay/weekOfBars.ts';
import { ARTIFACTS, ROOT, launchBrowser } from './harness.ts';

/** The replay's HTML report (`breakerbox replay … --sweep … --html report.html`), opened from disk in chromium. */
let browser: Browser;
let file: string;

beforeAll(async () => {
  const series = parseSeries(readFileSync(join(ROOT, 'test/replay/fixtures/index-2023.csv'), 'utf8'), 'index-2023.csv');
  const base = { breakers: { drawdown: { threshold: -0.06 }, dailyLoss: false as const } };
  const replay = await replaySeries(series, base);
  const rows = await sweep(series, [parseSweepSpec('drawdown.threshold=-0.03:-0.12:0.01')], base, { workers: 0 });
  file = join(mkdtempSync(join(tmpdir(), 'bb-report-')), 'report.html');
  writeFileSync(file, renderHtmlReport({ series, replay, sweep: rows }));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('replay HTML report in chromium', () => {
  it('shows the series with its trips, the sweep chart and table, with no console errors and no request', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    await expect.poll(() => page.locator('h1').textContent()).toContain('breakerbox replay: index-2023.csv');
    const series = page.locator('#series-chart');
    expect(await series.isVisible()).toBe(true);
    expect(await series.locator('polyline.series').getAttribute('points')).toMatch(/^\d/);
    const trips = await series.locator('circle.trip').count();
    expect(trips).toBeGreaterThan(0);
    expect(await series.locator('rect.halted').count()).toBe(trips);
    expect(await page.locator('#sweep-chart').isVisible()).toBe(true);
    // One swept parameter: a line of trips (one dot per setting) and the halted share, the parameter named on its axis.
    expect(await page.locator('#sweep-chart.sweep-line circle.trips-dot').count()).toBe(10);
    expect(await page.locator('#sweep-chart text.axis-title').allTextContents()).toContain('drawdown.threshold');
    const table = page.locator('#sweep-table');
    expect(await table.isVisible()).toBe(true);
    expect(await table.locator('tbody tr').count()).toBe(10);
    expect(await table.locator('thead').textContent()).toContain('drawdown.threshold');
    expect(await table.locator('tbody tr').first().textContent()).toContain('-0.03');
    expect(await page.locator('#events-table tbody tr.trip').count()).toBe(trips);
    const box = await series.boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    // Trips and recoveries are labelled with their breaker.
    expect(await series.locator('text.trip-label').first().textContent()).toMatch(/^drawdown trip$/);
    await page.screenshot({ path: `${ARTIFACTS}/replay-report.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('a week of minute bars with a two-parameter sweep: trading-time axis, labelled marks, a heat map naming both parameters', async () => {
    const week = parseSeries(weekOfMinuteBars(), 'week-1m.csv');
    const base = { breakers: { drawdown: { threshold: -0.03 }, dailyLoss: { limit: -0.02 } }, marketOpen: { time: '09:30', timeZone: 'America/New_York' }, reset: '30m' } as const;
    const replay = await replaySeries(week, base as never);
    const rows = await sweep(week, [parseSweepSpec('drawdown.threshold=-0.01:-0.05:0.01'), parseSweepSpec('dailyLoss.limit=-0.01:-0.04:0.01')], base as never, { workers: 0 });
    const weekFile = join(mkdtempSync(join(tmpdir(), 'bb-report-week-')), 'report.html');
    writeFileSync(weekFile, renderHtmlReport({ series: week, replay, sweep: rows }));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(pathToFileURL(weekFile).href);
    const chart = page.locator('#series-chart');
    // Four nights folded, each marked; one label per trading day.
    expect(await chart.locator('line.fold').count()).toBe(4);
    expect(await chart.locator('text.tick').allTextContents()).toEqual(expect.arrayContaining(['Mon 2024-03-11', 'Tue 2024-03-12', 'Wed 2024-03-13', 'Thu 2024-03-14', 'Fri 2024-03-15']));
    expect(replay.trips).toBeGreaterThan(0);
    expect(await chart.locator('circle.trip').count()).toBe(replay.trips);
    expect((await chart.locator('text.mark-label').allTextContents()).some((t) => /^(drawdown|dailyLoss) trip$/.test(t))).toBe(true);
    // The sweep: 5 × 4 cells, both parameters named.
    const heat = page.locator('#sweep-chart.sweep-heatmap');
    expect(await heat.locator('g.cell').count()).toBe(20);
    const titles = await heat.locator('text.axis-title').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['drawdown.threshold', 'dailyLoss.limit', 'halted share']));
    await page.screenshot({ path: `${ARTIFACTS}/replay-report-week.png`, clip: { x: 0, y: 0, width: 1100, height: 900 } });
    copyFileSync(`${ARTIFACTS}/replay-report-week.png`, `${ROOT}docs/images/replay-report-week.png`);
  });
});
