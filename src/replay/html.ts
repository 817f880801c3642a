/**
 * The self-contained HTML report of a replay and its sweep: inline SVG charts (the series with
 * its trips marked, and the sweep), the events and the sweep as tables. No script, no external
 * resource: it opens from disk, offline, anywhere.
 */
import { formatDuration } from './format.ts';
import type { ReplayResult } from './replay.ts';
import type { Series } from './series.ts';
import type { SweepRow } from './sweep.ts';

export interface HtmlReportInput {
  readonly title?: string;
  readonly series: Series;
  /** The replay at the base configuration (its trips are marked on the series). */
  readonly replay: ReplayResult;
  readonly sweep?: readonly SweepRow[];
}

const W = 960;
const H = 300;
const PAD = { left: 70, right: 20, top: 16, bottom: 30 };

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** At most ~2·buckets points: each bucket keeps its lowest and highest value (crashes stay visible). */
function downsample(series: Series, buckets: number): { i: number; v: number }[] {
  const n = series.at.length;
  const size = Math.max(1, Math.ceil(n / buckets));
  const out: { i: number; v: number }[] = [];
  for (let start = 0; start < n; start += size) {
    let lo = start;
    let hi = start;
    for (let i = start; i < Math.min(n, start + size); i++) {
      const v = Number(series.values[i]);
      if (v < Number(series.values[lo])) lo = i;
      if (v > Number(series.values[hi])) hi = i;
    }
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) if (out.at(-1)?.i !== i) out.push({ i, v: Number(series.values[i]) });
  }
  return out;
}

function seriesChart(series: Series, replay: ReplayResult): string {
  const points = downsample(series, 1000);
  const t0 = series.at[0]!;
  const t1 = series.at[series.at.length - 1]!;
  const span = t1 - t0 || 1;
  const values = points.map((p) => p.v);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const x = (i: number) => PAD.left + ((series.at[i]! - t0) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo || 1)) * (H - PAD.top - PAD.bottom);
  const line = points.map((p) => `${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const halted: string[] = [];
  const open = new Map<string, number>();
  for (const e of replay.events) {
    if (e.type === 'trip') open.set(e.breaker, e.index);
    if (e.type === 'recovery' && open.has(e.breaker)) {
      halted.push(band(x(open.get(e.breaker)!), x(e.index)));
      open.delete(e.breaker);
    }
  }
  for (const start of open.values()) halted.push(band(x(start), x(series.at.length - 1)));
  const trips = replay.events
    .filter((e) => e.type === 'trip')
    .map(
      (e) =>
        `<circle class="trip" cx="${x(e.index).toFixed(1)}" cy="${y(Number(e.value)).toFixed(1)}" r="4"><title>${esc(`${e.breaker} trip, row ${e.index}, ${e.timestamp}: ${e.reason}`)}</title></circle>`,
    );
  const axis = [lo, (lo + hi) / 2, hi].map((v) => `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${esc(v.toPrecision(6))}</text>`);
  const dates = [t0, t0 + span / 2, t1].map((t, k) => `<text x="${PAD.left + (k / 2) * (W - PAD.left - PAD.right)}" y="${H - 8}" text-anchor="${['start', 'middle', 'end'][k]}">${new Date(t).toISOString().slice(0, 10)}</text>`);
  return `<svg id="series-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="series with trips marked">
${halted.join('\n')}
<polyline class="series" points="${line}"/>
${trips.join('\n')}
${axis.join('')}${dates.join('')}
</svg>`;
}

function band(x0: number, x1: number): string {
  return `<rect class="halted" x="${x0.toFixed(1)}" y="${PAD.top}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${H - PAD.top - PAD.bottom}"/>`;
}

function sweepChart(rows: readonly SweepRow[]): string {
  const path = Object.keys(rows[0]!.setting)[0]!;
  const n = rows.length;
  const maxTrips = Math.max(1, ...rows.map((r) => r.trips));
  const slot = (W - PAD.left - PAD.right) / n;
  const yTrips = (t: number) => PAD.top + (1 - t / maxTrips) * (H - PAD.top - PAD.bottom);
  const yShare = (s: number) => PAD.top + (1 - s) * (H - PAD.top - PAD.bottom);
  const bars = rows.map((r, k) => {
    const x0 = PAD.left + k * slot + slot * 0.15;
    const label = Object.entries(r.setting).map(([p, v]) => `${p}=${v}`).join(', ');
    return `<rect class="bar" x="${x0.toFixed(1)}" y="${yTrips(r.trips).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(H - PAD.bottom - yTrips(r.trips)).toFixed(1)}"><title>${esc(`${label}: ${r.trips} trips, halted ${pct(r.haltedShare)}`)}</title></rect>
<text x="${(x0 + slot * 0.35).toFixed(1)}" y="${H - 8}" text-anchor="middle">${esc(String(r.setting[path]))}</text>`;
  });
  const share = rows.map((r, k) => `${(PAD.left + (k + 0.5) * slot).toFixed(1)},${yShare(r.haltedShare).toFixed(1)}`).join(' ');
  return `<svg id="sweep-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="trips and halted share per setting">
${bars.join('\n')}
<polyline class="share" points="${share}"/>
<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${maxTrips} trips</text>
<text x="${W - PAD.right}" y="${PAD.top + 4}" text-anchor="end" class="share-label">— halted share (0–100%)</text>
</svg>`;
}

function sweepTable(rows: readonly SweepRow[]): string {
  const paths = Object.keys(rows[0]!.setting);
  const head = [...paths, 'trips', 'first trip (row)', 'first trip (time)', 'halted', 'worst dd with breaker', 'worst dd without'];
  const body = rows.map(
    (r) =>
      `<tr>${[...paths.map((p) => String(r.setting[p])), String(r.trips), r.firstTrip ? String(r.firstTrip.index) : '—', r.firstTrip?.timestamp ?? '—', pct(r.haltedShare), pct(r.worstDrawdown.withBreaker), pct(r.worstDrawdown.without)]
        .map((c) => `<td>${esc(c)}</td>`)
        .join('')}</tr>`,
  );
  return `<table id="sweep-table"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function eventsTable(replay: ReplayResult): string {
  const rows = replay.events
    .slice(0, 500)
    .map((e) => `<tr class="${e.type}">${[e.timestamp, String(e.index), e.type, e.breaker, e.value, e.reason + (e.heldMs !== undefined ? ` (held ${formatDuration(e.heldMs)})` : '')].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  const more = replay.events.length > 500 ? `<p>… and ${replay.events.length - 500} more events (see --json).</p>` : '';
  return `<table id="events-table"><thead><tr><th>time</th><th>row</th><th>event</th><th>breaker</th><th>value</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

/** Renders the report as one HTML document. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { series, replay } = input;
  const title = input.title ?? `breakerbox replay: ${series.source}`;
  const sweep = input.sweep && input.sweep.length > 0 ? input.sweep : null;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#1d2330;padding:0 12px}
svg{width:100%;height:auto;background:#fafbfc;border:1px solid #dde1e6}
svg text{font-size:11px;fill:#556}
.series{fill:none;stroke:#2f6fba;stroke-width:1.2}
.trip{fill:#d22;stroke:#fff;stroke-width:1}
.halted{fill:#d22;opacity:.12}
.bar{fill:#2f6fba;opacity:.8}
.share{fill:none;stroke:#d22;stroke-width:2}
.share-label{fill:#d22}
table{border-collapse:collapse;margin:8px 0 24px;font-size:13px}
th,td{border-bottom:1px solid #e3e6ea;padding:3px 10px;text-align:right}
th{background:#f1f3f5}
tr.trip td{color:#b11}tr.recovery td{color:#176b2c}
#events-table td:first-child{white-space:nowrap}#events-table td:last-child{text-align:left}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p>${replay.rows} rows, ${esc(replay.from)} → ${esc(replay.to)}. ${replay.trips} trips; trading halted ${esc(formatDuration(replay.haltedMs))} (${pct(replay.haltedShare)} of the time).
Worst drawdown ${pct(replay.worstDrawdown.without)} without the breakers, ${pct(replay.worstDrawdown.withBreaker)} flat while halted.</p>
<h2>Series and trips</h2>
${seriesChart(series, replay)}
${sweep ? `<h2>Sweep</h2>\n${sweepChart(sweep)}\n${sweepTable(sweep)}` : ''}
<h2>Events</h2>
${eventsTable(replay)}
</body></html>
`;
}
