import { html, nothing, render } from 'lit-html';
import type { BreakerType } from '../../../../machines/rules/registry.ts';
import type { BreakerView, Meter } from '../../../present/breakerView.ts';
import { duration } from '../../../present/format.ts';
import { state } from '../state.ts';
import { byId } from '../render.ts';
import { stateClass } from './lights.ts';

/** A meter that shows the true use: the bar is capped at its end, the text is not (464 % reads 464 %). */
export function meterView(m: Meter, id: string) {
  const use = m.use ?? 0;
  return html`<div class="meter meter-${m.level}">
    <label for=${id}>${m.label}: <strong>${m.text}</strong></label>
    <meter id=${id} min="0" max="1" low="0.5" high="0.8" optimum="0" .value=${Math.min(1, use)}></meter>
    ${use > 1 ? html`<span class="meter-over">beyond the limit ×${use.toFixed(2)}</span>` : nothing}
  </div>`;
}

function card(b: BreakerView, onReset: (type: BreakerType) => void) {
  return html`<li class="light-card ${stateClass(b.light)}" data-breaker=${b.type} data-state=${b.light} aria-labelledby="light-${b.type}-name">
    <div class="light-head"><span class="light-icon" aria-hidden="true"></span><h3 id="light-${b.type}-name">${b.name}</h3></div>
    <p class="light-state">${b.stateLabel}</p>
    <p class="light-figure">${b.figure}</p>
    <ul class="light-details">${b.details.map((d) => html`<li>${d}</li>`)}</ul>
    ${b.meter && b.enabled ? meterView(b.meter, `meter-${b.type}`) : nothing}
    ${b.reason ? html`<p class="light-reason">${b.reason}</p>` : nothing}
    ${b.resetExpiresInMs !== null ? html`<p class="light-countdown">reset token expires in ${duration(b.resetExpiresInMs)}</p>` : nothing}
    ${b.canReset
      ? html`<button type="button" class="small" data-role="reset" aria-label="Reset the ${b.name.toLowerCase()} breaker" @click=${() => onReset(b.type)}>Reset…</button>`
      : nothing}
  </li>`;
}

/** The breakers panel: one card per breaker of the registry, as the server described it. */
export function renderBreakers(onReset: (type: BreakerType) => void): void {
  const v = state.view;
  render(v ? v.breakers.map((b) => card(b, onReset)) : nothing, byId('breaker-lights'));
  const fault = byId('data-fault');
  fault.hidden = !v?.fault;
  fault.textContent = v?.fault ?? '';
  const controls = byId('controls-use');
  controls.hidden = !v?.controls;
  controls.textContent = v?.controls ?? '';
}
