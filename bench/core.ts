/**
 * Core hot paths: the pre-trade check and the portfolio update, each beside baselines
 * measured in the same run.
 */
import CircuitBreaker from 'opossum';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { Decimal } from 'decimal.js';
import { assign, createActor, setup } from 'xstate';
import { createRiskRuntime, RiskEventType, silentLogger, type Clock, type RiskEvent } from '../src/index.ts';
import { fmtNs, fmtRate, fmtRatio, measure, table, verdict, type BatchTask, type Measured } from './lib.ts';

/** Calls per tinybench iteration for synchronous operations. */
const SYNC_BATCH = 1000;
/** Calls per tinybench iteration for async operations (each awaited before the next). */
const ASYNC_BATCH = 100;

const CHECK_TARGET_NS = 100;
const UPDATE_TARGET_NS = 500;

/**
 * Order-rate limits for the check benchmark. The clock is the wall clock (Date.now, 1 ms
 * resolution), so the window must never fill during the run: 100 000 orders inside 1 ms
 * would take < 10 ns per check (and the 80 % warning < 12.5 ns), far below any figure here.
 * A 1 s window would trip: at ~60 ns per check a million orders arrive in 60 ms.
 * Every other breaker keeps the moderate preset.
 */
const ORDER_RATE = { maxOrders: 100_000, window: 0.001 } as const;
const BREAKERS = {
  drawdown: { threshold: -0.1 },
  dailyLoss: { limit: -0.05 },
  orderRate: ORDER_RATE,
  errorRate: { maxErrors: 10, window: 60 },
} as const;

/** The wall clock with unref'd timers, as production would use. */
const wallClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return () => clearTimeout(handle);
  },
};

const ORDER = Object.freeze({ symbol: 'AAPL', side: 'buy', quantity: 100, price: 187.25 });

/** Portfolio values oscillating within −1 % … 0 % of the first (highest) value: never trips, never warns, never moves the high-water mark. */
const TOP = 1_005_000;
const VALUE_COUNT = 1024; // power of two, indexed with & (VALUE_COUNT - 1)
const VALUE_NUMBERS = Array.from({ length: VALUE_COUNT }, (_, i) => {
  const phase = (i / VALUE_COUNT) * 2 * Math.PI;
  return Math.round((1_000_000 + 5000 * Math.sin(phase) - 0.25) * 100) / 100; // 995 000 … 1 005 000, cents
});
const VALUE_STRINGS = VALUE_NUMBERS.map((n) => n.toFixed(2)); // e.g. '1000000.25'
const VALUE_DECIMALS = VALUE_STRINGS.map((s) => new Decimal(s));

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
  let refused = 0; // must stay 0: every benchmarked decision is "allowed"

  // ── runtimes ──
  const make = () => createRiskRuntime({ strategy: 'bench', logger: silentLogger, clock: wallClock, breakers: BREAKERS });
  const rtCheck = await make();
  rtCheck.updatePortfolio({ value: String(TOP) }); // opens the gate (no value yet = fail closed)
  const rtUpdate = await make();
  rtUpdate.updatePortfolio({ value: String(TOP) }); // highest value first: the high-water mark stays put
  const rtNumber = await make();
  rtNumber.updatePortfolio({ value: TOP });
  const rtExact = await make();
  rtExact.updatePortfolio({ value: String(TOP) });
  if (!rtCheck.check(ORDER).allowed) throw new Error('bench setup: the runtime refuses orders before the run');

  const events: RiskEvent[] = [];
  const subs = [rtCheck, rtUpdate, rtNumber, rtExact].map((rt) => rt.events$.subscribe((e) => events.push(e)));

  // ── baselines ──
  const ring = new BareRing(ORDER_RATE.maxOrders, ORDER_RATE.window * 1000);
  const cockatielPolicy = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  const one = () => 1;
  // opossum accepts a synchronous action at run time (it wraps the result in a promise); its types insist on a Promise.
  const opossum = new CircuitBreaker(one as unknown as () => Promise<number>);
  const naive = createActor(naiveOrderMachine).start();
  const ORDER_EVENT = { type: 'ORDER' } as const;

  // ── (a) check ──
  const checkTasks: BatchTask[] = [
    {
      name: 'breakerbox rt.check(order)',
      batch: SYNC_BATCH,
      note: 'all breakers NORMAL',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!rtCheck.check(ORDER).allowed) refused++;
      },
    },
    {
      name: 'bare ring-buffer rate check',
      batch: SYNC_BATCH,
      note: 'Float64Array + Date.now()',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (!ring.allow(Date.now())) refused++;
      },
    },
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
  ];
  const checks = await measure(checkTasks);

  // ── (b) updatePortfolio ──
  const floorRef = new Decimal('990000');
  let k = 0;
  const mask = VALUE_COUNT - 1;
  const updateTasks: BatchTask[] = [
    {
      name: "breakerbox rt.updatePortfolio({ value: '…' })",
      batch: SYNC_BATCH,
      note: 'decimal string',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) rtUpdate.updatePortfolio({ value: VALUE_STRINGS[k++ & mask]! });
      },
    },
    {
      name: 'breakerbox rt.updatePortfolio({ value: number })',
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
      note: 'exact path makes 5',
      fn: () => {
        for (let i = 0; i < SYNC_BATCH; i++) if (VALUE_DECIMALS[k++ & mask]!.lte(floorRef)) sink++;
      },
    },
  ];
  const updates = await measure(updateTasks);

  // ── checks that the run measured what it claims ──
  const statuses = [rtCheck, rtUpdate, rtNumber, rtExact].map((rt) => rt.status().state);
  subs.forEach((s) => s.unsubscribe());
  opossum.shutdown();
  naive.stop();
  await Promise.all([rtCheck.stop(), rtUpdate.stop(), rtNumber.stop(), rtExact.stop()]);
  if (refused !== 0) throw new Error(`bench invalid: ${refused} decisions were refusals (a breaker tripped during the run)`);
  // Only a trading-day open (a run straddling 00:00 UTC) is harmless; anything else means the run left the NORMAL path.
  const tripLike = events.filter((e) => e.type !== RiskEventType.TRADING_DAY_OPENED);
  if (statuses.some((s) => s !== 'NORMAL') || tripLike.length > 0) {
    throw new Error(`bench invalid: runtime left NORMAL (${statuses.join(', ')}); events: ${tripLike.map((e) => e.type).join(', ')}`);
  }

  // ── report ──
  const check = checks[0]!;
  const ringFig = checks[1]!;
  lines.push('── (a) pre-trade check: rt.check(order), all breakers NORMAL ──');
  lines.push(`config: moderate preset, orderRate ${ORDER_RATE.maxOrders} per ${ORDER_RATE.window * 1000} ms (never fills on a 1 ms wall clock), one portfolio value fed first`);
  lines.push(...checkTable(checks, check));
  lines.push(verdict(check.medianNs, CHECK_TARGET_NS));
  lines.push(`check vs bare ring buffer: +${fmtNs(check.medianNs - ringFig.medianNs)} per call (median)`);
  lines.push('');

  const upd = updates[0]!;
  const updNum = updates[1]!;
  const exact = updates[2]!;
  const floor = updates[3]!;
  lines.push("── (b) portfolio update: rt.updatePortfolio({ value }), values within 1 % below the high-water mark ──");
  lines.push(...updateTable(updates, floor));
  lines.push(verdict(upd.medianNs, UPDATE_TARGET_NS));
  const cmp = updates[4]!;
  lines.push(`quiet band (string compared digit by digit, no Decimal built): ${fmtRatio(upd.medianNs, exact.medianNs)} the exact path's cost; number input ${fmtRatio(updNum.medianNs, upd.medianNs)} the string cost`);
  lines.push(`the exact path (values near a level, new highs, Decimal inputs) parses once and compares up to 5 times: ≈ ${fmtNs(floor.medianNs - cmp.medianNs)} parse + 5 × ${fmtNs(cmp.medianNs)}`);
  lines.push('');
  lines.push(`method: each sample = one tinybench iteration running the operation ${SYNC_BATCH}× (sync) or ${ASYNC_BATCH}× awaited in sequence (async),`);
  lines.push('        divided by the batch size; median and p99 are over those per-call batch averages (≈1 s of sampling per row).');
  lines.push('        Async rows include the promise and microtask round-trip of each awaited call.');
  lines.push(`sanity: 0 refusals, 0 trips/warnings, all runtimes NORMAL at the end (${events.length} events of any kind)`);
  if (sink === -1) lines.push(''); // keep `sink` observable
  return lines;
}

function checkTable(rows: readonly Measured[], ref: Measured): string[] {
  return table([
    ['operation', 'median/call', 'p99/call', 'calls/s (median)', 'vs rt.check', 'batches', 'note'],
    ...rows.map((r) => [r.name, fmtNs(r.medianNs), fmtNs(r.p99Ns), fmtRate(r.medianNs), fmtRatio(r.medianNs, ref.medianNs), String(r.samples), r.note]),
  ]);
}

function updateTable(rows: readonly Measured[], floor: Measured): string[] {
  return table([
    ['operation', 'median/call', 'p99/call', 'updates/s (median)', 'vs floor', 'batches', 'note'],
    ...rows.map((r) => [r.name, fmtNs(r.medianNs), fmtNs(r.p99Ns), fmtRate(r.medianNs), fmtRatio(r.medianNs, floor.medianNs), String(r.samples), r.note]),
  ]);
}
