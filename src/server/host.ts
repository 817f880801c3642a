import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { createRiskRuntime } from '../app/create.ts';
import type { BrokerPort, InspectOption, RiskRuntime } from '../runtime/runtime.ts';
import { strategyAlerts, type ServerConfig } from './config.ts';

/** The strategies one process hosts, by name. */
export type StrategyMap = ReadonlyMap<string, RiskRuntime>;

/** Options of {@link startStrategies}. */
export interface StartStrategiesOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The broker port of each strategy (e.g. a paper broker), by strategy name. */
  readonly brokerFor?: (strategy: string) => BrokerPort | undefined;
  /** Environment for alert channels of strategies that configure none. */
  readonly env?: NodeJS.ProcessEnv;
  /** XState inspection of every strategy's actors (e.g. `createWebSocketInspector({ url }).inspect`). */
  readonly inspect?: InspectOption;
}

/**
 * Creates one runtime per configured strategy, all sharing the configured LevelDB directory.
 * If one fails, the ones already started are stopped before the error is rethrown.
 */
export async function startStrategies(config: Pick<ServerConfig, 'store' | 'strategies'> & Partial<Pick<ServerConfig, 'cluster' | 'firmLimits'>>, options: StartStrategiesOptions): Promise<Map<string, RiskRuntime>> {
  const runtimes = new Map<string, RiskRuntime>();
  try {
    for (const s of config.strategies) {
      const alerts = strategyAlerts(s, options.env);
      const broker = options.brokerFor?.(s.name);
      const rt = await createRiskRuntime({
        strategy: s.name,
        ...(s.breakers === undefined ? {} : { breakers: s.breakers }),
        ...(s.marketOpen === undefined ? {} : { marketOpen: s.marketOpen }),
        ...(s.warnAt === undefined ? {} : { warnAt: s.warnAt }),
        ...(s.resetTimeout === undefined ? {} : { resetTimeout: s.resetTimeout }),
        ...(s.maxClockSkew === undefined ? {} : { maxClockSkew: s.maxClockSkew }),
        ...(s.cancelConfirmTimeout === undefined ? {} : { cancelConfirmTimeout: s.cancelConfirmTimeout }),
        ...(s.supervision === undefined ? {} : { supervision: s.supervision }),
        ...(s.figuresDebounceMs === undefined ? {} : { figuresDebounceMs: s.figuresDebounceMs }),
        ...(s.limits === undefined || s.limits === false ? {} : { limits: s.limits }),
        ...(s.symbolCase === undefined ? {} : { symbolCase: s.symbolCase }),
        ...(alerts === undefined ? {} : { alerts }),
        ...(broker === undefined ? {} : { broker }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
        store: config.store === false ? false : { path: config.store.path },
        ...(config.cluster ? { cluster: { ...config.cluster, ...(s.desk === undefined ? {} : { desk: s.desk }) } } : {}),
        ...(config.cluster && config.firmLimits ? { firmLimits: config.firmLimits } : {}),
        logger: options.logger,
      });
      runtimes.set(s.name, rt);
    }
  } catch (error) {
    await stopStrategies(runtimes);
    throw error;
  }
  return runtimes;
}

/** Stops every runtime (writes what is pending, closes the store); never throws. */
export async function stopStrategies(runtimes: StrategyMap): Promise<void> {
  await Promise.allSettled([...runtimes.values()].map((rt) => rt.stop()));
}
