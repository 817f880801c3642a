/** `live stop --all`: the same typed confirmation as the dashboard's halt all; nothing is sent on a typo. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TOKEN, type TestServer } from '../server/helpers.ts';
import { runInProcess } from './inProcess.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer(['alpha-1', 'beta-2']);
  for (const rt of s.runtimes.values()) rt.updatePortfolio({ value: '100000', positions: [{ symbol: 'ES', quantity: '2', price: '5000' }] });
});
afterAll(async () => {
  await s.close();
});

const cli = (args: string[], input?: string) => runInProcess(['live', 'stop', ...args, '--url', s.url, '--token', TOKEN], input === undefined ? {} : { input });

describe('live stop --all', () => {
  it('a typo halts nothing and sends no halt (exit 1)', async () => {
    const res = await cli(['--all', '-r', 'desk call', '-o', 'ann'], 'halt al\n');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('halt of every strategy (2: alpha-1, beta-2). Type "halt all" to confirm');
    expect(res.stderr).toContain('nothing was halted, nothing was sent');
    for (const rt of s.runtimes.values()) expect(rt.state).toBe('NORMAL');
  });

  it('--strategy and --all together, or neither, is a usage error', async () => {
    expect((await cli(['--all', '-s', 'alpha-1', '-r', 'x', '--yes'])).code).toBe(1);
    const neither = await cli(['-r', 'x']);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('--strategy');
    for (const rt of s.runtimes.values()) expect(rt.state).toBe('NORMAL');
  });

  it('reduce-only after typing "halt all": every strategy REDUCING, each listed', async () => {
    const res = await cli(['--all', '--reduce-only', '-r', 'de-risk', '-o', 'ann'], 'halt all\n');
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('reduce-only halt of every strategy');
    expect(res.stdout).toBe('alpha-1: MANUALLY_HALTED (REDUCING)\nbeta-2: MANUALLY_HALTED (REDUCING)\n');
    for (const rt of s.runtimes.values()) {
      expect(rt.tradingMode).toBe('REDUCING');
      expect(rt.check({ symbol: 'ES', side: 'sell', quantity: '1', price: '5000' }).allowed).toBe(true);
    }
  });

  it('--yes tightens every halt to a full one', async () => {
    const res = await cli(['--all', '--yes', '-r', 'stop everything', '-o', 'bob']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('alpha-1: MANUALLY_HALTED (HALTED), tightened an earlier reduce-only halt\nbeta-2: MANUALLY_HALTED (HALTED), tightened an earlier reduce-only halt\n');
    for (const rt of s.runtimes.values()) expect(rt.check({ symbol: 'ES', side: 'sell', quantity: '1', price: '5000' }).allowed).toBe(false);
  });
});
