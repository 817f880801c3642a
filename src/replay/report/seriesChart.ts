/**
 * The replay report's series chart: value over trading time (closed hours and weekends folded,
 * with a mark where each was), halted spans shaded, each trip and recovery marked and labelled
 * with its breaker, and a y-axis with round ticks and grid lines.
 */
import { money } from '../../present/format.ts';
import { formatDuration } from '../format.ts';
import type { ReplayEvent, ReplayResult } from '../replay.ts';
import type { Series } from '../series.ts';
import { decimalsFor, niceTicks } from './ticks.ts';
import { tradingAxis } from './tradingAxis.ts';
import { esc, f1, labelRows, labelWidth, text } from './svg.ts';

const W = 960;
const H = 380;
const LABEL_ROWS = 4;
const PAD = { left: 84, right: 24, top: 18 + LABEL_ROWS * 14, bottom: 44 };

/** At most ~2·buckets rows: each bucket keeps its lowest and highest value (crashes stay visible). */
function downsample(values: readonly string[], buckets: number): number[] {
  const n = values.length;
  const size = Math.max(1, Math.ceil(n / buckets));
  const out: number[] = [];
  for (let start = 0; start < n; start += size) {
    let lo = start;
    let hi = start;
    for (let i = start; i < Math.min(n, start + size); i++) {
      if (Number(values[i]) < Number(values[lo])) lo = i;
      if (Number(values[i]) > Number(values[hi])) hi = i;
    }
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) if (out.at(-1) !== i) out.push(i);
  }
  return out;
}

const MARKED = new Set(['trip', 'recovery']);
const markLabel = (e: ReplayEvent) => `${e.breaker} ${e.type === 'trip' ? 'trip' : 'back'}`;

/** The series chart as an SVG element. */
export function seriesChart(series: Series, replay: ReplayResult): string {
  const axis = tradingAxis(series.at);
  const rows = downsample(series.values, 1200);
  const values = rows.map((i) => Number(series.values[i]));
  const yTicks = niceTicks(Math.min(...values), Math.max(...values), 6);
  const lo = Math.min(yTicks[0] ?? 0, ...values);
  const hi = Math.max(yTicks.at(-1) ?? 1, ...values);
  const digits = decimalsFor(yTicks);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (axis.pos[i]! / axis.span) * plotW;
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo || 1)) * plotH;
  const bottom = PAD.top + plotH;

  const grid = yTicks.map((v) => `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${f1(y(v))}" y2="${f1(y(v))}"/>${text(PAD.left - 6, y(v) + 4, money(String(v), digits), 'tick', 'end')}`);
  const xTicks = axis.ticks.map((t) => `<line class="tick-line" x1="${f1(x(t.index))}" x2="${f1(x(t.index))}" y1="${bottom}" y2="${bottom + 5}"/>${text(x(t.index), bottom + 18, t.label, 'tick', 'middle')}`);
  const folds = axis.folds.map((fold) => `<line class="fold" x1="${f1(x(fold.index))}" x2="${f1(x(fold.index))}" y1="${PAD.top}" y2="${bottom}"><title>${esc(`market closed ${formatDuration(fold.closedMs)} (folded)`)}</title></line>`);

  const halted: string[] = [];
  const open = new Map<string, number>();
  const band = (a: number, b: number) => `<rect class="halted" x="${f1(x(a))}" y="${PAD.top}" width="${f1(Math.max(1, x(b) - x(a)))}" height="${plotH}"/>`;
  for (const e of replay.events) {
    if (e.type === 'trip') open.set(e.breaker, e.index);
    if (e.type === 'recovery' && open.has(e.breaker)) {
      halted.push(band(open.get(e.breaker)!, e.index));
      open.delete(e.breaker);
    }
  }
  for (const start of open.values()) halted.push(band(start, series.at.length - 1));

  const marked = replay.events.filter((e) => MARKED.has(e.type)).slice(0, 400);
  const placed = labelRows(marked.map((e) => ({ x: x(e.index), width: labelWidth(markLabel(e)) })), LABEL_ROWS);
  const marks = marked.map((e, k) => {
    const mx = x(e.index);
    const my = y(Number(e.value));
    const circle = `<circle class="${e.type}" cx="${f1(mx)}" cy="${f1(my)}" r="4"><title>${esc(`${e.breaker} ${e.type}, row ${e.index}, ${e.timestamp}: ${e.reason}`)}</title></circle>`;
    if (placed[k]! < 0) return `<g class="mark ${e.type}">${circle}</g>`;
    const ly = 14 + placed[k]! * 14;
    const right = mx + labelWidth(markLabel(e)) > W;
    return `<g class="mark ${e.type}"><line class="stem" x1="${f1(mx)}" x2="${f1(mx)}" y1="${ly + 3}" y2="${f1(my)}"/>
${circle}
${text(right ? mx - 3 : mx + 3, ly, markLabel(e), `mark-label ${e.type}-label`, right ? 'end' : 'start')}</g>`;
  });
  const unlabelled = placed.filter((r) => r < 0).length;
  const line = rows.map((i) => `${f1(x(i))},${f1(y(Number(series.values[i])))}`).join(' ');
  return `<svg id="series-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="value over trading time, trips and recoveries marked and labelled">
${grid.join('\n')}
${halted.join('\n')}
${folds.join('\n')}
<polyline class="series" points="${line}"/>
<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${bottom}" y2="${bottom}"/>
${xTicks.join('\n')}
${marks.join('\n')}
${unlabelled > 0 ? text(W - PAD.right, H - 6, `${unlabelled} mark${unlabelled === 1 ? '' : 's'} too close to label (hover a dot; all are in Events)`, 'tick', 'end') : ''}
${text(PAD.left, H - 6, axis.folds.length > 0 ? `trading time: ${axis.folds.length} closed period${axis.folds.length === 1 ? '' : 's'} folded (dashed lines)` : 'time', 'axis-title')}
</svg>`;
}
