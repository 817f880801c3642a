/**
 * The self-contained HTML report of a replay and its sweep: inline SVG charts (the series over
 * trading time with its trips and recoveries labelled, and the sweep as a line or a heat map), the
 * events and the sweep as tables. No script, no external resource: it opens from disk, offline,
 * anywhere (so the dashboard's uPlot, which needs a script, is not used here).
 */
import { percent } from '../present/format.ts';
import { formatDuration } from './format.ts';
import { seriesChart } from './report/seriesChart.ts';
import { sweepChart } from './report/sweepChart.ts';
import { esc } from './report/svg.ts';
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

const pct = (x: number) => percent(String(x), 1);
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
.grid{stroke:#e3e6ea;stroke-width:1}.axis,.tick-line{stroke:#8a93a0}
svg text.axis-title{font-size:12px;fill:#1d2330;font-weight:600}
.fold{stroke:#9aa3ad;stroke-dasharray:2 3;stroke-width:1}
circle.trip{fill:#d22;stroke:#fff;stroke-width:1}circle.recovery{fill:#1f8a3b;stroke:#fff;stroke-width:1}
.stem{stroke:#b9c0c8;stroke-dasharray:1 2}
svg text.trip-label{fill:#b11;font-weight:600}svg text.recovery-label{fill:#176b2c}
.halted{fill:#d22;opacity:.12}
.trips-line{fill:none;stroke:#2f6fba;stroke-width:2}.trips-dot{fill:#2f6fba}
svg text.trips-label{fill:#2f6fba}
.share{fill:none;stroke:#d22;stroke-width:2}
svg text.share-label{fill:#d22}
svg text.cell-text{fill:#1d2330;font-size:11px}
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
${sweep ? `<h2>Sweep</h2>\n${sweepChart(sweep) ?? '<p>A sweep over three or more settings is shown as a table.</p>'}\n${sweepTable(sweep)}` : ''}
<h2>Events</h2>
${eventsTable(replay)}
</body></html>
`;
}
