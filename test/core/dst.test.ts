import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tradingDayAt, zonedTimeToInstant } from '../../machines/figures/tradingDay.ts';

const iso = (text: string) => Date.parse(text);

/** Independent wall clock: the naive UTC ms of what the zone's clock shows at `at`. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function wall(at: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

describe('opens inside DST gaps happen when the gap ends', () => {
  it.each<[string, string, string, string]>([
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T07:00:00Z'],
    ['America/New_York', '2026-03-08', '02:00', '2026-03-08T07:00:00Z'],
    ['Europe/London', '2025-03-30', '01:30', '2025-03-30T01:00:00Z'],
    ['Pacific/Chatham', '2025-09-28', '03:00', '2025-09-27T14:00:00Z'],
    ['Australia/Lord_Howe', '2025-10-05', '02:15', '2025-10-04T15:30:00Z'],
    ['America/Santiago', '2025-09-07', '00:00', '2025-09-07T04:00:00Z'],
    ['America/Havana', '2025-03-09', '00:00', '2025-03-09T05:00:00Z'],
  ])('%s %s %s → %s', (timeZone, date, time, expected) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const [hh, mm] = time.split(':').map(Number) as [number, number];
    expect(new Date(zonedTimeToInstant(y, m, d, hh, mm, timeZone)).toISOString()).toBe(new Date(iso(expected)).toISOString());
    const day = tradingDayAt(iso(expected), { time, timeZone });
    expect(day).toMatchObject({ day: date, openAt: iso(expected) });
    expect(tradingDayAt(iso(expected) - 1, { time, timeZone }).nextOpenAt).toBe(iso(expected));
  });
});

describe('opens in a repeated hour happen at its first occurrence', () => {
  it.each<[string, string, string, string]>([
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00Z'],
    ['Europe/London', '2025-10-26', '01:30', '2025-10-26T00:30:00Z'],
    ['Europe/London', '2025-10-26', '01:00', '2025-10-26T00:00:00Z'],
    ['Pacific/Chatham', '2025-04-06', '03:00', '2025-04-05T13:15:00Z'],
    ['Pacific/Chatham', '2025-04-06', '02:45', '2025-04-05T13:00:00Z'],
    ['Australia/Lord_Howe', '2025-04-06', '01:45', '2025-04-05T14:45:00Z'],
    ['America/Santiago', '2025-04-05', '23:30', '2025-04-06T02:30:00Z'],
  ])('%s %s %s → %s', (timeZone, date, time, expected) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const [hh, mm] = time.split(':').map(Number) as [number, number];
    expect(new Date(zonedTimeToInstant(y, m, d, hh, mm, timeZone)).toISOString()).toBe(new Date(iso(expected)).toISOString());
    // Still the same trading day during the second occurrence.
    expect(tradingDayAt(iso(expected) + 3600_000, { time, timeZone })).toMatchObject({ day: date, openAt: iso(expected) });
  });

  it('keeps ordinary days and UTC exact', () => {
    expect(tradingDayAt(iso('2026-05-05T23:59:59Z'), { time: '00:00', timeZone: 'UTC' })).toEqual({
      day: '2026-05-05',
      openAt: iso('2026-05-05T00:00:00Z'),
      nextOpenAt: iso('2026-05-06T00:00:00Z'),
    });
    expect(tradingDayAt(iso('2026-03-06T15:00:00Z'), { time: '09:30', timeZone: 'America/New_York' })).toMatchObject({
      day: '2026-03-06',
      openAt: iso('2026-03-06T14:30:00Z'),
    });
  });
});

describe('property: tradingDayAt is consistent in DST zones', () => {
  const zones = ['America/New_York', 'Europe/London', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/Santiago', 'America/Havana', 'UTC'];
  const openTime = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 23 })), fc.constantFrom(0, 15, 30, 45, 59));
  const instant = fc.integer({ min: iso('2024-01-01T00:00:00Z'), max: iso('2027-12-31T00:00:00Z') });

  it('openAt <= t < nextOpenAt, openAt shows the open time (or ends a gap), and is the earliest such instant', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), openTime, instant, (timeZone, [hh, mm], t) => {
        const time = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
        const day = tradingDayAt(t, { time, timeZone });
        expect(day.openAt).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(day.nextOpenAt);
        const [y, m, d] = day.day.split('-').map(Number) as [number, number, number];
        const wanted = Date.UTC(y, m - 1, d, hh, mm);
        for (const openAt of [day.openAt, tradingDayAt(day.nextOpenAt, { time, timeZone }).openAt]) {
          const w = wall(openAt, timeZone);
          const target = openAt === day.openAt ? wanted : Date.UTC(y, m - 1, d + 1, hh, mm);
          if (w !== target) {
            // A gap end: just before it the clock showed an earlier time, at it a later one.
            expect(wall(openAt - 1000, timeZone)).toBeLessThan(target);
            expect(w).toBeGreaterThan(target);
          }
          for (let k = 1; k <= 8; k++) expect(wall(openAt - k * 900_000, timeZone)).not.toBe(w);
        }
        expect(tradingDayAt(day.nextOpenAt, { time, timeZone }).openAt).toBe(day.nextOpenAt);
      }),
      { numRuns: 400 },
    );
  });

  it('holds around every transition of these zones in 2025', () => {
    const transitions: [string, number][] = [];
    for (const timeZone of zones) {
      let previous = wall(iso('2025-01-01T00:00:00Z'), timeZone) - iso('2025-01-01T00:00:00Z');
      for (let at = iso('2025-01-01T00:00:00Z'); at < iso('2026-01-01T00:00:00Z'); at += 900_000) {
        const offset = wall(at, timeZone) - at;
        if (offset !== previous) transitions.push([timeZone, at]);
        previous = offset;
      }
    }
    expect(transitions.length).toBeGreaterThanOrEqual(12);
    fc.assert(
      fc.property(fc.constantFrom(...transitions), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }), openTime, ([timeZone, at], delta, [hh, mm]) => {
        const time = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`;
        const t = at + delta;
        const day = tradingDayAt(t, { time, timeZone });
        expect(day.openAt).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(day.nextOpenAt);
        const [y, m, d] = day.day.split('-').map(Number) as [number, number, number];
        const wanted = Date.UTC(y, m - 1, d, hh, mm);
        const w = wall(day.openAt, timeZone);
        if (w !== wanted) {
          expect(wall(day.openAt - 1000, timeZone)).toBeLessThan(wanted);
          expect(w).toBeGreaterThan(wanted);
        }
        for (let k = 1; k <= 8; k++) expect(wall(day.openAt - k * 900_000, timeZone)).not.toBe(w);
      }),
      { numRuns: 300 },
    );
  });
});
