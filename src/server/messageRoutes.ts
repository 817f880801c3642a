/**
 * The message checks of the HTTP API (docs/api.md): a modification and a cancellation of an open
 * order, as `rt.checkModify` and `rt.checkCancel` decide them. Like `orders/check`, the runtime
 * judges (counts or journals) the body first; a malformed one is then answered 400 naming the field.
 */
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { InvalidInputError } from '../errors.ts';
import { readCancel, readModify } from '../runtime/messages.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import { ApiError, ApiErrorCode } from './errors.ts';

type NameParams = { Params: { name: string } };

/** `POST /api/strategies/:name/orders/check/modify` and `…/orders/check/cancel`, with the ingest routes' auth and budget. */
export function registerMessageRoutes(app: FastifyInstance, runtime: (name: string) => RiskRuntime, ingest: RouteShorthandOptions): void {
  app.post<NameParams>('/api/strategies/:name/orders/check/modify', ingest, async (request) => {
    const rt = runtime(request.params.name);
    const decision = rt.checkModify(request.body);
    if (!decision.allowed && decision.code === 'MALFORMED_MESSAGE') {
      const problem = readModify(request.body);
      if (problem instanceof InvalidInputError) throw new ApiError(400, ApiErrorCode.VALIDATION, problem.message, problem.field.replace(/^modify\.?/, '') || 'body');
    }
    return decision;
  });

  app.post<NameParams>('/api/strategies/:name/orders/check/cancel', ingest, async (request) => {
    const rt = runtime(request.params.name);
    const decision = rt.checkCancel(request.body);
    if (!decision.allowed && decision.code === 'MALFORMED_MESSAGE') {
      const problem = readCancel(request.body);
      if (problem instanceof InvalidInputError) throw new ApiError(400, ApiErrorCode.VALIDATION, problem.message, problem.field.replace(/^cancel\.?/, '') || 'body');
    }
    return decision;
  });
}
