/**
 * What the firm's key-value bucket stores (halts by scope, each strategy's P&L today, the order
 * budget), and the schemas every record read from the bucket or the stream must pass: the same
 * bounds as a local input (decimals, timestamps, trading days, scopes, names). Anyone who can
 * write to the bucket can write anything; a record that fails is never used.
 */
import { z } from 'zod';
import { parseDecimal, parseTimestamp } from '../runtime/inputs.ts';
import { parseScope, type Scope } from './scopes.ts';

/** A halt as stored in the bucket (value of `halt.<scope>`). */
export interface StoredHalt {
  readonly scope: Scope;
  readonly operator: string;
  readonly reason: string;
  readonly at: number;
  readonly revision: number;
}

/** One strategy's P&L today, as its process published it (value of `pnl.<strategy>`). */
export interface StoredPnl {
  readonly strategy: string;
  readonly desk: string;
  readonly pnl: string;
  readonly tradingDay: string | null;
  readonly at: number;
}

/** The stored value of a halt key: an active halt, or the marker of its lift. */
export interface HaltValue {
  readonly scope: Scope;
  readonly operator: string;
  readonly reason: string;
  readonly at: number;
  readonly lifted?: { readonly operator: string; readonly at: number };
}

/** The firm's order budget (value of `rate.orders`): orders granted in a window. */
export interface BudgetValue {
  readonly window: number;
  readonly granted: number;
}

/** Largest record read (bytes): the bucket's writers publish a few hundred. */
export const MAX_RECORD_BYTES = 16_384;

/** How far ahead of this host's clock another host's record may be stamped (ms; hosts are NTP-synced, not identical). */
export const RECORD_CLOCK_SKEW_MS = 60_000;

const DESK = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const STRATEGY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Runs a throwing validator of src/runtime/inputs.ts as a zod refinement (its message names the problem). */
const via = <T>(check: (value: unknown) => T) =>
  z.unknown().transform((value, ctx): T => {
    try {
      return check(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const timestamp = (field: string) =>
  via((v) => {
    if (typeof v !== 'number') throw new Error(`${field} must be ms since the epoch (a number)`);
    return parseTimestamp(v, field, { now: Date.now(), maxSkewMs: RECORD_CLOCK_SKEW_MS });
  });
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const strategyName = z.string().regex(STRATEGY, 'must be a strategy name (letters, digits, ".", "_", "-"; at most 64)');
const deskName = z.string().regex(DESK, 'must be a desk name (letters, digits, "_", "-"; at most 64)');

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export const tradingDaySchema = z.string().refine((day) => {
  const m = DAY.exec(day);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number(m[1]) >= 2000 && date.toISOString().slice(0, 10) === day;
}, 'must be a trading day "YYYY-MM-DD" (a real date)');

const pnlSchema = z.strictObject({
  strategy: strategyName,
  desk: deskName,
  pnl: via((v) => {
    if (typeof v !== 'string') throw new Error('pnl must be a decimal string');
    return parseDecimal(v, 'pnl', { sign: 'any' }).toFixed();
  }),
  tradingDay: tradingDaySchema.nullable(),
  at: timestamp('at'),
});

const haltSchema = z.strictObject({
  scope: via((v) => parseScope(v)),
  operator: z.string().max(128),
  reason: z.string().max(1000),
  at: timestamp('at'),
  lifted: z.strictObject({ operator: text(128), at: timestamp('lifted.at') }).optional(),
});

const budgetSchema = z.strictObject({
  window: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  granted: z.number().int().min(0).max(10_000_000),
});

/** A record that failed validation: never used; its key and why are logged, counted and alerted. */
export interface InvalidRecord {
  readonly key: string;
  readonly problem: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly invalid: InvalidRecord };

const bad = (key: string, problem: string): { ok: false; invalid: InvalidRecord } => ({ ok: false, invalid: { key, problem: problem.slice(0, 300) } });

/** Decodes a record's bytes as JSON within the size bound; never throws. */
export function decodeRecord(key: string, bytes: Uint8Array): Checked<unknown> {
  if (bytes.length > MAX_RECORD_BYTES) return bad(key, `is ${bytes.length} bytes; at most ${MAX_RECORD_BYTES} allowed`);
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown };
  } catch (error) {
    return bad(key, `is not JSON (${(error as Error).message})`);
  }
}

function check<S extends z.ZodType>(schema: S, key: string, bytes: Uint8Array): Checked<z.output<S>> {
  const decoded = decodeRecord(key, bytes);
  if (!decoded.ok) return decoded;
  const result = schema.safeParse(decoded.value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  return bad(key, `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
}

/** A `pnl.<strategy>` record: bounded decimal, real trading day, ms timestamp, and the strategy its key names. */
export function checkPnl(key: string, bytes: Uint8Array, now = Date.now()): Checked<StoredPnl> {
  const checked = check(pnlSchema, key, bytes);
  if (!checked.ok) return checked;
  if (`pnl.${checked.value.strategy}` !== key) return bad(key, `strategy "${checked.value.strategy}" is not the strategy its key names`);
  const ahead = checked.value.tradingDay === null ? 0 : daysBetween(utcDay(now), checked.value.tradingDay);
  // Every zone's date is within a day of UTC's: a later one is no desk's current trading day.
  if (ahead > 1) return bad(key, `tradingDay ${checked.value.tradingDay} is ${ahead} days after today (${utcDay(now)} UTC)`);
  return checked;
}

/** The UTC calendar date of a time (ms). */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export const daysBetween = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** A `halt.<scope>` record: its scope must be the one its key names. */
export function checkHalt(key: string, scope: Scope, bytes: Uint8Array): Checked<HaltValue> {
  const checked = check(haltSchema, key, bytes);
  if (!checked.ok) return checked;
  if (checked.value.scope !== scope) return bad(key, `scope "${checked.value.scope}" is not the scope its key names`);
  const v = checked.value;
  if (!v.lifted && (v.operator.trim() === '' || v.reason.trim() === '')) return bad(key, 'a halt must name its operator and reason');
  return { ok: true, value: { scope, operator: v.operator, reason: v.reason, at: v.at, ...(v.lifted ? { lifted: v.lifted } : {}) } };
}

/** The `rate.orders` record. */
export function checkBudget(key: string, bytes: Uint8Array): Checked<BudgetValue> {
  return check(budgetSchema, key, bytes);
}

/** An audit stream record: a JSON object with a `type`; anything else is reported by its subject and sequence. */
export function checkAudit(key: string, bytes: Uint8Array): Checked<Record<string, unknown>> {
  return check(z.looseObject({ type: z.string().min(1).max(64) }), key, bytes);
}
