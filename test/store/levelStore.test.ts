import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { LevelStrategyStore } from '../../src/store/levelStore.ts';
import { ORDER } from '../helpers.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bbx-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (clock: ManualClock, strategy = 'alpha-1') =>
  createRiskRuntime({ strategy, clock, logger: silentLogger, store: { path: dir }, breakers: 'moderate' });

describe('LevelDB store: restart never forgets', () => {
  it('a tripped and halted strategy comes back tripped and halted with the same figures and journal, without re-cancelling', async () => {
    const clock = new ManualClock();
    let cancels = 0;
    let rt: RiskRuntime = await createRiskRuntime({
      strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, broker: { cancelAllOrders: () => void cancels++ },
    });
    rt.updatePortfolio({ value: '1000000' });
    rt.updatePortfolio({ value: '1050000.50' });
    rt.updatePortfolio({ value: '940000' }); // drawdown and daily loss trip
    rt.halt({ operator: 'ann', reason: 'desk call' });
    await rt.flush();
    const before = rt.status();
    const journalBefore = await rt.journal();
    await rt.stop();
    expect(cancels).toBe(3);

    rt = await createRiskRuntime({ strategy: 'alpha-1', clock, logger: silentLogger, store: { path: dir }, broker: { cancelAllOrders: () => void cancels++ } });
    const after = rt.status();
    expect(after.state).toBe('MANUALLY_HALTED');
    for (const b of ['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'manual'] as const) {
      expect(after.breakers[b].state).toBe(before.breakers[b].state);
      expect(after.breakers[b].reason).toBe(before.breakers[b].reason);
    }
    expect(after.breakers.drawdown.figures).toMatchObject({ highWaterMark: '1050000.5', tripLevel: before.breakers.drawdown.figures!.tripLevel });
    expect(after.breakers.dailyLoss.figures).toMatchObject({ startValue: '1000000', tradingDay: before.breakers.dailyLoss.figures!.tradingDay });
    expect(after.breakers.manual.figures).toEqual(before.breakers.manual.figures);
    expect((await rt.journal()).slice(0, journalBefore.length)).toEqual(journalBefore);
    expect(cancels).toBe(3); // restoring is not a transition
    expect(rt.check(ORDER).allowed).toBe(false);
    await rt.stop();
  });

  it('a breaker RESETTING at the crash comes back TRIPPED; its token is dead', async () => {
    const clock = new ManualClock();
    let rt = await open(clock);
    rt.updatePortfolio({ value: 1000 });
    rt.updatePortfolio({ value: 890 });
    const { token } = rt.requestReset({ breaker: 'drawdown', operator: 'ann' });
    await rt.flush();
    await rt.stop();
    rt = await open(clock);
    expect(rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(() => rt.confirmReset({ token, operator: 'ann' })).toThrow(/token/);
    await rt.flush();
    expect((await rt.journal({ types: ['ResetExpired'] })).length).toBe(1);
    await rt.stop();
  });

  it('a restart within the trading day keeps the start value, so it can never reset the daily loss limit', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 10));
    let rt = await open(clock);
    rt.updatePortfolio({ value: 100_000 });
    rt.updatePortfolio({ value: 96_000 }); // -4%
    await rt.stop();
    clock.advance(3_600_000);
    rt = await open(clock);
    rt.updatePortfolio({ value: 95_000 }); // -5% against the morning's start, not against 96k
    expect(rt.status().breakers.dailyLoss).toMatchObject({ state: 'TRIPPED', figures: { startValue: '100000' } });
    await rt.stop();
  });

  it('new highs survive a restart (flushed counters)', async () => {
    const clock = new ManualClock();
    let rt = await open(clock);
    rt.updatePortfolio({ value: 1000 });
    rt.updatePortfolio({ value: 1500 });
    await rt.stop();
    rt = await open(clock);
    expect(rt.status().breakers.drawdown.figures?.highWaterMark).toBe('1500');
    rt.updatePortfolio({ value: 1350 });
    expect(rt.state).toBe('TRIPPED');
    await rt.stop();
  });

  it('the journal is queryable by time range and type, and answers who halted and re-enabled trading', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
    const rt = await open(clock);
    rt.updatePortfolio({ value: 1000 });
    clock.advance(60_000);
    rt.halt({ operator: 'ann', reason: 'first' });
    clock.advance(60_000);
    const { token } = rt.requestReset({ breaker: 'manual', operator: 'bob' });
    rt.confirmReset({ token, operator: 'bob' });
    await rt.flush();
    const ops = await rt.journal({ types: ['ManualHalt', 'ResetRequested', 'ResetConfirmed'] });
    expect(ops.map((e) => [e.type, e.operator, e.timestamp])).toEqual([
      ['ManualHalt', 'ann', '2026-01-05T09:01:00.000Z'],
      ['ResetRequested', 'bob', '2026-01-05T09:02:00.000Z'],
      ['ResetConfirmed', 'bob', '2026-01-05T09:02:00.000Z'],
    ]);
    const window = await rt.journal({ since: '2026-01-05T09:01:00Z', until: '2026-01-05T09:02:00Z' });
    expect(window.every((e) => e.at >= Date.UTC(2026, 0, 5, 9, 1) && e.at < Date.UTC(2026, 0, 5, 9, 2))).toBe(true);
    expect(window.some((e) => e.type === 'ManualHalt')).toBe(true);
    expect((await rt.journal({ newestFirst: true, limit: 1 }))[0]!.type).toBe('StateChanged');
    await rt.stop();
  });

  it('several strategies share one database in one process; one strategy cannot run twice', async () => {
    const clock = new ManualClock();
    const a = await open(clock, 'a');
    const b = await open(clock, 'b');
    a.halt({ operator: 'ann', reason: 'only a' });
    await a.flush();
    const twice = await open(clock, 'a');
    expect(twice.state).toBe('MANUALLY_HALTED');
    expect(twice.status().breakers.manual.reason).toMatch(/strategy a is already running in this process/);
    await twice.stop();
    await a.stop();
    await b.stop();
    const again = await open(clock, 'b');
    expect(again.state).toBe('NORMAL');
    await again.stop();
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test edits arbitrary JSON
function mutate(text: string, edit: (record: any) => void): string {
  const record = JSON.parse(text);
  edit(record);
  return JSON.stringify(record);
}

describe('LevelDB store: fail closed on anything it cannot trust', () => {
  async function writeRaw(text: string) {
    const store = await LevelStrategyStore.open(dir, 'alpha-1');
    await store.writeRawRecord(text);
    await store.close();
  }
  async function goodRecord(): Promise<string> {
    const rt = await open(new ManualClock());
    rt.updatePortfolio({ value: 1000 });
    rt.halt({ operator: 'ann', reason: 'x' });
    await rt.stop();
    const store = await LevelStrategyStore.open(dir, 'alpha-1');
    const record = JSON.stringify(await store.load());
    await store.close();
    return record;
  }

  const cases: [string, (good: string) => string, RegExp][] = [
    ['a truncated record', (g) => g.slice(0, g.length / 2), /cannot be parsed/],
    ['a garbled record', (g) => g.replace(/"/g, "'"), /cannot be parsed/],
    ['a record of a future version', (g) => g.replace('"version":3', '"version":7'), /has version 7, newer than this breakerbox understands \(3\)/],
    ['a record without a version', (g) => g.replace('"version":3,', ''), /has no valid version \(got undefined\)/],
    ['a record of core v1 (version 1)', (g) => g.replace('"version":3', '"version":1'), /no migration from record version 1/],
    ['a snapshot in a state its chart does not have', (g) => g.replace('"value":"MANUALLY_HALTED"', '"value":"NO_SUCH_STATE"'), /does not validate \(supervisor\.children\.manual\.snapshot\.value/],
    ['an incomplete record (a null manual snapshot)', (g) => mutate(g, (r) => (r.supervisor.children.manual = null)), /does not validate \(supervisor\.children\.manual/],
    ['a record whose reset token is not a string', (g) => mutate(g, (r) => (r.supervisor.children.drawdown.snapshot.context.resetToken = 42)), /does not validate \(supervisor\.children\.drawdown\.snapshot\.context\.resetToken/],
    ['a start-of-day value that is not a positive decimal', (g) => mutate(g, (r) => (r.figures.trackers.dailyLoss.startValue = '-1e999999999')), /could not be restored \(dailyLoss: saved start value is not a positive decimal/],
  ];
  for (const [name, corrupt, message] of cases) {
    it(`${name} starts halted with a clear reason, and keeps the refused record aside`, async () => {
      await writeRaw(corrupt(await goodRecord()));
      const rt = await open(new ManualClock());
      expect(rt.state).toBe('MANUALLY_HALTED');
      expect(rt.status().breakers.manual.reason).toMatch(message);
      rt.updatePortfolio({ value: 1000 });
      expect(rt.check(ORDER).allowed).toBe(false);
      await rt.flush();
      expect((await rt.journal({ types: ['RestoreFailed'] }))[0]!.details.reason).toMatch(message);
      await rt.stop();
    });
  }

  it('a directory locked by another process starts halted, naming the directory and the holder', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `
      import { LevelStrategyStore } from ${JSON.stringify(join(process.cwd(), 'src/store/levelStore.ts'))};
      await LevelStrategyStore.open(${JSON.stringify(dir)}, 'holder');
      console.log('holding');
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (d: Buffer) => d.toString().includes('holding') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
      });
      const rt = await open(new ManualClock());
      expect(rt.state).toBe('MANUALLY_HALTED');
      expect(rt.status().breakers.manual.reason).toContain(`store: ${dir} is locked by process ${holder.pid}`);
      await rt.stop();
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
