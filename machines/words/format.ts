/**
 * THE number formats (pure, so a rule's own words use them too): every money amount, quantity, price and percentage a person reads (dashboard,
 * CLI, alerts, journal texts, demo, replay report) is written by these functions, so one figure
 * reads the same everywhere (test/present/oneFormatter.test.ts holds it). `src/present/format.ts`
 * re-exports them beside the time formats. Money and quantities
 * arrive as decimal strings; products and sums are done on BigInt-scaled integers so a market
 * value is never a float artefact (e.g. 0.1 × 3).
 */

/** A decimal as an integer and a power-of-ten scale: value = units / 10^scale. */
export interface Dec {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses a decimal string or finite number; null when it is not one. */
export function parseDec(input: unknown): Dec | null {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : typeof input === 'string' ? input.trim() : '';
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] || '0';
  const frac = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  // Display only: an exponent this large is no amount a person reads (and 10n ** 1e9 would never end).
  if (Math.abs(exp) > 400 || intPart.length + frac.length > 400) return null;
  let units = BigInt(intPart + frac) * sign;
  let scale = frac.length - exp;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units, scale };
}

export function mulDec(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

export function addDec(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: a.units * 10n ** BigInt(scale - a.scale) + b.units * 10n ** BigInt(scale - b.scale), scale };
}

/** Rounds half away from zero to `digits` decimals and groups thousands: "-12,345.68". */
export function formatDec(d: Dec, digits = 2): string {
  let units = d.units;
  if (d.scale > digits) {
    const div = 10n ** BigInt(d.scale - digits);
    const neg = units < 0n;
    const abs = neg ? -units : units;
    let q = abs / div;
    if ((abs % div) * 2n >= div) q += 1n;
    units = neg ? -q : q;
  } else {
    units *= 10n ** BigInt(digits - d.scale);
  }
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(digits + 1, '0');
  const int = s.slice(0, s.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = digits > 0 ? `.${s.slice(s.length - digits)}` : '';
  return `${neg && units !== 0n ? '-' : ''}${int}${frac}`;
}

/** A money or quantity string for display; "–" when missing. */
export function money(value: unknown, digits = 2): string {
  const d = parseDec(value);
  return d === null ? '–' : formatDec(d, digits);
}

/** A quantity: keeps its own decimals (up to 8), grouped. */
export function quantity(value: unknown): string {
  const d = parseDec(value);
  if (d === null) return '–';
  return formatDec(d, Math.min(Math.max(d.scale, 0), 8));
}

/**
 * A price: grouped, with as many decimals as it has between 2 and 4 (6 below 1), so 88.85388405545673
 * reads 88.8539, 1.0875 stays 1.0875 and 5000 reads 5,000.00.
 */
export function price(value: unknown): string {
  const d = parseDec(value);
  if (d === null) return '–';
  const below1 = d.units < 10n ** BigInt(d.scale) && d.units > -(10n ** BigInt(d.scale));
  return formatDec(d, Math.min(Math.max(d.scale, 2), below1 ? 6 : 4));
}

/** A fraction as a signed percentage: "+1.25%", "-12.00%", "0.00%". */
export function signedPercent(fraction: unknown, digits = 2): string {
  const text = percent(fraction, digits);
  return text.startsWith('-') || text === '–' || /^0\.?0*%$/.test(text) ? text : `+${text}`;
}

/** A fraction string ("-0.12") as a percentage ("-12.0%"). */
export function percent(fraction: unknown, digits = 1): string {
  const d = parseDec(fraction);
  if (d === null) return '–';
  const s = formatDec({ units: d.units * 100n, scale: d.scale }, digits).replace(/,/g, '');
  return `${s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s}%`;
}

/** A signed money figure: "+1,200.00" / "-3,000.00". */
export function signedMoney(value: unknown): string {
  const s = money(value);
  return s === '–' || s.startsWith('-') || /^0(\.0+)?$/.test(s) ? s : `+${s}`;
}

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

/** How much of a limit is used: part ÷ whole, never below 0; null when either is not a number or the whole is 0 (display only). */
export function ratio(part: unknown, whole: unknown): number | null {
  const p = toNumber(part);
  const w = toNumber(whole);
  if (p === null || w === null || w === 0) return null;
  return Math.max(0, p / w);
}

/** A setting's value as a config message quotes it: strings quoted, numbers as they are. */
export function describeSetting(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** An untrusted value as given, bounded ("?" when missing): what a figure that is not a number shows. */
function asGiven(value: unknown, max = 24): string {
  if (value === undefined || value === null) return '?';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Money from untrusted details (a journal, the wire, an older version): formatted, or shown as given, "?" when missing. */
export function moneyWord(value: unknown): string {
  return parseDec(value) === null ? asGiven(value) : money(value);
}

/** A fraction from untrusted details as a percentage, or shown as given, "?" when missing. */
export function fractionWord(value: unknown): string {
  return parseDec(value) === null ? asGiven(value) : percent(value, 1);
}
