import { html, nothing, render } from 'lit-html';
import { unsafeHTML } from 'lit-html/directives/unsafe-html.js';
import { clockTime } from '../../../present/format.ts';
import { stateLabel } from '../../../present/labels.ts';
import type { TraceStep } from '../../../runtime/trace.ts';
import { state } from '../state.ts';
import { byId, requestRender } from '../render.ts';
import { stateClass } from './lights.ts';

interface Machine {
  readonly key: string;
  readonly title: string;
  readonly svg: string;
  /** The state the actor is in now (live), from the server's view. */
  readonly live: string;
}

const top = (s: string | null): string | null => (s === null ? null : (s.split('.')[0] ?? s));

function machines(): Machine[] {
  const charts = state.charts;
  const v = state.view;
  if (!charts || !v) return [];
  const live = (key: string) => v.breakers.find((b) => b.type === key)?.light.replace('WARNING', 'NORMAL').replace('DISABLED', 'NORMAL') ?? 'NORMAL';
  return [
    { key: 'supervisor', title: 'Supervisor (restarts its breakers one-for-one)', svg: charts.supervisor.svg, live: 'supervising' },
    // The breakers and their names as the server sent them: the page holds no list of its own.
    ...Object.entries(charts.breakers).map(([b, chart]) => ({ key: b, title: `${v.breakers.find((x) => x.type === b)?.name ?? b} breaker`, svg: chart.svg, live: live(b) })),
  ];
}

/** Selects a step of an actor (or follows live again with null). */
function inspect(actor: string, seq: number | null): void {
  if (seq === null) delete state.inspecting[actor];
  else state.inspecting[actor] = seq;
  requestRender();
}

function stepLabel(s: TraceStep): string {
  return `${clockTime(s.at)} ${s.event}: ${s.from === null ? 'start' : stateLabel(top(s.from)!)} → ${stateLabel(top(s.to)!)}`;
}

function figure(m: Machine) {
  const steps = state.trace.filter((s) => s.actor === m.key && s.event !== 'xstate.init');
  const selectedSeq = state.inspecting[m.key];
  const index = selectedSeq === undefined ? -1 : steps.findIndex((s) => s.seq === selectedSeq);
  const selected = index >= 0 ? steps[index]! : null;
  const shown = selected ? (top(selected.to) ?? m.live) : m.live;
  const move = (delta: number) => {
    const from = index >= 0 ? index : steps.length;
    const next = from + delta;
    inspect(m.key, next >= steps.length ? null : (steps[Math.max(0, next)]?.seq ?? null));
  };
  return html`<figure class="statechart-figure ${selected ? 'inspecting' : ''}" data-machine=${m.key} data-shown=${shown} data-edge-from=${selected ? (top(selected.from) ?? '') : (top(steps.at(-1)?.from ?? null) ?? '')} data-edge-to=${selected ? (top(selected.to) ?? '') : (top(steps.at(-1)?.to ?? null) ?? '')}>
    <div class="sc-svg">${unsafeHTML(m.svg.replaceAll('sc-arrow-', `sc-arrow-${m.key}-`))}</div>
    <figcaption><span>${m.title}: </span><strong data-role="current">${stateLabel(shown)}</strong>
      <span class="inspect-mode" data-role="mode">${selected ? `— inspecting step ${index + 1} of ${steps.length} (not live)` : '— live'}</span></figcaption>
    ${steps.length === 0
      ? html`<p class="muted trace-empty">No events since the process started.</p>`
      : html`<div class="inspector" role="group" aria-label="Recent events of the ${m.title}">
          <button type="button" class="small" data-role="step-back" ?disabled=${index === 0} @click=${() => move(-1)}>◀ Step back</button>
          <button type="button" class="small" data-role="step-forward" ?disabled=${!selected} @click=${() => move(1)}>Step forward ▶</button>
          <button type="button" class="small" data-role="follow-live" ?disabled=${!selected} @click=${() => inspect(m.key, null)}>Follow live</button>
          <ol class="trace-steps">
            ${steps.map(
              (s) => html`<li><button type="button" class="trace-step ${s.seq === selectedSeq ? 'selected' : ''}" data-seq=${s.seq} data-event=${s.event} aria-pressed=${s.seq === selectedSeq ? 'true' : 'false'} @click=${() => inspect(m.key, s.seq)}>${stepLabel(s)}</button></li>`,
            )}
          </ol>
        </div>`}
  </figure>`;
}

/** Marks the shown state and the edge taken inside each (server-generated) SVG. */
function highlight(box: HTMLElement): void {
  for (const fig of Array.from(box.querySelectorAll<HTMLElement>('figure[data-machine]'))) {
    const shown = fig.dataset.shown;
    for (const node of Array.from(fig.querySelectorAll<SVGGElement>('.sc-node'))) {
      const current = node.dataset.state === shown;
      node.classList.toggle('current', current);
      node.classList.remove('state-normal', 'state-resetting', 'state-tripped', 'state-halted');
      if (current) node.classList.add(stateClass(shown ?? null));
    }
    const from = fig.dataset.edgeFrom;
    const to = fig.dataset.edgeTo;
    for (const edge of Array.from(fig.querySelectorAll<SVGElement>('.sc-edge, .sc-label'))) {
      edge.classList.toggle('taken', Boolean(from) && edge.dataset.source === from && edge.dataset.target === to);
    }
  }
}

/** The statecharts, drawn from the machines themselves, with an inspector of each actor's recent steps. */
export function renderStatecharts(): void {
  const box = byId('statecharts');
  if (state.chartsError) {
    render(html`<p>The statecharts could not be loaded.</p>`, box);
    return;
  }
  const list = machines();
  render(list.length === 0 ? nothing : list.map(figure), box);
  highlight(box);
}
