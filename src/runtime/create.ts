import { systemClock, type Clock } from '../clock.ts';
import { resolveSettings, type BreakersConfig, type PresetName } from '../config.ts';
import type { ConfigIssue } from '../errors.ts';
import { createDefaultLogger, type Logger } from '../logger.ts';
import type { MarketOpen } from '../../machines/figures/tradingDay.ts';
import { MemoryStrategyStore, type StrategyRecord, type StrategyStore } from './persistence.ts';
import { RiskRuntime, type BrokerPort, type InspectOption } from './runtime.ts';

/** Options of {@link createRiskRuntime}. */
export interface RiskRuntimeOptions {
  /** Strategy name: letters, digits, ".", "_" and "-". */
  strategy: string;
  /** Breaker limits, or a preset name. Default: `presets.moderate`. A breaker left out is disabled. */
  breakers?: BreakersConfig | PresetName;
  /** Fraction of a limit at which a breaker first warns (default 0.8). */
  warnAt?: number;
  /** When the trading day opens, for the daily-loss breaker (default 00:00 UTC). */
  marketOpen?: MarketOpen;
  /** Seconds a reset confirmation token stays valid (default 60). */
  resetTimeout?: number;
  /** Where state persists: `false` (default) keeps it in memory; a custom store may be given. */
  store?: false | StrategyStore;
  /** Called on every trip and halt. */
  broker?: BrokerPort;
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** Structured logger (default: pino JSON to stderr). */
  logger?: Logger;
  /** XState inspection observer, passed to the supervisor actor (e.g. `createWebSocketInspector().inspect`). */
  inspect?: InspectOption;
  /** How long counter-only changes (a new high-water mark, a window entry) may wait before being saved (ms, default 250). */
  figuresDebounceMs?: number;
}

const KNOWN_OPTIONS = new Set([
  'strategy', 'breakers', 'warnAt', 'marketOpen', 'resetTimeout', 'store', 'broker', 'clock', 'logger', 'inspect', 'figuresDebounceMs', 'alerts',
]);

/** Checks the parts zod does not (functions and objects with behaviour). */
export function structuralIssues(options: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) issues.push({ path: key, message: 'unknown option' });
  const broker = options.broker as { cancelAllOrders?: unknown } | undefined;
  if (broker !== undefined && typeof broker?.cancelAllOrders !== 'function') {
    issues.push({ path: 'broker.cancelAllOrders', message: 'must be a function' });
  }
  const clock = options.clock as Partial<Clock> | undefined;
  if (clock !== undefined && (typeof clock?.now !== 'function' || typeof clock?.setTimer !== 'function')) {
    issues.push({ path: 'clock', message: 'must have now() and setTimer()' });
  }
  const logger = options.logger as Partial<Logger> | undefined;
  if (logger !== undefined && !['debug', 'info', 'warn', 'error'].every((m) => typeof (logger as Record<string, unknown>)?.[m] === 'function')) {
    issues.push({ path: 'logger', message: 'must have debug(), info(), warn() and error()' });
  }
  const store = options.store as Partial<StrategyStore> | false | undefined;
  if (store !== undefined && store !== false && (typeof store !== 'object' || store === null || typeof store.commit !== 'function')) {
    issues.push({ path: 'store', message: 'must be false or a StrategyStore' });
  }
  return issues;
}

/**
 * Creates and starts one strategy's risk runtime. Invalid options are refused with a
 * ConfigError that lists every problem at once.
 */
export async function createRiskRuntime(options: RiskRuntimeOptions): Promise<RiskRuntime> {
  const raw = (typeof options === 'object' && options !== null ? options : {}) as unknown as Record<string, unknown>;
  const settings = resolveSettings(raw, structuralIssues(raw));
  const store: StrategyStore = options.store ? options.store : new MemoryStrategyStore();
  let restored: StrategyRecord | null = null;
  let failClosedReason: string | null = null;
  try {
    restored = await store.load();
  } catch (error) {
    failClosedReason = error instanceof Error ? error.message : String(error);
  }
  return new RiskRuntime({
    settings,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createDefaultLogger(),
    store,
    broker: options.broker ?? null,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    restored,
    failClosedReason,
    ...(options.figuresDebounceMs === undefined ? {} : { figuresDebounceMs: options.figuresDebounceMs }),
  });
}
