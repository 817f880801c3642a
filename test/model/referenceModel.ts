/**
 * A small reference model of one strategy's breakers, written independently of the runtime:
 * integer portfolio values, plain arrays of timestamps, explicit timers. The model-based tests
 * drive it and the real runtime with the same random commands and compare them.
 *
 * It follows the product contract (PRODUCT.md, "Inputs and their bounds", "States and
 * transitions", "Breakers"), core v2:
 * - a value ≤ 0 is refused (bad data) only while there is no baseline at all (no high-water
 *   mark, no daily-loss start value, no value accepted since start/restart); otherwise it is a
 *   loss and trips what it crosses. Where a rule needs a baseline it cannot take (≤ 0), the data
 *   is faulted (orders blocked) until a usable value arrives;
 * - order-rate recovery is two visible edges, TRIPPED → RESETTING → NORMAL;
 * - one-for-one supervision: a breaker actor that fails keeps its state; more than
 *   `maxRestarts` failures of one breaker within the window halt the manual breaker.
 */
export type S = 'NORMAL' | 'TRIPPED' | 'RESETTING' | 'MANUALLY_HALTED';
export type B = 'drawdown' | 'dailyLoss' | 'orderRate' | 'errorRate' | 'manual';
export const BREAKERS: B[] = ['drawdown', 'dailyLoss', 'orderRate', 'errorRate', 'manual'];
export type Code = 'BREAKER_NOT_NORMAL' | 'AWAITING_PORTFOLIO' | 'DATA_FAULT';

export const LIMITS = {
  /** drawdown threshold -0.10: trips when 10·v ≤ 9·hwm; daily loss -0.05: trips when 20·v ≤ 19·start */
  orderMax: 4,
  orderWindowMs: 10_000,
  errorMax: 3,
  errorWindowMs: 13_000,
  resetTimeoutMs: 7_500,
  dayMs: 86_400_000,
  /** supervision: { maxRestarts: 2, window: 30 } */
  maxRestarts: 2,
  restartWindowMs: 30_000,
};

export const SUPERVISOR_OPERATOR = 'breakerbox-supervisor';

/**
 * Runtime configuration matching the model (all breakers, or some). `breakers` is merged over
 * the moderate preset, so every breaker the model does not run is turned off with `false`.
 */
export function runtimeBreakers(enabled: readonly B[]) {
  return {
    drawdown: false as const,
    dailyLoss: false as const,
    orderRate: false as const,
    errorRate: false as const,
    ...(enabled.includes('drawdown') ? { drawdown: { threshold: -0.1 } } : {}),
    ...(enabled.includes('dailyLoss') ? { dailyLoss: { limit: -0.05 } } : {}),
    ...(enabled.includes('orderRate') ? { orderRate: { maxOrders: LIMITS.orderMax, window: LIMITS.orderWindowMs / 1000 } } : {}),
    ...(enabled.includes('errorRate') ? { errorRate: { maxErrors: LIMITS.errorMax, window: LIMITS.errorWindowMs / 1000 } } : {}),
  };
}

interface Token {
  id: string;
  breaker: B;
  deadline: number;
}

export const ALLOWED_EDGES: Record<B, ReadonlySet<string>> = {
  drawdown: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  dailyLoss: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  // Self-healing: TRIPPED > RESETTING (WINDOW_CLEARED) > NORMAL (RECOVER), or a manual reset.
  orderRate: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  errorRate: new Set(['NORMAL>TRIPPED', 'TRIPPED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>TRIPPED']),
  manual: new Set(['NORMAL>MANUALLY_HALTED', 'MANUALLY_HALTED>RESETTING', 'RESETTING>NORMAL', 'RESETTING>MANUALLY_HALTED']),
};

export type UpdateOutcome = 'refused' | 'accepted' | 'faulted';

export class ReferenceModel {
  /** The monotonic clock: every window, deadline and age counts on it. */
  now: number;
  /** How far the wall clock was stepped away from the monotonic one (clock.model.test.ts). */
  wallShift = 0;
  /** The wall-clock time of the last accepted value: a value's time never goes back (the trading day neither). */
  lastWall: number | null = null;
  state: Record<B, S> = { drawdown: 'NORMAL', dailyLoss: 'NORMAL', orderRate: 'NORMAL', errorRate: 'NORMAL', manual: 'NORMAL' };
  enabled: Set<B>;
  hwm: number | null = null;
  day: number | null = null;
  start: number | null = null;
  /** The last accepted value since start/restart (the runtime does not restore it). */
  last: number | null = null;
  dataOk = false;
  /** No value has cleared the data fault since start/restart (AWAITING_PORTFOLIO, else DATA_FAULT). */
  awaitingFirst = true;
  orders: number[] = [];
  errors: number[] = [];
  tokens: Token[] = [];
  cancels = 0;
  /** Every breaker edge taken (b:from>to), in order; the tests drain it. */
  edges: string[] = [];
  /** Per breaker, when each remembered actor failure is forgotten (Infinity: never). */
  failures: Record<B, number[]> = { drawdown: [], dailyLoss: [], orderRate: [], errorRate: [], manual: [] };
  /** Who halted the manual breaker (the standing halt: a repeated halt does not replace it). */
  haltOperator: string | null = null;

  constructor(now: number, enabled: readonly B[]) {
    this.now = now;
    this.enabled = new Set([...enabled, 'manual']);
  }

  /** The wall clock: the monotonic one, stepped (NTP, a resumed VM). */
  get wall(): number {
    return this.now + this.wallShift;
  }

  /** Steps the wall clock alone: no window, deadline or age moves. */
  stepWall(ms: number): void {
    this.wallShift += ms;
  }

  get allowed(): boolean {
    return this.dataOk && BREAKERS.every((b) => this.state[b] === 'NORMAL');
  }

  /** The code a rejected order carries (null when orders are allowed). */
  get code(): Code | null {
    if (BREAKERS.some((b) => this.state[b] !== 'NORMAL')) return 'BREAKER_NOT_NORMAL';
    if (!this.dataOk) return this.awaitingFirst ? 'AWAITING_PORTFOLIO' : 'DATA_FAULT';
    return null;
  }

  get globalState(): S {
    const rank: S[] = ['NORMAL', 'RESETTING', 'TRIPPED', 'MANUALLY_HALTED'];
    return BREAKERS.map((b) => this.state[b]).reduce((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a), 'NORMAL' as S);
  }

  /** A baseline exists: a high-water mark, a daily-loss start value, or a value accepted since start/restart. */
  get hasBaseline(): boolean {
    return (this.enabled.has('drawdown') && this.hwm !== null) || (this.enabled.has('dailyLoss') && this.start !== null) || this.last !== null;
  }

  /** Actor failures of a breaker not yet forgotten (the supervisor's restart count). */
  restarts(b: B): number {
    return this.failures[b].filter((t) => t > this.now).length;
  }

  #set(b: B, s: S): void {
    if (this.state[b] !== s) this.edges.push(`${b}:${this.state[b]}>${s}`);
    this.state[b] = s;
  }

  #inWindow(entries: number[], windowMs: number): number {
    return entries.filter((t) => this.now - t < windowMs).length;
  }

  #trip(b: B): void {
    if (this.state[b] !== 'NORMAL') return;
    this.#set(b, 'TRIPPED');
    this.cancels++;
  }

  #dropTokens(b: B): void {
    this.tokens = this.tokens.filter((t) => t.breaker !== b);
  }

  /** The instant the order window first holds no more than the limit (recovery of a tripped order rate). */
  #recoveryAt(): number | null {
    if (!this.enabled.has('orderRate')) return null;
    if (this.state.orderRate !== 'TRIPPED' && this.state.orderRate !== 'RESETTING') return null;
    const sorted = [...this.orders].sort((a, b) => b - a);
    const nth = sorted[LIMITS.orderMax];
    return nth === undefined ? this.now : nth + LIMITS.orderWindowMs;
  }

  advanceTo(target: number): void {
    for (;;) {
      const recovery = this.#recoveryAt();
      const token = [...this.tokens].sort((a, b) => a.deadline - b.deadline)[0];
      const candidates = [recovery, token?.deadline].filter((t): t is number => t !== null && t !== undefined && t <= target);
      if (candidates.length === 0) break;
      const at = Math.max(this.now, Math.min(...candidates));
      this.now = at;
      if (recovery !== null && recovery <= at) {
        // One timer step, two visible edges: WINDOW_CLEARED then RECOVER.
        if (this.state.orderRate === 'TRIPPED') this.#set('orderRate', 'RESETTING');
        this.#set('orderRate', 'NORMAL');
        this.#dropTokens('orderRate');
        continue;
      }
      if (token && token.deadline <= at) {
        this.tokens = this.tokens.filter((t) => t !== token);
        this.#set(token.breaker, token.breaker === 'manual' ? 'MANUALLY_HALTED' : 'TRIPPED');
      }
    }
    this.now = target;
  }

  /**
   * A portfolio value (null: unparseable). 'refused': InvalidInputError, counted as a data_error,
   * orders blocked. 'faulted': accepted, but a rule needed a baseline it could not take.
   */
  update(value: number | null): UpdateOutcome {
    if (value === null || (value <= 0 && !this.hasBaseline)) {
      this.dataOk = false;
      this.error();
      return 'refused';
    }
    this.last = value;
    const at = Math.max(this.wall, this.lastWall ?? -Infinity);
    this.lastWall = at;
    let faulted = false;
    if (this.enabled.has('drawdown')) {
      if (this.hwm === null || value > this.hwm) {
        if (value > 0) this.hwm = value;
        else faulted = true; // no high-water mark and none can be taken
      } else if (10 * value <= 9 * this.hwm) this.#trip('drawdown');
    }
    if (this.enabled.has('dailyLoss')) {
      const day = Math.floor(at / LIMITS.dayMs); // the calendar: on the wall clock
      if (this.day !== day) {
        this.day = day;
        this.start = null;
      }
      if (this.start === null) {
        if (value > 0) this.start = value;
        else faulted = true; // a new day's start value must be positive
      } else if (20 * value <= 19 * this.start) this.#trip('dailyLoss');
    }
    if (faulted) {
      this.dataOk = false;
      return 'faulted';
    }
    this.dataOk = true;
    this.awaitingFirst = false;
    return 'accepted';
  }

  /** An order submission: counted, and maybe trips the order rate. The decision is `allowed` afterwards. */
  order(): void {
    if (!this.enabled.has('orderRate')) return;
    this.orders.push(this.now);
    if (this.#inWindow(this.orders, LIMITS.orderWindowMs) > LIMITS.orderMax) this.#trip('orderRate');
  }

  error(): void {
    if (!this.enabled.has('errorRate')) return;
    this.errors.push(this.now);
    if (this.#inWindow(this.errors, LIMITS.errorWindowMs) > LIMITS.errorMax) this.#trip('errorRate');
  }

  /** Every halt cancels; a halt while already halted keeps the standing halt's operator (all halts here are full halts). */
  halt(operator: string): void {
    if (this.state.manual !== 'MANUALLY_HALTED') this.haltOperator = operator;
    this.#set('manual', 'MANUALLY_HALTED');
    this.#dropTokens('manual');
    this.cancels++;
  }

  /**
   * A breaker actor failed (an injected throw): it is restarted from its last committed snapshot
   * (its state does not change); one failure too many within the window halts the strategy.
   * Returns whether the supervisor escalated.
   */
  fault(b: B): boolean {
    this.failures[b] = [...this.failures[b].filter((t) => t > this.now), this.now + LIMITS.restartWindowMs];
    const escalated = this.failures[b].length > LIMITS.maxRestarts;
    if (escalated) this.halt(SUPERVISOR_OPERATOR);
    return escalated;
  }

  /** Returns false when the runtime must refuse the request (breaker NORMAL). */
  requestReset(b: B, id: string): boolean {
    if (this.state[b] === 'NORMAL') return false;
    this.#dropTokens(b);
    this.tokens.push({ id, breaker: b, deadline: this.now + LIMITS.resetTimeoutMs });
    this.#set(b, 'RESETTING');
    return true;
  }

  /** Returns null when the token must be refused, else whether the reset was confirmed. */
  confirmReset(id: string): boolean | null {
    const token = this.tokens.find((t) => t.id === id);
    if (!token) return null;
    this.tokens = this.tokens.filter((t) => t !== token);
    const b = token.breaker;
    let passed = true;
    if (b === 'dailyLoss') passed = this.last !== null && !(this.start !== null && 20 * this.last <= 19 * this.start);
    // A reset never creates a baseline ≤ 0: no start value and a value ≤ 0 (daily loss), or a
    // high-water mark re-baselined to a value ≤ 0 (drawdown), is refused.
    if (b === 'dailyLoss' && this.start === null && this.last !== null && this.last <= 0) passed = false;
    if (b === 'drawdown') passed = this.last === null || this.last > 0;
    if (passed) {
      if (b === 'drawdown') this.hwm = this.last !== null && this.last > 0 ? this.last : null;
      if (b === 'orderRate') this.orders = [];
      if (b === 'errorRate') this.errors = [];
    }
    this.#set(b, passed ? 'NORMAL' : 'TRIPPED');
    return passed;
  }

  /**
   * A restart from the store: RESETTING comes back TRIPPED (or MANUALLY_HALTED) — not seen as an
   * edge, it happens before anyone can subscribe — pending tokens die, data must be re-established.
   */
  restart(): void {
    for (const t of this.tokens) this.state[t.breaker] = t.breaker === 'manual' ? 'MANUALLY_HALTED' : 'TRIPPED';
    this.tokens = [];
    this.dataOk = false;
    this.awaitingFirst = true;
    this.last = null;
    // The delayed forgetting died with the process: a restored supervisor forgets each remembered
    // failure a full window after the restart.
    for (const b of BREAKERS) this.failures[b] = this.failures[b].filter((t) => t > this.now).map(() => this.now + LIMITS.restartWindowMs);
  }
}
