// `breakerbox override` against a real serve process: the matching order then passes its limit
// once; the authorisation and its use are in the journal with the operator and reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnServer, type ServerProcess } from './helpers.ts';

const TOKEN = 'cli-override-token-0123456789';
let server: ServerProcess;
let auth: Record<string, string>;

const check = async (order: Record<string, unknown>) => {
  const res = await fetch(`${server.url}/api/strategies/alpha-1/orders/check`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  return (await res.json()) as { allowed: boolean; code?: string };
};

beforeAll(async () => {
  server = await spawnServer({ strategies: [{ name: 'alpha-1', breakers: { orderRate: false, errorRate: false }, limits: { maxOrderNotional: '100000' } }] }, { BREAKERBOX_TOKEN: TOKEN });
  auth = { BREAKERBOX_URL: server.url, BREAKERBOX_TOKEN: TOKEN };
  await fetch(`${server.url}/api/strategies/alpha-1/portfolio`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ value: 1000000 }),
  });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
});

describe('breakerbox override', () => {
  it('authorises one order past one limit once, journalled with who and why; a bad field is refused (exit 4) naming it', async () => {
    const order = { symbol: 'ES', side: 'buy', quantity: 5, price: 45000 }; // 225000 > 100000
    expect(await check(order)).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_NOTIONAL' });
    const args = ['override', '--strategy', 'alpha-1', '--limit', 'maxOrderNotional', '--symbol', 'ES', '--side', 'buy', '--quantity', '5', '--price', '45000', '--reason', 'approved block', '--operator', 'alice'];
    const bad = await runCli([...args, '--ttl', '7200'], { env: auth });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('ttl');
    const ok = await runCli([...args, '--ttl', '60'], { env: auth });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('may pass maxOrderNotional once');
    expect(await check(order)).toEqual({ allowed: true });
    expect(await check(order)).toMatchObject({ allowed: false, code: 'LIMIT_ORDER_NOTIONAL' });
    const journal = await runCli(['journal', '--strategy', 'alpha-1', '--types', 'OverrideAuthorized,OverrideUsed', '--json'], { env: auth });
    expect(journal.code).toBe(0);
    const entries = journal.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(entries).toMatchObject([
      { type: 'OverrideAuthorized', operator: 'alice', details: { reason: 'approved block', limit: 'maxOrderNotional', order: { symbol: 'ES', side: 'buy', quantity: '5', price: '45000' } } },
      { type: 'OverrideUsed', operator: 'alice', details: { limit: 'maxOrderNotional' } },
    ]);
  });
});
