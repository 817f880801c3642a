import type { AbstractSublevel } from 'abstract-level';
import type { HistoryOp, HistoryStore } from '../runtime/history/persistence.ts';
import type { LevelStrategyStore } from './levelStore.ts';

/**
 * A strategy's history in its own sublevel (`<strategy>/history`) of the shared LevelDB.
 * Batches are written without `sync`: history is not a decision input (docs/persistence.md).
 */
export class LevelHistoryStore implements HistoryStore {
  readonly #db: LevelStrategyStore['db'];
  readonly #sub: AbstractSublevel<LevelStrategyStore['strategyDb'], string | Buffer | Uint8Array, string, string>;

  constructor(store: LevelStrategyStore) {
    this.#db = store.db;
    this.#sub = store.strategyDb.sublevel<string, string>('history', { valueEncoding: 'utf8' });
  }

  async load(): Promise<readonly (readonly [string, string])[]> {
    return (await this.#sub.iterator().all()) as [string, string][];
  }

  async write(ops: readonly HistoryOp[]): Promise<void> {
    const batch = ops.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: op.value, sublevel: this.#sub } : { type: 'del', key: op.key, sublevel: this.#sub }));
    await this.#db.batch(batch as never);
  }
}
