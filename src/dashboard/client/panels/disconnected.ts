import { html, nothing, render } from 'lit-html';
import { Link, state } from '../state.ts';
import { byId } from '../render.ts';
import { clockTime } from '../../../present/format.ts';

/**
 * The DISCONNECTED view: while the stream is down or a heartbeat is late, the page cannot vouch
 * for any state, so the whole dashboard is replaced by this notice (nothing green anywhere)
 * until fresh state arrives.
 */
export function renderDisconnected(): void {
  const down = state.link !== Link.LIVE;
  const main = byId('main');
  main.hidden = down;
  main.inert = down;
  document.body.classList.toggle('disconnected', state.link === Link.DISCONNECTED);
  const box = byId('disconnected');
  box.hidden = !down;
  if (!down) {
    render(nothing, box);
    return;
  }
  const connecting = state.link === Link.CONNECTING;
  render(
    html`<h2>${connecting ? 'Connecting — state unknown' : 'DISCONNECTED — state unknown'}</h2>
      <p>${connecting ? 'Waiting for the first state from the server.' : `No word from the server: ${state.linkProblem}. Trading may be halted or running; this page cannot tell.`}</p>
      ${state.viewReceivedAt > 0 ? html`<p>Last state received at ${clockTime(state.viewReceivedAt)}. It is not shown: it may have changed since.</p>` : nothing}
      <p class="muted">Reconnecting automatically…</p>`,
    box,
  );
}
