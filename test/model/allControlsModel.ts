/**
 * The breaker half of the combined reference model (allControls.model.test.ts): the five v3
 * breakers of one strategy side by side (PRODUCT.md, "Beyond the seed"), written independently of
 * the runtime with plain arrays of instants and integer quantities, as the separate models do
 * (messageRate, fillBreakers, otrReconciliation, autoReset *.model.test.ts). What is shared is the
 * sliding-window counter with its warning (windowCount.ts) and one event loop for every timer:
 * self-healing recoveries, reconciliation's grace, reset-token expiries and the reset policy's
 * attempts, in time order.
 */
import { WindowCount } from './windowCount.ts';

export type State = 'NORMAL' | 'TRIPPED' | 'RESETTING';
/** In the registry's order: the order a step evaluates them in, and so the order trips are notified in. */
export const KINDS = ['orderToTrade', 'reconciliation', 'messageRate', 'executionRate', 'tradeLosses'] as const;
export type Kind = (typeof KINDS)[number];
export type MessageKind = 'order' | 'modify' | 'cancel';

/** messageRate: > 8 in 10 s trips, warns at ⌈6.4⌉ = 7, re-armed below 3. */
export const MSG = { maxMessages: 8, window: 10, warnAt: 0.8 } as const;
/** executionRate: > 5 fills in 10 s trips, warns at 4, re-armed below 2; never auto-reset. */
export const EXEC = { maxFills: 5, window: 10, warnAt: 0.8 } as const;
/** tradeLosses: REACHING 4 losing fills in 20 s trips, warns at 2; resets itself 15 s after tripping. */
export const LOSSES = { maxLosses: 4, lookback: 20, warnAt: 0.5, autoReset: { after: 15 } } as const;
/** orderToTrade: more than 2 submissions per fill (at least 5) in 10 s trips; warns at a ratio of 1. */
export const OTR = { maxRatio: 2, window: 10, minOrders: 5, warnAt: 0.5 } as const;
/** reconciliation: differences beyond 1 per symbol, 10 s grace; resets itself 10 s after tripping when the re-check passes. */
export const REC = { tolerance: '1', grace: 10, autoReset: { after: 10 } } as const;
export const RESET_TIMEOUT_MS = 30_000;
const TOLERANCE = 1;
const AUTO_MS: Partial<Record<Kind, number>> = { tradeLosses: LOSSES.autoReset.after * 1000, reconciliation: REC.autoReset.after * 1000 };

/** A deliberately wrong model, to show the property can fail: `lossesExceed` trips tradeLosses on exceeding maxLosses. */
export type Variant = 'right' | 'lossesExceed';

export interface Mismatch {
  symbol: string;
  expected: string;
  reported: string;
  difference: string;
}
interface PositionsAt {
  pos: Map<string, number>;
  asOf: number;
}
interface Breaker {
  state: State;
  /** The pending reset's expiry (monotonic ms) while RESETTING. */
  deadline: number | null;
  /** When it last entered TRIPPED: the reset policy's attempt is due `after` later. */
  enteredAt: number;
}

export class BreakersModel {
  readonly b = Object.fromEntries(KINDS.map((k) => [k, { state: 'NORMAL', deadline: null, enteredAt: 0 }])) as Record<Kind, Breaker>;
  readonly trips = zeros();
  readonly warnings = zeros();
  readonly recoveries = zeros();
  cancels = 0;
  /** The reset policy's attempts, in order. */
  autoResets: string[] = [];
  readonly messages = new WindowCount<MessageKind>(MSG.window * 1000, 7, 3);
  readonly executions = new WindowCount<null>(EXEC.window * 1000, 4, 2);
  readonly losses = new WindowCount<number>(LOSSES.lookback * 1000, 2, 1);
  // orderToTrade: submission and fill instants, and its warning flag.
  orders: number[] = [];
  fillsAt: number[] = [];
  otrWarned = false;
  // reconciliation (wall-clock asOf and execution times)
  baseline: PositionsAt | null = null;
  last: PositionsAt | null = null;
  recFills: { symbol: string; qty: number; executedAt: number }[] = [];
  open: { since: number; sinceAsOf: number; list: Mismatch[]; tripped: boolean } | null = null;
  /** Armed: an events$ listener resets the next breaker that trips (requestReset + confirmReset) from inside the notification. */
  armed = false;
  /** What that listener's confirmation answered. */
  reacted: boolean[] = [];
  /** Trips of the current step, in order, not yet notified. */
  #notify: Kind[] = [];

  constructor(
    public mono: number,
    readonly variant: Variant = 'right',
  ) {}

  get allowed(): boolean {
    return KINDS.every((k) => this.b[k].state === 'NORMAL');
  }

  trip(k: Kind): boolean {
    const b = this.b[k];
    if (b.state !== 'NORMAL') return false;
    Object.assign(b, { state: 'TRIPPED', deadline: null, enteredAt: this.mono });
    this.trips[k]++;
    this.cancels++;
    this.#notify.push(k);
    return true;
  }

  warn(k: Kind): void {
    if (this.b[k].state === 'NORMAL') this.warnings[k]++;
  }

  /**
   * The end of a step: listeners hear of its trips; an armed one resets the first breaker that
   * tripped (from inside the notification: a step of its own, after the step's decision).
   */
  endStep(): void {
    const tripped = this.#notify;
    this.#notify = [];
    if (tripped.length === 0 || !this.armed) return;
    this.armed = false;
    const k = tripped[0]!;
    this.requestReset(k);
    this.reacted.push(this.confirm(k));
    this.endStep();
  }

  // ───────── submissions, modifications, cancellations ─────────

  /** A well-formed submission, one step: orderToTrade, then messageRate count it. Returns whether it tripped a breaker. */
  submit(): boolean {
    this.orders.push(this.mono);
    let tripped = false;
    if (this.otrHolds()) {
      this.otrWarned = true;
      tripped = this.trip('orderToTrade');
    } else if (!this.otrWarns()) this.otrWarned = false;
    else if (!this.otrWarned) {
      this.otrWarned = true;
      this.warn('orderToTrade');
    }
    // The tripping submission is decided (rejected) in the step; listeners hear of the trips after it.
    tripped = this.#message('order') || tripped;
    this.endStep();
    return tripped;
  }

  /** A well-formed modification or cancellation (one step), counted by messageRate; whether it tripped it. */
  message(kind: MessageKind): boolean {
    const tripped = this.#message(kind);
    this.endStep();
    return tripped;
  }

  #message(kind: MessageKind): boolean {
    const n = this.messages.add(this.mono, kind);
    const signal = this.messages.signal(n, n > MSG.maxMessages);
    if (signal === 'warn') this.warn('messageRate');
    return signal === 'trip' && this.trip('messageRate');
  }

  // ───────── fills ─────────

  /** One recorded fill (one step): execution rate, trade losses, orderToTrade's fills, reconciliation's fills. */
  fill(symbol: string, signedQty: number, executedAt: number, cents: number | null): void {
    const n = this.executions.add(this.mono, null);
    const e = this.executions.signal(n, n > EXEC.maxFills);
    if (e === 'trip') this.trip('executionRate');
    if (e === 'warn') this.warn('executionRate');
    if (cents !== null && cents < 0) {
      const l = this.losses.add(this.mono, cents);
      const s = this.losses.signal(l, this.variant === 'lossesExceed' ? l > LOSSES.maxLosses : l >= LOSSES.maxLosses);
      if (s === 'trip') this.trip('tradeLosses');
      if (s === 'warn') this.warn('tradeLosses');
    }
    this.fillsAt.push(this.mono);
    this.recFills.push({ symbol, qty: signedQty, executedAt });
    // A fill may bring the ratio back at once.
    if (this.b.orderToTrade.state !== 'NORMAL' && !this.otrHolds()) this.recover('orderToTrade');
    this.endStep();
  }

  // ───────── orderToTrade ─────────

  #inside(list: number[], at: number): number {
    let n = 0;
    for (const t of list) if (t > at - OTR.window * 1000) n++;
    return n;
  }
  otrHolds(at = this.mono): boolean {
    const o = this.#inside(this.orders, at);
    return o >= OTR.minOrders && o > OTR.maxRatio * Math.max(this.#inside(this.fillsAt, at), 1);
  }
  otrWarns(): boolean {
    const o = this.#inside(this.orders, this.mono);
    return o >= OTR.minOrders && o >= OTR.warnAt * OTR.maxRatio * Math.max(this.#inside(this.fillsAt, this.mono), 1);
  }
  /** The instants, from now on, at which an entry leaves orderToTrade's window. */
  #otrInstants(): number[] {
    const w = OTR.window * 1000;
    return [...new Set([...this.orders, ...this.fillsAt].map((t) => t + w).filter((t) => t > this.mono))].sort((a, b) => a - b);
  }
  /** The first instant (now or later) at which a tripped orderToTrade's condition no longer holds. */
  #otrRecoveryAt(): number | null {
    if (this.b.orderToTrade.state === 'NORMAL') return null;
    if (!this.otrHolds()) return this.mono;
    return this.#otrInstants().find((t) => !this.otrHolds(t)) ?? null;
  }
  otrClearsInMs(): number | null {
    if (!this.otrHolds()) return null;
    return this.#otrInstants().find((t) => !this.otrHolds(t))! - this.mono;
  }
  otrCounts(): { orders: number; fills: number; nextExpiryInMs: number | null } {
    const w = OTR.window * 1000;
    const live = [...this.orders, ...this.fillsAt].filter((t) => t > this.mono - w);
    return { orders: this.#inside(this.orders, this.mono), fills: this.#inside(this.fillsAt, this.mono), nextExpiryInMs: live.length === 0 ? null : Math.min(...live) + w - this.mono };
  }

  // ───────── messageRate recovery ─────────

  #msgRecoveryAt(): number | null {
    if (this.b.messageRate.state === 'NORMAL') return null;
    const sorted = this.messages.inside(this.mono).map((e) => e.at).sort((a, b) => b - a);
    const nth = sorted[MSG.maxMessages];
    return nth === undefined ? this.mono : nth + MSG.window * 1000;
  }

  recover(k: 'orderToTrade' | 'messageRate'): void {
    Object.assign(this.b[k], { state: 'NORMAL', deadline: null });
    this.recoveries[k]++;
  }

  // ───────── reconciliation ─────────

  expected(asOf: number): Map<string, number> {
    const out = new Map<string, number>(this.baseline?.pos ?? []);
    if (this.baseline === null) return out;
    for (const f of this.recFills) if (f.executedAt > this.baseline.asOf && f.executedAt <= asOf) out.set(f.symbol, (out.get(f.symbol) ?? 0) + f.qty);
    return out;
  }
  compare(r: PositionsAt): Mismatch[] {
    const exp = this.expected(r.asOf);
    const out: Mismatch[] = [];
    for (const symbol of [...new Set([...exp.keys(), ...r.pos.keys()])].sort()) {
      const e = exp.get(symbol) ?? 0;
      const got = r.pos.get(symbol) ?? 0;
      if (Math.abs(got - e) > TOLERANCE) out.push({ symbol, expected: String(e), reported: String(got), difference: String(got - e) });
    }
    return out;
  }
  /** A report the position book took (one step); reconciliation itself ignores one older than its newest. */
  report(r: PositionsAt): void {
    if (this.last !== null && r.asOf < this.last.asOf) return;
    this.last = r;
    if (this.baseline === null) return void (this.baseline = r);
    const list = this.compare(r);
    if (list.length === 0) {
      this.baseline = r;
      this.open = null;
    } else if (this.open !== null) this.open.list = list;
    else {
      this.open = { since: this.mono, sinceAsOf: r.asOf, list, tripped: false };
      this.warn('reconciliation');
    }
  }
  unreconciled(): Mismatch[] {
    return this.last === null || this.baseline === null ? [] : this.compare(this.last);
  }

  // ───────── resets ─────────

  requestReset(k: Kind): void {
    Object.assign(this.b[k], { state: 'RESETTING', deadline: this.mono + RESET_TIMEOUT_MS });
  }

  /** A confirmation (an operator's, a listener's or the policy's): the breaker's re-check decides. */
  confirm(k: Kind): boolean {
    const b = this.b[k];
    b.deadline = null;
    const passed = k !== 'reconciliation' || this.unreconciled().length === 0;
    if (!passed) {
      Object.assign(b, { state: 'TRIPPED', enteredAt: this.mono });
      return false;
    }
    b.state = 'NORMAL';
    if (k === 'messageRate') this.messages.clear();
    if (k === 'executionRate') this.executions.clear();
    if (k === 'tradeLosses') this.losses.clear();
    if (k === 'orderToTrade') [this.orders, this.fillsAt, this.otrWarned] = [[], [], false];
    if (k === 'reconciliation') {
      if (this.last !== null) this.baseline = this.last;
      this.open = null;
    }
    return true;
  }

  // ───────── time ─────────

  /** The next timer due at or before `target`, in time order (ties: the registry's order). */
  #next(target: number): { at: number; k: Kind; what: 'recover' | 'grace' | 'expire' | 'auto' } | null {
    let best: { at: number; k: Kind; what: 'recover' | 'grace' | 'expire' | 'auto' } | null = null;
    const consider = (due: number | null, k: Kind, what: 'recover' | 'grace' | 'expire' | 'auto') => {
      // What fell due while the runtime was down happens now (its first tick).
      const at = due === null ? null : Math.max(due, this.mono);
      if (at !== null && at <= target && (best === null || at < best.at)) best = { at, k, what };
    };
    for (const k of KINDS) {
      const b = this.b[k];
      if (k === 'orderToTrade') consider(this.#otrRecoveryAt(), k, 'recover');
      if (k === 'messageRate') consider(this.#msgRecoveryAt(), k, 'recover');
      if (k === 'reconciliation' && this.open !== null && !this.open.tripped) consider(this.open.since + REC.grace * 1000, k, 'grace');
      if (b.state === 'RESETTING') consider(b.deadline, k, 'expire');
      const auto = AUTO_MS[k];
      if (b.state === 'TRIPPED' && auto !== undefined) consider(b.enteredAt + auto, k, 'auto');
    }
    return best;
  }

  /** When the next timer is due (null: none within a day). */
  nextDue(): number | null {
    return this.#next(this.mono + 86_400_000)?.at ?? null;
  }

  /** Moves the monotonic clock on; each timer fires at its instant, a step of its own. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (let next = this.#next(target); next !== null; next = this.#next(target)) {
      this.mono = next.at;
      const { k } = next;
      if (next.what === 'recover') this.recover(k as 'orderToTrade' | 'messageRate');
      else if (next.what === 'grace') {
        this.open!.tripped = true;
        this.trip('reconciliation');
      } else if (next.what === 'expire') Object.assign(this.b[k], { state: 'TRIPPED', deadline: null, enteredAt: this.mono });
      else {
        this.b[k].state = 'RESETTING';
        const passed = this.confirm(k);
        this.autoResets.push(`${k} passed ${passed}`);
      }
      this.endStep();
    }
    this.mono = target;
  }

  /**
   * A restart on the same store after `downMs` down: windows aged, a pending reset dies (TRIPPED
   * from the restart; the policy counts again); what fell due while down (a recovery, the grace's
   * end, a policy's attempt) happens at the first timer tick after the start (the next advance).
   */
  restart(downMs: number): void {
    this.mono += downMs;
    for (const k of KINDS) if (this.b[k].state === 'RESETTING') Object.assign(this.b[k], { state: 'TRIPPED', deadline: null, enteredAt: this.mono });
  }
}

function zeros(): Record<Kind, number> {
  return Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
}
