/**
 * Retention: settled outbox entries are pruned automatically after outboxRetentionMs (default
 * 7 days); the journal is kept, but an operator can export it as JSON lines and prune it (API
 * and CLI); breakerbox_store_bytes reports the store's size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, createRiskRuntime, ManualClock, silentLogger } from '../../src/index.ts';
import { createServer } from '../../src/server/index.ts';
import { startHttpServer, waitFor } from '../alerts/helpers.ts';
import { runCli } from '../cli/helpers.ts';
import { call, TOKEN } from '../server/helpers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-retention-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('retention', () => {
  it('prunes delivered alerts and their attempt records after 7 days, never the journal', async () => {
    const hook = await startHttpServer((_r, res) => res.writeHead(200).end());
    const clock = new ManualClock();
    const rt = await createRiskRuntime({
      strategy: 'alpha-1',
      store: { path: join(tempDir(), 'data') },
      clock,
      logger: silentLogger,
      alerts: { webhooks: [{ url: `${hook.url}/h`, format: 'json' }], allowlist: [`${hook.url}/`] },
    });
    cleanup.push(async () => {
      await rt.stop();
      await hook.close();
    });
    rt.updatePortfolio({ value: 100_000 });
    rt.halt({ operator: 'desk', reason: 'drill' });
    await rt.flush();
    await waitFor(() => hook.requests.length === 1, 'the halt alert');
    await waitFor(async () => (await rt.alertHistory()).some((a) => a.outcome === 'sent'), 'the sent record');

    const stepHours = async (hours: number) => {
      for (let i = 0; i < hours; i++) {
        clock.advance(HOUR);
        await rt.alertHistory(); // waits for the prune the timer started
      }
    };
    await stepHours(6 * 24 + 22);
    expect(await rt.alertHistory()).not.toEqual([]);
    await stepHours(4);
    expect(await rt.alertHistory()).toEqual([]);
    expect((await rt.journal({ types: ['ManualHalt'] })).map((e) => e.operator)).toEqual(['desk']);
  });

  it('exports the journal as JSON lines and prunes it (API and CLI), journalling the prune', async () => {
    const clock = new ManualClock(Date.now() - 30 * DAY);
    const logger = createMemoryLogger();
    const rt = await createRiskRuntime({ strategy: 'alpha-1', store: { path: join(tempDir(), 'data') }, clock, logger });
    const server = await createServer({ strategies: new Map([['alpha-1', rt]]), token: TOKEN, logger, dashboard: false });
    const url = await server.listen({ port: 0 });
    cleanup.push(async () => {
      await server.close();
      await rt.stop();
    });
    rt.updatePortfolio({ value: 100_000 });
    rt.halt({ operator: 'old', reason: 'a month ago' });
    const { token } = rt.requestReset({ breaker: 'manual', operator: 'old' });
    rt.confirmReset({ token, operator: 'old' });
    await rt.flush();
    clock.advance(29 * DAY);
    rt.halt({ operator: 'recent', reason: 'yesterday' });
    await rt.flush();
    const cutoff = clock.now() - DAY;
    const all = (await rt.journal()).length;

    // Export needs the token; answers JSON lines.
    expect((await call(url, 'GET', `/api/strategies/alpha-1/journal/export`, { token: null })).status).toBe(401);
    const exported = await call(url, 'GET', `/api/strategies/alpha-1/journal/export?before=${cutoff}`);
    expect(exported.status).toBe(200);
    const lines = exported.text.trim().split('\n').map((l) => JSON.parse(l) as { at: number; operator?: string });
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((e) => e.at < cutoff)).toBe(true);
    expect(lines.some((e) => e.operator === 'old')).toBe(true);

    // The CLI: export to stdout, refuse to prune without --yes, then prune.
    const env = { BREAKERBOX_URL: url, BREAKERBOX_TOKEN: TOKEN };
    const cliExport = await runCli(['journal', 'export', '--strategy', 'alpha-1', '--before', String(cutoff)], { env });
    expect(cliExport.code).toBe(0);
    expect(cliExport.stdout.trim().split('\n')).toHaveLength(lines.length);
    const refused = await runCli(['journal', 'prune', '--strategy', 'alpha-1', '--before', String(cutoff)], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/export them first/);
    const pruned = await runCli(['journal', 'prune', '--strategy', 'alpha-1', '--before', String(cutoff), '--operator', 'auditor', '--yes'], { env });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain(`${lines.length} journal entries`);

    const after = await rt.journal();
    expect(after.length).toBe(all - lines.length + 1);
    expect(after.every((e) => e.at >= cutoff || e.type === 'JournalPruned')).toBe(true);
    expect(after.find((e) => e.type === 'JournalPruned')).toMatchObject({ operator: 'auditor', details: { deleted: lines.length } });
    expect(after.some((e) => e.operator === 'recent')).toBe(true);

    // A future date is refused; the store's size is a metric.
    expect((await call(url, 'POST', '/api/strategies/alpha-1/journal/prune', { body: { operator: 'x', before: Date.now() + DAY } })).status).toBe(400);
    const metrics = await call(url, 'GET', '/metrics');
    expect(metrics.text).toMatch(/breakerbox_store_bytes\{path="[^"]+"\} [1-9]\d*/);
  });
});
