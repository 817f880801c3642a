/**
 * Model-based tests of orderToTrade and reconciliation, against a small reference model of their
 * own: OTR as plain arrays of submission and fill instants; reconciliation as the last agreeing
 * report, the newest one and EVERY fill recorded (expected = baseline + Σ fills with
 * baseline.asOf < executedAt ≤ report.asOf), quantities in integer tenths. Commands: submissions
 * (bursts; every verify's check() is one too), fills (on time and late: before the newest report's
 * asOf, before the baseline's), position reports (agreeing, at exactly the tolerance, beyond it,
 * a symbol left out, as of now, a little earlier, or older than the newest: ignored), clock
 * advances at the edges, reset requests and confirmations (refused while the newest report
 * disagrees), restarts on the same store (LevelDB in one property), and a listener calling back
 * into the runtime at an order-to-trade trip. After every command: each breaker's actor state,
 * status() state and figures, check()'s decision, warnings, trips and cancels agree.
 */
import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { createRiskRuntime, ManualClock, silentLogger, type RiskEvent, type RiskRuntime } from '../../src/index.ts';
import { makeRestartable, type Restartable } from './restart.ts';
import { runs } from '../runs.ts';

const NUM_RUNS = runs(1000, 200, 'MODEL_RUNS');
const LEVEL_RUNS = Math.max(50, Math.floor(NUM_RUNS / 5));

const KINDS = ['orderToTrade', 'reconciliation'] as const;
type Kind = (typeof KINDS)[number];
type State = 'NORMAL' | 'TRIPPED' | 'RESETTING';
/** More than 1.5 submissions per fill (with at least 3) in 10 s trip; warns at 0.5 × 1.5 = 0.75. */
const OTR = { maxRatio: 1.5, window: 10, minOrders: 3, warnAt: 0.5 } as const;
/** Differences beyond 0.5 per symbol; 20 s grace. */
const REC = { tolerance: '0.5', grace: 20 } as const;
const TOLERANCE = 5; // tenths
const GRACE_MS = 20_000;
const WINDOW_MS = 10_000;
const RESET_TIMEOUT_MS = 30_000;
const SYMBOLS = ['AAPL', 'MSFT'] as const;
const ORDER = { symbol: 'AAPL', side: 'buy' as const, quantity: 1 };
const START = Date.UTC(2026, 0, 5, 12);

/** `right`, or a deliberately wrong model: `ratioAtLimitTrips` (≥ for >), `toleranceExclusive` (a difference of exactly the tolerance mismatches). */
type Variant = 'right' | 'ratioAtLimitTrips' | 'toleranceExclusive';

interface Mismatch {
  symbol: string;
  expected: string;
  reported: string;
  difference: string;
}
interface PositionsAt {
  pos: Map<string, number>;
  asOf: number;
}

/** Integer tenths as exact decimal text: 25 → "2.5", -5 → "-0.5", 0 → "0". */
const text = (tenths: number): string => (tenths / 10).toString();

class Model {
  mono = START;
  state: Record<Kind, State> = { orderToTrade: 'NORMAL', reconciliation: 'NORMAL' };
  deadline: Record<Kind, number | null> = { orderToTrade: null, reconciliation: null };
  warnings: Record<Kind, number> = { orderToTrade: 0, reconciliation: 0 };
  trips: Record<Kind, number> = { orderToTrade: 0, reconciliation: 0 };
  cancels = 0;
  // orderToTrade
  orders: number[] = [];
  fillsAt: number[] = [];
  warned = false;
  // reconciliation (wall = mono here: the wall clock is never stepped)
  baseline: PositionsAt | null = null;
  last: PositionsAt | null = null;
  fills: { symbol: string; qty: number; executedAt: number }[] = [];
  open: { since: number; sinceAsOf: number; list: Mismatch[]; tripped: boolean } | null = null;
  armed: ('fill' | 'check')[] | null = null;
  reacted: boolean[] | null = null;

  constructor(readonly variant: Variant) {}

  inside(list: number[], at = this.mono): number[] {
    return list.filter((t) => t > at - WINDOW_MS);
  }
  holds(at = this.mono): boolean {
    const o = this.inside(this.orders, at).length;
    const f = Math.max(this.inside(this.fillsAt, at).length, 1);
    // o / f > 1.5 ⇔ 2o > 3f
    return o >= OTR.minOrders && (this.variant === 'ratioAtLimitTrips' ? 2 * o >= 3 * f : 2 * o > 3 * f);
  }
  warns(): boolean {
    const o = this.inside(this.orders).length;
    // o / f ≥ 0.75 ⇔ 4o ≥ 3f
    return o >= OTR.minOrders && 4 * o >= 3 * Math.max(this.inside(this.fillsAt).length, 1);
  }
  get allowed(): boolean {
    return KINDS.every((k) => this.state[k] === 'NORMAL');
  }
  trip(kind: Kind): void {
    if (this.state[kind] !== 'NORMAL') return;
    this.state[kind] = 'TRIPPED';
    this.trips[kind]++;
    this.cancels++;
  }

  /** One submission now (check() counts it whatever the decision); returns whether it was allowed. */
  submit(): boolean {
    this.orders.push(this.mono);
    if (this.holds()) {
      this.warned = true;
      const before = this.trips.orderToTrade;
      this.trip('orderToTrade');
      // The tripping submission is decided in its step, before the trip's listeners react.
      const decided = this.allowed;
      if (this.trips.orderToTrade > before && this.armed) {
        const calls = this.armed;
        this.armed = null;
        this.reacted = [];
        for (const call of calls) {
          if (call === 'fill') this.fill('AAPL', 10, this.mono);
          else this.reacted.push(this.submit());
        }
      }
      return decided;
    } else if (!this.warns()) this.warned = false;
    else if (!this.warned) {
      this.warned = true;
      if (this.state.orderToTrade === 'NORMAL') this.warnings.orderToTrade++;
    }
    return this.allowed;
  }

  fill(symbol: string, qty: number, executedAt: number): void {
    this.fillsAt.push(this.mono);
    this.fills.push({ symbol, qty, executedAt });
    // A fill may clear a tripped orderToTrade at once.
    if (this.state.orderToTrade !== 'NORMAL' && !this.holds()) this.recover();
  }
  recover(): void {
    seen.otrRecoveries++;
    this.state.orderToTrade = 'NORMAL';
    this.deadline.orderToTrade = null;
  }

  expected(r: PositionsAt): Map<string, number> {
    const out = new Map<string, number>(this.baseline!.pos);
    for (const f of this.fills) if (f.executedAt > this.baseline!.asOf && f.executedAt <= r.asOf) out.set(f.symbol, (out.get(f.symbol) ?? 0) + f.qty);
    return out;
  }
  compare(r: PositionsAt): Mismatch[] {
    const exp = this.expected(r);
    const symbols = [...new Set([...exp.keys(), ...r.pos.keys()])].sort();
    const out: Mismatch[] = [];
    for (const symbol of symbols) {
      const e = exp.get(symbol) ?? 0;
      const got = r.pos.get(symbol) ?? 0;
      const d = got - e;
      if (this.variant === 'toleranceExclusive' ? Math.abs(d) >= TOLERANCE : Math.abs(d) > TOLERANCE) out.push({ symbol, expected: text(e), reported: text(got), difference: text(d) });
    }
    return out;
  }
  report(r: PositionsAt): void {
    if (this.last !== null && r.asOf < this.last.asOf) return; // ignored by the runtime
    this.last = r;
    if (this.baseline === null) return void (this.baseline = r);
    const list = this.compare(r);
    if (list.length === 0) {
      this.baseline = r;
      this.open = null;
    } else if (this.open !== null) this.open.list = list;
    else {
      this.open = { since: this.mono, sinceAsOf: r.asOf, list, tripped: false };
      if (this.state.reconciliation === 'NORMAL') this.warnings.reconciliation++;
    }
  }
  unreconciled(): Mismatch[] {
    return this.last === null || this.baseline === null ? [] : this.compare(this.last);
  }

  advance(ms: number): void {
    const from = this.mono;
    const to = from + ms;
    // orderToTrade heals at the first instant (from the current one, a restart's pending check) its condition no longer holds.
    if (this.state.orderToTrade !== 'NORMAL') {
      const instants = [from, ...[...this.orders, ...this.fillsAt].map((t) => t + WINDOW_MS).filter((t) => t > from && t <= to)].sort((a, b) => a - b);
      if (instants.some((t) => !this.holds(t))) this.recover();
    }
    if (this.open !== null && !this.open.tripped && this.open.since + GRACE_MS <= to) {
      this.open.tripped = true;
      this.trip('reconciliation');
    }
    for (const k of KINDS) {
      const d = this.deadline[k];
      if (this.state[k] === 'RESETTING' && d !== null && d <= to) {
        this.state[k] = 'TRIPPED';
        this.deadline[k] = null;
      }
    }
    this.mono = to;
  }

  clearsInMs(): number | null {
    if (!this.holds()) return null;
    const instants = [...new Set([...this.inside(this.orders), ...this.inside(this.fillsAt)].map((t) => t + WINDOW_MS))].sort((a, b) => a - b);
    return instants.find((t) => !this.holds(t))! - this.mono;
  }
}

interface Real {
  rt: RiskRuntime;
  clock: ManualClock;
  restartable: Restartable;
  tokens: Partial<Record<Kind, string>>;
  events: RiskEvent[];
  cancels: { n: number };
  subscriptions: Subscription[];
  armed: ('fill' | 'check')[] | null;
  reacted: boolean[] | null;
}
type Cmd = fc.AsyncCommand<Model, Real>;

/** What the runs went through (the property is not vacuous: the last test checks each was reached). */
const seen = { otrTrips: 0, otrRecoveries: 0, recWarnings: 0, recTrips: 0, recResetsRefused: 0, recResetsPassed: 0, lateFillsSettled: 0 };

async function open(real: Omit<Real, 'rt'>): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({
    strategy: 'model', // the name restart.ts opens LevelDB with
    clock: real.clock,
    logger: silentLogger,
    store: await real.restartable.store(),
    resetTimeout: RESET_TIMEOUT_MS / 1000,
    broker: { cancelAllOrders: () => void real.cancels.n++ },
    breakers: { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false, orderToTrade: OTR, reconciliation: REC },
  });
  real.subscriptions.push(rt.events$.subscribe((e) => real.events.push(e)));
  real.subscriptions.push(
    rt.events$.subscribe((e) => {
      if (e.type !== 'CircuitBreakerTripped' || e.breaker !== 'orderToTrade' || real.armed === null) return;
      const calls = real.armed;
      real.armed = null;
      real.reacted = [];
      for (const call of calls) {
        if (call === 'fill') rt.recordFill({ symbol: 'AAPL', side: 'buy', quantity: 1, price: 10 });
        else real.reacted.push(rt.check(ORDER).allowed);
      }
    }),
  );
  return rt;
}

const iso = (at: number | null | undefined) => (at === null || at === undefined ? null : new Date(at).toISOString());

function verify(m: Model, real: Real): void {
  const status = real.rt.status();
  const children = real.rt.actor.getSnapshot().children as Record<string, AnyActorRef>;
  for (const k of KINDS) {
    expect(`${k}: actor ${String(children[k]!.getSnapshot().value)}, status ${status.breakers[k]!.state}`).toBe(`${k}: actor ${m.state[k]}, status ${m.state[k]}`);
  }
  const o = m.inside(m.orders);
  const f = m.inside(m.fillsAt);
  const expiries = [...o, ...f].map((t) => t + WINDOW_MS - m.mono);
  const otr = status.breakers.orderToTrade!.figures!;
  expect({ orders: otr.orders, fills: otr.fills, warned: otr.warned, clearsInMs: otr.clearsInMs, nextExpiryInMs: otr.nextExpiryInMs }).toEqual({
    orders: o.length,
    fills: f.length,
    warned: m.warned,
    clearsInMs: m.clearsInMs(),
    nextExpiryInMs: expiries.length === 0 ? null : Math.min(...expiries),
  });
  const rec = status.breakers.reconciliation!.figures!;
  const openM = m.open;
  expect({
    mismatches: rec.mismatches,
    mismatchSince: rec.mismatchSince,
    graceLeftMs: rec.graceLeftMs,
    lastAgreeingAsOf: rec.lastAgreeingAsOf,
    lastReportAsOf: rec.lastReportAsOf,
    unreconciled: rec.unreconciled,
    fillsSinceBaseline: rec.fillsSinceBaseline,
  }).toEqual({
    mismatches: openM?.list ?? [],
    mismatchSince: iso(openM?.sinceAsOf),
    graceLeftMs: openM === null ? null : Math.max(0, openM.since + GRACE_MS - m.mono),
    lastAgreeingAsOf: iso(m.baseline?.asOf),
    lastReportAsOf: iso(m.last?.asOf),
    unreconciled: m.unreconciled(),
    fillsSinceBaseline: m.baseline === null ? 0 : m.fills.filter((x) => x.executedAt > m.baseline!.asOf).length,
  });
  // check() is a submission too: the model counts it.
  const decision = real.rt.check(ORDER);
  expect(decision.allowed, JSON.stringify(decision)).toBe(m.submit());
  const counted = (type: string) => Object.fromEntries(KINDS.map((k) => [k, real.events.filter((e) => e.type === type && e.breaker === k).length]));
  expect(counted('CircuitBreakerWarning')).toEqual(m.warnings);
  expect(counted('CircuitBreakerTripped')).toEqual(m.trips);
  expect(real.cancels.n).toBe(m.cancels);
  expect(real.reacted).toEqual(m.reacted);
  real.reacted = null;
  m.reacted = null;
}

class Submit implements Cmd {
  constructor(readonly n: number) {}
  check = () => true;
  async run(m: Model, real: Real) {
    for (let i = 0; i < this.n; i++) expect(real.rt.check(ORDER).allowed).toBe(m.submit());
    verify(m, real);
  }
  toString = () => `submit×${this.n}`;
}

type FillTiming = 'now' | 'late1500' | 'late60s';
const FILL_OFFSET: Record<FillTiming, number> = { now: 0, late1500: -1500, late60s: -60_000 };
class Fill implements Cmd {
  constructor(readonly symbol: string, readonly tenths: number, readonly timing: FillTiming) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const executedAt = real.clock.now() + FILL_OFFSET[this.timing];
    real.rt.recordFill({ symbol: this.symbol, side: this.tenths > 0 ? 'buy' : 'sell', quantity: text(Math.abs(this.tenths)), price: 10, ...(this.timing === 'now' ? {} : { timestamp: executedAt }) });
    if (m.baseline !== null && m.last !== null && executedAt > m.baseline.asOf && executedAt <= m.last.asOf) seen.lateFillsSettled++;
    m.fill(this.symbol, this.tenths, executedAt);
    verify(m, real);
  }
  toString = () => `fill(${this.symbol} ${text(this.tenths)}, ${this.timing})`;
}

/** Per symbol: the difference from the expected position (tenths; 'out' = left out, i.e. flat). */
type Delta = number | 'out';
type AsOf = 'now' | 'minus700' | 'older';
class Report implements Cmd {
  constructor(readonly deltas: readonly Delta[], readonly asOf: AsOf) {}
  check = () => true;
  async run(m: Model, real: Real) {
    const now = real.clock.now();
    const asOf = this.asOf === 'now' ? now : this.asOf === 'minus700' ? now - 700 : (m.last?.asOf ?? now) - 1;
    // What the model expects as of then: the report differs from it by the deltas.
    const expected = m.baseline === null ? new Map<string, number>() : m.expected({ pos: new Map(), asOf });
    const pos = new Map<string, number>();
    SYMBOLS.forEach((s, i) => {
      const d = this.deltas[i]!;
      if (d !== 'out') pos.set(s, (expected.get(s) ?? 0) + d);
    });
    real.rt.updatePortfolio({ value: 100_000, positions: [...pos].map(([symbol, q]) => ({ symbol, quantity: text(q), price: 10 })), asOf });
    m.report({ pos, asOf });
    verify(m, real);
  }
  toString = () => `report(${this.deltas.join(',')}, ${this.asOf})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, real: Real) {
    real.clock.advance(this.ms);
    m.advance(this.ms);
    verify(m, real);
  }
  toString = () => `advance(${this.ms})`;
}

class RequestReset implements Cmd {
  constructor(readonly kind: Kind) {}
  check = (m: Readonly<Model>) => m.state[this.kind] !== 'NORMAL';
  async run(m: Model, real: Real) {
    real.tokens[this.kind] = real.rt.requestReset({ breaker: this.kind, operator: 'model' }).token;
    m.state[this.kind] = 'RESETTING';
    m.deadline[this.kind] = m.mono + RESET_TIMEOUT_MS;
    verify(m, real);
  }
  toString = () => `requestReset(${this.kind})`;
}

class ConfirmReset implements Cmd {
  constructor(readonly kind: Kind) {}
  check = (m: Readonly<Model>) => m.state[this.kind] === 'RESETTING';
  async run(m: Model, real: Real) {
    const result = real.rt.confirmReset({ token: real.tokens[this.kind]!, operator: 'model' });
    m.deadline[this.kind] = null;
    if (this.kind === 'orderToTrade') {
      [m.orders, m.fillsAt, m.warned, m.state.orderToTrade] = [[], [], false, 'NORMAL'];
    } else if (m.unreconciled().length === 0) {
      seen.recResetsPassed++;
      // The newest report agrees now: it becomes the baseline.
      if (m.last !== null) m.baseline = m.last;
      m.open = null;
      m.state.reconciliation = 'NORMAL';
    } else {
      seen.recResetsRefused++;
      m.state.reconciliation = 'TRIPPED';
    }
    expect(result).toMatchObject({ confirmed: m.state[this.kind] === 'NORMAL', state: m.state[this.kind] });
    verify(m, real);
  }
  toString = () => `confirmReset(${this.kind})`;
}

class Restart implements Cmd {
  check = () => true;
  async run(m: Model, real: Real) {
    await real.rt.stop();
    real.rt = await open(real);
    // After a restart no order passes until a portfolio value arrives (a value alone is no position report).
    real.rt.updatePortfolio({ value: '100000' });
    for (const k of KINDS) {
      if (m.state[k] === 'RESETTING') {
        m.state[k] = 'TRIPPED';
        m.deadline[k] = null;
      }
    }
    verify(m, real);
  }
  toString = () => 'restart';
}

class ArmListener implements Cmd {
  constructor(readonly calls: ('fill' | 'check')[]) {}
  check = (m: Readonly<Model>) => m.armed === null;
  async run(m: Model, real: Real) {
    real.armed = [...this.calls];
    m.armed = [...this.calls];
    verify(m, real);
  }
  toString = () => `armListener(${this.calls.join('+')})`;
}

const delta = fc.constantFrom<Delta>(0, 0, 0, 5, -5, 6, -6, 30, 'out');
const report = fc.tuple(fc.tuple(delta, delta), fc.constantFrom<AsOf>('now', 'now', 'minus700', 'older')).map(([d, a]) => new Report(d, a));
const commands = [
  report,
  fc.integer({ min: 1, max: 5 }).map((n) => new Submit(n)),
  fc.tuple(fc.constantFrom(...SYMBOLS), fc.constantFrom(10, -10, 5, 25, -30), fc.constantFrom<FillTiming>('now', 'now', 'late1500', 'late60s')).map(([s, q, t]) => new Fill(s, q, t)),
  fc.tuple(fc.tuple(delta, delta), fc.constantFrom<AsOf>('now', 'now', 'minus700', 'older')).map(([d, a]) => new Report(d, a)),
  fc.oneof(fc.constantFrom(1, 699, 700, 1000, 1500, 9_999, 10_000, 19_999, 20_000, 30_000), fc.integer({ min: 1, max: 25_000 })).map((ms) => new Advance(ms)),
  fc.constantFrom(...KINDS).map((k) => new RequestReset(k)),
  fc.constantFrom(...KINDS).map((k) => new ConfirmReset(k)),
  fc.constant(new Restart()),
  fc.array(fc.constantFrom<'fill' | 'check'>('fill', 'check'), { minLength: 1, maxLength: 3 }).map((c) => new ArmListener(c)),
];

function property(variant: Variant, store: 'memory' | 'level') {
  return fc.asyncProperty(fc.commands(commands, { maxCommands: 80, size: 'medium' }), async (cmds) => {
    const real: Real = {
      rt: null as unknown as RiskRuntime, // opened below: its listener needs this very object
      clock: new ManualClock(START),
      restartable: await makeRestartable(store),
      tokens: {},
      events: [],
      cancels: { n: 0 },
      subscriptions: [],
      armed: null,
      reacted: null,
    };
    real.rt = await open(real);
    real.rt.updatePortfolio({ value: '100000' });
    try {
      await fc.asyncModelRun(() => ({ model: new Model(variant), real }), cmds);
    } finally {
      if (variant === 'right') {
        seen.otrTrips += real.events.filter((e) => e.type === 'CircuitBreakerTripped' && e.breaker === 'orderToTrade').length;
        seen.recTrips += real.events.filter((e) => e.type === 'CircuitBreakerTripped' && e.breaker === 'reconciliation').length;
        seen.recWarnings += real.events.filter((e) => e.type === 'CircuitBreakerWarning' && e.breaker === 'reconciliation').length;
      }
      for (const s of real.subscriptions) s.unsubscribe();
      await real.rt.stop();
      await real.restartable.dispose();
    }
  });
}

describe('model-based: orderToTrade and reconciliation against their reference model', () => {
  it(`${NUM_RUNS} random sequences of submissions, fills (late ones), reports (late, ignored), clock steps, resets, restarts and re-entrant calls agree with the model`, async () => {
    await fc.assert(property('right', 'memory'), { numRuns: NUM_RUNS });
  }, 600_000);

  it(`${LEVEL_RUNS} sequences on a LevelDB store (restarts reopen the same directory)`, async () => {
    await fc.assert(property('right', 'level'), { numRuns: LEVEL_RUNS });
  }, 600_000);

  it('the property can fail: against deliberately wrong models (≥ for > in the ratio; a difference of exactly the tolerance mismatching) fast-check finds a counterexample', async () => {
    const counts = { ...seen };
    for (const wrong of ['ratioAtLimitTrips', 'toleranceExclusive'] as const) {
      const result = await fc.check(property(wrong, 'memory'), { numRuns: 200, seed: 22 });
      expect(result.failed).toBe(true);
    }
    // The right model's runs reached every path they claim to cover.
    for (const [what, n] of Object.entries(counts)) expect(n, what).toBeGreaterThan(0);
  }, 600_000);
});
