/**
 * `serve` stops promptly on SIGTERM whatever the cluster's state: here no server of its cluster
 * answers (a free port nobody listens on), so its connection is still retrying when asked to stop.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv } from '../cli/helpers.ts';
import { freePort } from './nats.ts';

describe('serve and an unreachable cluster', () => {
  it('stops within 3 s of SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-sigterm-'));
    const ports = [await freePort(), await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        host: '127.0.0.1',
        port: 0,
        token: 'sigterm-test-token-0123456789',
        store: { path: join(dir, 'data') },
        cluster: { servers: ports.map((p) => `nats://127.0.0.1:${p}`), firm: 'gone', heartbeatTimeout: 1, replicas: 3 },
        strategies: [{ name: 'a' }, { name: 'b' }],
      }),
    );
    const child = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'config.json')], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/listening on http/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const signalled = performance.now();
    child.kill('SIGTERM');
    const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 3000).unref());
    const outcome = await Promise.race([exited, timeout]);
    const took = performance.now() - signalled;
    if (outcome === 'still running') child.kill('SIGKILL');
    expect(outcome, `serve still running 3 s after SIGTERM:\n${out.slice(-2000)}`).toBe(0);
    expect(took, 'ms from SIGTERM to exit').toBeLessThanOrEqual(3000);
    expect(out).toContain('breakerbox: stopped');
  }, 45_000);
});
