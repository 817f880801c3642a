/**
 * The reference model of one strategy's breakers as a public oracle: a small, independent
 * restatement of the product contract (docs/breakers.md) in plain code — exact BigInt decimals,
 * arrays of timestamps, explicit reset deadlines, its own market-open search. Drive it with the
 * same inputs as a runtime and compare states, decisions and cancels.
 *
 * Covered: drawdown, daily loss (fraction or amount, any market open and time zone), order rate
 * (self-healing), error rate, manual halt, two-step resets with expiry, data faults. Not
 * covered: warnings, `onTrip: 'reduceOnly'`, pre-trade `limits`, positions, restarts.
 */
import { presets } from '../config.ts';
import { tradingDayOf, type MarketOpenSpec } from './calendar.ts';
import { add, cmp, dec, isPositive, mul, type Dec } from './decimal.ts';

export type OracleState = 'NORMAL' | 'TRIPPED' | 'RESETTING' | 'MANUALLY_HALTED';
export type OracleBreaker = 'drawdown' | 'dailyLoss' | 'orderRate' | 'errorRate' | 'manual';
export const ORACLE_BREAKERS: readonly OracleBreaker[] = ['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'manual'];

/** The edges each breaker's chart may take (the product contract's, written out). */
export const ALLOWED_EDGES: Readonly<Record<OracleBreaker, ReadonlySet<string>>> = {
  drawdown: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  dailyLoss: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  orderRate: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  errorRate: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  manual: new Set(['NORMAL>MANUALLY_HALTED', 'MANUALLY_HALTED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>MANUALLY_HALTED']),
};

/** The settings the oracle reads: the runtime's plain options (`breakers`, `marketOpen`, `resetTimeout`). */
export interface OracleOptions {
  readonly breakers?: unknown;
  readonly marketOpen?: MarketOpenSpec;
  /** Seconds (default 60). */
  readonly resetTimeout?: number;
}

interface Limits {
  drawdown: Dec | null;
  dailyFraction: Dec | null;
  dailyAmount: Dec | null;
  dailyOn: boolean;
  orders: { max: number; windowMs: number } | null;
  errors: { max: number; windowMs: number } | null;
}

/** The effective limits: `breakers` merged over a preset (moderate by default), `false` turns one off. */
function limitsOf(options: OracleOptions): Limits {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const written = (typeof options.breakers === 'string' ? { preset: options.breakers } : (options.breakers ?? {})) as Record<string, any>;
  const base = presets[(written.preset ?? 'moderate') as keyof typeof presets] as Record<string, any>;
  const pick = (key: string): Record<string, any> | null => {
    const own = written[key];
    if (own === false || (own === undefined && base[key] === undefined)) return null;
    if (own?.onTrip === 'reduceOnly') throw new RangeError(`oracle: ${key}.onTrip "reduceOnly" is not modelled`);
    if (key === 'dailyLoss' && own && (own.limit !== undefined || own.limitAmount !== undefined)) return own;
    return { ...base[key], ...own };
  };
  const dd = pick('drawdown');
  const dl = pick('dailyLoss');
  const or = pick('orderRate');
  const er = pick('errorRate');
  if (written.staleData) throw new RangeError('oracle: staleData is not modelled');
  return {
    drawdown: dd ? dec(dd.threshold) : null,
    dailyOn: dl !== null,
    dailyFraction: dl && dl.limit !== undefined ? dec(dl.limit) : null,
    dailyAmount: dl && dl.limitAmount !== undefined ? dec(dl.limitAmount) : null,
    orders: or ? { max: or.maxOrders, windowMs: or.window * 1000 } : null,
    errors: er ? { max: er.maxErrors, windowMs: er.window * 1000 } : null,
  };
}

const RANK: OracleState[] = ['NORMAL', 'RESETTING', 'TRIPPED', 'MANUALLY_HALTED'];

/** The oracle: call its methods in the order the runtime receives the same inputs. */
export class Oracle {
  now: number;
  readonly state: Record<OracleBreaker, OracleState> = { drawdown: 'NORMAL', dailyLoss: 'NORMAL', orderRate: 'NORMAL', errorRate: 'NORMAL', manual: 'NORMAL' };
  /** Calls the runtime must have made to the broker port's cancelAllOrders. */
  cancels = 0;
  readonly #limits: Limits;
  readonly #open: MarketOpenSpec;
  readonly #resetMs: number;
  #hwm: Dec | null = null;
  #dayOpen: number | null = null;
  #nextOpen = -Infinity;
  #start: Dec | null = null;
  #last: Dec | null = null;
  #dataOk = false;
  #orders: number[] = [];
  #errors: number[] = [];
  #tokens: { id: string; breaker: OracleBreaker; deadline: number }[] = [];

  constructor(now: number, options: OracleOptions = {}) {
    this.now = now;
    this.#limits = limitsOf(options);
    this.#open = options.marketOpen ?? { time: '00:00', timeZone: 'UTC' };
    this.#resetMs = (options.resetTimeout ?? 60) * 1000;
  }

  /** Whether an order would pass now: trustworthy data and every breaker NORMAL. */
  get allowed(): boolean {
    return this.#dataOk && ORACLE_BREAKERS.every((b) => this.state[b] === 'NORMAL');
  }

  /** The most severe breaker state. */
  get globalState(): OracleState {
    return ORACLE_BREAKERS.map((b) => this.state[b]).reduce((a, b) => (RANK.indexOf(b) > RANK.indexOf(a) ? b : a), 'NORMAL' as OracleState);
  }

  #trip(b: OracleBreaker): void {
    if (this.state[b] !== 'NORMAL') return;
    this.state[b] = 'TRIPPED';
    this.cancels++;
  }

  #count(entries: number[], windowMs: number): number {
    return entries.filter((t) => this.now - t < windowMs).length;
  }

  #recoveryAt(): number | null {
    const o = this.#limits.orders;
    if (o === null || (this.state.orderRate !== 'TRIPPED' && this.state.orderRate !== 'RESETTING')) return null;
    const nth = [...this.#orders].sort((a, b) => b - a)[o.max];
    return nth === undefined ? this.now : nth + o.windowMs;
  }

  /** Time passes to `target`: order-rate recovery and reset expiry happen on the way. */
  advanceTo(target: number): void {
    for (;;) {
      const recovery = this.#recoveryAt();
      const token = [...this.#tokens].sort((a, b) => a.deadline - b.deadline)[0];
      const due = [recovery, token?.deadline].filter((t): t is number => t !== null && t !== undefined && t <= target);
      if (due.length === 0) break;
      this.now = Math.max(this.now, Math.min(...due));
      if (recovery !== null && recovery <= this.now) {
        this.state.orderRate = 'NORMAL';
        this.#tokens = this.#tokens.filter((t) => t.breaker !== 'orderRate');
        continue;
      }
      if (token && token.deadline <= this.now) {
        this.#tokens = this.#tokens.filter((t) => t !== token);
        this.state[token.breaker] = token.breaker === 'manual' ? 'MANUALLY_HALTED' : 'TRIPPED';
      }
    }
    this.now = Math.max(this.now, target);
  }

  /**
   * A portfolio value (valid decimal), or null for one the runtime must refuse. Returns whether
   * the runtime must accept it (a first value must be positive).
   */
  update(value: string | number | null): boolean {
    const v = value === null ? null : dec(value);
    if (v === null || (this.#last === null && !isPositive(v))) {
      this.#dataOk = false;
      this.error();
      return false;
    }
    this.#last = v;
    let refused = false;
    const dd = this.#limits.drawdown;
    if (dd !== null) {
      if (this.#hwm === null || cmp(v, this.#hwm) > 0) {
        if (isPositive(v)) this.#hwm = v;
        else if (this.#hwm === null) refused = true;
      } else if (cmp(v, add(this.#hwm, mul(dd, this.#hwm))) <= 0) this.#trip('drawdown');
    }
    if (this.#limits.dailyOn) {
      if (this.now >= this.#nextOpen) {
        const day = tradingDayOf(this.now, this.#open);
        this.#dayOpen = day.openAt;
        this.#nextOpen = day.nextOpenAt;
        this.#start = null;
      }
      if (this.#start === null) {
        if (isPositive(v)) this.#start = v;
        else refused = true;
      } else if (this.#beyondDailyLimit(v)) this.#trip('dailyLoss');
    }
    this.#dataOk = !refused;
    return true;
  }

  #beyondDailyLimit(v: Dec): boolean {
    const start = this.#start!;
    const level = this.#limits.dailyFraction !== null ? add(start, mul(this.#limits.dailyFraction, start)) : add(start, this.#limits.dailyAmount!);
    return cmp(v, level) <= 0;
  }

  /** An order submission (a `check()`); returns whether it must be allowed. */
  order(): boolean {
    const o = this.#limits.orders;
    if (o !== null) {
      this.#orders.push(this.now);
      if (this.#count(this.#orders, o.windowMs) > o.max) this.#trip('orderRate');
    }
    return this.allowed;
  }

  /** A recorded error of any kind. */
  error(): void {
    const e = this.#limits.errors;
    if (e === null) return;
    this.#errors.push(this.now);
    if (this.#count(this.#errors, e.windowMs) > e.max) this.#trip('errorRate');
  }

  halt(): void {
    this.state.manual = 'MANUALLY_HALTED';
    this.#tokens = this.#tokens.filter((t) => t.breaker !== 'manual');
    this.cancels++;
  }

  /** Returns false when the runtime must refuse the request (the breaker is NORMAL). */
  requestReset(b: OracleBreaker, id: string): boolean {
    if (this.state[b] === 'NORMAL') return false;
    this.#tokens = [...this.#tokens.filter((t) => t.breaker !== b), { id, breaker: b, deadline: this.now + this.#resetMs }];
    this.state[b] = 'RESETTING';
    return true;
  }

  /** Null when the token must be refused, else whether the reset is confirmed. */
  confirmReset(id: string): boolean | null {
    const token = this.#tokens.find((t) => t.id === id);
    if (!token) return null;
    this.#tokens = this.#tokens.filter((t) => t !== token);
    const b = token.breaker;
    // A reset never makes a baseline of zero or less (drawdown: the value ≤ 0; daily loss: no start
    // value and a value ≤ 0); daily loss is also refused with no value, or while beyond its limit.
    const passed =
      b === 'drawdown'
        ? this.#last === null || isPositive(this.#last)
        : b !== 'dailyLoss' || (this.#last !== null && (this.#start !== null ? !this.#beyondDailyLimit(this.#last) : isPositive(this.#last)));
    if (passed && b === 'drawdown') this.#hwm = this.#last !== null ? this.#last : null;
    if (passed && b === 'orderRate') this.#orders = [];
    if (passed && b === 'errorRate') this.#errors = [];
    this.state[b] = passed ? 'NORMAL' : 'TRIPPED';
    return passed;
  }

  /** Which reset tokens are live (for pickers in generated commands). */
  get tokens(): readonly string[] {
    return this.#tokens.map((t) => t.id);
  }

  /** The open of the current trading day seen by daily loss, or null. */
  get dayOpen(): number | null {
    return this.#dayOpen;
  }
}

