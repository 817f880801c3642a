import { ruleOf } from '../../machines/rules/registry.ts';
import type { BreakerWords } from '../../machines/rules/rule.ts';
import type { RiskEvent } from '../events.ts';
import { money, price, quantity, signedPercent } from '../present/format.ts';
import { detailText } from '../present/journalText.ts';
import { unconfirmedCancelsView } from '../present/cancelsView.ts';
import { limitUseParts } from '../present/limitUse.ts';
import type { RuntimeStatus } from '../runtime/types.ts';

/** Renders rows as a left-aligned text table with a header row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A signed percentage with two decimals ("+1.25%", "-12.00%"), from the shared formats. */
const pct = (fraction: string | null | undefined): string => (fraction === null || fraction === undefined ? '–' : signedPercent(fraction, 2));

const secs = (ms: number | null): string => (ms === null ? '' : `, clears in ${Math.ceil(ms / 1000)}s`);

/** One line of figures per breaker, for humans: the rule's own words, or "disabled". */
export function breakerFigures(status: RuntimeStatus, breaker: keyof RuntimeStatus['breakers']): string {
  const figures = status.breakers[breaker].figures;
  if (figures === null) return 'disabled';
  return (ruleOf(breaker)!.words as BreakerWords<typeof figures>).line(figures);
}

/** The pre-trade controls: each symbol's projected position against its limit, and the rejections by code. */
export function formatControls(status: RuntimeStatus): string {
  const c = status.controls;
  if (!c) return '';
  const lines: string[] = [];
  const rows = c.symbols.map((p) => [
    p.symbol,
    quantity(p.projected),
    p.maxPosition === null ? '-' : `${quantity(p.projected).replace('-', '')} of ${quantity(p.maxPosition)}`,
    `${quantity(p.reported)} + ${quantity(p.filled)} filled, open +${quantity(p.openBuy)}/-${quantity(p.openSell)}`,
    p.lastPrice === null || p.lastPrice === undefined ? '-' : price(p.lastPrice),
  ]);
  if (rows.length > 0) lines.push(table(['SYMBOL', 'PROJECTED', 'POSITION LIMIT', 'REPORTED + FILLS, OPEN', 'LAST PRICE'], rows));
  if (c.grossExposure) lines.push(`gross exposure ${money(c.grossExposure.value)} of ${money(c.grossExposure.limit)}`);
  lines.push(...limitUseParts(c));
  const rejected = Object.entries(c.rejections).map(([code, n]) => `${code} ${n}`).join(', ');
  if (rejected) lines.push(`rejections: ${rejected}${c.lastRejection ? ` — last: ${c.lastRejection.code}: ${c.lastRejection.reason}` : ''}`);
  if (c.limits === false && rows.length === 0 && !rejected) return '';
  return lines.join('\n');
}

const time = (iso: string): string => iso.slice(11, 19);

/** A readable block for one strategy: its global state, portfolio, and a table of breakers. */
export function formatStatus(status: RuntimeStatus): string {
  const mode = status.tradingMode && status.tradingMode !== 'ACTIVE' ? ` — trading mode ${status.tradingMode}` : '';
  const head = `${status.strategy}: ${status.state}${mode} — orders ${status.ordersAllowed ? 'allowed' : status.tradingMode === 'REDUCING' ? 'reduce-only' : 'BLOCKED'}` +
    `${status.dataFault ? ` (${status.dataFault})` : ''} — portfolio ${money(status.portfolio.value)}`;
  const rows = (Object.keys(status.breakers) as (keyof RuntimeStatus['breakers'])[]).map((type) => {
    const b = status.breakers[type];
    const reason = b.reason ? b.reason : '';
    const resetting = b.resetExpiresAt ? ` (reset pending until ${time(b.resetExpiresAt)})` : '';
    return [type, b.enabled ? b.state : 'disabled', time(b.since), breakerFigures(status, type), `${reason}${resetting}`];
  });
  const controls = formatControls(status);
  // The same words the dashboard shows for orders a cancel did not see closed.
  const cancels = unconfirmedCancelsView(status.unconfirmedCancels ?? []);
  const unconfirmed = cancels === null ? '' : `\n${cancels.text}:\n${cancels.orders.map((o) => `  ${o}`).join('\n')}`;
  return `${head}\n${table(['BREAKER', 'STATE', 'SINCE', 'FIGURES', 'REASON'], rows)}${controls ? `\n${controls}` : ''}${unconfirmed}`;
}

/** A one-line summary of an event's details: the journal text the dashboard shows too. */
export function eventSummary(event: RiskEvent): string {
  return detailText(event);
}

/** Journal entries as a table. */
export function formatJournal(entries: readonly RiskEvent[]): string {
  if (entries.length === 0) return '(no journal entries)';
  return table(
    ['TIME', 'EVENT', 'BREAKER', 'OPERATOR', 'DETAILS'],
    entries.map((e) => [e.timestamp, e.type, e.breaker ?? '-', e.operator ?? '-', eventSummary(e)]),
  );
}

/** JSON lines: one compact JSON object per line (docs/persistence.md), for `--json`. */
export function jsonLines(items: readonly unknown[]): string {
  return items.map((item) => `${JSON.stringify(item)}\n`).join('');
}
