import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/replay/html.ts';
import { replaySeries } from '../../src/replay/replay.ts';
import { parseSeries } from '../../src/replay/series.ts';
import { parseSweepSpec, sweep } from '../../src/replay/sweep.ts';
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
    expect(await page.locator('#sweep-chart rect.bar').count()).toBe(10);
    const table = page.locator('#sweep-table');
    expect(await table.isVisible()).toBe(true);
    expect(await table.locator('tbody tr').count()).toBe(10);
    expect(await table.locator('thead').textContent()).toContain('drawdown.threshold');
    expect(await table.locator('tbody tr').first().textContent()).toContain('-0.03');
    expect(await page.locator('#events-table tbody tr.trip').count()).toBe(trips);
    const box = await series.boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    await page.screenshot({ path: `${ARTIFACTS}/replay-report.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });
});
