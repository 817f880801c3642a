/**
 * A data directory that vanishes while in use (PRODUCT.md, "Operations"): noticed, re-created,
 * the whole current state written into it again with a journal entry saying what was lost, and
 * the strategy held MANUALLY_HALTED with that reason until an operator resets it — so a restart
 * after it still remembers every trip and halt. Real LevelDB in temp directories.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger, createRiskRuntime, ManualClock, type RiskRuntime } from '../../src/index.ts';
import { storeInfo } from '../../src/store/registry.ts';
import { waitFor } from '../alerts/helpers.ts';
import { ORDER } from '../helpers.ts';
import { bundleFixture, Child } from './childProcess.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function base(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-vanish-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(path: string, strategy = 'alpha-1', clock = new ManualClock(Date.now())): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({ strategy, breakers: { drawdown: { threshold: -0.1 }, dailyLoss: false }, store: { path }, clock, logger: createMemoryLogger() });
  cleanup.push(() => rt.stop());
  return rt;
}

/** Trips drawdown and makes it durable. */
async function tripped(rt: RiskRuntime): Promise<void> {
  rt.updatePortfolio({ value: 100_000 });
  rt.updatePortfolio({ value: 85_000 });
  expect(rt.status().breakers.drawdown.state).toBe('TRIPPED');
  await rt.flush();
}

const manual = (rt: RiskRuntime) => rt.status().breakers.manual;

describe('a data directory that vanishes while in use', () => {
  it('rm -rf while running: noticed, re-created with the whole state and a journal entry of what was lost, held MANUALLY_HALTED until reset; a restart remembers the trip and the halt', async () => {
    const path = join(base(), 'data');
    const rt = await start(path);
    await tripped(rt);
    rmSync(path, { recursive: true, force: true });
    // Noticed on the next write: flush() rejects, orders are blocked.
    rt.updatePortfolio({ value: 86_000 });
    await expect(rt.flush()).rejects.toThrow(/was removed while in use/);
    expect(rt.check(ORDER).allowed).toBe(false);
    // Re-created with the whole current state.
    await waitFor(() => existsSync(join(path, 'CURRENT')), 'the re-created directory');
    await waitFor(async () => (await rt.journal()).some((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true), 'the journal entry in the new directory');
    expect(rt.state).toBe('MANUALLY_HALTED');
    expect(manual(rt).reason).toMatch(/was removed while in use/);
    const journal = await rt.journal();
    // The failure noticed (alerted from memory then) and the halt are written after the re-creation too.
    expect(journal.map((e) => e.type)).toEqual(expect.arrayContaining(['StoreWriteFailed', 'ManualHalt']));
    const lost = journal.find((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true)!;
    expect(lost.details).toMatchObject({ recreated: true, directory: path, lost: expect.arrayContaining(['every journal entry written before the removal']) });
    expect(String(lost.details.error)).toMatch(/re-created it and wrote the current state into it again/);
    // The old journal (the trip) is gone from disk: only what came after the re-creation is there.
    expect(journal.some((e) => e.type === 'CircuitBreakerTripped')).toBe(false);
    // Still not acknowledged: flush() says so, the store is unhealthy, orders blocked.
    await expect(rt.flush()).rejects.toThrow(/re-created it .* the strategy stays halted until an operator resets it/);
    expect(await storeInfo(rt)!.health()).toMatchObject({ healthy: false, reason: expect.stringMatching(/re-created/) });
    expect(rt.check(ORDER).allowed).toBe(false);
    await rt.stop();

    // A restart on the same path remembers the trip and the halt, and blocks orders.
    const again = await start(path);
    expect(again.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(again.status().breakers.drawdown.figures).toMatchObject({ highWaterMark: '100000' });
    expect(again.state).toBe('MANUALLY_HALTED');
    expect(manual(again).reason).toMatch(/was removed while in use/);
    again.updatePortfolio({ value: 100_000 });
    expect(again.check(ORDER)).toMatchObject({ allowed: false });
    expect((await again.journal()).some((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true)).toBe(true);
  });

  it("an operator's reset acknowledges the loss: flush resolves and the store is healthy again; the trip stays", async () => {
    const path = join(base(), 'data');
    const rt = await start(path);
    await tripped(rt);
    rmSync(path, { recursive: true, force: true });
    rt.halt({ operator: 'desk', reason: 'drill' });
    await expect(rt.flush()).rejects.toThrow(/was removed while in use/);
    await waitFor(async () => (await rt.journal()).some((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true), 'the re-creation');
    expect(manual(rt).reason).toBe('drill');
    const { token } = rt.requestReset({ breaker: 'manual', operator: 'ann' });
    expect(rt.confirmReset({ token, operator: 'ann' })).toMatchObject({ confirmed: true });
    await rt.flush();
    expect(await storeInfo(rt)!.health()).toEqual({ healthy: true, reason: null });
    expect(rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(rt.check(ORDER).allowed).toBe(false);
    // A second removal is noticed and re-created again.
    rmSync(path, { recursive: true, force: true });
    rt.halt({ operator: 'desk', reason: 'second drill' });
    await expect(rt.flush()).rejects.toThrow(/was removed while in use/);
    await waitFor(async () => (await rt.journal()).some((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true), 'the second re-creation');
    await rt.stop();
    const again = await start(path);
    expect(again.state).toBe('MANUALLY_HALTED');
    expect(again.status().breakers.drawdown.state).toBe('TRIPPED');
  });

  it('emptied (rm -rf data/*) or replaced by an empty directory: re-created the same way', async () => {
    for (const how of ['emptied', 'replaced'] as const) {
      const path = join(base(), 'data');
      const rt = await start(path);
      await tripped(rt);
      if (how === 'emptied') for (const name of readdirSync(path)) rmSync(join(path, name), { recursive: true, force: true });
      else {
        rmSync(path, { recursive: true, force: true });
        mkdirSync(path);
      }
      rt.halt({ operator: 'desk', reason: how });
      await expect(rt.flush()).rejects.toThrow(how === 'emptied' ? /removed while in use/ : /replaced while in use/);
      await waitFor(async () => (await rt.journal()).some((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true), `re-created (${how})`);
      await rt.stop();
      const again = await start(path);
      expect(again.state, how).toBe('MANUALLY_HALTED');
      expect(again.status().breakers.drawdown.state, how).toBe('TRIPPED');
    }
  });

  it('every strategy stored in the directory is re-created and held, also one that wrote nothing since', async () => {
    const path = join(base(), 'data');
    const a = await start(path, 'alpha-1');
    const b = await start(path, 'beta-2');
    await tripped(a);
    b.updatePortfolio({ value: 50_000 });
    await b.flush();
    rmSync(path, { recursive: true, force: true });
    a.halt({ operator: 'desk', reason: 'noticed by a' });
    await expect(a.flush()).rejects.toThrow(/was removed while in use/);
    await waitFor(async () => (await b.journal()).some((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true), "b's journal entry");
    expect(b.state).toBe('MANUALLY_HALTED');
    await expect(b.flush()).rejects.toThrow(/re-created/);
    await a.stop();
    await b.stop();
    const a2 = await start(path, 'alpha-1');
    const b2 = await start(path, 'beta-2');
    expect(a2.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(b2.state).toBe('MANUALLY_HALTED');
    expect(b2.status().breakers.drawdown.figures).toMatchObject({ highWaterMark: '50000' });
  });

  it('a directory that cannot be re-created (a file in its place) fails closed and says why', async () => {
    const path = join(base(), 'data');
    const rt = await start(path);
    await tripped(rt);
    rmSync(path, { recursive: true, force: true });
    writeFileSync(path, 'not a directory');
    rt.halt({ operator: 'desk', reason: 'drill' });
    await expect(rt.flush()).rejects.toThrow(/removed while in use|replaced while in use|cannot be checked/);
    await waitFor(async () => /could not be re-created/.test((await storeInfo(rt)!.health()).reason ?? ''), 'the refusal');
    await expect(rt.flush()).rejects.toThrow(/could not be re-created \(something that is not a directory is in its place\); failing closed/);
    expect(rt.state).toBe('MANUALLY_HALTED');
    expect(rt.check(ORDER).allowed).toBe(false);
  });
});

describe('a removal noticed without a write (the directory is watched)', () => {
  let script: string;
  beforeAll(async () => {
    script = await bundleFixture(join(__dirname, 'fixtures', 'vanishChild.ts'), 'vanish-child');
  });

  it('an idle strategy: rm -rf is noticed at once (no write needed), re-created and halted', async () => {
    const path = join(base(), 'data');
    const rt = await start(path);
    await tripped(rt);
    rmSync(path, { recursive: true, force: true });
    await waitFor(() => rt.state === 'MANUALLY_HALTED', 'the halt, with no write by the strategy');
    await waitFor(async () => (await rt.journal()).some((e) => e.type === 'StoreWriteFailed' && e.details.recreated === true), 'the re-creation');
    expect(manual(rt).reason).toMatch(/was removed while in use/);
    await rt.stop();
    const again = await start(path);
    expect(again.state).toBe('MANUALLY_HALTED');
    expect(again.status().breakers.drawdown.state).toBe('TRIPPED');
  });

  it('a process killed (SIGKILL) right after its idle directory was re-created: the restart remembers the trip and the halt', async () => {
    const path = join(base(), 'data');
    const child = new Child(script, [path]);
    cleanup.push(() => child.kill());
    await child.waitFor('ready');
    rmSync(path, { recursive: true, force: true });
    await child.waitFor('recreated');
    await child.kill();
    const again = await createRiskRuntime({ strategy: 'idle-1', breakers: { drawdown: { threshold: -0.1 }, dailyLoss: false }, store: { path }, clock: new ManualClock(Date.now()), logger: createMemoryLogger() });
    cleanup.push(() => again.stop());
    expect(again.state).toBe('MANUALLY_HALTED');
    expect(again.status().breakers.manual.reason).toMatch(/was removed while in use/);
    expect(again.status().breakers.drawdown).toMatchObject({ state: 'TRIPPED', figures: { highWaterMark: '100000' } });
    again.updatePortfolio({ value: 100_000 });
    expect(again.check(ORDER).allowed).toBe(false);
  });
});
