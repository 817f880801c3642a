/**
 * Model-based test of the message-rate breaker against a small reference model of its own (a
 * plain array of recording instants and kinds). Commands: submissions (check), modifications
 * (checkModify), cancellations (checkCancel), malformed messages (not counted), clock advances at
 * the window edges, wall-clock steps, reset requests and confirmations (and their expiry), the
 * self-healing recovery, restarts on the same store (LevelDB in one property), and calls back into
 * the runtime from an events$ listener at a trip. After every command: the breaker's actor state,
 * status() state and figures (count, count by kind, next expiry, warning flag), whether orders
 * are allowed, and the warnings, trips, recoveries and cancels agree; every submission's and
 * modification's decision agrees with the model; and every well-formed cancellation is allowed
 * (the property: a tripped message-rate breaker lets every cancellation through).
 */
import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { createRiskRuntime, ManualClock, silentLogger, type RiskEvent, type RiskRuntime } from '../../src/index.ts';
import { makeRestartable, type Restartable } from './restart.ts';
import { WindowCount } from './windowCount.ts';
import { runs } from '../runs.ts';

const NUM_RUNS = runs(1000, 200, 'MODEL_RUNS');
const LEVEL_RUNS = Math.max(50, Math.floor(NUM_RUNS / 5));

/** More than 5 messages in 10 s trip; warns at ceil(0.8 × 5) = 4, re-armed below floor(4 / 2) = 2. */
const MSG = { maxMessages: 5, window: 10, warnAt: 0.8 } as const;
const WINDOW_MS = MSG.window * 1000;
const WARN_COUNT = 4;
const REARM_COUNT = 2;
const RESET_TIMEOUT_MS = 30_000;
const ORDER = { symbol: 'AAPL', side: 'buy' as const, quantity: 1 };

type Kind = 'order' | 'modify' | 'cancel';
type State = 'NORMAL' | 'TRIPPED' | 'RESETTING';
/** `right`: trips on EXCEEDING maxMessages; `reachTrips`: a deliberately wrong model that trips on reaching it. */
type Variant = 'right' | 'reachTrips';
type Reaction = 'cancel' | 'check';

class MessageModel {
  mono = 0;
  wallStepped = false;
  state: State = 'NORMAL';
  /** The window and its warning flag (windowCount.ts, shared with the combined model). */
  readonly window = new WindowCount<Kind>(WINDOW_MS, WARN_COUNT, REARM_COUNT);
  /** The pending reset's deadline (monotonic ms), or null. */
  deadline: number | null = null;
  warnings = 0;
  trips = 0;
  recoveries = 0;
  cancels = 0;
  armed: Reaction[] | null = null;
  reacted: boolean[] | null = null;

  constructor(readonly variant: Variant) {}

  get warned(): boolean {
    return this.window.warned;
  }

  inside(): { at: number; kind: Kind }[] {
    return this.window.inside(this.mono).map((e) => ({ at: e.at, kind: e.v }));
  }

  /** One well-formed message, now; returns whether it is allowed (a cancellation always is). */
  message(kind: Kind): boolean {
    const before = this.trips;
    const n = this.window.add(this.mono, kind);
    const signal = this.window.signal(n, this.variant === 'reachTrips' ? n >= MSG.maxMessages : n > MSG.maxMessages);
    if (signal === 'trip' && this.state === 'NORMAL') {
      this.state = 'TRIPPED';
      this.trips++;
      this.cancels++;
    }
    if (signal === 'warn' && this.state === 'NORMAL') this.warnings++;
    if (this.trips > before && this.armed) {
      const calls = this.armed;
      this.armed = null;
      this.reacted = calls.map((c) => this.message(c === 'cancel' ? 'cancel' : 'order'));
    }
    return kind === 'cancel' || this.state === 'NORMAL';
  }

  /** The instant the window first holds no more than the limit, while TRIPPED or RESETTING. */
  recoveryAt(): number | null {
    if (this.state === 'NORMAL') return null;
    const sorted = this.window.entries.map((e) => e.at).sort((a, b) => b - a);
    const nth = sorted[MSG.maxMessages];
    return nth === undefined ? this.mono : nth + WINDOW_MS;
  }

  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      const recovery = this.recoveryAt();
      const candidates = [recovery, this.deadline].filter((t): t is number => t !== null && t <= target);
      if (candidates.length === 0) break;
      const at = Math.max(this.mono, Math.min(...candidates));
      this.mono = at;
      if (recovery !== null && recovery <= at) {
        this.state = 'NORMAL';
        this.deadline = null;
        this.recoveries++;
        continue;
      }
      this.state = 'TRIPPED';
      this.deadline = null;
    }
    this.mono = target;
  }
}

interface Real {
  rt: RiskRuntime;
  clock: ManualClock;
  restartable: Restartable;
  token: string | null;
  events: RiskEvent[];
  cancels: { n: number };
  subscriptions: Subscription[];
  armed: Reaction[] | null;
  reacted: boolean[] | null;
}
type Cmd = fc.AsyncCommand<MessageModel, Real>;

async function open(real: Omit<Real, 'rt'>): Promise<RiskRuntime> {
  const rt = await createRiskRuntime({
    strategy: 'model', // restart.ts opens its LevelDB store for the strategy `model`
    clock: real.clock,
    logger: silentLogger,
    store: await real.restartable.store(),
    resetTimeout: RESET_TIMEOUT_MS / 1000,
    broker: { cancelAllOrders: () => void real.cancels.n++ },
    breakers: { drawdown: false, dailyLoss: false, orderRate: false, errorRate: false, messageRate: MSG },
  });
  real.subscriptions.push(rt.events$.subscribe((e) => real.events.push(e)));
  real.subscriptions.push(
    rt.events$.subscribe((e) => {
      if (e.type !== 'CircuitBreakerTripped' || real.armed === null) return;
      const calls = real.armed;
      real.armed = null;
      real.reacted = calls.map((c) => (c === 'cancel' ? rt.checkCancel({ id: 'r' }) : rt.check(ORDER)).allowed);
    }),
  );
  return rt;
}

/** How often cancellations met a tripped breaker (the property must not hold vacuously). */
const STATS = { cancelWhileTripped: 0, recoveries: 0, trips: 0 };

function verify(m: MessageModel, real: Real): void {
  const status = real.rt.status();
  const child = (real.rt.actor.getSnapshot().children as Record<string, AnyActorRef>).messageRate!;
  expect(`actor ${String(child.getSnapshot().value)}, status ${status.breakers.messageRate.state}`).toBe(`actor ${m.state}, status ${m.state}`);
  const inside = m.inside();
  const byKind = { order: 0, modify: 0, cancel: 0 };
  for (const e of inside) byKind[e.kind]++;
  const f = status.breakers.messageRate.figures!;
  expect({ count: f.count, byKind: f.byKind, nextExpiryInMs: f.nextExpiryInMs, warned: f.warned }).toEqual({
    count: inside.length,
    byKind,
    nextExpiryInMs: inside.length === 0 ? null : inside[0]!.at + WINDOW_MS - m.mono,
    warned: m.warned,
  });
  expect(status.ordersAllowed).toBe(m.state === 'NORMAL');
  const counted = (type: string) => real.events.filter((e) => e.type === type && e.breaker === 'messageRate').length;
  expect({ warnings: counted('CircuitBreakerWarning'), trips: counted('CircuitBreakerTripped'), recoveries: counted('CircuitBreakerRecovered'), cancels: real.cancels.n }).toEqual({
    warnings: m.warnings,
    trips: m.trips,
    recoveries: m.recoveries,
    cancels: m.cancels,
  });
  // A listener's cancellations are allowed too: the model answers true for every one.
  expect(real.reacted).toEqual(m.reacted);
  real.reacted = null;
  m.reacted = null;
}

class Message implements Cmd {
  constructor(readonly kind: Kind) {}
  check = () => true;
  async run(m: MessageModel, real: Real) {
    const tripped = m.state !== 'NORMAL';
    const trips = m.trips;
    const decision = this.kind === 'order' ? real.rt.check(ORDER) : this.kind === 'modify' ? real.rt.checkModify({ id: 'o1', quantity: 2 }) : real.rt.checkCancel({ id: 'o1' });
    const allowed = m.message(this.kind);
    STATS.trips += m.trips - trips;
    if (this.kind === 'cancel') {
      // The property: a well-formed cancellation is always allowed, tripped or not.
      expect(decision).toEqual({ allowed: true });
      if (tripped || m.state !== 'NORMAL') STATS.cancelWhileTripped++;
    } else {
      expect(decision.allowed ? 'allowed' : `${decision.code} ${String(decision.breaker)}`).toBe(allowed ? 'allowed' : 'BREAKER_NOT_NORMAL messageRate');
    }
    verify(m, real);
  }
  toString = () => this.kind;
}

class Malformed implements Cmd {
  constructor(readonly kind: 'modify' | 'cancel') {}
  check = () => true;
  async run(m: MessageModel, real: Real) {
    const decision = this.kind === 'modify' ? real.rt.checkModify({ id: 'o1' }) : real.rt.checkCancel({ id: '' });
    expect(decision).toMatchObject({ allowed: false, code: 'MALFORMED_MESSAGE' });
    verify(m, real);
  }
  toString = () => `malformed(${this.kind})`;
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: MessageModel, real: Real) {
    const recoveries = m.recoveries;
    real.clock.advance(this.ms);
    m.advance(this.ms);
    STATS.recoveries += m.recoveries - recoveries;
    verify(m, real);
  }
  toString = () => `advance(${this.ms})`;
}

class StepWall implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: MessageModel, real: Real) {
    // The wall clock alone: the window runs on the monotonic clock.
    real.clock.stepWall(this.ms);
    m.wallStepped = true;
    verify(m, real);
  }
  toString = () => `stepWall(${this.ms})`;
}

class RequestReset implements Cmd {
  check = (m: Readonly<MessageModel>) => m.state === 'TRIPPED';
  async run(m: MessageModel, real: Real) {
    real.token = real.rt.requestReset({ breaker: 'messageRate', operator: 'model' }).token;
    m.state = 'RESETTING';
    m.deadline = m.mono + RESET_TIMEOUT_MS;
    verify(m, real);
  }
  toString = () => 'requestReset';
}

class ConfirmReset implements Cmd {
  check = (m: Readonly<MessageModel>) => m.state === 'RESETTING';
  async run(m: MessageModel, real: Real) {
    // Nothing to re-check: the reset clears the window and re-arms the warning.
    expect(real.rt.confirmReset({ token: real.token!, operator: 'model' })).toMatchObject({ confirmed: true, state: 'NORMAL' });
    m.state = 'NORMAL';
    m.deadline = null;
    m.window.clear();
    verify(m, real);
  }
  toString = () => 'confirmReset';
}

class Restart implements Cmd {
  check = (m: Readonly<MessageModel>) => !m.wallStepped;
  async run(m: MessageModel, real: Real) {
    await real.rt.stop();
    real.rt = await open(real);
    real.rt.updatePortfolio({ value: '100000' });
    // A reset in progress does not survive a restart: its token is dead, the breaker TRIPPED.
    if (m.state === 'RESETTING') m.state = 'TRIPPED';
    m.deadline = null;
    verify(m, real);
  }
  toString = () => 'restart';
}

class ArmListener implements Cmd {
  constructor(readonly calls: Reaction[]) {}
  check = (m: Readonly<MessageModel>) => m.armed === null;
  async run(m: MessageModel, real: Real) {
    real.armed = [...this.calls];
    m.armed = [...this.calls];
    verify(m, real);
  }
  toString = () => `armListener(${this.calls.join('+')})`;
}

const commands = [
  fc.constantFrom<Kind>('order', 'modify', 'cancel').map((k) => new Message(k)),
  fc.constantFrom<Kind>('cancel', 'cancel', 'order').map((k) => new Message(k)),
  fc.constantFrom<Kind>('order', 'modify', 'cancel').map((k) => new Message(k)),
  fc.constantFrom<Kind>('cancel', 'modify', 'cancel').map((k) => new Message(k)),
  fc.constantFrom<'modify' | 'cancel'>('modify', 'cancel').map((k) => new Malformed(k)),
  fc.oneof(fc.constantFrom(1, 999, 1000, 2500, 9999, 10_000, 30_000), fc.integer({ min: 1, max: 12_000 })).map((ms) => new Advance(ms)),
  fc.constantFrom(-600_000, 600_000).map((ms) => new StepWall(ms)),
  fc.constant(new RequestReset()),
  fc.constant(new ConfirmReset()),
  fc.constant(new Restart()),
  fc.array(fc.constantFrom<Reaction>('cancel', 'check'), { minLength: 1, maxLength: 3 }).map((c) => new ArmListener(c)),
];

function property(variant: Variant, store: 'memory' | 'level') {
  return fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), async (cmds) => {
    const real: Real = {
      rt: null as unknown as RiskRuntime, // opened below: its listener needs this very object
      clock: new ManualClock(Date.UTC(2026, 0, 5, 12)),
      restartable: await makeRestartable(store),
      token: null,
      events: [],
      cancels: { n: 0 },
      subscriptions: [],
      armed: null,
      reacted: null,
    };
    real.rt = await open(real);
    real.rt.updatePortfolio({ value: '100000' });
    try {
      await fc.asyncModelRun(() => ({ model: new MessageModel(variant), real }), cmds);
    } finally {
      for (const s of real.subscriptions) s.unsubscribe();
      await real.rt.stop();
      await real.restartable.dispose();
    }
  });
}

describe('model-based: messageRate against its reference model', () => {
  it(`${NUM_RUNS} random sequences of submissions, modifications, cancellations, clock steps, resets, restarts and re-entrant calls agree with the model; every cancellation passes`, async () => {
    await fc.assert(property('right', 'memory'), { numRuns: NUM_RUNS });
    // Not vacuous: cancellations met a tripped breaker, and it tripped and recovered by itself.
    expect(STATS.cancelWhileTripped).toBeGreaterThan(NUM_RUNS);
    expect(STATS.trips).toBeGreaterThan(NUM_RUNS / 4);
    expect(STATS.recoveries).toBeGreaterThan(NUM_RUNS / 10);
  }, 300_000);

  it(`${LEVEL_RUNS} sequences on a LevelDB store (restarts reopen the same directory)`, async () => {
    await fc.assert(property('right', 'level'), { numRuns: LEVEL_RUNS });
  }, 300_000);

  it('the property can fail: against a deliberately wrong model (tripping on reaching maxMessages) fast-check finds a counterexample', async () => {
    const wrong = await fc.check(property('reachTrips', 'memory'), { numRuns: 200, seed: 22 });
    expect(wrong.failed).toBe(true);
    const right = await fc.check(property('right', 'memory'), { numRuns: 200, seed: 22 });
    if (right.failed) console.log(fc.defaultReportMessage(right));
    expect(right.failed).toBe(false);
  }, 300_000);
});
