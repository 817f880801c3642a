/**
 * Operators' overrides of one pre-trade limit for one order (RTS 6 Art 15(6)):
 * `authorizeOverride({ operator, reason, limit, order: { symbol, side, quantity, price }, ttl })`
 * returns a token; the next order that matches it exactly (its canonical symbol, side, quantity
 * and price, compared as numbers: `5` and `"5.0"` match) passes that one limit, once, before the
 * ttl (seconds, on the monotonic clock) runs out. It must pass every other limit: an override
 * is used up only by an order that is allowed. Never a breaker: an order a breaker or the
 * reduce-only mode blocks never reaches the limits. Both steps are journaled
 * (`OverrideAuthorized`, `OverrideUsed`). Held in memory: a restart forgets unused overrides.
 */
import { randomUUID } from 'node:crypto';
import type { LimitName } from '../../machines/limits/limit.ts';
import { LIMIT_ROWS } from '../../machines/limits/registry.ts';
import { symbolProblem } from '../../machines/limits/symbol.ts';
import { isDecimalProblem, parseExact, type Exact } from '../../machines/math/exact.ts';
import { InvalidInputError } from '../errors.ts';
import { RiskEventType } from '../events.ts';
import type { Controls } from './controls.ts';
import type { StepBase } from './ports.ts';
import type { Authorization } from './overrideBook.ts';
import { validateOperator } from './inputs.ts';

/** Longest an override may wait for its order (s). */
export const MAX_OVERRIDE_TTL_SECONDS = 3600;

/** What an operator sends to authorise one order past one limit. */
export interface OverrideRequest {
  readonly operator: string;
  readonly reason: string;
  /** The limit, by config key (`maxOrderNotional`) or rejection code (`LIMIT_ORDER_NOTIONAL`). */
  readonly limit: string;
  /** The order exactly as it will be checked; `price` null or absent: a market order. */
  readonly order: { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly quantity: string | number; readonly price?: string | number | null };
  /** Seconds it waits for its order (above 0, at most {@link MAX_OVERRIDE_TTL_SECONDS}). */
  readonly ttl: number;
}

/** The answer: the token (in both journal entries), the limit by name, and when it lapses (ISO). */
export interface OverrideGrant {
  readonly token: string;
  readonly limit: LimitName;
  readonly expiresAt: string;
}

/** What authorising an override takes: the controls' held overrides and symbol case, the clock, a step and the journal. */
export interface OverridePort extends Pick<StepBase, 'clock' | 'step' | 'emit'> {
  readonly controls: Pick<Controls, 'canonical' | 'overrides'>;
}

/** Each limit by config key, name and own code. */
const LIMITS_BY_WORD: ReadonlyMap<string, LimitName> = new Map(LIMIT_ROWS.flatMap((r): [string, LimitName][] => [[r.key, r.name], [r.name, r.name], [r.code, r.name]]));

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

function positiveDecimal(value: unknown, field: string): Exact {
  const parsed = typeof value === 'string' || typeof value === 'number' ? parseExact(value) : null;
  if (parsed === null || isDecimalProblem(parsed) || !parsed.isPositive() || parsed.isZero()) {
    throw new InvalidInputError(field, value, parsed !== null && isDecimalProblem(parsed) ? parsed.problem : 'must be a positive decimal, e.g. "5" or 4500');
  }
  return parsed;
}

/** Authorises one order past one limit (see the module's words); throws InvalidInputError naming the field at fault. */
export function authorizeOverride(core: OverridePort, request: unknown): OverrideGrant {
  if (!isObject(request)) throw new InvalidInputError('override', request, 'must be an object with operator, reason, limit, order and ttl');
  const operator = validateOperator(request['operator']);
  const reason = request['reason'];
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 1000) {
    throw new InvalidInputError('reason', reason, 'must be a non-empty string of at most 1000 characters saying why');
  }
  const limitWord = request['limit'];
  const limit = typeof limitWord === 'string' ? LIMITS_BY_WORD.get(limitWord) : undefined;
  if (limit === undefined) {
    throw new InvalidInputError('limit', limitWord, `must name one pre-trade limit by config key or rejection code: ${LIMIT_ROWS.map((r) => r.key).join(', ')} (or their LIMIT_* codes); breakers and REDUCE_ONLY cannot be overridden`);
  }
  const order = request['order'];
  if (!isObject(order)) throw new InvalidInputError('order', order, 'must be { symbol, side, quantity, price }');
  const symbol = order['symbol'];
  const problem = symbolProblem(symbol);
  if (problem !== null) throw new InvalidInputError('order.symbol', symbol, problem);
  const side = order['side'];
  if (side !== 'buy' && side !== 'sell') throw new InvalidInputError('order.side', side, 'must be "buy" or "sell"');
  const quantity = positiveDecimal(order['quantity'], 'order.quantity');
  const price = order['price'] === undefined || order['price'] === null ? null : positiveDecimal(order['price'], 'order.price');
  const ttl = request['ttl'];
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_OVERRIDE_TTL_SECONDS) {
    throw new InvalidInputError('ttl', ttl, `must be a number of seconds above 0 and at most ${MAX_OVERRIDE_TTL_SECONDS}`);
  }
  const controls = core.controls;
  const canonical = controls.canonical(symbol as string);
  const token = randomUUID();
  const expiresAt = new Date(core.clock.now() + ttl * 1000).toISOString();
  const shown = { symbol: canonical, side, quantity: quantity.toFixed(), price: price?.toFixed() ?? null };
  const a: Authorization = { token, operator, reason: reason.trim(), limit, symbol: canonical, side, quantity, price, expires: core.clock.monotonic() + ttl * 1000, shown };
  controls.overrides.onUsed ??= (used) =>
    core.step.run(() => core.emit(RiskEventType.OVERRIDE_USED, null, { reason: used.reason, limit: used.limit, order: used.shown, token: used.token }, used.operator));
  core.step.run(() => {
    controls.overrides.add(a);
    core.emit(RiskEventType.OVERRIDE_AUTHORIZED, null, { reason: a.reason, limit, order: shown, token, ttlSeconds: ttl, expiresAt }, operator);
  });
  return { token, limit, expiresAt };
}

