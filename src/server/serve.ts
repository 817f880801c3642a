import type { Writable } from 'node:stream';
import type { Logger } from '../logger.ts';
import type { InspectOption } from '../runtime/runtime.ts';
import { BreakerboxMetrics } from '../metrics/metrics.ts';
import { createServer, type BreakerboxServer } from './app.ts';
import { generateToken } from './auth.ts';
import { loadServerConfig, type ServerConfig } from './config.ts';
import { allPersistent, haltedStarts, HaltedStartError } from '../store/startup.ts';
import { startStrategies, stopStrategies, type StrategyMap } from './host.ts';

/** Options of {@link runServe}. */
export interface ServeOptions {
  /** Path of the JSON configuration file. */
  readonly configPath: string;
  readonly logger: Logger;
  /** Where the human-readable start-up lines go (default process.stdout). */
  readonly out?: Writable;
  readonly env?: NodeJS.ProcessEnv;
  /** Start even when a store is locked or unreadable (those strategies start halted, in memory). */
  readonly allowHaltedStart?: boolean;
  /** XState inspection of every strategy's actors (`breakerbox serve --inspect ws://…`). */
  readonly inspect?: InspectOption;
}

/** A running `breakerbox serve`. */
export interface RunningServer {
  readonly url: string;
  readonly config: ServerConfig;
  readonly strategies: StrategyMap;
  readonly server: BreakerboxServer;
  /** Stops listening, then stops every runtime (pending writes flushed, store closed). */
  close(): Promise<void>;
}

/**
 * Starts `breakerbox serve`: validates the configuration (file + environment), starts every
 * strategy, then the API. Prints the URL, and the token once when it was generated.
 */
export async function runServe(options: ServeOptions): Promise<RunningServer> {
  const out = options.out ?? process.stdout;
  const env = options.env ?? process.env;
  const config = await loadServerConfig(options.configPath, env);
  const strategies = await startStrategies(config, { logger: options.logger, env, ...(options.inspect ? { inspect: options.inspect } : {}) });
  const halted = haltedStarts(strategies.values());
  if (halted.length > 0 && !options.allowHaltedStart) {
    await stopStrategies(strategies);
    throw new HaltedStartError(halted);
  }
  let server: BreakerboxServer;
  let url: string;
  const generated = config.token === null;
  const token = config.token ?? generateToken();
  try {
    server = await createServer({
      strategies,
      token,
      logger: options.logger,
      metrics: new BreakerboxMetrics(),
      rateLimit: config.rateLimit,
      allowedHosts: config.allowedHosts,
      streams: { maxStreams: config.streams.max, maxBufferBytes: config.streams.bufferBytes },
    });
    for (const rt of strategies.values()) server.metrics.track(rt);
    url = await server.listen({ host: config.host, port: config.port });
  } catch (error) {
    await stopStrategies(strategies);
    throw error;
  }
  const store = config.store === false ? 'in memory (not persisted)' : allPersistent(strategies.values()) ? config.store.path : `NOT persisted (${config.store.path} could not be used)`;
  out.write(`breakerbox: ${strategies.size} strateg${strategies.size === 1 ? 'y' : 'ies'} (${[...strategies.keys()].join(', ')}), state ${store}\n`);
  for (const h of halted) out.write(`breakerbox: ${h.strategy} started HALTED (fail closed, --allow-halted-start): ${h.reason}\n`);
  if (generated) out.write(`breakerbox: API token (generated, shown once; set BREAKERBOX_TOKEN to choose your own): ${token}\n`);
  out.write(`breakerbox listening on ${url}\n`);
  let closing: Promise<void> | null = null;
  return {
    url,
    config,
    strategies,
    server,
    close() {
      closing ??= (async () => {
        await server.close().catch(() => undefined);
        server.metrics.untrackAll();
        await stopStrategies(strategies);
      })();
      return closing;
    },
  };
}
