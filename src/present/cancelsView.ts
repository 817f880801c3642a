import type { UnconfirmedCancel } from '../runtime/types.ts';
import { clockTime, quantity } from './format.ts';

/** The orders a cancel did not see closed in time, in words (the dashboard shows them as given). */
export interface UnconfirmedCancelsView {
  /** e.g. "2 orders not confirmed cancelled: they may still be working at the broker". */
  readonly text: string;
  /** One line per order, e.g. "o2 · AAPL buy 20 · cancel asked 14:00:00 on the drawdown trip". */
  readonly orders: readonly string[];
}

/** Null when every cancelled order was confirmed closed. */
export function unconfirmedCancelsView(orders: readonly UnconfirmedCancel[]): UnconfirmedCancelsView | null {
  if (orders.length === 0) return null;
  const n = orders.length;
  return {
    text: `${n} order${n === 1 ? '' : 's'} not confirmed cancelled: ${n === 1 ? 'it' : 'they'} may still be working at the broker`,
    orders: orders.map((o) => `${o.id} · ${o.symbol} ${o.side} ${quantity(o.quantity)} · cancel asked ${clockTime(o.since)} on ${o.breaker === 'manual' ? 'the halt' : `the ${o.breaker} trip`}`),
  };
}
