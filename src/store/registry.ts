import { resolve } from 'node:path';
import type { StrategyStore } from '../runtime/persistence.ts';
import { LevelStrategyStore } from './levelStore.ts';

/** Store health as shown by `breakerbox_store_healthy` and the CLI. */
export interface StoreHealth {
  readonly healthy: boolean;
  readonly reason: string | null;
}

/**
 * What the neighbours of a runtime (server, metrics, CLI, demo) may know about its store,
 * without widening the runtime's own API: registered once by createRiskRuntime.
 */
export interface StoreInfo {
  /** The LevelDB directory asked for, or null for an in-memory store. */
  readonly path: string | null;
  /** Whether state is actually persisted (false: in memory, by choice or after a failed open). */
  readonly persistent: boolean;
  /** Why the strategy started in a fail-closed halt (locked, unreadable or corrupt store), or null. */
  readonly startupFault: string | null;
  /** The LevelDB store, when there is one (journal export and prune). */
  readonly level: LevelStrategyStore | null;
  health(): Promise<StoreHealth>;
  /** Bytes of the store directory, or null (in memory). */
  bytes(): Promise<number | null>;
}

const infos = new WeakMap<object, StoreInfo>();

/** Describes the store a runtime was given (`requestedPath`: the `{ path }` asked for, if any). */
export function describeStore(store: StrategyStore, requestedPath: string | null, startupFault: string | null): StoreInfo {
  if (store instanceof LevelStrategyStore) {
    return { path: store.path, persistent: true, startupFault, level: store, health: () => store.health(), bytes: () => store.bytes() };
  }
  if (requestedPath !== null) {
    // The directory could not be opened: the strategy runs halted, in memory.
    const reason = startupFault ?? 'the store could not be opened';
    return { path: resolve(requestedPath), persistent: false, startupFault, level: null, health: async () => ({ healthy: false, reason }), bytes: async () => null };
  }
  return { path: null, persistent: false, startupFault, level: null, health: async () => ({ healthy: true, reason: null }), bytes: async () => null };
}

/** Registers the store of a runtime (called by createRiskRuntime). */
export function registerStore(runtime: object, info: StoreInfo): void {
  infos.set(runtime, info);
}

/** The store of a runtime, when it was created by createRiskRuntime. */
export function storeInfo(runtime: object): StoreInfo | undefined {
  return infos.get(runtime);
}
