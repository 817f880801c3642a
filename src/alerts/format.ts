import { Decimal } from 'decimal.js';
import { ruleOf } from '../../machines/rules/registry.ts';
import type { Evidence } from '../../machines/rules/rule.ts';
import type { JsonValue } from '../events.ts';
import { money } from '../present/format.ts';
import { DIGEST_EVENT_TYPE, type AlertPayload } from './types.ts';

/** Longest SMS body we send (one GSM-7 segment). */
export const SMS_MAX_LENGTH = 160;

/** Printable, single-line, bounded text from an untrusted value. */
function clean(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

function dec(value: JsonValue | undefined): Decimal | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  try {
    const d = new Decimal(value);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/** `1050000` → `1,050,000.00` (the shared money format); non-numbers are shown cleaned, missing as `?`. */
export function formatMoney(value: JsonValue | undefined): string {
  const d = dec(value);
  if (!d) return value === undefined || value === null ? '?' : clean(value, 24);
  return money(value);
}

function formatCount(value: JsonValue | undefined): string {
  const d = dec(value);
  return d ? d.toString() : value === undefined || value === null ? '?' : clean(value, 12);
}

function obj(value: JsonValue | undefined): { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { readonly [key: string]: JsonValue }) : {};
}

/** The breaker's figures in words, for trips and warnings: the rule's own words (the details may be malformed). */
function figures(breaker: string | null, d: { readonly [key: string]: JsonValue }): string {
  const rule = breaker === null ? undefined : ruleOf(breaker);
  if (rule !== undefined) {
    try {
      return clean(rule.words.event(d as Evidence), 200);
    } catch {
      return '';
    }
  }
  const reason = d.reason ?? d.message;
  return reason !== undefined ? clean(reason) : '';
}

function breakerName(breaker: string | null): string {
  return breaker === null ? 'Strategy' : `${ruleOf(breaker)?.words.shout ?? clean(breaker, 20).toUpperCase()} breaker`;
}

function by(operator: string | undefined): string {
  return operator ? ` by ${clean(operator, 40)}` : '';
}

function withFigures(head: string, fig: string): string {
  return fig ? `${head}: ${fig}` : head;
}

/** `o2 (AAPL buy 20), o4 (MSFT sell 5)`: the orders of a CancelUnconfirmed, the first ten named. */
function unconfirmedOrders(value: JsonValue | undefined): string {
  const orders = Array.isArray(value) ? (value as readonly JsonValue[]) : [];
  const named = orders.slice(0, 10).map((o) => {
    const { id, symbol, side, quantity } = obj(o);
    const what = [clean(symbol, 24), clean(side, 4), clean(quantity, 24)].filter((t) => t !== '').join(' ');
    return `${clean(id, 40) || '?'}${what ? ` (${what})` : ''}`;
  });
  return orders.length > 10 ? `${named.join(', ')} and ${orders.length - 10} more` : named.join(', ');
}

/**
 * One line saying what happened, e.g.
 * `DRAWDOWN breaker TRIPPED on alpha-1: -10.4% from peak 1,050,000.00 (limit -10.0%)`.
 * Tolerates missing or malformed details.
 */
export function describeAlert(p: AlertPayload): string {
  const strategy = clean(p.strategy_name, 60) || '?';
  const breaker = p.circuit_breaker_type;
  const name = breakerName(breaker);
  const d = p.details;
  switch (p.event_type) {
    case 'CircuitBreakerTripped':
      return withFigures(`${name} TRIPPED on ${strategy}`, figures(breaker, d));
    case 'CircuitBreakerWarning':
      return withFigures(`${name} WARNING on ${strategy}`, figures(breaker, d));
    case 'ManualHalt':
      return withFigures(`Strategy ${strategy} MANUALLY HALTED${by(p.operator)}`, d.reason !== undefined ? clean(d.reason) : '');
    case 'ResetRequested':
      return `Reset of ${name} REQUESTED on ${strategy}${by(p.operator)}`;
    case 'ResetConfirmed':
      return `${name} RESET on ${strategy}${by(p.operator)}: back to NORMAL`;
    case 'ResetRefused':
      return withFigures(`Reset of ${name} REFUSED on ${strategy}${by(p.operator)}`, d.reason !== undefined ? clean(d.reason) : '');
    case 'ResetExpired':
      return `Reset of ${name} EXPIRED on ${strategy}: still blocked`;
    case 'AutoReset':
      return d.passed === true
        ? withFigures(`${name} RESET BY ITS RESET POLICY on ${strategy} after ${formatCount(d.afterSeconds)} s TRIPPED: re-check passed, back to NORMAL`, figures(breaker, d))
        : withFigures(`Automatic reset of ${name} REFUSED on ${strategy}: still TRIPPED`, d.reason !== undefined ? clean(d.reason) : '');
    case 'CircuitBreakerRecovered':
      return `${name} RECOVERED on ${strategy}: back to NORMAL`;
    case 'CancelOrdersFailed':
      return withFigures(`CANCEL ALL ORDERS FAILED on ${strategy}: open orders may remain`, d.error !== undefined ? clean(d.error) : d.message !== undefined ? clean(d.message) : '');
    case 'CancelUnconfirmed':
      return withFigures(`${formatCount(d.count)} ORDER${d.count === 1 ? '' : 'S'} NOT CONFIRMED CANCELLED on ${strategy} within ${formatCount(d.timeoutSeconds)} s`, unconfirmedOrders(d.orders));
    case 'RestoreFailed':
      return withFigures(`Strategy ${strategy} HALTED: state could not be restored`, d.reason !== undefined ? clean(d.reason) : '');
    case 'StoreWriteFailed':
      return withFigures(`STORE WRITE FAILED on ${strategy}: halted (fail closed), state is not durable`, d.error !== undefined ? clean(d.error) : '');
    case DIGEST_EVENT_TYPE: {
      const n = formatCount(d.suppressed_count);
      const last = obj(d.last_event);
      const lastType = typeof last.event_type === 'string' ? ` (last: ${clean(last.event_type, 40)})` : '';
      return `${name} on ${strategy}: ${n} more alert${n === '1' ? '' : 's'} suppressed by the rate limit${lastType}`;
    }
    default:
      return `${clean(p.event_type, 40)} on ${strategy}${breaker ? ` (${name})` : ''}`;
  }
}

/** `[breakerbox] ` + {@link describeAlert}, newline-free. */
export function emailSubject(p: AlertPayload): string {
  return clean(`[breakerbox] ${describeAlert(p)}`, 200);
}

/** SMS body, at most {@link SMS_MAX_LENGTH} characters, ASCII-only ellipsis. */
export function smsText(p: AlertPayload): string {
  const text = `breakerbox ${p.severity.toUpperCase()}: ${describeAlert(p)}`;
  return text.length <= SMS_MAX_LENGTH ? text : `${text.slice(0, SMS_MAX_LENGTH - 3)}...`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function detailLines(details: { readonly [key: string]: JsonValue }): Array<[string, string]> {
  return Object.entries(details).map(([k, v]) => [clean(k, 60), typeof v === 'string' ? clean(v, 500) : clean(JSON.stringify(v), 500)]);
}

function facts(p: AlertPayload): Array<[string, string]> {
  return [
    ['Event', p.event_type],
    ['Severity', p.severity],
    ['Strategy', clean(p.strategy_name, 100)],
    ['Breaker', p.circuit_breaker_type ?? 'strategy'],
    ['Time', p.timestamp],
    ...(p.operator ? ([['Operator', clean(p.operator, 100)]] as Array<[string, string]>) : []),
    ['Alert id', p.alert_id],
  ];
}

/** Plain-text e-mail body. */
export function emailText(p: AlertPayload): string {
  const rows = facts(p).map(([k, v]) => `${k}: ${v}`);
  const det = detailLines(p.details).map(([k, v]) => `  ${k}: ${v}`);
  return `${describeAlert(p)}\n\n${rows.join('\n')}\n${det.length ? `\nDetails:\n${det.join('\n')}\n` : ''}`;
}

/** HTML e-mail body; every interpolated value is escaped. */
export function emailHtml(p: AlertPayload): string {
  const row = ([k, v]: [string, string]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`;
  return [
    '<!doctype html><html><body>',
    `<h2>${escapeHtml(describeAlert(p))}</h2>`,
    `<table>${facts(p).map(row).join('')}</table>`,
    p.details && Object.keys(p.details).length ? `<h3>Details</h3><table>${detailLines(p.details).map(row).join('')}</table>` : '',
    '</body></html>',
  ].join('');
}

function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack incoming-webhook body: `{ text, blocks }`. */
export function slackBody(p: AlertPayload): { text: string; blocks: object[] } {
  const emoji = p.severity === 'critical' ? ':rotating_light:' : p.severity === 'warning' ? ':warning:' : ':information_source:';
  const summary = slackEscape(describeAlert(p));
  return {
    text: `${emoji} ${summary}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${emoji} *${summary}*` } },
      {
        type: 'section',
        fields: facts(p).map(([k, v]) => ({ type: 'mrkdwn', text: `*${slackEscape(k)}*\n${slackEscape(v)}` })),
      },
      ...(Object.keys(p.details).length
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(detailLines(p.details).map(([k, v]) => `${k}=${v}`).join(' · ')).slice(0, 2900) }] }]
        : []),
    ],
  };
}

/** PagerDuty Events API v2 actions. */
export const PagerDutyAction = { TRIGGER: 'trigger', RESOLVE: 'resolve' } as const;
export type PagerDutyAction = (typeof PagerDutyAction)[keyof typeof PagerDutyAction];

const TRIGGER_TYPES: ReadonlySet<string> = new Set(['CircuitBreakerTripped', 'ManualHalt', 'CancelOrdersFailed', 'CancelUnconfirmed', 'RestoreFailed', 'StoreWriteFailed']);
// An AutoReset alerts only when it passed (back to NORMAL): it resolves the trip's incident as a person's reset does.
const RESOLVE_TYPES: ReadonlySet<string> = new Set(['ResetConfirmed', 'AutoReset', 'CircuitBreakerRecovered']);

/** The PagerDuty action for an alert, or null when PagerDuty is not told about it. */
export function pagerDutyAction(p: AlertPayload): PagerDutyAction | null {
  let type: string = p.event_type;
  if (type === DIGEST_EVENT_TYPE) {
    const last = obj(p.details.last_event);
    type = typeof last.event_type === 'string' ? last.event_type : '';
  }
  if (TRIGGER_TYPES.has(type)) return PagerDutyAction.TRIGGER;
  if (RESOLVE_TYPES.has(type)) return PagerDutyAction.RESOLVE;
  return null;
}

/** PagerDuty dedup key: one incident per strategy and breaker. */
export function pagerDutyDedupKey(p: AlertPayload): string {
  return `breakerbox/${p.strategy_name}/${p.circuit_breaker_type ?? 'strategy'}`.slice(0, 255);
}

/** PagerDuty Events API v2 body (`trigger` or `resolve`). */
export function pagerDutyBody(p: AlertPayload, routingKey: string): object | null {
  const action = pagerDutyAction(p);
  if (!action) return null;
  const dedup_key = pagerDutyDedupKey(p);
  if (action === PagerDutyAction.RESOLVE) return { routing_key: routingKey, event_action: action, dedup_key };
  return {
    routing_key: routingKey,
    event_action: action,
    dedup_key,
    payload: {
      summary: describeAlert(p).slice(0, 1024),
      source: 'breakerbox',
      severity: p.severity === 'critical' ? 'critical' : p.severity === 'warning' ? 'warning' : 'info',
      timestamp: p.timestamp,
      component: p.strategy_name,
      group: p.circuit_breaker_type ?? 'strategy',
      class: p.event_type,
      custom_details: p,
    },
  };
}
