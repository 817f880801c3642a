import { copyFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RiskRuntime } from '../../src/index.ts';
import { ARTIFACTS, ROOT, launchBrowser, startHarness, type Harness } from './harness.ts';

/**
 * The desk's view: every strategy of the process on one screen, a strategy's page opened from it,
 * a reduce-only halt from the halt dialog, and a two-step halt of every strategy in both modes.
 */

let harness: Harness;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const NAMES = ['alpha-1', 'beta-2', 'gamma-3'];
const rt = (name: string): RiskRuntime => harness.runtimes.get(name)!;
const rowOf = (name: string) => page.locator(`#overview-table tr[data-strategy="${name}"]`);
const SELL = { symbol: 'ES', side: 'sell', quantity: '1', price: '5000' } as const;
const BUY = { symbol: 'ES', side: 'buy', quantity: '1', price: '5000' } as const;

beforeAll(async () => {
  harness = await startHarness(NAMES);
  rt('alpha-1').updatePortfolio({ value: '100000', positions: [{ symbol: 'ES', quantity: '2', price: '5000' }] });
  rt('alpha-1').updatePortfolio({ value: '96000', positions: [{ symbol: 'ES', quantity: '2', price: '5000' }] });
  rt('beta-2').updatePortfolio({ value: '50000', positions: [{ symbol: 'ES', quantity: '3', price: '5000' }] });
  rt('gamma-3').updatePortfolio({ value: '75000', positions: [{ symbol: 'ES', quantity: '1', price: '5000' }] });
  rt('gamma-3').updatePortfolio({ value: '66000', positions: [{ symbol: 'ES', quantity: '1', price: '5000' }] }); // -12 %: drawdown trips
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('overview of every strategy (chromium, real server)', () => {
  it('opens on every strategy with state, trading mode, value, P&L today and the worst breaker', async () => {
    await page.goto(harness.url);
    await expect.poll(() => page.locator('#overview-table tbody tr').count()).toBe(3);
    await expect.poll(() => rowOf('gamma-3').locator('[data-role="state"]').textContent()).toBe('TRIPPED');
    expect(await rowOf('gamma-3').locator('[data-role="worst"]').textContent()).toContain('Drawdown: TRIPPED');
    expect(await rowOf('alpha-1').locator('[data-role="state"]').textContent()).toBe('NORMAL');
    expect(await rowOf('alpha-1').locator('[data-role="mode"]').textContent()).toBe('ACTIVE');
    const alpha = await rowOf('alpha-1').textContent();
    expect(alpha).toContain('96,000.00');
    expect(alpha).toContain('-4,000.00 (-4.00%)');
    expect(await page.locator('#overview-counts').textContent()).toMatch(/^2 active · 0 reduce-only · 1 halted/);
    await page.screenshot({ path: `${ARTIFACTS}/20-overview.png`, fullPage: false });
    copyFileSync(`${ARTIFACTS}/20-overview.png`, `${ROOT}docs/images/dashboard-overview.png`);
  });

  it("opens a strategy's page from its row", async () => {
    await rowOf('gamma-3').locator('[data-role="open-strategy"]').click();
    await expect.poll(() => page.locator('#strategy-select').inputValue()).toBe('gamma-3');
    await expect.poll(() => page.locator('#global-state-text').textContent()).toBe('TRIPPED');
  });

  it('halts one strategy reduce-only from its halt dialog: risk-reducing orders pass, others do not', async () => {
    await rowOf('alpha-1').locator('[data-role="open-strategy"]').click();
    await expect.poll(() => page.locator('#global-state-text').textContent()).toBe('NORMAL');
    await page.fill('#operator-name', 'dana');
    await page.fill('#operator-token', harness.token);
    await page.click('#credentials-form button[type="submit"]');
    await page.click('#halt-button');
    await page.fill('#halt-reason', 'cut risk only');
    await page.check('#halt-mode-reduce');
    await page.check('#halt-confirm');
    await page.click('#halt-submit');
    await expect.poll(() => page.locator('#halt-dialog .dialog-result').textContent()).toContain('only risk-reducing orders pass (REDUCING)');
    expect(rt('alpha-1').tradingMode).toBe('REDUCING');
    expect(rt('alpha-1').check(SELL).allowed).toBe(true);
    expect(rt('alpha-1').check(BUY).allowed).toBe(false);
    await page.keyboard.press('Escape');
    await expect.poll(() => rowOf('alpha-1').locator('[data-role="mode"]').textContent()).toBe('REDUCING');
  });

  it('halt all, reduce-only: two steps, a wrong confirmation sends nothing, then every strategy is REDUCING', async () => {
    await page.click('#halt-all-button');
    await page.check('#halt-all-mode-reduce');
    await page.fill('#halt-all-reason', 'desk-wide de-risking');
    await page.click('#halt-all-submit'); // step 1 → 2
    await expect.poll(() => page.locator('#halt-all-summary').textContent()).toContain('Reduce-only halt');
    expect(await page.locator('#halt-all-summary').textContent()).toContain('3 strategies: alpha-1, beta-2, gamma-3');
    await page.fill('#halt-all-typed', 'halt al');
    await page.click('#halt-all-submit');
    await expect.poll(() => page.locator('#halt-all-dialog .dialog-result').textContent()).toContain('Nothing was sent');
    expect(rt('beta-2').tradingMode).toBe('ACTIVE');
    await page.fill('#halt-all-typed', 'halt all');
    await page.click('#halt-all-submit');
    await expect.poll(() => page.locator('#halt-all-dialog .dialog-result').textContent()).toContain('Halted every strategy.');
    expect(rt('beta-2').tradingMode).toBe('REDUCING');
    expect(rt('beta-2').check(SELL).allowed).toBe(true);
    expect(rt('beta-2').check(BUY).allowed).toBe(false);
    // gamma-3 is also tripped (drawdown, a full halt): a reduce-only halt does not loosen it.
    expect(rt('gamma-3').tradingMode).toBe('HALTED');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#overview-counts').textContent()).toMatch(/^0 active · 2 reduce-only · 1 halted/);
  });

  it('halt all, full: every strategy HALTED and every order rejected', async () => {
    await page.click('#halt-all-button');
    await page.fill('#halt-all-reason', 'stop everything');
    await page.click('#halt-all-submit');
    await expect.poll(() => page.locator('#halt-all-summary').textContent()).toContain('Full halt');
    await page.fill('#halt-all-typed', 'halt all');
    await page.click('#halt-all-submit');
    await expect.poll(() => page.locator('#halt-all-dialog .dialog-result').textContent()).toContain('Halted every strategy.');
    for (const name of NAMES) {
      expect(rt(name).tradingMode).toBe('HALTED');
      expect(rt(name).check(SELL).allowed).toBe(false);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#overview-counts').textContent()).toMatch(/^0 active · 0 reduce-only · 3 halted/);
    expect(await rowOf('beta-2').locator('[data-role="worst"]').textContent()).toContain('Manual halt: MANUALLY HALTED — halted by dana');
  });

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
