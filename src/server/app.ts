import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerDashboard } from '../dashboard/index.ts';
import type { Logger } from '../logger.ts';
import { BreakerboxMetrics } from '../metrics/metrics.ts';
import { DEFAULT_HOST, type RateLimitConfig } from './config.ts';
import { ApiError, ApiErrorCode, sendError, toApiError } from './errors.ts';
import type { StrategyMap } from './host.ts';
import { registerApiRoutes } from './routes.ts';
import { HostPolicy } from './hostPolicy.ts';
import { SseHub, type SseLimits } from './sse.ts';

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** The strategies to serve, by name. The server does not stop them on close. */
  readonly strategies: StrategyMap;
  /** The bearer token state-changing calls must present. Never logged. */
  readonly token: string;
  readonly logger: Logger;
  /** Metrics to expose (default: a fresh registry tracking every strategy). */
  readonly metrics?: BreakerboxMetrics;
  readonly rateLimit?: Partial<RateLimitConfig>;
  /** Serve the dashboard at `/` (default true). */
  readonly dashboard?: boolean;
  /** Extra Host/Origin names accepted besides the bound address (a reverse proxy's). */
  readonly allowedHosts?: readonly string[];
  /** Event-stream limits (most open streams, per-client buffer bound). */
  readonly streams?: Partial<SseLimits>;
}

/** A control API server (fastify) over a set of strategies. */
export interface BreakerboxServer {
  readonly app: FastifyInstance;
  readonly metrics: BreakerboxMetrics;
  /** Starts listening (default 127.0.0.1); resolves with the base URL, e.g. `http://127.0.0.1:8787`. */
  listen(options: { host?: string; port: number }): Promise<string>;
  /** Ends open event streams and stops listening. */
  close(): Promise<void>;
}

/** Builds the fastify app of docs/api.md: API, SSE, `/metrics`, dashboard. */
export async function createServer(options: ServerOptions): Promise<BreakerboxServer> {
  const log = options.logger;
  const metrics = options.metrics ?? new BreakerboxMetrics();
  const untrack = options.metrics ? [] : [...options.strategies.values()].map((rt) => metrics.track(rt));
  const sse = new SseHub(options.streams);
  const hosts = new HostPolicy(options.allowedHosts);
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 1_048_576, return503OnClosing: true });

  await app.register(rateLimit, {
    global: false,
    // Thrown by the plugin; the error handler below turns it into `{ error: { code: 'RATE_LIMITED' } }`.
    errorResponseBuilder: (_request, context) => ({ statusCode: context.statusCode, message: `rate limit exceeded, retry in ${context.after}` }),
  });

  app.setErrorHandler((error, request, reply) => {
    const api = toApiError(error);
    if (api.status >= 500) {
      log.error({ event: 'http_error', method: request.method, route: request.routeOptions.url, error: error instanceof Error ? error.message : String(error) }, 'request failed');
    }
    return sendError(reply, api);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new ApiError(404, ApiErrorCode.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`)));

  // First of all: a request must name this server (DNS rebinding) and must not come from another
  // site's page (Origin / Sec-Fetch-Site). Refused before any parsing, auth or rate accounting.
  app.addHook('onRequest', async (request, reply) => {
    const hostProblem = hosts.hostProblem(request.headers.host);
    if (hostProblem) return sendError(reply, new ApiError(403, ApiErrorCode.HOST_NOT_ALLOWED, hostProblem));
    const origin = request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    const originProblem = hosts.originProblem(typeof origin === 'string' ? origin : undefined, typeof site === 'string' ? site : undefined);
    if (originProblem) return sendError(reply, new ApiError(403, ApiErrorCode.ORIGIN_NOT_ALLOWED, originProblem));
    return undefined;
  });

  // One structured line per request: method, route, status, duration. Never headers (the token lives there).
  app.addHook('onResponse', async (request, reply) => {
    const entry = { event: 'http_request', method: request.method, route: request.routeOptions.url ?? null, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 };
    if (request.method === 'GET' && reply.statusCode < 400) log.debug(entry, 'request');
    else log.info(entry, 'request');
  });

  registerApiRoutes(app, {
    strategies: options.strategies,
    token: options.token,
    metrics,
    sse,
    rateLimit: { operator: 60, ingest: 6000, read: 600, ...options.rateLimit },
  });
  if (options.dashboard ?? true) await registerDashboard(app);

  app.addHook('preClose', async () => sse.closeAll());

  return {
    app,
    metrics,
    async listen({ host = DEFAULT_HOST, port }) {
      await app.listen({ host, port });
      const address = app.server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      hosts.bind(host, bound);
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
      log.info({ event: 'server_listening', host, port: bound, strategies: [...options.strategies.keys()] }, 'listening');
      return url;
    },
    async close() {
      sse.closeAll();
      await app.close();
      untrack.forEach((stop) => stop());
    },
  };
}
