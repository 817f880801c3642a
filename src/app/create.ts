import { systemClock, withMonotonic, type Clock } from '../clock.ts';
import { resolveSettings, type BreakersConfig, type PresetName } from '../config.ts';
import type { LimitsConfig } from '../limitsConfig.ts';
import type { ConfigIssue } from '../errors.ts';
import { createDefaultLogger, type Logger } from '../logger.ts';
import type { MarketOpen } from '../../machines/figures/tradingDay.ts';
import { parseAlertConfig, type AlertConfig, type AlertConfigInput } from '../alerts/index.ts';
import { ConfigError } from '../errors.ts';
import { LevelHistoryStore } from '../store/historyStore.ts';
import { LevelStrategyStore } from '../store/levelStore.ts';
import { describeStore, registerStore } from '../store/registry.ts';
import { MemoryStrategyStore, type StrategyRecord, type StrategyStore } from '../runtime/persistence.ts';
import { wireAlerts } from './alertWiring.ts';
import { addNewBreakers, recordProblems } from '../runtime/record.ts';
import type { ClusterOptionInput, FirmLimitsInput } from '../clusterConfig.ts';
import { RiskRuntime, type BrokerPort, type InspectOption, type RuntimeParts } from '../runtime/runtime.ts';

/** Options of {@link createRiskRuntime}. */
export interface RiskRuntimeOptions {
  /** Strategy name: letters, digits, ".", "_" and "-". */
  strategy: string;
  /**
   * Breaker limits, or a preset name. Default: `presets.moderate`. An object is merged over the
   * preset (`preset`, default moderate) breaker by breaker; `false` turns a breaker off.
   */
  breakers?: BreakersConfig | PresetName;
  /** Fraction of a limit at which a breaker first warns (default 0.8). */
  warnAt?: number;
  /** When the trading day opens, for the daily-loss breaker (default 00:00 UTC). */
  marketOpen?: MarketOpen;
  /** Seconds a reset confirmation token stays valid (default 60). */
  resetTimeout?: number;
  /**
   * Where state persists: `{ path }` is a LevelDB directory (opened once per process and shared
   * by every strategy in it); `false` (default) keeps state in memory; a custom store may be given.
   */
  store?: false | { path: string } | StrategyStore;
  /** Alert channels (email, SMS, webhooks); see docs/alerts.md. Default: none. */
  alerts?: AlertConfigInput;
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
  /** How far ahead of the runtime's clock a timestamp may be (seconds, default 5). */
  maxClockSkew?: number;
  /** Seconds a trip's or halt's cancel has to see every open order closed before they are listed and alerted as `CancelUnconfirmed` (default 5). */
  cancelConfirmTimeout?: number;
  /** One-for-one restarts of failed breaker actors: more than `maxRestarts` within `window` seconds fails closed (defaults 3 / 60). */
  supervision?: { maxRestarts?: number; window?: number };
  /**
   * The firm's NATS JetStream cluster: scoped halts, the firm's audit stream, firm-wide limits
   * (docs/cluster.md). One connection per process is shared by every runtime with the same
   * servers and firm. Without it nothing changes.
   */
  cluster?: ClusterOptionInput;
  /** Firm-wide limits shared through the cluster: `{ dailyLoss?: { limitAmount }, orderRate?: { maxOrders, window, slice? } }`. */
  firmLimits?: FirmLimitsInput;
  /** Pre-trade limits, checked in `check()` after the breakers (docs/controls.md). Default: none. */
  limits?: LimitsConfig;
  /**
   * How symbols are compared everywhere (limits, projections, restricted lists, per-symbol
   * overrides): `'upper'` (default: `"es"` is `ES`) or `'exact'` (as given). Malformed symbols are refused either way.
   */
  symbolCase?: 'upper' | 'exact';
}

const KNOWN_OPTIONS = new Set([
  'strategy', 'breakers', 'warnAt', 'marketOpen', 'resetTimeout', 'store', 'broker', 'clock', 'logger', 'inspect', 'figuresDebounceMs', 'alerts',
  'maxClockSkew', 'cancelConfirmTimeout', 'supervision', 'cluster', 'firmLimits', 'limits', 'symbolCase',
]);

/** Checks the parts zod does not (functions and objects with behaviour). */
export function structuralIssues(options: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) issues.push({ path: key, message: 'unknown option' });
  const broker = options.broker as { cancelAllOrders?: unknown } | undefined;
  if (broker !== undefined && typeof broker?.cancelAllOrders !== 'function') {
    issues.push({ path: 'broker.cancelAllOrders', message: 'must be a function' });
  }
  const cancelTimeoutMs = (broker as { cancelTimeoutMs?: unknown } | undefined)?.cancelTimeoutMs;
  if (cancelTimeoutMs !== undefined && (typeof cancelTimeoutMs !== 'number' || !Number.isFinite(cancelTimeoutMs) || cancelTimeoutMs <= 0)) {
    issues.push({ path: 'broker.cancelTimeoutMs', message: 'must be a positive number of milliseconds' });
  }
  const clock = options.clock as Partial<Clock> | undefined;
  if (clock !== undefined && (typeof clock?.now !== 'function' || typeof clock?.setTimer !== 'function')) {
    issues.push({ path: 'clock', message: 'must have now() and setTimer()' });
  } else if (clock !== undefined && clock.monotonic !== undefined) {
    // Read once: a reading that is not a finite number would silently stop every age (NaN is never old).
    let reading: unknown;
    try {
      reading = typeof clock.monotonic === 'function' ? clock.monotonic() : undefined;
    } catch {
      reading = undefined;
    }
    if (typeof reading !== 'number' || !Number.isFinite(reading)) {
      issues.push({ path: 'clock.monotonic', message: `must be a function returning a finite number of ms when given (got ${typeof clock.monotonic === 'function' ? String(reading) : typeof clock.monotonic})` });
    }
  }
  const logger = options.logger as Partial<Logger> | undefined;
  if (logger !== undefined && !['debug', 'info', 'warn', 'error'].every((m) => typeof (logger as Record<string, unknown>)?.[m] === 'function')) {
    issues.push({ path: 'logger', message: 'must have debug(), info(), warn() and error()' });
  }
  const store = options.store as (Partial<StrategyStore> & { path?: unknown }) | false | undefined;
  if (store !== undefined && store !== false) {
    const ok = typeof store === 'object' && store !== null && (typeof store.commit === 'function' || (typeof store.path === 'string' && store.path.length > 0));
    if (!ok) issues.push({ path: 'store', message: 'must be false, { path: "<LevelDB directory>" } or a StrategyStore' });
  }
  return issues;
}

/**
 * Creates and starts one strategy's risk runtime. Invalid options are refused with a
 * ConfigError that lists every problem at once.
 */
export async function createRiskRuntime(options: RiskRuntimeOptions): Promise<RiskRuntime> {
  const raw = (typeof options === 'object' && options !== null ? options : {}) as unknown as Record<string, unknown>;
  const issues = structuralIssues(raw);
  let alertConfig: AlertConfig | null = null;
  if (options?.alerts !== undefined) {
    try {
      alertConfig = parseAlertConfig(options.alerts);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push(...error.issues.map((i) => ({ path: i.path.startsWith('alerts') ? i.path : `alerts.${i.path}`, message: i.message })));
    }
  }
  const settings = resolveSettings(raw, issues);
  // Every age, deadline and window reads the monotonic clock (one shared view per injected clock).
  const clock = withMonotonic(options.clock ?? systemClock);
  const logger = options.logger ?? createDefaultLogger();

  // Fail closed: a store that cannot be opened or read starts the strategy halted, in memory.
  let store: StrategyStore;
  let failClosedReason: string | null = null;
  const storeOption = options.store;
  if (storeOption && !isStrategyStore(storeOption) && typeof storeOption.path === 'string') {
    try {
      store = await LevelStrategyStore.open(storeOption.path, settings.strategy);
    } catch (error) {
      failClosedReason = error instanceof Error ? error.message : String(error);
      store = new MemoryStrategyStore();
    }
  } else {
    store = storeOption ? (storeOption as StrategyStore) : new MemoryStrategyStore();
  }
  let restored: StrategyRecord | null = null;
  if (failClosedReason === null) {
    try {
      restored = addNewBreakers(await store.load());
      const problems = restored === null ? [] : recordProblems(restored, settings.strategy);
      if (problems.length > 0) {
        restored = null;
        failClosedReason = `store: the saved record of ${settings.strategy} does not validate (${problems.join('; ')})`;
      }
    } catch (error) {
      failClosedReason = error instanceof Error ? error.message : String(error);
    }
  }

  // The history (charts) is read back too; it is not a decision input, so a failure only logs.
  const historyStore = store instanceof LevelStrategyStore ? new LevelHistoryStore(store) : null;
  let stored: readonly (readonly [string, string])[] = [];
  if (historyStore !== null) {
    try {
      stored = await historyStore.load();
    } catch (error) {
      logger.warn({ event: 'history_failed', strategy: settings.strategy, error: error instanceof Error ? error.message : String(error) }, 'history could not be read; starting with an empty one');
    }
  }

  // The cluster is read before the gate can open: the member waits (at most the heartbeat
  // timeout) for the link and the firm's halts, then applies them in the runtime's first step.
  const cluster = settings.cluster ? await (await import('../cluster/member.ts')).joinCluster(settings, { clock, logger }) : null;
  let runtime: RiskRuntime | null = null;
  const alerts = alertConfig ? wireAlerts(alertConfig, store, clock, logger, (info) => runtime?.recordAlertFailure(info)) : null;
  const parts: RuntimeParts = {
    settings,
    clock,
    logger,
    store,
    broker: options.broker ?? null,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    restored,
    failClosedReason,
    figuresDebounceMs: settings.figuresDebounceMs,
    ...(alerts ? { alerts } : {}),
    cluster,
    history: { store: historyStore, stored },
  };
  try {
    runtime = new RiskRuntime(parts);
  } catch (error) {
    // XState refused the stored snapshot: start fresh, halted, and say why.
    const reason = `store: the saved state of ${settings.strategy} could not be restored (${error instanceof Error ? error.message : String(error)})`;
    runtime = new RiskRuntime({ ...parts, restored: null, failClosedReason: reason });
    failClosedReason = reason;
  }
  // The store's health, size and start-up fault, for the server, metrics, CLI and demo.
  registerStore(runtime, describeStore(store, storeOption && !isStrategyStore(storeOption) ? storeOption.path : null, failClosedReason));
  if (alerts) await alerts.resume();
  return runtime;
}

function isStrategyStore(value: object): value is StrategyStore {
  return typeof (value as Partial<StrategyStore>).commit === 'function';
}
