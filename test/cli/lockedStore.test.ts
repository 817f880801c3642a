/**
 * A store directory held by another process: `serve` and `demo` print one line on stdout naming
 * the directory and the holder and exit 6, unless --allow-halted-start; then the strategies run
 * halted and nothing claims the state was restored, reset or saved.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServer, type ServerProcess } from './helpers.ts';

let holder: ServerProcess;
let data: string;
let config: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bb-locked-'));
  data = join(dir, 'data');
  holder = await spawnServer({ store: { path: data }, strategies: [{ name: 'alpha-1' }] });
  config = join(dir, 'second.json');
  writeFileSync(config, JSON.stringify({ host: '127.0.0.1', port: 0, store: { path: data }, strategies: [{ name: 'alpha-1' }] }));
});
afterAll(async () => {
  expect(await holder?.stop()).toBe(0);
});

describe('a second process on a locked store', () => {
  it('serve: one line on stdout naming the directory and the holder, exit code 6', async () => {
    const res = await runCli(['serve', '--config', config]);
    expect(res.code).toBe(6);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^breakerbox: cannot start: ${data.replace(/[/.]/g, '\\$&')} is locked by process ${holder.child.pid} on `));
    expect(lines[0]).toContain('--allow-halted-start');
    expect(res.stdout).not.toMatch(/listening/);
  });

  it('demo: the same line and exit code 6; never "restored", "resets it" or "saved"', async () => {
    const res = await runCli(['demo', '--fast', '--duration', '1', '--port', '0', '--data', data]);
    expect(res.code).toBe(6);
    expect(res.stdout.trim().split('\n')).toHaveLength(1);
    expect(res.stdout).toMatch(/cannot start: .* is locked by process \d+/);
    expect(res.stdout).not.toMatch(/restored|resets it|state saved/);
  });

  it('demo --allow-halted-start: runs halted and in memory, says so, never resets the fail-closed halt, never claims it saved', async () => {
    const res = await runCli(['demo', '--fast', '--duration', '1', '--port', '0', '--data', data, '--allow-halted-start'], { timeoutMs: 30_000 });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/state\s+NOT persisted/);
    expect(res.stdout).toMatch(/alpha: started HALTED \(fail closed\): .*locked by process/);
    expect(res.stdout).not.toMatch(/restored from|resets it/);
    expect(res.stdout).toMatch(/state NOT saved/);
    expect(res.stdout).not.toMatch(/state saved in/);
    // Still halted at the end: the demo did not reset it as operator "demo".
    expect(res.stdout).not.toMatch(/reset .*\(demo\)|by demo/);
  });
});
