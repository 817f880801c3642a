import { money, quantity } from '../../present/format.ts';
import type { StrategyHistory } from '../../runtime/history/types.ts';
import { getJson, strategyPath } from './api.ts';
import type { ChartMark, ChartPoint, ValueChart } from './chart.ts';
import { requestRender } from './render.ts';
import { addOrderRow, state, type OrderRow } from './state.ts';


const num = (v: string | null | undefined): number | null => {
  const n = v === null || v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : null;
};

const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * What a journal or history event type draws on the chart, or null. `refused`: an AutoReset whose
 * re-check failed (the breaker stayed TRIPPED: nothing to draw).
 */
export function markOf(type: string, breaker: string | null, t: number, refused = false): ChartMark | null {
  const who = breaker ?? 'strategy';
  if (type === 'CircuitBreakerTripped') return { t, label: `${who} TRIPPED`, kind: 'trip' };
  if (type === 'ManualHalt' || type === 'ScopeHalt') return { t, label: `${who} HALTED`, kind: 'halt' };
  if (type === 'ResetConfirmed') return { t, label: `${who} reset`, kind: 'reset' };
  if (type === 'CircuitBreakerRecovered') return { t, label: `${who} recovered`, kind: 'reset' };
  if (type === 'AutoReset') return refused ? null : { t, label: `${who} auto reset`, kind: 'reset' };
  return null;
}

/** An orders-table row of a decision (live `decision` message or history). */
export function decisionRow(at: number, order: Record<string, unknown> | null, allowed: boolean, reason: string): OrderRow {
  const id = str(order?.id);
  const symbol = str(order?.symbol);
  const price = str(order?.price);
  return {
    key: `d:${id}:${at}:${allowed}`,
    at,
    kind: allowed ? 'allowed' : 'rejected',
    order: [symbol, id ? `#${id}` : ''].filter(Boolean).join(' ') || '(malformed)',
    side: str(order?.side),
    quantity: quantity(str(order?.quantity)),
    price: price ? money(price) : 'market',
    reason: allowed ? '' : reason,
  };
}

export function fillRow(f: { at: number; orderId?: string | null; symbol: string; side: string; quantity: string; price: string }): OrderRow {
  return {
    key: `f:${f.orderId ?? ''}:${f.at}:${f.quantity}`,
    at: f.at,
    kind: 'fill',
    order: [f.symbol, f.orderId ? `#${f.orderId}` : ''].filter(Boolean).join(' '),
    side: f.side,
    quantity: quantity(f.quantity),
    price: money(f.price),
    reason: '',
  };
}

/**
 * The chart's points with a break at each downtime: a point of unknown value inside every gap,
 * so the line is not drawn across a time the server was down (uPlot breaks a series at null).
 */
export function withGaps(points: readonly ChartPoint[], gaps: readonly { t: number; from: number }[]): ChartPoint[] {
  const breaks = gaps.map((g) => ({ t: (g.from + g.t) / 2000, value: null, hwm: null, trip: null }));
  return [...points, ...breaks].sort((a, b) => a.t - b.t);
}

/** Loads the strategy's recent history (the last trading day): chart, trips, orders and fills. */
export async function loadHistory(name: string, generation: number, chart: ValueChart | null): Promise<void> {
  let h: StrategyHistory;
  try {
    h = await getJson<StrategyHistory>(strategyPath(name, '/history'));
  } catch {
    return; // the live stream still fills the page
  }
  if (generation !== state.generation) return;
  const points: ChartPoint[] = [];
  for (const p of h.points) {
    const value = num(p.value);
    if (value !== null) points.push({ t: p.t / 1000, value, hwm: num(p.highWaterMark), trip: num(p.drawdownTripLevel) });
  }
  // A history mark keeps the reason: an AutoReset with one was refused.
  const marks = h.marks.map((m) => markOf(m.type, m.breaker, m.t / 1000, m.reason !== null)).filter((m) => m !== null);
  state.marks = [...marks, ...state.marks.filter((m) => !marks.some((x) => x.t === m.t && x.label === m.label))].sort((a, b) => a.t - b.t);
  chart?.setHistory(withGaps(points, h.gaps ?? []), state.marks);
  for (const o of h.orders) addOrderRow(decisionRow(o.t, { id: o.id, symbol: o.symbol, side: o.side, quantity: o.quantity, price: o.price }, o.allowed, o.reason ?? o.code ?? ''));
  for (const f of h.fills) addOrderRow(fillRow({ ...f, at: f.t }));
  requestRender();
}
