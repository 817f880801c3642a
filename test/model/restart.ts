import { MemoryStrategyStore, type StrategyStore } from '../../src/index.ts';

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
  throw new Error(`restartable kind ${kind} is not available`);
}
