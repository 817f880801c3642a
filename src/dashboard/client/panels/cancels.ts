import { html, nothing, render } from 'lit-html';
import { state } from '../state.ts';
import { byId } from '../render.ts';

/** Orders a trip's or halt's cancel did not see closed in time: the server's words, shown as given. */
export function renderUnconfirmedCancels(): void {
  const view = state.view?.unconfirmedCancels ?? null;
  const box = byId('unconfirmed-cancels');
  box.hidden = view === null;
  render(view === null ? nothing : html`<p>${view.text}</p><ul>${view.orders.map((o) => html`<li>${o}</li>`)}</ul>`, box);
}
