import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { compareCanonical, INSIDE, integerLength, NEW_HIGH, OUTSIDE, QuietBand } from '../../machines/figures/quietBand.ts';
import { RateTracker } from '../../machines/figures/rate.ts';
import { Signal } from '../../machines/figures/signal.ts';
import { SlidingWindow } from '../../machines/figures/slidingWindow.ts';
import { isValidTimeZone, parseOpenTime, tradingDayAt, zonedTimeToInstant } from '../../machines/figures/tradingDay.ts';

const iso = (t: number) => new Date(t).toISOString();

describe('Signal', () => {
  it('has three levels', () => {
    expect(Signal).toEqual({ NONE: 0, WARN: 1, TRIP: 2 });
  });
});

describe('SlidingWindow: (t − window, t], true counts', () => {
  it('counts entries inside the window and drops one exactly window ms old', () => {
    const w = new SlidingWindow(5, 1000);
    expect(w.limit).toBe(5);
    expect(w.windowMs).toBe(1000);
    w.record(0);
    w.record(500);
    expect(w.count(999)).toBe(2);
    expect(w.count(1000)).toBe(1); // the entry at 0 is exactly 1000 ms old: out
    expect(w.count(1499)).toBe(1);
    expect(w.count(1500)).toBe(0);
    expect(w.nextExpiry(1500)).toBeNull();
  });

  it('gives the true count however far over the limit, and says when it is exceeded', () => {
    const w = new SlidingWindow(3, 60_000);
    for (let i = 0; i < 36; i++) w.record(1000 + i);
    expect(w.count(2000)).toBe(36);
    expect(w.exceeded(2000)).toBe(true);
    const v = new SlidingWindow(3, 60_000);
    for (let i = 0; i < 3; i++) v.record(i);
    expect(v.exceeded(10)).toBe(false);
    expect(v.holdsAtLeast(3, 10)).toBe(true);
    expect(v.holdsAtLeast(4, 10)).toBe(false);
    v.record(4);
    expect(v.exceeded(10)).toBe(true);
  });

  it('run-length encodes entries of the same millisecond and tag', () => {
    const w = new SlidingWindow<string>(10, 1000, true);
    w.record(5, 'a');
    w.record(5, 'a');
    w.record(5, 'b');
    w.record(6, 'b');
    w.record(6, 'b');
    expect(w.entries()).toEqual([
      { at: 5, count: 2, tag: 'a' },
      { at: 5, count: 1, tag: 'b' },
      { at: 6, count: 2, tag: 'b' },
    ]);
    expect(w.count(6)).toBe(5);
    expect(w.countByTag(6)).toEqual(new Map([['a', 2], ['b', 3]]));
    // Eviction takes whole slots, and their tags.
    expect(w.count(1005)).toBe(2);
    expect(w.countByTag(1005)).toEqual(new Map([['b', 2]]));
    expect([...w.countByTag(1006).keys()]).toEqual([]);
    expect(w.count(1006)).toBe(0);
  });

  it('keeps no tag counts when untagged', () => {
    const w = new SlidingWindow<string>(10, 1000);
    w.record(1, 'a');
    w.record(2, 'b');
    expect(w.count(2)).toBe(2);
    expect(w.countByTag(2).size).toBe(0);
  });

  it('grows past its initial capacity, also when its ring has wrapped, keeping order and counts', () => {
    const w = new SlidingWindow(1000, 1000);
    for (let t = 0; t < 10; t++) w.record(t);
    expect(w.count(1005)).toBe(4); // 0…5 left, 6…9 stay; the head has moved
    for (let t = 100; t < 144; t++) w.record(t);
    expect(w.count(143)).toBe(48);
    const entries = w.entries();
    expect(entries.map((e) => e.at)).toEqual([6, 7, 8, 9, ...Array.from({ length: 44 }, (_, i) => 100 + i)]);
    expect(entries.every((e) => e.count === 1)).toBe(true);
    expect(w.nextExpiry(143)).toBe(1006);
    expect(w.count(1106)).toBe(37);
    expect(w.nextExpiry(1106)).toBe(1107);
  });

  it('clearsAt: the instant the window holds no more than the limit, walking the entries that must leave', () => {
    const w = new SlidingWindow(2, 1000);
    expect(w.clearsAt(0)).toBeNull();
    w.record(0);
    w.record(10);
    expect(w.clearsAt(10)).toBeNull(); // 2 is not over 2
    w.record(20);
    w.record(30);
    expect(w.clearsAt(30)).toBe(1010); // 0 and 10 must leave
    const rle = new SlidingWindow(2, 1000);
    rle.record(0);
    rle.record(0);
    rle.record(0);
    rle.record(50);
    expect(rle.clearsAt(50)).toBe(1000); // the slot at 0 holds 3: once it leaves, 1 remains
    expect(rle.clearsAt(999)).toBe(1000);
    expect(rle.clearsAt(1000)).toBeNull();
    // With no entries to walk (a negative limit), the whole window from now.
    expect(new SlidingWindow(-1, 1000).clearsAt(5)).toBe(1005);
  });

  it('nextExpiry: when the oldest entry inside leaves', () => {
    const w = new SlidingWindow(5, 1000);
    expect(w.nextExpiry(0)).toBeNull();
    w.record(100);
    w.record(300);
    expect(w.nextExpiry(300)).toBe(1100);
    expect(w.nextExpiry(1100)).toBe(1300);
  });

  it('clear forgets every entry and tag; load restores saved entries', () => {
    const w = new SlidingWindow<string>(5, 1000, true);
    w.record(1, 'a');
    w.record(2, 'b');
    w.clear();
    expect(w.count(2)).toBe(0);
    expect(w.entries()).toEqual([]);
    expect(w.countByTag(2).size).toBe(0);
    w.record(3, 'c');
    expect(w.entries()).toEqual([{ at: 3, count: 1, tag: 'c' }]);
    w.load([
      { at: 10, count: 3, tag: 'a' },
      { at: 20, count: 1, tag: undefined },
    ]);
    expect(w.entries()).toEqual([
      { at: 10, count: 3, tag: 'a' },
      { at: 20, count: 1, tag: undefined },
    ]);
    expect(w.count(20)).toBe(4);
    expect(w.countByTag(20)).toEqual(new Map<string | undefined, number>([['a', 3], [undefined, 1]]));
  });
});

describe('RateTracker', () => {
  it('derives its warning and re-arm counts', () => {
    const t = (limit: number, warn: number) => {
      const r = new RateTracker(limit, 60, warn);
      return [r.warnCount, r.rearmCount];
    };
    expect(t(10, 0.8)).toEqual([8, 4]);
    expect(t(10, 0.85)).toEqual([9, 4]);
    expect(t(10, 0.81)).toEqual([9, 4]);
    expect(t(3, 0.01)).toEqual([1, 1]);
    expect(t(10, 0)).toEqual([1, 1]);
    expect(t(10, 1.5)).toEqual([10, 5]);
    expect(t(100, 0.3)).toEqual([30, 15]);
    const r = new RateTracker(7, 2, 0.5);
    expect(r.limit).toBe(7);
    expect(r.window.windowMs).toBe(2000);
    expect(r.warnFraction).toBe(0.5);
  });

  it('warns once on reaching the warning count and trips on the entry that exceeds the limit', () => {
    const r = new RateTracker(10, 60, 0.8);
    const signals = Array.from({ length: 12 }, () => r.record(1000));
    expect(signals).toEqual([0, 0, 0, 0, 0, 0, 0, Signal.WARN, 0, 0, Signal.TRIP, Signal.TRIP]);
    expect(r.warned).toBe(true);
  });

  it('a trip without a warning before it still counts as warned', () => {
    const r = new RateTracker(2, 60, 1);
    expect([r.record(0), r.record(0), r.record(0)]).toEqual([0, Signal.WARN, Signal.TRIP]);
    const s = new RateTracker(1, 60, 5);
    expect(s.warnCount).toBe(1);
    expect([s.record(0), s.record(0)]).toEqual([Signal.WARN, Signal.TRIP]);
  });

  it('re-arms the warning only once the window fell below half of the warning count', () => {
    const r = new RateTracker(10, 1, 0.8); // warn 8, re-arm below 4
    for (let i = 0; i < 5; i++) r.record(0);
    for (let i = 0; i < 2; i++) r.record(500);
    expect(r.record(500)).toBe(Signal.WARN); // 8
    // At 1000 the five at 0 leave: 3 + this one = 4, not below 4: still warned.
    expect(r.record(1000)).toBe(Signal.NONE);
    expect(r.warned).toBe(true);
    for (let i = 0; i < 4; i++) expect(r.record(1000)).toBe(Signal.NONE); // 8 again: no second warning
    // At 1500 those at 500 leave: 5 at 1000 + 1 = 6; then at 2000: 1 < 4 re-arms.
    expect(r.record(2000)).toBe(Signal.NONE);
    expect(r.warned).toBe(false);
    for (let i = 0; i < 6; i++) expect(r.record(2000)).toBe(Signal.NONE);
    expect(r.record(2000)).toBe(Signal.WARN);
  });

  it('clear empties the window and re-arms', () => {
    const r = new RateTracker(2, 60, 0.5);
    r.record(0);
    expect(r.warned).toBe(true);
    r.clear();
    expect(r.warned).toBe(false);
    expect(r.window.count(0)).toBe(0);
    expect(r.record(0)).toBe(Signal.WARN);
  });

  it('saves entries (tags as null) and the flag, and loads them back', () => {
    const r = new RateTracker<string>(10, 60, 0.2, true);
    r.record(5, 'x');
    r.record(5, 'x');
    r.record(6);
    expect(r.save()).toEqual({ entries: [{ at: 5, count: 2, tag: 'x' }, { at: 6, count: 1, tag: null }], warned: true });
    const back = new RateTracker<string>(10, 60, 0.2, true);
    back.load(r.save(), (tag) => tag === null || tag === 'x');
    expect(back.save()).toEqual(r.save());
    expect(back.warned).toBe(true);
    expect(back.window.countByTag(6)).toEqual(new Map<string | undefined, number>([['x', 2], [undefined, 1]]));
    back.load({ entries: [], warned: false }, () => true);
    expect(back.warned).toBe(false);
    expect(back.window.count(6)).toBe(0);
  });

  it('refuses malformed saved state', () => {
    const r = new RateTracker(10, 60, 0.8);
    const ok = () => true;
    for (const bad of [null, 5, 'x', {}, { entries: [] }, { entries: {}, warned: false }, { entries: [], warned: 'no' }]) {
      expect(() => r.load(bad, ok), JSON.stringify(bad)).toThrow(new TypeError('rate window: saved figures are malformed'));
    }
    const entry = (e: unknown) => ({ entries: [e], warned: false });
    for (const bad of [
      null,
      {},
      { at: '1', count: 1 },
      { at: Infinity, count: 1 },
      { at: NaN, count: 1 },
      { at: 1, count: '1' },
      { at: 1, count: 1.5 },
      { at: 1, count: 0 },
      { at: 1, count: 1e7 + 1 },
    ]) {
      expect(() => r.load(entry(bad), ok), JSON.stringify(bad)).toThrow(new TypeError('rate window: a saved entry is malformed'));
    }
    expect(() => r.load(entry({ at: 1, count: 1, tag: 'x' }), () => false)).toThrow('rate window: a saved entry is malformed');
    // The largest count accepted (the window itself is stubbed: loading replays every entry).
    const loaded: unknown[] = [];
    const stub = new RateTracker(10, 60, 0.8);
    (stub.window as { load: (e: unknown[]) => void }).load = (e) => loaded.push(...e);
    stub.load(entry({ at: 1, count: 1e7 }), ok);
    expect(loaded).toEqual([{ at: 1, count: 1e7, tag: undefined }]);
  });
});

describe('QuietBand', () => {
  it('classify (one pass) says what contains() and above() say, for text', () => {
    const bands = [new QuietBand('945000', '1050000.5'), new QuietBand('1000', '1000'), new QuietBand('0.5', '12.30'), new QuietBand('99', null), new QuietBand('7', '100')];
    const values = ['1050000.5', '1050000.50', '1050000.51', '1050001', '945000', '945000.01', '999999.99', '1000', '1000.0', '1000.01', '999.9', '10000',
      '0.5', '0.50', '0.51', '12.3', '12.30', '12.301', '12.4', '100', '100.0', '99', '99.5', '7', '7.0', '8', '0', '.5', '5.', '01', '1e3', '-5', '', '1.2.3',
      '1' + '0'.repeat(21), '1' + '0'.repeat(22), '1' + '0'.repeat(33) + '1'];
    for (const band of bands) {
      for (const v of values) {
        const expected = band.contains(v) ? INSIDE : band.above(v) ? NEW_HIGH : OUTSIDE;
        expect(band.classify(v), `${v}`).toBe(expected);
      }
    }
  });

  it('integerLength: canonical non-negative decimal text only', () => {
    expect(['0', '7', '10', '0.5', '1000000.25', '12.3400', '9'].map(integerLength)).toEqual([1, 1, 2, 1, 7, 2, 1]);
    for (const bad of ['', '.', '.5', '5.', '1.2.3', '01', '00.5', '-1', '+1', '1e6', '1/', '1:', '/', ':', ' 1']) {
      expect(integerLength(bad), bad).toBe(-1);
    }
  });

  it('compareCanonical: by integer length, then digit by digit, trailing zeros and points aside', () => {
    const cmp = (a: string, b: string) => compareCanonical(a, integerLength(a), b, integerLength(b));
    expect(cmp('10', '9')).toBe(1);
    expect(cmp('9', '10')).toBe(-1);
    expect(cmp('1.5', '1.50')).toBe(0);
    expect(cmp('1.50', '1.5')).toBe(0);
    expect(cmp('1', '1.0')).toBe(0);
    expect(cmp('1.0', '1')).toBe(0);
    expect(cmp('1', '1.01')).toBe(-1);
    expect(cmp('1.01', '1')).toBe(1);
    expect(cmp('123.45', '123.46')).toBe(-1);
    expect(cmp('123.46', '123.45')).toBe(1);
    expect(cmp('5', '5')).toBe(0);
  });

  it('contains strings strictly above low and at most high, exactly', () => {
    const band = new QuietBand('945000', '1050000.5');
    for (const v of ['945000.01', '1000000', '1050000.5', '1050000.50']) expect(band.contains(v), v).toBe(true);
    for (const v of ['945000', '945000.00', '944999.99', '1050000.51', '2000000', '1e6', '-1', '', '01000000']) {
      expect(band.contains(v), v).toBe(false);
    }
    expect(band.contains(new Decimal('1000000'))).toBe(false);
    expect(band.contains(null)).toBe(false);
    expect(band.contains(undefined)).toBe(false);
  });

  it('reads Decimal levels through toFixed, and has no upper edge when high is null', () => {
    const band = new QuietBand(new Decimal('1e2'), null);
    expect(band.contains('100')).toBe(false);
    expect(band.contains('100.000001')).toBe(true);
    expect(band.contains(`1${'0'.repeat(30)}`)).toBe(true);
    expect(band.above('1000')).toBe(false);
  });

  // Known bug (reported to the lead): with no upper edge, the numeric edge is
  // Infinity − Infinity × 1e-12 = NaN, so no number is ever inside; number updates then always
  // take the exact path (correct, but slow). Remove `.fails` once QuietBand handles high = null.
  it('contains numbers when there is no upper edge', () => {
    expect(new QuietBand('100', null).contains(150)).toBe(true);
  });

  it('judges at most 34 characters on the fast path', () => {
    const band = new QuietBand('0', null);
    const s34 = `1.${'0'.repeat(32)}`;
    expect(band.contains(s34)).toBe(true);
    expect(band.contains(`${s34}0`)).toBe(false);
    const high = new QuietBand('1', '2');
    expect(high.above(`3.${'0'.repeat(32)}`)).toBe(true);
    expect(high.above(`3.${'0'.repeat(33)}`)).toBe(false);
  });

  it('contains numbers only when certainly inside (edges widened by a relative 1e-12)', () => {
    const band = new QuietBand('100', '200');
    expect(band.contains(150)).toBe(true);
    expect(band.contains(100)).toBe(false);
    expect(band.contains(100 + 5e-11)).toBe(false);
    expect(band.contains(100 + 2e-10)).toBe(true);
    expect(band.contains(200)).toBe(false);
    expect(band.contains(200 - 1e-10)).toBe(false);
    expect(band.contains(200 - 4e-10)).toBe(true);
    const zero = new QuietBand('0', '10');
    expect(zero.contains(0)).toBe(false);
    expect(zero.contains(Number.MIN_VALUE)).toBe(false);
    expect(zero.contains(1e-300)).toBe(true);
    expect(zero.contains(-1)).toBe(false);
  });

  it('above: canonical text certainly above the upper edge (and the lower one)', () => {
    const band = new QuietBand('900', '1000');
    expect(band.above('1000.01')).toBe(true);
    expect(band.above('1000')).toBe(false);
    expect(band.above('1000.00')).toBe(false);
    expect(band.above('999')).toBe(false);
    expect(band.above('1e4')).toBe(false);
    expect(band.above('01001')).toBe(false);
    expect(band.above('9'.repeat(21))).toBe(true);
    expect(band.above(`1${'0'.repeat(21)}`)).toBe(false); // 22 integer digits: beyond any bounded value
    const inverted = new QuietBand('500', '100');
    expect(inverted.above('200')).toBe(false);
    expect(inverted.above('600')).toBe(true);
  });
});

describe('trading days', () => {
  const NY = 'America/New_York';

  it('parses HH:MM, 00:00 … 23:59', () => {
    expect(parseOpenTime('09:30')).toEqual({ hour: 9, minute: 30 });
    expect(parseOpenTime('00:00')).toEqual({ hour: 0, minute: 0 });
    expect(parseOpenTime('19:59')).toEqual({ hour: 19, minute: 59 });
    expect(parseOpenTime('23:59')).toEqual({ hour: 23, minute: 59 });
    for (const bad of ['24:00', '9:30', '09:60', '0930', 'x09:30', '09:30x', '09:3', '', '20:5a']) expect(parseOpenTime(bad), bad).toBeNull();
  });

  it('knows IANA zones', () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('finds the instant a wall-clock time happens: plain, in a gap (when it ends), repeated (first)', () => {
    expect(iso(zonedTimeToInstant(2026, 1, 5, 9, 30, NY))).toBe('2026-01-05T14:30:00.000Z');
    expect(iso(zonedTimeToInstant(2026, 7, 1, 9, 30, NY))).toBe('2026-07-01T13:30:00.000Z');
    expect(iso(zonedTimeToInstant(2026, 3, 8, 2, 30, NY))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(zonedTimeToInstant(2026, 3, 8, 3, 0, NY))).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(zonedTimeToInstant(2026, 3, 8, 1, 59, NY))).toBe('2026-03-08T06:59:00.000Z');
    expect(iso(zonedTimeToInstant(2026, 11, 1, 1, 30, NY))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(zonedTimeToInstant(2026, 11, 1, 2, 0, NY))).toBe('2026-11-01T07:00:00.000Z');
    // Half-hour shifts, and a skipped day.
    expect(iso(zonedTimeToInstant(2026, 10, 4, 2, 15, 'Australia/Lord_Howe'))).toBe('2026-10-03T15:30:00.000Z');
    expect(iso(zonedTimeToInstant(2026, 4, 5, 1, 45, 'Australia/Lord_Howe'))).toBe('2026-04-04T14:45:00.000Z');
    expect(iso(zonedTimeToInstant(2011, 12, 30, 9, 30, 'Pacific/Apia'))).toBe('2011-12-30T10:00:00.000Z');
  });

  it('gives the trading day containing an instant: the latest open at or before it, and the next', () => {
    const open = { time: '09:30', timeZone: NY };
    const at = Date.UTC(2026, 0, 5, 14, 30);
    expect(tradingDayAt(at, open)).toEqual({ day: '2026-01-05', openAt: at, nextOpenAt: Date.UTC(2026, 0, 6, 14, 30) });
    expect(tradingDayAt(at - 1, open)).toEqual({ day: '2026-01-04', openAt: Date.UTC(2026, 0, 4, 14, 30), nextOpenAt: at });
    // Across the spring-forward night the next open is 23 hours later.
    expect(tradingDayAt(Date.UTC(2026, 2, 7, 15), open)).toEqual({
      day: '2026-03-07',
      openAt: Date.UTC(2026, 2, 7, 14, 30),
      nextOpenAt: Date.UTC(2026, 2, 8, 13, 30),
    });
    // Before the open on New Year's Day: the previous year's last day.
    expect(tradingDayAt(Date.UTC(2026, 0, 1, 5), open).day).toBe('2025-12-31');
    expect(tradingDayAt(Date.UTC(2026, 2, 1, 5), open).day).toBe('2026-02-28');
  });

  it('pads the day, and opens at midnight when the time is malformed', () => {
    expect(tradingDayAt(Date.UTC(999, 0, 5, 12), { time: '00:00', timeZone: 'UTC' }).day).toBe('0999-01-05');
    expect(tradingDayAt(Date.UTC(2026, 5, 7, 12), { time: 'late', timeZone: 'UTC' })).toEqual({
      day: '2026-06-07',
      openAt: Date.UTC(2026, 5, 7),
      nextOpenAt: Date.UTC(2026, 5, 8),
    });
  });
});
