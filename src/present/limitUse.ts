import type { ControlsStatus } from '../runtime/types.ts';
import { money, quantity } from './format.ts';

/**
 * How much of the open-order and traded limits is used, in words (the CLI and the dashboard show
 * these as given): "open orders 5 of 100", "ES open orders 3 of 10", "ES traded 12 of 100,
 * notional 60,150.00 of 1,000,000.00 in 60 s". Only the limits that apply.
 */
export function limitUseParts(c: ControlsStatus): string[] {
  const parts: string[] = [];
  if (c.maxOpenOrders !== null) parts.push(`open orders ${c.openOrders} of ${c.maxOpenOrders}`);
  for (const p of c.symbols) {
    if (p.maxOpenOrders !== null) parts.push(`${p.symbol} open orders ${p.openOrders} of ${p.maxOpenOrders}`);
    const t = p.traded;
    if (t === null) continue;
    const qty = t.maxQuantity === null ? null : `${quantity(t.quantity)} of ${quantity(t.maxQuantity)}`;
    const notional = t.maxNotional === null ? null : `notional ${money(t.notional)} of ${money(t.maxNotional)}`;
    parts.push(`${p.symbol} traded ${[qty, notional].filter((x) => x !== null).join(', ')} in ${t.windowSeconds} s`);
  }
  return parts;
}
