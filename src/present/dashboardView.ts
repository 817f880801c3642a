import type { BreakerState, TradingMode } from '../../machines/constants.ts';
import { BREAKER_TYPES } from '../../machines/rules/registry.ts';
import type { RuntimeStatus } from '../runtime/types.ts';
import { limitUseParts } from './limitUse.ts';
import { breakerView, lightOf, meter, type BreakerView, type Meter } from './breakerView.ts';
import { unconfirmedCancelsView, type UnconfirmedCancelsView } from './cancelsView.ts';
import { addDec, clockTime, formatDec, money, mulDec, parseDec, percent, price, quantity, signedMoney, toNumber, type Dec } from './format.ts';
import { ERROR_KIND_ORDER, stateLabel } from './labels.ts';

/** A term and its value, as the page lists figures. */
export interface FigureView {
  readonly term: string;
  readonly value: string;
}

/** A strategy as the dashboard shows it: every derived fact is computed here, on the server. */
export interface DashboardView {
  readonly strategy: string;
  /** The runtime clock (ms epoch) of the status this view was made from. */
  readonly at: number;
  readonly state: BreakerState | 'UNKNOWN';
  readonly stateLabel: string;
  readonly ordersAllowed: boolean;
  /** "orders ALLOWED", "orders BLOCKED" or the reduce-only sentence. */
  readonly ordersText: string;
  readonly tradingMode: TradingMode | null;
  /** Why orders are blocked while every breaker is NORMAL, or why the status cannot be shown. */
  readonly fault: string | null;
  readonly breakers: readonly BreakerView[];
  readonly value: readonly FigureView[];
  readonly pnl: { readonly enabled: boolean; readonly text: string; readonly fraction: string; readonly loss: boolean; readonly meter: Meter | null; readonly figures: readonly FigureView[] };
  readonly positions: { readonly rows: readonly { symbol: string; quantity: string; price: string; marketValue: string }[]; readonly total: string };
  /** value = positions + cash, and what is left unexplained. */
  readonly reconciliation: readonly FigureView[];
  /** Trading mode, limits in use and rejections by code, or null when there is nothing to say. */
  readonly controls: string | null;
  /** Orders a trip's or halt's cancel did not see closed within `cancelConfirmTimeout`, or null. */
  readonly unconfirmedCancels: UnconfirmedCancelsView | null;
  readonly errors: { readonly byKind: readonly FigureView[]; readonly window: FigureView | null };
  /** Plain numbers for the chart's latest point (display only; never used for decisions). */
  readonly chart: { readonly value: number | null; readonly highWaterMark: number | null; readonly tripLevel: number | null; readonly dailyLossTripLevel: number | null };
}

function positionsView(status: RuntimeStatus): DashboardView['positions'] {
  let total: Dec | null = { units: 0n, scale: 0 };
  const rows = status.portfolio.positions.map((p) => {
    const q = parseDec(p.quantity);
    const px = p.price === undefined ? null : parseDec(p.price);
    const mv = q && px ? mulDec(q, px) : null;
    total = total && mv ? addDec(total, mv) : null;
    return { symbol: p.symbol, quantity: quantity(p.quantity), price: p.price === undefined ? '–' : price(p.price), marketValue: mv ? formatDec(mv, 2) : '–' };
  });
  return { rows, total: total ? formatDec(total, 2) : '– (a price is missing)' };
}

/** value = positions + cash, from the runtime's exact reconciliation (src/runtime/reconcile.ts). */
function reconciliation(status: RuntimeStatus): FigureView[] {
  const p = status.portfolio;
  if (p.value === null) return [];
  return [
    { term: 'Value', value: money(p.value) },
    { term: 'Positions', value: p.positionsValue === null ? '– (a price is missing)' : money(p.positionsValue) },
    { term: 'Cash', value: p.cash === null ? 'not reported' : money(p.cash) },
    // Reconciled to the cent (a broker that rounds its value to cents leaves sub-cent remainders).
    { term: 'Unexplained', value: p.unexplained === null ? '– (cash or a price is missing)' : /^-?0\.00$/.test(money(p.unexplained)) ? `${money(p.unexplained).replace('-', '')} (reconciled to the cent)` : signedMoney(p.unexplained) },
  ];
}

function controlsText(status: RuntimeStatus): string | null {
  const c = status.controls;
  const parts = [`trading mode ${status.tradingMode}`];
  for (const p of c.symbols) if (p.maxPosition !== null) parts.push(`${p.symbol} position ${p.projected} of ${p.maxPosition}${p.positionUse ? ` (${percent(p.positionUse, 0)})` : ''}`);
  if (c.grossExposure) parts.push(`gross exposure ${money(c.grossExposure.value)} of ${money(c.grossExposure.limit)}`);
  parts.push(...limitUseParts(c));
  const rejected = Object.entries(c.rejections).map(([code, n]) => `${code} ${n}`);
  if (rejected.length > 0) parts.push(`rejected: ${rejected.join(', ')}`);
  return c.limits === false && status.tradingMode === 'ACTIVE' && rejected.length === 0 ? null : parts.join(' · ');
}

/** The dashboard's view of a strategy's status. */
export function dashboardView(status: RuntimeStatus): DashboardView {
  const now = Date.parse(status.at);
  const breakers = BREAKER_TYPES.map((t) => breakerView(status.breakers[t], now));
  const dd = status.breakers.drawdown.figures;
  const dlb = status.breakers.dailyLoss;
  const dl = dlb.figures;
  const reducing = status.tradingMode === 'REDUCING' && !status.dataFault;
  const pnlMeter = breakers.find((b) => b.type === 'dailyLoss')?.meter ?? null;
  return {
    strategy: status.strategy,
    at: now,
    state: status.state,
    stateLabel: stateLabel(status.state),
    ordersAllowed: status.ordersAllowed,
    ordersText: status.ordersAllowed ? 'orders ALLOWED' : reducing ? 'REDUCE-ONLY: risk-reducing orders pass' : 'orders BLOCKED',
    tradingMode: status.tradingMode,
    fault: status.dataFault && status.state === 'NORMAL' ? `Orders are blocked: ${status.dataFault}` : null,
    breakers,
    value: [
      { term: 'Value', value: money(status.portfolio.value) },
      { term: 'High-water mark', value: money(dd?.highWaterMark) },
      { term: 'Trip level', value: money(dd?.tripLevel) },
      { term: 'Drawdown', value: dd?.drawdown ? `${percent(dd.drawdown)} (limit ${percent(dd.threshold)})` : '–' },
      { term: 'As of', value: status.portfolio.timestamp ? clockTime(status.portfolio.timestamp) : '–' },
    ],
    pnl: dl
      ? {
          enabled: true,
          text: dl.pnl === null ? '–' : signedMoney(dl.pnl),
          fraction: dl.pnlFraction === null ? '' : ` (${percent(dl.pnlFraction, 2)})`,
          loss: (parseDec(dl.pnl)?.units ?? 0n) < 0n,
          meter: pnlMeter ?? meter('Loss against the limit', null, dl.warnAt),
          figures: [
            { term: 'Daily-loss limit', value: dl.limit !== null ? `${percent(dl.limit)} of the start value` : money(dl.limitAmount) },
            { term: 'Trip level', value: money(dl.tripLevel) },
            { term: 'Start of day', value: money(dl.startValue) },
            { term: 'Value', value: money(dl.value) },
            { term: 'Trading day', value: dl.tradingDay ?? '–' },
            { term: 'State', value: stateLabel(lightOf(dlb)) },
          ],
        }
      : { enabled: false, text: '–', fraction: '', loss: false, meter: null, figures: [] },
    positions: positionsView(status),
    reconciliation: reconciliation(status),
    controls: controlsText(status),
    unconfirmedCancels: unconfirmedCancelsView(status.unconfirmedCancels ?? []),
    errors: (() => {
      const f = status.breakers.errorRate.figures;
      if (!f) return { byKind: [], window: null };
      return { byKind: ERROR_KIND_ORDER.map((k) => ({ term: k, value: String(f.byKind[k] ?? 0) })), window: { term: `In the last ${f.windowSeconds} s`, value: `${f.count} / ${f.limit}` } };
    })(),
    chart: { value: toNumber(status.portfolio.value), highWaterMark: toNumber(dd?.highWaterMark), tripLevel: toNumber(dd?.tripLevel), dailyLossTripLevel: toNumber(dl?.tripLevel) },
  };
}

/** The view of a strategy whose status cannot be shown: state unknown, orders as the gate last said. */
export function faultedView(strategy: string, reason: string, ordersAllowed: boolean, at: number): DashboardView {
  return {
    strategy, at, state: 'UNKNOWN', stateLabel: 'UNKNOWN', ordersAllowed, ordersText: ordersAllowed ? 'orders ALLOWED (last known)' : 'orders BLOCKED',
    tradingMode: null, fault: reason, breakers: [], value: [], pnl: { enabled: false, text: '–', fraction: '', loss: false, meter: null, figures: [] },
    positions: { rows: [], total: '–' }, reconciliation: [], controls: null, unconfirmedCancels: null, errors: { byKind: [], window: null },
    chart: { value: null, highWaterMark: null, tripLevel: null, dailyLossTripLevel: null },
  };
}
