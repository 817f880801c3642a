/**
 * Dormant breakers: a breaker whose rule is off has no actor (an idle strategy holds only the
 * actors of the rules it uses), yet it reads, saves and restores exactly as a NORMAL actor would,
 * and a saved breaker that is not in its initial state keeps its actor whatever the config says.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { BREAKER_TYPES, createRiskRuntime, ManualClock, silentLogger, type BreakersConfig, type RiskRuntime } from '../../src/index.ts';
import { LevelStrategyStore } from '../../src/store/levelStore.ts';
import { ORDER } from '../helpers.ts';

const START = Date.parse('2026-12-01T14:00:00Z');
/** Every rule that can be on without a cluster. */
const ALL_ON: BreakersConfig = {
  preset: 'moderate',
  staleData: { maxAge: 30 },
  messageRate: { maxMessages: 100, window: 10 },
  executionRate: { maxFills: 100, window: 10 },
  tradeLosses: { maxLosses: 5, lookback: 600 },
  orderToTrade: { maxRatio: 20, window: 60, minOrders: 50 },
  reconciliation: { tolerance: '0', grace: 5 },
} as BreakersConfig;
type Saved = { version: number; supervisor: { children: Record<string, { snapshot: { value: string; context: Record<string, unknown> } }> } };

let dir: string;
const runtimes: RiskRuntime[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bb-dormant-'));
});
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function open(breakers: BreakersConfig | 'moderate', path: string | false = dir): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({ strategy: 'alpha-1', clock: new ManualClock(START), logger: silentLogger, store: path === false ? false : { path }, breakers });
  runtimes.push(rt);
  return rt;
}
const actors = (rt: RiskRuntime) => Object.keys(rt.actor.getSnapshot().children as Record<string, AnyActorRef>).sort();
async function saved(path = dir): Promise<Saved> {
  const store = await LevelStrategyStore.open(path, 'alpha-1');
  const record = (await store.load()) as unknown as Saved;
  await store.close();
  return record;
}

describe('dormant breakers', () => {
  it('an idle moderate strategy has actors only for the four rules that are on; status still shows every breaker', async () => {
    const rt = await open('moderate', false);
    expect(actors(rt)).toEqual(['dailyLoss', 'drawdown', 'errorRate', 'orderRate']);
    const status = rt.status();
    expect(Object.keys(status.breakers).sort()).toEqual([...BREAKER_TYPES].sort());
    for (const kind of BREAKER_TYPES) expect(status.breakers[kind].state).toBe('NORMAL');
    expect(status.breakers.messageRate.enabled).toBe(false);
    rt.updatePortfolio({ value: '1000000' });
    expect(rt.check(ORDER).allowed).toBe(true);
  });

  it('its record holds every breaker, each dormant one exactly as a real actor of its chart saves itself at start', async () => {
    const rt = await open('moderate');
    await rt.stop();
    const lean = await saved();
    expect(Object.keys(lean.supervisor.children).sort()).toEqual([...BREAKER_TYPES].sort());
    const other = await mkdtemp(join(tmpdir(), 'bb-dormant-all-'));
    try {
      const all = await open(ALL_ON, other);
      await all.stop();
      const full = await saved(other);
      for (const kind of ['staleData', 'messageRate', 'executionRate', 'tradeLosses', 'orderToTrade', 'reconciliation']) {
        expect(lean.supervisor.children[kind], kind).toEqual(full.supervisor.children[kind]);
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('restored with a rule now off, a breaker in its initial state stays dormant; with the rule on again, it gets its actor', async () => {
    await (await open(ALL_ON)).stop();
    runtimes.length = 0;
    const lean = await open('moderate');
    expect(actors(lean)).toEqual(['dailyLoss', 'drawdown', 'errorRate', 'orderRate']);
    await lean.stop();
    runtimes.length = 0;
    const again = await open(ALL_ON);
    expect(actors(again)).toEqual([...BREAKER_TYPES].filter((k) => k !== 'cluster' && k !== 'manual').sort());
  });

  it('a saved breaker that is TRIPPED keeps its actor and blocks orders even though its rule is now off (never fail open)', async () => {
    const rt = await open({ ...ALL_ON, orderRate: { maxOrders: 2, window: 60 } } as BreakersConfig);
    rt.updatePortfolio({ value: '1000000' });
    for (let i = 0; i < 3; i++) rt.check(ORDER);
    expect(rt.status().breakers.orderRate.state).toBe('TRIPPED');
    await rt.stop();
    runtimes.length = 0;
    const record = await saved();
    expect(record.supervisor.children.orderRate!.snapshot.value).toBe('TRIPPED');
    const off = await open({ preset: 'moderate', orderRate: false } as BreakersConfig);
    expect(actors(off)).toContain('orderRate');
    expect(off.status().breakers.orderRate.state).toBe('TRIPPED');
    off.updatePortfolio({ value: '1000000' });
    expect(off.check(ORDER).allowed).toBe(false);
  });

  it('the manual breaker sleeps until the first halt, which wakes it; the halt holds, is saved, and restores with its actor', async () => {
    const rt = await open('moderate');
    expect(actors(rt)).not.toContain('manual');
    rt.updatePortfolio({ value: '1000000' });
    rt.halt({ operator: 'ops', reason: 'desk call' });
    expect(actors(rt)).toContain('manual');
    expect(rt.status().breakers.manual.state).toBe('MANUALLY_HALTED');
    expect(rt.check(ORDER).allowed).toBe(false);
    await rt.stop();
    runtimes.length = 0;
    const again = await open('moderate');
    expect(actors(again)).toContain('manual');
    expect(again.status().breakers.manual.state).toBe('MANUALLY_HALTED');
    again.updatePortfolio({ value: '1000000' });
    expect(again.check(ORDER).allowed).toBe(false);
  });

  it('a reset asked of a dormant breaker is refused as for any NORMAL breaker, naming it', async () => {
    const rt = await open('moderate', false);
    expect(() => rt.requestReset({ breaker: 'messageRate', operator: 'ops' })).toThrow(/messageRate is NORMAL; there is nothing to reset/);
    expect(() => rt.requestReset({ breaker: 'orderRate', operator: 'ops' })).toThrow(/orderRate is NORMAL; there is nothing to reset/);
  });

  it('the version-2 fixture restores under a moderate config with its dormant breakers as dormant and its trips kept', async () => {
    const text = await readFile(join(import.meta.dirname, '../fixtures/records/v2-drawdown-tripped.json'), 'utf8');
    const store = await LevelStrategyStore.open(dir, 'alpha-1');
    await store.writeRawRecord(text);
    await store.close();
    const rt = await createRiskRuntime({ strategy: 'alpha-1', clock: new ManualClock(Date.parse('2026-11-30T14:01:01Z')), logger: silentLogger, store: { path: dir }, breakers: 'moderate' });
    runtimes.push(rt);
    expect(rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(actors(rt)).toEqual(['dailyLoss', 'drawdown', 'errorRate', 'orderRate']);
  });
});
