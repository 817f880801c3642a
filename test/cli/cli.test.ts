import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_BIN, runCli, spawnServer, type ServerProcess } from './helpers.ts';
import { runInProcess } from './inProcess.ts';

const TOKEN = 'cli-test-token-0123456789';
let server: ServerProcess;
let auth: Record<string, string>;

beforeAll(async () => {
  server = await spawnServer({ strategies: [{ name: 'alpha-1', breakers: 'moderate' }, { name: 'beta-2', breakers: 'conservative' }] }, { BREAKERBOX_TOKEN: TOKEN });
  auth = { BREAKERBOX_URL: server.url, BREAKERBOX_TOKEN: TOKEN };
  // Give alpha-1 a portfolio so its figures are live.
  const res = await fetch(`${server.url}/api/strategies/alpha-1/portfolio`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ value: 250000 }),
  });
  expect(res.status).toBe(200);
});

afterAll(async () => {
  const code = await server?.stop();
  expect(code).toBe(0);
  expect(server.output()).not.toContain(TOKEN);
});

describe('breakerbox CLI against a real server process', () => {
  it('shows status as a table and as JSON', async () => {
    const table = await runCli(['live', 'status'], { env: auth });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/alpha-1: NORMAL — orders allowed/);
    expect(table.stdout).toMatch(/beta-2: NORMAL — orders BLOCKED/);
    expect(table.stdout).toMatch(/BREAKER\s+STATE\s+SINCE\s+FIGURES/);
    expect(table.stdout).toMatch(/drawdown\s+NORMAL/);
    expect(table.stdout).toContain('high-water mark 250,000.00');

    const json = await runCli(['live', 'status', '--strategy', 'alpha-1', '--json'], { env: auth });
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status).toMatchObject({ strategy: 'alpha-1', state: 'NORMAL', portfolio: { value: '250000' } });
  });

  it('emergency stop halts the strategy, journalled with the operator', async () => {
    const stop = await runCli(['live', 'stop', '--strategy', 'alpha-1', '--reason', 'runaway algo', '--operator', 'alice'], { env: auth });
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('alpha-1 halted by alice: runaway algo');
    expect(stop.stdout).toContain('MANUALLY_HALTED');
    const journal = await runCli(['journal', '--strategy', 'alpha-1', '--types', 'ManualHalt', '--json'], { env: auth });
    expect(journal.code).toBe(0);
    // JSON lines: one object per line.
    expect(journal.stdout.trim().split('\n').map((line) => JSON.parse(line))).toMatchObject([{ type: 'ManualHalt', operator: 'alice', details: { reason: 'runaway algo' } }]);
    const table = await runCli(['journal', '--strategy', 'alpha-1', '--since', '1h'], { env: auth });
    expect(table.stdout).toMatch(/ManualHalt\s+manual\s+alice\s+runaway algo/);
  });

  it('reset asks for the strategy name: a wrong answer does not confirm, the right one does', async () => {
    const wrong = await runCli(['live', 'reset', '--strategy', 'alpha-1', '--breaker', 'manual'], { env: auth, input: 'beta-2\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('reset NOT confirmed');
    const still = JSON.parse((await runCli(['live', 'status', '--strategy', 'alpha-1', '--json'], { env: auth })).stdout);
    expect(still.state).not.toBe('NORMAL');

    const right = await runCli(['live', 'reset', '--strategy', 'alpha-1', '--breaker', 'manual', '--operator', 'bob'], { env: auth, input: 'alpha-1\n' });
    expect(right.code).toBe(0);
    expect(right.stderr).toContain('type the strategy name (alpha-1)');
    expect(right.stdout).toContain('alpha-1/manual reset by bob: NORMAL');
  });

  it('reset --yes confirms without asking (token and URL given as options)', async () => {
    expect((await runCli(['live', 'stop', '-s', 'beta-2', '-r', 'drill'], { env: auth })).code).toBe(0);
    const reset = await runCli(['live', 'reset', '-s', 'beta-2', '-b', 'manual', '--yes', '--url', server.url, '--token', TOKEN]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('beta-2/manual reset by tester: NORMAL');
  });

  it('exits 2 when the server is unreachable, 3 on a wrong or missing token, 4 when refused, 5 when not found, 1 for a misspelled breaker', async () => {
    // In process (main(argv, io)), but the missing token: that one needs an environment without BREAKERBOX_TOKEN.
    const flags = ['--url', server.url, '--token', TOKEN];
    const [down, wrong, none, refused, invalid, missing] = await Promise.all([
      runInProcess(['live', 'status', '--url', 'http://127.0.0.1:9']),
      runInProcess(['live', 'stop', '-s', 'alpha-1', '-r', 'x', '--url', server.url, '--token', 'wrong-token-0123456789']),
      runCli(['live', 'stop', '-s', 'alpha-1', '-r', 'x', '--url', server.url]),
      runInProcess(['live', 'reset', '-s', 'alpha-1', '-b', 'drawdown', '--yes', ...flags]),
      runInProcess(['live', 'reset', '-s', 'alpha-1', '-b', 'bogus', '--yes', ...flags]),
      runInProcess(['live', 'status', '-s', 'nope', ...flags]),
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot reach breakerbox at http://127.0.0.1:9: ECONNREFUSED');
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('token was refused');
    expect(none.code).toBe(3);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('RESET_NOT_ALLOWED');
    // A breaker name that does not exist is a usage error (exit 1) naming the valid breakers.
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('unknown breaker "bogus"; valid breakers: drawdown, dailyLoss, orderRate, orderToTrade, reconciliation, messageRate, errorRate, executionRate, tradeLosses, staleData, manual, cluster');
    expect(missing.code).toBe(5);
  });

  it('prints help (exit 0) and usage errors (exit 1)', async () => {
    const [help, sub, usage] = await Promise.all([runInProcess(['--help']), runInProcess(['live', 'reset', '--help']), runInProcess(['live', 'stop', '--strategy', 'x'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--breaker <type>');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("required option '-r, --reason <text>'");
  });

  it('the real bin (sources through tsx), the bundled bin and main() in process print the same and exit alike', async () => {
    const cases = [['--help'], ['live', 'stop', '--strategy', 'x'], ['live', 'status', '--url', 'http://127.0.0.1:9']];
    for (const args of cases) {
      // The real bin compiles every source through tsx on a cold cache: both spawns get a minute.
      const [real, bundled, inProcess] = await Promise.all([runCli(args, { bin: REAL_BIN, timeoutMs: 60_000 }), runCli(args, { timeoutMs: 60_000 }), runInProcess(args)]);
      expect(real.code, real.stderr).toBe([0, 1, 2][cases.indexOf(args)]);
      expect(bundled).toEqual(real);
      expect(inProcess).toEqual(real);
    }
  });
});

describe('breakerbox serve', () => {
  it('refuses an invalid config listing every problem (exit 1)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'bb-bad-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ port: -1, strategies: [{ name: '' }, { name: 'x', breakers: 'reckless' }] }));
    const res = await runCli(['serve', '--config', join(dir, 'c.json')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/invalid server configuration: \d+ problems/);
    expect(res.stderr).toContain('port');
    expect(res.stderr).toContain('strategies.0.name');
    expect(res.stderr).toContain('strategies.1.breakers');
  });
});
