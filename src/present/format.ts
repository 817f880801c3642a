/**
 * Presentation formats: the number formats (written once, in machines/words/format.ts, so the
 * rules' own words use them too) and the time formats people read.
 */
export { addDec, formatDec, money, mulDec, parseDec, percent, price, quantity, signedMoney, signedPercent, type Dec } from '../../machines/words/format.ts';

/** Milliseconds as "12 s" / "2 min 05 s". */
export function duration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total < 100) return `${total} s`;
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/** Clock time for tables and logs (24 h, with seconds). */
export function clockTime(at: number | string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toLocaleTimeString('en-GB', { hour12: false });
}

/** A number for the chart (display only; never used for decisions). */
export function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}
