import { html, render } from 'lit-html';
import { clockTime } from '../../../present/format.ts';
import { state } from '../state.ts';
import { byId } from '../render.ts';

/** The trips, halts and resets drawn on the chart, as a list (the chart is a picture; this is its text). */
export function renderMarks(): void {
  const marks = state.marks.slice(-20).reverse();
  render(
    marks.length === 0
      ? html`<li class="empty">No trips, halts or resets in the history shown.</li>`
      : marks.map((m) => html`<li class="mark mark-${m.kind}" data-kind=${m.kind}><time>${clockTime(m.t * 1000)}</time> ${m.label}</li>`),
    byId('chart-marks'),
  );
}
