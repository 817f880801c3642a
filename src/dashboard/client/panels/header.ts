import { html, render } from 'lit-html';
import { Link, state } from '../state.ts';
import { byId } from '../render.ts';
import { stateClass } from './lights.ts';

/** The top bar's live part: global state, whether orders pass, and the link. Unknown unless live. */
export function renderHeader(): void {
  const v = state.link === Link.LIVE ? state.view : null;
  const stateText = v ? v.stateLabel : 'UNKNOWN';
  const orders = v ? v.ordersText : 'orders: unknown';
  const linkText = state.link === Link.LIVE ? 'live' : state.link === Link.CONNECTING ? 'connecting…' : 'DISCONNECTED';
  render(
    html`<div id="global-state" class="global-state ${v ? stateClass(v.state) : 'state-unknown'}" aria-describedby="global-state-help">
        <span class="light-icon" aria-hidden="true"></span>
        <span class="global-text"><span class="global-label">Global state</span> <strong id="global-state-text">${stateText}</strong></span>
        <span id="orders-allowed" class="orders-allowed ${v ? (v.ordersAllowed ? 'allowed' : 'blocked') : 'unknown'}">${orders}</span>
      </div>
      <p id="connection" class="connection ${state.link === Link.LIVE ? 'ok' : 'bad'}" role="status">${linkText}</p>`,
    byId('header-live'),
  );
  document.title = state.strategy ? `${state.link === Link.DISCONNECTED ? '⚠ DISCONNECTED — ' : ''}${state.strategy} — breakerbox` : 'breakerbox — live risk dashboard';
}
