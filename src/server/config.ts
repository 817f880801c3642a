import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseAlertConfig, alertConfigFromEnv, type AlertConfigInput } from '../alerts/index.ts';
import { runtimeSettingsSchema, toConfigIssues, type BreakersConfig, type PresetName } from '../config.ts';
import type { LimitsConfig } from '../limitsConfig.ts';
import { ConfigError, describeValue, type ConfigIssue } from '../errors.ts';
import type { MarketOpen } from '../../machines/figures/tradingDay.ts';
import { clusterSchema, firmLimitsSchema, type ClusterOptionInput, type FirmLimitsInput } from '../clusterConfig.ts';

/** Default bind address: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default port of the control API. */
export const DEFAULT_PORT = 8787;
/** Default LevelDB directory. */
export const DEFAULT_DATA_DIR = './data';

/**
 * Requests per minute and client address, per route group. Operator and ingest calls are
 * counted only once their bearer token was checked (a request without the token is refused
 * with 401/403 and never uses up the budget of the operator's halt).
 */
export interface RateLimitConfig {
  /** Operator actions (authenticated): halt, reset, reset/confirm, journal prune (default 60). */
  readonly operator: number;
  /** Ingest (authenticated): portfolio, orders/check, fills, errors (default 6000). */
  readonly ingest: number;
  /** Unauthenticated reads: strategies, status, journal, events, metrics (default 600). */
  readonly read: number;
}

/** One strategy hosted by the server. */
export interface StrategyConfig {
  readonly name: string;
  readonly breakers?: BreakersConfig | PresetName;
  readonly marketOpen?: MarketOpen;
  readonly warnAt?: number;
  readonly resetTimeout?: number;
  /** As the runtime options of the same names (docs/breakers.md, docs/controls.md). */
  readonly maxClockSkew?: number;
  readonly cancelConfirmTimeout?: number;
  readonly supervision?: { readonly maxRestarts?: number; readonly window?: number };
  readonly figuresDebounceMs?: number;
  /** Pre-trade limits (docs/controls.md). */
  readonly limits?: LimitsConfig | false;
  readonly symbolCase?: 'upper' | 'exact';
  /** Alert channels; when absent, the channels configured in the environment (`alertConfigFromEnv`). */
  readonly alerts?: AlertConfigInput;
  /** The strategy's desk in the firm's cluster (default: the cluster's `desk`). */
  readonly desk?: string;
}

/** A validated server configuration (file + environment). */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** The bearer token, or null to generate one at start. Never logged. */
  readonly token: string | null;
  /** LevelDB directory shared by every strategy, or false to keep state in memory. */
  readonly store: { readonly path: string } | false;
  readonly rateLimit: RateLimitConfig;
  /** Extra names the Host and Origin headers may carry (a reverse proxy's), besides the bound address. */
  readonly allowedHosts: readonly string[];
  /** Event streams: most open at once, and the per-client buffer bound (bytes). */
  readonly streams: { readonly max: number; readonly bufferBytes: number };
  readonly strategies: readonly StrategyConfig[];
  /** The firm's cluster (docs/cluster.md), or null. */
  readonly cluster: ClusterOptionInput | null;
  readonly firmLimits: FirmLimitsInput | null;
}

const perMinute = z.number().int().min(1).max(1_000_000);

const strategySchema = z.strictObject({
  name: z.string(),
  breakers: z.unknown().optional(),
  marketOpen: z.unknown().optional(),
  warnAt: z.unknown().optional(),
  resetTimeout: z.unknown().optional(),
  // Validated by the runtime's own schema below (one set of rules for code and for serve).
  maxClockSkew: z.unknown().optional(),
  cancelConfirmTimeout: z.unknown().optional(),
  supervision: z.unknown().optional(),
  figuresDebounceMs: z.unknown().optional(),
  limits: z.unknown().optional(),
  symbolCase: z.unknown().optional(),
  alerts: z.unknown().optional(),
  desk: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'may hold letters, digits, "_" and "-" only (at most 64)').optional(),
});

const serverSchema = z.strictObject({
  $schema: z.string().optional(),
  host: z.string().min(1, 'must not be empty').default(DEFAULT_HOST),
  port: z.number().int().min(0).max(65_535).default(DEFAULT_PORT),
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  store: z.union([z.literal(false), z.strictObject({ path: z.string().min(1, 'must not be empty') })]).default({ path: DEFAULT_DATA_DIR }),
  rateLimit: z
    .strictObject({ operator: perMinute.default(60), ingest: perMinute.default(6000), read: perMinute.default(600) })
    .default({ operator: 60, ingest: 6000, read: 600 }),
  allowedHosts: z.array(z.string().trim().min(1, 'must not be empty').regex(/^[^\s/@]+$/, 'must be a host name, optionally with :port')).default([]),
  streams: z
    .strictObject({ max: z.number().int().min(1).max(100_000).default(100), bufferBytes: z.number().int().min(1024).max(1_073_741_824).default(1_048_576) })
    .default({ max: 100, bufferBytes: 1_048_576 }),
  strategies: z.array(strategySchema).min(1, 'needs at least one strategy'),
  cluster: clusterSchema.optional(),
  firmLimits: firmLimitsSchema.optional(),
});

/** The environment variables the server reads (besides the alert ones). */
export const SERVER_ENV = {
  HOST: 'BREAKERBOX_HOST',
  PORT: 'BREAKERBOX_PORT',
  TOKEN: 'BREAKERBOX_TOKEN',
  DATA: 'BREAKERBOX_DATA',
  ALLOWED_HOSTS: 'BREAKERBOX_ALLOWED_HOSTS',
} as const;

/**
 * Validates a server configuration and applies the environment overrides
 * (`BREAKERBOX_HOST`, `BREAKERBOX_PORT`, `BREAKERBOX_TOKEN`, `BREAKERBOX_DATA`). Every problem —
 * in the server part, in each strategy's breakers and in each strategy's alerts — is listed at
 * once in one {@link ConfigError}. Error messages never contain the token.
 */
export function parseServerConfig(input: unknown, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const issues: ConfigIssue[] = [];
  const raw = typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : input;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) applyEnv(raw as Record<string, unknown>, env, issues);
  const parsed = serverSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Never echo a token value back in a message.
    issues.push(...toConfigIssues(parsed.error).map((i) => (i.path === 'token' ? { path: 'token', message: 'must be at least 16 characters' } : i)));
  }
  const strategies: StrategyConfig[] = [];
  const seen = new Set<string>();
  const list = parsed.success ? parsed.data.strategies : rawStrategies(raw);
  list.forEach((s, i) => {
    const prefix = `strategies.${i}`;
    const { name, alerts, desk: _desk, ...settings } = s;
    const check = runtimeSettingsSchema.safeParse({ strategy: name, ...settings }, { reportInput: true });
    if (!check.success) {
      issues.push(...toConfigIssues(check.error, prefix).map((x) => ({ ...x, path: x.path.replace(`${prefix}.strategy`, `${prefix}.name`) })));
    }
    if (typeof name === 'string' && seen.has(name)) issues.push({ path: `${prefix}.name`, message: `duplicate strategy name ${describeValue(name)}` });
    if (typeof name === 'string') seen.add(name);
    if (alerts !== undefined) {
      try {
        parseAlertConfig(alerts);
      } catch (error) {
        if (error instanceof ConfigError) issues.push(...error.issues.map((x) => ({ path: `${prefix}.alerts.${x.path.replace(/^alerts\.?/, '')}`.replace(/\.$/, ''), message: x.message })));
        else throw error;
      }
    }
    strategies.push({
      ...(settings as Omit<StrategyConfig, 'name' | 'alerts'>),
      name: String(name),
      ...(alerts === undefined ? {} : { alerts: alerts as AlertConfigInput }),
      ...(s.desk === undefined ? {} : { desk: s.desk }),
    });
  });
  if (parsed.success && parsed.data.firmLimits !== undefined && parsed.data.cluster === undefined) {
    issues.push({ path: 'firmLimits', message: 'needs "cluster" (firm-wide limits are shared through it)' });
  }
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues, 'server configuration');
  const data = parsed.data;
  return {
    host: data.host,
    port: data.port,
    token: data.token ?? null,
    store: data.store,
    rateLimit: data.rateLimit,
    allowedHosts: data.allowedHosts,
    streams: data.streams,
    strategies,
    cluster: (raw as { cluster?: ClusterOptionInput }).cluster ?? null,
    firmLimits: (raw as { firmLimits?: FirmLimitsInput }).firmLimits ?? null,
  };
}

function rawStrategies(raw: unknown): z.infer<typeof strategySchema>[] {
  const list = (raw as { strategies?: unknown } | null)?.strategies;
  if (!Array.isArray(list)) return [];
  return list.filter((s): s is z.infer<typeof strategySchema> => typeof s === 'object' && s !== null && !Array.isArray(s));
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): void {
  const host = env[SERVER_ENV.HOST]?.trim();
  if (host) raw.host = host;
  const port = env[SERVER_ENV.PORT]?.trim();
  if (port) {
    if (/^\d+$/.test(port)) raw.port = Number(port);
    else issues.push({ path: `env.${SERVER_ENV.PORT}`, message: `must be a port number (got ${describeValue(port.slice(0, 20))})` });
  }
  const token = env[SERVER_ENV.TOKEN];
  if (token !== undefined && token !== '') {
    if (token.length < 16) issues.push({ path: `env.${SERVER_ENV.TOKEN}`, message: 'must be at least 16 characters' });
    else raw.token = token;
  }
  const data = env[SERVER_ENV.DATA]?.trim();
  if (data) raw.store = { path: data };
  const hosts = env[SERVER_ENV.ALLOWED_HOSTS]?.trim();
  if (hosts) raw.allowedHosts = hosts.split(',').map((h) => h.trim()).filter(Boolean);
}

/** Reads and validates a JSON server configuration file (see examples/multi-strategy.json). */
export async function loadServerConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ServerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path: '(file)', message: `cannot read ${file}: ${code}` }], 'server configuration');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: '(file)', message: `${file} is not valid JSON: ${(error as Error).message}` }], 'server configuration');
  }
  return parseServerConfig(json, env);
}

/**
 * The alert configuration of a strategy: its own, or the channels from the environment when it
 * has none (returns undefined when the environment configures none either).
 */
export function strategyAlerts(strategy: StrategyConfig, env: NodeJS.ProcessEnv = process.env): AlertConfigInput | undefined {
  if (strategy.alerts !== undefined) return strategy.alerts;
  const fromEnv = alertConfigFromEnv(env);
  if (!fromEnv.email && !fromEnv.sms && fromEnv.webhooks.length === 0) return undefined;
  return fromEnv as unknown as AlertConfigInput;
}
