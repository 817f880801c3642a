import type { ErrorKind } from '../../machines/constants.ts';
import { ruleOf } from '../../machines/rules/registry.ts';
import type { Evidence } from '../../machines/rules/rule.ts';
import type { RiskEvent } from '../events.ts';
import { clockTime, money, percent } from './format.ts';
import { ERROR_KIND_ORDER } from './labels.ts';

/** Detail keys that hold an amount of money, and those that hold a fraction (shown as a percentage). */
const MONEY_KEYS = new Set(['value', 'highWaterMark', 'startValue', 'tripLevel', 'warnLevel', 'pnl', 'cash', 'limitAmount', 'previousHighWaterMark', 'previousStartValue']);
const FRACTION_KEYS = new Set(['drawdown', 'threshold', 'pnlFraction', 'limit']);

/** A detail's value as a person reads it. */
function figure(key: string, value: unknown): string {
  if (MONEY_KEYS.has(key)) return money(value);
  if (FRACTION_KEYS.has(key)) return percent(value, 2);
  return String(value);
}

/** The ids of a cancel confirmation's orders, e.g. "o2, o4" (ten named, then how many more). */
function orderIds(orders: unknown): string {
  const list = Array.isArray(orders) ? orders : [];
  const ids = list.slice(0, 10).map((o) => String((o as { id?: unknown } | null)?.id ?? '?'));
  return list.length > 10 ? `${ids.join(', ')} and ${list.length - 10} more` : ids.join(', ');
}

/** One line of plain text for a journal entry's details. */
export function detailText(e: RiskEvent): string {
  const d = e.details as Record<string, unknown>;
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  switch (e.type) {
    case 'StateChanged': return `${s(d.from)} → ${s(d.to)}${d.cause ? ` (${s(d.cause)})` : ''}`;
    case 'CircuitBreakerTripped': return s(d.reason);
    case 'ManualHalt': return s(d.reason);
    case 'ResetRequested': return `token expires ${d.expiresAt ? clockTime(s(d.expiresAt)) : ''}`;
    case 'ResetRefused': return s(d.reason);
    case 'ResetExpired': return `back to ${s(d.backTo)}`;
    case 'AutoReset': return d.passed === true ? `reset policy (after ${s(d.afterSeconds)} s): re-check passed, back to NORMAL` : `reset policy (after ${s(d.afterSeconds)} s): refused, ${s(d.reason)}; next attempt ${s(d.afterSeconds)} s later`;
    case 'InputRejected': return `${s(d.input)}: ${s(d.error)}`;
    case 'ErrorRecorded': return `${s(d.kind)}: ${s(d.message)}`;
    case 'CancelOrdersFailed': return s(d.error);
    case 'CancelUnconfirmed': return `not confirmed closed within ${s(d.timeoutSeconds)} s: ${orderIds(d.orders)}`;
    case 'CancelConfirmed': return `confirmed closed: ${orderIds(d.orders)}`;
    case 'RestoreFailed': return s(d.reason);
    case 'StoreWriteFailed': return s(d.error);
    case 'TradingDayOpened': return `day ${s(d.tradingDay)}, start value ${money(d.startValue)}`;
    case 'CircuitBreakerWarning':
      return e.breaker === null ? '' : (ruleOf(e.breaker)?.words.event(e.details as Evidence) ?? '');
    default: {
      // Plain facts as "key value" pairs (nested objects summarised), e.g. a reset's re-baselined
      // figures: amounts and fractions in the one number format, by what their key names.
      const text = Object.entries(d)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : figure(k, v)}`)
        .join(', ');
      return text.length > 200 ? `${text.slice(0, 199)}…` : text;
    }
  }
}

/** An error the journal holds, as the error log lists it. */
export interface ErrorEntry {
  readonly id: string;
  readonly at: number;
  readonly kind: ErrorKind;
  readonly source: string;
  readonly message: string;
}

/** The error-log entry of a journal entry: recorded errors, refused inputs, error-rate warnings and trips; else null. */
export function errorEntryOf(e: RiskEvent): ErrorEntry | null {
  const d = e.details as Record<string, unknown>;
  if (e.type === 'ErrorRecorded' && ERROR_KIND_ORDER.includes(d.kind as ErrorKind)) {
    return { id: e.id, at: e.at, kind: d.kind as ErrorKind, source: 'reported', message: String(d.message ?? '') };
  }
  if (e.type === 'InputRejected') {
    return { id: e.id, at: e.at, kind: 'data_error', source: 'InputRejected', message: `${String(d.input)}: ${String(d.error)}` };
  }
  if (e.breaker === 'errorRate' && (e.type === 'CircuitBreakerTripped' || e.type === 'CircuitBreakerWarning')) {
    const last = d.lastError as { kind?: unknown; message?: unknown } | undefined;
    const kind = ERROR_KIND_ORDER.includes(last?.kind as ErrorKind) ? (last!.kind as ErrorKind) : 'data_error';
    const label = e.type === 'CircuitBreakerTripped' ? 'error rate TRIPPED' : 'error rate WARNING';
    return { id: e.id, at: e.at, kind, source: label, message: `${String(last?.message ?? '')} — ${String(d.count)} / ${String(d.maxErrors)} errors in ${String(d.windowSeconds)} s` };
  }
  return null;
}
