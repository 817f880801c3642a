import { Readable } from 'node:stream';
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { RiskEvent } from '../events.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import { storeInfo } from '../store/registry.ts';
import { ApiError, ApiErrorCode, validationError } from './errors.ts';

type NameParams = { Params: { name: string } };

const instant = z
  .string()
  .trim()
  .min(1)
  .transform((s, ctx) => {
    const ms = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time or ms since the epoch' });
      return z.NEVER;
    }
    return ms;
  });

const exportQuery = z.strictObject({ since: instant.optional(), before: instant.optional() });
const pruneBody = z.strictObject({
  operator: z.string().trim().min(1, 'must name who acts').max(128),
  before: z.union([z.number().int().min(0), instant], { error: 'must be an ISO-8601 time or ms since the epoch' }),
});

const parse = <T extends z.ZodType>(schema: T, input: unknown): z.output<T> => {
  const result = schema.safeParse(input ?? undefined);
  if (!result.success) throw validationError(result.error);
  return result.data;
};

/**
 * Journal retention (docs/operations.md "Retention"): export as JSON lines and prune, both
 * with the token. The journal is an audit record: nothing prunes it automatically.
 */
export function registerJournalRoutes(app: FastifyInstance, runtime: (name: string) => RiskRuntime, operator: RouteShorthandOptions): void {
  app.get<NameParams>('/api/strategies/:name/journal/export', operator, async (request, reply) => {
    const rt = runtime(request.params.name);
    const q = parse(exportQuery, request.query);
    const level = storeInfo(rt)?.level;
    async function* lines(): AsyncGenerator<string> {
      if (level) {
        for await (const event of level.exportJournal(q)) yield `${JSON.stringify(event)}\n`;
        return;
      }
      const events: RiskEvent[] = await rt.journal({ ...(q.since === undefined ? {} : { since: q.since }), ...(q.before === undefined ? {} : { until: q.before }) });
      for (const event of events) yield `${JSON.stringify(event)}\n`;
    }
    const name = `${rt.strategy}-journal${q.before === undefined ? '' : `-before-${new Date(q.before).toISOString().slice(0, 10)}`}.jsonl`;
    return reply.type('application/x-ndjson; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(Readable.from(lines()));
  });

  app.post<NameParams>('/api/strategies/:name/journal/prune', operator, async (request) => {
    const rt = runtime(request.params.name);
    const body = parse(pruneBody, request.body);
    const before = typeof body.before === 'number' ? body.before : body.before;
    if (before > Date.now()) throw new ApiError(400, ApiErrorCode.VALIDATION, 'before: must not be in the future', 'before');
    const level = storeInfo(rt)?.level;
    if (!level) throw new ApiError(409, 'NOT_PERSISTED', `strategy ${rt.strategy} keeps its journal in memory; there is nothing on disk to prune`);
    const deleted = await level.pruneJournal(before, body.operator, Date.now());
    return { deleted, before: new Date(before).toISOString() };
  });
}
