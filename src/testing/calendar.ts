/**
 * Market opens and DST transitions for the testing kit, computed independently of the runtime
 * (by searching instants with Intl, not by the runtime's trading-day arithmetic): the oracle's
 * daily-loss day and the clock arbitraries use them.
 */

export interface MarketOpenSpec {
  /** `HH:MM`, local wall-clock time. */
  readonly time: string;
  /** IANA time zone. */
  readonly timeZone: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local wall clock at `at` as minutes since 1970-01-01 local (a monotone-ish number). */
function localMinutes(at: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) / 60_000;
}

const MIN = 60_000;
const cache = new Map<string, number>();

/**
 * The open of the local date `day` (`Date.UTC` midnight of that date): the first instant
 * (to the minute) whose local wall clock shows that date at or after the open time. So an open
 * inside a DST gap happens when the gap ends, and one in a repeated hour at its first occurrence.
 */
export function openOn(day: number, open: MarketOpenSpec): number {
  const key = `${day}|${open.time}|${open.timeZone}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const [hh, mm] = open.time.split(':').map(Number) as [number, number];
  const target = day / MIN + hh * 60 + mm;
  // Scan by 15 minutes from 15 h before the naive instant, then by minute inside the step found.
  let t = day + (hh * 60 + mm) * MIN - 15 * 3_600_000;
  while (localMinutes(t, open.timeZone) < target) t += 15 * MIN;
  let u = t - 15 * MIN;
  while (localMinutes(u, open.timeZone) < target) u += MIN;
  cache.set(key, u);
  return u;
}

/** The trading day containing `at`: its open and the next one. */
export function tradingDayOf(at: number, open: MarketOpenSpec): { openAt: number; nextOpenAt: number } {
  const local = localMinutes(at, open.timeZone) * MIN;
  let day = local - (((local % 86_400_000) + 86_400_000) % 86_400_000);
  if (openOn(day, open) > at) day -= 86_400_000;
  return { openAt: openOn(day, open), nextOpenAt: openOn(day + 86_400_000, open) };
}

/** The next instant after `at` at which the zone's UTC offset changes (within `horizonDays`), or null. */
export function nextOffsetChange(at: number, timeZone: string, horizonDays = 400): number | null {
  const offset = (t: number) => localMinutes(t, timeZone) * MIN - (t - (t % MIN));
  const start = offset(at);
  let lo = at;
  let hi = at;
  for (let d = 1; d <= horizonDays; d++) {
    hi = at + d * 86_400_000;
    if (offset(hi) !== start) break;
    lo = hi;
    if (d === horizonDays) return null;
  }
  while (hi - lo > MIN) {
    const mid = lo + Math.floor((hi - lo) / 2 / MIN) * MIN || lo + MIN;
    if (offset(mid) === start) lo = mid;
    else hi = mid;
  }
  return hi;
}
