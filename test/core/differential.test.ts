/**
 * Differential test of the exact decisions: the runtime against an independent reference written
 * with a plain decimal.js clone (precision 200, division form of the rules) and a brute-force
 * trading-day calendar (minute by minute through Intl), over sequences of values that sit exactly
 * at every level and one unit in the last place either side of it, in plain and exponent
 * notation, with opens across DST gaps and repeated hours in New York, London and Chatham.
 */
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRiskRuntime, ManualClock, silentLogger } from '../../src/index.ts';
import { only } from '../helpers.ts';
import { runs } from '../runs.ts';

const Ref = Decimal.clone({ precision: 200, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -300, toExpPos: 300 });
type Ref = InstanceType<typeof Ref>;
/** 20,000 sequences in the full tier, 1,000 in the quick one (DIFF_RUNS=n: n). */
const RUNS = runs(20_000, 1_000, 'DIFF_RUNS');

/** Markets whose open falls in a DST gap or a repeated hour on the chosen days. */
const MARKETS = [
  { timeZone: 'America/New_York', time: '02:30', around: ['2026-03-08T05:00:00Z', '2026-11-01T04:00:00Z'] },
  { timeZone: 'America/New_York', time: '01:30', around: ['2026-11-01T04:00:00Z', '2026-03-08T04:00:00Z'] },
  { timeZone: 'Europe/London', time: '01:30', around: ['2026-03-29T00:00:00Z', '2026-10-25T00:00:00Z'] },
  { timeZone: 'Pacific/Chatham', time: '03:00', around: ['2026-09-26T13:00:00Z', '2026-04-04T13:00:00Z'] },
] as const;

// ───────────── the reference calendar: brute force, independent of machines/figures/tradingDay.ts ─────────────
const formats = new Map<string, Intl.DateTimeFormat>();
function wall(at: number, timeZone: string): { date: string; minutes: number } {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}
const openCache = new Map<string, number>();
/** The first minute whose wall clock on `date` is at or after the open time (a gap's end; a repeated hour's first pass). */
function openOn(date: string, timeZone: string, time: string): number {
  const key = `${timeZone} ${date} ${time}`;
  const cached = openCache.get(key);
  if (cached !== undefined) return cached;
  const target = Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
  let t = Date.parse(`${date}T00:00:00Z`) - 15 * 3_600_000;
  for (;; t += 60_000) {
    const w = wall(t, timeZone);
    if (w.date > date || (w.date === date && w.minutes >= target)) break;
  }
  openCache.set(key, t);
  return t;
}
function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
/** The open of the trading day containing `at`. */
function dayOpen(at: number, timeZone: string, time: string): number {
  const today = wall(at, timeZone).date;
  const open = openOn(today, timeZone, time);
  return open <= at ? open : openOn(shiftDate(today, -1), timeZone, time);
}

// ───────────── the reference rules ─────────────
class Reference {
  hwm: Ref | null = null;
  start: Ref | null = null;
  dayOpenAt: number | null = null;
  drawdownTripped = false;
  dailyTripped = false;
  constructor(
    readonly threshold: Ref,
    readonly limit: { fraction: Ref } | { amount: Ref },
    readonly market: { timeZone: string; time: string },
  ) {}

  observe(value: Ref, at: number): void {
    if (this.hwm === null || value.gt(this.hwm)) this.hwm = value;
    else if (value.minus(this.hwm).div(this.hwm).lte(this.threshold)) this.drawdownTripped = true;
    const open = dayOpen(at, this.market.timeZone, this.market.time);
    if (open !== this.dayOpenAt) {
      this.dayOpenAt = open;
      this.start = null;
    }
    if (this.start === null) {
      this.start = value;
      return;
    }
    const pnl = value.minus(this.start);
    if ('fraction' in this.limit ? pnl.div(this.start).lte(this.limit.fraction) : pnl.lte(this.limit.amount)) this.dailyTripped = true;
  }

  /** The levels a value can sit at: drawdown's, daily loss's. */
  levels(): Ref[] {
    const out: Ref[] = [];
    if (this.hwm) out.push(this.hwm.times(this.threshold.plus(1)));
    if (this.start) out.push('fraction' in this.limit ? this.start.times(this.limit.fraction.plus(1)) : this.start.plus(this.limit.amount));
    return out.filter((l) => l.gt(0));
  }
}

/** One unit in the 34th significant digit of `v`. */
const ulp = (v: Ref): Ref => new Ref(10).pow(v.e - 33);
const to34 = (v: Ref): Ref => v.toSignificantDigits(34, Decimal.ROUND_DOWN);
function render(v: Ref, style: number): string {
  if (style === 1) return v.toExponential(); // e.g. "9.4500000045e+5"
  if (style === 2) return v.toExponential().replace('e+', 'E'); // capital E, no sign
  return v.toFixed();
}

const intent = fc.record({
  advanceMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 600, max: 1_800 })),
  target: fc.constantFrom('level', 'level', 'newHigh', 'random', 'between'),
  which: fc.nat(3),
  shift: fc.constantFrom(-1, 0, 0, 1),
  style: fc.constantFrom(0, 0, 1, 2),
  digits: fc.stringMatching(/^[1-9][0-9]{0,33}$/),
});

const scenario = fc.record({
  market: fc.constantFrom(...MARKETS),
  aroundIndex: fc.nat(1),
  offsetMinutes: fc.integer({ min: -600, max: 600 }),
  threshold: fc.constantFrom('-0.1', '-0.05', '-0.0375', '-0.123456789', '-0.2'),
  limit: fc.oneof(fc.constantFrom('-0.05', '-0.02', '-0.0123456789').map((f) => ({ fraction: f })), fc.constantFrom('-5000', '-12.345', '-1e3').map((a) => ({ amount: a }))),
  first: fc.stringMatching(/^[1-9][0-9]{0,14}(\.[0-9]{1,18})?$/),
  steps: fc.array(intent, { minLength: 3, maxLength: 14 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function check(s: Scenario): Promise<void> {
  const start = Date.parse(s.market.around[s.aroundIndex]!) + s.offsetMinutes * 60_000;
  const clock = new ManualClock(start);
  const market = { timeZone: s.market.timeZone, time: s.market.time };
  const dailyLoss = 'fraction' in s.limit ? { limit: Number(s.limit.fraction) } : { limitAmount: s.limit.amount };
  const rt = await createRiskRuntime({
    strategy: 'diff',
    clock,
    logger: silentLogger,
    marketOpen: market,
    breakers: only({ drawdown: { threshold: Number(s.threshold) }, dailyLoss }),
  });
  const ref = new Reference(new Ref(s.threshold), 'fraction' in s.limit ? { fraction: new Ref(s.limit.fraction) } : { amount: new Ref(s.limit.amount) }, market);
  try {
    const feed = (value: Ref, style: number) => {
      ref.observe(value, clock.now());
      rt.updatePortfolio({ value: render(value, style) });
      const status = rt.status();
      const where = `value ${value.toFixed()} at ${new Date(clock.now()).toISOString()} (hwm ${ref.hwm?.toFixed()}, start ${ref.start?.toFixed()})`;
      expect(status.breakers.drawdown.state === 'TRIPPED', `drawdown: ${where}`).toBe(ref.drawdownTripped);
      expect(status.breakers.dailyLoss.state === 'TRIPPED', `dailyLoss: ${where}`).toBe(ref.dailyTripped);
      expect(status.breakers.dailyLoss.figures?.startValue ?? null, `start: ${where}`).toBe(ref.start === null ? null : new Ref(ref.start).toFixed());
    };
    feed(new Ref(s.first), 0);
    for (const step of s.steps) {
      clock.advance(step.advanceMinutes * 60_000);
      const levels = ref.levels();
      let value: Ref;
      if (step.target === 'level' && levels.length > 0) {
        const level = to34(levels[step.which % levels.length]!);
        value = level.plus(ulp(level).times(step.shift));
      } else if (step.target === 'newHigh' && ref.hwm) {
        value = to34(ref.hwm.plus(ulp(ref.hwm).times(1 + step.which)));
      } else if (step.target === 'between' && ref.hwm && levels.length > 0) {
        const low = levels[step.which % levels.length]!;
        value = to34(low.plus(ref.hwm.minus(low).times(`0.${step.digits}`)));
      } else {
        value = to34(new Ref(ref.hwm ?? 1000).times(`0.${step.digits}`).plus(1));
      }
      if (value.lte(0)) continue;
      feed(value, step.style);
    }
  } finally {
    await rt.stop();
  }
}

describe('exact decisions: the runtime against an independent decimal.js reference', () => {
  it(`${Math.round(RUNS * 0.7)} sequences: every level, one ulp either side, exponent notation, DST opens`, async () => {
    await fc.assert(fc.asyncProperty(scenario, check), { numRuns: Math.round(RUNS * 0.7) });
  }, 600_000);

  describe("with the host's Decimal.set({ precision: 5 })", () => {
    beforeAll(() => void Decimal.set({ precision: 5, rounding: Decimal.ROUND_DOWN }));
    afterAll(() => void Decimal.set({ precision: 20, rounding: Decimal.ROUND_HALF_UP }));
    it(`${Math.round(RUNS * 0.3)} sequences agree all the same`, async () => {
      await fc.assert(fc.asyncProperty(scenario, check), { numRuns: Math.round(RUNS * 0.3) });
    }, 600_000);
  });

  it('the reference calendar agrees with the contract on the DST days it is built for', () => {
    // 02:30 does not exist in New York on 2026-03-08: the open is the gap's end, 03:00 EDT.
    expect(new Date(openOn('2026-03-08', 'America/New_York', '02:30')).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    // 01:30 happens twice in New York on 2026-11-01: the first, in EDT.
    expect(new Date(openOn('2026-11-01', 'America/New_York', '01:30')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
    // 01:30 happens twice in London on 2026-10-25: the first, in BST.
    expect(new Date(openOn('2026-10-25', 'Europe/London', '01:30')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});
