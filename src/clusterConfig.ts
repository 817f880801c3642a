/**
 * The `cluster` and `firmLimits` options: zod schemas (used by the runtime's settings schema and
 * by `serve`'s config) and their resolved forms.
 */
import { z } from 'zod';
import type { ClusterSettings, OnDisconnect } from '../machines/rules/cluster.ts';
import { isDecimalProblem, parseExact } from '../machines/math/exact.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const name = (what: string) => z.string({ error: `must be a ${what} name` }).regex(NAME, 'may hold letters, digits, "_" and "-" only (at most 64)');
const server = z.string().regex(/^(nats|tls):\/\/[^\s]+$/, 'must be a nats:// or tls:// URL, e.g. "nats://127.0.0.1:4222"');

export const clusterSchema = z.strictObject({
  servers: z.union([server, z.array(server).min(1, 'needs at least one server')], { error: 'must be a nats:// URL or a list of them' }),
  firm: name('firm'),
  desk: name('desk').default('default'),
  /** Seconds the link or the bucket may be unreachable before the `cluster` breaker trips. */
  heartbeatTimeout: z.number({ error: 'must be a number of seconds' }).min(0.5, 'must be at least 0.5 seconds').max(300, 'must be at most 300 seconds').default(5),
  onDisconnect: z.enum(['halt', 'reduceOnly'], { error: 'must be "halt" or "reduceOnly"' }).default('halt'),
  /**
   * Copies JetStream keeps of the firm's bucket and audit stream when breakerbox creates them:
   * 1 (one server) or 3 (a three-node cluster: losing any one node loses nothing).
   */
  replicas: z.union([z.literal(1), z.literal(3)], { error: 'must be 1 or 3 (the copies of the bucket and the audit stream)' }).default(1),
  /** A NATS credentials file (.creds: JWT and NKey seed). */
  credentials: z.string().min(1).optional(),
  /** A NATS token (give either this or `credentials`). */
  token: z.string().min(1).optional(),
});

const amount = z.union([z.string(), z.number()], { error: 'must be a negative amount, e.g. "-50000"' }).transform((value, ctx) => {
  const parsed = parseExact(value);
  if (isDecimalProblem(parsed) || !parsed.isNegative()) {
    ctx.addIssue({ code: 'custom', input: value, message: isDecimalProblem(parsed) ? parsed.problem : 'must be a negative amount, e.g. "-50000"' });
    return z.NEVER;
  }
  return parsed.toString();
});
const count = z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000_000, 'must be at most 10000000');

export const firmLimitsSchema = z.strictObject({
  /** The firm's daily loss, as an amount over the sum of every strategy's P&L today. */
  dailyLoss: z.strictObject({ limitAmount: amount }).optional(),
  /** At most `maxOrders` orders within each `window` seconds across every process; leased in slices. */
  orderRate: z
    .strictObject({
      maxOrders: count,
      window: z.number().gt(0, 'must be a positive number of seconds').max(86_400),
      /** Orders a process leases at a time (default: a twentieth of the budget, at least 1). */
      slice: count.optional(),
    })
    .optional(),
});

export type ClusterOptionInput = z.input<typeof clusterSchema>;
export type FirmLimitsInput = z.input<typeof firmLimitsSchema>;

/** The validated cluster option. */
export interface ClusterConfig {
  readonly servers: readonly string[];
  readonly firm: string;
  readonly desk: string;
  readonly heartbeatTimeout: number;
  readonly onDisconnect: OnDisconnect;
  /** Replicas of the bucket and the audit stream (1 or 3). */
  readonly replicas: 1 | 3;
  readonly credentials?: string;
  readonly token?: string;
}

/** The validated firm-wide limits. */
export interface FirmLimits {
  readonly dailyLoss?: { readonly limitAmount: string };
  readonly orderRate?: { readonly maxOrders: number; readonly window: number; readonly slice: number };
}

export function resolveCluster(parsed: z.output<typeof clusterSchema> | undefined): ClusterConfig | null {
  if (parsed === undefined) return null;
  return {
    servers: typeof parsed.servers === 'string' ? [parsed.servers] : parsed.servers,
    firm: parsed.firm,
    desk: parsed.desk,
    heartbeatTimeout: parsed.heartbeatTimeout,
    onDisconnect: parsed.onDisconnect,
    replicas: parsed.replicas,
    ...(parsed.credentials === undefined ? {} : { credentials: parsed.credentials }),
    ...(parsed.token === undefined ? {} : { token: parsed.token }),
  };
}

export function resolveFirmLimits(parsed: z.output<typeof firmLimitsSchema> | undefined): FirmLimits | null {
  if (parsed === undefined) return null;
  const rate = parsed.orderRate;
  return {
    ...(parsed.dailyLoss ? { dailyLoss: { limitAmount: parsed.dailyLoss.limitAmount } } : {}),
    ...(rate ? { orderRate: { maxOrders: rate.maxOrders, window: rate.window, slice: rate.slice ?? Math.max(1, Math.floor(rate.maxOrders / 20)) } } : {}),
  };
}

/** The cluster breaker's settings from the cluster option. */
export function clusterBreakerSettings(cluster: ClusterConfig | null): ClusterSettings | null {
  return cluster === null ? null : { firm: cluster.firm, desk: cluster.desk, heartbeatTimeout: cluster.heartbeatTimeout, onDisconnect: cluster.onDisconnect };
}

/** The cluster option as shown in status and logs: never the token or the credentials' path contents. */
export function publicCluster(cluster: ClusterConfig | null): Record<string, unknown> | false {
  if (cluster === null) return false;
  return {
    servers: [...cluster.servers],
    firm: cluster.firm,
    desk: cluster.desk,
    heartbeatTimeout: cluster.heartbeatTimeout,
    onDisconnect: cluster.onDisconnect,
    replicas: cluster.replicas,
    ...(cluster.credentials ? { credentials: cluster.credentials } : {}),
    ...(cluster.token ? { token: '(set)' } : {}),
  };
}
