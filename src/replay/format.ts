/** Text and JSON-lines renderings of replays and sweeps, for the CLI. */
import { percent } from '../present/format.ts';
import type { ReplayEvent, ReplayResult } from './replay.ts';
import type { SweepRow } from './sweep.ts';

/** 2d 4h, 3h 20m, 15m, 42s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

const pct = (x: number, digits = 1) => percent(String(x), digits);

function table(header: readonly string[], rows: readonly (readonly string[])[], alignRight: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (alignRight.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One line per event (the human form of `--json`). */
export function formatEventLine(e: ReplayEvent): string {
  const held = e.heldMs !== undefined ? ` (held ${formatDuration(e.heldMs)})` : '';
  return `${e.timestamp}  row ${String(e.index).padStart(7)}  ${e.type.toUpperCase().padEnd(13)} ${e.breaker.padEnd(9)} ${e.value.padStart(12)}  ${e.reason}${held}`;
}

/** The summary of a replay: per breaker, trips, warnings and how long it held trading. */
export function formatReplaySummary(result: ReplayResult): string {
  const rows = Object.entries(result.breakers).map(([breaker, s]) => [
    breaker,
    String(s.warnings),
    String(s.trips),
    formatDuration(s.heldMs) + (s.trippedAtEnd ? ' (still tripped)' : ''),
  ]);
  const lines = [
    `${result.rows} rows, ${result.from} → ${result.to}`,
    rows.length > 0 ? table(['breaker', 'warnings', 'trips', 'held trading'], rows, new Set([1, 2])) : 'no breaker warned or tripped',
    `trading halted ${formatDuration(result.haltedMs)} (${pct(result.haltedShare)} of the time); first trip: ${result.firstTrip ? `row ${result.firstTrip.index} at ${result.firstTrip.timestamp}` : 'none'}`,
    `worst drawdown: ${pct(result.worstDrawdown.without)} without the breakers, ${pct(result.worstDrawdown.withBreaker)} flat while halted`,
  ];
  return lines.join('\n');
}

/** The sweep as a table: one row per setting. */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const paths = rows.length > 0 ? Object.keys(rows[0]!.setting) : [];
  const body = rows.map((r) => [
    ...paths.map((p) => String(r.setting[p])),
    String(r.trips),
    r.firstTrip ? String(r.firstTrip.index) : '—',
    r.firstTrip ? r.firstTrip.timestamp.replace('T00:00:00.000Z', '').replace('.000Z', 'Z') : '—',
    pct(r.haltedShare),
    pct(r.worstDrawdown.withBreaker),
    pct(r.worstDrawdown.without),
  ]);
  const header = [...paths, 'trips', 'first row', 'first trip', 'halted', 'worst dd (breaker)', 'worst dd (none)'];
  const right = new Set(header.map((_, i) => i).filter((i) => i < paths.length || (i >= paths.length && i !== paths.length + 2)));
  return table(header, body, right);
}

/** A JSON line for an event (`type`, `breaker`, `index`, `timestamp`, …). */
export function eventJson(e: ReplayEvent): string {
  return JSON.stringify(e);
}
