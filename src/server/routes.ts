import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import type { BreakerboxMetrics } from '../metrics/metrics.ts';
import { orderProblem } from '../runtime/orderInput.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import type { ServerConfig } from './config.ts';
import { checkBearer } from './auth.ts';
import { ApiError, ApiErrorCode, sendError, validationError } from './errors.ts';
import type { StrategyMap } from './host.ts';
import { confirmBody, errorBody, fillBody, haltBody, historyQuery, journalQuery, orderClosedBody, portfolioBody, resetBody } from './schemas.ts';
import { registerJournalRoutes } from './journalRoutes.ts';
import { safeStatus, summary } from './safeStatus.ts';
import type { SseHub } from './sse.ts';
import { viewOf } from './view.ts';
import { registerFirmRoutes } from './firmRoutes.ts';
import { registerOverviewRoutes } from './overviewRoutes.ts';
import { registerMessageRoutes } from './messageRoutes.ts';
import { registerOverrideRoutes } from './overrideRoutes.ts';

/** What the API routes need. */
export interface RouteContext {
  readonly strategies: StrategyMap;
  readonly token: string;
  readonly metrics: BreakerboxMetrics;
  readonly sse: SseHub;
  readonly rateLimit: ServerConfig['rateLimit'];
}

type NameParams = { Params: { name: string } };

const parse = <T extends z.ZodType>(schema: T, input: unknown): z.output<T> => {
  const result = schema.safeParse(input ?? undefined);
  if (!result.success) throw validationError(result.error);
  return result.data;
};

/** Registers the control API of docs/api.md. */
export function registerApiRoutes(app: FastifyInstance, ctx: RouteContext): void {
  // Reads are limited per client address on arrival; authenticated calls only after their token
  // was checked (preValidation runs before preHandler), in a budget of their own per group.
  const read: RouteShorthandOptions = { config: { rateLimit: { max: ctx.rateLimit.read, timeWindow: '1 minute', groupId: 'read' } } };

  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = checkBearer(request.headers.authorization, ctx.token);
    if (outcome === 'missing') return sendError(reply, new ApiError(401, ApiErrorCode.UNAUTHORIZED, 'this call needs Authorization: Bearer <token>'));
    if (outcome === 'wrong') return sendError(reply, new ApiError(403, ApiErrorCode.FORBIDDEN, 'the bearer token is not valid'));
    return undefined;
  };
  const guarded = (max: number, groupId: string): RouteShorthandOptions => ({
    config: { rateLimit: { max, timeWindow: '1 minute', hook: 'preHandler', groupId } },
    preValidation: authorize,
  });
  const operator = guarded(ctx.rateLimit.operator, 'operator');
  const ingest = guarded(ctx.rateLimit.ingest, 'ingest');

  const runtime = (name: string): RiskRuntime => {
    const rt = ctx.strategies.get(name);
    if (!rt) throw new ApiError(404, ApiErrorCode.NOT_FOUND, `no strategy named ${JSON.stringify(name.slice(0, 80))} (GET /api/strategies lists them)`);
    return rt;
  };

  // One strategy that cannot show its figures is listed as faulted; the others are unaffected.
  app.get('/api/strategies', read, async () => ({ strategies: [...ctx.strategies.values()].map(summary) }));

  app.get<NameParams>('/api/strategies/:name/status', read, async (request) => safeStatus(runtime(request.params.name)));

  // The dashboard's view (every derived fact computed here) and the actors' recent steps (the inspector).
  app.get<NameParams>('/api/strategies/:name/view', read, async (request) => viewOf(runtime(request.params.name)));
  app.get<NameParams & { Querystring: { since?: string } }>('/api/strategies/:name/trace', read, async (request) => {
    const rt = runtime(request.params.name);
    const since = request.query.since === undefined ? 0 : Number(request.query.since);
    if (!Number.isSafeInteger(since) || since < 0) throw new ApiError(400, ApiErrorCode.VALIDATION, `since must be a non-negative integer step number, got ${JSON.stringify(request.query.since)}`, 'since');
    return { steps: rt.actorTrace(since) };
  });

  app.get<NameParams>('/api/strategies/:name/journal', read, async (request) => {
    const rt = runtime(request.params.name);
    const q = parse(journalQuery, request.query);
    const entries = await rt.journal({
      ...(q.since === undefined ? {} : { since: q.since }),
      ...(q.until === undefined ? {} : { until: q.until }),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
      ...(q.types === undefined ? {} : { types: q.types }),
      ...(q.newestFirst ? { newestFirst: true } : {}),
    });
    return { entries };
  });

  // The recent history for charts; `since` is checked by the runtime (a 400 naming the field).
  app.get<NameParams>('/api/strategies/:name/history', read, async (request) => {
    const rt = runtime(request.params.name);
    const { since } = parse(historyQuery, request.query);
    return rt.history(since === undefined ? undefined : /^\d+$/.test(since) ? Number(since) : since);
  });

  app.get<NameParams>('/api/strategies/:name/events', read, async (request, reply) => {
    const rt = runtime(request.params.name);
    if (!ctx.sse.hasRoom()) {
      throw new ApiError(503, ApiErrorCode.TOO_MANY_STREAMS, `too many event streams open (${ctx.sse.limits.maxStreams}); close one or raise streams.max`);
    }
    reply.hijack();
    ctx.sse.open(rt, reply.raw);
  });

  app.post<NameParams>('/api/strategies/:name/halt', operator, async (request) => {
    const rt = runtime(request.params.name);
    const body = parse(haltBody, request.body);
    const outcome = rt.halt(body);
    await rt.flush();
    // The trading mode is told when a mode was asked for; a halt over a standing one says so
    // (who halted first, why, since when, and whether this one tightened it).
    return {
      state: rt.state,
      ...(body.mode === undefined ? {} : { tradingMode: rt.tradingMode }),
      ...(outcome.alreadyHalted === null ? {} : { alreadyHalted: outcome.alreadyHalted, tightened: outcome.tightened }),
    };
  });

  app.post<NameParams>('/api/strategies/:name/reset', operator, async (request) => {
    const rt = runtime(request.params.name);
    const answer = rt.requestReset(parse(resetBody, request.body));
    await rt.flush();
    return answer;
  });

  app.post<NameParams>('/api/strategies/:name/reset/confirm', operator, async (request) => {
    const rt = runtime(request.params.name);
    const answer = rt.confirmReset(parse(confirmBody, request.body));
    await rt.flush();
    return answer;
  });

  app.post<NameParams>('/api/strategies/:name/portfolio', ingest, async (request) => {
    const rt = runtime(request.params.name);
    rt.updatePortfolio(parse(portfolioBody, request.body));
    return { ok: true };
  });

  app.post<NameParams>('/api/strategies/:name/orders/check', ingest, async (request) => {
    const rt = runtime(request.params.name);
    const order = request.body;
    // The runtime judges (and journals) a malformed order too; the API then answers 400 naming the field.
    const decision = ctx.metrics.timedCheck(rt, order, 'api');
    const problem = orderProblem(order);
    if (problem) throw new ApiError(400, ApiErrorCode.VALIDATION, problem.message, problem.field.replace(/^order\./, ''));
    return decision;
  });

  app.post<NameParams>('/api/strategies/:name/fills', ingest, async (request) => {
    const rt = runtime(request.params.name);
    rt.recordFill(parse(fillBody, request.body));
    return { ok: true };
  });

  app.post<NameParams>('/api/strategies/:name/orders/closed', ingest, async (request) => {
    const rt = runtime(request.params.name);
    return { released: rt.recordOrderClosed(parse(orderClosedBody, request.body)) };
  });

  app.post<NameParams>('/api/strategies/:name/errors', ingest, async (request) => {
    const rt = runtime(request.params.name);
    rt.recordError(parse(errorBody, request.body));
    return { ok: true };
  });

  registerMessageRoutes(app, runtime, ingest);
  registerOverrideRoutes(app, runtime, operator);
  registerJournalRoutes(app, runtime, operator);
  registerOverviewRoutes(app, ctx.strategies, read, operator);
  registerFirmRoutes(app, { read, operator, registry: ctx.metrics.registry });

  app.get('/metrics', read, async (_request, reply) => {
    const text = await ctx.metrics.expose();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
