/**
 * Trading-day arithmetic: when does the day containing an instant open, in a given IANA zone?
 * Pure functions over Intl; DST-correct because every open is computed from the zone's own
 * wall-clock date, not by adding 24 hours. An open inside a DST gap happens when the gap ends;
 * an open in a repeated hour happens at its first occurrence, in every zone.
 */

export interface MarketOpen {
  /** Local wall-clock time of the open, `HH:MM` (24-hour). */
  readonly time: string;
  /** IANA time zone, e.g. `America/New_York`. */
  readonly timeZone: string;
}

export interface TradingDay {
  /** Local date of the open, `YYYY-MM-DD`. */
  readonly day: string;
  /** Instant of this day's open (ms since epoch). */
  readonly openAt: number;
  /** Instant of the next day's open (ms since epoch). */
  readonly nextOpenAt: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockAt(at: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** Offset of the zone from UTC at instant `at`, in ms (zones' offsets are whole seconds). */
function offsetAt(at: number, timeZone: string): number {
  const second = at - (((at % 1000) + 1000) % 1000);
  const w = wallClockAt(second, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - second;
}

const DAY_MS = 86_400_000;

function shows(at: number, timeZone: string, naive: number): boolean {
  const w = wallClockAt(at, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) === naive;
}

/**
 * The instant at which the zone's wall clock shows the given local date and time. In a
 * repeated (fall-back) hour, its first occurrence; inside a gap (spring-forward, or a skipped
 * day), the instant the gap ends: the first instant after it.
 *
 * Every offset that could apply lies in the offsets seen a day either side of the naive time
 * (offsets span less than ±14 h and zones do not change twice within two days), so each
 * `naive − offset` is a candidate; the earliest that shows the wanted time wins. With none,
 * the time was skipped, and the transition between the two candidates is found by bisection.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetAt(naive - DAY_MS, timeZone);
  const after = offsetAt(naive + DAY_MS, timeZone);
  const middle = offsetAt(naive, timeZone);
  if (before === after && after === middle) return naive - middle;
  let earliest = Infinity;
  let lo = Infinity;
  let hi = -Infinity;
  for (const offset of [before, middle, after]) {
    const candidate = naive - offset;
    if (candidate < earliest && shows(candidate, timeZone, naive)) earliest = candidate;
    if (candidate < lo) lo = candidate;
    if (candidate > hi) hi = candidate;
  }
  if (earliest !== Infinity) return earliest;
  // A gap: the offset at `lo` is the old one and at `hi` the new one; find the first second of the new.
  const newOffset = offsetAt(hi, timeZone);
  let low = Math.floor(lo / 1000);
  let high = Math.ceil(hi / 1000);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(mid * 1000, timeZone) === newOffset) high = mid;
    else low = mid;
  }
  return high * 1000;
}

/** Parses `HH:MM`; returns null when malformed. */
export function parseOpenTime(time: string): { hour: number; minute: number } | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : null;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string') return false;
  try {
    // The formatter is cached per zone: building one costs a quarter of a millisecond.
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function openOnDate(year: number, month: number, day: number, open: MarketOpen): number {
  const { hour, minute } = parseOpenTime(open.time) ?? { hour: 0, minute: 0 };
  return zonedTimeToInstant(year, month, day, hour, minute, open.timeZone);
}

function shiftDate(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The trading day that contains instant `at`: the latest open at or before it, and the next open. */
export function tradingDayAt(at: number, open: MarketOpen): TradingDay {
  const local = wallClockAt(at, open.timeZone);
  let [y, m, d] = [local.year, local.month, local.day];
  let openAt = openOnDate(y, m, d, open);
  if (openAt > at) {
    [y, m, d] = shiftDate(y, m, d, -1);
    openAt = openOnDate(y, m, d, open);
  }
  const [ny, nm, nd] = shiftDate(y, m, d, 1);
  return { day: `${pad(y, 4)}-${pad(m)}-${pad(d)}`, openAt, nextOpenAt: openOnDate(ny, nm, nd, open) };
}
