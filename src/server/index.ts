/**
 * The breakerbox server: hosts strategies and serves the control API (docs/api.md), server-sent
 * events, Prometheus metrics and the dashboard.
 * @packageDocumentation
 */
export { createServer, type BreakerboxServer, type ServerOptions } from './app.ts';
export { generateToken, tokensMatch, checkBearer, type AuthOutcome } from './auth.ts';
export {
  loadServerConfig,
  parseServerConfig,
  strategyAlerts,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  SERVER_ENV,
  type RateLimitConfig,
  type ServerConfig,
  type StrategyConfig,
} from './config.ts';
export { ApiError, ApiErrorCode, type ApiErrorBody } from './errors.ts';
export { startStrategies, stopStrategies, type StartStrategiesOptions, type StrategyMap } from './host.ts';
export { firstFreePort, portIsFree } from './ports.ts';
export { runServe, type ServeOptions, type RunningServer } from './serve.ts';
export { SseHub, SSE_PING_MS } from './sse.ts';
