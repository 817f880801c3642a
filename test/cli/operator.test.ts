/**
 * Operator commands (issue 13): `live reset` asks before it sends anything; `journal --newest`,
 * `--limit` and JSON lines; unknown strategies and misspelled breakers name the valid ones.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, spawnServer, type ServerProcess } from './helpers.ts';
import { runInProcess } from './inProcess.ts';

const TOKEN = 'operator-test-token-0123456789';

/** A loopback stand-in for the API that records every request (method and path) it receives. */
async function recordingServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/reset/confirm')) return res.end(JSON.stringify({ confirmed: true, breaker: 'manual', state: 'NORMAL', reason: null }));
      if (req.url?.endsWith('/reset')) return res.end(JSON.stringify({ token: 'tok', breaker: 'manual', expiresAt: '2030-01-01T00:00:00.000Z' }));
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such route' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('live reset asks before it sends anything', () => {
  let fake: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => void (fake = await recordingServer()));
  afterAll(async () => fake.close());

  it('a wrong name sends no request at all and exits 1', async () => {
    fake.requests.length = 0;
    const res = await runInProcess(['live', 'reset', '-s', 'alpha-1', '-b', 'manual', '--url', fake.url, '--token', TOKEN], { input: 'alpha-2\n' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('type the strategy name (alpha-1)');
    expect(res.stderr).toContain('confirmation did not match "alpha-1" (got "alpha-2"): reset NOT confirmed, nothing was sent');
    expect(fake.requests).toEqual([]);
  });

  it('the prompt comes first; only the typed name lets the request and the confirmation go out, in that order', async () => {
    fake.requests.length = 0;
    const child = spawn(process.execPath, [BIN, 'live', 'reset', '-s', 'alpha-1', '-b', 'manual', '-o', 'ann', '--url', fake.url, '--token', TOKEN], {
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const prompted = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('to confirm the reset of manual')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await prompted;
    expect(fake.requests).toEqual([]); // asked, nothing sent yet
    child.stdin.end('alpha-1\n');
    expect(await exited).toBe(0);
    expect(fake.requests).toEqual(['POST /api/strategies/alpha-1/reset', 'POST /api/strategies/alpha-1/reset/confirm']);
    expect(stdout).toContain('alpha-1/manual reset by ann: NORMAL');
  });

  it('--yes sends the request and the confirmation without asking', async () => {
    fake.requests.length = 0;
    const res = await runInProcess(['live', 'reset', '-s', 'alpha-1', '-b', 'manual', '--yes', '--url', fake.url, '--token', TOKEN]);
    expect(res.code).toBe(0);
    expect(res.stderr).not.toContain('type the strategy name');
    expect(fake.requests).toEqual(['POST /api/strategies/alpha-1/reset', 'POST /api/strategies/alpha-1/reset/confirm']);
  });

  it('a misspelled breaker exits 1 naming the valid breakers, before asking or sending anything', async () => {
    fake.requests.length = 0;
    const res = await runInProcess(['live', 'reset', '-s', 'alpha-1', '--breaker', 'drawdwn', '--url', fake.url, '--token', TOKEN], { input: 'alpha-1\n' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('unknown breaker "drawdwn" (did you mean "drawdown"?); valid breakers: drawdown, dailyLoss, orderRate, orderToTrade, reconciliation, messageRate, errorRate, executionRate, tradeLosses, staleData, manual, cluster');
    expect(res.stderr).not.toContain('type the strategy name');
    expect(fake.requests).toEqual([]);
  });
});

describe('against a real server process', () => {
  let server: ServerProcess;
  let auth: Record<string, string>;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    server = await spawnServer({ strategies: [{ name: 'alpha-1' }, { name: 'beta-2' }] }, { BREAKERBOX_TOKEN: TOKEN });
    auth = { BREAKERBOX_URL: server.url, BREAKERBOX_TOKEN: TOKEN };
    // Three halts (each reset again): ManualHalt r1, r2, r3 in alpha-1's journal.
    for (const reason of ['r1', 'r2', 'r3']) {
      expect((await api('POST', '/api/strategies/alpha-1/halt', { operator: 'ops', reason })).status).toBe(200);
      const { body } = await api('POST', '/api/strategies/alpha-1/reset', { operator: 'ops', breaker: 'manual' });
      expect((await api('POST', '/api/strategies/alpha-1/reset/confirm', { operator: 'ops', token: body.token })).body.confirmed).toBe(true);
    }
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  const reasons = (stdout: string): string[] => stdout.trim().split('\n').map((line) => (JSON.parse(line) as { details: { reason: string } }).details.reason);
  // In process, with the connection as options (the spawned runs below take it from the environment).
  const flags = () => ['--url', server.url, '--token', TOKEN];
  const journal = (...args: string[]) => runInProcess(['journal', '-s', 'alpha-1', '--types', 'ManualHalt', '--json', ...args, ...flags()]);

  it('journal --json prints JSON lines; --newest n the newest n, oldest first; --limit n alone the newest n; with --since the first n', async () => {
    const [all, newest, limit, first, both, bad] = await Promise.all([
      journal(),
      journal('--newest', '2'),
      journal('--limit', '2'),
      journal('--limit', '2', '--since', '1h'),
      journal('--limit', '2', '--newest', '2'),
      journal('--newest', 'two'),
    ]);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(reasons(all.stdout)).toEqual(['r1', 'r2', 'r3']);
    expect(reasons(newest.stdout)).toEqual(['r2', 'r3']);
    expect(reasons(limit.stdout)).toEqual(['r2', 'r3']);
    expect(reasons(first.stdout)).toEqual(['r1', 'r2']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--newest and --limit');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--newest: expected a whole number');
    const table = await runInProcess(['journal', '-s', 'alpha-1', '--types', 'ManualHalt', '--newest', '1', ...flags()]);
    expect(table.stdout).toMatch(/ManualHalt\s+manual\s+ops\s+r3/);
    expect(table.stdout).not.toContain('r2');
  });

  it('live stop on a halted strategy says who halted it, why and since when; status keeps that halt; --reduce-only never loosens it', async () => {
    const first = await runCli(['live', 'stop', '-s', 'beta-2', '-r', 'desk call', '-o', 'ann'], { env: auth });
    expect(first.stdout).toContain('beta-2 halted by ann: desk call');
    const [again, looser] = [
      await runCli(['live', 'stop', '-s', 'beta-2', '-r', 'runaway', '-o', 'bob'], { env: auth }),
      await runCli(['live', 'stop', '-s', 'beta-2', '-r', 'sells only', '-o', 'carol', '--reduce-only'], { env: auth }),
    ];
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^beta-2 was already halted by ann since \d{4}-\d\d-\d\dT[\d:.]+Z: desk call\nthat halt stands; this one \(by bob: runaway\) is journalled as a repeat\nstate: MANUALLY_HALTED\n$/);
    expect(looser.stdout).toContain('beta-2 was already halted by ann');
    expect(looser.stdout).toContain('trading mode: HALTED');
    const status = JSON.parse((await runCli(['live', 'status', '-s', 'beta-2', '--json'], { env: auth })).stdout) as { breakers: { manual: { figures: object } } };
    expect(status.breakers.manual.figures).toMatchObject({ operator: 'ann', reason: 'desk call', mode: 'halt' });
    const halts = await runCli(['journal', '-s', 'beta-2', '--types', 'ManualHalt', '--json'], { env: auth });
    const entries = halts.stdout.trim().split('\n').map((line) => JSON.parse(line) as { operator: string; details: { repeated?: boolean } });
    expect(entries.map((e) => [e.operator, e.details.repeated ?? false])).toEqual([['ann', false], ['bob', true], ['carol', true]]);
    // The API answer says so too.
    const answer = await api('POST', '/api/strategies/beta-2/halt', { operator: 'dan', reason: 'again' });
    expect(answer.body).toMatchObject({ state: 'MANUALLY_HALTED', alreadyHalted: { operator: 'ann', reason: 'desk call', mode: 'halt' }, tightened: false });
  });

  it('live status --json prints one status object per line', async () => {
    const res = await runCli(['live', 'status', '--json'], { env: auth });
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { strategy: string }).strategy)).toEqual(['alpha-1', 'beta-2']);
  });

  it('an unknown strategy names the valid ones (exit 5) in live status, stop, reset and journal', async () => {
    const results = await Promise.all([
      runInProcess(['live', 'status', '-s', 'alpah-1', ...flags()]),
      runInProcess(['live', 'stop', '-s', 'alpah-1', '-r', 'x', ...flags()]),
      runInProcess(['live', 'reset', '-s', 'alpah-1', '-b', 'manual', '--yes', ...flags()]),
      runInProcess(['journal', '-s', 'alpah-1', ...flags()]),
      runInProcess(['journal', 'export', '-s', 'gamma', ...flags()]),
    ]);
    for (const res of results.slice(0, 4)) {
      expect(res.code, res.stderr).toBe(5);
      expect(res.stderr).toContain('unknown strategy "alpah-1" (did you mean "alpha-1"?); valid strategies: alpha-1, beta-2');
    }
    expect(results[4]!.code).toBe(5);
    expect(results[4]!.stderr).toContain('unknown strategy "gamma"; valid strategies: alpha-1, beta-2');
  });
});
