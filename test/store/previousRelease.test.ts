/**
 * Records written by the previous release (record version 2, made by breakerbox at 71d4a9f and
 * kept verbatim in test/fixtures/records) restore under this one: every breaker they hold comes
 * back as it was; every breaker they predate starts in its initial state (NORMAL) with a journal
 * note (`BreakerAdded`). A record of this version that lacks a breaker its version already held
 * is refused (fail closed), never filled in.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BREAKER_TYPES, createRiskRuntime, ManualClock, silentLogger, type RiskRuntime } from '../../src/index.ts';
import { ruleOf } from '../../machines/rules/registry.ts';
import { RECORD_VERSION } from '../../src/runtime/record.ts';
import { LevelStrategyStore } from '../../src/store/levelStore.ts';
import { ORDER } from '../helpers.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/records');
const SAVED_AT = Date.parse('2026-11-30T14:00:01Z');
type Record2 = { version: number; supervisor: { children: Record<string, { snapshot: { value: string } }> } };

let dir: string;
const runtimes: RiskRuntime[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bb-prev-'));
});
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function writeRaw(text: string): Promise<void> {
  const store = await LevelStrategyStore.open(dir, 'alpha-1');
  await store.writeRawRecord(text);
  await store.close();
}
async function open(): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({
    strategy: 'alpha-1',
    clock: new ManualClock(SAVED_AT + 60_000),
    logger: silentLogger,
    store: { path: dir },
    breakers: { preset: 'moderate', staleData: { maxAge: 30 } },
  });
  runtimes.push(rt);
  return rt;
}
const fixture = async (name: string): Promise<string> => readFile(join(FIXTURES, name), 'utf8');

describe('records of the previous release (version 2)', () => {
  for (const [name, expected] of [
    ['v2-drawdown-tripped.json', { drawdown: 'TRIPPED', dailyLoss: 'TRIPPED', manual: 'NORMAL' }],
    ['v2-manual-halt.json', { drawdown: 'NORMAL', manual: 'MANUALLY_HALTED' }],
  ] as const) {
    it(`${name}: every breaker it holds restores as it was; every breaker it predates starts NORMAL with a journal note`, async () => {
      const text = await fixture(name);
      const saved = JSON.parse(text) as Record2;
      expect(saved.version).toBe(2);
      await writeRaw(text);
      const rt = await open();
      const status = rt.status();
      for (const [kind, state] of Object.entries(expected)) expect(status.breakers[kind as keyof typeof status.breakers].state).toBe(state);
      for (const kind of Object.keys(saved.supervisor.children)) {
        expect(status.breakers[kind as keyof typeof status.breakers].state).toBe(saved.supervisor.children[kind]!.snapshot.value);
      }
      expect(rt.check(ORDER).allowed).toBe(false);
      await rt.flush();
      const notes = (await rt.journal()).filter((e) => e.type === 'BreakerAdded');
      const predates = BREAKER_TYPES.filter((kind) => !(kind in saved.supervisor.children));
      expect(notes.map((e) => e.breaker).sort()).toEqual([...predates].sort());
      for (const kind of predates) expect(status.breakers[kind].state).toBe('NORMAL');
      // Saved again, it is a record of this version holding every breaker.
      await rt.stop();
      const store = await LevelStrategyStore.open(dir, 'alpha-1');
      const again = (await store.load()) as unknown as Record2;
      await store.close();
      expect(again.version).toBe(RECORD_VERSION);
      expect(Object.keys(again.supervisor.children).sort()).toEqual([...BREAKER_TYPES].sort());
    });
  }

  it('a version-2 record from before staleData and cluster existed: both start NORMAL, journaled; the trip it holds stands', async () => {
    const saved = JSON.parse(await fixture('v2-drawdown-tripped.json')) as Record2;
    delete saved.supervisor.children.staleData;
    delete saved.supervisor.children.cluster;
    await writeRaw(JSON.stringify(saved));
    const rt = await open();
    expect(rt.status().breakers.drawdown.state).toBe('TRIPPED');
    expect(rt.status().breakers.staleData.state).toBe('NORMAL');
    await rt.flush();
    const added = (await rt.journal()).filter((e) => e.type === 'BreakerAdded').map((e) => e.breaker);
    expect(added).toEqual(expect.arrayContaining(['staleData', 'cluster']));
    expect(added).not.toContain('drawdown');
  });

  it('a version-2 record without a breaker version 2 already held (drawdown, manual) is refused: the strategy starts halted, saying why', async () => {
    for (const kind of ['drawdown', 'manual']) {
      const saved = JSON.parse(await fixture('v2-drawdown-tripped.json')) as Record2;
      expect(ruleOf(kind)!.recordSince).toBeLessThan(2);
      delete saved.supervisor.children[kind];
      await writeRaw(JSON.stringify(saved));
      const rt = await open();
      expect(rt.state).toBe('MANUALLY_HALTED');
      expect(rt.status().breakers.manual.reason).toMatch(new RegExp(`does not validate \\(supervisor\\.children\\.${kind}`));
      expect(rt.check(ORDER).allowed).toBe(false);
      await rt.stop();
      runtimes.splice(runtimes.indexOf(rt), 1);
    }
  });

  it(`a record of this version (${RECORD_VERSION}) without staleData is refused: only breakers added in or after its version may be missing`, async () => {
    const saved = JSON.parse(await fixture('v2-drawdown-tripped.json')) as Record2;
    saved.version = RECORD_VERSION;
    delete saved.supervisor.children.staleData;
    await writeRaw(JSON.stringify(saved));
    const rt = await open();
    expect(rt.state).toBe('MANUALLY_HALTED');
    expect(rt.status().breakers.manual.reason).toMatch(/does not validate \(supervisor\.children\.staleData/);
  });
});
