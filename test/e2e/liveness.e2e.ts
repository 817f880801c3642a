import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, ROOT, launchBrowser } from './harness.ts';

/**
 * The dashboard against a real `breakerbox serve` child process: history after a trip, the
 * inspector stepping back to the trip, keyboard-only halt and reset, the reset dialog's preview,
 * and honest liveness — SIGKILL and SIGSTOP the server and the page must say DISCONNECTED
 * (nothing green, no NORMAL, no ALLOWED) within 3 s, then come back live.
 */

const TOKEN = 'liveness-token-0123456789abcdef';
const STRATEGY = 'gamma';
const BIN = join(ROOT, 'bin/breakerbox.js');

let dir: string;
let port: number;
let server: ChildProcess | null = null;
let browser: Browser;
let page: Page;
/** Console errors; while the server is down on purpose, refused connections are expected. */
const consoleErrors: string[] = [];
let serverDown = false;

async function freePort(): Promise<number> {
  const srv = netServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const p = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

async function startServer(): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'config.json')], {
    env: { ...process.env, BREAKERBOX_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on http/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  server = child;
}

const url = (path = '') => `http://127.0.0.1:${port}${path}`;

async function api(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Presses Tab until the element with `id` has the focus (keyboard only, no clicks). */
async function tabTo(id: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach #${id} with Tab`);
}

const visibleText = () => page.evaluate(() => document.body.innerText);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bb-liveness-'));
  port = await freePort();
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      host: '127.0.0.1',
      port,
      store: { path: join(dir, 'data') },
      strategies: [{ name: STRATEGY, breakers: { drawdown: { threshold: -0.1 }, dailyLoss: { limit: -0.5 } } }],
    }),
  );
  await startServer();
  // A trading day before the page opens: a high, an allowed order, a crash that trips drawdown, a rejected order.
  await api(`/api/strategies/${STRATEGY}/portfolio`, { value: '100000' });
  await api(`/api/strategies/${STRATEGY}/portfolio`, { value: '101000' });
  await api(`/api/strategies/${STRATEGY}/orders/check`, { id: 'before', symbol: 'ES', side: 'buy', quantity: '1', price: '5000' });
  await api(`/api/strategies/${STRATEGY}/portfolio`, { value: '85000' });
  await api(`/api/strategies/${STRATEGY}/orders/check`, { id: 'after', symbol: 'ES', side: 'buy', quantity: '1', price: '5000' });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (serverDown && /ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE|ERR_CONNECTION_RESET|Failed to load resource/.test(m.text())) return;
    consoleErrors.push(`console: ${m.text()}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGCONT');
    server.kill('SIGKILL');
  }
});

describe('dashboard v2 against a serve process (chromium)', () => {
  it('opens after a trip with the trip on the chart, in the lists and in the orders', async () => {
    await page.goto(url('/'));
    await expect.poll(() => page.locator('#global-state-text').textContent()).toBe('TRIPPED');
    await expect.poll(() => page.locator('#value-chart').getAttribute('data-marks')).not.toBeNull();
    await expect.poll(async () => Number(await page.locator('#value-chart').getAttribute('data-marks'))).toBeGreaterThanOrEqual(1);
    // The three values fell in one 5 s bucket: the history keeps its last value, pinned at the trip
    // (docs/persistence.md), with the high-water mark and trip level it had then.
    expect(Number(await page.locator('#value-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
    const history = (await (await fetch(url(`/api/strategies/${STRATEGY}/history`))).json()) as { points: { value: string; highWaterMark: string }[] };
    expect(history.points.at(-1)).toMatchObject({ value: '85000', highWaterMark: '101000' });
    await expect.poll(() => page.locator('#chart-marks').textContent()).toContain('drawdown TRIPPED');
    await expect.poll(() => page.locator('#journal').textContent()).toContain('CircuitBreakerTripped');
    // Orders from before the page opened come from the history.
    await expect.poll(() => page.locator('#orders tbody tr').count()).toBeGreaterThanOrEqual(2);
    const orders = await page.locator('#orders').textContent();
    expect(orders).toContain('ES #before');
    expect(orders).toContain('ES #after');
    // Time axis in hh:mm:ss, never fractions of a second.
    const labels = await page.locator('#value-chart .u-axis').first().textContent();
    expect(labels).not.toMatch(/:\d\d\.\d/);
    // The meter shows the true use beyond the limit: -15.8 % against -10 % is 158 %.
    await expect.poll(() => page.locator('li[data-breaker="drawdown"] .meter').textContent()).toContain('158% of the limit');
    await page.screenshot({ path: `${ARTIFACTS}/10-history-after-trip.png` });
  });

  it('keyboard only: credentials, halt with reason and confirmation', async () => {
    await page.locator('body').focus();
    await tabTo('operator-name');
    await page.keyboard.type('kim');
    await page.keyboard.press('Tab');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#token-status').textContent()).toContain('Token set');
    await tabTo('halt-button');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('halt-reason');
    await page.keyboard.type('feed check, keyboard only');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // tick the confirmation
    await tabTo('halt-submit');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#halt-dialog .dialog-result').textContent()).toContain('MANUALLY HALTED');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('li[data-breaker="manual"]').getAttribute('data-state')).toBe('MANUALLY_HALTED');
  });

  it('the reset dialog states the new high-water mark and trip level before the confirm; keyboard-only reset', async () => {
    await tabTo('reset-button');
    await page.keyboard.press('Enter');
    // Choose drawdown with the arrow keys among the radio buttons.
    const focused = async () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value);
    for (let i = 0; i < 4 && (await focused()) !== 'drawdown'; i++) await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('drawdown');
    await page.keyboard.press('Space'); // a focused radio is checked with Space
    const effects = page.locator('#reset-effects');
    await expect.poll(() => effects.textContent()).toContain('The high-water mark moves from 101,000.00 to the current value 85,000.00');
    expect(await effects.textContent()).toContain('The trip level moves from 90,900.00 to 76,500.00');
    await page.screenshot({ path: `${ARTIFACTS}/11-reset-preview.png` });
    copyFileSync(`${ARTIFACTS}/11-reset-preview.png`, `${ROOT}docs/images/dashboard-reset.png`);
    await tabTo('reset-request');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#reset-step-2').isVisible()).toBe(true);
    // The effects stay in view at step 2: they are what the confirm will do.
    expect(await effects.textContent()).toContain('76,500.00');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reset-confirm');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#reset-dialog .dialog-result').textContent()).toMatch(/Reset confirmed: the drawdown breaker is NORMAL/);
    // The countdown stops, and says why.
    const stopped = await page.locator('#reset-countdown').textContent();
    await page.waitForTimeout(1200);
    expect(await page.locator('#reset-countdown').textContent()).toBe(stopped);
    expect(stopped).toContain('confirmed');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('li[data-breaker="drawdown"]').getAttribute('data-state')).toBe('NORMAL');
  });

  it('the inspector steps back to the trip and shows the edge it took, then follows live again', async () => {
    const fig = page.locator('#statecharts figure[data-machine="drawdown"]');
    await expect.poll(() => fig.locator('.trace-step').count()).toBeGreaterThanOrEqual(3); // TRIP, REQUEST_RESET, CONFIRM_RESET
    expect(await fig.locator('.sc-node.current').getAttribute('data-state')).toBe('NORMAL');
    await fig.locator('[data-role="step-back"]').focus();
    for (let i = 0; i < 10 && (await fig.getAttribute('data-edge-from')) !== 'NORMAL'; i++) await page.keyboard.press('Enter');
    expect(await fig.locator('.trace-step.selected').getAttribute('data-event')).toBe('TRIP');
    expect(await fig.locator('.sc-node.current').getAttribute('data-state')).toBe('TRIPPED');
    expect(await fig.locator('[data-role="current"]').textContent()).toBe('TRIPPED');
    expect(await fig.locator('.sc-edge.taken').count()).toBe(1);
    expect(await fig.locator('.sc-edge.taken').getAttribute('data-source')).toBe('NORMAL');
    expect(await fig.locator('.sc-edge.taken').getAttribute('data-target')).toBe('TRIPPED');
    expect(await fig.locator('[data-role="mode"]').textContent()).toContain('not live');
    await fig.screenshot({ path: `${ARTIFACTS}/12-inspector-step-back.png` });
    copyFileSync(`${ARTIFACTS}/12-inspector-step-back.png`, `${ROOT}docs/images/dashboard-inspector.png`);
    await fig.locator('[data-role="follow-live"]').click();
    await expect.poll(() => fig.locator('.sc-node.current').getAttribute('data-state')).toBe('NORMAL');
    expect(await fig.locator('[data-role="mode"]').textContent()).toContain('live');
  });

  it('SIGKILL the server → DISCONNECTED within 3 s with nothing NORMAL or ALLOWED; restart → live again', async () => {
    await expect.poll(() => page.locator('#connection').textContent()).toBe('live');
    expect(await visibleText()).toMatch(/\bNORMAL\b/);
    serverDown = true;
    const killedAt = Date.now();
    server!.kill('SIGKILL');
    await page.waitForFunction(() => document.querySelector('#disconnected')?.textContent?.includes('DISCONNECTED'), undefined, { timeout: 3000, polling: 50 });
    expect(Date.now() - killedAt).toBeLessThan(3000);
    const text = await visibleText();
    expect(text).not.toMatch(/\bNORMAL\b/);
    expect(text).not.toMatch(/\bALLOWED\b/);
    expect(await page.locator('#global-state-text').textContent()).toBe('UNKNOWN');
    expect(await page.locator('#main').isVisible()).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}/13-disconnected.png` });
    copyFileSync(`${ARTIFACTS}/13-disconnected.png`, `${ROOT}docs/images/dashboard-disconnected.png`);
    await startServer();
    serverDown = false;
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 15_000 }).toBe('live');
    await expect.poll(() => page.locator('#global-state-text').textContent()).toBe('MANUALLY HALTED'); // restored from LevelDB
    expect(await page.locator('#main').isVisible()).toBe(true);
    // The value chart breaks where the server was down: one gap per restart, read from the history again.
    await expect.poll(() => page.locator('#value-chart').getAttribute('data-gaps'), { timeout: 10_000 }).toBe('1');
    const history = (await (await fetch(url(`/api/strategies/${STRATEGY}/history`))).json()) as { gaps: { from: number; t: number }[] };
    expect(history.gaps).toHaveLength(1);
    expect(history.gaps[0]!.from).toBeLessThan(killedAt);
    expect(history.gaps[0]!.t).toBeGreaterThan(killedAt);
  }, 40_000);

  it('SIGSTOP the server (hung, socket open) → DISCONNECTED within 3 s from the missed heartbeat; SIGCONT → live', async () => {
    await expect.poll(() => page.locator('#connection').textContent()).toBe('live');
    serverDown = true;
    const stoppedAt = Date.now();
    server!.kill('SIGSTOP');
    await page.waitForFunction(() => document.querySelector('#disconnected')?.textContent?.includes('DISCONNECTED'), undefined, { timeout: 3000, polling: 50 });
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(await visibleText()).not.toMatch(/\bALLOWED\b|\bNORMAL\b/);
    expect(await page.locator('#disconnected').textContent()).toContain('no heartbeat');
    server!.kill('SIGCONT');
    serverDown = false;
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 10_000 }).toBe('live');
  }, 30_000);

  it('logged no console errors besides refused connections while the server was down', () => {
    expect(consoleErrors).toEqual([]);
  });
});
