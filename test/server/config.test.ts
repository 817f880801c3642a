import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { loadServerConfig, parseServerConfig } from '../../src/server/config.ts';
import { checkBearer, tokensMatch } from '../../src/server/auth.ts';
import { startStrategies } from '../../src/server/host.ts';
import { silentLogger } from '../../src/index.ts';

describe('server configuration', () => {
  it('reads examples/multi-strategy.json with defaults', async () => {
    const config = await loadServerConfig('examples/multi-strategy.json', {});
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8787, token: null, store: { path: './data' } });
    expect(config.strategies.map((s) => s.name)).toEqual(['alpha-1', 'beta-2']);
    expect(config.strategies[1]!.alerts).toBeDefined();
  });

  it('applies environment overrides', () => {
    const config = parseServerConfig(
      { strategies: [{ name: 'a' }] },
      { BREAKERBOX_HOST: '0.0.0.0', BREAKERBOX_PORT: '9999', BREAKERBOX_TOKEN: 'x'.repeat(20), BREAKERBOX_DATA: '/tmp/bb' },
    );
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9999, token: 'x'.repeat(20), store: { path: '/tmp/bb' } });
  });

  it('lists every problem at once, never echoing the token', () => {
    let error: unknown;
    try {
      parseServerConfig(
        { port: 'eighty', extra: true, strategies: [{ name: 'bad name', breakers: { drawdown: { threshold: 0.1 } } }, { name: 'ok', marketOpen: { time: '25:00', timeZone: 'Mars/Base' } }, { name: 'ok' }] },
        { BREAKERBOX_TOKEN: 'short-secret' },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'env.BREAKERBOX_TOKEN',
        'port',
        'extra',
        'strategies.0.name',
        'strategies.0.breakers.drawdown.threshold',
        'strategies.1.marketOpen.time',
        'strategies.1.marketOpen.timeZone',
        'strategies.2.name',
      ]),
    );
    expect((error as Error).message).not.toContain('short-secret');
  });

  it('takes every runtime option a strategy has in code (limits, symbolCase, cancelConfirmTimeout, …), validated by the same rules', async () => {
    const config = parseServerConfig(
      {
        store: false,
        strategies: [{ name: 'a', limits: { maxOrderQuantity: 10, restrictedSymbols: ['XYZ'] }, symbolCase: 'upper', cancelConfirmTimeout: 2, maxClockSkew: 3, breakers: { messageRate: false } }],
      },
      {},
    );
    const [runtime] = [...(await startStrategies(config, { logger: silentLogger })).values()];
    try {
      expect(runtime!.status().config).toMatchObject({ limits: { maxOrderQuantity: '10', restrictedSymbols: ['XYZ'] }, symbolCase: 'upper', cancelConfirmTimeout: 2, maxClockSkew: 3 });
      runtime!.updatePortfolio({ value: '1000' });
      expect(runtime!.check({ symbol: 'xyz', side: 'buy', quantity: 1 })).toMatchObject({ allowed: false, code: 'LIMIT_RESTRICTED' });
      expect(runtime!.check({ symbol: 'ABC', side: 'buy', quantity: 11 })).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_QUANTITY' });
    } finally {
      await runtime!.stop();
    }
    let error: unknown;
    try {
      parseServerConfig({ strategies: [{ name: 'a', limits: { maxPosition: -1 }, symbolCase: 'lower', cancelConfirmTimeout: 0 }] }, {});
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['strategies.0.limits.maxPosition', 'strategies.0.symbolCase', 'strategies.0.cancelConfirmTimeout']),
    );
  });

  it('refuses a file that is missing or not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-config-'));
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    await expect(loadServerConfig(join(dir, 'bad.json'), {})).rejects.toThrow(/not valid JSON/);
    await expect(loadServerConfig(join(dir, 'missing.json'), {})).rejects.toThrow(/ENOENT/);
  });
});

describe('bearer token', () => {
  it('compares in constant time over digests and classifies headers', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abc', 'abcd')).toBe(false);
    expect(checkBearer(undefined, 'secret-token')).toBe('missing');
    expect(checkBearer('Basic xyz', 'secret-token')).toBe('missing');
    expect(checkBearer('Bearer nope', 'secret-token')).toBe('wrong');
    expect(checkBearer('Bearer secret-token', 'secret-token')).toBe('ok');
  });
});
