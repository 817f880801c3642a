/**
 * `POST /api/strategies/:name/overrides` (docs/api.md): an operator authorises one order past one
 * pre-trade limit, as `rt.authorizeOverride` (RTS 6 Art 15(6)); operator-authenticated and
 * budgeted like halts and resets. The runtime validates the body (a bad field is 400 naming it)
 * and journals `OverrideAuthorized`; the answer is `{ token, limit, expiresAt }`.
 */
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import type { RiskRuntime } from '../runtime/runtime.ts';

type NameParams = { Params: { name: string } };

/** Registers the override route with the operator routes' auth and budget. */
export function registerOverrideRoutes(app: FastifyInstance, runtime: (name: string) => RiskRuntime, operator: RouteShorthandOptions): void {
  app.post<NameParams>('/api/strategies/:name/overrides', operator, async (request) => {
    const rt = runtime(request.params.name);
    const grant = rt.authorizeOverride(request.body ?? undefined);
    // Journaled before the answer, as a halt is.
    await rt.flush();
    return grant;
  });
}
