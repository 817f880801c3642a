import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { overview, overviewRow, type Overview } from '../present/overview.ts';
import type { RiskRuntime } from '../runtime/runtime.ts';
import type { HaltOutcome } from '../runtime/operator.ts';
import { validationError } from './errors.ts';
import type { StrategyMap } from './host.ts';
import { safeStatus } from './safeStatus.ts';
import { haltBody } from './schemas.ts';
import { viewOf } from './view.ts';

/** What one strategy answered to a process-wide halt. */
export interface HaltAllRow {
  readonly strategy: string;
  readonly state: string;
  readonly tradingMode: string | null;
  readonly alreadyHalted: HaltOutcome['alreadyHalted'];
  readonly tightened: boolean;
  /** Why this strategy could not be halted (it stays as it was), or null. */
  readonly error: string | null;
}

/** Every strategy of this process at a glance; never throws (a faulted strategy is a row that says so). */
export function overviewOf(strategies: StrategyMap, at = Date.now()): Overview {
  return overview(
    [...strategies.values()].map((rt) => {
      const status = safeStatus(rt);
      // Open orders are tracked in the position book, which exists only with pre-trade limits.
      return overviewRow(viewOf(rt), 'faulted' in status || status.controls.limits === false ? null : status.controls.openOrders);
    }),
    at,
  );
}

function haltOne(rt: RiskRuntime, body: { operator: string; reason: string; mode?: 'halt' | 'reduceOnly' | undefined }): HaltAllRow {
  try {
    const outcome = rt.halt(body);
    return { strategy: rt.strategy, state: rt.state, tradingMode: rt.tradingMode, alreadyHalted: outcome.alreadyHalted, tightened: outcome.tightened, error: null };
  } catch (error) {
    return { strategy: rt.strategy, state: safeStatus(rt).state, tradingMode: null, alreadyHalted: null, tightened: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `GET /api/overview` (read) and `POST /api/halt` (operator): halt every strategy of this process at
 * once, in full or reduce-only. Each strategy is halted in its own step, so one that fails does not
 * stop the others; the answer lists every strategy with its new state.
 */
export function registerOverviewRoutes(app: FastifyInstance, strategies: StrategyMap, read: RouteShorthandOptions, operator: RouteShorthandOptions): void {
  app.get('/api/overview', read, async () => overviewOf(strategies));

  app.post('/api/halt', operator, async (request) => {
    const parsed = haltBody.safeParse(request.body ?? undefined);
    if (!parsed.success) throw validationError(parsed.error);
    const runtimes = [...strategies.values()];
    const rows = runtimes.map((rt) => haltOne(rt, parsed.data));
    // A halt that could not be written durably is still in force here, but a restart would not know it: say so.
    const written = await Promise.allSettled(runtimes.map((rt) => rt.flush()));
    return {
      halted: rows.map((row, i) => {
        const w = written[i]!;
        return w.status === 'fulfilled' || row.error ? row : { ...row, error: `halted, but not written to the store: ${w.reason instanceof Error ? w.reason.message : String(w.reason)}` };
      }),
    };
  });
}
