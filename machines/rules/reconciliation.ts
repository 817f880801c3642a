import { z } from 'zod';
import { Signal } from '../figures/signal.ts';
import { Exact, isDecimalProblem, parseExact } from '../math/exact.ts';
import { duration, quantity } from '../words/format.ts';
import { countWord } from '../words/rate.ts';
import { ChartKind, Observes, type BreakerRule, type Evidence, type InputTracker, type Json, type RuleInput } from './rule.ts';
import { commonSettings, seconds } from './settings.ts';

/** Reconciliation settings: a report may differ from the expected position by `tolerance` (per symbol); a mismatch trips after `grace` seconds. */
export interface ReconciliationSettings {
  /** The largest absolute difference per symbol that still agrees (canonical decimal text). */
  readonly tolerance: string;
  readonly grace: number;
  readonly warnAt: number;
}

/** One symbol whose reported position differs from the expected one by more than the tolerance (decimal text). */
export type Mismatch = {
  symbol: string;
  /** The last agreeing report's position plus the fills executed after it, up to the report's asOf. */
  expected: string;
  reported: string;
  /** reported − expected. */
  difference: string;
};

/** Reconciliation figures. */
export interface ReconciliationFigures {
  /** Every symbol of the open mismatch (the latest disagreeing report's), empty when none is open. */
  mismatches: Mismatch[];
  openMismatches: number;
  /** The asOf (ISO) of the report that opened the mismatch, or null. */
  mismatchSince: string | null;
  /** How long the mismatch has been open (ms), or null. */
  openForMs: number | null;
  /** Grace left before it trips (ms; 0 once over), or null when no mismatch is open. */
  graceLeftMs: number | null;
  /** The asOf (ISO) of the last agreeing report (the baseline), or null before the first report. */
  lastAgreeingAsOf: string | null;
  /** The asOf (ISO) of the newest report, or null. */
  lastReportAsOf: string | null;
  /**
   * The newest report against the last agreeing report plus every fill recorded up to its asOf,
   * now (late fills included): what a reset's re-check looks at; empty when it agrees.
   */
  unreconciled: Mismatch[];
  /** Fills recorded since the last agreeing report. */
  fillsSinceBaseline: number;
  tolerance: string;
  graceSeconds: number;
  warnAt: number;
}

type Positions = Map<string, Exact>;
interface PendingFill {
  readonly symbol: string;
  /** Signed: a buy adds, a sell takes away. */
  readonly quantity: Exact;
  readonly executedAt: number;
}
/**
 * The most fills kept one by one while no report covers them. Past it (reports stopped while
 * fills go on), the oldest half is merged per symbol into one fill at the latest execution time
 * of its group: memory stays bounded. A merged fill counts only once a report's asOf covers its
 * latest fill, so a report whose asOf falls inside a merged range shows a mismatch for those
 * fills until a later report covers them (a warning, then cleared within grace); a real
 * mismatch is never lost, at worst seen one report later.
 */
export const MAX_PENDING_FILLS = 10_000;

/** The oldest half of the pending fills merged per symbol (see {@link MAX_PENDING_FILLS}); the rest kept as they are. */
function mergeOldest(pending: readonly PendingFill[]): PendingFill[] {
  const sorted = [...pending].sort((a, b) => a.executedAt - b.executedAt);
  const half = Math.floor(sorted.length / 2);
  const merged = new Map<string, { quantity: Exact; executedAt: number }>();
  for (const f of sorted.slice(0, half)) {
    const m = merged.get(f.symbol);
    merged.set(f.symbol, m === undefined ? { quantity: f.quantity, executedAt: f.executedAt } : { quantity: m.quantity.plus(f.quantity), executedAt: Math.max(m.executedAt, f.executedAt) });
  }
  return [...[...merged].map(([symbol, m]) => ({ symbol, quantity: m.quantity, executedAt: m.executedAt })), ...sorted.slice(half)];
}

interface OpenMismatch {
  /** When it opened (monotonic ms). */
  since: number;
  /** The asOf (wall ms) of the report that opened it. */
  sinceAsOf: number;
  list: Mismatch[];
  /** Whether its grace ran out and the trip was signalled. */
  tripped: boolean;
}

const ZERO = new Exact(0);
const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());
const toExact = (text: unknown, what: string): Exact => {
  const parsed = parseExact(text);
  if (isDecimalProblem(parsed)) throw new TypeError(`reconciliation: ${what} ${parsed.problem}`);
  return parsed;
};
const add = (into: Positions, symbol: string, qty: Exact): void => void into.set(symbol, (into.get(symbol) ?? ZERO).plus(qty));
const asObject = (positions: Positions): { [symbol: string]: string } => Object.fromEntries([...positions].map(([s, q]) => [s, q.toString()]));
const fromObject = (saved: unknown, what: string): Positions => {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) throw new TypeError(`reconciliation: saved ${what} is malformed`);
  return new Map(Object.entries(saved as Record<string, unknown>).map(([s, q]) => [s, toExact(q, `saved ${what} of ${s}`)]));
};

/**
 * Reconciles position reports with the fills: it keeps the last agreeing report (the baseline),
 * the fills executed after it up to the newest report's asOf (summed per symbol) and the fills
 * executed later (pending, until a report's asOf covers them). Reports reach it in asOf order
 * (the runtime ignores an older one). Instants of the open mismatch are on the monotonic clock.
 */
class ReconciliationTracker implements InputTracker {
  readonly settings: ReconciliationSettings;
  readonly #tolerance: Exact;
  readonly #graceMs: number;
  #baseline: { positions: Positions; asOf: number } | null = null;
  #last: { positions: Positions; asOf: number } | null = null;
  /** Σ fills with baseline.asOf < executedAt ≤ last.asOf, per symbol. */
  #settled: Positions = new Map();
  #settledCount = 0;
  /** Fills executed after the newest report's asOf (or before any report). */
  #pending: PendingFill[] = [];
  #open: OpenMismatch | null = null;

  constructor(settings: ReconciliationSettings) {
    this.settings = settings;
    this.#tolerance = toExact(settings.tolerance, 'tolerance');
    this.#graceMs = settings.grace * 1000;
  }

  observeInput(input: RuleInput, at: number): Signal {
    if (input.input === 'fill') {
      const qty = toExact(input.quantity, 'fill quantity');
      this.#fill({ symbol: input.symbol, quantity: input.side === 'buy' ? qty : qty.negated(), executedAt: input.executedAt });
      return Signal.NONE;
    }
    if (input.input !== 'report') return Signal.NONE;
    return this.#report(input.positions, input.asOf, at);
  }

  #fill(fill: PendingFill): void {
    // A fill executed at or before the baseline's asOf is in it already.
    if (this.#baseline !== null && fill.executedAt <= this.#baseline.asOf) return;
    if (this.#last !== null && fill.executedAt <= this.#last.asOf) {
      add(this.#settled, fill.symbol, fill.quantity);
      this.#settledCount++;
    } else {
      this.#pending.push(fill);
      if (this.#pending.length > MAX_PENDING_FILLS) this.#pending = mergeOldest(this.#pending);
    }
  }

  #report(reported: ReadonlyMap<string, string>, asOf: number, at: number): Signal {
    // Older than the newest: the runtime ignores it, but its own newest asOf may not have survived a restart (this one does).
    if (this.#last !== null && asOf < this.#last.asOf) return Signal.NONE;
    const positions: Positions = new Map([...reported].map(([s, q]) => [s, toExact(q, `reported position of ${s}`)]));
    this.#last = { positions, asOf };
    const covered = this.#pending.filter((f) => f.executedAt <= asOf);
    this.#pending = this.#pending.filter((f) => f.executedAt > asOf);
    // The first report is the baseline: nothing to compare (fills up to its asOf are in it).
    if (this.#baseline === null) {
      this.#baseline = { positions, asOf };
      return Signal.NONE;
    }
    for (const f of covered) add(this.#settled, f.symbol, f.quantity);
    this.#settledCount += covered.length;
    const list = this.#compare(positions);
    if (list.length === 0) {
      this.#agreed();
      return Signal.NONE;
    }
    if (this.#open !== null) {
      this.#open.list = list;
      return Signal.NONE;
    }
    this.#open = { since: at, sinceAsOf: asOf, list, tripped: false };
    return Signal.WARN;
  }

  /** Each symbol where the report differs from baseline + settled fills by more than the tolerance (absent = flat). */
  #compare(positions: Positions): Mismatch[] {
    const base = this.#baseline!.positions;
    const symbols = [...new Set([...base.keys(), ...this.#settled.keys(), ...positions.keys()])].sort();
    const out: Mismatch[] = [];
    for (const symbol of symbols) {
      const expected = (base.get(symbol) ?? ZERO).plus(this.#settled.get(symbol) ?? ZERO);
      const got = positions.get(symbol) ?? ZERO;
      const difference = got.minus(expected);
      if (difference.abs().gt(this.#tolerance)) out.push({ symbol, expected: expected.toString(), reported: got.toString(), difference: difference.toString() });
    }
    return out;
  }

  /** The newest report becomes the baseline; any open mismatch is closed. */
  #agreed(): void {
    this.#baseline = this.#last;
    this.#settled = new Map();
    this.#settledCount = 0;
    this.#open = null;
  }

  /** Nothing clears by time alone: a report clears a mismatch (the chart resets only by hand). */
  clearsAt(): number | null {
    return null;
  }

  dueAt(): number | null {
    return this.#open === null || this.#open.tripped ? null : this.#open.since + this.#graceMs;
  }

  observeTime(now: number): Signal {
    if (this.#open === null || this.#open.tripped || now < this.#open.since + this.#graceMs) return Signal.NONE;
    this.#open.tripped = true;
    return Signal.TRIP;
  }

  figures(now: number): Evidence {
    const open = this.#open;
    return {
      mismatches: open === null ? [] : open.list.map((m) => ({ ...m })),
      openMismatches: open === null ? 0 : open.list.length,
      mismatchSince: open === null ? null : iso(open.sinceAsOf),
      openForMs: open === null ? null : Math.max(0, now - open.since),
      graceLeftMs: open === null ? null : Math.max(0, open.since + this.#graceMs - now),
      lastAgreeingAsOf: iso(this.#baseline?.asOf ?? null),
      lastReportAsOf: iso(this.#last?.asOf ?? null),
      unreconciled: this.#last === null || this.#baseline === null ? [] : this.#compare(this.#last.positions),
      fillsSinceBaseline: this.#settledCount + (this.#baseline === null ? 0 : this.#pending.length),
      tolerance: this.settings.tolerance,
      graceSeconds: this.settings.grace,
      warnAt: this.settings.warnAt,
    };
  }

  tripEvidence(now: number): Evidence {
    return this.figures(now);
  }

  recheckEvidence(now: number): Evidence {
    return this.figures(now);
  }

  /** A confirmed reset (its re-check passed: the newest report agrees now) takes the newest report as the baseline; later fills stay. */
  rebaseline(): void {
    if (this.#last !== null && this.#baseline !== null && this.#compare(this.#last.positions).length === 0) this.#agreed();
  }

  /** Everything: a restart must not forget a mismatch in progress. Its start is saved on the wall clock (+ shiftMs); asOf and executedAt are wall times already. */
  save(shiftMs = 0): Json {
    const open = this.#open;
    return {
      baseline: this.#baseline === null ? null : { positions: asObject(this.#baseline.positions), asOf: this.#baseline.asOf },
      last: this.#last === null ? null : { positions: asObject(this.#last.positions), asOf: this.#last.asOf },
      settled: asObject(this.#settled),
      settledCount: this.#settledCount,
      pending: this.#pending.map((f) => ({ symbol: f.symbol, quantity: f.quantity.toString(), executedAt: f.executedAt })),
      open: open === null ? null : { since: open.since + shiftMs, sinceAsOf: open.sinceAsOf, list: open.list.map((m) => ({ ...m })), tripped: open.tripped },
    };
  }

  load(saved: unknown, shiftMs = 0, notAfter = Infinity): void {
    const s = saved as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null) throw new TypeError('reconciliation: saved figures are malformed');
    const report = (r: unknown, what: string) => {
      if (r === null) return null;
      const { positions, asOf } = (r ?? {}) as { positions?: unknown; asOf?: unknown };
      if (typeof asOf !== 'number' || !Number.isFinite(asOf)) throw new TypeError(`reconciliation: saved ${what} is malformed`);
      return { positions: fromObject(positions, what), asOf };
    };
    const baseline = report(s.baseline, 'baseline');
    const last = report(s.last, 'last report');
    const settled = fromObject(s.settled, 'settled fills');
    if (typeof s.settledCount !== 'number' || !Array.isArray(s.pending)) throw new TypeError('reconciliation: saved fills are malformed');
    const pending = s.pending.map((f: unknown) => {
      const { symbol, quantity: q, executedAt } = (f ?? {}) as { symbol?: unknown; quantity?: unknown; executedAt?: unknown };
      if (typeof symbol !== 'string' || typeof executedAt !== 'number') throw new TypeError('reconciliation: a saved fill is malformed');
      return { symbol, quantity: toExact(q, 'saved fill quantity'), executedAt };
    });
    let open: OpenMismatch | null = null;
    if (s.open !== null) {
      const o = (s.open ?? {}) as { since?: unknown; sinceAsOf?: unknown; list?: unknown; tripped?: unknown };
      if (typeof o.since !== 'number' || typeof o.sinceAsOf !== 'number' || !Array.isArray(o.list) || typeof o.tripped !== 'boolean') throw new TypeError('reconciliation: the saved mismatch is malformed');
      const list = o.list.map((m: unknown) => {
        const { symbol, expected, reported, difference } = (m ?? {}) as Record<string, unknown>;
        if ([symbol, expected, reported, difference].some((v) => typeof v !== 'string')) throw new TypeError('reconciliation: a saved mismatch is malformed');
        return { symbol, expected, reported, difference } as Mismatch;
      });
      // A start saved in what is now the future counts as now (the grace is not lengthened).
      open = { since: Math.min(o.since + shiftMs, notAfter), sinceAsOf: o.sinceAsOf, list, tripped: o.tripped };
    }
    [this.#baseline, this.#last, this.#settled, this.#settledCount, this.#pending, this.#open] = [baseline, last, settled, s.settledCount, pending, open];
  }
}

const list = (e: Evidence, key = 'mismatches'): readonly Json[] => (Array.isArray(e[key]) ? (e[key] as readonly Json[]) : []);
const holds = (e: Evidence): boolean => list(e).length > 0 && e.graceLeftMs !== null && Number(e.graceLeftMs) <= 0;

/** One mismatch in words, from untrusted details: "AAPL expected 100, reported 90 (difference -10)". */
function mismatchWord(m: Json): string {
  const { symbol, expected, reported, difference } = (typeof m === 'object' && m !== null && !Array.isArray(m) ? m : {}) as Record<string, unknown>;
  return `${typeof symbol === 'string' ? symbol : '?'} expected ${quantity(expected)}, reported ${quantity(reported)} (difference ${quantity(difference)})`;
}
const listWord = (e: Evidence, key = 'mismatches'): string => list(e, key).map(mismatchWord).join('; ');
const when = (at: unknown): string => (typeof at === 'string' ? at : '?');

/** The reconciliation breaker's rule (RTS 6 Art 17): positions the broker reports must agree with the fills; reset by hand. */
export const reconciliationRule = {
  kind: 'reconciliation' as const,
  name: 'RECONCILIATION' as const,
  chart: ChartKind.AUTOMATIC,
  observes: [Observes.REPORT, Observes.FILL],
  // No preset value: it needs position reports and fills; off unless configured.
  settings: {
    schema: z.strictObject({
      tolerance: z.union([z.string(), z.number()], { error: 'must be a non-negative quantity, e.g. "0" or "0.001"' }).transform((value, ctx) => {
        const parsed = parseExact(value);
        if (isDecimalProblem(parsed) || parsed.isNegative()) {
          ctx.addIssue({ code: 'custom', input: value, message: isDecimalProblem(parsed) ? parsed.problem : 'must be a non-negative quantity, e.g. "0" or "0.001"' });
          return z.NEVER;
        }
        return parsed.toString();
      }),
      grace: seconds(86_400),
      ...commonSettings,
    }),
    presets: null,
    replacesPreset: [],
  },
  alwaysOn: false,
  recordSince: 3,
  track: (settings: ReconciliationSettings) => new ReconciliationTracker(settings),
  tripHolds: holds,
  // Reset only once reconciled: the newest report must agree now (record the missing fills, or wait for a report that agrees).
  recheck: (e: Evidence) =>
    list(e, 'unreconciled').length === 0 ? { passed: true, reason: null } : { passed: false, reason: `the newest report still disagrees with the fills: ${listWord(e, 'unreconciled')}` },
  cleared: () => false,
  describe: (e: Evidence) =>
    `positions disagree with the fills for ${list(e).length} symbol(s) for more than ${String(e.graceSeconds)}s (since the report as of ${when(e.mismatchSince)}): ${listWord(e)}`,
  resetEffects: (f: Evidence): readonly string[] =>
    f.lastReportAsOf === null
      ? ['No report yet: nothing is re-baselined.']
      : list(f, 'unreconciled').length === 0
        ? [`The newest report (as of ${String(f.lastReportAsOf)}) agrees with the fills: it becomes the baseline; fills executed after it are kept.`]
        : [
            `The newest report (as of ${String(f.lastReportAsOf)}) still disagrees: ${listWord(f, 'unreconciled')}.`,
            'The reset will be refused until it agrees: record the missing fills (with their execution time) or wait for a report that agrees.',
          ],
  words: {
    label: 'Reconciliation',
    shout: 'RECONCILIATION',
    view: (f: ReconciliationFigures) => ({
      figure:
        f.openMismatches === 0
          ? 'positions agree'
          : `${f.openMismatches} symbol(s) mismatched, ${f.graceLeftMs === null || f.graceLeftMs <= 0 ? 'grace over' : `${duration(f.graceLeftMs)} grace left`}`,
      details: [
        ...f.mismatches.map(mismatchWord),
        f.lastAgreeingAsOf === null ? 'no report yet' : `last agreeing report as of ${f.lastAgreeingAsOf}`,
        `tolerance ${quantity(f.tolerance)} per symbol, grace ${f.graceSeconds} s`,
      ],
      meter: { label: 'grace used', use: f.graceLeftMs === null ? 0 : 1 - f.graceLeftMs / (f.graceSeconds * 1000), warnAt: f.warnAt },
    }),
    line: (f: ReconciliationFigures) =>
      f.openMismatches === 0
        ? `positions agree (last agreeing report ${f.lastAgreeingAsOf ?? 'none yet'}, tolerance ${f.tolerance})`
        : `${f.openMismatches} mismatched since ${f.mismatchSince ?? '?'}, grace left ${Math.ceil((f.graceLeftMs ?? 0) / 1000)}s: ${f.mismatches.map(mismatchWord).join('; ')}`,
    event: (d: Evidence) => `${countWord(list(d).length)} symbol(s) mismatched since ${when(d.mismatchSince)}: ${listWord(d) || 'none listed'}`,
    recovered: () => 'positions agree again',
  },
} satisfies BreakerRule<ReconciliationSettings, ReconciliationTracker, ReconciliationFigures>;

export type { ReconciliationTracker };
