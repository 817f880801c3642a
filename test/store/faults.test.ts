/**
 * Store faults on a real full filesystem (a 1 MiB tmpfs) and on a removed data directory: the
 * strategy halts, every alert still leaves (real SMTP server and webhook receiver on loopback),
 * flush() rejects, the API answers 503 and breakerbox_store_healthy drops to 0.
 *
 * The tmpfs needs mount(2) (root, as on CI). Nothing is skipped: without it the test fails and
 * says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger, createRiskRuntime, ManualClock, type RiskRuntime } from '../../src/index.ts';
import { createServer } from '../../src/server/index.ts';
import { mailHeader, startHttpServer, startSmtpServer, waitFor, type TestHttpServer, type TestSmtpServer } from '../alerts/helpers.ts';
import { call, TOKEN } from '../server/helpers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Mounts a tmpfs of `size` on a fresh directory; throws (never skips) when mount is not permitted. */
function smallTmpfs(size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`this test needs a small tmpfs (mount -t tmpfs, as root): ${(error as Error).message}`);
  }
  cleanup.push(() => {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the filesystem of `dir` until ENOSPC. */
function fillUp(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
}

interface Rig {
  rt: RiskRuntime;
  url: string;
  smtp: TestSmtpServer;
  hook: TestHttpServer;
  clock: ManualClock;
}

async function rig(path: string): Promise<Rig> {
  const smtp = await startSmtpServer();
  const hook = await startHttpServer((_r, res) => res.writeHead(200).end('ok'));
  cleanup.push(() => smtp.close(), () => hook.close());
  const clock = new ManualClock(Date.now());
  const logger = createMemoryLogger();
  const rt = await createRiskRuntime({
    strategy: 'alpha-1',
    breakers: 'moderate',
    store: { path },
    clock,
    logger,
    alerts: {
      email: { host: '127.0.0.1', port: smtp.port, requireTLS: false, from: 'breakerbox@example.com', to: ['ops@example.com'] },
      webhooks: [{ url: `${hook.url}/hook`, format: 'json' }],
      allowlist: [`${hook.url}/`],
    },
  });
  const server = await createServer({ strategies: new Map([['alpha-1', rt]]), token: TOKEN, logger, dashboard: false });
  const url = await server.listen({ port: 0 });
  cleanup.push(async () => {
    await server.close();
    await rt.stop();
  });
  rt.updatePortfolio({ value: 100_000 });
  await rt.flush();
  return { rt, url, smtp, hook, clock };
}

const webhookTypes = (hook: TestHttpServer) => hook.requests.map((r) => (JSON.parse(r.body) as { event_type: string }).event_type);
const mailSubjects = (smtp: TestSmtpServer) => smtp.mails.map((m) => mailHeader(m.raw, 'subject') ?? '');

async function expectFaultHandled(r: Rig, cause: RegExp): Promise<void> {
  // A trip whose write fails: the step still fails closed …
  r.rt.updatePortfolio({ value: 85_000 });
  expect(r.rt.check({ symbol: 'ES', side: 'buy', quantity: 1 }).allowed).toBe(false);
  // … flush() rejects with the reason …
  await expect(r.rt.flush()).rejects.toThrow(cause);
  await waitFor(() => r.rt.state === 'MANUALLY_HALTED', 'the automatic halt');
  // … and the trip, the store failure and the automatic halt are alerted from memory on every channel.
  for (const type of ['CircuitBreakerTripped', 'StoreWriteFailed', 'ManualHalt']) {
    await waitFor(() => webhookTypes(r.hook).includes(type), `webhook ${type}`);
  }
  await waitFor(() => mailSubjects(r.smtp).some((s) => /STORE WRITE FAILED/.test(s)), 'the store-failure e-mail');
  await waitFor(() => mailSubjects(r.smtp).some((s) => /TRIPPED/i.test(s)), 'the trip e-mail');
  await waitFor(() => mailSubjects(r.smtp).some((s) => /MANUALLY HALTED/.test(s)), 'the automatic-halt e-mail');

  // An operator's halt during the fault: alerted too, and the API says 503 with the reason.
  const halt = await call(r.url, 'POST', '/api/strategies/alpha-1/halt', { body: { operator: 'desk', reason: 'disk alarm' } });
  expect(halt.status).toBe(503);
  expect(halt.body.error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(cause) });
  await waitFor(() => r.hook.requests.some((q) => /disk alarm/.test(q.body)), "the operator's halt alert");

  const metrics = await call(r.url, 'GET', '/metrics');
  expect(metrics.text).toMatch(/breakerbox_store_healthy\{strategy="alpha-1"\} 0/);
}

describe('store faults', () => {
  it('a full filesystem (1 MiB tmpfs): halt, alerts by e-mail and webhook from memory, flush rejects, API 503', async () => {
    const mount = smallTmpfs('1m');
    const r = await rig(join(mount, 'data'));
    expect((await call(r.url, 'GET', '/metrics')).text).toMatch(/breakerbox_store_healthy\{strategy="alpha-1"\} 1/);
    fillUp(mount);
    await expectFaultHandled(r, /No space left on device|ENOSPC|IO error/i);
  });

  it('a data directory removed while running is noticed on the next write: halt, alerts, flush rejects, API 503', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bb-gone-'));
    cleanup.push(() => rmSync(base, { recursive: true, force: true }));
    const r = await rig(join(base, 'data'));
    rmSync(join(base, 'data'), { recursive: true, force: true });
    await expectFaultHandled(r, /was removed while in use/);
  });

  it('a directory replaced by an empty one is noticed too', async () => {
    const base = mkdtempSync(join(tmpdir(), 'bb-swap-'));
    cleanup.push(() => rmSync(base, { recursive: true, force: true }));
    const r = await rig(join(base, 'data'));
    rmSync(join(base, 'data'), { recursive: true, force: true });
    mkdirSync(join(base, 'data'));
    r.rt.halt({ operator: 'desk', reason: 'drill' });
    await expect(r.rt.flush()).rejects.toThrow(/replaced while in use/);
    await waitFor(() => webhookTypes(r.hook).includes('StoreWriteFailed'), 'StoreWriteFailed webhook');
    await waitFor(() => webhookTypes(r.hook).includes('ManualHalt'), 'ManualHalt webhook');
  });
});
