/**
 * Model-based tests of the two fill-driven breakers, executionRate and tradeLosses, against a
 * small reference model of their own (plain arrays of recording instants, P&L in hundredths).
 * Commands: fills (with and without realizedPnl, losses, profits, zero; on time, late, slightly
 * ahead, and too far ahead: refused), clock advances at the window edges, wall-clock steps,
 * order checks, reset requests and confirmations (and their expiry), restarts on the same store
 * (LevelDB in one property), and a call back into the runtime from an events$ listener. After
 * every command: each breaker's actor state, status() state and figures (count, next expiry,
 * warning flag, the exact loss sum), check()'s decision, the warnings, trips and cancels agree.
 */
import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { createRiskRuntime, InvalidInputError, ManualClock, silentLogger, type RiskEvent, type RiskRuntime } from '../../src/index.ts';
import { makeRestartable, type Restartable } from './restart.ts';
import { centsText, WindowCount } from './windowCount.ts';
import { runs } from '../runs.ts';

const NUM_RUNS = runs(1000, 200, 'MODEL_RUNS');
const LEVEL_RUNS = Math.max(50, Math.floor(NUM_RUNS / 5));

const KINDS = ['executionRate', 'tradeLosses'] as const;
type Kind = (typeof KINDS)[number];
type State = 'NORMAL' | 'TRIPPED' | 'RESETTING';

/** executionRate: more than 5 fills in 10 s trip; warns at ceil(0.8 × 5) = 4, re-armed below 2. */
const EXEC = { maxFills: 5, window: 10, warnAt: 0.8 } as const;
/** tradeLosses: 4 losing fills in 20 s trip; warns at ceil(0.5 × 4) = 2 (re-armed only by a reset). */
const LOSSES = { maxLosses: 4, lookback: 20, warnAt: 0.5 } as const;
const RESET_TIMEOUT_MS = 30_000;
const ORDER = { symbol: 'AAPL', side: 'buy' as const, quantity: 1 };

/** The limit semantics: executionRate trips on EXCEEDING maxFills, tradeLosses on REACHING maxLosses. `wrong` is a deliberately wrong model (losses trip on exceeding). */
type Variant = 'right' | 'lossesExceed';

interface Track {
  state: State;
  /** Recording instants (monotonic ms) and, for losses, the P&L in hundredths, with the warning flag (windowCount.ts). */
  window: WindowCount<number>;
  deadline: number | null;
  /** When it last entered TRIPPED (monotonic ms): a reset policy's attempt is `after` from then. */
  enteredAt: number | null;
  /** When the reset in progress was requested (its state's "since"). */
  requestedAt: number | null;
}

class FillsModel {
  mono = 0;
  wall = 0;
  /**
   * The wall clock was stepped. Restarts are left out from then on: a record keeps its windows on
   * the wall clock as of its last save, and a runtime that stops does not re-save unchanged
   * counters, so a step between that save and the stop moves every restored entry by the step
   * (all window breakers alike; reported to the lead, a fix in src/runtime/durability.ts).
   */
  wallStepped = false;
  tracks: Record<Kind, Track> = { executionRate: fresh('executionRate'), tradeLosses: fresh('tradeLosses') };
  warnings: Record<Kind, number> = { executionRate: 0, tradeLosses: 0 };
  trips: Record<Kind, number> = { executionRate: 0, tradeLosses: 0 };
  cancels = 0;
  /** Resets made by tradeLosses' reset policy (each journaled as AutoReset). */
  autoResets = 0;
  /** The calls an events$ listener makes at the next trip (one-shot), and their outcomes. */
  armed: ('lossFill' | 'check')[] | null = null;
  reacted: boolean[] | null = null;

  /** `autoReset.after` of tradeLosses in ms, or null (executionRate never takes one). */
  constructor(
    readonly variant: Variant,
    readonly autoResetMs: number | null,
  ) {}

  windowMs(kind: Kind): number {
    return (kind === 'executionRate' ? EXEC.window : LOSSES.lookback) * 1000;
  }

  inside(kind: Kind): { at: number; cents: number }[] {
    return this.tracks[kind].window.inside(this.mono).map((e) => ({ at: e.at, cents: e.v }));
  }

  get allowed(): boolean {
    return KINDS.every((k) => this.tracks[k].state === 'NORMAL');
  }

  /** One recorded fill, now: each breaker counts what it observes, then the armed listener reacts. */
  fill(cents: number | null): void {
    const before = this.trips.executionRate + this.trips.tradeLosses;
    this.count('executionRate', 0);
    if (cents !== null && cents < 0) this.count('tradeLosses', cents);
    if (this.trips.executionRate + this.trips.tradeLosses > before && this.armed) {
      const calls = this.armed;
      this.armed = null;
      this.reacted = [];
      for (const call of calls) {
        if (call === 'lossFill') this.fill(-100);
        else this.reacted.push(this.allowed);
      }
    }
  }

  count(kind: Kind, cents: number): void {
    const t = this.tracks[kind];
    const n = t.window.add(this.mono, cents);
    const trips = kind === 'executionRate' ? n > EXEC.maxFills : this.variant === 'lossesExceed' ? n > LOSSES.maxLosses : n >= LOSSES.maxLosses;
    const signal = t.window.signal(n, trips);
    if (signal === 'trip' && t.state === 'NORMAL') {
      t.state = 'TRIPPED';
      t.enteredAt = this.mono;
      this.trips[kind]++;
      this.cancels++;
    }
    if (signal === 'warn' && t.state === 'NORMAL') this.warnings[kind]++;
  }

  /** Moves both clocks on; a reset token's expiry and a reset policy's attempt happen at their instant, in order. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      let next: { at: number; kind: Kind; what: 'expire' | 'auto' } | null = null;
      for (const k of KINDS) {
        const t = this.tracks[k];
        const due =
          t.state === 'RESETTING' && t.deadline !== null
            ? { at: t.deadline, kind: k, what: 'expire' as const }
            : t.state === 'TRIPPED' && k === 'tradeLosses' && this.autoResetMs !== null && t.enteredAt !== null
              ? { at: t.enteredAt + this.autoResetMs, kind: k, what: 'auto' as const }
              : null;
        if (due !== null && due.at <= target && (next === null || due.at < next.at)) next = due;
      }
      if (next === null) break;
      this.wall += Math.max(0, next.at - this.mono);
      this.mono = Math.max(this.mono, next.at);
      const t = this.tracks[next.kind];
      if (next.what === 'expire') Object.assign(t, { state: 'TRIPPED', deadline: null, enteredAt: this.mono, requestedAt: null });
      // The policy's re-check passes (the reset clears the lookback): NORMAL, counted afresh.
      else {
        this.tracks[next.kind] = fresh(next.kind);
        this.autoResets++;
      }
    }
    this.wall += target - this.mono;
    this.mono = target;
  }
}

/** A breaker's track as at the start or after a confirmed reset: NORMAL, its window empty, its warning re-armed (executionRate warns at 4, re-armed below 2; tradeLosses at 2, below 1). */
function fresh(kind: Kind): Track {
  const window = kind === 'executionRate' ? new WindowCount<number>(EXEC.window * 1000, 4, 2) : new WindowCount<number>(LOSSES.lookback * 1000, 2, 1);
  return { state: 'NORMAL', window, deadline: null, enteredAt: null, requestedAt: null };
}


/** The real side: the runtime (replaced on a restart), its store, its clock and what it told us. */
interface Real {
  rt: RiskRuntime;
  clock: ManualClock;
  restartable: Restartable;
  tokens: Partial<Record<Kind, string>>;
  /** Every event of every runtime of this run. */
  events: RiskEvent[];
  /** cancelAllOrders calls of every runtime of this run. */
  cancels: { n: number };
  subscriptions: Subscription[];
  armed: ('lossFill' | 'check')[] | null;
  reacted: boolean[] | null;
  /** tradeLosses' `autoReset.after` (seconds), or null for none. */
  autoReset: number | null;
}
type Cmd = fc.AsyncCommand<FillsModel, Real>;

/** A runtime on the run's store and clock, its events collected and an armed listener that calls back into it. */
async function open(real: Omit<Real, 'rt'>): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({
    strategy: 'model', // restart.ts opens its LevelDB store for the strategy `model`
    clock: real.clock,
    logger: silentLogger,
    store: await real.restartable.store(),
    resetTimeout: RESET_TIMEOUT_MS / 1000,
    broker: { cancelAllOrders: () => void real.cancels.n++ },
    breakers: { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false, executionRate: EXEC, tradeLosses: real.autoReset === null ? LOSSES : { ...LOSSES, autoReset: { after: real.autoReset } } },
  });
  real.subscriptions.push(rt.events$.subscribe((e) => real.events.push(e)));
  real.subscriptions.push(
    rt.events$.subscribe((e) => {
      if (e.type !== 'CircuitBreakerTripped' || real.armed === null) return;
      const calls = real.armed;
      real.armed = null;
      real.reacted = [];
      for (const call of calls) {
        if (call === 'lossFill') rt.recordFill({ symbol: 'AAPL', side: 'sell', quantity: 1, price: 100, realizedPnl: '-1' });
        else real.reacted.push(rt.check(ORDER).allowed);
      }
    }),
  );
  return rt;
}

function verify(m: FillsModel, real: Real): void {
  const status = real.rt.status();
  const children = real.rt.actor.getSnapshot().children as Record<string, AnyActorRef>;
  for (const k of KINDS) {
    const t = m.tracks[k];
    const inside = m.inside(k);
    expect(`${k}: actor ${String(children[k]!.getSnapshot().value)}, status ${status.breakers[k].state}`).toBe(`${k}: actor ${t.state}, status ${t.state}`);
    const f = status.breakers[k].figures as { count: number; nextExpiryInMs: number | null; warned: boolean; lossSum?: string };
    const expected = {
      count: inside.length,
      nextExpiryInMs: inside.length === 0 ? null : inside[0]!.at + m.windowMs(k) - m.mono,
      warned: t.window.warned,
      ...(k === 'tradeLosses' ? { lossSum: centsText(inside.reduce((s, e) => s + e.cents, 0)) } : {}),
    };
    expect({ kind: k, count: f.count, nextExpiryInMs: f.nextExpiryInMs, warned: f.warned, ...(k === 'tradeLosses' ? { lossSum: f.lossSum } : {}) }).toEqual({ kind: k, ...expected });
  }
  const decision = real.rt.check(ORDER);
  expect(decision.allowed ? 'allowed' : decision.code).toBe(m.allowed ? 'allowed' : 'BREAKER_NOT_NORMAL');
  const counted = (type: string) => Object.fromEntries(KINDS.map((k) => [k, real.events.filter((e) => e.type === type && e.breaker === k).length]));
  expect(counted('CircuitBreakerWarning')).toEqual(m.warnings);
  expect(counted('CircuitBreakerTripped')).toEqual(m.trips);
  expect(real.cancels.n).toBe(m.cancels);
  expect(real.events.filter((e) => e.type === 'AutoReset').map((e) => `${String(e.breaker)} passed ${String(e.details.passed)}`)).toEqual(Array(m.autoResets).fill('tradeLosses passed true'));
  expect(real.reacted).toEqual(m.reacted);
  expect(real.armed === null).toBe(m.armed === null);
  real.reacted = null;
  m.reacted = null;
}

const PNL: readonly (string | null)[] = [null, '0', '2.5', '-0.01', '-0.1', '-1.25', '-40', '-1000000.07'];
const cents = (pnl: string | null): number | null => (pnl === null ? null : Math.round(Number(pnl) * 100));
type Timing = 'now' | 'late1s' | 'late1h' | 'ahead3s' | 'ahead60s';
const OFFSET: Record<Timing, number | null> = { now: null, late1s: -1000, late1h: -3_600_000, ahead3s: 3000, ahead60s: 60_000 };

class Fill implements Cmd {
  constructor(readonly pnl: string | null, readonly timing: Timing) {}
  check = () => true;
  async run(m: FillsModel, real: Real) {
    const offset = OFFSET[this.timing];
    const fill = { symbol: 'AAPL', side: 'sell' as const, quantity: 1, price: 100, ...(this.pnl === null ? {} : { realizedPnl: this.pnl }), ...(offset === null ? {} : { timestamp: real.clock.now() + offset }) };
    if (this.timing === 'ahead60s') {
      // Beyond the allowed clock skew: refused by validation, counted by neither breaker.
      expect(() => real.rt.recordFill(fill)).toThrow(InvalidInputError);
    } else {
      real.rt.recordFill(fill);
      m.fill(cents(this.pnl));
    }
    verify(m, real);
  }
  toString = () => `fill(${this.pnl ?? 'no pnl'}, ${this.timing})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: FillsModel, real: Real) {
    real.clock.advance(this.ms);
    m.advance(this.ms);
    verify(m, real);
  }
  toString = () => `advance(${this.ms})`;
}

class StepWall implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: FillsModel, real: Real) {
    // The wall clock alone: no window, age or deadline moves (they run on the monotonic clock).
    real.clock.stepWall(this.ms);
    m.wall += this.ms;
    m.wallStepped = true;
    verify(m, real);
  }
  toString = () => `stepWall(${this.ms})`;
}

class RequestReset implements Cmd {
  constructor(readonly kind: Kind) {}
  check = (m: Readonly<FillsModel>) => m.tracks[this.kind].state !== 'NORMAL';
  async run(m: FillsModel, real: Real) {
    real.tokens[this.kind] = real.rt.requestReset({ breaker: this.kind, operator: 'model' }).token;
    m.tracks[this.kind].state = 'RESETTING';
    m.tracks[this.kind].deadline = m.mono + RESET_TIMEOUT_MS;
    m.tracks[this.kind].requestedAt = m.mono;
    verify(m, real);
  }
  toString = () => `requestReset(${this.kind})`;
}

class ConfirmReset implements Cmd {
  constructor(readonly kind: Kind) {}
  check = (m: Readonly<FillsModel>) => m.tracks[this.kind].state === 'RESETTING';
  async run(m: FillsModel, real: Real) {
    // The re-check passes: the reset clears the window (and re-arms the warning).
    expect(real.rt.confirmReset({ token: real.tokens[this.kind]!, operator: 'model' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    m.tracks[this.kind] = fresh(this.kind);
    verify(m, real);
  }
  toString = () => `confirmReset(${this.kind})`;
}

class Restart implements Cmd {
  check = (m: Readonly<FillsModel>) => !m.wallStepped;
  async run(m: FillsModel, real: Real) {
    await real.rt.stop();
    real.rt = await open(real);
    // Orders wait for a first portfolio value after a restart (AWAITING_PORTFOLIO): give it.
    real.rt.updatePortfolio({ value: '100000' });
    // A reset in progress does not survive a restart: its token is dead, the breaker TRIPPED.
    for (const k of KINDS) {
      if (m.tracks[k].state === 'RESETTING') {
        // The restart expires the reset (ResetExpired): TRIPPED again from now, so a reset policy's
        // count starts again, as after any expiry (docs/breakers.md, "Reset policy").
        Object.assign(m.tracks[k], { state: 'TRIPPED', deadline: null, enteredAt: m.mono, requestedAt: null });
      }
    }
    verify(m, real);
  }
  toString = () => 'restart';
}

class ArmListener implements Cmd {
  constructor(readonly calls: ('lossFill' | 'check')[]) {}
  check = (m: Readonly<FillsModel>) => m.armed === null;
  async run(m: FillsModel, real: Real) {
    real.armed = [...this.calls];
    m.armed = [...this.calls];
    verify(m, real);
  }
  toString = () => `armListener(${this.calls.join('+')})`;
}

const commands = [
  fc.tuple(fc.constantFrom(...PNL), fc.constantFrom<Timing>('now', 'now', 'now', 'late1s', 'late1h', 'ahead3s', 'ahead60s')).map(([p, t]) => new Fill(p, t)),
  fc.tuple(fc.constantFrom('-0.1', '-40'), fc.constant<Timing>('now')).map(([p, t]) => new Fill(p, t)),
  fc.oneof(fc.constantFrom(1, 999, 1000, 2500, 5000, 9999, 10_000, 14_999, 15_000, 19_999, 20_000, 30_000, 60_000), fc.integer({ min: 1, max: 25_000 })).map((ms) => new Advance(ms)),
  fc.constantFrom(-600_000, -10_000, 10_000, 600_000).map((ms) => new StepWall(ms)),
  fc.constantFrom(...KINDS).map((k) => new RequestReset(k)),
  fc.constantFrom(...KINDS).map((k) => new ConfirmReset(k)),
  fc.constant(new Restart()),
  fc.array(fc.constantFrom<'lossFill' | 'check'>('lossFill', 'check'), { minLength: 1, maxLength: 3 }).map((c) => new ArmListener(c)),
];

/** The property: random sequences agree with the model of `variant`, on a memory or LevelDB store. */
function property(variant: Variant, store: 'memory' | 'level', autoReset: number | null = null) {
  return fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), async (cmds) => {
    const real: Real = {
      rt: null as unknown as RiskRuntime, // opened below: its listener needs this very object
      clock: new ManualClock(Date.UTC(2026, 0, 5, 12)),
      restartable: await makeRestartable(store),
      tokens: {},
      events: [],
      cancels: { n: 0 },
      subscriptions: [],
      armed: null,
      reacted: null,
      autoReset,
    };
    real.rt = await open(real);
    real.rt.updatePortfolio({ value: '100000' });
    try {
      await fc.asyncModelRun(() => ({ model: new FillsModel(variant, autoReset === null ? null : autoReset * 1000), real }), cmds);
    } finally {
      for (const s of real.subscriptions) s.unsubscribe();
      await real.rt.stop();
      await real.restartable.dispose();
    }
  });
}

describe('model-based: executionRate and tradeLosses against their reference model', () => {
  it(`${NUM_RUNS} random sequences of fills (losses, late ones), clock steps, checks, resets, restarts and re-entrant calls agree with the model`, async () => {
    await fc.assert(property('right', 'memory'), { numRuns: NUM_RUNS });
  }, 300_000);

  it(`${LEVEL_RUNS} sequences on a LevelDB store (restarts reopen the same directory)`, async () => {
    await fc.assert(property('right', 'level'), { numRuns: LEVEL_RUNS });
  }, 300_000);

  it(`${NUM_RUNS} sequences with tradeLosses on autoReset { after: 15 }: it resets itself 15 s after entering TRIPPED, never before`, async () => {
    await fc.assert(property('right', 'memory', 15), { numRuns: NUM_RUNS });
  }, 300_000);

  it('the property can fail: against a deliberately wrong model (tradeLosses tripping on exceeding maxLosses) fast-check finds a counterexample', async () => {
    const wrong = await fc.check(property('lossesExceed', 'memory'), { numRuns: 200, seed: 22 });
    expect(wrong.failed).toBe(true);
    // The shrunk counterexample holds at least maxLosses losing fills: the boundary itself.
    const losing = (wrong.counterexample?.[0] ? [...wrong.counterexample[0]].map(String) : []).filter((c) => /^fill\(-/.test(c) || /lossFill/.test(c));
    expect(losing.length).toBeGreaterThan(0);
    // The same runs against the right model pass: the wrong model alone made it fail.
    const right = await fc.check(property('right', 'memory'), { numRuns: wrong.numRuns, seed: 22 });
    expect(right.failed).toBe(false);
  }, 300_000);
});
