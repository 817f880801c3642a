import { storeInfo } from './registry.ts';

/** Strategies that started in a fail-closed halt because their store was locked or unreadable. */
export interface HaltedStart {
  readonly strategy: string;
  readonly reason: string;
}

/** The strategies of `runtimes` whose store could not be opened or read at start. */
export function haltedStarts(runtimes: Iterable<{ readonly strategy: string }>): HaltedStart[] {
  const out: HaltedStart[] = [];
  for (const rt of runtimes) {
    const fault = storeInfo(rt)?.startupFault;
    if (fault) out.push({ strategy: rt.strategy, reason: fault });
  }
  return out;
}

/** Whether every runtime's state is actually persisted (no in-memory fallback). */
export function allPersistent(runtimes: Iterable<object>): boolean {
  for (const rt of runtimes) if (storeInfo(rt)?.persistent !== true) return false;
  return true;
}

/**
 * `serve` / `demo` refuse to start when a store is locked or unreadable (the strategies would
 * start halted, in memory): one line for stdout naming the directory and the holder, and exit
 * code 6, unless `--allow-halted-start` is given.
 */
export class HaltedStartError extends Error {
  readonly halted: readonly HaltedStart[];
  constructor(halted: readonly HaltedStart[]) {
    const reasons = [...new Set(halted.map((h) => h.reason.replace(/^store: /, '')))];
    super(
      `breakerbox: cannot start: ${reasons.join('; ')} — ${halted.map((h) => h.strategy).join(', ')} would start HALTED; ` +
        'stop the other process or fix the store, or pass --allow-halted-start to start halted anyway',
    );
    this.name = 'HaltedStartError';
    this.halted = halted;
  }
}
