import { copyFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../cli/helpers.ts';
import { NatsServer } from '../cluster/nats.ts';
import { ARTIFACTS, ROOT, launchBrowser } from './harness.ts';

/**
 * The dashboard's firm panel against two real `serve` processes sharing one real nats-server:
 * halt a desk from the page of one process, see it reach the other process's strategies of that
 * desk (and only those), then lift it with the two-step reset typed at the scope's name.
 */

const TOKEN = 'firm-e2e-token-0123456789abcdef';

type Proc = ServerProcess;

let nats: NatsServer;
const procs: Proc[] = [];
let browser: Browser;
let page: Page;
const errors: string[] = [];

/** A `serve` process of these strategies in the firm `acme` (temp config and data dir, free port). */
const startServe = (strategies: { name: string; desk: string }[]): Promise<ServerProcess> =>
  spawnServer({ token: TOKEN, cluster: { servers: nats.url, firm: 'acme', desk: 'rates', heartbeatTimeout: 2 }, strategies });

async function api(p: Proc, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${p.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.json();
}

const clusterState = async (p: Proc, name: string) => (await api(p, `/api/strategies/${name}/status`)).breakers.cluster.state as string;

beforeAll(async () => {
  nats = await NatsServer.start();
  procs.push(await startServe([{ name: 'r1', desk: 'rates' }, { name: 'f1', desk: 'fx' }]));
  procs.push(await startServe([{ name: 'r2', desk: 'rates' }, { name: 'f2', desk: 'fx' }]));
  for (const [p, names] of [[procs[0]!, ['r1', 'f1']], [procs[1]!, ['r2', 'f2']]] as const) {
    for (const name of names) await api(p, `/api/strategies/${name}/portfolio`, { value: '100000' });
  }
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const p of procs) p.child.kill('SIGKILL');
  await nats?.kill();
});

describe('firm panel (chromium, 2 serve processes, 1 nats-server)', () => {
  it('shows the link and the scopes, halts a desk in every process, and lifts it with the two-step reset', async () => {
    await page.goto(`${procs[0]!.url}/?strategy=f1`);
    const panel = page.locator('#firm-panel');
    await expect.poll(() => panel.isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => panel.textContent()).toContain('acme');
    expect(await page.locator('#firm-scope option').allTextContents()).toEqual(['firm', 'desk/fx', 'desk/rates', 'strategy/r1', 'strategy/f1']);
    await page.fill('#operator-name', 'risk-desk');
    await page.fill('#operator-token', TOKEN);
    await page.click('#credentials-form button[type="submit"]');

    await page.selectOption('#firm-scope', 'desk/fx');
    await page.fill('#firm-reason', 'fx feed suspect');
    await page.click('#firm-halt');
    await expect.poll(() => page.locator('#firm-result').textContent()).toContain('Tick the box');
    await page.check('#firm-confirm');
    await page.click('#firm-halt');
    await expect.poll(() => page.locator('#firm-result').textContent()).toContain('Halted desk/fx');
    // Both processes' fx strategies halt; the rates ones do not.
    await expect.poll(() => clusterState(procs[1]!, 'f2'), { timeout: 5000 }).toBe('MANUALLY_HALTED');
    await expect.poll(() => clusterState(procs[0]!, 'f1'), { timeout: 5000 }).toBe('MANUALLY_HALTED');
    expect(await clusterState(procs[0]!, 'r1')).toBe('NORMAL');
    expect(await clusterState(procs[1]!, 'r2')).toBe('NORMAL');
    await expect.poll(() => page.locator('#firm-halts').textContent()).toContain('desk/fx halted by risk-desk');
    await expect.poll(() => page.locator('li[data-breaker="cluster"]').getAttribute('data-state')).toBe('MANUALLY_HALTED');
    await page.locator('#firm-panel').screenshot({ path: `${ARTIFACTS}/20-firm-panel.png` });
    copyFileSync(`${ARTIFACTS}/20-firm-panel.png`, `${ROOT}docs/images/dashboard-firm.png`);

    await page.click('#firm-halts li[data-scope="desk/fx"] [data-role="firm-reset"]');
    await expect.poll(() => page.locator('#firm-result').textContent()).toContain('Type');
    await page.fill('#firm-confirm-name', 'wrong');
    await page.click('#firm-reset-confirm');
    await expect.poll(() => page.locator('#firm-result').textContent()).toContain('exactly');
    expect(await page.locator('#firm-result').textContent()).toContain('nothing was requested');
    expect(await clusterState(procs[1]!, 'f2')).toBe('MANUALLY_HALTED');
    const expected = (await page.locator('label[for="firm-confirm-name"]').textContent())!.match(/Type “(.+?)”/)![1]!;
    await page.fill('#firm-confirm-name', expected);
    await page.click('#firm-reset-confirm');
    await expect.poll(() => page.locator('#firm-result').textContent()).toContain('Lifted the halt at desk/fx');
    await expect.poll(() => clusterState(procs[1]!, 'f2'), { timeout: 5000 }).toBe('NORMAL');
    await expect.poll(() => clusterState(procs[0]!, 'f1'), { timeout: 5000 }).toBe('NORMAL');
    // The page asked before it requested: the firm's stream holds one reset request for desk/fx, the confirmed one.
    const requests = async () => ((await api(procs[0]!, '/api/firm/journal')).entries as { type: string; scope: string }[]).filter((e) => e.type === 'ScopeResetRequested' && e.scope === 'desk/fx');
    await expect.poll(async () => (await requests()).length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect(await requests()).toHaveLength(1);
  }, 60_000);

  it('shows the audit backlog while the stream is unreachable, and the link down; both clear once it is back', async () => {
    const panel = page.locator('#firm-panel');
    await nats.kill();
    // A local halt while the stream is away: its audit record waits in this process's backlog.
    await expect.poll(async () => (await api(procs[0]!, '/api/firm')).link, { timeout: 10_000 }).toBe('down');
    await api(procs[0]!, '/api/strategies/r1/halt', { operator: 'risk-desk', reason: 'while the stream is away' });
    await expect.poll(() => panel.textContent(), { timeout: 10_000 }).toMatch(/Audit backlog\s*\d+ not yet published/);
    expect(await panel.locator('dd.bad').first().textContent()).toBe('down');
    // It cannot see the firm's halts while the link is down: "unknown", never "No scope is halted".
    await expect.poll(() => panel.locator('#firm-halts').textContent(), { timeout: 10_000 }).toContain('Unknown: the link is down');
    expect(await panel.locator('#firm-halts').textContent()).not.toContain('No scope is halted');
    await nats.restart();
    await expect.poll(async () => (await api(procs[0]!, '/api/firm')).auditBacklog, { timeout: 15_000 }).toBe(0);
    await expect.poll(() => panel.textContent(), { timeout: 10_000 }).not.toContain('Audit backlog');
    await expect.poll(() => panel.locator('#firm-halts').textContent(), { timeout: 10_000 }).not.toContain('Unknown');
  }, 60_000);

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
