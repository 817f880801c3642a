import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStrategyStore, type StrategyStore } from '../../src/index.ts';
import { LevelStrategyStore } from '../../src/store/levelStore.ts';

/** Where a model run persists, so that persist-and-restart can bring the runtime back from it. */
export interface Restartable {
  /** The store for the next runtime instance (the same data each time). */
  store(): Promise<StrategyStore>;
  dispose(): Promise<void>;
}

export async function makeRestartable(kind: 'memory' | 'level'): Promise<Restartable> {
  if (kind === 'memory') {
    const store = new MemoryStrategyStore();
    return { store: async () => store, dispose: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'bbx-model-'));
  return {
    store: () => LevelStrategyStore.open(dir, 'model'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
