/**
 * Core hot paths: the pre-trade check (allowed and rejected, one runtime and 1,000) and the
 * portfolio update (quiet band and a new high every tick), each beside baselines measured in
 * the same run.
 *
 * Measurement order matters for V8's type feedback (it is kept per function and shared by every
 * runtime in the process): the headline rows (documented order shape, decimal strings) are
 * measured before any other order or value shape reaches `check()` / `updatePortfolio()`, as
 * in a process that uses one shape. The other shapes come afterwards, and the headline shape
 * is measured once more after them ("after all shapes") to show what mixing shapes costs.
 */
import CircuitBreaker from 'opossum';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { Decimal } from 'decimal.js';
import { assign, createActor, setup } from 'xstate';
import {
  createRiskRuntime,
  ManualClock,
  RiskEventType,
  silentLogger,
  systemClock,
  type BreakersConfig,
  type Clock,
  type Decision,
  type RiskEvent,
  type RiskRuntime,
} from '../src/index.ts';
import { positiveDecimalValue } from '../machines/math/exact.ts';
import { fmtNs, fmtRate, fmtRatio, measure, pairedRatio, pairedVerdict, ratioVerdict, table, verdict, type Measured } from './lib.ts';

/** Calls per tinybench iteration for synchronous operations. */
const SYNC_BATCH = 1000;
/** Calls per tinybench iteration for async operations (each awaited before the next). */
const ASYNC_BATCH = 100;

/** Targets (issue 9). */
const CHECK_VS_RING_MAX = 1.5;
const QUIET_UPDATE_TARGET_NS = 100;
const NEW_HIGH_TARGET_NS = 500;
const REJECTED_VS_ALLOWED_MAX = 2;

/** Strategies in the round-robin row. */
const STRATEGIES = 1000;

/**
 * Order-rate limits for the allowed checks. With the wall clock (1 ms resolution) the window
 * never fills: 100 000 orders inside 1 ms would take < 10 ns per check (the 80 % warning
 * < 12.5 ns), far below any figure here. With a manual clock the clock moves on 2 ms before
 * every batch of 1,000, so the window holds at most 1,000. Every other breaker keeps the
 * moderate preset.
 */
const ORDER_RATE = { maxOrders: 100_000, window: 0.001 } as const;
const BREAKERS = {
  drawdown: { threshold: -0.1 },
  dailyLoss: { limit: -0.05 },
  orderRate: ORDER_RATE,
  errorRate: { maxErrors: 10, window: 60 },
} as const satisfies BreakersConfig;

/** The wall clock with unref'd timers, as production would use. */
const wallClock: Clock = {
  now: () => Date.now(),
  monotonic: systemClock.monotonic, // windows and ages read it (src/clock.ts)
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return () => clearTimeout(handle);
  },
};

/** The documented order shape: decimal strings. */
const ORDER = Object.freeze({ symbol: 'ES', side: 'buy', quantity: '2', price: '5012.25' });
const ORDER_NUMBER = Object.freeze({ symbol: 'ES', side: 'buy', quantity: 2, price: 5012.25 });
const ORDER_DECIMAL = Object.freeze({ symbol: 'ES', side: 'buy', quantity: new Decimal('2'), price: new Decimal('5012.25') });

/** Portfolio values oscillating within −1 % … 0 % of the first (highest) value: never trips, never warns, never moves the high-water mark. */
const TOP = 1_005_000;
const VALUE_COUNT = 1024; // power of two, indexed with & (VALUE_COUNT - 1)
const VALUE_NUMBERS = Array.from({ length: VALUE_COUNT }, (_, i) => {
  const phase = (i / VALUE_COUNT) * 2 * Math.PI;
  return Math.round((1_000_000 + 5000 * Math.sin(phase) - 0.25) * 100) / 100; // 995 000 … 1 005 000, cents
});
const VALUE_STRINGS = VALUE_NUMBERS.map((n) => n.toFixed(2)); // e.g. '1003250.75'
const VALUE_DECIMALS = VALUE_STRINGS.map((s) => new Decimal(s));

/**
 * Strictly increasing decimal strings for the new-high row: each batch gets 1,000 fresh values
 * (flat strings, e.g. '1000000.25', '1000000.50', … one cent apart, prepared before the batch and
 * outside the timed window), each above every value fed before it.
 */
class Rising {
  readonly values: string[] = new Array<string>(SYNC_BATCH);
  #cents: number;
  constructor(startCents: number) {
    this.#cents = startCents;
    this.next();
  }
  next(): void {
    for (let i = 0; i < SYNC_BATCH; i++) this.values[i] = (++this.#cents / 100).toFixed(2);
  }
  get last(): string {
    return (this.#cents / 100).toFixed(2);
  }
}

/**
 * The bare minimum a sliding-window rate check needs: a Float64Array ring of limit + 1
 * timestamps; the order that makes the window hold more than `limit` is refused.
 */
class BareRing {
  readonly #times: Float64Array;
  readonly #windowMs: number;
  #head = 0;
  #size = 0;

  constructor(limit: number, windowMs: number) {
    this.#times = new Float64Array(limit + 1);
    this.#windowMs = windowMs;
  }

  allow(now: number): boolean {
    const times = this.#times;
    times[this.#head] = now;
    this.#head = this.#head + 1 === times.length ? 0 : this.#head + 1;
    if (this.#size < times.length) this.#size++;
    // When full, the slot at #head is the (limit + 1)-th newest entry.
    return !(this.#size === times.length && now - times[this.#head]! < this.#windowMs);
  }
}

/** The naive design: every order goes to a statechart actor that counts in context. */
const naiveOrderMachine = setup({
  types: { context: {} as { count: number; max: number }, events: {} as { type: 'ORDER' } },
  guards: { underLimit: ({ context }) => context.count < context.max },
  actions: { count: assign({ count: ({ context }) => context.count + 1 }) },
}).createMachine({
  id: 'naiveOrderRate',
  context: { count: 0, max: Number.MAX_SAFE_INTEGER },
  initial: 'normal',
  states: {
    normal: { on: { ORDER: [{ guard: 'underLimit', actions: 'count' }, { target: 'tripped' }] } },
    tripped: {},
  },
});

export async function benchCore(): Promise<string[]> {
  const lines: string[] = [];
  let sink = 0; // keeps results alive so nothing is optimised away
  let refused = 0; // must stay 0 for every runtime that is meant to allow
  const wrong: string[] = []; // a rejected check that was not the expected rejection

  // ── runtimes ──
  const make = (clock: Clock = wallClock, breakers: BreakersConfig = BREAKERS, strategy = 'bench') =>
    createRiskRuntime({ strategy, logger: silentLogger, clock, breakers, store: false });
  const rtCheck = await make();
  rtCheck.updatePortfolio({ value: String(TOP) }); // opens the gate (no value yet = fail closed)
  const rtUpdate = await make();
  rtUpdate.updatePortfolio({ value: String(TOP) }); // highest value first: the high-water mark stays put
  const rising = new Rising(100_000_000); // 1 000 000.01 …
  const rtRising = await make();
  rtRising.updatePortfolio({ value: '1000000' });
  const rtNumber = await make();
  rtNumber.updatePortfolio({ value: TOP });
  const rtExact = await make();
  rtExact.updatePortfolio({ value: String(TOP) });
  const rtShapes = await make();
  rtShapes.updatePortfolio({ value: String(TOP) });
  const allowing = [rtCheck, rtUpdate, rtRising, rtNumber, rtExact, rtShapes];
  if (!rtCheck.check(ORDER).allowed) throw new Error('bench setup: the runtime refuses orders before the run');

  const events: RiskEvent[] = [];
  const subs = allowing.map((rt) => rt.events$.subscribe((e) => events.push(e)));

  // ── baselines ──
  const ring = new BareRing(ORDER_RATE.maxOrders, ORDER_RATE.window * 1000);
  const cockatielPolicy = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  const one = () => 1;
  // opossum accepts a synchronous action at run time (it wraps the result in a promise); its types insist on a Promise.
  const opossum = new CircuitBreaker(one as unknown as () => Promise<number>);
  const naive = createActor(naiveOrderMachine).start();
  const ORDER_EVENT = { type: 'ORDER' } as const;

  // ── (a) check, documented shape, one strategy, with baselines ──
  const checkBatch = () => {
    for (let i = 0; i < SYNC_BATCH; i++) if (!rtCheck.check(ORDER).allowed) refused++;
  };
  const ringBatch = () => {
    for (let i = 0; i < SYNC_BATCH; i++) if (!ring.allow(Date.now())) refused++;
  };
  const headline = await measure([
    { name: "rt.check(order), decimal strings", batch: SYNC_BATCH, note: "{ quantity: '2', price: '5012.25' }", fn: checkBatch },
    { name: 'bare ring-buffer rate check', batch: SYNC_BATCH, note: 'Float64Array + Date.now()', fn: ringBatch },
    {
      name: 'part: Date.now()',
      batch: SYNC_BATCH,
      note: 'clock read inside both',
      fn: () => {
        let local = 0;
        for (let i = 0; i < SYNC_BATCH; i++) local += Date.now() & 1;
        sink += local;
      },
    },
    {
      name: 'part: scan the two decimal strings',
      batch: SYNC_BATCH,
      note: "positiveDecimalValue('2') + ('5012.25')",
      fn: () => {
        let local = 0;
        for (let i = 0; i < SYNC_BATCH; i++) local += positiveDecimalValue(ORDER.quantity) + positiveDecimalValue(ORDER.price);
        sink += local;
      },
    },
    {
      name: 'empty batch loop',
      batch: SYNC_BATCH,
      note: 'harness floor',
      fn: () => {
        let local = 0; // a local accumulator: a captured `let` would box a heap number per add
        for (let i = 0; i < SYNC_BATCH; i++) local += i;
        sink += local;
      },
    },
    {
      name: 'naive: XState actor per order',
      batch: SYNC_BATCH,
      note: 'send + getSnapshot',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) {
          naive.send(ORDER_EVENT);
          if (naive.getSnapshot().value !== 'normal') refused++;
        }
      },
    },
    {
      name: 'cockatiel breaker.execute(() => 1)',
      batch: ASYNC_BATCH,
      note: 'async, awaited',
      fn: async () => {
        for (let i = 0; i < ASYNC_BATCH; i++) sink += await cockatielPolicy.execute(one);
      },
    },
    {
      name: 'opossum breaker.fire()',
      batch: ASYNC_BATCH,
      note: 'async, awaited',
      fn: async () => {
        for (let i = 0; i < ASYNC_BATCH; i++) sink += (await opossum.fire()) as number;
      },
    },
  ]);

  const headlinePaired = pairedRatio('rt.check(order), decimal strings vs bare ring buffer', checkBatch, ringBatch);

  // ── (b) updatePortfolio: decimal strings first (quiet band, new high every tick) ──
  let k = 0;
  const mask = VALUE_COUNT - 1;
  const stringUpdates = await measure([
    {
      name: "rt.updatePortfolio({ value: '…' }), quiet band",
      batch: SYNC_BATCH,
      note: 'decimal strings within −1 % of the high',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) rtUpdate.updatePortfolio({ value: VALUE_STRINGS[k++ & mask]! });
      },
    },
    {
      name: "rt.updatePortfolio({ value: '…' }), new high every tick",
      batch: SYNC_BATCH,
      note: 'strictly increasing decimal strings',
      beforeEach: () => rising.next(),
      fn: () => {
        const values = rising.values;
        for (let i = 0; i < SYNC_BATCH; i++) rtRising.updatePortfolio({ value: values[i]! });
      },
    },
  ]);
  const floorRef = new Decimal('990000');
  const otherUpdates = await measure([
    {
      name: 'rt.updatePortfolio({ value: number }), quiet band',
      batch: SYNC_BATCH,
      note: 'same values as JS numbers',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) rtNumber.updatePortfolio({ value: VALUE_NUMBERS[k++ & mask]! });
      },
    },
    {
      name: 'exact path: rt.updatePortfolio({ value: Decimal })',
      batch: SYNC_BATCH,
      note: 'no quiet band: all comparisons',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) rtExact.updatePortfolio({ value: VALUE_DECIMALS[k++ & mask]! });
      },
    },
    {
      name: 'floor: new Decimal(string).gt(Decimal)',
      batch: SYNC_BATCH,
      note: 'irreducible decimal cost',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (new Decimal(VALUE_STRINGS[k++ & mask]!).gt(floorRef)) sink++;
      },
    },
    {
      name: 'part: one Decimal comparison a.lte(b)',
      batch: SYNC_BATCH,
      note: 'exact path makes up to 5',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (VALUE_DECIMALS[k++ & mask]!.lte(floorRef)) sink++;
      },
    },
  ]);

  // ── (a2) check, other order shapes (after the headline: check() now sees three shapes) ──
  const shapes = await measure([
    {
      name: 'rt.check(order), numbers',
      batch: SYNC_BATCH,
      note: '{ quantity: 2, price: 5012.25 }',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!rtShapes.check(ORDER_NUMBER).allowed) refused++;
      },
    },
    {
      name: 'rt.check(order), Decimals (decimal.js)',
      batch: SYNC_BATCH,
      note: "{ quantity: new Decimal('2'), … }",
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!rtShapes.check(ORDER_DECIMAL).allowed) refused++;
      },
    },
    {
      name: 'rt.check(order), decimal strings, after all shapes',
      batch: SYNC_BATCH,
      note: 'headline order, mixed-shape process',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!rtShapes.check(ORDER).allowed) refused++;
      },
    },
    {
      name: 'bare ring-buffer rate check',
      batch: SYNC_BATCH,
      note: 'same baseline, re-measured',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!ring.allow(Date.now())) refused++;
      },
    },
  ]);

  // ── (a3) rejected checks: each runtime on a manual clock ──
  // The allowed reference moves its clock on 2 ms before each batch (outside the timed window)
  // so its 1 ms window never fills; the tripped ones never move it, so they stay tripped.
  const allowedClock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
  const rtAllowedManual = await make(allowedClock, BREAKERS, 'allowed-manual');
  rtAllowedManual.updatePortfolio({ value: String(TOP) });
  const drawdownClock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
  const rtDrawdown = await make(drawdownClock, { ...BREAKERS, dailyLoss: false }, 'drawdown-tripped');
  rtDrawdown.updatePortfolio({ value: '1000000' });
  rtDrawdown.updatePortfolio({ value: '890000.50' }); // −10.99995 %: beyond −10 %
  const tripOrderRate = async (maxOrders: number) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
    const rt = await make(clock, { ...BREAKERS, orderRate: { maxOrders, window: 60 } }, `rate-${maxOrders}`);
    rt.updatePortfolio({ value: String(TOP) });
    for (let i = 0; i < maxOrders; i++) if (!rt.check(ORDER).allowed) throw new Error(`bench setup: order ${i + 1} of ${maxOrders} refused`);
    const tripping = rt.check(ORDER);
    if (tripping.allowed || tripping.breaker !== 'orderRate') throw new Error(`bench setup: order ${maxOrders + 1} did not trip the order rate`);
    return rt;
  };
  const rtRate100 = await tripOrderRate(100);
  const rtRate100k = await tripOrderRate(100_000);
  const expectRejected = (rt: RiskRuntime, breaker: string) => {
    const d = rt.check(ORDER);
    if (d.allowed || d.breaker !== breaker) throw new Error(`bench setup: ${rt.strategy} is not rejected by ${breaker}: ${JSON.stringify(d)}`);
    return d;
  };
  const rejectedRef = new Map<RiskRuntime, Decision>([
    [rtRate100, expectRejected(rtRate100, 'orderRate')],
    [rtRate100k, expectRejected(rtRate100k, 'orderRate')],
    [rtDrawdown, expectRejected(rtDrawdown, 'drawdown')],
  ]);
  const note = (rt: RiskRuntime, d: Decision) => {
    if (d !== rejectedRef.get(rt) && wrong.length < 5) wrong.push(`${rt.strategy}: ${JSON.stringify(d)}`);
  };
  const rejected = await measure([
    {
      name: 'allowed rt.check(order), manual clock',
      batch: SYNC_BATCH,
      note: 'reference: all breakers NORMAL',
      beforeEach: () => allowedClock.advance(2),
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!rtAllowedManual.check(ORDER).allowed) refused++;
      },
    },
    {
      name: 'rejected: order rate tripped, maxOrders 100',
      batch: SYNC_BATCH,
      note: 'clock frozen: stays tripped',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) {
          const d = rtRate100.check(ORDER);
          if (d.allowed) note(rtRate100, d);
        }
      },
    },
    {
      name: 'rejected: order rate tripped, maxOrders 100,000',
      batch: SYNC_BATCH,
      note: 'clock frozen: stays tripped',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) {
          const d = rtRate100k.check(ORDER);
          if (d.allowed) note(rtRate100k, d);
        }
      },
    },
    {
      name: 'rejected: drawdown tripped',
      batch: SYNC_BATCH,
      note: 'order rate 100,000 / 1 ms, clock moved per batch',
      beforeEach: () => drawdownClock.advance(2),
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) {
          const d = rtDrawdown.check(ORDER);
          if (d.allowed) note(rtDrawdown, d);
        }
      },
    },
  ]);
  // A rejection must be the same frozen decision every time (and never an allowed one).
  for (const [rt] of rejectedRef) note(rt, rt.check(ORDER));

  // ── (a4) round robin over 1,000 strategies in one process ──
  const fleetStarted = performance.now();
  const fleet: RiskRuntime[] = [];
  for (let i = 0; i < STRATEGIES; i++) {
    const rt = await make(wallClock, BREAKERS, `s-${String(i).padStart(4, '0')}`);
    rt.updatePortfolio({ value: String(TOP) });
    fleet.push(rt);
  }
  const fleetSetupMs = performance.now() - fleetStarted;
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  let r = 0;
  const fleetRows = await measure([
    {
      name: `rt.check(order) round robin over ${STRATEGIES} strategies`,
      batch: SYNC_BATCH,
      note: 'decimal strings, wall clock',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) {
          if (!fleet[r]!.check(ORDER).allowed) refused++;
          r = r + 1 === STRATEGIES ? 0 : r + 1;
        }
      },
    },
    {
      name: 'rt.check(order), one strategy',
      batch: SYNC_BATCH,
      note: 'same process state, for comparison',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!rtCheck.check(ORDER).allowed) refused++;
      },
    },
  ]);

  // ── checks that the run measured what it claims ──
  const statuses = allowing.map((rt) => rt.status().state);
  const fleetStates = new Set(fleet.map((rt) => rt.status().state));
  const trippedStates = [rtRate100, rtRate100k, rtDrawdown].map((rt) => rt.status().breakers);
  const risingHwm = rtRising.status().breakers.drawdown.figures?.highWaterMark;
  subs.forEach((s) => s.unsubscribe());
  opossum.shutdown();
  naive.stop();
  await Promise.all([...allowing, rtAllowedManual, rtDrawdown, rtRate100, rtRate100k, ...fleet].map((rt) => rt.stop()));
  if (refused !== 0) throw new Error(`bench invalid: ${refused} decisions were refusals (a breaker tripped during the run)`);
  if (wrong.length > 0) throw new Error(`bench invalid: a rejected check returned something else: ${wrong.join('; ')}`);
  // Only a trading-day open (a run straddling 00:00 UTC) is harmless; anything else means the run left the NORMAL path.
  const tripLike = events.filter((e) => e.type !== RiskEventType.TRADING_DAY_OPENED);
  if (statuses.some((s) => s !== 'NORMAL') || tripLike.length > 0 || fleetStates.size !== 1 || !fleetStates.has('NORMAL')) {
    throw new Error(`bench invalid: runtime left NORMAL (${statuses.join(', ')}; fleet ${[...fleetStates].join(', ')}); events: ${tripLike.slice(0, 3).map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (trippedStates[0]!.orderRate.state !== 'TRIPPED' || trippedStates[1]!.orderRate.state !== 'TRIPPED' || trippedStates[2]!.drawdown.state !== 'TRIPPED') {
    throw new Error('bench invalid: a tripped runtime recovered during the run');
  }
  if (typeof risingHwm !== 'string' || !new Decimal(risingHwm).eq(rising.last)) throw new Error(`bench invalid: the new-high runtime's high-water mark is ${String(risingHwm)}, expected ${rising.last}`);

  // ── report ──
  const [check, ringFig] = headline as [Measured, Measured];
  lines.push("── (a) pre-trade check: rt.check({ symbol: 'ES', side: 'buy', quantity: '2', price: '5012.25' }), all breakers NORMAL ──");
  lines.push(`config: moderate preset, orderRate ${ORDER_RATE.maxOrders} per ${ORDER_RATE.window * 1000} ms (never fills on a 1 ms wall clock), one portfolio value fed first, store: false`);
  lines.push(...figureTable(headline, check, 'vs check'));
  lines.push(ratioVerdict('check median', check, ringFig, CHECK_VS_RING_MAX));
  lines.push(`check vs bare ring buffer: +${fmtNs(check.medianNs - ringFig.medianNs)} per call (median)`);
  lines.push(pairedVerdict(headlinePaired, CHECK_VS_RING_MAX));
  const [, , clockPart, scanPart] = headline as Measured[];
  lines.push(
    `floor: reading the clock and scanning the two strings, nothing else: ${fmtNs(clockPart!.medianNs + scanPart!.medianNs)} = ${fmtRatio(clockPart!.medianNs + scanPart!.medianNs, ringFig.medianNs)} the ring buffer`,
  );
  lines.push('');

  const [quiet, newHigh] = stringUpdates as [Measured, Measured];
  const floor = otherUpdates[2]!;
  const cmp = otherUpdates[3]!;
  lines.push('── (b) portfolio update: rt.updatePortfolio({ value }) ──');
  lines.push(`quiet band: values within −1 % of the high-water mark (${TOP}, fed first); new high: ${SYNC_BATCH} fresh strictly increasing strings per batch, one cent apart`);
  lines.push(...figureTable([...stringUpdates, ...otherUpdates], floor, 'vs floor'));
  lines.push(verdict(quiet.medianNs, QUIET_UPDATE_TARGET_NS).replace('target', 'quiet band: target'));
  lines.push(verdict(newHigh.medianNs, NEW_HIGH_TARGET_NS).replace('target', 'new high every tick: target'));
  lines.push(`the exact path (values near a level, Decimal inputs) parses once and compares up to 5 times: ≈ ${fmtNs(floor.medianNs - cmp.medianNs)} parse + 5 × ${fmtNs(cmp.medianNs)}`);
  lines.push('');

  const ringAgain = shapes[3]!;
  lines.push('── (a2) pre-trade check, other order shapes (measured after (b): check() has now seen all three shapes) ──');
  lines.push(...figureTable(shapes, ringAgain, 'vs ring'));
  lines.push(ratioVerdict('numbers check median', shapes[0]!, ringAgain, CHECK_VS_RING_MAX));
  lines.push(ratioVerdict('strings-after-all-shapes check median', shapes[2]!, ringAgain, CHECK_VS_RING_MAX));
  lines.push('');

  const allowedRef = rejected[0]!;
  lines.push('── (a3) rejected check: tripped breakers (manual clocks; no Date.now() in these rows) ──');
  lines.push(...figureTable(rejected, allowedRef, 'vs allowed'));
  for (const row of rejected.slice(1)) lines.push(ratioVerdict(`"${row.name}" median`, row, allowedRef, REJECTED_VS_ALLOWED_MAX));
  lines.push(`independent of maxOrders: 100,000 vs 100 = ${fmtRatio(rejected[2]!.medianNs, rejected[1]!.medianNs)} (medians ${fmtNs(rejected[2]!.medianNs)} vs ${fmtNs(rejected[1]!.medianNs)})`);
  lines.push('');

  lines.push(`── (a4) ${STRATEGIES} strategies in one process (${STRATEGIES} runtimes, store: false, silentLogger) ──`);
  lines.push(`setup: ${STRATEGIES} runtimes created in ${(fleetSetupMs / 1000).toFixed(1)} s; heap in use after setup ${heapMb.toFixed(0)} MB`);
  lines.push(...figureTable(fleetRows, fleetRows[1]!, 'vs one'));
  lines.push('');

  lines.push(`method: each sample = one tinybench iteration running the operation ${SYNC_BATCH}× (sync) or ${ASYNC_BATCH}× awaited in sequence (async),`);
  lines.push('        divided by the batch size; median and p99 are over those per-call batch averages (≈1 s of sampling per row).');
  lines.push('        Per-batch preparation (fresh rising values, moving a manual clock) runs outside the timed window.');
  lines.push('        Async rows include the promise and microtask round-trip of each awaited call.');
  lines.push(`sanity: 0 unexpected refusals, every rejection the expected frozen decision, tripped runtimes still TRIPPED, rising high-water mark = last value fed (${risingHwm}),`);
  lines.push(`        all allowing runtimes NORMAL at the end (${events.length} events of any kind)`);
  if (sink === -1) lines.push(''); // keep `sink` observable
  return lines;
}

function figureTable(rows: readonly Measured[], ref: Measured, refTitle: string): string[] {
  return table([
    ['operation', 'median/call', 'p99/call', 'calls/s (median)', refTitle, 'batches', 'note'],
    ...rows.map((r) => [r.name, fmtNs(r.medianNs), fmtNs(r.p99Ns), fmtRate(r.medianNs), fmtRatio(r.medianNs, ref.medianNs), String(r.samples), r.note]),
  ]);
}
