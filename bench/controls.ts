/**
 * Trading controls: `check()` with every pre-trade limit configured against `check()` with
 * none (target: median within 3×), beside the bare ring-buffer baseline. Orders carry decimal
 * strings (quantity and limit price); every decision must be "allowed". Two phases: first no
 * runtime of the process checks self-trades (none and the seven limits); then a runtime with
 * every limit, `selfTrade` included, joins, and the runtime without limits publishes its orders
 * to the shared book as the contract requires: the old-and-new row is compared with no limits
 * both then (same work besides the limits) and alone (the stricter figure).
 */
import { pathToFileURL } from 'node:url';
import { createRiskRuntime, silentLogger, systemClock, type Clock, type RiskRuntime } from '../src/index.ts';
import { fmtNs, fmtRate, fmtRatio, measure, pairedRatio, pairedVerdict, table, type BatchTask } from './lib.ts';

const SYNC_BATCH = 1000;
/** As in bench/core.ts: a 1 ms order-rate window never fills at these speeds. */
const BREAKERS = {
  drawdown: { threshold: -0.1 },
  dailyLoss: { limit: -0.05 },
  orderRate: { maxOrders: 100_000, window: 0.001 },
  errorRate: { maxErrors: 10, window: 60 },
} as const;
const LIMITS = {
  maxOrderQuantity: '1000000',
  maxOrderNotional: '1000000000',
  maxPosition: '1000000000000',
  maxGrossExposure: '1000000000000000',
  priceCollar: { band: 0.5, referenceMaxAge: 3600 },
  duplicateWindow: 1,
  restrictedSymbols: ['HALTED1', 'HALTED2'],
  perSymbol: { ES: { maxPosition: 10 } },
} as const;
/** The seven above and this round's four (issue 22): open orders, traded quantity and notional over a window, self-trade. */
const ALL_LIMITS = {
  ...LIMITS,
  maxOpenOrders: { total: 1_000_000, perSymbol: 1_000_000 },
  maxTradedQuantity: '1000000000000',
  maxTradedNotional: '1000000000000000',
  tradedWindow: 60,
  selfTrade: true,
} as const;

const wallClock: Clock = {
  now: () => Date.now(),
  monotonic: systemClock.monotonic, // windows and ages read it (src/clock.ts)
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref();
    return () => clearTimeout(handle);
  },
};

/**
 * 65 536 distinct orders (decimal strings): the same one comes back only every few ms, beyond the
 * 1 ms duplicate window. Sells are priced above every buy (188.xx against 187.xx), so none could
 * execute against another and the self-trade check allows them all, as it must.
 */
const N = 65_536;
const ORDERS = Array.from({ length: N }, (_, i) =>
  Object.freeze({ symbol: 'AAPL', side: i & 1 ? 'sell' : 'buy', quantity: `${100 + (i >> 1)}`, price: `${i & 1 ? 188 : 187}.${String(i % 100).padStart(2, '0')}` }),
);
const POSITIONS = [{ symbol: 'AAPL', quantity: '0', price: '187.25' }];

class BareRing {
  readonly #times: Float64Array;
  #head = 0;
  #size = 0;
  constructor(limit: number, readonly windowMs: number) {
    this.#times = new Float64Array(limit + 1);
  }
  allow(now: number): boolean {
    const times = this.#times;
    times[this.#head] = now;
    this.#head = this.#head + 1 === times.length ? 0 : this.#head + 1;
    if (this.#size < times.length) this.#size++;
    return !(this.#size === times.length && now - times[this.#head]! < this.windowMs);
  }
}

export async function benchControls(): Promise<string[]> {
  let refused = 0;
  let i = 0;
  const make = (limits: object | undefined): Promise<RiskRuntime> =>
    createRiskRuntime({ strategy: 'bench', logger: silentLogger, clock: wallClock, breakers: BREAKERS, ...(limits ? { limits } : {}) });
  const none = await make(undefined);
  const all = await make(LIMITS);
  for (const rt of [none, all]) rt.updatePortfolio({ value: '1000000', positions: POSITIONS });
  const ring = new BareRing(100_000, 1);
  let reports = 0;

  const noneTask = (name: string, note: string): BatchTask => ({
    name,
    batch: SYNC_BATCH,
    note,
    fn: () => {
      for (let k = 0; k < SYNC_BATCH; k++) if (!none.check(ORDERS[i++ & (N - 1)]).allowed) refused++;
    },
  });
  // Phase 1: no runtime of the process checks self-trades (the seven limits, as in earlier sessions).
  const alone: BatchTask[] = [
    noneTask('check(), no limits', 'decimal strings; no runtime checks self-trades'),
    {
      name: 'check(), every limit configured',
      batch: SYNC_BATCH,
      note: '7 limits, projections reserved; a position report every 64k orders',
      fn: () => {
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (!all.check(ORDERS[i++ & (N - 1)]).allowed) refused++;
          // Releases what the allowed orders reserved, as a broker's position report would.
          if ((i & (N - 1)) === 0) {
            reports++;
            all.updatePortfolio({ value: '1000000', positions: POSITIONS });
          }
        }
      },
    },
    {
      name: 'bare ring-buffer rate check',
      batch: SYNC_BATCH,
      note: 'baseline',
      fn: () => {
        for (let k = 0; k < SYNC_BATCH; k++) if (!ring.allow(Date.now())) refused++;
      },
    },
  ];
  const [noneFig, allFig, ringFig] = await measure(alone);
  const paired = pairedRatio('every limit vs none', alone[1]!.fn as () => void, alone[0]!.fn as () => void);
  const open = all.status().controls.openOrders;

  // Phase 2: a runtime with `selfTrade` joins the process; from then on every runtime, the one
  // without limits too, publishes its allowed orders to the shared book (the contract's work).
  const v3 = await make(ALL_LIMITS);
  v3.updatePortfolio({ value: '1000000', positions: POSITIONS });
  const shared: BatchTask[] = [
    noneTask('check(), no limits, self-trades checked', 'publishes each order to the shared book'),
    {
      name: 'check(), every limit, old and new',
      batch: SYNC_BATCH,
      note: '11 limits: + open orders, traded quantity and notional, self-trade',
      fn: () => {
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (!v3.check(ORDERS[i++ & (N - 1)]).allowed) refused++;
          if ((i & (N - 1)) === 0) v3.updatePortfolio({ value: '1000000', positions: POSITIONS });
        }
      },
    },
  ];
  const [nonePubFig, v3Fig] = await measure(shared);
  const pairedV3 = pairedRatio('every limit, old and new, vs none (both publishing)', shared[1]!.fn as () => void, shared[0]!.fn as () => void);
  await Promise.all([none.stop(), all.stop(), v3.stop()]);
  if (refused !== 0) throw new Error(`bench invalid: ${refused} decisions were refusals`);
  const ok = (r: number): string => (r <= 3 ? 'OK' : 'OVER TARGET');
  const ratio = allFig!.medianNs / noneFig!.medianNs;
  const v3Shared = v3Fig!.medianNs / nonePubFig!.medianNs;
  const v3Alone = v3Fig!.medianNs / noneFig!.medianNs;
  return [
    ...table([
      ['task', 'median', 'p99', 'rate', 'vs no limits', 'samples', 'note'],
      ...[noneFig!, allFig!, ringFig!, nonePubFig!, v3Fig!].map((r) => [r.name, fmtNs(r.medianNs), fmtNs(r.p99Ns), fmtRate(r.medianNs), fmtRatio(r.medianNs, noneFig!.medianNs), String(r.samples), r.note]),
    ]),
    `every limit vs none: ${fmtRatio(allFig!.medianNs, noneFig!.medianNs)} (target ≤ 3×) — ${ok(ratio)}; ${reports} position reports, ${open} orders open at the end`,
    pairedVerdict(paired, 3),
    `every limit, old and new, vs none with self-trades checked (both publish): ${fmtRatio(v3Fig!.medianNs, nonePubFig!.medianNs)} (target ≤ 3×) — ${ok(v3Shared)}`,
    pairedVerdict(pairedV3, 3),
    `every limit, old and new, vs none alone (no runtime checks self-trades; the stricter figure): ${fmtRatio(v3Fig!.medianNs, noneFig!.medianNs)} (target ≤ 3×) — ${ok(v3Alone)}`,
  ];
}

// `npx tsx bench/controls.ts` runs this suite alone (npm run bench imports it with the others).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchControls().then(
    (lines) => {
      for (const line of lines) console.log(line);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
