/**
 * `serve` and `demo` read ./.env (or --env-file) with Node's process.loadEnvFile, values already
 * in the environment win; `--inspect <ws-url>` streams every actor to @statelyai/inspect.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { loadEnvFile } from '../../src/cli/envFile.ts';
import { parseInspectUrl } from '../../src/cli/inspect.ts';
import { ConfigError } from '../../src/errors.ts';
import { runCli, spawnServer, type ServerProcess } from './helpers.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'bb-env-'));
let running: ServerProcess | null = null;
afterEach(async () => {
  if (running) expect(await running.stop()).toBe(0);
  running = null;
});

describe('loadEnvFile (unit)', () => {
  it('reads ./.env when present, keeps what the environment already holds, and refuses a missing --env-file by path', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'BB_ENV_TEST_A=from-file\nBB_ENV_TEST_B="quoted from file"\n');
    process.env.BB_ENV_TEST_A = 'from-env';
    try {
      expect(loadEnvFile({ cwd: dir })).toEqual({ path: join(dir, '.env'), set: ['BB_ENV_TEST_B'] });
      expect(process.env.BB_ENV_TEST_A).toBe('from-env');
      expect(process.env.BB_ENV_TEST_B).toBe('quoted from file');
      expect(loadEnvFile({ cwd: tempDir() })).toEqual({ path: null, set: [] });
      expect(() => loadEnvFile({ cwd: dir, path: 'nope.env' })).toThrow(`--env-file: no such file: nope.env (${join(dir, 'nope.env')})`);
    } finally {
      delete process.env.BB_ENV_TEST_A;
      delete process.env.BB_ENV_TEST_B;
    }
  });

  it('--inspect accepts ws:// and wss:// only, with a typed error naming the option and the value', () => {
    expect(parseInspectUrl('ws://127.0.0.1:9999')).toBe('ws://127.0.0.1:9999/');
    expect(parseInspectUrl('wss://inspect.example.com/x')).toBe('wss://inspect.example.com/x');
    for (const bad of ['http://127.0.0.1:9999', 'not a url', 'file:///tmp/x']) {
      let error: unknown;
      try {
        parseInspectUrl(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('INVALID_CONFIG');
      expect((error as ConfigError).issues).toEqual([{ path: '--inspect', message: expect.stringContaining(`must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080 (got ${JSON.stringify(bad)})`) }]);
    }
  });
});

describe('breakerbox serve with .env and --env-file', () => {
  it('reads ./.env in its working directory: the token there is refused when the environment sets one; its ALERT_* variables configure alerts', async () => {
    const hooks: string[] = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooks.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const dir = tempDir();
      writeFileSync(join(dir, '.env'), `BREAKERBOX_TOKEN=token-from-dotenv-0123456789\nALERT_WEBHOOK_URL=${hookUrl}\n`);
      running = await spawnServer({ strategies: [{ name: 'alpha-1' }] }, { BREAKERBOX_TOKEN: 'token-from-environment-0123' }, { cwd: dir });
      expect(running.output()).toContain(`environment from ${join(dir, '.env')}: ALERT_WEBHOOK_URL`);
      expect(running.output()).not.toContain('token-from-dotenv');
      const halt = (token: string) =>
        fetch(`${running!.url}/api/strategies/alpha-1/halt`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ operator: 'ann', reason: 'env drill' }),
        });
      expect((await halt('token-from-dotenv-0123456789')).status).toBe(403);
      expect((await halt('token-from-environment-0123')).status).toBe(200);
      // The webhook from the .env's ALERT_WEBHOOK_URL (alertConfigFromEnv) delivers the halt.
      const deadline = Date.now() + 15_000;
      while (!hooks.some((h) => h.includes('ManualHalt')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(hooks.some((h) => h.includes('ManualHalt') && h.includes('env drill'))).toBe(true);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('--env-file <path> reads that file instead; a missing one exits 1 naming the path (serve and demo)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ops.env'), 'BREAKERBOX_TOKEN=token-from-ops-env-0123456789\n');
    running = await spawnServer({ strategies: [{ name: 'alpha-1' }] }, {}, { cwd: dir, args: ['--env-file', 'ops.env'] });
    const res = await fetch(`${running.url}/api/strategies/alpha-1/halt`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-from-ops-env-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ operator: 'ann', reason: 'x' }),
    });
    expect(res.status).toBe(200);
    const [serve, demo] = await Promise.all([
      runCli(['serve', '--config', 'whatever.json', '--env-file', 'missing.env'], { cwd: dir }),
      runCli(['demo', '--fast', '--port', '0', '--env-file', 'missing.env'], { cwd: dir }),
    ]);
    for (const r of [serve, demo]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--env-file: no such file: missing.env (${join(dir, 'missing.env')})`);
    }
  });

  it('the demo reads ./.env too (its token), the environment winning over it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'BREAKERBOX_TOKEN=demo-token-from-dotenv-0123456789\n');
    const [fromFile, fromEnv] = await Promise.all([
      runCli(['demo', '--fast', '--port', '0', '--data', join(dir, 'a'), '--duration', '1'], { cwd: dir, timeoutMs: 40_000 }),
      runCli(['demo', '--fast', '--port', '0', '--data', join(dir, 'b'), '--duration', '1'], { cwd: dir, env: { BREAKERBOX_TOKEN: 'demo-token-from-env-0123456789' }, timeoutMs: 40_000 }),
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/token\s+demo-token-from-dotenv-0123456789/);
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toMatch(/token\s+demo-token-from-env-0123456789/);
  });
});

describe('--inspect', () => {
  it('serve --inspect ws://… streams every actor, event and snapshot to a WebSocket inspector; a non-ws URL exits 1', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const messages: { type: string; event?: { type: string } }[] = [];
    wss.on('connection', (socket) => socket.on('message', (data) => messages.push(JSON.parse(String(data)))));
    try {
      const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
      running = await spawnServer({ strategies: [{ name: 'alpha-1' }] }, { BREAKERBOX_TOKEN: 'inspect-token-0123456789' }, { args: ['--inspect', url] });
      expect(running.output()).toContain(`inspecting every actor at ${url}/`);
      await fetch(`${running.url}/api/strategies/alpha-1/halt`, {
        method: 'POST',
        headers: { authorization: 'Bearer inspect-token-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ operator: 'ann', reason: 'watching' }),
      });
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !messages.some((m) => m.type === '@xstate.event' && m.event?.type === 'HALT')) await new Promise((r) => setTimeout(r, 50));
      expect(messages.filter((m) => m.type === '@xstate.actor').length).toBeGreaterThanOrEqual(6); // supervisor + its breakers
      expect(messages.some((m) => m.type === '@xstate.event' && m.event?.type === 'HALT')).toBe(true);
      expect(messages.some((m) => m.type === '@xstate.snapshot')).toBe(true);
    } finally {
      if (running) expect(await running.stop()).toBe(0);
      running = null;
      await new Promise<void>((r) => wss.close(() => r()));
    }
    const [serve, demo] = await Promise.all([
      runCli(['serve', '--config', 'x.json', '--inspect', 'http://127.0.0.1:1']),
      runCli(['demo', '--fast', '--port', '0', '--inspect', 'localhost:1']),
    ]);
    for (const r of [serve, demo]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--inspect: must be a ws:// or wss:// URL');
    }
  });
});
