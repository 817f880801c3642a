import { copyFileSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BREAKER_TYPES, type RiskRuntime } from '../../src/index.ts';
import { ARTIFACTS, ROOT, launchBrowser, startHarness, type Harness } from './harness.ts';

/**
 * The scripted scenario, in a real browser against the real server:
 * NORMAL → prices rise → crash (drawdown TRIPPED within a second, "-12.0%") → halt from the
 * page (runtime rejects orders, MANUALLY_HALTED) → two-step resets → NORMAL, orders allowed;
 * the error filter filters; the layout collapses to one column on a narrow screen.
 */

const ORDER = { id: 'probe', symbol: 'AAPL', side: 'buy', quantity: '1', price: '190' } as const;

let harness: Harness;
let browser: Browser;
let page: Page;
let rt: RiskRuntime;
const pageErrors: string[] = [];

const positions = (aapl: string, msft: string) => [
  { symbol: 'AAPL', quantity: '200', price: aapl },
  { symbol: 'MSFT', quantity: '75', price: msft },
  { symbol: 'EURUSD', quantity: '10000.5', price: '1.0875' },
];

const light = (breaker: string) => page.locator(`#breaker-lights li[data-breaker="${breaker}"]`);
const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: false });

beforeAll(async () => {
  harness = await startHarness();
  rt = harness.runtimes.get('alpha-1')!;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (msg) => {
    // The 403 of the deliberate wrong-token call is expected; anything else is a failure.
    if (msg.type() === 'error' && !msg.text().includes('status of 403')) pageErrors.push(`console: ${msg.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('live dashboard (chromium, real server)', () => {
  it('loads and shows every breaker NORMAL, with the strategy selector and statecharts', async () => {
    rt.updatePortfolio({ value: '98000', positions: positions('188.10', '405.00') });
    await page.goto(harness.url);
    await expect.poll(() => page.locator('#global-state-text').textContent()).toBe('NORMAL');
    for (const b of ['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'manual']) {
      await expect.poll(() => light(b).getAttribute('data-state')).toBe('NORMAL');
      expect(await light(b).locator('.light-state').textContent()).toBe('NORMAL');
    }
    // staleData and cluster are off in this configuration: their lights say so instead of NORMAL.
    for (const b of ['staleData', 'cluster']) await expect.poll(() => light(b).getAttribute('data-state')).toBe('DISABLED');
    expect(await page.locator('#strategy-select option').allTextContents()).toEqual(['alpha-1', 'beta-2']);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('live');
    // The supervisor's chart and one per breaker of the registry.
    await expect.poll(() => page.locator('#statecharts figure').count()).toBe(1 + BREAKER_TYPES.length);
    expect(await page.locator('#statecharts figure[data-machine="drawdown"] .sc-node.current').getAttribute('data-state')).toBe('NORMAL');
  });

  it('updates live from the SSE stream: value chart, positions, P&L, orders and errors', async () => {
    for (const [value, aapl, msft] of [['99000', '189.00', '407.50'], ['100000', '191.25', '410.10']] as const) {
      rt.updatePortfolio({ value, positions: positions(aapl, msft) });
      await new Promise((r) => setTimeout(r, 150));
    }
    await expect.poll(() => page.locator('#value-summary').textContent()).toContain('100,000.00');
    // Market value = quantity × price in decimal string math: 10000.5 × 1.0875 = 10875.54375 → 10,875.54.
    const rows = page.locator('#positions tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toContain('38,250.00'); // 200 × 191.25
    expect(await rows.nth(2).textContent()).toContain('10,875.54');
    expect(await page.locator('#positions tfoot').textContent()).toContain('79,883.04'); // 38250 + 30757.5 + 10875.54375
    expect(await page.locator('#value-chart canvas').count()).toBeGreaterThan(0);

    expect(rt.check({ ...ORDER, id: 'o-1' }).allowed).toBe(true);
    expect(rt.check({ id: 'o-2', symbol: 'MSFT', side: 'sell', quantity: '5' }).allowed).toBe(true);
    expect(rt.check({ id: 'o-bad', symbol: 'MSFT', side: 'sell', quantity: '-5' }).allowed).toBe(false);
    await expect.poll(() => page.locator('#orders tbody tr').count()).toBe(3);
    expect(await page.locator('#orders tbody tr').first().textContent()).toContain('REJECTED');
    expect(await page.locator('#orders tbody tr').nth(1).textContent()).toContain('ALLOWED');
    rt.recordFill({ orderId: 'o-2', symbol: 'MSFT', side: 'sell', quantity: '5', price: '410.10' });
    await expect.poll(() => page.locator('#orders tbody tr.fill').count()).toBe(1);
    const fill = await page.locator('#orders tbody tr.fill').textContent();
    expect(fill).toContain('FILLED');
    expect(fill).toContain('MSFT #o-2');
    expect(fill).toContain('410.10');

    for (let i = 0; i < 2; i++) rt.recordError({ kind: 'order_rejected', message: `broker refused order ${i}: insufficient margin` });
    for (let i = 0; i < 4; i++) rt.recordError({ kind: 'broker_error', message: `gateway timeout ${i}` });
    expect(() => rt.recordError({ kind: 'bogus' as never, message: 'unknown kind' })).toThrow();
    rt.recordError({ kind: 'broker_error', message: 'connection reset by peer' }); // the 8th: warning (80 % of 10)
    await expect.poll(() => light('errorRate').getAttribute('data-state')).toBe('WARNING');
    expect(await light('errorRate').textContent()).toContain('8 / 10 errors in 60 s');
    expect(await light('errorRate').textContent()).toContain('broker_error 5');
    await expect.poll(() => page.locator('#journal li').count()).toBeGreaterThan(2);
  });

  it('turns the drawdown light red within a second of the price crash, with the figure', async () => {
    const before = Date.now();
    rt.updatePortfolio({ value: '88000', positions: positions('150.40', '361.00') });
    await page
      .waitForFunction(
        () => {
          const el = document.querySelector('#breaker-lights li[data-breaker="drawdown"]');
          return el?.getAttribute('data-state') === 'TRIPPED' && (el.textContent ?? '').includes('-12.0%');
        },
        undefined,
        { timeout: 1000, polling: 50 },
      )
      .catch(async (error: unknown) => {
        const seen = await light('drawdown').evaluate((el) => `${el.getAttribute('data-state')}: ${el.textContent}`);
        throw new Error(`drawdown light not red within 1 s (${Date.now() - before} ms); it shows ${seen}`, { cause: error });
      });
    const elapsed = Date.now() - before;
    expect(elapsed).toBeLessThan(1000);
    const card = light('drawdown');
    expect(await card.locator('.light-state').textContent()).toBe('TRIPPED');
    expect(await card.locator('.light-figure').textContent()).toBe('-12.0% drawdown');
    await expect.poll(() => card.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(179, 38, 30)');
    expect(await page.locator('#global-state-text').textContent()).toBe('TRIPPED');
    expect(await page.locator('#orders-allowed').textContent()).toBe('orders BLOCKED');
    await expect.poll(() => page.locator('#alerter').textContent()).toContain('Drawdown breaker: NORMAL → TRIPPED');
    await expect.poll(() => page.locator('#statecharts figure[data-machine="drawdown"] .sc-node.current').getAttribute('data-state')).toBe('TRIPPED');
    await expect.poll(() => page.locator('#journal li').first().textContent()).toMatch(/StateChanged|CircuitBreakerTripped/);
    expect(await page.locator('#journal').textContent()).toContain('drawdown -12.00% reached threshold -10.00%');
    // A few decisions while tripped, for the picture.
    rt.check({ ...ORDER, id: 'o-3' });
    await expect.poll(() => page.locator('#orders tbody tr').count()).toBe(5); // 3 decisions and a fill before, this one now
    await page.waitForTimeout(400);
    await shot('01-drawdown-tripped');
    mkdirSync(`${ROOT}docs/images`, { recursive: true });
    copyFileSync(`${ARTIFACTS}/01-drawdown-tripped.png`, `${ROOT}docs/images/dashboard.png`);
  });

  it('asks for credentials first, and shows the server’s refusal for a wrong token', async () => {
    await page.click('#halt-button');
    expect(await page.locator('#halt-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('operator-name');
    await page.fill('#operator-name', 'dana');
    await page.fill('#operator-token', 'wrong-token');
    await page.click('#credentials-form button[type="submit"]');
    expect(await page.evaluate(() => ({ token: sessionStorage.getItem('breakerbox.token'), cookie: document.cookie, url: location.href }))).toEqual({
      token: 'wrong-token',
      cookie: '',
      url: `${harness.url}/`,
    });
    await page.click('#halt-button');
    await page.fill('#halt-reason', 'testing the wrong token');
    await page.check('#halt-confirm');
    await page.click('#halt-submit');
    await expect.poll(() => page.locator('#halt-dialog .dialog-result').textContent()).toContain('Not authorised: the bearer token is not valid');
    expect(rt.state).toBe('TRIPPED');
    await page.keyboard.press('Escape');
    expect(await page.locator('#halt-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
  });

  it('halts the strategy from the page: reason + confirmation, runtime rejects orders', async () => {
    await page.fill('#operator-token', harness.token);
    await page.click('#credentials-form button[type="submit"]');
    // Keyboard: focus the halt button and press Enter.
    await page.focus('#halt-button');
    await page.keyboard.press('Enter');
    expect(await page.locator('#halt-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('halt-reason');
    // The confirmation is required.
    await page.keyboard.type('drawdown breach — investigating the feed');
    await page.click('#halt-submit');
    await expect.poll(() => page.locator('#halt-dialog .dialog-result').textContent()).toContain('Tick the confirmation box');
    expect(rt.state).toBe('TRIPPED');
    await page.check('#halt-confirm');
    await page.click('#halt-submit');
    await expect.poll(() => page.locator('#halt-dialog .dialog-result').textContent()).toContain('Halted. The strategy is now MANUALLY HALTED');
    const decision = rt.check({ ...ORDER, id: 'o-4' });
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.state).toBe('MANUALLY_HALTED');
    await shot('02-halt-dialog');
    await page.click('#halt-dialog [data-close]');
    await expect.poll(() => light('manual').getAttribute('data-state')).toBe('MANUALLY_HALTED');
    expect(await light('manual').locator('.light-state').textContent()).toBe('MANUALLY HALTED');
    expect(await light('manual').textContent()).toContain('halted by dana');
    expect(await page.locator('#global-state-text').textContent()).toBe('MANUALLY HALTED');
    await expect.poll(() => page.locator('#journal').textContent()).toContain('drawdown breach — investigating the feed');
    await shot('03-halted');
  });

  it('resets with the two-step confirmation (token countdown) back to NORMAL, orders allowed', async () => {
    for (const breaker of ['manual', 'drawdown'] as const) {
      await light(breaker).locator('button[data-role="reset"]').click();
      const dialog = page.locator('#reset-dialog');
      expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
      expect(await page.locator(`#reset-choice-${breaker}`).isChecked()).toBe(true);
      await page.click('#reset-request');
      await expect.poll(() => page.locator('#reset-step-2').isVisible()).toBe(true);
      expect(await page.locator('#reset-countdown').textContent()).toMatch(/^(59|60) s$/);
      await expect.poll(() => light(breaker).getAttribute('data-state')).toBe('RESETTING');
      expect(await light(breaker).textContent()).toMatch(/reset token expires in \d+ s/);
      if (breaker === 'manual') await shot('04-reset-countdown');
      await page.click('#reset-confirm');
      await expect.poll(() => page.locator('#reset-dialog .dialog-result').textContent()).toMatch(/Reset confirmed: the .* breaker is NORMAL/);
      await page.click('#reset-dialog [data-close]');
      await expect.poll(() => light(breaker).getAttribute('data-state')).toBe('NORMAL');
    }
    await expect.poll(() => page.locator('#global-state-text').textContent()).toBe('NORMAL');
    expect(rt.state).toBe('NORMAL');
    expect(rt.check({ ...ORDER, id: 'o-5' }).allowed).toBe(true);
    await expect.poll(() => page.locator('#orders-allowed').textContent()).toBe('orders ALLOWED');
    // The confirmed drawdown reset re-baselined the high-water mark to the current value.
    await expect.poll(() => light('drawdown').locator('.light-figure').textContent()).toBe('0.0% drawdown');
  });

  it('filters the error log by kind', async () => {
    const visibleKinds = () => page.locator('#error-log li[data-kind]:visible').evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')));
    const all = await visibleKinds();
    expect(all).toEqual(expect.arrayContaining(['broker_error', 'data_error']));
    await page.check('input[name="error-kind"][value="broker_error"]');
    const broker = await visibleKinds();
    expect(broker.length).toBeGreaterThan(0);
    expect(new Set(broker)).toEqual(new Set(['broker_error']));
    expect(await page.locator('#error-log').textContent()).toContain('connection reset by peer');
    await page.check('input[name="error-kind"][value="data_error"]');
    const data = await visibleKinds();
    expect(data.length).toBeGreaterThan(0);
    expect(new Set(data)).toEqual(new Set(['data_error']));
    await page.check('input[name="error-kind"][value="order_rejected"]');
    const rejected = await visibleKinds();
    expect(rejected.length).toBeGreaterThan(0); // every recorded error is journalled (ErrorRecorded)
    expect(new Set(rejected)).toEqual(new Set(['order_rejected']));
    await page.check('input[name="error-kind"][value="all"]');
    expect((await visibleKinds()).length).toBe(all.length);
  });

  it('switches strategy from the selector', async () => {
    await page.selectOption('#strategy-select', 'beta-2');
    await expect.poll(() => page.title()).toBe('beta-2 — breakerbox');
    await expect.poll(() => light('drawdown').locator('.light-figure').textContent()).toBe('no value yet');
    await expect.poll(() => page.locator('#data-fault').textContent()).toContain('no portfolio value received yet');
    await page.selectOption('#strategy-select', 'alpha-1');
    await expect.poll(() => light('drawdown').locator('.light-figure').textContent()).toBe('0.0% drawdown');
  });

  it('collapses to a single column on a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const lefts = await page.locator('main.grid > section.panel').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().left)));
    expect(new Set(lefts).size).toBe(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('05-narrow');
    await page.screenshot({ path: `${ARTIFACTS}/06-narrow-full.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${ARTIFACTS}/07-full-page.png`, fullPage: true });
  });

  it('logged no page errors (CSP, scripts)', () => {
    expect(pageErrors).toEqual([]);
  });
});
