/**
 * The firm's control API (docs/cluster.md): status of the firm's scopes, halt and two-step reset
 * at a scope, and the firm's audit stream. Served by any process of the firm; that process
 * writes the bucket, every process applies it. Without `cluster` these answer 404.
 */
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import { ApiError, ApiErrorCode, validationError } from './errors.ts';
import { systemClock } from '../clock.ts';
import { clusterNodes, type ClusterNode } from '../cluster/node.ts';
import { scopeOf } from '../cluster/scopes.ts';

const operator = z.string().trim().min(1, 'must name who acts').max(128, 'must be at most 128 characters');
const selector = { desk: z.string().max(64).optional(), strategy: z.string().max(64).optional() };
const haltBody = z.strictObject({ operator, reason: z.string().trim().min(1, 'must say why').max(1000), ...selector });
const resetBody = z.strictObject({ operator, ...selector });
const confirmBody = z.strictObject({ operator, token: z.string().min(1).max(200) });
const journalQuery = z.strictObject({
  since: z.string().regex(/^\d+$/, 'must be ms since the epoch').transform(Number).optional(),
  limit: z.string().regex(/^\d+$/).transform(Number).refine((n) => n >= 1 && n <= 10_000, 'must be between 1 and 10000').optional(),
});

const parse = <T extends z.ZodType>(schema: T, input: unknown): z.output<T> => {
  const result = schema.safeParse(input ?? undefined);
  if (!result.success) throw validationError(result.error);
  return result.data;
};

function node(): ClusterNode {
  const found = clusterNodes()[0];
  if (!found) throw new ApiError(404, ApiErrorCode.NOT_FOUND, 'this process has no cluster configured (see docs/cluster.md)');
  return found;
}

/** Registers `/api/firm…`; `read` and `operator` are the route options of the API's groups (rate limits, bearer token). */
export function registerFirmRoutes(app: FastifyInstance, options: { read: RouteShorthandOptions; operator: RouteShorthandOptions; registry: Registry }): void {
  registerClusterMetrics(options.registry);
  app.get('/api/firm', options.read, async () => node().control.status());

  app.post('/api/firm/halt', options.operator, async (request) => {
    const body = parse(haltBody, request.body);
    const { scope, created, halt } = await node().control.halt(scopeOf(body), body.operator, body.reason);
    return { scope, created, operator: halt.operator, reason: halt.reason, at: new Date(halt.at).toISOString() };
  });

  // Reads only: the scope's halt and the name to type, before anything is requested.
  app.get('/api/firm/reset', options.read, async (request) => {
    const query = parse(z.strictObject(selector), request.query);
    return node().control.previewReset(scopeOf(query));
  });

  app.post('/api/firm/reset', options.operator, async (request) => {
    const body = parse(resetBody, request.body);
    return node().control.requestReset(scopeOf(body), body.operator);
  });

  app.post('/api/firm/reset/confirm', options.operator, async (request) => {
    const body = parse(confirmBody, request.body);
    return node().control.confirmReset(body.token, body.operator);
  });

  app.get('/api/firm/journal', options.read, async (request) => {
    const q = parse(journalQuery, request.query);
    const entries = await node().link.readAudit({ limit: q.limit ?? 1000, ...(q.since === undefined ? {} : { since: q.since }) });
    return { entries };
  });
}

/** Prometheus: link state, bucket lag, the audit backlog and halts by scope, read at scrape time. */
function registerClusterMetrics(registry: Registry): void {
  if (registry.getSingleMetric('breakerbox_cluster_link_up')) return;
  new Gauge({
    name: 'breakerbox_cluster_link_up',
    help: '1 when this process reaches the firm cluster (link and bucket), else 0',
    labelNames: ['firm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of clusterNodes()) this.set({ firm: n.config.firm }, n.link.up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'breakerbox_cluster_lag_seconds',
    help: 'Round trip of the last bucket probe',
    labelNames: ['firm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of clusterNodes()) if (n.link.lagMs !== null) this.set({ firm: n.config.firm }, n.link.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'breakerbox_cluster_down_seconds',
    help: 'How long the cluster has been unreachable (0 while up)',
    labelNames: ['firm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of clusterNodes()) this.set({ firm: n.config.firm }, n.link.downSince === null ? 0 : (systemClock.monotonic() - n.link.downSince) / 1000);
    },
  });
  new Gauge({
    name: 'breakerbox_cluster_audit_backlog',
    help: "Audit records not yet acknowledged by the firm's stream (kept and retried while it is unreachable)",
    labelNames: ['firm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of clusterNodes()) this.set({ firm: n.config.firm }, n.auditBacklog);
    },
  });
  new Gauge({
    name: 'breakerbox_cluster_records_invalid',
    help: "Records in the firm's bucket now that failed validation (never used; see the cluster_record_invalid log lines)",
    labelNames: ['firm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of clusterNodes()) this.set({ firm: n.config.firm }, n.link.invalid.size);
    },
  });
  new Counter({
    name: 'breakerbox_cluster_records_invalid_total',
    help: 'Firm records read from the bucket or the stream that failed validation, since start',
    labelNames: ['firm'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of clusterNodes()) this.inc({ firm: n.config.firm }, n.link.mirror.invalidSeen);
    },
  });
  new Gauge({
    name: 'breakerbox_cluster_halts',
    help: 'Halts in force by scope (1 per halted scope)',
    labelNames: ['firm', 'scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of clusterNodes()) for (const scope of n.link.halts.keys()) this.set({ firm: n.config.firm, scope }, 1);
    },
  });
}
