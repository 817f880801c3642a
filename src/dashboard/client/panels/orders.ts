import { html, render } from 'lit-html';
import { clockTime } from '../../../present/format.ts';
import { state, type OrderRow } from '../state.ts';
import { byId } from '../render.ts';

const badge = (row: OrderRow) =>
  row.kind === 'fill' ? html`<span class="badge fill">● FILLED</span>` : row.kind === 'allowed' ? html`<span class="badge ok">✓ ALLOWED</span>` : html`<span class="badge bad">✗ REJECTED</span>`;

/** Recent orders (the runtime's decisions) and fills, newest first; history fills it on open. */
export function renderOrders(): void {
  render(
    state.orders.length === 0
      ? html`<tr class="empty"><td colspan="7">No orders checked yet.</td></tr>`
      : state.orders.map(
          (o) => html`<tr class=${o.kind}><td>${clockTime(o.at)}</td><td>${o.order}</td><td>${o.side}</td><td class="num">${o.quantity}</td><td class="num">${o.price}</td><td>${badge(o)}</td><td class="reason">${o.reason}</td></tr>`,
        ),
    byId('orders-body'),
  );
}
