import { html, nothing, render } from 'lit-html';
import type { FigureView } from '../../../present/dashboardView.ts';
import { state } from '../state.ts';
import { byId } from '../render.ts';
import { meterView } from './breakers.ts';

export const figuresList = (figures: readonly FigureView[]) => figures.map((f) => html`<div class="figure"><dt>${f.term}</dt><dd>${f.value}</dd></div>`);

/** Value summary, the reconciliation of value = positions + cash, and today's P&L. */
export function renderPortfolio(): void {
  const v = state.view;
  render(v ? figuresList(v.value) : nothing, byId('value-summary'));
  render(v && v.reconciliation.length > 0 ? figuresList(v.reconciliation) : nothing, byId('reconciliation'));
  const pnl = v?.pnl;
  render(
    !pnl
      ? nothing
      : !pnl.enabled
        ? html`<p>The daily-loss breaker is disabled for this strategy.</p>`
        : html`<p class="pnl-big ${pnl.loss ? 'loss' : 'gain'}"><span>${pnl.text}</span><span class="pnl-fraction">${pnl.fraction}</span></p>
            ${pnl.meter ? meterView(pnl.meter, 'pnl-meter') : nothing}
            <dl class="figures">${figuresList(pnl.figures)}</dl>`,
    byId('pnl'),
  );
  const positions = v?.positions;
  render(
    !positions || positions.rows.length === 0
      ? html`<tr class="empty"><td colspan="4">No positions reported.</td></tr>`
      : positions.rows.map((p) => html`<tr><th scope="row">${p.symbol}</th><td class="num">${p.quantity}</td><td class="num">${p.price}</td><td class="num">${p.marketValue}</td></tr>`),
    byId('positions-body'),
  );
  render(
    positions && positions.rows.length > 0 ? html`<tr><th scope="row" colspan="3">Total market value</th><td class="num">${positions.total}</td></tr>` : nothing,
    byId('positions-foot'),
  );
}
