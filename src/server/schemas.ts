import { z } from 'zod';
import { ERROR_KINDS, type ErrorKind } from '../../machines/constants.ts';
import { BREAKER_TYPES, type BreakerType } from '../../machines/rules/registry.ts';
import { symbolProblem } from '../../machines/limits/symbol.ts';
import { RiskEventType } from '../events.ts';

/** A symbol, by the runtime's own rule (machines/limits/symbol.ts): the same refusal over HTTP as through the API. */
const symbol = z.string({ error: 'must be a symbol' }).check((ctx) => {
  const problem = symbolProblem(ctx.value);
  if (problem !== null) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
});

const operator = z.string().trim().min(1, 'must name who acts').max(128, 'must be at most 128 characters');

/** `POST /api/strategies/:name/halt` */
export const haltBody = z.strictObject({
  operator,
  reason: z.string().trim().min(1, 'must say why').max(1000, 'must be at most 1000 characters'),
  /** 'reduceOnly' lets risk-reducing orders pass while halted; default 'halt'. */
  mode: z.enum(['halt', 'reduceOnly'], { error: 'must be "halt" or "reduceOnly"' }).optional(),
});

/** `POST /api/strategies/:name/orders/closed` */
export const orderClosedBody = z.strictObject({ id: z.string().min(1, 'must be the order id given to check()').max(128) });

/** `POST /api/strategies/:name/reset` */
export const resetBody = z.strictObject({
  operator,
  breaker: z.enum(BREAKER_TYPES as [BreakerType, ...BreakerType[]], { error: `must be one of ${BREAKER_TYPES.join(', ')}` }),
});

/** `POST /api/strategies/:name/reset/confirm` */
export const confirmBody = z.strictObject({
  operator,
  token: z.string().min(1, 'must be the token returned by the reset request').max(200),
});

const decimal = z.union([z.number(), z.string()], { error: 'must be a number or a decimal string' });

/** `POST /api/strategies/:name/portfolio` (the runtime validates the values themselves). */
export const portfolioBody = z.strictObject({
  value: decimal,
  positions: z
    .array(z.strictObject({ symbol, quantity: decimal, price: decimal.optional() }))
    .max(10_000)
    .optional(),
  timestamp: z.union([z.number(), z.string()], { error: 'must be ms since the epoch or an ISO-8601 string' }).optional(),
  /** When the positions were true (default: the timestamp, else when received). */
  asOf: z.union([z.number(), z.string()], { error: 'must be ms since the epoch or an ISO-8601 string' }).optional(),
  cash: decimal.optional(),
});

/** `POST /api/strategies/:name/fills` (the runtime validates the values themselves). */
export const fillBody = z.strictObject({
  orderId: z.string().max(200).optional(),
  symbol,
  side: z.enum(['buy', 'sell'], { error: 'must be "buy" or "sell"' }),
  quantity: decimal,
  price: decimal,
  /** When it was executed (default: when recorded). */
  timestamp: z.union([z.number(), z.string()], { error: 'must be ms since the epoch or an ISO-8601 string' }).optional(),
  /** The profit or loss it realised (negative: a loss), for the trade-losses breaker. */
  realizedPnl: decimal.optional(),
});

/** `POST /api/strategies/:name/errors` */
export const errorBody = z.strictObject({
  kind: z.enum(ERROR_KINDS as [ErrorKind, ...ErrorKind[]], { error: `must be one of ${ERROR_KINDS.join(', ')}` }),
  message: z.string().max(2000, 'must be at most 2000 characters'),
});

const instant = z
  .string()
  .refine((s) => (/^\d+$/.test(s) ? true : !Number.isNaN(Date.parse(s))), 'must be an ISO-8601 time or ms since the epoch')
  .transform((s) => (/^\d+$/.test(s) ? Number(s) : s));

const EVENT_TYPES = Object.values(RiskEventType) as [RiskEventType, ...RiskEventType[]];

/** `GET /api/strategies/:name/history` query string: `since` is ms since the epoch or an ISO-8601 time (the runtime checks it). */
export const historyQuery = z.strictObject({ since: z.string({ error: 'must be ms since the epoch or an ISO-8601 time, given once' }).max(64).optional() });

/** `GET /api/strategies/:name/journal` query string. */
export const journalQuery = z.strictObject({
  since: instant.optional(),
  until: instant.optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a positive integer')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100_000, 'must be between 1 and 100000')
    .optional(),
  types: z
    .string()
    .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
    .pipe(z.array(z.enum(EVENT_TYPES, { error: `must be a comma-separated list of ${EVENT_TYPES.join(', ')}` })))
    .optional(),
  /** `true`: newest first (with `limit`, the newest n); `false` or absent: oldest first. */
  newestFirst: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((s) => s === 'true').optional(),
});
