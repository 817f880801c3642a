/**
 * The replay report's sweep chart: one swept parameter is a line (trips, and the halted share on
 * its own axis) over the parameter's values; two are a heat map with both parameters named (the
 * cell's colour is the halted share, its text the trips). Three or more: the table alone.
 */
import { percent } from '../../present/format.ts';
import type { SweepRow } from '../sweep.ts';
import { niceTicks } from './ticks.ts';
import { esc, f1, text } from './svg.ts';

const W = 960;
const pctOf = (share: number) => percent(String(share), 1);
const uniq = (xs: readonly number[]) => [...new Set(xs)];

function lineChart(rows: readonly SweepRow[], path: string): string {
  const H = 320;
  const PAD = { left: 70, right: 70, top: 40, bottom: 52 };
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = rows.length;
  const x = (k: number) => PAD.left + (n === 1 ? plotW / 2 : (k / (n - 1)) * plotW);
  const tripTicks = niceTicks(0, Math.max(1, ...rows.map((r) => r.trips)), 5);
  const maxTrips = tripTicks.at(-1) ?? 1;
  const yTrips = (t: number) => PAD.top + (1 - t / maxTrips) * plotH;
  const yShare = (s: number) => PAD.top + (1 - s) * plotH;
  const bottom = PAD.top + plotH;
  const grid = tripTicks.map((t) => `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${f1(yTrips(t))}" y2="${f1(yTrips(t))}"/>${text(PAD.left - 6, yTrips(t) + 4, String(t), 'tick', 'end')}`);
  const shareTicks = [0, 0.25, 0.5, 0.75, 1].map((s) => text(W - PAD.right + 6, yShare(s) + 4, pctOf(s), 'tick share-label'));
  const every = Math.max(1, Math.ceil(n / 12));
  const xLabels = rows.map((r, k) => (k % every === 0 || k === n - 1 ? text(x(k), bottom + 16, String(r.setting[path]), 'tick', 'middle') : '')).join('');
  const trips = rows.map((r, k) => `${f1(x(k))},${f1(yTrips(r.trips))}`).join(' ');
  const share = rows.map((r, k) => `${f1(x(k))},${f1(yShare(r.haltedShare))}`).join(' ');
  const dots = rows.map((r, k) => `<circle class="trips-dot" cx="${f1(x(k))}" cy="${f1(yTrips(r.trips))}" r="3.5"><title>${esc(`${path}=${r.setting[path]}: ${r.trips} trips, halted ${pctOf(r.haltedShare)}`)}</title></circle>`).join('');
  return `<svg id="sweep-chart" class="sweep-line" viewBox="0 0 ${W} ${H}" role="img" aria-label="trips and halted share per value of ${esc(path)}">
${grid.join('\n')}
<polyline class="trips-line" points="${trips}"/>${dots}
<polyline class="share" points="${share}"/>
<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${bottom}" y2="${bottom}"/>
${xLabels}
${shareTicks.join('')}
${text(PAD.left + plotW / 2, H - 10, path, 'axis-title', 'middle')}
${text(PAD.left - 6, PAD.top - 14, 'trips', 'axis-title trips-label', 'end')}
${text(W - PAD.right + 6, PAD.top - 14, 'halted share', 'axis-title share-label')}
<g class="legend">${text(PAD.left + 10, 16, '● trips (left axis)', 'trips-label')}${text(PAD.left + 180, 16, '— halted share (right axis)', 'share-label')}</g>
</svg>`;
}

/** White (never halted) to red (always halted). */
const heat = (share: number) => {
  const s = Math.max(0, Math.min(1, share));
  return `rgb(255,${Math.round(255 - 190 * s)},${Math.round(255 - 200 * s)})`;
};

function heatMap(rows: readonly SweepRow[], xPath: string, yPath: string): string {
  const xs = uniq(rows.map((r) => r.setting[xPath]!));
  const ys = uniq(rows.map((r) => r.setting[yPath]!));
  const PAD = { left: 110, right: 150, top: 30, bottom: 56 };
  const cellW = Math.min(80, (W - PAD.left - PAD.right) / xs.length);
  const cellH = Math.max(18, Math.min(40, 420 / ys.length));
  const H = PAD.top + ys.length * cellH + PAD.bottom;
  const byCell = new Map(rows.map((r) => [`${r.setting[xPath]}|${r.setting[yPath]}`, r]));
  const cells: string[] = [];
  ys.forEach((yv, j) => {
    xs.forEach((xv, i) => {
      const r = byCell.get(`${xv}|${yv}`);
      if (!r) return;
      const cx = PAD.left + i * cellW;
      const cy = PAD.top + j * cellH;
      cells.push(`<g class="cell"><rect x="${f1(cx)}" y="${f1(cy)}" width="${f1(cellW - 1)}" height="${f1(cellH - 1)}" fill="${heat(r.haltedShare)}"><title>${esc(`${xPath}=${xv}, ${yPath}=${yv}: ${r.trips} trips, halted ${pctOf(r.haltedShare)}`)}</title></rect>${cellW >= 28 && cellH >= 14 ? text(cx + cellW / 2, cy + cellH / 2 + 4, String(r.trips), 'cell-text', 'middle') : ''}</g>`);
    });
  });
  const every = Math.max(1, Math.ceil(xs.length / 14));
  const xLabels = xs.map((v, i) => (i % every === 0 ? text(PAD.left + (i + 0.5) * cellW, PAD.top + ys.length * cellH + 16, String(v), 'tick', 'middle') : '')).join('');
  const yLabels = ys.map((v, j) => text(PAD.left - 6, PAD.top + (j + 0.5) * cellH + 4, String(v), 'tick', 'end')).join('');
  const gx = PAD.left + xs.length * cellW + 24;
  const legend = [0, 0.25, 0.5, 0.75, 1].map((s, k) => `<rect x="${gx}" y="${PAD.top + k * 18}" width="16" height="16" fill="${heat(s)}" class="legend-swatch"/>${text(gx + 22, PAD.top + k * 18 + 12, pctOf(s))}`).join('');
  return `<svg id="sweep-chart" class="sweep-heatmap" viewBox="0 0 ${W} ${f1(H)}" role="img" aria-label="heat map: halted share and trips for each ${esc(xPath)} and ${esc(yPath)}">
${cells.join('\n')}
${xLabels}${yLabels}
${text(PAD.left + (xs.length * cellW) / 2, H - 12, xPath, 'axis-title', 'middle')}
<text class="axis-title" text-anchor="middle" transform="translate(16 ${f1(PAD.top + (ys.length * cellH) / 2)}) rotate(-90)">${esc(yPath)}</text>
${text(gx, PAD.top - 10, 'halted share', 'axis-title')}${legend}
${text(gx, PAD.top + 5 * 18 + 16, 'cell text: trips', 'tick')}
</svg>`;
}

/** The sweep's chart for one or two swept parameters; null for three or more (the table says it all). */
export function sweepChart(rows: readonly SweepRow[]): string | null {
  if (rows.length === 0) return null;
  const paths = Object.keys(rows[0]!.setting);
  if (paths.length === 1) return lineChart(rows, paths[0]!);
  if (paths.length === 2) return heatMap(rows, paths[0]!, paths[1]!);
  return null;
}
